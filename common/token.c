/*
 * Issuing and checking HS256 JWTs with libjwt 1.10, which leaves the
 * algorithm pin and every time claim to the caller.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jwt.h>

#include "text.h"
#include "token.h"

int
token_issue(const unsigned char *key, size_t keylen,
    const struct token_claims *c, char **out)
{
	jwt_t	*jwt = NULL;
	char	 sub[32];
	int	 rc = -1;

	*out = NULL;
	if (keylen == 0 || keylen > 1024)
		return -1;
	(void)snprintf(sub, sizeof(sub), "%lld", (long long)c->user_id);
	if (jwt_new(&jwt) != 0 ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)keylen) != 0 ||
	    jwt_add_grant(jwt, "iss", TOKEN_ISSUER) != 0 ||
	    jwt_add_grant(jwt, "aud", c->aud) != 0 ||
	    jwt_add_grant(jwt, "sub", sub) != 0 ||
	    jwt_add_grant_int(jwt, "partner_id", (long)c->partner_id) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)c->iat) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)c->exp) != 0)
		goto out;
	if (c->role[0] != '\0' && jwt_add_grant(jwt, "role", c->role) != 0)
		goto out;
	if (c->client_id > 0 &&
	    jwt_add_grant_int(jwt, "client_id", (long)c->client_id) != 0)
		goto out;
	if (c->scope[0] != '\0' && jwt_add_grant(jwt, "scope", c->scope) != 0)
		goto out;
	if (c->generation > 0 &&
	    jwt_add_grant_int(jwt, "gen", (long)c->generation) != 0)
		goto out;
	if ((*out = jwt_encode_str(jwt)) != NULL)
		rc = 0;
out:
	jwt_free(jwt);
	return rc;
}

/* Three base64url segments, nothing else, within TOKEN_MAX. */
static int
token_shape_ok(const char *t)
{
	size_t	 i, dots = 0, seg = 0;

	for (i = 0; t[i] != '\0'; i++) {
		char c = t[i];
		if (i >= TOKEN_MAX)
			return 0;
		if (c == '.') {
			if (seg == 0)
				return 0;
			dots++;
			seg = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		seg++;
	}
	return dots == 2 && seg > 0;
}

/* A positive integer claim; libjwt answers 0 for strings and floats. */
static int
token_int_claim(jwt_t *jwt, const char *name, int64_t *out)
{
	long	 v;

	errno = 0;
	v = jwt_get_grant_int(jwt, name);
	if (errno != 0 || v <= 0)
		return -1;
	*out = v;
	return 0;
}

static int
token_str_claim(jwt_t *jwt, const char *name, char *dst, size_t dstlen)
{
	const char	*v = jwt_get_grant(jwt, name);
	size_t		 len;

	if (v == NULL || (len = strlen(v)) == 0 || len >= dstlen)
		return -1;
	memcpy(dst, v, len + 1);
	return 0;
}

int
token_verify(const unsigned char *key, size_t keylen, const char *token,
    const char *aud, int64_t now, struct token_claims *out)
{
	jwt_t		*jwt = NULL;
	const char	*v;
	char		 sub[32];
	long long	 id;
	int64_t		 nbf;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	/* An empty key would let libjwt accept "alg": "none". */
	if (keylen == 0 || keylen > 1024 || !token_shape_ok(token))
		return -1;
	if (jwt_decode(&jwt, token, key, (int)keylen) != 0 || jwt == NULL)
		goto out;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;
	if ((v = jwt_get_header(jwt, "typ")) != NULL && strcmp(v, "JWT") != 0)
		goto out;
	if ((v = jwt_get_grant(jwt, "iss")) == NULL ||
	    strcmp(v, TOKEN_ISSUER) != 0)
		goto out;
	if ((v = jwt_get_grant(jwt, "aud")) == NULL || strcmp(v, aud) != 0)
		goto out;
	out->aud = aud;
	if (token_int_claim(jwt, "exp", &out->exp) == -1 || now >= out->exp)
		goto out;
	if (token_int_claim(jwt, "iat", &out->iat) == -1 ||
	    out->iat > now + TOKEN_SKEW || out->iat >= out->exp)
		goto out;
	/* "nbf" is optional; when present it must be a time already come. */
	errno = 0;
	(void)jwt_get_grant_int(jwt, "nbf");
	if (errno != ENOENT && (token_int_claim(jwt, "nbf", &nbf) == -1 ||
	    nbf > now + TOKEN_SKEW))
		goto out;
	if (token_str_claim(jwt, "sub", sub, sizeof(sub)) == -1 ||
	    text_parse_int(sub, 1, INT64_MAX, &id) == -1)
		goto out;
	out->user_id = id;
	if (token_int_claim(jwt, "partner_id", &out->partner_id) == -1)
		goto out;
	if (strcmp(aud, TOKEN_AUD_API) == 0) {
		if (token_str_claim(jwt, "role", out->role,
		    sizeof(out->role)) == -1)
			goto out;
	} else if (strcmp(aud, TOKEN_AUD_CLIENT) == 0) {
		if (token_int_claim(jwt, "client_id", &out->client_id) == -1)
			goto out;
	} else {
		/* Unsubscribe: one client, or every client at a frequency. */
		errno = 0;
		(void)jwt_get_grant_int(jwt, "client_id");
		if (errno != ENOENT && token_int_claim(jwt, "client_id",
		    &out->client_id) == -1)
			goto out;
	}
	if (strcmp(aud, TOKEN_AUD_UNSUBSCRIBE) == 0) {
		if (token_str_claim(jwt, "scope", out->scope,
		    sizeof(out->scope)) == -1)
			goto out;
		errno = 0;
		(void)jwt_get_grant_int(jwt, "gen");
		if (errno == ENOENT)
			out->generation = 1;
		else if (token_int_claim(jwt, "gen", &out->generation) == -1)
			goto out;
	}
	rc = 0;
out:
	jwt_free(jwt);
	if (rc == -1)
		memset(out, 0, sizeof(*out));
	return rc;
}
