#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xalloc.h"

#define ARENA_CHUNK (1u << 20)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	char data[];
};

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	arena_init(a);
}

/* n bytes at a multiple of align (a power of two) in the current chunk. */
static void *take(struct arena *a, size_t n, size_t align)
{
	struct arena_chunk *c;
	size_t at = (a->used + align - 1) & ~(align - 1), size;

	if (!a->head || at > a->head->size || a->head->size - at < n) {
		size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->next = a->head;
		a->head = c;
		a->total += size;
		at = 0;
	}
	a->used = at + n;
	return a->head->data + at;
}

void *arena_alloc(struct arena *a, size_t n)
{
	return take(a, n, 8);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	/* strings need no alignment: a million ids are 20 MB less */
	char *p = take(a, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void arena_adopt(struct arena *dst, struct arena *src)
{
	struct arena_chunk **tail = &dst->head;

	if (!dst->head) {
		*dst = *src;
		arena_init(src);
		return;
	}
	/* behind dst's own chunks: its first keeps taking allocations */
	while (*tail)
		tail = &(*tail)->next;
	*tail = src->head;
	dst->total += src->total;
	arena_init(src);
}
