/*
 * Checks of request values that more than one resource takes: what a
 * JSON schema cannot say about a field's text.
 */
#ifndef API_INPUT_H
#define API_INPUT_H

/* Nonzero for an ISO 4217 code's shape: three capital letters. */
int	input_currency_valid(const char *);

#endif
