/*
 * Currencies' minor units, amounts as plain decimals, and amounts as a
 * language writes them.
 */
#include <stdio.h>
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

/* A code of three letters as one number, in the codes' order. */
static uint32_t
money_code_key(const char *code)
{
	return (uint32_t)(unsigned char)code[0] << 16 |
	    (uint32_t)(unsigned char)code[1] << 8 |
	    (uint32_t)(unsigned char)code[2];
}

int
money_currency_digits(const char *code)
{
	size_t		 lo = 0, mid;
	size_t		 hi = sizeof(money_digits) / sizeof(money_digits[0]);
	uint32_t	 key, at;

	/* Anything but three letters has no entry: two digits. */
	if (code[0] == '\0' || code[1] == '\0' || code[2] == '\0' ||
	    code[3] != '\0')
		return 2;
	key = money_code_key(code);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((at = money_code_key(money_digits[mid].code)) == key)
			return money_digits[mid].digits;
		if (key < at)
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

enum money_locale
money_locale_parse(const char *s)
{
	static const struct {
		const char		*tag;
		enum money_locale	 locale;
	} tags[] = {
		{ "sv", MONEY_LOCALE_SV },
		{ "da", MONEY_LOCALE_DA },
		{ "nb", MONEY_LOCALE_NB },
		{ "no", MONEY_LOCALE_NB },	/* Norwegian, written bokmål */
		{ "en", MONEY_LOCALE_EN },
	};
	size_t	 i;

	if (s == NULL)
		return MONEY_LOCALE_EN;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strncmp(s, tags[i].tag, 2) == 0 &&
		    (s[2] == '\0' || s[2] == '-' || s[2] == '_'))
			return tags[i].locale;
	return MONEY_LOCALE_EN;
}

/*
 * Appends the strings of parts, up to a NULL, to out: written by hand,
 * as every row of a list page has its amount formatted. 0, or -1 when
 * out is too small.
 */
static int
money_join(char *out, size_t outlen, const char *const *parts)
{
	size_t	 len = 0, n;

	for (; *parts != NULL; parts++) {
		n = strlen(*parts);
		if (n >= outlen - len)
			return -1;
		memcpy(out + len, *parts, n);
		len += n;
	}
	out[len] = '\0';
	return 0;
}

int
money_format(enum money_locale l, int64_t minor, const char *currency,
    char *out, size_t outlen)
{
	const char	*group, *decimal, *minus, *local_code, *local_name;
	const char	*sign, *dec;
	char		 units[40], frac[8];
	uint64_t	 mag;
	size_t		 u = sizeof(units) - 1;
	int		 digits, i, own, ndig = 0;

	if (!money_currency_valid(currency) || outlen == 0)
		return -1;
	switch (l) {
	case MONEY_LOCALE_SV:
		group = " ", decimal = ",", minus = "\xe2\x88\x92";
		local_code = "SEK", local_name = "kr";
		break;
	case MONEY_LOCALE_DA:
		group = ".", decimal = ",", minus = "-";
		local_code = "DKK", local_name = "kr.";
		break;
	case MONEY_LOCALE_NB:
		group = " ", decimal = ",", minus = "\xe2\x88\x92";
		local_code = "NOK", local_name = "kr";
		break;
	case MONEY_LOCALE_EN:
	default:
		group = ",", decimal = ".", minus = "-";
		local_code = NULL, local_name = NULL;
		break;
	}
	/* Through unsigned, so that INT64_MIN has a magnitude too. */
	mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	digits = money_currency_digits(currency);
	/* No decimals at all for a currency without minor units. */
	if ((size_t)digits >= sizeof(frac))
		return -1;
	frac[digits] = '\0';
	for (i = digits - 1; i >= 0; i--, mag /= 10)
		frac[i] = (char)('0' + mag % 10);

	/* The units right to left, a group separator every three digits. */
	units[u] = '\0';
	do {
		if (ndig > 0 && ndig % 3 == 0)
			units[--u] = group[0];
		units[--u] = (char)('0' + mag % 10);
		mag /= 10;
		ndig++;
	} while (mag > 0);

	own = local_code != NULL && strcmp(currency, local_code) == 0;
	sign = minor < 0 ? minus : "";
	dec = digits ? decimal : "";
	if (l == MONEY_LOCALE_EN)
		return money_join(out, outlen, (const char *const []){ sign,
		    currency, " ", units + u, dec, frac, NULL });
	return money_join(out, outlen, (const char *const []){ sign,
	    units + u, dec, frac, " ", own ? local_name : currency, NULL });
}
