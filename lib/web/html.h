/*
 * html: the skeleton of the few HTML pages the programs answer a browser
 * with (an error, a redirect, the pages of the posts program).  Every page
 * has the same skeleton as the static pages of htdocs/: UTF-8, a viewport
 * for phones, the site's one style sheet (/style.css) and no script.
 * Every text that reaches a page goes through buf_html_escape.
 */
#ifndef QUILL_HTML_H
#define QUILL_HTML_H

#include "base/buf.h"

/* The Content-Type of a page. */
#define HTML_CONTENT_TYPE "text/html; charset=utf-8"

/*
 * The Content-Security-Policy of a page: the site's own style sheet and
 * forms that post to the site, nothing else (no script at all).
 */
#define HTML_CSP "default-src 'none'; style-src 'self'; img-src 'self'; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* Opens a page titled title (escaped) and its <main>. */
void html_begin(struct buf *b, const char *title);

/* Closes what html_begin opened. */
void html_end(struct buf *b);

/* Appends the NUL-terminated s, escaped. */
void html_text(struct buf *b, const char *s);

/* Appends <a href="href">text</a>, both escaped. */
void html_link(struct buf *b, const char *href, const char *text);

/* Appends a hidden form field name=value (both escaped). */
void html_hidden(struct buf *b, const char *name, const char *value);

#endif
