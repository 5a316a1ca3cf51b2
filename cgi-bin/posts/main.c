/*
 * posts.fcgi: /api/v1/posts and /api/v1/users/{id}/posts, and the site's
 * pages of posts (docs/forms.md): /, /posts..., /users/{id}/posts.
 */
#include "web/app.h"
#include "posts.h"

static const struct route routes[] = {
	{ M_GET, "/api/v1/posts", posts_list, 0, NULL, NULL },
	{ M_POST, "/api/v1/posts", posts_create, APP_MAX_POST,
	    posts_create_write, &posts_new_form },
	{ M_GET, "/api/v1/posts/{id}", posts_get, 0, NULL, NULL },
	{ M_PUT, "/api/v1/posts/{id}", posts_put, APP_MAX_POST,
	    posts_change_write, NULL },
	{ M_PATCH, "/api/v1/posts/{id}", posts_patch, APP_MAX_POST,
	    posts_change_write, &posts_edit_form },
	{ M_DELETE, "/api/v1/posts/{id}", posts_delete, 0, posts_delete_write,
	    NULL },
	{ M_GET, "/api/v1/users/{id}/posts", posts_list_by_user, 0, NULL,
	    NULL },
	{ M_GET, "/", posts_home, 0, NULL, NULL },
	{ M_GET, "/posts", posts_list, 0, NULL, NULL },
	{ M_GET, "/posts/new", posts_new, 0, NULL, NULL },
	{ M_GET, "/posts/{id}", posts_get, 0, NULL, NULL },
	{ M_GET, "/users/{id}/posts", posts_list_by_user, 0, NULL, NULL },
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, "posts", routes,
	    sizeof(routes) / sizeof(routes[0]), 0);
}
