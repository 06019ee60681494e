/*
 * encode: the encodings requests are built with.
 *
 * Percent-encoding follows RFC 3986. A query value keeps only the
 * unreserved characters. A path segment does too, and is never a dot
 * segment: "." and ".." would make a server (or a library normalising the
 * path) address the parent collection instead of the user, so they are
 * written "%2E" and "%2E%2E". Every function returns a new string.
 */
#ifndef USERPRUNE_ENCODE_H
#define USERPRUNE_ENCODE_H

#include <stdbool.h>
#include <stddef.h>

/* A query component (RFC 3986 unreserved kept, every other byte %XX). */
char *url_encode(const char *s);
/* A path segment naming one resource: as url_encode, dot segments too. */
char *url_segment(const char *s);
/* Whether url_segment(s) differs from s. */
bool url_segment_needs_encoding(const char *s);
/* base64 (RFC 4648, padded) of data. */
char *base64_encode(const void *data, size_t len);

#endif
