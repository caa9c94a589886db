/*
 * Growable text buffer with a mandatory maximum size, so that no output
 * built from input can grow without bound (after curl's dynbuf).
 */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;		/* always NUL-terminated once non-NULL */
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* appends past this fail */
};

/* The caller provides the struct; buf_cleanup() frees what it holds. */
void	buf_init(struct buf *, size_t max);
void	buf_cleanup(struct buf *);
void	buf_reset(struct buf *);

/* Each returns 0, or -1 when out of memory or past max (buf unchanged). */
int	buf_add(struct buf *, const void *, size_t);
int	buf_adds(struct buf *, const char *);
/* Makes room for n more bytes at once (fewer reallocations). */
int	buf_reserve(struct buf *, size_t n);
int	buf_addc(struct buf *, char);
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* Hands the text to the caller, who frees it; the buf is left empty. */
char	*buf_steal(struct buf *, size_t *lenp);

#endif
