#include <stdlib.h>
#include <string.h>

#include "reconcile/users.h"
#include "util/hmap.h"
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
}

void userstore_release(struct userstore *s)
{
	arena_release(&s->arena);
	free(s->index);
	free(s->v);
	free(s->caller);
	userstore_init(s);
}

/*
 * The index by id: open addressing over slots of 32 bits of the id's hash
 * (which also places the slot) and the user's place plus one (0: empty).
 * A probe touches an id only where the hashes agree, and a million ids
 * take 16 MiB. The load stays at most one half.
 */
static uint32_t id_hash(const char *id)
{
	return (uint32_t)hmap_hash(id, strlen(id));
}

/* id's slot in s's index (its places are in v), or the empty one. */
static uint64_t *slot_of(const struct userstore *s, const struct user *v,
			 const char *id, uint32_t h)
{
	size_t mask = s->index_cap - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		uint64_t e = s->index[i];

		if (!e || ((uint32_t)(e >> 32) == h &&
			   !strcmp(v[(uint32_t)e - 1].id, id)))
			return &s->index[i];
	}
}

/* Puts user i (at most one of its id) in the index. */
static void index_put(struct userstore *s, uint32_t h, size_t i)
{
	size_t mask = s->index_cap - 1, k = h & mask;

	while (s->index[k])
		k = (k + 1) & mask;
	s->index[k] = (uint64_t)h << 32 | (uint64_t)(i + 1);
}

/* Room for n users in the index; slots keep their hash: no id is read. */
static void index_reserve(struct userstore *s, size_t n)
{
	uint64_t *old = s->index;
	size_t cap = s->index_cap ? s->index_cap : 16, oldcap = s->index_cap, i;

	while (cap < 2 * n)
		cap *= 2;
	if (cap == oldcap)
		return;
	s->index = xcalloc(cap, sizeof(*s->index));
	s->index_cap = cap;
	for (i = 0; i < oldcap; i++)
		if (old[i])
			index_put(s, (uint32_t)(old[i] >> 32),
				  (uint32_t)old[i] - 1);
	free(old);
}

/*
 * A store whose index was freed (userstore_unindex) still holds its
 * users: an index that started empty would take a known id for a new one.
 */
static void index_rebuild(struct userstore *s)
{
	size_t i;

	if (s->index_cap || !s->n)
		return;
	index_reserve(s, s->n);
	for (i = 0; i < s->n; i++)
		index_put(s, id_hash(s->v[i].id), i);
}

void userstore_reserve(struct userstore *s, size_t n)
{
	s->v = xgrow(s->v, &s->cap, n, sizeof(*s->v));
	index_rebuild(s);
	index_reserve(s, n);
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
	uint32_t h = id_hash(u->id);
	uint64_t *slot;
	struct user *x;

	index_rebuild(s);
	if (2 * (s->n + 1) > s->index_cap)
		index_reserve(s, s->n + 1);
	slot = slot_of(s, s->v, u->id, h);
	if (*slot) {
		x = &s->v[(uint32_t)*slot - 1];
		if (!same(x->email, u->email) ||
		    !same(x->username, u->username) || x->type != u->type ||
		    x->status != u->status) {
			if (!s->conflicts++)
				s->conflict = x->id;
		}
		return 1;
	}
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	*slot = (uint64_t)h << 32 | (uint64_t)(s->n + 1);
	x = &s->v[s->n++];
	x->id = arena_strdup(&s->arena, u->id);
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
	uint64_t *slot;

	if (!s->index_cap) {
		/* unindexed, "not found" could be wrong: a bug, stop here */
		if (s->n)
			abort();
		return NULL;
	}
	slot = slot_of(s, s->v, id, id_hash(id));
	return *slot ? &s->v[(uint32_t)*slot - 1] : NULL;
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

	if (to && s->index_cap) {
		for (i = 0; i < n; i++)
			v[i] = s->v[order[i]];
		for (i = 0; i < s->index_cap; i++)
			if (s->index[i])
				s->index[i] =
					(s->index[i] >> 32) << 32 |
					(to[(uint32_t)s->index[i] - 1] + 1);
		m = n;
	} else {
		/* the first of two users with one id wins */
		free(s->index);
		s->index = NULL;
		s->index_cap = 0;
		index_reserve(s, n);
		for (i = 0; i < n; i++) {
			const struct user *u = &s->v[order[i]];
			uint32_t h = id_hash(u->id);
			uint64_t *slot = slot_of(s, v, u->id, h);

			if (*slot)
				continue;
			*slot = (uint64_t)h << 32 | (uint64_t)(m + 1);
			v[m++] = *u;
		}
	}
	free(to);
	free(s->v);
	s->v = v;
	s->n = m;
	s->cap = n ? n : 1;
}

void userstore_unindex(struct userstore *s)
{
	free(s->index);
	s->index = NULL;
	s->index_cap = 0;
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
