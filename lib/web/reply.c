#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/time.h"
#include "pure/cookie.h"
#include "pure/json.h"
#include "pure/path.h"
#include "web/html.h"
#include "web/reply.h"
#include "web/view.h"

/*
 * The security headers of every answer: the API's column of the table in
 * docs/hardening.md, which t/87-security-headers.t holds every server and
 * layout to.  Referer is kept for this site only: a browser sends the
 * Origin of a form post as "null" under no-referrer, and the origin check
 * refuses that (docs/forms.md).  A cross-origin fetch of the API is a CORS
 * request, which Cross-Origin-Resource-Policy does not apply to.
 */
const char reply_security_headers[] =
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: same-origin\r\n"
    "X-Frame-Options: DENY\r\n"
    "Permissions-Policy: accelerometer=(), camera=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Cross-Origin-Resource-Policy: same-origin\r\n";

/* The Content-Security-Policy of data, never a document to render. */
const char reply_data_csp[] =
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n";

/* The Content-Security-Policy of the pages answered to browsers instead. */
const char reply_page_csp[] = "Content-Security-Policy: " HTML_CSP "\r\n";

/* The session cookie with value %s and lifetime %ld, set or cleared. */
#define SESSION_COOKIE COOKIE_SESSION "=%s; Path=/; Max-Age=%ld; Secure; " \
	"HttpOnly; SameSite=Lax"

/* The notice cookie with value %s and lifetime %d, set or cleared. */
#define NOTICE_COOKIE COOKIE_NOTICE "=%s; Path=/; Max-Age=%d; Secure; " \
	"HttpOnly; SameSite=Lax"


int
reply_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return -1;
	if (buf_puts(r->hdr, name) == -1 || buf_puts(r->hdr, ": ") == -1 ||
	    buf_puts(r->hdr, value) == -1 || buf_puts(r->hdr, "\r\n") == -1)
		return -1;
	return 0;
}

/* Starts an answer's envelope in r->out: {"data":, the data to follow. */
static void
reply_data_begin(struct req *r)
{
	buf_reset(r->out);
	buf_puts(r->out, "{\"data\":");
}

/*
 * Ends the envelope reply_data_begin opened, after the data and the meta
 * object's own members (each followed by a comma): the request id and
 * the closing braces; answers status.
 */
static enum err
reply_envelope_end(struct req *r, int status)
{
	buf_puts(r->out, "\"requestId\":");
	json_put_string(r->out, r->request_id);
	if (buf_puts(r->out, "}}") == -1 || r->out->oom)
		return ERR_INTERNAL;
	r->status = status;
	r->content_type = "application/json; charset=utf-8";
	return ERR_NONE;
}

/* Ends the envelope after the data, as reply_data does. */
static enum err
reply_data_end(struct req *r, int status)
{
	buf_puts(r->out, ",\"meta\":{");
	return reply_envelope_end(r, status);
}

/* Writes data after reply_data_begin, and frees it; -1 on failure. */
static int
reply_tree(struct req *r, cJSON *data)
{
	int rc = data != NULL ? json_append(r->out, data) : -1;

	cJSON_Delete(data);
	return rc;
}

enum err
reply_data(struct req *r, int status, cJSON *data)
{
	reply_data_begin(r);
	if (reply_tree(r, data) == -1)
		return ERR_INTERNAL;
	return reply_data_end(r, status);
}

/*
 * The path a client reaches path at: path itself, but an API path or a
 * page's by the program's own name when the request came that way (r->script: a host
 * without rewriting).  NULL when out of memory.
 */
static const char *
reply_reachable(struct req *r, const char *path)
{
	size_t n;
	char *via;

	if (r->script == NULL || (strncmp(path, "/api/", 5) != 0 &&
	    path_page_program(path) == NULL))
		return path;
	n = strlen(r->script) + strlen(path) + 16;
	if ((via = arena_alloc(r->arena, n)) == NULL ||
	    path_via_script(r->script, path, via, n) == -1)
		return NULL;
	return via;
}

/*
 * Sets the Location reply_head writes, as reply_reachable names it; -1,
 * and none, when it holds CR or LF or memory runs out.
 */
static int
reply_location(struct req *r, const char *location)
{
	if (strpbrk(location, "\r\n") != NULL ||
	    (location = reply_reachable(r, location)) == NULL)
		return -1;
	r->location = location;
	return 0;
}

enum err
reply_created(struct req *r, const char *location, cJSON *data)
{
	if (reply_location(r, location) == -1) {
		cJSON_Delete(data);
		return ERR_INTERNAL;
	}
	return reply_data(r, 201, data);
}

/*
 * Writes r's page with page into r->out; when memory ran out on the way,
 * the answer keeps its status and headers and has no body.
 */
static void
reply_site_page(struct req *r, reply_page_fn page)
{
	r->content_type = HTML_CONTENT_TYPE;
	buf_reset(r->out);
	page(r, r->out);
	if (r->out->oom)
		buf_reset(r->out);
}

enum err
reply_see_other(struct req *r, const char *location)
{
	char v[128];

	if (reply_location(r, location) == -1)
		return ERR_INTERNAL;
	/* The next page shows the notice, by name only (pure/notice.h). */
	if (r->notice > NOTICE_NONE && r->notice < NOTICE__MAX) {
		snprintf(v, sizeof(v), NOTICE_COOKIE, notice_names[r->notice],
		    NOTICE_TTL);
		reply_header(r, "Set-Cookie", v);
		r->notice_clear = 0;
	}
	/*
	 * No body: a browser follows Location without showing one, and a
	 * page here would be the only text/html answer of an operation whose
	 * other success is a bodiless 204, which leads the clients generated
	 * from docs/openapi.yaml to ask for text/html.
	 */
	buf_reset(r->out);
	r->status = 303;
	r->content_type = NULL;
	return ERR_NONE;
}

enum err
reply_moved(struct req *r, const char *location)
{
	if (reply_location(r, location) == -1)
		return ERR_INTERNAL;
	buf_reset(r->out);
	r->status = 301;
	r->content_type = NULL;
	return ERR_NONE;
}

/* A 401 names its scheme, whatever its body (RFC 9110). */
static void
reply_challenge(struct req *r)
{
	reply_header(r, "WWW-Authenticate", r->token_sent ?
	    "Bearer realm=\"quill\", error=\"invalid_token\"" :
	    "Bearer realm=\"quill\"");
}

enum err
reply_page(struct req *r, int status, reply_html fn, const void *arg)
{
	reply_header(r, "Vary", "Accept");
	if (status == 401)
		reply_challenge(r);
	buf_reset(r->out);
	fn(r->out, arg);
	r->status = status;
	r->content_type = HTML_CONTENT_TYPE;
	return ERR_NONE;
}

void
reply_etag(struct req *r, const char *etag)
{
	reply_header(r, "ETag", etag);
}

void
reply_public(struct req *r)
{
	r->cache_control = "no-cache";
	reply_header(r, "Vary", "Authorization, Cookie, Accept");
}

void
reply_cookie_set(struct req *r, const char *secret)
{
	char v[256];

	snprintf(v, sizeof(v), SESSION_COOKIE, secret, config.cookie_ttl);
	reply_header(r, "Set-Cookie", v);
	explicit_bzero(v, sizeof(v));
}

void
reply_cookie_clear(struct req *r)
{
	r->cookie_clear = 1;
}

enum err
reply_empty(struct req *r)
{
	buf_reset(r->out);
	r->status = 204;
	r->content_type = NULL;
	return ERR_NONE;
}

enum err
reply_not_modified(struct req *r)
{
	buf_reset(r->out);
	r->status = 304;
	r->content_type = NULL;
	return ERR_NONE;
}

/* Appends ,"key":"value" with value escaped. */
static void
out_kv(struct buf *b, const char *key, const char *value, int comma)
{
	buf_printf(b, "%s\"%s\":\"", comma ? "," : "", key);
	buf_json_escape(b, value, strlen(value));
	buf_puts(b, "\"");
}

void
reply_error(struct req *r, reply_page_fn page)
{
	struct buf *b = r->out;
	char now[32], num[24];
	size_t i;
	enum err e = r->err;

	if (e <= ERR_NONE || e >= ERR__MAX)
		e = ERR_INTERNAL;
	/* What the handler added was for its success. */
	if (r->hdr_mark < r->hdr->len) {
		r->hdr->len = r->hdr_mark;
		r->hdr->data[r->hdr_mark] = '\0';
	}
	r->status = error_status(e);
	r->content_type = "application/json; charset=utf-8";
	r->cache_control = NULL;
	r->location = NULL;
	buf_reset(b);
	if (r->browser) {
		/* The same URL answers JSON to another Accept. */
		reply_header(r, "Vary", "Accept");
		r->err = e;
		reply_site_page(r, page);
		goto headers;
	}
	buf_puts(b, "{\"error\":{");
	out_kv(b, "code", error_code(e), 0);
	out_kv(b, "message", r->err_message != NULL ? r->err_message :
	    error_message(e), 1);
	if (r->details.n > 0) {
		buf_puts(b, ",\"details\":[");
		for (i = 0; i < r->details.n; i++) {
			buf_puts(b, i ? ",{" : "{");
			out_kv(b, "field", r->details.e[i].field, 0);
			out_kv(b, "code", r->details.e[i].code, 1);
			out_kv(b, "message", r->details.e[i].message, 1);
			buf_puts(b, "}");
		}
		buf_puts(b, "]");
	}
	time_rfc3339(time(NULL), now, sizeof(now));
	buf_puts(b, "},\"meta\":{");
	out_kv(b, "timestamp", now, 0);
	out_kv(b, "requestId", r->request_id, 1);
	buf_puts(b, "}}");
headers:
	if (e == ERR_UNAUTHENTICATED)
		reply_challenge(r);
	if (e == ERR_RATE_LIMITED && r->rate.limit > 0) {
		snprintf(num, sizeof(num), "%ld", r->rate.limit);
		reply_header(r, "RateLimit-Limit", num);
		reply_header(r, "RateLimit-Remaining", "0");
		snprintf(num, sizeof(num), "%lld", (long long)r->rate.reset);
		reply_header(r, "RateLimit-Reset", num);
	}
	/* A 429 says when its window ends; a 503, to try again at once. */
	if (e == ERR_RATE_LIMITED || e == ERR_UNAVAILABLE) {
		snprintf(num, sizeof(num), "%lld", e == ERR_RATE_LIMITED &&
		    r->rate.limit > 0 ? (long long)r->rate.reset : 1LL);
		reply_header(r, "Retry-After", num);
	}
}

void
reply_head(const struct req *r, struct buf *head)
{
	buf_reset(head);
	buf_puts(head, "Status: ");
	buf_int(head, r->status, 0);
	buf_puts(head, " ");
	buf_puts(head, error_reason(r->status));
	buf_puts(head, "\r\n");
	if (r->content_type != NULL) {
		buf_puts(head, "Content-Type: ");
		buf_puts(head, r->content_type);
		buf_puts(head, "\r\n");
	}
	if (r->status != 204 && r->status != 304) {
		buf_puts(head, "Content-Length: ");
		buf_int(head, (long long)r->out->len, 0);
		buf_puts(head, "\r\n");
	}
	buf_puts(head, reply_security_headers);
	buf_puts(head, r->content_type == NULL ||
	    strncmp(r->content_type, "text/html", 9) != 0 ? reply_data_csp :
	    r->page_csp != NULL ? r->page_csp : reply_page_csp);
	buf_puts(head, "Cache-Control: ");
	/* A page showing a notice is for this one reader, this one time. */
	buf_puts(head, r->cache_control != NULL && !r->notice_clear ?
	    r->cache_control : "no-store");
	buf_puts(head, "\r\nX-Request-Id: ");
	buf_puts(head, r->request_id);
	buf_puts(head, "\r\n");
	if (r->location != NULL) {
		buf_puts(head, "Location: ");
		buf_puts(head, r->location);
		buf_puts(head, "\r\n");
	}
	if (r->cookie_clear)
		buf_printf(head, "Set-Cookie: " SESSION_COOKIE "\r\n", "", 0L);
	if (r->notice_clear)
		buf_printf(head, "Set-Cookie: " NOTICE_COOKIE "\r\n", "", 0);
	buf_append(head, r->hdr->data != NULL ? r->hdr->data : "", r->hdr->len);
	buf_puts(head, "\r\n");
}

/* Appends s percent-encoded for a query string. */
static void
query_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~", c) != NULL) {
			buf_append(b, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		buf_append(b, esc, 3);
	}
}

/* Sets Link: <path?query-with-next>; rel="next". */
static void
link_next(struct req *r, const char *name, const char *value)
{
	const char *path = reply_reachable(r, r->path);
	struct buf b = { 0 };
	size_t i;

	if (path == NULL)
		return;
	buf_puts(&b, "<");
	buf_puts(&b, path);
	buf_puts(&b, "?");
	for (i = 0; i < r->qs.n; i++) {
		if (strcmp(r->qs.fields[i].name, "cursor") == 0 ||
		    strcmp(r->qs.fields[i].name, "page") == 0)
			continue;
		query_escape(&b, r->qs.fields[i].name);
		buf_puts(&b, "=");
		query_escape(&b, r->qs.fields[i].value);
		buf_puts(&b, "&");
	}
	buf_puts(&b, name);
	buf_puts(&b, "=");
	query_escape(&b, value);
	buf_puts(&b, ">; rel=\"next\"");
	if (!b.oom)
		reply_header(r, "Link", b.data);
	buf_free(&b);
}

/* Appends "key":v, to the meta object. */
static void
meta_int(struct req *r, const char *key, int64_t v)
{
	buf_puts(r->out, key);
	json_put_int(r->out, v);
	buf_append(r->out, ",", 1);
}

/* Ends the envelope after a list's items, as reply_list does. */
static enum err
reply_list_end(struct req *r, const struct cursor_params *p,
    const char *next, int64_t total)
{
	int64_t pages;
	char num[24];

	buf_puts(r->out, ",\"meta\":{");
	if (p->mode == CURSOR_KEYSET) {
		meta_int(r, "\"limit\":", p->limit);
		buf_puts(r->out, "\"nextCursor\":");
		if (next != NULL)
			json_put_string(r->out, next);
		else
			buf_puts(r->out, "null");
		buf_puts(r->out, next != NULL ? ",\"hasMore\":true," :
		    ",\"hasMore\":false,");
		if (next != NULL)
			link_next(r, "cursor", next);
	} else {
		pages = (total + p->limit - 1) / p->limit;
		meta_int(r, "\"page\":", p->page);
		meta_int(r, "\"perPage\":", p->limit);
		meta_int(r, "\"total\":", total);
		meta_int(r, "\"totalPages\":", pages);
		if (p->page < pages) {
			snprintf(num, sizeof(num), "%lld", (long long)p->page + 1);
			link_next(r, "page", num);
		}
	}
	return reply_envelope_end(r, 200);
}

enum err
reply_list(struct req *r, const struct cursor_params *p, cJSON *items,
    const char *next, int64_t total)
{
	reply_data_begin(r);
	if (reply_tree(r, items) == -1)
		return ERR_INTERNAL;
	return reply_list_end(r, p, next, total);
}

enum err
reply_post(struct req *r, const char *location, const struct post *p)
{
	if (location != NULL && reply_location(r, location) == -1)
		return ERR_INTERNAL;
	reply_data_begin(r);
	if (view_post_json(r->out, p) == -1)
		return ERR_INTERNAL;
	return reply_data_end(r, location != NULL ? 201 : 200);
}

enum err
reply_posts(struct req *r, const struct cursor_params *p,
    const struct post *rows, size_t n, const char *next, int64_t total)
{
	reply_data_begin(r);
	if (view_posts_json(r->out, rows, n) == -1)
		return ERR_INTERNAL;
	return reply_list_end(r, p, next, total);
}
