/*
 * html: what every HTML page the programs answer a browser with has in
 * common on the wire.  The pages themselves are templates (templates/,
 * web/site); reply writes these headers for them.
 */
#ifndef QUILL_HTML_H
#define QUILL_HTML_H

/* The Content-Type of a page. */
#define HTML_CONTENT_TYPE "text/html; charset=utf-8"

/*
 * The Content-Security-Policy of a page: the site's own style sheet and
 * forms that post to the site, nothing else (no script at all).
 */
#define HTML_CSP "default-src 'none'; style-src 'self'; img-src 'self'; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

#endif
