#include <string.h>

#include "base/arena.h"
#include "web/moved.h"
#include "web/reply.h"

static const struct {
	const char	*from, *to;
} moved[] = {
	{ "/index.html", "/" },
	{ "/post-new.html", "/posts/new" },
	{ "/login.html", "/login" },
	{ "/logout.html", "/logout" },
	{ "/register.html", "/register" },
	{ "/password-change.html", "/password/change" },
	{ "/password-forgot.html", "/password/forgot" },
	{ "/reset.html", "/password/reset" },
	{ "/verify.html", "/verify" },
	{ "/email-cancel.html", "/email/cancel" },
	/* The confirmation pages: a notice on the next page says it now. */
	{ "/password-changed.html", "/account/sessions" },
	{ "/password-forgot-sent.html", "/login" },
	{ "/verified.html", "/" },
	{ "/verify-sent.html", "/verify" },
	{ "/email-cancelled.html", "/login" },
};

enum err
moved_page(struct req *r)
{
	const char *to;
	size_t i;

	if (r->method != M_GET && r->method != M_HEAD)
		return ERR_NOT_FOUND;
	for (i = 0; i < sizeof(moved) / sizeof(moved[0]); i++)
		if (strcmp(r->path, moved[i].from) == 0)
			break;
	if (i == sizeof(moved) / sizeof(moved[0]))
		return ERR_NOT_FOUND;
	to = moved[i].to;
	/* A fragment (#token=) stays with the browser, which keeps it. */
	if (*r->query != '\0' &&
	    (to = arena_printf(r->arena, "%s?%s", to, r->query)) == NULL)
		return ERR_INTERNAL;
	return reply_moved(r, to);
}
