/*
 * Undoing an apply run: what can be undone (restore_prepare), and the
 * run that undoes it (reconcile_restore), shaped like apply.c: list,
 * canary, requests through the engine, journal, verify.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reconcile/effect.h"
#include "reconcile/list.h"
#include "reconcile/restore.h"
#include "reconcile/session.h"
#include "util/clock.h"
#include "util/hmap.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* ---- what can be undone ---- */

/*
 * Names looked up once per journal line, indexed: a run may hold
 * thousands of tenants (a shard) and a million users.
 */
static void names_init(struct hmap *m, const char *const *v, size_t n)
{
	size_t i;
	int inserted;

	hmap_init(m);
	for (i = 0; i < n; i++)
		hmap_put(m, v[i], strlen(v[i]), (uint32_t)i, &inserted);
}

/* Whether s is in the selection m of n names (none: everything is). */
static bool named(const struct hmap *m, size_t n, const char *s)
{
	return !n || hmap_get(m, s, strlen(s));
}

/* The plan's tenants by name, and each tenant's planned users by id. */
struct plan_index {
	struct hmap tenants;
	struct hmap *by_id; /* one per tenant of the plan */
	size_t n;
};

static void index_init(struct plan_index *x, const struct plan *p)
{
	size_t i, j;
	int inserted;

	x->n = p->ntenants;
	x->by_id = xcalloc(x->n + 1, sizeof(*x->by_id));
	hmap_init(&x->tenants);
	for (i = 0; i < x->n; i++)
		hmap_put(&x->tenants, p->tenants[i].t.name,
			 strlen(p->tenants[i].t.name), (uint32_t)i, &inserted);
	for (i = 0; i < x->n; i++) {
		const struct tenant_plan *tp = &p->tenants[i];

		hmap_init(&x->by_id[i]);
		hmap_reserve(&x->by_id[i], tp->ndel);
		for (j = 0; j < tp->ndel; j++)
			hmap_put(&x->by_id[i], tp->del[j].id,
				 strlen(tp->del[j].id), (uint32_t)j, &inserted);
	}
}

static const struct tenant_plan *
find_tenant(const struct plan_index *x, const struct plan *p, const char *name)
{
	const uint32_t *at = hmap_get(&x->tenants, name, strlen(name));

	return at ? &p->tenants[*at] : NULL;
}

static const struct plan_user *index_find(const struct plan_index *x,
					  const struct plan *p,
					  const struct tenant_plan *tp,
					  const char *id)
{
	size_t i = (size_t)(tp - p->tenants);
	const uint32_t *at = hmap_get(&x->by_id[i], id, strlen(id));

	return at ? &tp->del[*at] : NULL;
}

static void index_release(struct plan_index *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		hmap_release(&x->by_id[i]);
	free(x->by_id);
	hmap_release(&x->tenants);
}

static const char *saved(struct restore_set *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *saved(struct restore_set *s, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	const char *out;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	out = arena_strdup(&s->arena, sb.buf);
	strbuf_release(&sb);
	return out;
}

/*
 * Why `was` cannot be undone for user u of tp, recorded at `when`, or
 * NULL when it can.
 */
static const char *why_not(struct restore_set *s, const struct tenant_plan *tp,
			   const struct plan_user *u, enum outcome was,
			   const char *when)
{
	const struct vendor *v = tp->t.vendor;
	struct effect ef;
	char day[16];
	double start;

	effect_of(&tp->t, &ef);
	if (was == OUTCOME_DELETED)
		return strcmp(ef.what, "deleted")
			       ? saved(s, "deleted is final (%s: %s)", ef.what,
				       ef.undo)
			       : "deleted is final";
	if (was == OUTCOME_SCHEDULED && ef.grace_days > 0) {
		/* the window counts from when the deletion was recorded */
		start = clock_from_iso(when);
		if (start < 0)
			return "the journal does not say when the deletion "
			       "was scheduled, so not whether it can still be "
			       "cancelled";
		effect_day(when, ef.grace_days, day, sizeof(day));
		if (clock_real() >= start + (double)ef.grace_days * 86400)
			return saved(s, "window ended on %s", day);
		if (!(v->restorable & OUTCOME_BIT(was)) && v->no_restore)
			return saved(s, "%s until %s", v->no_restore, day);
	}
	if (!(v->restorable & OUTCOME_BIT(was)))
		return v->no_restore
			       ? v->no_restore
			       : saved(s,
				       "vendor '%s' has no call that undoes "
				       "'%s'",
				       v->name, outcome_name(was));
	if (was == OUTCOME_DEACTIVATED && u->status != STATUS_ACTIVE)
		return "it was already inactive when planned: reactivating it "
		       "would not put it back as it was";
	return NULL;
}

static void add_item(struct restore_set *s, const struct journal_entry *en,
		     const struct tenant_plan *tp, const struct plan_user *u,
		     const char *why, bool repeated)
{
	struct restore_item *it;

	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	it = &s->v[s->n++];
	*it = (struct restore_item){
		tp ? tp->t.name : arena_strdup(&s->arena, en->tenant),
		tp ? tp->t.vendor->name
		   : arena_strdup(&s->arena, en->vendor ? en->vendor : "?"),
		tp,
		u,
		en->outcome,
		why,
		repeated
	};
	if (!why)
		s->to_send++;
}

/*
 * A user the journal names that the plan does not hold: a journal of
 * the same plan never does, an edited one might. Nobody outside the
 * reviewed plan is ever sent anything: it is named, with a plan user
 * of its own (the journal's id and email) for the report.
 */
static const struct plan_user *stranger(struct restore_set *s,
					const struct journal_entry *en)
{
	struct plan_user *u = arena_alloc(&s->arena, sizeof(*u));

	memset(u, 0, sizeof(*u));
	u->id = arena_strdup(&s->arena, en->id);
	u->email = arena_strdup(&s->arena, en->email);
	return u;
}

int restore_prepare(const struct plan *p, const struct journal_done *applied,
		    const struct journal_done *restored,
		    const struct restore_opts *o, struct restore_set *s,
		    struct err *e)
{
	struct plan_index x;
	struct hmap tenants, users;
	bool *seen = xcalloc(o->nusers + 1, sizeof(*seen));
	const uint32_t *at;
	size_t i, j;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	arena_init(&s->arena);
	s->applied_run = xstrdup_or_null(applied->last_run);
	index_init(&x, p);
	names_init(&tenants, o->tenants, o->ntenants);
	names_init(&users, o->users, o->nusers);
	for (j = 0; j < o->ntenants; j++)
		if (!find_tenant(&x, p, o->tenants[j])) {
			err_set(e, "no tenant '%s' in the plan", o->tenants[j]);
			goto out;
		}
	for (i = 0; i < applied->nentries; i++) {
		const struct journal_entry *en = &applied->entries[i];
		const struct tenant_plan *tp;
		const struct plan_user *u;
		int before;

		if (!named(&tenants, o->ntenants, en->tenant) ||
		    !named(&users, o->nusers, en->id))
			continue;
		/* every --user the journal names, however often given */
		if (o->nusers &&
		    (at = hmap_get(&users, en->id, strlen(en->id))))
			for (j = 0; j < o->nusers; j++)
				seen[j] |= !strcmp(o->users[j], en->id);
		if (en->outcome != OUTCOME_DELETED &&
		    en->outcome != OUTCOME_DEACTIVATED &&
		    en->outcome != OUTCOME_SCHEDULED) {
			s->unchanged++;
			continue;
		}
		before = restored ? journal_outcome_of(restored, en->tenant,
						       en->id)
				  : -1;
		if (before >= 0 && before != OUTCOME_FAILED) {
			s->done++;
			continue;
		}
		tp = find_tenant(&x, p, en->tenant);
		u = tp ? index_find(&x, p, tp, en->id) : NULL;
		if (!tp || !u) {
			add_item(s, en, tp, stranger(s, en),
				 saved(s,
				       "not planned in tenant '%s' by the plan "
				       "this journal applied: never touched",
				       en->tenant),
				 before >= 0);
			continue;
		}
		add_item(s, en, tp, u, why_not(s, tp, u, en->outcome, en->time),
			 before >= 0);
	}
	for (j = 0; j < o->nusers; j++)
		if (!seen[j]) {
			err_set(e, "no user '%s' in the journal%s", o->users[j],
				o->ntenants ? " (in the selected tenants)"
					    : "");
			goto out;
		}
	rc = 0;
out:
	free(seen);
	hmap_release(&tenants);
	hmap_release(&users);
	index_release(&x);
	if (rc < 0)
		restore_set_release(s);
	return rc;
}

void restore_set_release(struct restore_set *s)
{
	free(s->v);
	free(s->applied_run);
	arena_release(&s->arena);
	memset(s, 0, sizeof(*s));
}

char *restore_default_path(const char *run_id)
{
	char buf[64];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
	return xasprintf(".userprune/restore-%s-%.12s.jsonl", buf, run_id);
}

/* ---- the run ---- */

enum phase { LISTING, CANARY, SENDING, VERIFYING, DONE };

struct restorer;

struct tenant_restore {
	struct restorer *r;
	const struct tenant_plan *tp;
	struct session s;
	bool opened;
	struct userstore live;
	struct listing l;
	enum phase phase;
	const struct restore_item **todo; /* to send, after listing */
	size_t ntodo, next, inflight, ndone;
	const struct restore_item **items; /* every item to send */
	size_t nitems;
	size_t canary_left;
	bool stopped;
	const struct restore_item **claims; /* restored by a request */
	size_t nclaims, claimcap;
	double started;
};

struct restorer {
	const struct plan *p;
	const struct restore_opts *o;
	struct apply_result *res;
	struct engine *e;
	struct journal j;
	struct tenant_restore *t;
	size_t n;
};

struct rst_req {
	struct tenant_restore *tr;
	const struct restore_item *it;
};

/* a message to the run's hooks */
#define say(r, ...) run_say(&(r)->o->hooks, __VA_ARGS__)

static void record(struct restorer *r, const struct restore_item *it,
		   const struct delete_result *d, int attempts)
{
	journal_outcome(&r->j, it->tenant, it->vendor, it->u, d, attempts);
	r->res->counts[d->outcome]++;
	if (r->j.failed) {
		/* without a journal there is no record: stop everything */
		say(r, MSG_ERROR, "%s; stopping", r->j.error);
		engine_stop(r->e);
	}
}

static void submit_more(struct tenant_restore *tr);

/* ---- verification ---- */

static void verified(void *arg, struct listing *l)
{
	struct tenant_restore *tr = arg;
	struct restorer *r = tr->r;
	const char *name = tr->tp->t.name;
	size_t i, still = 0;

	tr->phase = DONE;
	if (l->failed) {
		if (!engine_stopping(r->e))
			say(r, MSG_WARNING,
			    "%s: listing again to verify failed, %zu outcomes "
			    "not verified: %s",
			    name, tr->nclaims, l->error);
		journal_verify(&r->j, name, 0, 0, l->error);
		r->res->unverified += tr->nclaims;
		return;
	}
	for (i = 0; i < tr->nclaims; i++) {
		const struct restore_item *it = tr->claims[i];
		const struct user *u = userstore_find(&tr->live, it->u->id);
		struct delete_result d;

		if (u && u->status == STATUS_ACTIVE)
			continue;
		memset(&d, 0, sizeof(d));
		d.outcome = OUTCOME_FAILED;
		snprintf(d.detail, sizeof(d.detail),
			 "%s (listed again to verify)",
			 !u ? "no longer listed after restore"
			 : u->status == STATUS_PENDING_DELETION
				 ? "still scheduled for deletion after restore"
				 : "still inactive after restore");
		journal_outcome(&r->j, name, tr->tp->t.vendor->name, it->u, &d,
				0);
		r->res->counts[OUTCOME_RESTORED]--;
		r->res->counts[OUTCOME_FAILED]++;
		say(r, MSG_ERROR, "%s: '%s' was recorded restored but is %s",
		    name, it->u->id, !u ? "no longer listed" : "not active");
		still++;
	}
	journal_verify(&r->j, name, tr->nclaims, still, NULL);
	r->res->verified += tr->nclaims;
	userstore_release(&tr->live);
}

static void verify_tenant(struct tenant_restore *tr)
{
	if (!tr->tp->t.policy.verify || !tr->nclaims ||
	    engine_stopping(tr->r->e)) {
		tr->phase = DONE;
		return;
	}
	tr->phase = VERIFYING;
	listing_release(&tr->l);
	userstore_release(&tr->live);
	userstore_init(&tr->live);
	listing_start(&tr->l, &tr->s, &tr->live, verified, tr);
}

/* ---- requests ---- */

static void sent(void *arg, struct http_request *req,
		 const struct http_response *res)
{
	struct rst_req *q = arg;
	struct tenant_restore *tr = q->tr;
	struct restorer *r = tr->r;
	const struct restore_item *it = q->it;
	struct delete_result d;

	tr->inflight--;
	free(q);
	memset(&d, 0, sizeof(d));
	if (res->status == 0 && req->attempts == 0) {
		/* never sent (stopping, the lane cannot send): not tried */
		r->res->not_attempted++;
		if (!engine_stopping(r->e) && !tr->stopped) {
			say(r, MSG_ERROR,
			    "%s: %s: no more requests for this tenant",
			    tr->tp->t.name, res->error);
			tr->stopped = true;
			engine_lane_cancel(tr->s.lane);
		}
		submit_more(tr);
		return;
	}
	if (res->status == 0) {
		d.outcome = OUTCOME_FAILED;
		snprintf(d.detail, sizeof(d.detail), "%.250s", res->error);
	} else {
		delete_outcome(res, OUTCOME_RESTORED, &d);
		/* a refusal is not "blocked" here: restore failed */
		if (d.outcome != OUTCOME_RESTORED &&
		    d.outcome != OUTCOME_ABSENT)
			d.outcome = OUTCOME_FAILED;
		else if (d.outcome == OUTCOME_RESTORED)
			snprintf(d.detail, sizeof(d.detail), "%s",
				 it->was == OUTCOME_SCHEDULED
					 ? "deletion cancelled"
					 : "reactivated");
	}
	record(r, it, &d, req->attempts);
	tr->ndone++;
	if (d.outcome == OUTCOME_RESTORED) {
		tr->claims = xgrow(tr->claims, &tr->claimcap, tr->nclaims + 1,
				   sizeof(*tr->claims));
		tr->claims[tr->nclaims++] = it;
	}
	if (tr->phase == CANARY && d.outcome == OUTCOME_FAILED &&
	    !tr->stopped) {
		tr->stopped = true;
		say(r, MSG_ERROR,
		    "%s: the first restore, of '%s', failed (%s): no more "
		    "requests in this tenant",
		    tr->tp->t.name, it->u->id, d.detail);
	}
	submit_more(tr);
}

static void submit(struct tenant_restore *tr)
{
	const struct restore_item *it = tr->todo[tr->next++];
	struct rst_req *q = xcalloc(1, sizeof(*q));

	q->tr = tr;
	q->it = it;
	tr->inflight++;
	engine_submit(tr->s.lane,
		      tr->s.v->restore_request(&tr->s, it->u, it->was), sent,
		      q);
}

static void submit_more(struct tenant_restore *tr)
{
	size_t queued_max = (size_t)tr->tp->t.limits.concurrency * 64;

	if (tr->phase != CANARY && tr->phase != SENDING)
		return;
	if (tr->stopped || engine_stopping(tr->r->e)) {
		if (!tr->inflight) {
			tr->r->res->not_attempted += tr->ntodo - tr->next;
			tr->next = tr->ntodo;
			verify_tenant(tr);
		}
		return;
	}
	if (tr->phase == CANARY) {
		if (tr->inflight)
			return;
		if (tr->canary_left && tr->next < tr->ntodo) {
			tr->canary_left--;
			submit(tr);
			return;
		}
		tr->phase = SENDING;
	}
	while (tr->next < tr->ntodo && tr->inflight < queued_max)
		submit(tr);
	if (tr->next == tr->ntodo && !tr->inflight)
		verify_tenant(tr);
}

/* ---- after listing ---- */

static void listed(void *arg, struct listing *l)
{
	struct tenant_restore *tr = arg;
	struct restorer *r = tr->r;
	const char *name = tr->tp->t.name;
	struct delete_result d;
	size_t i, absent = 0, active = 0;

	if (l->failed) {
		/* nobody is judged gone on a listing that is not whole */
		if (!engine_stopping(r->e)) {
			say(r, MSG_ERROR,
			    "%s: listing failed, nothing restored in this "
			    "tenant: %s",
			    name, l->error);
			r->res->listing_failed++;
			if (l->partial)
				r->res->listing_partial++;
		}
		r->res->not_attempted += tr->nitems;
		tr->phase = DONE;
		return;
	}
	tr->todo = xmalloc((tr->nitems + 1) * sizeof(*tr->todo));
	for (i = 0; i < tr->nitems; i++) {
		const struct restore_item *it = tr->items[i];
		const struct user *u = userstore_find(&tr->live, it->u->id);

		memset(&d, 0, sizeof(d));
		/*
		 * The account the journal names, by id: a changed email or
		 * name is still that account, and it is restored.
		 */
		if (!u) {
			d.outcome = OUTCOME_ABSENT;
			snprintf(d.detail, sizeof(d.detail),
				 "no longer listed: nothing to restore");
			absent++;
		} else if (u->status == STATUS_ACTIVE) {
			d.outcome = OUTCOME_RESTORED;
			snprintf(d.detail, sizeof(d.detail),
				 "already active when listed: nothing sent");
			active++;
		} else {
			tr->todo[tr->ntodo++] = it;
			continue;
		}
		record(r, it, &d, 0);
		tr->ndone++;
	}
	if (absent)
		say(r, MSG_WARNING,
		    "%s: %zu users to restore are no longer listed", name,
		    absent);
	if (active)
		say(r, MSG_INFO, "%s: %zu users to restore are already active",
		    name, active);
	userstore_release(&tr->live);
	tr->phase = CANARY;
	tr->canary_left = (size_t)tr->tp->t.policy.canary;
	tr->started = clock_mono();
	submit_more(tr);
}

/* ---- progress ---- */

static void tick(void *arg)
{
	struct restorer *r = arg;
	struct progress *p = xcalloc(r->n + 1, sizeof(*p));
	size_t i;

	journal_sync(&r->j, false);
	for (i = 0; i < r->n; i++) {
		struct tenant_restore *tr = &r->t[i];
		double secs = clock_mono() - tr->started;

		p[i].tenant = tr->tp->t.name;
		p[i].phase = tr->phase == LISTING     ? "listing"
			     : tr->phase == VERIFYING ? "verifying"
			     : tr->phase == DONE      ? "done"
						      : "restoring";
		p[i].done = tr->phase == LISTING || tr->phase == VERIFYING
				    ? tr->live.n
				    : tr->ndone;
		p[i].total = tr->phase == LISTING || tr->phase == VERIFYING
				     ? tr->l.total
				     : (long)tr->nitems;
		if (tr->phase == CANARY || tr->phase == SENDING)
			p[i].rate = secs > 0.5 ? (double)tr->ndone / secs : 0;
	}
	if (r->o->hooks.progress)
		r->o->hooks.progress(r->o->hooks.arg, p, r->n);
	free(p);
}

/*
 * The tenant of r that restores tp's users, added when new; by[i] is the
 * one of the plan's tenant i, or NULL.
 */
static struct tenant_restore *tenant_of(struct restorer *r,
					const struct tenant_plan *tp,
					struct tenant_restore **by)
{
	size_t i = (size_t)(tp - r->p->tenants);

	if (!by[i]) {
		by[i] = &r->t[r->n++];
		*by[i] = (struct tenant_restore){ .r = r, .tp = tp };
		userstore_init(&by[i]->live);
	}
	return by[i];
}

static int start_journal(struct restorer *r, const struct restore_set *s,
			 struct err *e)
{
	const struct restore_opts *o = r->o;
	struct journal_header h = { .plan = r->p,
				    .plan_path = o->plan_path,
				    .tenants = o->tenants,
				    .ntenants = o->ntenants,
				    .restores = s->applied_run,
				    .restores_journal = o->applied_journal };
	char run_id[RUN_ID_LEN + 1];
	char *path;
	int rc = -1;

	if (o->run_id)
		snprintf(run_id, sizeof(run_id), "%s", o->run_id);
	else
		journal_new_run_id(run_id);
	path = o->journal ? xstrdup(o->journal) : restore_default_path(run_id);
	if (journal_open_kind(&r->j, path, run_id, r->p->checksum,
			      JOURNAL_RESTORE, e) == 0) {
		r->res->journal = xstrdup(path);
		rc = journal_begin(&r->j, &h, e);
	}
	free(path);
	return rc;
}

int reconcile_restore(const struct plan *p, const struct restore_set *s,
		      const struct restore_opts *o, struct apply_result *res,
		      struct err *e)
{
	struct tenant_restore **by = xcalloc(p->ntenants + 1, sizeof(*by));
	struct restorer r;
	size_t i, *cap = xcalloc(p->ntenants + 1, sizeof(*cap));
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.p = p;
	r.o = o;
	r.res = res;
	r.e = run_engine(&o->hooks);
	r.t = xcalloc(p->ntenants + 1, sizeof(*r.t));
	for (i = 0; i < s->n; i++) {
		const struct restore_item *it = &s->v[i];
		struct tenant_restore *tr;

		if (it->why_not)
			continue;
		tr = tenant_of(&r, it->tp, by);
		tr->items = xgrow(tr->items, &cap[tr - r.t], tr->nitems + 1,
				  sizeof(*tr->items));
		tr->items[tr->nitems++] = it;
	}
	free(by);
	free(cap);
	/* only tenants with something to send need their secrets */
	for (i = 0; i < r.n; i++) {
		if (session_open(&r.t[i].s, &r.t[i].tp->t, r.e, e) < 0)
			goto out;
		r.t[i].opened = true;
	}
	if (start_journal(&r, s, e) < 0)
		goto out;
	for (i = 0; i < s->n; i++) {
		struct delete_result d;

		if (!s->v[i].why_not)
			continue;
		memset(&d, 0, sizeof(d));
		d.outcome = OUTCOME_NOT_UNDOABLE;
		snprintf(d.detail, sizeof(d.detail), "%s", s->v[i].why_not);
		record(&r, &s->v[i], &d, 0);
	}
	engine_set_tick(r.e, tick, &r, 0.2);
	for (i = 0; i < r.n && !r.j.failed; i++)
		listing_start(&r.t[i].l, &r.t[i].s, &r.t[i].live, listed,
			      &r.t[i]);
	if (!r.j.failed)
		engine_run(r.e);
	for (i = 0; i < r.n; i++)
		if (r.t[i].phase == LISTING)
			res->not_attempted += r.t[i].nitems;
	res->interrupted = o->hooks.stop && *o->hooks.stop;
	journal_summary(&r.j, res->counts, res->interrupted);
	rc = journal_close(&r.j, e);
out:
	if (r.j.path)
		journal_close(&r.j, NULL);
	for (i = 0; i < r.n; i++) {
		listing_release(&r.t[i].l);
		userstore_release(&r.t[i].live);
		free(r.t[i].todo);
		free(r.t[i].items);
		free(r.t[i].claims);
		if (r.t[i].opened)
			session_close(&r.t[i].s);
	}
	free(r.t);
	engine_free(r.e);
	return rc;
}
