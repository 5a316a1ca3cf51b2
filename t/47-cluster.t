# Two web nodes behind haproxy on one PostgreSQL database (tools/cluster.sh
# serving etc/haproxy.cfg.example, as `make run NODES=2` does): a login on
# node A refreshes on node B; a logout on B ends the access token on A at
# once; a rate limit counts the requests of both nodes; a cookie session
# and its CSRF token are good on either node; and a node killed with
# SIGKILL under write load loses no write it acknowledged, while haproxy's
# health check takes it out of rotation.  Runs in the PostgreSQL pass
# (QUILL_TEST_DB=postgresql): several nodes need a database made for it.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use IO::Socket::UNIX;
use POSIX ();

BEGIN {
    plan skip_all => 'several nodes share a PostgreSQL database: runs with '
        . 'QUILL_TEST_DB=postgresql (make test\'s PostgreSQL pass)'
        unless ($ENV{QUILL_TEST_DB} // '') eq 'postgresql';
    plan skip_all => 'no haproxy (make deps installs it)'
        unless grep { -x "$_/haproxy" } split /:/, "$ENV{PATH}:/usr/sbin";
}
use QuillTest;
use AuthTest;
use FormTest;

$ENV{PATH} .= ':/usr/sbin';
my $root = root();
my $build = build_dir();

# Three ports in a row: haproxy's, then the nodes'.
sub free_run {
    for (1 .. 50) {
        my $p = free_port();
        next if $p > 65000;
        my @held = map { IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $p + $_,
            Proto => 'tcp', ReuseAddr => 1, Listen => 1) } 1, 2;
        return $p if 2 == grep { defined } @held;
    }
    die "no three free ports in a row\n";
}

my $dir = state_dir(settings => {
    QUILL_TRUSTED_PROXIES => '127.0.0.1',
    QUILL_RATE_FORGOT => '4/3600', QUILL_RATE_FORGOT_ACCOUNT => '1000/3600' });
my $var = $dir->{var};
my $port = free_run();
my $out = `sh $root/tools/cluster.sh start $build $var $port 2 2>&1`;
is($?, 0, 'haproxy and two nodes start') or diag $out;
my @orphans;
END {
    system("sh $root/tools/cluster.sh stop $build $var $port > /dev/null 2>&1") if $var;
    kill 'KILL', @orphans if @orphans;
}

my $lb = { base => "http://127.0.0.1:$port", var => $var, conf => "$var/quill.conf" };
my ($na, $nb) = map { { base => 'http://127.0.0.1:' . ($port + $_),
    var => "$var/node$_", conf => "$var/node$_/quill.conf" } } 1, 2;
is(api($lb, 'GET', '/api/v1/health')->{status}, 200, 'haproxy answers with a node behind it');
is(api($_, 'GET', '/api/v1/health')->{status}, 200, "node $_->{base} answers itself") for $na, $nb;

# -- tokens: log in on A, refresh on B, revoke on B ------------------------

my ($r, $email, $pw) = register($lb, name => 'Ann');
is($r->{status}, 201, 'an account is made through haproxy');
my ($pair) = login_pair($na, $email, $pw);
ok($pair && $pair->{refreshToken}, 'Ann logs in on node A');
$r = refresh($nb, $pair->{refreshToken});
is($r->{status}, 200, 'and refreshes on node B');
my $access = $r->{json}{data}{accessToken};
is(api($na, 'GET', '/api/v1/users/me', token => $access)->{status}, 200,
    "B's access token is good on A");
is(refresh($na, $r->{json}{data}{refreshToken})->{status}, 200,
    'the refresh token B handed out is good on A');
($pair) = login_pair($na, $email, $pw);
is(api($nb, 'GET', '/api/v1/users/me', token => $pair->{accessToken})->{status}, 200,
    "A's access token is good on B");
is(api($nb, 'POST', '/api/v1/auth/logout', token => $pair->{accessToken})->{status}, 204,
    'logout on B');
is(api($na, 'GET', '/api/v1/users/me', token => $pair->{accessToken})->{status}, 401,
    'and A refuses the access token from the next request on');
is(refresh($na, $pair->{refreshToken})->{status}, 401, 'and its refresh token');

# -- a rate limit counts both nodes' requests ------------------------------

my @st = map { api($_ % 2 ? $na : $nb, 'POST', '/api/v1/auth/password/forgot',
    json => { email => fresh_email() })->{status} } 1 .. 4;
is_deeply([ grep { $_ != 429 } @st ], \@st, 'four requests for a reset link, two on each node, pass');
is(api($na, 'POST', '/api/v1/auth/password/forgot', json => { email => fresh_email() })->{status}, 429,
    'the fifth is refused on A: the limit of 4 counted both');
is(api($nb, 'POST', '/api/v1/auth/password/forgot', json => { email => fresh_email() })->{status}, 429,
    'and on B');

# -- a cookie session and its CSRF token on either node ---------------------

my ($cookie) = form_login($na, $email, $pw, origin => $lb->{base});
ok($cookie, 'Ann signs in with the form on A (from the site\'s origin)');
my %browser = (cookie => $cookie, 'sec-fetch-site' => 'same-origin', origin => $lb->{base});
is(api($nb, 'GET', '/api/v1/users/me', headers => { cookie => $cookie })->{status}, 200,
    'the cookie is good on B');
my $csrf = api($na, 'GET', '/api/v1/auth/csrf', headers => { cookie => $cookie })->{json}{data}{csrfToken};
ok($csrf, 'A hands out a CSRF token');
is(api($nb, 'GET', '/api/v1/auth/csrf', headers => { cookie => $cookie })->{json}{data}{csrfToken}, $csrf,
    'B hands out the same one');
$r = api($nb, 'POST', '/api/v1/posts', headers => { %browser, 'x-csrf-token' => $csrf },
    json => { title => 'From B', body => 'b', status => 'published' });
is($r->{status}, 201, "A's CSRF token passes on B");
$r = api($nb, 'POST', '/api/v1/posts', headers => { %browser, 'x-csrf-token' => 'x' x 43 },
    json => { title => 'Forged', body => 'b', status => 'published' });
is($r->{status}, 403, 'a wrong one does not');

# -- a node killed under write load ---------------------------------------

my ($token) = login($lb, $email, $pw);
my $lighttpd = do { open my $fh, '<', "$nb->{var}/run/lighttpd.pid" or die $!; <$fh> + 0 };
# The programs lighttpd spawned outlive it: they are stopped at the end.
sub parent_of {
    open my $fh, '<', "/proc/$_[0]/stat" or return 0;
    my $stat = <$fh> // return 0;
    # After the name in parentheses (which may hold spaces): state, ppid.
    return $stat =~ /\)\s+\S+\s+(\d+)/ ? $1 : 0;
}
@orphans = grep { parent_of($_) == $lighttpd } map { m{/proc/(\d+)$} ? $1 : () } glob '/proc/[0-9]*';
my $acked = "$var/acked";
my $writer = fork // die "fork: $!";
if ($writer == 0) {
    open my $fh, '>', $acked or die $!;
    $fh->autoflush(1);
    for my $i (1 .. 120) {
        my $w = api($lb, 'POST', '/api/v1/posts', token => $token,
            json => { title => "Load $i", body => "write $i", status => 'published' });
        print $fh "$w->{json}{data}{id}\n" if $w->{status} == 201;
    }
    close $fh;
    POSIX::_exit(0);	# not the parent's END: that stops the cluster
}
# Kill B once the load is under way.
for (1 .. 600) {
    last if -s $acked && (() = do { open my $fh, '<', $acked; <$fh> }) >= 20;
    select undef, undef, undef, 0.05;
}
ok(kill('KILL', $lighttpd), 'node B\'s lighttpd is killed (SIGKILL) under write load');
waitpid $writer, 0;
my @ids = do { open my $fh, '<', $acked or die $!; map { chomp; $_ } <$fh> };
cmp_ok(scalar @ids, '>=', 20, scalar(@ids) . ' of 120 writes were acknowledged');
my @lost = grep { api($lb, 'GET', "/api/v1/posts/$_")->{status} != 200 } @ids;
is_deeply(\@lost, [], 'every acknowledged write is there');

# haproxy's view of its nodes, from its stats socket: { web1 => 'UP', ... }.
sub node_states {
    my $s = IO::Socket::UNIX->new(Peer => "$var/run/haproxy.sock") or return {};
    print $s "show stat\n";
    my %st;
    while (my $line = <$s>) {
        my @f = split /,/, $line;
        $st{$f[1]} = $f[17] if @f > 17 && $f[0] eq 'quill_nodes' && $f[1] =~ /^web/;
    }
    return \%st;
}
my $states;
for (1 .. 300) {
    $states = node_states();
    last if ($states->{web2} // '') =~ /DOWN/;
    select undef, undef, undef, 0.1;
}
like($states->{web2} // '', qr/^DOWN/, 'haproxy\'s health check took node B out of rotation');
is($states->{web1}, 'UP', 'node A stays in');
my @after = map { api($lb, 'GET', '/api/v1/health')->{status} } 1 .. 6;
is_deeply(\@after, [ (200) x 6 ], 'every request through haproxy is served, by A');

done_testing();
