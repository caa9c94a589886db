/*
 * A client's alerts: what needs attention now, by the firm's thresholds
 * (schema.sql, version 21). The store keeps them as bits of
 * clients.alerts; the API and the digests name them.
 */
#ifndef COMMON_ALERT_H
#define COMMON_ALERT_H

#define ALERT_LOW_BALANCE	1u	/* balance below the line */
#define ALERT_MANY_MISSING	2u	/* too many missing receipts */
#define ALERT_OLD_MISSING	4u	/* a missing receipt too old */
#define ALERT_ALL		7u
#define ALERT_COUNT		3

/* The names by bit order: "low_balance", ...; NULL-terminated. */
extern const char *const	alert_names[];

/* The bit of a name, or 0 for none. */
unsigned	alert_bit(const char *name);

#endif
