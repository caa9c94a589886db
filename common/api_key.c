/*
 * API keys: text, hash and scopes (api_key.h). The secret has 31 base62
 * characters, 184 bits: a single SHA-256 of the text is what the store
 * keeps, as for any random token of that strength; a slow password hash
 * would protect nothing more and cost every request.
 */
#include <sys/random.h>

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "api_key.h"

static const char api_key_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static const char *const api_scope_names[] = {
	"clients:read", "clients:write", "expenses:write", "balances:write",
	"events:read"
};
#define API_N_SCOPES	(sizeof(api_scope_names) / sizeof(api_scope_names[0]))

const char *
api_scope_name(unsigned scope)
{
	size_t	 i;

	for (i = 0; i < API_N_SCOPES; i++)
		if (scope == 1u << i)
			return api_scope_names[i];
	return NULL;
}

unsigned
api_scope_parse(const char *s)
{
	size_t	 i;

	for (i = 0; i < API_N_SCOPES; i++)
		if (strcmp(s, api_scope_names[i]) == 0)
			return 1u << i;
	return 0;
}

int
api_scopes_format(unsigned scopes, char *out, size_t outlen)
{
	size_t	 i, n = 0;
	int	 w;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < API_N_SCOPES; i++) {
		if ((scopes & 1u << i) == 0)
			continue;
		w = snprintf(out + n, outlen - n, "%s%s", n > 0 ? " " : "",
		    api_scope_names[i]);
		if (w < 0 || (size_t)w >= outlen - n)
			return -1;
		n += (size_t)w;
	}
	return 0;
}

unsigned
api_scopes_parse(const char *s)
{
	char		 name[32];
	unsigned	 set = 0, one;
	size_t		 len;

	while (*s != '\0') {
		len = strcspn(s, " ");
		if (len == 0 || len >= sizeof(name))
			return 0;
		memcpy(name, s, len);
		name[len] = '\0';
		if ((one = api_scope_parse(name)) == 0)
			return 0;
		set |= one;
		s += len;
		if (*s == ' ')
			s++;
	}
	return set;
}

int
api_key_generate(char *out, size_t outlen)
{
	unsigned char	 rnd[API_KEY_LEN];
	size_t		 i, n = API_KEY_LEN - API_KEY_TAG_LEN;

	if (outlen < API_KEY_LEN + 1 ||
	    getrandom(rnd, n, 0) != (ssize_t)n)
		return -1;
	memcpy(out, API_KEY_TAG, API_KEY_TAG_LEN);
	/* 248 of 256 bytes map evenly onto 62: redraw the other 8. */
	for (i = 0; i < n; i++) {
		while (rnd[i] >= 248)
			if (getrandom(&rnd[i], 1, 0) != 1)
				return -1;
		out[API_KEY_TAG_LEN + i] = api_key_alphabet[rnd[i] % 62];
	}
	out[API_KEY_LEN] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	return 0;
}

int
api_key_looks_like(const char *s)
{
	return strncmp(s, API_KEY_TAG, API_KEY_TAG_LEN) == 0;
}

int
api_key_parse(const char *s, char *prefix, size_t prefixlen)
{
	size_t	 i;

	if (!api_key_looks_like(s) || strlen(s) != API_KEY_LEN ||
	    prefixlen < API_KEY_PREFIX_LEN + 1)
		return -1;
	for (i = API_KEY_TAG_LEN; i < API_KEY_LEN; i++)
		if (strchr(api_key_alphabet, s[i]) == NULL)
			return -1;
	memcpy(prefix, s, API_KEY_PREFIX_LEN);
	prefix[API_KEY_PREFIX_LEN] = '\0';
	return 0;
}

int
api_key_hash(const char *s, uint8_t hash[API_KEY_HASH_LEN])
{
	unsigned int	 len = 0;

	if (EVP_Digest(s, strlen(s), hash, &len, EVP_sha256(), NULL) != 1 ||
	    len != API_KEY_HASH_LEN)
		return -1;
	return 0;
}
