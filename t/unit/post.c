/*
 * post: the status names, who may see and change a post, list visibility,
 * and search queries (post_store_match).
 */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "store/db.h"
#include "store/post_store.h"
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

/* Checks the FTS5 query made of q. */
static void
match_is(struct arena *a, const char *q, const char *want, const char *what)
{
	enum post_query_fault fault;
	const char *m;

	is_int(post_store_match(a, q, &m, &fault), ERR_NONE, "%s: accepted", what);
	is_str(m, want, "%s", what);
}

/* Checks that q is refused for fault. */
static void
refused(struct arena *a, const char *q, enum post_query_fault want,
    const char *what)
{
	enum post_query_fault fault = POST_QUERY_OK;
	const char *m = "";

	is_int(post_store_match(a, q, &m, &fault), ERR_BAD_REQUEST,
	    "%s: refused", what);
	is_int(fault, want, "%s: as %s", what, post_query_faults[want].code);
	ok(m == NULL, "%s: with no query", what);
}

static void
test_match(struct arena *a)
{
	char many[512], want[520];
	int i;

	match_is(a, "hello world", "\"hello\" \"world\"",
	    "two words become two quoted terms");
	match_is(a, "  wor*  ", "\"wor\"*", "a trailing * makes a prefix term");
	match_is(a, "a\"b OR NOT c) NEAR(",
	    "\"a b\" \"or\" \"not\" \"c\" \"near\"",
	    "operators and quotes are plain text, split as the index splits");
	match_is(a, "x ** y", "\"x\" \"y\"", "a word of stars alone is dropped");
	match_is(a, "x --- y", "\"x\" \"y\"", "so is one of punctuation alone");
	match_is(a, "Caf\xc3\xa9 NA\xc3\x8fVE", "\"cafe\" \"naive\"",
	    "folded as the index folds: case and accents");
	match_is(a, "e-mail* zebra", "\"e mail\"* \"zebra\"",
	    "a word joined by punctuation is a phrase of its parts");
	match_is(a, "zebra ZEBRA z\xc3\xa9" "bra zebra* zebra", "\"zebra\" \"zebra\"*",
	    "a word again adds nothing (a prefix is another word)");
	match_is(a, "a a a a a a a a a b c d e f g h", "\"a\" \"b\" \"c\" \"d\" "
	    "\"e\" \"f\" \"g\" \"h\"", "so repeats do not count");
	refused(a, " \t ", POST_QUERY_NO_WORD, "blank text");
	refused(a, "* ** ---", POST_QUERY_NO_WORD, "stars and punctuation alone");

	/* The bounds of a search's cost. */
	match_is(a, "a b c d e f g h", "\"a\" \"b\" \"c\" \"d\" \"e\" \"f\" "
	    "\"g\" \"h\"", "eight words are accepted");
	refused(a, "a b c d e f g h i", POST_QUERY_TOO_MANY_TERMS, "nine words");
	refused(a, "a-b-c-d-e-f-g-h-i", POST_QUERY_TOO_MANY_TERMS,
	    "nine terms in one word joined by punctuation");
	match_is(a, "abc* def*", "\"abc\"* \"def\"*", "two prefixes of three letters");
	refused(a, "abc* def* ghi*", POST_QUERY_TOO_MANY_PREFIXES, "three prefixes");
	refused(a, "e*", POST_QUERY_PREFIX_TOO_SHORT, "a prefix of one letter");
	refused(a, "ab*", POST_QUERY_PREFIX_TOO_SHORT, "a prefix of two letters");
	refused(a, "alpha-b*", POST_QUERY_PREFIX_TOO_SHORT,
	    "a long word whose last part, the prefix, is one letter");
	match_is(a, "\xc3\xa9t\xc3\xa9*", "\"ete\"*",
	    "letters are counted as characters, not bytes");
	refused(a, "e* s* t* a* r* l* n* o* i* d* c* u* m* p* h* g* b* f*",
	    POST_QUERY_PREFIX_TOO_SHORT,
	    "the costly search of one-letter prefixes");
	refused(a, "abc-def-ghi-jkl-mno-pqr-stu-vwx-yz*",
	    POST_QUERY_TOO_MANY_TERMS, "prefixes hidden in one long word");
	for (i = 0; i < 201; i++)
		many[i] = 'z';
	many[i] = '\0';
	refused(a, many, POST_QUERY_TOO_LONG, "201 characters");
	many[200] = '\0';
	snprintf(want, sizeof(want), "\"%s\"", many);
	match_is(a, many, want, "200 characters");
}

/* The one table of status names: each parses to its own value and back. */
static void
test_status(void)
{
	static const char *const bad[] = { "", "Draft", "drafts", "publish",
	    "archived" };
	enum post_status st;
	size_t i;
	int v;

	is_str(post_status_names[POST_DRAFT], "draft", "POST_DRAFT is 'draft'");
	is_str(post_status_names[POST_PUBLISHED], "published",
	    "POST_PUBLISHED is 'published'");
	for (v = 0; v < POST_STATUS__MAX; v++) {
		st = POST_STATUS__MAX;
		ok(post_status_parse(post_status_names[v], &st) == 0 &&
		    (int)st == v, "status %d parses back", v);
		is_str(post_status_name((enum post_status)v),
		    post_status_names[v], "status %d is named by the table", v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = POST_PUBLISHED;
		ok(post_status_parse(bad[i], &st) == -1 && st == POST_PUBLISHED,
		    "'%s' is no status, and *out is left alone", bad[i]);
	}
	ok(post_status_parse(NULL, &st) == -1, "NULL is no status");
	is_str(post_status_name(POST_STATUS__MAX), "draft",
	    "a value past the enum is named 'draft'");
}

int
main(void)
{
	struct arena *a = arena_new();
	char err[256];

	if (a == NULL)
		return 1;
	test_status();
	test_policy();
	test_visibility();
	/* Search text is split by the index's own tokenizer. */
	if (db_open(":memory:", 1, 1000, err, sizeof(err)) == -1 ||
	    db_migrate(err, sizeof(err)) == -1 ||
	    db_prepare_all(err, sizeof(err)) == -1) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	test_match(a);
	db_close();
	arena_free(a);
	return done_testing();
}
