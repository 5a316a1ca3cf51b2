# Apache with TLS (apache/quill.conf's site over HTTPS with the self-signed
# certificate of `make cert`): the API works through HTTPS, HSTS is sent
# there and only there, HTTP/2 is offered, key exchange is limited to
# X25519, P-256 and P-384, answers carrying tokens are never compressed.
# The other layouts over HTTPS: HSTS and HTTP/2 there too.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillServers;

plan skip_all => 'Apache-only test; run with QUILL_TEST_SERVER=apache (make test does)'
    unless test_server() eq 'apache';

my $srv = start_server(tls => 1);
like($srv->{base}, qr{^https://127\.0\.0\.1:\d+$}, 'the server is reached through HTTPS');

my $r = api($srv, 'GET', '/api/v1/health');
is($r->{status}, 200, 'health answers through HTTPS, the certificate verified');
is($r->{json}{data}{status}, 'ok', 'with the JSON body');
is($r->{headers}{'strict-transport-security'}, 'max-age=63072000', 'HSTS over HTTPS, for two years');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'security headers, once');
is($r->{headers}{server}, 'Apache', 'the Server header names no version');

tls_policy_ok($srv, 'apache/quill.conf');

# A client that does not trust the certificate is refused.
my $untrusting = HTTP::Tiny->new(verify_SSL => 1, timeout => 10,
    SSL_options => { SSL_ca_file => '/dev/null' });
my $x = $untrusting->get("$srv->{base}/api/v1/health");
is($x->{status}, 599, 'a client without the certificate does not connect');

# The whole slice through HTTPS: Authorization reaches the program.
my ($reg, $email, $pw) = register($srv);
is($reg->{status}, 201, 'register through HTTPS');
my ($tok, $lr) = login($srv, $email, $pw);
ok($tok, 'login through HTTPS');
is($lr->{headers}{'strict-transport-security'}, 'max-age=63072000', 'HSTS on API answers too');
$r = api($srv, 'GET', '/api/v1/users/me', token => $tok);
is($r->{status}, 200, 'the Bearer token passes through Apache');
is($r->{json}{data}{email}, $email, 'me is the registered user');

# Compression: JSON is compressed, except answers that carry tokens (BREACH).
$r = api($srv, 'GET', '/api/v1/users/me', token => $tok,
    headers => { 'accept-encoding' => 'gzip' });
is($r->{headers}{'content-encoding'}, 'gzip', 'JSON answers are compressed for clients that accept it');
like($r->{headers}{vary} // '', qr/Accept-Encoding/, 'with Vary: Accept-Encoding');
$r = api($srv, 'GET', '/api/v1/users/me', token => $tok);
ok(!defined $r->{headers}{'content-encoding'}, 'a client that does not take gzip gets plain JSON');
unlike($r->{headers}{vary} // '', qr/Accept-Encoding/, 'and no Vary: Accept-Encoding, as from lighttpd');
$r = api($srv, 'POST', '/api/v1/auth/login', json => { email => $email, password => $pw },
    headers => { 'accept-encoding' => 'gzip' });
is($r->{status}, 200, 'login with Accept-Encoding: gzip');
ok(!defined $r->{headers}{'content-encoding'}, 'an answer carrying tokens is not compressed');
like($r->{content}, qr/"accessToken"/, 'and is plain JSON');

# Over plain HTTP the same site sends no HSTS (it would be ignored, and
# belongs to the HTTPS origin only).
my $plain = start_server();
$r = api($plain, 'GET', '/api/v1/health');
is($r->{status}, 200, 'the plain-HTTP test server answers');
ok(!defined $r->{headers}{'strict-transport-security'}, 'no HSTS over plain HTTP');

# The other layouts over HTTPS.  The shared-hosting one leaves TLS itself
# to the host (apache/quill-fcgid.conf has no TLS settings).
for my $mode ('cgi', 'fcgid', 'shared-cgi') {
    my $s = start_server(mode => $mode, tls => 1);
    for my $path ('/api/v1/health', '/login') {
        $r = api($s, 'GET', $path);
        is($r->{status}, 200, "$mode: $path through HTTPS");
        is($r->{headers}{'strict-transport-security'}, 'max-age=63072000', "$mode: $path with HSTS");
    }
    tls_policy_ok($s, $mode, groups => $mode eq 'cgi');
}

done_testing();
