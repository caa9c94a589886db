/*
 * Checks of request values shared by resources (a balance's and an
 * expense's currency).
 */
#include <string.h>

#include "input.h"

int
input_currency_valid(const char *s)
{
	return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' &&
	    s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}
