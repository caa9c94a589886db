/*
 * Organisation numbers: one checker per registry, after the registries'
 * own descriptions (Bolagsverket, Erhvervsstyrelsen, Brønnøysundregistrene,
 * Companies House).
 */
#include <stdio.h>
#include <string.h>

#include "org_number.h"

struct org_rule {
	const char	*country;
	const char	*locale;
	const char	*(*check)(char *);	/* NULL, or the rule broken */
};

static int
org_all_digits(const char *s, size_t len)
{
	size_t	 i;

	if (strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Sum of digits times weights, for the modulus 11 checks. */
static int
org_weighted(const char *s, const int *weights, size_t n)
{
	size_t	 i;
	int	 sum = 0;

	for (i = 0; i < n; i++)
		sum += (s[i] - '0') * weights[i];
	return sum;
}

static const char *
org_check_se(char *s)
{
	int	 i, d, sum = 0;

	/* Written with its century, a legal person's number starts 16. */
	if (org_all_digits(s, 12) && strncmp(s, "16", 2) == 0)
		memmove(s, s + 2, 11);
	if (!org_all_digits(s, 10))
		return "a Swedish organisation number: 10 digits";
	for (i = 0; i < 10; i++) {
		d = (s[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += d / 10 + d % 10;
	}
	if (sum % 10 != 0)
		return "a Swedish organisation number whose last digit is "
		    "its Luhn check digit";
	return NULL;
}

static const char *
org_check_dk(char *s)
{
	static const int weights[] = { 2, 7, 6, 5, 4, 3, 2, 1 };

	if (!org_all_digits(s, 8) || s[0] == '0')
		return "a Danish CVR number: 8 digits, the first not 0";
	if (org_weighted(s, weights, 8) % 11 != 0)
		return "a Danish CVR number that passes its modulus 11 check";
	return NULL;
}

static const char *
org_check_no(char *s)
{
	static const int weights[] = { 3, 2, 7, 6, 5, 4, 3, 2 };
	int	 check;

	if (!org_all_digits(s, 9))
		return "a Norwegian organisation number: 9 digits";
	if (s[0] != '8' && s[0] != '9')
		return "a Norwegian organisation number, which starts with "
		    "8 or 9";
	check = 11 - org_weighted(s, weights, 8) % 11;
	if (check == 11)
		check = 0;
	if (check == 10 || check != s[8] - '0')
		return "a Norwegian organisation number whose last digit "
		    "passes its modulus 11 check";
	return NULL;
}

static const char *
org_check_gb(char *s)
{
	int	 letters = s[0] >= 'A' && s[0] <= 'Z' &&
		    s[1] >= 'A' && s[1] <= 'Z';

	if (strlen(s) != 8 || !org_all_digits(s + (letters ? 2 : 0),
	    letters ? 6 : 8))
		return "a UK company number: 8 digits, or 2 letters and "
		    "6 digits";
	return NULL;
}

static const struct org_rule org_rules[] = {
	{ "SE", "sv", org_check_se },
	{ "DK", "da", org_check_dk },
	{ "NO", "nb", org_check_no },
	{ "GB", "en", org_check_gb },
};
#define ORG_N_RULES	(sizeof(org_rules) / sizeof(org_rules[0]))

static const struct org_rule *
org_rule_find(const char *country)
{
	size_t	 i;

	for (i = 0; i < ORG_N_RULES; i++)
		if (strcmp(org_rules[i].country, country) == 0)
			return &org_rules[i];
	return NULL;
}

const char *
org_number_normalise(const char *country, const char *s, char *out,
    size_t outlen)
{
	const struct org_rule	*rule;
	char			 buf[ORG_NUMBER_MAX + 8];

	if ((rule = org_rule_find(country)) == NULL)
		return "one of the countries SE, DK, NO and GB";
	/* Empty or far too long, it fails its country's check as empty. */
	if (org_number_key(s, buf, sizeof(buf)) == -1)
		buf[0] = '\0';
	if ((s = rule->check(buf)) != NULL)
		return s;
	if (strlen(buf) >= outlen)
		return "shorter than the space given to it";
	memcpy(out, buf, strlen(buf) + 1);
	return NULL;
}

int
org_number_key(const char *s, char *out, size_t outlen)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '-')
			continue;
		if (n + 1 >= outlen)
			return -1;
		out[n++] = *s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s;
	}
	if (outlen == 0 || n == 0)
		return -1;
	out[n] = '\0';
	return 0;
}

const char *
org_number_written(const char *country, const char *normal, char *out,
    size_t outlen)
{
	int	 n = -1;

	if (strcmp(country, "SE") == 0 && org_all_digits(normal, 10))
		n = snprintf(out, outlen, "%.6s-%s", normal, normal + 6);
	else if (strcmp(country, "NO") == 0 && org_all_digits(normal, 9))
		n = snprintf(out, outlen, "%.3s %.3s %s", normal, normal + 3,
		    normal + 6);
	return n < 0 || (size_t)n >= outlen ? NULL : out;
}

int
org_number_country_known(const char *country)
{
	return org_rule_find(country) != NULL;
}

const char *
org_number_country_of_locale(const char *locale)
{
	size_t	 i;

	for (i = 0; i < ORG_N_RULES; i++)
		if (strcmp(org_rules[i].locale, locale) == 0)
			return org_rules[i].country;
	return "GB";
}
