/*
 * Amounts of money as the store keeps them, integer minor units of an
 * ISO 4217 currency, the decimals each currency writes them with, and
 * amounts written for people in the firm's language: the emails and the
 * API's balance_display share money_format(), so both say the same.
 */
#ifndef COMMON_MONEY_H
#define COMMON_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Room for any money_decimal() text and its NUL. */
#define MONEY_DECIMAL_MAX	32

/* Whether code has the shape of a currency code: three capital letters. */
int	money_currency_valid(const char *code);
/*
 * ISO 4217 minor-unit digits of the currency: 0 (JPY, ISK, ...), 3
 * (KWD, ...), 4 (CLF, UYW), and 2 for every other code.
 */
int	money_currency_digits(const char *code);
/*
 * Writes minor units of currency as a plain decimal in major units, as a
 * spreadsheet reads a number: "-1250.50" (SEK), "1250" (JPY), no group
 * separators. 0, or -1 for a currency that is not three capital letters
 * or an out buffer that is too small (MONEY_DECIMAL_MAX always suffices).
 */
int	money_decimal(int64_t minor, const char *currency, char *out,
	    size_t outlen);

/* The languages amounts are written in (and the emails'). */
enum money_locale {
	MONEY_LOCALE_EN = 0,
	MONEY_LOCALE_SV,
	MONEY_LOCALE_DA,
	MONEY_LOCALE_NB
};

/* Longest amount money_format() writes, with its NUL. */
#define MONEY_FORMAT_MAX	48

/*
 * "sv", "da", "nb" (and "no"), "en", also with a region ("sv-SE",
 * "sv_SE"). Anything else is English: a firm in another language still
 * gets readable amounts rather than none.
 */
enum money_locale	 money_locale_parse(const char *);

/*
 * Writes an amount of minor units of an ISO 4217 currency (three capital
 * letters) as the locale writes it:
 *   sv  1 234,50 kr    (SEK; other currencies "1 234,50 EUR"), minus U+2212
 *   da  1.234,50 kr.   (DKK), minus "-"
 *   nb  1 234,50 kr    (NOK), minus U+2212
 *   en  SEK 1,234.50   minus "-" before the code
 * The group separator is a plain space where the locale uses a space.
 * Currencies without minor units (JPY, ISK, ...) or with three (KWD, ...)
 * get that many decimals, every other one two. Returns 0, or -1 for a
 * currency that is not three capital letters or an out buffer that is too
 * small (MONEY_FORMAT_MAX always suffices).
 */
int	money_format(enum money_locale, int64_t minor, const char *currency,
	    char *out, size_t outlen);

#endif
