/*
 * Helpers shared by the unit tests: configurations from strings with
 * in-memory value files, and live users from compact tables.
 */
#ifndef USERPRUNE_TESTUTIL_H
#define USERPRUNE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reconcile/config.h"
#include "reconcile/users.h"
#include "util/diag.h"
#include "util/xalloc.h"

/* An in-memory file for config_parse's reader. */
struct memfile {
	const char *path;
	const char *data;
};

static int memfile_read(void *ctx, const char *path, size_t max, char **data,
			size_t *len, struct err *e)
{
	const struct memfile *f;

	(void)max;
	for (f = ctx; f && f->path; f++) {
		if (!strcmp(f->path, path)) {
			*len = strlen(f->data);
			*data = xstrndup(f->data, *len);
			return 0;
		}
	}
	return err_set(e, "No such file or directory");
}

/* Parses yaml; fails the test (printing the problems) if it is invalid. */
static inline void load_config(struct config *c, const char *yaml,
			       const struct memfile *files)
{
	struct config_reader rd = { memfile_read, (void *)files };
	struct diags d = DIAGS_INIT;

	if (config_parse(c, "test.yaml", NULL, yaml, strlen(yaml), &rd, 0, &d) <
	    0) {
		diags_print(&d, stderr);
		fail_msg("configuration did not load");
	}
	diags_release(&d);
}

/* Parses yaml expecting failure; returns the problems as one string. */
static inline char *config_errors(const char *yaml, const struct memfile *files,
				  unsigned flags)
{
	struct config_reader rd = { memfile_read, (void *)files };
	struct diags d = DIAGS_INIT;
	struct config c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (config_parse(&c, "test.yaml", NULL, yaml, strlen(yaml), &rd, flags,
			 &d) == 0) {
		config_release(&c);
		fprintf(f, "(loaded)");
	}
	diags_print(&d, f);
	fclose(f);
	diags_release(&d);
	return buf;
}

struct test_user {
	const char *id, *email, *username, *name;
	enum user_type type;
	enum user_status status;
};

static inline void add_users(struct userstore *s, const struct test_user *u,
			     size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct user x = { .id = u[i].id,
				  .email = u[i].email,
				  .username = u[i].username,
				  .name = u[i].name,
				  .type = (uint8_t)u[i].type,
				  .status = (uint8_t)u[i].status };

		userstore_add(s, &x);
	}
}

#endif
