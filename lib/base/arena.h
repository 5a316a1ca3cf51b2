/*
 * arena: per-request memory.  Everything a request allocates comes from its
 * arena and is released at once by arena_reset() when the request ends, so
 * nothing allocated for one request can outlive it.
 */
#ifndef QUILL_ARENA_H
#define QUILL_ARENA_H

#include <stddef.h>

struct arena;

/* A new empty arena, or NULL when out of memory. */
struct arena *arena_new(void);

/* n bytes aligned for any type, or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);

/* A NUL-terminated copy of the first n bytes of s, or NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into the arena; NULL when out of memory or on a format error. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Releases every allocation; keeps the first block for reuse. */
void arena_reset(struct arena *a);

/* Releases the arena itself.  NULL is allowed. */
void arena_free(struct arena *a);

#endif
