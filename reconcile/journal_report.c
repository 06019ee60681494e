/*
 * Reading a journal, and the journals it resumed, into a report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reconcile/journal.h"
#include "reconcile/journal_report.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define LINE_START "{\"type\":\""

bool journal_report_sniff(const char *data, size_t len)
{
	size_t n = strlen(LINE_START);

	return len >= n && !memcmp(data, LINE_START, n);
}

static const char *str(struct journal_report *r, const cJSON *o,
		       const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? arena_strdup(&r->a, v->valuestring) : NULL;
}

static long num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

/* The entry of (kind, tenant, name): its index + 1, or 0 when new. */
static uint32_t *slot(struct journal_report *r, char kind, const char *tenant,
		      const char *name, bool *fresh)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t *v;
	int inserted = 0;

	/* the tenant's length first: no id can make one key another */
	strbuf_addf(&sb, "%c%zu:%s%s", kind, strlen(tenant), tenant, name);
	v = hmap_get(&r->index, sb.buf, sb.len);
	if (!v)
		v = hmap_put(&r->index, arena_strndup(&r->a, sb.buf, sb.len),
			     sb.len, 0, &inserted);
	*fresh = inserted;
	strbuf_release(&sb);
	return v;
}

static int load_one(struct journal_report *r, const char *path, int depth,
		    struct err *e);

static int read_header(struct journal_report *r, const char *path, int lineno,
		       const cJSON *o, int depth, struct err *e)
{
	const cJSON *tenants = cJSON_GetObjectItemCaseSensitive(o, "tenants");
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(o, "source");
	const char *sum = str(r, o, "plan_checksum");
	const char *from = str(r, o, "resumed_from");
	struct report_run *run;
	const cJSON *it;
	size_t n = 0;

	if (!sum)
		return err_set(e, "%s:%d: a header without a plan checksum",
			       path, lineno);
	if (!r->checksum)
		r->checksum = sum;
	else if (strcmp(sum, r->checksum))
		return err_set(e,
			       "%s:%d: the journal is of another plan "
			       "(checksum %.12s, this plan %.12s)",
			       path, lineno, sum, r->checksum);
	/* the runs it resumed come first, as they happened */
	if (from && strcmp(from, path)) {
		const char *slash = strrchr(path, '/');
		char *other =
			from[0] == '/' || !slash
				? xstrdup(from)
				: xasprintf("%.*s/%s", (int)(slash - path),
					    path, from);
		int rc = load_one(r, other, depth + 1, e);

		free(other);
		if (rc < 0)
			return err_prefix(e, "%s:%d: resumed from", path,
					  lineno);
	}
	if (!r->plan_created)
		r->plan_created = str(r, o, "plan_created");
	if (!r->kind)
		r->kind = str(r, o, "kind");
	if (!r->source_kind && cJSON_IsObject(src)) {
		r->source_kind = str(r, src, "kind");
		r->source_path = str(r, src, "path");
		r->source_sha256 = str(r, src, "sha256");
		r->source_url = str(r, src, "url");
		r->source_commit = str(r, src, "commit");
	}
	r->runs = xgrow(r->runs, &r->capruns, r->nruns + 1, sizeof(*r->runs));
	run = &r->runs[r->nruns++];
	memset(run, 0, sizeof(*run));
	run->run_id = str(r, o, "run_id");
	run->time = str(r, o, "time");
	run->tool_version = str(r, o, "tool_version");
	run->plan_path = str(r, o, "plan_path");
	run->resumes = str(r, o, "resumes");
	if (cJSON_IsArray(tenants)) {
		const char **v = arena_alloc(
			&r->a,
			(size_t)(cJSON_GetArraySize(tenants) + 1) * sizeof(*v));

		cJSON_ArrayForEach(it, tenants)
		{
			if (cJSON_IsString(it))
				v[n++] = arena_strdup(&r->a, it->valuestring);
		}
		run->tenants = v;
		run->ntenants = n;
	}
	return 0;
}

static int read_outcome(struct journal_report *r, const char *path, int lineno,
			const cJSON *o, struct err *e)
{
	const char *tenant = str(r, o, "tenant"), *id = str(r, o, "id");
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(o, "outcome");
	struct report_user *u;
	enum outcome oc;
	uint32_t *v;
	bool fresh;

	if (!tenant || !id || !cJSON_IsString(out) ||
	    outcome_parse(out->valuestring, &oc) < 0)
		return err_set(e, "%s:%d: malformed outcome line", path,
			       lineno);
	v = slot(r, 'u', tenant, id, &fresh);
	if (fresh) {
		r->users = xgrow(r->users, &r->capusers, r->nusers + 1,
				 sizeof(*r->users));
		*v = (uint32_t)r->nusers++;
		u = &r->users[*v];
		memset(u, 0, sizeof(*u));
		u->tenant = tenant;
		u->id = id;
	}
	u = &r->users[*v];
	u->vendor = str(r, o, "vendor");
	u->email = str(r, o, "email");
	u->time = str(r, o, "time");
	u->detail = str(r, o, "detail");
	u->outcome = oc;
	u->http_status = num(o, "http_status");
	/* a verification line says nothing of the attempts made */
	if (num(o, "attempts") || fresh)
		u->attempts = (int)num(o, "attempts");
	u->run = r->nruns ? r->nruns - 1 : 0;
	return 0;
}

static void read_step(struct journal_report *r, const cJSON *o)
{
	const char *tenant = str(r, o, "tenant"), *step = str(r, o, "step");
	struct report_step *s;
	uint32_t *v;
	bool fresh;

	if (!tenant || !step)
		return;
	v = slot(r, 's', tenant, step, &fresh);
	if (fresh) {
		r->steps = xgrow(r->steps, &r->capsteps, r->nsteps + 1,
				 sizeof(*r->steps));
		*v = (uint32_t)r->nsteps++;
	}
	s = &r->steps[*v];
	s->tenant = tenant;
	s->step = step;
	s->vendor = str(r, o, "vendor");
	s->outcome = str(r, o, "outcome");
	s->detail = str(r, o, "detail");
	s->time = str(r, o, "time");
	s->http_status = num(o, "http_status");
}

static void read_verify(struct journal_report *r, const cJSON *o)
{
	struct report_verify *v;

	r->verifies = xgrow(r->verifies, &r->capverifies, r->nverifies + 1,
			    sizeof(*r->verifies));
	v = &r->verifies[r->nverifies++];
	v->tenant = str(r, o, "tenant");
	v->error = str(r, o, "error");
	v->time = str(r, o, "time");
	v->checked = num(o, "checked");
	v->still_present = num(o, "still_present");
	v->run = r->nruns ? r->nruns - 1 : 0;
}

static void read_summary(struct journal_report *r, const cJSON *o)
{
	const cJSON *counts = cJSON_GetObjectItemCaseSensitive(o, "counts");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(o, "interrupted");
	struct report_run *run;
	int k;

	if (!r->nruns)
		return;
	run = &r->runs[r->nruns - 1];
	run->ended = true;
	run->interrupted = cJSON_IsTrue(in);
	for (k = 0; k < OUTCOME_COUNT; k++)
		run->counts[k] = (size_t)num(counts, outcome_name(k));
}

/* One line of a journal, for show and restore. */
static int report_line(void *arg, const char *path, int lineno,
		       const char *type, const cJSON *o, int depth,
		       struct err *e)
{
	struct journal_report *r = arg;

	if (!strcmp(type, "header"))
		return read_header(r, path, lineno, o, depth, e);
	if (!strcmp(type, "outcome"))
		return read_outcome(r, path, lineno, o, e);
	if (!strcmp(type, "step"))
		read_step(r, o);
	else if (!strcmp(type, "verify"))
		read_verify(r, o);
	else if (!strcmp(type, "summary"))
		read_summary(r, o);
	return 0;
}

/* A line that is not a JSON object: cut short by a crash mid-write. */
static void report_torn(void *arg, const char *path, int lineno)
{
	struct journal_report *r = arg;

	if (!r->torn++) {
		r->torn_line = lineno;
		r->torn_path = arena_strdup(&r->a, path);
	}
}

static int load_one(struct journal_report *r, const char *path, int depth,
		    struct err *e)
{
	const struct journal_reader rd = { report_line, report_torn, r };

	return journal_read(&rd, path, depth, e);
}

int journal_report_load(struct journal_report *r, const char *path,
			struct err *e)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	arena_init(&r->a);
	hmap_init(&r->index);
	r->path = arena_strdup(&r->a, path);
	if (load_one(r, path, 0, e) < 0) {
		journal_report_release(r);
		return -1;
	}
	if (!r->kind)
		r->kind = "apply"; /* journals before kinds were written */
	for (i = 0; i < r->nusers; i++)
		r->counts[r->users[i].outcome]++;
	return 0;
}

void journal_report_release(struct journal_report *r)
{
	free(r->runs);
	free(r->users);
	free(r->steps);
	free(r->verifies);
	hmap_release(&r->index);
	arena_release(&r->a);
	memset(r, 0, sizeof(*r));
}
