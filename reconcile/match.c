#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/match.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define NONE UINT32_MAX

static const char *const field_names[] = { "id",   "email", "username",
					   "name", "type",  "status" };

const char *match_field_name(enum match_field f)
{
	return field_names[f];
}

void matcher_release(struct matcher *m)
{
	int i;

	free(m->value);
	for (i = 0; i < MATCH_NFIELDS; i++)
		free(m->field[i]);
	free(m->path);
	free(m->column);
	free(m->values);
	free(m->problem);
	memset(m, 0, sizeof(*m));
}

char *matcher_describe(const struct matcher *m)
{
	struct strbuf sb = STRBUF_INIT;
	const char *sep = "";
	int i;

	switch (m->kind) {
	case MATCHER_VALUE:
		strbuf_addf(&sb, "'%s'", m->value);
		break;
	case MATCHER_FIELDS:
		strbuf_addstr(&sb, "{");
		for (i = 0; i < MATCH_NFIELDS; i++) {
			if (!m->field[i])
				continue;
			strbuf_addf(&sb, "%s%s: \"%s\"", sep, field_names[i],
				    m->field[i]);
			sep = ", ";
		}
		strbuf_addstr(&sb, "}");
		break;
	case MATCHER_FILE:
		strbuf_addf(&sb, "file '%s'", m->path);
		break;
	}
	return strbuf_detach(&sb, NULL);
}

bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int lower(int c, bool fold)
{
	return fold ? tolower((unsigned char)c) : (unsigned char)c;
}

/* Matches a [...] class at p against c; *end is set past the class. */
static bool match_class(const char *p, int c, bool fold, const char **end)
{
	bool negate = false, hit = false;

	p++; /* '[' */
	if (*p == '!' || *p == '^') {
		negate = true;
		p++;
	}
	c = lower(c, fold);
	do {
		int lo = lower(*p, fold), hi = lo;

		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = lower(p[2], fold);
			p += 2;
		}
		if (c >= lo && c <= hi)
			hit = true;
		p++;
	} while (*p && *p != ']');
	*end = *p ? p + 1 : p;
	return hit != negate;
}

bool glob_match(const char *p, const char *s, bool fold)
{
	const char *star_p = NULL, *star_s = NULL, *next;

	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '[' && strchr(p + 1, ']')) {
			if (match_class(p, *s, fold, &next)) {
				p = next;
				s++;
				continue;
			}
		} else if (*p &&
			   (*p == '?' || lower(*p, fold) == lower(*s, fold))) {
			p++;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return !*p;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *fold(const char *s, char *buf, size_t cap, char **heap, size_t *len)
{
	size_t n, i;
	char *out;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n && is_space(s[n - 1]))
		n--;
	out = n < cap ? buf : (*heap = xmalloc(n + 1));
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	*len = n;
	return out;
}

/* Compares a user's field with a pattern, folding where the field asks. */
/*
 * A pattern matches its own text too: an id or email that happens to hold
 * '[' or '*' must not stop matching itself (an unmatched keep entry means
 * a deletion).
 */
static bool pattern_matches(const char *pat, const char *s, bool fold)
{
	if (fold ? !strcasecmp(pat, s) : !strcmp(pat, s))
		return true;
	return glob_match(pat, s, fold);
}

/* Compares a folded field (email, username) with a pattern. */
static bool folded_matches(const char *pat, const char *v)
{
	char buf[256], *heap = NULL;
	size_t len;
	bool r;

	v = fold(v, buf, sizeof(buf), &heap, &len);
	/* patterns were folded when compiled; folding again is cheap */
	r = pattern_matches(pat, v, true);
	free(heap);
	return r;
}

static bool field_matches(enum match_field f, const char *pat,
			  const struct user *u)
{
	const char *e;

	switch (f) {
	case MATCH_ID:
		return pattern_matches(pat, u->id, false);
	case MATCH_EMAIL:
		/* a user with several addresses is matched by any of them */
		for (e = user_email_next(u, NULL); e; e = user_email_next(u, e))
			if (folded_matches(pat, e))
				return true;
		return false;
	case MATCH_USERNAME:
		return u->username && folded_matches(pat, u->username);
	case MATCH_NAME:
		return u->name && pattern_matches(pat, u->name, false);
	case MATCH_TYPE:
		return glob_match(pat, user_type_name(u->type), false);
	case MATCH_STATUS:
		return glob_match(pat, user_status_name(u->status), false);
	case MATCH_NFIELDS:
		break;
	}
	return false;
}

static bool value_matches(const char *value, const struct user *u)
{
	return field_matches(MATCH_ID, value, u) ||
	       field_matches(MATCH_EMAIL, value, u) ||
	       field_matches(MATCH_USERNAME, value, u);
}

bool matcher_matches(const struct matcher *m, const struct user *u)
{
	size_t i;
	int f;

	switch (m->kind) {
	case MATCHER_VALUE:
		return value_matches(m->value, u);
	case MATCHER_FIELDS:
		for (f = 0; f < MATCH_NFIELDS; f++)
			if (m->field[f] &&
			    !field_matches((enum match_field)f, m->field[f], u))
				return false;
		return true;
	case MATCHER_FILE:
		for (i = 0; i < m->nvalues; i++) {
			const char *v = m->values[i].s;

			switch (m->file_field) {
			case FILE_ANY:
				if (!strcmp(v, u->id) || value_matches(v, u))
					return true;
				break;
			case FILE_ID:
				if (!strcmp(v, u->id))
					return true;
				break;
			case FILE_EMAIL:
				if (field_matches(MATCH_EMAIL, v, u))
					return true;
				break;
			case FILE_USERNAME:
				if (field_matches(MATCH_USERNAME, v, u))
					return true;
				break;
			}
		}
		return false;
	}
	return false;
}

/* Index key kinds: the first byte of every key. */
enum { KEY_ID = 'i', KEY_EMAIL = 'e', KEY_USERNAME = 'u' };
#define KIND_BIT(k) ((k) == KEY_ID ? 1u : (k) == KEY_EMAIL ? 2u : 4u)
#define KIND_NUM(k) ((k) == KEY_ID ? 0 : (k) == KEY_EMAIL ? 1 : 2)

static void index_key(struct matchset *ms, int kind, const char *value,
		      uint32_t entry)
{
	char buf[256], *heap = NULL, *key;
	const char *v = value;
	size_t len = strlen(value);
	uint32_t *slot;
	int inserted;

	if (kind != KEY_ID)
		v = fold(value, buf, sizeof(buf), &heap, &len);
	if (len == 0)
		goto out;
	key = arena_alloc(&ms->keys, len + 1);
	key[0] = (char)kind;
	memcpy(key + 1, v, len);
	ms->kinds |= KIND_BIT(kind);
	slot = hmap_put(&ms->index, key, len + 1, entry, &inserted);
	if (!inserted) {
		/* same value listed twice: chain it so both count hits */
		ms->entries[entry].next[KIND_NUM(kind)] =
			ms->entries[*slot].next[KIND_NUM(kind)];
		ms->entries[*slot].next[KIND_NUM(kind)] = entry;
	}
out:
	free(heap);
}

static uint32_t new_entry(struct matchset *ms, size_t matcher, uint32_t value)
{
	struct matchset_entry *x;

	ms->entries = xgrow(ms->entries, &ms->cap, ms->nentries + 1,
			    sizeof(*ms->entries));
	x = &ms->entries[ms->nentries];
	x->matcher = (uint32_t)matcher;
	x->value = value;
	x->next[0] = x->next[1] = x->next[2] = NONE;
	x->hits = 0;
	return (uint32_t)ms->nentries++;
}

/* Adds the keys a value is looked up by, for a file field selector. */
static void index_value(struct matchset *ms, const char *v, enum file_field ff,
			uint32_t entry)
{
	if (ff == FILE_ANY || ff == FILE_ID)
		index_key(ms, KEY_ID, v, entry);
	if (ff == FILE_ANY || ff == FILE_EMAIL)
		index_key(ms, KEY_EMAIL, v, entry);
	if (ff == FILE_ANY || ff == FILE_USERNAME)
		index_key(ms, KEY_USERNAME, v, entry);
}

/* The only field of a fields matcher when it is exact and indexable. */
static int single_exact_field(const struct matcher *m)
{
	int f, found = -1;

	for (f = 0; f < MATCH_NFIELDS; f++) {
		if (!m->field[f])
			continue;
		if (found >= 0 || f > MATCH_USERNAME || is_glob(m->field[f]))
			return -1;
		found = f;
	}
	return found;
}

void matchset_init(struct matchset *ms, const struct matcher *m, size_t n)
{
	static const enum file_field by_field[] = { FILE_ID, FILE_EMAIL,
						    FILE_USERNAME };
	size_t i, j, total = 0;
	int f;

	memset(ms, 0, sizeof(*ms));
	ms->m = m;
	ms->n = n;
	ms->hits = xcalloc(n ? n : 1, sizeof(*ms->hits));
	ms->first_entry = xmalloc((n ? n : 1) * sizeof(*ms->first_entry));
	ms->linear = xmalloc((n ? n : 1) * sizeof(*ms->linear));
	hmap_init(&ms->index);
	arena_init(&ms->keys);
	/* a value is looked up by one key, or by three when it may be any */
	for (i = 0; i < n; i++)
		total += m[i].kind != MATCHER_FILE     ? 3
			 : m[i].file_field == FILE_ANY ? 3 * m[i].nvalues
						       : m[i].nvalues;
	hmap_reserve(&ms->index, total);
	for (i = 0; i < n; i++) {
		ms->first_entry[i] = NONE;
		switch (m[i].kind) {
		case MATCHER_VALUE:
			if (is_glob(m[i].value))
				break;
			ms->first_entry[i] = new_entry(ms, i, NONE);
			index_value(ms, m[i].value, FILE_ANY,
				    ms->first_entry[i]);
			continue;
		case MATCHER_FIELDS:
			f = single_exact_field(&m[i]);
			if (f < 0)
				break;
			ms->first_entry[i] = new_entry(ms, i, NONE);
			index_value(ms, m[i].field[f], by_field[f],
				    ms->first_entry[i]);
			continue;
		case MATCHER_FILE:
			for (j = 0; j < m[i].nvalues; j++) {
				uint32_t x = new_entry(ms, i, (uint32_t)j);

				if (j == 0)
					ms->first_entry[i] = x;
				index_value(ms, m[i].values[j].s,
					    m[i].file_field, x);
			}
			continue;
		}
		ms->linear[ms->nlinear++] = (uint32_t)i;
	}
}

void matchset_release(struct matchset *ms)
{
	free(ms->hits);
	free(ms->first_entry);
	free(ms->linear);
	free(ms->entries);
	hmap_release(&ms->index);
	arena_release(&ms->keys);
	memset(ms, 0, sizeof(*ms));
}

/* The first index entry a user's value is found under, or NONE. */
static uint32_t chain_head(const struct matchset *ms, int kind,
			   const char *value)
{
	char buf[256], *heap = NULL, *key, stack[258];
	const char *v = value;
	size_t len;
	uint32_t *slot;

	if (!value || !(ms->kinds & KIND_BIT(kind)))
		return NONE;
	len = strlen(value);
	if (kind != KEY_ID)
		v = fold(value, buf, sizeof(buf), &heap, &len);
	key = len + 1 <= sizeof(stack) ? stack : xmalloc(len + 1);
	key[0] = (char)kind;
	memcpy(key + 1, v, len);
	slot = hmap_get(&ms->index, key, len + 1);
	if (key != stack)
		free(key);
	free(heap);
	return slot ? *slot : NONE;
}

static bool lookup(struct matchset *ms, int kind, const char *value)
{
	uint32_t e;
	bool hit = false;

	for (e = chain_head(ms, kind, value); e != NONE;
	     e = ms->entries[e].next[KIND_NUM(kind)]) {
		ms->entries[e].hits++;
		ms->hits[ms->entries[e].matcher]++;
		hit = true;
	}
	return hit;
}

/* Keeps the earliest (matcher, value) of a chain in *m, *v. */
static void chain_first(const struct matchset *ms, int kind, const char *value,
			size_t *m, size_t *v)
{
	uint32_t e;

	for (e = chain_head(ms, kind, value); e != NONE;
	     e = ms->entries[e].next[KIND_NUM(kind)]) {
		size_t em = ms->entries[e].matcher;
		size_t ev = ms->entries[e].value == NONE ? SIZE_MAX
							 : ms->entries[e].value;

		if (em < *m || (em == *m && ev < *v)) {
			*m = em;
			*v = ev;
		}
	}
}

bool matchset_first(const struct matchset *ms, const struct user *u,
		    size_t *matcher, size_t *value)
{
	size_t m = SIZE_MAX, v = SIZE_MAX, i;
	const char *e;

	if (ms->index.n) {
		chain_first(ms, KEY_ID, u->id, &m, &v);
		for (e = user_email_next(u, NULL); e; e = user_email_next(u, e))
			chain_first(ms, KEY_EMAIL, e, &m, &v);
		chain_first(ms, KEY_USERNAME, u->username, &m, &v);
	}
	for (i = 0; i < ms->nlinear; i++) {
		if (ms->linear[i] < m &&
		    matcher_matches(&ms->m[ms->linear[i]], u)) {
			m = ms->linear[i];
			v = SIZE_MAX;
		}
	}
	*matcher = m;
	*value = v;
	return m != SIZE_MAX;
}

bool matchset_match(struct matchset *ms, const struct user *u)
{
	const char *e;
	bool hit = false;
	size_t i;

	if (ms->index.n) {
		hit |= lookup(ms, KEY_ID, u->id);
		for (e = user_email_next(u, NULL); e; e = user_email_next(u, e))
			hit |= lookup(ms, KEY_EMAIL, e);
		hit |= lookup(ms, KEY_USERNAME, u->username);
	}
	for (i = 0; i < ms->nlinear; i++) {
		if (matcher_matches(&ms->m[ms->linear[i]], u)) {
			ms->hits[ms->linear[i]]++;
			hit = true;
		}
	}
	return hit;
}

bool matchset_value_hit(const struct matchset *ms, size_t matcher, size_t v)
{
	uint32_t first = ms->first_entry[matcher];

	return first != NONE && ms->entries[first + v].hits > 0;
}
