#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

char *journal_default_path(void)
{
	char buf[64];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), ".userprune/journal-%Y%m%dT%H%M%SZ.jsonl",
		 &tm);
	return xstrdup(buf);
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

static void random_id(char out[33])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(b)) {
		/* no urandom: time and pid are unique enough for a run id */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(out, 33, "%016lx%08lx%08lx", (long)ts.tv_sec,
			 (long)ts.tv_nsec, (long)getpid());
		return;
	}
	hex_encode(b, sizeof(b), out);
}

int journal_open(struct journal *j, const char *path, const struct plan *p,
		 const char *resumed_from, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	char abs[PATH_MAX];
	struct jsonw w;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	if (mkdir_parents(path, e) < 0)
		return -1;
	j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0)
		return err_set(e, "journal %s: %s", path, strerror(errno));
	j->path = xstrdup(path);
	random_id(j->run_id);
	begin(&w, &sb, "header");
	jsonw_object_string(&w, "run_id", j->run_id);
	jsonw_object_string(&w, "tool_version", USERPRUNE_VERSION);
	jsonw_object_string(&w, "plan_checksum", p->checksum);
	jsonw_object_string(&w, "plan_created", p->created);
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
	/* absolute, so that a later resume finds it from anywhere */
	jsonw_key(&w, "resumed_from");
	if (resumed_from && realpath(resumed_from, abs))
		jsonw_string(&w, abs);
	else
		jsonw_string(&w, resumed_from);
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

void journal_summary(struct journal *j, const size_t counts[], bool interrupted)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	int o;

	begin(&w, &sb, "summary");
	jsonw_object_string(&w, "run_id", j->run_id);
	jsonw_object_bool(&w, "interrupted", interrupted);
	jsonw_key(&w, "counts");
	jsonw_object_begin(&w);
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

/* ---- resume ---- */

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

static void done_add(struct journal_done *d, char kind, const char *tenant,
		     const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char *key;
	int inserted;

	make_key(&sb, kind, tenant, name);
	key = arena_strndup(&d->keys, sb.buf, sb.len);
	hmap_put(&d->set, key, sb.len, 0, &inserted);
	d->n += inserted;
	strbuf_release(&sb);
}

static bool done_has(const struct journal_done *d, char kind,
		     const char *tenant, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	bool r;

	make_key(&sb, kind, tenant, name);
	r = hmap_get(&d->set, sb.buf, sb.len) != NULL;
	strbuf_release(&sb);
	return r;
}

bool journal_is_done(const struct journal_done *d, const char *tenant,
		     const char *id)
{
	return done_has(d, 'u', tenant, id);
}

bool journal_step_done(const struct journal_done *d, const char *tenant,
		       const char *step)
{
	return done_has(d, 's', tenant, step);
}

void journal_done_release(struct journal_done *d)
{
	hmap_release(&d->set);
	arena_release(&d->keys);
	memset(d, 0, sizeof(*d));
}

/* Journals resumed one from another, at most this deep (no cycles). */
#define RESUME_DEPTH 64

static int load_one(struct journal_done *d, const char *path,
		    const char *checksum, int depth, struct err *e)
{
	char *data = NULL, *line, *next;
	size_t len;
	int lineno = 0, rc = -1;
	bool header = false;

	if (depth > RESUME_DEPTH)
		return err_set(e,
			       "%s: journals resume each other more than %d "
			       "deep",
			       path, RESUME_DEPTH);
	if (file_read(path, JOURNAL_MAX, &data, &len, e) < 0)
		return err_prefix(e, "journal");
	for (line = data; line < data + len; line = next) {
		cJSON *o;
		const cJSON *type, *tenant, *id, *outcome, *sum;
		enum outcome out;

		next = memchr(line, '\n', (size_t)(data + len - line));
		lineno++;
		if (!next)
			break; /* the last line was cut short: it decided nothing */
		*next++ = '\0';
		if (!*line)
			continue;
		o = cJSON_Parse(line);
		type = cJSON_GetObjectItemCaseSensitive(o, "type");
		if (!cJSON_IsString(type)) {
			cJSON_Delete(o);
			err_set(e, "%s:%d: not a userprune journal line", path,
				lineno);
			goto out;
		}
		if (!strcmp(type->valuestring, "header")) {
			sum = cJSON_GetObjectItemCaseSensitive(o,
							       "plan_checksum");
			if (!cJSON_IsString(sum) ||
			    strcmp(sum->valuestring, checksum)) {
				/* the message quotes sum: delete o after */
				err_set(e,
					"%s:%d: the journal is of another plan "
					"(checksum %.12s, this plan %.12s)",
					path, lineno,
					cJSON_IsString(sum) ? sum->valuestring
							    : "?",
					checksum);
				cJSON_Delete(o);
				goto out;
			}
			header = true;
			/* what the run it resumed had done counts too */
			sum = cJSON_GetObjectItemCaseSensitive(o,
							       "resumed_from");
			if (cJSON_IsString(sum) &&
			    strcmp(sum->valuestring, path) &&
			    load_one(d, sum->valuestring, checksum, depth + 1,
				     e) < 0) {
				err_prefix(e, "%s:%d: resumed from", path,
					   lineno);
				cJSON_Delete(o);
				goto out;
			}
		} else if (!strcmp(type->valuestring, "outcome")) {
			tenant = cJSON_GetObjectItemCaseSensitive(o, "tenant");
			id = cJSON_GetObjectItemCaseSensitive(o, "id");
			outcome =
				cJSON_GetObjectItemCaseSensitive(o, "outcome");
			if (!cJSON_IsString(tenant) || !cJSON_IsString(id) ||
			    !cJSON_IsString(outcome) ||
			    outcome_parse(outcome->valuestring, &out) < 0) {
				cJSON_Delete(o);
				err_set(e, "%s:%d: malformed outcome line",
					path, lineno);
				goto out;
			}
			if (out != OUTCOME_FAILED)
				done_add(d, 'u', tenant->valuestring,
					 id->valuestring);
		} else if (!strcmp(type->valuestring, "step")) {
			const cJSON *step =
				cJSON_GetObjectItemCaseSensitive(o, "step");

			tenant = cJSON_GetObjectItemCaseSensitive(o, "tenant");
			outcome =
				cJSON_GetObjectItemCaseSensitive(o, "outcome");
			if (cJSON_IsString(tenant) && cJSON_IsString(step) &&
			    cJSON_IsString(outcome) &&
			    !strcmp(outcome->valuestring, "done")) {
				done_add(d, 's', tenant->valuestring,
					 step->valuestring);
			}
		}
		cJSON_Delete(o);
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

int journal_load_done(struct journal_done *d, const char *path,
		      const char *checksum, struct err *e)
{
	memset(d, 0, sizeof(*d));
	hmap_init(&d->set);
	arena_init(&d->keys);
	if (load_one(d, path, checksum, 0, e) < 0) {
		journal_done_release(d);
		return -1;
	}
	return 0;
}
