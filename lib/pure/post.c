#include <string.h>

#include "base/buf.h"
#include "base/text.h"
#include "pure/post.h"

const char *const post_status_names[POST_STATUS__MAX] = {
	[POST_DRAFT] = "draft",
	[POST_PUBLISHED] = "published",
};

const struct cursor_sort post_sorts[POST_SORT__MAX] = {
	[POST_SORT_CREATED] = { "createdAt", 0, 0, 0 },
	[POST_SORT_UPDATED] = { "updatedAt", 0, 0, 0 },
	[POST_SORT_TITLE] = { "title", 1, 0, 1 },
	/* bm25 scores shift as posts come and go: no key stays put. */
	[POST_SORT_RELEVANCE] = { "relevance", 0, 1, 0 },
};

const char *
post_status_name(enum post_status s)
{
	return s == POST_PUBLISHED ? post_status_names[POST_PUBLISHED] :
	    post_status_names[POST_DRAFT];
}

int
post_status_parse(const char *s, enum post_status *out)
{
	int i;

	if (s == NULL || (i = text_name_index(post_status_names,
	    POST_STATUS__MAX, s, strlen(s))) == -1)
		return -1;
	*out = (enum post_status)i;
	return 0;
}

char *
post_cursor(struct arena *a, const struct cursor_params *lp,
    const struct post *last)
{
	int64_t key = lp->sort == POST_SORT_UPDATED ? last->updated_at :
	    last->created_at;

	return cursor_make(a, lp, post_sorts, key, last->title, last->id);
}

void
post_etag(const struct post *p, char out[POST_ETAG_MAX])
{
	size_t n = 0;

	/* "id-version": two numbers of at most 20 characters each. */
	out[n++] = '"';
	n += buf_digits(out + n, (long long)p->id, 10, 0);
	out[n++] = '-';
	n += buf_digits(out + n, (long long)p->version, 10, 0);
	out[n++] = '"';
	out[n] = '\0';
}

/* 1 for moderators and admins. */
static int
is_staff(const struct principal *who)
{
	return who->user_id != 0 && who->role != ROLE_USER;
}

/* 1 when who wrote p. */
static int
is_author(const struct post *p, const struct principal *who)
{
	return who->user_id != 0 && who->user_id == p->author_id;
}

int
post_visible(const struct post *p, const struct principal *who)
{
	return p->status == POST_PUBLISHED || is_author(p, who) ||
	    is_staff(who);
}

enum err
post_may_change(const struct post *p, const struct principal *who,
    int content)
{
	if (!post_visible(p, who))
		return ERR_NOT_FOUND;
	if (is_author(p, who) || (who->user_id != 0 && who->role == ROLE_ADMIN))
		return ERR_NONE;
	if (who->user_id != 0 && who->role == ROLE_MODERATOR && !content)
		return ERR_NONE;
	return ERR_FORBIDDEN;
}

enum err
post_may_delete(const struct post *p, const struct principal *who)
{
	if (!post_visible(p, who))
		return ERR_NOT_FOUND;
	return is_author(p, who) || is_staff(who) ? ERR_NONE : ERR_FORBIDDEN;
}

void
post_filter_visible(struct post_filter *f, const struct principal *who)
{
	if (is_staff(who))
		return;
	if (f->status == -1)
		f->status = POST_PUBLISHED;
	if (f->status == POST_DRAFT) {
		if (who->user_id == 0 ||
		    (f->author != 0 && f->author != who->user_id))
			f->nothing = 1;
		f->author = who->user_id;
	}
}

#define STR_(x)	#x
#define STR(x)	STR_(x)

const struct post_query_text post_query_faults[POST_QUERY__MAX] = {
	[POST_QUERY_OK] = { "", "" },
	[POST_QUERY_TOO_LONG] = { "too_long", "A search (q) holds at most "
	    STR(POST_QUERY_MAX_CHARS) " characters." },
	[POST_QUERY_NO_WORD] = { "invalid_value",
	    "A search (q) needs a word: letters or digits." },
	[POST_QUERY_TOO_MANY_TERMS] = { "too_many_terms", "A search (q) holds "
	    "at most " STR(POST_QUERY_MAX_TERMS) " words; a word joined by "
	    "punctuation, such as e-mail, counts as its parts." },
	[POST_QUERY_TOO_MANY_PREFIXES] = { "too_many_prefixes", "A search (q) "
	    "holds at most " STR(POST_QUERY_MAX_PREFIXES) " prefix words "
	    "(ending in *)." },
	[POST_QUERY_PREFIX_TOO_SHORT] = { "prefix_too_short", "A prefix word "
	    "in a search (q) needs at least " STR(POST_QUERY_MIN_PREFIX)
	    " letters or digits before its *." },
};
