/*
 * Human renderings of a plan: text for terminals, markdown for pull-request
 * comments. Both show the same facts as the plan file.
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/effect.h"
#include "reconcile/plan.h"
#include "util/hmap.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"

#define RED    "\033[31m"
#define GREEN  "\033[32m"
#define YELLOW "\033[33m"
#define BOLD   "\033[1m"
#define DIM    "\033[2m"
#define RESET  "\033[0m"

struct paint {
	bool on;
};

static const char *c(const struct paint *p, const char *code)
{
	return p->on ? code : "";
}

/* Vendor strings are untrusted: never echoed raw (see util/text.h). */
static void add_clean(struct strbuf *out, const char *s)
{
	if (s)
		text_clean(out, s, strlen(s));
}

static void text_source(const struct plan *p, struct strbuf *out)
{
	const struct plan_source *s = &p->source;

	if (s->kind == SOURCE_GIT)
		strbuf_addf(out, "Plan from %s at %s (commit %.12s) path %s\n",
			    s->url, s->ref ? s->ref : "HEAD", s->commit,
			    s->path);
	else
		strbuf_addf(out, "Plan from %s (sha256 %.12s)\n", s->path,
			    s->sha256 ? s->sha256 : "");
	if (s->kind == SOURCE_GIT && s->subject)
		strbuf_addf(out, "  commit by %s: %s\n", s->author, s->subject);
	if (s->live)
		strbuf_addf(out, "  live users from snapshot %s\n", s->live);
}

/* Values of a keep change shown in text unless -v: the rest is counted. */
#define TEXT_CHANGES_SHOWN 20

static void text_values(const char *sign, char *const *v, size_t n,
			const struct render_opts *o, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n && (o->verbose || i < TEXT_CHANGES_SHOWN); i++) {
		strbuf_addf(out, "    %s ", sign);
		add_clean(out, v[i]);
		strbuf_addch(out, '\n');
	}
	if (i < n)
		strbuf_addf(out, "    ... and %zu more (-v lists them all)\n",
			    n - i);
}

/* The keep values added and removed since plan --compare-ref. */
static void text_keep_changes(const struct plan *p,
			      const struct tenant_plan *tp,
			      const struct render_opts *o,
			      const struct paint *pt, struct strbuf *out)
{
	const struct keep_changes *kc = tp->keep_changes;

	if (!p->compare_ref || tp->error)
		return;
	strbuf_addstr(out, "  keep list since ");
	add_clean(out, p->compare_ref);
	strbuf_addf(out, " (commit %.12s): ",
		    p->compare_commit ? p->compare_commit : "");
	if (!kc) {
		strbuf_addstr(out, "a new tenant, nothing to compare\n");
		return;
	}
	strbuf_addf(out,
		    "%zu values then, %zu now: %s%zu removed%s, %zu added\n",
		    kc->before, tp->keep_values, kc->nremoved ? c(pt, RED) : "",
		    kc->nremoved, kc->nremoved ? c(pt, RESET) : "", kc->nadded);
	text_values("-", kc->removed, kc->nremoved, o, out);
	text_values("+", kc->added, kc->nadded, o, out);
}

/* One planned user, on one line. */
static void text_user(const struct plan_user *u, const struct paint *pt,
		      struct strbuf *out)
{
	strbuf_addf(out, "  %s-%s ", c(pt, RED), c(pt, RESET));
	add_clean(out, u->id);
	strbuf_addstr(out, "  ");
	add_clean(out, u->email ? u->email : "(no email)");
	if (u->username && u->username != u->email &&
	    (!u->email || strcmp(u->username, u->email))) {
		strbuf_addstr(out, "  ");
		add_clean(out, u->username);
	}
	if (u->name) {
		strbuf_addstr(out, "  \"");
		add_clean(out, u->name);
		strbuf_addch(out, '"');
	}
	if (u->type != USER_HUMAN || u->status != STATUS_ACTIVE)
		strbuf_addf(out, "  %s(%s, %s)%s", c(pt, DIM),
			    user_type_name(u->type),
			    user_status_name(u->status), c(pt, RESET));
	strbuf_addch(out, '\n');
}

/*
 * What the tenant's changes reach and cost, then its users under what
 * will happen to them (DESIGN §4): "12 users deactivated (restore with
 * userprune restore):".
 */
static void text_effects(const struct plan *p, const struct tenant_plan *tp,
			 const struct render_opts *o, const struct paint *pt,
			 struct strbuf *out)
{
	struct strbuf cost = STRBUF_INIT;
	struct effect_groups g;
	size_t i, j, shown = 0;

	if (tp->error)
		return;
	strbuf_addstr(out, "  ");
	effect_blast_radius(tp, out);
	strbuf_addch(out, '\n');
	effect_apply_cost(tp, &cost);
	if (cost.len)
		strbuf_addf(out, "  %s\n", cost.buf);
	strbuf_release(&cost);
	effect_groups_init(&g, p, tp);
	for (i = 0; i < g.n; i++) {
		strbuf_addf(out, "  %s%zu user%s ", c(pt, BOLD), g.v[i].n,
			    g.v[i].n == 1 ? "" : "s");
		add_clean(out, g.v[i].words);
		strbuf_addf(out, ":%s\n", c(pt, RESET));
		for (j = 0;
		     j < g.v[i].n && (!o->max_users || shown < o->max_users);
		     j++, shown++)
			text_user(g.v[i].u[j], pt, out);
		if (j < g.v[i].n)
			strbuf_addf(out, "  %s... and %zu more%s\n", c(pt, RED),
				    g.v[i].n - j, c(pt, RESET));
	}
	effect_groups_release(&g);
	/* the plan file holds every one: say how to see them */
	if (shown < tp->ndel && o->plan_file)
		strbuf_addf(out,
			    "  (%zu of %zu listed; all of them: userprune show "
			    "%s --max-users 0)\n",
			    shown, tp->ndel, o->plan_file);
	else if (shown < tp->ndel)
		strbuf_addf(out,
			    "  (%zu of %zu listed; --max-users 0 lists all of "
			    "them)\n",
			    shown, tp->ndel);
}

static void text_tenant(const struct plan *p, const struct tenant_plan *tp,
			const struct render_opts *o, const struct paint *pt,
			struct strbuf *out)
{
	const struct plan_counts *n = &tp->counts;
	size_t i;

	strbuf_addf(out, "\n%s%s%s  %s  %s%s\n", c(pt, BOLD), tp->t.name,
		    c(pt, RESET), tp->t.vendor ? tp->t.vendor->name : "?",
		    tp->t.url,
		    tp->t.mode == MODE_REPORT ? "  (report only)" : "");
	if (tp->error) {
		strbuf_addf(out, "  %serror:%s ", c(pt, RED), c(pt, RESET));
		add_clean(out, tp->error);
		strbuf_addch(out, '\n');
	} else {
		strbuf_addf(out,
			    "  %zu live, %zu in scope: %zu kept, %zu "
			    "protected, %zu pending, %s%zu to delete%s\n",
			    n->live, n->in_scope, n->kept, n->protected,
			    n->pending, n->delete ? c(pt, RED) : "", n->delete,
			    n->delete ? c(pt, RESET) : "");
	}
	text_effects(p, tp, o, pt, out);
	if (tp->mass_deletion)
		strbuf_addf(out,
			    "  %s+ then MassUserDeletion: Bizagi deletes EVERY "
			    "user without references in this environment, "
			    "listed or not%s\n",
			    c(pt, RED), c(pt, RESET));
	for (i = 0; i < tp->nwarnings; i++) {
		strbuf_addf(out, "  %swarning:%s ", c(pt, YELLOW),
			    c(pt, RESET));
		add_clean(out, tp->warnings[i]);
		strbuf_addch(out, '\n');
	}
	for (i = 0; i < tp->nguards; i++) {
		const struct guard *g = &tp->guards[i];

		/* a waived guard is a decision a reviewer must see */
		if (!g->tripped && !g->waived && !o->verbose)
			continue;
		strbuf_addf(out, "  %s%s%s %s: ",
			    c(pt, g->tripped  ? RED
				  : g->waived ? YELLOW
					      : GREEN),
			    g->tripped	? "REFUSED"
			    : g->waived ? "APPROVED"
					: "ok",
			    c(pt, RESET), g->name);
		add_clean(out, g->detail);
		strbuf_addch(out, '\n');
	}
}

/*
 * What the plan's changes do, all tenants together: "By effect: 5
 * deactivated (restore with userprune restore); 2 deleted (irreversible)."
 * A deactivation plan is not a deletion plan, whatever its counts say.
 */
static void text_effect_totals(const struct plan *p, struct strbuf *out)
{
	struct effect_groups g;
	struct hmap seen = HMAP_INIT;
	size_t *n = NULL, cap = 0, k = 0, i, j;
	char **words = NULL;
	int inserted;

	for (i = 0; i < p->ntenants; i++) {
		effect_groups_init(&g, p, &p->tenants[i]);
		for (j = 0; j < g.n; j++) {
			char *w = xstrdup(g.v[j].words);
			uint32_t *at = hmap_put(&seen, w, strlen(w),
						(uint32_t)k, &inserted);

			if (inserted) {
				words = xgrow(words, &cap, k + 1,
					      sizeof(*words));
				n = xrealloc(n, cap * sizeof(*n));
				words[k] = w;
				n[k++] = 0;
			} else {
				free(w);
			}
			n[*at] += g.v[j].n;
		}
		effect_groups_release(&g);
	}
	for (i = 0; i < k; i++) {
		strbuf_addf(out, "%s%zu ", i ? "; " : "By effect: ", n[i]);
		add_clean(out, words[i]);
	}
	if (k)
		strbuf_addstr(out, ".\n");
	hmap_release(&seen);
	for (i = 0; i < k; i++)
		free(words[i]);
	free(words);
	free(n);
}

void plan_render_text(const struct plan *p, const struct render_opts *o,
		      struct strbuf *out)
{
	struct paint pt = { o->color };
	size_t i, total = plan_total_deletes(p), tenants = 0;

	text_source(p, out);
	for (i = 0; i < p->ntenants; i++) {
		text_tenant(p, &p->tenants[i], o, &pt, out);
		text_keep_changes(p, &p->tenants[i], o, &pt, out);
		if (p->tenants[i].ndel)
			tenants++;
	}
	strbuf_addch(out, '\n');
	if (plan_has_errors(p)) {
		strbuf_addf(out,
			    "%sNo plan:%s listing failed; nothing will be "
			    "deleted.\n",
			    c(&pt, RED), c(&pt, RESET));
	} else if (plan_refused(p)) {
		strbuf_addf(out,
			    "%sPlan refused by a guard:%s nothing will be "
			    "deleted. Fix the configuration or raise the "
			    "policy in the file.\n",
			    c(&pt, RED), c(&pt, RESET));
	} else if (!total) {
		strbuf_addstr(out, "No changes: every live user is kept, "
				   "protected, pending or out of scope.\n");
	} else {
		strbuf_addf(out,
			    "Plan: %s%zu user%s to delete%s in %zu tenant%s.\n",
			    c(&pt, BOLD), total, total == 1 ? "" : "s",
			    c(&pt, RESET), tenants, tenants == 1 ? "" : "s");
		text_effect_totals(p, out);
		if (o->plan_file)
			strbuf_addf(out,
				    "Apply exactly this plan with: "
				    "userprune apply %s\n",
				    o->plan_file);
	}
}

/* ---- markdown ---- */

/*
 * Longest vendor value a markdown cell shows, and longest message (guard,
 * warning, error): a 70,000-character display name must not make a part
 * larger than a pull-request comment may be.
 */
#define MD_CELL_MAX 256
#define MD_TEXT_MAX 2000

/*
 * Appends s cleaned, cut at max bytes (at a character boundary, marked
 * with an ellipsis) and escaped for a markdown table cell and HTML.
 */
static void md_escaped(struct strbuf *out, const char *s, size_t max)
{
	struct strbuf clean = STRBUF_INIT;
	size_t i, len;

	if (!s || !*s) {
		strbuf_addstr(out, "—");
		return;
	}
	text_clean(&clean, s, strlen(s));
	len = clean.len;
	if (len > max) {
		len = max;
		while (len && ((unsigned char)clean.buf[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < len; i++) {
		char ch = clean.buf[i];

		switch (ch) {
		case '<':
			strbuf_addstr(out, "&lt;");
			break;
		case '>':
			strbuf_addstr(out, "&gt;");
			break;
		case '&':
			strbuf_addstr(out, "&amp;");
			break;
		case '|':
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '#':
		case '~':
			strbuf_addch(out, '\\');
			strbuf_addch(out, ch);
			break;
		default:
			strbuf_addch(out, ch);
		}
	}
	if (len < clean.len)
		strbuf_addstr(out, "…");
	strbuf_release(&clean);
}

/* A vendor value (id, email, name) in a table cell or a heading. */
static void md_cell(struct strbuf *out, const char *s)
{
	md_escaped(out, s, MD_CELL_MAX);
}

/* A message: a guard's detail, a warning, an error. */
static void md_text(struct strbuf *out, const char *s)
{
	md_escaped(out, s, MD_TEXT_MAX);
}

static void md_header(const struct plan *p, struct strbuf *out)
{
	const struct plan_source *s = &p->source;

	strbuf_addstr(out, "## userprune plan\n\n");
	if (s->kind == SOURCE_GIT) {
		strbuf_addstr(out, "**Source:** ");
		md_cell(out, s->url);
		strbuf_addstr(out, " at `");
		md_cell(out, s->ref ? s->ref : "HEAD");
		strbuf_addf(out, "`, commit `%.12s`, path `", s->commit);
		md_cell(out, s->path);
		strbuf_addstr(out, "`");
		if (s->subject) {
			strbuf_addstr(out, " — ");
			md_cell(out, s->subject);
			strbuf_addstr(out, " (");
			md_cell(out, s->author);
			strbuf_addstr(out, ")");
		}
		strbuf_addstr(out, "\n");
	} else {
		strbuf_addstr(out, "**Source:** `");
		md_cell(out, s->path);
		strbuf_addf(out, "` (sha256 `%.12s`)\n",
			    s->sha256 ? s->sha256 : "");
	}
	if (s->live) {
		strbuf_addstr(out, "**Live users:** snapshot `");
		md_cell(out, s->live);
		strbuf_addstr(out, "`\n");
	}
	if (p->checksum[0])
		strbuf_addf(out, "**Plan checksum:** `%.12s` · ", p->checksum);
	strbuf_addf(out, "userprune %s · %s\n",
		    p->tool_version ? p->tool_version : "",
		    p->created ? p->created : "");
}

static const char *md_status(const struct tenant_plan *tp)
{
	if (tp->error)
		return "❌ listing failed";
	if (tp->refused)
		return "⛔ refused";
	if (tp->t.mode == MODE_REPORT)
		return "📋 report only";
	return tp->ndel ? "✅ ready" : "✅ no changes";
}

/*
 * Assembling parts. A part is the header, the "part i of n" line, and
 * blocks: a table row, a list item, a heading with its first item, a
 * <details> section of user rows. Every block is bounded by the cell and
 * message limits, so a block that does not fit the current part fits an
 * empty one. A part that ends inside a section closes it, and the next
 * one opens it again ("continued"), so that each part is a complete
 * document. Sizes are counted in bytes, which bounds characters too.
 */
struct md {
	char **parts;
	size_t n;
	struct strbuf cur;
	struct strbuf header; /* what every part starts with */
	struct strbuf again;  /* the section a new part opens again */
	size_t fresh;	      /* the length of cur with no block in it */
	const struct plan *p;
	size_t max_users;      /* per tenant; 0: all */
	const char *plan_file; /* where the full list is, or NULL */
};

/* Room for the "_Part i of n._" line added when the parts are known. */
#define MD_PART_LINE_MAX 64

static size_t md_room(const struct md *m)
{
	size_t used = m->cur.len + MD_PART_LINE_MAX;

	return used >= MARKDOWN_PART_MAX ? 0 : MARKDOWN_PART_MAX - used;
}

static void md_flush(struct md *m)
{
	m->parts = xrealloc(m->parts, (m->n + 1) * sizeof(*m->parts));
	m->parts[m->n++] = strbuf_detach(&m->cur, NULL);
}

/* Ends the current part and starts the next, opening the section again. */
static void md_new_part(struct md *m)
{
	md_flush(m);
	strbuf_add(&m->cur, m->header.buf, m->header.len);
	strbuf_add(&m->cur, m->again.buf, m->again.len);
	m->fresh = m->cur.len;
}

/* Sets the section a new part opens again (NULL: none). */
static void md_section(struct md *m, const char *again)
{
	strbuf_reset(&m->again);
	if (again)
		strbuf_addstr(&m->again, again);
}

static bool md_part_empty(const struct md *m)
{
	return m->cur.len == m->fresh;
}

/*
 * Adds a block whole, in a new part when it does not fit this one. A
 * block larger than an empty part (none is, by the limits above) is cut
 * rather than let the part grow past the limit.
 */
static void md_block(struct md *m, const struct strbuf *block)
{
	static const char cut[] = "…\n";
	const char *b = block->buf;
	size_t room, len = block->len;

	if (len > md_room(m) && !md_part_empty(m))
		md_new_part(m);
	room = md_room(m);
	if (len > room) {
		len = room > sizeof(cut) - 1 ? room - (sizeof(cut) - 1) : 0;
		while (len && ((unsigned char)b[len] & 0xc0) == 0x80)
			len--;
		strbuf_add(&m->cur, b, len);
		if (md_room(m) >= sizeof(cut) - 1)
			strbuf_addstr(&m->cur, cut);
		return;
	}
	strbuf_add(&m->cur, b, len);
}

static void md_summary(struct md *m)
{
	static const char head[] =
		"\n| tenant | vendor | live | in scope | kept | "
		"protected | pending | delete | status |\n"
		"|---|---|---:|---:|---:|---:|---:|---:|---|\n";
	const struct plan *p = m->p;
	struct strbuf b = STRBUF_INIT;
	size_t i, total = plan_total_deletes(p);

	for (i = 0; i < p->ntenants; i++) {
		const struct tenant_plan *tp = &p->tenants[i];
		const struct plan_counts *n = &tp->counts;

		strbuf_reset(&b);
		if (i == 0)
			strbuf_addstr(&b, head);
		strbuf_addstr(&b, "| ");
		md_cell(&b, tp->t.name);
		strbuf_addf(&b,
			    " | %s | %zu | %zu | %zu | %zu | %zu | **%zu** | "
			    "%s |\n",
			    tp->t.vendor ? tp->t.vendor->name : "?", n->live,
			    n->in_scope, n->kept, n->protected, n->pending,
			    n->delete, md_status(tp));
		md_block(m, &b);
		/* a long table goes on in the next part under its head */
		md_section(m, head);
	}
	md_section(m, NULL);
	strbuf_reset(&b);
	if (plan_has_errors(p))
		strbuf_addstr(&b, "\n**No plan:** listing failed for a "
				  "tenant; nothing will be deleted.\n");
	else if (plan_refused(p))
		strbuf_addstr(&b, "\n**Refused by a guard:** nothing will "
				  "be deleted.\n");
	else
		strbuf_addf(&b, "\n**%zu user%s to delete.**\n", total,
			    total == 1 ? "" : "s");
	md_block(m, &b);
	strbuf_release(&b);
}

static void md_user_row(struct strbuf *out, const struct plan_user *u)
{
	strbuf_addstr(out, "| ");
	md_cell(out, u->id);
	strbuf_addstr(out, " | ");
	md_cell(out, u->email);
	strbuf_addstr(out, " | ");
	md_cell(out, u->username == u->email ? NULL : u->username);
	strbuf_addstr(out, " | ");
	md_cell(out, u->name);
	strbuf_addf(out, " | %s | %s |\n", user_type_name(u->type),
		    user_status_name(u->status));
}

/*
 * The summary line of users first..last (1-based) of one effect's users
 * in a tenant: "t1: 12 users deactivated (restore with userprune
 * restore), 1–12".
 */
static void md_users_open(struct strbuf *out, const struct tenant_plan *tp,
			  const struct effect_group *g, size_t first,
			  size_t last)
{
	strbuf_addstr(out, "\n<details><summary>");
	md_cell(out, tp->t.name);
	strbuf_addf(out, ": %zu user%s ", g->n, g->n == 1 ? "" : "s");
	md_cell(out, g->words);
	strbuf_addf(out,
		    ", %zu–%zu</summary>\n\n"
		    "| id | email | username | name | type | status |\n"
		    "|---|---|---|---|---|---|\n",
		    first, last);
}

/*
 * The users of one effect, in <details> sections of as many rows as fit
 * the part: each section is one block, opened and closed in its part.
 */
static size_t md_users(struct md *m, const struct tenant_plan *tp,
		       const struct effect_group *g, size_t limit)
{
	static const char close[] = "\n</details>\n";
	struct strbuf sec = STRBUF_INIT, rows = STRBUF_INIT, row = STRBUF_INIT;
	size_t i = 0, first, fixed, shown = g->n < limit ? g->n : limit;

	/* the opening at its longest: the numbers at their widest */
	md_users_open(&sec, tp, g, g->n, g->n);
	fixed = sec.len + strlen(close);
	while (i < shown) {
		strbuf_reset(&row);
		md_user_row(&row, g->u[i]);
		if (fixed + row.len > md_room(m) && !md_part_empty(m))
			md_new_part(m);
		/* as many rows as fit, and at least one */
		first = i;
		strbuf_reset(&rows);
		do {
			strbuf_add(&rows, row.buf, row.len);
			if (++i == shown)
				break;
			strbuf_reset(&row);
			md_user_row(&row, g->u[i]);
		} while (fixed + rows.len + row.len <= md_room(m));
		strbuf_reset(&sec);
		md_users_open(&sec, tp, g, first + 1, i);
		strbuf_add(&sec, rows.buf, rows.len);
		strbuf_addstr(&sec, close);
		md_block(m, &sec);
	}
	strbuf_release(&sec);
	strbuf_release(&rows);
	strbuf_release(&row);
	return shown;
}

/*
 * Adds the i-th item of a tenant's list under its title; a part that
 * starts inside the list opens it again under the tenant's heading.
 */
static void md_list_item(struct md *m, const struct strbuf *head,
			 const char *title, size_t i, const struct strbuf *item)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_add(&b, head->buf, head->len);
	strbuf_addstr(&b, ", continued\n\n");
	if (i == 0) {
		/* the title goes with its first item */
		md_section(m, b.buf);
		strbuf_reset(&b);
		strbuf_addf(&b, "\n#### %s\n\n", title);
		strbuf_add(&b, item->buf, item->len);
		md_block(m, &b);
		strbuf_reset(&b);
		strbuf_add(&b, head->buf, head->len);
		strbuf_addstr(&b, ", continued\n\n");
	} else {
		md_block(m, item);
	}
	strbuf_addf(&b, "#### %s\n\n", title);
	md_section(m, b.buf);
	strbuf_release(&b);
}

/* The summary line of keep values first..last (1-based) of n. */
static void md_values_open(struct strbuf *out, const struct md *m,
			   const struct tenant_plan *tp, const char *what,
			   size_t first, size_t last, size_t n)
{
	strbuf_addstr(out, "\n<details><summary>");
	md_cell(out, tp->t.name);
	strbuf_addf(out, ": keep values %s since ", what);
	md_cell(out, m->p->compare_ref);
	strbuf_addf(out, ", %zu–%zu of %zu</summary>\n\n", first, last, n);
}

/*
 * The keep values removed (or added) since plan --compare-ref, in
 * <details> sections of as many values as fit the part, like md_users.
 */
static void md_values(struct md *m, const struct tenant_plan *tp,
		      const char *what, char *const *v, size_t n)
{
	static const char close[] = "\n</details>\n";
	struct strbuf sec = STRBUF_INIT, rows = STRBUF_INIT, row = STRBUF_INIT;
	size_t i = 0, first, fixed;

	md_values_open(&sec, m, tp, what, n, n, n);
	fixed = sec.len + strlen(close);
	while (i < n) {
		strbuf_reset(&row);
		strbuf_addstr(&row, "- ");
		md_cell(&row, v[i]);
		strbuf_addch(&row, '\n');
		if (fixed + row.len > md_room(m) && !md_part_empty(m))
			md_new_part(m);
		first = i;
		strbuf_reset(&rows);
		do {
			strbuf_add(&rows, row.buf, row.len);
			if (++i == n)
				break;
			strbuf_reset(&row);
			strbuf_addstr(&row, "- ");
			md_cell(&row, v[i]);
			strbuf_addch(&row, '\n');
		} while (fixed + rows.len + row.len <= md_room(m));
		strbuf_reset(&sec);
		md_values_open(&sec, m, tp, what, first + 1, i, n);
		strbuf_add(&sec, rows.buf, rows.len);
		strbuf_addstr(&sec, close);
		md_block(m, &sec);
	}
	strbuf_release(&sec);
	strbuf_release(&rows);
	strbuf_release(&row);
}

/*
 * How the keep list changed since plan --compare-ref: what a reviewer of
 * a keep-list change most needs to see, so it comes before the users.
 */
static void md_keep_changes(struct md *m, const struct tenant_plan *tp)
{
	const struct keep_changes *kc = tp->keep_changes;
	struct strbuf b = STRBUF_INIT;

	if (!m->p->compare_ref || tp->error)
		return;
	strbuf_addstr(&b, "\n**Keep list since ");
	md_cell(&b, m->p->compare_ref);
	strbuf_addf(&b, "** (commit `%.12s`): ",
		    m->p->compare_commit ? m->p->compare_commit : "");
	if (kc)
		strbuf_addf(&b,
			    "%zu values then, %zu now: **%zu removed**, %zu "
			    "added.\n",
			    kc->before, tp->keep_values, kc->nremoved,
			    kc->nadded);
	else
		strbuf_addstr(&b, "a new tenant, nothing to compare.\n");
	md_block(m, &b);
	strbuf_release(&b);
	if (!kc)
		return;
	md_values(m, tp, "removed", kc->removed, kc->nremoved);
	md_values(m, tp, "added", kc->added, kc->nadded);
}

/*
 * What the tenant's changes reach and cost, and its users by what will
 * happen to them (DESIGN §4).
 */
static void md_reach(struct strbuf *b, const struct tenant_plan *tp)
{
	struct strbuf line = STRBUF_INIT;

	if (tp->error)
		return;
	effect_blast_radius(tp, &line);
	/* a list needs a blank line before it */
	if (b->len < 2 || strcmp(b->buf + b->len - 2, "\n\n"))
		strbuf_addch(b, '\n');
	strbuf_addstr(b, "- ");
	md_text(b, line.buf);
	strbuf_reset(&line);
	effect_apply_cost(tp, &line);
	if (line.len) {
		strbuf_addstr(b, "\n- ");
		md_text(b, line.buf);
	}
	strbuf_addch(b, '\n');
	strbuf_release(&line);
}

static void md_effects(struct md *m, const struct tenant_plan *tp)
{
	struct effect_groups g;
	struct strbuf b = STRBUF_INIT;
	size_t i, shown = 0;

	effect_groups_init(&g, m->p, tp);
	for (i = 0; i < g.n; i++)
		shown += md_users(m, tp, &g.v[i],
				  m->max_users ? m->max_users - shown
					       : (size_t)-1);
	effect_groups_release(&g);
	if (shown == tp->ndel)
		return;
	/* a pull-request comment is for review: the rest is counted */
	strbuf_addf(&b, "\n_… and %zu more users to delete in ",
		    tp->ndel - shown);
	md_cell(&b, tp->t.name);
	if (m->plan_file) {
		strbuf_addstr(&b, ": the plan file `");
		md_cell(&b, m->plan_file);
		strbuf_addstr(&b, "` lists every one (`userprune show PLANFILE "
				  "--max-users 0`)._\n");
	} else {
		strbuf_addstr(&b, " (`--max-users 0` lists every one)._\n");
	}
	md_block(m, &b);
	strbuf_release(&b);
}

static void md_tenant(struct md *m, const struct tenant_plan *tp)
{
	struct strbuf b = STRBUF_INIT, head = STRBUF_INIT;
	size_t i;

	strbuf_addstr(&head, "\n### ");
	md_cell(&head, tp->t.name);
	strbuf_addf(&head, " (%s)", tp->t.vendor ? tp->t.vendor->name : "?");
	strbuf_add(&b, head.buf, head.len);
	strbuf_addstr(&b, "\n\n");
	if (tp->error) {
		strbuf_addstr(&b, "**Listing failed:** ");
		md_text(&b, tp->error);
		strbuf_addstr(&b, "\n");
	}
	if (tp->t.mode == MODE_REPORT)
		strbuf_addstr(&b, "Report only: apply never deletes in this "
				  "tenant.\n");
	md_reach(&b, tp);
	if (tp->mass_deletion)
		strbuf_addstr(&b,
			      "\n> **⚠ MassUserDeletion follows the planned "
			      "deactivations:** Bizagi deletes EVERY user "
			      "without references in this environment, "
			      "listed here or not.\n");
	md_block(m, &b);
	for (i = 0; i < tp->nguards; i++) {
		strbuf_reset(&b);
		strbuf_addf(&b, "- %s **",
			    tp->guards[i].tripped  ? "⛔"
			    : tp->guards[i].waived ? "☑️"
						   : "✅");
		md_cell(&b, tp->guards[i].name);
		strbuf_addstr(&b, tp->guards[i].waived ? "** (approved): "
						       : "**: ");
		md_text(&b, tp->guards[i].detail);
		strbuf_addstr(&b, "\n");
		md_list_item(m, &head, "Guards", i, &b);
	}
	md_section(m, NULL);
	for (i = 0; i < tp->nwarnings; i++) {
		strbuf_reset(&b);
		strbuf_addstr(&b, "- ");
		md_text(&b, tp->warnings[i]);
		strbuf_addstr(&b, "\n");
		md_list_item(m, &head, "Warnings", i, &b);
	}
	md_section(m, NULL);
	strbuf_release(&b);
	strbuf_release(&head);
	md_keep_changes(m, tp);
	md_effects(m, tp);
}

void plan_render_markdown(const struct plan *p, char ***parts, size_t *n)
{
	plan_render_markdown_opts(p, NULL, parts, n);
}

void plan_render_markdown_opts(const struct plan *p,
			       const struct render_opts *o, char ***parts,
			       size_t *n)
{
	struct md m = { NULL,
			0,
			STRBUF_INIT,
			STRBUF_INIT,
			STRBUF_INIT,
			0,
			p,
			o ? o->max_users : 0,
			o ? o->plan_file : NULL };
	size_t i;

	md_header(p, &m.header);
	strbuf_add(&m.cur, m.header.buf, m.header.len);
	m.fresh = m.cur.len;
	md_summary(&m);
	for (i = 0; i < p->ntenants; i++)
		md_tenant(&m, &p->tenants[i]);
	md_flush(&m);
	/* every part names its place so a reader can find the rest */
	for (i = 0; m.n > 1 && i < m.n; i++) {
		struct strbuf out = STRBUF_INIT;

		strbuf_add(&out, m.parts[i], m.header.len);
		strbuf_addf(&out, "_Part %zu of %zu._\n", i + 1, m.n);
		strbuf_addstr(&out, m.parts[i] + m.header.len);
		free(m.parts[i]);
		m.parts[i] = strbuf_detach(&out, NULL);
	}
	strbuf_release(&m.header);
	strbuf_release(&m.again);
	*parts = m.parts;
	*n = m.n;
}
