#include <stdio.h>
#include <string.h>

#include "base/time.h"
#include "web/http.h"
#include "web/page.h"

void
page_begin(struct buf *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	page_text(b, title);
	buf_puts(b, " - Quill</title>\n"
	    "<link rel=\"stylesheet\" href=\"/style.css\">\n</head>\n<body>\n"
	    "<header><a class=\"brand\" href=\"/\">Quill</a></header>\n"
	    "<main>\n");
}

void
page_end(struct buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
}

void
page_text(struct buf *b, const char *s)
{
	buf_html_escape(b, s, strlen(s));
}

void
page_link(struct buf *b, const char *href, const char *text)
{
	buf_puts(b, "<a href=\"");
	page_text(b, href);
	buf_puts(b, "\">");
	page_text(b, text);
	buf_puts(b, "</a>");
}

void
page_hidden(struct buf *b, const char *name, const char *value)
{
	buf_puts(b, "<input type=\"hidden\" name=\"");
	page_text(b, name);
	buf_puts(b, "\" value=\"");
	page_text(b, value);
	buf_puts(b, "\">\n");
}

/* Appends the hidden fields every form of a post page carries. */
static void
post_form_fields(struct buf *b, const char *return_to, const char *back,
    const char *csrf)
{
	page_hidden(b, "returnTo", return_to);
	page_hidden(b, "backTo", back);
	if (csrf != NULL)
		page_hidden(b, "csrfToken", csrf);
}

/* Appends the form that edits post p, its fields holding p as it is. */
static void
post_edit_form(struct buf *b, const struct post *p, const char *self,
    const char *csrf)
{
	buf_puts(b, "<section>\n<h2>Edit this post</h2>\n"
	    "<form method=\"post\" action=\"");
	page_text(b, self);
	buf_puts(b, "?_method=PATCH\">\n"
	    "<label for=\"title\">Title</label>\n"
	    "<input id=\"title\" name=\"title\" required maxlength=\"200\" "
	    "value=\"");
	page_text(b, p->title);
	/* The newline after <textarea> is dropped by the parser, not the text's own. */
	buf_puts(b, "\">\n<label for=\"body\">Text</label>\n"
	    "<textarea id=\"body\" name=\"body\" rows=\"12\" required>\n");
	page_text(b, p->body);
	buf_printf(b, "</textarea>\n<label for=\"status\">Status</label>\n"
	    "<select id=\"status\" name=\"status\">\n"
	    "<option value=\"draft\"%s>Draft</option>\n"
	    "<option value=\"published\"%s>Published</option>\n</select>\n",
	    p->status == POST_DRAFT ? " selected" : "",
	    p->status == POST_PUBLISHED ? " selected" : "");
	post_form_fields(b, self, self, csrf);
	buf_puts(b, "<button type=\"submit\">Save</button>\n</form>\n"
	    "</section>\n");
}

/* Appends the form that deletes the post at self. */
static void
post_delete_form(struct buf *b, const char *self, const char *csrf)
{
	buf_puts(b, "<section>\n<h2>Delete this post</h2>\n"
	    "<form method=\"post\" action=\"");
	page_text(b, self);
	buf_puts(b, "?_method=DELETE\">\n");
	post_form_fields(b, "/", self, csrf);
	buf_puts(b, "<button type=\"submit\" class=\"danger\">Delete</button>\n"
	    "</form>\n</section>\n");
}

void
page_post(struct buf *b, const struct page_post *pp)
{
	const struct post *p = pp->post;
	char self[48], created[32], updated[32];

	snprintf(self, sizeof(self), "/api/v1/posts/%lld", (long long)p->id);
	time_rfc3339(p->created_at, created, sizeof(created));
	time_rfc3339(p->updated_at, updated, sizeof(updated));
	page_begin(b, p->title);
	buf_puts(b, "<article class=\"post\">\n<h1>");
	page_text(b, p->title);
	buf_puts(b, "</h1>\n<p class=\"meta\">By ");
	page_text(b, pp->author);
	buf_printf(b, " &middot; %s &middot; written <time>%s</time>",
	    post_status_name(p->status), created);
	if (p->updated_at != p->created_at)
		buf_printf(b, ", changed <time>%s</time>", updated);
	buf_puts(b, "</p>\n<div class=\"post-body\">");
	page_text(b, p->body);
	buf_puts(b, "</div>\n</article>\n");
	if (pp->may_edit)
		post_edit_form(b, p, self, pp->csrf_token);
	if (pp->may_delete)
		post_delete_form(b, self, pp->csrf_token);
	buf_puts(b, "<p>");
	page_link(b, "/", "Home");
	buf_puts(b, "</p>\n");
	page_end(b);
}

void
page_post_list(struct buf *b, const char *heading, const struct post *rows,
    size_t n, const char *next)
{
	char href[48], created[32];
	size_t i;

	page_begin(b, heading);
	buf_puts(b, "<h1>");
	page_text(b, heading);
	buf_puts(b, "</h1>\n");
	if (n == 0)
		buf_puts(b, "<p>No posts.</p>\n");
	else
		buf_puts(b, "<ul class=\"post-list\">\n");
	for (i = 0; i < n; i++) {
		snprintf(href, sizeof(href), "/api/v1/posts/%lld",
		    (long long)rows[i].id);
		time_rfc3339(rows[i].created_at, created, sizeof(created));
		buf_puts(b, "<li>");
		page_link(b, href, rows[i].title);
		buf_printf(b, " <span class=\"meta\">%s &middot; <time>%s</time>"
		    "</span>\n<p>", post_status_name(rows[i].status), created);
		page_text(b, rows[i].body);
		buf_puts(b, "</p></li>\n");
	}
	if (n > 0)
		buf_puts(b, "</ul>\n");
	buf_puts(b, "<p>");
	if (next != NULL) {
		page_link(b, next, "More posts");
		buf_puts(b, " &middot; ");
	}
	page_link(b, "/", "Home");
	buf_puts(b, "</p>\n");
	page_end(b);
}
