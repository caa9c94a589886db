/*
 * Writes the seed corpora of the fuzz targets that need the project's own
 * code to make them: cursors from cursor_encode() over ICU sort keys of
 * Swedish names, tokens from token_issue() with the key fuzz_token uses,
 * and query strings holding such cursors. Run by `sh scripts/fuzz --seeds`
 * with the corpus directory (tests/fuzz/corpus) as its argument.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../common/collate.h"
#include "../../common/cursor.h"
#include "../../common/token.h"

#define NOW	1775000000LL	/* as in fuzz_token.c */

static const unsigned char	 key[] = "fuzz-key-0123456789abcdef-012345";
#define KEYLEN	(sizeof(key) - 1)

static const char	*dir;

static int
put(const char *target, const char *name, const void *data, size_t len)
{
	char	 path[512];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, target);
	if (mkdir(path, 0777) == -1 && errno != EEXIST)
		return -1;
	(void)snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int
puts_seed(const char *target, const char *name, const char *s)
{
	return put(target, name, s, strlen(s));
}

/* A cursor as the client list makes it after a row named name. */
static int
list_cursor(const char *name, int sort, const char *filters, int64_t id,
    int64_t count, char *out, size_t outlen)
{
	struct cursor	 c;

	memset(&c, 0, sizeof(c));
	c.sort = (uint8_t)sort;
	c.query = cursor_fingerprint(filters);
	c.id = id;
	c.count = count;
	if (collate_sort_key("sv", name, c.key, sizeof(c.key), &c.keylen) ==
	    -1)
		return -1;
	return cursor_encode(&c, out, outlen);
}

static int
cursors(void)
{
	static const char *const names[] = { "Åkesson Bygg AB",
	    "Örn & Söner HB", "Zetterström Konsult", "Ängelholms Bageri",
	    "Bo Bokföraren", "Ærø Shipping ApS" };
	char	 text[CURSOR_TEXT_MAX + 1], qs[CURSOR_TEXT_MAX + 128], n[32];
	struct cursor	 c;
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (list_cursor(names[i], (int)i % 4, "2|0|0|0|", (int64_t)i +
		    40, (int64_t)i, text, sizeof(text)) == -1)
			return -1;
		(void)snprintf(n, sizeof(n), "list-%zu", i);
		if (puts_seed("fuzz_cursor", n, text) == -1)
			return -1;
		(void)snprintf(qs, sizeof(qs), "tab=all&sort=%s&limit=50&"
		    "cursor=%s", i % 2 ? "-name" : "name", text);
		(void)snprintf(n, sizeof(n), "list-cursor-%zu", i);
		if (puts_seed("fuzz_query", n, qs) == -1)
			return -1;
	}
	/* The audit log's cursors: an id and no key. */
	memset(&c, 0, sizeof(c));
	c.query = cursor_fingerprint("audit|42");
	c.id = 1234;
	if (cursor_encode(&c, text, sizeof(text)) == -1 ||
	    puts_seed("fuzz_cursor", "audit", text) == -1)
		return -1;
	(void)snprintf(qs, sizeof(qs), "client_id=42&limit=20&cursor=%s",
	    text);
	if (puts_seed("fuzz_query", "audit-cursor", qs) == -1)
		return -1;
	/* Raw fields for cursor_encode, after the 0x01 mode byte. */
	{
		uint8_t raw[1 + 1 + 4 + 8 + 8 + 2 + 16] = { 0x01, 2 };
		raw[13] = 3;
		raw[21] = 42;
		raw[23] = 0x05;
		memcpy(raw + 24, "\x2b\x31\x41\x2d\x01\x0a\x01\x0a", 8);
		if (put("fuzz_cursor", "fields", raw, sizeof(raw)) == -1)
			return -1;
	}
	return 0;
}

static int
tokens(void)
{
	static const struct {
		const char	*name;
		const char	*aud;
		const char	*role;
		int64_t		 client;
		const char	*scope;
	} t[] = {
		{ "api-admin", TOKEN_AUD_API, "admin", 0, "" },
		{ "api-bookkeeper", TOKEN_AUD_API, "bookkeeper", 0, "" },
		{ "client", TOKEN_AUD_CLIENT, "", 42, "" },
		{ "unsubscribe-client", TOKEN_AUD_UNSUBSCRIBE, "", 42,
		    "weekly" },
		{ "unsubscribe-all", TOKEN_AUD_UNSUBSCRIBE, "", 0, "daily" },
	};
	struct token_claims	 c;
	char			*tok, mut[8];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.aud = t[i].aud;
		c.user_id = 7;
		c.partner_id = 3;
		(void)snprintf(c.role, sizeof(c.role), "%s", t[i].role);
		c.client_id = t[i].client;
		(void)snprintf(c.scope, sizeof(c.scope), "%s", t[i].scope);
		c.iat = NOW - 60;
		c.exp = NOW + 3600;
		if (token_issue(key, KEYLEN, &c, &tok) == -1)
			return -1;
		if (puts_seed("fuzz_token", t[i].name, tok) == -1) {
			free(tok);
			return -1;
		}
		free(tok);
		/* Mutation mode: token i, one flip, one cut. */
		mut[0] = 0x01;
		mut[1] = (char)i;
		mut[2] = 0x04;
		mut[3] = 0x00;
		mut[4] = 0x10;
		mut[5] = 0x03;
		mut[6] = 0x00;
		mut[7] = (char)0x80;
		(void)snprintf(c.role, sizeof(c.role), "mutate-%zu", i);
		if (put("fuzz_token", c.role, mut, sizeof(mut)) == -1)
			return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds corpus-dir\n");
		return 2;
	}
	dir = argv[1];
	if (cursors() == -1 || tokens() == -1) {
		fprintf(stderr, "gen_seeds: failed\n");
		return 1;
	}
	return 0;
}
