#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/secret.h"
#include "reconcile/session.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/url.h"
#include "util/xalloc.h"

/* Values of non-secret fields this long are redacted (see resolve). */
#define REFERENCE_REDACT_MIN 8

/* A token this close to its expiry is renewed before use. */
#define EXPIRY_MARGIN 30.0

static char *xsecret(char **s)
{
	char *v = *s;

	*s = NULL;
	return v;
}

static void wipe(char **s)
{
	secret_free(xsecret(s));
}

void session_close(struct session *s)
{
	wipe(&s->username);
	wipe(&s->password);
	wipe(&s->token);
	wipe(&s->client_id);
	wipe(&s->client_secret);
	wipe(&s->api_key);
	wipe(&s->token_url);
	wipe(&s->scope);
	wipe(&s->access_token);
	wipe(&s->static_auth);
	free(s->caller);
	if (s->priv && s->v && s->v->session_release)
		s->v->session_release(s);
	free(s->priv);
	memset(s, 0, sizeof(*s));
}

char *session_url(const struct session *s, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	/* never cut short: a cut id could name another user */
	strbuf_addstr(&sb, s->t->url);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

void session_set_token(struct session *s, const char *token, double expires_in)
{
	/* renewed a little before the end: at most half its lifetime early */
	double margin =
		expires_in / 2 < EXPIRY_MARGIN ? expires_in / 2 : EXPIRY_MARGIN;

	wipe(&s->access_token);
	s->access_token = xstrdup(token);
	/* a server may echo the token back: never printed or written */
	redact_add(token);
	s->token_fresh = true;
	s->expires_at = expires_in > 0 ? clock_mono() + expires_in - margin : 0;
}

void session_set_caller(struct session *s, const char *id)
{
	free(s->caller);
	s->caller = xstrdup_or_null(id);
}

/* ---- JSON answers ---- */

/*
 * cJSON ends a string at the first NUL, so "abc\u0000zz" would arrive as
 * "abc": another user's id. The escape is rewritten to U+001A in place
 * (a control character, so the id is never planned, and never cut).
 */
static void defuse_nul_escapes(char *p, size_t len)
{
	char *end = p + len, *q = p;

	while ((q = memchr(q, '\\', (size_t)(end - q))) && q + 1 < end) {
		if (q[1] == 'u' && end - q >= 6 && !memcmp(q + 2, "0000", 4))
			memcpy(q + 2, "001a", 4);
		q += 2; /* the escaped character is not an escape itself */
	}
}

/*
 * Nodes a JSON answer may have: a 64 MiB page of "[0,0,..." would
 * otherwise take gigabytes as a tree. A page of a thousand users is
 * tens of thousands of nodes.
 */
#define JSON_MAX_NODES 2000000

/* Counts values (a bound, not exact: commas and openings). */
static size_t json_nodes(const char *p, size_t len)
{
	size_t i, n = 1;
	bool in_string = false;

	/* at most one a byte: a page of the usual size needs no count */
	if (len < JSON_MAX_NODES)
		return len + 1;

	for (i = 0; i < len; i++) {
		char c = p[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == ',' || c == '[' || c == '{' || c == ':') {
			n++;
		}
	}
	return n;
}

/* Parses any answer's body within the bounds; NULL (with why) if not. */
static cJSON *parse_bounded(const struct http_response *r, const char **why)
{
	const char *end = NULL;
	cJSON *root;

	if (memchr(r->body, '\0', r->len)) {
		*why = "malformed JSON (a NUL byte)";
		return NULL;
	}
	if (json_nodes(r->body, r->len) > JSON_MAX_NODES) {
		*why = "a JSON answer of more values than userprune reads "
		       "(2,000,000)";
		return NULL;
	}
	defuse_nul_escapes(r->body, r->len);
	root = cJSON_ParseWithLengthOpts(r->body, r->len, &end, false);
	while (root && end < r->body + r->len && strchr(" \t\r\n", *end))
		end++;
	if (!root || end != r->body + r->len) {
		cJSON_Delete(root);
		*why = "truncated or malformed JSON";
		return NULL;
	}
	return root;
}

cJSON *session_json(const struct http_response *r, struct err *e)
{
	char start[160], desc[512];
	const char *why = NULL;
	cJSON *root;

	if (r->status < 200 || r->status > 299) {
		http_describe(r, desc, sizeof(desc));
		err_set(e, "%s", desc);
		return NULL;
	}
	http_excerpt(r, start, sizeof(start));
	if (!http_is_json(r) ||
	    (r->len && (r->body[0] == '<' || r->body[0] == '!'))) {
		err_set(e, "HTTP %ld: not JSON (%s): %s", r->status,
			r->content_type ? r->content_type : "no content type",
			start);
		return NULL;
	}
	root = parse_bounded(r, &why);
	if (!root)
		err_set(e, "HTTP %ld: %s (%zu bytes): %s", r->status, why,
			r->len, start);
	return root;
}

cJSON *session_json_any(const struct http_response *r)
{
	const char *why;

	return r->status ? parse_bounded(r, &why) : NULL;
}

const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool json_bool(const cJSON *o, const char *key, bool def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

const char *json_id(const cJSON *o, const char *key, char *buf, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(v) && *v->valuestring)
		return v->valuestring;
	if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	    fabs(v->valuedouble) < 9007199254740992.0) {
		snprintf(buf, n, "%.0f", v->valuedouble);
		return buf;
	}
	return NULL;
}

const char *session_hint(const struct session *s, long status)
{
	static char buf[512];

	if (status != 401 || !s->v->auth_hint)
		return "";
	snprintf(buf, sizeof(buf), ": the credentials were refused; %s",
		 s->v->auth_hint);
	return buf;
}

/* ASCII only: the locale must not decide which member a key names. */
static bool ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

const cJSON *json_get_nocase(const cJSON *o, const char *key)
{
	const cJSON *it;

	if (!cJSON_IsObject(o))
		return NULL;
	for (it = o->child; it; it = it->next)
		if (it->string && ascii_caseeq(it->string, key))
			return it;
	return NULL;
}

const char *json_str_nocase(const cJSON *o, const char *key)
{
	const cJSON *v = json_get_nocase(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool json_bool_nocase(const cJSON *o, const char *key, bool def)
{
	const cJSON *v = json_get_nocase(o, key);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

enum outcome outcome_for_status(long status, enum outcome done)
{
	if (status >= 200 && status <= 299)
		return done;
	if (status == 404)
		return OUTCOME_ABSENT;
	if (status == 400 || status == 409 || status == 412)
		return OUTCOME_BLOCKED;
	return OUTCOME_FAILED;
}

void delete_outcome(const struct http_response *r, enum outcome done,
		    struct delete_result *out)
{
	char why[sizeof(out->detail) - sizeof(UNEXPECTED_ANSWER) + 1];

	out->status = r->status;
	out->outcome = outcome_for_status(r->status, done);
	if (out->outcome == done && http_is_html(r)) {
		out->outcome = OUTCOME_FAILED;
		http_describe(r, why, sizeof(why));
		snprintf(out->detail, sizeof(out->detail),
			 UNEXPECTED_ANSWER "%s", why);
		return;
	}
	if (out->outcome != done)
		http_describe(r, out->detail, sizeof(out->detail));
}

/* ---- authentication ---- */

/* Every request carries it: encoded and registered for redaction once. */
static char *static_header(struct session *s)
{
	struct strbuf sb = STRBUF_INIT;
	char *b64;

	if (s->static_auth)
		return xstrdup(s->static_auth);
	switch (s->t->auth.type) {
	case AUTH_BASIC:
		strbuf_addf(&sb, "%s:%s", s->username, s->password);
		b64 = base64_encode(sb.buf, sb.len);
		redact_add(b64);
		memset(sb.buf, 0, sb.len);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "Authorization: Basic %s", b64);
		secret_free(b64);
		break;
	case AUTH_BEARER:
		strbuf_addf(&sb, "Authorization: Bearer %s", s->token);
		break;
	case AUTH_TOKEN:
		strbuf_addf(&sb, "Authorization: Token %s", s->token);
		break;
	default:
		break;
	}
	s->static_auth = strbuf_detach(&sb, NULL);
	return xstrdup(s->static_auth);
}

/* oauth2 client credentials at token_url (vendors without their own). */
static struct http_request *generic_token_request(struct session *s)
{
	struct http_request *r;
	char *id = url_encode(s->client_id),
	     *secret = url_encode(s->client_secret);

	r = http_request_new("POST", xstrdup(s->token_url));
	r->is_auth = true;
	if (s->scope) {
		char *scope = url_encode(s->scope);

		http_set_form(r, xasprintf("grant_type=client_credentials&"
					   "client_id=%s&client_secret=%s&"
					   "scope=%s",
					   id, secret, scope));
		free(scope);
	} else {
		http_set_form(r, xasprintf("grant_type=client_credentials&"
					   "client_id=%s&client_secret=%s",
					   id, secret));
	}
	secret_free(id);
	secret_free(secret);
	return r;
}

int session_token_response(struct session *s, const struct http_response *r,
			   struct err *e)
{
	cJSON *root = session_json(r, e);
	const cJSON *exp;
	const char *tok;

	if (!root)
		return -1;
	tok = json_str(root, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
	if (!tok || !*tok) {
		cJSON_Delete(root);
		return err_set(e, "the token answer has no access_token");
	}
	session_set_token(s, tok, cJSON_IsNumber(exp) ? exp->valuedouble : 0);
	cJSON_Delete(root);
	return 0;
}

/* Auth types whose header comes from the credentials as they are. */
static bool static_auth(enum auth_type t)
{
	return t == AUTH_BASIC || t == AUTH_BEARER || t == AUTH_TOKEN;
}

static char *lane_header(void *arg)
{
	struct session *s = arg;
	const struct vendor *v = s->v;

	/* a vendor with a token exchange may take a static token too */
	if (static_auth(s->t->auth.type))
		return static_header(s);
	/*
	 * A token just obtained is used even if pacing made it old: asking
	 * for another would only repeat the wait (a 401 renews it once).
	 */
	if (!s->access_token ||
	    (s->expires_at && clock_mono() > s->expires_at && !s->token_fresh))
		return NULL;
	s->token_fresh = false;
	if (v->auth_header)
		return v->auth_header(s);
	return xasprintf("Authorization: Bearer %s", s->access_token);
}

static void auth_done(void *arg, struct http_request *req,
		      const struct http_response *res)
{
	struct session *s = arg;
	int (*parse)(struct session *, const struct http_response *,
		     struct err *) = s->v->auth_response
					     ? s->v->auth_response
					     : session_token_response;
	struct err e;

	if (parse(s, res, &e) == 0) {
		engine_lane_auth_done(s->lane, true, NULL);
		return;
	}
	snprintf(s->error, sizeof(s->error),
		 "authentication failed: %s %s: %s%s", req->method,
		 url_path(req->url), e.msg, session_hint(s, res->status));
	engine_lane_auth_done(s->lane, false, s->error);
}

static void lane_refresh(void *arg)
{
	struct session *s = arg;
	struct http_request *r = s->v->auth_request ? s->v->auth_request(s)
						    : generic_token_request(s);

	r->is_auth = true;
	/* a token request never waits for a token, nor retries a refusal */
	engine_submit(s->lane, r, auth_done, s);
}

/* ---- opening ---- */

static int resolve(const struct secret *sec, char **out, const char *tenant,
		   const char *what, bool is_secret, struct err *e)
{
	if (!sec->raw)
		return 0;
	if (!*sec->raw)
		return err_set(e,
			       "tenant '%s': auth.%s was a literal secret, "
			       "which plan files do not store: use "
			       "${env:NAME} or ${file:PATH}",
			       tenant, what);
	if (secret_resolve(sec->raw, out, e) < 0)
		return err_prefix(e, "tenant '%s': auth.%s", tenant, what);
	/*
	 * A reference may name any variable or file, in any field: a
	 * desired-state file from a pull request can put another secret in
	 * client_id, scope or token_url, which servers echo and messages
	 * quote. Whatever a reference resolves to is never printed, unless
	 * it is too short to be a secret and would blank out ordinary words
	 * (a user name "admin" in every email of the plan).
	 */
	if (is_secret || (secret_kind(sec->raw) != SECRET_LITERAL &&
			  strlen(*out) >= REFERENCE_REDACT_MIN))
		redact_add(*out);
	return 0;
}

int session_open(struct session *s, const struct tenant *t,
		 struct engine *engine, struct err *e)
{
	const struct auth *a = &t->auth;
	struct lane_auth la;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->v = t->vendor;
	s->engine = engine;
	if (resolve(&a->username, &s->username, t->name, "username", false, e) <
		    0 ||
	    resolve(&a->password, &s->password, t->name, "password", true, e) <
		    0 ||
	    resolve(&a->token, &s->token, t->name, "token", true, e) < 0 ||
	    resolve(&a->client_id, &s->client_id, t->name, "client_id", false,
		    e) < 0 ||
	    resolve(&a->client_secret, &s->client_secret, t->name,
		    "client_secret", true, e) < 0 ||
	    resolve(&a->api_key, &s->api_key, t->name, "api_key", true, e) <
		    0 ||
	    resolve(&a->token_url, &s->token_url, t->name, "token_url", false,
		    e) < 0 ||
	    resolve(&a->scope, &s->scope, t->name, "scope", false, e) < 0)
		goto fail;
	/*
	 * A plan file's settings are checked again (it may have been
	 * edited), and both URLs against USERPRUNE_ALLOWED_ORIGINS before
	 * anything is sent: a desired-state file from a pull request must
	 * not send secrets to a host of its choosing.
	 */
	{
		const char *allowed = getenv("USERPRUNE_ALLOWED_ORIGINS");
		char *url = xstrdup(t->url ? t->url : "");
		int bad = config_check_url("url", url, e);

		free(url);
		if (bad == 0 &&
		    url_allowed(t->url ? t->url : "", allowed, e) < 0)
			bad = err_prefix(e, "url");
		if (bad == 0 && s->token_url &&
		    (config_check_url("token_url", s->token_url, e) < 0 ||
		     url_allowed(s->token_url, allowed, e) < 0))
			bad = err_prefix(e, "auth.token_url");
		if (bad < 0) {
			err_prefix(e, "tenant '%s'", t->name);
			goto fail;
		}
	}
	if (a->type == AUTH_OAUTH2 && !s->v->auth_request && !s->token_url) {
		err_set(e,
			"tenant '%s': auth type oauth2 needs a token_url "
			"for vendor '%s'",
			t->name, s->v->name);
		goto fail;
	}
	s->paging = s->v->paging;
	s->batch = s->v->bulk ? t->limits.batch_size : 1;
	if (s->batch < 1)
		s->batch = 1;
	s->lane = engine_lane(engine, t->name, &t->limits, t->ca_file);
	la.header = lane_header;
	la.refresh = !static_auth(a->type) && (s->v->auth_request ||
					       a->type == AUTH_OAUTH2)
			     ? lane_refresh
			     : NULL;
	la.arg = s;
	engine_lane_set_auth(s->lane, &la);
	return 0;
fail:
	session_close(s);
	return -1;
}
