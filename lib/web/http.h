/*
 * http: the request as a handler sees it, and the state of its answer.
 *
 * The request is parsed and size-checked before any handler runs; handlers
 * read validated fields (http_validate) and answer with reply_* (see
 * reply.h) or by returning an enum err, which app turns into the error
 * envelope.  Nothing here touches the socket: app supplies the body reader
 * and sends the answer.
 */
#ifndef QUILL_HTTP_H
#define QUILL_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/principal.h"
#include "pure/form.h"
#include "pure/notice.h"
#include "pure/path.h"
#include "pure/valid.h"
#include "store/ratelimit.h"

struct arena;

enum method {
	M_GET, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OPTIONS, M_OTHER,
	M__MAX
};

enum body_kind { BODY_NONE, BODY_JSON, BODY_FORM };

#define HTTP_REQUEST_ID_MAX 64

struct req {
	struct arena	*arena;

	/* The request, read-only for handlers. */
	enum method	 method;
	const char	*method_name;
	const char	*path;		/* normalised, see path_normalise */
	const char	*script;	/* SCRIPT_NAME, when path came after
					   it (a host without rewriting) */
	const char	*query;		/* raw, without '?' */
	const char	*client;	/* REMOTE_ADDR, or X-Forwarded-For's */
	char		 request_id[HTTP_REQUEST_ID_MAX + 1];
	char *const	*envp;
	int64_t		 params[PATH_MAX_PARAMS];	/* {id} path segments */
	size_t		 nparams;
	enum body_kind	 body_kind;
	cJSON		*json;		/* BODY_JSON: the top-level object */
	struct form	 form;		/* BODY_FORM: the fields */
	struct form	 qs;		/* the query string, once parsed */
	int		 qs_parsed;
	struct principal who;
	int		 token_sent;	/* credentials were presented */
	int		 browser;	/* wants HTML answers: see http_browser */
	int		 csrf_token_ok;	/* a CSRF token was sent and matched */

	/* The response. */
	int		 status;
	struct buf	*hdr;		/* extra header lines, CRLF-terminated */
	size_t		 hdr_mark;	/* the length of hdr when the handler
					   began: an error drops the rest */
	struct buf	*out;		/* body */
	const char	*content_type;
	const char	*cache_control;	/* NULL: "no-store" */
	const char	*page_csp;	/* a page's Content-Security-Policy
					   header line; NULL: reply_page_csp */
	const char	*location;	/* Location, written by reply_head */
	int		 cookie_clear;	/* reply_head drops the cookie */
	enum notice	 notice;	/* a form's 303 leaves it for the next
					   page (reply_see_other) */
	int		 notice_clear;	/* a page showed the notice it was
					   sent: reply_head drops its cookie */
	enum err	 err;
	const char	*err_message;	/* overrides error_message(err) */
	struct verrors	 details;
	struct ratelimit_verdict rate;	/* why a 429 refused */

	/* Supplied by app. */
	int		(*read_body)(void *io, char *dst, size_t n);
	void		*io;

	/* From a route's .handle to its .write (web/app.h). */
	void		*state;		/* what .handle found, in the arena */
	int		 tx_keep;	/* set by app_keep */
};

/* The value of CGI variable name (e.g. "HTTP_AUTHORIZATION"), or NULL. */
const char *http_env(const struct req *r, const char *name);

/*
 * The Authorization header of the request, or NULL (also when empty).
 * Where Apache keeps the header from a program, a .htaccess passes it as
 * a variable (RewriteRule ... [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]),
 * which after the rewrite arrives as REDIRECT_HTTP_AUTHORIZATION; that is
 * read only when HTTP_AUTHORIZATION is absent or empty.  Either way it is
 * the client's header, verified like any other.
 */
const char *http_authorization(const struct req *r);

/* The method named by s. */
enum method http_method(const char *s);

/* The canonical name of m ("GET" ...); "" for M_OTHER. */
const char *http_method_name(enum method m);

/*
 * Reads and parses the body by Content-Type, refusing before reading:
 * 415 for other types, 411 without a length, 413 over the limit
 * (json_max for JSON, form_max for forms).  A request with length 0 and no
 * type has no body.
 */
enum err http_read_body(struct req *r, size_t json_max, size_t form_max);

/* 1 when the Content-Type of the request is a form (urlencoded, multipart). */
int http_form_sent(const struct req *r);

/*
 * 1 when the request gets browser answers: its Accept does not name
 * application/json, and its body is a form or its Accept names text/html
 * (a page the browser navigated to).  See docs/forms.md.
 */
int http_browser(const struct req *r);

/*
 * The body field name when it is a path on this site (valid_return_to),
 * else NULL: what a form may name as the page to go to next.
 */
const char *http_form_path(const struct req *r, const char *name);

/*
 * The query parameter name when it is a path on this site, else NULL (a
 * query that does not parse included): the page a link asks a form to go
 * to next, as /login?returnTo=/account.
 */
const char *http_query_path(const struct req *r, const char *name);

/* Fills in[i] with body field tab[i].name, from JSON or a form. */
void http_fields(const struct req *r, const struct vfield *tab, size_t n,
    struct vinput *in);

/* Reads and validates the body fields of tab; ERR_VALIDATION with details. */
enum err http_validate(struct req *r, const struct vfield *tab, size_t n,
    struct vvalue *out);

/* The query parameter name, or NULL; duplicates or bad encoding: ERR_BAD_REQUEST. */
enum err http_query(struct req *r, const char *name, const char **value);

/*
 * The query parameter name as an id (a canonical decimal 1..2^53-1) in
 * *id, 0 when absent; anything else is ERR_BAD_REQUEST.
 */
enum err http_query_id(struct req *r, const char *name, int64_t *id);

/* Records an error with a message of the caller's and returns it. */
enum err http_fail(struct req *r, enum err e, const char *message);

#endif
