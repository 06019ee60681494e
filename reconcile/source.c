/*
 * Loading the desired state from its source and recording provenance.
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/gitsrc.h"
#include "reconcile/reconcile.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Files named in the YAML are read from the same commit. */
struct git_reader {
	struct gitsrc *g;
	const char *dir; /* the YAML's directory in the repository */
	/* files the working tree has with other content: edits the plan
	   does not see */
	char **changed;
	size_t nchanged;
};

static void note_changed(struct git_reader *gr, const char *path,
			 const char *data, size_t len)
{
	size_t i;

	if (!gitsrc_workdir_differs(gr->g, path, data, len))
		return;
	for (i = 0; i < gr->nchanged; i++)
		if (!strcmp(gr->changed[i], path))
			return;
	gr->changed = xrealloc(gr->changed,
			       (gr->nchanged + 1) * sizeof(*gr->changed));
	gr->changed[gr->nchanged++] = xstrdup(path);
}

/* The path in the repository a value file names, "." and ".." resolved. */
static char *git_path(const struct git_reader *gr, const char *path)
{
	char *full =
		*gr->dir ? xasprintf("%s/%s", gr->dir, path) : xstrdup(path);
	char *norm = NULL;
	struct err e;

	if (gitsrc_normalise_path(&norm, full, &e) < 0)
		return full;
	free(full);
	return norm;
}

static int read_git(void *ctx, const char *path, size_t max, char **data,
		    size_t *len, struct err *e)
{
	struct git_reader *gr = ctx;
	char *full;
	size_t n;
	int rc;

	if (path[0] == '/')
		return err_set(e, "an absolute path cannot name a file in the "
				  "repository");
	full = git_path(gr, path);
	rc = gitsrc_read(gr->g, full, max, data, len, e);
	if (rc == 0)
		note_changed(gr, full, *data, *len);
	/* "PATH: reason" to "(looked for at PATH): reason" when PATH is
	   not the path as written (config_reader) */
	n = strlen(full);
	if (rc < 0 && strcmp(full, path) && !strncmp(e->msg, full, n) &&
	    e->msg[n] == ':' && e->msg[n + 1] == ' ') {
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg + n + 2);
		err_set(e, "(looked for at %s): %s", full, msg);
	}
	free(full);
	return rc;
}

static int load_git(const struct source_spec *spec, unsigned flags,
		    struct config *c, struct plan_source *prov, struct diags *d,
		    struct err *e)
{
	const char *path = spec->git_path ? spec->git_path : "userprune.yaml";
	const struct gitsrc_info *info;
	struct gitsrc *g = NULL;
	struct git_reader gr = { NULL, NULL, NULL, 0 };
	size_t i;
	char *data = NULL, *dir = NULL, *name = NULL, sha[65];
	const char *slash;
	size_t len;
	int rc = -1;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (gitsrc_open(&g, spec->git_url, spec->git_ref, e) < 0)
		return -1;
	info = gitsrc_info(g);
	rc = gitsrc_read(g, path, CONFIG_MAX_SIZE, &data, &len, e);
	if (rc == GITSRC_NOT_FOUND && spec->missing_ok) {
		/* the file is newer than the ref: no tenant was there */
		data = xstrdup("");
		len = 0;
		c->name = xstrdup(path);
	} else if (rc < 0) {
		rc = -1;
		goto out;
	}
	rc = -1;
	slash = strrchr(path, '/');
	dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
	gr.g = g;
	gr.dir = dir;
	if (!c->name) {
		struct config_reader rd = { read_git, &gr };
		int parsed;

		/* messages name the file as it is in the repository */
		name = xstrdup(path);
		note_changed(&gr, path, data, len);
		parsed = config_parse_selected(c, name, NULL, data, len, &rd,
					       flags, spec->select, d);
		/* the working tree is edited, the ref is what is read */
		for (i = 0; i < gr.nchanged; i++)
			diag_add(d, DIAG_WARNING, gr.changed[i], 0, 0,
				 "the working tree's copy differs from commit "
				 "%.7s (%s): the committed file is what is "
				 "read; commit the edits, or use -f to read "
				 "the working tree's",
				 info->commit, info->ref);
		if (parsed < 0)
			goto out;
	}
	sha256_hex(data, len, sha);
	prov->kind = SOURCE_GIT;
	prov->path = xstrdup(path);
	prov->sha256 = xstrdup(sha);
	prov->url = xstrdup(info->url);
	prov->ref = xstrdup(info->ref);
	prov->commit = xstrdup(info->commit);
	prov->author = xstrdup_or_null(info->author);
	prov->subject = xstrdup_or_null(info->subject);
	rc = 0;
out:
	for (i = 0; i < gr.nchanged; i++)
		free(gr.changed[i]);
	free(gr.changed);
	free(data);
	free(dir);
	free(name);
	gitsrc_free(g);
	return rc;
}

int source_load(const struct source_spec *spec, unsigned flags,
		struct config *c, struct plan_source *prov, struct diags *d,
		struct err *e)
{
	const char *path = spec->file ? spec->file : "userprune.yaml";

	memset(prov, 0, sizeof(*prov));
	memset(c, 0, sizeof(*c));
	if (spec->git_url)
		return load_git(spec, flags, c, prov, d, e);
	if (config_load_file_selected(c, path, flags, spec->select, d) < 0)
		return -1;
	prov->kind = SOURCE_FILE;
	prov->path = xstrdup(path);
	prov->sha256 = xstrdup(c->sha256);
	return 0;
}
