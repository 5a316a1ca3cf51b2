/*
 * The caller's sessions: GET /auth/sessions, DELETE /auth/sessions/{id},
 * DELETE /auth/sessions (all but the current one), and the CSRF token of a
 * browser session, GET /auth/csrf.
 */
#include <time.h>

#include "web/auth.h"
#include "handlers.h"
#include "web/listing.h"
#include "web/reply.h"
#include "store/session.h"
#include "web/view.h"

/* The items of a page of sessions: the first p->limit of n rows. */
static cJSON *
sessions_items(const struct cursor_params *p, const struct session_row *rows,
    size_t n, int64_t current)
{
	cJSON *items = cJSON_CreateArray();
	size_t i;

	for (i = 0; items != NULL && i < n && i < (size_t)p->limit; i++)
		if (!cJSON_AddItemToArray(items,
		    view_session(&rows[i], current))) {
			cJSON_Delete(items);
			return NULL;
		}
	return items;
}

/* GET /api/v1/auth/sessions */
enum err
auth_sessions_list(struct req *r)
{
	struct cursor_params p;
	struct session_row *rows;
	const char *next = NULL;
	int64_t now = time(NULL), total = 0;
	size_t n;
	cJSON *items;
	enum err e;

	if ((e = auth_require(r)) != ERR_NONE ||
	    (e = listing_parse(r, session_sorts, SESSION_NSORTS, 0, 1, &p)) !=
	    ERR_NONE ||
	    (e = session_list(r->arena, r->who.user_id, now, &p, &rows, &n)) !=
	    ERR_NONE)
		return e;
	if (p.mode == CURSOR_OFFSET &&
	    (e = session_count(r->who.user_id, now, &total)) != ERR_NONE)
		return e;
	if (p.mode == CURSOR_KEYSET && n > (size_t)p.limit &&
	    (next = session_cursor(r->arena, &p, &rows[p.limit - 1])) == NULL)
		return ERR_INTERNAL;
	if ((items = sessions_items(&p, rows, n, r->who.session_id)) == NULL)
		return ERR_INTERNAL;
	return reply_list(r, &p, items, next, total);
}

/* DELETE /api/v1/auth/sessions/{id}: .write, after auth_require. */
enum err
auth_session_revoke(struct req *r)
{
	int64_t id = r->params[0];
	enum err e;

	/* Another user's session is as absent as one that never was. */
	if ((e = session_revoke(id, r->who.user_id, time(NULL),
	    "revoked")) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "session_revoked", r->who.user_id, id);
	r->notice = NOTICE_SESSION_ENDED;
	return reply_empty(r);
}

/* DELETE /api/v1/auth/sessions: .write, after auth_require. */
enum err
auth_sessions_revoke(struct req *r)
{
	enum err e;

	if ((e = auth_require_recent(r, time(NULL))) != ERR_NONE)
		return e;
	if ((e = session_revoke_all(r->who.user_id, r->who.session_id,
	    time(NULL), "revoked", NULL)) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "sessions_revoked", r->who.user_id, 0);
	r->notice = NOTICE_SESSIONS_ENDED;
	return reply_empty(r);
}

/* GET /api/v1/auth/csrf */
enum err
auth_csrf_get(struct req *r)
{
	char tok[AUTH_CSRF_TOKEN_SIZE];
	cJSON *d;
	enum err e;

	if ((e = auth_require(r)) != ERR_NONE)
		return e;
	if (auth_csrf_token(r, tok) == -1)
		return http_fail(r, ERR_BAD_REQUEST, "Only a browser session (the "
		    "session cookie of a form login) has a CSRF token; requests "
		    "with a Bearer token need none.");
	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "csrfToken", tok) == NULL) {
		cJSON_Delete(d);
		return ERR_INTERNAL;
	}
	return reply_data(r, 200, d);
}
