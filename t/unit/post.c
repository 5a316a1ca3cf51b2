/* post: who may see and change a post, list visibility, search queries. */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "store/post.h"
#include "tap.h"

static const struct principal anon = { .user_id = 0, .role = ROLE_USER };
static const struct principal owner = { .user_id = 10, .role = ROLE_USER,
    .token_version = 1 };
static const struct principal other = { .user_id = 11, .role = ROLE_USER,
    .token_version = 1 };
static const struct principal mod = { .user_id = 12, .role = ROLE_MODERATOR,
    .token_version = 1 };
static const struct principal admin = { .user_id = 13, .role = ROLE_ADMIN,
    .token_version = 1 };

static void
test_policy(void)
{
	struct post p = { .id = 1, .author_id = 10, .status = POST_PUBLISHED };

	ok(post_visible(&p, &anon) && post_visible(&p, &other),
	    "a published post is visible to anyone");
	is_int(post_may_change(&p, &owner, 1), ERR_NONE, "its author may edit it");
	is_int(post_may_change(&p, &admin, 1), ERR_NONE, "an admin may edit it");
	is_int(post_may_change(&p, &mod, 0), ERR_NONE, "a moderator may change its status");
	is_int(post_may_change(&p, &mod, 1), ERR_FORBIDDEN,
	    "a moderator may not change its title or body");
	is_int(post_may_change(&p, &other, 0), ERR_FORBIDDEN, "another user may not change it");
	is_int(post_may_change(&p, &anon, 0), ERR_FORBIDDEN, "nor may an anonymous caller");
	is_int(post_may_delete(&p, &owner), ERR_NONE, "its author may delete it");
	is_int(post_may_delete(&p, &mod), ERR_NONE, "a moderator may delete it");
	is_int(post_may_delete(&p, &admin), ERR_NONE, "an admin may delete it");
	is_int(post_may_delete(&p, &other), ERR_FORBIDDEN, "another user may not delete it");

	p.status = POST_DRAFT;
	ok(!post_visible(&p, &anon) && !post_visible(&p, &other),
	    "a draft is hidden from anonymous callers and other users");
	ok(post_visible(&p, &owner) && post_visible(&p, &mod) && post_visible(&p, &admin),
	    "and visible to its author and staff");
	is_int(post_may_change(&p, &other, 0), ERR_NOT_FOUND,
	    "changing a draft one may not see is NOT_FOUND, not FORBIDDEN");
	is_int(post_may_delete(&p, &other), ERR_NOT_FOUND, "so is deleting it");
	is_int(post_may_change(&p, &mod, 1), ERR_FORBIDDEN,
	    "a moderator sees a draft but may not edit its text");

	p.author_id = 12;
	is_int(post_may_change(&p, &mod, 1), ERR_NONE, "a moderator edits their own post freely");
}

/* A filter asking for author and status, after visibility for who. */
static struct post_filter
filter(int64_t author, int status, const struct principal *who)
{
	struct post_filter f;

	memset(&f, 0, sizeof(f));
	f.author = author;
	f.status = status;
	post_filter_visible(&f, who);
	return f;
}

static void
test_visibility(void)
{
	struct post_filter f;

	f = filter(0, -1, &anon);
	ok(f.status == POST_PUBLISHED && f.author == 0 && !f.nothing,
	    "anonymous: published posts of everyone");
	f = filter(0, POST_DRAFT, &anon);
	ok(f.nothing, "anonymous asking for drafts: nothing");
	f = filter(0, -1, &owner);
	ok(f.status == POST_PUBLISHED && !f.nothing, "a user: published posts by default");
	f = filter(0, POST_DRAFT, &owner);
	ok(f.status == POST_DRAFT && f.author == owner.user_id && !f.nothing,
	    "a user asking for drafts: their own");
	f = filter(owner.user_id, POST_DRAFT, &owner);
	ok(f.author == owner.user_id && !f.nothing, "also when naming themselves");
	f = filter(other.user_id, POST_DRAFT, &owner);
	ok(f.nothing, "another author's drafts: nothing");
	f = filter(other.user_id, POST_PUBLISHED, &owner);
	ok(f.author == other.user_id && f.status == POST_PUBLISHED && !f.nothing,
	    "another author's published posts");
	f = filter(0, -1, &mod);
	ok(f.status == -1 && !f.nothing, "a moderator: every status");
	f = filter(other.user_id, POST_DRAFT, &admin);
	ok(f.status == POST_DRAFT && f.author == other.user_id && !f.nothing,
	    "an admin: anyone's drafts");
}

static void
test_match(struct arena *a)
{
	const char *m;

	is_int(post_match_query(a, "hello world", &m), ERR_NONE, "two words");
	is_str(m, "\"hello\" \"world\"", "become two quoted terms");
	post_match_query(a, "  wor*  ", &m);
	is_str(m, "\"wor\"*", "a trailing * makes a prefix term");
	post_match_query(a, "a\"b OR NOT c) NEAR(", &m);
	is_str(m, "\"a\"\"b\" \"OR\" \"NOT\" \"c)\" \"NEAR(\"",
	    "quotes are doubled and operators are plain words");
	post_match_query(a, "x ** y", &m);
	is_str(m, "\"x\" \"y\"", "a word of stars alone is dropped");
	is_int(post_match_query(a, " \t ", &m), ERR_BAD_REQUEST, "blank text is refused");
	is_int(post_match_query(a, "* **", &m), ERR_BAD_REQUEST, "so are stars alone");
	ok(m == NULL, "with no query");
}

int
main(void)
{
	struct arena *a = arena_new();

	if (a == NULL)
		return 1;
	test_policy();
	test_visibility();
	test_match(a);
	arena_free(a);
	return done_testing();
}
