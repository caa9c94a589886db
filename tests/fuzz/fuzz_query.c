/*
 * libFuzzer target for the query strings of the list routes: the input is
 * the raw query string (what civetweb leaves in ri->query_string), read
 * with mg_get_var2() exactly as request_query_or_reply() in api/http.c
 * does (replicated here: it needs a request), then each value checked as
 * api/client_list.c and api/access.c check it: tab, sort and
 * missing_receipts against their names, limit and ids with
 * text_parse_int(), q folded with collate_fold(), cursor decoded and
 * matched with the query's fingerprint.
 *
 * civetweb's reading is compared with a reference decoder written from
 * its documented behaviour, and each parsed value with what the API
 * promises (valid UTF-8, no control characters, in range).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <civetweb.h>

#include "../../common/collate.h"
#include "../../common/cursor.h"
#include "../../common/text.h"
#include "fuzz.h"

#define LIST_Q_MAX	100	/* api/client_list.c */
#define LIST_MAX	200	/* CLIENT_LIST_MAX, AUDIT_MAX_LIMIT */

/*
 * request_query_or_reply() without the reply: 1 with the value in dst, 0
 * when absent, -1 where the API answers 400 (too long, not UTF-8, control
 * characters, or given twice).
 */
static int
query_get(const char *qs, const char *name, char *dst, size_t dstlen)
{
	char	 probe[8];
	int	 n;

	dst[0] = '\0';
	if (qs == NULL)
		return 0;
	n = mg_get_var2(qs, strlen(qs), name, dst, dstlen, 0);
	if (n == -1)
		return 0;
	if (n < 0 || (size_t)n != strlen(dst) ||
	    !text_utf8_valid(dst, (size_t)n) || text_has_control(dst)) {
		dst[0] = '\0';
		return -1;
	}
	if (mg_get_var2(qs, strlen(qs), name, probe, sizeof(probe), 1) != -1) {
		dst[0] = '\0';
		return -1;
	}
	return 1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Reference for query_get(): "name=" at the start or after '&' (name
 * compared without case, as civetweb does), the value up to the next '&'
 * with '+' as space and %XX decoded (a '%' not followed by two hex digits
 * kept as it is). Writes the decoded value, NUL bytes and all, into val
 * (at least strlen(qs) + 1 bytes) and its length into *vlen.
 */
static int
ref_query_get(const char *qs, const char *name, size_t dstlen, char *val,
    size_t *vlen)
{
	size_t		 qlen = strlen(qs), nlen = strlen(name), i, j, k, end;
	int		 found = 0, a, b;
	uint32_t	 cp;

	*vlen = 0;
	for (i = 0; i + nlen < qlen; i++) {
		if (i > 0 && qs[i - 1] != '&')
			continue;
		if (qs[i + nlen] != '=' || strncasecmp(qs + i, name, nlen) != 0)
			continue;
		if (found++ > 0)
			return -1;	/* twice */
		end = i + nlen + 1;
		while (end < qlen && qs[end] != '&')
			end++;
		for (j = i + nlen + 1, k = 0; j < end; j++, k++) {
			if (qs[j] == '%' && j + 2 < end &&
			    (a = hexval(qs[j + 1])) != -1 &&
			    (b = hexval(qs[j + 2])) != -1) {
				val[k] = (char)(a << 4 | b);
				j += 2;
			} else if (qs[j] == '+')
				val[k] = ' ';
			else
				val[k] = qs[j];
		}
		val[k] = '\0';
		*vlen = k;
	}
	if (!found)
		return 0;
	if (*vlen >= dstlen || memchr(val, '\0', *vlen) != NULL ||
	    !fuzz_utf8_check(val, *vlen, NULL))
		return -1;
	for (i = 0; i < *vlen; i += k) {
		k = fuzz_utf8_next((const unsigned char *)val + i, *vlen - i,
		    &cp);
		/* C0, DEL, bidirectional controls and separators. */
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return -1;
	}
	return 1;
}

/* Gets name both ways and checks they agree; returns query_get(). */
static int
get_checked(const char *qs, const char *name, char *dst, size_t dstlen)
{
	char	*val = malloc(strlen(qs) + 1);
	size_t	 vlen;
	int	 rc, want;

	FUZZ_CHECK(val != NULL);
	rc = query_get(qs, name, dst, dstlen);
	want = ref_query_get(qs, name, dstlen, val, &vlen);
	if (rc != want) {
		fprintf(stderr, "%s: civetweb %d, reference %d\n", name, rc,
		    want);
		FUZZ_CHECK(rc == want);
	}
	if (rc == 1) {
		FUZZ_CHECK(strlen(dst) == vlen && memcmp(dst, val, vlen) == 0);
		FUZZ_CHECK(strlen(dst) < dstlen);
	} else
		FUZZ_CHECK(dst[0] == '\0');
	free(val);
	return rc;
}

static void
check_limit(const char *v, long long max)
{
	long long	 n = 0;
	const char	*p = v;
	int		 plain = 1;

	/* The API's error text promises "an integer from 1 to 200". */
	if (text_parse_int(v, 1, max, &n) == 0)
		FUZZ_CHECK(n >= 1 && n <= max);
	/* Every plain decimal in range passes; nothing else does. */
	if (*p == '\0')
		plain = 0;
	for (; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			plain = 0;
	if (plain && strlen(v) <= 18) {
		long long want = strtoll(v, NULL, 10);
		FUZZ_CHECK((text_parse_int(v, 1, max, &n) == 0) ==
		    (want >= 1 && want <= max));
	}
}

/* The search: folded as client_list.c folds it, then folded again. */
static void
check_q(const char *q)
{
	/* LIST_Q_MAX * 12 + 1 in client_list.c: "one character three". */
	char	 folded[LIST_Q_MAX * 12 + 1], twice[LIST_Q_MAX * 12 + 1];
	size_t	 cps;

	if (!fuzz_utf8_check(q, strlen(q), &cps) || cps > LIST_Q_MAX)
		return;
	/* A search the API accepted must never be one it cannot fold. */
	FUZZ_CHECK(collate_fold(q, folded, sizeof(folded)) == 0);
	FUZZ_CHECK(fuzz_utf8_check(folded, strlen(folded), NULL));
	FUZZ_CHECK(collate_fold(folded, twice, sizeof(twice)) == 0);
	FUZZ_CHECK(strcmp(folded, twice) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tabs[] = { "invitations", "onboarding",
	    "mine", "all" };
	static const char *const sorts[] = { "name", "-name",
	    "missing_receipts", "-missing_receipts" };
	char		*qs = fuzz_strndup(data, size);
	char		 v[64], q[LIST_Q_MAX * 4 + 1];
	char		 folded[LIST_Q_MAX * 12 + 1], fp[LIST_Q_MAX * 12 + 96];
	char		 cursor_text[CURSOR_TEXT_MAX + 1];
	struct cursor	 cur;
	long long	 n;
	size_t		 i;
	int		 rc, tab = 2, sort = 0, missing = 0;
	int64_t		 assignee = 0;

	if (get_checked(qs, "tab", v, sizeof(v)) == 1)
		for (i = 0; i < 4; i++)
			if (strcmp(v, tabs[i]) == 0)
				tab = (int)i;
	if (get_checked(qs, "sort", v, sizeof(v)) == 1)
		for (i = 0; i < 4; i++)
			if (strcmp(v, sorts[i]) == 0)
				sort = (int)i;
	if (get_checked(qs, "missing_receipts", v, sizeof(v)) == 1)
		missing = strcmp(v, "true") == 0;
	if (get_checked(qs, "limit", v, sizeof(v)) == 1)
		check_limit(v, LIST_MAX);
	if (get_checked(qs, "assignee", v, sizeof(v)) == 1 &&
	    text_parse_int(v, 1, INT64_MAX, &n) == 0) {
		FUZZ_CHECK(n >= 1);
		assignee = n;
	}
	if (get_checked(qs, "client_id", v, sizeof(v)) == 1 &&
	    text_parse_int(v, 1, INT64_MAX, &n) == 0)
		FUZZ_CHECK(n >= 1);
	rc = get_checked(qs, "q", q, sizeof(q));
	check_q(q);
	if (rc == 1 && text_utf8_length(q, strlen(q)) <= LIST_Q_MAX)
		FUZZ_CHECK(collate_fold(q, folded, sizeof(folded)) == 0);
	else
		FUZZ_CHECK(collate_fold("", folded, sizeof(folded)) == 0);

	/* The cursor continues only the query it came from. */
	rc = snprintf(fp, sizeof(fp), "%d|%d|%d|%lld|%s", tab, sort, missing,
	    (long long)assignee, folded);
	FUZZ_CHECK(rc > 0 && (size_t)rc < sizeof(fp));
	if (get_checked(qs, "cursor", cursor_text, sizeof(cursor_text)) == 1 &&
	    cursor_decode(cursor_text, &cur) == 0) {
		FUZZ_CHECK(cur.id > 0 && cur.count >= 0);
		(void)(cur.query == cursor_fingerprint(fp));
	}
	free(qs);
	return 0;
}
