#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "xalloc.h"

void hmap_init(struct hmap *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->n = 0;
}

void hmap_release(struct hmap *m)
{
	free(m->slots);
	hmap_init(m);
}

/* FNV-1a with a final avalanche: short keys, no alignment assumptions. */
uint64_t hmap_hash(const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static struct hmap_slot *probe(struct hmap_slot *slots, size_t cap,
			       const char *key, size_t len, uint64_t h)
{
	size_t mask = cap - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		struct hmap_slot *s = &slots[i];

		if (!s->key || (s->hash == h && s->len == len &&
				!memcmp(s->key, key, len)))
			return s;
	}
}

static void rehash(struct hmap *m, size_t cap)
{
	struct hmap_slot *slots = xcalloc(cap, sizeof(*slots));
	size_t i, j, mask = cap - 1;

	for (i = 0; i < m->cap; i++) {
		const struct hmap_slot *s = &m->slots[i];

		if (!s->key)
			continue;
		/* keys are distinct: the first empty slot will do */
		for (j = s->hash & mask; slots[j].key; j = (j + 1) & mask)
			;
		slots[j] = *s;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

void hmap_reserve(struct hmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;

	while (cap < 2 * n)
		cap *= 2;
	if (cap != m->cap)
		rehash(m, cap);
}

uint32_t *hmap_put(struct hmap *m, const char *key, size_t len, uint32_t val,
		   int *inserted)
{
	struct hmap_slot *s;
	uint64_t h;

	/* doubling keeps the load between 1/4 and 1/2 */
	if (2 * (m->n + 1) > m->cap)
		hmap_reserve(m, m->n + 1 > 8 ? m->n + 1 : 8);
	h = hmap_hash(key, len);
	s = probe(m->slots, m->cap, key, len, h);
	*inserted = !s->key;
	if (!s->key) {
		s->key = key;
		s->len = (uint32_t)len;
		s->val = val;
		s->hash = h;
		m->n++;
	}
	return &s->val;
}

uint32_t *hmap_get(const struct hmap *m, const char *key, size_t len)
{
	struct hmap_slot *s;

	if (!m->cap)
		return NULL;
	s = probe(m->slots, m->cap, key, len, hmap_hash(key, len));
	return s->key ? &s->val : NULL;
}
