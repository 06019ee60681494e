/*
 * Automation Anywhere Control Room (v1 and v2 paths): password or API-key
 * authentication for short-lived tokens sent in X-Authorization, token
 * refresh, POSTed list queries, deletion answered with the user's JSON.
 */
#include <string.h>

#include "emu.h"

#define DEFAULT_LENGTH 100

/* Control Room lists users being deleted, marked "deleted": true. */
static bool listed(const struct emu_user *u)
{
	(void)u;
	return true;
}

static void error(struct emu_req *r, int status, const char *msg)
{
	const char *code = "ERROR";
	struct jsonw w;

	if (status == 401)
		code = "UNAUTHORIZED";
	else if (status == 404)
		code = "NOT_FOUND";
	strbuf_reset(&r->out);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "code", code);
	jsonw_object_string(&w, "details", "");
	jsonw_object_string(&w, "message", msg);
	jsonw_object_end(&w);
	emu_reply(r, status, "application/json");
}

static void user_json(struct jsonw *w, struct emu *emu,
		      const struct emu_user *u)
{
	const char *first, *last;
	size_t first_len;

	(void)emu;
	user_split_name(u, &first, &first_len, &last);
	jsonw_object_begin(w);
	jsonw_key(w, "id");
	emu_write_num_id(w, u);
	jsonw_object_string(w, "username", u->username);
	jsonw_object_string(w, "email", u->email);
	jsonw_key(w, "firstName");
	jsonw_stringn(w, first, first_len);
	jsonw_object_string(w, "lastName", last);
	jsonw_object_string(w, "description", "");
	jsonw_object_bool(w, "disabled", u->status == EMU_INACTIVE);
	jsonw_object_bool(w, "deleted", u->status == EMU_PENDING);
	jsonw_key(w, "roles");
	jsonw_raw(w, "[]");
	jsonw_key(w, "licenseFeatures");
	jsonw_raw(w, "[]");
	if (u->vendor_type) {
		jsonw_key(w, "type");
		jsonw_raw(w, u->vendor_type);
	}
	jsonw_object_end(w);
}

static const char *caller_id(const struct emu *emu)
{
	const struct emu_store *s = &emu->users;

	return s->caller >= 0 ? s->v[s->caller].id : NULL;
}

static const char *member_string(const cJSON *j, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, name);

	return cJSON_IsString(m) ? m->valuestring : NULL;
}

static void authenticate(struct emu *emu, struct emu_req *r)
{
	const struct emu_options *o = &emu->opt;
	cJSON *j = emu_body_json(emu, r);
	const char *user, *password, *key;
	struct jsonw w;

	if (!j)
		return;
	user = member_string(j, "username");
	password = member_string(j, "password");
	key = member_string(j, "apiKey");
	if (!user || (!password && !key)) {
		r->auth = EMU_AUTH_MISSING;
		error(r, 401, "Authentication failed");
	} else if (strcmp(user, o->username) ||
		   (password ? strcmp(password, o->password)
			     : strcmp(key, o->api_key))) {
		r->auth = EMU_AUTH_INVALID;
		error(r, 401, "Authentication failed");
	} else {
		r->auth = EMU_AUTH_OK;
		jsonw_init(&w, &r->out, false);
		jsonw_object_begin(&w);
		jsonw_object_string(&w, "token",
				    auth_issue(emu, true, caller_id(emu)));
		jsonw_key(&w, "user");
		if (emu->users.caller >= 0)
			emu_write_user(&w, emu,
				       &emu->users.v[emu->users.caller],
				       user_json);
		else
			jsonw_null(&w);
		jsonw_object_end(&w);
		emu_reply(r, 200, "application/json");
	}
	cJSON_Delete(j);
}

static void refresh(struct emu *emu, struct emu_req *r)
{
	cJSON *j = emu_body_json(emu, r);
	struct jsonw w;

	if (!j)
		return;
	r->auth = auth_token(emu, member_string(j, "token"));
	if (r->auth != EMU_AUTH_OK) {
		error(r, 401, "the token is not valid");
	} else {
		jsonw_init(&w, &r->out, false);
		jsonw_object_begin(&w);
		jsonw_object_string(&w, "token",
				    auth_issue(emu, true, caller_id(emu)));
		jsonw_object_end(&w);
		emu_reply(r, 200, "application/json");
	}
	cJSON_Delete(j);
}

static int page_member(const cJSON *page, const char *name, long def, long *out)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(page, name);

	*out = def;
	if (!m)
		return 0;
	if (!cJSON_IsNumber(m) || m->valuedouble < 0 || m->valuedouble > 1e12)
		return -1;
	*out = (long)m->valuedouble;
	return 0;
}

static void list(struct emu *emu, struct emu_req *r)
{
	const struct emu_store *s = &emu->users;
	long offset = 0, length = DEFAULT_LENGTH, n, slot;
	const cJSON *page = NULL;
	cJSON *j = NULL;
	struct jsonw w;

	if (r->body.len) {
		if (!(j = emu_body_json(emu, r)))
			return;
		page = cJSON_GetObjectItemCaseSensitive(j, "page");
	}
	if (page_member(page, "offset", 0, &offset) < 0 ||
	    page_member(page, "length", DEFAULT_LENGTH, &length) < 0) {
		error(r, 400, "page.offset and page.length must be numbers");
		goto out;
	}
	if (!emu_page(emu, r, offset, &length))
		goto out;
	strbuf_grow(&r->out, (size_t)length * 256);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_key(&w, "page");
	jsonw_object_begin(&w);
	jsonw_object_int(&w, "offset", offset);
	/* --aa-total-zero: a server seen to count 0 on pages with users */
	jsonw_object_int(&w, "total",
			 emu->opt.aa_total_zero ? 0 : (long long)s->listed);
	jsonw_object_int(&w, "totalFilter",
			 emu->opt.aa_total_zero ? 0 : (long long)s->listed);
	jsonw_object_end(&w);
	jsonw_key(&w, "list");
	jsonw_array_begin(&w);
	n = length;
	slot = n > 0 ? store_nth_listed(s, (size_t)offset) : -1;
	for (; n > 0 && slot >= 0; n--, slot = store_next_listed(s, slot))
		emu_write_user(&w, emu, &s->v[slot], user_json);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	emu_reply(r, 200, "application/json");
out:
	cJSON_Delete(j);
}

static void one_user(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = store_find(&emu->users, id);
	const struct emu_user *u = slot >= 0 ? &emu->users.v[slot] : NULL;
	struct jsonw w;

	if (!u || u->status == EMU_PENDING) {
		error(r, 404, "User not found");
		return;
	}
	if (!strcmp(r->method, "DELETE") && u->fail_delete) {
		error(r, u->fail_delete, "deletion failed");
		return;
	}
	if (!strcmp(r->method, "DELETE") && u->vanishing) {
		/* deleted by someone else between listing and deletion */
		store_remove(&emu->users, slot);
		error(r, 404, "User not found");
		return;
	}
	if (!strcmp(r->method, "DELETE") && u->undeletable) {
		error(r, 400, "This user cannot be deleted");
		return;
	}
	jsonw_init(&w, &r->out, false);
	emu_write_user(&w, emu, u, user_json);
	emu_reply(r, 200, "application/json");
	if (strcmp(r->method, "DELETE"))
		return;
	emu_delete(emu, slot, -1);
	if (emu->opt.aa_delete_204) {
		strbuf_reset(&r->out);
		emu_reply(r, 204, NULL);
	}
}

static void handle(struct emu *emu, struct emu_req *r)
{
	const char *p = r->path, *rest;
	bool post = !strcmp(r->method, "POST");

	/* --aa-only v1: before Automation 360; v2: v.33 and later */
	if ((strncmp(p, "/v1/", 4) && strncmp(p, "/v2/", 4)) ||
	    (emu->opt.aa_only && strncmp(p + 1, emu->opt.aa_only, 2))) {
		error(r, 404, "Not Found");
		return;
	}
	rest = p + 4;
	if (!strcmp(rest, "authentication")) {
		if (post)
			authenticate(emu, r);
		else
			error(r, 405, "Method Not Allowed");
		return;
	}
	if (!strcmp(rest, "authentication/token")) {
		if (post)
			refresh(emu, r);
		else
			error(r, 405, "Method Not Allowed");
		return;
	}
	r->auth = auth_token(emu, auth_credential(r, "X-Authorization", NULL));
	if (r->auth != EMU_AUTH_OK) {
		error(r, 401, "Unauthorized");
	} else if (post && !strcmp(rest, "usermanagement/users/list")) {
		list(emu, r);
	} else if (!strncmp(rest, "usermanagement/users/", 21) && rest[21] &&
		   !strchr(rest + 21, '/') &&
		   (!strcmp(r->method, "DELETE") ||
		    !strcmp(r->method, "GET"))) {
		one_user(emu, r, rest + 21);
	} else {
		error(r, 404, "Not Found");
	}
}

const struct emu_vendor emu_vendor_aa = {
	.name = "automation-anywhere",
	.idstyle = EMU_ID_INT,
	.usernames = true,
	.default_user = "admin",
	.max_page = 1000,
	.token_ttl = 1200,
	.listed = listed,
	.handle = handle,
	.error = error,
};
