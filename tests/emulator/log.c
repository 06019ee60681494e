/*
 * The request log: one JSON object per vendor request, flushed before the
 * answer leaves, so that a test that got its answer can read the line.
 * Secrets are masked: tests assert that userprune sends credentials, and
 * the log must not become a place where they are kept.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu.h"
#include "util/xalloc.h"

#define LOG_MAX_HEADERS 64
#define MASK		"****"

static const char *const secret_keys[] = { "password",	    "apiKey",
					   "client_secret", "token",
					   "access_token",  "refresh_token" };

static bool is_secret_key(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(secret_keys) / sizeof(*secret_keys); i++)
		if (strlen(secret_keys[i]) == n &&
		    !strncasecmp(secret_keys[i], k, n))
			return true;
	return false;
}

/* Replaces the values of secret members anywhere in j; true if any. */
static bool mask_tree(cJSON *j)
{
	cJSON *m, *next, *mask;
	bool masked = false;

	for (m = j ? j->child : NULL; m; m = next) {
		next = m->next;
		if (m->string && is_secret_key(m->string, strlen(m->string))) {
			/* the replacement takes over the member's name */
			mask = cJSON_CreateString(MASK);
			mask->string = m->string;
			m->string = NULL;
			cJSON_ReplaceItemViaPointer(j, m, mask);
			masked = true;
			continue;
		}
		masked |= mask_tree(m);
	}
	return masked;
}

static void mask_form(const char *body, size_t len, struct strbuf *out)
{
	const char *p = body, *end = body + len, *amp, *eq;
	char *name;
	size_t n;

	while (p <= end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		name = xstrndup(p, (size_t)((eq ? eq : amp) - p));
		n = emu_url_decode(name, strlen(name));
		if (eq && is_secret_key(name, n)) {
			strbuf_add(out, p, (size_t)(eq + 1 - p));
			strbuf_addstr(out, MASK);
		} else {
			strbuf_add(out, p, (size_t)(amp - p));
		}
		free(name);
		if (amp == end)
			break;
		strbuf_addch(out, '&');
		p = amp + 1;
	}
}

void log_mask_body(const char *body, size_t len, struct strbuf *out)
{
	cJSON *j = cJSON_ParseWithLengthOpts(body, len, NULL, 0);
	char *text;

	if (j && (cJSON_IsObject(j) || cJSON_IsArray(j))) {
		if (mask_tree(j) && (text = cJSON_PrintUnformatted(j))) {
			strbuf_addstr(out, text);
			cJSON_free(text);
		} else {
			strbuf_add(out, body, len);
		}
	} else {
		mask_form(body, len, out);
	}
	cJSON_Delete(j);
}

struct header_list {
	struct {
		char *name;
		struct strbuf value;
	} v[LOG_MAX_HEADERS];
	int n;
};

static void mask_header(const char *name, const char *value, struct strbuf *out)
{
	const char *sp;

	if (!strcmp(name, "x-authorization")) {
		strbuf_addstr(out, MASK);
	} else if (!strcmp(name, "authorization") ||
		   !strcmp(name, "proxy-authorization")) {
		sp = strchr(value, ' ');
		if (sp)
			strbuf_add(out, value, (size_t)(sp + 1 - value));
		strbuf_addstr(out, MASK);
	} else {
		strbuf_addstr(out, value);
	}
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind,
				      const char *key, const char *value)
{
	struct header_list *h = cls;
	char *name = xstrdup(key), *p;
	int i;

	(void)kind;
	for (p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (i = 0; i < h->n; i++) {
		if (!strcmp(h->v[i].name, name)) {
			strbuf_addstr(&h->v[i].value, ", ");
			mask_header(name, value ? value : "", &h->v[i].value);
			free(name);
			return MHD_YES;
		}
	}
	if (h->n == LOG_MAX_HEADERS) {
		free(name);
		return MHD_YES;
	}
	h->v[h->n].name = name;
	strbuf_init(&h->v[h->n].value);
	mask_header(name, value ? value : "", &h->v[h->n].value);
	h->n++;
	return MHD_YES;
}

static void write_headers(struct jsonw *w, struct emu_req *r)
{
	struct header_list *h = xcalloc(1, sizeof(*h));
	int i;

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_header, h);
	jsonw_object_begin(w);
	for (i = 0; i < h->n; i++) {
		jsonw_key(w, h->v[i].name);
		jsonw_stringn(w, h->v[i].value.buf, h->v[i].value.len);
		free(h->v[i].name);
		strbuf_release(&h->v[i].value);
	}
	jsonw_object_end(w);
	free(h);
}

void log_request(struct emu *emu, struct emu_req *r)
{
	struct strbuf line = STRBUF_INIT, body = STRBUF_INIT;
	const char *q = strchr(r->target, '?');
	struct jsonw w;

	if (!emu->log)
		return;
	jsonw_init(&w, &line, false);
	jsonw_object_begin(&w);
	jsonw_object_int(&w, "seq", (long long)r->seq);
	jsonw_object_double(&w, "t", r->t);
	jsonw_object_string(&w, "method", r->method);
	jsonw_key(&w, "path");
	jsonw_stringn(&w, r->target,
		      q ? (size_t)(q - r->target) : strlen(r->target));
	jsonw_object_string(&w, "query", q ? q + 1 : "");
	jsonw_key(&w, "headers");
	write_headers(&w, r);
	jsonw_key(&w, "body");
	if (r->body.len) {
		log_mask_body(r->body.buf, r->body.len, &body);
		jsonw_stringn(&w, body.buf, body.len);
	} else {
		jsonw_null(&w);
	}
	jsonw_object_int(&w, "status", r->status);
	jsonw_object_string(&w, "fault", r->fault);
	jsonw_object_string(&w, "auth", auth_name(r->auth));
	jsonw_object_int(&w, "inflight", r->inflight);
	jsonw_object_end(&w);
	strbuf_addch(&line, '\n');
	fwrite(line.buf, 1, line.len, emu->log);
	fflush(emu->log);
	strbuf_release(&line);
	strbuf_release(&body);
}
