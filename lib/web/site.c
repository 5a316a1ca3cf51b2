#include <ctype.h>
#include <string.h>

#include "base/config.h"
#include "base/error.h"
#include "gen/templates.h"
#include "pure/cookie.h"
#include "pure/form.h"
#include "store/mfa.h"
#include "web/auth.h"
#include "web/html.h"
#include "web/reply.h"
#include "web/site.h"

/*
 * The notice r's browser was left by the form it sent last (pure/notice.h),
 * into d, once: reply_head clears its cookie.  A cookie of no notice
 * (given twice, or of a name not in the table) shows nothing, and is
 * cleared too.
 */
static void
site_notice(struct req *r, struct tpl_data *d)
{
	const char *h = http_env(r, "HTTP_COOKIE"), *v;
	enum notice n = NOTICE_NONE;
	size_t len;
	int rc;

	if (h == NULL || (rc = cookie_get(h, COOKIE_NOTICE, &v, &len)) == 0)
		return;
	if (rc == 1)
		n = notice_parse(v, len);
	if (n != NOTICE_NONE)
		tpl_str(d, TK_notice, notice_texts[n]);
	r->notice_clear = 1;
}

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
	tpl_bool(d, TK_admin, r->who.user_id != 0 && r->who.role == ROLE_ADMIN);
	site_notice(r, d);
	/* Only a cookie session has a token; a Bearer caller needs none. */
	if (auth_csrf_token(r, csrf) == 0) {
		if ((tok = arena_strndup(r->arena, csrf, strlen(csrf))) == NULL)
			return NULL;
		tpl_str(d, TK_csrf_token, tok);
	}
	return d;
}

enum err
site_token_script(struct req *r)
{
	int any = config.public_origin[0] != '\0';

	r->page_csp = arena_printf(r->arena, "Content-Security-Policy: "
	    HTML_CSP_SCRIPT "\r\n", any ? config.public_origin : "'self'",
	    any ? SITE_TOKEN_SCRIPT : "");
	return r->page_csp != NULL ? ERR_NONE : ERR_INTERNAL;
}

void
site_render(struct buf *b, const struct tpl *t, const struct tpl_data *d)
{
	if (d == NULL || tpl_render(b, t, d) == -1)
		b->oom = 1;
}

void
site_error_page(struct req *r, struct buf *b)
{
	struct tpl_data *d, *item;
	const char *back = http_form_path(r, "backTo");
	char *title;
	size_t i;

	if ((title = arena_printf(r->arena, "%d %s", r->status,
	    error_reason(r->status))) == NULL ||
	    (d = site_page(r, title)) == NULL) {
		b->oom = 1;
		return;
	}
	tpl_str(d, TK_heading, title);
	tpl_str(d, TK_message, r->err_message != NULL ? r->err_message :
	    error_message(r->err));
	tpl_bool(d, TK_field_errors, r->details.n > 0);
	for (i = 0; i < r->details.n; i++) {
		if ((item = tpl_item(d, TK_errors)) == NULL)
			break;	/* remembered: site_render fails */
		tpl_str(item, TK_field, r->details.e[i].field);
		tpl_str(item, TK_text, r->details.e[i].message);
	}
	tpl_str(d, TK_back, back != NULL ? back : "/");
	tpl_str(d, TK_request_id, r->request_id);
	site_render(b, &tpl_error, d);
}

void
site_options(struct tpl_data *d, int key, const char *const *names, int n,
    int sel)
{
	struct tpl_data *o;
	char *label;
	int i;

	for (i = 0; i < n; i++) {
		if ((o = tpl_item(d, key)) == NULL ||
		    (label = tpl_copy(d, names[i], strlen(names[i]))) == NULL)
			return;	/* remembered: site_render fails */
		label[0] = (char)toupper((unsigned char)label[0]);
		tpl_str(o, TK_value, names[i]);
		tpl_str(o, TK_label, label);
		tpl_bool(o, TK_selected, i == sel);
	}
}

/* The field of f called name, or NULL. */
static const struct site_field *
site_field_find(const struct site_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}

/* A form page to write: its template and its values. */
struct site_form_fill {
	const struct tpl	*page;
	const struct tpl_data	*d;
};

/* For reply_page: writes arg, a struct site_form_fill. */
static void
site_form_write(struct buf *b, const void *arg)
{
	const struct site_form_fill *fp = arg;

	site_render(b, fp->page, fp->d);
}

/*
 * A form refused for a field's value before its handler asked who sent it
 * (values are checked first) still has that reader's navigation and CSRF
 * token: the session cookie is looked up here.  Only the cookie: a Bearer
 * caller's answer is no page, and its failure would replace the message.
 */
static void
site_form_reader(struct req *r)
{
	const char *h = http_env(r, "HTTP_AUTHORIZATION");

	if (r->who.user_id == 0 && (h == NULL || *h == '\0'))
		(void)auth_identify(r);
}

enum err
site_page_reply(struct req *r, int status, const struct tpl *t,
    const struct tpl_data *d)
{
	struct site_form_fill fp;

	fp.page = t;
	fp.d = d;
	return reply_page(r, status, site_form_write, &fp);
}

enum err
site_form_page(struct req *r, const struct site_form *f, enum err e)
{
	const struct site_field *fl;
	const struct form_field *sent;
	struct tpl_data *d, *item;
	size_t i, placed = 0;

	site_form_reader(r);
	if ((d = site_page(r, f->title)) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < f->nfields; i++) {
		fl = &f->fields[i];
		if (fl->value_key != 0 && r->body_kind == BODY_FORM &&
		    (sent = form_get(&r->form, fl->name)) != NULL)
			tpl_str(d, fl->value_key, sent->value);
	}
	for (i = 0; e != ERR_NONE && i < r->details.n; i++) {
		if ((fl = site_field_find(f, r->details.e[i].field)) == NULL)
			continue;
		placed++;
		tpl_str(d, fl->error_key, r->details.e[i].message);
		if ((item = tpl_item(d, TK_errors)) == NULL)
			return ERR_INTERNAL;
		tpl_str(item, TK_field, fl->id != NULL ? fl->id : fl->name);
		tpl_str(item, TK_label, fl->label);
		tpl_str(item, TK_text, r->details.e[i].message);
	}
	if (e != ERR_NONE) {
		tpl_bool(d, TK_has_errors, 1);
		tpl_bool(d, TK_field_errors, placed > 0);
		/* A refusal of no one field says what it is as a whole. */
		if (placed == 0 || placed < r->details.n)
			tpl_str(d, TK_message, r->err_message != NULL ?
			    r->err_message : error_message(e));
	}
	if (f->fill != NULL)
		f->fill(d, r);
	return site_page_reply(r, e == ERR_NONE ? 200 : error_status(e),
	    f->page, d);
}

enum err
site_form_refused(struct req *r, enum err e, const struct site_form *f)
{
	if (!r->browser || !http_form_sent(r))
		return e;
	switch (e) {
	case ERR_BAD_REQUEST:
	case ERR_UNAUTHENTICATED:
	case ERR_EMAIL_TAKEN:
	case ERR_CONFLICT:
	case ERR_VALIDATION:
		r->err = e;
		return site_form_page(r, f, e);
	default:
		return e;
	}
}

/*
 * The reauth page's own values: a code field where the reader has
 * two-factor sign-in on (asked for too when its state cannot be read),
 * and the page to go back to, the backTo of the form that was refused.
 */
static void
site_reauth_fill(struct tpl_data *d, const struct req *r)
{
	struct mfa_totp t;
	const char *to = http_form_path(r, "backTo");
	enum err e;

	e = mfa_totp_get(r->who.user_id, &t);
	tpl_bool(d, TK_mfa_on, e != ERR_NOT_FOUND &&
	    (e != ERR_NONE || t.enabled_at != 0));
	tpl_str(d, TK_return_to, to != NULL ? to : "/");
}

static const struct site_field site_reauth_fields[] = {
	{ "currentPassword", "Password", 0, TK_password_error, NULL },
	{ "code", "Code", 0, TK_code_error, NULL },
};

const struct site_form site_reauth_form = {
	&tpl_reauth, "Confirm it is you", site_reauth_fields,
	sizeof(site_reauth_fields) / sizeof(site_reauth_fields[0]),
	site_reauth_fill
};

enum err
site_reauth_page(struct req *r)
{
	r->err = ERR_REAUTH_REQUIRED;
	r->err_message = "This change needs a recent sign-in: confirm your "
	    "password first.";
	return site_form_page(r, &site_reauth_form, ERR_REAUTH_REQUIRED);
}

enum err
site_mfa_required_page(struct req *r)
{
	struct tpl_data *d;

	r->err = ERR_MFA_REQUIRED;
	if ((d = site_page(r, "Set up two-factor sign-in")) == NULL)
		return ERR_INTERNAL;
	return site_page_reply(r, error_status(ERR_MFA_REQUIRED),
	    &tpl_mfa_required, d);
}

enum err
site_login_first(struct req *r)
{
	char *to;

	/* The pages' paths hold nothing a query would need escaped. */
	if ((to = arena_printf(r->arena, "/login?returnTo=%s", r->path)) ==
	    NULL)
		return ERR_INTERNAL;
	return reply_see_other(r, to);
}
