/*
 * libFuzzer target for common/token.c, token_verify() with a fixed 32-byte
 * key and every audience. The first input byte picks a mode:
 *   0x01  mutation: one of the tokens issued at start-up by token_issue(),
 *         with the edits the rest of the input describes (flip, insert,
 *         delete, truncate); it must be refused unless the edits gave back
 *         a token issued here, and then answered as that token is.
 *   0x02  signed claims: "header JSON \0 payload JSON", signed here with the
 *         key, so that the claim checks behind the signature are reached;
 *         what passes must hold the claims its audience needs.
 *   other the whole input as the Authorization bearer text; what passes
 *         must carry an HS256 header and the HMAC of its own first two
 *         segments under the key, byte for byte.
 */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../../common/token.h"
#include "fuzz.h"

#define NOW	1775000000LL	/* 2026-03-31 */

static const unsigned char	 key[] = "fuzz-key-0123456789abcdef-012345";
#define KEYLEN	(sizeof(key) - 1)
static const unsigned char	 other_key[] =
				    "fuzz-key-0123456789abcdef-012346";

static const char *const auds[] = {
	TOKEN_AUD_API, TOKEN_AUD_CLIENT, TOKEN_AUD_UNSUBSCRIBE
};
#define N_AUDS	3

#define N_TOKENS	8
static char	*tokens[N_TOKENS];
/* Whether token i passes for audience a at NOW. */
static int	 valid[N_TOKENS][N_AUDS];

static void
claims(struct token_claims *c, const char *aud, int64_t user,
    const char *role, int64_t client, const char *scope, int64_t iat,
    int64_t exp)
{
	memset(c, 0, sizeof(*c));
	c->aud = aud;
	c->user_id = user;
	c->partner_id = 3;
	(void)snprintf(c->role, sizeof(c->role), "%s", role);
	c->client_id = client;
	(void)snprintf(c->scope, sizeof(c->scope), "%s", scope);
	c->iat = iat;
	c->exp = exp;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct token_claims	 c[N_TOKENS], out;
	size_t			 i, a;

	(void)argc;
	(void)argv;
	claims(&c[0], TOKEN_AUD_API, 7, "admin", 0, "", NOW - 60, NOW + 3600);
	claims(&c[1], TOKEN_AUD_API, 8, "bookkeeper", 0, "", NOW - 10,
	    NOW + 28800);
	claims(&c[2], TOKEN_AUD_API, 9, "integration", 0, "", NOW, NOW + 1);
	claims(&c[3], TOKEN_AUD_CLIENT, 7, "", 42, "", NOW - 5, NOW + 60);
	claims(&c[4], TOKEN_AUD_UNSUBSCRIBE, 8, "", 42, "weekly", NOW - 86400,
	    NOW + 90 * 86400);
	claims(&c[5], TOKEN_AUD_UNSUBSCRIBE, 8, "", 0, "daily", NOW - 86400,
	    NOW + 90 * 86400);
	/* Expired, and issued in the future: refused from the start. */
	claims(&c[6], TOKEN_AUD_API, 7, "admin", 0, "", NOW - 7200, NOW - 1);
	claims(&c[7], TOKEN_AUD_API, 7, "admin", 0, "", NOW + 3600,
	    NOW + 7200);
	for (i = 0; i < N_TOKENS; i++) {
		FUZZ_CHECK(token_issue(key, KEYLEN, &c[i], &tokens[i]) == 0);
		for (a = 0; a < N_AUDS; a++) {
			valid[i][a] = token_verify(key, KEYLEN, tokens[i],
			    auds[a], NOW, &out) == 0;
			FUZZ_CHECK(valid[i][a] == (i < 6 &&
			    strcmp(c[i].aud, auds[a]) == 0));
		}
	}
	return 0;
}

/* Base64url without padding, as JWTs use; out holds 4 * len / 3 + 4. */
static void
b64url(const unsigned char *in, size_t len, char *out)
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 i, o = 0;
	uint32_t		 v;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		if (i + 1 < len)
			out[o++] = b64[(v >> 6) & 63];
		if (i + 2 < len)
			out[o++] = b64[v & 63];
	}
	out[o] = '\0';
}

/* Lenient base64url decoding of n characters; returns the byte count. */
static size_t
unb64url(const char *s, size_t n, unsigned char *out)
{
	uint32_t	 v = 0;
	size_t		 i, o = 0;
	int		 bits = 0, d;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			d = c - 'A';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			d = c - '0' + 52;
		else if (c == '-')
			d = 62;
		else if (c == '_')
			d = 63;
		else
			return 0;
		v = (v << 6) | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	return o;
}

/* The signature segment of head (the first two segments) under key. */
static void
sign(const unsigned char *k, size_t klen, const char *head, size_t headlen,
    char *out)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;

	FUZZ_CHECK(HMAC(EVP_sha256(), k, (int)klen,
	    (const unsigned char *)head, headlen, mac, &maclen) != NULL);
	b64url(mac, maclen, out);
}

/* What any accepted token must satisfy, whatever made it. */
static void
check_accepted(const char *t, const char *aud, const struct token_claims *c)
{
	const char	*dot1, *dot2;
	unsigned char	*hdr;
	char		 sig[128];
	cJSON		*h, *alg, *m;
	size_t		 n;

	FUZZ_CHECK(strlen(t) < TOKEN_MAX);
	FUZZ_CHECK((dot1 = strchr(t, '.')) != NULL);
	FUZZ_CHECK((dot2 = strchr(dot1 + 1, '.')) != NULL);
	FUZZ_CHECK(strchr(dot2 + 1, '.') == NULL);
	sign(key, KEYLEN, t, (size_t)(dot2 - t), sig);
	FUZZ_CHECK(strcmp(sig, dot2 + 1) == 0);
	hdr = malloc((size_t)(dot1 - t) + 1);
	FUZZ_CHECK(hdr != NULL);
	n = unb64url(t, (size_t)(dot1 - t), hdr);
	hdr[n] = '\0';
	/*
	 * libjwt reads the header with jansson, where the last "alg" wins,
	 * and names the algorithm without regard to case ("hS256" is HS256;
	 * only a holder of the key can sign such a header).
	 */
	h = cJSON_ParseWithLength((const char *)hdr, n);
	FUZZ_CHECK(h != NULL);
	alg = NULL;
	for (m = h->child; m != NULL; m = m->next)
		if (m->string != NULL && strcmp(m->string, "alg") == 0)
			alg = m;
	FUZZ_CHECK(cJSON_IsString(alg) && strcasecmp(alg->valuestring,
	    "HS256") == 0);
	cJSON_Delete(h);
	free(hdr);

	FUZZ_CHECK(c->aud == aud);
	FUZZ_CHECK(c->user_id > 0 && c->partner_id > 0);
	FUZZ_CHECK(c->exp > NOW && c->iat < c->exp &&
	    c->iat <= NOW + TOKEN_SKEW);
	FUZZ_CHECK(memchr(c->role, '\0', sizeof(c->role)) != NULL);
	FUZZ_CHECK(memchr(c->scope, '\0', sizeof(c->scope)) != NULL);
	if (strcmp(aud, TOKEN_AUD_API) == 0)
		FUZZ_CHECK(c->role[0] != '\0');
	if (strcmp(aud, TOKEN_AUD_CLIENT) == 0)
		FUZZ_CHECK(c->client_id > 0);
	if (strcmp(aud, TOKEN_AUD_UNSUBSCRIBE) == 0)
		FUZZ_CHECK(c->scope[0] != '\0' && c->client_id >= 0);
}

/* Verifies t for every audience; returns a bit per audience passed. */
static int
verify_all(const char *t)
{
	struct token_claims	 c;
	size_t			 a;
	int			 passed = 0, rc;

	for (a = 0; a < N_AUDS; a++) {
		rc = token_verify(key, KEYLEN, t, auds[a], NOW, &c);
		FUZZ_CHECK(rc == 0 || rc == -1);
		if (rc == 0) {
			check_accepted(t, auds[a], &c);
			passed |= 1 << a;
		} else
			/* A refused token leaves nothing behind. */
			FUZZ_CHECK(c.aud == NULL && c.user_id == 0 &&
			    c.role[0] == '\0');
		/* Under another key nothing passes. */
		FUZZ_CHECK(token_verify(other_key, KEYLEN, t, auds[a], NOW,
		    &c) == -1);
	}
	return passed;
}

static void
mode_mutate(const uint8_t *data, size_t size)
{
	char	*t;
	size_t	 len, pos, i, k;
	int	 passed, want;

	if (size < 1)
		return;
	k = data[0] % N_TOKENS;
	data++;
	size--;
	len = strlen(tokens[k]);
	/* Room for one insertion per three input bytes. */
	t = malloc(len + size / 3 + 2);
	FUZZ_CHECK(t != NULL);
	memcpy(t, tokens[k], len + 1);
	for (i = 0; i + 3 <= size; i += 3) {
		if (len == 0)
			break;
		pos = ((size_t)data[i + 1] << 8 | data[i + 2]) % len;
		switch (data[i] & 3) {
		case 0:		/* flip bits */
			t[pos] = (char)(t[pos] ^ (data[i] >> 2 | 1));
			if (t[pos] == '\0')
				t[pos] = '.';
			break;
		case 1:		/* insert a byte */
			memmove(t + pos + 1, t + pos, len - pos + 1);
			t[pos] = (char)(data[i] >> 2) + '-';
			len++;
			break;
		case 2:		/* delete a byte */
			memmove(t + pos, t + pos + 1, len - pos);
			len--;
			break;
		case 3:		/* cut */
			t[pos] = '\0';
			len = pos;
			break;
		}
	}
	passed = verify_all(t);
	want = 0;
	for (i = 0; i < N_TOKENS; i++) {
		if (strcmp(t, tokens[i]) != 0)
			continue;
		for (k = 0; k < N_AUDS; k++)
			want |= valid[i][k] << k;
	}
	FUZZ_CHECK(passed == want);
	free(t);
}

static void
mode_signed(const uint8_t *data, size_t size)
{
	const uint8_t	*sep;
	size_t		 hlen, plen, n;
	char		*t;

	sep = memchr(data, '\0', size);
	hlen = sep != NULL ? (size_t)(sep - data) : size;
	plen = sep != NULL ? size - hlen - 1 : 0;
	t = malloc(4 * (hlen + plen) / 3 + 128);
	FUZZ_CHECK(t != NULL);
	b64url(data, hlen, t);
	n = strlen(t);
	t[n++] = '.';
	b64url(sep != NULL ? sep + 1 : data, plen, t + n);
	n = strlen(t);
	t[n] = '.';
	sign(key, KEYLEN, t, n, t + n + 1);
	(void)verify_all(t);
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*t;

	if (size > 0 && data[0] == 0x01)
		mode_mutate(data + 1, size - 1);
	else if (size > 0 && data[0] == 0x02)
		mode_signed(data + 1, size - 1);
	else {
		t = fuzz_strndup(data, size);
		(void)verify_all(t);
		free(t);
	}
	return 0;
}
