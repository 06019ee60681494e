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
/* Users read before the rest are estimated from their size. */
#define ESTIMATE_AFTER 4096
/* Bytes of users read before their pages are given back. */
#define MAP_DONE_STEP (16 << 20)

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
	/* each tenant's users are read again, a part at a time */
	file_map_done(s->data, end);
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

/* A plain string's end: no escape or control character; NULL if not. */
static const char *plain_string(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\' || (unsigned char)*p < 0x20)
			return NULL;
	return p < end ? p + 1 : NULL;
}

/*
 * The common user, read without building a tree: a flat object of the
 * keys parse_user knows (emails aside), each once, whose values are plain
 * strings or null. Returns the object's end, or NULL for anything else,
 * which parse_user then reads and judges as always. The strings are
 * copied into scratch, NUL-terminated.
 */
static const char *plain_user(const char *p, const char *end, struct user *u,
			      struct strbuf *scratch)
{
	static const char *const keys[] = { "id",   "email", "username",
					    "name", "type",  "status" };
	size_t at[6], i;
	bool seen[6] = { false }, null[6] = { false };
	const char *k, *v, *q, *str[6];
	enum user_type t;
	enum user_status st;

	strbuf_reset(scratch);
	if (*p != '{')
		return NULL;
	for (p = jscan_ws(p + 1, end);; p = jscan_ws(p + 1, end)) {
		if (p >= end || *p != '"' || !(q = plain_string(p, end)))
			return NULL;
		k = p + 1;
		for (i = 0; i < 6; i++)
			if (strlen(keys[i]) == (size_t)(q - 1 - k) &&
			    !memcmp(keys[i], k, (size_t)(q - 1 - k)))
				break;
		p = jscan_ws(q, end);
		if (i == 6 || seen[i] || p >= end || *p != ':')
			return NULL;
		seen[i] = true;
		p = jscan_ws(p + 1, end);
		if (p < end && *p == '"' && (q = plain_string(p, end))) {
			v = p + 1;
			at[i] = scratch->len;
			strbuf_add(scratch, v, (size_t)(q - 1 - v));
			strbuf_addch(scratch, '\0');
			p = q;
		} else if (end - p >= 4 && !memcmp(p, "null", 4)) {
			null[i] = true;
			p += 4;
		} else {
			return NULL;
		}
		p = jscan_ws(p, end);
		if (p < end && *p == '}')
			break;
		if (p >= end || *p != ',')
			return NULL;
	}
	for (i = 0; i < 6; i++)
		str[i] = seen[i] && !null[i] ? scratch->buf + at[i] : NULL;
	/* what parse_user would refuse, it refuses in its words */
	if (!str[0] || !*str[0] ||
	    (str[4] && user_type_parse(str[4], &t) < 0) ||
	    (str[5] && user_status_parse(str[5], &st) < 0))
		return NULL;
	memset(u, 0, sizeof(*u));
	u->id = str[0];
	u->email = str[1];
	u->username = str[2];
	u->name = str[3];
	u->type = str[4] ? (uint8_t)t : USER_HUMAN;
	u->status = str[5] ? (uint8_t)st : STATUS_ACTIVE;
	return p + 1;
}

/* The users of the list at p into out; *list_end (if not NULL) past it. */
static int load_users(const struct snapshot *s, const char *tenant,
		      const char *p, const char *end, struct userstore *out,
		      const char **list_end, struct err *e)
{
	struct strbuf more = STRBUF_INIT, scratch = STRBUF_INIT;
	const char *q, *done = s->data, *first;
	char why[256];
	size_t i = 0;
	int rc = 0;

	if (*p != '[')
		return err_set(e, "%s:%d: tenant '%s': users must be a list",
			       s->path, jscan_line(s->data, p), tenant);
	first = p = jscan_ws(p + 1, end);
	while (p < end && *p != ']') {
		struct user u;
		cJSON *tree = NULL;

		q = plain_user(p, end, &u, &scratch);
		if (!q && (!(q = jscan_value(p, end)) ||
			   parse_user(p, q, &u, &more, &tree, why,
				      sizeof(why)) < 0)) {
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
		/*
		 * The list's size in users, from what the first ones took:
		 * room for nearly all at once (a little less, so that a
		 * guess too high never doubles the index).
		 */
		if (i == ESTIMATE_AFTER)
			userstore_reserve(
				out,
				(size_t)(0.95 * (double)(end - first) /
					 (double)(q - first) * ESTIMATE_AFTER));
		/* the part read leaves memory as the reading goes on */
		if (q - done > MAP_DONE_STEP) {
			file_map_done(s->data, q);
			done = q;
		}
		if (!(p = next_element(q, end, ']'))) {
			rc = err_set(e, "%s:%d: tenant '%s': malformed JSON",
				     s->path, jscan_line(s->data, q), tenant);
			goto out;
		}
	}
	if (list_end)
		*list_end = p < end ? p + 1 : NULL;
out:
	strbuf_release(&more);
	strbuf_release(&scratch);
	return rc;
}

/*
 * The members of {"caller": ..., "users": [...]}. Eager, the users are
 * loaded where they stand, the list read once instead of scanned first;
 * it says nothing of errors (-1 with e unset): the plain walk, which
 * checks every member before it loads, finds and reports them.
 */
static int walk_members(const struct snapshot *s, const char *tenant,
			const struct snapshot_tenant *t, struct userstore *out,
			bool eager, struct err *e)
{
	const char *p, *q, *end = t->end, *users = NULL;
	bool caller = false;

	p = jscan_ws(t->value + 1, end);
	while (p < end && *p != '}') {
		char *key;

		q = jscan_value(p, end);
		key = q ? parse_key(p, q) : NULL;
		p = q ? jscan_ws(q, end) : end;
		if (!key || *p != ':') {
			free(key);
			return eager ? -1
				     : err_set(e, "%s:%d: malformed JSON",
					       s->path, jscan_line(s->data, p));
		}
		p = jscan_ws(p + 1, end);
		if (eager && !strcmp(key, "users")) {
			if (users ||
			    load_users(s, tenant, p, end, out, &q, e) < 0) {
				free(key);
				return -1;
			}
		} else {
			q = jscan_value(p, end);
		}
		if (!q) {
			free(key);
			return eager ? -1
				     : err_set(e, "%s:%d: malformed JSON",
					       s->path, jscan_line(s->data, p));
		}
		if (!strcmp(key, "users") ? users != NULL
					  : !strcmp(key, "caller") && caller) {
			if (!eager)
				err_set(e,
					"%s:%d: tenant '%s': '%s' is given "
					"twice",
					s->path, jscan_line(s->data, p), tenant,
					key);
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
				return eager ? -1
					     : err_set(e,
						       "%s:%d: tenant '%s': "
						       "'caller' must be a "
						       "string or null",
						       s->path,
						       jscan_line(s->data, p),
						       tenant);
			}
			cJSON_Delete(c);
		} else {
			if (!eager)
				err_set(e,
					"%s:%d: tenant '%s': unknown key '%s'",
					s->path, jscan_line(s->data, p), tenant,
					key);
			free(key);
			return -1;
		}
		free(key);
		if (!(p = next_element(q, end, '}')))
			return eager ? -1
				     : err_set(e, "%s:%d: malformed JSON",
					       s->path, jscan_line(s->data, q));
	}
	if (!users)
		return eager ? -1
			     : err_set(e, "%s: tenant '%s' has no 'users'",
				       s->path, tenant);
	return eager ? 0 : load_users(s, tenant, users, end, out, NULL, e);
}

int snapshot_users(const struct snapshot *s, const char *tenant,
		   struct userstore *out, struct err *e)
{
	const struct snapshot_tenant *t = NULL;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->tenants[i].name, tenant))
			t = &s->tenants[i];
	if (!t)
		return err_set(e, "%s: no tenant '%s' in the snapshot", s->path,
			       tenant);
	if (*t->value == '[')
		return load_users(s, tenant, t->value, t->end, out, NULL, e);
	if (*t->value != '{')
		return err_set(e,
			       "%s:%d: tenant '%s' must be a list of users or "
			       "an object with 'users'",
			       s->path, jscan_line(s->data, t->value), tenant);
	if (walk_members(s, tenant, t, out, true, e) == 0)
		return 0;
	/* something is wrong: the plain walk says what, as it always did */
	userstore_release(out);
	userstore_init(out);
	return walk_members(s, tenant, t, out, false, e);
}
