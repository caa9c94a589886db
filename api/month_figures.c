/*
 * A client's monthly figures as the overview and the list show them.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/money.h"
#include "../common/store.h"
#include "../common/text.h"
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

/* Room for text_u64_before()'s 20 digits twice, a '-' and a NUL. */
#define MONTH_NAME_BUF	48

/* By client, then by currency: the order month_figures_of() seeks in. */
static int
month_figures_cmp(const void *a, const void *b)
{
	const struct expense_month	*x = a, *y = b;
	int				 c;

	if ((c = text_id_cmp(&x->client_id, &y->client_id)) != 0)
		return c;
	return strcmp(x->currency, y->currency);
}

int
month_figures_load_of(struct store *st, const int64_t *ids, size_t n,
    int month, struct month_figures *f)
{
	size_t	 i;
	int	 rc;

	f->n = 0;
	if ((rc = store_expense_months_of(st, ids, n, month,
	    month_figures_add, f)) != STORE_OK)
		return rc;
	/* The store gives that order; a row out of it would go unseen. */
	for (i = 1; i < f->n; i++)
		if (month_figures_cmp(&f->rows[i - 1], &f->rows[i]) > 0) {
			qsort(f->rows, f->n, sizeof(*f->rows),
			    month_figures_cmp);
			break;
		}
	return STORE_OK;
}

void
month_figures_of(const struct month_figures *f, int64_t id,
    struct month_figures *view)
{
	size_t	 lo = 0, hi = f->n, mid;

	/* The first row of id, or past it: the rows come by client id. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f->rows[mid].client_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	memset(view, 0, sizeof(*view));
	view->rows = f->rows + lo;
	while (lo + view->n < f->n && f->rows[lo + view->n].client_id == id)
		view->n++;
	view->cap = view->n;
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

/*
 * "2026-11" of 202611 at the end of buf, without printf: a page writes
 * one a row. Where it starts.
 */
static const char *
month_figures_name(int month, char buf[MONTH_NAME_BUF])
{
	char	*p = buf + MONTH_NAME_BUF - 1;

	*p = '\0';
	p = text_u64_before(p, (uint64_t)(month % 100), 2);
	*--p = '-';
	return text_u64_before(p, (uint64_t)(month / 100), 4);
}

void
month_figures_write(struct jsonw *w, const struct month_figures *f,
    int month)
{
	char		 buf[MONTH_NAME_BUF];
	const char	*name = month_figures_name(month, buf);
	int64_t		 missing = month_figures_missing(f, month);
	size_t		 i;

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

void
month_figures_csv_header(struct csv *csv)
{
	csv_string(csv, "month");
	csv_string(csv, "month_missing_receipts");
	csv_string(csv, "month_exported");
	csv_string(csv, "month_exported_amount");
	csv_string(csv, "month_ready");
	csv_string(csv, "month_ready_amount");
	csv_string(csv, "month_pending");
	csv_string(csv, "month_pending_amount");
	csv_string(csv, "month_other_amounts");
}

/* "ready 12.50 EUR": an amount of a currency other than the client's. */
static void
month_figures_other(struct csv *csv, struct buf *cell, enum month_state s,
    const struct expense_month *m, int64_t minor)
{
	char	 text[MONEY_DECIMAL_MAX];

	if (money_decimal(minor, m->currency, text, sizeof(text)) == -1 ||
	    (cell->len > 0 && buf_add(cell, "; ", 2) == -1) ||
	    buf_printf(cell, "%s %s %s", month_state_names[s], text,
	    m->currency) == -1)
		csv->error = 1;
}

void
month_figures_csv(struct csv *csv, const struct month_figures *f,
    int month, const char *currency, struct buf *cell)
{
	char	 buf[MONTH_NAME_BUF], text[MONEY_DECIMAL_MAX];
	int64_t	 count, minor, total, own;
	size_t	 i;
	int	 s;

	csv_string(csv, month_figures_name(month, buf));
	csv_int(csv, month_figures_missing(f, month));
	buf_reset(cell);
	for (s = MONTH_EXPORTED; s <= MONTH_PENDING; s++) {
		total = own = 0;
		for (i = 0; i < f->n; i++) {
			if (f->rows[i].month != month)
				continue;
			month_state_of(&f->rows[i], (enum month_state)s, &count,
			    &minor);
			total += count;
			if (currency != NULL &&
			    strcmp(f->rows[i].currency, currency) == 0)
				own += minor;
			else if (count != 0)
				month_figures_other(csv, cell,
				    (enum month_state)s, &f->rows[i], minor);
		}
		csv_int(csv, total);
		/* Without a currency of its own, every amount is "other". */
		if (currency != NULL && money_decimal(own, currency, text,
		    sizeof(text)) == 0)
			csv_number(csv, text);
		else
			csv_empty(csv);
	}
	csv_text(csv, cell->data != NULL ? cell->data : "", cell->len);
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
