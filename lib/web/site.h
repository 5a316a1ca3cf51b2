/*
 * site: what every page the programs render shares, the values of
 * templates/layout.html: the page's title, the navigation for who is
 * logged in, and the CSRF token of the log-out form.  A page starts from
 * site_page, adds its own values, and is written by site_render.
 */
#ifndef QUILL_SITE_H
#define QUILL_SITE_H

#include "base/buf.h"
#include "pure/tpl.h"
#include "web/http.h"

/*
 * The values of the layout for the reader of r, in r's arena: title
 * (not copied), signed_in for a logged-in reader, and csrf_token for a
 * browser session.  NULL when out of memory.
 */
struct tpl_data *site_page(struct req *r, const char *title);

/*
 * Appends t filled from d to b.  Out of memory, b->oom is set, as for
 * any append, so the answer is the 500 of a failed buffer.
 */
void	 site_render(struct buf *b, const struct tpl *t, const struct tpl_data *d);

#endif
