/*
 * html: what every HTML page answered to a browser has in common on the
 * wire (reply writes these headers), and the skeleton of the one page
 * written without the site's templates: quillctl's first-run setup page,
 * served before the site exists.  The skeleton is that of the static pages
 * of htdocs/: UTF-8, a viewport for phones, the site's one style sheet
 * (/style.css) and no script.  Every text that reaches a page goes through
 * buf_html_escape.
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

/*
 * The same for a page that runs one script of the site, the %s%s of its
 * script-src: an origin and a path (a single file), or 'self' and "".
 */
#define HTML_CSP_SCRIPT "default-src 'none'; script-src %s%s; " \
	"style-src 'self'; img-src 'self'; form-action 'self'; " \
	"frame-ancestors 'none'; base-uri 'none'"

/* Opens a page titled title (escaped) and its <main>. */
void html_begin(struct buf *b, const char *title);

/* Closes what html_begin opened. */
void html_end(struct buf *b);

/* Appends the NUL-terminated s, escaped. */
void html_text(struct buf *b, const char *s);

/* Appends <a href="href">text</a>, both escaped. */
void html_link(struct buf *b, const char *href, const char *text);

#endif
