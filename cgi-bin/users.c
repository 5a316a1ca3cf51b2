/*
 * users.fcgi: /api/v1/users — profiles.
 */
#include "app.h"
#include "auth.h"
#include "user.h"

/* GET /api/v1/users/me */
static enum err
users_me(struct req *r)
{
	struct user u;
	enum err e;

	if ((e = auth_require(r)) != ERR_NONE)
		return e;
	if ((e = user_get(r->arena, r->who.user_id, &u)) != ERR_NONE)
		return e == ERR_NOT_FOUND ? ERR_UNAUTHENTICATED : e;
	return http_reply_data(r, 200, user_json(&u, 1), NULL);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/users/me", users_me, 0 },
};

int
main(void)
{
	return app_main("users", routes, sizeof(routes) / sizeof(routes[0]));
}
