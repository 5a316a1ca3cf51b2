/*
 * page: the few HTML pages the programs answer a browser with (an error,
 * a redirect, a post and its forms).  Every page has the same skeleton as
 * the static pages of htdocs/: UTF-8, a viewport for phones, the site's
 * one style sheet (/style.css) and no script.  Every text that reaches a
 * page goes through buf_html_escape.
 */
#ifndef QUILL_PAGE_H
#define QUILL_PAGE_H

#include <stddef.h>

#include "base/buf.h"
#include "pure/post.h"

/* The Content-Type of a page. */
#define PAGE_CONTENT_TYPE "text/html; charset=utf-8"

/*
 * The Content-Security-Policy of a page: the site's own style sheet and
 * forms that post to the site, nothing else (no script at all).
 */
#define PAGE_CSP "default-src 'none'; style-src 'self'; img-src 'self'; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* Opens a page titled title (escaped) and its <main>. */
void page_begin(struct buf *b, const char *title);

/* Closes what page_begin opened. */
void page_end(struct buf *b);

/* Appends the NUL-terminated s, escaped. */
void page_text(struct buf *b, const char *s);

/* Appends <a href="href">text</a>, both escaped. */
void page_link(struct buf *b, const char *href, const char *text);

/* Appends a hidden form field name=value (both escaped). */
void page_hidden(struct buf *b, const char *name, const char *value);

/* What the page of a post shows its reader. */
struct page_post {
	const struct post *post;
	const char	*author;	/* the author's name */
	int		 may_edit;	/* the edit form (title, body, status) */
	int		 may_delete;	/* the delete form */
	const char	*csrf_token;	/* put into the forms; NULL: none */
};

/*
 * Writes the page of a post: its title, author, status, times and text,
 * then the forms its reader may use.  They post to the post's own URL
 * with ?_method=PATCH or DELETE (see app), come back to the post after an
 * edit and to / after a delete.
 */
void page_post(struct buf *b, const struct page_post *pp);

/*
 * Writes a page headed heading listing n posts (title, status, time,
 * excerpt), each linking to its page, and a link to next (the next page's
 * address) when it is not NULL.
 */
void page_post_list(struct buf *b, const char *heading,
    const struct post *rows, size_t n, const char *next);

#endif
