/*
 * posts.fcgi: /api/v1/posts and /api/v1/users/{id}/posts.
 */
#include "app.h"

static const struct route routes[] = {
	{ M__MAX, "", NULL, 0 },
};

int
main(void)
{
	return app_main("posts", routes, 0);
}
