# lighttpd/quill.conf, the production example, served for real: its paths,
# names and ports pointed at this test, the programs started by
# etc/spawn-fcgi/quill-spawn-fcgi as in production.  HTTPS with HSTS, plain
# HTTP redirected, API.md's routing.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Path qw(make_path);
use HTTP::Tiny;
use JSON::PP;
use QuillTest;

plan skip_all => 'lighttpd-only test; run with QUILL_TEST_SERVER=lighttpd (make test does)'
    unless test_server() eq 'lighttpd';

my $root = root();
my $bin = build_dir();
my $srv = state_dir();
my $var = $srv->{var};
make_path("$var/run", "$var/log");
my ($crt, $key) = tls_cert();
my ($https, $http) = (free_port(), free_port());
my ($rc, $out) = quillctl($srv, 'init');
is($rc, 0, 'quillctl init') or diag $out;

my %env = (QUILL_BIN => $bin, QUILL_CONFIG => "$var/quill.conf",
    QUILL_RUN => "$var/run", QUILL_LOG => "$var/log/quill.log",
    QUILL_USER => scalar getpwuid($<));
sub programs {
    local @ENV{keys %env} = values %env;
    return system("sh $root/etc/spawn-fcgi/quill-spawn-fcgi $_[0] >/dev/null 2>&1");
}
is(programs('start'), 0, 'quill-spawn-fcgi starts the programs');

# The production file, with this test's paths and ports.
open my $in, '<', "$root/lighttpd/quill.conf" or die;
my $conf = do { local $/; <$in> };
close $in;
my %var = (quill_name => "127.0.0.1:$https", quill_htdocs => "$root/htdocs",
    quill_run => "$var/run", quill_cert => $crt, quill_key => $key,
    quill_logs => "$var/log");
my $n = 0;
$n += $conf =~ s/^var\.$_\s*=.*$/var.$_ = "$var{$_}"/m for sort keys %var;
is($n, scalar keys %var, 'the example sets every var.* line the test replaces');
$n = $conf =~ s/^server\.port\s*=\s*443$/server.port = $https/m;
$n += $conf =~ s/^server\.bind\s*=.*$/server.bind = "127.0.0.1"/m;
$n += $conf =~ s/"0\.0\.0\.0:80"/"127.0.0.1:$http"/;
$n += $conf =~ s{"/run/lighttpd\.pid"}{"$var/run/lighttpd.pid"};
is($n, 4, 'and the ports, address and pid file');
if ($< != 0) {
    # Only root can switch users; lighttpd runs as the tester then.
    $conf =~ s/^server\.(user|group)name\s*=.*$//mg;
} else {
    chown scalar(getpwnam('www-data')), -1, "$var/log";
}
open my $oc, '>', "$var/lighttpd.conf" or die;
print $oc $conf;
close $oc;
$out = `lighttpd -tt -f $var/lighttpd.conf 2>&1`;
is($?, 0, 'lighttpd accepts the production example') or diag $out;
$out = `lighttpd -f $var/lighttpd.conf 2>&1`;
is($?, 0, 'and starts with it') or diag $out;

my $ua = HTTP::Tiny->new(timeout => 10, max_redirect => 0, verify_SSL => 1,
    SSL_options => { SSL_ca_file => $crt });
my $r;
for (1 .. 100) {
    $r = $ua->get("https://127.0.0.1:$https/api/v1/health");
    last if $r->{status} != 599;
    select undef, undef, undef, 0.05;
}
is($r->{status}, 200, 'health answers through HTTPS');
is($r->{headers}{'strict-transport-security'}, 'max-age=31536000', 'with HSTS');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'and the security headers, once');

$r = $ua->get("http://127.0.0.1:$http/api/v1/users/me?x=1");
is($r->{status}, 301, 'plain HTTP redirects');
is($r->{headers}{location}, "https://127.0.0.1:$https/api/v1/users/me?x=1",
    'to the same path and query over HTTPS');

for my $route (['/api/v1/users/3/posts', 'posts'], ['/api/v1/users/3', 'users'],
    ['/api/v1/posts', 'posts'], ['/api/v1/auth/sessions', 'auth'], ['/api/v1/nothing', undef]) {
    my $rid = "prod-$$-" . $n++;
    $r = $ua->get("https://127.0.0.1:$https$route->[0]",
        { headers => { 'x-request-id' => $rid } });
    if (defined $route->[1]) {
        is(program_of($srv, $rid), $route->[1], "$route->[0] is answered by $route->[1]");
    } else {
        like($r->{content}, qr/"code":"NOT_FOUND"/, "$route->[0] is the API's JSON 404");
    }
}

# Authorization passes: register, log in, me.
my $json = JSON::PP->new;
my $email = fresh_email();
$r = $ua->post("https://127.0.0.1:$https/api/v1/auth/register", {
    headers => { 'content-type' => 'application/json' },
    content => $json->encode({ email => $email, password => 'production passphrase', name => 'P' }) });
is($r->{status}, 201, 'register through the production config');
$r = $ua->post("https://127.0.0.1:$https/api/v1/auth/login", {
    headers => { 'content-type' => 'application/json' },
    content => $json->encode({ email => $email, password => 'production passphrase' }) });
my $tok = eval { $json->decode($r->{content})->{data}{accessToken} };
$r = $ua->get("https://127.0.0.1:$https/api/v1/users/me",
    { headers => { authorization => "Bearer " . ($tok // '') } });
is($r->{status}, 200, 'the Bearer token reaches the program');

END {
    # Only what this test started; the exit status stays the tests'.
    local $?;
    return unless %env;
    if (open my $pf, '<', "$var/run/lighttpd.pid") {
        my $pid = <$pf>;
        kill 'TERM', $pid if $pid;
    }
    programs('stop');
}

done_testing();
