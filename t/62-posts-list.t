# Post lists: keyset walks through 1,000 posts in every order (also while
# posts come and go), offset pages with totals, filters, bad parameters.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use POSIX qw(strftime);
use QuillTest;
use QuillPosts;

my $srv = start_server();
my $ann = account($srv, 'user', 'Ann');
my $ben = account($srv, 'user', 'Ben');
my $mod = account($srv, 'moderator');
my $base = time - 1_000_000;

sub rfc3339 { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $_[0]) }

# Ann's 1,000 posts: seven created each second and titles from 40 values in
# two cases (long runs of equal keys), updates in a shuffled order, every
# tenth a draft.  Ben's 30 are spread over the same time.
seed_posts($srv, $ann->{id}, 1000,
    status => "CASE WHEN i % 10 = 0 THEN 'draft' ELSE 'published' END",
    title => "CASE WHEN i % 2 = 1 THEN 'Title ' ELSE 'title ' END || (i % 40)",
    created => "$base + i / 7", updated => "$base + (i * 389) % 1000");
seed_posts($srv, $ben->{id}, 30, created => "$base + i * 5");
is(sql($srv, 'SELECT count(*) FROM posts'), 1030, '1,030 posts are seeded');

# The ids the database itself gives for a filter and an order.
sub expected {
    my ($where, $order) = @_;
    return [ split /\n/, sql($srv, "SELECT id FROM posts WHERE $where ORDER BY $order") ];
}

# Checks a walk: the ids in order, none twice, none missing.
sub walk_ok {
    my ($ids, $want, $what) = @_;
    my %seen;
    my @dups = grep { $seen{$_}++ } @$ids;
    is(scalar @dups, 0, "$what: no post twice");
    is(scalar(grep { !$seen{$_} } @$want), 0, "$what: no post missed");
    is_deeply($ids, $want, "$what: every post, in order");
}

# Titles sort as SQLite's NOCASE does (quill_nocase on PostgreSQL).
my %column = (createdAt => 'created_at', updatedAt => 'updated_at',
    title => test_db() eq 'postgresql' ? 'quill_nocase(title)' : 'title');
my @walkers = (
    # who, path, where, limit
    [ 'anonymous', undef, '/api/v1/posts', "status = 'published'", 37 ],
    [ 'a moderator', $mod, '/api/v1/posts', 'TRUE', 100 ],
    [ "Ann's page", undef, "/api/v1/users/$ann->{id}/posts", "author_id = $ann->{id} AND status = 'published'", 100 ],
);
for my $w (@walkers) {
    my ($who, $as, $path, $where, $limit) = @$w;
    for my $sort (qw(createdAt updatedAt title)) {
        for my $order (qw(asc desc)) {
            my ($ids, $pages) = walk($srv, "$path?sort=$sort&order=$order&limit=$limit",
                $as ? (token => $as->{token}) : ());
            my $want = expected($where, "$column{$sort} $order, id $order");
            walk_ok($ids, $want, "$who by $sort $order");
            is($pages, int((@$want + $limit - 1) / $limit), "$who by $sort $order: in full pages");
        }
    }
}
my ($ids) = walk($srv, '/api/v1/posts');
is(scalar @$ids, 930, 'the default list walks every published post');
is_deeply($ids, expected("status = 'published'", 'created_at DESC, id DESC'),
    'newest first, 20 to a page');
($ids) = walk($srv, "/api/v1/users/$ann->{id}/posts?status=draft&limit=30", token => $ann->{token});
walk_ok($ids, expected("author_id = $ann->{id} AND status = 'draft'", 'created_at DESC, id DESC'),
    'Ann walking her drafts');

# Walking while posts come and go.  Newest first: new posts land behind the
# cursor and are not shown; deleted posts ahead are skipped; an old post
# inserted ahead is shown where it belongs.
my $want = expected("status = 'published'", 'created_at DESC, id DESC');
my (@new, @gone);
my $pos = 0;
my %at = map { $want->[$_] => $_ } 0 .. $#$want;
($ids) = walk($srv, '/api/v1/posts?limit=50', between => sub {
    my ($page, $seen) = @_;
    push @new, new_post($srv, $ben, title => "Fresh $page", status => 'published')->{id};
    my $victim = $want->[$at{ $seen->[-1] } + 7];
    is(api($srv, 'DELETE', "/api/v1/posts/$victim", token => $mod->{token})->{status}, 204,
        "page $page: a post ahead of the cursor is deleted");
    push @gone, $victim;
    sql($srv, "INSERT INTO posts (author_id, status, title, body, created_at, updated_at) "
        . "VALUES ($ben->{id}, 'published', 'Old $page', 'b', $base - $page, $base)") if $page <= 3;
});
my %gone = map { $_ => 1 } @gone;
my @late = split /\n/, sql($srv, "SELECT id FROM posts WHERE title LIKE 'Old %' ORDER BY created_at DESC, id DESC");
is(scalar @late, 3, 'three old posts were inserted ahead of the cursor');
walk_ok($ids, [ (grep { !$gone{$_} } @$want), @late ],
    'newest first while posts are inserted and deleted');
is(scalar(grep { my $n = $_; grep { $_ == $n } @$ids } @new), 0, 'posts created during the walk are behind it');

# Oldest first: posts created during the walk come at its end.
$want = expected("status = 'published'", 'created_at ASC, id ASC');
@new = ();
($ids) = walk($srv, '/api/v1/posts?order=asc&limit=100', between => sub {
    push @new, new_post($srv, $ben, title => "Later $_[0]", status => 'published')->{id};
});
walk_ok($ids, [ @$want, @new ], 'oldest first while posts are inserted');

# Long titles: the cursor carries the whole key (200 four-byte characters).
my $cara = account($srv, 'user', 'Cara');
seed_posts($srv, $cara->{id}, 9,
    title => "replace(printf('%.200c', 'x'), 'x', char(128512)) || (i % 3)",
    created => "$base + 5");
seed_posts($srv, $cara->{id}, 3, title => "replace(printf('%.200c', 'x'), 'x', char(128512))",
    created => "$base + 6");
($ids) = walk($srv, "/api/v1/users/$cara->{id}/posts?sort=title&limit=2");
walk_ok($ids, expected("author_id = $cara->{id}", 'title ASC, id ASC'),
    'by title through runs of equal 800-byte titles');

# Offset pages with totals.
my $pub = expected("status = 'published'", 'created_at DESC, id DESC');
my $r = api($srv, 'GET', '/api/v1/posts?page=3&perPage=25');
is($r->{status}, 200, 'page=3 answers 200');
is_deeply($r->{json}{meta}{page}, 3, 'meta.page');
is($r->{json}{meta}{perPage}, 25, 'meta.perPage');
is($r->{json}{meta}{total}, scalar @$pub, 'meta.total counts every published post');
is($r->{json}{meta}{totalPages}, int((@$pub + 24) / 25), 'meta.totalPages');
is_deeply([ map { $_->{id} } @{ $r->{json}{data} } ], [ @$pub[50 .. 74] ], 'rows 51 to 75');
like(link_next($r) // '', qr{^/api/v1/posts\?perPage=25&page=4$}, 'Link names page 4');
my $last = $r->{json}{meta}{totalPages};
$r = api($srv, 'GET', "/api/v1/posts?page=$last&perPage=25");
ok(!defined link_next($r), 'the last page has no Link');
is(scalar @{ $r->{json}{data} }, @$pub - 25 * ($last - 1), 'and the remaining rows');
$r = api($srv, 'GET', '/api/v1/posts?page=999');
is_deeply($r->{json}{data}, [], 'a page past the end is empty');
is($r->{json}{meta}{total}, scalar @$pub, 'and still counts every published post');
is($r->{json}{meta}{totalPages}, int((@$pub + 19) / 20), 'in its pages of the default size');
$r = api($srv, 'GET', "/api/v1/users/$ann->{id}/posts?page=1&sort=title&order=desc&perPage=100",
    token => $mod->{token});
is($r->{json}{meta}{total}, sql($srv, "SELECT count(*) FROM posts WHERE author_id = $ann->{id}"),
    "a moderator's total counts drafts too");

# Filters.
$r = api($srv, 'GET', "/api/v1/posts?author=$ben->{id}&limit=100");
is_deeply([ map { $_->{id} } @{ $r->{json}{data} } ],
    expected("author_id = $ben->{id} AND status = 'published'", 'created_at DESC, id DESC'),
    'author= shows one author');
my ($lo, $hi) = ($base + 40, $base + 60);
for my $sort (qw(createdAt title)) {
    for my $order (qw(asc desc)) {
        ($ids) = walk($srv, "/api/v1/posts?createdAfter=" . rfc3339($lo) . '&createdBefore='
            . rfc3339($hi) . "&sort=$sort&order=$order&limit=9");
        walk_ok($ids, expected("status = 'published' AND created_at > $lo AND created_at < $hi",
            "$column{$sort} $order, id $order"), "createdAfter and createdBefore, by $sort $order");
    }
}
($ids) = walk($srv, '/api/v1/posts?createdBefore=' . rfc3339($base + 20) . '&limit=100', token => $mod->{token});
walk_ok($ids, expected("created_at < $base + 20", 'created_at DESC, id DESC'), 'createdBefore alone');
# A + in a query string is a space: clients send %2B.
my $t = strftime('%Y-%m-%dT%H:%M:%S', gmtime($base + 10 + 7200)) . '%2B02:00';
$r = api($srv, 'GET', "/api/v1/posts?createdAfter=$t&order=asc&limit=1");
is(sql($srv, "SELECT created_at FROM posts WHERE id = $r->{json}{data}[0]{id}"), $base + 11,
    'an offset (+02:00) is applied');
my $frac = rfc3339($base + 10) =~ s/Z$/.5Z/r;
$r = api($srv, 'GET', "/api/v1/posts?createdBefore=$frac&limit=1");
is(sql($srv, "SELECT created_at FROM posts WHERE id = $r->{json}{data}[0]{id}"), $base + 10,
    'createdBefore 10.5 s includes posts of second 10');
$r = api($srv, 'GET', "/api/v1/posts?createdAfter=$frac&order=asc&limit=1");
is(sql($srv, "SELECT created_at FROM posts WHERE id = $r->{json}{data}[0]{id}"), $base + 11,
    'createdAfter 10.5 s starts at second 11');
$r = api($srv, 'GET', '/api/v1/posts?status=published&page=1', token => $mod->{token});
is($r->{json}{meta}{total}, sql($srv, "SELECT count(*) FROM posts WHERE status = 'published'"),
    'status=published for a moderator');

# Limits and bad parameters.
is(scalar @{ api($srv, 'GET', '/api/v1/posts?limit=1')->{json}{data} }, 1, 'limit=1 gives 1 post');
is(scalar @{ api($srv, 'GET', '/api/v1/posts?limit=100')->{json}{data} }, 100, 'limit=100 gives 100');
for my $q ('limit=0', 'limit=101', 'page=1&perPage=0', 'page=1&perPage=101') {
    my $r = api($srv, 'GET', "/api/v1/posts?$q");
    my ($name) = $q =~ /(\w+)=\d+$/;
    is($r->{status}, 400, "$q is 400, not a clamp");
    like($r->{json}{error}{message} // '', qr/\b$name\b.*1 to 100/, "$q: the message names $name and its bounds");
}
$r = api($srv, 'GET', '/api/v1/posts?perPage=3');
is_deeply([ @{ $r->{json}{meta} }{qw(page perPage)} ], [1, 3], 'perPage alone is page 1 of offset paging');
is(api($srv, 'GET', '/api/v1/posts?perPage=3&cursor=x')->{status}, 400, 'perPage with a cursor is 400');
$r = api($srv, 'GET', '/api/v1/posts?limit=2');
my $cursor = $r->{json}{meta}{nextCursor};
ok($r->{json}{meta}{hasMore}, 'meta.hasMore');
is($r->{json}{meta}{limit}, 2, 'meta.limit');
my $tampered = $cursor;
substr($tampered, 5, 1) = substr($tampered, 5, 1) eq 'A' ? 'B' : 'A';
my $before = posts_state($srv);
for my $q ('limit=ten', 'sort=password', 'sort=id', 'order=up', "cursor=$tampered",
    'cursor=%%%', "cursor=$cursor&page=2", "cursor=$cursor&sort=title", "cursor=$cursor&order=asc",
    'status=archived', 'author=abc', 'author=0', 'author=-1', 'createdAfter=yesterday',
    'createdBefore=2026-02-30T00:00:00Z', 'createdAfter=1700000000', 'sort=relevance',
    'page=0', 'limit=1&limit=2') {
    $r = api($srv, 'GET', "/api/v1/posts?$q");
    is($r->{status}, 400, "?$q is 400");
    is($r->{json}{error}{code}, 'BAD_REQUEST', "?$q is BAD_REQUEST");
}
like(api($srv, 'GET', "/api/v1/posts?cursor=$tampered")->{json}{error}{message}, qr/cursor/,
    'the message names the cursor');
is(api($srv, 'GET', '/api/v1/users/999999/posts')->{status}, 404, "an unknown user's posts are 404");
is(api($srv, 'GET', '/api/v1/users/abc/posts')->{status}, 404, 'so is a malformed user id');
is(posts_state($srv), $before, 'a read changes nothing');

done_testing();
