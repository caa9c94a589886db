/*
 * The RFC 3339 parser (see rfc3339.h); the calendar arithmetic is tz.c's.
 */
#include "rfc3339.h"
#include "tz.h"

static int
rfc3339_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads exactly width digits at *p into a number in min..max and moves *p
 * past them. Reads no byte past the first one that is not a digit.
 */
static int
rfc3339_number(const char **p, int width, int min, int max, int *out)
{
	const char	*s = *p;
	int		 v = 0, i;

	for (i = 0; i < width; i++) {
		if (!rfc3339_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*p = s + width;
	*out = v;
	return 0;
}

/* "Z", "z", or "+hh:mm" / "-hh:mm" ending the string, in seconds east. */
static int
rfc3339_offset(const char *p, int64_t *out)
{
	int	 sign, oh, om;

	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*out = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '+' ? 1 : -1;
	if (rfc3339_number(&p, 2, 0, 23, &oh) == -1 || *p++ != ':' ||
	    rfc3339_number(&p, 2, 0, 59, &om) == -1 || *p != '\0')
		return -1;
	*out = sign * (oh * 3600 + om * 60);
	return 0;
}

int
rfc3339_parse(const char *s, int64_t *out)
{
	const char	*p = s;
	int64_t		 t, off;
	int		 y, mo, d, h, mi, sec;

	/* Each test reads only bytes the ones before it proved present. */
	if (rfc3339_number(&p, 4, 1, 9999, &y) == -1 || *p++ != '-' ||
	    rfc3339_number(&p, 2, 1, 12, &mo) == -1 || *p++ != '-' ||
	    rfc3339_number(&p, 2, 1, 31, &d) == -1 ||
	    (*p != 'T' && *p != 't'))
		return -1;
	p++;
	if (rfc3339_number(&p, 2, 0, 23, &h) == -1 || *p++ != ':' ||
	    rfc3339_number(&p, 2, 0, 59, &mi) == -1 || *p++ != ':' ||
	    rfc3339_number(&p, 2, 0, 59, &sec) == -1)
		return -1;
	if (*p == '.') {
		if (!rfc3339_digit(*++p))
			return -1;
		while (rfc3339_digit(*p))
			p++;
	}
	if (rfc3339_offset(p, &off) == -1 || d > tz_month_days(y, mo))
		return -1;
	t = (tz_days_from_date(y, mo, d)) * 86400 + h * 3600 + mi * 60 +
	    sec - off;
	if (t < 0 || t > RFC3339_TIME_LAST)
		return -1;
	*out = t;
	return 0;
}
