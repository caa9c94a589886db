/*
 * Reads and checks the PORTAL_* environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "netaddr.h"
#include "text.h"

static int
config_str(char **dst, const char *name, const char *def, char *err,
    size_t errlen)
{
	const char	*v = getenv(name);

	if (v == NULL || *v == '\0')
		v = def;
	if (v == NULL) {
		*dst = NULL;
		return 0;
	}
	if (text_has_control(v)) {
		(void)snprintf(err, errlen, "%s holds a control character",
		    name);
		return -1;
	}
	if ((*dst = strdup(v)) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
config_int(long long *dst, const char *name, long long def, long long min,
    long long max, char *err, size_t errlen)
{
	const char	*v = getenv(name);

	if (v == NULL || *v == '\0') {
		*dst = def;
		return 0;
	}
	if (text_parse_int(v, min, max, dst) == -1) {
		(void)snprintf(err, errlen, "%s must be an integer from %lld "
		    "to %lld", name, min, max);
		return -1;
	}
	return 0;
}

static int
config_read_secret_file(struct config *cfg, const char *path, char *err,
    size_t errlen)
{
	/* Room for the longest key, a CR LF, and one byte that tells "more". */
	unsigned char	 data[CONFIG_SECRET_MAX + 3];
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		(void)snprintf(err, errlen, "PORTAL_JWT_SECRET_FILE: %s",
		    strerror(errno));
		return -1;
	}
	while (len < sizeof(data) &&
	    (n = read(fd, data + len, sizeof(data) - len)) > 0)
		len += (size_t)n;
	close(fd);
	/* A trailing newline from an editor or `echo` is not key material. */
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len > CONFIG_SECRET_MAX) {
		(void)snprintf(err, errlen, "PORTAL_JWT_SECRET_FILE holds more "
		    "than %d bytes", CONFIG_SECRET_MAX);
		goto out;
	}
	memcpy(cfg->secret, data, len);
	cfg->secret_len = len;
	rc = 0;
out:
	explicit_bzero(data, sizeof(data));
	return rc;
}

static int
config_secret(struct config *cfg, int need, char *err, size_t errlen)
{
	const char	*v = getenv("PORTAL_JWT_SECRET");
	const char	*file = getenv("PORTAL_JWT_SECRET_FILE");

	cfg->secret_len = 0;
	if (v != NULL && *v != '\0') {
		size_t len = strlen(v);
		if (len > sizeof(cfg->secret)) {
			(void)snprintf(err, errlen, "PORTAL_JWT_SECRET is longer "
			    "than %d bytes", CONFIG_SECRET_MAX);
			return -1;
		}
		memcpy(cfg->secret, v, len);
		cfg->secret_len = len;
	} else if (file != NULL && *file != '\0') {
		if (config_read_secret_file(cfg, file, err, errlen) == -1)
			return -1;
	}
	if (!need)
		return 0;
	if (cfg->secret_len == 0) {
		(void)snprintf(err, errlen, "no signing secret: set "
		    "PORTAL_JWT_SECRET or PORTAL_JWT_SECRET_FILE");
		return -1;
	}
	if (cfg->secret_len < CONFIG_SECRET_MIN) {
		(void)snprintf(err, errlen, "the signing secret must be at "
		    "least %d bytes", CONFIG_SECRET_MIN);
		return -1;
	}
	return 0;
}

/*
 * Calls fn with each item of the comma-separated list v, its spaces
 * trimmed, empty ones skipped. 0, or fn's -1.
 */
static int
config_list(const char *v, int (*fn)(struct config *, const char *, size_t,
    char *, size_t), struct config *cfg, char *err, size_t errlen)
{
	const char	*p, *comma;
	size_t		 len;

	for (p = v; *p != '\0'; p = comma + 1) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		while (len > 0 && *p == ' ')
			p++, len--;
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0 && fn(cfg, p, len, err, errlen) == -1)
			return -1;
		if (comma == NULL)
			break;
	}
	return 0;
}

static int
config_origin_add(struct config *cfg, const char *p, size_t len, char *err,
    size_t errlen)
{
	if ((len == 1 && *p == '*') ||
	    cfg->n_cors_origins == CONFIG_ORIGINS_MAX) {
		(void)snprintf(err, errlen, "PORTAL_CORS_ORIGINS takes up to %d "
		    "explicit origins, not *", CONFIG_ORIGINS_MAX);
		return -1;
	}
	if ((cfg->cors_origins[cfg->n_cors_origins] = strndup(p, len)) ==
	    NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	cfg->n_cors_origins++;
	return 0;
}

static int
config_proxy_add(struct config *cfg, const char *p, size_t len, char *err,
    size_t errlen)
{
	if (cfg->n_trusted_proxies == CONFIG_PROXIES_MAX) {
		(void)snprintf(err, errlen, "PORTAL_TRUSTED_PROXIES takes up "
		    "to %d addresses or networks", CONFIG_PROXIES_MAX);
		return -1;
	}
	if (netaddr_parse_net(p, len,
	    &cfg->trusted_proxies[cfg->n_trusted_proxies]) == -1) {
		(void)snprintf(err, errlen, "PORTAL_TRUSTED_PROXIES: \"%.*s\" "
		    "is not an IP address or network (10.0.0.0/8)",
		    len > 64 ? 64 : (int)len, p);
		return -1;
	}
	cfg->n_trusted_proxies++;
	return 0;
}

static int
config_lists(struct config *cfg, char *err, size_t errlen)
{
	const char	*origins = getenv("PORTAL_CORS_ORIGINS");
	const char	*proxies = getenv("PORTAL_TRUSTED_PROXIES");

	cfg->n_cors_origins = 0;
	cfg->n_trusted_proxies = 0;
	if (origins != NULL && config_list(origins, config_origin_add, cfg,
	    err, errlen) == -1)
		return -1;
	if (proxies != NULL && config_list(proxies, config_proxy_add, cfg,
	    err, errlen) == -1)
		return -1;
	return 0;
}

/*
 * The one-click unsubscribe link of every digest is made of
 * PORTAL_PUBLIC_URL, and mailbox providers act only on https (RFC 8058):
 * plain http is for the loopback (the demo, the tests) unless
 * PORTAL_ALLOW_INSECURE_LINKS=1 says it is meant.
 */
static int
config_public_url(const struct config *cfg, char *err, size_t errlen)
{
	CURLU		*u;
	char		*scheme = NULL, *host = NULL;
	long long	 insecure;
	int		 rc = -1;

	if (config_int(&insecure, "PORTAL_ALLOW_INSECURE_LINKS", 0, 0, 1,
	    err, errlen) == -1)
		return -1;
	if ((u = curl_url()) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, cfg->public_url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)) {
		(void)snprintf(err, errlen, "PORTAL_PUBLIC_URL must be an "
		    "http or https URL with a host");
		goto out;
	}
	if (strcmp(scheme, "http") == 0 && !netaddr_host_loopback(host) &&
	    !insecure) {
		(void)snprintf(err, errlen, "PORTAL_PUBLIC_URL must be https "
		    "(mail links over http are ignored by mailbox providers); "
		    "set PORTAL_ALLOW_INSECURE_LINKS=1 to use http anyway");
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
config_load(struct config *cfg, int need_secret, char *err, size_t errlen)
{
	const char	*level;

	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = LOG_LEVEL_INFO;
	level = getenv("PORTAL_LOG_LEVEL");
	if (level != NULL && *level != '\0' &&
	    log_level_parse(level, &cfg->log_level) == -1) {
		(void)snprintf(err, errlen, "PORTAL_LOG_LEVEL must be error, "
		    "warn, info or debug");
		goto fail;
	}
	if (config_str(&cfg->db_path, "PORTAL_DB", "var/portal.db", err,
	    errlen) == -1 ||
	    config_str(&cfg->listen, "PORTAL_LISTEN", "127.0.0.1:8080", err,
	    errlen) == -1 ||
	    config_str(&cfg->app_url, "PORTAL_APP_URL",
	    "http://127.0.0.1:3000", err, errlen) == -1 ||
	    config_str(&cfg->public_url, "PORTAL_PUBLIC_URL",
	    "http://127.0.0.1:8080", err, errlen) == -1 ||
	    config_str(&cfg->smtp_url, "PORTAL_SMTP_URL",
	    "smtp://127.0.0.1:1025", err, errlen) == -1 ||
	    config_str(&cfg->smtp_user, "PORTAL_SMTP_USER", NULL, err,
	    errlen) == -1 ||
	    config_str(&cfg->smtp_password, "PORTAL_SMTP_PASSWORD", NULL, err,
	    errlen) == -1 ||
	    config_str(&cfg->mail_from, "PORTAL_MAIL_FROM",
	    "portal@localhost", err, errlen) == -1)
		goto fail;
	if (config_int(&cfg->token_ttl, "PORTAL_TOKEN_TTL", 3600, 60, 86400,
	    err, errlen) == -1 ||
	    config_int(&cfg->access_token_ttl, "PORTAL_ACCESS_TOKEN_TTL", 300,
	    30, 3600, err, errlen) == -1 ||
	    config_int(&cfg->threads, "PORTAL_THREADS", 64, 2, 1024, err,
	    errlen) == -1 ||
	    config_int(&cfg->db_pool, "PORTAL_DB_POOL", 10, 1, 1000, err,
	    errlen) == -1 ||
	    config_int(&cfg->max_body, "PORTAL_MAX_BODY", 1048576, 1024,
	    67108864, err, errlen) == -1 ||
	    config_int(&cfg->login_max_failures, "PORTAL_LOGIN_MAX_FAILURES",
	    5, 1, 1000, err, errlen) == -1 ||
	    config_int(&cfg->login_lockout, "PORTAL_LOGIN_LOCKOUT", 300, 1,
	    86400, err, errlen) == -1 ||
	    config_int(&cfg->request_timeout_ms, "PORTAL_REQUEST_TIMEOUT_MS",
	    5000, 100, 120000, err, errlen) == -1 ||
	    config_int(&cfg->notify_per_client_hour,
	    "PORTAL_NOTIFY_PER_CLIENT_HOUR", 10, 1, 1000000, err,
	    errlen) == -1 ||
	    config_int(&cfg->notify_per_sender_hour,
	    "PORTAL_NOTIFY_PER_SENDER_HOUR", 30, 1, 1000000, err,
	    errlen) == -1 ||
	    config_int(&cfg->worker_poll, "PORTAL_WORKER_POLL", 5, 1, 3600,
	    err, errlen) == -1 ||
	    config_int(&cfg->smtp_connections, "PORTAL_SMTP_CONNECTIONS", 1,
	    1, 16, err, errlen) == -1 ||
	    config_int(&cfg->webhook_allow_loopback,
	    "PORTAL_WEBHOOK_ALLOW_LOOPBACK", 0, 0, 1, err, errlen) == -1)
		goto fail;
	/* A sixteenth of the threads (4 of the default 64), at least 1. */
	if (config_int(&cfg->exports_max, "PORTAL_EXPORTS_MAX",
	    cfg->threads / 16 > 0 ? cfg->threads / 16 : 1, 1, cfg->threads,
	    err, errlen) == -1)
		goto fail;
	/*
	 * Login attempts: the budget of one address over every client is
	 * much larger than one client's, so that a correct password from a
	 * client that has not failed still works while a guesser is locked
	 * out, yet a guesser spread over many machines is bounded too.
	 */
	if (config_int(&cfg->login_max_per_address,
	    "PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS",
	    10 * cfg->login_max_failures, 1, 1000000, err, errlen) == -1)
		goto fail;
	/*
	 * The outbox's claim lease: a message claimed by a worker that does
	 * not renew it within this long is sent by another. Renewals come
	 * about once a second while a message is on the wire, so the lease
	 * must be longer than that.
	 */
	if (config_int(&cfg->outbox_lease, "PORTAL_OUTBOX_LEASE_SECONDS", 300,
	    2, 86400, err, errlen) == -1)
		goto fail;
	if (config_public_url(cfg, err, errlen) == -1 ||
	    config_lists(cfg, err, errlen) == -1 ||
	    config_secret(cfg, need_secret, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	config_cleanup(cfg);
	return -1;
}

void
config_cleanup(struct config *cfg)
{
	size_t	 i;

	free(cfg->db_path);
	free(cfg->listen);
	free(cfg->app_url);
	free(cfg->public_url);
	free(cfg->smtp_url);
	free(cfg->smtp_user);
	if (cfg->smtp_password != NULL)
		explicit_bzero(cfg->smtp_password, strlen(cfg->smtp_password));
	free(cfg->smtp_password);
	free(cfg->mail_from);
	for (i = 0; i < cfg->n_cors_origins; i++)
		free(cfg->cors_origins[i]);
	explicit_bzero(cfg->secret, sizeof(cfg->secret));
	memset(cfg, 0, sizeof(*cfg));
}

const char *
config_mail_domain(const struct config *cfg)
{
	const char	*at = strrchr(cfg->mail_from, '@');

	return at != NULL && at[1] != '\0' ? at + 1 : "portal.invalid";
}

int
config_app_link(const struct config *cfg, const char *path, char *out,
    size_t outlen)
{
	int	 n;

	n = snprintf(out, outlen, "%s%s", cfg->app_url, path);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
config_origin_allowed(const struct config *cfg, const char *origin)
{
	size_t	 i;

	for (i = 0; i < cfg->n_cors_origins; i++)
		if (strcmp(cfg->cors_origins[i], origin) == 0)
			return 1;
	return 0;
}
