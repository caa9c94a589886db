/*
 * JSON Web Tokens, HS256 only. Login tokens (audience TOKEN_AUD_API), the
 * short "go to client" tokens (TOKEN_AUD_CLIENT) and one-click unsubscribe
 * tokens (TOKEN_AUD_UNSUBSCRIBE) differ by audience, so none is accepted
 * where another is due.
 */
#ifndef COMMON_TOKEN_H
#define COMMON_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_ISSUER		"partner-portal"
#define TOKEN_AUD_API		"portal-api"
#define TOKEN_AUD_CLIENT	"portal-client"
#define TOKEN_AUD_UNSUBSCRIBE	"portal-unsubscribe"
/* libjwt decodes with alloca(strlen(token)): never hand it more. */
#define TOKEN_MAX		4096
/* Clock difference tolerated between API processes, in seconds. */
#define TOKEN_SKEW		60

struct token_claims {
	const char	*aud;		/* one of TOKEN_AUD_* */
	int64_t		 user_id;	/* "sub" */
	int64_t		 partner_id;
	char		 role[16];
	int64_t		 client_id;	/* 0 when the token has none */
	char		 scope[16];	/* unsubscribe: the frequency; else "" */
	/*
	 * Unsubscribe: the generation of the settings the link covers when
	 * it was issued ("gen"); 0 on other tokens. A token without the
	 * claim (issued before generations) reads as 1, every row's first.
	 */
	int64_t		 generation;
	int64_t		 iat;
	int64_t		 exp;
};

/*
 * Signs the claims with key. *out is a new string the caller frees.
 * 0 or -1.
 */
int	token_issue(const unsigned char *key, size_t keylen,
	    const struct token_claims *, char **out);

/*
 * Checks the token's form, algorithm (HS256 and nothing else), signature,
 * issuer, audience (must equal aud), "iat", "exp" against now, and the
 * claims the audience needs. Fills out (out->aud points at aud).
 * 0 when valid, -1 otherwise.
 */
int	token_verify(const unsigned char *key, size_t keylen,
	    const char *token, const char *aud, int64_t now,
	    struct token_claims *out);

#endif
