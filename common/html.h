/*
 * Text placed into HTML: the one escaper of the emails' HTML bodies and
 * the API's few HTML pages.
 */
#ifndef COMMON_HTML_H
#define COMMON_HTML_H

#include "buf.h"

/*
 * Appends s escaped for HTML text and for quoted attribute values
 * (& < > " '); with br, line breaks become <br> so that a multi-line
 * text keeps its lines. 0 or -1.
 */
int	html_add(struct buf *, const char *s, int br);

#endif
