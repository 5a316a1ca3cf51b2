/*
 * posts.fcgi: /api/v1/posts and /api/v1/users/{id}/posts.
 */
#include "web/app.h"
#include "posts.h"

/* POST /api/v1/posts: a browser's form that is refused comes back filled. */
static enum err
posts_create_form(struct req *r)
{
	return site_form_refused(r, posts_create(r), &posts_new_form);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/posts", posts_list, 0, NULL },
	{ M_POST, "/api/v1/posts", posts_create_form, APP_MAX_POST,
	    posts_create_write },
	{ M_GET, "/api/v1/posts/{id}", posts_get, 0, NULL },
	{ M_PUT, "/api/v1/posts/{id}", posts_put, APP_MAX_POST,
	    posts_change_write },
	{ M_PATCH, "/api/v1/posts/{id}", posts_patch, APP_MAX_POST,
	    posts_change_write },
	{ M_DELETE, "/api/v1/posts/{id}", posts_delete, 0, posts_delete_write },
	{ M_GET, "/api/v1/users/{id}/posts", posts_list_by_user, 0, NULL },
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, "posts", routes,
	    sizeof(routes) / sizeof(routes[0]));
}
