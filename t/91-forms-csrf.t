# The cross-site request check: which requests it covers (cookie, form
# bodies) and which not (Bearer JSON), Sec-Fetch-Site, Origin and Referer
# against the public origin, failing closed without them, and the
# synchronizer token, checked when sent and required by configuration.
# Every refusal is checked to have changed nothing.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;
use FormTest;

my $srv = start_server();
my $self = $srv->{base};
my $evil = 'http://127.0.0.1:1';
my (undef, $email, $pw) = register($srv);
my ($cookie) = form_login($srv, $email, $pw);
my ($pair) = login_pair($srv, $email, $pw);
my $bearer = $pair->{accessToken};

sub snapshot { join "\n", map { sql($srv, "SELECT * FROM $_ ORDER BY 1") } qw(users sessions posts mail_outbox) }

# Runs a request that must be refused as cross-site: 403 CSRF_FAILED with
# message like $msg, and nothing changed.
sub refused {
    my ($what, $msg, $method, $path, %o) = @_;
    my $before = snapshot();
    my $r = api($srv, $method, $path, %o);
    is($r->{status}, 403, "$what: 403");
    my $body = $r->{json} ? $r->{json}{error}{code} . ' ' . $r->{json}{error}{message} : $r->{content};
    # A page names no internal code: its status says it.
    like($body, $r->{json} ? qr/CSRF_FAILED/ : qr{<h1>403 Forbidden</h1>}, "$what: CSRF_FAILED");
    like($body, $msg, "$what: says why");
    is(snapshot(), $before, "$what: nothing changed");
    return $r;
}

my %json = (accept => 'application/json');
my $post = { title => 'T', body => 'B', status => 'published' };

# Cookie-authenticated requests, JSON bodies: the headers decide.
for my $c (
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site' => 'same-origin' }],
    ['Origin of the site', { origin => $self }],
    ['Referer of a page of the site', { referer => "$self/post-new.html" }],
    ['Sec-Fetch-Site: none and the Origin', { 'sec-fetch-site' => 'none', origin => $self }],
) {
    my $r = api($srv, 'POST', '/api/v1/posts', json => $post, headers => { %json, cookie => $cookie, %{ $c->[1] } });
    is($r->{status}, 201, "cookie, $c->[0]: passes");
}
refused('cookie, Sec-Fetch-Site: cross-site', qr/another site \(Sec-Fetch-Site\)/, 'POST', '/api/v1/posts',
    json => $post, headers => { %json, cookie => $cookie, 'sec-fetch-site' => 'cross-site', origin => $self });
refused('cookie, Sec-Fetch-Site: same-site', qr/Sec-Fetch-Site/, 'POST', '/api/v1/posts',
    json => $post, headers => { %json, cookie => $cookie, 'sec-fetch-site' => 'same-site' });
refused('cookie, another Origin', qr/another origin \(Origin\)/, 'POST', '/api/v1/posts',
    json => $post, headers => { %json, cookie => $cookie, origin => $evil, referer => "$self/" });
refused('cookie, Origin null', qr/Origin/, 'POST', '/api/v1/posts',
    json => $post, headers => { %json, cookie => $cookie, origin => 'null' });
refused('cookie, a Referer of another site', qr/another site \(Referer\)/, 'POST', '/api/v1/posts',
    json => $post, headers => { %json, cookie => $cookie, referer => "$evil/$self/" });
refused('cookie, a Referer the origin prefixes', qr/Referer/, 'POST', '/api/v1/posts',
    json => $post, headers => { %json, cookie => $cookie, referer => "${self}0/" });
my $r = refused('cookie, no header at all', qr/no Sec-Fetch-Site, Origin or Referer header/, 'POST', '/api/v1/posts',
    json => $post, headers => { %json, cookie => $cookie });
is($r->{json}{error}{code}, 'CSRF_FAILED', 'the refusal is the JSON envelope for a JSON client');

my $p = api($srv, 'POST', '/api/v1/posts', json => $post, token => $bearer)->{json}{data}{id};
for my $m (['PATCH', json => { title => 'X' }], ['PUT', json => $post], ['DELETE']) {
    my ($method, @body) = @$m;
    refused("cookie, $method from another site", qr/Sec-Fetch-Site/, $method, "/api/v1/posts/$p",
        @body, headers => { %json, cookie => $cookie, 'sec-fetch-site' => 'cross-site' });
}
refused('cookie, logout from another site', qr/Origin/, 'POST', '/api/v1/auth/logout',
    json => {}, headers => { %json, cookie => $cookie, origin => $evil });
is(api($srv, 'GET', '/api/v1/users/me', headers => { cookie => $cookie, 'sec-fetch-site' => 'cross-site' })->{status},
    200, 'a safe request (GET) is not checked');

# Bearer JSON requests are not subject to it, with or without a cookie.
$r = api($srv, 'POST', '/api/v1/posts', json => $post, token => $bearer);
is($r->{status}, 201, 'Bearer, JSON, no origin header: passes');
$r = api($srv, 'POST', '/api/v1/posts', json => $post, token => $bearer, headers => { origin => $evil });
is($r->{status}, 201, 'Bearer, JSON, another Origin: passes (CORS is what guards browsers there)');
$r = api($srv, 'POST', '/api/v1/posts', json => $post, token => $bearer, headers => { cookie => $cookie });
is($r->{status}, 201, 'Bearer and a cookie, JSON: the Bearer token decides, not checked');

# Form bodies are checked whoever sends them: a page of any site can post one.
refused('Bearer, form, no header', qr/no Sec-Fetch-Site/, 'POST', '/api/v1/posts',
    form => $post, token => $bearer, headers => \%json);
$r = api($srv, 'POST', '/api/v1/posts', form => $post, token => $bearer, headers => { %json, origin => $self });
is($r->{status}, 201, 'Bearer, form, the Origin of the site: passes');
refused('anonymous login form from another site', qr/Sec-Fetch-Site/, 'POST', '/api/v1/auth/login',
    form => { email => $email, password => $pw }, headers => { 'sec-fetch-site' => 'cross-site' });
refused('anonymous login form, no header', qr/cannot be shown/, 'POST', '/api/v1/auth/login',
    form => { email => $email, password => $pw });
refused('register form from another origin', qr/Origin/, 'POST', '/api/v1/auth/register',
    form => { email => fresh_email(), password => 'a fine long passphrase', name => 'X' }, headers => { origin => $evil });
refused('forgot form from another origin', qr/Origin/, 'POST', '/api/v1/auth/password/forgot',
    form => { email => $email }, headers => { origin => $evil });
refused('reset form from another origin', qr/Origin/, 'POST', '/api/v1/auth/password/reset',
    form => { token => 'x' x 43, password => 'a fine long passphrase' }, headers => { origin => $evil });
$r = api($srv, 'POST', '/api/v1/auth/password/forgot', form => { email => $email, returnTo => '/sent' },
    headers => { 'sec-fetch-site' => 'same-origin' });
is($r->{status}, 303, 'the forgot form from the site passes');
like(log_text($srv), qr/"event":"csrf_failed"[^\n]*"reason":"sec_fetch_site"/, 'refusals are logged with their reason');

# The synchronizer token.
$r = api($srv, 'GET', '/api/v1/auth/csrf', headers => { cookie => $cookie });
is($r->{status}, 200, 'GET /auth/csrf with the cookie answers 200');
my $tok = $r->{json}{data}{csrfToken};
like($tok // '', qr/^[A-Za-z0-9_-]{43}$/, 'a token of 43 base64url characters');
is($r->{headers}{'cache-control'}, 'no-store', 'not to be cached');
is(api($srv, 'GET', '/api/v1/auth/csrf', headers => { cookie => $cookie })->{json}{data}{csrfToken}, $tok,
    'the same token for the same session');
is(api($srv, 'GET', '/api/v1/auth/csrf')->{status}, 401, 'none for an anonymous caller');
$r = api($srv, 'GET', '/api/v1/auth/csrf', token => $bearer);
is($r->{status}, 400, 'none for a Bearer caller');
my ($other_cookie) = form_login($srv, $email, $pw);
my $other_tok = api($srv, 'GET', '/api/v1/auth/csrf', headers => { cookie => $other_cookie })->{json}{data}{csrfToken};
isnt($other_tok, $tok, 'another login has another token');

my %ok = (%json, cookie => $cookie, 'sec-fetch-site' => 'same-origin');
$r = api($srv, 'POST', '/api/v1/posts', json => $post, headers => { %ok, 'x-csrf-token' => $tok });
is($r->{status}, 201, 'the right token in X-CSRF-Token passes');
$r = api($srv, 'POST', '/api/v1/posts', form => { %$post, csrfToken => $tok }, headers => \%ok);
is($r->{status}, 201, 'the right token in the csrfToken field passes');
$r = api($srv, 'POST', '/api/v1/posts', form => { %$post, csrfToken => '' }, headers => \%ok);
is($r->{status}, 201, 'an empty csrfToken field (a form whose script did not run) is no token');
refused('a wrong token in the header', qr/does not belong to this session/, 'POST', '/api/v1/posts',
    json => $post, headers => { %ok, 'x-csrf-token' => 'A' x 43 });
refused("another session's token in the field", qr/CSRF token/, 'POST', '/api/v1/posts',
    form => { %$post, csrfToken => $other_tok }, headers => \%ok);
refused('a right header and a wrong field', qr/CSRF token/, 'POST', '/api/v1/posts',
    form => { %$post, csrfToken => $other_tok }, headers => { %ok, 'x-csrf-token' => $tok });
refused('a token without the cookie', qr/CSRF token/, 'POST', '/api/v1/posts',
    form => { %$post, csrfToken => $tok }, token => $bearer, headers => { %json, origin => $self });

# Required by configuration.
my $strict = start_server(settings => { QUILL_CSRF_TOKEN_REQUIRED => 1 });
my (undef, $e2, $p2) = register($strict);
my ($c2, $lr) = form_login($strict, $e2, $p2);
is($lr->{status}, 303, 'with tokens required, an anonymous form login still works');
my $t2 = api($strict, 'GET', '/api/v1/auth/csrf', headers => { cookie => $c2 })->{json}{data}{csrfToken};
my %ok2 = (%json, cookie => $c2, 'sec-fetch-site' => 'same-origin');
my $before = sql($strict, 'SELECT count(*) FROM posts');
$r = api($strict, 'POST', '/api/v1/posts', json => $post, headers => \%ok2);
is($r->{status}, 403, 'a cookie request without a token is refused');
is($r->{json}{error}{code}, 'CSRF_FAILED', 'as CSRF_FAILED');
like($r->{json}{error}{message}, qr/requires a CSRF token/, 'saying a token is required');
is(sql($strict, 'SELECT count(*) FROM posts'), $before, 'and nothing is created');
$r = api($strict, 'POST', '/api/v1/posts', json => $post, headers => { %ok2, 'x-csrf-token' => $t2 });
is($r->{status}, 201, 'with the token it passes');
my ($b2) = login($strict, $e2, $p2);
$r = api($strict, 'POST', '/api/v1/posts', json => $post, token => $b2);
is($r->{status}, 201, 'Bearer JSON requests need no token');
is(api($strict, 'GET', '/api/v1/users/me', headers => { cookie => $c2 })->{status}, 200,
    'nor do safe requests');

done_testing();
