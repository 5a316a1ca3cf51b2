/*
 * arena: a chain of blocks; allocation bumps a pointer.  The first block is
 * kept across resets so a steady stream of small requests allocates nothing.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

#define ARENA_BLOCK	((size_t)32 * 1024)
#define ARENA_ALIGN	16

/*
 * Under AddressSanitizer the parts of a block that no live allocation owns
 * are poisoned, so a read past the end of an arena string, or of memory
 * from before arena_reset, is reported as it would be for malloc.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define arena_poison(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define arena_unpoison(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define arena_poison(p, n)	((void)(p), (void)(n))
#define arena_unpoison(p, n)	((void)(p), (void)(n))
#endif

struct block {
	struct block	*next;
	size_t		 size;
	size_t		 used;
	max_align_t	 data[];
};

struct arena {
	struct block	*head;	/* current block; the chain ends at the first */
};

static struct block *
block_new(size_t size)
{
	struct block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	if ((b = malloc(sizeof(*b) + size)) == NULL)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	arena_poison(b->data, size);
	return b;
}

/* Frees a block, first handing its memory back to malloc unpoisoned. */
static void
block_free(struct block *b)
{
	arena_unpoison(b->data, b->size);
	free(b);
}

struct arena *
arena_new(void)
{
	struct arena *a;

	if ((a = malloc(sizeof(*a))) == NULL)
		return NULL;
	if ((a->head = block_new(ARENA_BLOCK)) == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b = a->head, *nb;
	size_t off;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	off = (b->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (off <= b->size && n <= b->size - off) {
		b->used = off + n;
		arena_unpoison((char *)b->data + off, n);
		return (char *)b->data + off;
	}
	nb = block_new(n > ARENA_BLOCK ? n : ARENA_BLOCK);
	if (nb == NULL)
		return NULL;
	nb->next = b;
	nb->used = n;
	a->head = nb;
	arena_unpoison(nb->data, n);
	return nb->data;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if ((p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_reset(struct arena *a)
{
	struct block *b;

	while (a->head->next != NULL) {
		b = a->head;
		a->head = b->next;
		block_free(b);
	}
	a->head->used = 0;
	arena_poison(a->head->data, a->head->size);
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	block_free(a->head);
	free(a);
}
