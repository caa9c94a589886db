/*
 * Currencies' minor units and amounts as plain decimals.
 */
#include <stdio.h>
#include <string.h>

#include "money.h"

int
money_currency_valid(const char *code)
{
	return code != NULL && strlen(code) == 3 &&
	    code[0] >= 'A' && code[0] <= 'Z' &&
	    code[1] >= 'A' && code[1] <= 'Z' &&
	    code[2] >= 'A' && code[2] <= 'Z';
}

/* ISO 4217 minor-unit digits; every code not listed has two. */
int
money_currency_digits(const char *code)
{
	static const char *const zero[] = { "BIF", "CLP", "DJF", "GNF", "ISK",
	    "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
	    "XAF", "XOF", "XPF" };
	static const char *const three[] = { "BHD", "IQD", "JOD", "KWD", "LYD",
	    "OMR", "TND" };
	static const char *const four[] = { "CLF", "UYW" };
	size_t	 i;

	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (strcmp(code, zero[i]) == 0)
			return 0;
	for (i = 0; i < sizeof(three) / sizeof(three[0]); i++)
		if (strcmp(code, three[i]) == 0)
			return 3;
	for (i = 0; i < sizeof(four) / sizeof(four[0]); i++)
		if (strcmp(code, four[i]) == 0)
			return 4;
	return 2;
}

int
money_decimal(int64_t minor, const char *currency, char *out, size_t outlen)
{
	uint64_t	 mag, div = 1;
	int		 digits, i, n;

	if (!money_currency_valid(currency))
		return -1;
	digits = money_currency_digits(currency);
	for (i = 0; i < digits; i++)
		div *= 10;
	/* Through unsigned, so that INT64_MIN has a magnitude too. */
	mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	if (digits == 0)
		n = snprintf(out, outlen, "%s%llu", minor < 0 ? "-" : "",
		    (unsigned long long)mag);
	else
		n = snprintf(out, outlen, "%s%llu.%0*llu", minor < 0 ? "-" : "",
		    (unsigned long long)(mag / div), digits,
		    (unsigned long long)(mag % div));
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
