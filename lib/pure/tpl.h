/*
 * tpl: fills the site's HTML templates and its mails.  The templates are
 * files of the tree (the .html files of templates/, and the .txt files of
 * templates/mail/), compiled by tools/templates.pl at build time
 * into tables of ops (struct tpl), so nothing is parsed at run time.  The
 * compiler follows the HTML and gives every value the escaping of where
 * it stands (enum tpl_ctx); this file applies it.  No op writes a value
 * unescaped: the one that writes markup built from a value is the
 * paragraphs filter, and it escapes the text it wraps.
 *
 * The values come from a tree built for one rendering in an arena: a
 * struct tpl_data holds named values (the names are enum tpl_key of the
 * generated header), and a list is a name holding several tpl_data.  A
 * section looks a name up in its own item first, then outwards.
 */
#ifndef QUILL_TPL_H
#define QUILL_TPL_H

#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"

/* How deep sections may nest (tools/templates.pl refuses deeper ones). */
#define TPL_DEPTH_MAX	16

enum tpl_op_kind {
	TPL_OP_TEXT,		/* literal template text */
	TPL_OP_VALUE,		/* a value, escaped for ctx */
	TPL_OP_SECTION,		/* {{#key}}: ops up to end, per item or once */
	TPL_OP_INVERTED,	/* {{^key}}: ops up to end when key is false */
	TPL_OP_END		/* the end of a section */
};

/* Where a value stands, which decides its escaping. */
enum tpl_ctx {
	TPL_CTX_TEXT,		/* text: HTML-escaped */
	TPL_CTX_ATTR,		/* a quoted attribute: HTML-escaped */
	TPL_CTX_URL,		/* a URL attribute's start: a safe URL, escaped */
	TPL_CTX_URL_PART,	/* later in a URL attribute: percent-encoded */
	TPL_CTX_PLAIN		/* a mail's text: as is, control characters
				   as spaces (tpl_plain) */
};

enum tpl_filter {
	TPL_FILTER_NONE,
	TPL_FILTER_DATE,	/* a time as "2 December 2026, 23:55 UTC" */
	TPL_FILTER_DATETIME,	/* a time as "2026-12-02T23:55:00Z" */
	TPL_FILTER_PARAGRAPHS	/* text as <p> paragraphs, <br> for a newline */
};

struct tpl_op {
	unsigned char	 kind;		/* enum tpl_op_kind */
	unsigned char	 ctx;		/* enum tpl_ctx */
	unsigned char	 filter;	/* enum tpl_filter */
	unsigned short	 key;		/* the name of a value or section */
	unsigned int	 end;		/* a section's TPL_OP_END */
	unsigned int	 len;		/* TPL_OP_TEXT: the text's length */
	const char	*text;
};

/* One compiled template (see the generated header). */
struct tpl {
	const char		*name;
	const struct tpl_op	*ops;
	unsigned int		 n;
};

struct tpl_data;

/* An empty tree of values in a, or NULL when out of memory. */
struct tpl_data *tpl_data_new(struct arena *a);

/*
 * Set the value named key in d.  Strings are not copied: s must live until
 * the rendering; NULL leaves key absent.  Out of memory, these remember
 * the failure, which tpl_render reports.  A later value of a name hides
 * an earlier one.
 */
void	 tpl_str(struct tpl_data *d, int key, const char *s);
void	 tpl_int(struct tpl_data *d, int key, int64_t v);
void	 tpl_bool(struct tpl_data *d, int key, int v);

/*
 * A copy of the n bytes at s, NUL-terminated, that lives as long as d's
 * tree: for a value made in a buffer that will not outlive the call.
 * NULL (remembered) when out of memory.
 */
char	*tpl_copy(struct tpl_data *d, const char *s, size_t n);

/*
 * Appends a new item to the list named key in d (making the list), and
 * returns it, or NULL when out of memory.  A section over a name set
 * with tpl_item renders once per item, inside it.
 */
struct tpl_data *tpl_item(struct tpl_data *d, int key);

/*
 * Appends template t filled from d to out.  Returns 0, or -1 when memory
 * ran out, here or while d was built (out is then incomplete).  A name
 * that is absent writes nothing.
 */
int	 tpl_render(struct buf *out, const struct tpl *t, const struct tpl_data *d);

/*
 * 1 when s may stand as a link's whole URL: a path or query or fragment of
 * this site (but not "//host", nor "/\"), or an http:, https: or mailto:
 * URL, with no control character or space anywhere.  Anything else
 * (javascript:, data:, a scheme hidden by a tab) is 0, and a template
 * writes "#invalid-url" in its place.
 */
int	 tpl_url_safe(const char *s);

/* Appends s percent-encoded: only A-Z a-z 0-9 - . _ ~ stay as they are. */
int	 tpl_url_encode(struct buf *b, const char *s);

/*
 * Appends s as paragraphs: each run of text between blank lines in <p>,
 * its newlines as <br>, every character of s HTML-escaped.  The one
 * writer of markup made from a value.
 */
int	 tpl_paragraphs(struct buf *b, const char *s);

/*
 * Appends s as plain text for a mail, every control character (CR and LF
 * among them) as a space, so that a value never begins a line.
 */
int	 tpl_plain(struct buf *b, const char *s);

/*
 * Writes Unix time t as "2 December 2026, 23:55 UTC" into out, of
 * TPL_DATE_SIZE bytes; a year outside 0000-9999 gives the epoch's.
 */
#define TPL_DATE_SIZE	40
void	 tpl_date(int64_t t, char *out);

#endif
