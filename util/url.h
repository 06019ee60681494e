/*
 * url: the origin of an absolute http(s) URL, for the checks that decide
 * where credentials may go.
 *
 * An origin is the scheme, host and port (RFC 6454). Parsing refuses what
 * a careful reader could take for another host: user info, backslashes,
 * percent signs in the authority, spaces and control characters anywhere.
 */
#ifndef USERPRUNE_URL_H
#define USERPRUNE_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct url_origin {
	bool https;
	const char *host; /* into the URL; IPv6 literals keep their brackets */
	size_t host_len;
	long port; /* the scheme's default when the URL gives none */
};

/* Returns 0, or -1 when url is not an absolute http(s) URL with a host. */
int url_origin_parse(const char *url, struct url_origin *o);
/* Whether a and b are both valid and have one origin. */
bool url_same_origin(const char *a, const char *b);
/* "https://host:port", host in lower case, in a new string; NULL: invalid. */
char *url_origin_string(const char *url);
/*
 * Whether url's origin is one of allowed, a comma-separated list of
 * origins (USERPRUNE_ALLOWED_ORIGINS). NULL or "" allows every origin.
 * Returns 0, or -1 saying why (also for a list entry that is no origin).
 */
int url_allowed(const char *url, const char *allowed, struct err *e);
/* Whether host[0..len) is a loopback name or address (127/8, ::1). */
bool url_host_is_loopback(const char *host, size_t len);
/* Whether the URL's host is a loopback address. */
bool url_is_loopback(const char *url);

#endif
