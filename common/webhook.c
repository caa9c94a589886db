/*
 * Webhooks' secrets, signatures and destinations (webhook.h). HMAC and
 * base64 are OpenSSL's; URLs are parsed by libcurl's URL API, the parser
 * of the client that sends them.
 */
#include <sys/random.h>

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "netaddr.h"
#include "webhook.h"

int
webhook_secret_generate(char *out, size_t outlen)
{
	unsigned char	 key[WEBHOOK_KEY_LEN];
	size_t		 pre = strlen(WEBHOOK_SECRET_PREFIX);

	if (outlen < pre + (WEBHOOK_KEY_LEN + 2) / 3 * 4 + 1 ||
	    getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return -1;
	memcpy(out, WEBHOOK_SECRET_PREFIX, pre);
	(void)EVP_EncodeBlock((unsigned char *)out + pre, key, sizeof(key));
	explicit_bzero(key, sizeof(key));
	return 0;
}

int
webhook_secret_key(const char *secret, uint8_t *key, size_t *keylen)
{
	unsigned char	 buf[WEBHOOK_KEY_MAX + 3];
	size_t		 pre = strlen(WEBHOOK_SECRET_PREFIX), len;
	int		 n, pad = 0;

	if (strncmp(secret, WEBHOOK_SECRET_PREFIX, pre) != 0)
		return -1;
	secret += pre;
	len = strlen(secret);
	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof(buf))
		return -1;
	if ((n = EVP_DecodeBlock(buf, (const unsigned char *)secret,
	    (int)len)) < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding's bytes too. */
	pad = (secret[len - 1] == '=') + (secret[len - 2] == '=');
	if ((size_t)(n - pad) > WEBHOOK_KEY_MAX || n - pad <= 0)
		return -1;
	memcpy(key, buf, (size_t)(n - pad));
	*keylen = (size_t)(n - pad);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int
webhook_sign(const char *secret, const char *id, int64_t ts,
    const char *body, size_t bodylen, char *out, size_t outlen)
{
	uint8_t		 key[WEBHOOK_KEY_MAX], mac[EVP_MAX_MD_SIZE];
	char		 head[160], digest[] = "SHA256";
	size_t		 keylen, maclen = 0;
	EVP_MAC		*hmac = NULL;
	EVP_MAC_CTX	*ctx = NULL;
	OSSL_PARAM	 params[2];
	int		 n, rc = -1;

	n = snprintf(head, sizeof(head), "%s.%lld.", id, (long long)ts);
	if (n < 0 || (size_t)n >= sizeof(head) || outlen < 3 + 44 + 1 ||
	    webhook_secret_key(secret, key, &keylen) == -1)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(hmac)) == NULL ||
	    EVP_MAC_init(ctx, key, keylen, params) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)head, (size_t)n) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)body, bodylen) != 1 ||
	    EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) != 1 ||
	    maclen != 32)
		goto out;
	memcpy(out, "v1,", 3);
	(void)EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)maclen);
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(hmac);
	explicit_bzero(key, sizeof(key));
	return rc;
}

/* Networks no webhook goes to (loopback apart: allowed for tests). */
static const char *const webhook_private_nets[] = {
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16",
	"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16",
	"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",
	"240.0.0.0/4", "::/128", "::ffff:0:0/96", "64:ff9b::/96",
	"100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
};

static int
webhook_in(const char *const *nets, size_t n, const char *addr)
{
	struct netaddr_net	 net;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (netaddr_parse_net(nets[i], strlen(nets[i]), &net) == 0 &&
		    netaddr_in(&net, 1, addr))
			return 1;
	return 0;
}

int
webhook_address_allowed(const char *addr, int allow_loopback)
{
	struct netaddr_net	 any;

	if (netaddr_parse_net(addr, strlen(addr), &any) == -1)
		return 0;
	if (netaddr_host_loopback(addr))
		return allow_loopback;
	/* An IPv4-mapped address is judged as the IPv4 one it maps. */
	if (strncmp(addr, "::ffff:", 7) == 0 && strchr(addr + 7, '.') != NULL)
		return webhook_address_allowed(addr + 7, allow_loopback);
	return !webhook_in(webhook_private_nets,
	    sizeof(webhook_private_nets) / sizeof(webhook_private_nets[0]),
	    addr);
}

const char *
webhook_url_check(const char *url, int allow_loopback)
{
	CURLU		*u;
	char		*scheme = NULL, *host = NULL, *user = NULL, *frag = NULL;
	char		 bare[NETADDR_TEXT_MAX + 2];
	const char	*why = NULL;
	size_t		 len;

	if (strlen(url) > WEBHOOK_URL_MAX)
		return "be at most 2048 characters";
	if ((u = curl_url()) == NULL)
		return "be a URL (none can be read now)";
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		why = "be an absolute URL with a host";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		why = "not hold a user or password";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		why = "not hold a fragment";
		goto out;
	}
	/* libcurl keeps an IPv6 host's brackets. */
	len = strlen(host);
	if (host[0] == '[' && len >= 2 && len - 2 < sizeof(bare)) {
		memcpy(bare, host + 1, len - 2);
		bare[len - 2] = '\0';
	} else
		(void)snprintf(bare, sizeof(bare), "%s", host);
	if (allow_loopback && netaddr_host_loopback(bare)) {
		if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
			why = "be https, or http to the loopback";
		goto out;
	}
	if (strcmp(scheme, "https") != 0) {
		why = "be https";
		goto out;
	}
	if (strcmp(bare, "localhost") == 0 ||
	    (netaddr_parse_net(bare, strlen(bare), &(struct netaddr_net){0})
	    == 0 && !webhook_address_allowed(bare, 0)))
		why = "not name a private, loopback or link-local address";
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(frag);
	curl_url_cleanup(u);
	return why;
}
