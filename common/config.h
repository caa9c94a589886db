/*
 * Configuration read from PORTAL_* environment variables, with defaults
 * that run on one machine. Secrets have no default.
 */
#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H

#include <stddef.h>

#include "log.h"
#include "netaddr.h"

#define CONFIG_SECRET_MIN	32
#define CONFIG_SECRET_MAX	512
#define CONFIG_ORIGINS_MAX	16
#define CONFIG_PROXIES_MAX	16

struct config {
	char		*db_path;
	char		*listen;
	char		*app_url;
	char		*public_url;
	char		*cors_origins[CONFIG_ORIGINS_MAX];
	size_t		 n_cors_origins;
	/* Whose X-Forwarded-For names the client (PORTAL_TRUSTED_PROXIES). */
	struct netaddr_net trusted_proxies[CONFIG_PROXIES_MAX];
	size_t		 n_trusted_proxies;
	enum log_level	 log_level;
	long long	 token_ttl;		/* seconds */
	long long	 access_token_ttl;	/* "go to client" tokens */
	long long	 threads;
	/*
	 * CSV exports running at once (PORTAL_EXPORTS_MAX): each holds a
	 * request thread until its client has read it all, so a few slow
	 * readers could otherwise take every thread.
	 */
	long long	 exports_max;
	/* Connections to a database server per process (PostgreSQL). */
	long long	 db_pool;
	long long	 max_body;		/* bytes */
	long long	 login_max_failures;	/* per address and client */
	long long	 login_lockout;		/* seconds */
	/* Password checks of one address from all clients, per lockout. */
	long long	 login_max_per_address;
	long long	 request_timeout_ms;
	/* "Notify accountants" reminders allowed within any hour. */
	long long	 notify_per_client_hour;
	long long	 notify_per_sender_hour;
	/* Mail, for the worker. */
	char		*smtp_url;
	char		*smtp_user;
	char		*smtp_password;
	char		*mail_from;
	long long	 worker_poll;		/* seconds between outbox looks */
	/* SMTP connections the worker delivers over at once. */
	long long	 smtp_connections;
	/* Seconds a claimed outbox message stays the claimer's unrenewed. */
	long long	 outbox_lease;
	/*
	 * Webhooks may go over plain HTTP to loopback addresses (tests
	 * only): PORTAL_WEBHOOK_ALLOW_LOOPBACK=1.
	 */
	long long	 webhook_allow_loopback;
	/* HS256 key; wiped by config_cleanup(). */
	unsigned char	 secret[CONFIG_SECRET_MAX];
	size_t		 secret_len;
};

/*
 * Fills cfg from the environment. When need_secret is set, a missing or
 * short secret is an error. On error returns -1 and writes a message.
 */
int	config_load(struct config *, int need_secret, char *err, size_t);
void	config_cleanup(struct config *);

/* The domain of PORTAL_MAIL_FROM: the right-hand side of Message-IDs. */
const char	*config_mail_domain(const struct config *);

/* The web app's page of the user's email notification settings. */
#define CONFIG_NOTIFICATIONS_PATH	"/settings/notifications"

/*
 * Writes PORTAL_APP_URL followed by path into out: the links of emails
 * and pages into the web app. 0, or -1 when it does not fit.
 */
int	config_app_link(const struct config *, const char *path, char *out,
	    size_t outlen);

/* Nonzero when origin is in PORTAL_CORS_ORIGINS. */
int	config_origin_allowed(const struct config *, const char *origin);

#endif
