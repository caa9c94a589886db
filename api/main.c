/*
 * portal-api: the HTTP server of the Partner Portal, and the operator
 * commands that share its configuration.
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "../common/address.h"
#include "../common/buf.h"
#include "../common/config.h"
#include "../common/log.h"
#include "../common/password.h"
#include "../common/store.h"
#include "../common/store_user.h"
#include "cli.h"
#include "server.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: portal-api [serve]\n"
	    "       portal-api migrate\n"
	    "       portal-api create-partner --name NAME [--locale sv|da|nb|en]"
	    " [--timezone ZONE]\n"
	    "       portal-api create-user --partner ID --email EMAIL "
	    "--name NAME --role ROLE\n"
	    "       portal-api copy-to postgresql://...|FILE  "
	    "(copies PORTAL_DB there)\n"
	    "       portal-api routes\n");
}

/* Ids named in the start-up warning; the rest are counted. */
#define SERVE_BAD_ADDRESSES_LISTED	50
/* Room for that many ids of 19 digits and their separators. */
#define SERVE_BAD_ADDRESSES_TEXT	(SERVE_BAD_ADDRESSES_LISTED * 21)
/* The largest block the heaps serve; larger ones are mapped apart. */
#define SERVE_HEAP_BLOCK_MAX		(1024 * 1024)

struct serve_bad_addresses {
	struct buf	 ids;
	size_t		 n;
};

static int
serve_bad_address(int64_t id, const char *email, void *arg)
{
	struct serve_bad_addresses	*bad = arg;

	if (address_valid(email))
		return 0;
	if (bad->n++ < SERVE_BAD_ADDRESSES_LISTED &&
	    buf_printf(&bad->ids, "%s%" PRId64, bad->n > 1 ? ", " : "",
	    id) == -1)
		return -1;
	return 0;
}

/*
 * Rows stored before the API applied address_valid() may hold addresses
 * the worker refuses to send to; the operator hears of them at start-up.
 * A warning, not a refusal to start: those users still log in.
 */
static void
serve_check_addresses(struct store *st)
{
	struct serve_bad_addresses	 bad;

	memset(&bad, 0, sizeof(bad));
	buf_init(&bad.ids, SERVE_BAD_ADDRESSES_TEXT);
	if (store_user_addresses(st, serve_bad_address, &bad) != STORE_OK)
		log_warnx("cannot check the users' email addresses");
	else if (bad.n > SERVE_BAD_ADDRESSES_LISTED)
		log_warnx("users with addresses that cannot receive mail: "
		    "%s and %zu more", bad.ids.data,
		    bad.n - SERVE_BAD_ADDRESSES_LISTED);
	else if (bad.n > 0)
		log_warnx("users with addresses that cannot receive mail: %s",
		    bad.ids.data);
	buf_cleanup(&bad.ids);
}

static int
serve(const struct config *cfg)
{
	struct store	*st;
	int		 rc;

	/*
	 * A page's buffers come and go with each request, 100 to 200 kB of
	 * them for a page of month figures: past glibc's trim threshold of
	 * 128 kB, so that every free gave the top of a thread's heap back to
	 * the kernel (madvise) and the next request faulted it in again,
	 * 5% of such a page's CPU. Kept up to 2 MB a heap, and blocks of up
	 * to 1 MB served from the heaps, instead.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, SERVE_HEAP_BLOCK_MAX);
	(void)mallopt(M_TRIM_THRESHOLD, 2 * SERVE_HEAP_BLOCK_MAX);
	/* Migrate once here so that no request meets an old schema. */
	if ((st = store_open(cfg->db_path, 1)) == NULL)
		return 1;
	rc = store_migrate(st);
	if (rc != -1)
		serve_check_addresses(st);
	store_close(st);
	if (rc == -1)
		return 1;
	/* Made before serving, so the first unknown login is not slower. */
	if (password_dummy_hash() == NULL) {
		log_warnx("cannot hash");
		return 1;
	}
	return server_run(cfg);
}

int
main(int argc, char **argv)
{
	struct config	 cfg;
	const char	*cmd = argc > 1 ? argv[1] : "serve";
	char		 err[256];
	int		 rc, need_secret;

	if (strcmp(cmd, "routes") == 0)
		return cli_routes();
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage();
		return 0;
	}
	need_secret = strcmp(cmd, "serve") == 0;
	if (config_load(&cfg, need_secret, err, sizeof(err)) == -1) {
		fprintf(stderr, "portal-api: configuration: %s\n", err);
		return 1;
	}
	log_init("portal-api", cfg.log_level);
	store_global_init(&(struct store_settings){ .pool = (int)cfg.db_pool,
	    .timeout_ms = (int)cfg.request_timeout_ms, .shared_reads = 1 });
	if (strcmp(cmd, "serve") == 0)
		rc = serve(&cfg);
	else if (strcmp(cmd, "migrate") == 0)
		rc = cli_migrate(&cfg);
	else if (strcmp(cmd, "create-partner") == 0)
		rc = cli_create_partner(&cfg, argc - 1, argv + 1);
	else if (strcmp(cmd, "create-user") == 0)
		rc = cli_create_user(&cfg, argc - 1, argv + 1);
	else if (strcmp(cmd, "copy-to") == 0)
		rc = cli_copy_to(&cfg, argc - 1, argv + 1);
	else {
		usage();
		rc = 2;
	}
	config_cleanup(&cfg);
	return rc;
}
