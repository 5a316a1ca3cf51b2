# Cookie sessions: what a form login sets, that every endpoint takes the
# cookie as it takes a Bearer token, a new session at every login, idle
# and absolute expiry, the once-a-minute record of use, and logout.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;
use FormTest;

my $srv = start_server();
my (undef, $email, $pw) = register($srv);
my $now = sub { time };

sub me { api($srv, 'GET', '/api/v1/users/me', headers => { cookie => $_[0] }) }
sub row { sql($srv, "SELECT $_[1] FROM sessions WHERE id = $_[0]") }

# The cookie a form login sets.
my $r = api($srv, 'POST', '/api/v1/auth/login',
    form => { email => $email, password => $pw, returnTo => '/welcome' },
    headers => same_origin($srv, 'user-agent' => 'Browser 1'));
is($r->{status}, 303, 'a form login answers 303');
is($r->{headers}{location}, '/welcome', 'to its returnTo');
my @sc = grep { !/^__Host-quill_notice=/ } set_cookies($r);
is(scalar @sc, 1, 'it sets one session cookie (and the notice of the next page)');
my $value = cookie_value($r);
like($value // '', qr/^[A-Za-z0-9_-]{43}$/, 'the session cookie holds 256 random bits in base64url');
my %attr = map { my ($k, $v) = split /=/, $_, 2; (lc $k => $v // 1) } (split /;\s*/, $sc[0])[1 .. 4 + 1];
is_deeply(\%attr, { path => '/', 'max-age' => 43200, secure => 1, httponly => 1, samesite => 'Lax' },
    'Path=/, Max-Age of the absolute lifetime, Secure, HttpOnly, SameSite=Lax')
    or diag $sc[0];
unlike($sc[0], qr/domain|expires/i, 'no Domain (a __Host- cookie may not have one), no Expires');
like($sc[0], qr/^__Host-quill_session=/, 'named with the __Host- prefix');
unlike($r->{content}, qr/\Q$value\E|accessToken|refreshToken/, 'the page carries no secret');
my $cookie = COOKIE . "=$value";

# Stored as a hash, in a session of kind cookie, with its lifetimes.
my $sid = sql($srv, "SELECT id FROM sessions WHERE secret_hash = X'" . token_hash($value) . "'");
ok($sid, 'the session is found by the hash of the cookie');
is(row($sid, 'kind'), 'cookie', 'of kind cookie');
is(row($sid, 'idle_expires_at - created_at'), 1800, 'idle for 30 minutes');
is(row($sid, 'expires_at - created_at'), 43200, 'absolutely after 12 hours');
is(row($sid, 'user_agent'), 'Browser 1', 'with the user agent');
is(sql($srv, "SELECT count(*) FROM refresh_tokens WHERE session_id = $sid"), 0, 'and no refresh token');
is(sql($srv, "SELECT count(*) FROM sessions WHERE hex(secret_hash) LIKE '%' || hex('$value') || '%'"), 0,
    'the cookie itself is stored nowhere');

# Every endpoint takes the cookie.
$r = me($cookie);
is($r->{status}, 200, 'GET /users/me with the cookie answers 200');
is($r->{json}{data}{email}, $email, 'as the user who logged in');
is($r->{headers}{'set-cookie'}, undef, 'and sets no cookie');
$r = api($srv, 'GET', '/api/v1/auth/sessions', headers => { cookie => $cookie });
is($r->{json}{data}[0]{kind}, 'cookie', 'GET /auth/sessions lists it as kind cookie');
ok($r->{json}{data}[0]{current}, 'and as the current session');
$r = api($srv, 'POST', '/api/v1/posts', json => { title => 'By cookie', body => 'x', status => 'published' },
    headers => same_origin($srv, cookie => $cookie));
is($r->{status}, 201, 'a post is created with the cookie');
my $post = $r->{json}{data}{id};
$r = api($srv, 'PATCH', "/api/v1/posts/$post", json => { title => 'Changed' },
    headers => same_origin($srv, cookie => $cookie));
is($r->{status}, 200, 'and changed');
$r = api($srv, 'GET', "/api/v1/posts?status=draft", headers => { cookie => $cookie });
is($r->{status}, 200, 'lists take it too');

# A form login asking for JSON gets JSON, and the cookie, but no tokens.
$r = api($srv, 'POST', '/api/v1/auth/login', form => { email => $email, password => $pw },
    headers => same_origin($srv, accept => 'application/json'));
is($r->{status}, 200, 'a form login that asks for JSON answers 200');
is($r->{json}{data}{user}{email}, $email, 'with the user');
ok(!exists $r->{json}{data}{accessToken} && !exists $r->{json}{data}{refreshToken}, 'and no tokens');
ok(cookie_value($r), 'and the cookie');
# A JSON login is an API login: tokens, no cookie.
$r = api($srv, 'POST', '/api/v1/auth/login', json => { email => $email, password => $pw });
ok($r->{json}{data}{accessToken}, 'a JSON login answers tokens');
is($r->{headers}{'set-cookie'}, undef, 'and sets no cookie');
my $bearer = $r->{json}{data}{accessToken};

# Every login makes a new session with a new cookie: a cookie planted in
# the browser beforehand is never adopted.
my $planted = 'A' x 43;
my ($c2, $r2) = form_login($srv, $email, $pw, cookie => COOKIE . "=$planted");
ok($c2 && $c2 ne $cookie && $c2 ne COOKIE . "=$planted", 'a second login sets another cookie');
my $sid2 = sql($srv, "SELECT id FROM sessions WHERE secret_hash = X'" . token_hash(cookie_value($r2)) . "'");
isnt($sid2, $sid, 'for another session');
is(sql($srv, "SELECT count(*) FROM sessions WHERE secret_hash = X'" . token_hash($planted) . "'"), 0,
    'the planted value became no session');
is(me(COOKIE . "=$planted")->{status}, 401, 'and logs nobody in');

# Reads write nothing, except the record of use at most once a minute.
my $before = sql($srv, 'SELECT * FROM sessions ORDER BY id');
me($cookie) for 1 .. 3;
is(sql($srv, 'SELECT * FROM sessions ORDER BY id'), $before, 'reads within a minute of the last use write nothing');
my $t = time;
sql($srv, "UPDATE sessions SET last_used_at = $t - 120, idle_expires_at = $t + 100 WHERE id = $sid");
is(me($cookie)->{status}, 200, 'a read more than a minute after the last use');
cmp_ok(row($sid, 'last_used_at'), '>=', $t, 'records the use');
cmp_ok(row($sid, "idle_expires_at - $t"), '>=', 1800, 'and pushes the idle expiry 30 minutes on');
sql($srv, "UPDATE sessions SET last_used_at = $t - 120, idle_expires_at = $t + 100, expires_at = $t + 600 WHERE id = $sid");
me($cookie);
is(row($sid, 'idle_expires_at'), row($sid, 'expires_at'), 'never past the absolute expiry');
sql($srv, "UPDATE sessions SET last_used_at = $t - 30, expires_at = created_at + 43200 WHERE id = $sid");
$before = sql($srv, 'SELECT * FROM sessions ORDER BY id');
is(me($cookie)->{status}, 200, 'a read 30 seconds after the last use');
is(sql($srv, 'SELECT * FROM sessions ORDER BY id'), $before, 'writes nothing');

# Idle expiry.
sql($srv, "UPDATE sessions SET idle_expires_at = $t - 1 WHERE id = $sid2");
$r = me($c2);
is($r->{status}, 401, 'a cookie session unused for 30 minutes is over');
like(join(' ', set_cookies($r)), qr/^__Host-quill_session=; Path=\/; Max-Age=0; Secure; HttpOnly; SameSite=Lax$/,
    'and the answer drops the cookie');
$r = api($srv, 'GET', '/api/v1/posts', headers => { cookie => $c2 });
is($r->{status}, 200, 'a public read with a dead cookie is served, anonymously');
ok(scalar(set_cookies($r)), 'and drops the cookie');
like(log_text($srv), qr/"event":"cookie_rejected"/, 'the dead cookie is logged');

# Absolute expiry, however recently used.
my ($c3) = form_login($srv, $email, $pw);
my $sid3 = sql($srv, "SELECT max(id) FROM sessions");
sql($srv, "UPDATE sessions SET expires_at = $t - 1 WHERE id = $sid3");
is(me($c3)->{status}, 401, 'a cookie session past its absolute expiry is over');

# Revoked from elsewhere, and a disabled user.
my ($c4) = form_login($srv, $email, $pw);
my $sid4 = sql($srv, "SELECT max(id) FROM sessions");
$r = api($srv, 'DELETE', "/api/v1/auth/sessions/$sid4", token => $bearer);
is($r->{status}, 204, 'the API revokes a cookie session');
is(me($c4)->{status}, 401, 'which ends it on the next request');

# Malformed cookies are nobody.
is(me(COOKIE . '=short')->{status}, 401, 'a cookie of the wrong shape is nobody');
is(me("$cookie; $cookie")->{status}, 401, 'the cookie given twice is believed neither time');
is(me(COOKIE . "x=$value")->{status}, 401, 'another name is not the cookie');

# Changing the password keeps this browser's session, ends the others.
my ($c5) = form_login($srv, $email, $pw);
$r = api($srv, 'POST', '/api/v1/auth/password/change',
    form => { currentPassword => $pw, newPassword => 'a brand new passphrase', returnTo => '/done' },
    headers => same_origin($srv, cookie => $c5));
is($r->{status}, 303, 'a password change through a form answers 303');
is(me($c5)->{status}, 200, 'the session that changed it lives on');
is(me($cookie)->{status}, 401, 'other cookie sessions are over');
$pw = 'a brand new passphrase';

# Logout through a form.
$r = api($srv, 'POST', '/api/v1/auth/logout', form => { returnTo => '/' }, headers => same_origin($srv, cookie => $c5));
is($r->{status}, 303, 'a form logout answers 303');
like(join(' ', set_cookies($r)), qr/^__Host-quill_session=; Path=\/; Max-Age=0;/, 'and clears the cookie');
my $sid5 = sql($srv, "SELECT id FROM sessions WHERE secret_hash = X'" . token_hash($c5 =~ s/^[^=]*=//r) . "'");
is(row($sid5, 'revoked_reason'), 'logout', 'the session is revoked');
is(me($c5)->{status}, 401, 'and the cookie no longer works');

# A login from a browser that still holds a live session ends that one.
my ($ca) = form_login($srv, $email, $pw);
my $sida = sql($srv, "SELECT max(id) FROM sessions");
my ($cb) = form_login($srv, $email, $pw, cookie => $ca);
ok($cb && $cb ne $ca, 'logging in again from the same browser sets a new cookie');
is(row($sida, 'revoked_reason'), 'replaced', 'and ends the session it replaces');
is(me($ca)->{status}, 401, 'whose cookie no longer works');
is(me($cb)->{status}, 200, 'while the new one does');

# A disabled user's cookie.
my ($c6) = form_login($srv, $email, $pw);
my ($rc) = quillctl($srv, "user disable $email");
is($rc, 0, 'quillctl disables the user');
is(me($c6)->{status}, 401, "a disabled user's cookie no longer works");

unlike(log_text($srv), qr/\Q$value\E/, 'no cookie reaches the log');
done_testing();
