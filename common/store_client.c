/*
 * Clients above the backends: what a client's name gives every backend
 * to keep (its ICU sort key and folded search text), its times, and the
 * calls on clients and their list, through the backend. The backends are
 * common/<backend>/client.c and client_list.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collate.h"
#include "log.h"
#include "org_number.h"
#include "store_backend.h"

void
client_cleanup(struct client *c)
{
	free(c->list_json);
	c->list_json = NULL;
}

int
client_sort_key(const char *locale, const char *name, uint8_t *key,
    size_t *keylen)
{
	return collate_sort_key(locale, name, key, COLLATE_KEY_MAX, keylen);
}

/*
 * What the list keeps of a client's name: its sort key in the firm's
 * locale, and the folded "name\norg_number" a search looks inside, with
 * the number also as people write it ("556012-5790" for 5560125790).
 */
static int
client_keys(const char *locale, const struct client *c,
    struct client_keys *k)
{
	char		 raw[CLIENT_SEARCH_TEXT_MAX], written[CLIENT_ORG_MAX + 4];
	const char	*w;
	int		 n;

	w = org_number_written(c->country, c->org_number, written,
	    sizeof(written));
	n = snprintf(raw, sizeof(raw), "%s\n%s%s%s", c->name, c->org_number,
	    w != NULL ? "\n" : "", w != NULL ? w : "");
	if (n < 0 || (size_t)n >= sizeof(raw) ||
	    client_sort_key(locale, c->name, k->sort_key,
	    &k->sort_key_len) == -1 ||
	    collate_fold(raw, k->search, sizeof(k->search)) == -1) {
		log_warnx("cannot compute the keys of a client name");
		return -1;
	}
	return 0;
}

int
store_client_create(struct store *st, const char *locale, struct client *c)
{
	struct client_keys	 k;

	if (client_keys(locale, c, &k) == -1)
		return STORE_ERROR;
	c->created_at = c->updated_at = store_now();
	if (c->currency[0] == '\0')
		memcpy(c->currency, "SEK", 4);
	return st->be->client_create(st, &k, c);
}

int
store_client_get_visible(struct store *st, const struct user *viewer,
    int64_t id, struct client *out)
{
	return st->be->client_get_visible(st, viewer, id, out);
}

int
store_client_get_to_change(struct store *st, const struct user *viewer,
    int64_t id, struct client *out)
{
	return st->be->client_get_to_change(st, viewer, id, out);
}

int
store_client_transition(struct store *st, int64_t id, const char *from,
    const char *to)
{
	return st->be->client_transition(st, id, from, to);
}

int
store_client_update(struct store *st, const char *locale, struct client *c)
{
	struct client_keys	 k;

	if (client_keys(locale, c, &k) == -1)
		return STORE_ERROR;
	c->updated_at = store_now();
	return st->be->client_update(st, &k, c);
}

int
store_client_find(struct store *st, int64_t partner_id, const char *org_key,
    const char *ref, int64_t *id)
{
	return st->be->client_find(st, partner_id, org_key, ref, id);
}

int
store_client_set_balance(struct store *st, int64_t id, int64_t amount,
    const char *currency)
{
	return st->be->client_set_balance(st, id, amount, currency);
}


int
store_client_list(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total,
    int *at_least)
{
	int	 rc;

	*total = 0;
	*at_least = 0;
	/* A backend may count a search's matches only up to one past it. */
	rc = st->be->client_list(st, q, fn, arg, total);
	if (q->q[0] != '\0' && *total > CLIENT_SEARCH_COUNT_MAX) {
		*total = CLIENT_SEARCH_COUNT_MAX;
		*at_least = 1;
	}
	return rc;
}
int
client_search_trigrams(const char *q)
{
	int	 chars = 0;

	for (; *q != '\0'; q++)
		if (((unsigned char)*q & 0xc0) != 0x80)
			chars++;
	return chars >= 3;
}

int
store_client_status_count(struct store *st, int64_t partner_id,
    int64_t user_id, const char *status, unsigned alerts, int64_t *count)
{
	return st->be->client_status_count(st, partner_id, user_id, status,
	    alerts, count);
}

int
store_client_page_facts(struct store *st, int64_t viewer_id,
    const int64_t *ids, size_t n,
    int (*fn)(const struct client_page_fact *, void *), void *arg)
{
	if (n == 0)
		return STORE_OK;
	if (n > CLIENT_LIST_MAX)
		return STORE_ERROR;
	return st->be->client_page_facts(st, viewer_id, ids, n, fn, arg);
}

int
store_client_search_tidy(struct store *st, int pages, int *merged)
{
	return st->be->client_search_tidy(st, pages, merged);
}
