/*
 * The YAML loader: config_parse on the input, then the matchers it built
 * compiled and tried on a few users.
 *
 * Input: one byte of flags (bit 0 CONFIG_STRICT_FILES, bit 1
 * CONFIG_CHECK_SECRETS), the YAML, and optionally a NUL byte followed by
 * the contents every value file the configuration names reads as (a path
 * containing "missing" does not exist).
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/config.h"
#include "tests/fuzz/fuzz.h"

struct files {
	const char *data; /* NULL: no value file part in the input */
	size_t len;
};

static int read_file(void *ctx, const char *path, size_t max, char **data,
		     size_t *len, struct err *e)
{
	const struct files *f = ctx;

	if (strstr(path, "missing"))
		return err_set(e, "No such file or directory");
	if (!f->data) {
		*data = xstrdup("alice@acme.com\n");
		*len = strlen(*data);
		return 0;
	}
	if (f->len > max)
		return err_set(e, "file is larger than %zu MiB", max >> 20);
	*data = xstrndup(f->data, f->len);
	*len = f->len;
	return 0;
}

static const struct user users[] = {
	{ "u1", "Alice@Acme.com", "alice", "Alice", USER_HUMAN, STATUS_ACTIVE,
	  0, "alice@home.example\0A.Smith@Acme.com\0" },
	{ "557058:f00", NULL, NULL, NULL, USER_APP, STATUS_INACTIVE, 0, NULL },
	{ "3", "bob@example.org", "bob", "Bob \"B\" Jones", USER_ROBOT,
	  STATUS_PENDING_DELETION, USER_INVITED, NULL },
	{ "", "", "", "", USER_UNKNOWN, STATUS_ACTIVE, 0, NULL },
};

static void try_list(const struct matcher_list *l)
{
	struct matchset ms;
	size_t i;

	for (i = 0; i < l->n; i++)
		free(matcher_describe(&l->v[i]));
	matchset_init(&ms, l->v, l->n);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		matchset_match(&ms, &users[i]);
	for (i = 0; i < l->n; i++)
		if (l->v[i].kind == MATCHER_FILE && l->v[i].nvalues)
			matchset_value_hit(&ms, i, l->v[i].nvalues - 1);
	matchset_release(&ms);
}

static void use_config(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->ntenants; i++) {
		const struct tenant *t = &c->tenants[i];
		struct tenant copy;

		try_list(&t->include);
		try_list(&t->exclude);
		try_list(&t->keep);
		try_list(&t->protect);
		if (config_find_tenant(c, t->name) == NULL)
			abort();
		tenant_option(t, "scim_managed");
		tenant_option_bool(t, "mass_user_deletion");
		memset(&copy, 0, sizeof(copy));
		tenant_copy_settings(&copy, t);
		tenant_release(&copy);
	}
}

static FILE *devnull(void)
{
	static FILE *f;

	if (!f && !(f = fopen("/dev/null", "w")))
		abort();
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = DIAGS_INIT;
	struct files files = { NULL, 0 };
	struct config_reader rd = { read_file, &files };
	struct config c;
	const char *nul;
	char *yaml;
	size_t len;
	unsigned flags;

	if (size < 1)
		return 0;
	/* the value files' fixtures resolve; others stay unset */
	setenv("FIXTURE_TOKEN", "fixture-token-value", 1);
	setenv("FIXTURE_USER", "fixture-user", 1);
	flags = data[0] & (CONFIG_STRICT_FILES | CONFIG_CHECK_SECRETS);
	data++;
	size--;
	nul = memchr(data, '\0', size);
	len = nul ? (size_t)(nul - (const char *)data) : size;
	if (nul) {
		files.data = nul + 1;
		files.len = size - len - 1;
	}
	yaml = xmalloc(len ? len : 1);
	memcpy(yaml, data, len);
	if (config_parse(&c, "fuzz.yaml", NULL, yaml, len, &rd, flags, &d) ==
	    0) {
		use_config(&c);
		config_release(&c);
	}
	diags_sort(&d);
	diags_print(&d, devnull());
	diags_release(&d);
	free(yaml);
	return 0;
}
