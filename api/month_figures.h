/*
 * A client's monthly figures (store_expense_months()) as the API shows
 * them: a month's exported, ready and pending expenses, their amounts
 * per currency and how many lack a receipt. Shared by the overview and
 * the list's month= rows, so both say the same.
 */
#ifndef API_MONTH_FIGURES_H
#define API_MONTH_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/csv.h"
#include "../common/jsonw.h"
#include "../common/store_expense.h"
#include "http.h"

/* Months back a figure may be asked for: this one and the 11 before. */
#define MONTH_FIGURES_BACK	12

struct month_figures {
	struct expense_month	*rows;	/* newest month first */
	size_t			 n, cap;
};

/*
 * Loads the client's rows of months from..to (year * 100 + month) into
 * f, emptied first. STORE_OK or STORE_ERROR.
 */
int	month_figures_load(struct store *, int64_t client_id, int from,
	    int to, struct month_figures *f);
/*
 * Loads month's rows of the n clients of ids (up to
 * EXPENSE_MONTHS_OF_MAX) into f, emptied first, in one query, by client
 * id. STORE_OK or STORE_ERROR.
 */
int	month_figures_load_of(struct store *, const int64_t *ids, size_t n,
	    int month, struct month_figures *f);
/*
 * The rows of client id in f, which month_figures_load_of() loaded, as
 * a view: its rows are f's (free f, never the view).
 */
void	month_figures_of(const struct month_figures *f, int64_t id,
	    struct month_figures *view);
/* The expenses of month in f's rows that miss a receipt. */
int64_t	month_figures_missing(const struct month_figures *f, int month);
/* Writes month's object from f's rows: zeros when it has none. */
void	month_figures_write(struct jsonw *, const struct month_figures *f,
	    int month);
void	month_figures_free(struct month_figures *);

/*
 * The CSV export's month columns (openapi.yaml, listClients): their
 * headers, and the cells of one client's rows f of month. An amount
 * cell is in currency, the client's own (its balance's); the amounts
 * of other currencies go, as text, into the last cell. cell is scratch
 * space.
 */
void	month_figures_csv_header(struct csv *);
void	month_figures_csv(struct csv *, const struct month_figures *f,
	    int month, const char *currency, struct buf *cell);

/*
 * The current month in the caller's firm's zone, and the oldest one a
 * figure may be asked for. -1 after a 500.
 */
int	month_figures_now_or_reply(struct request *, int *now, int *oldest);
/*
 * Reads "YYYY-MM" into year * 100 + month; -1 when it is not one.
 */
int	month_figures_parse(const char *, int *month);

#endif
