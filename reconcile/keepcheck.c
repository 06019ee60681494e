#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/keepcheck.h"
#include "util/hmap.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Sample values shown next to sample live values, and their length. */
#define SAMPLES	   3
#define SAMPLE_MAX 80

/* 'value', cut at SAMPLE_MAX bytes: a sample shows a shape, not a text. */
static void add_sample(struct strbuf *sb, const char *s)
{
	size_t len = strlen(s);

	if (len <= SAMPLE_MAX) {
		strbuf_addf(sb, "'%s'", s);
		return;
	}
	len = SAMPLE_MAX;
	while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	strbuf_addf(sb, "'%.*s...'", (int)len, s);
}

size_t keep_count_values(const struct matcher_list *keep)
{
	size_t i, n = 0;

	for (i = 0; i < keep->n; i++)
		n += keep->v[i].kind == MATCHER_FILE ? keep->v[i].nvalues : 1;
	return n;
}

/* The field a file's values are compared with, as a user would say it. */
static const char *field_name(enum file_field f)
{
	switch (f) {
	case FILE_ID:
		return "id";
	case FILE_EMAIL:
		return "email";
	case FILE_USERNAME:
		return "username";
	case FILE_ANY:
		break;
	}
	return "any";
}

/* The live value a file of this field would have to hold. */
static const char *live_value(const struct user *u, enum file_field f)
{
	switch (f) {
	case FILE_ID:
		return u->id;
	case FILE_EMAIL:
		return u->email;
	case FILE_USERNAME:
		return u->username;
	case FILE_ANY:
		break;
	}
	return u->email ? u->email : u->username ? u->username : u->id;
}

/*
 * "live emails: 'a@x', 'b@x', 'c@x'": what the values should have looked
 * like. Human accounts first: the keep list is about them.
 */
static void live_samples(struct strbuf *sb, const struct userstore *live,
			 enum file_field f)
{
	size_t i, shown = 0;
	int pass;

	strbuf_addf(sb, "; live %s%s: ",
		    f == FILE_ANY ? "users' emails" : field_name(f),
		    f == FILE_ANY ? "" : "s");
	for (pass = 0; pass < 2 && shown < SAMPLES; pass++) {
		for (i = 0; i < live->n && shown < SAMPLES; i++) {
			const struct user *u = &live->v[i];
			const char *v = live_value(u, f);

			if ((u->type == USER_HUMAN) != (pass == 0) || !v || !*v)
				continue;
			strbuf_addstr(sb, shown ? ", " : "");
			add_sample(sb, v);
			shown++;
		}
	}
	if (!shown)
		strbuf_addstr(sb, "none");
}

static void file_unmatched(struct tenant_plan *tp, const struct config *c,
			   const struct matcher *m,
			   const struct userstore *live)
{
	struct strbuf sb = STRBUF_INIT;
	size_t j;

	strbuf_addf(&sb, "%s:%d:%d: keep file '%s' (", c->name, m->line, m->col,
		    m->path);
	if (m->column)
		strbuf_addf(&sb, "column '%s'", m->column);
	else if (strlen(m->path) > 4 &&
		 !strcasecmp(m->path + strlen(m->path) - 4, ".csv"))
		strbuf_addstr(&sb, "its only column");
	else
		strbuf_addstr(&sb, "one value a line");
	strbuf_addf(&sb,
		    ", field %s): none of its %zu values matched a live "
		    "user: is the column or the field wrong? Its values: ",
		    field_name(m->file_field), m->nvalues);
	for (j = 0; j < m->nvalues && j < SAMPLES; j++) {
		strbuf_addstr(&sb, j ? ", " : "");
		add_sample(&sb, m->values[j].s);
		strbuf_addf(&sb, " (line %d)", m->values[j].line);
	}
	live_samples(&sb, live, m->file_field);
	tenant_plan_guard(tp, "keep_unmatched", true, "%s", sb.buf);
	strbuf_release(&sb);
}

static void inline_unmatched(struct tenant_plan *tp, const struct config *c,
			     const struct matcher_list *keep, size_t n,
			     const struct userstore *live)
{
	struct strbuf sb = STRBUF_INIT;
	const struct matcher *first = NULL;
	size_t i, shown = 0;

	for (i = 0; i < keep->n; i++) {
		char *what;

		if (keep->v[i].kind == MATCHER_FILE)
			continue;
		if (!first)
			first = &keep->v[i];
		if (shown == SAMPLES)
			break;
		what = matcher_describe(&keep->v[i]);
		strbuf_addstr(&sb, shown++ ? ", " : "");
		if (strlen(what) > SAMPLE_MAX)
			add_sample(&sb, what);
		else
			strbuf_addstr(&sb, what);
		strbuf_addf(&sb, " (line %d)", keep->v[i].line);
		free(what);
	}
	live_samples(&sb, live, FILE_ANY);
	tenant_plan_guard(tp, "keep_unmatched", true,
			  "%s:%d:%d: none of the %zu inline keep entries "
			  "matched a live user: %s",
			  c->name, first->line, first->col, n, sb.buf);
	strbuf_release(&sb);
}

void keep_check(struct tenant_plan *tp, const struct config *c,
		const struct tenant *t, const struct matchset *keep,
		const struct userstore *live)
{
	const struct matcher_list *l = &t->keep;
	size_t i, j, hit, ninline = 0, inline_hit = 0;

	tp->keep_values = keep_count_values(l);
	tp->keep_matched = 0;
	for (i = 0; i < l->n; i++) {
		const struct matcher *m = &l->v[i];

		if (m->kind != MATCHER_FILE) {
			ninline++;
			inline_hit += keep->hits[i] > 0;
			continue;
		}
		for (j = hit = 0; j < m->nvalues; j++)
			hit += matchset_value_hit(keep, i, j);
		tp->keep_matched += hit;
		if (!hit && m->nvalues >= KEEP_SOURCE_MIN &&
		    tp->counts.in_scope > tp->counts.pending)
			file_unmatched(tp, c, m, live);
	}
	tp->keep_matched += inline_hit;
	if (!inline_hit && ninline >= KEEP_SOURCE_MIN &&
	    tp->counts.in_scope > tp->counts.pending)
		inline_unmatched(tp, c, l, ninline, live);
}

/* ---- against another ref ---- */

struct valueset {
	struct hmap index;
	char **v; /* distinct values, owned */
	size_t n, cap;
};

static void valueset_add(struct valueset *s, char *value)
{
	int inserted;

	hmap_put(&s->index, value, strlen(value), (uint32_t)s->n, &inserted);
	if (!inserted) {
		free(value);
		return;
	}
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = value;
}

/*
 * The distinct keep values of a tenant as a reviewer reads them: a bare
 * entry or a file value as written, a mapping as described.
 */
static void valueset_fill(struct valueset *s, const struct matcher_list *l)
{
	size_t i, j;

	hmap_init(&s->index);
	s->v = NULL;
	s->n = s->cap = 0;
	hmap_reserve(&s->index, keep_count_values(l));
	for (i = 0; i < l->n; i++) {
		const struct matcher *m = &l->v[i];

		switch (m->kind) {
		case MATCHER_VALUE:
			valueset_add(s, xstrdup(m->value));
			break;
		case MATCHER_FIELDS:
			valueset_add(s, matcher_describe(m));
			break;
		case MATCHER_FILE:
			for (j = 0; j < m->nvalues; j++)
				valueset_add(s, xstrdup(m->values[j].s));
			break;
		}
	}
}

/* Moves the values of a that b lacks into out, sorted. */
static void difference(struct valueset *a, const struct valueset *b,
		       char ***out, size_t *n)
{
	size_t i, cap = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < a->n; i++) {
		if (hmap_get(&b->index, a->v[i], strlen(a->v[i])))
			continue;
		*out = xgrow(*out, &cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = a->v[i];
		a->v[i] = NULL;
	}
}

static int by_bytes(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void valueset_release(struct valueset *s)
{
	size_t i;

	hmap_release(&s->index);
	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

void keep_compare(struct tenant_plan *tp, const struct tenant *now,
		  const struct tenant *before)
{
	struct keep_changes *kc = xcalloc(1, sizeof(*kc));
	struct valueset a, b;

	kc->before = keep_count_values(&before->keep);
	valueset_fill(&a, &now->keep);
	valueset_fill(&b, &before->keep);
	/* a string moved out of a set stays alive, so its index holds */
	difference(&a, &b, &kc->added, &kc->nadded);
	difference(&b, &a, &kc->removed, &kc->nremoved);
	/* qsort wants an array even for no values */
	if (kc->nadded)
		qsort(kc->added, kc->nadded, sizeof(*kc->added), by_bytes);
	if (kc->nremoved)
		qsort(kc->removed, kc->nremoved, sizeof(*kc->removed),
		      by_bytes);
	valueset_release(&a);
	valueset_release(&b);
	keep_changes_free(tp->keep_changes);
	tp->keep_changes = kc;
}
