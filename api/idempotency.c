/*
 * Idempotency-Key: checking a key, replaying the answer it recorded and
 * recording a new one.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "../common/log.h"
#include "../common/store_idempotency.h"
#include "../common/text.h"
#include "idempotency.h"
#include "route.h"

/* Idempotency-Key: visible ASCII, 1 to 255 characters. */
static int
idempotency_key_valid(const char *k)
{
	size_t	 n = strlen(k), i;

	if (n == 0 || n > IDEMPOTENCY_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * A stored content type as one of the static strings replies point at
 * (a reply does not own its type).
 */
static const char *
idempotency_content_type(const char *t)
{
	static const char *const known[] = { "application/json",
	    "application/problem+json", "application/yaml", NULL };
	size_t	 i;

	for (i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], t) == 0)
			return known[i];
	return "application/json";
}

/* RFC 9530's Repr-Digest value of body: "sha-256=:<base64>:". */
static int
idempotency_digest(const char *body, size_t len, char *out, size_t outlen)
{
	unsigned char	 md[EVP_MAX_MD_SIZE], b64[64];
	unsigned int	 mdlen = 0;
	int		 n;

	if (EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return -1;
	n = EVP_EncodeBlock(b64, md, (int)mdlen);
	if (n <= 0 || snprintf(out, outlen, "sha-256=:%s:", b64) >=
	    (int)outlen)
		return -1;
	return 0;
}

static void
idempotency_replay(struct request *req, const struct idempotent_reply *prev)
{
	if (prev->body_digest[0] != '\0') {
		/* Too large to keep: done, and the digest of what it said. */
		(void)reply_problem(req, 409, PROBLEM_CONFLICT,
		    "Answer not kept", "The request with this Idempotency-Key "
		    "was done; its answer was too large to keep.");
		(void)reply_header(req, "Repr-Digest", prev->body_digest);
	} else
		(void)reply_raw(req, prev->status, prev->content_type[0] ?
		    idempotency_content_type(prev->content_type) : NULL,
		    prev->body, prev->body_len);
	if (prev->location[0] != '\0')
		(void)reply_header(req, "Location", prev->location);
	(void)reply_header(req, "Idempotent-Replayed", "true");
}

int
idempotency_check_or_reply(struct request *req, const char *key,
    struct idempotency *idem)
{
	struct idempotent_reply	 prev;
	uint64_t		 h = TEXT_HASH_INIT;
	const char		*path = req->ri->local_uri;
	int			 rc;

	if (!idempotency_key_valid(key))
		return reply_problem(req, 400, PROBLEM_MALFORMED,
		    "Invalid Idempotency-Key", "An Idempotency-Key is 1 to "
		    "255 visible ASCII characters.");
	idem->key = key;
	h = text_hash64(h, req->route->pattern, strlen(req->route->pattern));
	h = text_hash64(h, path, strlen(path) + 1);
	if (req->ri->query_string != NULL)
		h = text_hash64(h, req->ri->query_string,
		    strlen(req->ri->query_string));
	h = text_hash64(h, "\n", 1);
	if (req->raw_body != NULL)
		h = text_hash64(h, req->raw_body, req->raw_len);
	(void)snprintf(idem->hash, sizeof(idem->hash), "%016llx",
	    (unsigned long long)h);

	rc = store_idempotency_find(req->store, req->user.id, key, &prev);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc == STORE_ERROR)
		(void)reply_internal_error(req);
	else if (strcmp(prev.request_hash, idem->hash) != 0)
		(void)reply_problem(req, 422, PROBLEM_VALIDATION,
		    "Idempotency-Key reused", "This Idempotency-Key "
		    "was used for a different request.");
	else
		idempotency_replay(req, &prev);
	idempotent_reply_cleanup(&prev);
	return -1;
}

int
idempotency_keeps(const struct request *req)
{
	/* A failure may be tried again with the same key. */
	return req->status > 0 && req->status < 500 && req->status != 429;
}

int
idempotency_record(struct request *req, const struct idempotency *idem)
{
	struct idempotent_reply	 r;

	memset(&r, 0, sizeof(r));
	(void)snprintf(r.request_hash, sizeof(r.request_hash), "%s",
	    idem->hash);
	r.status = req->status;
	(void)snprintf(r.content_type, sizeof(r.content_type), "%s",
	    req->content_type ? req->content_type : "");
	(void)reply_header_get(req, "Location", r.location,
	    sizeof(r.location));
	r.body = req->reply_body;
	r.body_len = req->reply_len;
	if (r.body_len > IDEMPOTENCY_BODY_MAX &&
	    idempotency_digest(r.body, r.body_len, r.body_digest,
	    sizeof(r.body_digest)) == -1) {
		log_warnx("cannot digest an answer");
		return STORE_ERROR;
	}
	/* r.body is the reply's: not cleaned up here. */
	return store_idempotency_record(req->store, req->user.id, idem->key,
	    &r);
}
