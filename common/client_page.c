/*
 * Bounded selection of the first rows of the list's order: a max-heap of
 * at most cap rows whose top is the last row of the page so far, so that a
 * row that comes before it replaces it in O(log cap).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client_page.h"

static int
key_bytes_cmp(const struct client_key *a, const struct client_key *b)
{
	size_t	 n = a->keylen < b->keylen ? a->keylen : b->keylen;
	int	 c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	return (a->keylen > b->keylen) - (a->keylen < b->keylen);
}

/* Name, then id: the order the list's indexes keep. */
static int
key_name_cmp(const struct client_key *a, const struct client_key *b)
{
	int	 c = key_bytes_cmp(a, b);

	return c != 0 ? c : (a->id > b->id) - (a->id < b->id);
}

int
client_key_cmp(enum client_sort sort, const struct client_key *a,
    const struct client_key *b)
{
	switch (sort) {
	case CLIENT_SORT_NAME_DESC:
		return key_name_cmp(b, a);
	case CLIENT_SORT_MISSING:
	case CLIENT_SORT_ATTENTION:
		if (a->missing != b->missing)
			return a->missing < b->missing ? -1 : 1;
		return key_name_cmp(a, b);
	case CLIENT_SORT_MISSING_DESC:
		/* Most missing first; ties still by name. */
		if (a->missing != b->missing)
			return a->missing > b->missing ? -1 : 1;
		return key_name_cmp(a, b);
	case CLIENT_SORT_NAME:
	default:
		return key_name_cmp(a, b);
	}
}

int
client_page_init(struct client_page *p, enum client_sort sort,
    const struct cursor *after, size_t cap)
{
	memset(p, 0, sizeof(*p));
	p->sort = sort;
	if (after != NULL) {
		if (after->keylen > sizeof(p->after.key))
			return -1;
		p->has_after = 1;
		p->after.id = after->id;
		p->after.missing = after->count;
		p->after.keylen = after->keylen;
		memcpy(p->after.key, after->key, after->keylen);
	}
	/*
	 * One more slot than the page: where a candidate is built. Not
	 * zeroed: no byte of a key past its length is ever read.
	 */
	if (cap == SIZE_MAX ||
	    (p->rows = reallocarray(NULL, cap + 1, sizeof(*p->rows))) == NULL)
		return -1;
	p->cap = cap;
	return 0;
}

static int
page_before(const struct client_page *p, size_t i, size_t j)
{
	return client_key_cmp(p->sort, &p->rows[i], &p->rows[j]) < 0;
}

static void
page_copy(struct client_key *to, const struct client_key *from)
{
	to->id = from->id;
	to->missing = from->missing;
	to->keylen = from->keylen;
	memcpy(to->key, from->key, from->keylen);
}

static void
page_swap(struct client_page *p, size_t i, size_t j)
{
	struct client_key	 t;

	page_copy(&t, &p->rows[i]);
	page_copy(&p->rows[i], &p->rows[j]);
	page_copy(&p->rows[j], &t);
}

/* Restores the heap below i, over rows[0..n): the latest row on top. */
static void
page_sift_down(struct client_page *p, size_t i, size_t n)
{
	size_t	 top, l, r;

	for (;;) {
		top = i;
		l = 2 * i + 1;
		r = l + 1;
		if (l < n && page_before(p, top, l))
			top = l;
		if (r < n && page_before(p, top, r))
			top = r;
		if (top == i)
			return;
		page_swap(p, i, top);
		i = top;
	}
}

static void
page_sift_up(struct client_page *p, size_t i)
{
	size_t	 parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!page_before(p, parent, i))
			return;
		page_swap(p, i, parent);
		i = parent;
	}
}

void
client_page_offer(struct client_page *p, int64_t id, int64_t missing,
    const void *key, size_t keylen)
{
	struct client_key	*c;

	p->offered++;
	if (p->cap == 0 || keylen > sizeof(p->rows[0].key))
		return;
	/* The candidate is built in the first free slot, or the spare. */
	c = &p->rows[p->n];
	c->id = id;
	c->missing = missing;
	c->keylen = keylen;
	memcpy(c->key, key, keylen);
	if (p->has_after && client_key_cmp(p->sort, c, &p->after) <= 0)
		return;
	if (p->n < p->cap) {
		page_sift_up(p, p->n++);
		return;
	}
	/* Full: it takes the place of the page's last row if before it. */
	if (client_key_cmp(p->sort, c, &p->rows[0]) >= 0)
		return;
	page_copy(&p->rows[0], c);
	page_sift_down(p, 0, p->n);
}

void
client_page_sort(struct client_page *p)
{
	size_t	 n;

	/* Heapsort: the latest row goes to the end, then the next. */
	for (n = p->n; n > 1; n--) {
		page_swap(p, 0, n - 1);
		page_sift_down(p, 0, n - 1);
	}
}

void
client_page_cleanup(struct client_page *p)
{
	free(p->rows);
	p->rows = NULL;
	p->n = p->cap = 0;
}
