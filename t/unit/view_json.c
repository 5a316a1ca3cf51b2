/*
 * Posts written straight into the answer (view_post_json, view_posts_json,
 * reply_post, reply_posts) against what the cJSON tree of
 * the same answer serialises to with json_append, the encoder they
 * replace: the same bytes, for strings that need every kind of escape.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/time.h"
#include "pure/json.h"
#include "web/reply.h"
#include "web/view.h"
#include "tap.h"

/* A post as the tree the answers were made of before. */
static cJSON *
tree_post(const struct post *p)
{
	char t[TIME_RFC3339_SIZE];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)p->id);
	cJSON_AddNumberToObject(o, "authorId", (double)p->author_id);
	cJSON_AddStringToObject(o, "title", p->title);
	cJSON_AddStringToObject(o, p->excerpt ? "excerpt" : "body", p->body);
	cJSON_AddStringToObject(o, "status", post_status_name(p->status));
	time_rfc3339(p->created_at, t, sizeof(t));
	cJSON_AddStringToObject(o, "createdAt", t);
	time_rfc3339(p->updated_at, t, sizeof(t));
	cJSON_AddStringToObject(o, "updatedAt", t);
	return o;
}

/* What json_append writes of tree, which it frees; "" on failure. */
static const char *
old_bytes(struct buf *b, cJSON *tree)
{
	buf_reset(b);
	if (tree == NULL || json_append(b, tree) == -1 ||
	    buf_append(b, "", 1) == -1) {
		cJSON_Delete(tree);
		return "";
	}
	cJSON_Delete(tree);
	return b->data;
}

/* The text of b, NUL-terminated. */
static const char *
text_of(struct buf *b)
{
	if (buf_append(b, "", 1) == -1)
		return "";
	b->len--;
	return b->data;
}

/* Strings that need escapes, or look as if they might. */
static const char *const tricky[] = {
	"",
	"plain words",
	"quote \" backslash \\ slash / solidus",
	"\b\f\n\r\t",
	"\x01\x02\x03\x04\x05\x06\x07\x0b\x0e\x0f\x10\x11\x12\x13\x14\x15"
	    "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
	"\x7f delete",
	"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87",
	"line\xe2\x80\xa8separator\xe2\x80\xa9paragraph",
	"</script><script>alert(1)</script> & <b>",
	"sixteen bytes...\"then a quote past the first block",
	"0123456789abcde\n",
	"0123456789abcdef\x1f",
	"a long run of plain text without any escape at all, long enough "
	    "for several blocks of sixteen bytes, then one at the end\\",
	"\\u0000 written out, and {\"json\": [\"inside\"]}",
};

static void
test_post(void)
{
	struct buf want = { 0 }, got = { 0 };
	struct post p;
	size_t i, j;
	char label[64];

	for (i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++)
		for (j = 0; j < 2; j++) {
			memset(&p, 0, sizeof(p));
			p.id = (int64_t)i + 1;
			p.author_id = 9007199254740991LL - (int64_t)i;
			p.status = j ? POST_PUBLISHED : POST_DRAFT;
			p.created_at = j ? 0 : 1700000000;
			p.updated_at = 253402300799LL - (int64_t)i;
			p.title = tricky[i];
			p.body = tricky[(i + 3) % (sizeof(tricky) /
			    sizeof(tricky[0]))];
			p.excerpt = (int)j;
			buf_reset(&got);
			snprintf(label, sizeof(label), "post with string %zu, %s",
			    i, j ? "an excerpt" : "a body");
			ok(view_post_json(&got, &p) == 0, "%s: written", label);
			is_str(text_of(&got), old_bytes(&want, tree_post(&p)),
			    "%s: the bytes of the tree", label);
		}
	p.title = NULL;
	buf_reset(&got);
	is_int(view_post_json(&got, &p), -1,
	    "a post without a title is refused, as the tree refused it");
	buf_free(&want);
	buf_free(&got);
}

/* n posts of the tricky strings. */
static void
make_rows(struct post *rows, size_t n)
{
	size_t i, k = sizeof(tricky) / sizeof(tricky[0]);

	for (i = 0; i < n; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].id = 100 + (int64_t)i;
		rows[i].author_id = 7;
		rows[i].status = POST_PUBLISHED;
		rows[i].created_at = 1700000000 + (int64_t)i;
		rows[i].updated_at = 1700000100 + (int64_t)i;
		rows[i].title = tricky[i % k];
		rows[i].body = tricky[(i + 5) % k];
		rows[i].excerpt = 1;
	}
}

static void
test_list(void)
{
	struct buf want = { 0 }, got = { 0 };
	struct post rows[20];
	cJSON *a;
	size_t i;

	make_rows(rows, 20);
	ok(view_posts_json(&got, rows, 0) == 0, "an empty list is written");
	is_str(text_of(&got), "[]", "as []");
	buf_reset(&got);
	ok(view_posts_json(&got, rows, 20) == 0, "a list of 20 is written");
	a = cJSON_CreateArray();
	for (i = 0; i < 20; i++)
		cJSON_AddItemToArray(a, tree_post(&rows[i]));
	is_str(text_of(&got), old_bytes(&want, a), "the bytes of the tree");
	buf_free(&want);
	buf_free(&got);
}

/* A request with just what the envelope needs. */
static void
req_init(struct req *r, struct buf *out, struct buf *hdr, struct arena *a)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->out = out;
	r->hdr = hdr;
	r->path = "/api/v1/posts";
	r->qs_parsed = 1;
	snprintf(r->request_id, sizeof(r->request_id), "%s",
	    "0123456789ab-\"00\\1");
}

/* The envelope's tree: {"data": data, "meta": meta + requestId}. */
static cJSON *
tree_envelope(const struct req *r, cJSON *data, cJSON *meta)
{
	cJSON *root = cJSON_CreateObject();

	if (meta == NULL)
		meta = cJSON_CreateObject();
	cJSON_AddStringToObject(meta, "requestId", r->request_id);
	cJSON_AddItemToObject(root, "data", data);
	cJSON_AddItemToObject(root, "meta", meta);
	return root;
}

static void
test_envelope(void)
{
	struct buf want = { 0 }, out = { 0 }, hdr = { 0 };
	struct arena *a = arena_new();
	struct cursor_params cp;
	struct post rows[3];
	struct req r;
	cJSON *items, *meta;
	size_t i;

	if (a == NULL) {
		printf("Bail out! arena\n");
		exit(255);
	}
	make_rows(rows, 3);

	req_init(&r, &out, &hdr, a);
	is_int(reply_post(&r, "/api/v1/posts/101", &rows[1]), ERR_NONE,
	    "a new post is answered");
	is_int(r.status, 201, "201 Created");
	is_str(r.location, "/api/v1/posts/101", "at its location");
	is_str(r.content_type, "application/json; charset=utf-8",
	    "as JSON");
	is_str(text_of(&out), old_bytes(&want, tree_envelope(&r,
	    tree_post(&rows[1]), NULL)), "the bytes of the tree");
	req_init(&r, &out, &hdr, a);
	is_int(reply_post(&r, NULL, &rows[2]), ERR_NONE, "a post is answered");
	is_int(r.status, 200, "200");
	ok(r.location == NULL, "with no location");
	is_str(text_of(&out), old_bytes(&want, tree_envelope(&r,
	    tree_post(&rows[2]), NULL)), "the bytes of the tree");

	memset(&cp, 0, sizeof(cp));
	cp.mode = CURSOR_KEYSET;
	cp.limit = 3;
	req_init(&r, &out, &hdr, a);
	is_int(reply_posts(&r, &cp, rows, 3, "next\"cursor", 0), ERR_NONE,
	    "a keyset page is answered");
	items = cJSON_CreateArray();
	for (i = 0; i < 3; i++)
		cJSON_AddItemToArray(items, tree_post(&rows[i]));
	meta = cJSON_CreateObject();
	cJSON_AddNumberToObject(meta, "limit", 3);
	cJSON_AddStringToObject(meta, "nextCursor", "next\"cursor");
	cJSON_AddBoolToObject(meta, "hasMore", 1);
	is_str(text_of(&out), old_bytes(&want, tree_envelope(&r, items, meta)),
	    "the bytes of the tree, with a next cursor");
	ok(strstr(text_of(&hdr), "Link: </api/v1/posts?cursor=next%22cursor>; "
	    "rel=\"next\"") != NULL, "and its Link header");

	req_init(&r, &out, &hdr, a);
	reply_posts(&r, &cp, rows, 0, NULL, 0);
	meta = cJSON_CreateObject();
	cJSON_AddNumberToObject(meta, "limit", 3);
	cJSON_AddNullToObject(meta, "nextCursor");
	cJSON_AddBoolToObject(meta, "hasMore", 0);
	is_str(text_of(&out), old_bytes(&want, tree_envelope(&r,
	    cJSON_CreateArray(), meta)), "the last keyset page");

	cp.mode = CURSOR_OFFSET;
	cp.page = 2;
	req_init(&r, &out, &hdr, a);
	reply_posts(&r, &cp, rows, 2, NULL, 8);
	items = cJSON_CreateArray();
	for (i = 0; i < 2; i++)
		cJSON_AddItemToArray(items, tree_post(&rows[i]));
	meta = cJSON_CreateObject();
	cJSON_AddNumberToObject(meta, "page", 2);
	cJSON_AddNumberToObject(meta, "perPage", 3);
	cJSON_AddNumberToObject(meta, "total", 8);
	cJSON_AddNumberToObject(meta, "totalPages", 3);
	is_str(text_of(&out), old_bytes(&want, tree_envelope(&r, items, meta)),
	    "an offset page");

	buf_free(&want);
	buf_free(&out);
	buf_free(&hdr);
	arena_free(a);
}

int
main(void)
{
	test_post();
	test_list();
	test_envelope();
	return done_testing();
}
