/*
 * users.fcgi: /api/v1/users — profiles, roles and the admin's operations —
 * and the site's pages of them (docs/forms.md): /account, /account/delete,
 * /admin/users, /admin/users/{id}.  Who may do what is written down in
 * docs/users.md.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/app.h"
#include "base/arena.h"
#include "web/auth.h"
#include "web/confirm.h"
#include "base/config.h"
#include "gen/templates.h"
#include "pure/form.h"
#include "pure/notice.h"
#include "web/listing.h"
#include "base/log.h"
#include "base/password.h"
#include "web/reply.h"
#include "base/text.h"
#include "store/user.h"
#include "store/verify.h"
#include "web/site.h"
#include "web/view.h"

/* Longest q a list accepts, in characters. */
#define USERS_Q_MAX 100

/* PATCH /users/me: the changeable fields first, then the proof. */
enum me_field { ME_NAME, ME_EMAIL, ME_CURRENT_PASSWORD, ME__MAX };

static const struct vfield me_fields[ME__MAX] = {
	[ME_NAME] = { "name", valid_name, 0 },
	[ME_EMAIL] = { "email", valid_email, 0 },
	[ME_CURRENT_PASSWORD] = { "currentPassword", valid_secret, 0 },
};

enum delete_field { DEL_CURRENT_PASSWORD, DEL__MAX };

static const struct vfield delete_fields[DEL__MAX] = {
	[DEL_CURRENT_PASSWORD] = { "currentPassword", valid_secret, 1 },
};

/* PATCH /users/{id}: the only fields an admin sets on another account. */
enum admin_field { ADM_NAME, ADM_ROLE, ADM_DISABLED, ADM__MAX };

static const struct vfield admin_fields[ADM__MAX] = {
	[ADM_NAME] = { "name", valid_name, 0 },
	[ADM_ROLE] = { "role", valid_role, 0 },
	[ADM_DISABLED] = { "disabled", valid_bool, 0 },
};

/* Gives the store's conflict its reason. */
static enum err
users_store_fail(struct req *r, enum err e)
{
	if (e == ERR_CONFLICT)
		return http_fail(r, e, user_last_admin_message);
	return e;
}

/* Logs event about user id, done by the caller. */
static void
users_log(struct req *r, const char *event, int64_t id)
{
	char uid[24], by[24];

	snprintf(uid, sizeof(uid), "%lld", (long long)id);
	snprintf(by, sizeof(by), "%lld", (long long)r->who.user_id);
	log_event(LOG_INFO, event, r->request_id, "userId", uid, "by", by,
	    NULL);
}

/* The caller's account into *u; one that is gone is ERR_UNAUTHENTICATED. */
static enum err
users_load_self(struct req *r, struct user *u)
{
	enum err e = user_get(r->arena, r->who.user_id, u);

	return e == ERR_NOT_FOUND ? ERR_UNAUTHENTICATED : e;
}

/*
 * What the .handle of a change to the caller's own account found, for its
 * .write: the account before the change, the change, and whether the
 * current password given was wrong.
 */
struct users_self {
	struct user		 u;
	struct user_change	 c;
	int			 wrong;
};

/*
 * Loads the caller into a new r->state and, when pw is given, checks it
 * against their current password (Argon2, outside the transaction).
 */
static enum err
users_self_begin(struct req *r, const struct vvalue *pw,
    struct users_self **sp)
{
	struct users_self *s;
	enum err e;

	if ((*sp = s = app_state(r, sizeof(*s))) == NULL)
		return ERR_INTERNAL;
	if ((e = users_load_self(r, &s->u)) != ERR_NONE || pw == NULL)
		return e;
	return auth_verify_current(r, &s->u, pw, time(NULL), &s->wrong);
}

/* GET /api/v1/users/me */
static enum err
users_me(struct req *r)
{
	struct user u;
	enum err e;

	if ((e = auth_require(r)) != ERR_NONE)
		return e;
	if ((e = users_load_self(r, &u)) != ERR_NONE ||
	    (e = verify_pending(r->arena, u.id, time(NULL),
	    &u.pending_email)) != ERR_NONE)
		return e;
	return reply_data(r, 200, view_user(&u, 1));
}

/* PATCH /api/v1/users/me: name; email only with currentPassword. */
static enum err
users_me_update(struct req *r)
{
	struct vvalue v[ME__MAX];
	struct users_self *s;
	enum err e;

	if ((e = auth_require(r)) != ERR_NONE)
		return e;
	if ((e = http_validate(r, me_fields, ME__MAX, v)) != ERR_NONE)
		return e;
	if (valid_require_one(me_fields, ME_CURRENT_PASSWORD, v, &r->details))
		return ERR_VALIDATION;
	if (v[ME_EMAIL].present && !v[ME_CURRENT_PASSWORD].present) {
		valid_add(&r->details, "currentPassword", "required",
		    "Give the current password to change the email address.");
		return ERR_VALIDATION;
	}
	if (v[ME_EMAIL].present &&
	    (e = auth_require_recent(r, time(NULL))) != ERR_NONE)
		return e;
	if ((e = users_self_begin(r, v[ME_EMAIL].present ?
	    &v[ME_CURRENT_PASSWORD] : NULL, &s)) != ERR_NONE)
		return e;
	s->c = (struct user_change)USER_CHANGE_NONE;
	if (v[ME_NAME].present) {
		s->c.name = v[ME_NAME].str;
		s->c.name_len = v[ME_NAME].len;
	}
	if (v[ME_EMAIL].present) {
		s->c.email = v[ME_EMAIL].str;
		s->c.email_len = v[ME_EMAIL].len;
	}
	/* A confirmed new email ends the other sessions; this one goes on. */
	s->c.keep_session = r->who.session_id;
	return ERR_NONE;
}

static enum err
users_me_update_write(struct req *r)
{
	const struct users_self *s = r->state;
	struct user_change c;
	struct user u;
	int64_t now = time(NULL);
	int moved;
	enum err e;

	if (s->wrong)
		return app_keep(r, auth_wrong_current(r, &s->u,
		    "currentPassword", now));
	/*
	 * A new address only waits for its confirmation (docs/auth.md); the
	 * same one in other letter case is taken as it is.
	 */
	c = s->c;
	moved = c.email != NULL && !user_email_same(s->u.email, c.email,
	    c.email_len);
	if (moved)
		c.email = NULL;
	if ((e = auth_write_limit(r)) != ERR_NONE ||
	    (e = user_update(r->arena, s->u.id, &c, now, &u)) != ERR_NONE ||
	    (moved && (e = confirm_send_change(r->arena, &u,
	    r->who.session_id, s->c.email,
	    s->c.email_len, now)) != ERR_NONE) ||
	    (e = verify_pending(r->arena, u.id, now, &u.pending_email)) !=
	    ERR_NONE)
		return e;
	if (moved)
		users_log(r, "email_change_requested", u.id);
	r->notice = moved ? NOTICE_EMAIL_CHANGE_SENT : s->c.name != NULL ?
	    NOTICE_NAME_SAVED : NOTICE_NONE;
	return reply_data(r, 200, view_user(&u, 1));
}

/* DELETE /api/v1/users/me: currentPassword; the posts go too. */
static enum err
users_me_delete(struct req *r)
{
	struct vvalue v[DEL__MAX];
	struct users_self *s;
	enum err e;

	if ((e = auth_require(r)) != ERR_NONE)
		return e;
	if ((e = http_validate(r, delete_fields, DEL__MAX, v)) != ERR_NONE ||
	    (e = auth_require_recent(r, time(NULL))) != ERR_NONE)
		return e;
	return users_self_begin(r, &v[DEL_CURRENT_PASSWORD], &s);
}

static enum err
users_me_delete_write(struct req *r)
{
	const struct users_self *s = r->state;
	int64_t now = time(NULL);
	enum err e;

	if (s->wrong)
		return app_keep(r, auth_wrong_current(r, &s->u,
		    "currentPassword", now));
	if ((e = auth_write_limit(r)) != ERR_NONE)
		return e;
	if ((e = user_delete(r->arena, s->u.id, now)) != ERR_NONE)
		return users_store_fail(r, e);
	users_log(r, "user_deleted", s->u.id);
	r->notice = NOTICE_ACCOUNT_DELETED;
	return reply_empty(r);
}

/* GET /api/v1/users/{id}: the public profile, or all to self and staff. */
static enum err
users_get(struct req *r)
{
	struct user u;
	int full;
	enum err e;

	if ((e = auth_identify(r)) != ERR_NONE)
		return e;
	if ((e = user_get(r->arena, r->params[0], &u)) != ERR_NONE)
		return e;
	full = r->who.user_id != 0 && (r->who.user_id == u.id ||
	    r->who.role >= ROLE_MODERATOR);
	return reply_data(r, 200, view_user(&u, full));
}

/* PATCH /api/v1/users/{id}: an admin sets name, role, disabled. */
static enum err
users_update(struct req *r)
{
	struct vvalue v[ADM__MAX];
	struct user_change *c;
	enum err e;

	if ((e = auth_require_role(r, ROLE_ADMIN)) != ERR_NONE)
		return e;
	if ((e = http_validate(r, admin_fields, ADM__MAX, v)) != ERR_NONE)
		return e;
	if (valid_require_one(admin_fields, ADM__MAX, v, &r->details))
		return ERR_VALIDATION;
	/* A role or an account's state is a dangerous change; a name not. */
	if ((v[ADM_ROLE].present || v[ADM_DISABLED].present) &&
	    (e = auth_require_recent(r, time(NULL))) != ERR_NONE)
		return e;
	if ((c = app_state(r, sizeof(*c))) == NULL)
		return ERR_INTERNAL;
	*c = (struct user_change)USER_CHANGE_NONE;
	if (v[ADM_NAME].present) {
		c->name = v[ADM_NAME].str;
		c->name_len = v[ADM_NAME].len;
	}
	if (v[ADM_ROLE].present)
		c->role = (int)v[ADM_ROLE].i;
	if (v[ADM_DISABLED].present)
		c->disabled = v[ADM_DISABLED].b;
	return ERR_NONE;
}

static enum err
users_update_write(struct req *r)
{
	const struct user_change *c = r->state;
	struct user u;
	enum err e;

	if ((e = auth_write_limit(r)) != ERR_NONE)
		return e;
	if ((e = user_update(r->arena, r->params[0], c, time(NULL), &u)) !=
	    ERR_NONE)
		return users_store_fail(r, e);
	users_log(r, "user_changed", u.id);
	r->notice = c->disabled == 1 ? NOTICE_USER_DISABLED :
	    c->disabled == 0 ? NOTICE_USER_ENABLED :
	    c->role != -1 ? NOTICE_ROLE_CHANGED : NOTICE_NONE;
	return reply_data(r, 200, view_user(&u, 1));
}

/* DELETE /api/v1/users/{id} */
static enum err
users_delete(struct req *r)
{
	enum err e;

	if ((e = auth_require_role(r, ROLE_ADMIN)) != ERR_NONE)
		return e;
	return auth_require_recent(r, time(NULL));
}

static enum err
users_delete_write(struct req *r)
{
	enum err e;

	if ((e = auth_write_limit(r)) != ERR_NONE)
		return e;
	if ((e = user_delete(r->arena, r->params[0], time(NULL))) != ERR_NONE)
		return users_store_fail(r, e);
	users_log(r, "user_deleted", r->params[0]);
	r->notice = NOTICE_USER_DELETED;
	return reply_empty(r);
}

/* Reads the role and q parameters of GET /users into *f. */
static enum err
users_filter(struct req *r, struct user_filter *f)
{
	const char *role, *q;
	enum err e;

	memset(f, 0, sizeof(*f));
	if ((e = http_query(r, "role", &role)) != ERR_NONE ||
	    (e = http_query(r, "q", &q)) != ERR_NONE)
		return e;
	f->any_role = role == NULL;
	if (role != NULL && principal_role_parse(role, &f->role) == -1)
		return http_fail(r, ERR_BAD_REQUEST,
		    "The role parameter must be user, moderator or admin.");
	if (q != NULL &&
	    text_utf8_chars(q, strlen(q), USERS_Q_MAX) > USERS_Q_MAX)
		return http_fail(r, ERR_BAD_REQUEST,
		    "The q parameter must be at most 100 characters.");
	f->q = q != NULL && *q != '\0' ? q : NULL;
	return ERR_NONE;
}

/*
 * The page of users that r's query asks for (role, q, and the listing's
 * parameters, in *f and *p): *rows, *n of them (at most the limit), *next
 * the cursor of the page after it or NULL, *total their number for an
 * offset page.
 */
static enum err
users_rows(struct req *r, struct user_filter *f, struct cursor_params *p,
    struct user **rows, size_t *n, const char **next, int64_t *total)
{
	enum err e;

	*next = NULL;
	*total = 0;
	if ((e = listing_parse(r, user_sorts, USER_SORT__MAX, USER_SORT_CREATED,
	    1, p)) != ERR_NONE || (e = users_filter(r, f)) != ERR_NONE)
		return e;
	if ((e = user_list(r->arena, f, p, rows, n)) != ERR_NONE)
		return e;
	if (p->mode == CURSOR_OFFSET &&
	    (e = user_count(r->arena, f, total)) != ERR_NONE)
		return e;
	if (*n > (size_t)p->limit) {
		if (p->mode == CURSOR_KEYSET && (*next = user_cursor(r->arena,
		    p, &(*rows)[p->limit - 1])) == NULL)
			return ERR_INTERNAL;
		*n = (size_t)p->limit;
	}
	return ERR_NONE;
}

/* GET /api/v1/users: moderators and admins. */
static enum err
users_list(struct req *r)
{
	struct cursor_params p;
	struct user_filter f;
	struct user *rows;
	const char *next;
	int64_t total;
	size_t n, i;
	cJSON *items;
	enum err e;

	if ((e = auth_require_role(r, ROLE_MODERATOR)) != ERR_NONE)
		return e;
	if ((e = users_rows(r, &f, &p, &rows, &n, &next, &total)) != ERR_NONE)
		return e;
	if ((items = cJSON_CreateArray()) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(items, view_user(&rows[i], 1))) {
			cJSON_Delete(items);
			return ERR_INTERNAL;
		}
	return reply_list(r, &p, items, next, total);
}

/*
 * The pages.  Each is a form page of site.h, so that a form refused by
 * the API comes back as the page it was sent from; their HTML is
 * templates/account.html, account_delete.html, admin_users.html and
 * admin_user.html.
 */

/*
 * auth_require_role for a page: an anonymous reader is sent to the log-in
 * page, which brings them back here (*away set: the 303 is the answer).
 */
static enum err
users_page_reader(struct req *r, enum role min, int *away)
{
	enum err e = auth_require_role(r, min);

	*away = 0;
	if (e != ERR_UNAUTHENTICATED)
		return e;
	*away = 1;
	return site_login_first(r);
}

/* 1 when r is a form that sent field name. */
static int
users_sent(const struct req *r, const char *name)
{
	return r->body_kind == BODY_FORM && form_get(&r->form, name) != NULL;
}

/* The values of u that every page of a user shows, into d. */
static void
users_page_values(struct tpl_data *d, const struct user *u)
{
	tpl_int(d, TK_id, u->id);
	tpl_str(d, TK_name, u->name);
	tpl_str(d, TK_email, u->email);
	tpl_str(d, TK_role, principal_role_name(u->role));
	tpl_bool(d, TK_disabled, u->disabled);
	tpl_int(d, TK_created_at, u->created_at);
}

/*
 * The account page's values: the reader's address, whether it is
 * confirmed, the new one waiting for its confirmation, and the name as
 * stored unless the form sent one.  The page is left without them when
 * the store cannot be read.
 */
static void
users_account_fill(struct tpl_data *d, const struct req *r)
{
	struct user u;

	if (user_get(r->arena, r->who.user_id, &u) != ERR_NONE ||
	    verify_pending(r->arena, u.id, time(NULL), &u.pending_email) !=
	    ERR_NONE)
		return;
	tpl_str(d, TK_current_email, u.email);
	tpl_bool(d, TK_verified, u.verified_at != 0);
	tpl_str(d, TK_pending_email, u.pending_email);
	if (!users_sent(r, "name"))
		tpl_str(d, TK_name, u.name);
}

static const struct site_field users_account_fields[] = {
	{ "name", "Name", TK_name, TK_name_error, NULL },
	{ "email", "New address", TK_email, TK_email_error, NULL },
	{ "currentPassword", "Password", 0, TK_password_error, NULL },
};

static const struct site_form users_account_form = {
	&tpl_account, "Your account", users_account_fields,
	sizeof(users_account_fields) / sizeof(users_account_fields[0]),
	users_account_fill
};

static const struct site_field users_delete_fields[] = {
	{ "currentPassword", "Password", 0, TK_password_error, NULL },
};

static const struct site_form users_delete_form = {
	&tpl_account_delete, "Delete your account", users_delete_fields,
	sizeof(users_delete_fields) / sizeof(users_delete_fields[0]),
	users_account_fill
};

/* A form page of readers of role min or above, as blank form f. */
static enum err
users_form_page(struct req *r, enum role min, const struct site_form *f)
{
	enum err e;
	int away;

	if ((e = users_page_reader(r, min, &away)) != ERR_NONE || away)
		return e;
	return site_form_page(r, f, ERR_NONE);
}

/* GET /account */
static enum err
users_account_page(struct req *r)
{
	return users_form_page(r, ROLE_USER, &users_account_form);
}

/* GET /account/delete */
static enum err
users_account_delete_page(struct req *r)
{
	return users_form_page(r, ROLE_USER, &users_delete_form);
}

/* GET /admin/users: the users for staff, a page at a time. */
static enum err
users_admin_list_page(struct req *r)
{
	struct cursor_params p;
	struct user_filter f;
	struct user *rows;
	struct tpl_data *d, *item;
	const char *next, *limit;
	int64_t total;
	size_t n, i;
	enum err e;
	int away;

	if ((e = users_page_reader(r, ROLE_MODERATOR, &away)) != ERR_NONE ||
	    away)
		return e;
	if ((e = users_rows(r, &f, &p, &rows, &n, &next, &total)) != ERR_NONE ||
	    (e = http_query(r, "limit", &limit)) != ERR_NONE)
		return e;
	if ((d = site_page(r, f.q != NULL ? "Users found" : "Users")) == NULL)
		return ERR_INTERNAL;
	tpl_bool(d, TK_found, n > 0);
	tpl_str(d, TK_q, f.q);
	tpl_str(d, TK_next, next);
	/* The next page is as long as this one. */
	tpl_str(d, TK_limit, limit);
	for (i = 0; i < n; i++) {
		if ((item = tpl_item(d, TK_users)) == NULL)
			return ERR_INTERNAL;
		users_page_values(item, &rows[i]);
	}
	return site_page_reply(r, 200, &tpl_admin_users, d);
}

/*
 * The page of user r->params[0] for staff: what the account is, and for
 * an admin the forms that change it, the role selected as sent, else as
 * stored, and the rule that keeps the last active admin when it holds
 * for this one.  A refused form's messages go beside that form: a
 * DELETE's by the delete form, a role's by the role form, else by the one
 * that disables and enables.  The page is left without them when the user
 * cannot be read.
 */
static void
users_admin_fill(struct tpl_data *d, const struct req *r)
{
	const struct form_field *sent = r->body_kind == BODY_FORM ?
	    form_get(&r->form, "role") : NULL;
	struct user u;
	enum role sel;
	int last = 0;

	if (user_get(r->arena, r->params[0], &u) != ERR_NONE)
		return;
	users_page_values(d, &u);
	tpl_str(d, TK_title, u.name);
	tpl_str(d, TK_current_email, u.email);
	tpl_bool(d, TK_verified, u.verified_at != 0);
	tpl_bool(d, TK_may_manage, r->who.role == ROLE_ADMIN);
	/* Said before it is tried; not knowing, the forms say it after. */
	if (r->who.role == ROLE_ADMIN &&
	    user_last_admin(&u, &last) == ERR_NONE && last)
		tpl_str(d, TK_last_admin, user_last_admin_message);
	sel = u.role;
	if (sent != NULL)
		(void)principal_role_parse(sent->value, &sel);
	site_options(d, TK_roles, principal_role_names, ROLE__MAX, (int)sel);
	if (r->method == M_DELETE)
		tpl_bool(d, TK_delete_refused, 1);
	else if (sent != NULL)
		tpl_bool(d, TK_role_refused, 1);
	else if (r->body_kind == BODY_FORM)
		tpl_bool(d, TK_state_refused, 1);
}

static const struct site_field users_admin_fields[] = {
	{ "role", "Role", 0, TK_role_error, NULL },	/* users_admin_fill */
};

static const struct site_form users_admin_form = {
	&tpl_admin_user, "User", users_admin_fields,
	sizeof(users_admin_fields) / sizeof(users_admin_fields[0]),
	users_admin_fill
};

/* GET /admin/users/{id} */
static enum err
users_admin_user_page(struct req *r)
{
	struct user u;
	enum err e;
	int away;

	/* Staff only: no one else learns whether id exists. */
	if ((e = users_page_reader(r, ROLE_MODERATOR, &away)) != ERR_NONE ||
	    away || (e = user_get(r->arena, r->params[0], &u)) != ERR_NONE)
		return e;
	return site_form_page(r, &users_admin_form, ERR_NONE);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/users", users_list, 0, NULL, NULL },
	{ M_GET, "/api/v1/users/me", users_me, 0, NULL, NULL },
	{ M_PATCH, "/api/v1/users/me", users_me_update, 0,
	    users_me_update_write, &users_account_form },
	{ M_DELETE, "/api/v1/users/me", users_me_delete, 0,
	    users_me_delete_write, &users_delete_form },
	{ M_GET, "/api/v1/users/{id}", users_get, 0, NULL, NULL },
	{ M_PATCH, "/api/v1/users/{id}", users_update, 0, users_update_write,
	    &users_admin_form },
	{ M_DELETE, "/api/v1/users/{id}", users_delete, 0, users_delete_write,
	    &users_admin_form },
	{ M_GET, "/account", users_account_page, 0, NULL, NULL },
	{ M_GET, "/account/delete", users_account_delete_page, 0, NULL, NULL },
	{ M_GET, "/admin/users", users_admin_list_page, 0, NULL, NULL },
	{ M_GET, "/admin/users/{id}", users_admin_user_page, 0, NULL, NULL },
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, "users", routes,
	    sizeof(routes) / sizeof(routes[0]), 0);
}
