#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/list.h"
#include "util/xalloc.h"

struct list_page {
	long offset;
	size_t count; /* users the page held (skipped ones included) */
	size_t first; /* index in the store of its first added user */
	size_t added; /* users it added to the store */
};

struct list_span {
	long start, end;
};

/* One request in flight: what it asked for. */
struct ask {
	struct listing *l;
	struct page pg;
	char *cursor;
};

static void fail(struct listing *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void finish(struct listing *l)
{
	if (l->finished)
		return;
	l->finished = true;
	if (l->done)
		l->done(l->arg, l);
}

static void fail(struct listing *l, const char *fmt, ...)
{
	va_list ap;

	if (l->failed)
		return;
	l->failed = true;
	l->partial = l->npages > 0;
	va_start(ap, fmt);
	vsnprintf(l->error, sizeof(l->error), fmt, ap);
	va_end(ap);
}

static bool offset_paged(const struct listing *l)
{
	return l->s->paging != PAGE_CURSOR;
}

static void request_page(struct listing *l, long offset, const char *cursor);

/* A bound on memory against a server that never stops answering. */
#define LIST_MAX_USERS 50000000

/* ---- offsets: which are covered, which to ask for next ---- */

static int by_start(const void *a, const void *b)
{
	const struct list_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * A page received: offsets below covered are all in; a page past a gap
 * waits among the loose ones until the gap is filled. Loose pages are
 * few (those ahead of a page still in flight), so every step is cheap
 * however long the listing.
 */
static void cover(struct listing *l, long start, long end)
{
	bool joined = true;
	size_t i;

	if (end > l->seen_end)
		l->seen_end = end;
	if (end <= l->covered || start == end)
		return;
	if (start > l->covered) {
		l->loose = xgrow(l->loose, &l->loosecap, l->nloose + 1,
				 sizeof(*l->loose));
		l->loose[l->nloose++] = (struct list_span){ start, end };
		return;
	}
	l->covered = end;
	while (joined) {
		joined = false;
		for (i = 0; i < l->nloose;) {
			if (l->loose[i].start > l->covered) {
				i++;
				continue;
			}
			if (l->loose[i].end > l->covered)
				l->covered = l->loose[i].end;
			l->loose[i] = l->loose[--l->nloose];
			joined = true;
		}
	}
}

/* The first offset neither received nor asked for. */
static long first_gap(const struct listing *l)
{
	size_t n = 0, i;
	struct list_span *iv =
		xmalloc((l->nloose + l->nasked + 1) * sizeof(*iv));
	long x = l->covered;

	for (i = 0; i < l->nloose; i++)
		iv[n++] = l->loose[i];
	for (i = 0; i < l->nasked; i++)
		iv[n++] = l->asked[i];
	qsort(iv, n, sizeof(*iv), by_start);
	for (i = 0; i < n && iv[i].start <= x; i++)
		if (iv[i].end > x)
			x = iv[i].end;
	free(iv);
	return x;
}

/*
 * Where the data ends as far as is known; -1 when unknown. Only for
 * PAGE_OFFSET_TOTAL is the total an end; elsewhere it is a cross-check.
 */
static long bound(const struct listing *l)
{
	if (l->s->v->paging != PAGE_OFFSET_TOTAL || l->total < 0)
		return l->end;
	if (l->end >= 0)
		return l->end < l->total ? l->end : l->total;
	return l->total;
}

static void schedule(struct listing *l)
{
	int width = l->s->t->limits.concurrency;

	while (!l->failed && (int)l->nasked < width &&
	       !engine_stopping(l->s->engine)) {
		long o = first_gap(l), b = bound(l);

		if (b >= 0 && o >= b)
			break;
		/* until the size of the data is known, one page at a time */
		if (b < 0 && l->npages == 0 && l->nasked > 0)
			break;
		request_page(l, o, NULL);
	}
}

static int by_offset(const void *a, const void *b)
{
	const struct list_page *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * All offsets below the end are in: check that the listing is whole (no
 * users after the end, at least as many users as any page counted), then
 * put users in offset order.
 */
static void complete(struct listing *l)
{
	uint32_t *order;
	long b = bound(l);
	size_t i, j, n = 0;

	qsort(l->pages, l->npages, sizeof(*l->pages), by_offset);
	for (i = 0; i < l->npages; i++) {
		if (b >= 0 && l->pages[i].offset >= b && l->pages[i].count) {
			fail(l,
			     "the page at offset %ld holds %zu users although "
			     "the page at offset %ld was empty: the listing is "
			     "inconsistent, so incomplete",
			     l->pages[i].offset, l->pages[i].count, b);
			finish(l);
			return;
		}
	}
	if (l->total >= 0 && l->out->n + l->skipped < (size_t)l->total) {
		fail(l,
		     "%zu distinct users listed, but a page counted %ld: the "
		     "listing is incomplete",
		     l->out->n + l->skipped, l->total);
		finish(l);
		return;
	}
	order = xmalloc((l->out->n + 1) * sizeof(*order));
	for (i = 0; i < l->npages; i++)
		for (j = 0; j < l->pages[i].added; j++)
			order[n++] = (uint32_t)(l->pages[i].first + j);
	userstore_select(l->out, order, n);
	free(order);
	finish(l);
}

/* ---- cursors ---- */

/*
 * Remembers a link or cursor; false when it was seen before (a cycle,
 * which would otherwise run until the request budget is spent).
 */
static bool cursor_new(struct listing *l, const char *c)
{
	size_t len = strlen(c);
	int inserted;

	if (hmap_get(&l->cursors, c, len))
		return false;
	hmap_put(&l->cursors, arena_strndup(&l->cursor_keys, c, len), len, 0,
		 &inserted);
	return true;
}

static void check_done(struct listing *l)
{
	long b = bound(l);

	if (l->failed || engine_stopping(l->s->engine)) {
		if (!l->failed)
			fail(l, "interrupted");
		if (!l->nasked)
			finish(l);
		return;
	}
	if (!offset_paged(l)) {
		/* cursor pages come one after the other */
		if (!l->nasked && l->end >= 0)
			complete(l);
		return;
	}
	schedule(l);
	if (!l->nasked && b >= 0 && first_gap(l) >= b)
		complete(l);
}

/* ---- pages ---- */

static void forget_ask(struct listing *l, long offset)
{
	size_t i;

	for (i = 0; i < l->nasked; i++) {
		if (l->asked[i].start == offset) {
			l->asked[i] = l->asked[--l->nasked];
			return;
		}
	}
}

static void page_done(void *arg, struct http_request *req,
		      const struct http_response *res)
{
	struct ask *a = arg;
	struct listing *l = a->l;
	struct page_result pr = { .total = -1 };
	struct list_page *pg;
	size_t before = l->out->n;
	long seen = l->seen_end; /* the data's end before this page */
	struct err e;

	if (offset_paged(l))
		forget_ask(l, a->pg.offset);
	else
		l->nasked = 0;
	l->requests++;
	if (l->failed) {
		/* the listing is over; the store is not used */
	} else if (res->status == 0 || res->status < 200 || res->status > 299) {
		const char *hint = res->status && l->s->v->list_hint
					   ? l->s->v->list_hint(l->s, res)
					   : NULL;
		char why[512];

		http_describe(res, why, sizeof(why));
		fail(l, "%s %s: %s%s%s%s", req->method, req->url, why,
		     hint ? ": " : "", hint ? hint : "",
		     session_hint(l->s, res->status));
	} else if (l->s->v->list_response(l->s, &a->pg, res, l->out, &pr, &e) <
		   0) {
		/* never a plan from a page that could not be read */
		fail(l, "%s %s: %s", req->method, req->url, e.msg);
	} else {
		l->pages = xgrow(l->pages, &l->cap, l->npages + 1,
				 sizeof(*l->pages));
		pg = &l->pages[l->npages++];
		pg->offset =
			offset_paged(l) ? a->pg.offset : (long)l->npages - 1;
		pg->count = pr.count;
		pg->first = before;
		pg->added = l->out->n - before;
		if (offset_paged(l))
			cover(l, pg->offset, pg->offset + (long)pg->count);
		l->skipped += pr.skipped;
		if (pr.total >= 0 && pr.total > l->total)
			l->total = pr.total;
		if (l->out->conflicts) {
			/* which copy is true? neither is planned from */
			fail(l,
			     "%s %s: user '%.200s' is listed twice with "
			     "different email, username, status or type: the "
			     "listing is inconsistent, so incomplete",
			     req->method, req->url, l->out->conflict);
		} else if (offset_paged(l) && pr.count == 0 &&
			   l->total > a->pg.offset) {
			/* a page counted more: never a listing cut short */
			fail(l,
			     "%s %s: an empty page at offset %ld although a "
			     "page counted %ld users: the listing is "
			     "incomplete",
			     req->method, req->url, a->pg.offset, l->total);
		} else if (!offset_paged(l) && pr.next &&
			   !cursor_new(l, pr.next)) {
			fail(l,
			     "%s %s: the next page's link or cursor '%.300s' "
			     "came back a second time: a cycle, the listing is "
			     "incomplete",
			     req->method, req->url, pr.next);
		} else if (!offset_paged(l) && pr.next && !pg->added &&
			   !pr.skipped) {
			/*
			 * Links that differ only in what the server ignores
			 * (an extra parameter, a counter, the case) would
			 * dodge the check above: a page that lists nobody new
			 * and links another is a cycle too (a page of only
			 * accounts the connector leaves out, closed ones, is
			 * not).
			 */
			fail(l,
			     "%s %s: the page lists no user not listed before, "
			     "yet links another ('%.300s'): a cycle, the "
			     "listing is incomplete",
			     req->method, req->url, pr.next);
		} else if (offset_paged(l) && pr.count > pr.skipped &&
			   !pg->added && a->pg.offset >= seen) {
			fail(l,
			     "%s %s: the page at offset %ld holds only users "
			     "already listed: the server does not honour the "
			     "offset",
			     req->method, req->url, a->pg.offset);
		} else if (l->out->n > LIST_MAX_USERS) {
			fail(l, "more than %d users listed: giving up",
			     LIST_MAX_USERS);
		} else if (offset_paged(l)) {
			if (pr.count == 0 &&
			    (l->end < 0 || a->pg.offset < l->end))
				l->end = a->pg.offset;
			/* the server's real page size shows in its answers */
			if ((int)pr.count > l->page_size || l->npages == 1)
				l->page_size =
					pr.count ? (int)pr.count : l->page_size;
		} else if (pr.next) {
			request_page(l, 0, pr.next);
		} else {
			l->end = (long)l->npages;
		}
	}
	free(pr.next);
	free(a->cursor);
	free(a);
	check_done(l);
}

static void request_page(struct listing *l, long offset, const char *cursor)
{
	struct ask *a = xcalloc(1, sizeof(*a));
	struct http_request *r;

	a->l = l;
	a->pg.offset = offset;
	/* always the vendor's page size: one short page must not shrink
	   every later request; page_size is only the step between offsets */
	a->pg.limit = l->s->v->page_size > 0 ? l->s->v->page_size : 100;
	a->cursor = xstrdup_or_null(cursor);
	a->pg.cursor = a->cursor;
	r = l->s->v->list_request(l->s, &a->pg);
	/* a link back to a page already asked for is a cycle too */
	if (!offset_paged(l))
		cursor_new(l, r->url);
	l->asked =
		xgrow(l->asked, &l->askcap, l->nasked + 1, sizeof(*l->asked));
	l->asked[l->nasked++] =
		(struct list_span){ offset, offset + l->page_size };
	engine_submit(l->s->lane, r, page_done, a);
}

/* ---- before the pages: discovery, then the caller ---- */

static void start_pages(struct listing *l)
{
	if (l->failed) {
		finish(l);
		return;
	}
	request_page(l, 0, NULL);
}

static void caller_done(void *arg, struct http_request *req,
			const struct http_response *res)
{
	struct listing *l = arg;
	struct err e;

	if (l->s->v->caller_response(l->s, res, &e) < 0)
		fail(l, "%s %s: finding the calling identity: %s%s",
		     req->method, req->url, e.msg,
		     session_hint(l->s, res->status));
	start_pages(l);
}

static void start_caller(struct listing *l)
{
	const struct vendor *v = l->s->v;

	if (v->caller_request && !l->failed)
		engine_submit(l->s->lane, v->caller_request(l->s), caller_done,
			      l);
	else
		start_pages(l);
}

static void discover_done(void *arg, struct http_request *req,
			  const struct http_response *res)
{
	struct listing *l = arg;

	(void)req;
	if (res->status != 0 || !l->s->error[0])
		l->s->v->discover_response(l->s, res);
	/* a probe that was an authentication may have been refused */
	if (l->s->error[0])
		fail(l, "%s", l->s->error);
	start_caller(l);
}

void listing_start(struct listing *l, struct session *s, struct userstore *out,
		   listing_done_fn done, void *arg)
{
	struct http_request *probe;

	memset(l, 0, sizeof(*l));
	l->s = s;
	l->out = out;
	l->done = done;
	l->arg = arg;
	l->total = -1;
	l->end = -1;
	l->page_size = s->v->page_size > 0 ? s->v->page_size : 100;
	hmap_init(&l->cursors);
	arena_init(&l->cursor_keys);
	/* discovery is optional, and a connector may find it done already */
	probe = s->v->discover_request ? s->v->discover_request(s) : NULL;
	if (probe)
		engine_submit(s->lane, probe, discover_done, l);
	else
		start_caller(l);
}

void listing_release(struct listing *l)
{
	free(l->pages);
	free(l->asked);
	free(l->loose);
	hmap_release(&l->cursors);
	arena_release(&l->cursor_keys);
	memset(l, 0, sizeof(*l));
}
