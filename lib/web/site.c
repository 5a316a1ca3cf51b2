#include <string.h>

#include "gen/templates.h"
#include "web/auth.h"
#include "web/site.h"

struct tpl_data *
site_page(struct req *r, const char *title)
{
	struct tpl_data *d;
	char csrf[AUTH_CSRF_TOKEN_SIZE];
	const char *tok;

	if ((d = tpl_data_new(r->arena)) == NULL)
		return NULL;
	tpl_str(d, TK_title, title);
	tpl_bool(d, TK_signed_in, r->who.user_id != 0);
	/* Only a cookie session has a token; a Bearer caller needs none. */
	if (auth_csrf_token(r, csrf) == 0) {
		if ((tok = arena_strndup(r->arena, csrf, strlen(csrf))) == NULL)
			return NULL;
		tpl_str(d, TK_csrf_token, tok);
	}
	return d;
}

void
site_render(struct buf *b, const struct tpl *t, const struct tpl_data *d)
{
	if (d == NULL || tpl_render(b, t, d) == -1)
		b->oom = 1;
}
