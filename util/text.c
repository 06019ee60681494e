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
 * Registered values, grouped by their first byte so that a scan tries only
 * the values that can start where it is; each group longest first, so that
 * an encoded form is redacted whole rather than the raw value inside it.
 */
static struct redactor {
	struct secret_form *v;
	size_t n, cap;
	size_t *by_byte[256];
	size_t nby[256];
} R;

static void wipe_free(char *s, size_t len)
{
	volatile char *p = s;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = 0;
	free(s);
}

static void index_rebuild(void)
{
	size_t i, j, b;

	for (b = 0; b < 256; b++) {
		free(R.by_byte[b]);
		R.by_byte[b] = NULL;
		R.nby[b] = 0;
	}
	for (i = 0; i < R.n; i++) {
		b = (unsigned char)R.v[i].s[0];
		R.by_byte[b] =
			xrealloc(R.by_byte[b], (R.nby[b] + 1) * sizeof(size_t));
		/* insertion keeps the group longest first */
		for (j = R.nby[b];
		     j && R.v[R.by_byte[b][j - 1]].len < R.v[i].len; j--)
			R.by_byte[b][j] = R.by_byte[b][j - 1];
		R.by_byte[b][j] = i;
		R.nby[b]++;
	}
}

static void add_form(char *s)
{
	size_t i, len = strlen(s);

	if (len < REDACT_MIN) {
		wipe_free(s, len);
		return;
	}
	for (i = 0; i < R.n; i++) {
		if (R.v[i].len == len && !memcmp(R.v[i].s, s, len)) {
			wipe_free(s, len);
			return;
		}
	}
	R.v = xgrow(R.v, &R.cap, R.n + 1, sizeof(*R.v));
	R.v[R.n].s = s;
	R.v[R.n].len = len;
	R.n++;
}

/* The value as a JSON string would hold it (without the quotes). */
static char *json_escaped(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\' || c == '/')
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
	add_form(json_escaped(secret));
	index_rebuild();
}

void redact_forget_all(void)
{
	size_t i;

	for (i = 0; i < R.n; i++)
		wipe_free(R.v[i].s, R.v[i].len);
	free(R.v);
	R.v = NULL;
	R.n = R.cap = 0;
	index_rebuild();
}

/* Length of the registered value starting at s, or 0. */
static size_t secret_at(const char *s, size_t len)
{
	unsigned b = (unsigned char)*s;
	size_t i;

	for (i = 0; i < R.nby[b]; i++) {
		const struct secret_form *f = &R.v[R.by_byte[b][i]];

		if (f->len <= len && !memcmp(f->s, s, f->len))
			return f->len;
	}
	return 0;
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
	size_t i = 0, n;

	strbuf_grow(out, len);
	while (i < len) {
		unsigned char c = p[i];
		char r;

		if (R.nby[c] && (n = secret_at(s + i, len - i))) {
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
