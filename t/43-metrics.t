# Metrics (docs/monitoring.md): after a scripted series of requests, the
# counters of GET /api/v1/metrics have grown by exactly what was sent, per
# program, route pattern, method and status class, summed over several
# processes and recycled ones; the latency histograms agree with them; a
# worker killed outright is counted; promtool accepts the exposition and
# the shipped alert rules; `quillctl stats` prints the same numbers; and
# the path is a 404 to callers outside QUILL_METRICS_ALLOW without
# QUILL_METRICS_TOKEN.  On every server layout.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;
use QuillHarden qw(hold_write_lock release_write_lock lock_byte);

my $cgi = test_layout() =~ /cgi$/ && test_layout() ne 'fcgid';
my ($promtool) = grep { -x } map { "$_/promtool" } split /:/, $ENV{PATH};
ok($promtool, 'promtool is installed (make deps: the prometheus package)')
    or BAIL_OUT('no promtool');

# A scrape: the text, and its samples as { 'name{labels}' => value }.
sub scrape {
    my ($srv, %o) = @_;
    my $r = api($srv, 'GET', '/api/v1/metrics', %o);
    is($r->{status}, 200, 'GET /api/v1/metrics answers 200') or diag($r->{content});
    return ($r->{content}, samples($r->{content}));
}

sub samples {
    my ($text) = @_;
    my %s;
    for (split /\n/, $text // '') {
        next if /^#/ || !/\S/;
        my ($k, $v) = /^(\S+)\s+(\S+)$/ or do { fail("a sample line: $_"); next };
        $s{$k} = $v;
    }
    return \%s;
}

# The request counters: { "program route method class" => count }.
sub requests {
    my ($s) = @_;
    my %r;
    for (keys %$s) {
        my ($p, $rt, $m, $c) = /^quill_http_requests_total\{program="([^"]+)",route="([^"]+)",method="([^"]+)",status="([^"]+)"\}$/
            or next;
        $r{"$p $rt $m $c"} = $s->{$_};
    }
    return \%r;
}

# What grew from before to after, zeros left out.
sub grown {
    my ($before, $after) = @_;
    my %d;
    for (keys %$after) {
        my $n = $after->{$_} - ($before->{$_} // 0);
        $d{$_} = $n if $n;
    }
    return \%d;
}

sub counter {
    my ($s, $family, $program, $label) = @_;
    return $s->{"$family\{program=\"$program\"" . ($label ? ",$label" : '') . '}'} // 0;
}

my $srv = start_server(settings => { QUILL_METRICS_ALLOW => '127.0.0.1',
    QUILL_MAX_REQUESTS => 4, QUILL_RATE_REGISTER => '3/3600' });

my ($text0, $s0) = scrape($srv);
my %want;
my $sent = sub { my ($key, $n) = @_; $want{$key} += $n // 1 };
# The scrape above is counted once it has answered.
$sent->('auth /api/v1/metrics GET 2xx');

is(api($srv, 'GET', '/api/v1/health')->{status}, 200, 'health') for 1 .. 5;
$sent->('auth /api/v1/health GET 2xx', 5);
is(api($srv, 'DELETE', '/api/v1/health')->{status}, 405, 'DELETE health is 405');
$sent->('auth /api/v1/health DELETE 4xx');
is(api($srv, 'GET', '/api/v1/nothing-here')->{status}, 404, 'an unknown path is 404') for 1 .. 2;
$sent->('auth unmatched GET 4xx', 2);

my @acct;
for (1 .. 3) {
    my ($r, $email, $pw) = register($srv);
    is($r->{status}, 201, 'register');
    push @acct, [$email, $pw];
}
$sent->('auth /api/v1/auth/register POST 2xx', 3);
is((register($srv))[0]{status}, 429, 'the fourth registration is over the limit');
$sent->('auth /api/v1/auth/register POST 4xx');

my ($tok) = login($srv, @{ $acct[0] });
ok($tok, 'login');
ok((login($srv, @{ $acct[1] }))[0], 'login');
$sent->('auth /api/v1/auth/login POST 2xx', 2);
is((login($srv, $acct[$_ % 3][0], 'a wrong password here'))[1]{status}, 401, 'wrong password') for 1 .. 3;
is((login($srv, fresh_email(), 'a wrong password here'))[1]{status}, 401, 'unknown account') for 1 .. 2;
$sent->('auth /api/v1/auth/login POST 4xx', 5);

# Several at once, so that several processes serve them.
my @par = in_parallel(map { sub { api($srv, 'GET', '/api/v1/posts')->{status} } } 1 .. 8);
is_deeply(\@par, [(200) x 8], 'eight lists at once');
$sent->('posts /api/v1/posts GET 2xx', 8);
is(api($srv, 'HEAD', '/api/v1/posts')->{status}, 200, 'HEAD of the list');
$sent->('posts /api/v1/posts HEAD 2xx');
is(api($srv, 'DELETE', '/api/v1/posts')->{status}, 405, 'DELETE of the list is 405');
$sent->('posts /api/v1/posts DELETE 4xx');
is(api($srv, 'GET', '/api/v1/posts/999999')->{status}, 404, 'a missing post') for 1 .. 2;
$sent->('posts /api/v1/posts/{id} GET 4xx', 2);
is(api($srv, 'POST', '/api/v1/posts', token => $tok, json => { title => 'Counted', body => 'once' })->{status},
    201, 'a post');
$sent->('posts /api/v1/posts POST 2xx');
is(api($srv, 'GET', '/api/v1/users/me')->{status}, 401, 'users/me without a token');
is(api($srv, 'GET', '/api/v1/users/me', token => $tok)->{status}, 200, 'users/me');
$sent->('users /api/v1/users/me GET 4xx');
$sent->('users /api/v1/users/me GET 2xx');

my ($text1, $s1) = scrape($srv);
is_deeply(grown(requests($s0), requests($s1)), \%want,
    'the request counters grew by exactly what was sent, per route, method and status class')
    or diag(explain(grown(requests($s0), requests($s1))));

# The histograms: per route, as many as the counters, cumulative.
my %per_route;
for (keys %want) {
    my ($p, $rt) = split / /;
    $per_route{"$p $rt"} += $want{$_};
}
for my $pr (sort keys %per_route) {
    my ($p, $rt) = split / /, $pr;
    my $l = "program=\"$p\",route=\"$rt\"";
    my $count = $s1->{"quill_http_request_duration_seconds_count{$l}"} -
        ($s0->{"quill_http_request_duration_seconds_count{$l}"} // 0);
    is($count, $per_route{$pr}, "$pr: the histogram counted $per_route{$pr}");
    my @b = map { $s1->{"quill_http_request_duration_seconds_bucket{$l,le=\"$_\"}"} }
        qw(0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf);
    ok(!grep({ !defined } @b) && !grep({ $b[$_] < $b[$_ - 1] } 1 .. $#b),
        "$pr: 14 buckets, each holding those below it");
    is($b[-1], $s1->{"quill_http_request_duration_seconds_count{$l}"}, "$pr: +Inf is the count");
    ok($s1->{"quill_http_request_duration_seconds_sum{$l}"} > 0, "$pr: the time spent is there");
}

my $d = grown($s0, $s1);
is(counter($d, 'quill_rate_limited_total', 'auth', 'bucket="register"'), 1, 'one registration refused by its limit');
is(counter($d, 'quill_login_failures_total', 'auth', 'reason="wrong_password"'), 3, 'three wrong passwords');
is(counter($d, 'quill_login_failures_total', 'auth', 'reason="unknown_account"'), 2, 'two unknown accounts');
if ($cgi) {
    # A process a request.  The first scrape had counted its own start,
    # the last one has: as many as the auth requests %want counts.
    my $auth = 0;
    $auth += $want{$_} for grep { /^auth / } keys %want;
    is(counter($d, 'quill_process_starts_total', 'auth'), $auth, 'plain CGI: a start a request');
} else {
    ok(counter($d, 'quill_process_recycles_total', 'auth') >= 3,
        'auth workers were recycled (QUILL_MAX_REQUESTS=4), and their counts kept');
    ok(counter($d, 'quill_process_starts_total', 'auth') >= 2, 'and fresh ones started');
}

# promtool, as Prometheus's own check of the format and its conventions.
sub promtool {
    my ($args, $input) = @_;
    my $file = "$srv->{var}/promtool.in";
    open my $fh, '>', $file or die "$file: $!";
    print $fh $input // '';
    close $fh;
    my $out = `$promtool $args < $file 2>&1`;
    return ($? >> 8, $out);
}
my ($rc, $out) = promtool('check metrics', $text1);
is($rc, 0, 'promtool check metrics accepts the exposition') or diag($out);
is($out, '', 'without a remark') or diag($out);
($rc, $out) = promtool('check metrics', "$text1# TYPE x_total counter\nx_total{a=\"b\"} 1 2 3\n");
isnt($rc, 0, 'self-check: promtool refuses a broken line');
($rc, $out) = promtool('check rules ' . root() . '/etc/prometheus/quill-rules.yml');
is($rc, 0, 'promtool check rules accepts etc/prometheus/quill-rules.yml') or diag($out);
like($out, qr/SUCCESS: (\d+) rules found/, 'and finds its rules');
my ($nrules) = $out =~ /SUCCESS: (\d+) rules/;
ok(($nrules // 0) >= 7, "at least the seven alerts of docs/monitoring.md ($nrules)");

# quillctl stats: the same numbers, read from the file.
my ($text2, $s2) = scrape($srv);
my ($qrc, $qout) = quillctl($srv, 'stats --prometheus');
is($qrc, 0, 'quillctl stats --prometheus');
my $q = samples($qout);
my %after_scrape = %{ requests($s2) };
$after_scrape{'auth /api/v1/metrics GET 2xx'}++;
is_deeply(requests($q), \%after_scrape, 'quillctl stats --prometheus: the same request counters');
is(counter($q, 'quill_login_failures_total', 'auth', 'reason="wrong_password"'),
    counter($s2, 'quill_login_failures_total', 'auth', 'reason="wrong_password"'), 'and the same other counters');
($qrc, $qout) = quillctl($srv, 'stats');
is($qrc, 0, 'quillctl stats');
my %table;
for (split /\n/, $qout) {
    my ($p, $m, $rt, @c) = split ' ';
    next unless @c == 5 && $rt =~ m{^(/|unmatched)};
    $table{"$p $rt $m " . ($_ + 1) . 'xx'} = $c[$_] for grep { $c[$_] } 0 .. 4;
}
is_deeply(\%table, requests($q), 'quillctl stats: the table a person reads says the same')
    or diag($qout);
like($qout, qr/quill_login_failures_total\s+wrong_password\s+\d+/, 'with the other counters');

# A worker killed outright: its supervisor counts the death.
SKIP: {
    skip 'plain CGI has no workers', 1 if $cgi;
    my ($victim) = started_workers($srv, 'users');
    ok($victim && kill('KILL', $victim), "a users worker ($victim) killed outright");
    my $deaths = 0;
    for (1 .. 200) {
        my $r = api($srv, 'GET', '/api/v1/metrics');
        $deaths = counter(samples($r->{content}), 'quill_process_deaths_total', 'users');
        last if $deaths > counter($s0, 'quill_process_deaths_total', 'users');
        select(undef, undef, undef, 0.05);
    }
    is($deaths - counter($s0, 'quill_process_deaths_total', 'users'), 1, 'quill_process_deaths_total counts it');
}

# Who may read them.
my $token = join '', map { ('a' .. 'z', 0 .. 9)[rand 36] } 1 .. 40;
my $closed = start_server(settings => { QUILL_METRICS_ALLOW => '192.0.2.1',
    QUILL_METRICS_TOKEN => $token, QUILL_BUSY_TIMEOUT_MS => 300,
    QUILL_ARGON2_CONCURRENCY => 1, QUILL_ARGON2_WAIT_MS => 100 });
my $r = api($closed, 'GET', '/api/v1/metrics');
is($r->{status}, 404, 'an address outside QUILL_METRICS_ALLOW: 404');
is($r->{json}{error}{code}, 'NOT_FOUND', 'the API\'s own 404, as for a path that does not exist');
$r = api($closed, 'GET', '/api/v1/metrics', headers => { 'x-forwarded-for' => '192.0.2.1' });
is($r->{status}, 404, 'X-Forwarded-For from a peer that is no trusted proxy changes nothing');
$r = api($closed, 'GET', '/api/v1/metrics', token => substr($token, 0, 39) . ($token =~ /x$/ ? 'y' : 'x'));
is($r->{status}, 404, 'a wrong token: 404');
$r = api($closed, 'GET', '/api/v1/metrics', token => substr($token, 0, 20));
is($r->{status}, 404, 'a token cut short: 404');
$r = api($closed, 'POST', '/api/v1/metrics', json => {});
is($r->{status}, 404, 'another method without the token: 404 too');
$r = api($closed, 'GET', '/api/v1/metrics', token => $token);
is($r->{status}, 200, 'QUILL_METRICS_TOKEN as a Bearer token: 200');
like($r->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4}, 'in the Prometheus text format');
is($r->{headers}{'cache-control'}, 'no-store', 'never cached');
unlike($r->{content}, qr/\Q$token\E/, 'the token is not in the answer');
$r = api($closed, 'DELETE', '/api/v1/metrics', token => $token);
is($r->{status}, 405, 'DELETE with the token: 405');
is($r->{headers}{allow}, 'GET, HEAD', 'Allow: GET, HEAD');

# A write that finds the database locked past QUILL_BUSY_TIMEOUT_MS: the
# waits, the retries and the 503 are counted.
my ($c0) = samples(api($closed, 'GET', '/api/v1/metrics', token => $token)->{content});
my (undef, $bemail, $bpw) = register($closed);
my ($btok) = login($closed, $bemail, $bpw);
my $lock = hold_write_lock($closed);
$r = api($closed, 'POST', '/api/v1/posts', token => $btok, json => { title => 'Locked out', body => 'x' });
release_write_lock($lock);
is($r->{status}, 503, 'a write while another process holds the write lock: 503');
my $c1 = samples(api($closed, 'GET', '/api/v1/metrics', token => $token)->{content});
my $cd = grown($c0, $c1);
is(counter($cd, 'quill_db_unavailable_total', 'posts'), 1, 'quill_db_unavailable_total counts the 503');
# SQLite's waits and tries (PostgreSQL waits once, in the server).
if (test_db() ne 'postgresql') {
    is(counter($cd, 'quill_db_retries_total', 'posts'), 2, 'quill_db_retries_total the two further tries');
    is(counter($cd, 'quill_db_busy_waits_total', 'posts'), 3, 'quill_db_busy_waits_total the wait of each try');
}
is($cd->{'quill_http_requests_total{program="posts",route="/api/v1/posts",method="POST",status="5xx"}'}, 1,
    'and the request its 5xx');

# Logins while another process holds the one Argon2 slot: each waits, is
# refused, and is no failed login.
my $slots = state_path($closed) . '.argon2.lock';
open my $slot, '+<', $slots or die "$slots: $!";
ok(lock_byte($slot, 0), 'another process takes the only Argon2 slot');
is((login($closed, $bemail, $bpw))[1]{status}, 503, 'a login finds no slot: 503') for 1 .. 2;
ok(lock_byte($slot, 0, 1), 'and gives it back');
close $slot;
my $c2 = samples(api($closed, 'GET', '/api/v1/metrics', token => $token)->{content});
$cd = grown($c1, $c2);
is(counter($cd, 'quill_argon2_refused_total', 'auth'), 2, 'quill_argon2_refused_total counts both');
is(counter($cd, 'quill_argon2_waits_total', 'auth'), 2, 'quill_argon2_waits_total their waits');
is(counter($cd, 'quill_login_failures_total', 'auth', 'reason="wrong_password"'), 0,
    'and no failed login is counted');

my $default = start_server();
is(api($default, 'GET', '/api/v1/metrics')->{status}, 404, 'with neither setting, nobody may read them');
# No token set is no empty token: "Bearer " with nothing after it opens
# nothing, whether the web server trims the header or passes it on as sent.
is(api($default, 'GET', '/api/v1/metrics', headers => { authorization => 'Bearer ' })->{status}, 404,
    'not even with an empty Bearer token');
is(cgi_request($default, 'posts', 'GET', '/api/v1/metrics',
    env => { HTTP_AUTHORIZATION => 'Bearer ' })->{status}, 404,
    'which the program refuses itself, untrimmed');

done_testing();
