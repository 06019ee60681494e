/*
 * Applying a plan, exactly.
 *
 * Every tenant is listed again first; a listing that is not whole stops
 * the tenant (nobody is judged absent on it). A planned user no longer
 * listed is "absent"; one whose id, email, username, status or type
 * changed is "skipped"; the calling identity is never deleted even if a
 * plan says so; users that appeared since the plan are left alone. The
 * first policy.canary deletions run one at a time and a failed one stops
 * the tenant. A request the connector says did nothing (a bulk request
 * refused as too large) goes again as two of half the size, down to
 * single users. Every outcome is written to the journal as soon as it is
 * known. Then (policy.verify) the tenant is listed once more, and a user
 * recorded deleted or absent who is still listed, or deactivated who is
 * still active, is recorded failed: the journal says what is true, not
 * what a server answered.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/diff.h"
#include "reconcile/journal.h"
#include "reconcile/list.h"
#include "reconcile/reconcile.h"
#include "reconcile/session.h"
#include "util/date.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Delete requests queued in the engine per tenant, in batches. */
#define QUEUE_BATCHES 64

enum phase { LISTING, CANARY, DELETING, POST, VERIFYING, DONE };

/* An outcome of this run that verification checks. */
struct claim {
	const struct plan_user *u;
	enum outcome outcome;
};

struct applier;

struct tenant_apply {
	struct applier *a;
	const struct tenant_plan *tp;
	struct session s;
	bool opened;
	struct userstore live;
	struct listing l;
	enum phase phase;
	const struct plan_user **todo;
	size_t ntodo, next, inflight, done;
	size_t resumed;	    /* planned users an earlier run finished */
	double listed_from; /* when the current listing started */
	size_t canary_left;
	bool stopped;	  /* a canary failed, or the journal did */
	size_t group_end; /* grouped vendors: end of the current group */
	double started;
	struct claim *claims; /* outcomes to verify */
	size_t nclaims, claimcap;
};

struct applier {
	const struct plan *p;
	const struct apply_opts *o;
	struct apply_result *r;
	struct engine *e;
	struct journal j;
	struct journal_done resume;
	bool resuming;
	struct tenant_apply *t;
	size_t n;
};

struct del_req {
	struct tenant_apply *ta;
	const struct plan_user **u;
	size_t n;
};

/* a message to the run's hooks */
#define say(a, ...) run_say(&(a)->o->hooks, __VA_ARGS__)

static void record(struct tenant_apply *ta, const struct plan_user *u,
		   const struct delete_result *r, int attempts)
{
	struct applier *a = ta->a;

	journal_outcome(&a->j, ta->tp->t.name, ta->tp->t.vendor->name, u, r,
			attempts);
	a->r->counts[r->outcome]++;
	ta->done++;
	if (r->outcome == OUTCOME_DELETED || r->outcome == OUTCOME_ABSENT ||
	    r->outcome == OUTCOME_DEACTIVATED ||
	    r->outcome == OUTCOME_SCHEDULED) {
		ta->claims = xgrow(ta->claims, &ta->claimcap, ta->nclaims + 1,
				   sizeof(*ta->claims));
		ta->claims[ta->nclaims++] = (struct claim){ u, r->outcome };
	}
	if (a->j.failed && !ta->stopped) {
		/* without a journal there is no record: stop everything */
		say(a, MSG_ERROR, "%s; stopping", a->j.error);
		engine_stop(a->e);
	}
}

static void submit_more(struct tenant_apply *ta);
static void resend(struct tenant_apply *ta, const struct plan_user **u,
		   size_t n, size_t was);

/* ---- the step after deletions ---- */

#define MASS_STEP "mass_user_deletion"

static void verify_tenant(struct tenant_apply *ta);

static void post_done(void *arg, struct http_request *req,
		      const struct http_response *res)
{
	struct tenant_apply *ta = arg;
	char detail[512];
	const char *outcome;
	int rc;

	detail[0] = '\0';
	if (res->status == 0 && req->attempts == 0) {
		/*
		 * Never handed to libcurl (stopping, the day's budget used
		 * up, no token): not sent, so not "unknown". Recorded so,
		 * --resume sends it.
		 */
		snprintf(detail, sizeof(detail),
			 "not sent (%.300s): 'apply --resume' sends it",
			 res->error);
		journal_step(&ta->a->j, ta->tp->t.name, ta->tp->t.vendor->name,
			     MASS_STEP, "not_sent", 0, detail);
		say(ta->a, MSG_ERROR, "%s: MassUserDeletion: %s",
		    ta->tp->t.name, detail);
		ta->a->r->not_attempted++;
		verify_tenant(ta);
		return;
	}
	if (res->status == 0) {
		/* sent, and no answer: it may or may not have happened */
		outcome = "unknown";
		snprintf(detail, sizeof(detail),
			 "no answer (%.300s): users may or may not have been "
			 "deleted; it is never sent again for this plan",
			 res->error);
		rc = -1;
	} else {
		rc = ta->s.v->post_response(&ta->s, res, detail,
					    sizeof(detail));
		outcome = rc == 0 ? "done" : "failed";
	}
	journal_step(&ta->a->j, ta->tp->t.name, ta->tp->t.vendor->name,
		     MASS_STEP, outcome, res->status, detail);
	say(ta->a, rc == 0 ? MSG_INFO : MSG_ERROR, "%s: MassUserDeletion: %s",
	    ta->tp->t.name, detail);
	if (rc != 0)
		ta->a->r->counts[OUTCOME_FAILED]++;
	verify_tenant(ta);
}

static void finish_tenant(struct tenant_apply *ta)
{
	struct applier *a = ta->a;

	if (ta->phase >= POST)
		return;
	if (ta->tp->mass_deletion && a->resuming &&
	    journal_step_unanswered(&a->resume, ta->tp->t.name, MASS_STEP)) {
		/*
		 * A run ended (killed, a crash) after recording the step and
		 * before its answer: nobody was told. Its outcome is unknown,
		 * recorded so and reported once; it is never sent again.
		 */
		const char *why =
			"an earlier run recorded it as started and ended "
			"before its answer: it may have been sent, and users "
			"may or may not have been deleted; it is never sent "
			"again for this plan";

		journal_step(&a->j, ta->tp->t.name, ta->tp->t.vendor->name,
			     MASS_STEP, "unknown", 0, why);
		say(a, MSG_ERROR, "%s: MassUserDeletion: %s", ta->tp->t.name,
		    why);
		a->r->counts[OUTCOME_FAILED]++;
	}
	if (ta->tp->mass_deletion && ta->s.v->post_request && !ta->stopped &&
	    !engine_stopping(a->e) &&
	    !(a->resuming &&
	      journal_step_done(&a->resume, ta->tp->t.name, MASS_STEP))) {
		/*
		 * Not idempotent: recorded (and synced) before it is sent,
		 * so that no crash, retry or resume can send it twice.
		 */
		journal_step(&a->j, ta->tp->t.name, ta->tp->t.vendor->name,
			     MASS_STEP, "started", 0, NULL);
		journal_sync(&a->j, true);
		if (a->j.failed) {
			verify_tenant(ta);
			return;
		}
		ta->phase = POST;
		engine_submit(ta->s.lane, ta->s.v->post_request(&ta->s),
			      post_done, ta);
		return;
	}
	verify_tenant(ta);
}

/* ---- verification ---- */

/*
 * Whether a listed user contradicts an outcome that claims it gone
 * (deleted, absent, scheduled: still listed and not pending deletion) or
 * deactivated (still active).
 */
static bool still_there(enum outcome claimed, const struct user *u)
{
	if (!u)
		return false;
	if (claimed == OUTCOME_DEACTIVATED)
		return u->status == STATUS_ACTIVE;
	return u->status != STATUS_PENDING_DELETION;
}

/* Outcomes that say a user is gone or deactivated: what is verified. */
static bool claims_gone(int outcome)
{
	return outcome == OUTCOME_DELETED || outcome == OUTCOME_ABSENT ||
	       outcome == OUTCOME_DEACTIVATED || outcome == OUTCOME_SCHEDULED;
}

static void verified(void *arg, struct listing *l)
{
	struct tenant_apply *ta = arg;
	struct applier *a = ta->a;
	const char *name = ta->tp->t.name;
	size_t i, still = 0;

	ta->phase = DONE;
	if (l->failed) {
		if (!engine_stopping(a->e))
			say(a, MSG_WARNING,
			    "%s: listing again to verify failed, %zu outcomes "
			    "not verified: %s",
			    name, ta->nclaims, l->error);
		journal_verify(&a->j, name, 0, 0, l->error);
		a->r->unverified += ta->nclaims;
		return;
	}
	for (i = 0; i < ta->nclaims; i++) {
		const struct claim *c = &ta->claims[i];
		const struct user *u = userstore_find(&ta->live, c->u->id);
		struct delete_result r;

		if (!still_there(c->outcome, u))
			continue;
		memset(&r, 0, sizeof(r));
		r.outcome = OUTCOME_FAILED;
		snprintf(r.detail, sizeof(r.detail),
			 "%s (listed again to verify)",
			 c->outcome == OUTCOME_DEACTIVATED
				 ? "still active after deactivation"
			 : c->outcome == OUTCOME_SCHEDULED
				 ? "still listed after its deletion was "
				   "scheduled"
			 : u->status == STATUS_INACTIVE &&
					 c->u->status == STATUS_ACTIVE
				 ? "still present after deletion, now "
				   "inactive: this server's deletion "
				   "deactivates"
				 : "still present after deletion");
		journal_outcome(&a->j, name, ta->tp->t.vendor->name, c->u, &r,
				0);
		a->r->counts[c->outcome]--;
		a->r->counts[OUTCOME_FAILED]++;
		say(a, MSG_ERROR, "%s: '%s' was recorded %s but is %s", name,
		    c->u->id, outcome_name(c->outcome),
		    c->outcome == OUTCOME_DEACTIVATED ? "still active"
						      : "still listed");
		still++;
	}
	journal_verify(&a->j, name, ta->nclaims, still, NULL);
	a->r->verified += ta->nclaims;
	userstore_release(&ta->live);
}

/*
 * Lists the tenant once more and checks this run's outcomes against it
 * (DESIGN §1.13): a server may answer 204 or 404 and keep the user.
 */
static void verify_tenant(struct tenant_apply *ta)
{
	if (!ta->tp->t.policy.verify || !ta->nclaims ||
	    engine_stopping(ta->a->e)) {
		ta->phase = DONE;
		return;
	}
	ta->phase = VERIFYING;
	listing_release(&ta->l);
	userstore_release(&ta->live);
	userstore_init(&ta->live);
	ta->listed_from = clock_mono();
	listing_start(&ta->l, &ta->s, &ta->live, verified, ta);
}

/* ---- deletions ---- */

static void del_done(void *arg, struct http_request *req,
		     const struct http_response *res)
{
	struct del_req *d = arg;
	struct tenant_apply *ta = d->ta;
	struct delete_result *out = xcalloc(d->n, sizeof(*out));
	const struct plan_user **again = NULL;
	size_t i, nagain = 0;

	ta->inflight -= d->n;
	if (res->status == 0 && req->attempts == 0) {
		/* never sent (stopping, budget, tenant stopped): not attempted */
		ta->a->r->not_attempted += d->n;
		if (!engine_stopping(ta->a->e) && !ta->stopped) {
			/* the lane cannot send (budget, credentials): say
			   it once and stop the tenant */
			say(ta->a, MSG_ERROR,
			    "%s: %s: no more requests for this tenant",
			    ta->tp->t.name, res->error);
			ta->stopped = true;
			engine_lane_cancel(ta->s.lane);
		}
	} else {
		if (res->status == 0) {
			for (i = 0; i < d->n; i++) {
				out[i].outcome = OUTCOME_FAILED;
				snprintf(out[i].detail, sizeof(out[i].detail),
					 "%.250s", res->error);
			}
		} else {
			ta->s.v->delete_response(&ta->s, d->u, d->n, res, out);
		}
		for (i = 0; i < d->n; i++) {
			if (out[i].resend && d->n > 1) {
				/* untouched: smaller requests, or none */
				if (!again)
					again = xmalloc(d->n * sizeof(*again));
				again[nagain++] = d->u[i];
				continue;
			}
			record(ta, d->u[i], &out[i], req->attempts);
			if (out[i].stop_tenant && !ta->stopped) {
				/* the vendor said so: not one more request */
				ta->stopped = true;
				say(ta->a, MSG_ERROR,
				    "%s: %s: no more requests for this tenant",
				    ta->tp->t.name, out[i].detail);
				engine_lane_cancel(ta->s.lane);
			}
			if (ta->phase == CANARY &&
			    out[i].outcome == OUTCOME_FAILED) {
				ta->stopped = true;
				say(ta->a, MSG_ERROR,
				    "%s: the canary deletion of '%s' failed "
				    "(%s): no more deletions in this tenant",
				    ta->tp->t.name, d->u[i]->id, out[i].detail);
			}
		}
	}
	if (nagain && (ta->stopped || engine_stopping(ta->a->e)))
		ta->a->r->not_attempted += nagain;
	else if (nagain)
		resend(ta, again, nagain, d->n);
	free(again);
	free(out);
	free(d->u);
	free(d);
	submit_more(ta);
}

/* One delete request for the n users at u (copied). */
static void submit_users(struct tenant_apply *ta,
			 const struct plan_user *const *u, size_t n,
			 double delay)
{
	struct del_req *d = xcalloc(1, sizeof(*d));
	struct http_request *r;

	d->ta = ta;
	d->n = n;
	d->u = xmalloc(n * sizeof(*d->u));
	memcpy(d->u, u, n * sizeof(*d->u));
	ta->inflight += n;
	r = ta->s.v->delete_request(&ta->s, d->u, n);
	r->delay = delay;
	engine_submit(ta->s.lane, r, del_done, d);
}

/* The next request: at most n users of the plan, as many as it takes. */
static void submit(struct tenant_apply *ta, size_t n, double delay)
{
	const struct plan_user *const *u = ta->todo + ta->next;

	if (n > 1 && ta->s.v->delete_take) {
		size_t k = ta->s.v->delete_take(&ta->s, u, n);

		n = k < 1 ? 1 : k < n ? k : n;
	}
	ta->next += n;
	submit_users(ta, u, n, delay);
}

/*
 * A request refused as too large did nothing for these n users: they go
 * again in two requests of half its size, and later requests are no
 * larger than that.
 */
static void resend(struct tenant_apply *ta, const struct plan_user **u,
		   size_t n, size_t was)
{
	size_t half = (n + 1) / 2;

	if (ta->s.batch > (int)(was / 2)) {
		ta->s.batch = was / 2 > 1 ? (int)(was / 2) : 1;
		say(ta->a, MSG_INFO,
		    "%s: a request for %zu users was refused as too large: "
		    "sending at most %d users a request",
		    ta->tp->t.name, was, ta->s.batch);
	}
	submit_users(ta, u, half, 0);
	if (n > half)
		submit_users(ta, u + half, n - half, 0);
}

/* Vendors that want pauses between groups of single deletes (Bevy). */
static long group_pause(const struct tenant_apply *ta)
{
	const char *p = tenant_option(&ta->tp->t, "batch_pause_seconds");

	if (!ta->s.v->grouped)
		return -1;
	return p ? strtol(p, NULL, 10) : 1;
}

static void submit_more(struct tenant_apply *ta)
{
	size_t batch = (size_t)ta->s.batch, queued_max;
	long pause = group_pause(ta);

	if (ta->phase != CANARY && ta->phase != DELETING)
		return;
	if (ta->stopped || engine_stopping(ta->a->e)) {
		if (!ta->inflight) {
			ta->a->r->not_attempted += ta->ntodo - ta->next;
			ta->next = ta->ntodo;
			finish_tenant(ta);
		}
		return;
	}
	if (ta->phase == CANARY) {
		if (ta->inflight)
			return;
		if (ta->canary_left && ta->next < ta->ntodo) {
			ta->canary_left--;
			submit(ta, 1, 0);
			return;
		}
		ta->phase = DELETING;
	}
	if (pause >= 0) {
		/* groups of batch_size single deletes, a pause in between */
		size_t group = (size_t)ta->tp->t.limits.batch_size;

		if (ta->inflight)
			return;
		if (ta->next < ta->ntodo) {
			/* a pause after the canary, and between groups */
			double delay = ta->next ? (double)pause : 0;

			ta->group_end = ta->next + group;
			while (ta->next < ta->ntodo && ta->next < ta->group_end)
				submit(ta, 1, delay);
			return;
		}
	} else {
		queued_max = batch * QUEUE_BATCHES;
		while (ta->next < ta->ntodo && ta->inflight < queued_max) {
			size_t n = ta->ntodo - ta->next < batch
					   ? ta->ntodo - ta->next
					   : batch;

			submit(ta, n, 0);
		}
	}
	if (ta->next == ta->ntodo && !ta->inflight)
		finish_tenant(ta);
}

/* ---- after listing: what is still to do ---- */

static void describe_change(const struct plan_user *p, const struct user *u,
			    char *buf, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

#define CHANGED(a, b) (!(a) != !(b) || ((a) && strcmp((a), (b))))
	if (CHANGED(p->email, u->email))
		strbuf_addf(&sb, "email was '%s', now '%s'; ",
			    p->email ? p->email : "", u->email ? u->email : "");
	if (CHANGED(p->username, u->username))
		strbuf_addf(&sb, "username was '%s', now '%s'; ",
			    p->username ? p->username : "",
			    u->username ? u->username : "");
	if (p->status != u->status)
		strbuf_addf(&sb, "status was %s, now %s; ",
			    user_status_name(p->status),
			    user_status_name((enum user_status)u->status));
	if (p->type != u->type)
		strbuf_addf(&sb, "type was %s, now %s; ",
			    user_type_name(p->type),
			    user_type_name((enum user_type)u->type));
#undef CHANGED
	if (sb.len > 2)
		sb.buf[sb.len - 2] = '\0';
	snprintf(buf, n, "changed since the plan: %s",
		 sb.len ? sb.buf : "fingerprint differs");
	strbuf_release(&sb);
}

static void listed(void *arg, struct listing *l)
{
	struct tenant_apply *ta = arg;
	struct applier *a = ta->a;
	const struct tenant_plan *tp = ta->tp;
	struct delete_result r;
	size_t i, absent = 0, skipped = 0, resumed = 0, contradicted = 0;
	const char *why;

	if (l->failed) {
		/*
		 * Never judge a planned user gone on a listing that is not
		 * whole: recorded "absent", they would be ended for good.
		 */
		if (!engine_stopping(a->e)) {
			say(a, MSG_ERROR,
			    "%s: listing failed, nothing deleted in this "
			    "tenant: %s",
			    tp->t.name, l->error);
			a->r->listing_failed++;
			if (l->partial)
				a->r->listing_partial++;
		}
		a->r->not_attempted += tp->ndel;
		ta->phase = DONE;
		return;
	}
	ta->todo = xmalloc((tp->ndel + 1) * sizeof(*ta->todo));
	for (i = 0; i < tp->ndel; i++) {
		const struct plan_user *u = &tp->del[i];
		const struct user *live;
		char want[65], have[65];

		live = userstore_find(&ta->live, u->id);
		if (a->resuming &&
		    journal_is_done(&a->resume, tp->t.name, u->id)) {
			int was = journal_outcome_of(&a->resume, tp->t.name,
						     u->id);

			/*
			 * An earlier run's claim that this listing
			 * contradicts (its verification was cut short by a
			 * crash, or could not list): the journal is made
			 * true by trying the user again, as a failed one.
			 */
			if (!tp->t.policy.verify || !claims_gone(was) ||
			    !still_there((enum outcome)was, live)) {
				resumed++;
				continue;
			}
			contradicted++;
		}
		memset(&r, 0, sizeof(r));
		if (!live) {
			r.outcome = OUTCOME_ABSENT;
			snprintf(r.detail, sizeof(r.detail),
				 "no longer listed: gone since the plan");
			record(ta, u, &r, 0);
			absent++;
			continue;
		}
		plan_user_fingerprint(u, want);
		user_fingerprint(live, have);
		if (ta->s.caller && !strcmp(ta->s.caller, u->id)) {
			r.outcome = OUTCOME_SKIPPED;
			snprintf(r.detail, sizeof(r.detail),
				 "the calling identity is never deleted");
		} else if (strcmp(want, have)) {
			r.outcome = OUTCOME_SKIPPED;
			describe_change(u, live, r.detail, sizeof(r.detail));
		} else if (ta->s.v->user_blocked &&
			   (why = ta->s.v->user_blocked(&ta->s, live))) {
			/* planned from a snapshot, or changed since: no
			   request the vendor would refuse */
			r.outcome = OUTCOME_BLOCKED;
			snprintf(r.detail, sizeof(r.detail), "%s", why);
		} else {
			ta->todo[ta->ntodo++] = u;
			continue;
		}
		say(a, MSG_WARNING, "%s: %s '%s': %s", tp->t.name,
		    outcome_name(r.outcome), u->id, r.detail);
		record(ta, u, &r, 0);
		skipped++;
	}
	ta->resumed = resumed;
	if (resumed)
		say(a, MSG_INFO,
		    "%s: %zu planned user%s already %s an outcome in %s",
		    tp->t.name, resumed, resumed == 1 ? "" : "s",
		    resumed == 1 ? "has" : "have", a->o->resume);
	if (contradicted)
		say(a, MSG_WARNING,
		    "%s: %zu planned user%s recorded gone or deactivated in %s "
		    "%s still listed (an earlier run was not verified to its "
		    "end): tried again",
		    tp->t.name, contradicted, contradicted == 1 ? "" : "s",
		    a->o->resume, contradicted == 1 ? "is" : "are");
	if (absent)
		say(a, MSG_INFO, "%s: %zu planned user%s already gone",
		    tp->t.name, absent, absent == 1 ? " is" : "s are");
	if (ta->live.n != tp->counts.live)
		say(a, MSG_INFO,
		    "%s: %zu users listed now, %zu when planned: only planned "
		    "users are deleted, users added since the plan are left "
		    "alone",
		    tp->t.name, ta->live.n, tp->counts.live);
	userstore_release(&ta->live);
	ta->phase = CANARY;
	ta->canary_left = (size_t)tp->t.policy.canary;
	ta->started = clock_mono();
	submit_more(ta);
}

/* ---- progress ---- */

static void tick(void *arg)
{
	struct applier *a = arg;
	struct progress *p = xcalloc(a->n + 1, sizeof(*p));
	bool stopping = engine_stopping(a->e);
	double now = clock_mono();
	size_t i;

	journal_sync(&a->j, false);
	for (i = 0; i < a->n; i++) {
		struct tenant_apply *ta = &a->t[i];
		double secs = now - ta->started;
		double listing = now - ta->listed_from;

		p[i].tenant = ta->tp->t.name;
		switch (ta->phase) {
		case LISTING:
		case VERIFYING:
			p[i].phase =
				ta->phase == LISTING ? "listing" : "verifying";
			p[i].done = ta->live.n;
			p[i].total = ta->l.total;
			p[i].rate = listing > 0.5 ? (double)ta->live.n / listing
						  : 0;
			break;
		case CANARY:
		case DELETING:
		case POST:
			/* what earlier runs of the plan did counts too; the
			   rate is this run's */
			p[i].phase = "deleting";
			p[i].done = ta->resumed + ta->done;
			p[i].total = (long)ta->tp->ndel;
			p[i].rate = secs > 0.5 ? (double)ta->done / secs : 0;
			break;
		case DONE:
			/* no todo list: the listing before deleting failed */
			p[i].phase = !ta->todo && stopping ? "interrupted"
				     : !ta->todo	   ? "failed"
				     : ta->stopped	   ? "stopped"
							   : "done";
			p[i].done = ta->resumed + ta->done;
			p[i].total = (long)ta->tp->ndel;
			break;
		}
	}
	if (a->o->hooks.progress)
		a->o->hooks.progress(a->o->hooks.arg, p, a->n);
	free(p);
}

/* ---- the run ---- */

static bool selected(const struct apply_opts *o, const char *name)
{
	size_t i;

	if (!o->ntenants)
		return true;
	for (i = 0; i < o->ntenants; i++)
		if (!strcmp(o->tenants[i], name))
			return true;
	return false;
}

/*
 * Whatever a plan file says, the verdicts that follow from its own counts
 * and policy are worked out again: a guard switched off by editing the
 * file (and sealing it with a new checksum) is not believed.
 */
static int check_verdicts(const struct tenant_plan *tp, struct err *e)
{
	struct tenant_plan again;
	size_t i, j;
	int rc = 0;

	memset(&again, 0, sizeof(again));
	again.counts = tp->counts;
	again.counts.delete = tp->ndel;
	again.requests = tp->requests;
	again.keep_values = tp->keep_values;
	again.keep_matched = tp->keep_matched;
	/* borrowed: the approval is checked against the plan's own users */
	again.del = tp->del;
	again.ndel = tp->ndel;
	again.keep_changes = tp->keep_changes;
	diff_policy_guards(&again, &tp->t, date_today());
	diff_budget_guard(&again, &tp->t);
	for (i = 0; i < again.nguards && !rc; i++) {
		const struct guard *g = &again.guards[i];
		bool claimed = false;

		for (j = 0; j < tp->nguards; j++)
			if (!strcmp(tp->guards[j].name, g->name))
				claimed = tp->guards[j].tripped;
		if (claimed != g->tripped && g->tripped &&
		    tp->t.policy.approve.set)
			/* an approval that held at plan time no longer does */
			rc = err_set(e,
				     "tenant '%s': guard %s trips again: %s; "
				     "make a new plan",
				     tp->t.name, g->name, g->detail);
		else if (claimed != g->tripped)
			rc = err_set(e,
				     "tenant '%s': the plan says guard %s %s, "
				     "but its own counts and policy say it "
				     "%s (%s): the plan was edited; make a new "
				     "plan",
				     tp->t.name, g->name,
				     claimed ? "tripped" : "passed",
				     g->tripped ? "trips" : "passes",
				     g->detail);
	}
	for (i = 0; i < again.nguards; i++) {
		free(again.guards[i].name);
		free(again.guards[i].detail);
	}
	free(again.guards);
	return rc;
}

static int check_plan(const struct plan *p, const struct apply_opts *o,
		      struct err *e)
{
	size_t i, j;

	if (plan_has_errors(p))
		return err_set(e, "the plan has tenants whose listing failed: "
				  "make a new plan");
	for (i = 0; i < p->ntenants; i++)
		if (check_verdicts(&p->tenants[i], e) < 0)
			return -1;
	if (plan_refused(p))
		return err_set(e, "the plan was refused by a guard: nothing "
				  "to apply");
	for (j = 0; j < o->ntenants; j++) {
		for (i = 0; i < p->ntenants; i++)
			if (!strcmp(p->tenants[i].t.name, o->tenants[j]))
				break;
		if (i == p->ntenants)
			return plan_no_tenant(p, o->tenants[j], e);
	}
	return 0;
}

/*
 * The resumed journal as the new one's header names it: nothing when it
 * is the same file (its runs are in it), its name when both are in one
 * directory (so that journals copied together still resume), else its
 * absolute path.
 */
static char *resumed_from(const char *resume, const char *journal)
{
	char *r = realpath(resume, NULL), *j = realpath(journal, NULL);
	char *out = NULL;
	const char *rs, *js;

	if (!r || !j) {
		out = xstrdup(resume);
	} else if (strcmp(r, j)) {
		rs = strrchr(r, '/');
		js = strrchr(j, '/');
		if (rs - r == js - j && !strncmp(r, j, (size_t)(rs - r)))
			out = xstrdup(rs + 1);
		else
			out = xstrdup(r);
	}
	free(r);
	free(j);
	return out;
}

/* Opens and locks the journal, reads the resumed one, writes the header. */
static int start_journal(struct applier *a, struct err *e)
{
	const struct apply_opts *o = a->o;
	struct journal_header h = { .plan = a->p,
				    .plan_path = o->plan_path,
				    .tenants = o->tenants,
				    .ntenants = o->ntenants };
	char run_id[RUN_ID_LEN + 1];
	char *path, *from = NULL;
	int rc = -1;

	if (o->run_id)
		snprintf(run_id, sizeof(run_id), "%s", o->run_id);
	else
		journal_new_run_id(run_id);
	path = o->journal ? xstrdup(o->journal) : journal_default_path(run_id);
	if (journal_open(&a->j, path, run_id, a->p->checksum, e) < 0)
		goto out;
	a->r->journal = xstrdup(path);
	if (o->resume) {
		/* read under the lock: no other run adds to it meanwhile */
		if (journal_load(&a->resume, o->resume, a->p->checksum, e) < 0)
			goto out;
		a->resuming = true;
		if (a->resume.torn)
			say(a, MSG_WARNING,
			    "%s:%d: %zu line%s cut short (a crash while "
			    "writing?) skipped",
			    a->resume.torn_path, a->resume.torn_line,
			    a->resume.torn, a->resume.torn == 1 ? "" : "s");
		from = resumed_from(o->resume, path);
		h.resumes = a->resume.last_run;
		h.resumed_from = from;
	}
	rc = journal_begin(&a->j, &h, e);
out:
	free(from);
	free(path);
	return rc;
}

int reconcile_apply(const struct plan *p, const struct apply_opts *o,
		    struct apply_result *r, struct err *e)
{
	struct applier a;
	size_t i;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	memset(r, 0, sizeof(*r));
	a.p = p;
	a.o = o;
	a.r = r;
	if (check_plan(p, o, e) < 0)
		return -1;
	a.e = run_engine(&o->hooks);
	a.t = xcalloc(p->ntenants + 1, sizeof(*a.t));
	for (i = 0; i < p->ntenants; i++) {
		const struct tenant_plan *tp = &p->tenants[i];
		struct tenant_apply *ta;

		if (!selected(o, tp->t.name))
			continue;
		if (tp->t.mode == MODE_REPORT)
			continue;
		if (!tp->ndel && !tp->mass_deletion)
			continue;
		ta = &a.t[a.n++];
		ta->a = &a;
		ta->tp = tp;
		if (session_open(&ta->s, &tp->t, a.e, e) < 0)
			goto out;
		ta->opened = true;
	}
	if (start_journal(&a, e) < 0)
		goto out;
	engine_set_tick(a.e, tick, &a, 0.2);
	for (i = 0; i < a.n; i++) {
		userstore_init(&a.t[i].live);
		a.t[i].listed_from = clock_mono();
		listing_start(&a.t[i].l, &a.t[i].s, &a.t[i].live, listed,
			      &a.t[i]);
	}
	engine_run(a.e);
	for (i = 0; i < a.n; i++)
		if (a.t[i].phase == LISTING)
			r->not_attempted += a.t[i].tp->ndel;
	r->interrupted = o->hooks.stop && *o->hooks.stop;
	journal_summary(&a.j, r->counts, r->interrupted);
	rc = journal_close(&a.j, e);
out:
	if (a.j.path)
		journal_close(&a.j, NULL);
	for (i = 0; i < a.n; i++) {
		listing_release(&a.t[i].l);
		userstore_release(&a.t[i].live);
		free(a.t[i].todo);
		free(a.t[i].claims);
		if (a.t[i].opened)
			session_close(&a.t[i].s);
	}
	free(a.t);
	if (a.resuming)
		journal_done_release(&a.resume);
	engine_free(a.e);
	return rc;
}

void apply_result_release(struct apply_result *r)
{
	free(r->journal);
	memset(r, 0, sizeof(*r));
}
