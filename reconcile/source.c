/*
 * Loading the desired state from its source and recording provenance.
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/reconcile.h"
#include "util/xalloc.h"

void plan_source_release(struct plan_source *s)
{
	free(s->path);
	free(s->sha256);
	free(s->url);
	free(s->ref);
	free(s->commit);
	free(s->author);
	free(s->subject);
	free(s->live);
	memset(s, 0, sizeof(*s));
}

int source_load(const struct source_spec *spec, unsigned flags,
		struct config *c, struct plan_source *prov, struct diags *d,
		struct err *e)
{
	const char *path = spec->file ? spec->file : "userprune.yaml";

	memset(prov, 0, sizeof(*prov));
	if (spec->git_url)
		return err_set(e, "reading the desired state from git is not "
				  "built in yet");
	if (config_load_file(c, path, flags, d) < 0)
		return -1;
	prov->kind = SOURCE_FILE;
	prov->path = xstrdup(path);
	prov->sha256 = xstrdup(c->sha256);
	return 0;
}
