#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/time.h"
#include "pure/tpl.h"

enum tpl_kind { TPL_STR, TPL_INT, TPL_BOOL, TPL_LIST };

struct tpl_value {
	struct tpl_value	*next;		/* the earlier values of the tree */
	int			 key;
	enum tpl_kind		 kind;
	const char		*s;
	int64_t			 i;		/* TPL_INT, TPL_BOOL */
	struct tpl_data		*first, *last;	/* TPL_LIST */
};

/* What every tpl_data of one tree shares. */
struct tpl_tree {
	struct arena	*a;
	int		 failed;	/* memory ran out while it was built */
};

struct tpl_data {
	struct tpl_tree		*tree;
	struct tpl_value	*values;	/* newest first */
	struct tpl_data		*next;		/* the next item of its list */
};

struct tpl_data *
tpl_data_new(struct arena *a)
{
	struct tpl_tree *t;
	struct tpl_data *d;

	if ((t = arena_alloc(a, sizeof(*t))) == NULL ||
	    (d = arena_alloc(a, sizeof(*d))) == NULL)
		return NULL;
	t->a = a;
	t->failed = 0;
	memset(d, 0, sizeof(*d));
	d->tree = t;
	return d;
}

/* A new value named key at the front of d, or NULL (remembered). */
static struct tpl_value *
value_add(struct tpl_data *d, int key, enum tpl_kind kind)
{
	struct tpl_value *v;

	if ((v = arena_alloc(d->tree->a, sizeof(*v))) == NULL) {
		d->tree->failed = 1;
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->key = key;
	v->kind = kind;
	v->next = d->values;
	d->values = v;
	return v;
}

void
tpl_str(struct tpl_data *d, int key, const char *s)
{
	struct tpl_value *v;

	if (s != NULL && (v = value_add(d, key, TPL_STR)) != NULL)
		v->s = s;
}

void
tpl_int(struct tpl_data *d, int key, int64_t i)
{
	struct tpl_value *v;

	if ((v = value_add(d, key, TPL_INT)) != NULL)
		v->i = i;
}

void
tpl_bool(struct tpl_data *d, int key, int b)
{
	struct tpl_value *v;

	if ((v = value_add(d, key, TPL_BOOL)) != NULL)
		v->i = b != 0;
}

char *
tpl_copy(struct tpl_data *d, const char *s, size_t n)
{
	char *c;

	if ((c = arena_strndup(d->tree->a, s, n)) == NULL)
		d->tree->failed = 1;
	return c;
}

/* The newest value named key in d, or NULL. */
static const struct tpl_value *
value_find(const struct tpl_data *d, int key)
{
	const struct tpl_value *v;

	for (v = d->values; v != NULL; v = v->next)
		if (v->key == key)
			return v;
	return NULL;
}

struct tpl_data *
tpl_item(struct tpl_data *d, int key)
{
	struct tpl_value *v = (struct tpl_value *)value_find(d, key);
	struct tpl_data *item;

	if (v == NULL || v->kind != TPL_LIST)
		v = value_add(d, key, TPL_LIST);
	if (v == NULL || (item = arena_alloc(d->tree->a, sizeof(*item))) == NULL) {
		d->tree->failed = 1;
		return NULL;
	}
	memset(item, 0, sizeof(*item));
	item->tree = d->tree;
	if (v->last != NULL)
		v->last->next = item;
	else
		v->first = item;
	v->last = item;
	return item;
}

int
tpl_url_safe(const char *s)
{
	static const char *const schemes[] = { "http", "https", "mailto" };
	size_t i, n, colon;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	if (s[0] == '/')	/* a path of this site, not another host */
		return s[1] != '/' && s[1] != '\\';
	colon = strcspn(s, ":/?#");
	if (s[colon] != ':')	/* relative: no scheme before the path */
		return 1;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		n = strlen(schemes[i]);
		if (colon == n && strncasecmp(s, schemes[i], n) == 0)
			return 1;
	}
	return 0;
}

int
tpl_url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3] = { '%', 0, 0 };
	size_t start = 0, i;
	unsigned char c;

	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			continue;
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		if (buf_append(b, s + start, i - start) == -1 ||
		    buf_append(b, esc, 3) == -1)
			return -1;
		start = i + 1;
	}
	return buf_append(b, s + start, i - start);
}

int
tpl_paragraphs(struct buf *b, const char *s)
{
	size_t i = 0, n = strlen(s), end;
	int rc = 0;

	while (i < n) {
		/* Blank lines (spaces and tabs count as blank) part paragraphs. */
		while (i < n && strchr(" \t\r\n", s[i]) != NULL)
			i++;
		if (i == n)
			break;
		rc |= buf_puts(b, "<p>");
		for (;;) {
			end = i + strcspn(s + i, "\n");
			if (end > i && s[end - 1] == '\r')
				rc |= buf_html_escape(b, s + i, end - 1 - i);
			else
				rc |= buf_html_escape(b, s + i, end - i);
			i = end;
			if (i == n)
				break;
			i++;	/* the newline */
			end = i + strspn(s + i, " \t\r");
			if (end == n || s[end] == '\n')
				break;	/* a blank line, or the end */
			rc |= buf_puts(b, "<br>\n");
		}
		rc |= buf_puts(b, "</p>\n");
	}
	return rc == 0 ? 0 : -1;
}

int
tpl_plain(struct buf *b, const char *s)
{
	const char *run;

	while (*s != '\0') {
		for (run = s; *s != '\0' && (unsigned char)*s >= 0x20 &&
		    *s != 0x7f; s++)
			continue;
		if (buf_append(b, run, (size_t)(s - run)) == -1)
			return -1;
		if (*s != '\0') {
			if (buf_append(b, " ", 1) == -1)
				return -1;
			s++;
		}
	}
	return 0;
}

void
tpl_date(int64_t t, char *out)
{
	static const char *const months[] = { "January", "February",
	    "March", "April", "May", "June", "July", "August", "September",
	    "October", "November", "December" };
	char iso[TIME_RFC3339_SIZE];
	int month, day;

	/* 2026-12-02T23:55:00Z: the calendar is time_rfc3339's. */
	time_rfc3339(t, iso, sizeof(iso));
	month = (iso[5] - '0') * 10 + (iso[6] - '0');
	day = (iso[8] - '0') * 10 + (iso[9] - '0');
	if (month < 1 || month > 12)
		month = 1;
	snprintf(out, TPL_DATE_SIZE, "%d %s %.4s, %.5s UTC", day,
	    months[month - 1], iso, iso + 11);
}

/* One rendering: the output, and the items the sections are inside. */
struct render {
	struct buf		*dst;
	const struct tpl_data	*stack[TPL_DEPTH_MAX + 1];
	int			 depth;		/* the top of stack */
};

/* The value named key, looked up from the innermost item outwards. */
static const struct tpl_value *
lookup(const struct render *rs, int key)
{
	const struct tpl_value *v;
	int i;

	for (i = rs->depth; i >= 0; i--)
		if ((v = value_find(rs->stack[i], key)) != NULL)
			return v;
	return NULL;
}

/* Whether a section over v renders (TPL_OP_INVERTED: the opposite). */
static int
truthy(const struct tpl_value *v)
{
	if (v == NULL)
		return 0;
	switch (v->kind) {
	case TPL_STR:	return v->s[0] != '\0';
	case TPL_LIST:	return v->first != NULL;
	default:	return v->i != 0;
	}
}

/* Appends the value v as op o says. */
static int
value_write(struct buf *out, const struct tpl_op *o, const struct tpl_value *v)
{
	char num[TPL_DATE_SIZE];
	const char *s;

	switch (v->kind) {
	case TPL_LIST:
		return 0;
	case TPL_BOOL:
		s = v->i ? "true" : "false";
		break;
	case TPL_INT:
		if (o->filter == TPL_FILTER_DATE)
			tpl_date(v->i, num);
		else if (o->filter == TPL_FILTER_DATETIME)
			time_rfc3339(v->i, num, sizeof(num));
		else
			buf_digits(num, v->i, 10, 1);
		s = num;
		break;
	default:
		s = v->s;
		break;
	}
	if (o->filter == TPL_FILTER_PARAGRAPHS)
		return tpl_paragraphs(out, s);
	switch (o->ctx) {
	case TPL_CTX_URL:
		if (!tpl_url_safe(s))
			s = "#invalid-url";
		return buf_html_escape(out, s, strlen(s));
	case TPL_CTX_URL_PART:
		return tpl_url_encode(out, s);
	case TPL_CTX_PLAIN:
		return tpl_plain(out, s);
	default:
		return buf_html_escape(out, s, strlen(s));
	}
}

/* Renders ops [from, to) of ops; -1 when out of memory or nested too deep. */
static int
render_ops(struct render *rs, const struct tpl_op *ops, unsigned int from,
    unsigned int to)
{
	const struct tpl_op *o;
	const struct tpl_value *v;
	const struct tpl_data *item;
	unsigned int i;

	for (i = from; i < to; i++) {
		o = &ops[i];
		switch (o->kind) {
		case TPL_OP_TEXT:
			if (buf_append(rs->dst, o->text, o->len) == -1)
				return -1;
			break;
		case TPL_OP_VALUE:
			if ((v = lookup(rs, o->key)) != NULL &&
			    value_write(rs->dst, o, v) == -1)
				return -1;
			break;
		case TPL_OP_SECTION:
		case TPL_OP_INVERTED:
			v = lookup(rs, o->key);
			if (o->kind == TPL_OP_INVERTED) {
				if (!truthy(v) &&
				    render_ops(rs, ops, i + 1, o->end) == -1)
					return -1;
			} else if (v != NULL && v->kind == TPL_LIST) {
				if (rs->depth == TPL_DEPTH_MAX)
					return -1;
				for (item = v->first; item; item = item->next) {
					rs->stack[++rs->depth] = item;
					if (render_ops(rs, ops, i + 1, o->end) == -1)
						return -1;
					rs->depth--;
				}
			} else if (truthy(v) &&
			    render_ops(rs, ops, i + 1, o->end) == -1) {
				return -1;
			}
			i = o->end;
			break;
		default:	/* TPL_OP_END: only ends a range */
			break;
		}
	}
	return 0;
}

int
tpl_render(struct buf *out, const struct tpl *t, const struct tpl_data *d)
{
	struct render rs;

	if (d->tree->failed)
		return -1;
	rs.dst = out;
	rs.stack[0] = d;
	rs.depth = 0;
	return render_ops(&rs, t->ops, 0, t->n) == -1 || out->oom ? -1 : 0;
}
