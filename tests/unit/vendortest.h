/*
 * Connector tests: a tenant from YAML, a session without network, and
 * recorded answers fed to the connector's hooks.
 */
#ifndef USERPRUNE_VENDORTEST_H
#define USERPRUNE_VENDORTEST_H

#include "tests/unit/testutil.h"

#include "reconcile/engine.h"
#include "reconcile/plan.h"
#include "reconcile/session.h"

struct vt {
	struct config c;
	struct engine *engine;
	struct session s;
	struct userstore users;
};

/*
 * cmocka setup: a session for the first tenant of yaml (secrets from the
 * environment) in *state.
 */
static inline int vt_setup(void **state, const char *yaml)
{
	struct vt *t = xcalloc(1, sizeof(*t));
	struct err e;

	load_config(&t->c, yaml, NULL);
	t->engine = engine_new();
	if (session_open(&t->s, &t->c.tenants[0], t->engine, &e) < 0)
		fail_msg("session: %s", e.msg);
	userstore_init(&t->users);
	*state = t;
	return 0;
}

static inline int vt_teardown(void **state)
{
	struct vt *t = *state;

	userstore_release(&t->users);
	session_close(&t->s);
	engine_free(t->engine);
	config_release(&t->c);
	free(t);
	return 0;
}

/* A recorded answer. */
static inline struct http_response vt_answer(long status, const char *ct,
					     const char *body)
{
	struct http_response r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.content_type = (char *)ct;
	r.body = (char *)body;
	r.len = strlen(body);
	r.attempts = 1;
	return r;
}

static inline bool vt_has_header(const struct http_request *r, const char *line)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (!strcmp(r->headers[i], line))
			return true;
	return false;
}

/* A recorded page the connector must refuse, and the message it gives. */
struct vt_bad_page {
	long status;
	const char *ct, *body, *msg;
};

/*
 * Feeds each answer to list_response as the answer to pg: each must fail
 * with its message and give no next page. (Users before a bad one may be
 * in the store: a failed listing is never planned from.)
 */
static inline void vt_expect_bad_pages(struct vt *t, const struct page *pg,
				       const struct vt_bad_page *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct page_result pr = { .total = -1 };
		struct http_response r =
			vt_answer(c[i].status, c[i].ct, c[i].body);
		struct err e;

		assert_int_equal(t->s.v->list_response(&t->s, pg, &r, &t->users,
						       &pr, &e),
				 -1);
		assert_string_equal(e.msg, c[i].msg);
		assert_null(pr.next);
	}
}

/* A planned user as apply sees it. */
static inline struct plan_user vt_planned(const char *id)
{
	struct plan_user u;

	memset(&u, 0, sizeof(u));
	u.id = id;
	return u;
}

/* A recorded answer to deleting one user, and what apply makes of it. */
struct vt_outcome {
	long status;
	const char *ct, *body;
	enum outcome outcome;
	const char *detail;
};

/* Feeds each answer to delete_response as the answer to deleting id. */
static inline void vt_expect_outcomes(struct vt *t, const char *id,
				      const struct vt_outcome *c, size_t n)
{
	struct plan_user u = vt_planned(id);
	const struct plan_user *list[] = { &u };
	size_t i;

	for (i = 0; i < n; i++) {
		struct http_response r =
			vt_answer(c[i].status, c[i].ct, c[i].body);
		struct delete_result out;

		memset(&out, 0, sizeof(out));
		t->s.v->delete_response(&t->s, list, 1, &r, &out);
		assert_int_equal(out.outcome, c[i].outcome);
		assert_int_equal(out.status, c[i].status);
		assert_string_equal(out.detail, c[i].detail);
	}
}

#endif
