/*
 * Unit tests for common/client_page.h: picking a page of the Clients list
 * from rows offered in any order must give exactly the rows, in exactly
 * the order, that walking the fully sorted list from the cursor gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/client_page.h"

#define N_ROWS	300

static const enum client_sort sorts[] = { CLIENT_SORT_NAME,
    CLIENT_SORT_NAME_DESC, CLIENT_SORT_MISSING, CLIENT_SORT_MISSING_DESC };

/* Short keys from a small alphabet: many ties, many prefixes. */
static void
random_rows(struct client_key *rows, size_t n, unsigned *seed)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].id = (int64_t)i + 1;
		rows[i].missing = rand_r(seed) % 4;
		rows[i].keylen = (size_t)(rand_r(seed) % 4);
		for (j = 0; j < rows[i].keylen; j++)
			rows[i].key[j] = (uint8_t)(rand_r(seed) % 3);
	}
}

static enum client_sort	sort_for_qsort;

static int
qsort_cmp(const void *a, const void *b)
{
	return client_key_cmp(sort_for_qsort, a, b);
}

/* The page as the sorted list gives it: the first cap rows after. */
static size_t
reference_page(struct client_key *sorted, size_t n, enum client_sort sort,
    const struct client_key *after, size_t cap, size_t *first)
{
	size_t	 i = 0;

	sort_for_qsort = sort;
	qsort(sorted, n, sizeof(*sorted), qsort_cmp);
	if (after != NULL)
		while (i < n && client_key_cmp(sort, &sorted[i], after) <= 0)
			i++;
	*first = i;
	return n - i < cap ? n - i : cap;
}

static void
to_cursor(const struct client_key *k, struct cursor *c)
{
	memset(c, 0, sizeof(*c));
	c->id = k->id;
	c->count = k->missing;
	c->keylen = k->keylen;
	memcpy(c->key, k->key, k->keylen);
}

static void
check_page(struct client_key *rows, size_t n, enum client_sort sort,
    const struct client_key *after, size_t cap)
{
	static struct client_key sorted[N_ROWS];
	struct client_page	 p;
	struct cursor		 cur;
	size_t			 i, first, want;

	if (after != NULL)
		to_cursor(after, &cur);
	assert_int_equal(client_page_init(&p, sort, after ? &cur : NULL,
	    cap), 0);
	for (i = 0; i < n; i++)
		client_page_offer(&p, rows[i].id, rows[i].missing,
		    rows[i].key, rows[i].keylen);
	client_page_sort(&p);
	memcpy(sorted, rows, n * sizeof(*rows));
	want = reference_page(sorted, n, sort, after, cap, &first);
	assert_int_equal(p.offered, (int64_t)n);
	assert_int_equal(p.n, want);
	for (i = 0; i < want; i++) {
		assert_int_equal(p.rows[i].id, sorted[first + i].id);
		assert_int_equal(p.rows[i].missing, sorted[first + i].missing);
	}
	client_page_cleanup(&p);
}

static void
test_first_pages(void **state)
{
	static struct client_key rows[N_ROWS];
	unsigned		 seed = 1;
	size_t			 s, caps[] = { 1, 2, 7, 51, 201, N_ROWS + 5 };
	size_t			 c;

	(void)state;
	random_rows(rows, N_ROWS, &seed);
	for (s = 0; s < 4; s++)
		for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++)
			check_page(rows, N_ROWS, sorts[s], NULL, caps[c]);
}

static void
test_pages_after_cursor(void **state)
{
	static struct client_key rows[N_ROWS];
	unsigned		 seed = 7;
	size_t			 s, i;

	(void)state;
	random_rows(rows, N_ROWS, &seed);
	for (s = 0; s < 4; s++)
		for (i = 0; i < N_ROWS; i += 13)
			check_page(rows, N_ROWS, sorts[s], &rows[i], 51);
}

/* Walking page by page visits every row once, in order. */
static void
test_walk_visits_every_row_once(void **state)
{
	static struct client_key rows[N_ROWS];
	static int		 seen[N_ROWS + 1];
	unsigned		 seed = 42;
	struct client_page	 p;
	struct client_key	 last;
	struct cursor		 cur;
	size_t			 s, i, total;

	(void)state;
	random_rows(rows, N_ROWS, &seed);
	for (s = 0; s < 4; s++) {
		memset(seen, 0, sizeof(seen));
		total = 0;
		for (;;) {
			assert_int_equal(client_page_init(&p, sorts[s],
			    total ? &cur : NULL, 17), 0);
			for (i = 0; i < N_ROWS; i++)
				client_page_offer(&p, rows[i].id,
				    rows[i].missing, rows[i].key,
				    rows[i].keylen);
			client_page_sort(&p);
			for (i = 0; i < p.n; i++) {
				assert_int_equal(seen[p.rows[i].id], 0);
				seen[p.rows[i].id] = 1;
				if (total > 0 || i > 0)
					assert_true(client_key_cmp(sorts[s],
					    &last, &p.rows[i]) < 0);
				last = p.rows[i];
				total++;
			}
			i = p.n;
			client_page_cleanup(&p);
			if (i == 0)
				break;
			to_cursor(&last, &cur);
		}
		assert_int_equal(total, N_ROWS);
	}
}

static void
test_order_of_each_sort(void **state)
{
	struct client_key	 a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.id = 1;
	a.missing = 5;
	a.keylen = 1;
	a.key[0] = 'b';
	b.id = 2;
	b.missing = 1;
	b.keylen = 2;
	b.key[0] = 'b';
	b.key[1] = 'a';
	/* A key is before the longer keys it starts. */
	assert_true(client_key_cmp(CLIENT_SORT_NAME, &a, &b) < 0);
	assert_true(client_key_cmp(CLIENT_SORT_NAME_DESC, &a, &b) > 0);
	assert_true(client_key_cmp(CLIENT_SORT_MISSING, &a, &b) > 0);
	assert_true(client_key_cmp(CLIENT_SORT_MISSING_DESC, &a, &b) < 0);
	/* Ties in name go by id, in every order. */
	b = a;
	b.id = 9;
	assert_true(client_key_cmp(CLIENT_SORT_NAME, &a, &b) < 0);
	assert_true(client_key_cmp(CLIENT_SORT_MISSING_DESC, &a, &b) < 0);
	assert_int_equal(client_key_cmp(CLIENT_SORT_MISSING, &a, &a), 0);
}

static void
test_oversized_cursor_refused(void **state)
{
	struct client_page	 p;
	struct cursor		 cur;

	(void)state;
	memset(&cur, 0, sizeof(cur));
	cur.keylen = COLLATE_KEY_MAX + 1;
	assert_int_equal(client_page_init(&p, CLIENT_SORT_NAME, &cur, 5), -1);
	client_page_cleanup(&p);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_order_of_each_sort),
		cmocka_unit_test(test_first_pages),
		cmocka_unit_test(test_pages_after_cursor),
		cmocka_unit_test(test_walk_visits_every_row_once),
		cmocka_unit_test(test_oversized_cursor_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
