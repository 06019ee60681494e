#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reconcile/effect.h"
#include "util/clock.h"
#include "util/hmap.h"
#include "util/xalloc.h"

void effect_of(const struct tenant *t, struct effect *out)
{
	*out = (struct effect){ OUTCOME_DELETED, "deleted", "irreversible", 0 };
	if (t->vendor && t->vendor->effect)
		t->vendor->effect(t, out);
}

void effect_day(const char *from, int days, char *buf, size_t n)
{
	double start = clock_from_iso(from);
	time_t when;
	struct tm tm;

	if (start < 0)
		start = clock_real();
	when = (time_t)start + (time_t)days * 86400;
	gmtime_r(&when, &tm);
	strftime(buf, n, "%Y-%m-%d", &tm);
}

char *effect_words(const struct tenant *t, const char *from)
{
	struct effect e;
	char day[16];

	effect_of(t, &e);
	if (e.outcome != OUTCOME_SCHEDULED)
		return xasprintf("%s (%s)", e.what, e.undo);
	effect_day(from, e.grace_days, day, sizeof(day));
	return xasprintf("%s (%s %s)", e.what, e.undo, day);
}

void plan_set_effects(struct plan *p, struct tenant_plan *tp)
{
	char *words;
	const char *kept;
	size_t i;

	if (!tp->ndel)
		return;
	words = effect_words(&tp->t, p->created);
	kept = arena_strdup(&p->arena, words);
	free(words);
	for (i = 0; i < tp->ndel; i++)
		tp->del[i].effect = kept;
}

void effect_blast_radius(const struct tenant_plan *tp, struct strbuf *out)
{
	strbuf_addf(out, "the keep list keeps %zu of %zu user%s in scope",
		    tp->counts.kept, tp->counts.in_scope,
		    tp->counts.in_scope == 1 ? "" : "s");
}

/* "under a second", "about 25 s", "about 4 min", "about 2 h 5 min" */
static void add_duration(struct strbuf *out, double secs)
{
	long m = (long)(secs / 60 + 0.5);

	if (secs < 1)
		strbuf_addstr(out, "under a second");
	else if (secs < 120)
		strbuf_addf(out, "about %.0f s", secs);
	else if (m < 120)
		strbuf_addf(out, "about %ld min", m);
	else
		strbuf_addf(out, "about %ld h %ld min", m / 60, m % 60);
}

/* The pauses a grouped vendor (Bevy) makes: one after each group. */
static double pauses(const struct tenant_plan *tp)
{
	const struct tenant *t = &tp->t;
	const char *p = tenant_option(t, "batch_pause_seconds");
	long group = t->limits.batch_size > 0 ? t->limits.batch_size : 1;

	if (!t->vendor || !t->vendor->grouped || !tp->ndel)
		return 0;
	return (double)(p ? strtol(p, NULL, 10) : 1) *
	       (double)(((long)tp->ndel + group - 1) / group);
}

void effect_apply_cost(const struct tenant_plan *tp, struct strbuf *out)
{
	const struct limits *l = &tp->t.limits;
	long batch = l->batch_size > 0 ? l->batch_size : 1;
	long n = tp->requests;
	bool listing = true;

	if (tp->t.mode == MODE_REPORT || tp->error ||
	    (!tp->ndel && !tp->mass_deletion))
		return;
	if (n <= 0) {
		/* planned from a snapshot: the listings are not known */
		n = ((long)tp->ndel + batch - 1) / batch + tp->mass_deletion;
		listing = false;
	}
	strbuf_addf(out, "apply needs %s %ld request%s%s: ",
		    listing ? "about" : "at least", n, n == 1 ? "" : "s",
		    listing ? "" : " and its listings");
	if (l->requests_per_second > 0) {
		add_duration(out,
			     (double)n / l->requests_per_second + pauses(tp));
		strbuf_addf(out, " at %g request%s a second",
			    l->requests_per_second,
			    l->requests_per_second == 1 ? "" : "s");
	} else {
		strbuf_addf(out,
			    "no fixed rate, at most %d at a time, as fast as "
			    "the server answers",
			    l->concurrency);
	}
}

/* ---- grouping ---- */

void effect_groups_init(struct effect_groups *g, const struct plan *p,
			const struct tenant_plan *tp)
{
	struct hmap index = HMAP_INIT;
	size_t i, cap = 0, *caps = NULL;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < tp->ndel; i++) {
		const struct plan_user *u = &tp->del[i];
		const char *w = u->effect;
		struct effect_group *grp;
		uint32_t *at;
		int inserted;

		if (!w) {
			if (!g->fallback)
				g->fallback = effect_words(&tp->t, p->created);
			w = g->fallback;
		}
		/* a plan file may hold as many effects as users: indexed */
		at = hmap_put(&index, w, strlen(w), (uint32_t)g->n, &inserted);
		if (inserted) {
			g->v = xgrow(g->v, &cap, g->n + 1, sizeof(*g->v));
			caps = xrealloc(caps, cap * sizeof(*caps));
			g->v[g->n] = (struct effect_group){ w, NULL, 0 };
			caps[g->n++] = 0;
		}
		grp = &g->v[*at];
		grp->u = xgrow(grp->u, &caps[*at], grp->n + 1, sizeof(*grp->u));
		grp->u[grp->n++] = u;
	}
	free(caps);
	hmap_release(&index);
}

void effect_groups_release(struct effect_groups *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i].u);
	free(g->v);
	free(g->fallback);
	memset(g, 0, sizeof(*g));
}
