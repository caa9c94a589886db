/*
 * Amounts of money as the store keeps them, integer minor units of an
 * ISO 4217 currency, and the decimals each currency writes them with.
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

#endif
