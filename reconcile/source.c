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
};

static int read_git(void *ctx, const char *path, size_t max, char **data,
		    size_t *len, struct err *e)
{
	const struct git_reader *gr = ctx;
	char *full;
	int rc;

	if (path[0] == '/')
		return err_set(e, "an absolute path cannot name a file in the "
				  "repository");
	full = *gr->dir ? xasprintf("%s/%s", gr->dir, path) : xstrdup(path);
	rc = gitsrc_read(gr->g, full, max, data, len, e);
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
	struct git_reader gr;
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

		/* messages name the file as it is in the repository */
		name = xstrdup(path);
		if (config_parse(c, name, NULL, data, len, &rd, flags, d) < 0)
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
	if (config_load_file(c, path, flags, d) < 0)
		return -1;
	prov->kind = SOURCE_FILE;
	prov->path = xstrdup(path);
	prov->sha256 = xstrdup(c->sha256);
	return 0;
}
