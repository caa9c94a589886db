/*
 * The mailbox rule of address.h: RFC 5321 dot-atom addresses with a host
 * name domain, as both the API and the worker apply it.
 */
#include <string.h>

#include "address.h"

/* RFC 5322 atext: what a dot-atom may hold besides its dots. */
static int
address_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
address_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* s[0..len): atoms of atext joined by single dots. */
static int
address_local_valid(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > ADDRESS_LOCAL_MAX || s[0] == '.' ||
	    s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!address_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* s, to its NUL: two or more LDH labels, the last not all digits. */
static int
address_domain_valid(const char *s)
{
	size_t	 len = strlen(s), start = 0, i, labels = 0;
	int	 digits = 1;

	if (len == 0 || len > ADDRESS_DOMAIN_MAX)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!address_ldh((unsigned char)s[i]))
				return 0;
			if (s[i] < '0' || s[i] > '9')
				digits = 0;
			continue;
		}
		/* A label ends at s[i]: s[start..i). */
		if (i == start || i - start > ADDRESS_LABEL_MAX ||
		    s[start] == '-' || s[i - 1] == '-')
			return 0;
		labels++;
		if (i < len) {
			start = i + 1;
			digits = 1;
		}
	}
	return labels >= 2 && !digits;
}

int
address_valid(const char *s)
{
	const char	*at;

	if (s == NULL || strlen(s) > ADDRESS_MAX ||
	    (at = strchr(s, '@')) == NULL)
		return 0;
	/* A second '@' is no atext nor LDH: the domain check refuses it. */
	return address_local_valid(s, (size_t)(at - s)) &&
	    address_domain_valid(at + 1);
}
