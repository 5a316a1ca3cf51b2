# GET /users: cursor and offset walks over every sort and order (no
# duplicates, no gaps, the right order), filters, bounds, bad parameters.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillUsers;

my $srv = start_server();
my $admin = account($srv, role => 'admin', name => 'Admin');
my $mod = account($srv, role => 'moderator', name => 'Mod');

# 130 users straight into the table: names that tie and differ only in
# case, emails in mixed case, creation times that tie, a few roles, and
# names with LIKE's wildcards and its escape character in them.
sql($srv, q{WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 130)
    INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
    SELECT printf(CASE WHEN i % 2 = 1 THEN 'U%03d@example.com' ELSE 'u%03d@example.com' END, i),
        CASE i % 6 WHEN 0 THEN 'alice' WHEN 1 THEN 'Alice' WHEN 2 THEN 'Bob'
            WHEN 3 THEN 'bob' WHEN 4 THEN 'Zoë' ELSE 'carol' END,
        'x', CASE WHEN i % 10 = 0 THEN 'moderator' WHEN i % 25 = 1 THEN 'admin' ELSE 'user' END,
        1700000000 + (i % 7) * 100, 1700000000
    FROM n});
my $emoji = "\xf0\x9f\x98\x80" x 100;    # 100 characters, 400 bytes
sql($srv, "INSERT INTO users (email, name, password_hash, created_at, updated_at) VALUES "
    . "('pct\@example.com', '100% sure', 'x', 1, 1), ('under\@example.com', 'under_score', 'x', 1, 1), "
    . "('back\@example.com', 'back\\slash', 'x', 1, 1), "
    . join(', ', map { "('smile$_\@example.com', '$emoji', 'x', $_, $_)" } 1 .. 3));

# Every user as the database has them, for computing the expected orders.
my @all = map { my @f = split /\|/, $_, 5; { id => $f[0], created => $f[1], role => $f[2], email => $f[3], name => $f[4] } }
    sql($srv, 'SELECT id, created_at, role, email, name FROM users');
my $total = @all;
ok($total > 130, "$total users to list");

sub nocase { my ($s) = @_; $s =~ tr/A-Z/a-z/; return $s }
my %key = (
    createdAt => sub { $_[0]{created} <=> $_[1]{created} },
    name => sub { nocase($_[0]{name}) cmp nocase($_[1]{name}) },
    email => sub { nocase($_[0]{email}) cmp nocase($_[1]{email}) },
);

# The ids of @rows sorted by the API's rules: the key, then the id.
sub expected {
    my ($sort, $order, @rows) = @_;
    my @s = sort { $key{$sort}->($a, $b) || $a->{id} <=> $b->{id} } @rows;
    @s = reverse @s if $order eq 'desc';
    return [ map { $_->{id} } @s ];
}

# Follows Link rel="next" from the first page; returns (ids, pages, ok sizes).
sub walk {
    my ($query, $limit) = @_;
    my (@ids, $pages, $sizes_ok);
    $sizes_ok = 1;
    my $path = "/api/v1/users?$query&limit=$limit";
    while ($pages++ < 200) {
        my $r = api($srv, 'GET', $path, token => $mod->{token});
        if ($r->{status} != 200) { diag "$path: $r->{status}"; last }
        my $data = $r->{json}{data};
        push @ids, map { $_->{id} } @$data;
        my $meta = $r->{json}{meta};
        my $link = $r->{headers}{link};
        if (!$meta->{hasMore}) {
            $sizes_ok &&= @$data <= $limit && !defined $link && !defined $meta->{nextCursor};
            last;
        }
        $sizes_ok &&= @$data == $limit;
        ($path) = ($link // '') =~ /^<([^>]+)>; rel="next"$/ or do { diag "no Link on $path"; last };
    }
    return (\@ids, $pages, $sizes_ok);
}

sub no_duplicates { my %seen; return !grep { $seen{$_}++ } @{ $_[0] } }

for my $sort (qw(createdAt name email)) {
    for my $order (qw(asc desc)) {
        my ($ids, $pages, $sizes_ok) = walk("sort=$sort&order=$order", 9);
        ok(no_duplicates($ids), "cursor walk by $sort $order: no duplicates");
        is(scalar @$ids, $total, "cursor walk by $sort $order: every user, no gaps ($pages pages)");
        is_deeply($ids, expected($sort, $order, @all), "cursor walk by $sort $order: in order");
        ok($sizes_ok, "cursor walk by $sort $order: full pages until the last, then no Link");
    }
}

# Offset pages.
for my $sort (qw(name createdAt)) {
    my ($r, @ids, $page);
    for ($page = 1; $page < 100; $page++) {
        $r = api($srv, 'GET', "/api/v1/users?sort=$sort&order=asc&page=$page&perPage=25", token => $admin->{token});
        last if $r->{status} != 200 || !@{ $r->{json}{data} };
        push @ids, map { $_->{id} } @{ $r->{json}{data} };
    }
    is_deeply(\@ids, expected($sort, 'asc', @all), "offset walk by $sort: every user once, in order");
    is_deeply($r->{json}{meta}, { page => $page, perPage => 25, total => $total,
        totalPages => int(($total + 24) / 25), requestId => $r->{json}{meta}{requestId} },
        'offset meta: page, perPage, total, totalPages');
}
my $r = api($srv, 'GET', '/api/v1/users?page=2&perPage=10', token => $admin->{token});
like($r->{headers}{link} // '', qr/[?&]page=3[&>]/, 'offset pages link the next page');

# Defaults: newest first, 20 a page.
$r = api($srv, 'GET', '/api/v1/users', token => $admin->{token});
is(scalar @{ $r->{json}{data} }, 20, 'the default page has 20 users');
is_deeply([ map { $_->{id} } @{ $r->{json}{data} } ], [ @{ expected('createdAt', 'desc', @all) }[0 .. 19] ],
    'the default order is createdAt descending');
is($r->{json}{meta}{limit}, 20, 'meta.limit is 20');
ok($r->{json}{meta}{hasMore} && $r->{json}{meta}{nextCursor}, 'meta says there is more, with a cursor');
ok(exists $r->{json}{data}[0]{email}, 'staff see the full profiles');

# A keyset page is not moved by a user created after the first page.
my $first = $r;
sql($srv, "INSERT INTO users (email, name, password_hash, created_at, updated_at) "
    . "VALUES ('late\@example.com', 'Late', 'x', 2000000000, 2000000000)");
$r = api($srv, 'GET', "/api/v1/users?cursor=$first->{json}{meta}{nextCursor}", token => $admin->{token});
is_deeply([ map { $_->{id} } @{ $r->{json}{data} } ], [ @{ expected('createdAt', 'desc', @all) }[20 .. 39] ],
    'the second page continues exactly after the first, whatever was added since');
sql($srv, "DELETE FROM users WHERE email = 'late\@example.com'");

# Filters.
my @mods = grep { $_->{role} eq 'moderator' } @all;
my ($ids) = walk('role=moderator&sort=name&order=asc', 4);
is_deeply($ids, expected('name', 'asc', @mods), 'role=moderator lists exactly the moderators, in order');
($ids) = walk('role=admin&q=U0&sort=email&order=desc', 3);
is_deeply($ids, expected('email', 'desc', grep { $_->{role} eq 'admin' && $_->{email} =~ /u0/i } @all),
    'role and q together');
($ids) = walk('q=BOB&sort=createdAt&order=asc', 7);
is_deeply($ids, expected('createdAt', 'asc', grep { $_->{name} =~ /bob/i || $_->{email} =~ /bob/i } @all),
    'q matches names without regard to case');
($ids) = walk('q=u12', 50);
is_deeply([ sort { $a <=> $b } @$ids ], [ sort { $a <=> $b } map { $_->{id} } grep { $_->{email} =~ /u12/i } @all ],
    'q matches emails');
for my $wild ('%', '_', '\\') {
    (my $enc = $wild) =~ s/([^A-Za-z0-9])/sprintf '%%%02X', ord $1/ge;
    ($ids) = walk("q=$enc", 50);
    is_deeply($ids, [ map { $_->{id} } grep { index($_->{name}, $wild) >= 0 || index($_->{email}, $wild) >= 0 } @all ],
        "q=$wild matches only a literal $wild");
}
($ids) = walk('q=', 100);
is(scalar @$ids, $total, 'an empty q filters nothing');
($ids) = walk('q=nobody-has-this', 10);
is_deeply($ids, [], 'a q that matches nothing is an empty list');

# 400-byte names: the cursor carries the whole key, so a walk one at a
# time passes each of them exactly once.
(my $q = "\xf0\x9f\x98\x80") =~ s/(.)/sprintf '%%%02X', ord $1/ge;
my ($smiles, $pages) = walk("q=$q&sort=name&order=asc", 1);
is_deeply($smiles, expected('name', 'asc', grep { $_->{name} eq $emoji } @all),
    "a walk over 400-byte names by name sees each once ($pages pages)");

# Out of range is 400, not a clamp.
for my $q ('limit=0', 'limit=-7', 'limit=101', 'page=1&perPage=500') {
    $r = api($srv, 'GET', "/api/v1/users?$q", token => $admin->{token});
    is($r->{status}, 400, "$q is 400");
}
$r = api($srv, 'GET', '/api/v1/users?limit=100', token => $admin->{token});
is(scalar @{ $r->{json}{data} }, 100, 'limit=100 gives 100');
is($r->{json}{meta}{limit}, 100, 'and meta says 100');

# Bad parameters are 400 with a message naming them.
my $name_cursor = walk_cursor('sort=name&order=asc');
sub walk_cursor {
    my $x = api($srv, 'GET', "/api/v1/users?$_[0]&limit=2", token => $admin->{token});
    return $x->{json}{meta}{nextCursor};
}
(my $tampered = $name_cursor) =~ s/^(.)/$1 eq 'A' ? 'B' : 'A'/e;
for my $bad (
    [ 'cursor=garbage!', 'cursor' ], [ 'cursor=', 'cursor' ], [ "cursor=$tampered&sort=name&order=asc", 'cursor' ],
    [ "cursor=$name_cursor", 'cursor' ], [ "cursor=$name_cursor&sort=email&order=asc", 'cursor' ],
    [ "cursor=$name_cursor&sort=name&order=asc&page=2", 'cursor' ],
    [ 'sort=password_hash', 'sort' ], [ 'sort=createdAt&order=sideways', 'order' ],
    [ 'limit=ten', 'limit' ], [ 'page=0', 'page' ], [ 'role=root', 'role' ],
    [ 'q=' . ('x' x 101), 'q' ], [ 'q=a&q=b', 'more than once' ],
) {
    my ($query, $word) = @$bad;
    $r = api($srv, 'GET', "/api/v1/users?$query", token => $admin->{token});
    is($r->{status}, 400, "?$query is 400");
    is($r->{json}{error}{code}, 'BAD_REQUEST', "?$query is BAD_REQUEST");
    like($r->{json}{error}{message}, qr/\Q$word\E/, "?$query: the message names $word");
}
$r = api($srv, 'GET', "/api/v1/users?cursor=$name_cursor&sort=name&order=asc", token => $admin->{token});
is($r->{status}, 200, 'the same cursor with its own sort and order is fine');

done_testing();
