/*
 * Bizagi: SCIM listing with an OAuth2 client-credentials token; a SCIM
 * DELETE deactivates, and MassUserDeletion removes users without
 * references on Development and Test environments.
 *
 * The token is asked for with the client credentials in a Basic header
 * (scope auth.scope, default "api"), or a static bearer token is given.
 * Either belongs to no user: the caller is unknown, and the plan says so. MassUserDeletion takes no list: it deletes EVERY
 * user without references, listed or not, kept or not. It is a separate,
 * opt-in step after the deactivations, refused at plan time when the
 * project is declared production and never retried.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/plan.h"
#include "reconcile/secret.h"
#include "reconcile/vendors/scim.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"

#define SCIM_PREFIX   "/scim/v2"
#define MASS_DELETION "/Rest/Users/MassUserDeletion"
#define MASS_DONE     "Operation successful"

static struct http_request *auth_request(struct session *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct http_request *r;
	char *b64, *scope;

	r = http_request_new(
		"POST", s->token_url ? xstrdup(s->token_url)
				     : session_url(s, "/oauth2/server/token"));
	strbuf_addf(&sb, "%s:%s", s->client_id ? s->client_id : "",
		    s->client_secret ? s->client_secret : "");
	b64 = base64_encode(sb.buf, sb.len);
	redact_add(b64);
	memset(sb.buf, 0, sb.len);
	strbuf_release(&sb);
	http_add_header(r, "Authorization: Basic %s", b64);
	secret_free(b64);
	scope = url_encode(s->scope ? s->scope : "api");
	http_set_form(
		r, xasprintf("grant_type=client_credentials&scope=%s", scope));
	free(scope);
	r->is_auth = true;
	return r;
}

#define SCOPE_HINT                                                             \
	"the OAuth application needs the allowed scope \"API and USER "        \
	"SYNC\""

/*
 * The token answer; a refusal says what Bizagi's OAuth application needs
 * besides the right client id and secret.
 */
static int auth_response(struct session *s, const struct http_response *r,
			 struct err *e)
{
	char msg[ERR_MSG_MAX - 256];

	if (session_token_response(s, r, e) == 0)
		return 0;
	if (r->status != 401 && r->status != 403)
		return -1;
	snprintf(msg, sizeof(msg), "%.1700s", e->msg);
	return err_set(
		e,
		"%s: check auth.client_id and auth.client_secret; " SCOPE_HINT,
		msg);
}

static const char *list_hint(struct session *s, const struct http_response *r)
{
	if (r->status == 404)
		return "SCIM is available only on Bizagi Automation Service "
		       "(cloud) or Automation Server with an SQL database";
	if (r->status == 401 || r->status == 403)
		return s->t->auth.type == AUTH_BEARER
			       ? "check auth.token: its OAuth application "
				 "needs "
				 "the allowed scope \"API and USER SYNC\""
			       : SCOPE_HINT;
	return NULL;
}

static struct http_request *list_request(struct session *s,
					 const struct page *pg)
{
	return scim_list_request(s, SCIM_PREFIX, pg);
}

static int list_response(struct session *s, const struct page *pg,
			 const struct http_response *r, struct userstore *out,
			 struct page_result *res, struct err *e)
{
	(void)pg;
	return scim_list_response(s, r, out, res, e);
}

/*
 * A SCIM DELETE deactivates; mode: deactivate asks for it by name, with
 * the PATCH Bizagi documents as doing the same.
 */
static struct http_request *
delete_request(struct session *s, const struct plan_user *const *u, size_t n)
{
	(void)n;
	if (s->t->mode == MODE_DEACTIVATE)
		return scim_patch_active(s, SCIM_PREFIX, u[0]->id, false);
	return scim_delete_request(s, SCIM_PREFIX, u[0]->id);
}

static void delete_response(struct session *s, const struct plan_user *const *u,
			    size_t n, const struct http_response *r,
			    struct delete_result *out)
{
	char desc[200];

	(void)s;
	(void)u;
	(void)n;
	/* "users cannot be deleted in Bizagi": the DELETE deactivates */
	delete_outcome(r, OUTCOME_DEACTIVATED, out);
	if (r->status == 403) {
		/* production refuses them all: stop before the next one */
		out->stop_tenant = true;
		http_describe(r, desc, sizeof(desc));
		snprintf(out->detail, sizeof(out->detail),
			 "Bizagi refused the deactivation: the environment "
			 "is Production, where users cannot be deleted, or "
			 "the client may not manage users (%.120s)",
			 desc);
	}
}

static void effect(const struct tenant *t, struct effect *out)
{
	(void)t;
	*out = (struct effect){ OUTCOME_DEACTIVATED, "deactivated",
				"restore with userprune restore", 0 };
}

/* "setting active false via update does the same": true undoes it */
static struct http_request *
restore_request(struct session *s, const struct plan_user *u, enum outcome was)
{
	(void)was;
	return scim_patch_active(s, SCIM_PREFIX, u->id, true);
}

static bool production(const struct tenant *t)
{
	const char *env = tenant_option(t, "environment");

	/* anything unknown is production: the safe side */
	return !env || (strcmp(env, "development") && strcmp(env, "test"));
}

static void plan_tenant(const struct tenant *t, struct tenant_plan *tp)
{
	if (!tenant_option_bool(t, "mass_user_deletion"))
		return;
	tp->mass_deletion = true;
	if (production(t))
		tenant_plan_guard(tp, "mass_user_deletion", true,
				  "options.mass_user_deletion is true but "
				  "options.environment is production: Bizagi "
				  "refuses MassUserDeletion in production, "
				  "and userprune never sends it there");
	else if (t->keep.n || t->protect.n)
		/* it would take kept and protected users with it */
		tenant_plan_guard(tp, "mass_user_deletion", true,
				  "MassUserDeletion deletes every user without "
				  "references, kept and protected ones too: it "
				  "is allowed only with empty keep and protect "
				  "lists (and policy.allow_empty_keep: true)");
	else
		tenant_plan_guard(tp, "mass_user_deletion", false,
				  "after the deactivations, MassUserDeletion "
				  "deletes every user without references in "
				  "this %s environment, listed or not",
				  tenant_option(t, "environment"));
}

static struct http_request *post_request(struct session *s)
{
	struct http_request *r =
		http_request_new("DELETE", session_url(s, MASS_DELETION));

	/* a second run would delete what the first one left: never retry */
	r->no_retry = true;
	return r;
}

/* The body on one line, quotes of a JSON string removed, into buf. */
static void answer_text(const struct http_response *r, char *buf, size_t n)
{
	size_t i = 0, j = 0, len = r->len;

	while (i < len && strchr(" \t\r\n", r->body[i]))
		i++;
	while (len > i && strchr(" \t\r\n", r->body[len - 1]))
		len--;
	if (len - i >= 2 && r->body[i] == '"' && r->body[len - 1] == '"') {
		i++;
		len--;
	}
	for (; i < len && j + 1 < n; i++) {
		unsigned char c = (unsigned char)r->body[i];

		buf[j++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	buf[j] = '\0';
}

static int post_response(struct session *s, const struct http_response *r,
			 char *detail, size_t n)
{
	char text[256], desc[256];

	(void)s;
	answer_text(r, text, sizeof(text));
	if (r->status == 200 && !strncmp(text, MASS_DONE, strlen(MASS_DONE))) {
		snprintf(detail, n, "%s", text);
		return 0;
	}
	http_describe(r, desc, sizeof(desc));
	if (r->status == 403)
		snprintf(detail, n,
			 "refused: the environment is Production, where users "
			 "cannot be deleted (set options.environment: "
			 "production); nothing more is sent for this tenant "
			 "(%s)",
			 desc);
	else if (r->status >= 200 && r->status <= 299)
		snprintf(detail, n,
			 "unexpected answer, users may or may not have been "
			 "deleted: %s",
			 desc);
	else
		snprintf(detail, n,
			 "failed, users may or may not have been deleted: %s",
			 desc);
	return -1;
}

static const struct vendor_option options[] = {
	/* unknown environments are treated as production: the safe side */
	{ .key = "environment",
	  .kind = OPTION_ENUM,
	  .choices = "development|test|production",
	  .def = "production" },
	{ .key = "mass_user_deletion", .kind = OPTION_BOOL, .def = "false" },
	{ 0 },
};

/* the url is the environment's: the SCIM prefix is added to it */
static const char *const api_paths[] = { SCIM_PREFIX, "/Users", NULL };

const struct vendor vendor_bizagi = {
	.name = "bizagi",
	.api_paths = api_paths,
	.app_credentials = true,
	/* bearer: a static token (Bizagi's "Bearer token" grant, lifetime 0) */
	.auth_types = AUTH_BIT(AUTH_OAUTH2) | AUTH_BIT(AUTH_BEARER),
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 5,
		      .batch_size = 1,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 1,
	.inactive_is_final = true,
	.deactivation = true,
	.auth_request = auth_request,
	.auth_response = auth_response,
	.paging = PAGE_OFFSET_TOTAL,
	.page_size = 500,
	.list_request = list_request,
	.list_response = list_response,
	.list_hint = list_hint,
	.delete_request = delete_request,
	.delete_response = delete_response,
	.effect = effect,
	.restorable = OUTCOME_BIT(OUTCOME_DEACTIVATED),
	.restore_request = restore_request,
	.plan_tenant = plan_tenant,
	.post_request = post_request,
	.post_response = post_response,
};
