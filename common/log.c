/*
 * Line-oriented logging to standard error with levels and request ids.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char	*log_progname = "portal";
static enum log_level	 log_level = LOG_LEVEL_INFO;
static _Thread_local const char *log_request_id;

void
log_init(const char *progname, enum log_level level)
{
	log_progname = progname;
	log_level = level;
}

int
log_level_parse(const char *s, enum log_level *level)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void
log_set_request_id(const char *id)
{
	log_request_id = id;
}

static void
log_vline(enum log_level level, const char *tag, const char *fmt, va_list ap,
    const char *suffix)
{
	char		 msg[1024], stamp[32];
	struct timespec	 ts;
	struct tm	 tm;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	/* A message cut at 1 KB is still worth logging. */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s.%03ldZ %s %s%s%s%s%s%s\n", stamp,
	    ts.tv_nsec / 1000000L, log_progname, tag,
	    log_request_id ? " req=" : "", log_request_id ? log_request_id : "",
	    " ", msg, suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	char	 suffix[256];
	va_list	 ap;
	int	 saved = errno;

	(void)snprintf(suffix, sizeof(suffix), ": %s", strerror(saved));
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_WARN, "warn", fmt, ap, suffix);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(LOG_LEVEL_WARN, "warn", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(LOG_LEVEL_INFO, "info", fmt, ap, NULL);
	va_end(ap);
}
