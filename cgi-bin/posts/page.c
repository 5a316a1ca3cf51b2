/*
 * The pages of posts.fcgi for a browser: a post with the forms its reader
 * may use, and a list of posts.  Their HTML is templates/post.html and
 * templates/post_list.html; this file only names the values.
 */
#include <ctype.h>
#include <string.h>

#include "gen/templates.h"
#include "pure/form.h"
#include "store/post_store.h"
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

/* The options of the status select, sel the selected one, into d. */
static void
posts_status_options(struct tpl_data *d, enum post_status sel)
{
	struct tpl_data *o;
	const char *name;
	char *label;
	int s;

	for (s = 0; s < POST_STATUS__MAX; s++) {
		name = post_status_names[s];
		/* Its name capitalised is its label. */
		if ((o = tpl_item(d, TK_statuses)) == NULL ||
		    (label = tpl_copy(d, name, strlen(name))) == NULL)
			return;	/* remembered: site_render fails */
		label[0] = (char)toupper((unsigned char)label[0]);
		tpl_str(o, TK_value, name);
		tpl_str(o, TK_label, label);
		tpl_bool(o, TK_selected, sel == (enum post_status)s);
	}
}

void
posts_page_post(struct buf *b, const void *arg)
{
	const struct posts_page_view *pp = arg;
	const struct post *p = pp->post;
	struct tpl_data *d = pp->site;

	if (d == NULL) {
		b->oom = 1;
		return;
	}
	posts_page_values(d, p);
	tpl_str(d, TK_author, pp->author);
	tpl_bool(d, TK_changed, p->updated_at != p->created_at);
	tpl_int(d, TK_updated_at, p->updated_at);
	tpl_bool(d, TK_may_edit, pp->may_edit);
	tpl_bool(d, TK_may_status, pp->may_status);
	tpl_bool(d, TK_may_delete, pp->may_delete);
	if (pp->may_edit || pp->may_status)
		posts_status_options(d, p->status);
	site_render(b, &tpl_post, d);
}

/* Writes list page t of lv into b. */
static void
posts_page_rows(struct buf *b, const struct posts_list_view *lv,
    const struct tpl *t)
{
	struct tpl_data *d = lv->site, *item;
	size_t i;

	if (d == NULL) {
		b->oom = 1;
		return;
	}
	tpl_bool(d, TK_found, lv->n > 0);
	tpl_str(d, TK_q, lv->q);
	tpl_str(d, TK_q_error, lv->q_error);
	tpl_str(d, TK_next, lv->next);
	tpl_str(d, TK_action, lv->action);
	tpl_bool(d, TK_drafts, lv->drafts);
	for (i = 0; i < lv->n; i++) {
		if ((item = tpl_item(d, TK_posts)) == NULL)
			break;	/* remembered: site_render fails */
		posts_page_values(item, &lv->rows[i]);
	}
	site_render(b, t, d);
}

void
posts_page_list(struct buf *b, const void *arg)
{
	posts_page_rows(b, arg, &tpl_post_list);
}

void
posts_page_home(struct buf *b, const void *arg)
{
	posts_page_rows(b, arg, &tpl_home);
}

/* The status select of a post's form: as sent, else dflt. */
static void
posts_status_sent(struct tpl_data *d, const struct req *r,
    enum post_status dflt)
{
	const struct form_field *f = r->body_kind == BODY_FORM ?
	    form_get(&r->form, "status") : NULL;
	enum post_status s = dflt;

	if (f != NULL)
		(void)post_status_parse(f->value, &s);
	posts_status_options(d, s);
}

/* The form that writes a post: its status as sent, else a draft. */
static void
posts_new_fill(struct tpl_data *d, const struct req *r)
{
	posts_status_sent(d, r, POST_DRAFT);
}

static const struct site_field posts_form_fields[] = {
	{ "title", "Title", TK_title, TK_title_error, NULL },
	{ "body", "Text", TK_body, TK_body_error, NULL },
	{ "status", "Status", 0, TK_status_error, NULL },	/* posts_new_fill */
};

const struct site_form posts_new_form = {
	&tpl_post_new, "Write a post", posts_form_fields,
	sizeof(posts_form_fields) / sizeof(posts_form_fields[0]), posts_new_fill
};

/*
 * The edit form of post r->params[0]: its address, and its status as
 * sent, else as it is stored.
 */
static void
posts_edit_fill(struct tpl_data *d, const struct req *r)
{
	struct post p;

	tpl_int(d, TK_id, r->params[0]);
	posts_status_sent(d, r, post_store_get(r->arena, r->params[0], &p) ==
	    ERR_NONE ? p.status : POST_DRAFT);
}

const struct site_form posts_edit_form = {
	&tpl_post_edit, "Edit a post", posts_form_fields,
	sizeof(posts_form_fields) / sizeof(posts_form_fields[0]), posts_edit_fill
};
