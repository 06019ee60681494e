#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "utf8.h"

void jsonw_init(struct jsonw *w, struct strbuf *out, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
	w->first[0] = true;
}

static void indent(struct jsonw *w)
{
	int i;

	if (!w->pretty)
		return;
	strbuf_addch(w->out, '\n');
	for (i = 0; i < w->depth; i++)
		strbuf_addstr(w->out, "  ");
}

/* Separator before a value (or a key). */
static void before_value(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first[w->depth])
		strbuf_addch(w->out, ',');
	w->first[w->depth] = false;
	indent(w);
}

static void nest_open(struct jsonw *w, char c)
{
	before_value(w);
	strbuf_addch(w->out, c);
	if (w->depth < JSONW_DEPTH - 1)
		w->depth++;
	w->first[w->depth] = true;
}

static void nest_close(struct jsonw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		indent(w);
	strbuf_addch(w->out, c);
}

void jsonw_object_begin(struct jsonw *w)
{
	nest_open(w, '{');
}

void jsonw_object_end(struct jsonw *w)
{
	nest_close(w, '}');
}

void jsonw_array_begin(struct jsonw *w)
{
	nest_open(w, '[');
}

void jsonw_array_end(struct jsonw *w)
{
	nest_close(w, ']');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	before_value(w);
	json_escape(w->out, key, strlen(key));
	strbuf_addstr(w->out, w->pretty ? ": " : ":");
	w->after_key = true;
}

void json_escape(struct strbuf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	strbuf_grow(out, n + 2);
	strbuf_addch(out, '"');
	while (p < end) {
		const unsigned char *run = p;
		unsigned char c;
		size_t len;

		/* the common case: a run of plain printable ASCII */
		while (p < end && *p >= 0x20 && *p < 0x7f && *p != '"' &&
		       *p != '\\')
			p++;
		if (p > run)
			strbuf_add(out, run, (size_t)(p - run));
		if (p == end)
			break;
		c = *p;
		if (c >= 0x80) {
			len = utf8_valid_prefix(p, (size_t)(end - p));
			if (len) {
				strbuf_add(out, p, len);
				p += len;
			} else {
				strbuf_addstr(out, "\\ufffd");
				p++;
			}
			continue;
		}
		p++;
		switch (c) {
		case '"':
			strbuf_addstr(out, "\\\"");
			break;
		case '\\':
			strbuf_addstr(out, "\\\\");
			break;
		case '\n':
			strbuf_addstr(out, "\\n");
			break;
		case '\r':
			strbuf_addstr(out, "\\r");
			break;
		case '\t':
			strbuf_addstr(out, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				strbuf_addstr(out, "\\u00");
				strbuf_addch(out, hex[c >> 4]);
				strbuf_addch(out, hex[c & 15]);
			} else {
				strbuf_addch(out, c);
			}
		}
	}
	strbuf_addch(out, '"');
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_stringn(w, s, strlen(s));
}

void jsonw_stringn(struct jsonw *w, const char *s, size_t n)
{
	before_value(w);
	json_escape(w->out, s, n);
}

void jsonw_int(struct jsonw *w, long long v)
{
	before_value(w);
	strbuf_addf(w->out, "%lld", v);
}

void jsonw_double(struct jsonw *w, double v)
{
	before_value(w);
	strbuf_addf(w->out, "%.17g", v);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	before_value(w);
	strbuf_addstr(w->out, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	before_value(w);
	strbuf_addstr(w->out, "null");
}

void jsonw_raw(struct jsonw *w, const char *json)
{
	before_value(w);
	strbuf_addstr(w->out, json);
}

void jsonw_object_string(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void jsonw_object_int(struct jsonw *w, const char *key, long long v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void jsonw_object_double(struct jsonw *w, const char *key, double v)
{
	jsonw_key(w, key);
	jsonw_double(w, v);
}

void jsonw_object_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}
