/*
 * match: matchers (scope, keep, protect), value files, globs, case folding.
 *
 * A matcher is what one entry of a keep/protect/scope list says. The
 * configuration loader fills struct matcher; matchset_new() compiles a
 * list of them for classification: exact values go into a hash index
 * (a million users against half a million keep values is a few million
 * lookups), globs and multi-field matchers are tried one by one.
 *
 * Emails and usernames compare case-insensitively (ASCII folding, white
 * space around the value trimmed); ids, names, types and statuses compare
 * exactly. A user with several email addresses (struct user more_emails)
 * is matched by any of them, by email matchers and bare values alike. Every matcher counts the users it matched, so entries that
 * matched nobody (probably typos) can be reported.
 */
#ifndef USERPRUNE_MATCH_H
#define USERPRUNE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reconcile/users.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/hmap.h"

enum match_field {
	MATCH_ID,
	MATCH_EMAIL,
	MATCH_USERNAME,
	MATCH_NAME,
	MATCH_TYPE,
	MATCH_STATUS,
	MATCH_NFIELDS,
};

enum matcher_kind {
	MATCHER_VALUE,	/* a bare string: id, email or username */
	MATCHER_FIELDS, /* a mapping: every given field matches */
	MATCHER_FILE,	/* values loaded from a text or CSV file */
};

/* Which user field the values of a file are compared with. */
enum file_field { FILE_ANY, FILE_ID, FILE_EMAIL, FILE_USERNAME };

struct file_value {
	const char *s;
	int line; /* line in the value file */
};

struct matcher {
	enum matcher_kind kind;
	int line, col; /* where the entry is in the configuration */
	char *value;   /* MATCHER_VALUE */
	char *field[MATCH_NFIELDS]; /* MATCHER_FIELDS: pattern or NULL */
	/* MATCHER_FILE */
	char *path;   /* as written, relative to the configuration */
	char *column; /* CSV column, or NULL */
	enum file_field file_field;
	struct file_value *values; /* strings owned by the configuration */
	size_t nvalues;
	char *problem; /* set when the file is missing or empty */
};

void matcher_release(struct matcher *m);
/* A one-line description for messages: 'alice@acme.com', {email: "*@x"}. */
char *matcher_describe(const struct matcher *m);

const char *match_field_name(enum match_field f);

/* True when s contains glob metacharacters (*, ? or [). */
bool is_glob(const char *s);
/* Shell-style glob: *, ?, [abc], [a-z], [!abc]; fold compares ASCII caseless. */
bool glob_match(const char *pattern, const char *s, bool fold);
/*
 * Folds s for comparison (white space trimmed, ASCII lower case) into buf
 * when it fits, else into a new allocation stored in *heap (free it).
 */
const char *fold(const char *s, char *buf, size_t cap, char **heap,
		 size_t *len);

/*
 * Parses a value file: a text file (one value per line; blank lines, lines
 * starting with # and a # after white space start comments) or, when csv
 * is set, an RFC 4180 CSV file
 * with a header row from which column picks the values (NULL: the only
 * column). Strings go into arena; *values is a new array.
 */
int valuefile_parse(const char *name, const char *data, size_t len, bool csv,
		    const char *column, struct arena *arena,
		    struct file_value **values, size_t *nvalues, struct err *e);

struct matchset_entry {
	uint32_t matcher;
	uint32_t value; /* index of the file value, or UINT32_MAX */
	/* next entry with the same key, or UINT32_MAX; one chain per key
	   kind (id, email, username), as a value may be under all three */
	uint32_t next[3];
	uint32_t hits;
};

struct matchset {
	const struct matcher *m;
	size_t n;
	size_t *hits; /* per matcher */
	struct hmap index;
	struct arena keys;
	struct matchset_entry *entries;
	size_t nentries, cap;
	unsigned kinds;	       /* key kinds present in the index (bits) */
	uint32_t *first_entry; /* per matcher: its first entry, or UINT32_MAX */
	uint32_t *linear;      /* matchers tried one by one */
	size_t nlinear;
};

/* Compiles the n matchers at m (borrowed: they must outlive the set). */
void matchset_init(struct matchset *ms, const struct matcher *m, size_t n);
void matchset_release(struct matchset *ms);
/* True when any matcher matches u; counts a hit for every one that does. */
bool matchset_match(struct matchset *ms, const struct user *u);
/* Whether matcher i matches u, without counting. */
bool matcher_matches(const struct matcher *m, const struct user *u);
/*
 * The first matcher (by index) that matches u, without counting: what
 * decided u's fate. For a file matcher *value is the index of the value
 * that matched, else SIZE_MAX. False when none matches.
 */
bool matchset_first(const struct matchset *ms, const struct user *u,
		    size_t *matcher, size_t *value);
/* For a file matcher, whether its value v matched any user. */
bool matchset_value_hit(const struct matchset *ms, size_t matcher, size_t v);

#endif
