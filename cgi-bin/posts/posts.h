/*
 * The handlers of posts.fcgi (/api/v1/posts and /api/v1/users/{id}/posts)
 * and the pages it answers a browser with, at the same paths without
 * their /api/v1 (/posts, /posts/{id}, /users/{id}/posts), and at /posts/new
 * and /.
 */
#ifndef QUILL_POSTS_H
#define QUILL_POSTS_H

#include <stddef.h>

#include "base/buf.h"
#include "pure/post.h"
#include "pure/tpl.h"
#include "web/http.h"
#include "web/site.h"

/* handlers.c: the routes, and the .write of those that write (web/app.h). */
enum err posts_list(struct req *r);
enum err posts_create(struct req *r);
enum err posts_create_write(struct req *r);
enum err posts_get(struct req *r);
enum err posts_put(struct req *r);
enum err posts_patch(struct req *r);
enum err posts_change_write(struct req *r);	/* PUT and PATCH */
enum err posts_delete(struct req *r);
enum err posts_delete_write(struct req *r);
enum err posts_list_by_user(struct req *r);
enum err posts_home(struct req *r);
enum err posts_new(struct req *r);

/* What the page of a post shows its reader. */
struct posts_page_view {
	const struct post *post;
	const char	*author;	/* the author's name */
	int		 may_edit;	/* the edit form (title, body, status) */
	int		 may_status;	/* without may_edit: the status form */
	int		 may_delete;	/* the delete form */
	struct tpl_data	*site;		/* site_page's; the page adds its own */
};

/*
 * page.c, for reply_page: writes the page of a post (arg: a struct
 * posts_page_view): its title, author, status, times and text, then the
 * forms its reader may use.  They post to the post's API URL with
 * ?_method=PATCH or DELETE (see app), come back to the post's page after
 * an edit and to / after a delete.
 */
void posts_page_post(struct buf *b, const void *arg);

/* What the page of a list shows. */
struct posts_list_view {
	const char	*heading;	/* given to site_page as the title */
	const struct post *rows;
	size_t		 n;
	const char	*next;		/* the next page's address; NULL: none */
	const char	*q;		/* the search, kept in its field; or NULL */
	const char	*q_error;	/* why the search was refused; or NULL */
	const char	*action;	/* where the search goes: the list's path */
	int		 drafts;	/* a list of drafts: the search keeps to them */
	struct tpl_data	*site;		/* site_page's; the page adds its own */
};

/*
 * Writes a page (arg: a struct posts_list_view) listing the posts (title,
 * status, time, text), each linking to its page, the search form of the
 * list (with q_error beside its field), and a link to next when it is not
 * NULL.
 */
void posts_page_list(struct buf *b, const void *arg);

/*
 * The home page (arg: a struct posts_list_view): a welcome for its reader
 * and the latest posts, with a link to the rest when there are more.
 */
void posts_page_home(struct buf *b, const void *arg);

/* The form that writes a post (POST /api/v1/posts), shown again when refused. */
extern const struct site_form posts_new_form;

/*
 * The edit form of a post's page (POST /api/v1/posts/{id}?_method=PATCH),
 * shown again on its own page when refused.
 */
extern const struct site_form posts_edit_form;

#endif
