/*
 * HTML escaping of text and attribute values.
 */
#include "html.h"

int
html_add(struct buf *b, const char *s, int br)
{
	const char	*rep;
	int		 rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '\n':
			rep = br ? "<br>\n" : "\n";
			break;
		default:
			rep = NULL;
			break;
		}
		rc = rep != NULL ? buf_adds(b, rep) : buf_addc(b, *s);
	}
	return rc;
}
