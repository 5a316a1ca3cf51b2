# The HTTP layer through lighttpd: routing, 404/405, envelope, headers,
# request ids, body intake limits.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;

my $srv = start_server();

sub envelope_ok {
    my ($r, $status, $code, $what) = @_;
    is($r->{status}, $status, "$what: status $status");
    is(($r->{json} // {})->{error}{code}, $code, "$what: error code $code");
    like(($r->{json} // {})->{error}{message} // '', qr/\S/, "$what: has a message");
    like(($r->{json} // {})->{meta}{timestamp} // '',
        qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, "$what: meta.timestamp is RFC 3339 UTC");
    ok(length(($r->{json} // {})->{meta}{requestId} // ''), "$what: meta.requestId");
}

# Health from every program's route prefix.
my $r = api($srv, 'GET', '/api/v1/health');
is($r->{status}, 200, 'health answers 200');
is($r->{json}{data}{status}, 'ok', 'health says ok');
is($r->{headers}{'content-type'}, 'application/json; charset=utf-8',
    'JSON responses carry a charset');

# Security headers on every response, success or error.
for my $path ('/api/v1/health', '/api/v1/nothing-here', '/api/v1/users/me') {
    my $x = api($srv, 'GET', $path);
    is($x->{headers}{'x-content-type-options'}, 'nosniff', "$path: nosniff");
    is($x->{headers}{'referrer-policy'}, 'same-origin', "$path: Referrer-Policy");
    like($x->{headers}{'content-security-policy'} // '', qr/default-src 'none'/,
        "$path: restrictive CSP");
    is($x->{headers}{'cache-control'}, 'no-store', "$path: Cache-Control no-store");
    like($x->{headers}{'x-request-id'} // '', qr/^[A-Za-z0-9._:-]{1,64}$/,
        "$path: X-Request-Id present");
}

# Request ids: a sane client id is echoed, an unsafe one replaced.
$r = api($srv, 'GET', '/api/v1/health', headers => { 'x-request-id' => 'abc-123.x' });
is($r->{headers}{'x-request-id'}, 'abc-123.x', 'a sane client request id is echoed');
$r = api($srv, 'GET', '/api/v1/nope', headers => { 'x-request-id' => 'abc-123.x' });
is($r->{json}{meta}{requestId}, 'abc-123.x', 'the error envelope carries the request id');
$r = api($srv, 'GET', '/api/v1/health', headers => { 'x-request-id' => 'bad id<script>' });
isnt($r->{headers}{'x-request-id'}, 'bad id<script>', 'an unsafe client request id is replaced');
like($r->{headers}{'x-request-id'}, qr/^[0-9a-f]{12}-[0-9a-f]+$/, 'a generated request id');
my $a = api($srv, 'GET', '/api/v1/health')->{headers}{'x-request-id'};
my $b = api($srv, 'GET', '/api/v1/health')->{headers}{'x-request-id'};
isnt($a, $b, 'generated request ids differ between requests');

# Unknown paths are 404 in the envelope, in every program.
for my $path ('/api/v1/auth/nope', '/api/v1/authx', '/api/v1/users/me/x',
    '/api/v1/usersX', '/api/v1/postsX', '/api/v1/posts/abc',
    '/api/v1/users/007', '/api/v1/users/99999999999999999999') {
    envelope_ok(api($srv, 'GET', $path), 404, 'NOT_FOUND', "GET $path");
}

# Known path, wrong method: 405 with Allow.
$r = api($srv, 'GET', '/api/v1/auth/login');
envelope_ok($r, 405, 'METHOD_NOT_ALLOWED', 'GET /auth/login');
is($r->{headers}{allow}, 'POST', 'Allow lists POST for /auth/login');
$r = api($srv, 'PUT', '/api/v1/users/me', json => {});
is($r->{status}, 405, 'PUT /users/me is not allowed');
is($r->{headers}{allow} // '', 'GET, HEAD, PATCH, DELETE', 'Allow lists the methods of /users/me');
$r = api($srv, 'POST', '/api/v1/health', json => {});
is($r->{status}, 405, 'POST /health is 405');
is($r->{headers}{allow}, 'GET, HEAD', 'health allows GET and HEAD');
# Apache refuses TRACE itself and has auth.fcgi render the refusal, which
# can name the methods of its own paths and health's only (docs/deploy-apache.md).
for ([ '/api/v1/auth/login', 'POST' ], [ '/api/v1/health', 'GET, HEAD' ],
    test_server() eq 'apache' ? () : ([ '/api/v1/users/me', 'GET, HEAD, PATCH, DELETE' ],
    [ '/api/v1/posts/1', 'GET, HEAD, PUT, PATCH, DELETE' ], [ '/api/v1/users/1/posts', 'GET, HEAD' ])) {
    my ($path, $allow) = @$_;
    $r = raw_request($srv, "TRACE $path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    is($r->{status}, 405, "TRACE $path is 405");
    is($r->{headers}{allow}, $allow, "with the path's Allow ($allow)");
    is(($r->{json} // {})->{error}{code}, 'METHOD_NOT_ALLOWED', 'in the envelope');
}
$r = api($srv, 'OPTIONS', '/api/v1/auth/login');
is($r->{status}, 405, 'OPTIONS without a configured CORS origin is 405');
# X-HTTP-Method-Override may turn a POST into PUT, PATCH or DELETE only
# (t/35-method-override.t): never into a GET.
$r = api($srv, 'POST', '/api/v1/users/me', json => {},
    headers => { 'x-http-method-override' => 'GET' });
is($r->{status}, 400, 'X-HTTP-Method-Override: GET is refused');

# HEAD is GET without a body.
$r = api($srv, 'HEAD', '/api/v1/health');
is($r->{status}, 200, 'HEAD /health is 200');
is($r->{content} // '', '', 'HEAD has no body');

# Body intake: media types, lengths, JSON rules.
$r = api($srv, 'POST', '/api/v1/auth/login', body => 'hello',
    headers => { 'content-type' => 'text/plain' });
envelope_ok($r, 415, 'UNSUPPORTED_MEDIA_TYPE', 'text/plain body');
$r = api($srv, 'POST', '/api/v1/auth/login', body => '{}',
    headers => { 'content-type' => 'application/json; charset=iso-8859-1' });
is($r->{status}, 415, 'JSON in another charset is 415');
$r = api($srv, 'POST', '/api/v1/auth/login', json => '{"email": ');
envelope_ok($r, 400, 'BAD_REQUEST', 'malformed JSON');
$r = api($srv, 'POST', '/api/v1/auth/login', json => '{"email":"a@b.co","email":"c@d.co","password":"x"}');
envelope_ok($r, 400, 'BAD_REQUEST', 'duplicate JSON keys');
like($r->{json}{error}{message}, qr/repeats a key|duplicate/i, 'duplicate keys are named as the problem');
$r = api($srv, 'POST', '/api/v1/auth/login', json => '{"email":"a@b.co","email":"c@d.co"}');
envelope_ok($r, 400, 'BAD_REQUEST', 'an object of two members with the same key');
$r = api($srv, 'POST', '/api/v1/auth/login', json => '{"password":"x","email":"a@b.co","password":"y"}');
envelope_ok($r, 400, 'BAD_REQUEST', 'a repeated key that sorts last');
{
    # Unknown members are ignored, so only the duplicate check refuses this.
    my $dup = fresh_email();
    $r = api($srv, 'POST', '/api/v1/auth/register',
        json => qq({"email":"$dup","password":"a fine passphrase","name":"Dup","extra":{"k":1,"k":2}}));
    envelope_ok($r, 400, 'BAD_REQUEST', 'a registration holding a two-member object with the same key');
    is(db_sql($srv, "SELECT count(*) FROM users WHERE email = '$dup'"), "0\n",
        'and no account was made');
}
$r = api($srv, 'POST', '/api/v1/auth/login', json => '[1,2]');
envelope_ok($r, 400, 'BAD_REQUEST', 'a top-level array');
$r = api($srv, 'POST', '/api/v1/auth/login', json => ('[' x 100) . (']' x 100));
is($r->{status}, 400, 'deep nesting is 400');
$r = api($srv, 'POST', '/api/v1/auth/login', json => "{\"email\":\"\xff\"}");
is($r->{status}, 400, 'invalid UTF-8 is 400');
$r = api($srv, 'POST', '/api/v1/auth/login', json => '{"email":"a\u0000b","password":"x"}');
is($r->{status}, 400, 'a NUL escape is 400');
$r = api($srv, 'POST', '/api/v1/auth/login', json => '{"a":1} trailing');
is($r->{status}, 400, 'trailing garbage is 400');

# Over the limit: refused before the body is read.
$r = api($srv, 'POST', '/api/v1/auth/login', json => '{"x":"' . ('a' x 70000) . '"}');
envelope_ok($r, 413, 'PAYLOAD_TOO_LARGE', '70 KB JSON body');
# At the limit (QUILL_MAX_JSON_BYTES, 65536 by default) to the byte: a body
# of exactly the limit is read, one byte more is not.
for my $extra (0, 1) {
    my $pad = 65536 + $extra - length '{"email":"x@example.com","password":"p","pad":""}';
    my $body = '{"email":"x@example.com","password":"p","pad":"' . ('a' x $pad) . '"}';
    $r = api($srv, 'POST', '/api/v1/auth/login', json => $body);
    is($r->{status}, $extra ? 413 : 401, 'a JSON body of ' . length($body) . ' bytes is '
        . ($extra ? 'refused, one byte over the limit' : 'read, at the limit'));
}
# A client of the API that posts forms: it asks for JSON answers, and its
# forms come from the site's origin (t/9x-forms-*.t test the browser's side).
my %form_client = (accept => 'application/json', origin => $srv->{base});
$r = api($srv, 'POST', '/api/v1/auth/login', form => { x => 'a' x 17000 }, headers => \%form_client);
envelope_ok($r, 413, 'PAYLOAD_TOO_LARGE', '17 KB form body');
$r = raw_request($srv, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
    . "Content-Type: application/json\r\nContent-Length: 10000000\r\n"
    . "Connection: close\r\n\r\n{}");
is($r->{status}, 413, 'a 10 MB Content-Length is refused before the body arrives');

# Forms work like JSON.
$r = api($srv, 'POST', '/api/v1/auth/login', form => { email => 'x@example.com', password => 'whatever-password' },
    headers => \%form_client);
is($r->{status}, 401, 'a urlencoded login is understood (401 for an unknown account)');
$r = api($srv, 'POST', '/api/v1/auth/login', body => 'email=a%zz', headers => { %form_client, 'content-type' => 'application/x-www-form-urlencoded' });
envelope_ok($r, 400, 'BAD_REQUEST', 'bad percent-encoding');
$r = api($srv, 'POST', '/api/v1/auth/login', body => 'email=a&email=b', headers => { %form_client, 'content-type' => 'application/x-www-form-urlencoded' });
is($r->{status}, 400, 'a repeated form field is 400');
my $mp = "--XyZ\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nm\@example.com\r\n"
    . "--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nsome-password-1\r\n--XyZ--\r\n";
$r = api($srv, 'POST', '/api/v1/auth/login', body => $mp,
    headers => { %form_client, 'content-type' => 'multipart/form-data; boundary=XyZ' });
is($r->{status}, 401, 'a multipart login is understood (401 for an unknown account)');
$mp = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nhi\r\n--XyZ--\r\n";
$r = api($srv, 'POST', '/api/v1/auth/login', body => $mp,
    headers => { 'content-type' => 'multipart/form-data; boundary=XyZ' });
is($r->{status}, 400, 'a multipart file upload is refused');

# Error bodies never leak internals.
for my $x (api($srv, 'GET', '/api/v1/nope'), api($srv, 'POST', '/api/v1/auth/login', json => '{')) {
    unlike($x->{content}, qr/sqlite|SELECT|\.c:\d|\/work\/|\/var\//i, 'no SQL, paths or sources in an error body');
}

# One JSON log line per request.
my @lines = grep { /"event":"request"/ } split /\n/, log_text($srv);
ok(@lines >= 20, 'request lines are logged (' . scalar(@lines) . ')');
like($lines[-1], qr/"method":"[A-Z]+".*"path":"\/api\/v1\/.*"status":\d{3}.*"durationMs":[\d.]+/,
    'a request line has method, path, status and duration');
like(join("\n", @lines), qr/"requestId":"abc-123\.x"/, 'request lines carry the request id');

done_testing();
