/*
 * Value files for file matchers: plain text (a value a line, # comments) or
 * CSV with a header row (RFC 4180: quoted fields, "" escapes, CRLF or LF).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/match.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct csv {
	const char *p, *end;
	int line;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void add_value(struct arena *arena, struct file_value **v, size_t *n,
		      size_t *cap, const char *s, size_t len, int line)
{
	while (len && is_blank(*s))
		s++, len--;
	while (len && is_blank(s[len - 1]))
		len--;
	if (!len)
		return;
	*v = xgrow(*v, cap, *n + 1, sizeof(**v));
	(*v)[*n].s = arena_strndup(arena, s, len);
	(*v)[*n].line = line;
	(*n)++;
}

/*
 * The length of the value at s: up to a # that follows white space. A
 * comment after a keep value must not become part of it, or the value
 * would match nobody and the user it names would be deleted.
 */
static size_t text_value_len(const char *s, const char *eol)
{
	const char *p;

	for (p = s + 1; p < eol; p++)
		if (*p == '#' && is_blank(p[-1]))
			return (size_t)(p - s);
	return (size_t)(eol - s);
}

static int parse_text(const char *data, size_t len, struct arena *arena,
		      struct file_value **v, size_t *n)
{
	const char *p = data, *end = data + len, *eol;
	size_t cap = 0;
	int line = 1;

	for (; p < end; p = eol + 1, line++) {
		const char *s = p;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		while (s < eol && is_blank(*s))
			s++;
		if (s < eol && *s != '#')
			add_value(arena, v, n, &cap, s, text_value_len(s, eol),
				  line);
	}
	return 0;
}

/*
 * Reads one field into sb. Returns 1 when the field ends the record, 0 when
 * more fields follow, -1 on a quoting error.
 */
static int csv_field(struct csv *c, struct strbuf *sb)
{
	strbuf_reset(sb);
	if (c->p < c->end && *c->p == '"') {
		c->p++;
		for (;;) {
			if (c->p >= c->end)
				return -1;
			if (*c->p == '"') {
				if (c->p + 1 < c->end && c->p[1] == '"') {
					strbuf_addch(sb, '"');
					c->p += 2;
					continue;
				}
				c->p++;
				break;
			}
			if (*c->p == '\n')
				c->line++;
			strbuf_addch(sb, *c->p++);
		}
		while (c->p < c->end && is_blank(*c->p) && *c->p != '\r')
			c->p++;
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p >= c->end)
			return 1;
		if (*c->p == ',') {
			c->p++;
			return 0;
		}
		if (*c->p == '\n') {
			c->p++;
			c->line++;
			return 1;
		}
		return -1;
	}
	while (c->p < c->end && *c->p != ',' && *c->p != '\n') {
		if (*c->p == '"')
			return -1;
		strbuf_addch(sb, *c->p++);
	}
	if (sb->len && sb->buf[sb->len - 1] == '\r')
		sb->buf[--sb->len] = '\0';
	if (c->p < c->end && *c->p == ',') {
		c->p++;
		return 0;
	}
	if (c->p < c->end) {
		c->p++;
		c->line++;
	}
	return 1;
}

static int parse_csv(const char *name, const char *data, size_t len,
		     const char *column, struct arena *arena,
		     struct file_value **v, size_t *n, struct err *e)
{
	struct csv c = { data, data + len, 1 };
	struct strbuf sb = STRBUF_INIT, header = STRBUF_INIT;
	size_t cap = 0;
	int want = -1, ncols = 0, col, r, rc = -1, caseless = -1;

	/* header row: find the column, exactly or else ignoring case */
	do {
		r = csv_field(&c, &sb);
		if (r < 0) {
			err_set(e, "%s:%d: malformed CSV quoting", name,
				c.line);
			goto out;
		}
		if (column && !strcmp(strbuf_str(&sb), column))
			want = ncols;
		if (column && caseless < 0 &&
		    !strcasecmp(strbuf_str(&sb), column))
			caseless = ncols;
		strbuf_addf(&header, "%s'%s'", ncols ? ", " : "",
			    strbuf_str(&sb));
		ncols++;
	} while (r == 0);
	if (want < 0)
		want = caseless;
	if (!column && ncols == 1)
		want = 0;
	if (want < 0) {
		if (column)
			err_set(e, "%s: no column '%s' (columns: %s)", name,
				column, header.buf);
		else
			err_set(e,
				"%s: has %d columns (%s); choose one with "
				"'column:'",
				name, ncols, header.buf);
		goto out;
	}
	while (c.p < c.end) {
		int line = c.line;

		col = 0;
		do {
			r = csv_field(&c, &sb);
			if (r < 0) {
				err_set(e, "%s:%d: malformed CSV quoting", name,
					c.line);
				goto out;
			}
			if (col++ == want)
				add_value(arena, v, n, &cap, strbuf_str(&sb),
					  sb.len, line);
		} while (r == 0);
	}
	rc = 0;
out:
	strbuf_release(&sb);
	strbuf_release(&header);
	return rc;
}

int valuefile_parse(const char *name, const char *data, size_t len, bool csv,
		    const char *column, struct arena *arena,
		    struct file_value **values, size_t *nvalues, struct err *e)
{
	*values = NULL;
	*nvalues = 0;
	if (memchr(data, '\0', len))
		return err_set(e, "%s: binary file (contains NUL bytes)", name);
	/* a byte-order mark would otherwise hide the first value */
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		data += 3;
		len -= 3;
	}
	if (!csv)
		return parse_text(data, len, arena, values, nvalues);
	if (parse_csv(name, data, len, column, arena, values, nvalues, e) < 0) {
		free(*values);
		*values = NULL;
		*nvalues = 0;
		return -1;
	}
	return 0;
}
