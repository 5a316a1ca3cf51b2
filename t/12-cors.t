# CORS with a configured origin: preflights answered (204) for it alone,
# and its actual requests told which headers they may read.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;

my $app = 'https://app.example.com';
my $srv = start_server(settings => { QUILL_CORS_ORIGINS => "$app https://other.example.com" });

my $r = api($srv, 'OPTIONS', '/api/v1/posts',
    headers => { origin => $app, 'access-control-request-method' => 'POST' });
is($r->{status}, 204, 'a preflight from a configured origin is 204');
is($r->{headers}{'access-control-allow-origin'}, $app, 'it names the origin');
is($r->{headers}{'access-control-allow-methods'}, 'GET, HEAD, POST', 'and the methods of the path');
is($r->{headers}{allow}, 'GET, HEAD, POST', 'Allow says the same');
like($r->{headers}{'access-control-allow-headers'} // '', qr/\bAuthorization\b.*\bIf-Match\b/,
    'Authorization and If-Match may be sent');
like($r->{headers}{vary} // '', qr/\bOrigin\b/, 'Vary: Origin');

$r = api($srv, 'OPTIONS', '/api/v1/posts',
    headers => { origin => 'https://evil.example', 'access-control-request-method' => 'POST' });
is($r->{status}, 405, 'a preflight from another origin is 405');
ok(!exists $r->{headers}{'access-control-allow-origin'}, 'and allows no origin');
$r = api($srv, 'OPTIONS', '/api/v1/posts', headers => { origin => $app });
is($r->{status}, 405, 'OPTIONS without Access-Control-Request-Method is no preflight: 405');
$r = api($srv, 'OPTIONS', '/api/v1/nothing-here',
    headers => { origin => $app, 'access-control-request-method' => 'GET' });
is($r->{status}, 404, 'a preflight for an unknown path is 404');

$r = api($srv, 'GET', '/api/v1/health', headers => { origin => $app });
is($r->{status}, 200, 'an actual request from the origin is served');
is($r->{headers}{'access-control-allow-origin'}, $app, 'with Access-Control-Allow-Origin');
like($r->{headers}{'access-control-expose-headers'} // '', qr/\bETag\b.*\bX-Request-Id\b/,
    'and the headers a script may read');
like($r->{headers}{vary} // '', qr/\bOrigin\b/, 'Vary: Origin');
$r = api($srv, 'GET', '/api/v1/health', headers => { origin => 'https://evil.example' });
ok(!exists $r->{headers}{'access-control-allow-origin'}, 'another origin is not allowed');
like($r->{headers}{vary} // '', qr/\bOrigin\b/, 'the answer still varies by Origin');

done_testing();
