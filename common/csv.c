/*
 * RFC 4180 fields and records, written straight into the caller's buffer.
 */
#include <string.h>

#include "csv.h"
#include "text.h"

void
csv_init(struct csv *c, struct buf *b)
{
	c->b = b;
	c->error = 0;
	c->fields = 0;
}

static void
csv_add(struct csv *c, const char *s, size_t len)
{
	if (!c->error && buf_add(c->b, s, len) == -1)
		c->error = 1;
}

void
csv_bom(struct csv *c)
{
	csv_add(c, "\xef\xbb\xbf", 3);
}

/* The comma before every field of a record but the first. */
static void
csv_field_start(struct csv *c)
{
	if (c->fields++ > 0)
		csv_add(c, ",", 1);
}

/*
 * Whether a spreadsheet would take a cell that starts with ch for a
 * formula, or for the start of one (a tab or a CR before the '=').
 */
static int
csv_formula_start(char ch)
{
	switch (ch) {
	case '=':
	case '+':
	case '-':
	case '@':
	case '\t':
	case '\r':
		return 1;
	}
	return 0;
}

void
csv_text(struct csv *c, const char *s, size_t len)
{
	size_t	 i, from;
	int	 quote = 0;

	csv_field_start(c);
	for (i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
		    s[i] == '\n';
	if (quote)
		csv_add(c, "\"", 1);
	if (len > 0 && csv_formula_start(s[0]))
		csv_add(c, "'", 1);
	/* Runs between the bytes that need care, each appended at once. */
	for (from = i = 0; i < len; i++) {
		if (s[i] != '"' && s[i] != '\0')
			continue;
		csv_add(c, s + from, i - from);
		if (s[i] == '"')
			csv_add(c, "\"\"", 2);
		from = i + 1;
	}
	csv_add(c, s + from, len - from);
	if (quote)
		csv_add(c, "\"", 1);
}

void
csv_string(struct csv *c, const char *s)
{
	csv_text(c, s, strlen(s));
}

/* -?digits(.digits)?: what a spreadsheet reads as a number. */
static int
csv_is_number(const char *s)
{
	size_t	 digits;

	if (*s == '-')
		s++;
	if ((digits = strspn(s, "0123456789")) == 0)
		return 0;
	s += digits;
	if (*s == '.') {
		s++;
		if ((digits = strspn(s, "0123456789")) == 0)
			return 0;
		s += digits;
	}
	return *s == '\0';
}

void
csv_number(struct csv *c, const char *s)
{
	csv_field_start(c);
	if (!csv_is_number(s)) {
		c->error = 1;
		return;
	}
	csv_add(c, s, strlen(s));
}

void
csv_int(struct csv *c, int64_t v)
{
	char	 text[24], *p;

	/* Through unsigned, so that INT64_MIN has a magnitude too. */
	p = text_u64_before(text + sizeof(text), v < 0 ?
	    (uint64_t)0 - (uint64_t)v : (uint64_t)v, 1);
	if (v < 0)
		*--p = '-';
	csv_field_start(c);
	csv_add(c, p, (size_t)(text + sizeof(text) - p));
}

void
csv_empty(struct csv *c)
{
	csv_field_start(c);
}

void
csv_record_end(struct csv *c)
{
	csv_add(c, "\r\n", 2);
	c->fields = 0;
}
