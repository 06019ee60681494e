/*
 * Planning: select tenants, get their live users, diff each.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reconcile/diff.h"
#include "reconcile/effect.h"
#include "reconcile/list.h"
#include "reconcile/reconcile.h"
#include "reconcile/session.h"
#include "reconcile/snapshot.h"
#include "util/date.h"
#include "util/xalloc.h"

static void say_stopping(void *arg, int inflight, bool now)
{
	const struct run_hooks *h = arg;
	char msg[256];

	if (!h->message)
		return;
	if (now)
		snprintf(msg, sizeof(msg),
			 "stopping now: %d request%s in flight given up, "
			 "their outcome%s unknown",
			 inflight, inflight == 1 ? "" : "s",
			 inflight == 1 ? " is" : "s are");
	else if (inflight)
		snprintf(msg, sizeof(msg),
			 "stopping: waiting for %d request%s in flight "
			 "(interrupt again to stop at once; %s would then be "
			 "unknown)",
			 inflight, inflight == 1 ? "" : "s",
			 inflight == 1 ? "its outcome" : "their outcomes");
	else
		snprintf(msg, sizeof(msg), "stopping");
	h->message(h->arg, MSG_WARNING, msg);
}

/* A request goes again: say what, why and when, in words. */
static void say_retry(void *arg, const struct engine_retry *r)
{
	const struct run_hooks *h = arg;
	char msg[1024], when[64];

	if (!h->message)
		return;
	if (r->delay < 1)
		snprintf(when, sizeof(when), "in under a second");
	else
		snprintf(when, sizeof(when), "in %.0f s", r->delay);
	snprintf(msg, sizeof(msg),
		 "%s: %s %s: %s; trying again %s (attempt %d of %d)", r->lane,
		 r->method, url_path(r->url), r->why, when, r->attempt + 1,
		 r->max_attempts);
	h->message(h->arg, MSG_INFO, msg);
}

void run_say(const struct run_hooks *h, enum message_level level,
	     const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	if (!h->message)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h->message(h->arg, level, buf);
}

struct engine *run_engine(const struct run_hooks *h)
{
	struct engine *e = engine_new();

	/* a run's trace hook has the engine's trace signature */
	if (h->trace)
		engine_set_trace(e, h->trace, h->arg);
	engine_watch(e, h->stop);
	engine_on_stop(e, say_stopping, (void *)h);
	engine_on_retry(e, say_retry, (void *)h);
	return e;
}

char *utc_now(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/*
 * The selected tenants, in file order: those named (all when none is),
 * within the shard. An unknown name is an error.
 */
static int select_tenants(const struct config *c, const struct plan_opts *o,
			  bool *selected, struct err *e)
{
	size_t i, j;

	for (i = 0; i < c->ntenants; i++)
		selected[i] = o->ntenants == 0;
	for (j = 0; j < o->ntenants; j++) {
		for (i = 0; i < c->ntenants; i++)
			if (!strcmp(c->tenants[i].name, o->tenants[j]))
				break;
		if (i == c->ntenants)
			return config_no_tenant_in(c, o->tenants[j], e);
		selected[i] = true;
	}
	/* a named tenant of another shard is another machine's job */
	for (i = 0; i < c->ntenants; i++)
		selected[i] =
			selected[i] && shard_has(o->shard, c->tenants[i].name);
	return 0;
}

/*
 * What the diff of tenant t needs beyond its users (the day, the tenant
 * at the compared ref), and the listener that wants to see them.
 */
static void diff_context(struct diff_input *in, const struct plan_opts *o,
			 const struct tenant *t)
{
	in->today = date_today();
	in->base = o->base ? config_find_tenant(o->base, t->name) : NULL;
	if (o->listed)
		o->listed(o->listed_arg, in);
}

static int plan_from_snapshot(const struct config *c, const bool *selected,
			      const struct plan_opts *o, struct plan *p,
			      struct err *e)
{
	const char *path = o->live;
	struct snapshot snap;
	struct userstore *stores;
	size_t i;
	int rc = -1;

	if (snapshot_open(&snap, path, e) < 0)
		return -1;
	p->source.live = xstrdup(path);
	stores = xcalloc(c->ntenants, sizeof(*stores));
	for (i = 0; i < c->ntenants; i++)
		userstore_init(&stores[i]);
	for (i = 0; i < c->ntenants; i++) {
		if (selected[i] && snapshot_users(&snap, c->tenants[i].name,
						  &stores[i], e) < 0)
			goto out;
		/* a diff looks nobody up: room for the next tenant's */
		userstore_unindex(&stores[i]);
	}
	/* the document is no longer needed: give its memory back first */
	snapshot_release(&snap);
	for (i = 0; i < c->ntenants; i++) {
		struct diff_input in = { .config = c,
					 .tenant = &c->tenants[i],
					 .live = &stores[i] };
		struct tenant_plan *tp;

		if (!selected[i])
			continue;
		tp = plan_add_tenant(p);
		tenant_copy_settings(&tp->t, &c->tenants[i]);
		diff_context(&in, o, &c->tenants[i]);
		diff_tenant_taking(p, tp, &in);
		plan_take_strings(p, &stores[i].arena);
		plan_set_effects(p, tp);
		if (c->tenants[i].vendor->plan_tenant)
			c->tenants[i].vendor->plan_tenant(&c->tenants[i], tp);
		userstore_release(&stores[i]);
	}
	rc = 0;
out:
	snapshot_release(&snap);
	for (i = 0; i < c->ntenants; i++)
		userstore_release(&stores[i]);
	free(stores);
	return rc;
}

struct tenant_list {
	const struct tenant *t;
	struct session s;
	bool opened;
	struct userstore live;
	struct listing l;
	double started, ended; /* ended: 0 while listing */
};

struct planner {
	struct tenant_list *t;
	size_t n;
	const struct plan_opts *o;
};

static void plan_tick(void *arg)
{
	struct planner *pl = arg;
	struct progress *pr = xcalloc(pl->n + 1, sizeof(*pr));
	bool stopped = pl->o->hooks.stop && *pl->o->hooks.stop;
	size_t i;

	for (i = 0; i < pl->n; i++) {
		const struct tenant_list *tl = &pl->t[i];
		/* a finished tenant's rate is its final figure */
		double secs =
			(tl->ended ? tl->ended : clock_mono()) - tl->started;

		pr[i].tenant = tl->t->name;
		pr[i].phase = !tl->l.finished ? "listing"
			      : !tl->l.failed ? "done"
			      : stopped	      ? "interrupted"
					      : "failed";
		pr[i].done = tl->live.n;
		pr[i].total = tl->l.total;
		pr[i].rate = secs > 0.5 ? (double)tl->live.n / secs : 0;
	}
	pl->o->hooks.progress(pl->o->hooks.arg, pr, pl->n);
	free(pr);
}

static void listing_ended(void *arg, struct listing *l)
{
	struct tenant_list *tl = arg;

	(void)l;
	tl->ended = clock_mono();
}

/* The vendor's user_blocked hook as the diff calls it. */
static const char *session_blocked(void *arg, const struct user *u)
{
	struct session *s = arg;

	return s->v->user_blocked(s, u);
}

/* Requests an apply of this plan needs: a listing again, and deletes. */
static long apply_requests(const struct tenant_list *tl, size_t ndel)
{
	long batch = tl->s.batch > 0 ? tl->s.batch : 1;

	return (long)tl->l.requests + 3 + ((long)ndel + batch - 1) / batch;
}

static int plan_from_vendors(const struct config *c, const bool *selected,
			     const struct plan_opts *o, struct plan *p,
			     struct err *e)
{
	struct engine *engine = run_engine(&o->hooks);
	struct planner pl = { xcalloc(c->ntenants + 1, sizeof(*pl.t)), 0, o };
	size_t i;
	int rc = -1;

	if (o->hooks.progress)
		engine_set_tick(engine, plan_tick, &pl, 0.2);
	/* every secret resolves before the first request goes out */
	for (i = 0; i < c->ntenants; i++) {
		struct tenant_list *tl;

		if (!selected[i])
			continue;
		tl = &pl.t[pl.n++];
		tl->t = &c->tenants[i];
		userstore_init(&tl->live);
		if (!tl->t->vendor->list_request) {
			err_set(e,
				"tenant '%s': vendor '%s' cannot list users "
				"yet",
				tl->t->name, tl->t->vendor->name);
			goto out;
		}
		if (session_open(&tl->s, tl->t, engine, e) < 0)
			goto out;
		tl->opened = true;
	}
	for (i = 0; i < pl.n; i++) {
		pl.t[i].started = clock_mono();
		listing_start(&pl.t[i].l, &pl.t[i].s, &pl.t[i].live,
			      listing_ended, &pl.t[i]);
	}
	engine_run(engine);
	if (o->hooks.stop && *o->hooks.stop) {
		err_set(e, "interrupted");
		goto out;
	}
	for (i = 0; i < pl.n; i++) {
		struct tenant_list *tl = &pl.t[i];
		struct tenant_plan *tp = plan_add_tenant(p);
		struct diff_input in = { .config = c,
					 .tenant = tl->t,
					 .live = &tl->live };

		if (tl->t->vendor->user_blocked) {
			in.blocked = session_blocked;
			in.blocked_arg = &tl->s;
		}
		tenant_copy_settings(&tp->t, tl->t);
		if (tl->l.failed && !tl->l.partial) {
			tp->error = xstrdup(tl->l.error);
			continue;
		}
		if (tl->l.failed) {
			/* never a plan from part of the users */
			tenant_plan_guard(tp, "listing", true,
					  "the listing failed part-way: %s",
					  tl->l.error);
			continue;
		}
		userstore_set_caller(&tl->live, tl->s.caller);
		userstore_unindex(&tl->live);
		diff_context(&in, o, tl->t);
		diff_tenant_taking(p, tp, &in);
		plan_take_strings(p, &tl->live.arena);
		userstore_release(&tl->live);
		plan_set_effects(p, tp);
		tp->requests = apply_requests(tl, tp->ndel);
		diff_budget_guard(tp, tl->t);
		if (tl->t->vendor->plan_tenant)
			tl->t->vendor->plan_tenant(tl->t, tp);
	}
	rc = 0;
out:
	for (i = 0; i < pl.n; i++) {
		listing_release(&pl.t[i].l);
		userstore_release(&pl.t[i].live);
		if (pl.t[i].opened)
			session_close(&pl.t[i].s);
	}
	free(pl.t);
	engine_free(engine);
	return rc;
}

int reconcile_plan(const struct config *c, const struct plan_opts *o,
		   struct plan *p, struct err *e)
{
	bool *selected = xcalloc(c->ntenants + 1, sizeof(*selected));
	int rc = -1;

	p->tool_version = xstrdup(USERPRUNE_VERSION);
	p->created = utc_now();
	if (select_tenants(c, o, selected, e) < 0)
		goto out;
	if (o->live)
		rc = plan_from_snapshot(c, selected, o, p, e);
	else
		rc = plan_from_vendors(c, selected, o, p, e);
out:
	free(selected);
	return rc;
}
