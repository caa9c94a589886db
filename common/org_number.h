/*
 * Organisation numbers of the countries the product serves, checked the
 * way each registry issues them and written in one normal form, so that
 * "556012-5790" and "5560125790" are one company.
 */
#ifndef COMMON_ORG_NUMBER_H
#define COMMON_ORG_NUMBER_H

#include <stddef.h>

/* The longest normal form (a Swedish number is 10 characters). */
#define ORG_NUMBER_MAX	10

/*
 * Checks s as an organisation number of country (ISO 3166 alpha-2: SE,
 * DK, NO, GB) and writes its normal form into out: spaces and dashes
 * dropped, letters upper-cased, a Swedish "16" century prefix dropped.
 * Returns NULL, or the rule s breaks as a phrase that completes "must
 * be ..." or "fails ..." for a problem's field error; out is then
 * unspecified.
 *   SE  organisationsnummer: 10 digits, Luhn check digit
 *   DK  CVR: 8 digits not starting with 0, modulus 11 (weights 2765432 1)
 *   NO  organisasjonsnummer: 9 digits starting with 8 or 9, modulus 11
 *   GB  Companies House number: 8 digits, or 2 letters and 6 digits
 */
const char	*org_number_normalise(const char *country, const char *s,
		    char *out, size_t outlen);

/*
 * The key a lookup by number uses, whatever the country: s without
 * spaces and dashes, upper-cased, into out. -1 when it does not fit or
 * nothing is left.
 */
int		 org_number_key(const char *s, char *out, size_t outlen);

/*
 * The way people write a normal-form number of country, when it differs
 * from the normal form: SE "556012-5790", NO "923 609 016". Writes it
 * into out and returns out, or returns NULL when there is none (or out is
 * too small). Search finds a client by either.
 */
const char	*org_number_written(const char *country, const char *normal,
		    char *out, size_t outlen);

/* Nonzero when country is one org_number_normalise() knows. */
int		 org_number_country_known(const char *country);

/* The country a firm's locale implies (sv SE, da DK, nb NO, en GB). */
const char	*org_number_country_of_locale(const char *locale);

#endif
