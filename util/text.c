#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/encode.h"
#include "util/text.h"
#include "util/utf8.h"
#include "util/xalloc.h"

struct secret_form {
	char *s;
	size_t len;
};

/*
 * Registered values (raw and encoded forms) in byte order, a value before
 * the longer ones it begins, with the start of each first byte's range:
 * values starting with byte b are v[lo[b]] to v[lo[b + 1] - 1]. Finding
 * the longest value at a position is a few binary searches however many
 * values there are (thousands of tenants, each with its secrets, share
 * prefixes such as a Basic credential's user or a vendor's token format).
 */
static struct redactor {
	struct secret_form *v;
	size_t n, cap;
	size_t lo[257];
	size_t maxlen;
} R;

static void wipe_free(char *s, size_t len)
{
	volatile char *p = s;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = 0;
	free(s);
}

/* Byte order, a proper prefix first. */
static int cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

/* The first of v[lo..hi) greater than t[0..m). */
static size_t upper_bound(size_t lo, size_t hi, const char *t, size_t m)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(R.v[mid].s, R.v[mid].len, t, m) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void add_form(char *s)
{
	size_t len = strlen(s), at, b;

	if (len < REDACT_MIN) {
		wipe_free(s, len);
		return;
	}
	b = (unsigned char)s[0];
	at = upper_bound(R.lo[b], R.lo[b + 1], s, len);
	if (at > R.lo[b] && !cmp(R.v[at - 1].s, R.v[at - 1].len, s, len)) {
		wipe_free(s, len);
		return;
	}
	R.v = xgrow(R.v, &R.cap, R.n + 1, sizeof(*R.v));
	memmove(R.v + at + 1, R.v + at, (R.n - at) * sizeof(*R.v));
	R.v[at].s = s;
	R.v[at].len = len;
	R.n++;
	for (b = b + 1; b <= 256; b++)
		R.lo[b]++;
	if (len > R.maxlen)
		R.maxlen = len;
}

/* The value as a JSON string would hold it (without the quotes). */
static char *json_escaped(const char *s, bool slash)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\' || (c == '/' && slash))
			strbuf_addch(&sb, '\\');
		if (c < 0x20)
			strbuf_addf(&sb, "\\u%04x", c);
		else
			strbuf_addch(&sb, c);
	}
	return strbuf_detach(&sb, NULL);
}

/* As a form body encodes it: space as '+'. */
static char *form_encoded(const char *s)
{
	char *pct = url_encode(s), *out = xmalloc(strlen(pct) + 1), *o = out;
	const char *p;

	for (p = pct; *p; p++) {
		if (!strncmp(p, "%20", 3)) {
			*o++ = '+';
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	wipe_free(pct, strlen(pct));
	return out;
}

void redact_add(const char *secret)
{
	if (!secret || strlen(secret) < REDACT_MIN)
		return;
	add_form(xstrdup(secret));
	add_form(base64_encode(secret, strlen(secret)));
	add_form(url_encode(secret));
	add_form(form_encoded(secret));
	add_form(json_escaped(secret, true));
	add_form(json_escaped(secret, false));
}

void redact_forget_all(void)
{
	size_t i;

	for (i = 0; i < R.n; i++)
		wipe_free(R.v[i].s, R.v[i].len);
	free(R.v);
	memset(&R, 0, sizeof(R));
}

size_t redact_reach(void)
{
	/* a value written with every byte escaped: "\u00XX" */
	return 6 * R.maxlen;
}

/*
 * Length of the longest registered value starting at s, or 0. The longest
 * value that t begins with is at most as long as what the largest value
 * not above t has in common with t: each step looks below that.
 */
static size_t secret_at(const char *t, size_t len)
{
	unsigned b = (unsigned char)*t;
	size_t lo = R.lo[b], hi = R.lo[b + 1],
	       m = len < R.maxlen ? len : R.maxlen;

	while (lo < hi && m >= REDACT_MIN) {
		size_t j = upper_bound(lo, hi, t, m), k = 0;
		const struct secret_form *f;

		if (j == lo)
			return 0;
		f = &R.v[j - 1];
		if (f->len <= m && !memcmp(f->s, t, f->len))
			return f->len;
		while (k < f->len && k < m && f->s[k] == t[k])
			k++;
		m = k;
		hi = j - 1;
	}
	return 0;
}

/* ---- values written in an encoding: matched where it is undone ---- */

struct span {
	size_t a, b; /* bytes [a, b) of the text */
};

struct spans {
	struct span *v;
	size_t n, cap;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long hex4(const unsigned char *p, size_t left)
{
	long v = 0;
	size_t i;

	if (left < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		int h = hexval(p[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static size_t put_utf8(unsigned char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * One escape at p (JSON when json, else percent-encoding): the bytes it
 * stands for into o, how many into *n; returns the escape's length, or 0
 * when there is none at p.
 */
static size_t unescape(const unsigned char *p, size_t left, bool json,
		       unsigned char *o, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *x;
	long cp, lo;

	if (!json) {
		if (left < 3 || p[0] != '%' || hexval(p[1]) < 0 ||
		    hexval(p[2]) < 0)
			return 0;
		o[0] = (unsigned char)(hexval(p[1]) << 4 | hexval(p[2]));
		*n = 1;
		return 3;
	}
	if (left < 2 || p[0] != '\\')
		return 0;
	if (p[1] != 'u') {
		if (!p[1] || !(x = strchr(from, p[1])))
			return 0;
		o[0] = (unsigned char)to[x - from];
		*n = 1;
		return 2;
	}
	if ((cp = hex4(p + 2, left - 2)) < 0)
		return 0;
	if (cp >= 0xd800 && cp <= 0xdbff && left >= 12 && p[6] == '\\' &&
	    p[7] == 'u' && (lo = hex4(p + 8, left - 8)) >= 0xdc00 &&
	    lo <= 0xdfff) {
		*n = put_utf8(o, 0x10000 +
					 ((unsigned long)(cp - 0xd800) << 10) +
					 (unsigned long)(lo - 0xdc00));
		return 12;
	}
	*n = put_utf8(o, (unsigned long)cp);
	return 6;
}

/*
 * Servers write a value they echo in their own way: JSON with "\/", or
 * "\u002B" for '+' (.NET), or "\u00e9" for 'é' (Python), percent-encoding
 * in lower case. The text is read once with its escapes undone, and
 * where a registered value shows there, the escapes it came from are
 * redacted.
 */
static void find_encoded(const char *s, size_t len, bool json,
			 struct spans *out)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char *d = xmalloc(len + 1);
	size_t *from = xmalloc((len + 1) * sizeof(*from)),
	       *to = xmalloc((len + 1) * sizeof(*to));
	size_t i = 0, n = 0, k, w, m;

	while (i < len) {
		if ((w = unescape(p + i, len - i, json, d + n, &m))) {
			for (k = 0; k < m; k++) {
				from[n + k] = i;
				to[n + k] = i + w;
			}
			n += m;
			i += w;
		} else {
			d[n] = p[i];
			from[n] = i;
			to[n] = i + 1;
			n++;
			i++;
		}
	}
	for (i = 0; i < n;) {
		if (R.lo[d[i]] < R.lo[d[i] + 1] &&
		    (m = secret_at((const char *)d + i, n - i))) {
			out->v = xgrow(out->v, &out->cap, out->n + 1,
				       sizeof(*out->v));
			out->v[out->n++] =
				(struct span){ from[i], to[i + m - 1] };
			i += m;
		} else {
			i++;
		}
	}
	memset(d, 0, n);
	free(d);
	free(from);
	free(to);
}

static int by_start(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->a < y->a ? -1 : x->a > y->a;
}

/*
 * What a code point becomes: 0 kept, ' ' or '?'. C1 controls, line
 * separators and the bidirectional formatting characters.
 */
static char replacement(unsigned long cp)
{
	if (cp == 0x85 || cp == 0x2028 || cp == 0x2029)
		return ' ';
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	    cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return '?';
	return 0;
}

static unsigned long decode(const unsigned char *p, size_t n)
{
	unsigned long cp = n == 2   ? p[0] & 0x1f
			   : n == 3 ? p[0] & 0x0f
				    : p[0] & 0x07;
	size_t i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

void text_clean(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct spans sp = { NULL, 0, 0 };
	size_t i = 0, n, next = 0;

	strbuf_grow(out, len);
	if (R.n && memchr(s, '\\', len))
		find_encoded(s, len, true, &sp);
	if (R.n && memchr(s, '%', len))
		find_encoded(s, len, false, &sp);
	if (sp.n > 1)
		qsort(sp.v, sp.n, sizeof(*sp.v), by_start);
	while (i < len) {
		unsigned char c = p[i];
		char r;

		while (next < sp.n && sp.v[next].b <= i)
			next++;
		if (next < sp.n && sp.v[next].a <= i) {
			/* an encoded value, and any that overlap it */
			size_t end = sp.v[next].b;

			while (++next < sp.n && sp.v[next].a < end)
				if (sp.v[next].b > end)
					end = sp.v[next].b;
			strbuf_addstr(out, REDACTED);
			i = end;
			continue;
		}
		/* a run of printable ASCII that starts no secret: as it is */
		for (n = i; n < len && p[n] >= 0x20 && p[n] < 0x7f &&
			    R.lo[p[n]] == R.lo[p[n] + 1] &&
			    (next == sp.n || n < sp.v[next].a);
		     n++)
			;
		if (n > i) {
			strbuf_add(out, s + i, n - i);
			i = n;
			continue;
		}
		if (R.lo[c] < R.lo[c + 1] && (n = secret_at(s + i, len - i))) {
			strbuf_addstr(out, REDACTED);
			i += n;
			continue;
		}
		if (c < 0x80) {
			if (c == '\t' || c == '\n' || c == '\r')
				strbuf_addch(out, ' ');
			else if (c < 0x20 || c == 0x7f)
				strbuf_addch(out, '?');
			else
				strbuf_addch(out, c);
			i++;
			continue;
		}
		n = utf8_valid_prefix(p + i, len - i);
		if (!n) {
			strbuf_addch(out, '?');
			i++;
			continue;
		}
		r = replacement(decode(p + i, n));
		if (r)
			strbuf_addch(out, r);
		else
			strbuf_add(out, p + i, n);
		i += n;
	}
	free(sp.v);
}

char *text_cleaned(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	if (!s)
		return NULL;
	text_clean(&sb, s, strlen(s));
	return strbuf_detach(&sb, NULL);
}

void text_excerpt(char *buf, size_t n, const char *s, size_t len, int more)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, j = 0, room;

	if (!n)
		return;
	text_clean(&sb, s, len);
	/* runs of spaces as one, none at either end */
	for (i = 0; i < sb.len; i++)
		if (sb.buf[i] != ' ' || (j && sb.buf[j - 1] != ' '))
			sb.buf[j++] = sb.buf[i];
	while (j && sb.buf[j - 1] == ' ')
		j--;
	if (j < n && !more) {
		memcpy(buf, sb.buf, j);
		buf[j] = '\0';
		strbuf_release(&sb);
		return;
	}
	/* cut where "..." and the NUL still fit, between two characters */
	room = n > 4 ? n - 4 : 0;
	if (room > j)
		room = j;
	while (room && ((unsigned char)sb.buf[room] & 0xc0) == 0x80)
		room--;
	while (room && sb.buf[room - 1] == ' ')
		room--;
	memcpy(buf, sb.buf, room);
	if (n > 4) {
		memcpy(buf + room, "...", 3);
		room += 3;
	}
	buf[room] = '\0';
	strbuf_release(&sb);
}

int text_is_clean(const char *s)
{
	char *c = text_cleaned(s);
	int same = !strcmp(c, s);

	free(c);
	return same;
}
