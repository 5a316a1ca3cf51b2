#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/text.h"
#include "web/http.h"
#include "pure/json.h"

static const char *const method_names[M__MAX] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", ""
};

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

const char *
http_authorization(const struct req *r)
{
	const char *h = http_env(r, "HTTP_AUTHORIZATION");

	if (h == NULL || *h == '\0')
		h = http_env(r, "REDIRECT_HTTP_AUTHORIZATION");
	return h != NULL && *h != '\0' ? h : NULL;
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

/*
 * 1 when the comma-separated header value h (NULL: absent) names want, in
 * any case, with or without parameters.
 */
static int
list_names(const char *h, const char *want)
{
	const char *p;
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

/*
 * Reads a body of no declared length to its end (a chunked body that the
 * web server passes on undone, as Apache's plain CGI does) into the arena:
 * at most max bytes, else ERR_PAYLOAD_TOO_LARGE.
 */
static enum err
body_fetch_all(struct req *r, size_t max, char **out, size_t *len)
{
	char *p;
	size_t got = 0;
	int k;

	if ((p = arena_alloc(r->arena, max + 2)) == NULL)
		return ERR_INTERNAL;
	while (got <= max) {
		if ((k = r->read_body(r->io, p + got, max + 1 - got)) <= 0)
			break;
		got += (size_t)k;
	}
	if (got > max)
		return ERR_PAYLOAD_TOO_LARGE;
	p[got] = '\0';
	*out = p;
	*len = got;
	return ERR_NONE;
}

/* 1 when the request's body is chunked (Transfer-Encoding names chunked). */
static int
body_chunked(const struct req *r)
{
	return list_names(http_env(r, "HTTP_TRANSFER_ENCODING"), "chunked");
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
	unsigned long long v = 0;
	enum err e;

	if (ctype != NULL && *ctype == '\0')
		ctype = NULL;
	if (clen == NULL || *clen == '\0') {
		/*
		 * lighttpd, mod_proxy_fcgi and mod_fcgid read a chunked body
		 * whole and pass on its length; Apache's plain CGI passes the
		 * data alone, to read to its end.
		 */
		if (!body_chunked(r))
			return ctype == NULL ? ERR_NONE : ERR_LENGTH_REQUIRED;
		if (ctype == NULL)
			return ERR_UNSUPPORTED_MEDIA_TYPE;
		clen = NULL;
	} else {
		errno = 0;
		v = strtoull(clen, &end, 10);
		if (errno != 0 || *end != '\0' ||
		    !isdigit((unsigned char)clen[0]))
			return http_fail(r, ERR_BAD_REQUEST,
			    "The Content-Length header is not a number.");
		if (v == 0 && ctype == NULL)
			return ERR_NONE;
	}
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
	if (clen == NULL)
		e = body_fetch_all(r, max, &body, &len);
	else if (v > max)
		return ERR_PAYLOAD_TOO_LARGE;
	else
		e = body_fetch(r, len = (size_t)v, &body);
	if (e != ERR_NONE)
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
	return list_names(http_env(r, "HTTP_ACCEPT"), want);
}

int
http_browser(const struct req *r)
{
	if (accepts(r, "application/json"))
		return 0;
	return http_form_sent(r) || accepts(r, "text/html");
}

/* Field f as a path on this site, or NULL. */
static const char *
http_field_path(const struct form_field *f)
{
	struct vinput in;
	struct vvalue v;

	if (f == NULL)
		return NULL;
	memset(&in, 0, sizeof(in));
	in.kind = VIN_STRING;
	in.str = f->value;
	in.len = f->value_len;
	in.from_form = 1;
	return valid_return_to(&in, &v) == NULL ? v.str : NULL;
}

const char *
http_form_path(const struct req *r, const char *name)
{
	if (r->body_kind != BODY_FORM)
		return NULL;
	return http_field_path(form_get(&r->form, name));
}

const char *
http_query_path(const struct req *r, const char *name)
{
	struct form q;

	if (r->qs_parsed)
		return http_field_path(form_get(&r->qs, name));
	if (form_parse_urlencoded(r->arena, r->query, strlen(r->query), &q) !=
	    FORM_OK || form_duplicate(&q) != NULL)
		return NULL;
	return http_field_path(form_get(&q, name));
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
