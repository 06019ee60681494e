#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "reconcile/snapshot.h"
#include "util/fileio.h"
#include "util/jsonscan.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define SNAPSHOT_MAX (4096ull << 20)

void snapshot_release(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->tenants[i].name);
	free(s->tenants);
	free(s->path);
	if (s->data)
		file_unmap(s->data, s->len);
	memset(s, 0, sizeof(*s));
}

/* Parses the JSON string at p..q (quotes included). */
static char *parse_key(const char *p, const char *q)
{
	cJSON *k = cJSON_ParseWithLength(p, (size_t)(q - p));
	char *s = NULL;

	if (cJSON_IsString(k))
		s = xstrdup(k->valuestring);
	cJSON_Delete(k);
	return s;
}

/*
 * Past an element of a list or object ending with close: the next element
 * after a comma, or the closing bracket; NULL when neither follows.
 */
static const char *next_element(const char *p, const char *end, char close)
{
	p = jscan_ws(p, end);
	if (p < end && *p == ',') {
		p = jscan_ws(p + 1, end);
		return p < end && *p != close ? p : NULL;
	}
	return p < end && *p == close ? p : NULL;
}

int snapshot_open(struct snapshot *s, const char *path, struct err *e)
{
	const char *p, *end, *q;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	if (file_map(path, (size_t)SNAPSHOT_MAX, &s->data, &s->len, e) < 0)
		goto fail;
	p = jscan_ws(s->data, s->data + s->len);
	end = s->data + s->len;
	if (p >= end || *p != '{') {
		err_set(e,
			"%s: expected a JSON object mapping tenant names to "
			"users",
			path);
		goto fail;
	}
	p = jscan_ws(p + 1, end);
	while (p < end && *p != '}') {
		struct snapshot_tenant *t;

		if (*p != '"' || !(q = jscan_value(p, end)))
			goto malformed;
		s->tenants =
			xrealloc(s->tenants, (s->n + 1) * sizeof(*s->tenants));
		t = &s->tenants[s->n++];
		t->name = parse_key(p, q);
		p = jscan_ws(q, end);
		if (!t->name || p >= end || *p != ':')
			goto malformed;
		/* which of two would be meant is anyone's guess */
		for (i = 0; i + 1 < s->n; i++) {
			if (!strcmp(s->tenants[i].name, t->name)) {
				err_set(e, "%s:%d: tenant '%s' is listed twice",
					path, jscan_line(s->data, p), t->name);
				goto fail;
			}
		}
		t->value = jscan_ws(p + 1, end);
		t->end = jscan_value(t->value, end);
		if (!t->end)
			goto malformed;
		if (!(p = next_element(t->end, end, '}'))) {
			p = jscan_ws(t->end, end);
			goto malformed;
		}
	}
	if (p >= end || jscan_ws(p + 1, end) != end)
		goto malformed;
	return 0;
malformed:
	err_set(e, "%s:%d: malformed JSON (truncated or invalid)", path,
		jscan_line(s->data, p < end ? p : end));
fail:
	snapshot_release(s);
	return -1;
}

static int user_field(const cJSON *o, const char *key, const char **out,
		      bool required, char *why, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (required)
			snprintf(why, cap, "'%s' is missing", key);
		return required ? -1 : 0;
	}
	if (!cJSON_IsString(v) || (required && !*v->valuestring)) {
		snprintf(why, cap, "'%s' must be a%s string", key,
			 required ? " non-empty" : "");
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

/*
 * "emails": every address of the user. The shown one is email, else the
 * first; the others go into more (NUL-separated, an empty string last).
 */
static int user_emails(const cJSON *o, struct user *u, struct strbuf *more,
		       char *why, size_t cap)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "emails");
	const cJSON *it;

	strbuf_reset(more);
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list)) {
		snprintf(why, cap, "'emails' must be a list of strings");
		return -1;
	}
	cJSON_ArrayForEach(it, list)
	{
		if (!cJSON_IsString(it)) {
			snprintf(why, cap,
				 "'emails' must be a list of strings");
			return -1;
		}
		if (!*it->valuestring)
			continue;
		if (!u->email) {
			u->email = it->valuestring;
			continue;
		}
		if (!strcasecmp(it->valuestring, u->email))
			continue;
		strbuf_add(more, it->valuestring, strlen(it->valuestring) + 1);
	}
	if (more->len) {
		strbuf_add(more, "", 1);
		u->more_emails = more->buf;
	}
	return 0;
}

static int parse_user(const char *p, const char *q, struct user *u,
		      struct strbuf *more, cJSON **tree, char *why, size_t cap)
{
	static const char *const keys[] = { "id",	"email", "emails",
					    "username", "name",	 "type",
					    "status",	NULL };
	const char *type = NULL, *status = NULL;
	const cJSON *it;
	const char *const *k;

	*tree = cJSON_ParseWithLength(p, (size_t)(q - p));
	if (!cJSON_IsObject(*tree)) {
		snprintf(why, cap, "a user must be an object");
		return -1;
	}
	cJSON_ArrayForEach(it, *tree)
	{
		for (k = keys; *k && strcmp(*k, it->string); k++)
			;
		if (!*k) {
			snprintf(why, cap, "unknown key '%s'", it->string);
			return -1;
		}
	}
	memset(u, 0, sizeof(*u));
	if (user_field(*tree, "id", &u->id, true, why, cap) < 0 ||
	    user_field(*tree, "email", &u->email, false, why, cap) < 0 ||
	    user_field(*tree, "username", &u->username, false, why, cap) < 0 ||
	    user_field(*tree, "name", &u->name, false, why, cap) < 0 ||
	    user_field(*tree, "type", &type, false, why, cap) < 0 ||
	    user_field(*tree, "status", &status, false, why, cap) < 0 ||
	    user_emails(*tree, u, more, why, cap) < 0)
		return -1;
	u->type = USER_HUMAN;
	u->status = STATUS_ACTIVE;
	if (type) {
		enum user_type t;

		if (user_type_parse(type, &t) < 0) {
			snprintf(why, cap,
				 "'type' must be human, app, robot, customer "
				 "or unknown, not '%.40s'",
				 type);
			return -1;
		}
		u->type = (uint8_t)t;
	}
	if (status) {
		enum user_status st;

		if (user_status_parse(status, &st) < 0) {
			snprintf(why, cap,
				 "'status' must be active, inactive or "
				 "pending_deletion, not '%.40s'",
				 status);
			return -1;
		}
		u->status = (uint8_t)st;
	}
	return 0;
}

static int load_users(const struct snapshot *s, const char *tenant,
		      const char *p, const char *end, struct userstore *out,
		      struct err *e)
{
	struct strbuf more = STRBUF_INIT;
	const char *q;
	char why[256];
	size_t i = 0;
	int rc = 0;

	if (*p != '[')
		return err_set(e, "%s:%d: tenant '%s': users must be a list",
			       s->path, jscan_line(s->data, p), tenant);
	p = jscan_ws(p + 1, end);
	while (p < end && *p != ']') {
		struct user u;
		cJSON *tree = NULL;

		q = jscan_value(p, end);
		if (!q ||
		    parse_user(p, q, &u, &more, &tree, why, sizeof(why)) < 0) {
			if (!q)
				snprintf(why, sizeof(why), "malformed JSON");
			cJSON_Delete(tree);
			rc = err_set(e, "%s:%d: tenant '%s': users[%zu]: %s",
				     s->path, jscan_line(s->data, p), tenant, i,
				     why);
			goto out;
		}
		if (userstore_add(out, &u) != 0) {
			/* u.id points into tree */
			rc = err_set(e,
				     "%s:%d: tenant '%s': duplicate user id "
				     "'%s'",
				     s->path, jscan_line(s->data, p), tenant,
				     u.id);
			cJSON_Delete(tree);
			goto out;
		}
		cJSON_Delete(tree);
		i++;
		if (!(p = next_element(q, end, ']'))) {
			rc = err_set(e, "%s:%d: tenant '%s': malformed JSON",
				     s->path, jscan_line(s->data, q), tenant);
			goto out;
		}
	}
out:
	strbuf_release(&more);
	return rc;
}

int snapshot_users(const struct snapshot *s, const char *tenant,
		   struct userstore *out, struct err *e)
{
	const struct snapshot_tenant *t = NULL;
	const char *p, *q, *end, *users = NULL;
	bool caller = false;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->tenants[i].name, tenant))
			t = &s->tenants[i];
	if (!t)
		return err_set(e, "%s: no tenant '%s' in the snapshot", s->path,
			       tenant);
	end = t->end;
	if (*t->value == '[')
		return load_users(s, tenant, t->value, end, out, e);
	if (*t->value != '{')
		return err_set(e,
			       "%s:%d: tenant '%s' must be a list of users or "
			       "an object with 'users'",
			       s->path, jscan_line(s->data, t->value), tenant);
	/* {"caller": ..., "users": [...]}: walk the members */
	p = jscan_ws(t->value + 1, end);
	while (p < end && *p != '}') {
		char *key;

		q = jscan_value(p, end);
		key = q ? parse_key(p, q) : NULL;
		p = q ? jscan_ws(q, end) : end;
		if (!key || *p != ':') {
			free(key);
			return err_set(e, "%s:%d: malformed JSON", s->path,
				       jscan_line(s->data, p));
		}
		p = jscan_ws(p + 1, end);
		q = jscan_value(p, end);
		if (!q) {
			free(key);
			return err_set(e, "%s:%d: malformed JSON", s->path,
				       jscan_line(s->data, p));
		}
		if (!strcmp(key, "users") ? users != NULL
					  : !strcmp(key, "caller") && caller) {
			err_set(e, "%s:%d: tenant '%s': '%s' is given twice",
				s->path, jscan_line(s->data, p), tenant, key);
			free(key);
			return -1;
		}
		if (!strcmp(key, "users")) {
			users = p;
		} else if (!strcmp(key, "caller")) {
			cJSON *c = cJSON_ParseWithLength(p, (size_t)(q - p));

			caller = true;
			if (cJSON_IsString(c))
				userstore_set_caller(out, c->valuestring);
			else if (!cJSON_IsNull(c)) {
				cJSON_Delete(c);
				free(key);
				return err_set(e,
					       "%s:%d: tenant '%s': 'caller' "
					       "must be a string or null",
					       s->path, jscan_line(s->data, p),
					       tenant);
			}
			cJSON_Delete(c);
		} else {
			err_set(e, "%s:%d: tenant '%s': unknown key '%s'",
				s->path, jscan_line(s->data, p), tenant, key);
			free(key);
			return -1;
		}
		free(key);
		if (!(p = next_element(q, end, '}')))
			return err_set(e, "%s:%d: malformed JSON", s->path,
				       jscan_line(s->data, q));
	}
	if (!users)
		return err_set(e, "%s: tenant '%s' has no 'users'", s->path,
			       tenant);
	return load_users(s, tenant, users, end, out, e);
}
