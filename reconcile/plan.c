/*
 * The plan model and its file format.
 *
 * The file is written as pretty JSON whose last member is the checksum:
 *
 *     {
 *       "format_version": 1,
 *       ...
 *       "tenants": [...],
 *       "checksum": "<sha256 of every byte before the comma>",
 *       "hmac_sha256": "<HMAC-SHA256 of the same bytes>"
 *     }
 *
 * so that any change to any byte of the file is detected without relying
 * on a canonical re-serialisation of the JSON. The tag is there only when
 * the plan was written with a key (USERPRUNE_PLAN_KEY): a checksum anyone
 * can compute again, a tag only who holds the key.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reconcile/approval.h"
#include "reconcile/plan.h"
#include "reconcile/secret.h"
#include "util/fileio.h"
#include "util/hmap.h"
#include "util/jsonw.h"
#include "util/sha256.h"
#include "util/date.h"
#include "util/text.h"
#include "util/xalloc.h"

#define TAIL_HEAD ",\n  \"checksum\": \""
#define TAIL_TAG  "\",\n  \"hmac_sha256\": \""
#define TAIL_END  "\"\n}\n"

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	arena_init(&p->arena);
}

static void tenant_plan_release(struct tenant_plan *tp)
{
	size_t i;

	tenant_release(&tp->t);
	free(tp->caller);
	free(tp->del);
	for (i = 0; i < tp->nwarnings; i++)
		free(tp->warnings[i]);
	free(tp->warnings);
	for (i = 0; i < tp->nguards; i++) {
		free(tp->guards[i].name);
		free(tp->guards[i].detail);
	}
	free(tp->guards);
	free(tp->error);
	keep_changes_free(tp->keep_changes);
}

void keep_changes_free(struct keep_changes *kc)
{
	size_t i;

	if (!kc)
		return;
	for (i = 0; i < kc->nadded; i++)
		free(kc->added[i]);
	for (i = 0; i < kc->nremoved; i++)
		free(kc->removed[i]);
	free(kc->added);
	free(kc->removed);
	free(kc);
}

void plan_source_release(struct plan_source *s)
{
	free(s->path);
	free(s->sha256);
	free(s->url);
	free(s->ref);
	free(s->commit);
	free(s->author);
	free(s->subject);
	free(s->live);
	memset(s, 0, sizeof(*s));
}

void plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->ntenants; i++)
		tenant_plan_release(&p->tenants[i]);
	free(p->tenants);
	free(p->tool_version);
	free(p->created);
	free(p->compare_ref);
	free(p->compare_commit);
	plan_source_release(&p->source);
	arena_release(&p->arena);
	plan_init(p);
}

struct tenant_plan *plan_add_tenant(struct plan *p)
{
	struct tenant_plan *tp;

	p->tenants =
		xrealloc(p->tenants, (p->ntenants + 1) * sizeof(*p->tenants));
	tp = &p->tenants[p->ntenants++];
	memset(tp, 0, sizeof(*tp));
	return tp;
}

void plan_add_delete_ref(struct tenant_plan *tp, const struct user *u,
			 const char *reason)
{
	struct plan_user *d;

	tp->del = xgrow(tp->del, &tp->cap, tp->ndel + 1, sizeof(*tp->del));
	d = &tp->del[tp->ndel++];
	d->id = u->id;
	d->email = u->email;
	d->username = u->username;
	d->name = u->name;
	d->type = (enum user_type)u->type;
	d->status = (enum user_status)u->status;
	d->reason = reason;
	d->effect = NULL;
	d->fingerprint = NULL;
}

void plan_add_delete(struct plan *p, struct tenant_plan *tp,
		     const struct user *u, const char *reason)
{
	struct plan_user *d;

	plan_add_delete_ref(tp, u, reason);
	d = &tp->del[tp->ndel - 1];
	d->id = arena_strdup(&p->arena, u->id);
	d->email = arena_strdup(&p->arena, u->email);
	d->username = u->username && u->username == u->email
			      ? d->email
			      : arena_strdup(&p->arena, u->username);
	d->name = arena_strdup(&p->arena, u->name);
}

void plan_take_strings(struct plan *p, struct arena *a)
{
	arena_adopt(&p->arena, a);
}

void plan_user_fingerprint(const struct plan_user *u, char out[65])
{
	struct user x = { .id = u->id,
			  .email = u->email,
			  .username = u->username,
			  .name = u->name,
			  .type = (uint8_t)u->type,
			  .status = (uint8_t)u->status };

	if (u->fingerprint)
		memcpy(out, u->fingerprint, 65);
	else
		user_fingerprint(&x, out);
}

void tenant_plan_warn(struct tenant_plan *tp, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	tp->warnings = xrealloc(tp->warnings,
				(tp->nwarnings + 1) * sizeof(*tp->warnings));
	tp->warnings[tp->nwarnings++] = strbuf_detach(&sb, NULL);
}

void tenant_plan_guard(struct tenant_plan *tp, const char *name, bool tripped,
		       const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct guard *g;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	tp->guards =
		xrealloc(tp->guards, (tp->nguards + 1) * sizeof(*tp->guards));
	g = &tp->guards[tp->nguards++];
	g->name = xstrdup(name);
	g->tripped = tripped;
	g->detail = strbuf_detach(&sb, NULL);
	g->waived = false;
	if (tripped)
		tp->refused = true;
}

size_t plan_total_deletes(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->ntenants; i++)
		n += p->tenants[i].ndel;
	return n;
}

bool plan_refused(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->ntenants; i++)
		if (p->tenants[i].refused)
			return true;
	return false;
}

bool plan_has_errors(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->ntenants; i++)
		if (p->tenants[i].error)
			return true;
	return false;
}

const char *plan_json_version(void)
{
	return cJSON_Version();
}

int plan_no_tenant(const struct plan *p, const char *name, struct err *e)
{
	const char **known = xcalloc(p->ntenants + 1, sizeof(*known));
	size_t i;

	for (i = 0; i < p->ntenants; i++)
		known[i] = p->tenants[i].t.name;
	config_no_tenant(e, name, "the plan", known);
	free(known);
	return -1;
}

int plan_format_parse(const char *s, enum plan_format *f)
{
	if (!strcmp(s, "text"))
		*f = FORMAT_TEXT;
	else if (!strcmp(s, "json"))
		*f = FORMAT_JSON;
	else if (!strcmp(s, "markdown") || !strcmp(s, "md"))
		*f = FORMAT_MARKDOWN;
	else
		return -1;
	return 0;
}

/* ---- writing ---- */

/* Secrets are stored as references only; literals are left out. */
static void write_secret(struct jsonw *w, const char *key,
			 const struct secret *s, bool is_secret)
{
	if (!s->raw)
		return;
	jsonw_key(w, key);
	if (is_secret && secret_kind(s->raw) == SECRET_LITERAL)
		jsonw_null(w);
	else
		jsonw_string(w, s->raw);
}

/* The policy that guards the keep list, and a one-off approval. */
static void write_keep_policy(struct jsonw *w, const struct policy *pol)
{
	jsonw_object_int(w, "min_keep_match_percent",
			 pol->min_keep_match_percent);
	jsonw_object_int(w, "max_keep_shrink_percent",
			 pol->max_keep_shrink_percent);
	jsonw_key(w, "approve");
	if (!pol->approve.set) {
		jsonw_null(w);
		return;
	}
	jsonw_object_begin(w);
	jsonw_key(w, "deletions");
	{
		char d[7 + 65];

		snprintf(d, sizeof(d), "sha256:%s", pol->approve.digest);
		jsonw_string(w, d);
	}
	jsonw_object_string(w, "expires", pol->approve.expires);
	jsonw_object_end(w);
}

static void write_settings(struct jsonw *w, const struct tenant *t)
{
	const struct auth *a = &t->auth;
	size_t i;

	jsonw_object_string(w, "name", t->name);
	jsonw_object_string(w, "vendor", t->vendor->name);
	jsonw_object_string(w, "url", t->url);
	jsonw_object_string(w, "mode", tenant_mode_name(t->mode));
	jsonw_key(w, "auth");
	jsonw_object_begin(w);
	jsonw_object_string(w, "type", auth_type_name(a->type));
	write_secret(w, "username", &a->username, false);
	write_secret(w, "password", &a->password, true);
	write_secret(w, "token", &a->token, true);
	write_secret(w, "client_id", &a->client_id, false);
	write_secret(w, "client_secret", &a->client_secret, true);
	write_secret(w, "token_url", &a->token_url, false);
	write_secret(w, "scope", &a->scope, false);
	write_secret(w, "api_key", &a->api_key, true);
	jsonw_object_end(w);
	jsonw_key(w, "options");
	jsonw_object_begin(w);
	for (i = 0; i < t->noptions; i++)
		jsonw_object_string(w, t->options[i].key, t->options[i].value);
	jsonw_object_end(w);
	jsonw_key(w, "policy");
	jsonw_object_begin(w);
	jsonw_object_int(w, "max_deletions", t->policy.max_deletions);
	jsonw_object_int(w, "max_delete_percent", t->policy.max_delete_percent);
	jsonw_object_int(w, "canary", t->policy.canary);
	jsonw_object_bool(w, "allow_empty_keep", t->policy.allow_empty_keep);
	jsonw_object_bool(w, "verify", t->policy.verify);
	write_keep_policy(w, &t->policy);
	jsonw_object_end(w);
	jsonw_key(w, "limits");
	jsonw_object_begin(w);
	jsonw_object_int(w, "concurrency", t->limits.concurrency);
	jsonw_object_double(w, "requests_per_second",
			    t->limits.requests_per_second);
	jsonw_object_int(w, "daily_request_budget",
			 t->limits.daily_request_budget);
	jsonw_object_int(w, "batch_size", t->limits.batch_size);
	jsonw_object_int(w, "timeout_seconds", t->limits.timeout_seconds);
	jsonw_object_int(w, "max_attempts", t->limits.max_attempts);
	jsonw_object_end(w);
	jsonw_key(w, "tls");
	if (t->ca_file) {
		jsonw_object_begin(w);
		jsonw_object_string(w, "ca_file", t->ca_file);
		jsonw_object_end(w);
	} else {
		jsonw_null(w);
	}
}

static void write_counts(struct jsonw *w, const struct plan_counts *c)
{
	jsonw_object_begin(w);
	jsonw_object_int(w, "live", (long long)c->live);
	jsonw_object_int(w, "in_scope", (long long)c->in_scope);
	jsonw_object_int(w, "untouched", (long long)c->untouched);
	jsonw_object_int(w, "pending", (long long)c->pending);
	jsonw_object_int(w, "protected", (long long)c->protected);
	jsonw_object_int(w, "kept", (long long)c->kept);
	jsonw_object_int(w, "delete", (long long)c->delete);
	jsonw_object_end(w);
}

/*
 * A member holding vendor text that nothing is matched against: written
 * cleaned and redacted (util/text.h), like everything a reviewer reads.
 */
static void write_text(struct jsonw *w, const char *key, const char *s)
{
	char *clean = text_cleaned(s);

	jsonw_object_string(w, key, clean);
	free(clean);
}

static void write_user(struct jsonw *w, const struct plan_user *u)
{
	char fp[65];

	plan_user_fingerprint(u, fp);
	/* one line per user: a plan of 500,000 users stays readable */
	jsonw_object_begin(w);
	w->pretty = false;
	jsonw_object_string(w, "id", u->id);
	jsonw_object_string(w, "email", u->email);
	jsonw_object_string(w, "username", u->username);
	write_text(w, "name", u->name);
	jsonw_object_string(w, "type", user_type_name(u->type));
	jsonw_object_string(w, "status", user_status_name(u->status));
	jsonw_object_string(w, "reason", u->reason);
	jsonw_object_string(w, "effect", u->effect);
	jsonw_object_string(w, "fingerprint", fp);
	jsonw_object_end(w);
	w->pretty = true;
}

/*
 * Where the JSON goes: a memory buffer, or a file flushed in pieces so that
 * a plan of half a million users is never whole in memory. The checksum is
 * computed on the way.
 */
struct sink {
	struct strbuf *buf;
	struct sha256 sha;
	struct hmac_sha256 mac; /* when the plan has a key */
	bool keyed;
	struct atomic_file *file; /* NULL: keep everything in buf */
	size_t hashed;		  /* bytes of buf already hashed */
	struct err *e;
	bool failed;
};

#define SINK_FLUSH (1u << 20)

static void sink_flush(struct sink *s, size_t keep)
{
	struct strbuf *b = s->buf;

	sha256_update(&s->sha, b->buf + s->hashed, b->len - keep - s->hashed);
	/* a tag only with a key: without one, a second hash is only time */
	if (s->keyed)
		hmac_sha256_update(&s->mac, b->buf + s->hashed,
				   b->len - keep - s->hashed);
	s->hashed = b->len - keep;
	if (!s->file)
		return;
	if (!s->failed &&
	    atomic_write(s->file, b->buf, b->len - keep, s->e) < 0)
		s->failed = true;
	memmove(b->buf, b->buf + b->len - keep, keep);
	b->len = keep;
	b->buf[keep] = '\0';
	s->hashed = 0;
}

static void sink_maybe_flush(struct sink *s)
{
	if (s->buf->len - s->hashed >= SINK_FLUSH)
		sink_flush(s, 0);
}

static void write_values(struct jsonw *w, struct sink *sk, const char *key,
			 char *const *v, size_t n)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (i = 0; i < n; i++) {
		/* a keep value from a pull request is shown, never matched */
		char *clean = text_cleaned(v[i]);

		jsonw_string(w, clean);
		free(clean);
		sink_maybe_flush(sk);
	}
	jsonw_array_end(w);
}

/*
 * What the keep guards and approvals are computed from: keep values that
 * matched, the digest of the planned users (DESIGN §1.4), and the keep
 * values added and removed since plan --compare-ref.
 */
static void write_keep_facts(struct jsonw *w, struct sink *sk,
			     const struct tenant_plan *tp)
{
	const struct keep_changes *kc = tp->keep_changes;
	char digest[65];

	jsonw_object_int(w, "keep_matched", (long long)tp->keep_matched);
	approval_digest(tp->del, tp->ndel, digest);
	jsonw_object_string(w, "deletions_digest", digest);
	jsonw_key(w, "keep_changes");
	if (!kc) {
		jsonw_null(w);
		return;
	}
	jsonw_object_begin(w);
	jsonw_object_int(w, "before", (long long)kc->before);
	write_values(w, sk, "added", kc->added, kc->nadded);
	write_values(w, sk, "removed", kc->removed, kc->nremoved);
	jsonw_object_end(w);
}

static void write_tenant(struct jsonw *w, struct sink *sk,
			 const struct tenant_plan *tp)
{
	size_t i;

	jsonw_object_begin(w);
	write_settings(w, &tp->t);
	jsonw_object_string(w, "caller", tp->caller);
	write_text(w, "error", tp->error);
	jsonw_object_bool(w, "refused", tp->refused);
	jsonw_key(w, "counts");
	write_counts(w, &tp->counts);
	jsonw_object_int(w, "requests", tp->requests);
	jsonw_object_int(w, "keep_values", (long long)tp->keep_values);
	jsonw_object_bool(w, "mass_user_deletion", tp->mass_deletion);
	write_keep_facts(w, sk, tp);
	jsonw_key(w, "guards");
	jsonw_array_begin(w);
	for (i = 0; i < tp->nguards; i++) {
		jsonw_object_begin(w);
		jsonw_object_string(w, "name", tp->guards[i].name);
		jsonw_object_bool(w, "tripped", tp->guards[i].tripped);
		write_text(w, "detail", tp->guards[i].detail);
		jsonw_object_bool(w, "waived", tp->guards[i].waived);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "warnings");
	jsonw_array_begin(w);
	for (i = 0; i < tp->nwarnings; i++) {
		char *clean = text_cleaned(tp->warnings[i]);

		jsonw_string(w, clean);
		free(clean);
	}
	jsonw_array_end(w);
	jsonw_key(w, "delete");
	jsonw_array_begin(w);
	for (i = 0; i < tp->ndel; i++) {
		write_user(w, &tp->del[i]);
		sink_maybe_flush(sk);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}

static void write_source(struct jsonw *w, const struct plan_source *s)
{
	jsonw_object_begin(w);
	jsonw_object_string(w, "kind", s->kind == SOURCE_GIT ? "git" : "file");
	jsonw_object_string(w, "path", s->path);
	jsonw_object_string(w, "sha256", s->sha256);
	if (s->kind == SOURCE_GIT) {
		jsonw_object_string(w, "url", s->url);
		jsonw_object_string(w, "ref", s->ref);
		jsonw_object_string(w, "commit", s->commit);
		jsonw_object_string(w, "author", s->author);
		jsonw_object_string(w, "subject", s->subject);
	}
	jsonw_object_string(w, "live", s->live);
	jsonw_object_end(w);
}

/* The ref plan --compare-ref compared the keep lists with, or null. */
static void write_compare(struct jsonw *w, const struct plan *p)
{
	jsonw_key(w, "compare");
	if (!p->compare_ref) {
		jsonw_null(w);
		return;
	}
	jsonw_object_begin(w);
	jsonw_object_string(w, "ref", p->compare_ref);
	jsonw_object_string(w, "commit", p->compare_commit);
	jsonw_object_end(w);
}

static void emit(struct plan *p, struct sink *sk)
{
	struct jsonw w;
	size_t i;

	jsonw_init(&w, sk->buf, true);
	jsonw_object_begin(&w);
	jsonw_object_int(&w, "format_version", PLAN_FORMAT_VERSION);
	jsonw_object_string(&w, "tool", "userprune");
	jsonw_object_string(&w, "tool_version", p->tool_version);
	jsonw_object_string(&w, "created", p->created);
	jsonw_key(&w, "source");
	write_source(&w, &p->source);
	write_compare(&w, p);
	jsonw_key(&w, "summary");
	jsonw_object_begin(&w);
	jsonw_object_int(&w, "tenants", (long long)p->ntenants);
	jsonw_object_int(&w, "delete", (long long)plan_total_deletes(p));
	jsonw_object_bool(&w, "refused", plan_refused(p));
	jsonw_object_bool(&w, "errors", plan_has_errors(p));
	jsonw_object_end(&w);
	jsonw_key(&w, "tenants");
	jsonw_array_begin(&w);
	for (i = 0; i < p->ntenants; i++)
		write_tenant(&w, sk, &p->tenants[i]);
	jsonw_array_end(&w);
	/* the checksum and the tag cover every byte before the checksum */
	{
		unsigned char d[32];

		sink_flush(sk, 0);
		sha256_final(&sk->sha, d);
		hex_encode(d, 32, p->checksum);
		if (sk->keyed) {
			hmac_sha256_final(&sk->mac, d);
			hex_encode(d, 32, p->tag);
		}
	}
	strbuf_addstr(sk->buf, TAIL_HEAD);
	strbuf_addstr(sk->buf, p->checksum);
	if (p->key) {
		strbuf_addstr(sk->buf, TAIL_TAG);
		strbuf_addstr(sk->buf, p->tag);
	} else {
		p->tag[0] = '\0';
	}
	strbuf_addstr(sk->buf, TAIL_END);
	if (sk->file && !sk->failed &&
	    atomic_write(sk->file, sk->buf->buf, sk->buf->len, sk->e) < 0)
		sk->failed = true;
}

static void sink_init(struct sink *sk, const struct plan *p, struct strbuf *buf,
		      struct atomic_file *f, struct err *e)
{
	memset(sk, 0, sizeof(*sk));
	sk->buf = buf;
	sk->file = f;
	sk->hashed = buf->len;
	sk->e = e;
	sha256_init(&sk->sha);
	sk->keyed = p->key != NULL;
	if (sk->keyed)
		hmac_sha256_init(&sk->mac, p->key, strlen(p->key));
}

void plan_to_json(struct plan *p, struct strbuf *out)
{
	struct sink sk;

	sink_init(&sk, p, out, NULL, NULL);
	emit(p, &sk);
}

int plan_write(struct plan *p, const char *path, struct err *e)
{
	struct strbuf buf = STRBUF_INIT;
	struct atomic_file f;
	struct sink sk;
	int rc;

	if (!strcmp(path, "-")) {
		plan_to_json(p, &buf);
		rc = file_write_atomic("-", buf.buf, buf.len, e);
		strbuf_release(&buf);
		return rc;
	}
	if (atomic_open(&f, path, e) < 0)
		return -1;
	sink_init(&sk, p, &buf, &f, e);
	emit(p, &sk);
	strbuf_release(&buf);
	if (sk.failed) {
		atomic_abort(&f);
		return -1;
	}
	return atomic_commit(&f, e);
}

/* ---- reading ---- */

struct reader {
	const char *name;
	struct err *e;
	struct plan *p;
	char where[256];
	bool failed;
};

static void bad(struct reader *r, const char *key, const char *expected)
{
	if (r->failed)
		return;
	err_set(r->e, "%s: malformed plan: %s%s%s: expected %s", r->name,
		r->where, *r->where ? "." : "", key, expected);
	r->failed = true;
}

static const cJSON *member(struct reader *r, const cJSON *obj, const char *key,
			   bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v && required)
		bad(r, key, "a value (missing)");
	return v;
}

/* A string, or NULL for JSON null / absent when allowed. */
static char *str(struct reader *r, const cJSON *obj, const char *key,
		 bool nullable)
{
	const cJSON *v = member(r, obj, key, !nullable);

	if (!v || (nullable && cJSON_IsNull(v)))
		return NULL;
	if (!cJSON_IsString(v)) {
		bad(r, key, "a string");
		return NULL;
	}
	return xstrdup(v->valuestring);
}

static const char *astr(struct reader *r, const cJSON *obj, const char *key)
{
	const cJSON *v = member(r, obj, key, true);

	if (!v || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		bad(r, key, "a string");
		return NULL;
	}
	return arena_strdup(&r->p->arena, v->valuestring);
}

static double num(struct reader *r, const cJSON *obj, const char *key,
		  double min, double max)
{
	const cJSON *v = member(r, obj, key, true);

	if (!v)
		return min;
	if (!cJSON_IsNumber(v) || v->valuedouble < min ||
	    v->valuedouble > max) {
		bad(r, key, "a number in range");
		return min;
	}
	return v->valuedouble;
}

static bool boolean(struct reader *r, const cJSON *obj, const char *key)
{
	const cJSON *v = member(r, obj, key, true);

	if (v && !cJSON_IsBool(v))
		bad(r, key, "true or false");
	return v && cJSON_IsTrue(v);
}

static const cJSON *array(struct reader *r, const cJSON *obj, const char *key)
{
	const cJSON *v = member(r, obj, key, true);

	if (v && !cJSON_IsArray(v)) {
		bad(r, key, "an array");
		return NULL;
	}
	return v;
}

static const cJSON *object(struct reader *r, const cJSON *obj, const char *key)
{
	const cJSON *v = member(r, obj, key, true);

	if (v && !cJSON_IsObject(v)) {
		bad(r, key, "an object");
		return NULL;
	}
	return v;
}

static void read_secret(struct reader *r, const cJSON *auth, const char *key,
			struct secret *s)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(auth, key);

	if (!v)
		return;
	if (cJSON_IsNull(v)) {
		/* a literal secret the plan did not store */
		s->raw = xstrdup("");
		return;
	}
	if (!cJSON_IsString(v)) {
		bad(r, key, "a string");
		return;
	}
	s->raw = xstrdup(v->valuestring);
}

/* A member plans of userprune 0.1 lack: absent means def. */
static double opt_num(struct reader *r, const cJSON *obj, const char *key,
		      double min, double max, double def)
{
	if (!cJSON_GetObjectItemCaseSensitive(obj, key))
		return def;
	return num(r, obj, key, min, max);
}

static bool is_hex64(const char *s);

static void read_approve(struct reader *r, const cJSON *pol, struct approval *a)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(pol, "approve");
	char *d, *x;
	long day;

	memset(a, 0, sizeof(*a));
	if (!v || cJSON_IsNull(v))
		return;
	if (!cJSON_IsObject(v)) {
		bad(r, "policy.approve", "an object or null");
		return;
	}
	d = str(r, v, "deletions", false);
	x = str(r, v, "expires", false);
	if (d && (strlen(d) != 7 + 64 || strncmp(d, "sha256:", 7) ||
		  !is_hex64(d + 7)))
		bad(r, "policy.approve.deletions",
		    "\"sha256:\" and 64 hex digits");
	else if (x && !date_parse(x, &day))
		bad(r, "policy.approve.expires", "a date, YYYY-MM-DD");
	else if (d && x) {
		memcpy(a->digest, d + 7, 65);
		date_format(day, a->expires);
		a->set = true;
	}
	free(d);
	free(x);
}

static void read_keep_policy(struct reader *r, const cJSON *pol,
			     struct policy *p)
{
	p->min_keep_match_percent =
		(int)opt_num(r, pol, "min_keep_match_percent", 0, 100, 10);
	p->max_keep_shrink_percent =
		(int)opt_num(r, pol, "max_keep_shrink_percent", 0, 100, 20);
	read_approve(r, pol, &p->approve);
}

static void read_settings(struct reader *r, const cJSON *o, struct tenant *t)
{
	const cJSON *auth, *opts, *pol, *lim, *tls, *it;
	char *s;

	t->name = str(r, o, "name", false);
	s = str(r, o, "vendor", false);
	if (s && !(t->vendor = vendor_find(s)))
		bad(r, "vendor", "a known vendor");
	free(s);
	t->url = str(r, o, "url", false);
	if (t->url && config_check_url("url", t->url, NULL) < 0)
		bad(r, "url", "an https url (plain http only to loopback)");
	s = str(r, o, "mode", false);
	if (s && !strcmp(s, "report"))
		t->mode = MODE_REPORT;
	else if (s && !strcmp(s, "deactivate"))
		t->mode = MODE_DEACTIVATE;
	else if (s && strcmp(s, "delete"))
		bad(r, "mode", "delete, deactivate or report");
	free(s);
	if ((auth = object(r, o, "auth"))) {
		s = str(r, auth, "type", false);
		if (s && auth_type_parse(s, &t->auth.type) < 0)
			bad(r, "auth.type", "a known auth type");
		free(s);
		read_secret(r, auth, "username", &t->auth.username);
		read_secret(r, auth, "password", &t->auth.password);
		read_secret(r, auth, "token", &t->auth.token);
		read_secret(r, auth, "client_id", &t->auth.client_id);
		read_secret(r, auth, "client_secret", &t->auth.client_secret);
		read_secret(r, auth, "token_url", &t->auth.token_url);
		read_secret(r, auth, "scope", &t->auth.scope);
		read_secret(r, auth, "api_key", &t->auth.api_key);
	}
	if ((opts = object(r, o, "options"))) {
		t->options = xcalloc((size_t)cJSON_GetArraySize(opts) + 1,
				     sizeof(*t->options));
		cJSON_ArrayForEach(it, opts)
		{
			if (!cJSON_IsString(it)) {
				bad(r, "options", "string values");
				break;
			}
			t->options[t->noptions].key = xstrdup(it->string);
			t->options[t->noptions].value =
				xstrdup(it->valuestring);
			t->noptions++;
		}
	}
	if ((pol = object(r, o, "policy"))) {
		t->policy.max_deletions =
			(long)num(r, pol, "max_deletions", 0, 1e9);
		t->policy.max_delete_percent =
			(int)num(r, pol, "max_delete_percent", 0, 100);
		t->policy.canary = (int)num(r, pol, "canary", 0, 1000);
		t->policy.allow_empty_keep =
			boolean(r, pol, "allow_empty_keep");
		t->policy.verify = boolean(r, pol, "verify");
		read_keep_policy(r, pol, &t->policy);
	}
	if ((lim = object(r, o, "limits"))) {
		t->limits.concurrency = (int)num(r, lim, "concurrency", 1, 256);
		t->limits.requests_per_second =
			num(r, lim, "requests_per_second", 0, 100000);
		t->limits.daily_request_budget =
			(long)num(r, lim, "daily_request_budget", 0, 1e9);
		t->limits.batch_size = (int)num(r, lim, "batch_size", 1, 1000);
		t->limits.timeout_seconds =
			(int)num(r, lim, "timeout_seconds", 1, 3600);
		t->limits.max_attempts =
			(int)num(r, lim, "max_attempts", 1, 100);
	}
	tls = member(r, o, "tls", true);
	if (tls && cJSON_IsObject(tls))
		t->ca_file = str(r, tls, "ca_file", false);
	else if (tls && !cJSON_IsNull(tls))
		bad(r, "tls", "an object or null");
}

/* A user's effect: optional, plans before 0.2 have none. */
static const char *read_effect(struct reader *r, const cJSON *o)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "effect");

	if (!v || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		bad(r, "delete[].effect", "a string");
		return NULL;
	}
	return arena_strdup(&r->p->arena, v->valuestring);
}

static void read_user(struct reader *r, const cJSON *o, struct tenant_plan *tp)
{
	struct plan_user *u;
	const char *s;

	if (!cJSON_IsObject(o)) {
		bad(r, "delete[]", "objects");
		return;
	}
	tp->del = xgrow(tp->del, &tp->cap, tp->ndel + 1, sizeof(*tp->del));
	u = &tp->del[tp->ndel++];
	memset(u, 0, sizeof(*u));
	u->id = astr(r, o, "id");
	if (!u->id && !r->failed)
		bad(r, "delete[].id", "a string");
	else if (u->id && !user_id_plannable(u->id))
		bad(r, "delete[].id",
		    "an id a request can name exactly (UTF-8, no control "
		    "characters)");
	u->email = astr(r, o, "email");
	u->username = astr(r, o, "username");
	u->name = astr(r, o, "name");
	u->reason = astr(r, o, "reason");
	u->effect = read_effect(r, o);
	s = astr(r, o, "type");
	if (s && user_type_parse(s, &u->type) < 0)
		bad(r, "delete[].type", "a user type");
	s = astr(r, o, "status");
	if (s && user_status_parse(s, &u->status) < 0)
		bad(r, "delete[].status", "a user status");
	u->fingerprint = astr(r, o, "fingerprint");
	if (!u->fingerprint || strlen(u->fingerprint) != 64 ||
	    strspn(u->fingerprint, "0123456789abcdef") != 64) {
		bad(r, "delete[].fingerprint", "64 hex digits");
	} else if (u->id) {
		/* the reviewed fields are what apply compares with */
		const char *stored = u->fingerprint;
		char fp[65];

		u->fingerprint = NULL;
		plan_user_fingerprint(u, fp);
		u->fingerprint = stored;
		if (strcmp(fp, stored))
			bad(r, "delete[].fingerprint",
			    "the fingerprint of the user's id, email, "
			    "username, "
			    "status and type (a plan written before userprune "
			    "0.2 must be made again)");
	}
}

/* A user named twice would get two requests: such a plan is refused. */
static void check_unique(struct reader *r, const struct tenant_plan *tp)
{
	struct hmap seen = HMAP_INIT;
	size_t i;
	int inserted;

	hmap_reserve(&seen, tp->ndel);
	for (i = 0; i < tp->ndel && !r->failed; i++) {
		hmap_put(&seen, tp->del[i].id, strlen(tp->del[i].id),
			 (uint32_t)i, &inserted);
		if (!inserted) {
			err_set(r->e,
				"%s: malformed plan: %s.delete names user "
				"'%.200s' twice",
				r->name, r->where, tp->del[i].id);
			r->failed = true;
		}
	}
	hmap_release(&seen);
}

static void read_values(struct reader *r, const cJSON *o, const char *key,
			char ***v, size_t *n)
{
	const cJSON *a = array(r, o, key), *it;
	size_t cap = 0;

	cJSON_ArrayForEach(it, a)
	{
		if (!cJSON_IsString(it)) {
			bad(r, key, "an array of strings");
			return;
		}
		*v = xgrow(*v, &cap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = xstrdup(it->valuestring);
	}
}

/*
 * The keep facts of write_keep_facts. The digest is computed again from
 * the planned users: a digest that does not fit them is an edited plan.
 */
static void read_keep_facts(struct reader *r, const cJSON *o,
			    struct tenant_plan *tp)
{
	const cJSON *kc = cJSON_GetObjectItemCaseSensitive(o, "keep_changes");
	char *digest, want[65];

	tp->keep_matched = (size_t)opt_num(r, o, "keep_matched", 0, 1e12,
					   (double)tp->keep_values);
	digest = str(r, o, "deletions_digest", true);
	approval_digest(tp->del, tp->ndel, want);
	if (digest && strcmp(digest, want))
		bad(r, "deletions_digest",
		    "the digest of the users in 'delete'");
	free(digest);
	if (!kc || cJSON_IsNull(kc))
		return;
	if (!cJSON_IsObject(kc)) {
		bad(r, "keep_changes", "an object or null");
		return;
	}
	tp->keep_changes = xcalloc(1, sizeof(*tp->keep_changes));
	tp->keep_changes->before = (size_t)num(r, kc, "before", 0, 1e12);
	read_values(r, kc, "added", &tp->keep_changes->added,
		    &tp->keep_changes->nadded);
	read_values(r, kc, "removed", &tp->keep_changes->removed,
		    &tp->keep_changes->nremoved);
}

static void read_tenant(struct reader *r, const cJSON *o, size_t idx)
{
	struct tenant_plan *tp = plan_add_tenant(r->p);
	const cJSON *counts, *a, *it;
	struct plan_counts *c = &tp->counts;

	snprintf(r->where, sizeof(r->where), "tenants[%zu]", idx);
	if (!cJSON_IsObject(o)) {
		r->where[0] = '\0';
		bad(r, "tenants[]", "objects");
		return;
	}
	read_settings(r, o, &tp->t);
	tp->caller = str(r, o, "caller", true);
	tp->error = str(r, o, "error", true);
	tp->refused = boolean(r, o, "refused");
	tp->requests = (long)num(r, o, "requests", 0, 1e12);
	tp->keep_values = (size_t)num(r, o, "keep_values", 0, 1e12);
	tp->mass_deletion = boolean(r, o, "mass_user_deletion");
	if ((counts = object(r, o, "counts"))) {
		c->live = (size_t)num(r, counts, "live", 0, 1e12);
		c->in_scope = (size_t)num(r, counts, "in_scope", 0, 1e12);
		c->untouched = (size_t)num(r, counts, "untouched", 0, 1e12);
		c->pending = (size_t)num(r, counts, "pending", 0, 1e12);
		c->protected = (size_t)num(r, counts, "protected", 0, 1e12);
		c->kept = (size_t)num(r, counts, "kept", 0, 1e12);
		c->delete = (size_t)num(r, counts, "delete", 0, 1e12);
	}
	if ((a = array(r, o, "guards"))) {
		cJSON_ArrayForEach(it, a)
		{
			char *name = str(r, it, "name", false);
			char *detail = str(r, it, "detail", false);
			bool tripped = boolean(r, it, "tripped");
			const cJSON *w =
				cJSON_GetObjectItemCaseSensitive(it, "waived");

			if (name && detail)
				tenant_plan_guard(tp, name, tripped, "%s",
						  detail);
			/* shown to a reviewer; apply works it out again */
			if (name && detail && cJSON_IsTrue(w))
				tp->guards[tp->nguards - 1].waived = true;
			free(name);
			free(detail);
		}
	}
	/* the refused flag is derived from the guards, never trusted alone */
	if ((a = array(r, o, "warnings"))) {
		cJSON_ArrayForEach(it, a)
		{
			if (!cJSON_IsString(it))
				bad(r, "warnings[]", "strings");
			else
				tenant_plan_warn(tp, "%s", it->valuestring);
		}
	}
	if ((a = array(r, o, "delete")))
		cJSON_ArrayForEach(it, a) read_user(r, it, tp);
	if (!r->failed && tp->ndel != c->delete)
		bad(r, "counts.delete", "the number of users in 'delete'");
	if (!r->failed)
		check_unique(r, tp);
	if (!r->failed)
		read_keep_facts(r, o, tp);
}

/* 64 lower-case hex digits. */
static bool is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * The end of a plan file: the checksum, and the tag when there is one.
 * Returns the length of the body they cover, or 0 when the end is not
 * theirs. *sum and *tag (or NULL) point at the digits.
 */
static size_t read_tail(const char *data, size_t len, const char **sum,
			const char **tag)
{
	size_t head = strlen(TAIL_HEAD), end = strlen(TAIL_END),
	       mid = strlen(TAIL_TAG);

	*tag = NULL;
	if (len < head + 64 + end || memcmp(data + len - end, TAIL_END, end))
		return 0;
	if (len >= head + 64 + mid + 64 + end &&
	    !memcmp(data + len - end - 64 - mid, TAIL_TAG, mid) &&
	    !memcmp(data + len - end - 64 - mid - 64 - head, TAIL_HEAD, head)) {
		*tag = data + len - end - 64;
		*sum = *tag - mid - 64;
		return len - end - 64 - mid - 64 - head;
	}
	if (memcmp(data + len - end - 64 - head, TAIL_HEAD, head))
		return 0;
	*sum = data + len - end - 64;
	return len - end - 64 - head;
}

/* With a key, the file's tag must be there and match its body. */
static int check_tag(struct plan *p, const char *data, size_t body,
		     const char *tag, const char *name, const char *key,
		     struct err *e)
{
	struct hmac_sha256 h;
	unsigned char d[32];
	char want[65];
	unsigned diff = 0;
	size_t i;

	if (tag)
		snprintf(p->tag, sizeof(p->tag), "%.64s", tag);
	if (!key)
		return 0;
	if (!tag)
		return err_set(e,
			       "%s: the plan has no HMAC tag, but "
			       "USERPRUNE_PLAN_KEY is set: only plans made "
			       "with the key are applied",
			       name);
	hmac_sha256_init(&h, key, strlen(key));
	hmac_sha256_update(&h, data, body);
	hmac_sha256_final(&h, d);
	hex_encode(d, 32, want);
	for (i = 0; i < 64; i++)
		diff |= (unsigned)(want[i] ^ tag[i]);
	if (diff)
		return err_set(e,
			       "%s: the plan's HMAC tag does not match: it was "
			       "not made with this USERPRUNE_PLAN_KEY, or it "
			       "was changed after it was written",
			       name);
	return 0;
}

/*
 * Whether data is a plan whose bytes were written out again (jq, an
 * editor): a JSON object with the plan's format_version and checksum,
 * whose end is not the one plan_write writes.
 */
static bool reserialised(const char *data, size_t len)
{
	/* only to word a refusal: not worth gigabytes of tree */
	cJSON *root = len < (64u << 20) ? cJSON_ParseWithLengthOpts(data, len,
								    NULL, false)
					: NULL;
	bool yes = cJSON_IsObject(root) &&
		   cJSON_GetObjectItemCaseSensitive(root, "format_version") &&
		   cJSON_IsString(
			   cJSON_GetObjectItemCaseSensitive(root, "checksum"));

	cJSON_Delete(root);
	return yes;
}

static void read_compare(struct reader *r, const cJSON *root, struct plan *p)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "compare");

	if (!v || cJSON_IsNull(v))
		return;
	if (!cJSON_IsObject(v)) {
		bad(r, "compare", "an object or null");
		return;
	}
	p->compare_ref = str(r, v, "ref", false);
	p->compare_commit = str(r, v, "commit", false);
}

int plan_parse(struct plan *p, const char *data, size_t len, const char *name,
	       const char *key, struct err *e)
{
	struct reader r = { name, e, p, "", false };
	const char *sum, *tag;
	char actual[65];
	cJSON *root = NULL;
	const cJSON *v, *src, *tenants, *it;
	const char *end = NULL;
	size_t body, i;
	char *s;

	plan_init(p);
	body = read_tail(data, len, &sum, &tag);
	if (!body && reserialised(data, len))
		return err_set(e,
			       "%s: the plan was modified after it was written "
			       "(its JSON was written out again, by jq or an "
			       "editor: the checksum covers the exact bytes); "
			       "use the file 'plan -o' wrote, or make a new "
			       "plan",
			       name);
	if (!body)
		return err_set(e,
			       "%s: not a userprune plan file (no checksum at "
			       "its end)",
			       name);
	if (!is_hex64(sum) || (tag && !is_hex64(tag)))
		return err_set(e, "%s: malformed checksum or tag", name);
	sha256_hex(data, body, actual);
	if (memcmp(actual, sum, 64))
		return err_set(e,
			       "%s: checksum mismatch: the plan was modified "
			       "after it was written; make a new plan",
			       name);
	memcpy(p->checksum, actual, 65);
	if (check_tag(p, data, body, tag, name, key, e) < 0)
		return -1;
	root = cJSON_ParseWithLengthOpts(data, len, &end, false);
	while (root && end < data + len && strchr(" \t\r\n", *end))
		end++;
	if (!root || !cJSON_IsObject(root) || end != data + len) {
		err_set(e, "%s: not valid JSON", name);
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "format_version");
	if (!cJSON_IsNumber(v) || v->valuedouble != PLAN_FORMAT_VERSION) {
		err_set(e,
			"%s: unknown plan format_version (this userprune "
			"reads %d)",
			name, PLAN_FORMAT_VERSION);
		goto fail;
	}
	s = str(&r, root, "tool", false);
	if (s && strcmp(s, "userprune"))
		bad(&r, "tool", "\"userprune\"");
	free(s);
	p->tool_version = str(&r, root, "tool_version", false);
	p->created = str(&r, root, "created", false);
	if ((src = object(&r, root, "source"))) {
		s = str(&r, src, "kind", false);
		p->source.kind =
			s && !strcmp(s, "git") ? SOURCE_GIT : SOURCE_FILE;
		free(s);
		p->source.path = str(&r, src, "path", true);
		p->source.sha256 = str(&r, src, "sha256", true);
		p->source.live = str(&r, src, "live", true);
		if (p->source.kind == SOURCE_GIT) {
			p->source.url = str(&r, src, "url", false);
			p->source.ref = str(&r, src, "ref", true);
			p->source.commit = str(&r, src, "commit", false);
			p->source.author = str(&r, src, "author", true);
			p->source.subject = str(&r, src, "subject", true);
		}
	}
	read_compare(&r, root, p);
	if ((tenants = array(&r, root, "tenants"))) {
		i = 0;
		cJSON_ArrayForEach(it, tenants)
		{
			if (r.failed)
				break;
			read_tenant(&r, it, i++);
		}
	}
	if (r.failed)
		goto fail;
	cJSON_Delete(root);
	return 0;
fail:
	cJSON_Delete(root);
	plan_release(p);
	return -1;
}

int plan_read(struct plan *p, const char *path, const char *key, struct err *e)
{
	char *data = NULL;
	size_t len;
	int rc;

	plan_init(p);
	if (file_read(path, PLAN_MAX_SIZE, &data, &len, e) < 0)
		return -1;
	rc = plan_parse(p, data, len, path, key, e);
	free(data);
	return rc;
}
