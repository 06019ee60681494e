/*
 * Planning: select tenants, get their live users, diff each.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reconcile/diff.h"
#include "reconcile/reconcile.h"
#include "reconcile/snapshot.h"
#include "util/xalloc.h"

char *utc_now(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* The selected tenants, in file order; an unknown name is an error. */
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
			return err_set(e, "no tenant '%s' in %s", o->tenants[j],
				       c->name);
		selected[i] = true;
	}
	return 0;
}

static int plan_from_snapshot(const struct config *c, const bool *selected,
			      const char *path, struct plan *p, struct err *e)
{
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
	for (i = 0; i < c->ntenants; i++)
		if (selected[i] && snapshot_users(&snap, c->tenants[i].name,
						  &stores[i], e) < 0)
			goto out;
	/* the document is no longer needed: give its memory back first */
	snapshot_release(&snap);
	for (i = 0; i < c->ntenants; i++) {
		struct diff_input in = { c, &c->tenants[i], &stores[i], 0 };
		struct tenant_plan *tp;

		if (!selected[i])
			continue;
		tp = plan_add_tenant(p);
		tenant_copy_settings(&tp->t, &c->tenants[i]);
		diff_tenant(p, tp, &in);
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
		rc = plan_from_snapshot(c, selected, o->live, p, e);
	else
		rc = err_set(e, "listing live tenants is not built in yet: "
				"use --live SNAPSHOT");
out:
	free(selected);
	return rc;
}
