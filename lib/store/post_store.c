#include <stdio.h>
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
		st = db_prepare(lp->desc ? STMT_POST_SEARCH_BEST :
		    STMT_POST_SEARCH_WORST);
	} else {
		st = db_prepare(pages[post_family(f)][lp->sort][lp->desc]);
		bind_start(st, f, lp);
	}
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
	 * are all there are, and nothing need be counted (nor a search's
	 * MATCH run again).  Past the last post, or on a full page, count.
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
