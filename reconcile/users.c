#include <stdlib.h>
#include <string.h>

#include "reconcile/users.h"
#include "util/sha256.h"
#include "util/utf8.h"
#include "util/xalloc.h"

static const char *const type_names[] = { "human", "app", "robot", "customer",
					  "unknown" };
static const char *const status_names[] = { "active", "inactive",
					    "pending_deletion" };

void userstore_init(struct userstore *s)
{
	memset(s, 0, sizeof(*s));
	arena_init(&s->arena);
	hmap_init(&s->by_id);
}

void userstore_release(struct userstore *s)
{
	arena_release(&s->arena);
	hmap_release(&s->by_id);
	free(s->v);
	free(s->caller);
	userstore_init(s);
}

static const char *copy(struct userstore *s, const char *str,
			const char *same_as)
{
	if (!str)
		return NULL;
	/* vendors without usernames often repeat the email: store it once */
	if (same_as && !strcmp(str, same_as))
		return same_as;
	return arena_strdup(&s->arena, str);
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The length of a NUL-separated list, its final empty string included. */
static size_t list_len(const char *list)
{
	const char *p = list;

	while (*p)
		p += strlen(p) + 1;
	return (size_t)(p - list) + 1;
}

int userstore_add(struct userstore *s, const struct user *u)
{
	uint32_t *idx;
	struct user *x;
	const char *id = arena_strdup(&s->arena, u->id);
	int inserted;

	idx = hmap_put(&s->by_id, id, strlen(id), (uint32_t)s->n, &inserted);
	if (!inserted) {
		x = &s->v[*idx];
		if (!same(x->email, u->email) ||
		    !same(x->username, u->username) || x->type != u->type ||
		    x->status != u->status) {
			if (!s->conflicts++)
				s->conflict = x->id;
		}
		return 1;
	}
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	x = &s->v[s->n++];
	x->id = id;
	x->email = copy(s, u->email, NULL);
	x->username = copy(s, u->username, x->email);
	x->name = copy(s, u->name, NULL);
	x->more_emails = NULL;
	if (x->email && u->more_emails && *u->more_emails) {
		size_t n = list_len(u->more_emails);
		char *m = arena_alloc(&s->arena, n);

		memcpy(m, u->more_emails, n);
		x->more_emails = m;
	}
	x->type = u->type;
	x->status = u->status;
	x->flags = u->flags;
	return 0;
}

const struct user *userstore_find(const struct userstore *s, const char *id)
{
	const uint32_t *i = hmap_get(&s->by_id, id, strlen(id));

	return i ? &s->v[*i] : NULL;
}

/*
 * Where each user goes when order holds every user once (a listing puts
 * its pages in offset order): then the index needs only renumbering, not
 * building again. NULL when order leaves users out or repeats one.
 */
static uint32_t *positions(const struct userstore *s, const uint32_t *order,
			   size_t n)
{
	uint32_t *to;
	size_t i;

	if (n != s->n || !n)
		return NULL;
	to = xmalloc(n * sizeof(*to));
	memset(to, 0xff, n * sizeof(*to));
	for (i = 0; i < n; i++) {
		if (order[i] >= n || to[order[i]] != UINT32_MAX) {
			free(to);
			return NULL;
		}
		to[order[i]] = (uint32_t)i;
	}
	return to;
}

void userstore_select(struct userstore *s, const uint32_t *order, size_t n)
{
	struct user *v = xmalloc((n ? n : 1) * sizeof(*v));
	uint32_t *to = positions(s, order, n);
	size_t i, m = 0;
	int inserted;

	if (to) {
		for (i = 0; i < n; i++)
			v[i] = s->v[order[i]];
		hmap_renumber(&s->by_id, to);
		m = n;
	} else {
		hmap_release(&s->by_id);
		hmap_reserve(&s->by_id, n);
		for (i = 0; i < n; i++) {
			const struct user *u = &s->v[order[i]];

			hmap_put(&s->by_id, u->id, strlen(u->id), (uint32_t)m,
				 &inserted);
			if (inserted)
				v[m++] = *u;
		}
	}
	free(to);
	free(s->v);
	s->v = v;
	s->n = m;
	s->cap = n ? n : 1;
}

void userstore_set_caller(struct userstore *s, const char *id)
{
	free(s->caller);
	s->caller = xstrdup_or_null(id);
}

const char *user_email_next(const struct user *u, const char *e)
{
	if (!e)
		return u->email;
	if (e == u->email)
		return u->more_emails;
	e += strlen(e) + 1;
	return *e ? e : NULL;
}

const char *user_type_name(enum user_type t)
{
	return (unsigned)t < 5 ? type_names[t] : "unknown";
}

const char *user_status_name(enum user_status st)
{
	return (unsigned)st < 3 ? status_names[st] : "active";
}

int user_type_parse(const char *name, enum user_type *t)
{
	int i;

	for (i = 0; i < 5; i++) {
		if (!strcmp(name, type_names[i])) {
			*t = (enum user_type)i;
			return 0;
		}
	}
	return -1;
}

int user_status_parse(const char *name, enum user_status *st)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(name, status_names[i])) {
			*st = (enum user_status)i;
			return 0;
		}
	}
	return -1;
}

bool user_id_plannable(const char *id)
{
	const unsigned char *p = (const unsigned char *)id;
	size_t n = strlen(id), i, len;

	if (!n)
		return false;
	for (i = 0; i < n; i += len) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
		len = p[i] < 0x80 ? 1 : utf8_valid_prefix(p + i, n - i);
		/* C1 controls are U+0080..U+009F: 0xc2 0x80..0x9f */
		if (!len || (p[i] == 0xc2 && p[i + 1] <= 0x9f))
			return false;
	}
	return true;
}

static void field(struct sha256 *h, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, ok;

	/* a NUL separator keeps ("ab","c") and ("a","bc") apart; NULL is \1 */
	if (!s) {
		sha256_update(h, "\1", 2);
		return;
	}
	/*
	 * As a plan file holds it, each byte that is not UTF-8 as U+FFFD:
	 * the fingerprint read back from the file must fit its fields.
	 */
	n = strlen(s);
	while ((ok = utf8_check(p, n)) < n) {
		sha256_update(h, p, ok);
		sha256_update(h, "\xef\xbf\xbd", 3);
		p += ok + 1;
		n -= ok + 1;
	}
	sha256_update(h, p, n + 1);
}

void user_fingerprint(const struct user *u, char out[65])
{
	struct sha256 h;
	unsigned char d[32];

	sha256_init(&h);
	field(&h, u->id);
	field(&h, u->email);
	field(&h, u->username);
	field(&h, user_status_name((enum user_status)u->status));
	field(&h, user_type_name((enum user_type)u->type));
	sha256_final(&h, d);
	hex_encode(d, 32, out);
}
