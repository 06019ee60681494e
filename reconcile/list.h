/*
 * list: all live users of one tenant, through the engine.
 *
 * Runs the connector's discovery and caller requests, then its pages.
 * Offset-paged APIs are fetched several pages ahead in parallel (as many
 * as the lane's concurrency); a page may come back shorter than asked
 * (servers cap page sizes, Jira returns short pages mid-stream), so the
 * lister keeps track of which offsets it has and asks again for any gap.
 * The listing ends at the documented end only: the known total, or an
 * empty page. The result is the same as a sequential walk: users in
 * offset order, each id once.
 *
 * A listing is complete or it fails (DESIGN §1.8). It fails when an empty
 * page comes below the largest total any page reported, when a page after
 * the empty one holds users, when it ends with fewer distinct users than
 * that total, and when a next link or cursor comes back a second time.
 * A listing that fails leaves the store incomplete: callers must not plan
 * from it (failed is set, and partial says whether any page had arrived).
 */
#ifndef USERPRUNE_LIST_H
#define USERPRUNE_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/session.h"
#include "reconcile/users.h"
#include "util/arena.h"
#include "util/hmap.h"

struct listing;
typedef void (*listing_done_fn)(void *arg, struct listing *l);

struct list_page; /* a page received: offset and users */
struct list_span; /* offsets [start, end) */

struct listing {
	struct session *s;
	struct userstore *out;
	listing_done_fn done;
	void *arg;
	/* outcome */
	bool finished, failed, partial;
	char error[4096];
	unsigned long requests; /* listing requests answered */
	/* progress */
	long total; /* -1: unknown */
	/* paging state */
	int page_size; /* largest page the server has returned */
	long end;      /* first offset past the data; -1: unknown */
	struct list_page *pages;
	size_t npages, cap;
	struct list_span *asked; /* pages asked for and not yet answered */
	size_t nasked, askcap;
	size_t skipped;	     /* users pages held that the store left out */
	struct hmap cursors; /* links and cursors followed (PAGE_CURSOR) */
	struct arena cursor_keys;
	long covered;		 /* every offset below has been received */
	long seen_end;		 /* the end of the furthest page received */
	struct list_span *loose; /* received, not yet joined to covered */
	size_t nloose, loosecap;
};

/*
 * Starts listing s's tenant into out (initialised by the caller); done
 * (may be NULL) is called when the listing has finished or failed.
 */
void listing_start(struct listing *l, struct session *s, struct userstore *out,
		   listing_done_fn done, void *arg);
void listing_release(struct listing *l);

#endif
