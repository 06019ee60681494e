#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "reconcile/journal.h"
#include "reconcile/reconcile.h"
#include "util/fileio.h"
#include "util/jsonw.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/clock.h"

#define SYNC_INTERVAL 0.05
#define JOURNAL_MAX   (1024u << 20)

static void now_iso(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%.20s.%03dZ", base,
		 (int)(ts.tv_nsec / 1000000) % 1000);
}

char *journal_default_path(const char *run_id)
{
	char buf[64];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
	return xasprintf(".userprune/journal-%s-%.12s.jsonl", buf, run_id);
}

/* Writes one line; a failed write marks the journal failed. */
static void put(struct journal *j, struct strbuf *line)
{
	const char *p;
	size_t left;

	strbuf_addch(line, '\n');
	p = line->buf;
	left = line->len;
	while (left && !j->failed) {
		ssize_t w = write(j->fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			j->failed = true;
			snprintf(j->error, sizeof(j->error), "%s: %s", j->path,
				 strerror(errno));
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	journal_sync(j, false);
}

void journal_sync(struct journal *j, bool force)
{
	double now = clock_mono();

	if (j->fd < 0 || (!force && now - j->last_sync < SYNC_INTERVAL))
		return;
	if (fsync(j->fd) < 0 && !j->failed) {
		j->failed = true;
		snprintf(j->error, sizeof(j->error), "%s: %s", j->path,
			 strerror(errno));
	}
	j->last_sync = now;
}

static void begin(struct jsonw *w, struct strbuf *sb, const char *type)
{
	char t[64];

	now_iso(t, sizeof(t));
	jsonw_init(w, sb, false);
	jsonw_object_begin(w);
	jsonw_object_string(w, "type", type);
	jsonw_object_string(w, "time", t);
}

/* A detail from a vendor's answer: cleaned and redacted (util/text.h). */
static void put_text(struct jsonw *w, const char *key, const char *s)
{
	char *clean = text_cleaned(s);

	jsonw_object_string(w, key, clean);
	free(clean);
}

void journal_new_run_id(char out[RUN_ID_LEN + 1])
{
	unsigned char b[RUN_ID_LEN / 2];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(b)) {
		/* no urandom: time and pid are unique enough for a run id */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(out, RUN_ID_LEN + 1, "%016lx%08lx%08lx",
			 (long)ts.tv_sec, (long)ts.tv_nsec, (long)getpid());
		return;
	}
	hex_encode(b, sizeof(b), out);
}

/* A journal line begins so: a torn one is a prefix of it, or begins so. */
#define LINE_START "{\"type\":\""

static bool torn_journal_line(const char *line, size_t len)
{
	size_t n = strlen(LINE_START);

	return !memcmp(line, LINE_START, len < n ? len : n);
}

/*
 * An existing journal must be one of this plan's: its first line that is
 * JSON must be a header with its checksum, and the lines before it torn
 * journal lines (a crash mid-write, even of a first header). Anything
 * else is not a journal: a configuration, a plan, a file of another tool.
 * The first line is read whole, however long (a shard's header may name
 * thousands of tenants).
 */
/* A header's kind: an apply's when it says none (journals before 0.2). */
static enum journal_kind header_kind(const cJSON *header)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(header, "kind");

	return cJSON_IsString(k) && !strcmp(k->valuestring, "restore")
		       ? JOURNAL_RESTORE
		       : JOURNAL_APPLY;
}

/* Why a journal of kind `have` is not one of kind `want`, or NULL. */
static const char *kind_mismatch(enum journal_kind have, enum journal_kind want)
{
	if (have == want)
		return NULL;
	return have == JOURNAL_RESTORE
		       ? "is the journal of a restore, not of an apply"
		       : "is the journal of an apply: a restore writes one of "
			 "its own";
}

static int check_owner(int fd, const char *path, const char *checksum,
		       enum journal_kind kind, struct err *e)
{
	int dfd = dup(fd);
	FILE *f = dfd >= 0 ? fdopen(dfd, "r") : NULL;
	char *line = NULL;
	size_t cap = 0, read_so_far = 0;
	ssize_t len;
	int rc = 0;

	if (!f) {
		if (dfd >= 0)
			close(dfd);
		return err_set(e, "journal %s: %s", path, strerror(errno));
	}
	rewind(f);
	while ((len = getline(&line, &cap, f)) >= 0) {
		cJSON *o, *type, *sum;

		read_so_far += (size_t)len;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len)
			continue;
		o = memchr(line, '\0', (size_t)len)
			    ? NULL
			    : cJSON_ParseWithLength(line, (size_t)len);
		if (!cJSON_IsObject(o)) {
			cJSON_Delete(o);
			if (torn_journal_line(line, (size_t)len) &&
			    read_so_far < JOURNAL_MAX)
				continue;
			rc = err_set(e,
				     "%s is not a userprune journal: refusing "
				     "to append to it",
				     path);
			break;
		}
		type = cJSON_GetObjectItemCaseSensitive(o, "type");
		sum = cJSON_GetObjectItemCaseSensitive(o, "plan_checksum");
		if (!cJSON_IsString(type) ||
		    strcmp(type->valuestring, "header"))
			rc = err_set(e,
				     "%s is not a userprune journal: refusing "
				     "to append to it",
				     path);
		else if (kind_mismatch(header_kind(o), kind))
			rc = err_set(e, "%s %s: choose another --journal", path,
				     kind_mismatch(header_kind(o), kind));
		else if (!cJSON_IsString(sum) ||
			 strcmp(sum->valuestring, checksum))
			rc = err_set(e,
				     "journal %s belongs to another plan "
				     "(checksum %.12s, this plan %.12s): a "
				     "journal holds the runs of one plan; "
				     "choose another --journal",
				     path,
				     cJSON_IsString(sum) ? sum->valuestring
							 : "?",
				     checksum);
		cJSON_Delete(o);
		break;
	}
	if (!rc && ferror(f))
		rc = err_set(e, "journal %s: %s", path, strerror(errno));
	free(line);
	fclose(f);
	return rc;
}

int journal_open(struct journal *j, const char *path, const char *run_id,
		 const char *checksum, struct err *e)
{
	return journal_open_kind(j, path, run_id, checksum, JOURNAL_APPLY, e);
}

int journal_open_kind(struct journal *j, const char *path, const char *run_id,
		      const char *checksum, enum journal_kind kind,
		      struct err *e)
{
	struct stat st;
	char last;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->kind = kind;
	if (mkdir_parents(path, e) < 0)
		return -1;
	j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0)
		return err_set(e, "journal %s: %s", path, strerror(errno));
	j->path = xstrdup(path);
	snprintf(j->run_id, sizeof(j->run_id), "%s", run_id);
	if (file_lock(j->fd, path, e) < 0)
		goto fail;
	if (fstat(j->fd, &st) < 0) {
		err_set(e, "journal %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, "journal %s: not a regular file", path);
		goto fail;
	}
	if (st.st_size > 0 && check_owner(j->fd, path, checksum, kind, e) < 0)
		goto fail;
	/* a torn last line is closed: the next line starts on its own */
	if (st.st_size > 0 && pread(j->fd, &last, 1, st.st_size - 1) == 1 &&
	    last != '\n' && write(j->fd, "\n", 1) != 1) {
		err_set(e, "journal %s: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	close(j->fd);
	free(j->path);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	return -1;
}

int journal_begin(struct journal *j, const struct journal_header *h,
		  struct err *e)
{
	const struct plan *p = h->plan;
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	size_t i;

	begin(&w, &sb, "header");
	jsonw_object_string(&w, "run_id", j->run_id);
	jsonw_object_string(&w, "tool_version", USERPRUNE_VERSION);
	jsonw_object_string(&w, "plan_checksum", p->checksum);
	jsonw_object_string(&w, "plan_created", p->created);
	jsonw_object_string(&w, "plan_path", h->plan_path);
	jsonw_key(&w, "tenants");
	if (h->ntenants) {
		jsonw_array_begin(&w);
		for (i = 0; i < h->ntenants; i++)
			jsonw_string(&w, h->tenants[i]);
		jsonw_array_end(&w);
	} else {
		jsonw_null(&w); /* every tenant of the plan */
	}
	jsonw_key(&w, "source");
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "kind",
			    p->source.kind == SOURCE_GIT ? "git" : "file");
	jsonw_object_string(&w, "path", p->source.path);
	jsonw_object_string(&w, "sha256", p->source.sha256);
	if (p->source.kind == SOURCE_GIT) {
		jsonw_object_string(&w, "url", p->source.url);
		jsonw_object_string(&w, "commit", p->source.commit);
	}
	jsonw_object_end(&w);
	jsonw_object_string(&w, "resumes", h->resumes);
	jsonw_object_string(&w, "resumed_from", h->resumed_from);
	if (j->kind == JOURNAL_RESTORE) {
		/* an apply's header stays as it was: no kind means apply */
		jsonw_object_string(&w, "kind", "restore");
		jsonw_object_string(&w, "restores", h->restores);
		jsonw_object_string(&w, "restores_journal",
				    h->restores_journal);
	}
	jsonw_object_end(&w);
	put(j, &sb);
	strbuf_release(&sb);
	journal_sync(j, true);
	if (j->failed)
		return err_set(e, "journal %s", j->error);
	return 0;
}

void journal_outcome(struct journal *j, const char *tenant, const char *vendor,
		     const struct plan_user *u, const struct delete_result *r,
		     int attempts)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	begin(&w, &sb, "outcome");
	jsonw_object_string(&w, "tenant", tenant);
	jsonw_object_string(&w, "vendor", vendor);
	jsonw_object_string(&w, "id", u->id);
	jsonw_object_string(&w, "email", u->email);
	jsonw_object_string(&w, "outcome", outcome_name(r->outcome));
	jsonw_key(&w, "http_status");
	if (r->status)
		jsonw_int(&w, r->status);
	else
		jsonw_null(&w);
	jsonw_object_int(&w, "attempts", attempts);
	put_text(&w, "detail", r->detail[0] ? r->detail : NULL);
	jsonw_object_end(&w);
	put(j, &sb);
	strbuf_release(&sb);
}

void journal_step(struct journal *j, const char *tenant, const char *vendor,
		  const char *step, const char *outcome, long status,
		  const char *detail)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	begin(&w, &sb, "step");
	jsonw_object_string(&w, "tenant", tenant);
	jsonw_object_string(&w, "vendor", vendor);
	jsonw_object_string(&w, "step", step);
	jsonw_object_string(&w, "outcome", outcome);
	jsonw_key(&w, "http_status");
	if (status)
		jsonw_int(&w, status);
	else
		jsonw_null(&w);
	put_text(&w, "detail", detail);
	jsonw_object_end(&w);
	put(j, &sb);
	strbuf_release(&sb);
}

void journal_verify(struct journal *j, const char *tenant, size_t checked,
		    size_t still_present, const char *error)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	begin(&w, &sb, "verify");
	jsonw_object_string(&w, "tenant", tenant);
	jsonw_object_int(&w, "checked", (long long)checked);
	jsonw_object_int(&w, "still_present", (long long)still_present);
	put_text(&w, "error", error);
	jsonw_object_end(&w);
	put(j, &sb);
	strbuf_release(&sb);
}

void journal_summary(struct journal *j, const size_t counts[], bool interrupted)
{
	static const enum outcome restore[] = { OUTCOME_RESTORED,
						OUTCOME_ABSENT, OUTCOME_FAILED,
						OUTCOME_NOT_UNDOABLE };
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	size_t i;
	int o;

	begin(&w, &sb, "summary");
	jsonw_object_string(&w, "run_id", j->run_id);
	jsonw_object_bool(&w, "interrupted", interrupted);
	jsonw_key(&w, "counts");
	jsonw_object_begin(&w);
	if (j->kind == JOURNAL_RESTORE)
		for (i = 0; i < sizeof(restore) / sizeof(restore[0]); i++)
			jsonw_object_int(&w, outcome_name(restore[i]),
					 (long long)counts[restore[i]]);
	else
		for (o = 0; o <= OUTCOME_FAILED; o++)
			jsonw_object_int(&w, outcome_name((enum outcome)o),
					 (long long)counts[o]);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	put(j, &sb);
	strbuf_release(&sb);
}

int journal_close(struct journal *j, struct err *e)
{
	int rc = 0;

	if (j->fd >= 0) {
		journal_sync(j, true);
		if (close(j->fd) < 0 && !j->failed) {
			j->failed = true;
			snprintf(j->error, sizeof(j->error), "%s: %s", j->path,
				 strerror(errno));
		}
	}
	if (j->failed)
		rc = err_set(e, "journal %s", j->error);
	free(j->path);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	return rc;
}

/* ---- reading ---- */

/*
 * A set key: the kind ('u' a user, 's' a step), the tenant's length, the
 * tenant and the name. Ids may hold any character: nothing can make one
 * entry look like another.
 */
static void make_key(struct strbuf *sb, char kind, const char *tenant,
		     const char *name)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%c%zu:%s%s", kind, strlen(tenant), tenant, name);
}

/* Records the latest value for a key (the last line about it wins). */
static void done_set(struct journal_done *d, char kind, const char *tenant,
		     const char *name, uint32_t value)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t *v;
	int inserted;

	make_key(&sb, kind, tenant, name);
	v = hmap_get(&d->set, sb.buf, sb.len);
	if (!v) {
		v = hmap_put(&d->set, arena_strndup(&d->keys, sb.buf, sb.len),
			     sb.len, value, &inserted);
		d->n++;
	}
	*v = value;
	strbuf_release(&sb);
}

static const uint32_t *done_get(const struct journal_done *d, char kind,
				const char *tenant, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const uint32_t *v;

	make_key(&sb, kind, tenant, name);
	v = hmap_get(&d->set, sb.buf, sb.len);
	strbuf_release(&sb);
	return v;
}

/* What a step's last line says, as journal_done keeps it. */
enum { STEP_ENDED, STEP_STARTED, STEP_NOT_SENT };

static uint32_t step_state(const cJSON *outcome)
{
	if (!cJSON_IsString(outcome))
		return STEP_ENDED;
	if (!strcmp(outcome->valuestring, "started"))
		return STEP_STARTED;
	/* "not_sent" only when it was never handed to libcurl */
	if (!strcmp(outcome->valuestring, "not_sent"))
		return STEP_NOT_SENT;
	return STEP_ENDED;
}

bool journal_is_done(const struct journal_done *d, const char *tenant,
		     const char *id)
{
	const uint32_t *v = done_get(d, 'u', tenant, id);

	return v && *v != OUTCOME_FAILED;
}

int journal_outcome_of(const struct journal_done *d, const char *tenant,
		       const char *id)
{
	const uint32_t *v = done_get(d, 'u', tenant, id);

	return v ? (int)*v : -1;
}

bool journal_step_done(const struct journal_done *d, const char *tenant,
		       const char *step)
{
	const uint32_t *v = done_get(d, 's', tenant, step);

	/* started, done, failed or unknown: never sent again */
	return v && *v != STEP_NOT_SENT;
}

bool journal_step_unanswered(const struct journal_done *d, const char *tenant,
			     const char *step)
{
	const uint32_t *v = done_get(d, 's', tenant, step);

	return v && *v == STEP_STARTED;
}

static void free_tenants(struct journal_done *d)
{
	size_t i;

	for (i = 0; i < d->ntenants; i++)
		free(d->tenants[i]);
	free(d->tenants);
	d->tenants = NULL;
	d->ntenants = 0;
}

void journal_done_release(struct journal_done *d)
{
	hmap_release(&d->set);
	hmap_release(&d->index);
	free(d->entries);
	arena_release(&d->keys);
	free(d->checksum);
	free(d->plan_path);
	free(d->last_run);
	free(d->torn_path);
	free_tenants(d);
	memset(d, 0, sizeof(*d));
}

/* Journals resumed one from another, at most this deep (no cycles). */

static int load_one(struct journal_done *d, const char *path, int depth,
		    struct err *e);

/* The journal a header resumed, relative to the directory of path. */
static int load_resumed(struct journal_done *d, const char *path,
			const char *from, int depth, struct err *e)
{
	const char *slash = strrchr(path, '/');
	char *other =
		from[0] == '/' || !slash
			? xstrdup(from)
			: xasprintf("%.*s/%s", (int)(slash - path), path, from);
	int rc = load_one(d, other, depth + 1, e);

	free(other);
	return rc;
}

static int read_header(struct journal_done *d, const char *path, int lineno,
		       const cJSON *o, int depth, struct err *e)
{
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(o, "plan_checksum");
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(o, "resumed_from");
	const cJSON *plan = cJSON_GetObjectItemCaseSensitive(o, "plan_path");
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(o, "run_id");
	const cJSON *tenants = cJSON_GetObjectItemCaseSensitive(o, "tenants");
	const cJSON *it;

	if (!cJSON_IsString(sum))
		return err_set(e, "%s:%d: a header without a plan checksum",
			       path, lineno);
	if (kind_mismatch(header_kind(o), d->kind))
		return err_set(e, "%s %s", path,
			       kind_mismatch(header_kind(o), d->kind));
	if (!d->checksum)
		d->checksum = xstrdup(sum->valuestring);
	if (strcmp(sum->valuestring, d->checksum))
		return err_set(e,
			       "%s:%d: the journal is of another plan "
			       "(checksum %.12s, this plan %.12s)",
			       path, lineno, sum->valuestring, d->checksum);
	/* what the run it resumed had done counts too */
	if (cJSON_IsString(from) && strcmp(from->valuestring, path) &&
	    load_resumed(d, path, from->valuestring, depth, e) < 0)
		return err_prefix(e, "%s:%d: resumed from", path, lineno);
	free(d->plan_path);
	d->plan_path = cJSON_IsString(plan) ? xstrdup(plan->valuestring) : NULL;
	free(d->last_run);
	d->last_run = cJSON_IsString(run) ? xstrdup(run->valuestring) : NULL;
	free_tenants(d);
	if (!cJSON_IsArray(tenants))
		tenants = NULL;
	cJSON_ArrayForEach(it, tenants)
	{
		if (!cJSON_IsString(it))
			continue;
		d->tenants = xrealloc(d->tenants,
				      (d->ntenants + 1) * sizeof(*d->tenants));
		d->tenants[d->ntenants++] = xstrdup(it->valuestring);
	}
	return 0;
}

/* A member that is a string, copied into the keys' arena; else NULL. */
static const char *kept_string(struct journal_done *d, const cJSON *o,
			       const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? arena_strdup(&d->keys, v->valuestring)
				 : NULL;
}

/* Keeps an outcome line as its user's entry (the last line wins). */
static void keep_entry(struct journal_done *d, const cJSON *o,
		       const char *tenant, const char *id, enum outcome out)
{
	struct strbuf sb = STRBUF_INIT;
	struct journal_entry *en;
	uint32_t *at;
	int inserted;

	make_key(&sb, 'u', tenant, id);
	at = hmap_get(&d->index, sb.buf, sb.len);
	if (!at) {
		d->entries = xgrow(d->entries, &d->entcap, d->nentries + 1,
				   sizeof(*d->entries));
		at = hmap_put(&d->index,
			      arena_strndup(&d->keys, sb.buf, sb.len), sb.len,
			      (uint32_t)d->nentries++, &inserted);
		en = &d->entries[*at];
		en->tenant = arena_strdup(&d->keys, tenant);
		en->id = arena_strdup(&d->keys, id);
	}
	en = &d->entries[*at];
	en->vendor = kept_string(d, o, "vendor");
	en->email = kept_string(d, o, "email");
	en->time = kept_string(d, o, "time");
	en->detail = kept_string(d, o, "detail");
	en->outcome = out;
	strbuf_release(&sb);
}

/* A line that is not a JSON object: cut short by a crash mid-write. */
static void torn(struct journal_done *d, const char *path, int lineno)
{
	if (!d->torn++) {
		d->torn_line = lineno;
		d->torn_path = xstrdup(path);
	}
}

int journal_read(const struct journal_reader *r, const char *path, int depth,
		 struct err *e)
{
	char *data = NULL, *line, *next;
	size_t len;
	int lineno = 0, rc = -1;
	bool header = false;

	if (depth > JOURNAL_DEPTH)
		return err_set(e,
			       "%s: journals resume each other more than %d "
			       "deep",
			       path, JOURNAL_DEPTH);
	if (file_read(path, JOURNAL_MAX, &data, &len, e) < 0)
		return err_prefix(e, "journal");
	for (line = data; line < data + len; line = next) {
		const cJSON *type;
		cJSON *o;
		int ok;

		next = memchr(line, '\n', (size_t)(data + len - line));
		lineno++;
		if (next)
			*next++ = '\0';
		else
			next = data + len;
		if (!*line)
			continue;
		o = cJSON_ParseWithLength(line, strlen(line));
		if (!cJSON_IsObject(o)) {
			cJSON_Delete(o);
			r->torn(r->arg, path, lineno);
			continue;
		}
		type = cJSON_GetObjectItemCaseSensitive(o, "type");
		if (!cJSON_IsString(type)) {
			cJSON_Delete(o);
			err_set(e, "%s:%d: not a userprune journal line", path,
				lineno);
			goto out;
		}
		ok = r->line(r->arg, path, lineno, type->valuestring, o, depth,
			     e);
		header = header || !strcmp(type->valuestring, "header");
		cJSON_Delete(o);
		if (ok < 0)
			goto out;
	}
	if (!header) {
		err_set(e, "%s: no journal header: not a userprune journal",
			path);
		goto out;
	}
	rc = 0;
out:
	free(data);
	return rc;
}

/* One line of a journal, for what resume needs to know. */
static int done_line(void *arg, const char *path, int lineno, const char *type,
		     const cJSON *o, int depth, struct err *e)
{
	struct journal_done *d = arg;
	const cJSON *tenant = cJSON_GetObjectItemCaseSensitive(o, "tenant");
	const cJSON *id, *outcome, *step;
	enum outcome out;

	if (!strcmp(type, "header"))
		return read_header(d, path, lineno, o, depth, e);
	if (!strcmp(type, "outcome")) {
		id = cJSON_GetObjectItemCaseSensitive(o, "id");
		outcome = cJSON_GetObjectItemCaseSensitive(o, "outcome");
		if (!cJSON_IsString(tenant) || !cJSON_IsString(id) ||
		    !cJSON_IsString(outcome) ||
		    outcome_parse(outcome->valuestring, &out) < 0)
			return err_set(e, "%s:%d: malformed outcome line", path,
				       lineno);
		done_set(d, 'u', tenant->valuestring, id->valuestring,
			 (uint32_t)out);
		if (d->want_entries)
			keep_entry(d, o, tenant->valuestring, id->valuestring,
				   out);
	} else if (!strcmp(type, "step")) {
		step = cJSON_GetObjectItemCaseSensitive(o, "step");
		outcome = cJSON_GetObjectItemCaseSensitive(o, "outcome");
		if (cJSON_IsString(tenant) && cJSON_IsString(step))
			done_set(d, 's', tenant->valuestring, step->valuestring,
				 step_state(outcome));
	}
	return 0;
}

static void done_torn(void *arg, const char *path, int lineno)
{
	torn(arg, path, lineno);
}

static int load_one(struct journal_done *d, const char *path, int depth,
		    struct err *e)
{
	const struct journal_reader r = { done_line, done_torn, d };

	return journal_read(&r, path, depth, e);
}

static int load(struct journal_done *d, const char *path,
		enum journal_kind kind, bool entries, const char *checksum,
		struct err *e)
{
	memset(d, 0, sizeof(*d));
	hmap_init(&d->set);
	hmap_init(&d->index);
	arena_init(&d->keys);
	d->kind = kind;
	d->want_entries = entries;
	d->checksum = xstrdup_or_null(checksum);
	if (load_one(d, path, 0, e) < 0) {
		journal_done_release(d);
		return -1;
	}
	return 0;
}

int journal_load(struct journal_done *d, const char *path, const char *checksum,
		 struct err *e)
{
	return load(d, path, JOURNAL_APPLY, false, checksum, e);
}

int journal_load_entries(struct journal_done *d, const char *path,
			 enum journal_kind kind, const char *checksum,
			 struct err *e)
{
	return load(d, path, kind, true, checksum, e);
}
