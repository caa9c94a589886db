/*
 * The RFC 3339 parser, one reader of each field under either set of rules
 * (see rfc3339.h); the calendar arithmetic is tz.c's.
 */
#include <string.h>

#include "rfc3339.h"
#include "tz.h"

/* White space as the C locale's isspace() has it. */
static int
rfc3339_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int
rfc3339_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads a number of width digits in min..max at *p and moves *p past it.
 * Lax, as glibc's strptime does: white space first, then 1 to width
 * digits, stopping early where one more digit would pass max. Reads no
 * byte past the first one that is not part of the number.
 */
static int
rfc3339_number(const char **p, int width, int min, int max,
    enum rfc3339_rules rules, int *out)
{
	const char	*s = *p;
	int		 v = 0, i;

	if (rules == RFC3339_STRICT) {
		for (i = 0; i < width; i++) {
			if (!rfc3339_digit(s[i]))
				return -1;
			v = v * 10 + (s[i] - '0');
		}
		s += width;
	} else {
		while (rfc3339_space(*s))
			s++;
		if (!rfc3339_digit(*s))
			return -1;
		do
			v = v * 10 + (*s++ - '0');
		while (--width > 0 && v * 10 <= max && rfc3339_digit(*s));
	}
	if (v < min || v > max)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

/*
 * One field of a lax offset, as sscanf's "%2d" reads the two bytes at s:
 * a digit after white space or a sign, or two digits; with last (the
 * minutes, which end the string) a digit followed by anything.
 */
static int
rfc3339_lax_offset_field(const char *s, int last, int *out)
{
	if (rfc3339_space(s[0]) && rfc3339_digit(s[1]))
		*out = s[1] - '0';
	else if ((s[0] == '+' || s[0] == '-') && rfc3339_digit(s[1]))
		*out = s[0] == '-' ? -(s[1] - '0') : s[1] - '0';
	else if (rfc3339_digit(s[0]) && rfc3339_digit(s[1]))
		*out = (s[0] - '0') * 10 + (s[1] - '0');
	else if (last && rfc3339_digit(s[0]))
		*out = s[0] - '0';
	else
		return -1;
	return 0;
}

/* "+hh:mm" or "-hh:mm" ending the string, in seconds east. */
static int
rfc3339_offset(const char *p, enum rfc3339_rules rules, int64_t *out)
{
	int	 sign, oh, om;

	if (*p != '+' && *p != '-')
		return -1;
	sign = *p == '+' ? 1 : -1;
	if (rules == RFC3339_STRICT) {
		p++;
		if (rfc3339_number(&p, 2, 0, 23, rules, &oh) == -1 ||
		    *p++ != ':' ||
		    rfc3339_number(&p, 2, 0, 59, rules, &om) == -1 ||
		    *p != '\0')
			return -1;
	} else if (strlen(p) != 6 || p[3] != ':' ||
	    rfc3339_lax_offset_field(p + 1, 0, &oh) == -1 ||
	    rfc3339_lax_offset_field(p + 4, 1, &om) == -1 || oh >= 24 ||
	    om >= 60)
		return -1;
	*out = sign * (oh * 3600 + om * 60);
	return 0;
}

int
rfc3339_parse(const char *s, enum rfc3339_rules rules, int64_t *out)
{
	const char	*p = s;
	int64_t		 wall, off = 0;
	int		 strict = rules == RFC3339_STRICT;
	int		 y, mo, d, h, mi, sec;

	/* Each test reads only bytes the ones before it proved present. */
	if (rfc3339_number(&p, 4, strict ? 1 : 0, 9999, rules, &y) == -1 ||
	    *p++ != '-' ||
	    rfc3339_number(&p, 2, 1, 12, rules, &mo) == -1 || *p++ != '-' ||
	    rfc3339_number(&p, 2, 1, 31, rules, &d) == -1)
		return -1;
	/* RFC 3339 allows a lowercase 't'; strptime's format does not. */
	if (*p != 'T' && !(strict && *p == 't'))
		return -1;
	p++;
	if (rfc3339_number(&p, 2, 0, 23, rules, &h) == -1 || *p++ != ':' ||
	    rfc3339_number(&p, 2, 0, 59, rules, &mi) == -1 || *p++ != ':' ||
	    rfc3339_number(&p, 2, 0, strict ? 59 : 61, rules, &sec) == -1)
		return -1;
	if (*p == '.') {
		p++;
		if (strict && !rfc3339_digit(*p))
			return -1;
		while (rfc3339_digit(*p))
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		off = 0;
	else if (rfc3339_offset(p, rules, &off) == -1)
		return -1;
	if (strict && d > tz_month_days(y, mo))
		return -1;
	/* Day 31 of a short month and second 60 carry over, as in timegm(). */
	wall = (tz_days_from_date(y, mo, 1) + d - 1) * 86400 + h * 3600 +
	    mi * 60 + sec;
	if (strict) {
		if (wall - off < 0 || wall - off > RFC3339_TIME_LAST)
			return -1;
	} else if (wall == -1)	/* timegm()'s error value */
		return -1;
	*out = wall - off;
	return 0;
}
