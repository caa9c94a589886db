#include "clock.h"

void
clock_add_ms(struct timespec *t, int64_t ms)
{
	t->tv_sec += (time_t)(ms / 1000);
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

void
clock_after(struct timespec *t, int64_t ms)
{
	(void)clock_gettime(CLOCK_MONOTONIC, t);
	clock_add_ms(t, ms);
}

int64_t
clock_ms_until(const struct timespec *t)
{
	struct timespec	 now;
	int64_t		 ns;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)(t->tv_sec - now.tv_sec) * 1000000000 +
	    (t->tv_nsec - now.tv_nsec);
	return ns > 0 ? (ns + 999999) / 1000000 : ns / 1000000;
}
