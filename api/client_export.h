/*
 * The Clients list as a spreadsheet: GET /v1/clients with format=csv or
 * an Accept that prefers text/csv streams the whole list, in the list's
 * order and under its access rules, as CSV.
 */
#ifndef API_CLIENT_EXPORT_H
#define API_CLIENT_EXPORT_H

#include "../common/store_client.h"
#include "http.h"

/*
 * Whether the request asks for CSV: format=csv, or, without format, an
 * Accept that weighs text/csv above application/json (a tie, "*" "/" "*"
 * or no Accept keeps JSON). A CSV export is not paged: a cursor or a
 * limit with it is refused. Sets *csv; 0, or -1 after answering 400.
 */
int	client_export_wanted_or_reply(struct request *, int *csv);

/*
 * Answers with every row of the list q selects (its limit and after are
 * ignored), from the dispatcher's read: the first page is read in that
 * snapshot, which then ends; each later page is a read of its own.
 * month (year * 100 + month, or 0) adds that month's figures to each row.
 */
void	client_export(struct request *, const struct client_query *q,
	    int month);

#endif
