/*
 * The SQLite side of the store, for the store modules (common/store*.c)
 * alone: the connection behind struct store, its cache of prepared
 * statements, and the helpers the modules share to step and read them.
 * Nothing outside common/store*.c includes this file.
 */
#ifndef COMMON_STORE_SQLITE_H
#define COMMON_STORE_SQLITE_H

#include <sqlite3.h>
#include <stddef.h>

#include "../store.h"
#include "../store_user.h"

#define STORE_STMT_MAX	256

struct store {
	sqlite3		*db;
	struct {
		const char	*sql;	/* a string literal: compared by address */
		sqlite3_stmt	*stmt;
	}		 cache[STORE_STMT_MAX];
	int		 n_cached;
	int		 writing;	/* holds the process's write turn */
	int		 reading;	/* depth of nested read transactions */
	int		 joined;	/* inside store_begin_request's */
	int		 busy;		/* a call met SQLITE_BUSY or _LOCKED */
};

/*
 * Returns the prepared statement for sql (a string literal), prepared on
 * first use and reset with no bindings. NULL on error, logged. The caller
 * must store_reset() it before returning, on every path.
 */
sqlite3_stmt	*store_stmt(struct store *, const char *sql);
void		 store_reset(sqlite3_stmt *);
/*
 * Runs a statement that returns no rows, then resets it. STORE_OK, or
 * STORE_ERROR logged with what. sqlite3_changes() still counts its rows.
 */
int		 store_step_done(struct store *, sqlite3_stmt *,
		    const char *what);
/*
 * store_step_done() for an INSERT that a unique key may refuse:
 * STORE_CONFLICT then, not logged.
 */
int		 store_step_unique(struct store *, sqlite3_stmt *,
		    const char *what);

/*
 * The row readers of the three below, row(stmt, arg), read the current
 * row into arg; its columns last only until the next step or reset. A
 * reader returns 0, or -1 to stop: it logs what it found wrong itself,
 * and a caller's callback that asked to stop needs no log.
 */

/*
 * Steps stmt to its end, calling row for each row. STORE_OK; STORE_ERROR
 * when row returns -1 (no log here) or a step fails (logged with what).
 * Resets stmt on every path, so row must copy what it keeps.
 */
int		 store_rows(struct store *, sqlite3_stmt *, const char *what,
		    int (*row)(sqlite3_stmt *, void *), void *arg);
/*
 * Steps stmt once and reads its first row with row (NULL: only whether
 * there is one). STORE_OK; STORE_NOTFOUND when there is none; STORE_ERROR
 * when row returns -1 (no log here) or the step fails (logged with what).
 * Resets stmt on every path; rows after the first are never stepped.
 */
int		 store_row(struct store *, sqlite3_stmt *, const char *what,
		    int (*row)(sqlite3_stmt *, void *), void *arg);
/*
 * store_row() for a statement that answers one row and ends (INSERT or
 * UPDATE ... RETURNING): a further step that is not the end is a
 * STORE_ERROR, logged with what. Resets stmt on every path.
 */
int		 store_row_only(struct store *, sqlite3_stmt *,
		    const char *what, int (*row)(sqlite3_stmt *, void *),
		    void *arg);

/* Logs the connection's last error with a context word. */
void		 store_log_error(struct store *, const char *what);

/* Copies a text column into dst (always NUL-terminated); -1 if cut. */
int		 store_column_text(sqlite3_stmt *, int col, char *dst,
		    size_t dstlen);

/* The columns store_user_each() reads, first in a statement, in order. */
#define STORE_USER_ROW	"u.id, u.partner_id, u.email, u.name, u.role, u.active"

/*
 * Steps stmt, whose first columns are STORE_USER_ROW, calling fn with each
 * user (no password hash); stops at fn's -1. Resets stmt.
 */
int	store_user_each(struct store *, sqlite3_stmt *stmt, const char *what,
	    int (*fn)(const struct user *, void *), void *arg);

#endif
