/*
 * The emulator's user population: generation, the population file, the
 * generic JSON form and the listing index.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu.h"
#include "util/fileio.h"
#include "util/xalloc.h"

#define USERS_FILE_MAX (1u << 30)

static const char *const type_names[] = { "human", "app", "robot", "customer",
					  "unknown" };
static const char *const status_names[] = { "active", "inactive",
					    "pending_deletion" };

uint64_t emu_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double emu_rand_double(uint64_t *state)
{
	return (double)(emu_rand(state) >> 11) / 9007199254740992.0;
}

static bool is_listed(const struct emu_store *s, const struct emu_user *u)
{
	return !u->gone && s->listed_fn(u);
}

static void tree_add(struct emu_store *s, size_t slot, int delta)
{
	size_t i;

	for (i = slot + 1; i <= s->cap; i += i & (~i + 1))
		s->tree[i] += (uint32_t)delta;
	s->listed += (size_t)(long)delta;
}

/* Rebuilds the tree in O(n) after the array grew. */
static void tree_build(struct emu_store *s)
{
	size_t i, j;

	free(s->tree);
	s->tree = xcalloc(s->cap + 1, sizeof(*s->tree));
	s->listed = 0;
	for (i = 0; i < s->n; i++) {
		if (is_listed(s, &s->v[i])) {
			s->tree[i + 1] = 1;
			s->listed++;
		}
	}
	for (i = 1; i <= s->cap; i++) {
		j = i + (i & (~i + 1));
		if (j <= s->cap)
			s->tree[j] += s->tree[i];
	}
}

static void reserve(struct emu_store *s, size_t need)
{
	size_t cap = s->cap ? s->cap : 64;

	if (need <= s->cap)
		return;
	while (cap < need)
		cap *= 2;
	s->v = xrealloc(s->v, cap * sizeof(*s->v));
	s->cap = cap;
	hmap_reserve(&s->index, cap);
	tree_build(s);
}

void store_init(struct emu_store *s, enum emu_idstyle idstyle,
		bool (*listed_fn)(const struct emu_user *u))
{
	memset(s, 0, sizeof(*s));
	hmap_init(&s->index);
	arena_init(&s->strings);
	s->caller = -1;
	s->idstyle = idstyle;
	s->listed_fn = listed_fn;
}

void store_release(struct emu_store *s)
{
	free(s->v);
	free(s->tree);
	hmap_release(&s->index);
	arena_release(&s->strings);
	memset(s, 0, sizeof(*s));
	s->caller = -1;
}

long store_find(const struct emu_store *s, const char *id)
{
	uint32_t *slot = hmap_get(&s->index, id, strlen(id));

	if (!slot || s->v[*slot].gone)
		return -1;
	return (long)*slot;
}

static void set_num(struct emu_user *u)
{
	const char *p = u->id;
	char *end;

	u->num_ok = false;
	if (*p < '0' || *p > '9' || strlen(p) > 18)
		return;
	u->num = strtoll(p, &end, 10);
	u->num_ok = !*end;
}

/* Adds u, whose strings already live in the arena. */
static long add_owned(struct emu_store *s, const struct emu_user *u)
{
	uint32_t *slot;
	int inserted;

	reserve(s, s->n + 1);
	slot = hmap_put(&s->index, u->id, strlen(u->id), (uint32_t)s->n,
			&inserted);
	if (!inserted) {
		if (!s->v[*slot].gone)
			return -1;
		*slot = (uint32_t)s->n;
	}
	s->v[s->n] = *u;
	s->v[s->n].gone = false;
	set_num(&s->v[s->n]);
	s->live++;
	if (is_listed(s, &s->v[s->n]))
		tree_add(s, s->n, 1);
	return (long)s->n++;
}

long store_add(struct emu_store *s, const struct emu_user *u)
{
	struct emu_user c = *u;
	struct arena *a = &s->strings;

	if (store_find(s, u->id) >= 0)
		return -1;
	c.id = arena_strdup(a, u->id);
	c.email = arena_strdup(a, u->email);
	c.username = arena_strdup(a, u->username);
	c.name = arena_strdup(a, u->name);
	c.vendor_type = arena_strdup(a, u->vendor_type);
	c.raw = arena_strdup(a, u->raw);
	return add_owned(s, &c);
}

void store_remove(struct emu_store *s, long slot)
{
	struct emu_user *u = &s->v[slot];

	if (u->gone)
		return;
	if (is_listed(s, u))
		tree_add(s, (size_t)slot, -1);
	u->gone = true;
	s->live--;
	if (s->caller == slot)
		s->caller = -1;
}

/* Replaces the user at slot with u (same id), keeping the index exact. */
void store_update(struct emu_store *s, long slot, const struct emu_user *u)
{
	struct emu_user *cur = &s->v[slot];
	bool was = is_listed(s, cur), now;

	*cur = *u;
	cur->gone = false;
	set_num(cur);
	now = is_listed(s, cur);
	if (was != now)
		tree_add(s, (size_t)slot, now ? 1 : -1);
}

void store_set_status(struct emu_store *s, long slot, enum emu_status st)
{
	struct emu_user u = s->v[slot];

	u.status = (unsigned char)st;
	store_update(s, slot, &u);
}

long store_nth_listed(const struct emu_store *s, size_t k)
{
	size_t pos = 0, step = 1;

	if (k >= s->listed)
		return -1;
	while (step * 2 <= s->cap)
		step *= 2;
	for (; step; step /= 2) {
		if (pos + step <= s->cap && s->tree[pos + step] <= k) {
			pos += step;
			k -= s->tree[pos];
		}
	}
	return (long)pos;
}

long store_next_listed(const struct emu_store *s, long slot)
{
	size_t i;

	for (i = (size_t)slot + 1; i < s->n; i++)
		if (is_listed(s, &s->v[i]))
			return (long)i;
	return -1;
}

void user_split_name(const struct emu_user *u, const char **first,
		     size_t *first_len, const char **last)
{
	const char *name = u->name ? u->name : "", *sp = strchr(name, ' ');

	*first = name;
	*first_len = sp ? (size_t)(sp - name) : strlen(name);
	*last = sp ? sp + 1 : "";
}

/* Generation */

/* PRE + n (at least `width` digits) + POST, in the arena: faster than printf */
static char *numbered_w(struct arena *a, const char *pre, long n, size_t width,
			const char *post)
{
	char digits[24], *s, *p;
	size_t nd = 0, lp = strlen(pre), lq = strlen(post);
	unsigned long v = (unsigned long)n;

	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || nd < width);
	s = arena_alloc(a, lp + nd + lq + 1);
	memcpy(s, pre, lp);
	p = s + lp;
	while (nd)
		*p++ = digits[--nd];
	memcpy(p, post, lq + 1);
	return s;
}

/* The %06d of generated names. */
static char *numbered(struct arena *a, const char *pre, long n,
		      const char *post)
{
	return numbered_w(a, pre, n, 6, post);
}

static void put_hex(char *out, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < digits; i++)
		out[i] = hex[(v >> (4 * (digits - 1 - i))) & 15];
}

/* A fresh id in the vendor's style; the caller checks uniqueness. */
static char *make_id(struct emu_store *s, uint64_t *rng)
{
	uint64_t a, b;
	char buf[40];

	switch (s->idstyle) {
	case EMU_ID_INT:
		return numbered_w(&s->strings, "", 1000 + (long)s->n, 1, "");
	case EMU_ID_HEX24:
		a = emu_rand(rng);
		b = emu_rand(rng);
		put_hex(buf, a, 16);
		put_hex(buf + 16, b, 8);
		return arena_strndup(&s->strings, buf, 24);
	case EMU_ID_GUID:
	default:
		a = emu_rand(rng);
		b = emu_rand(rng);
		/* version 4, variant 10xx, as real GUIDs read */
		put_hex(buf, a >> 32, 8);
		buf[8] = '-';
		put_hex(buf + 9, a >> 16, 4);
		buf[13] = '-';
		put_hex(buf + 14, (a & 0x0fff) | 0x4000, 4);
		buf[18] = '-';
		put_hex(buf + 19, ((b >> 48) & 0x3fff) | 0x8000, 4);
		buf[23] = '-';
		put_hex(buf + 24, b, 12);
		return arena_strndup(&s->strings, buf, 36);
	}
}

/* Adds a generated user, drawing ids until one is free. */
static void add_generated(struct emu_store *s, struct emu_user *u,
			  uint64_t *rng)
{
	do {
		u->id = make_id(s, rng);
	} while (add_owned(s, u) < 0);
}

/* Spreads `inactive` of `humans` evenly: is human k (1-based) one? */
static bool pick_inactive(long k, long humans, long inactive)
{
	long long a = (long long)k * inactive,
		  b = (long long)(k - 1) * inactive;

	return humans > 0 && a / humans != b / humans;
}

static void generate_group(struct emu_store *s, const struct emu_gen *g,
			   uint64_t *rng, long count, enum emu_type type)
{
	static const char *const prefix[] = { "user", "app", "robot",
					      "customer", "unknown" };
	static const char *const title[] = { "User ", "App ", "Robot ",
					     "Customer ", "Unknown " };
	struct arena *a = &s->strings;
	struct emu_user u;
	long k;

	for (k = 1; k <= count; k++) {
		memset(&u, 0, sizeof(u));
		u.type = (unsigned char)type;
		u.status = EMU_ACTIVE;
		u.name = numbered(a, title[type], k, "");
		if (g->usernames)
			u.username = numbered(a, prefix[type], k, "");
		if (type == EMU_CUSTOMER)
			u.email = numbered(a, "customer", k, "@example.test");
		add_generated(s, &u, rng);
	}
}

void store_generate(struct emu_store *s, const struct emu_gen *g)
{
	uint64_t rng = g->seed ^ 0x7573657270727565ULL;
	struct arena *a = &s->strings;
	struct emu_user u;
	long k;

	reserve(s, (size_t)(g->users + g->closed + g->apps + g->robots +
			    g->customers));
	for (k = 0; k < g->users; k++) {
		memset(&u, 0, sizeof(u));
		u.type = EMU_HUMAN;
		u.status = EMU_ACTIVE;
		if (k == 0) {
			u.email = "admin@example.test";
			u.username = g->usernames ? "admin" : NULL;
			u.name = "Emulator Admin";
		} else {
			/* mixed case, so that matching must fold it */
			u.email =
				k % 7 ? numbered(a, "user", k, "@example.test")
				      : numbered(a, "User", k, "@Example.test");
			if (g->usernames)
				u.username = numbered(a, "user", k, "");
			u.name = numbered(a, "User ", k, "");
			if (pick_inactive(k, g->users - 1, g->inactive))
				u.status = EMU_INACTIVE;
			if (g->uipath_directory && k % 5 == 0)
				u.vendor_type = "2";
			/* spread from the other end than the inactive */
			u.unmanaged = pick_inactive(g->users - k, g->users - 1,
						    g->unmanaged);
		}
		add_generated(s, &u, &rng);
	}
	s->caller = g->users > 0 ? 0 : -1;
	for (k = 1; k <= g->closed; k++) {
		memset(&u, 0, sizeof(u));
		u.type = EMU_HUMAN;
		u.status = EMU_ACTIVE;
		u.closed = true;
		u.email = numbered(a, "closed", k, "@example.test");
		u.name = numbered(a, "Closed ", k, "");
		add_generated(s, &u, &rng);
	}
	generate_group(s, g, &rng, g->apps, EMU_APP);
	generate_group(s, g, &rng, g->robots, EMU_ROBOT);
	generate_group(s, g, &rng, g->customers, EMU_CUSTOMER);
}

/* The generic JSON form */

static int lookup(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static int get_string(struct emu_store *s, const cJSON *v, const char **out,
		      struct err *e)
{
	if (cJSON_IsNull(v)) {
		*out = NULL;
		return 0;
	}
	if (!cJSON_IsString(v))
		return err_set(e, "\"%s\" must be a string or null", v->string);
	*out = arena_strdup(&s->strings, v->valuestring);
	return 0;
}

static int get_enum(const cJSON *v, const char *const *names, int n,
		    unsigned char *out, struct err *e)
{
	int i = cJSON_IsString(v) ? lookup(names, n, v->valuestring) : -1;

	if (i < 0)
		return err_set(e, "\"%s\" has an unknown value", v->string);
	*out = (unsigned char)i;
	return 0;
}

static int get_bool(const cJSON *v, bool *out, struct err *e)
{
	if (!cJSON_IsBool(v))
		return err_set(e, "\"%s\" must be true or false", v->string);
	*out = cJSON_IsTrue(v);
	return 0;
}

/* Serialised JSON of v in the arena, or NULL for null. */
static const char *get_json(struct emu_store *s, const cJSON *v)
{
	char *p;
	const char *copy;

	if (cJSON_IsNull(v))
		return NULL;
	p = cJSON_PrintUnformatted(v);
	if (!p)
		abort();
	copy = arena_strdup(&s->strings, p);
	cJSON_free(p);
	return copy;
}

static int get_id(struct emu_store *s, const cJSON *v, const char **out,
		  struct err *e)
{
	char buf[32];

	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15 &&
	    v->valuedouble == (double)(long long)v->valuedouble) {
		snprintf(buf, sizeof(buf), "%lld", (long long)v->valuedouble);
		*out = arena_strdup(&s->strings, buf);
		return 0;
	}
	if (!cJSON_IsString(v) || !*v->valuestring)
		return err_set(e, "\"id\" must be a non-empty string");
	*out = arena_strdup(&s->strings, v->valuestring);
	return 0;
}

int store_user_from_json(struct emu_store *s, const cJSON *j,
			 struct emu_user *u, bool partial, struct err *e)
{
	const cJSON *m;
	const char *id;
	int rc = 0;

	if (!cJSON_IsObject(j))
		return err_set(e, "a user must be a JSON object");
	if (!partial) {
		memset(u, 0, sizeof(*u));
		u->type = EMU_HUMAN;
		u->status = EMU_ACTIVE;
	}
	cJSON_ArrayForEach(m, j)
	{
		const char *k = m->string;

		if (!strcmp(k, "id")) {
			rc = get_id(s, m, &id, e);
			if (!rc && partial && strcmp(id, u->id))
				rc = err_set(e, "the id cannot be changed");
			u->id = id;
		} else if (!strcmp(k, "email")) {
			rc = get_string(s, m, &u->email, e);
		} else if (!strcmp(k, "username")) {
			rc = get_string(s, m, &u->username, e);
		} else if (!strcmp(k, "name")) {
			rc = get_string(s, m, &u->name, e);
		} else if (!strcmp(k, "type")) {
			rc = get_enum(m, type_names, 5, &u->type, e);
		} else if (!strcmp(k, "status")) {
			rc = get_enum(m, status_names, 3, &u->status, e);
		} else if (!strcmp(k, "undeletable")) {
			rc = get_bool(m, &u->undeletable, e);
		} else if (!strcmp(k, "referenced")) {
			rc = get_bool(m, &u->referenced, e);
		} else if (!strcmp(k, "vanishing")) {
			rc = get_bool(m, &u->vanishing, e);
		} else if (!strcmp(k, "sticky")) {
			rc = get_bool(m, &u->sticky, e);
		} else if (!strcmp(k, "closed")) {
			rc = get_bool(m, &u->closed, e);
		} else if (!strcmp(k, "unmanaged")) {
			rc = get_bool(m, &u->unmanaged, e);
		} else if (!strcmp(k, "fail_delete")) {
			if (!cJSON_IsNumber(m) || m->valuedouble < 0 ||
			    m->valuedouble > 599)
				rc = err_set(e, "'fail_delete' must be an HTTP "
						"status");
			else
				u->fail_delete = (int)m->valuedouble;
		} else if (!strcmp(k, "vendor_type")) {
			u->vendor_type = get_json(s, m);
		} else if (!strcmp(k, "raw")) {
			if (!cJSON_IsObject(m) && !cJSON_IsNull(m))
				rc = err_set(e, "\"raw\" must be an object");
			else
				u->raw = get_json(s, m);
		} else {
			rc = err_set(e, "unknown member \"%s\"", k);
		}
		if (rc)
			return rc;
	}
	if (!u->id)
		return err_set(e, "a user needs an \"id\"");
	return 0;
}

void store_user_to_json(struct jsonw *w, const struct emu_user *u)
{
	jsonw_object_begin(w);
	jsonw_object_string(w, "id", u->id);
	jsonw_object_string(w, "email", u->email);
	jsonw_object_string(w, "username", u->username);
	jsonw_object_string(w, "name", u->name);
	jsonw_object_string(w, "type", type_names[u->type]);
	jsonw_object_string(w, "status", status_names[u->status]);
	jsonw_object_bool(w, "undeletable", u->undeletable);
	jsonw_object_bool(w, "referenced", u->referenced);
	jsonw_object_bool(w, "vanishing", u->vanishing);
	jsonw_object_int(w, "fail_delete", u->fail_delete);
	jsonw_object_bool(w, "sticky", u->sticky);
	jsonw_object_bool(w, "closed", u->closed);
	jsonw_object_bool(w, "unmanaged", u->unmanaged);
	if (u->vendor_type) {
		jsonw_key(w, "vendor_type");
		jsonw_raw(w, u->vendor_type);
	}
	if (u->raw) {
		jsonw_key(w, "raw");
		jsonw_raw(w, u->raw);
	}
	jsonw_object_end(w);
}

/* The population file */

static bool is_caller_name(const struct emu_user *u, const char *name)
{
	return (u->username && !strcmp(u->username, name)) ||
	       (u->email && !strcasecmp(u->email, name));
}

static int load_users(struct emu_store *s, const cJSON *list, struct err *e)
{
	const cJSON *item;
	struct emu_user u;
	size_t i = 0;

	if (!cJSON_IsArray(list))
		return err_set(e, "\"users\" must be an array");
	reserve(s, (size_t)cJSON_GetArraySize(list));
	cJSON_ArrayForEach(item, list)
	{
		if (store_user_from_json(s, item, &u, false, e) < 0)
			return err_prefix(e, "user %zu", i);
		if (add_owned(s, &u) < 0)
			return err_set(e, "user %zu: duplicate id \"%s\"", i,
				       u.id);
		i++;
	}
	return 0;
}

int store_load(struct emu_store *s, const char *path, const char *caller_name,
	       struct err *e)
{
	char *data = NULL;
	size_t len, i;
	cJSON *root = NULL;
	const cJSON *list, *caller = NULL;
	const char *id;
	int rc = -1;

	if (file_read(path, USERS_FILE_MAX, &data, &len, e) < 0)
		return -1;
	root = cJSON_ParseWithLengthOpts(data, len, NULL, 0);
	if (!root) {
		err_set(e, "%s: not valid JSON", path);
		goto out;
	}
	list = root;
	if (cJSON_IsObject(root)) {
		list = cJSON_GetObjectItemCaseSensitive(root, "users");
		caller = cJSON_GetObjectItemCaseSensitive(root, "caller");
	}
	if (load_users(s, list, e) < 0) {
		err_prefix(e, "%s", path);
		goto out;
	}
	s->caller = -1;
	if (caller && !cJSON_IsNull(caller)) {
		if (get_id(s, caller, &id, e) < 0 ||
		    (s->caller = store_find(s, id)) < 0) {
			err_set(e, "%s: \"caller\" is not one of the users",
				path);
			goto out;
		}
	} else if (!caller) {
		for (i = 0; i < s->n && s->caller < 0; i++)
			if (is_caller_name(&s->v[i], caller_name))
				s->caller = (long)i;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	free(data);
	return rc;
}
