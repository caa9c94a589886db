/*
 * Renders one outbox email (a digest or a reminder) from its JSON payload
 * into a complete RFC 5322 message: the one entry point of mail_doc.c,
 * mail_body.c and mime.c, which are its parts.
 */
#ifndef WORKER_MAIL_H
#define WORKER_MAIL_H

#include <stddef.h>
#include <stdint.h>

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
 * Both may carry "manage_url", the web app's notification settings
 * (PORTAL_APP_URL + CONFIG_NOTIFICATIONS_PATH), linked under the footer
 * with, in a digest, "unsubscribe_url"; a payload queued before it had
 * the field renders without that link.
 * "comment" may be absent or null; "to.name" may be empty; every other
 * field is required with its type, and URLs are http or https of at most
 * MAIL_URL_MAX bytes (mail_doc.h). Unknown keys are ignored. A locale
 * other than sv, da, nb and en renders English.
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
 * (retrying cannot help: the row should fail), a message over
 * MIME_MESSAGE_MAX (mime.h) or out of memory.
 * Thread-safe after the first call.
 */
int	mail_render(const char *payload_json, const char *message_id,
	    const char *from_addr, int64_t date, char **out, size_t *outlen);

#endif
