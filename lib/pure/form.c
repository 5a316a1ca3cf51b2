/*
 * form: application/x-www-form-urlencoded and multipart/form-data bodies
 * into name/value pairs.  Input is untrusted and not NUL-terminated; every
 * scan is bounded by its length and linear in it.  Output lives in the
 * caller's arena.
 */
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/text.h"
#include "pure/form.h"

/* The longest boundary RFC 2046 allows. */
#define FORM_BOUNDARY_MAX	70

/* A span of the input. */
struct span {
	const char	*p;
	size_t		 n;
};

/* One header parameter, name=value; the value is raw (quotes included). */
struct param {
	struct span	 name;
	struct span	 value;
};

/* What the headers of one multipart part said. */
struct part {
	int		 has_cd;	/* it had Content-Disposition */
	int		 file;		/* it had a filename parameter */
	const char	*name;		/* decoded name parameter, or NULL */
	size_t		 name_len;
	struct span	 body;
};

/* Starts f empty with room for FORM_MAX_FIELDS fields. */
static enum form_err
form_init(struct arena *a, struct form *f)
{
	f->n = 0;
	f->fields = arena_alloc(a, FORM_MAX_FIELDS * sizeof(*f->fields));
	return f->fields == NULL ? FORM_NOMEM : FORM_OK;
}

/* Leaves f empty after an error, so no partial result is used. */
static enum form_err
form_fail(struct form *f, enum form_err e)
{
	f->fields = NULL;
	f->n = 0;
	return e;
}

/* FORM_NUL or FORM_BAD_UTF8 when s may not be a field name or value. */
static enum form_err
form_check_text(const char *s, size_t n)
{
	if (memchr(s, '\0', n) != NULL)
		return FORM_NUL;
	if (!text_utf8_valid(s, n))
		return FORM_BAD_UTF8;
	return FORM_OK;
}

/*
 * Appends a decoded, NUL-terminated name and value to f after checking the
 * field count and the text of both.
 */
static enum form_err
form_push(struct form *f, const char *name, size_t name_len,
    const char *value, size_t value_len)
{
	struct form_field *fl;
	enum form_err e;

	if (f->n == FORM_MAX_FIELDS)
		return FORM_TOO_MANY;
	if ((e = form_check_text(name, name_len)) != FORM_OK ||
	    (e = form_check_text(value, value_len)) != FORM_OK)
		return e;
	fl = &f->fields[f->n++];
	fl->name = name;
	fl->name_len = name_len;
	fl->value = value;
	fl->value_len = value_len;
	return FORM_OK;
}

/*
 * Decodes n bytes of urlencoded text ('+' and %XX) into a NUL-terminated
 * arena string; its length goes to *outlen.
 */
static enum form_err
form_urldecode(struct arena *a, const char *s, size_t n, char **out,
    size_t *outlen)
{
	size_t i, j = 0;
	int hi, lo;
	char *d;

	if ((d = arena_alloc(a, n + 1)) == NULL)
		return FORM_NOMEM;
	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			d[j++] = ' ';
		else if (s[i] != '%')
			d[j++] = s[i];
		else {
			if (n - i < 3 ||
			    (hi = text_hex_value(s[i + 1])) == -1 ||
			    (lo = text_hex_value(s[i + 2])) == -1)
				return FORM_MALFORMED;
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return FORM_OK;
}

/* Decodes one name[=value] pair and appends it; an empty name is skipped. */
static enum form_err
form_pair(struct arena *a, const char *s, size_t n, struct form *f)
{
	const char *eq;
	size_t nraw, nlen, vlen;
	char *name, *value;
	enum form_err e;

	eq = memchr(s, '=', n);
	nraw = eq != NULL ? (size_t)(eq - s) : n;
	if (nraw == 0)
		return FORM_OK;
	if ((e = form_urldecode(a, s, nraw, &name, &nlen)) != FORM_OK)
		return e;
	if (eq == NULL)
		e = form_urldecode(a, s, 0, &value, &vlen);
	else
		e = form_urldecode(a, eq + 1, n - nraw - 1, &value, &vlen);
	if (e != FORM_OK)
		return e;
	return form_push(f, name, nlen, value, vlen);
}

enum form_err
form_parse_urlencoded(struct arena *a, const char *buf, size_t len,
    struct form *out)
{
	const char *p, *end, *amp;
	enum form_err e;

	if ((e = form_init(a, out)) != FORM_OK)
		return form_fail(out, e);
	if (buf == NULL)
		return len == 0 ? FORM_OK : form_fail(out, FORM_MALFORMED);
	for (p = buf, end = buf + len; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((e = form_pair(a, p, (size_t)(amp - p), out)) != FORM_OK)
			return form_fail(out, e);
		if (amp == end)
			break;
	}
	return FORM_OK;
}

/* 1 when c may appear in an RFC 9110 token. */
static int
form_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* 1 when c may appear in an RFC 2046 boundary. */
static int
form_bchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

/* 1 when c may appear in a quoted-string, unescaped or after a backslash. */
static int
form_qchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Advances *pp over spaces and tabs, up to end. */
static void
form_skip_ows(const char **pp, const char *end)
{
	while (*pp < end && (**pp == ' ' || **pp == '\t'))
		(*pp)++;
}

/* Reads a token at *pp into sp; 0 when there is none. */
static int
form_token(const char **pp, const char *end, struct span *sp)
{
	const char *p = *pp;

	while (p < end && form_tchar((unsigned char)*p))
		p++;
	if (p == *pp)
		return 0;
	sp->p = *pp;
	sp->n = (size_t)(p - *pp);
	*pp = p;
	return 1;
}

/* Reads a quoted-string at *pp, quotes included, into sp; 0 when bad. */
static int
form_quoted(const char **pp, const char *end, struct span *sp)
{
	const char *p = *pp;

	if (p == end || *p != '"')
		return 0;
	for (p++; p < end && *p != '"'; p++) {
		if (*p == '\\' && ++p == end)
			return 0;
		if (!form_qchar((unsigned char)*p))
			return 0;
	}
	if (p == end)
		return 0;
	sp->p = *pp;
	sp->n = (size_t)(p + 1 - *pp);
	*pp = p + 1;
	return 1;
}

/*
 * Reads the next "; name=value" after *pp (RFC 9110 parameters; empty ones
 * are allowed and skipped).  1 with *pm filled, 0 at the end, -1 when the
 * text does not follow the grammar.
 */
static int
form_param(const char **pp, const char *end, struct param *pm)
{
	const char *p = *pp;

	for (;;) {
		form_skip_ows(&p, end);
		if (p == end) {
			*pp = p;
			return 0;
		}
		if (*p != ';')
			return -1;
		p++;
		form_skip_ows(&p, end);
		if (p < end && *p != ';')
			break;
	}
	if (!form_token(&p, end, &pm->name) || p == end || *p++ != '=')
		return -1;
	if (!form_token(&p, end, &pm->value) &&
	    !form_quoted(&p, end, &pm->value))
		return -1;
	*pp = p;
	return 1;
}

/*
 * The text of a parameter value as a NUL-terminated arena string: a token
 * as is, a quoted-string without its quotes and backslashes.
 */
static enum form_err
form_param_text(struct arena *a, const struct span *v, char **out,
    size_t *outlen)
{
	size_t i, j = 0;
	char *d;

	if (v->n == 0 || v->p[0] != '"') {
		if ((*out = arena_strndup(a, v->p, v->n)) == NULL)
			return FORM_NOMEM;
		*outlen = v->n;
		return FORM_OK;
	}
	if ((d = arena_alloc(a, v->n)) == NULL)
		return FORM_NOMEM;
	for (i = 1; i + 1 < v->n; i++) {
		if (v->p[i] == '\\')
			i++;
		d[j++] = v->p[i];
	}
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return FORM_OK;
}

/* 1 when span sp equals the NUL-terminated s, ignoring ASCII case. */
static int
form_span_is(const struct span *sp, const char *s)
{
	return sp->n == strlen(s) && strncasecmp(sp->p, s, sp->n) == 0;
}

/*
 * Takes the boundary out of a Content-Type header value, which must be
 * multipart/form-data with exactly one boundary parameter of 1 to 70
 * RFC 2046 characters, the last not a space.
 */
static enum form_err
form_boundary(struct arena *a, const char *ctype, char **out, size_t *outlen)
{
	static const char mtype[] = "multipart/form-data";
	const char *p = ctype, *end;
	struct param pm;
	enum form_err e;
	size_t i;
	int rc;

	*out = NULL;
	if (ctype == NULL)
		return FORM_MALFORMED;
	end = ctype + strlen(ctype);
	form_skip_ows(&p, end);
	if ((size_t)(end - p) < sizeof(mtype) - 1 ||
	    strncasecmp(p, mtype, sizeof(mtype) - 1) != 0)
		return FORM_MALFORMED;
	p += sizeof(mtype) - 1;
	while ((rc = form_param(&p, end, &pm)) == 1) {
		if (!form_span_is(&pm.name, "boundary"))
			continue;
		if (*out != NULL)
			return FORM_MALFORMED;
		if ((e = form_param_text(a, &pm.value, out, outlen)) != FORM_OK)
			return e;
	}
	if (rc == -1 || *out == NULL)
		return FORM_MALFORMED;
	if (*outlen == 0 || *outlen > FORM_BOUNDARY_MAX ||
	    (*out)[*outlen - 1] == ' ')
		return FORM_MALFORMED;
	for (i = 0; i < *outlen; i++)
		if (!form_bchar((unsigned char)(*out)[i]))
			return FORM_MALFORMED;
	return FORM_OK;
}

/*
 * Reads the value of a Content-Disposition header (form-data and its
 * parameters) into pt.  Other disposition types, a repeated name parameter
 * and bad grammar are FORM_MALFORMED.
 */
static enum form_err
form_disposition(struct arena *a, const char *p, const char *end,
    struct part *pt)
{
	struct span type;
	struct param pm;
	enum form_err e;
	char *name;
	int rc;

	if (!form_token(&p, end, &type) || !form_span_is(&type, "form-data"))
		return FORM_MALFORMED;
	while ((rc = form_param(&p, end, &pm)) == 1) {
		if (form_span_is(&pm.name, "filename") ||
		    form_span_is(&pm.name, "filename*"))
			pt->file = 1;
		else if (form_span_is(&pm.name, "name")) {
			if (pt->name != NULL)
				return FORM_MALFORMED;
			e = form_param_text(a, &pm.value, &name, &pt->name_len);
			if (e != FORM_OK)
				return e;
			pt->name = name;
		}
	}
	return rc == -1 ? FORM_MALFORMED : FORM_OK;
}

/*
 * One header line of a part, without its CRLF.  Only Content-Disposition is
 * read; it may occur once.  Folded lines are not accepted.
 */
static enum form_err
form_part_header(struct arena *a, const char *p, const char *end,
    struct part *pt)
{
	struct span name;

	if (!form_token(&p, end, &name) || p == end || *p++ != ':')
		return FORM_MALFORMED;
	if (!form_span_is(&name, "content-disposition"))
		return FORM_OK;
	if (pt->has_cd)
		return FORM_MALFORMED;
	pt->has_cd = 1;
	form_skip_ows(&p, end);
	return form_disposition(a, p, end, pt);
}

/*
 * The end of the header line starting at p (where its CRLF starts), or NULL
 * when the part ends first or the line holds a bare CR or LF.
 */
static const char *
form_line_end(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p == '\n')
			return NULL;
		if (*p == '\r')
			return end - p >= 2 && p[1] == '\n' ? p : NULL;
	}
	return NULL;
}

/*
 * Splits the part at [p, end) into headers and body (RFC 2046 body-part:
 * header lines, then an optional blank line and the body).
 */
static enum form_err
form_part(struct arena *a, const char *p, const char *end, struct part *pt)
{
	const char *eol;
	enum form_err e;

	memset(pt, 0, sizeof(*pt));
	while (p < end) {
		if ((eol = form_line_end(p, end)) == NULL)
			return FORM_MALFORMED;
		if (eol == p) {
			pt->body.p = p + 2;
			pt->body.n = (size_t)(end - pt->body.p);
			return FORM_OK;
		}
		if ((e = form_part_header(a, p, eol, pt)) != FORM_OK)
			return e;
		p = eol + 2;
	}
	pt->body.p = end;
	pt->body.n = 0;
	return FORM_OK;
}

/* Checks a parsed part and, unless its name is empty, appends it to f. */
static enum form_err
form_part_field(struct arena *a, const struct part *pt, struct form *f)
{
	char *value;

	if (pt->file)
		return FORM_FILE;
	if (pt->name == NULL)
		return FORM_MALFORMED;
	if (pt->name_len == 0)
		return FORM_OK;
	if ((value = arena_strndup(a, pt->body.p, pt->body.n)) == NULL)
		return FORM_NOMEM;
	return form_push(f, pt->name, pt->name_len, value, pt->body.n);
}

/*
 * The first delimiter (CRLF, "--", boundary) of dlen bytes in [p, end), or
 * NULL.  Only CRs are tried as starts, and a boundary holds no CR, so the
 * scan moves forward and is linear in the input.
 */
static const char *
form_find_delim(const char *p, const char *end, const char *delim,
    size_t dlen)
{
	while ((size_t)(end - p) >= dlen) {
		if ((p = memchr(p, '\r', (size_t)(end - p) - dlen + 1)) == NULL)
			return NULL;
		if (memcmp(p, delim, dlen) == 0)
			return p;
		p++;
	}
	return NULL;
}

/*
 * What follows a boundary at *pp: 1 for a close delimiter ("--", padding,
 * then the end or CRLF and an epilogue), 0 for padding and CRLF before a
 * part (with *pp moved to the part), -1 for anything else.
 */
static int
form_after_boundary(const char **pp, const char *end)
{
	const char *p = *pp;
	int close = 0;

	if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
		close = 1;
		p += 2;
	}
	form_skip_ows(&p, end);
	if (close && p == end)
		return 1;
	if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
		return -1;
	*pp = p + 2;
	return close;
}

/*
 * Where the first part's boundary line continues, just past "--" boundary:
 * at the start of the body or after a preamble and CRLF.  NULL when there
 * is no boundary line.
 */
static const char *
form_first_boundary(const char *buf, const char *end, const char *delim,
    size_t dlen)
{
	const char *d;

	if ((size_t)(end - buf) >= dlen - 2 &&
	    memcmp(buf, delim + 2, dlen - 2) == 0)
		return buf + dlen - 2;
	if ((d = form_find_delim(buf, end, delim, dlen)) != NULL)
		return d + dlen;
	return NULL;
}

enum form_err
form_parse_multipart(struct arena *a, const char *ctype, const char *buf,
    size_t len, struct form *out)
{
	const char *p, *end, *d;
	char *bnd, *delim;
	size_t blen, dlen;
	struct part pt;
	enum form_err e;
	int rc;

	if ((e = form_init(a, out)) != FORM_OK ||
	    (e = form_boundary(a, ctype, &bnd, &blen)) != FORM_OK)
		return form_fail(out, e);
	if (buf == NULL)
		return form_fail(out, FORM_MALFORMED);
	if ((delim = arena_printf(a, "\r\n--%s", bnd)) == NULL)
		return form_fail(out, FORM_NOMEM);
	dlen = blen + 4;
	end = buf + len;
	if ((p = form_first_boundary(buf, end, delim, dlen)) == NULL)
		return form_fail(out, FORM_MALFORMED);
	while ((rc = form_after_boundary(&p, end)) == 0) {
		if ((d = form_find_delim(p, end, delim, dlen)) == NULL)
			return form_fail(out, FORM_MALFORMED);
		if ((e = form_part(a, p, d, &pt)) != FORM_OK ||
		    (e = form_part_field(a, &pt, out)) != FORM_OK)
			return form_fail(out, e);
		p = d + dlen;
	}
	return rc == -1 ? form_fail(out, FORM_MALFORMED) : FORM_OK;
}

const struct form_field *
form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}

const char *
form_duplicate(const struct form *f)
{
	size_t i, j;

	for (i = 0; i < f->n; i++)
		for (j = i + 1; j < f->n; j++)
			if (f->fields[i].name_len == f->fields[j].name_len &&
			    memcmp(f->fields[i].name, f->fields[j].name,
			    f->fields[i].name_len) == 0)
				return f->fields[i].name;
	return NULL;
}

const char *
form_err_message(enum form_err e)
{
	switch (e) {
	case FORM_OK:
		return "The form was parsed.";
	case FORM_MALFORMED:
		return "The form body is not correctly encoded.";
	case FORM_TOO_MANY:
		return "The form has too many fields.";
	case FORM_NUL:
		return "A form field contains a NUL character.";
	case FORM_BAD_UTF8:
		return "A form field is not valid UTF-8.";
	case FORM_FILE:
		return "File uploads are not accepted here.";
	case FORM_NOMEM:
		return "The server ran out of memory.";
	}
	return "The form could not be read.";
}
