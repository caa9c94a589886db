/*
 * A CSV writer into a struct buf, for spreadsheet exports: RFC 4180
 * records (CRLF line ends, a field with a comma, a quote, CR or LF
 * quoted, quotes doubled), a UTF-8 byte order mark so that Excel reads
 * the text as UTF-8, and cells of user text that a spreadsheet would run
 * as a formula neutralised. Errors stick, as with struct jsonw: one check
 * at the end covers every call.
 */
#ifndef COMMON_CSV_H
#define COMMON_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct csv {
	struct buf	*b;
	int		 error;		/* set by any failed append */
	int		 fields;	/* written in the record so far */
};

/* Writes into b, which the caller owns; the writer holds nothing. */
void	csv_init(struct csv *, struct buf *b);
/* The UTF-8 byte order mark: once, before the first record. */
void	csv_bom(struct csv *);

/*
 * A field of text that a user or an integrator wrote (a name). One that
 * starts with '=', '+', '-', '@', a tab or a CR gets a leading "'", so
 * that Excel, LibreOffice and Google Sheets show it as text instead of
 * running it as a formula (OWASP, "CSV Injection"). s is UTF-8 of len
 * bytes; NUL bytes are left out.
 */
void	csv_text(struct csv *, const char *s, size_t len);
/* csv_text() of a NUL-terminated string. */
void	csv_string(struct csv *, const char *s);
/*
 * A number the program wrote ("-1250.50"): as it is, never neutralised.
 * It is no user text, and a leading "'" would turn a negative balance
 * into text that a spreadsheet cannot add up. s must be a number made of
 * digits, one '.' and a leading '-'; anything else is an error.
 */
void	csv_number(struct csv *, const char *s);
void	csv_int(struct csv *, int64_t);
/* An empty field (a value the row does not have). */
void	csv_empty(struct csv *);
/* Ends the record: CRLF. */
void	csv_record_end(struct csv *);

#endif
