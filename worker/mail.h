/*
 * Renders one outbox email (a digest or a reminder) from its JSON payload
 * into a complete RFC 5322 message, with GMime 3.
 */
#ifndef WORKER_MAIL_H
#define WORKER_MAIL_H

#include <stddef.h>
#include <stdint.h>

/* Longest unsubscribe URL: its header line must stay under 998 bytes. */
#define MAIL_URL_MAX		900
/* Largest rendered message; a payload past it is refused. */
#define MAIL_MESSAGE_MAX	(16 * 1024 * 1024)

/*
 * Renders the payload of an outbox row at send time.
 *
 * A digest payload:
 *   {"kind": "digest", "locale": "sv", "to": {"email", "name"}, "firm",
 *    "frequency": "daily" | "weekly" | "monthly", "period": "2026-W14",
 *    "unsubscribe_url", "clients": [{"id", "name", "balance_minor",
 *    "currency", "missing_receipts", "export_ready", "url"}, ...]}
 * A reminder payload ("notify accountants"):
 *   {"kind": "reminder", "locale", "to", "firm", "sender": {"name",
 *    "email"}, "client": {as a digest's client}, "tasks": [
 *    "missing_receipts" | "export_ready" | "balance", ...], "comment"}
 * "comment" may be absent or null; "to.name" may be empty; every other
 * field is required with its type, and URLs are http or https. Unknown
 * keys are ignored. A locale other than sv, da, nb and en renders English.
 * A period that is none of "2026-03-30", "2026-W14" and "2026-04" is shown
 * as it is.
 *
 * message_id is the Message-ID with or without its angle brackets; one
 * without "@" gets the domain of from_addr. from_addr is a bare address,
 * shown with the firm's name on a digest ("Partner Portal" when the name
 * is blank) and as "Partner Portal" on a reminder. date is the Date
 * header, Unix seconds.
 *
 * A digest's subject names its one client with open tasks (missing
 * receipts or expenses ready for export) or counts them, with the period:
 * "Veckosammanfattning: Ödmjuk Åkeri AB — vecka 50", "3 clients with open
 * tasks — week 50"; with none open, it names or counts every client.
 *
 * Control characters (CR and LF among them) in names, the firm and the
 * subject become spaces; bodies HTML-escape every value.
 *
 * Returns 0 with *out (malloc'd, NUL-terminated, CRLF line ends; the
 * caller frees) and *outlen, or -1 for a malformed payload or argument
 * (retrying cannot help: the row should fail) or out of memory.
 * Thread-safe after the first call.
 */
int	mail_render(const char *payload_json, const char *message_id,
	    const char *from_addr, int64_t date, char **out, size_t *outlen);

/*
 * Sets up GMime once; mail_render() calls it itself. For whoever parses
 * messages with GMime before the first render (the tests).
 */
void	mail_init(void);
/*
 * Releases GMime's global tables at exit, so that LeakSanitizer sees
 * none; no mail function may run after it.
 */
void	mail_shutdown(void);

/*
 * Nonzero when s is a plain ASCII address local@domain that is safe in a
 * header and an SMTP command: printable, no spaces, no "<>()[],;:\"\\",
 * one "@" with text on both sides, at most 254 bytes.
 */
int	mail_addr_valid(const char *s);

#endif
