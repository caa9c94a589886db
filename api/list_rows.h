/*
 * A page of the Clients list held until it is written: each row's id,
 * status and stored JSON (clients.list_json) taken during the store's
 * page walk, then what the rows gain read for the whole page at once
 * (the viewer's digest settings, the assignees a reminder would reach,
 * the month's figures) and each row written with them: its balance in
 * the firm's language, the caller's notification setting and the actions
 * the caller may take. A fixed number of reads a page, none a row.
 */
#ifndef API_LIST_ROWS_H
#define API_LIST_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/jsonw.h"
#include "../common/store_preference.h"
#include "http.h"
#include "month_figures.h"

struct list_row_ref {
	int64_t			 id;
	char			 status[16];
	size_t			 off, len;	/* its JSON in rows->json */
	int			 has_preference;
	struct preference	 preference;
	int			 has_recipient;	/* reminder_rule.h */
};

struct list_rows {
	struct request		*req;
	int			 month;		/* 0: no month= */
	struct buf		 json;
	struct list_row_ref	*v;
	size_t			 n, cap;
	struct month_figures	 figures;	/* the page's, by client */
	int			 figures_loaded;
};

/*
 * Ready for about rows rows in one allocation each: a page's buffers
 * grown by doubling were a dozen reallocations a request.
 */
void	list_rows_init(struct list_rows *, struct request *, int month,
	    size_t rows);
/* The bytes a row of the reply takes, about, for its buffer. */
#define LIST_ROW_REPLY_BYTES(month)	((month) != 0 ? 1024 : 640)
/* Keeps a row (json is copied). 0, or -1 out of memory. */
int	list_rows_add(struct list_rows *, int64_t id, const char *status,
	    const char *json, size_t len);
/*
 * Reads the month's figures of the rows kept so far, once. STORE_OK or
 * STORE_ERROR.
 */
int	list_rows_figures(struct list_rows *);
/* The expenses of the month of row id that miss a receipt. */
int64_t	list_rows_missing(const struct list_rows *, int64_t id);
/*
 * Reads what the kept rows gain and writes each into w, in the order
 * kept. 0, or -1 on a store error (logged; answer 500).
 */
int	list_rows_write(struct list_rows *, struct jsonw *w);
void	list_rows_cleanup(struct list_rows *);

#endif
