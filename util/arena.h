/*
 * arena: a bump allocator for many small, equally long-lived strings.
 *
 * Live users and keep values are stored here: one allocation per 1 MiB
 * chunk instead of one per string, and one free for all of them.
 * Pointers returned stay valid until arena_release().
 */
#ifndef USERPRUNE_ARENA_H
#define USERPRUNE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used;  /* bytes used in head */
	size_t total; /* bytes allocated in all chunks */
};

#define ARENA_INIT                                                             \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* n bytes, aligned for any object of up to 8 bytes. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies s[0..n) and terminates it. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* arena copy of s, or NULL when s is NULL. */
char *arena_strdup(struct arena *a, const char *s);
/* Moves src's memory into dst: what src held lives as long as dst. */
void arena_adopt(struct arena *dst, struct arena *src);

#endif
