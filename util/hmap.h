/*
 * hmap: an open-addressing hash index from byte strings to 32-bit values.
 *
 * The map does not own its keys: they must outlive it (they usually live
 * in an arena next to it). Used for the live-user index by id and for the
 * exact-value index of keep and protect lists, so it is built for millions
 * of entries: 24 bytes a slot, linear probing, load factor at most 1/2,
 * and the hash kept in the slot so that probing and growing seldom touch
 * the keys themselves (a cache miss each).
 */
#ifndef USERPRUNE_HMAP_H
#define USERPRUNE_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	const char *key; /* NULL: empty slot */
	uint32_t len;
	uint32_t val;
	uint64_t hash; /* compared first, so keys are rarely touched */
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

#define HMAP_INIT                                                              \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void hmap_init(struct hmap *m);
void hmap_release(struct hmap *m);
/* Makes room for n entries in all without rehashing. */
void hmap_reserve(struct hmap *m, size_t n);
uint64_t hmap_hash(const char *key, size_t len);
/*
 * Inserts key -> val unless the key is present. Returns a pointer to the
 * stored value (the old one when present); *inserted says which.
 */
uint32_t *hmap_put(struct hmap *m, const char *key, size_t len, uint32_t val,
		   int *inserted);
/* Returns a pointer to the value, or NULL. */
uint32_t *hmap_get(const struct hmap *m, const char *key, size_t len);

#endif
