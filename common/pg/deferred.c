/*
 * Statements a write transaction sends later: one whose caller needs no
 * answer but success (an insert of a reminder's recipient, a recorded
 * Idempotency-Key answer) waits, with a copy of its parameters, for the
 * transaction's next statement or its COMMIT, and goes in the same
 * round trip, in the order it was run. The server runs the statements
 * in that order all the same; only a failure is told later, by the call
 * that sent it, and fails the transaction as it would have.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "pg.h"

int
pg_defer(struct store *st, const struct pg_query *q,
    const struct pg_params *p, const char *what)
{
	struct pg_store		*pg = (struct pg_store *)st;
	struct pg_deferred	*d;
	size_t			 len[PG_PARAM_MAX], total = 0, off = 0;
	int			 i;

	if (pg->ndeferred == PG_DEFER_MAX &&
	    pg_run_steps(st, NULL, 0) != STORE_OK)
		return STORE_ERROR;
	d = &pg->deferred[pg->ndeferred];
	memset(d, 0, sizeof(*d));
	if (p != NULL) {
		d->par = *p;
		for (i = 0; i < p->n; i++) {
			len[i] = p->value[i] == NULL ? 0 : p->format[i] ?
			    (size_t)p->length[i] : strlen(p->value[i]) + 1;
			total += len[i];
		}
		/* One byte more: an empty bytea is a value, not NULL. */
		if ((d->data = malloc(total + 1)) == NULL) {
			log_warn("deferred statement");
			return STORE_ERROR;
		}
		for (i = 0; i < p->n; i++) {
			if (p->value[i] == NULL)
				continue;
			memcpy(d->data + off, p->value[i], len[i]);
			d->par.value[i] = d->data + off;
			off += len[i];
		}
	}
	d->step.q = q;
	d->step.p = p != NULL ? &d->par : NULL;
	d->step.what = what;
	pg->ndeferred++;
	return STORE_OK;
}

void
pg_deferred_clear(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;
	int		 i;

	for (i = 0; i < pg->ndeferred; i++) {
		PQclear(pg->deferred[i].step.res);
		free(pg->deferred[i].data);
	}
	pg->ndeferred = 0;
}
