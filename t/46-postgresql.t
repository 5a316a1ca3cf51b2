# The PostgreSQL engine's own checks (the rest of the suite runs on it with
# QUILL_TEST_DB=postgresql): every statement of the table prepares (quillctl
# check); keyset pages and searches walk their indexes (EXPLAIN on the
# exact statements the programs prepare, as t/65 does for SQLite); and a
# database that goes away and comes back costs answers of 503 with
# Retry-After meanwhile, never a program, then serves again.  Runs on a
# throwaway cluster of its own whatever QUILL_TEST_DB says; skipped where
# PostgreSQL's server is not installed.
use strict;
use warnings;
use lib 't/lib';
use Test::More;

BEGIN {
    plan skip_all => 'no PostgreSQL server (make deps installs postgresql-15)'
        unless glob '/usr/lib/postgresql/*/bin/initdb';
    $ENV{QUILL_TEST_DB} = 'postgresql';
}
use QuillTest;

my $srv = start_server();
is(api($srv, 'GET', '/api/v1/health')->{status}, 200, 'the programs serve on PostgreSQL');
for my $prog (qw(auth users posts)) {
    ok(scalar started_workers($srv, $prog), "$prog started on PostgreSQL");
}
unlike(log_text($srv), qr/start_failed/, 'no program refused to start');
# The programs prepare each statement on its first run; check prepares all.
my ($crc, $cout) = quillctl($srv, 'check');
like($cout, qr/^ok   schema version \d+, every statement prepares$/m,
    'quillctl check prepares every statement of the PostgreSQL table')
    or diag $cout;

my ($r, $email, $pw) = register($srv, name => 'Ann');
is($r->{status}, 201, 'an account is made');
my $ann = $r->{json}{data}{id};
my ($token) = login($srv, $email, $pw);
ok($token, 'and signs in');

# -- the plans ---------------------------------------------------------------

db_sql($srv, "INSERT INTO posts (author_id, status, title, body, created_at, updated_at) "
    . "SELECT $ann, CASE WHEN i % 10 = 0 THEN 'draft' ELSE 'published' END, "
    . "CASE WHEN i % 2 = 1 THEN 'Title ' ELSE 'title ' END || (i % 40), "
    . "'Body of post ' || i, 1700000000 + i / 7, 1700000000 + (i * 389) % 5000 "
    . "FROM generate_series(1, 5000) AS i");
# As autovacuum would have it: statistics, and the GIN index's pending
# entries merged (the planner counts a long pending list against it).
db_sql($srv, 'VACUUM ANALYZE posts');

my ($rc, $out) = quillctl($srv, 'sql');
is($rc, 0, 'quillctl sql prints the statement table');
my %stmt = map { split /\t/, $_, 2 } split /\n/, $out;
is(scalar(grep { !defined $stmt{$_} || $stmt{$_} eq '' || $stmt{$_} eq '(null)' } keys %stmt), 0,
    'every statement has a PostgreSQL text');
unlike(join("\n", values %stmt), qr/\?\d|INDEXED BY|posts_fts MATCH/, 'in its dialect, not SQLite\'s');

# The plan of SQL with the values given, planned as the programs plan it
# ($set: settings before).
sub plan_of {
    my ($sql, $values, $set) = @_;
    return db_sql($srv, "SET plan_cache_mode = force_custom_plan; " . ($set // '')
        . "PREPARE q AS $sql; EXPLAIN EXECUTE q($values)");
}

my ($min, $max) = ('-9223372036854775808', '9223372036854775807');
my @pages = sort { $a <=> $b } grep { $stmt{$_} =~ /^SELECT .* FROM posts WHERE .*\(.*, id\) [<>] / } keys %stmt;
is(scalar @pages, 18, 'there are 18 keyset page statements (3 families x 3 sorts x 2 orders)');
for my $n (@pages) {
    my $sql = $stmt{$n};
    my $family = $sql =~ /WHERE author_id = \$1/ ? 'author'
        : $sql =~ /AND status = \$2/ ? 'status' : 'all';
    my $key = $sql =~ /quill_nocase\(title\), id\)/ ? "'title 3'" : '1700000400';
    my $values = join ', ', $family eq 'author' ? $ann : 'NULL',
        $family eq 'status' ? "'published'" : 'NULL', $min, $max, 'NULL', $key, 0, 21, 0;
    my $plan = plan_of($sql, $values);
    my ($order) = $sql =~ /ORDER BY (.*) LIMIT/;
    like($plan, qr/Index Scan (Backward )?using posts_\w+ on posts/, "$family by $order: an index scan");
    like($plan, qr/Index Cond: .*ROW\(/, "$family by $order: the cursor is a range of the index");
    unlike($plan, qr/Sort|Seq Scan/, "$family by $order: nothing sorted, no table scanned")
        or diag($plan);
}

my @search = sort { $a <=> $b } grep { $stmt{$_} =~ /fts @@ quill_tsquery\(\$5\) AND/ } keys %stmt;
is(scalar @search, 2, 'and 2 search statements: the ranked matches and the count of a search');
for my $n (@search) {
    my $values = join ', ', 'NULL', 'NULL', $min, $max, q{'"42"'},
        $stmt{$n} =~ /\$9/ ? ('NULL', 'NULL', 20, 0) : $stmt{$n} =~ /\$7/ ? (1, 20) : ();
    # A table this small is read whole, faster; refused that, the planner
    # shows whether the index can serve the match at all.
    like(plan_of($stmt{$n}, $values, 'SET enable_seqscan = off; '),
        qr/Bitmap Index Scan on posts_fts/,
        "search statement $n finds its matches in the GIN index");
}
my $found = api($srv, 'GET', '/api/v1/posts?q=%22post%2042%22&sort=relevance');
is($found->{status}, 200, 'a search answers');
is($found->{json}{meta}{total}, 1, 'and finds the one post whose body says "post 42"');
is(api($srv, 'GET', '/api/v1/posts?q=titl*')->{json}{meta}{total}, 4500,
    'a prefix finds every published post with a title from it');

# -- the database goes away, and comes back -----------------------------------

is(api($srv, 'GET', '/api/v1/users/me', token => $token)->{status}, 200, 'the account answers');
my @workers = map { [ serving($srv, $_) ] } qw(auth users posts);
is(pg_ctl('stop'), 0, 'PostgreSQL stops');
for my $try (1 .. 2) {
    my $down = api($srv, 'GET', '/api/v1/users/me', token => $token);
    is($down->{status}, 503, "while it is down, a request is answered 503 ($try)");
    like($down->{headers}{'retry-after'} // '', qr/^\d+$/, 'with Retry-After');
    is(($down->{json} // {})->{error}{code}, 'UNAVAILABLE', 'and the error code UNAVAILABLE');
}
is(api($srv, 'GET', '/api/v1/health')->{status}, 503, 'the health check says so');
is(api($srv, 'POST', '/api/v1/auth/login', json => { email => $email, password => $pw })->{status},
    503, 'a sign-in is answered 503 too');
is(pg_ctl('start'), 0, 'PostgreSQL starts again');
my $back;
for (1 .. 100) {
    $back = api($srv, 'GET', '/api/v1/users/me', token => $token);
    last if $back->{status} == 200;
    select(undef, undef, undef, 0.05);
}
is($back->{status}, 200, 'the programs serve again once it is back');
my ($again) = login($srv, $email, $pw);
ok($again, 'a sign-in works again');
is(api($srv, 'GET', '/api/v1/posts?limit=1')->{status}, 200, 'and so do the posts');
is_deeply([ map { [ serving($srv, $_) ] } qw(auth users posts) ], \@workers,
    'no program process died or was replaced meanwhile');
like(log_text($srv), qr/"event":"db_reconnected"/, 'a reconnection is logged');
unlike(log_text($srv), qr/"event":"crash"|Segmentation|SIGSYS/, 'no crash');

done_testing();
