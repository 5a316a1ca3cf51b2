/*
 * The pages of posts.fcgi for a browser: a post with the forms its reader
 * may use, and a list of posts.
 */
#include <ctype.h>
#include <stdio.h>

#include "base/time.h"
#include "web/html.h"
#include "posts.h"

/* Appends the hidden fields every form of a post page carries. */
static void
posts_form_fields(struct buf *b, const char *return_to, const char *back,
    const char *csrf)
{
	html_hidden(b, "returnTo", return_to);
	html_hidden(b, "backTo", back);
	if (csrf != NULL)
		html_hidden(b, "csrfToken", csrf);
}

/* Appends the form that edits post p, its fields holding p as it is. */
static void
posts_edit_form(struct buf *b, const struct post *p, const char *self,
    const char *csrf)
{
	const char *name;
	int s;

	buf_puts(b, "<section>\n<h2>Edit this post</h2>\n"
	    "<form method=\"post\" action=\"");
	html_text(b, self);
	buf_puts(b, "?_method=PATCH\">\n"
	    "<label for=\"title\">Title</label>\n"
	    "<input id=\"title\" name=\"title\" required maxlength=\"200\" "
	    "value=\"");
	html_text(b, p->title);
	/* The newline after <textarea> is dropped by the parser, not the text's own. */
	buf_puts(b, "\">\n<label for=\"body\">Text</label>\n"
	    "<textarea id=\"body\" name=\"body\" rows=\"12\" required>\n");
	html_text(b, p->body);
	buf_puts(b, "</textarea>\n<label for=\"status\">Status</label>\n"
	    "<select id=\"status\" name=\"status\">\n");
	/* One option a status, labelled with its name capitalised. */
	for (s = 0; s < POST_STATUS__MAX; s++) {
		name = post_status_names[s];
		buf_printf(b, "<option value=\"%s\"%s>%c%s</option>\n", name,
		    p->status == (enum post_status)s ? " selected" : "",
		    toupper((unsigned char)name[0]), name + 1);
	}
	buf_puts(b, "</select>\n");
	posts_form_fields(b, self, self, csrf);
	buf_puts(b, "<button type=\"submit\">Save</button>\n</form>\n"
	    "</section>\n");
}

/* Appends the form that deletes the post at self. */
static void
posts_delete_form(struct buf *b, const char *self, const char *csrf)
{
	buf_puts(b, "<section>\n<h2>Delete this post</h2>\n"
	    "<form method=\"post\" action=\"");
	html_text(b, self);
	buf_puts(b, "?_method=DELETE\">\n");
	posts_form_fields(b, "/", self, csrf);
	buf_puts(b, "<button type=\"submit\" class=\"danger\">Delete</button>\n"
	    "</form>\n</section>\n");
}

void
posts_page_post(struct buf *b, const void *arg)
{
	const struct posts_page_view *pp = arg;
	const struct post *p = pp->post;
	char self[48], created[32], updated[32];

	snprintf(self, sizeof(self), "/api/v1/posts/%lld", (long long)p->id);
	time_rfc3339(p->created_at, created, sizeof(created));
	time_rfc3339(p->updated_at, updated, sizeof(updated));
	html_begin(b, p->title);
	buf_puts(b, "<article class=\"post\">\n<h1>");
	html_text(b, p->title);
	buf_puts(b, "</h1>\n<p class=\"meta\">By ");
	html_text(b, pp->author);
	buf_printf(b, " &middot; %s &middot; written <time>%s</time>",
	    post_status_name(p->status), created);
	if (p->updated_at != p->created_at)
		buf_printf(b, ", changed <time>%s</time>", updated);
	buf_puts(b, "</p>\n<div class=\"post-body\">");
	html_text(b, p->body);
	buf_puts(b, "</div>\n</article>\n");
	if (pp->may_edit)
		posts_edit_form(b, p, self, pp->csrf_token);
	if (pp->may_delete)
		posts_delete_form(b, self, pp->csrf_token);
	buf_puts(b, "<p>");
	html_link(b, "/", "Home");
	buf_puts(b, "</p>\n");
	html_end(b);
}

void
posts_page_list(struct buf *b, const void *arg)
{
	const struct posts_list_view *lv = arg;
	const char *heading = lv->heading, *next = lv->next;
	const struct post *rows = lv->rows;
	size_t n = lv->n, i;
	char href[48], created[32];

	html_begin(b, heading);
	buf_puts(b, "<h1>");
	html_text(b, heading);
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
		html_link(b, href, rows[i].title);
		buf_printf(b, " <span class=\"meta\">%s &middot; <time>%s</time>"
		    "</span>\n<p>", post_status_name(rows[i].status), created);
		html_text(b, rows[i].body);
		buf_puts(b, "</p></li>\n");
	}
	if (n > 0)
		buf_puts(b, "</ul>\n");
	buf_puts(b, "<p>");
	if (next != NULL) {
		html_link(b, next, "More posts");
		buf_puts(b, " &middot; ");
	}
	html_link(b, "/", "Home");
	buf_puts(b, "</p>\n");
	html_end(b);
}
