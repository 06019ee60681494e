/*
 * What userprune does with links and ids a server sends: origins (the
 * same-origin rule for next links, USERPRUNE_ALLOWED_ORIGINS), path
 * segments for ids, and the one cleaning rule for vendor text. The input
 * is "A\nB": A a link, id or text, B a tenant url or a list of origins.
 * Invariants are checked, not just run:
 * - url_segment(A) holds only unreserved characters and %XX, is never a
 *   dot segment, and decodes back to A;
 * - url_same_origin is symmetric, and A is of its own origin when valid;
 * - text_clean(A) is valid UTF-8 with no control characters, and an
 *   excerpt always fits its buffer.
 */
#include "tests/fuzz/fuzz.h"
#include "util/encode.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/url.h"
#include "util/utf8.h"

static int unhex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

static void check_segment(const char *a)
{
	char *seg = url_segment(a), *dec = xmalloc(strlen(seg) + 1);
	size_t i, n = 0;

	if (!strcmp(seg, ".") || !strcmp(seg, "..") || !*seg != !*a)
		abort();
	for (i = 0; seg[i]; i++) {
		char c = seg[i];

		if (c == '%') {
			int h = unhex(seg[i + 1]),
			    l = h < 0 ? -1 : unhex(seg[i + 2]);

			if (l < 0)
				abort();
			dec[n++] = (char)(h * 16 + l);
			i += 2;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || strchr("-._~", c)) {
			dec[n++] = c;
		} else {
			abort();
		}
	}
	dec[n] = '\0';
	if (strcmp(dec, a))
		abort();
	free(dec);
	free(seg);
}

static void check_clean(const char *a, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	char small[17];
	size_t i;

	text_clean(&sb, a, len);
	for (i = 0; i < sb.len; i++)
		if ((unsigned char)sb.buf[i] < 0x20 || sb.buf[i] == 0x7f)
			abort();
	if (utf8_check((const unsigned char *)sb.buf, sb.len) != sb.len)
		abort();
	strbuf_release(&sb);
	text_excerpt(small, sizeof(small), a, len, len > 8);
	if (strlen(small) >= sizeof(small))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_strndup(data, size), *b = strchr(in, '\n'), *o;
	struct url_origin org;
	struct err e;

	if (b)
		*b++ = '\0';
	else
		b = "";
	check_segment(in);
	check_clean(in, strlen(in));
	if (url_same_origin(in, b) != url_same_origin(b, in))
		abort();
	if (url_origin_parse(in, &org) == 0 && !url_same_origin(in, in))
		abort();
	o = url_origin_string(in);
	if (o && url_allowed(in, o, &e) != 0)
		abort();
	free(o);
	url_allowed(in, b, &e);
	url_is_loopback(in);
	free(in);
	return 0;
}
