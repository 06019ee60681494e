/*
 * Bizagi: client-credential tokens (credentials in Basic), SCIM listing,
 * SCIM deletion that only deactivates, and the mass deletion of every user
 * without references, refused in production.
 */
#include <stdlib.h>
#include <string.h>

#include "emu.h"

#define SCIM_USERS    "/scim/v2/Users"
#define MASS_DELETION "/Rest/Users/MassUserDeletion"

static void oauth_error(struct emu_req *r, int status, const char *code)
{
	strbuf_reset(&r->out);
	strbuf_addf(&r->out, "{\"error\":\"%s\"}", code);
	emu_reply(r, status, "application/json");
}

static void token(struct emu *emu, struct emu_req *r)
{
	char *grant = emu_form_value(r->body.buf, r->body.len, "grant_type");
	struct jsonw w;

	r->auth = auth_basic(r, emu->opt.client_id, emu->opt.client_secret);
	if (r->auth != EMU_AUTH_OK) {
		emu_add_header(r, "WWW-Authenticate", "Basic");
		oauth_error(r, 401, "invalid_client");
	} else if (!grant || strcmp(grant, "client_credentials")) {
		oauth_error(r, 400, "unsupported_grant_type");
	} else {
		jsonw_init(&w, &r->out, false);
		jsonw_object_begin(&w);
		jsonw_object_string(&w, "access_token",
				    auth_issue(emu, false, NULL));
		jsonw_object_string(&w, "token_type", "Bearer");
		jsonw_object_int(&w, "expires_in", auth_ttl(emu));
		jsonw_object_end(&w);
		emu_reply(r, 200, "application/json");
	}
	free(grant);
}

/* "Users cannot be deleted in Bizagi": SCIM DELETE deactivates. */
static void deactivate(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = store_find(&emu->users, id);

	if (slot < 0 || !scim_listed(&emu->users.v[slot])) {
		scim_error(r, 404, "Resource not found");
	} else if (emu->users.v[slot].fail_delete) {
		scim_error(r, emu->users.v[slot].fail_delete,
			   "deactivation failed");
	} else if (emu->users.v[slot].vanishing) {
		/* removed by someone else between listing and deletion */
		store_remove(&emu->users, slot);
		scim_error(r, 404, "Resource not found");
	} else if (emu->users.v[slot].undeletable) {
		scim_error(r, 400, "this user cannot be deactivated");
	} else {
		emu_delete(emu, slot, EMU_INACTIVE);
		emu_reply(r, 204, NULL);
	}
}

/* Deletes every user without references; the caller counts as one. */
static void mass_deletion(struct emu *emu, struct emu_req *r)
{
	struct emu_store *s = &emu->users;
	const struct emu_user *u;
	unsigned long n = 0;
	size_t i;

	if (emu->cfg.environment == EMU_ENV_PRODUCTION) {
		emu_reply_text(r, 403, "text/plain; charset=utf-8",
			       "Mass user deletion is not available: the "
			       "environment is Production.");
		return;
	}
	for (i = 0; i < s->n; i++) {
		u = &s->v[i];
		if (u->gone || u->referenced || u->undeletable ||
		    (long)i == s->caller)
			continue;
		emu_count_delete(emu, u->id);
		store_remove(s, (long)i);
		n++;
	}
	strbuf_reset(&r->out);
	strbuf_addf(&r->out, "Operation successful. Total users deleted: %lu",
		    n);
	emu_reply(r, 200, "text/plain; charset=utf-8");
}

static void handle(struct emu *emu, struct emu_req *r)
{
	const char *p = r->path;
	bool get = !strcmp(r->method, "GET");
	bool del = !strcmp(r->method, "DELETE");
	size_t n = strlen(SCIM_USERS);
	const char *cred;

	if (!strcmp(p, "/oauth2/server/token")) {
		if (strcmp(r->method, "POST"))
			scim_error(r, 405, "Method Not Allowed");
		else
			token(emu, r);
		return;
	}
	cred = auth_credential(r, "Authorization", "Bearer");
	r->auth = auth_token(emu, cred);
	/* or the static token of the "Bearer token" grant (lifetime 0) */
	if (r->auth != EMU_AUTH_OK && cred && !strcmp(cred, emu->opt.token))
		r->auth = auth_static(emu, cred, emu->opt.token);
	if (r->auth != EMU_AUTH_OK) {
		scim_error(r, 401, "authorization failure");
	} else if (get && !strcmp(p, SCIM_USERS)) {
		scim_list_users(emu, r);
	} else if (!strncmp(p, SCIM_USERS "/", n + 1) && p[n + 1] &&
		   (get || del || !strcmp(r->method, "PATCH"))) {
		if (get)
			scim_get_user(emu, r, p + n + 1);
		else if (del)
			deactivate(emu, r, p + n + 1);
		else
			scim_patch_user(emu, r, p + n + 1);
	} else if (!strcmp(p, MASS_DELETION)) {
		if (del)
			mass_deletion(emu, r);
		else
			scim_error(r, 405, "Method Not Allowed");
	} else {
		scim_error(r, 404, "not found");
	}
}

const struct emu_vendor emu_vendor_bizagi = {
	.name = "bizagi",
	.idstyle = EMU_ID_GUID,
	.usernames = true,
	.default_user = "admin",
	.max_page = 500,
	.token_ttl = 3600,
	.listed = scim_listed,
	.handle = handle,
	.error = scim_error,
};
