# Two-factor sign-in in the browser, through the web server, as forms
# with no script: the account's page (set up with the QR code drawn on the
# server and the key as text, a first code turns it on, the recovery codes
# shown once), the form login that asks for the code (no session until it
# is right; a wrong code comes back beside its field; a recovery code
# does too), the page that asks for a recent sign-in before a dangerous
# change, new recovery codes, and turning it off.  Codes are computed here
# from the key the page shows, as an authenticator app would.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillTotp;
use AuthTest qw(sql);
use FormTest;

my $srv = start_server(settings => { QUILL_MFA_ATTEMPTS => 3, QUILL_LOGIN_FAILURES => 8,
    QUILL_MFA_REQUIRED_ROLES => 'admin' });
my (undef, $email, $pw) = register($srv, name => 'Mia');
my $uid = sql($srv, "SELECT id FROM users WHERE email = '$email'");
my $mfa = '/api/v1/auth/mfa';
my $page = '/account/two-factor';
my ($cookie) = form_login($srv, $email, $pw);
ok($cookie, 'a form login without two-factor sign-in opens a session');

my %html = (accept => 'text/html,application/xhtml+xml,*/*;q=0.8');
sub page { api($srv, 'GET', $_[0], headers => { %html, cookie => $cookie }) }
sub post {
    my ($path, $form, %o) = @_;
    return api($srv, 'POST', $path, form => $form,
        headers => same_origin($srv, %html, defined $cookie ? (cookie => $cookie) : ()));
}
sub csrf { api($srv, 'GET', '/api/v1/auth/csrf', headers => { cookie => $cookie })->{json}{data}{csrfToken} }
sub page_ok {
    my ($r, $status, $what) = @_;
    is($r->{status}, $status, "$what: $status") or diag $r->{content};
    is($r->{headers}{'content-type'}, 'text/html; charset=utf-8', "$what: a page");
    unlike($r->{content}, qr/<script|<img|data:/, "$what: no script, no image from elsewhere");
}
sub sessions_open { sql($srv, "SELECT count(*) FROM sessions WHERE user_id = $uid AND revoked_at IS NULL") }

# ---- the account's page, and setting it up
my $r = api($srv, 'GET', $mfa, headers => \%html);
is($r->{status}, 301, "a browser's GET of the API's address");
is($r->{headers}{location}, $page, "moves to the site's page");
$r = api($srv, 'GET', $page, headers => \%html);
is($r->{status}, 303, 'the page needs a sign-in');
is($r->{headers}{location}, "/login?returnTo=$page", 'and sends a visitor to log in, then back');
$r = page($page);
page_ok($r, 200, 'the two-factor page');
like($r->{content}, qr{<h1>Two-factor sign-in</h1>}, 'names itself');
like($r->{content}, qr{is <strong>off</strong>}, 'says it is off');
like($r->{content}, qr{<a href="/account/two-factor">Two-factor</a>}, 'the navigation leads to it');
my $tok = csrf();
like($r->{content}, qr{<form method="post" action="/api/v1/auth/mfa/totp">.*name="csrfToken" value="\Q$tok\E"}s,
    'offers to set it up, with the CSRF token');
$r = api($srv, 'POST', "$mfa/totp", form => { returnTo => $page }, headers => { %html, cookie => $cookie });
is($r->{status}, 403, 'a form from no page of the site is refused');
$r = post("$mfa/totp", { returnTo => $page, csrfToken => 'x' . $tok });
is($r->{status}, 403, 'and one with a wrong CSRF token');
is(sql($srv, "SELECT count(*) FROM user_totp WHERE user_id = $uid"), 0, 'neither began anything');
$r = post("$mfa/totp", { returnTo => $page, backTo => $page, csrfToken => $tok });
is($r->{status}, 303, 'setting it up goes on');
is($r->{headers}{location}, $page, 'to the two-factor page');
$r = page($page);
page_ok($r, 200, 'the page of a pending key');
my ($secret) = $r->{content} =~ m{<code id="secret">([A-Z2-7]{32})</code>};
ok($secret, 'shows the key as text');
note_secrets($secret);
like($r->{content}, qr{<svg class="qr" xmlns="http://www\.w3\.org/2000/svg" viewBox="0 0 (\d+) \1" width="(\d+)" height="\2" role="img" aria-label="[^"]+" shape-rendering="crispEdges"><rect width="\1" height="\1" fill="#fff"/><path fill="#000" d="(?:M\d+ \d+h\d+v1h-\d+z)+"/></svg>},
    'and as a QR code drawn inline, squares only');
like($r->{content}, qr{<form method="post" action="/api/v1/auth/mfa/totp/confirm">}, 'asks for a first code');

my ($code, $used) = (totp_code($secret, time - 300));
$r = post("$mfa/totp/confirm", { code => $code, backTo => $page, csrfToken => $tok });
page_ok($r, 422, 'a wrong first code');
like($r->{content}, qr{<p id="code-error" class="field-error">[^<]+</p>\n<input id="code" name="code"[^>]* aria-invalid="true" aria-describedby="code-error">},
    'comes back with its message beside the field');
like($r->{content}, qr{<li><a href="#code">Code: }, 'and in the summary');
like($r->{content}, qr{<code id="secret">\Q$secret\E</code>}, 'the same key shown again');
is(sql($srv, "SELECT enabled_at IS NULL FROM user_totp WHERE user_id = $uid"), 1, 'still pending');
($code, $used) = totp_fresh_code($secret);
$r = post("$mfa/totp/confirm", { code => $code, backTo => $page, csrfToken => $tok });
page_ok($r, 200, 'the right first code');
my @codes = $r->{content} =~ m{<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>}g;
note_secrets(@codes);
is(scalar @codes, 10, 'shows the ten recovery codes');
like($r->{content}, qr{only time they are shown}, 'says they are shown once');
$r = page($page);
like($r->{content}, qr{is <strong>on</strong>.*<strong id="codes-left">10</strong>}s, 'the page says it is on, ten codes left');
unlike($r->{content}, qr{\Q$secret\E|\Q$codes[0]\E}, 'and shows neither the key nor a code again');

# ---- signing in with a second factor
my $before = sessions_open();
my $r0 = api($srv, 'POST', '/api/v1/auth/login', form => { email => $email, password => $pw, returnTo => '/api/v1/posts' },
    headers => same_origin($srv, %html));
page_ok($r0, 200, 'a form login of an account with two-factor');
like($r0->{content}, qr{<form method="post" action="/api/v1/auth/mfa">}, 'asks for the code');
is(cookie_value($r0), undef, 'and sets no session cookie');
is(sessions_open(), $before, 'nor opens a session');
my ($challenge) = $r0->{content} =~ m{<input type="hidden" name="challengeToken" value="([^"]+)">};
ok($challenge, 'the sign-in so far is held in the form');
note_secrets($challenge);
like($r0->{content}, qr{<input type="hidden" name="returnTo" value="/api/v1/posts">}, 'with where the login was going');
undef $cookie;
$r = post($mfa, { challengeToken => $challenge, code => '000000', returnTo => '/api/v1/posts' });
page_ok($r, 401, 'a wrong code');
like($r->{content}, qr{<p id="code-error" class="field-error">[^<]+</p>\n<input id="code" name="code"[^>]* aria-invalid="true" aria-describedby="code-error">},
    'comes back with its message beside the field');
like($r->{content}, qr{name="challengeToken" value="\Q$challenge\E"}, 'the sign-in kept');
is(cookie_value($r), undef, 'no session');
$r = api($srv, 'POST', $mfa, form => { challengeToken => $challenge, code => $codes[0] }, headers => \%html);
is($r->{status}, 403, 'the code from no page of the site is refused');
$r = post($mfa, { challengeToken => $challenge, code => $codes[0], returnTo => '/api/v1/posts' });
is($r->{status}, 303, 'a recovery code signs in');
is($r->{headers}{location}, '/api/v1/posts', 'on to where the login was going');
my $v = cookie_value($r);
ok($v, 'with a session cookie');
$cookie = COOKIE . "=$v";
is(sessions_open(), $before + 1, 'one session opened');
$r = post($mfa, { challengeToken => $challenge, code => $codes[1] });
page_ok($r, 401, 'the same sign-in again');
like($r->{content}, qr{expired or is over}, 'is over');
like($r->{content}, qr{<a href="/login">}, 'and leads back to the login page');
$r = page($page);
like($r->{content}, qr{<strong id="codes-left">9</strong>}, 'nine recovery codes left');

# The code of the app, in a fresh login.
$r0 = api($srv, 'POST', '/api/v1/auth/login', form => { email => $email, password => $pw, returnTo => '/' },
    headers => same_origin($srv, %html, cookie => $cookie));
($challenge) = $r0->{content} =~ m{name="challengeToken" value="([^"]+)"};
note_secrets($challenge);
($code, $used) = totp_fresh_code($secret, $used);
$r = post($mfa, { challengeToken => $challenge, code => $code, returnTo => '/' });
is($r->{status}, 303, "the app's code signs in");
$v = cookie_value($r);
ok($v, 'with a new session cookie');
$cookie = COOKIE . "=$v";

# ---- a dangerous change asks for a recent sign-in first
sql($srv, "UPDATE sessions SET created_at = created_at - 3600 WHERE user_id = $uid");
sql($srv, "UPDATE session_signins SET signed_in_at = signed_in_at - 3600");
$tok = csrf();
($code, $used) = totp_fresh_code($secret, $used);
$r = post("$mfa/totp?_method=DELETE", { currentPassword => $pw, code => $code, returnTo => $page, backTo => $page,
    csrfToken => $tok });
page_ok($r, 403, 'turning it off an hour after signing in');
like($r->{content}, qr{<h1>Confirm it is you</h1>}, 'asks to confirm who it is');
like($r->{content}, qr{<form method="post" action="/api/v1/auth/reauth">}, 'with the password');
like($r->{content}, qr{<input id="code" name="code"}, 'and a code');
like($r->{content}, qr{<input type="hidden" name="returnTo" value="\Q$page\E">}, 'then back to the page it came from');
like($r->{content}, qr{name="csrfToken" value="\Q$tok\E"}, 'with the CSRF token');
is(sql($srv, "SELECT enabled_at IS NOT NULL FROM user_totp WHERE user_id = $uid"), 1, 'it is still on');
$r = post('/api/v1/auth/password/change', { currentPassword => $pw, newPassword => 'another long passphrase',
    returnTo => '/account/sessions', backTo => '/password/change', csrfToken => $tok });
page_ok($r, 403, 'changing the password an hour after signing in');
like($r->{content}, qr{<form method="post" action="/api/v1/auth/reauth">}, 'asks to confirm who it is too');
like($r->{content}, qr{<input type="hidden" name="returnTo" value="/password/change">},
    'then back to the password form');
$r = post('/api/v1/auth/reauth', { currentPassword => 'not the password', code => $codes[1], returnTo => $page,
    backTo => $page, csrfToken => $tok });
page_ok($r, 422, 'a wrong password');
like($r->{content}, qr{<p id="currentPassword-error" class="field-error">[^<]+</p>\n<input id="currentPassword"[^>]* aria-invalid="true" aria-describedby="currentPassword-error">},
    'comes back beside its field');
$r = post('/api/v1/auth/reauth', { currentPassword => $pw, code => $codes[1], returnTo => $page, backTo => $page,
    csrfToken => $tok });
is($r->{status}, 303, 'the password and a code confirm it');
is($r->{headers}{location}, $page, 'back to the page');

# ---- new recovery codes, then off
$r = post("$mfa/recovery-codes", { currentPassword => $pw, code => 'aaaa-bbbb-cccc', returnTo => $page,
    backTo => $page, csrfToken => $tok });
page_ok($r, 422, 'new codes with a wrong code');
like($r->{content}, qr{<p id="code-error" class="field-error">}, 'the message beside the code');
like($r->{content}, qr{is <strong>on</strong>}, 'on the two-factor page');
($code, $used) = totp_fresh_code($secret, $used);
$r = post("$mfa/recovery-codes", { currentPassword => $pw, code => $code, returnTo => $page, backTo => $page,
    csrfToken => $tok });
page_ok($r, 200, 'new recovery codes');
my @fresh = $r->{content} =~ m{<li><code>([a-z2-7-]{14})</code></li>}g;
note_secrets(@fresh);
is(scalar @fresh, 10, 'ten of them, shown');
like(page($page)->{content}, qr{<strong id="codes-left">10</strong>}, 'ten left');
$r = post("$mfa/totp?_method=DELETE", { currentPassword => $pw, code => $codes[2], returnTo => $page, backTo => $page,
    csrfToken => $tok });
page_ok($r, 422, 'an old recovery code does not turn it off');
$r = post("$mfa/totp?_method=DELETE", { currentPassword => $pw, code => $fresh[0], returnTo => $page, backTo => $page,
    csrfToken => $tok });
is($r->{status}, 303, 'a new one does');
like(page($page)->{content}, qr{is <strong>off</strong>}, 'two-factor sign-in is off');
($cookie) = form_login($srv, $email, $pw);
ok($cookie, 'and the password alone signs in again');

# ---- a role that must enrol is led to the page that sets it up
my (undef, $aemail, $apw) = register($srv, name => 'Root');
sql($srv, "UPDATE users SET role = 'admin' WHERE email = '$aemail'");
($cookie) = form_login($srv, $aemail, $apw);
ok($cookie, 'an admin without a second factor signs in');
$r = post('/api/v1/posts', { title => 'T', body => 'B', status => 'published', csrfToken => csrf() });
page_ok($r, 403, 'but writing a post');
like($r->{content}, qr{<h1>Set up two-factor sign-in first</h1>}, 'is refused until two-factor sign-in is on');
like($r->{content}, qr{<a href="/account/two-factor">}, 'with the way to set it up');
is(sql($srv, 'SELECT count(*) FROM posts'), 0, 'no post was written');
like(page($page)->{content}, qr{is <strong>off</strong>}, 'whose page the admin may open');

is_deeply([access_log_leaks($srv)], [], 'no key, code or sign-in reached the access log');
done_testing();
