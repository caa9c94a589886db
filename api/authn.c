/*
 * Bearer-token authentication for every protected route.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "../common/log.h"
#include "../common/store_api_key.h"
#include "../common/text.h"
#include "../common/token.h"
#include "authn.h"

static int
authn_fail(struct request *req, const char *error, const char *detail)
{
	char	 value[96];

	(void)snprintf(value, sizeof(value), "Bearer realm=\"portal\"%s%s%s",
	    error ? ", error=\"" : "", error ? error : "", error ? "\"" : "");
	(void)reply_problem(req, 401, PROBLEM_UNAUTHORIZED,
	    "Authentication required", detail);
	(void)reply_header(req, "WWW-Authenticate", value);
	return -1;
}

/*
 * Tokens verified lately, shared by every thread. A client sends the same
 * token with every request of a session, and checking its signature and
 * claims costs more than the rest of a small request; with many users
 * and many threads, a cache per thread would rarely have a user's token.
 * Of the checks, only the times depend on when they are made: a token
 * met again has those checked again. The user is still read on every
 * request, so that a deactivated user is refused at once. Each slot,
 * chosen by the token's hash, has a lock of its own.
 */
#define AUTHN_CACHE		256
#define AUTHN_CACHE_TOKEN	512	/* longer tokens are not kept */

struct authn_verified {
	pthread_mutex_t		 mu;
	char			 token[AUTHN_CACHE_TOKEN];
	struct token_claims	 claims;
};

static struct authn_verified	 authn_cache[AUTHN_CACHE];
static pthread_once_t		 authn_cache_once = PTHREAD_ONCE_INIT;

static void
authn_cache_init(void)
{
	size_t	 i;

	for (i = 0; i < AUTHN_CACHE; i++)
		pthread_mutex_init(&authn_cache[i].mu, NULL);
}

/* FNV-1a: the slot of a token. */
static struct authn_verified *
authn_cache_slot(const char *token)
{
	uint32_t	 h = 2166136261u;

	for (; *token != '\0'; token++)
		h = (h ^ (unsigned char)*token) * 16777619u;
	return &authn_cache[h % AUTHN_CACHE];
}

/* 1 with *claims when the token was verified before, 0 if not. */
static int
authn_cache_get(struct authn_verified *v, const char *token,
    struct token_claims *claims)
{
	int	 hit;

	pthread_mutex_lock(&v->mu);
	if ((hit = strcmp(v->token, token) == 0))
		*claims = v->claims;
	pthread_mutex_unlock(&v->mu);
	return hit;
}

static int
authn_verify(const struct request *req, const char *token,
    struct token_claims *claims)
{
	struct authn_verified	*v = NULL;
	int64_t			 now = store_now();
	size_t			 len = strlen(token);

	if (len > 0 && len < AUTHN_CACHE_TOKEN) {
		(void)pthread_once(&authn_cache_once, authn_cache_init);
		v = authn_cache_slot(token);
		if (authn_cache_get(v, token, claims)) {
			if (now >= claims->exp || claims->iat > now + TOKEN_SKEW)
				return -1;
			return 0;
		}
	}
	if (token_verify(req->cfg->secret, req->cfg->secret_len, token,
	    TOKEN_AUD_API, now, claims) == -1)
		return -1;
	if (v != NULL) {
		pthread_mutex_lock(&v->mu);
		memcpy(v->token, token, len + 1);
		v->claims = *claims;
		pthread_mutex_unlock(&v->mu);
	}
	return 0;
}

int
authn_token_or_reply(struct request *req, struct token_claims *claims)
{
	const char	*h = mg_get_header(req->conn, "Authorization");

	if (h == NULL)
		return authn_fail(req, NULL,
		    "This route needs a Bearer token.");
	if (strlen(h) > TOKEN_MAX + 16 || strncasecmp(h, "Bearer ", 7) != 0)
		return authn_fail(req, "invalid_request",
		    "The Authorization header is not a Bearer token.");
	h += 7;
	while (*h == ' ')
		h++;
	/* A key is looked up in the store with the user (below). */
	if (api_key_looks_like(h)) {
		if (strlen(h) != API_KEY_LEN)
			return authn_fail(req, "invalid_token",
			    "The API key is not valid.");
		memcpy(req->api_key, h, API_KEY_LEN + 1);
		memset(claims, 0, sizeof(*claims));
		return 0;
	}
	req->api_key[0] = '\0';
	if (authn_verify(req, h, claims) == -1)
		return authn_fail(req, "invalid_token",
		    "The token is invalid or has expired.");
	return 0;
}

/*
 * The API key of the request and its user. An unknown key and a wrong
 * secret answer alike; only a caller holding the whole key learns that
 * it is revoked or expired. A failed check counts against nobody: no
 * lock, no throttle, nothing a stranger could use to keep a script out.
 */
static int
authn_key_or_reply(struct request *req)
{
	struct api_key	 k;
	uint8_t		 hash[API_KEY_HASH_LEN];
	char		 prefix[API_KEY_PREFIX_LEN + 1];
	int64_t		 now = store_now();
	int		 rc;

	if (api_key_parse(req->api_key, prefix, sizeof(prefix)) == -1 ||
	    api_key_hash(req->api_key, hash) == -1)
		return authn_fail(req, "invalid_token",
		    "The API key is not valid.");
	rc = store_api_key_by_prefix(req->store, prefix, &k);
	if (rc == STORE_ERROR)
		return reply_internal_error(req);
	if (rc == STORE_NOTFOUND ||
	    !text_equal_ct(hash, k.hash, API_KEY_HASH_LEN))
		return authn_fail(req, "invalid_token",
		    "The API key is not valid.");
	if (k.revoked_at != 0)
		return authn_fail(req, "invalid_token",
		    "The API key was revoked.");
	if (k.expires_at != 0 && now >= k.expires_at)
		return authn_fail(req, "invalid_token",
		    "The API key has expired.");
	rc = store_user_get(req->store, k.user_id, &req->user);
	if (rc == STORE_ERROR)
		return reply_internal_error(req);
	/* Keys are for integrations: never an admin's powers. */
	if (rc == STORE_NOTFOUND || !req->user.active ||
	    req->user.role != ROLE_INTEGRATION ||
	    req->user.partner_id != k.partner_id)
		return authn_fail(req, "invalid_token",
		    "The API key's user is deactivated or no longer an "
		    "integration.");
	req->key_id = k.id;
	req->key_scopes = k.scopes;
	req->key_touch = now - k.last_used_at >= API_KEY_USE_GRAIN;
	req->authenticated = 1;
	return 0;
}

void
authn_key_touch(struct request *req)
{
	/* A use that was answered: a refusal is no use of the key. */
	if (!req->key_touch || req->status <= 0 || req->status >= 400)
		return;
	req->key_touch = 0;
	if (store_begin(req->store) == -1)
		goto fail;
	if (store_api_key_touch(req->store, req->key_id, store_now()) !=
	    STORE_OK) {
		store_rollback(req->store);
		goto fail;
	}
	if (store_commit(req->store) == 0)
		return;
fail:
	store_busy_clear(req->store);
	log_warnx("api key %lld: last use not written", (long long)req->key_id);
}

int
authn_user_or_reply(struct request *req, const struct token_claims *claims)
{
	int	 rc;

	if (req->api_key[0] != '\0')
		return authn_key_or_reply(req);
	rc = store_user_get(req->store, claims->user_id, &req->user);
	if (rc == STORE_ERROR)
		return reply_internal_error(req);
	if (rc == STORE_NOTFOUND || !req->user.active ||
	    req->user.partner_id != claims->partner_id)
		return authn_fail(req, "invalid_token",
		    "The token is invalid or has expired.");
	req->authenticated = 1;
	return 0;
}
