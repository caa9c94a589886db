/*
 * Operator commands that bootstrap a firm without the API.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/password.h"
#include "../common/store_copy.h"
#include "../common/store_partner.h"
#include "../common/store_user.h"
#include "../common/text.h"
#include "cli.h"
#include "route.h"

static struct store *
cli_open(const struct config *cfg)
{
	struct store	*st;

	if ((st = store_open(cfg->db_path, 1)) == NULL)
		return NULL;
	if (store_migrate(st) == -1) {
		store_close(st);
		return NULL;
	}
	return st;
}

int
cli_migrate(const struct config *cfg)
{
	struct store	*st;
	int		 v;

	if ((st = cli_open(cfg)) == NULL)
		return 1;
	v = store_schema_version(st);
	store_close(st);
	printf("{\"schema_version\": %d}\n", v);
	return 0;
}

int
cli_create_partner(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "locale", required_argument, NULL, 'l' },
		{ "timezone", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct partner	 p;
	struct store	*st;
	int		 ch, n;

	memset(&p, 0, sizeof(p));
	(void)snprintf(p.locale, sizeof(p.locale), "en");
	(void)snprintf(p.timezone, sizeof(p.timezone), "Europe/Copenhagen");
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			n = snprintf(p.name, sizeof(p.name), "%s", optarg);
			if (n < 1 || text_utf8_length(optarg, strlen(optarg)) >
			    PARTNER_NAME_MAX || text_has_control(optarg) ||
			    !text_utf8_valid(optarg, strlen(optarg))) {
				fprintf(stderr, "--name: 1 to %d characters\n",
				    PARTNER_NAME_MAX);
				return 2;
			}
			break;
		case 'l':
			if (!partner_locale_valid(optarg)) {
				fprintf(stderr, "--locale: sv, da, nb or en\n");
				return 2;
			}
			(void)snprintf(p.locale, sizeof(p.locale), "%s", optarg);
			break;
		case 't':
			if (!partner_timezone_valid(optarg)) {
				fprintf(stderr, "--timezone: an IANA zone such "
				    "as Europe/Stockholm\n");
				return 2;
			}
			(void)snprintf(p.timezone, sizeof(p.timezone), "%s",
			    optarg);
			break;
		default:
			return 2;
		}
	}
	if (p.name[0] == '\0') {
		fprintf(stderr, "usage: portal-api create-partner --name NAME "
		    "[--locale sv|da|nb|en] [--timezone ZONE]\n");
		return 2;
	}
	if ((st = cli_open(cfg)) == NULL)
		return 1;
	if (store_partner_create(st, &p) != STORE_OK) {
		store_close(st);
		return 1;
	}
	store_close(st);
	printf("{\"id\": %lld}\n", (long long)p.id);
	return 0;
}

/* PORTAL_PASSWORD, or one line of standard input. */
static int
cli_read_password(char *pw, size_t len)
{
	const char	*env = getenv("PORTAL_PASSWORD");
	size_t		 n;

	if (env != NULL) {
		if (strlen(env) >= len)
			return -1;
		memcpy(pw, env, strlen(env) + 1);
	} else if (fgets(pw, (int)len, stdin) == NULL)
		return -1;
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (n < USER_PASSWORD_MIN || n > USER_PASSWORD_MAX ||
	    !text_utf8_valid(pw, n))
		return -1;
	return 0;
}

int
cli_create_user(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "partner", required_argument, NULL, 'p' },
		{ "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct partner	 partner;
	struct user	 u;
	struct store	*st = NULL;
	char		 pw[USER_PASSWORD_MAX + 2];
	long long	 id;
	int		 ch, rc = 1, have_role = 0;

	memset(&u, 0, sizeof(u));
	u.active = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (text_parse_int(optarg, 1, INT64_MAX, &id) == -1) {
				fprintf(stderr, "--partner: an id\n");
				return 2;
			}
			u.partner_id = id;
			break;
		case 'e':
			(void)snprintf(u.email, sizeof(u.email), "%s", optarg);
			if (strlen(optarg) > USER_EMAIL_MAX ||
			    user_email_accept(u.email) == -1) {
				fprintf(stderr, "--email: an address mail "
				    "can be sent to\n");
				return 2;
			}
			break;
		case 'n':
			if (strlen(optarg) == 0 || text_utf8_length(optarg,
			    strlen(optarg)) > USER_NAME_MAX ||
			    !text_utf8_valid(optarg, strlen(optarg)) ||
			    text_has_control(optarg)) {
				fprintf(stderr, "--name: 1 to %d characters\n",
				    USER_NAME_MAX);
				return 2;
			}
			(void)snprintf(u.name, sizeof(u.name), "%s", optarg);
			break;
		case 'r':
			if (role_parse(optarg, &u.role) == -1) {
				fprintf(stderr, "--role: admin, bookkeeper or "
				    "integration\n");
				return 2;
			}
			have_role = 1;
			break;
		default:
			return 2;
		}
	}
	if (u.partner_id == 0 || u.email[0] == '\0' || u.name[0] == '\0' ||
	    !have_role) {
		fprintf(stderr, "usage: portal-api create-user --partner ID "
		    "--email EMAIL --name NAME --role admin|bookkeeper|"
		    "integration (password from PORTAL_PASSWORD or stdin)\n");
		return 2;
	}
	if (cli_read_password(pw, sizeof(pw)) == -1) {
		fprintf(stderr, "the password must be %d to %d characters\n",
		    USER_PASSWORD_MIN, USER_PASSWORD_MAX);
		rc = 2;
		goto out;
	}
	if (password_hash(pw, u.password_hash, sizeof(u.password_hash)) == -1) {
		fprintf(stderr, "cannot hash the password\n");
		goto out;
	}
	if ((st = cli_open(cfg)) == NULL)
		goto out;
	if (store_partner_get(st, u.partner_id, &partner) != STORE_OK) {
		fprintf(stderr, "no partner %lld\n", (long long)u.partner_id);
		goto out;
	}
	switch (store_user_create(st, &u)) {
	case STORE_OK:
		printf("{\"id\": %lld}\n", (long long)u.id);
		rc = 0;
		break;
	case STORE_CONFLICT:
		fprintf(stderr, "a user with that email already exists\n");
		break;
	default:
		break;
	}
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(&u, sizeof(u));
	store_close(st);
	return rc;
}

/* The tables of a copy, as store_copy() reports them. */
struct cli_copy {
	struct store_copy_report	 r[32];
	size_t				 n;
};

static void
cli_copy_keep(const struct store_copy_report *r, void *arg)
{
	struct cli_copy	*c = arg;

	if (c->n < sizeof(c->r) / sizeof(c->r[0]))
		c->r[c->n++] = *r;
}

/*
 * The table (table, rows, checksum, ok), then the columns each checksum
 * covers; a table that differs also on stderr, with the target's side.
 */
static void
cli_copy_print(const struct cli_copy *c)
{
	const struct store_copy_report	*r;
	size_t				 i;

	if (c->n == 0)
		return;
	printf("%-26s %10s  %-64s  %s\n", "table", "rows", "checksum", "ok");
	for (i = 0; i < c->n; i++) {
		r = &c->r[i];
		printf("%-26s %10lld  %-64s  %s\n", r->table,
		    (long long)r->source_rows, r->source_sum,
		    r->ok ? "yes" : "NO");
		if (!r->ok)
			fprintf(stderr, "%s differs: the source has %lld rows "
			    "(%s), the target %lld (%s)\n", r->table,
			    (long long)r->source_rows, r->source_sum,
			    (long long)r->target_rows, r->target_sum);
	}
	printf("checksum: %s; columns compared:\n", STORE_COPY_CANONICAL);
	for (i = 0; i < c->n; i++) {
		r = &c->r[i];
		printf("  %s: %s", r->table, r->columns);
		if (r->remade != NULL)
			printf(" (made again by the target: %s)", r->remade);
		printf("\n");
	}
}

/*
 * copy-to TARGET: the database PORTAL_DB names, which must exist and be
 * migrated, into the empty one TARGET names, a postgresql:// URI or a
 * SQLite file (store_copy.h).
 */
int
cli_copy_to(const struct config *cfg, int argc, char **argv)
{
	struct cli_copy	 copy;
	struct store	*src = NULL, *dst = NULL;
	char		 where[256];
	int		 rc = 1, v, latest;

	if (argc != 2 || argv[1][0] == '\0') {
		fprintf(stderr, "usage: portal-api copy-to TARGET "
		    "(the source is PORTAL_DB)\n");
		return 2;
	}
	if (strcmp(argv[1], cfg->db_path) == 0) {
		fprintf(stderr, "copy-to: the target is the source\n");
		return 2;
	}
	store_db_for_log(cfg->db_path, where, sizeof(where));
	if ((src = store_open(cfg->db_path, 0)) == NULL) {
		fprintf(stderr, "copy-to: cannot open the source %s\n", where);
		goto out;
	}
	v = store_schema_version(src);
	latest = store_schema_latest(src);
	if (v != latest) {
		fprintf(stderr, "copy-to: the source %s is at schema version "
		    "%d, not %d: run portal-api migrate on it first\n", where,
		    v, latest);
		goto out;
	}
	store_db_for_log(argv[1], where, sizeof(where));
	/* A SQLite target is made; a PostgreSQL one must exist. */
	if ((dst = store_open(argv[1], 1)) == NULL) {
		fprintf(stderr, "copy-to: cannot open the target %s\n", where);
		goto out;
	}
	memset(&copy, 0, sizeof(copy));
	switch (store_copy(src, dst, cli_copy_keep, &copy)) {
	case STORE_OK:
		cli_copy_print(&copy);
		printf("copied into %s\n", where);
		rc = 0;
		break;
	case STORE_CONFLICT:
		cli_copy_print(&copy);
		fprintf(stderr, "copy-to: %s: %s; nothing was written\n", where,
		    copy.n > 0 ? "the copy differs from the source" :
		    "the target holds data already");
		break;
	default:
		fprintf(stderr, "copy-to: %s: the copy failed; nothing was "
		    "written\n", where);
	}
out:
	store_close(dst);
	store_close(src);
	return rc;
}

static void
cli_print_route(const struct route *r, void *arg)
{
	(void)arg;
	printf("%s %s\n", r->method, r->pattern);
}

int
cli_routes(void)
{
	route_each(cli_print_route, NULL);
	return 0;
}
