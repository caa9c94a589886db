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

#include "store.h"
#include "store_user.h"

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
