# lighttpd/quill.conf, the production example, served for real
# (QUILL_TEST_LAYOUT=production: tools/run.sh points its paths, names and
# ports at this test, and etc/spawn-fcgi/quill-spawn-fcgi starts the
# programs as in production): HTTPS with HSTS and HTTP/2, the TLS policy,
# plain HTTP redirected, API.md's routing.  The routing and pagination
# tests run against it as well (make test).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use HTTP::Tiny;
use QuillTest;
use QuillServers;

plan skip_all => 'lighttpd-only test; run with QUILL_TEST_SERVER=lighttpd (make test does)'
    unless test_server() eq 'lighttpd';

my $srv = start_server(mode => 'production');
like($srv->{base}, qr{^https://}, 'the production example serves HTTPS');
my $r = api($srv, 'GET', '/api/v1/health');
is($r->{status}, 200, 'health answers through HTTPS, the certificate verified');
is($r->{headers}{'strict-transport-security'}, 'max-age=63072000', 'with HSTS for two years');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'and the security headers, once');
tls_policy_ok($srv, 'lighttpd/quill.conf');
# The programs' log names clients: quill-spawn-fcgi keeps it from others.
my @log = stat "$srv->{var}/log/quill.log";
is(sprintf('%04o', ($log[2] // 0) & 07777), '0640',
    'the programs\' log is readable by their user and group only');

my $plain = HTTP::Tiny->new(timeout => 10, max_redirect => 0);
$r = $plain->get("http://127.0.0.1:$srv->{http_port}/api/v1/users/me?x=1");
is($r->{status}, 301, 'plain HTTP redirects');
is($r->{headers}{location}, "$srv->{base}/api/v1/users/me?x=1",
    'to the same path and query over HTTPS');
ok(!defined $r->{headers}{'strict-transport-security'}, 'with no HSTS over plain HTTP');

my $n = 0;
for my $route (['/api/v1/users/3/posts', 'posts'], ['/api/v1/users/3', 'users'],
    ['/api/v1/posts', 'posts'], ['/api/v1/auth/sessions', 'auth'], ['/api/v1/nothing', undef]) {
    my $rid = "prod-$$-" . $n++;
    $r = api($srv, 'GET', $route->[0], headers => { 'x-request-id' => $rid });
    if (defined $route->[1]) {
        is(program_of($srv, $rid), $route->[1], "$route->[0] is answered by $route->[1]");
    } else {
        like($r->{content}, qr/"code":"NOT_FOUND"/, "$route->[0] is the API's JSON 404");
    }
}

# Authorization passes: register, log in, me.
my ($reg, $email, $pw) = register($srv);
is($reg->{status}, 201, 'register through the production config');
my ($tok) = login($srv, $email, $pw);
$r = api($srv, 'GET', '/api/v1/users/me', token => $tok);
is($r->{status}, 200, 'the Bearer token reaches the program');

done_testing();
