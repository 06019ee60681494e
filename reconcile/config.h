/*
 * config: the desired-state file (YAML, version 1) as typed structs.
 *
 * The only module that includes yaml.h. Loading checks everything that can
 * be checked offline and reports every problem at once into a struct diags
 * as FILE:LINE:COL: message. Files the configuration names (keep and
 * protect value files) are read through a struct config_reader, so that a
 * configuration read from git reads them from the same commit.
 *
 * Secrets stay references (${env:NAME}, ${file:PATH}) until a command needs
 * them (see secret.h). A struct config owns everything it points to.
 */
#ifndef USERPRUNE_CONFIG_H
#define USERPRUNE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/match.h"
#include "reconcile/shard.h"
#include "reconcile/vendors/vendor.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/err.h"

#define CONFIG_MAX_SIZE (64u << 20)

/*
 * What apply does to a planned user: the vendor's deletion, nothing
 * (report: plan only), or the vendor's confirmed deactivation call.
 */
enum tenant_mode { MODE_DELETE, MODE_REPORT, MODE_DEACTIVATE };

/* A secret as written: a reference or (discouraged) a literal. */
struct secret {
	char *raw; /* NULL when not given */
	int line, col;
};

struct auth {
	enum auth_type type;
	struct secret username, password, token, client_id, client_secret,
		token_url, scope, api_key;
};

struct tenant_option {
	char *key;
	char *value; /* scalar text as written */
	int line, col;
};

/*
 * A one-off approval of one set of planned deletions (DESIGN §1.4): while
 * the digest of the tenant's planned users is this one and the date has
 * not passed, its count and percent guards are waived.
 */
struct approval {
	bool set;
	char digest[65];  /* lower-case hex, "sha256:" left off */
	char expires[11]; /* YYYY-MM-DD, UTC, the last day it holds */
	int line, col;	  /* where it is in the configuration */
};

/* An approval's expiry is at most this many days ahead. */
#define APPROVAL_MAX_DAYS 31

struct policy {
	long max_deletions;
	int max_delete_percent;
	int canary;
	bool allow_empty_keep;
	bool verify; /* list again after deleting, and check the outcomes */
	/* keep values that must match a live user (keep_match_rate) */
	int min_keep_match_percent;
	/* how far keep values may shrink against plan --compare-ref */
	int max_keep_shrink_percent;
	struct approval approve; /* tenants only, never defaults */
};

struct matcher_list {
	struct matcher *v;
	size_t n;
};

struct tenant {
	char *name;
	const struct vendor *vendor;
	char *url; /* no trailing slash */
	struct auth auth;
	struct tenant_option *options;
	size_t noptions;
	enum tenant_mode mode;
	struct matcher_list include, exclude, keep, protect;
	struct policy policy;
	struct limits limits; /* effective: tenant, then defaults:, vendor */
	char *ca_file;	      /* absolute path, or NULL */
	int line, col;
};

struct config {
	char *name; /* as shown in messages: the path, or url@ref:path */
	char *dir;  /* directory secrets and CA files are relative to */
	char sha256[65];
	struct tenant *tenants;
	size_t ntenants;
	struct arena arena; /* value-file strings */
};

/*
 * Reads a file named relative to the configuration (keep files). An error
 * that starts with "(looked for at WHERE)" says where a relative path was
 * looked for (beside the YAML file, or in the repository): messages show
 * it next to the path as written.
 */
struct config_reader {
	int (*read)(void *ctx, const char *path, size_t max, char **data,
		    size_t *len, struct err *e);
	void *ctx;
};

enum config_flags {
	/* missing or empty value files are errors (validate), not guards */
	CONFIG_STRICT_FILES = 1 << 0,
	/* ${env:} variables must be set and ${file:} secrets readable */
	CONFIG_CHECK_SECRETS = 1 << 1,
};

/*
 * Parses data (named name in messages) into c. dir is where relative
 * ${file:} and tls.ca_file paths start (NULL: the current directory).
 * Returns 0, or -1 when d holds errors (c is then released). Warnings are
 * added to d either way.
 */
int config_parse(struct config *c, const char *name, const char *dir,
		 const char *data, size_t len, const struct config_reader *rd,
		 unsigned flags, struct diags *d);

/* Reads and parses a local file; value files are relative to it. */
int config_load_file(struct config *c, const char *path, unsigned flags,
		     struct diags *d);

/*
 * The tenants a command is going to use (DESIGN §2: only their secrets and
 * value files are needed, so that a CI job holding one tenant's secrets
 * can plan it). The whole file is still checked; for a tenant that is not
 * selected, ${env:}/${file:} references are not resolved, tls.ca_file is
 * not looked for, and value files are not read (their matchers carry a
 * problem saying so, which trips the value_file guard should such a
 * tenant ever be planned). Unknown names select nothing here: commands
 * report them (config_no_tenant).
 */
struct config_select {
	const char *const *names; /* selected by name; none: all */
	size_t nnames;
	const struct shard *shard; /* and in this shard; NULL: all */
	bool none;		   /* no tenant (listing the tenants) */
};

/* Whether the tenant called name is selected; a NULL sel selects all. */
bool config_selected(const struct config_select *sel, const char *name);

/* config_parse and config_load_file for the tenants sel selects. */
int config_parse_selected(struct config *c, const char *name, const char *dir,
			  const char *data, size_t len,
			  const struct config_reader *rd, unsigned flags,
			  const struct config_select *sel, struct diags *d);
int config_load_file_selected(struct config *c, const char *path,
			      unsigned flags, const struct config_select *sel,
			      struct diags *d);

/*
 * "no tenant 'NAME' in WHERE", with the closest of the known names
 * ("did you mean 'jira-qa'?") or, for a short list, all of them.
 * known ends with NULL. Returns -1.
 */
int config_no_tenant(struct err *e, const char *name, const char *where,
		     const char *const *known);
/* The same for the tenants of c. */
int config_no_tenant_in(const struct config *c, const char *name,
			struct err *e);

void config_release(struct config *c);

/*
 * Checks a URL the way the loader does: https, or plain http to a loopback
 * address only; no credentials, query or fragment. Removes trailing
 * slashes in place. what names it in the message ("url", "token_url").
 */
int config_check_url(const char *what, char *url, struct err *e);

/*
 * Warnings validate adds to loading (lint.c): tenants that plan would
 * refuse (no keep list, and no allow_empty_keep).
 */
void config_lint(const struct config *c, struct diags *d);
/*
 * The auth field of t that holds a literal secret ("password"), or NULL.
 * A plan file never stores one, so a plan saved for it cannot be applied.
 */
const char *tenant_literal_secret(const struct tenant *t);

/* libyaml's version, for `userprune version`. */
const char *config_yaml_version(void);

/* Copies a tenant's settings (not its matcher lists) into dst. */
void tenant_copy_settings(struct tenant *dst, const struct tenant *src);
void tenant_release(struct tenant *t);

const struct tenant *config_find_tenant(const struct config *c,
					const char *name);
/* The tenant's option value, or the vendor's default, or NULL. */
const char *tenant_option(const struct tenant *t, const char *key);
bool tenant_option_bool(const struct tenant *t, const char *key);
const char *tenant_mode_name(enum tenant_mode m);

#endif
