/*
 * Accept header weights: ranges split at commas, each range's q read.
 */
#include <string.h>
#include <strings.h>

#include "accept.h"

#define ACCEPT_OWS	" \t"

/*
 * A qvalue, "0", "0.5", "1.000" ..., of len bytes, in thousandths; -1
 * when it is not one.
 */
static int
accept_qvalue(const char *s, size_t len)
{
	int	 q, scale = 100;
	size_t	 i;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/*
 * How well the range [r, r + len) matches type: 3 for the type itself,
 * 2 for its major type with a star for subtype, 1 for a star for both,
 * 0 for no match.
 */
static int
accept_match(const char *r, size_t len, const char *type)
{
	const char	*slash = strchr(type, '/');
	size_t		 major;

	major = slash != NULL ? (size_t)(slash - type) : 0;
	if (len == strlen(type) && strncasecmp(r, type, len) == 0)
		return 3;
	if (slash != NULL && len == major + 2 &&
	    strncasecmp(r, type, major + 1) == 0 && r[major + 1] == '*')
		return 2;
	if (len == 3 && strncmp(r, "*/*", 3) == 0)
		return 1;
	return 0;
}

/* The q of the parameters [p, end) (";q=0.5;..."): 1000 when absent. */
static int
accept_params_q(const char *p, const char *end)
{
	size_t	 len;

	while (p < end) {
		p += strspn(p, ACCEPT_OWS ";");
		if (p >= end)
			break;
		len = strcspn(p, ";");
		if (p + len > end)
			len = (size_t)(end - p);
		if (len >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			while (len > 2 &&
			    strchr(ACCEPT_OWS, p[len - 1]) != NULL)
				len--;
			return accept_qvalue(p + 2, len - 2);
		}
		p += len;
	}
	return 1000;
}

int
accept_quality(const char *accept, const char *type)
{
	const char	*p, *end;
	size_t		 len, rlen;
	int		 best = 0, best_match = 0, match, q;

	if (accept == NULL || accept[strspn(accept, ACCEPT_OWS)] == '\0')
		return 1000;
	for (p = accept; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		p += strspn(p, ACCEPT_OWS);
		len = strcspn(p, ",");
		end = p + len;
		rlen = strcspn(p, ";");
		if (rlen > len)
			rlen = len;
		while (rlen > 0 && strchr(ACCEPT_OWS, p[rlen - 1]) != NULL)
			rlen--;
		if ((match = accept_match(p, rlen, type)) == 0 ||
		    match < best_match)
			continue;
		if ((q = accept_params_q(p + rlen, end)) == -1)
			continue;
		/* The most specific range decides, not the highest q. */
		if (match > best_match || q > best) {
			best_match = match;
			best = q;
		}
	}
	return best;
}
