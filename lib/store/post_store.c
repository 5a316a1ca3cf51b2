#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "store/db.h"
#include "store/post_store.h"
#include "base/text.h"

/* The list families of lib/store/stmt.c: which index a page walks. */
enum family { FAMILY_ALL, FAMILY_STATUS, FAMILY_AUTHOR, FAMILY__MAX };

/* The page statement of each family, keyset sort and direction. */
static const enum stmt pages[FAMILY__MAX][POST_SORT_RELEVANCE][2] = {
	[FAMILY_ALL] = {
		{ STMT_POST_PAGE_ALL_CREATED_ASC,
		    STMT_POST_PAGE_ALL_CREATED_DESC },
		{ STMT_POST_PAGE_ALL_UPDATED_ASC,
		    STMT_POST_PAGE_ALL_UPDATED_DESC },
		{ STMT_POST_PAGE_ALL_TITLE_ASC,
		    STMT_POST_PAGE_ALL_TITLE_DESC },
	},
	[FAMILY_STATUS] = {
		{ STMT_POST_PAGE_STATUS_CREATED_ASC,
		    STMT_POST_PAGE_STATUS_CREATED_DESC },
		{ STMT_POST_PAGE_STATUS_UPDATED_ASC,
		    STMT_POST_PAGE_STATUS_UPDATED_DESC },
		{ STMT_POST_PAGE_STATUS_TITLE_ASC,
		    STMT_POST_PAGE_STATUS_TITLE_DESC },
	},
	[FAMILY_AUTHOR] = {
		{ STMT_POST_PAGE_AUTHOR_CREATED_ASC,
		    STMT_POST_PAGE_AUTHOR_CREATED_DESC },
		{ STMT_POST_PAGE_AUTHOR_UPDATED_ASC,
		    STMT_POST_PAGE_AUTHOR_UPDATED_DESC },
		{ STMT_POST_PAGE_AUTHOR_TITLE_ASC,
		    STMT_POST_PAGE_AUTHOR_TITLE_DESC },
	},
};

static const enum stmt counts[FAMILY__MAX] = {
	STMT_POST_COUNT_ALL, STMT_POST_COUNT_STATUS, STMT_POST_COUNT_AUTHOR
};

/*
 * Keys before the first and after the last title, for a first page.
 * Titles compare as bytes (ASCII case folded), and no UTF-8 text sorts
 * after four U+10FFFF but one that starts with them.  (Not the byte 0xff:
 * PostgreSQL takes no text that is not UTF-8, not even as a bound key.)
 */
#define TITLE_LOWEST	""
#define TITLE_HIGHEST	"\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf" \
	"\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf"

/* Binds a post's content (?1 to ?4) and runs st, naming where. */
static enum err
post_write(struct db_stmt *st, enum post_status status, const char *title,
    size_t title_len, const char *body, size_t body_len, int64_t now,
    const char *where)
{
	db_bind_str(st, 1, post_status_name(status));
	db_bind_text(st, 2, title, title_len);
	db_bind_text(st, 3, body, body_len);
	db_bind_int(st, 4, now);
	return db_done(st, where);
}

enum err
post_store_insert(int64_t author, enum post_status status,
    const char *title, size_t title_len, const char *body, size_t body_len,
    int64_t now, int64_t *id)
{
	struct db_stmt *st = db_prepare(STMT_POST_INSERT);
	enum err e;

	db_bind_int(st, 5, author);
	if ((e = post_write(st, status, title, title_len, body, body_len, now,
	    "post_store_insert")) == ERR_NONE)
		*id = db_last_id();
	return e;
}

/* Fills *p from the current row of st (id, author ... title, body/excerpt). */
static void
post_fill(struct arena *a, struct db_stmt *st, struct post *p, int excerpt)
{
	p->id = db_int(st, 0);
	p->author_id = db_int(st, 1);
	if (post_status_parse(db_text_view(st, 2), &p->status) == -1)
		p->status = POST_DRAFT;
	p->version = db_int(st, 3);
	p->created_at = db_int(st, 4);
	p->updated_at = db_int(st, 5);
	p->title = db_text(st, a, 6);
	p->body = db_text(st, a, 7);
	p->excerpt = excerpt;
}

enum err
post_store_get(struct arena *a, int64_t id, struct post *p)
{
	struct db_stmt *st = db_prepare(STMT_POST_BY_ID);
	int found;
	enum err e;

	db_bind_int(st, 1, id);
	if ((found = db_next(st)) == 1)
		post_fill(a, st, p, 0);
	if ((e = db_finish(st, "post_store_get")) != ERR_NONE)
		return e;
	return found ? ERR_NONE : ERR_NOT_FOUND;
}

enum err
post_store_update(int64_t id, enum post_status status, const char *title,
    size_t title_len, const char *body, size_t body_len, int64_t now)
{
	struct db_stmt *st = db_prepare(STMT_POST_UPDATE);

	db_bind_int(st, 5, id);
	return post_write(st, status, title, title_len, body, body_len, now,
	    "post_store_update");
}

enum err
post_store_delete(int64_t id)
{
	struct db_stmt *st = db_prepare(STMT_POST_DELETE);

	db_bind_int(st, 1, id);
	return db_done(st, "post_store_delete");
}

/* The family whose index serves f. */
static enum family
post_family(const struct post_filter *f)
{
	if (f->author != 0)
		return FAMILY_AUTHOR;
	if (f->status != -1)
		return FAMILY_STATUS;
	return FAMILY_ALL;
}

/* Binds f to ?1 ... ?5 of a list statement; what f leaves open stays NULL. */
static void
bind_filter(struct db_stmt *st, const struct post_filter *f)
{
	if (f->author != 0)
		db_bind_int(st, 1, f->author);
	if (f->status != -1)
		db_bind_str(st, 2, post_status_name((enum post_status)f->status));
	db_bind_int(st, 3, f->created_after);
	db_bind_int(st, 4, f->created_before);
	db_bind_str(st, 5, f->match);
}

/*
 * Binds ?6 and ?7, the key and id a keyset page continues after: the
 * cursor's, or one before every post on a first page.  Sorted by creation,
 * the near end of the created range moves the start up to it, so the walk
 * seeks there instead of stepping over every post outside the range.
 */
static void
bind_start(struct db_stmt *st, const struct post_filter *f,
    const struct cursor_params *lp)
{
	int64_t key = lp->desc ? INT64_MAX : INT64_MIN;
	int64_t id = lp->desc ? INT64_MAX : 0;

	if (lp->sort == POST_SORT_TITLE) {
		if (lp->mode == CURSOR_KEYSET && lp->after) {
			db_bind_text(st, 6, lp->after_text, lp->after_text_len);
			db_bind_int(st, 7, lp->after_id);
		} else {
			db_bind_str(st, 6, lp->desc ? TITLE_HIGHEST :
			    TITLE_LOWEST);
			db_bind_int(st, 7, id);
		}
		return;
	}
	if (lp->mode == CURSOR_KEYSET && lp->after) {
		key = lp->after_int;
		id = lp->after_id;
	}
	if (lp->sort == POST_SORT_CREATED) {
		/*
		 * (B, 0) is just above every post created before B, and
		 * (A, INT64_MAX) just below every post created after A.
		 */
		if (lp->desc && key >= f->created_before) {
			key = f->created_before;
			id = 0;
		}
		if (!lp->desc && key <= f->created_after) {
			key = f->created_after;
			id = INT64_MAX;
		}
	}
	db_bind_int(st, 6, key);
	db_bind_int(st, 7, id);
}

/* Counts the posts f selects into *total. */
static enum err
post_count(const struct post_filter *f, int64_t *total)
{
	struct db_stmt *st;

	*total = 0;
	if (f->nothing)
		return ERR_NONE;
	st = db_prepare(f->match != NULL ? STMT_POST_COUNT_MATCH :
	    counts[post_family(f)]);
	bind_filter(st, f);
	if (db_next(st))
		*total = db_int(st, 0);
	return db_finish(st, "post_count");
}

/* A match of a search: its post and rank (lower is better). */
struct ranked {
	int64_t	 id;
	double	 rank;
};

/*
 * 1 when a comes before b in the order asked for: best first (desc) is
 * the lowest rank first, then the newest id; worst first the reverse.
 */
static int
ranked_before(const struct ranked *a, const struct ranked *b, int desc)
{
	if (a->rank != b->rank)
		return desc ? a->rank < b->rank : a->rank > b->rank;
	return desc ? a->id > b->id : a->id < b->id;
}

/* The order of ranked_before, best first, for qsort. */
static int
ranked_cmp_best(const void *a, const void *b)
{
	return ranked_before(a, b, 1) ? -1 : ranked_before(b, a, 1);
}

static int
ranked_cmp_worst(const void *a, const void *b)
{
	return ranked_before(a, b, 0) ? -1 : ranked_before(b, a, 0);
}

/*
 * The k matches that come first, kept in a heap whose root comes last
 * (the one a better match displaces); it grows as matches come, so it
 * holds no more than the matches there are.
 */
struct ranked_top {
	struct ranked	*h;
	size_t		 n, cap, k;
	int		 desc;
};

static void
top_sift_down(struct ranked_top *t, size_t i)
{
	struct ranked x = t->h[i];
	size_t c;

	while ((c = 2 * i + 1) < t->n) {
		if (c + 1 < t->n && ranked_before(&t->h[c], &t->h[c + 1],
		    t->desc))
			c++;
		if (!ranked_before(&x, &t->h[c], t->desc))
			break;
		t->h[i] = t->h[c];
		i = c;
	}
	t->h[i] = x;
}

/* Offers a match; -1 without memory. */
static int
top_offer(struct arena *a, struct ranked_top *t, const struct ranked *m)
{
	struct ranked *grown;
	size_t i, p;

	if (t->n == t->k) {
		if (t->k > 0 && ranked_before(m, &t->h[0], t->desc)) {
			t->h[0] = *m;
			top_sift_down(t, 0);
		}
		return 0;
	}
	if (t->n == t->cap) {
		t->cap = t->cap == 0 ? 32 : 2 * t->cap;
		if (t->cap > t->k)
			t->cap = t->k;
		if ((grown = arena_alloc(a, t->cap * sizeof(*grown))) == NULL)
			return -1;
		if (t->n > 0)
			memcpy(grown, t->h, t->n * sizeof(*grown));
		t->h = grown;
	}
	/* Sift up: a parent that comes before m moves down. */
	for (i = t->n++; i > 0; i = p) {
		p = (i - 1) / 2;
		if (!ranked_before(&t->h[p], m, t->desc))
			break;
		t->h[i] = t->h[p];
	}
	t->h[i] = *m;
	return 0;
}

/*
 * A page of a search: every match is ranked and counted in one pass
 * (*total), the page's are kept, and only their posts are read.  A post
 * deleted between the two reads is left out of the page.  An engine whose
 * ranked statement takes the page's bounds (stmt.h) ranks and counts the
 * matches itself and sends only the page's and those before it.
 */
static enum err
post_search_page(struct arena *a, const struct post_filter *f,
    const struct cursor_params *lp, size_t want, struct post *rows,
    size_t *n, int64_t *total)
{
	struct ranked_top top;
	struct ranked m;
	struct db_stmt *st;
	char *ids;
	int64_t offset = lp->mode == CURSOR_OFFSET ? cursor_offset(lp) : 0;
	size_t i, skip, len;
	int bounded;
	enum err e;

	memset(&top, 0, sizeof(top));
	top.desc = lp->desc;
	top.k = (uint64_t)offset > SIZE_MAX - want ? SIZE_MAX :
	    (size_t)offset + want;
	st = db_prepare(STMT_POST_SEARCH_RANKED);
	bind_filter(st, f);
	if ((bounded = db_params(st) >= 7)) {
		db_bind_int(st, 6, lp->desc);
		db_bind_int(st, 7, top.k > INT64_MAX ? INT64_MAX :
		    (int64_t)top.k);
	}
	while (db_next(st)) {
		m.id = db_int(st, 0);
		m.rank = db_real(st, 1);
		if (bounded)
			*total = db_int(st, 2);
		else
			(*total)++;
		if (top_offer(a, &top, &m) == -1) {
			db_finish(st, "post_store_list");
			return ERR_INTERNAL;
		}
	}
	if ((e = db_finish(st, "post_store_list")) != ERR_NONE)
		return e;
	if ((uint64_t)offset >= top.n)
		return ERR_NONE;
	qsort(top.h, top.n, sizeof(*top.h), top.desc ? ranked_cmp_best :
	    ranked_cmp_worst);
	skip = (size_t)offset;
	/* The page's ids as a JSON array: "[" then each with "," or "]". */
	if ((ids = arena_alloc(a, 1 + (top.n - skip) * BUF_DIGITS_MAX)) ==
	    NULL)
		return ERR_INTERNAL;
	len = 0;
	ids[len++] = '[';
	for (i = skip; i < top.n; i++) {
		len += buf_digits(ids + len, top.h[i].id, 10, 0);
		ids[len++] = i + 1 < top.n ? ',' : ']';
	}
	st = db_prepare(STMT_POST_BY_IDS);
	db_bind_text(st, 1, ids, len);
	/* Each post goes to its place in the page. */
	for (i = skip; i < top.n; i++)
		rows[i - skip].id = 0;
	while (db_next(st)) {
		m.id = db_int(st, 0);
		for (i = skip; i < top.n && top.h[i].id != m.id; i++)
			continue;
		if (i < top.n && rows[i - skip].id == 0)
			post_fill(a, st, &rows[i - skip], 1);
	}
	e = db_finish(st, "post_store_list");
	/* Close the gaps of posts deleted since they were ranked. */
	for (i = 0, *n = 0; i < top.n - skip; i++)
		if (rows[i].id != 0)
			rows[(*n)++] = rows[i];
	return e;
}

enum err
post_store_list(struct arena *a, const struct post_filter *f,
    const struct cursor_params *lp, struct post **rows, size_t *n, int *more,
    int64_t *total)
{
	struct db_stmt *st;
	size_t want, got = 0;
	enum err e;

	*rows = NULL;
	*n = 0;
	*more = 0;
	*total = 0;
	if (f->nothing)
		return ERR_NONE;
	if (lp->sort == POST_SORT_RELEVANCE && f->match == NULL)
		return ERR_INTERNAL;
	/* Cursor mode reads one post more, to learn whether more follow. */
	want = (size_t)lp->limit + (lp->mode == CURSOR_KEYSET);
	if ((*rows = arena_alloc(a, want * sizeof(**rows))) == NULL)
		return ERR_INTERNAL;
	if (lp->sort == POST_SORT_RELEVANCE) {
		e = post_search_page(a, f, lp, want, *rows, &got, total);
		if (got > (size_t)lp->limit) {
			got = (size_t)lp->limit;
			*more = 1;
		}
		*n = got;
		return e;
	}
	st = db_prepare(pages[post_family(f)][lp->sort][lp->desc]);
	bind_start(st, f, lp);
	bind_filter(st, f);
	db_bind_int(st, 8, (int64_t)want);
	db_bind_int(st, 9, lp->mode == CURSOR_OFFSET ? cursor_offset(lp) : 0);
	while (db_next(st)) {
		if (got == (size_t)lp->limit) {
			*more = 1;
			break;
		}
		post_fill(a, st, &(*rows)[got++], 1);
	}
	e = db_finish(st, "post_store_list");
	*n = got;
	/*
	 * A page that is not full is the last: its posts and those before it
	 * are all there are, and nothing need be counted.  Past the last
	 * post, or on a full page, count.
	 */
	if (e == ERR_NONE && lp->mode == CURSOR_OFFSET) {
		if (got < (size_t)lp->limit && (got > 0 || cursor_offset(lp) == 0))
			*total = cursor_offset(lp) + (int64_t)got;
		else
			e = post_count(f, total);
	}
	return e;
}

/* The search being built: the FTS5 query so far, and what it holds. */
struct match_build {
	struct buf	 q;
	size_t		 terms;		/* in the whole query */
	size_t		 word_terms;	/* in the current word */
	size_t		 last_chars;	/* characters of its last term */
	size_t		 nphrases;	/* phrases kept, at: where each starts */
	size_t		 at[POST_QUERY_MAX_TERMS + 1];
};

/* Adds one term the index made of a word to its phrase. */
static int
match_term(void *p, const char *token, int len)
{
	struct match_build *m = p;
	int i;

	m->terms++;
	buf_puts(&m->q, m->word_terms++ > 0 ? " " : "");
	/* No token holds a quote; were one to, it is written twice. */
	for (i = 0; i < len; i++)
		buf_append(&m->q, token[i] == '"' ? "\"\"" : &token[i],
		    token[i] == '"' ? 2 : 1);
	for (m->last_chars = 0, i = 0; i < len; i++)
		m->last_chars += ((unsigned char)token[i] & 0xc0) != 0x80;
	return 0;
}

/*
 * 1 when the phrase that starts at byte from of the query (its last) is
 * one the query holds already: the same words, both prefixes or neither.
 */
static int
phrase_repeated(const struct match_build *m, size_t from)
{
	size_t i, n = m->q.len - from, end;

	for (i = 0; i < m->nphrases; i++) {
		end = i + 1 < m->nphrases ? m->at[i + 1] - 1 : from - 1;
		if (end - m->at[i] == n &&
		    memcmp(m->q.data + m->at[i], m->q.data + from, n) == 0)
			return 1;
	}
	return 0;
}

enum err
post_store_match(struct arena *a, const char *q, const char **match,
    enum post_query_fault *fault)
{
	struct match_build m;
	const char *w, *end;
	size_t len, start, terms, prefixes = 0;
	int prefix;

	memset(&m, 0, sizeof(m));
	*match = NULL;
	*fault = POST_QUERY_OK;
	if (text_utf8_chars(q, strlen(q), POST_QUERY_MAX_CHARS) >
	    POST_QUERY_MAX_CHARS)
		*fault = POST_QUERY_TOO_LONG;
	for (w = q; *fault == POST_QUERY_OK && *w != '\0'; w = end) {
		w += strspn(w, " \t\r\n");
		end = w + strcspn(w, " \t\r\n");
		for (len = (size_t)(end - w); len > 0 && w[len - 1] == '*'; len--)
			continue;
		prefix = len < (size_t)(end - w);
		start = m.q.len;
		terms = m.terms;
		buf_puts(&m.q, m.nphrases > 0 ? " \"" : "\"");
		m.word_terms = 0;
		if (db_fts_tokenize(w, (int)len, &m, match_term) == -1) {
			buf_free(&m.q);
			return ERR_INTERNAL;
		}
		buf_puts(&m.q, prefix ? "\"*" : "\"");
		/* Punctuation alone is no word; a word again adds nothing. */
		if (m.q.oom || m.word_terms == 0 ||
		    phrase_repeated(&m, start + (m.nphrases > 0))) {
			m.q.len = start;
			m.terms = terms;
			continue;
		}
		if (m.terms > POST_QUERY_MAX_TERMS)
			*fault = POST_QUERY_TOO_MANY_TERMS;
		else if (prefix && ++prefixes > POST_QUERY_MAX_PREFIXES)
			*fault = POST_QUERY_TOO_MANY_PREFIXES;
		else if (prefix && m.last_chars < POST_QUERY_MIN_PREFIX)
			*fault = POST_QUERY_PREFIX_TOO_SHORT;
		else {
			m.at[m.nphrases] = start + (m.nphrases > 0);
			m.nphrases++;
		}
	}
	if (*fault == POST_QUERY_OK && m.terms == 0)
		*fault = POST_QUERY_NO_WORD;
	if (*fault != POST_QUERY_OK) {
		buf_free(&m.q);
		return ERR_BAD_REQUEST;
	}
	if (m.q.oom || (*match = arena_strndup(a, m.q.data, m.q.len)) == NULL) {
		buf_free(&m.q);
		return ERR_INTERNAL;
	}
	buf_free(&m.q);
	return ERR_NONE;
}
