/*
 * text: the one rule for untrusted text before it is printed or written.
 *
 * Vendor answers, display names and error bodies come from servers
 * userprune does not trust. Before any of it reaches a terminal, a plan,
 * a markdown comment or a journal it goes through text_clean, which does
 * two things:
 *
 * - Redaction: every registered secret value, and its base64,
 *   percent-encoded and JSON-escaped forms, is replaced by "[redacted]"
 *   (also where JSON or percent escapes of any style spell it), so
 *   that a server echoing a credential back cannot make userprune publish
 *   it. Sessions register the secrets they resolve, the credential
 *   headers they build and the tokens they obtain (redact_add).
 * - Cleaning: C0 and C1 control characters, DEL, bidirectional marks,
 *   overrides and isolates, and bytes that are not UTF-8 become "?"; tab,
 *   CR, LF and the line separators U+0085, U+2028 and U+2029 become a
 *   space. Cleaned text is one line that can neither move a terminal's
 *   cursor, nor reorder what a reviewer reads, nor end a YAML comment.
 *
 * Identifiers that requests are built from (ids, and the emails and
 * usernames a fingerprint covers) are never cleaned where they are stored;
 * only where they are shown.
 */
#ifndef USERPRUNE_TEXT_H
#define USERPRUNE_TEXT_H

#include <stddef.h>

#include "util/strbuf.h"

#define REDACTED "[redacted]"
/* Shorter values are not redacted: they would blank out ordinary text. */
#define REDACT_MIN 4

/* Registers a secret value (and its encoded forms) for redaction. */
void redact_add(const char *secret);
/* Forgets every registered value (wiping it). */
void redact_forget_all(void);
/*
 * Bytes of text a registered value can span, however it is written: text
 * cut before it is cleaned must keep this much past the cut.
 */
size_t redact_reach(void);

/* Appends s[0..len), redacted and cleaned, to out. */
void text_clean(struct strbuf *out, const char *s, size_t len);
/* text_clean of a string into a new string; NULL stays NULL. */
char *text_cleaned(const char *s);
/*
 * One line for a message: s[0..len) cleaned, runs of spaces as one, none at
 * either end, into buf (n bytes, NUL-terminated). What does not fit is cut
 * at a character boundary and marked "..."; so is text that more says
 * follows.
 */
void text_excerpt(char *buf, size_t n, const char *s, size_t len, int more);
/* Whether text_clean would change s. */
int text_is_clean(const char *s);

#endif
