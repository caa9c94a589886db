/*
 * Currencies' minor units and amounts as plain decimals.
 */
#include <string.h>

#include "money.h"
#include "text.h"

int
money_currency_valid(const char *code)
{
	return code != NULL && strlen(code) == 3 &&
	    code[0] >= 'A' && code[0] <= 'Z' &&
	    code[1] >= 'A' && code[1] <= 'Z' &&
	    code[2] >= 'A' && code[2] <= 'Z';
}

/*
 * ISO 4217 codes whose minor unit is not two digits, sorted, for a
 * binary search: the export asks once a row.
 */
static const struct {
	char	 code[4];
	int	 digits;
} money_digits[] = {
	{ "BHD", 3 }, { "BIF", 0 }, { "CLF", 4 }, { "CLP", 0 }, { "DJF", 0 },
	{ "GNF", 0 }, { "IQD", 3 }, { "ISK", 0 }, { "JOD", 3 }, { "JPY", 0 },
	{ "KMF", 0 }, { "KRW", 0 }, { "KWD", 3 }, { "LYD", 3 }, { "OMR", 3 },
	{ "PYG", 0 }, { "RWF", 0 }, { "TND", 3 }, { "UGX", 0 }, { "UYI", 0 },
	{ "UYW", 4 }, { "VND", 0 }, { "VUV", 0 }, { "XAF", 0 }, { "XOF", 0 },
	{ "XPF", 0 },
};

int
money_currency_digits(const char *code)
{
	size_t	 lo = 0, mid;
	size_t	 hi = sizeof(money_digits) / sizeof(money_digits[0]);
	int	 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(code, money_digits[mid].code)) == 0)
			return money_digits[mid].digits;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 2;
}

int
money_decimal(int64_t minor, const char *currency, char *out, size_t outlen)
{
	char		 text[MONEY_DECIMAL_MAX], *p = text + sizeof(text);
	uint64_t	 mag, div = 1;
	size_t		 n;
	int		 digits, i;

	if (!money_currency_valid(currency))
		return -1;
	digits = money_currency_digits(currency);
	for (i = 0; i < digits; i++)
		div *= 10;
	/* Through unsigned, so that INT64_MIN has a magnitude too. */
	mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	/* Right to left, without printf (text_u64_before). */
	if (digits > 0) {
		p = text_u64_before(p, mag % div, digits);
		*--p = '.';
	}
	p = text_u64_before(p, mag / div, 1);
	if (minor < 0)
		*--p = '-';
	if ((n = (size_t)(text + sizeof(text) - p)) >= outlen)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}
