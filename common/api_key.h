/*
 * API keys, the credentials of scripts and sync jobs: their text, its
 * hash (all the store keeps of the secret) and their scopes. The text is
 * "ppk_live_" and 43 base62 characters: the first 12 name the key (its
 * lookup prefix, shown in lists), the other 31 are its secret. The
 * prefix lets secret scanners recognise a leaked key.
 */
#ifndef COMMON_API_KEY_H
#define COMMON_API_KEY_H

#include <stddef.h>
#include <stdint.h>

#define API_KEY_TAG		"ppk_live_"
#define API_KEY_TAG_LEN		9
#define API_KEY_ID_LEN		12
#define API_KEY_SECRET_LEN	31
#define API_KEY_LEN		(API_KEY_TAG_LEN + API_KEY_ID_LEN + \
				    API_KEY_SECRET_LEN)
/* "ppk_live_" and the id: what a list shows and a lookup uses. */
#define API_KEY_PREFIX_LEN	(API_KEY_TAG_LEN + API_KEY_ID_LEN)
#define API_KEY_HASH_LEN	32	/* SHA-256 */
#define API_KEY_NAME_MAX	100	/* code points */

/* Scopes, as bits; a key holds a set of them. */
enum api_scope {
	SCOPE_CLIENTS_READ = 1,
	SCOPE_CLIENTS_WRITE = 2,
	SCOPE_EXPENSES_WRITE = 4,
	SCOPE_BALANCES_WRITE = 8,
	SCOPE_EVENTS_READ = 16
};
#define SCOPE_ALL	31u

/* "clients:read" for SCOPE_CLIENTS_READ; NULL for anything else. */
const char	*api_scope_name(unsigned scope);
/* The scope named s, or 0. */
unsigned	 api_scope_parse(const char *s);
/*
 * Writes the scopes as their names, space-separated, in the order of
 * the bits. -1 when out is too small.
 */
int		 api_scopes_format(unsigned scopes, char *out, size_t outlen);
/* The set named by a space-separated list; 0 when a name is unknown. */
unsigned	 api_scopes_parse(const char *s);

/* A new key's text (API_KEY_LEN + 1 bytes) from the kernel's random. */
int		 api_key_generate(char *out, size_t outlen);
/*
 * Whether s has a key's form: the tag, then API_KEY_LEN - API_KEY_TAG_LEN
 * base62 characters and nothing more. Copies its prefix into prefix
 * (API_KEY_PREFIX_LEN + 1 bytes). 0 or -1.
 */
int		 api_key_parse(const char *s, char *prefix, size_t prefixlen);
/* Nonzero when s starts like a key (the tag), whatever follows. */
int		 api_key_looks_like(const char *s);
/* SHA-256 of the key's text. 0 or -1. */
int		 api_key_hash(const char *s, uint8_t hash[API_KEY_HASH_LEN]);

#endif
