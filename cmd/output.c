/*
 * Printing a plan in the format asked for; shared by plan, show and apply.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/output.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/*
 * Whether name is a part's name: plan-N.md, N from 1, zero-padded
 * (plan-001.md) or, as earlier versions wrote them, not (plan-1.md).
 */
static bool part_name(const char *name)
{
	const char *p = name + strlen("plan-");
	bool nonzero = false;

	if (strncmp(name, "plan-", strlen("plan-")) || *p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		nonzero |= *p != '0';
	return nonzero && !strcmp(p, ".md");
}

/*
 * Removes the parts an earlier plan left in dir: a part left over would
 * be posted with this plan. Only files named like a part go; anything
 * else in dir is not userprune's.
 */
static int remove_stale_parts(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	struct stat st;
	int rc = 0;

	if (!d) {
		cmd_error("%s: %s", dir, strerror(errno));
		return EXIT_ERROR;
	}
	while ((ent = readdir(d))) {
		char *path;

		if (!part_name(ent->d_name))
			continue;
		path = xasprintf("%s/%s", dir, ent->d_name);
		if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode) &&
		    unlink(path) < 0 && errno != ENOENT) {
			cmd_error("cannot remove an earlier part '%s': %s",
				  path, strerror(errno));
			rc = EXIT_ERROR;
		}
		free(path);
	}
	closedir(d);
	return rc;
}

static int write_parts(char **parts, size_t n, const char *dir)
{
	struct err e;
	size_t i;
	int digits;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		cmd_error("%s: %s", dir, strerror(errno));
		return EXIT_ERROR;
	}
	if (remove_stale_parts(dir))
		return EXIT_ERROR;
	/* zero-padded, so that the parts sort by name: plan-001.md */
	for (digits = 3, i = n; i >= 1000; i /= 10)
		digits++;
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/plan-%0*zu.md", dir, digits, i + 1);
		int rc =
			file_write_atomic(path, parts[i], strlen(parts[i]), &e);

		free(path);
		if (rc < 0) {
			cmd_error("%s", e.msg);
			return EXIT_ERROR;
		}
	}
	cmd_info("wrote %zu markdown part%s to %s/", n, n == 1 ? "" : "s", dir);
	return 0;
}

int cmd_print_plan(struct plan *p, enum plan_format f, const char *split_dir,
		   const char *plan_file, size_t max_users)
{
	struct strbuf sb = STRBUF_INIT;
	char **parts = NULL;
	size_t n = 0, i;
	int rc = 0;

	switch (f) {
	case FORMAT_JSON:
		plan_to_json(p, &sb);
		break;
	case FORMAT_TEXT: {
		struct render_opts o = {
			cmd_color(stdout), globals.verbose > 0, plan_file,
			max_users == MAX_USERS_DEFAULT ? 0 : max_users
		};

		plan_render_text(p, &o, &sb);
		break;
	}
	case FORMAT_MARKDOWN: {
		struct render_opts o = { false, false, plan_file,
					 max_users == MAX_USERS_DEFAULT
						 ? MARKDOWN_MAX_USERS
						 : max_users };

		plan_render_markdown_opts(p, &o, &parts, &n);
		if (split_dir) {
			rc = write_parts(parts, n, split_dir);
			break;
		}
		for (i = 0; i < n; i++) {
			if (i)
				strbuf_addf(&sb,
					    "\n<!-- userprune: part %zu "
					    "of %zu -->\n\n",
					    i + 1, n);
			strbuf_addstr(&sb, parts[i]);
		}
		break;
	}
	}
	for (i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
	if (!rc)
		rc = cmd_write_stdout(sb.buf, sb.len);
	strbuf_release(&sb);
	return rc;
}

int cmd_parse_max_users(const struct cmd_entry *cmd, const char *arg, size_t *n)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || arg[0] == '-' || v >= MAX_USERS_DEFAULT)
		return cmd_usage_error(cmd,
				       "--max-users must be a number of users "
				       "(0: all), not '%s'",
				       arg);
	*n = (size_t)v;
	return 0;
}
