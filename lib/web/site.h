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
 * (not copied), signed_in for a logged-in reader, admin for one who is an
 * admin, and csrf_token for a browser session.  NULL when out of memory.
 */
struct tpl_data *site_page(struct req *r, const char *title);

/*
 * Appends t filled from d to b.  Out of memory, b->oom is set, as for
 * any append, so the answer is the 500 of a failed buffer.
 */
void	 site_render(struct buf *b, const struct tpl *t, const struct tpl_data *d);

/*
 * Answers r with status and page t filled from d (from site_page), as a
 * route's own answer: a browser's form that gets it stays on it (a next
 * step, codes to show once) rather than going on to its returnTo.
 */
enum err site_page_reply(struct req *r, int status, const struct tpl *t,
    const struct tpl_data *d);

/*
 * Answers an anonymous reader of page r with a 303 to the log-in page,
 * which brings them back to r's path once logged in.
 */
enum err site_login_first(struct req *r);

/*
 * The script of the pages that mailed links open (htdocs/token.js): it
 * copies the code of the link's #fragment, which no server ever sees,
 * into the page's form, and takes it out of the address bar.
 */
#define SITE_TOKEN_SCRIPT "/token.js"

/*
 * Lets the page r answers run SITE_TOKEN_SCRIPT and no other script: its
 * Content-Security-Policy names that one file, under QUILL_PUBLIC_ORIGIN
 * (the origin of the mailed links), else the site's own scripts.
 */
enum err site_token_script(struct req *r);

/*
 * For reply_error: the page of r's failed answer (templates/error.html):
 * its status and reason as the title, the message, each field error, a
 * link back to the form's backTo path (else to /), and the request id.
 */
void	 site_error_page(struct req *r, struct buf *b);

/*
 * The options of a select into list key of d, one for each of the n
 * names (its value, and capitalised, its label), the one of index sel
 * selected: the values value, label and selected of each item.
 */
void	 site_options(struct tpl_data *d, int key, const char *const *names,
    int n, int sel);

/* A field of a form page: what it sent goes back into it. */
struct site_field {
	const char	*name;		/* the form field, and its control's id */
	const char	*label;		/* its label, naming it in the summary */
	int		 value_key;	/* where its value goes; 0: never sent
					   back (a password) */
	int		 error_key;	/* where its message goes */
	const char	*id;		/* its control's id when not name (two
					   forms of a page sending one name) */
};

/*
 * A form the site renders again when it was sent with a mistake
 * (site_form_refused): its template, title and fields, and optionally fill,
 * for what no field holds as is (the options of a select, from the value
 * sent).
 */
struct site_form {
	const struct tpl	*page;
	const char		*title;
	const struct site_field	*fields;
	size_t			 nfields;
	void			(*fill)(struct tpl_data *d, const struct req *r);
};

/*
 * Answers r with form page f as its sender left it, refused with e: the
 * status of e, each field holding what was sent (a password field empty),
 * each message of r->details beside its field and in the summary at the
 * top as a link to it, and the message of e there too unless every
 * message has its field.  With e ERR_NONE, the blank form (200).
 */
enum err site_form_page(struct req *r, const struct site_form *f, enum err e);

/*
 * What a route that a browser's form posts to answers when its handler
 * returned e: a form refused for what its sender typed (a field's value,
 * the password, an email already taken) comes back as form page f, filled
 * as it was sent (site_form_page); anything else, a refused origin or a
 * server fault, and any client that is not a browser's form, gets e as
 * it is.
 */
enum err site_form_refused(struct req *r, enum err e, const struct site_form *f);

/*
 * The form that confirms a recent sign-in (POST /api/v1/auth/reauth):
 * the password, and a code for a reader with two-factor sign-in on; it
 * goes back to the backTo of the form that was refused.
 */
extern const struct site_form site_reauth_form;

/*
 * Answers a browser whose change was refused for want of a recent sign-in
 * (ERR_REAUTH_REQUIRED) with site_reauth_form, 403.
 */
enum err site_reauth_page(struct req *r);

/*
 * Answers a browser refused because its reader's role must enrol in
 * two-factor sign-in first (ERR_MFA_REQUIRED) with the page that leads
 * there, 403.
 */
enum err site_mfa_required_page(struct req *r);

#endif
