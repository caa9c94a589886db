/*
 * The one rule for an email address we send mail to, shared by the API
 * (which refuses what does not fit) and the worker (which checks again
 * before handing a recipient to SMTP).
 */
#ifndef COMMON_ADDRESS_H
#define COMMON_ADDRESS_H

/* RFC 5321: a path of 256 octets, less its "<" and ">". */
#define ADDRESS_MAX		254
#define ADDRESS_LOCAL_MAX	64
#define ADDRESS_DOMAIN_MAX	253
#define ADDRESS_LABEL_MAX	63

/*
 * Nonzero when s is a mailbox that any SMTP server takes in MAIL and RCPT
 * without extensions, and that libcurl sends as given:
 *
 *   local "@" domain, at most 254 octets in all;
 *   local: a dot-atom of RFC 5322 atext (ASCII letters, digits and
 *     ! # $ % & ' * + - / = ? ^ _ ` { | } ~), at most 64 octets, no
 *     leading, trailing or doubled dot;
 *   domain: at least two dot-separated labels of letters, digits and
 *     hyphens, each 1 to 63 octets and not starting or ending with a
 *     hyphen, at most 253 octets, and a last label that is not all
 *     digits (so no bare IPv4 address).
 *
 * Refused therefore: quoted local parts, IP literals ("[...]"), a single
 * label ("a@localhost"), spaces, controls, "<>,;:()\\\"", and any byte
 * over 0x7f: SMTPUTF8 (RFC 6531) is not supported, so non-ASCII addresses
 * and IDNs in U-label form are refused (A-labels, "xn--...", pass).
 * Letters of either case pass; the API stores them lower-cased.
 */
int	address_valid(const char *s);

#endif
