#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/url.h"
#include "util/xalloc.h"

int url_origin_parse(const char *url, struct url_origin *o)
{
	const char *p, *auth, *end, *colon = NULL;
	char *stop;

	for (p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '\\')
			return -1;
	if (!strncasecmp(url, "https://", 8))
		o->https = true;
	else if (!strncasecmp(url, "http://", 7))
		o->https = false;
	else
		return -1;
	auth = url + (o->https ? 8 : 7);
	end = auth + strcspn(auth, "/?#");
	if (end == auth || memchr(auth, '@', (size_t)(end - auth)) ||
	    memchr(auth, '%', (size_t)(end - auth)))
		return -1;
	o->host = auth;
	if (*auth == '[') {
		const char *rb = memchr(auth, ']', (size_t)(end - auth));

		if (!rb)
			return -1;
		o->host_len = (size_t)(rb + 1 - auth);
		if (rb + 1 < end) {
			if (rb[1] != ':')
				return -1;
			colon = rb + 1;
		}
	} else {
		colon = memchr(auth, ':', (size_t)(end - auth));
		o->host_len = (size_t)((colon ? colon : end) - auth);
	}
	if (!o->host_len)
		return -1;
	o->port = o->https ? 443 : 80;
	if (colon && colon + 1 < end) {
		if (colon[1] < '0' || colon[1] > '9')
			return -1;
		o->port = strtol(colon + 1, &stop, 10);
		if (stop != end || o->port < 1 || o->port > 65535)
			return -1;
	}
	return 0;
}

bool url_same_origin(const char *a, const char *b)
{
	struct url_origin x, y;

	if (url_origin_parse(a, &x) < 0 || url_origin_parse(b, &y) < 0)
		return false;
	return x.https == y.https && x.host_len == y.host_len &&
	       !strncasecmp(x.host, y.host, x.host_len) && x.port == y.port;
}

char *url_origin_string(const char *url)
{
	struct url_origin o;
	char *s, *p;

	if (url_origin_parse(url, &o) < 0)
		return NULL;
	s = xasprintf("%s://%.*s:%ld", o.https ? "https" : "http",
		      (int)o.host_len, o.host, o.port);
	for (p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

bool url_host_is_loopback(const char *host, size_t len)
{
	char buf[256];
	int a;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, host, len);
	buf[len] = '\0';
	if (!strcasecmp(buf, "localhost") || !strcmp(buf, "[::1]"))
		return true;
	return sscanf(buf, "127.%d.", &a) == 1 &&
	       strspn(buf, "0123456789.") == len;
}

bool url_is_loopback(const char *url)
{
	struct url_origin o;

	return url_origin_parse(url, &o) == 0 &&
	       url_host_is_loopback(o.host, o.host_len);
}

/* The next entry of a comma-separated list, trimmed, into a new string. */
static char *next_entry(const char **p)
{
	const char *s = *p, *end;

	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	end = s + strcspn(s, ",");
	*p = end;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end > s ? xstrndup(s, (size_t)(end - s)) : NULL;
}

int url_allowed(const char *url, const char *allowed, struct err *e)
{
	char *want, *entry, *have;
	const char *p = allowed;
	int rc = -1;

	if (!allowed || !*allowed)
		return 0;
	want = url_origin_string(url);
	if (!want)
		return err_set(e, "'%s' is not an http(s) URL", url);
	while ((entry = next_entry(&p))) {
		struct url_origin o;
		const char *path = "";

		/* "https://host[:port]", a trailing slash allowed */
		have = NULL;
		if (url_origin_parse(entry, &o) == 0) {
			path = o.host + o.host_len;
			path += strcspn(path, "/");
			have = url_origin_string(entry);
		}
		if (!have || (*path && strcmp(path, "/"))) {
			err_set(e,
				"USERPRUNE_ALLOWED_ORIGINS: '%s' is not an "
				"origin (scheme://host[:port])",
				entry);
			free(have);
			free(entry);
			goto out;
		}
		rc = strcmp(have, want) ? -1 : 0;
		free(have);
		free(entry);
		if (!rc)
			goto out;
	}
	err_set(e,
		"'%s' is outside USERPRUNE_ALLOWED_ORIGINS (%s): no request "
		"is sent there",
		url, allowed);
out:
	free(want);
	return rc;
}
