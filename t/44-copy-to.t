# quillctl copy-to: a SQLite database that serves, every table, into an
# empty PostgreSQL database, with a count and a digest of every table on
# both sides; then the programs on the copy answer the read-only requests
# byte for byte as on the original (the same key file: the tokens signed
# on the one are good on the other), and a write on the copy takes the next
# id.  A target with rows is refused, and so is a source on PostgreSQL.
# The source is SQLite (the PostgreSQL pass skips it); the target is a
# throwaway cluster of the test's own, so it is skipped where PostgreSQL's
# server is not installed.
use strict;
use warnings;
use lib 't/lib';
use Test::More;

BEGIN {
    plan skip_all => 'no PostgreSQL server (make deps installs postgresql-15)'
        unless glob '/usr/lib/postgresql/*/bin/initdb';
    plan skip_all => 'copies from SQLite: runs in the SQLite passes'
        if ($ENV{QUILL_TEST_DB} // '') eq 'postgresql';
    $ENV{QUILL_TEST_DB} = 'sqlite';
}
use QuillTest;
use QuillPosts qw(search_index_check);

# The tokens name their issuer, which is the public origin unless set: the
# two servers listen on two ports, and stand for one site.
my %site = (QUILL_JWT_ISSUER => 'https://quill.example');
my $src = start_server(settings => \%site);
my ($r, $ann_email, $ann_pw) = register($src, name => 'Ann Émile');
is($r->{status}, 201, 'Ann has an account');
my ($ann) = login($src, $ann_email, $ann_pw);
my (undef, $bob_email, $bob_pw) = register($src, name => 'Bob');
my ($bob) = login($src, $bob_email, $bob_pw);
ok($ann && $bob, 'both sign in');
# An account deleted while it held the highest id: the copy must not give
# its id again.
my ($rc_carl, $carl_email, $carl_pw) = register($src, name => 'Carl');
my $carl_id = $rc_carl->{json}{data}{id};
my ($carl) = login($src, $carl_email, $carl_pw);
is(api($src, 'DELETE', '/api/v1/users/me', token => $carl, json => { currentPassword => $carl_pw })->{status},
    204, 'Carl, the newest account, is deleted');

my @posts;
for my $i (1 .. 7) {
    $r = api($src, 'POST', '/api/v1/posts', token => $i % 2 ? $ann : $bob,
        json => { title => "Crème brûlée $i", body => ("zebra café $i " x (30 + $i)),
            status => $i == 4 ? 'draft' : 'published' });
    is($r->{status}, 201, "post $i is written") or diag $r->{content};
    push @posts, $r->{json}{data}{id};
}
# What COPY's text format escapes (a backslash, a tab, line ends) and
# what it spells as NULL (\N), in a title and a body.
$r = api($src, 'POST', '/api/v1/posts', token => $bob,
    json => { title => 'C:\\N \\t\tend', body => "a\\b\tc\nd\r\ne \\N \\\\x41 \xe2\x98\x83\n",
        status => 'published' });
is($r->{status}, 201, 'a post with backslashes, tabs and line ends is written') or diag $r->{content};
push @posts, $r->{json}{data}{id};
$r = api($src, 'PATCH', "/api/v1/posts/$posts[0]", token => $ann,
    headers => { 'if-match' => api($src, 'GET', "/api/v1/posts/$posts[0]")->{headers}{etag} },
    json => { title => 'Crème brûlée, edited' });
is($r->{status}, 200, 'a post is edited (its version and updated_at move)');
# Refresh tokens, a revoked session, a reset token and a mail: rows in the
# tables the read-only API does not show.
login($src, $bob_email, 'not the password');
my (undef, $lr) = login($src, $bob_email, $bob_pw);
api($src, 'POST', '/api/v1/auth/logout', token => $lr->{json}{data}{accessToken});
api($src, 'POST', '/api/v1/auth/password/forgot', json => { email => $ann_email });

my $target = QuillTest::pg_database();
my ($rc, $out) = quillctl($src, "copy-to '$target'");
is($rc, 0, 'quillctl copy-to copies the database') or diag $out;
like($out, qr/every count and digest matches/, 'and says that every table matches');
like($out, qr/^\s+QUILL_DB=\Q$target\E$/m, 'and which setting to change');
my @tables = grep { $_ ne 'schema_migrations' } split /\n/, db_sql($src,
    "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
    . "AND name NOT LIKE 'sqlite_%' ORDER BY name");
cmp_ok(scalar @tables, '>=', 12, 'the SQLite database has its tables');
for my $t (@tables) {
    my $n = db_sql($src, "SELECT count(*) FROM $t") + 0;
    like($out, qr/^ok\s+\Q$t\E\s+$n rows\s+[0-9a-f]{16}$/m, "$t: $n rows, the digests match");
}

# -- the copy serves as the original does ----------------------------------

my $copy = start_server(settings => {
    %site, QUILL_DB => $target, QUILL_KEY_FILE => "$src->{var}/quill.key" });
# A body without what differs by request: its id and its time.
sub same { ($_[0] // '') =~ s/"(requestId|timestamp)":"[^"]*"//gr }
my @reads = (
    [ '/api/v1/posts' ], [ '/api/v1/posts?order=asc&limit=3' ],
    [ '/api/v1/posts?sort=title&limit=2' ], [ '/api/v1/posts?q=zebra' ],
    [ "/api/v1/posts/$posts[0]" ],
    [ "/api/v1/posts/$posts[3]", $bob ], [ "/api/v1/posts/$posts[3]" ],
    [ "/api/v1/posts/$posts[-1]" ],
    [ '/api/v1/users/me', $ann ], [ '/api/v1/users/me', $bob ],
    [ '/api/v1/auth/sessions', $bob ], [ '/api/v1/posts?limit=2', $ann ],
);
for my $read (@reads) {
    my ($path, $token) = @$read;
    my $a = api($src, 'GET', $path, defined $token ? (token => $token) : ());
    my $b = api($copy, 'GET', $path, defined $token ? (token => $token) : ());
    my $who = defined $token ? ' (signed in)' : '';
    is($b->{status}, $a->{status}, "GET $path$who: the same status ($a->{status})");
    is(same($b->{content}), same($a->{content}), "GET $path$who: the same body");
    is($b->{headers}{etag}, $a->{headers}{etag}, "GET $path$who: the same ETag");
    # The next page of a list, by its cursor, is the same page too.
    my $next = ($a->{json} // {})->{meta}{nextCursor};
    if (defined $next) {
        my $sep = $path =~ /\?/ ? '&' : '?';
        is(same(api($copy, 'GET', "$path${sep}cursor=$next")->{content}),
            same(api($src, 'GET', "$path${sep}cursor=$next")->{content}),
            "GET $path: the next page by its cursor");
    }
}
# A search finds the same posts in the same order: the copy's totals (the
# posts and their tokens bm25 reads) are those of the copied posts.
is(search_index_check($copy), 'ok', "the copy's search columns and totals agree with its posts");
for my $q ('q=creme', 'q=zebra+cafe', 'q=bru*&order=asc', 'q=edited+creme', 'q=cafe-3') {
    my @found = map { [ map { $_->{id} } @{ api($_, 'GET', "/api/v1/posts?$q")->{json}{data} } ] } $src, $copy;
    is_deeply($found[1], $found[0], "?$q: the same posts in the same order on the copy");
    is(scalar @{ $found[0] }, { 'q=cafe-3' => 1, 'q=edited+creme' => 1 }->{$q} // 6,
        "?$q: the published ones that match");
}
$r = api($copy, 'POST', '/api/v1/posts', token => $ann,
    json => { title => 'After the move', body => 'b', status => 'published' });
is($r->{status}, 201, 'the copy takes a write');
is($r->{json}{data}{id}, $posts[-1] + 1, 'with the id after the highest copied');
my ($rd) = register($copy, name => 'Dora');
is($rd->{status}, 201, 'the copy takes a registration');
cmp_ok($rd->{json}{data}{id}, '>', $carl_id, "with an id past the deleted account's");

# -- what copy-to refuses -------------------------------------------------

($rc, $out) = quillctl($src, "copy-to '$target'");
isnt($rc, 0, 'a second copy into the same database is refused');
like($out, qr/target database is not empty: its table \w+ has rows/, 'as not empty');
# A table PostgreSQL's schema does not have: nothing is copied, since it
# could not all be; the target, migrated and empty, takes a copy later.
db_sql($src, 'CREATE TABLE local_notes (id INTEGER PRIMARY KEY, note TEXT)');
my $later = QuillTest::pg_database();
($rc, $out) = quillctl($src, "copy-to '$later'");
isnt($rc, 0, 'a source with a table of its own is refused');
like($out, qr/the SQLite table local_notes has no counterpart in PostgreSQL's schema/, 'naming it');
db_sql($src, 'DROP TABLE local_notes');
($rc, $out) = quillctl($src, "copy-to '$later'");
is($rc, 0, 'without it, the same target takes the copy') or diag $out;
($rc, $out) = quillctl($src, "copy-to /tmp/quill.db");
isnt($rc, 0, 'a target that is not PostgreSQL is refused');
like($out, qr/copy-to copies into PostgreSQL: give a connection string/, 'saying what to give');
($rc, $out) = quillctl($copy, "copy-to '" . QuillTest::pg_database() . "'");
isnt($rc, 0, 'a source on PostgreSQL is refused');
like($out, qr/QUILL_DB is a PostgreSQL database already/, 'saying so');
($rc, $out) = quillctl($copy, "backup $copy->{var}/b.db");
isnt($rc, 0, 'quillctl backup on PostgreSQL does not copy a file');
like($out, qr/pg_dump/, 'and says how: pg_dump');
ok(!-e "$copy->{var}/b.db", 'and leaves no file');

# A value PostgreSQL cannot hold (a NUL byte in a text): the copy stops
# there, naming the table, and the target keeps no row of it.
my $body = db_sql($src, "SELECT hex(body) FROM posts WHERE id = $posts[1]");
chomp $body;
db_sql($src, "UPDATE posts SET body = 'a' || char(0) || 'b' WHERE id = $posts[1]");
my $nul = state_dir(settings => { QUILL_DB => QuillTest::pg_database() });
($rc, $out) = quillctl($src, "copy-to '" . QuillTest::conf_value($nul->{conf}, 'QUILL_DB') . "'");
isnt($rc, 0, 'a text with a NUL byte stops the copy');
like($out, qr/posts: PostgreSQL: .*0x00/, 'naming the table and the byte');
unlike($out, qr/^ok /m, 'and reporting no table as copied');
is(db_sql($nul, 'SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM posts)'), "0\n",
    'the target keeps no row');
db_sql($src, "UPDATE posts SET body = CAST(X'$body' AS TEXT) WHERE id = $posts[1]");

done_testing();
