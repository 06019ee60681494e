#include <string.h>

#include "util/encode.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

static bool dot_segment(const char *s)
{
	return !strcmp(s, ".") || !strcmp(s, "..");
}

char *url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf sb = STRBUF_INIT;

	strbuf_grow(&sb, strlen(s));
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (unreserved(c)) {
			strbuf_addch(&sb, c);
		} else {
			strbuf_addch(&sb, '%');
			strbuf_addch(&sb, hex[c >> 4]);
			strbuf_addch(&sb, hex[c & 15]);
		}
	}
	return strbuf_detach(&sb, NULL);
}

char *url_segment(const char *s)
{
	if (!strcmp(s, "."))
		return xstrdup("%2E");
	if (!strcmp(s, ".."))
		return xstrdup("%2E%2E");
	return url_encode(s);
}

bool url_segment_needs_encoding(const char *s)
{
	if (dot_segment(s))
		return true;
	for (; *s; s++)
		if (!unreserved((unsigned char)*s))
			return true;
	return false;
}

char *base64_encode(const void *data, size_t len)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				  "stuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *out = xmalloc(4 * ((len + 2) / 3) + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = tbl[p[i] >> 2];
		*o++ = tbl[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = tbl[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = tbl[p[i + 2] & 63];
	}
	if (i < len) {
		*o++ = tbl[p[i] >> 2];
		if (i + 1 < len) {
			*o++ = tbl[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = tbl[(p[i + 1] & 15) << 2];
		} else {
			*o++ = tbl[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}
