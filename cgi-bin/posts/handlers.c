/*
 * The handlers of posts.fcgi: read, create, change, delete and list posts.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/app.h"
#include "base/arena.h"
#include "base/error.h"
#include "web/auth.h"
#include "pure/header.h"
#include "web/listing.h"
#include "base/log.h"
#include "store/post_store.h"
#include "web/reply.h"
#include "store/user.h"
#include "base/time.h"
#include "web/site.h"
#include "web/view.h"
#include "posts.h"

enum post_field { PF_TITLE, PF_BODY, PF_STATUS, PF__MAX };

/* POST: a new post is a draft unless it says otherwise. */
static const struct vfield create_fields[PF__MAX] = {
	[PF_TITLE] = { "title", valid_title, 1 },
	[PF_BODY] = { "body", valid_post_body, 1 },
	[PF_STATUS] = { "status", valid_post_status, 0 },
};

/* PUT replaces the whole post. */
static const struct vfield put_fields[PF__MAX] = {
	[PF_TITLE] = { "title", valid_title, 1 },
	[PF_BODY] = { "body", valid_post_body, 1 },
	[PF_STATUS] = { "status", valid_post_status, 1 },
};

/* PATCH changes the fields it names. */
static const struct vfield patch_fields[PF__MAX] = {
	[PF_TITLE] = { "title", valid_title, 0 },
	[PF_BODY] = { "body", valid_post_body, 0 },
	[PF_STATUS] = { "status", valid_post_status, 0 },
};

/* Logs a change to post id by the caller. */
static void
posts_log(struct req *r, const char *event, int64_t id)
{
	char pid[24], uid[24];

	snprintf(pid, sizeof(pid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->who.user_id);
	log_event(LOG_INFO, event, r->request_id, "postId", pid, "userId", uid,
	    NULL);
}

/*
 * Answers with post p and its ETag: 201 Created at location when it is not
 * NULL, else 200.
 */
static enum err
posts_reply(struct req *r, const struct post *p, const char *location)
{
	char etag[POST_ETAG_MAX];

	post_etag(p, etag);
	reply_etag(r, etag);
	return reply_post(r, location, p);
}

/*
 * ERR_PRECONDITION_FAILED unless If-Match, when sent, names p's current
 * version.  Called inside the write transaction, so no other writer can
 * change p between this check and the write.
 */
static enum err
posts_if_match(struct req *r, const struct post *p)
{
	const char *h = http_env(r, "HTTP_IF_MATCH");
	char etag[POST_ETAG_MAX];

	post_etag(p, etag);
	return h == NULL || header_etag_match(h, etag, 0) ? ERR_NONE :
	    ERR_PRECONDITION_FAILED;
}

/*
 * 1 when r is a browser asking an API path for its page (Accept names
 * text/html): the page has its own address on the site, which is the
 * API path without its /api/v1 (docs/forms.md).
 */
static int
posts_api_page(const struct req *r)
{
	return r->browser && strncmp(r->path, "/api/v1/", 8) == 0;
}

/*
 * Sends a browser that asked an API path for its page to the page's own
 * address for good (301), its query kept, so that each page has one
 * address.
 */
static enum err
posts_moved(struct req *r)
{
	const char *to = r->path + 7;	/* "/api/v1/posts/7" -> "/posts/7" */

	if (*r->query != '\0' &&
	    (to = arena_printf(r->arena, "%s?%s", to, r->query)) == NULL)
		return ERR_INTERNAL;
	return reply_moved(r, to);
}

/* The page of post p for a browser: the post and the forms its reader may use. */
static enum err
posts_get_page(struct req *r, const struct post *p)
{
	struct posts_page_view pp;
	struct user u;
	enum err e;

	memset(&pp, 0, sizeof(pp));
	if ((e = user_get(r->arena, p->author_id, &u)) != ERR_NONE)
		return e;
	pp.post = p;
	pp.author = u.name;
	pp.may_edit = post_may_change(p, &r->who, 1) == ERR_NONE;
	pp.may_status = !pp.may_edit &&
	    post_may_change(p, &r->who, 0) == ERR_NONE;
	pp.may_delete = post_may_delete(p, &r->who) == ERR_NONE;
	pp.site = site_page(r, p->title);
	return reply_page(r, 200, posts_page_post, &pp);
}

/* GET /api/v1/posts/{id}, and its page GET /posts/{id} */
enum err
posts_get(struct req *r)
{
	struct post p;
	char etag[POST_ETAG_MAX];
	const char *h;
	enum err e;

	if (posts_api_page(r))
		return posts_moved(r);
	if ((e = auth_identify(r)) != ERR_NONE)
		return e;
	if ((e = post_store_get(r->arena, r->params[0], &p)) != ERR_NONE)
		return e;
	if (!post_visible(&p, &r->who))
		return ERR_NOT_FOUND;
	if (r->browser)
		return posts_get_page(r, &p);
	/*
	 * What anyone may read, a cache may keep, asking again (If-None-Match)
	 * before each use, so an edit or a delete shows at once.
	 */
	if (r->who.user_id == 0 && p.status == POST_PUBLISHED)
		reply_public(r);
	post_etag(&p, etag);
	h = http_env(r, "HTTP_IF_NONE_MATCH");
	if (h != NULL && header_etag_match(h, etag, 1)) {
		reply_etag(r, etag);
		return reply_not_modified(r);
	}
	return posts_reply(r, &p, NULL);
}

/* POST /api/v1/posts */
enum err
posts_create(struct req *r)
{
	enum err e;

	if ((e = auth_require_verified(r)) != ERR_NONE)
		return e;
	return app_validate(r, create_fields, PF__MAX);
}

enum err
posts_create_write(struct req *r)
{
	const struct vvalue *v = r->state;
	struct post p;
	enum post_status status;
	int64_t id;
	char *loc;
	enum err e;

	status = v[PF_STATUS].present ? (enum post_status)v[PF_STATUS].i :
	    POST_DRAFT;
	if ((e = auth_write_limit(r)) != ERR_NONE ||
	    (e = post_store_insert(r->who.user_id, status, v[PF_TITLE].str,
	    v[PF_TITLE].len, v[PF_BODY].str, v[PF_BODY].len, time(NULL),
	    &id)) != ERR_NONE ||
	    (e = post_store_get(r->arena, id, &p)) != ERR_NONE)
		return e;
	posts_log(r, "post_created", id);
	r->notice = status == POST_PUBLISHED ? NOTICE_POST_PUBLISHED :
	    NOTICE_DRAFT_SAVED;
	/* A browser's form goes on to the post's page. */
	if ((loc = arena_printf(r->arena, "%s/posts/%lld",
	    r->browser && http_form_sent(r) ? "" : "/api/v1",
	    (long long)id)) == NULL)
		return ERR_INTERNAL;
	return posts_reply(r, &p, loc);
}

/*
 * Inside the write transaction: applies the fields of v that are present
 * to post r->params[0], after the visibility, permission and If-Match
 * checks; *p receives the new version.
 */
static enum err
posts_apply(struct req *r, const struct vvalue *v, struct post *p)
{
	const struct vvalue *t = &v[PF_TITLE], *b = &v[PF_BODY];
	enum post_status status;
	enum err e;

	if ((e = post_store_get(r->arena, r->params[0], p)) != ERR_NONE ||
	    (e = post_may_change(p, &r->who, t->present || b->present)) !=
	    ERR_NONE ||
	    (e = posts_if_match(r, p)) != ERR_NONE)
		return e;
	status = v[PF_STATUS].present ? (enum post_status)v[PF_STATUS].i :
	    p->status;
	if ((e = post_store_update(p->id, status,
	    t->present ? t->str : p->title,
	    t->present ? t->len : strlen(p->title),
	    b->present ? b->str : p->body,
	    b->present ? b->len : strlen(p->body), time(NULL))) != ERR_NONE)
		return e;
	return post_store_get(r->arena, p->id, p);
}

/* PUT and PATCH /api/v1/posts/{id}, with the field table of each. */
static enum err
posts_change(struct req *r, const struct vfield *fields)
{
	const struct vvalue *v;
	enum err e;

	if ((e = auth_require_verified(r)) != ERR_NONE ||
	    (e = app_validate(r, fields, PF__MAX)) != ERR_NONE)
		return e;
	v = r->state;
	if (!v[PF_TITLE].present && !v[PF_BODY].present &&
	    !v[PF_STATUS].present)
		return http_fail(r, ERR_VALIDATION,
		    "Send at least one of title, body and status.");
	return ERR_NONE;
}

/* PUT /api/v1/posts/{id} */
enum err
posts_put(struct req *r)
{
	return posts_change(r, put_fields);
}

/* PATCH /api/v1/posts/{id} */
enum err
posts_patch(struct req *r)
{
	return posts_change(r, patch_fields);
}

enum err
posts_change_write(struct req *r)
{
	struct post p;
	enum err e;

	if ((e = auth_write_limit(r)) != ERR_NONE ||
	    (e = posts_apply(r, r->state, &p)) != ERR_NONE)
		return e;
	posts_log(r, "post_updated", p.id);
	r->notice = NOTICE_POST_SAVED;
	return posts_reply(r, &p, NULL);
}

/* DELETE /api/v1/posts/{id} */
enum err
posts_delete(struct req *r)
{
	return auth_require_verified(r);
}

enum err
posts_delete_write(struct req *r)
{
	struct post p;
	enum err e;

	if ((e = auth_write_limit(r)) != ERR_NONE ||
	    (e = post_store_get(r->arena, r->params[0], &p)) != ERR_NONE ||
	    (e = post_may_delete(&p, &r->who)) != ERR_NONE ||
	    (e = posts_if_match(r, &p)) != ERR_NONE ||
	    (e = post_store_delete(p.id)) != ERR_NONE)
		return e;
	posts_log(r, "post_deleted", p.id);
	r->notice = NOTICE_POST_DELETED;
	return reply_empty(r);
}

/* Reads createdAfter or createdBefore (RFC 3339) into *t; 0 when absent. */
static enum err
posts_query_time(struct req *r, const char *name, int before, int64_t *t)
{
	const char *s, *msg;
	int fraction;
	enum err e;

	if ((e = http_query(r, name, &s)) != ERR_NONE || s == NULL)
		return e;
	if (time_parse_rfc3339(s, t, &fraction) == -1) {
		msg = arena_printf(r->arena, "The %s parameter must be an RFC 3339 "
		    "time such as 2026-01-31T12:00:00Z.", name);
		return msg != NULL ? http_fail(r, ERR_BAD_REQUEST, msg) :
		    ERR_INTERNAL;
	}
	/* Times are whole seconds: before 12:00:00.5 includes 12:00:00. */
	if (before && fraction)
		(*t)++;
	return ERR_NONE;
}

/* Reads the filters of a list (status, times, q) into f. */
static enum err
posts_filter(struct req *r, struct post_filter *f)
{
	enum post_query_fault fault;
	enum post_status st;
	const char *status, *q;
	enum err e;

	memset(f, 0, sizeof(*f));
	f->status = -1;
	f->created_after = INT64_MIN;
	f->created_before = INT64_MAX;
	if ((e = http_query(r, "status", &status)) != ERR_NONE ||
	    (e = http_query(r, "q", &q)) != ERR_NONE ||
	    (e = posts_query_time(r, "createdAfter", 0,
	    &f->created_after)) != ERR_NONE ||
	    (e = posts_query_time(r, "createdBefore", 1,
	    &f->created_before)) != ERR_NONE)
		return e;
	if (status != NULL) {
		if (post_status_parse(status, &st) == -1)
			return http_fail(r, ERR_BAD_REQUEST,
			    "The status parameter must be draft or published.");
		f->status = (int)st;
	}
	if (q == NULL)
		return ERR_NONE;
	if ((e = post_store_match(r->arena, q, &f->match, &fault)) ==
	    ERR_BAD_REQUEST) {
		valid_add(&r->details, "q", post_query_faults[fault].code,
		    post_query_faults[fault].message);
		return http_fail(r, e, post_query_faults[fault].message);
	}
	return e;
}

/*
 * The address of the next page of a list: this request's, its cursor or
 * page number replaced by name=next (a number, or a cursor: base64url,
 * safe in a URL as it is); NULL without memory.
 */
static char *
posts_next_href(struct req *r, const char *name, const char *next)
{
	size_t n = strlen(r->path) + strlen(r->query) + strlen(next) + 16, o;
	const char *p = r->query, *end;
	char *href;

	if ((href = arena_alloc(r->arena, n)) == NULL)
		return NULL;
	o = (size_t)snprintf(href, n, "%s?", r->path);
	for (; *p != '\0'; p = *end == '&' ? end + 1 : end) {
		end = p + strcspn(p, "&");
		if (end == p || strncmp(p, "cursor=", 7) == 0 ||
		    strncmp(p, "page=", 5) == 0)
			continue;
		memcpy(href + o, p, (size_t)(end - p));
		o += (size_t)(end - p);
		href[o++] = '&';
	}
	snprintf(href + o, n - o, "%s=%s", name, next);
	return href;
}

/*
 * What a page of a list shows, where the API's list shows all its reader
 * may see: without a status, the published posts; with status=draft and
 * no author, its reader's own drafts, a moderator's too (none for a
 * visitor).  An author's list keeps the API's rule: a moderator sees that
 * author's drafts.
 */
static void
posts_page_filter(struct req *r, struct post_filter *f)
{
	if (f->status == -1)
		f->status = POST_PUBLISHED;
	if (f->status != POST_DRAFT || f->author != 0)
		return;
	if (r->who.user_id == 0)
		f->nothing = 1;
	f->author = r->who.user_id;
}

/*
 * A list of posts for a browser: links to their pages, the search q (NULL:
 * none) in its field, with q_error beside it when the search was refused
 * (400, and no rows), and the next page (by its cursor next, or in offset
 * mode, as a search is, by number while there are more of total rows);
 * author (NULL: none) is the name of the author whose posts they are.
 */
static enum err
posts_list_page(struct req *r, const struct post_filter *f, const char *q,
    const char *q_error, const struct post *rows, size_t n,
    const struct cursor_params *lp, const char *next, int64_t total,
    const char *author)
{
	struct posts_list_view lv;
	char num[24];

	memset(&lv, 0, sizeof(lv));
	lv.q_error = q_error;
	if (next != NULL && (lv.next = posts_next_href(r, "cursor",
	    next)) == NULL)
		return ERR_INTERNAL;
	if (lp->mode == CURSOR_OFFSET &&
	    lp->page < (total + lp->limit - 1) / lp->limit) {
		snprintf(num, sizeof(num), "%lld", (long long)lp->page + 1);
		if ((lv.next = posts_next_href(r, "page", num)) == NULL)
			return ERR_INTERNAL;
	}
	lv.rows = rows;
	lv.n = n;
	lv.q = q;
	lv.action = r->path;
	lv.drafts = f->status == POST_DRAFT;
	if (q != NULL)
		lv.heading = "Search";
	else if (author != NULL)
		lv.heading = arena_printf(r->arena, "Posts by %s", author);
	else
		lv.heading = lv.drafts ? "My drafts" : "Posts";
	if (lv.heading == NULL)
		return ERR_INTERNAL;
	lv.site = site_page(r, lv.heading);
	return reply_page(r, q_error != NULL ? error_status(ERR_BAD_REQUEST) :
	    200, posts_page_list, &lv);
}

/*
 * A search that a page of a list refused for its text (posts_filter named
 * q in r->details) comes back as the list, empty, the text in its field
 * and the message beside it; any other refusal, and the API's, is e.
 */
static enum err
posts_search_refused(struct req *r, enum err e, const struct post_filter *f,
    const char *q, const struct cursor_params *lp, const char *author)
{
	if (!r->browser || e != ERR_BAD_REQUEST || q == NULL ||
	    r->details.n == 0 || strcmp(r->details.e[0].field, "q") != 0)
		return e;
	r->err = e;
	return posts_list_page(r, f, q, r->details.e[0].message, NULL, 0, lp,
	    NULL, 0, author);
}

/*
 * The list of posts, as JSON or as a page of the site (a browser asking
 * the API's address goes there); of one author (who must exist) when
 * author is not 0.
 */
static enum err
posts_list_of(struct req *r, int64_t author)
{
	struct user u;
	struct cursor_params lp;
	struct post_filter f;
	struct post *rows;
	const char *q;
	char *next = NULL;
	int64_t total = 0;
	size_t n;
	int more;
	enum err e;

	if (posts_api_page(r))
		return posts_moved(r);
	if ((e = auth_identify(r)) != ERR_NONE ||
	    (author != 0 && (e = user_get(r->arena, author, &u)) != ERR_NONE) ||
	    (e = http_query(r, "q", &q)) != ERR_NONE ||
	    (e = listing_parse(r, post_sorts, POST_SORT__MAX, q != NULL ?
	    POST_SORT_RELEVANCE : POST_SORT_CREATED, 1, &lp)) != ERR_NONE)
		return e;
	if ((e = posts_filter(r, &f)) != ERR_NONE)
		return posts_search_refused(r, e, &f, q, &lp,
		    author != 0 ? u.name : NULL);
	if (lp.sort == POST_SORT_RELEVANCE && f.match == NULL)
		return http_fail(r, ERR_BAD_REQUEST,
		    "sort=relevance ranks the results of a search: give q.");
	if (author != 0)
		f.author = author;
	else if ((e = http_query_id(r, "author", &f.author)) != ERR_NONE)
		return e;
	if (r->browser)
		posts_page_filter(r, &f);
	post_filter_visible(&f, &r->who);
	if ((e = post_store_list(r->arena, &f, &lp, &rows, &n, &more,
	    &total)) != ERR_NONE)
		return e;
	if (more && (next = post_cursor(r->arena, &lp, &rows[n - 1])) == NULL)
		return ERR_INTERNAL;
	if (r->browser)
		return posts_list_page(r, &f, q, NULL, rows, n, &lp, next,
		    total, author != 0 ? u.name : NULL);
	return reply_posts(r, &lp, rows, n, next, total);
}

/* The latest posts the home page shows, and where the rest are. */
#define POSTS_HOME_LIMIT 10

/* GET / */
enum err
posts_home(struct req *r)
{
	struct posts_list_view lv;
	struct cursor_params lp;
	struct post_filter f;
	struct post *rows;
	int64_t total = 0;
	int more;
	enum err e;

	if ((e = auth_identify(r)) != ERR_NONE)
		return e;
	memset(&lp, 0, sizeof(lp));
	lp.mode = CURSOR_KEYSET;
	lp.limit = POSTS_HOME_LIMIT;
	lp.sort = POST_SORT_CREATED;
	lp.desc = 1;
	memset(&f, 0, sizeof(f));
	f.status = POST_PUBLISHED;
	f.created_after = INT64_MIN;
	f.created_before = INT64_MAX;
	post_filter_visible(&f, &r->who);
	memset(&lv, 0, sizeof(lv));
	if ((e = post_store_list(r->arena, &f, &lp, &rows, &lv.n, &more,
	    &total)) != ERR_NONE)
		return e;
	lv.rows = rows;
	lv.next = more ? "/posts" : NULL;
	lv.heading = "Home";
	lv.site = site_page(r, lv.heading);
	return reply_page(r, 200, posts_page_home, &lv);
}

/* GET /posts/new: the form that writes a post, to who may write one. */
enum err
posts_new(struct req *r)
{
	enum err e;

	if ((e = auth_require_verified(r)) == ERR_UNAUTHENTICATED)
		return site_login_first(r);
	if (e != ERR_NONE)
		return e;
	return site_form_page(r, &posts_new_form, ERR_NONE);
}

/* GET /api/v1/posts, and its page GET /posts */
enum err
posts_list(struct req *r)
{
	return posts_list_of(r, 0);
}

/* GET /api/v1/users/{id}/posts, and its page GET /users/{id}/posts */
enum err
posts_list_by_user(struct req *r)
{
	return posts_list_of(r, r->params[0]);
}
