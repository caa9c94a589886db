/* Unit tests for common/token.h: issuing and strictly verifying HS256 JWTs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jwt.h>

#include "../../common/token.h"

#define NOW		1700000000LL
#define NOW_S		"1700000000"
#define EXP_S		"1700003600"

static const unsigned char	 key[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN		(sizeof(key) - 1)
static const unsigned char	 other_key[] =
				    "0123456789abcdef0123456789abcdeF";

/* The claims an API token is issued with in these tests. */
#define ISS_AUD	"\"iss\":\"partner-portal\",\"aud\":\"portal-api\""
#define API_CLAIMS \
	ISS_AUD ",\"sub\":\"7\",\"partner_id\":3,\"role\":\"admin\""
#define TIMES	"\"iat\":" NOW_S ",\"exp\":" EXP_S

static void
api_claims(struct token_claims *c)
{
	memset(c, 0, sizeof(*c));
	c->aud = TOKEN_AUD_API;
	c->user_id = 7;
	c->partner_id = 3;
	(void)snprintf(c->role, sizeof(c->role), "admin");
	c->iat = NOW;
	c->exp = NOW + 3600;
}

static char *
issue(const struct token_claims *c)
{
	char	*t = NULL;

	assert_int_equal(token_issue(key, KEYLEN, c, &t), 0);
	assert_non_null(t);
	return t;
}

static int
verify(const char *t, const char *aud, int64_t now)
{
	struct token_claims	 out;
	int			 rc;

	rc = token_verify(key, KEYLEN, t, aud, now, &out);
	if (rc == -1) {
		/* Nothing from a refused token is left for the caller. */
		assert_null(out.aud);
		assert_true(out.user_id == 0 && out.partner_id == 0 &&
		    out.client_id == 0 && out.role[0] == '\0');
	}
	return rc;
}

/* A token signed by libjwt with alg over the given claims JSON. */
static char *
make_token(jwt_alg_t alg, const unsigned char *k, size_t klen,
    const char *claims)
{
	jwt_t	*jwt = NULL;
	char	*t;

	assert_int_equal(jwt_new(&jwt), 0);
	assert_int_equal(jwt_set_alg(jwt, alg, k, (int)klen), 0);
	assert_int_equal(jwt_add_grants_json(jwt, claims), 0);
	t = jwt_encode_str(jwt);
	assert_non_null(t);
	jwt_free(jwt);
	return t;
}

static char *
make_hs256(const char *claims)
{
	return make_token(JWT_ALG_HS256, key, KEYLEN, claims);
}

/* Base64url without padding, appended to out (of outlen bytes). */
static void
b64url_append(char *out, size_t outlen, const char *in)
{
	static const char	 a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 n = strlen(in), i, o = strlen(out);
	uint32_t		 v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		assert_true(o + 5 < outlen);
		out[o++] = a[(v >> 18) & 63];
		out[o++] = a[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = a[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = a[v & 63];
	}
	out[o] = '\0';
}

/* header.payload.sig from JSON texts and a literal signature segment. */
static void
hand_token(char *out, size_t outlen, const char *header, const char *payload,
    const char *sig)
{
	out[0] = '\0';
	b64url_append(out, outlen, header);
	assert_true(strlen(out) + 1 < outlen);
	strncat(out, ".", outlen - strlen(out) - 1);
	b64url_append(out, outlen, payload);
	assert_true(strlen(out) + strlen(sig) + 1 < outlen);
	strncat(out, ".", outlen - strlen(out) - 1);
	strncat(out, sig, outlen - strlen(out) - 1);
}

static void
test_round_trip(void **state)
{
	struct token_claims	 c, out;
	char			*t;

	(void)state;
	api_claims(&c);
	t = issue(&c);
	assert_int_equal(token_verify(key, KEYLEN, t, TOKEN_AUD_API, NOW,
	    &out), 0);
	assert_string_equal(out.aud, TOKEN_AUD_API);
	assert_true(out.user_id == 7);
	assert_true(out.partner_id == 3);
	assert_string_equal(out.role, "admin");
	assert_true(out.client_id == 0);
	assert_string_equal(out.scope, "");
	assert_true(out.iat == NOW);
	assert_true(out.exp == NOW + 3600);
	free(t);
	/* Large ids survive the trip. */
	c.user_id = 1LL << 40;
	c.partner_id = (1LL << 40) + 1;
	t = issue(&c);
	assert_int_equal(token_verify(key, KEYLEN, t, TOKEN_AUD_API, NOW,
	    &out), 0);
	assert_true(out.user_id == 1LL << 40);
	assert_true(out.partner_id == (1LL << 40) + 1);
	free(t);
}

static void
test_hand_built_control(void **state)
{
	char	*t;

	(void)state;
	/* The builder below makes tokens that pass when nothing is wrong. */
	t = make_hs256("{" API_CLAIMS "," TIMES "}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), 0);
	free(t);
}

static void
test_expired(void **state)
{
	struct token_claims	 c;
	char			*t;

	(void)state;
	api_claims(&c);
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW + 3599), 0);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW + 3600), -1);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW + 86400), -1);
	free(t);
	/* Issued already expired. */
	c.iat = NOW - 7200;
	c.exp = NOW - 3600;
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
}

static void
test_iat_future(void **state)
{
	struct token_claims	 c;
	char			*t;

	(void)state;
	api_claims(&c);
	c.iat = NOW + TOKEN_SKEW + 1;
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
	/* Within the skew is fine. */
	c.iat = NOW + TOKEN_SKEW;
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), 0);
	free(t);
	/* iat must come before exp. */
	c.iat = NOW + 10;
	c.exp = NOW + 10;
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
}

static void
test_nbf(void **state)
{
	char	*t;

	(void)state;
	t = make_hs256("{" API_CLAIMS "," TIMES ",\"nbf\":" NOW_S "}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), 0);
	free(t);
	t = make_hs256("{" API_CLAIMS "," TIMES ",\"nbf\":1700000100}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
	t = make_hs256("{" API_CLAIMS "," TIMES ",\"nbf\":\"" NOW_S "\"}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
}

static void
test_wrong_audience(void **state)
{
	struct token_claims	 c;
	char			*t;

	(void)state;
	api_claims(&c);
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_CLIENT, NOW), -1);
	assert_int_equal(verify(t, TOKEN_AUD_UNSUBSCRIBE, NOW), -1);
	assert_int_equal(verify(t, "portal-api ", NOW), -1);
	assert_int_equal(verify(t, "", NOW), -1);
	free(t);
	/* No audience at all, and an audience list. */
	t = make_hs256("{\"iss\":\"partner-portal\",\"sub\":\"7\","
	    "\"partner_id\":3,\"role\":\"admin\"," TIMES "}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
	t = make_hs256("{\"iss\":\"partner-portal\",\"aud\":[\"portal-api\"],"
	    "\"sub\":\"7\",\"partner_id\":3,\"role\":\"admin\"," TIMES "}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
}

static void
test_wrong_issuer(void **state)
{
	char	*t;

	(void)state;
	t = make_hs256("{\"iss\":\"someone-else\",\"aud\":\"portal-api\","
	    "\"sub\":\"7\",\"partner_id\":3,\"role\":\"admin\"," TIMES "}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
	t = make_hs256("{\"aud\":\"portal-api\",\"sub\":\"7\","
	    "\"partner_id\":3,\"role\":\"admin\"," TIMES "}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
}

static void
test_wrong_key(void **state)
{
	struct token_claims	 c, out;
	char			*t;

	(void)state;
	api_claims(&c);
	t = issue(&c);
	assert_int_equal(token_verify(other_key, KEYLEN, t, TOKEN_AUD_API,
	    NOW, &out), -1);
	assert_int_equal(token_verify(key, KEYLEN - 1, t, TOKEN_AUD_API, NOW,
	    &out), -1);
	free(t);
	t = make_token(JWT_ALG_HS256, other_key, KEYLEN,
	    "{" API_CLAIMS "," TIMES "}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
}

static void
test_tampered(void **state)
{
	struct token_claims	 c;
	char			*t, *dot1, *dot2, forged[1024];

	(void)state;
	api_claims(&c);
	t = issue(&c);
	dot1 = strchr(t, '.');
	assert_non_null(dot1);
	dot2 = strchr(dot1 + 1, '.');
	assert_non_null(dot2);
	/* Same header and signature, another user in the payload. */
	forged[0] = '\0';
	assert_true((size_t)(dot1 - t) + 1 < sizeof(forged));
	memcpy(forged, t, (size_t)(dot1 - t) + 1);
	forged[dot1 - t + 1] = '\0';
	b64url_append(forged, sizeof(forged),
	    "{" ISS_AUD ",\"sub\":\"8\","
	    "\"partner_id\":3,\"role\":\"admin\"," TIMES "}");
	assert_true(strlen(forged) + strlen(dot2) < sizeof(forged));
	strncat(forged, dot2, sizeof(forged) - strlen(forged) - 1);
	assert_int_equal(verify(forged, TOKEN_AUD_API, NOW), -1);
	/* A changed first byte of the signature. */
	dot2[1] = dot2[1] == 'A' ? 'B' : 'A';
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	dot2[1] = dot2[1] == 'A' ? 'B' : 'A';
	/* Payload and signature cut. */
	*dot2 = '\0';
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
}

static void
test_alg_none(void **state)
{
	static const char	 none[] = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
	static const char	 payload[] = "{" API_CLAIMS "," TIMES "}";
	struct token_claims	 c;
	char			 t[1024], *good, *sig;

	(void)state;
	/* The usual form, with an empty signature. */
	hand_token(t, sizeof(t), none, payload, "");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	/* With a signature segment so that the shape is right. */
	hand_token(t, sizeof(t), none, payload, "AAAA");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	hand_token(t, sizeof(t), "{\"alg\":\"none\"}", payload, "AAAA");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	/* With the signature of a real token over the same claims. */
	api_claims(&c);
	good = issue(&c);
	sig = strrchr(good, '.');
	assert_non_null(sig);
	hand_token(t, sizeof(t), none, payload, sig + 1);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	/* Other spellings of the algorithm. */
	hand_token(t, sizeof(t), "{\"alg\":\"None\",\"typ\":\"JWT\"}", payload,
	    sig + 1);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	hand_token(t, sizeof(t), "{\"typ\":\"JWT\"}", payload, sig + 1);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(good);
}

static void
test_other_algs(void **state)
{
	char	*t;

	(void)state;
	t = make_token(JWT_ALG_HS512, key, KEYLEN,
	    "{" API_CLAIMS "," TIMES "}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
	t = make_token(JWT_ALG_HS384, key, KEYLEN,
	    "{" API_CLAIMS "," TIMES "}");
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
}

static void
test_empty_key(void **state)
{
	static const unsigned char	 big_key[1025];
	struct token_claims		 c, out;
	char				*t = (char *)&t, *good;

	(void)state;
	api_claims(&c);
	assert_int_equal(token_issue(key, 0, &c, &t), -1);
	assert_null(t);
	t = (char *)&t;
	assert_int_equal(token_issue(NULL, 0, &c, &t), -1);
	assert_null(t);
	t = (char *)&t;
	assert_int_equal(token_issue(big_key, sizeof(big_key), &c, &t), -1);
	assert_null(t);
	good = issue(&c);
	assert_int_equal(token_verify(key, 0, good, TOKEN_AUD_API, NOW, &out),
	    -1);
	assert_int_equal(token_verify(NULL, 0, good, TOKEN_AUD_API, NOW,
	    &out), -1);
	assert_int_equal(token_verify(big_key, sizeof(big_key), good,
	    TOKEN_AUD_API, NOW, &out), -1);
	free(good);
}

static void
test_too_long(void **state)
{
	char	*claims, *t, *pad;
	size_t	 len, n;
	int	 found;

	(void)state;
	/* Correctly signed and otherwise valid, but past TOKEN_MAX. */
	pad = malloc(TOKEN_MAX);
	assert_non_null(pad);
	memset(pad, 'x', TOKEN_MAX - 1);
	pad[TOKEN_MAX - 1] = '\0';
	len = TOKEN_MAX + 256;
	claims = malloc(len);
	assert_non_null(claims);
	(void)snprintf(claims, len, "{" API_CLAIMS "," TIMES ",\"pad\":\"%s\"}",
	    pad);
	t = make_hs256(claims);
	assert_true(strlen(t) > TOKEN_MAX);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
	/* A short pad is accepted: the length is what was refused. */
	pad[100] = '\0';
	(void)snprintf(claims, len, "{" API_CLAIMS "," TIMES ",\"pad\":\"%s\"}",
	    pad);
	t = make_hs256(claims);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), 0);
	free(t);
	/* Exactly TOKEN_MAX is still fine, one more is not. */
	for (n = 2800, found = 0; n < 3200 && found != 3; n++) {
		memset(pad, 'x', n);
		pad[n] = '\0';
		(void)snprintf(claims, len, "{" API_CLAIMS "," TIMES
		    ",\"pad\":\"%s\"}", pad);
		t = make_hs256(claims);
		if (strlen(t) == TOKEN_MAX) {
			assert_int_equal(verify(t, TOKEN_AUD_API, NOW), 0);
			found |= 1;
		} else if (strlen(t) == TOKEN_MAX + 1) {
			assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
			found |= 2;
		}
		free(t);
	}
	assert_int_equal(found, 3);
	/* Garbage of that size is refused before decoding. */
	memset(pad, 'a', TOKEN_MAX - 1);
	pad[TOKEN_MAX - 1] = '\0';
	(void)snprintf(claims, len, "%s.%s.%s", pad, pad, pad);
	assert_int_equal(verify(claims, TOKEN_AUD_API, NOW), -1);
	free(claims);
	free(pad);
}

static void
test_garbage(void **state)
{
	static const char *const	 bad[] = {
		"", ".", "..", "...", "a", "a.b", "a..c", ".b.c", "a.b.",
		"a.b.c.d", "a.b.c", "a+b.c.d", "a/b.c.d", "a=.b.c", "a b.c.d",
		"a.b.c=", "a.b.c\n", "\xc3\xa5.b.c", "eyJ.eyJ.eyJ",
		"Bearer a.b.c",
	};
	struct token_claims		 c;
	char				*good, t[1024];
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (verify(bad[i], TOKEN_AUD_API, NOW) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	/* A good token with something around it. */
	api_claims(&c);
	good = issue(&c);
	(void)snprintf(t, sizeof(t), "%s=", good);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	(void)snprintf(t, sizeof(t), " %s", good);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	(void)snprintf(t, sizeof(t), "%s.", good);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	(void)snprintf(t, sizeof(t), "Bearer %s", good);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(good);
}

static void
test_claim_types(void **state)
{
	static const char *const	 bad[] = {
		/* exp, iat and partner_id as strings or fractions. */
		"{" API_CLAIMS ",\"iat\":" NOW_S ",\"exp\":\"" EXP_S "\"}",
		"{" API_CLAIMS ",\"iat\":" NOW_S ",\"exp\":1700003600.5}",
		"{" API_CLAIMS ",\"iat\":\"" NOW_S "\",\"exp\":" EXP_S "}",
		"{" API_CLAIMS ",\"exp\":" EXP_S "}",
		"{" API_CLAIMS ",\"iat\":" NOW_S "}",
		"{" API_CLAIMS ",\"iat\":0,\"exp\":" EXP_S "}",
		"{" API_CLAIMS ",\"iat\":" NOW_S ",\"exp\":true}",
		"{" ISS_AUD ",\"sub\":\"7\","
		    "\"partner_id\":\"3\",\"role\":\"admin\"," TIMES "}",
		"{" ISS_AUD ",\"sub\":\"7\","
		    "\"partner_id\":0,\"role\":\"admin\"," TIMES "}",
		"{" ISS_AUD ",\"sub\":\"7\","
		    "\"role\":\"admin\"," TIMES "}",
		/* sub must be a string of a positive integer. */
		"{" ISS_AUD ",\"sub\":7,"
		    "\"partner_id\":3,\"role\":\"admin\"," TIMES "}",
		"{" ISS_AUD ",\"sub\":\"0\","
		    "\"partner_id\":3,\"role\":\"admin\"," TIMES "}",
		"{" ISS_AUD ","
		    "\"sub\":\"-7\",\"partner_id\":3,\"role\":\"admin\","
		    TIMES "}",
		"{" ISS_AUD ","
		    "\"sub\":\"7x\",\"partner_id\":3,\"role\":\"admin\","
		    TIMES "}",
		"{" ISS_AUD ","
		    "\"partner_id\":3,\"role\":\"admin\"," TIMES "}",
		/* An API token needs a role that fits. */
		"{" ISS_AUD ",\"sub\":\"7\","
		    "\"partner_id\":3," TIMES "}",
		"{" ISS_AUD ",\"sub\":\"7\","
		    "\"partner_id\":3,\"role\":\"\"," TIMES "}",
		"{" ISS_AUD ",\"sub\":\"7\","
		    "\"partner_id\":3,\"role\":\"0123456789abcdef\"," TIMES "}",
	};
	char				*t;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = make_hs256(bad[i]);
		if (verify(t, TOKEN_AUD_API, NOW) != -1) {
			free(t);
			fail_msg("accepted claims %s", bad[i]);
		}
		free(t);
	}
}

static void
test_client_token(void **state)
{
	struct token_claims	 c, out;
	char			*t;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.aud = TOKEN_AUD_CLIENT;
	c.user_id = 7;
	c.partner_id = 3;
	c.client_id = 42;
	c.iat = NOW;
	c.exp = NOW + 300;
	t = issue(&c);
	assert_int_equal(token_verify(key, KEYLEN, t, TOKEN_AUD_CLIENT, NOW,
	    &out), 0);
	assert_string_equal(out.aud, TOKEN_AUD_CLIENT);
	assert_true(out.client_id == 42);
	assert_true(out.user_id == 7);
	assert_true(out.partner_id == 3);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	assert_int_equal(verify(t, TOKEN_AUD_UNSUBSCRIBE, NOW), -1);
	free(t);
	/* Even with a role, the API audience refuses it. */
	(void)snprintf(c.role, sizeof(c.role), "admin");
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_CLIENT, NOW), 0);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
	/* A client token must name its client. */
	c.client_id = 0;
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_CLIENT, NOW), -1);
	free(t);
	/* And an API token is no client token, even with a client_id. */
	api_claims(&c);
	c.client_id = 42;
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), 0);
	assert_int_equal(verify(t, TOKEN_AUD_CLIENT, NOW), -1);
	free(t);
}

static void
test_unsubscribe_token(void **state)
{
	struct token_claims	 c, out;
	char			*t;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.aud = TOKEN_AUD_UNSUBSCRIBE;
	c.user_id = 7;
	c.partner_id = 3;
	c.client_id = 42;
	(void)snprintf(c.scope, sizeof(c.scope), "weekly");
	c.iat = NOW;
	c.exp = NOW + 86400 * 30;
	t = issue(&c);
	assert_int_equal(token_verify(key, KEYLEN, t, TOKEN_AUD_UNSUBSCRIBE,
	    NOW, &out), 0);
	assert_string_equal(out.scope, "weekly");
	assert_true(out.client_id == 42);
	assert_int_equal(verify(t, TOKEN_AUD_CLIENT, NOW), -1);
	assert_int_equal(verify(t, TOKEN_AUD_API, NOW), -1);
	free(t);
	c.scope[0] = '\0';
	t = issue(&c);
	assert_int_equal(verify(t, TOKEN_AUD_UNSUBSCRIBE, NOW), -1);
	free(t);
}

/*
 * An unsubscribe token carries the generation of the settings it covers;
 * one without the claim (issued before generations) reads as 1; anything
 * but a positive integer is refused.
 */
static void
test_unsubscribe_generation(void **state)
{
	static const char *const bad[] = {
		"0", "-3", "\"5\"", "5.5", "true", "null", "{}",
	};
	struct token_claims	 c, out;
	char			*t, claims[512];
	size_t			 i;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.aud = TOKEN_AUD_UNSUBSCRIBE;
	c.user_id = 7;
	c.partner_id = 3;
	(void)snprintf(c.scope, sizeof(c.scope), "weekly");
	c.iat = NOW;
	c.exp = NOW + 86400 * 30;
	c.generation = 12;
	t = issue(&c);
	assert_int_equal(token_verify(key, KEYLEN, t, TOKEN_AUD_UNSUBSCRIBE,
	    NOW, &out), 0);
	assert_true(out.generation == 12);
	free(t);
	c.generation = 0;
	t = issue(&c);
	assert_int_equal(token_verify(key, KEYLEN, t, TOKEN_AUD_UNSUBSCRIBE,
	    NOW, &out), 0);
	assert_true(out.generation == 1);
	free(t);
	/* Other audiences carry none. */
	api_claims(&c);
	t = issue(&c);
	assert_int_equal(token_verify(key, KEYLEN, t, TOKEN_AUD_API, NOW,
	    &out), 0);
	assert_true(out.generation == 0);
	free(t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(claims, sizeof(claims), "{\"iss\":"
		    "\"partner-portal\",\"aud\":\"portal-unsubscribe\","
		    "\"sub\":\"7\",\"partner_id\":3,\"scope\":\"weekly\","
		    "\"gen\":%s," TIMES "}", bad[i]);
		t = make_hs256(claims);
		assert_int_equal(verify(t, TOKEN_AUD_UNSUBSCRIBE, NOW), -1);
		free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hand_built_control),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_iat_future),
		cmocka_unit_test(test_nbf),
		cmocka_unit_test(test_wrong_audience),
		cmocka_unit_test(test_wrong_issuer),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_alg_none),
		cmocka_unit_test(test_other_algs),
		cmocka_unit_test(test_empty_key),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_claim_types),
		cmocka_unit_test(test_client_token),
		cmocka_unit_test(test_unsubscribe_token),
		cmocka_unit_test(test_unsubscribe_generation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
