/*
 * The pages of posts.fcgi for a browser: a post with the forms its reader
 * may use, and a list of posts.  Their HTML is templates/post.html and
 * templates/post_list.html; this file only names the values.
 */
#include <ctype.h>
#include <string.h>

#include "gen/templates.h"
#include "web/site.h"
#include "posts.h"

/* The values of post p that both pages show, into d. */
static void
posts_page_values(struct tpl_data *d, const struct post *p)
{
	tpl_int(d, TK_id, p->id);
	tpl_str(d, TK_title, p->title);
	tpl_str(d, TK_body, p->body);
	tpl_str(d, TK_status, post_status_name(p->status));
	tpl_int(d, TK_created_at, p->created_at);
}

void
posts_page_post(struct buf *b, const void *arg)
{
	const struct posts_page_view *pp = arg;
	const struct post *p = pp->post;
	struct tpl_data *d = pp->site, *o;
	/* Each status's name capitalised: the label of its option. */
	char labels[POST_STATUS__MAX][16];
	size_t n;
	int s;

	if (d == NULL) {
		b->oom = 1;
		return;
	}
	posts_page_values(d, p);
	tpl_str(d, TK_author, pp->author);
	tpl_bool(d, TK_changed, p->updated_at != p->created_at);
	tpl_int(d, TK_updated_at, p->updated_at);
	tpl_bool(d, TK_may_edit, pp->may_edit);
	tpl_bool(d, TK_may_delete, pp->may_delete);
	for (s = 0; pp->may_edit && s < POST_STATUS__MAX; s++) {
		n = strlen(post_status_names[s]);
		if (n >= sizeof(labels[s]))
			n = sizeof(labels[s]) - 1;
		memcpy(labels[s], post_status_names[s], n);
		labels[s][n] = '\0';
		labels[s][0] = (char)toupper((unsigned char)labels[s][0]);
		if ((o = tpl_item(d, TK_statuses)) == NULL)
			break;	/* remembered: site_render fails */
		tpl_str(o, TK_value, post_status_names[s]);
		tpl_str(o, TK_label, labels[s]);
		tpl_bool(o, TK_selected, p->status == (enum post_status)s);
	}
	site_render(b, &tpl_post, d);
}

void
posts_page_list(struct buf *b, const void *arg)
{
	const struct posts_list_view *lv = arg;
	struct tpl_data *d = lv->site, *item;
	size_t i;

	if (d == NULL) {
		b->oom = 1;
		return;
	}
	tpl_bool(d, TK_found, lv->n > 0);
	tpl_str(d, TK_q, lv->q);
	tpl_str(d, TK_next, lv->next);
	for (i = 0; i < lv->n; i++) {
		if ((item = tpl_item(d, TK_posts)) == NULL)
			break;	/* remembered: site_render fails */
		posts_page_values(item, &lv->rows[i]);
	}
	site_render(b, &tpl_post_list, d);
}
