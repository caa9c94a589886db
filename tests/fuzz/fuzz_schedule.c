/*
 * libFuzzer target for common/schedule.c: digest slots for times taken
 * from the input and zones from a small list (with DST changes at 02:00,
 * at midnight, by 30 minutes, and a skipped day). Checks that every slot
 * is a 10:00 of a day its frequency allows, that the next slot comes
 * after its argument, that the current slot has come and the one after it
 * has not, that a slot is the current slot of its own period, and that
 * every period key is one the mailer can write as words.
 *
 * Input: byte 0 picks the zone and frequency, then two 8-byte times. With
 * bit 7 of byte 0 set the times are used as they are (any int64), else
 * they are folded into 1970..9998, where the API and worker live.
 */
#include <stdint.h>
#include <string.h>

#include "../../common/tz.h"
#include "../../worker/mail_text.h"
#include "../../common/schedule.h"
#include "fuzz.h"

static const char *const zones[] = {
	"Europe/Stockholm", "Europe/Copenhagen", "Europe/Oslo",
	"Europe/London", "America/New_York", "America/Santiago",
	"Australia/Lord_Howe", "Pacific/Apia", "Asia/Kathmandu", "UTC",
	"Africa/Casablanca", "America/St_Johns", "Pacific/Kiritimati",
	"Europe/Helsinki", "Atlantic/Azores", "Antarctica/Troll"
};
#define N_ZONES		(sizeof(zones) / sizeof(zones[0]))
/* 9998-12-31: a slot search may look 40 days ahead and stay in 9999. */
#define TIME_LAST	253370764799LL

static int64_t
take64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/*
 * Samoa skipped 2011-12-30 and Kiribati's Line Islands 1994-12-31: a day
 * with no 10:00 at all, whose slot moves into the next day. Times within a
 * few weeks of them are left out of the day checks.
 */
static int
near_skipped_day(const char *zone, int64_t t)
{
	if (strcmp(zone, "Pacific/Apia") == 0)
		return t > 1323000000LL && t < 1328000000LL;
	if (strcmp(zone, "Pacific/Kiritimati") == 0)
		return t > 786000000LL && t < 791000000LL;
	return 0;
}

static void
local(const char *zone, int64_t t, struct tm *tm)
{
	FUZZ_CHECK(tz_local(zone, t, tm) == 0);
}

/* The slot is 10:00 local on a day the frequency has a slot. */
static void
check_slot(const char *zone, enum schedule_freq f, int64_t slot)
{
	struct tm	 tm;
	int		 wd;

	local(zone, slot, &tm);
	wd = tm.tm_wday == 0 ? 7 : tm.tm_wday;
	FUZZ_CHECK(tm.tm_hour == SCHEDULE_HOUR &&
	    tm.tm_min == SCHEDULE_MINUTE && tm.tm_sec == 0);
	switch (f) {
	case SCHEDULE_DAILY:
		FUZZ_CHECK(wd <= 5);
		break;
	case SCHEDULE_WEEKLY:
		FUZZ_CHECK(wd == 1);
		break;
	case SCHEDULE_MONTHLY:
		FUZZ_CHECK(wd == 1 && tm.tm_mday <= 7);
		break;
	}
}

static void
check_period(const char *zone, enum schedule_freq f, int64_t t, char *out)
{
	struct tm	 tm;
	char		 words[64];
	int		 l;

	FUZZ_CHECK(schedule_period(zone, f, t, out, SCHEDULE_PERIOD_MAX) ==
	    0);
	FUZZ_CHECK(strlen(out) < SCHEDULE_PERIOD_MAX);
	local(zone, t, &tm);
	/* Four-digit years: the forms mail_period_format() reads. */
	if (tm.tm_year + 1900 >= 1000 && tm.tm_year + 1900 <= 9999)
		for (l = MAIL_LOCALE_EN; l <= MAIL_LOCALE_NB; l++)
			FUZZ_CHECK(mail_period_format((enum mail_locale)l,
			    out, words, sizeof(words)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*zone;
	enum schedule_freq	 f;
	int64_t			 a, b, next, cur, after, start, first;
	char			 p1[SCHEDULE_PERIOD_MAX], p2[SCHEDULE_PERIOD_MAX];
	int			 rc, raw;

	if (size < 17)
		return 0;
	zone = zones[data[0] % N_ZONES];
	f = (enum schedule_freq)((data[0] >> 4) % 3);
	raw = data[0] & 0x80;
	a = take64(data + 1);
	b = take64(data + 9);
	if (!raw) {
		a = (int64_t)((uint64_t)a % (uint64_t)TIME_LAST);
		b = (int64_t)((uint64_t)b % (uint64_t)TIME_LAST);
	}
	/* Known: a local year past INT_MAX overflows (regressions). */
	if (fuzz_skip_known() && raw) {
		a %= (int64_t)1 << 55;
		b %= (int64_t)1 << 55;
	}
	if (near_skipped_day(zone, a) || near_skipped_day(zone, b))
		return 0;

	/* The first slot after a. */
	rc = schedule_next_slot(zone, f, a, &next);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (!raw)
		FUZZ_CHECK(rc == 0);
	if (rc == 0) {
		FUZZ_CHECK(next > a);
		/* Slots are at least a day apart, so within 40 days. */
		FUZZ_CHECK(next - a <= 40 * 86400LL);
		check_slot(zone, f, next);
		/* Nothing between a and next: from next - 1 it is next. */
		FUZZ_CHECK(schedule_next_slot(zone, f, next - 1, &after) ==
		    0 && after == next);
		/* A slot is the current slot of its own period. */
		FUZZ_CHECK(schedule_current_slot(zone, f, next, &cur) == 0);
		FUZZ_CHECK(cur == next);
		check_period(zone, f, next, p1);
	}

	/* The slot of the period b is in. */
	rc = schedule_current_slot(zone, f, b, &cur);
	FUZZ_CHECK(rc == 0 || rc == 1 || rc == -1);
	if (!raw)
		FUZZ_CHECK(rc != -1);
	if (rc == 0) {
		FUZZ_CHECK(cur <= b);
		check_slot(zone, f, cur);
		/*
		 * The next slot is in a later period, not yet come; past the
		 * last weeks of 9999 (raw input) it would fall in year 10000,
		 * which no time here reaches.
		 */
		rc = schedule_next_slot(zone, f, cur, &after);
		FUZZ_CHECK(rc == 0 || (raw && cur > TIME_LAST));
		if (rc == 0)
			FUZZ_CHECK(after > b);
		check_period(zone, f, cur, p1);
		check_period(zone, f, b, p2);
		FUZZ_CHECK(strcmp(p1, p2) == 0);
	}

	/* A subscription set at a: starts on a Monday 10:00 after a. */
	if (schedule_start(zone, a, &start) == 0) {
		FUZZ_CHECK(start > a);
		check_slot(zone, SCHEDULE_WEEKLY, start);
		/* A monthly first delivery may fall past 9999, as above. */
		rc = schedule_first_slot(zone, f, start, &first);
		FUZZ_CHECK(rc == 0 || (raw && start > TIME_LAST));
		if (rc == 0) {
			FUZZ_CHECK(first >= start);
			if (f != SCHEDULE_MONTHLY)
				FUZZ_CHECK(first == start);
			check_slot(zone, f, first);
		}
	} else
		FUZZ_CHECK(raw);
	return 0;
}
