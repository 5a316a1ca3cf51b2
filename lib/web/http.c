#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/arena.h"
#include "base/text.h"
#include "base/time.h"
#include "web/http.h"
#include "pure/json.h"
#include "web/html.h"

static const char *const method_names[M__MAX] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", ""
};

/*
 * The security headers of every answer: the API's column of the table in
 * docs/hardening.md, which t/87-security-headers.t holds every server and
 * layout to.  Referer is kept for this site only: a browser sends the
 * Origin of a form post as "null" under no-referrer, and the origin check
 * refuses that (docs/forms.md).  A cross-origin fetch of the API is a CORS
 * request, which Cross-Origin-Resource-Policy does not apply to.
 */
static const char security_headers[] =
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: same-origin\r\n"
    "X-Frame-Options: DENY\r\n"
    "Permissions-Policy: accelerometer=(), camera=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Cross-Origin-Resource-Policy: same-origin\r\n";

/* The Content-Security-Policy of data, never a document to render. */
static const char data_csp[] =
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n";

/* The Content-Security-Policy of the pages answered to browsers instead. */
static const char page_csp[] = "Content-Security-Policy: " HTML_CSP "\r\n";

const char *
http_env(const struct req *r, const char *name)
{
	size_t n = strlen(name);
	char *const *e;

	if (r->envp == NULL)
		return NULL;
	/* The first byte rules out most variables before a full compare. */
	for (e = r->envp; *e != NULL; e++)
		if ((*e)[0] == name[0] && strncmp(*e, name, n) == 0 &&
		    (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

enum method
http_method(const char *s)
{
	int m;

	if (s == NULL)
		return M_OTHER;
	for (m = 0; m < M_OTHER; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum method)m;
	return M_OTHER;
}

const char *
http_method_name(enum method m)
{
	return (m >= 0 && m < M__MAX) ? method_names[m] : "";
}

/* Compares the media type of a Content-Type value (before ';') with want. */
static int
media_is(const char *ctype, const char *want)
{
	size_t n = strlen(want);

	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	if (strncasecmp(ctype, want, n) != 0)
		return 0;
	ctype += n;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

/* 1 when a JSON Content-Type names a charset other than UTF-8. */
static int
charset_not_utf8(const char *ctype)
{
	const char *v;

	for (v = ctype; *v != '\0'; v++)
		if (strncasecmp(v, "charset=", 8) == 0)
			break;
	if (*v == '\0')
		return 0;
	v += 8;
	if (*v == '"')
		v++;
	return strncasecmp(v, "utf-8", 5) != 0 ||
	    (v[5] != '\0' && v[5] != '"' && v[5] != ';' && v[5] != ' ');
}

/* Reads exactly n bytes of body into the arena. */
static enum err
body_fetch(struct req *r, size_t n, char **out)
{
	char *p;
	size_t got = 0;
	int k;

	if ((p = arena_alloc(r->arena, n + 1)) == NULL)
		return ERR_INTERNAL;
	while (got < n) {
		k = r->read_body(r->io, p + got, n - got);
		if (k <= 0)
			return http_fail(r, ERR_BAD_REQUEST,
			    "The request body is shorter than its Content-Length.");
		got += (size_t)k;
	}
	p[n] = '\0';
	*out = p;
	return ERR_NONE;
}

enum err
http_read_body(struct req *r, size_t json_max, size_t form_max)
{
	const char *ctype = http_env(r, "CONTENT_TYPE");
	const char *clen = http_env(r, "CONTENT_LENGTH");
	enum body_kind kind;
	enum json_err je;
	enum form_err fe;
	size_t max, len;
	char *end, *body;
	unsigned long long v;
	enum err e;

	if (ctype != NULL && *ctype == '\0')
		ctype = NULL;
	if (clen == NULL || *clen == '\0') {
		if (ctype == NULL)
			return ERR_NONE;
		return ERR_LENGTH_REQUIRED;
	}
	errno = 0;
	v = strtoull(clen, &end, 10);
	if (errno != 0 || *end != '\0' || !isdigit((unsigned char)clen[0]))
		return http_fail(r, ERR_BAD_REQUEST,
		    "The Content-Length header is not a number.");
	if (v == 0 && ctype == NULL)
		return ERR_NONE;
	if (ctype == NULL)
		return ERR_UNSUPPORTED_MEDIA_TYPE;
	if (media_is(ctype, "application/json")) {
		if (charset_not_utf8(ctype))
			return ERR_UNSUPPORTED_MEDIA_TYPE;
		kind = BODY_JSON;
		max = json_max;
	} else if (media_is(ctype, "application/x-www-form-urlencoded") ||
	    media_is(ctype, "multipart/form-data")) {
		kind = BODY_FORM;
		max = form_max;
	} else
		return ERR_UNSUPPORTED_MEDIA_TYPE;
	if (v > max)
		return ERR_PAYLOAD_TOO_LARGE;
	len = (size_t)v;
	if ((e = body_fetch(r, len, &body)) != ERR_NONE)
		return e;
	r->body_kind = kind;
	if (kind == BODY_JSON) {
		if ((r->json = json_parse_body(body, len, JSON_MAX_DEPTH, &je)) == NULL)
			return http_fail(r, je == JSON_NOMEM ? ERR_INTERNAL :
			    ERR_BAD_REQUEST, json_err_message(je));
		return ERR_NONE;
	}
	if (media_is(ctype, "multipart/form-data"))
		fe = form_parse_multipart(r->arena, ctype, body, len, &r->form);
	else
		fe = form_parse_urlencoded(r->arena, body, len, &r->form);
	if (fe == FORM_NOMEM)
		return ERR_INTERNAL;
	if (fe != FORM_OK)
		return http_fail(r, ERR_BAD_REQUEST, form_err_message(fe));
	if (form_duplicate(&r->form) != NULL)
		return http_fail(r, ERR_BAD_REQUEST,
		    "A form field is given more than once.");
	return ERR_NONE;
}

int
http_form_sent(const struct req *r)
{
	const char *ctype = http_env(r, "CONTENT_TYPE");

	return ctype != NULL &&
	    (media_is(ctype, "application/x-www-form-urlencoded") ||
	    media_is(ctype, "multipart/form-data"));
}

/* 1 when the Accept header of r names the media type want. */
static int
accepts(const struct req *r, const char *want)
{
	const char *h = http_env(r, "HTTP_ACCEPT"), *p;
	size_t n = strlen(want);

	if (h == NULL)
		return 0;
	for (p = h; *p != '\0'; p++)
		if (strncasecmp(p, want, n) == 0 &&
		    (p == h || p[-1] == ',' || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ';' || p[n] == ' ' ||
		    p[n] == '\t'))
			return 1;
	return 0;
}

int
http_browser(const struct req *r)
{
	if (accepts(r, "application/json"))
		return 0;
	return http_form_sent(r) || accepts(r, "text/html");
}

const char *
http_form_path(const struct req *r, const char *name)
{
	const struct form_field *f;
	struct vinput in;
	struct vvalue v;

	if (r->body_kind != BODY_FORM || (f = form_get(&r->form, name)) == NULL)
		return NULL;
	memset(&in, 0, sizeof(in));
	in.kind = VIN_STRING;
	in.str = f->value;
	in.len = f->value_len;
	in.from_form = 1;
	return valid_return_to(&in, &v) == NULL ? v.str : NULL;
}

void
http_fields(const struct req *r, const struct vfield *tab, size_t n,
    struct vinput *in)
{
	const struct form_field *f;
	const cJSON *j;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&in[i], 0, sizeof(in[i]));
		if (r->body_kind == BODY_FORM) {
			in[i].from_form = 1;
			if ((f = form_get(&r->form, tab[i].name)) == NULL)
				continue;
			in[i].kind = VIN_STRING;
			in[i].str = f->value;
			in[i].len = f->value_len;
			continue;
		}
		if (r->json == NULL ||
		    (j = cJSON_GetObjectItemCaseSensitive(r->json,
		    tab[i].name)) == NULL)
			continue;
		if (cJSON_IsString(j)) {
			in[i].kind = VIN_STRING;
			in[i].str = j->valuestring;
			in[i].len = strlen(j->valuestring);
		} else if (cJSON_IsNumber(j)) {
			in[i].kind = VIN_NUMBER;
			in[i].num = j->valuedouble;
		} else if (cJSON_IsBool(j)) {
			in[i].kind = VIN_BOOL;
			in[i].boolean = cJSON_IsTrue(j);
		} else if (cJSON_IsNull(j))
			in[i].kind = VIN_NULL;
		else
			in[i].kind = VIN_OTHER;
	}
}

enum err
http_validate(struct req *r, const struct vfield *tab, size_t n,
    struct vvalue *out)
{
	struct vinput in[32];

	if (n > sizeof(in) / sizeof(in[0]))
		return ERR_INTERNAL;
	http_fields(r, tab, n, in);
	if (valid_run(tab, n, in, out, &r->details) > 0)
		return ERR_VALIDATION;
	return ERR_NONE;
}

enum err
http_query(struct req *r, const char *name, const char **value)
{
	const struct form_field *f;
	enum form_err fe;

	if (!r->qs_parsed) {
		fe = form_parse_urlencoded(r->arena, r->query,
		    strlen(r->query), &r->qs);
		if (fe == FORM_NOMEM)
			return ERR_INTERNAL;
		if (fe != FORM_OK)
			return http_fail(r, ERR_BAD_REQUEST,
			    "The query string is not correctly encoded.");
		if (form_duplicate(&r->qs) != NULL)
			return http_fail(r, ERR_BAD_REQUEST,
			    "A query parameter is given more than once.");
		r->qs_parsed = 1;
	}
	f = form_get(&r->qs, name);
	*value = f != NULL ? f->value : NULL;
	return ERR_NONE;
}

enum err
http_query_id(struct req *r, const char *name, int64_t *id)
{
	const char *v, *msg;
	enum err e;

	*id = 0;
	if ((e = http_query(r, name, &v)) != ERR_NONE || v == NULL)
		return e;
	if ((*id = text_parse_id(v, strlen(v))) > 0)
		return ERR_NONE;
	*id = 0;
	msg = arena_printf(r->arena, "The %s parameter must be an id "
	    "(a whole number from 1).", name);
	return msg != NULL ? http_fail(r, ERR_BAD_REQUEST, msg) : ERR_INTERNAL;
}

enum err
http_fail(struct req *r, enum err e, const char *message)
{
	r->err = e;
	r->err_message = message;
	return e;
}

int
http_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return -1;
	if (buf_puts(r->hdr, name) == -1 || buf_puts(r->hdr, ": ") == -1 ||
	    buf_puts(r->hdr, value) == -1 || buf_puts(r->hdr, "\r\n") == -1)
		return -1;
	return 0;
}

/* Adds "requestId" to meta (creating it) and writes {"data","meta"}. */
enum err
http_reply_data(struct req *r, int status, cJSON *data, cJSON *meta)
{
	cJSON *root;
	enum err e = ERR_NONE;

	if (meta == NULL)
		meta = cJSON_CreateObject();
	root = cJSON_CreateObject();
	if (data == NULL || meta == NULL || root == NULL ||
	    cJSON_AddStringToObject(meta, "requestId", r->request_id) == NULL) {
		cJSON_Delete(data);
		cJSON_Delete(meta);
		cJSON_Delete(root);
		return ERR_INTERNAL;
	}
	cJSON_AddItemToObject(root, "data", data);
	cJSON_AddItemToObject(root, "meta", meta);
	buf_reset(r->out);
	if (json_append(r->out, root) == -1)
		e = ERR_INTERNAL;
	cJSON_Delete(root);
	if (e == ERR_NONE) {
		r->status = status;
		r->content_type = "application/json; charset=utf-8";
	}
	return e;
}

char *
http_header_take(struct req *r, const char *name)
{
	struct buf *h = r->hdr;
	size_t n = strlen(name), i = 0, end, keep = 0;
	char *value = NULL;

	while (i < h->len) {
		end = i;
		while (end + 1 < h->len && !(h->data[end] == '\r' &&
		    h->data[end + 1] == '\n'))
			end++;
		if (end - i >= n + 2 && h->data[i + n] == ':' &&
		    strncasecmp(h->data + i, name, n) == 0) {
			value = arena_strndup(r->arena, h->data + i + n + 2,
			    end - i - n - 2);
		} else {
			memmove(h->data + keep, h->data + i, end + 2 - i);
			keep += end + 2 - i;
		}
		i = end + 2;
	}
	h->len = keep;
	if (h->data != NULL)
		h->data[keep] = '\0';
	return value;
}

enum err
http_reply_see_other(struct req *r, const char *location)
{
	if (http_header(r, "Location", location) == -1)
		return ERR_INTERNAL;
	buf_reset(r->out);
	html_begin(r->out, "See Other");
	buf_puts(r->out, "<p>Continue to ");
	html_link(r->out, location, location);
	buf_puts(r->out, ".</p>\n");
	html_end(r->out);
	r->status = 303;
	r->content_type = HTML_CONTENT_TYPE;
	return ERR_NONE;
}

enum err
http_reply_page(struct req *r, int status)
{
	r->status = status;
	r->content_type = HTML_CONTENT_TYPE;
	return ERR_NONE;
}

enum err
http_reply_empty(struct req *r)
{
	buf_reset(r->out);
	r->status = 204;
	r->content_type = NULL;
	return ERR_NONE;
}

enum err
http_reply_not_modified(struct req *r)
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

/* Writes the page for error e with message into r->out. */
static void
render_error_page(struct req *r, enum err e, const char *message)
{
	struct buf *b = r->out;
	const char *back = http_form_path(r, "backTo");
	char title[64];
	size_t i;

	snprintf(title, sizeof(title), "%d %s", r->status,
	    error_reason(r->status));
	r->content_type = HTML_CONTENT_TYPE;
	buf_reset(b);
	html_begin(b, title);
	buf_puts(b, "<h1>");
	html_text(b, title);
	buf_puts(b, "</h1>\n<p class=\"message\">");
	html_text(b, message);
	buf_puts(b, "</p>\n");
	if (r->details.n > 0) {
		buf_puts(b, "<ul class=\"errors\">\n");
		for (i = 0; i < r->details.n; i++) {
			buf_puts(b, "<li><strong>");
			html_text(b, r->details.e[i].field);
			buf_puts(b, "</strong>: ");
			html_text(b, r->details.e[i].message);
			buf_puts(b, "</li>\n");
		}
		buf_puts(b, "</ul>\n");
	}
	buf_puts(b, "<p>");
	html_link(b, back != NULL ? back : "/", "Go back");
	buf_puts(b, "</p>\n<p class=\"request-id\">Error ");
	html_text(b, error_code(e));
	buf_puts(b, ", request ");
	html_text(b, r->request_id);
	buf_puts(b, "</p>\n");
	html_end(b);
}

void
http_render_error(struct req *r)
{
	struct buf *b = r->out;
	char now[32];
	size_t i;
	enum err e = r->err;

	if (e <= ERR_NONE || e >= ERR__MAX)
		e = ERR_INTERNAL;
	r->status = error_status(e);
	r->content_type = "application/json; charset=utf-8";
	r->cache_control = NULL;
	buf_reset(b);
	if (r->browser) {
		render_error_page(r, e, r->err_message != NULL ?
		    r->err_message : error_message(e));
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
		http_header(r, "WWW-Authenticate", r->token_sent ?
		    "Bearer realm=\"quill\", error=\"invalid_token\"" :
		    "Bearer realm=\"quill\"");
	if ((e == ERR_RATE_LIMITED || e == ERR_UNAVAILABLE)) {
		char ra[24];

		snprintf(ra, sizeof(ra), "%ld", r->retry_after > 0 ?
		    r->retry_after : 1);
		http_header(r, "Retry-After", ra);
	}
}

void
http_render_head(const struct req *r, struct buf *head)
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
	buf_puts(head, security_headers);
	buf_puts(head, r->content_type != NULL &&
	    strncmp(r->content_type, "text/html", 9) == 0 ? page_csp : data_csp);
	buf_puts(head, "Cache-Control: ");
	buf_puts(head, r->cache_control != NULL ? r->cache_control : "no-store");
	buf_puts(head, "\r\nX-Request-Id: ");
	buf_puts(head, r->request_id);
	buf_puts(head, "\r\n");
	buf_append(head, r->hdr->data != NULL ? r->hdr->data : "", r->hdr->len);
	buf_puts(head, "\r\n");
}
