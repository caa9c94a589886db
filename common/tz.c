/*
 * Time-zone conversions through glibc and the system tz database. glibc has
 * no per-zone API, only the process's TZ, so each conversion points TZ at
 * its zone under one lock. TZ is left there afterwards: glibc reads and
 * parses the zone's file again at each change of TZ, and a firm's requests
 * keep asking for the same zone. Nothing else in the programs reads local
 * time (logs and headers are in UTC).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tz.h"

/*
 * Named in full in TZ (":/usr/share/zoneinfo/Europe/Copenhagen") so that
 * tz_valid() and glibc read the same file whatever TZDIR says.
 */
#define TZ_DIR		"/usr/share/zoneinfo"
#define TZ_PATH_MAX	(sizeof(TZ_DIR) + 1 + TZ_ZONE_MAX + 1)

/* Zones found valid, so that a conversion does not open their file. */
#define TZ_VALID_CACHED	16

static pthread_mutex_t	 tz_mutex = PTHREAD_MUTEX_INITIALIZER;
static char		 tz_valid_names[TZ_VALID_CACHED][TZ_ZONE_MAX + 1];
static int		 tz_valid_n;	/* under tz_mutex */

static int
tz_name_valid(const char *zone)
{
	size_t	 i, len;
	char	 c;

	if (zone == NULL)
		return 0;
	len = strlen(zone);
	if (len == 0 || len > TZ_ZONE_MAX || zone[0] == '/' ||
	    zone[len - 1] == '/' || strstr(zone, "..") != NULL ||
	    strstr(zone, "//") != NULL)
		return 0;
	for (i = 0; i < len; i++) {
		c = zone[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    c == '+' || c == '/'))
			return 0;
	}
	return 1;
}

/* Whether the zone's file is one glibc loads, read from the disk. */
static int
tz_file_valid(const char *zone)
{
	char		 path[TZ_PATH_MAX], magic[4];
	struct stat	 st;
	int		 fd, n, ok = 0;

	n = snprintf(path, sizeof(path), "%s/%s", TZ_DIR, zone);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	/*
	 * glibc falls back to UTC, silently, for a file it cannot load, so
	 * the file is checked here. O_NONBLOCK: a FIFO must not hang us.
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", sizeof(magic)) == 0)
		ok = 1;
	close(fd);
	return ok;
}

/*
 * A zone found valid stays so for the life of the process (a tz database
 * upgrade adds zones and keeps the old names): only an unknown name, or
 * one of more names than the cache holds, reads the disk.
 */
int
tz_valid(const char *zone)
{
	int	 i, ok;

	if (!tz_name_valid(zone))
		return 0;
	pthread_mutex_lock(&tz_mutex);
	for (i = 0; i < tz_valid_n; i++)
		if (strcmp(tz_valid_names[i], zone) == 0) {
			pthread_mutex_unlock(&tz_mutex);
			return 1;
		}
	pthread_mutex_unlock(&tz_mutex);
	if (!(ok = tz_file_valid(zone)))
		return 0;
	pthread_mutex_lock(&tz_mutex);
	for (i = 0; i < tz_valid_n; i++)
		if (strcmp(tz_valid_names[i], zone) == 0)
			break;
	if (i == tz_valid_n && tz_valid_n < TZ_VALID_CACHED)
		(void)snprintf(tz_valid_names[tz_valid_n++],
		    sizeof(tz_valid_names[0]), "%s", zone);
	pthread_mutex_unlock(&tz_mutex);
	return ok;
}

/*
 * Takes the lock and points glibc at a zone that tz_valid() accepted, if
 * TZ is not there already. On -1 the lock is not held.
 */
static int
tz_enter(const char *zone)
{
	char		 spec[1 + TZ_PATH_MAX];
	const char	*cur;
	int		 n;

	n = snprintf(spec, sizeof(spec), ":%s/%s", TZ_DIR, zone);
	if (n < 0 || (size_t)n >= sizeof(spec))
		return -1;
	pthread_mutex_lock(&tz_mutex);
	/* TZ itself, not a note of ours: a caller may have changed it. */
	if ((cur = getenv("TZ")) != NULL && strcmp(cur, spec) == 0)
		return 0;
	if (setenv("TZ", spec, 1) == -1) {
		pthread_mutex_unlock(&tz_mutex);
		return -1;
	}
	tzset();
	return 0;
}

/* Drops the lock of tz_enter(); TZ stays for the next conversion. */
static void
tz_leave(void)
{
	pthread_mutex_unlock(&tz_mutex);
}

/* The zone's UTC offset at t, in seconds east. Under the lock. */
static int
tz_offset_at(int64_t t, long *off)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if ((int64_t)tt != t || localtime_r(&tt, &tm) == NULL)
		return -1;
	*off = tm.tm_gmtoff;
	return 0;
}

int
tz_local(const char *zone, int64_t utc, struct tm *out)
{
	time_t	 t = (time_t)utc;
	int	 rc = -1;

	if ((int64_t)t != utc || !tz_valid(zone))
		return -1;
	if (tz_enter(zone) == -1)
		return -1;
	if (localtime_r(&t, out) != NULL)
		rc = 0;
	tz_leave();
	return rc;
}

int
tz_utc(const char *zone, int year, int mon, int mday, int hour, int min,
    int64_t *out)
{
	int64_t	 wall, t, best = 0;
	long	 off[2], got;
	int	 i, found = 0, rc = -1;

	if (year < 1 || year > 9999 || mday < 1 ||
	    mday > tz_month_days(year, mon) || hour < 0 || hour > 23 ||
	    min < 0 || min > 59 || !tz_valid(zone))
		return -1;
	/* The wall time counted as if it were UTC. */
	wall = tz_days_from_date(year, mon, mday) * 86400 + hour * 3600 +
	    min * 60;
	if (tz_enter(zone) == -1)
		return -1;
	/*
	 * Not mktime(): what it does with tm_isdst = -1 for a skipped or
	 * repeated time is unspecified. Zones change offset at most once in
	 * any few days, so the offsets a day either side of the wall time are
	 * the only ones that can apply. Each one that maps back onto the wall
	 * time is a real instant; two means the clocks show it twice.
	 */
	if (tz_offset_at(wall - 86400, &off[0]) == -1 ||
	    tz_offset_at(wall + 86400, &off[1]) == -1)
		goto out;
	for (i = 0; i < 2; i++) {
		t = wall - off[i];
		if (tz_offset_at(t, &got) == -1)
			goto out;
		if (got == off[i] && (!found || t < best)) {
			best = t;
			found = 1;
		}
	}
	/* Skipped: the offset from before the jump carries it past the gap. */
	if (!found)
		best = wall - off[0];
	*out = best;
	rc = 0;
out:
	tz_leave();
	return rc;
}

/* After Howard Hinnant's days_from_civil: eras of 400 years from March. */
int64_t
tz_days_from_date(int year, int mon, int mday)
{
	int64_t	 y = (int64_t)year - (mon <= 2);
	int64_t	 era = (y >= 0 ? y : y - 399) / 400;
	int64_t	 yoe = y - era * 400;
	int64_t	 doy = (153 * (mon > 2 ? mon - 3 : mon + 9) + 2) / 5 +
		    mday - 1;
	int64_t	 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
tz_date_from_days(int64_t days, int *year, int *mon, int *mday)
{
	int64_t	 z = days + 719468;
	int64_t	 era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t	 doe = z - era * 146097;
	int64_t	 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t	 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t	 mp = (5 * doy + 2) / 153;
	int	 m = (int)(mp < 10 ? mp + 3 : mp - 9);

	*mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mon = m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

int
tz_month(const char *zone, int64_t utc)
{
	struct tm	 tm;

	if (tz_local(zone, utc, &tm) == -1)
		return -1;
	return (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
}

int
tz_month_add(int yyyymm, int n)
{
	int	 m;

	m = yyyymm / 100 * 12 + yyyymm % 100 - 1 + n;
	return m / 12 * 100 + m % 12 + 1;
}

int
tz_month_days(int year, int mon)
{
	static const int	 days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			 leap;

	if (mon < 1 || mon > 12)
		return 0;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[mon - 1] + (mon == 2 && leap);
}
