/*
 * Webhooks by the Standard Webhooks conventions: an endpoint's secret
 * ("whsec_" and base64), the signature of a message ("v1," and the
 * base64 of HMAC-SHA256 over "id.timestamp.body"), and the rules of where
 * a webhook may go: https only, and never to a private, loopback or
 * link-local address, unless the operator allows plain HTTP to loopback
 * (PORTAL_WEBHOOK_ALLOW_LOOPBACK=1, for tests).
 */
#ifndef COMMON_WEBHOOK_H
#define COMMON_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_SECRET_PREFIX	"whsec_"
#define WEBHOOK_KEY_LEN		24	/* random bytes of a new secret */
#define WEBHOOK_KEY_MAX		64	/* bytes of a secret's key */
#define WEBHOOK_SECRET_MAX	(6 + (WEBHOOK_KEY_MAX + 2) / 3 * 4)
#define WEBHOOK_SIGNATURE_MAX	(3 + 44)	/* "v1," and 32 bytes */
#define WEBHOOK_URL_MAX		2048

/* A new secret (WEBHOOK_SECRET_MAX + 1 bytes will do). 0 or -1. */
int	webhook_secret_generate(char *out, size_t outlen);
/* The key of a secret, base64-decoded. 0, or -1 if it is no secret. */
int	webhook_secret_key(const char *secret, uint8_t *key, size_t *keylen);
/*
 * The signature of body sent as message id at timestamp ts (Unix
 * seconds), with the key of secret: "v1,<base64>". 0 or -1.
 */
int	webhook_sign(const char *secret, const char *id, int64_t ts,
	    const char *body, size_t bodylen, char *out, size_t outlen);

/*
 * Checks an endpoint's URL: absolute, https (or http to a loopback host
 * when allow_loopback), a host, no user or password, no fragment; a host
 * that is an address must be one webhook_address_allowed() takes. NULL
 * when it passes, else the rule it breaks, as a phrase for "must ...".
 */
const char	*webhook_url_check(const char *url, int allow_loopback);
/*
 * Whether a webhook may connect to the address text addr: not private
 * (RFC 1918, unique local, shared CGNAT), not loopback unless
 * allow_loopback, not link-local, unspecified, multicast or reserved.
 */
int		 webhook_address_allowed(const char *addr, int allow_loopback);

#endif
