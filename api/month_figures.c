/*
 * A client's monthly figures as the overview and the list show them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/store.h"
#include "../common/tz.h"
#include "client_load.h"
#include "month_figures.h"

static int
month_figures_add(const struct expense_month *m, void *arg)
{
	struct month_figures	*f = arg;
	struct expense_month	*rows;
	size_t			 cap;

	if (f->n == f->cap) {
		cap = f->cap == 0 ? 8 : f->cap * 2;
		if ((rows = reallocarray(f->rows, cap, sizeof(*rows))) ==
		    NULL) {
			log_warn("reallocarray");
			return -1;
		}
		f->rows = rows;
		f->cap = cap;
	}
	f->rows[f->n++] = *m;
	return 0;
}

int
month_figures_load(struct store *st, int64_t client_id, int from, int to,
    struct month_figures *f)
{
	f->n = 0;
	return store_expense_months(st, client_id, from, to,
	    month_figures_add, f);
}

int
month_figures_load_page(struct store *st, const int64_t *ids, size_t n,
    int month, struct month_figures *f)
{
	f->n = 0;
	return store_expense_months_of(st, ids, n, month, month,
	    month_figures_add, f);
}

void
month_figures_of(const struct month_figures *f, int64_t client_id,
    struct month_figures *view)
{
	size_t	 i = 0;

	memset(view, 0, sizeof(*view));
	if (f->n == 0)
		return;
	while (i < f->n && f->rows[i].client_id != client_id)
		i++;
	view->rows = f->rows + i;
	while (i + view->n < f->n && f->rows[i + view->n].client_id ==
	    client_id)
		view->n++;
}

void
month_figures_free(struct month_figures *f)
{
	free(f->rows);
	memset(f, 0, sizeof(*f));
}

enum month_state {
	MONTH_EXPORTED,
	MONTH_READY,
	MONTH_PENDING
};

static const char *const month_state_names[] = {
	"exported", "ready", "pending"
};

/* A row's count and sum of one export state. */
static void
month_state_of(const struct expense_month *m, enum month_state s,
    int64_t *count, int64_t *minor)
{
	switch (s) {
	case MONTH_EXPORTED:
		*count = m->exported;
		*minor = m->exported_minor;
		break;
	case MONTH_READY:
		*count = m->ready;
		*minor = m->ready_minor;
		break;
	case MONTH_PENDING:
		*count = m->pending;
		*minor = m->pending_minor;
		break;
	}
}

/* One export state: its count over the month, and a sum per currency. */
static void
month_figures_state(struct jsonw *w, const struct month_figures *f,
    int month, enum month_state s)
{
	int64_t	 count, minor, total = 0;
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		if (f->rows[i].month != month)
			continue;
		month_state_of(&f->rows[i], s, &count, &minor);
		total += count;
	}
	jsonw_object_open(w);
	jsonw_key(w, "count");
	jsonw_int(w, total);
	jsonw_key(w, "amounts");
	jsonw_array_open(w);
	for (i = 0; i < f->n; i++) {
		if (f->rows[i].month != month)
			continue;
		month_state_of(&f->rows[i], s, &count, &minor);
		/* A currency with none in this state says nothing. */
		if (count == 0)
			continue;
		jsonw_object_open(w);
		jsonw_key(w, "amount_minor");
		jsonw_int(w, minor);
		jsonw_key(w, "currency");
		jsonw_string(w, f->rows[i].currency);
		jsonw_object_close(w);
	}
	jsonw_array_close(w);
	jsonw_object_close(w);
}

int64_t
month_figures_missing(const struct month_figures *f, int month)
{
	int64_t	 missing = 0;
	size_t	 i;

	for (i = 0; i < f->n; i++)
		if (f->rows[i].month == month)
			missing += f->rows[i].missing_receipts;
	return missing;
}

void
month_figures_write(struct jsonw *w, const struct month_figures *f,
    int month)
{
	char	 name[16];
	int64_t	 missing = month_figures_missing(f, month);
	size_t	 i;

	(void)snprintf(name, sizeof(name), "%04d-%02d", month / 100,
	    month % 100);
	jsonw_object_open(w);
	jsonw_key(w, "month");
	jsonw_string(w, name);
	jsonw_key(w, "missing_receipts");
	jsonw_int(w, missing);
	for (i = 0; i < 3; i++) {
		jsonw_key(w, month_state_names[i]);
		month_figures_state(w, f, month, (enum month_state)i);
	}
	jsonw_object_close(w);
}

int
month_figures_now_or_reply(struct request *req, int *now, int *oldest)
{
	struct partner	 firm;

	if (firm_or_reply(req, &firm) == -1)
		return -1;
	if ((*now = tz_month(firm.timezone, store_now())) == -1) {
		log_warnx("firm %lld: no month in zone %s",
		    (long long)firm.id, firm.timezone);
		return reply_internal_error(req);
	}
	*oldest = tz_month_add(*now, -(MONTH_FIGURES_BACK - 1));
	return 0;
}

int
month_figures_parse(const char *s, int *month)
{
	int	 i, y = 0, m;

	if (strlen(s) != 7 || s[4] != '-')
		return -1;
	for (i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (y < 1 || m < 1 || m > 12)
		return -1;
	*month = y * 100 + m;
	return 0;
}
