# The pages of auth.fcgi on the site's paths, as a browser without script
# meets them: each page a GET rendered from its template; the signed-in
# pages send a visitor to /login; a refused form comes back with its
# status and what was typed (never a password); a form that succeeds is a
# 303 with a one-time notice for the next page; every form of a session
# carries its CSRF token (required here), and a post without it, or from
# another site, is refused; the sessions page lists the reader's sessions
# and ends one, or all the others.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest qw(sql login_pair mailed_link);
use FormTest;

my $srv = start_server(settings => { QUILL_CSRF_TOKEN_REQUIRED => 1 });
my %html = (accept => 'text/html,application/xhtml+xml,*/*;q=0.8');
my $NOTICE = '__Host-quill_notice';

sub get_page {
    my ($path, $cookie) = @_;
    return api($srv, 'GET', $path, headers => { %html, defined $cookie ? (cookie => $cookie) : () });
}
sub post_form {
    my ($path, $form, $cookie, %h) = @_;
    return api($srv, 'POST', $path, form => $form,
        headers => same_origin($srv, %html, defined $cookie ? (cookie => $cookie) : (), %h));
}
sub page_ok {
    my ($r, $status, $h1, $what) = @_;
    is($r->{status}, $status, "$what: $status") or diag substr($r->{content} // '', 0, 600);
    is($r->{headers}{'content-type'}, 'text/html; charset=utf-8', "$what: an HTML page");
    like($r->{content}, qr{<h1>\Q$h1\E</h1>}, "$what: \"$h1\"");
}
# The notice a 303 left, as the cookie the browser sends back.
sub notice_of {
    my ($r) = @_;
    for (set_cookies($r)) {
        return "$NOTICE=$1" if /^\Q$NOTICE\E=([^;]+)/;
    }
    return undef;
}
sub csrf_of { ($_[0]{content} // '') =~ /name="csrfToken" value="([^"]+)"/ ? $1 : undef }

# ---- the pages anyone may open
my %open = ('/login' => 'Log in', '/register' => 'Create an account', '/logout' => 'Log out',
    '/password/forgot' => 'Forgot your password?', '/password/reset' => 'Choose a new password',
    '/verify' => 'Confirm your email address', '/email/cancel' => 'Cancel an email change');
for my $path (sort keys %open) {
    my $r = get_page($path);
    page_ok($r, 200, $open{$path}, "GET $path");
    like($r->{content}, qr{<a href="/login">Log in</a>}, "GET $path: a visitor's navigation");
    is(api($srv, 'HEAD', $path)->{status}, 200, "HEAD $path: 200");
}
like(get_page('/logout')->{content}, qr{You are not logged in}, 'the log-out page tells a visitor so');
unlike(get_page('/login')->{content}, qr{<script}, 'the login page runs no script');
for my $path ('/password/reset', '/verify', '/email/cancel') {
    my $r = get_page($path);
    like($r->{content}, qr{<script src="/token\.js"></script>}, "$path runs the script that reads the link's code");
    like($r->{headers}{'content-security-policy'} // '', qr{script-src \Q$srv->{base}\E/token\.js;},
        "$path: its policy lets that script run, and no other");
}
like(get_page('/token.js')->{content}, qr{location\.hash}, 'the script is served');
for my $path ('/password/change', '/reauth', '/account/sessions', '/account/two-factor') {
    my $r = get_page($path);
    is($r->{status}, 303, "GET $path as a visitor: 303");
    is($r->{headers}{location}, "/login?returnTo=$path", "GET $path: to the login page, then back");
}
# The login page goes on to the page that sent its visitor, a path of
# this site only.
like(get_page('/login?returnTo=/account/sessions')->{content},
    qr{<input type="hidden" name="returnTo" value="/account/sessions">}, 'login then goes back');
for my $to ('https://evil.example/', '//evil.example/', 'javascript:alert(1)') {
    my $q = $to =~ s/([^A-Za-z0-9])/sprintf('%%%02X', ord $1)/ger;
    like(get_page("/login?returnTo=$q")->{content}, qr{<input type="hidden" name="returnTo" value="/">},
        "but never to $to");
}
my $r = get_page('/api/v1/auth/mfa');
is($r->{status}, 301, "a browser's GET of the API's two-factor address moves");
is($r->{headers}{location}, '/account/two-factor', 'to the site page');
is(api($srv, 'GET', '/api/v1/auth/mfa')->{status}, 401, 'an API client still gets the API');
is(api($srv, 'POST', '/login', form => {}, headers => same_origin($srv, %html))->{status}, 405,
    'a page takes GET only');

# ---- register: refused, then made
my $email = fresh_email();
my $pw = 'a long enough passphrase';
my $before = sql($srv, 'SELECT count(*) FROM users');
$r = post_form('/api/v1/auth/register', { name => 'Reg "Name"', email => $email, password => 'short',
    returnTo => '/login', backTo => '/register' });
page_ok($r, 422, 'Create an account', 'a short password');
like($r->{content}, qr{<input id="name"[^>]* value="Reg &quot;Name&quot;"}, 'the name kept, escaped');
like($r->{content}, qr{<input id="email"[^>]* value="\Q$email\E"}, 'the email kept');
unlike($r->{content}, qr{value="short"}, 'the password not');
like($r->{content}, qr{<p id="password-error" class="field-error">[^<]+</p>\n<input id="password"[^>]* aria-invalid="true" aria-describedby="password-error">},
    'its message beside the field');
like($r->{content}, qr{<li><a href="#password">Password: }, 'and in the summary, linked');
is(sql($srv, 'SELECT count(*) FROM users'), $before, 'no account made');
$r = post_form('/api/v1/auth/register', { name => 'Reg', email => $email, password => $pw,
    returnTo => '/login', backTo => '/register' });
is($r->{status}, 303, 'registering: 303');
is($r->{headers}{location}, '/login', 'to the login page');
my $notice = notice_of($r);
ok($notice, 'with a notice');
$r = get_page('/login', $notice);
like($r->{content}, qr{<p class="notice" role="status">Your account is ready\. Log in to start\.</p>},
    'the login page shows it');
like(join("\n", set_cookies($r)), qr{^\Q$NOTICE\E=; .*Max-Age=0}m, 'once: it clears it');
is($r->{headers}{'cache-control'}, 'no-store', 'and is not stored');
sql($srv, "UPDATE users SET verified_at = created_at WHERE email = '$email'");

# ---- log in: refused, then in
$r = post_form('/api/v1/auth/login', { email => $email, password => 'not the passphrase', returnTo => '/',
    backTo => '/login' });
page_ok($r, 401, 'Log in', 'a wrong password');
like($r->{content}, qr{<input id="email"[^>]* value="\Q$email\E"}, 'the email kept');
unlike($r->{content}, qr{not the passphrase}, 'the password not');
like($r->{content}, qr{<input type="hidden" name="returnTo" value="/">}, 'still going where it was going');
ok(!defined cookie_value($r), 'no session');
$r = post_form('/api/v1/auth/login', { email => $email, password => $pw, returnTo => '/account/sessions' },
    undef, 'user-agent' => 'Quill test browser/1.0');
is($r->{status}, 303, 'the right password: 303');
is($r->{headers}{location}, '/account/sessions', 'to its returnTo');
my $cookie = COOKIE . '=' . cookie_value($r);
like(notice_of($r) // '', qr/=signed-in$/, 'with the notice that it is logged in');

# ---- the signed-in pages
for my $path ('/password/change', '/reauth', '/account/two-factor', '/logout', '/account/sessions') {
    $r = get_page($path, $cookie);
    is($r->{status}, 200, "GET $path logged in: 200");
    like($r->{content}, qr{<a href="/account/sessions">Sessions</a>}, "GET $path: the navigation of the logged in");
    unlike($r->{content}, qr{<a href="/login">Log in</a>}, "GET $path: no Log in");
    my @forms = $r->{content} =~ m{(<form method="post".*?</form>)}sg;
    ok(@forms, "GET $path: has forms");
    is(scalar(grep { !/name="csrfToken" value="[^"]+"/ } @forms), 0, "GET $path: each with the CSRF token");
}
my $tok = csrf_of($r);
like($r->{content}, qr{<strong>Quill test browser/1\.0</strong> \(browser\) <span class="tag">this browser</span>},
    'the sessions page names this browser');
like($r->{content}, qr{<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">}, 'with its times');
unlike($r->{content}, qr{id="end-others"}, 'no other session to end yet');

# Two more sessions: an app, and another browser.
my ($pair) = login_pair($srv, $email, $pw);
my ($other) = form_login($srv, $email, $pw, 'user-agent' => 'Another browser/2.0');
my $uid = sql($srv, "SELECT id FROM users WHERE email = '$email'");
my $app = sql($srv, "SELECT id FROM sessions WHERE user_id = $uid AND kind = 'token' AND revoked_at IS NULL");
$r = get_page('/account/sessions', $cookie);
like($r->{content}, qr{<strong>Another browser/2\.0</strong> \(browser\)}, 'another browser is listed');
like($r->{content}, qr{\(app\)}, 'and the app');
like($r->{content}, qr{<form method="post" action="/api/v1/auth/sessions/$app\?_method=DELETE">}, 'each with a way to end it');
like($r->{content}, qr{id="end-others"}, 'and one to end all the others');

# CSRF and the origin check refuse, and change nothing.
my $live = "SELECT count(*) FROM sessions WHERE user_id = $uid AND revoked_at IS NULL";
is(sql($srv, $live), 3, 'three sessions');
$r = post_form("/api/v1/auth/sessions/$app?_method=DELETE", { returnTo => '/account/sessions' }, $cookie);
is($r->{status}, 403, 'ending a session without the CSRF token: 403');
$r = post_form("/api/v1/auth/sessions/$app?_method=DELETE", { returnTo => '/account/sessions', csrfToken => "x$tok" },
    $cookie);
is($r->{status}, 403, 'with a wrong one: 403');
$r = api($srv, 'POST', "/api/v1/auth/sessions/$app?_method=DELETE",
    form => { returnTo => '/account/sessions', csrfToken => $tok },
    headers => { %html, cookie => $cookie, origin => 'https://evil.example' });
is($r->{status}, 403, 'from another site: 403');
is(sql($srv, $live), 3, 'none of them ended a session');

$r = post_form("/api/v1/auth/sessions/$app?_method=DELETE", { returnTo => '/account/sessions', csrfToken => $tok },
    $cookie);
is($r->{status}, 303, 'the form of the page ends it: 303');
is($r->{headers}{location}, '/account/sessions', 'back to the sessions');
is(sql($srv, "SELECT revoked_at IS NOT NULL FROM sessions WHERE id = $app"), 1, 'the session has ended');
$r = get_page('/account/sessions', $cookie . '; ' . notice_of($r));
like($r->{content}, qr{<p class="notice" role="status">That session has ended\.</p>}, 'the page says so');
unlike($r->{content}, qr{\(app\)}, 'and lists it no more');

# Ending all the others needs a recent sign-in.
sql($srv, "UPDATE sessions SET created_at = created_at - 3600 WHERE user_id = $uid");
sql($srv, "UPDATE session_signins SET signed_in_at = signed_in_at - 3600");
$r = post_form('/api/v1/auth/sessions?_method=DELETE', { returnTo => '/account/sessions',
    backTo => '/account/sessions', csrfToken => $tok }, $cookie);
page_ok($r, 403, 'Confirm it is you', 'ending the others an hour after signing in');
like($r->{content}, qr{<input type="hidden" name="returnTo" value="/account/sessions">}, 'then back to the sessions');
is(sql($srv, $live), 2, 'nothing ended');
$r = post_form('/api/v1/auth/reauth', { currentPassword => 'wrong password here', returnTo => '/account/sessions',
    backTo => '/account/sessions', csrfToken => $tok }, $cookie);
page_ok($r, 422, 'Confirm it is you', 'a wrong password to confirm');
unlike($r->{content}, qr{wrong password here}, 'the password not sent back');
$r = post_form('/api/v1/auth/reauth', { currentPassword => $pw, returnTo => '/account/sessions',
    backTo => '/account/sessions', csrfToken => $tok }, $cookie);
is($r->{status}, 303, 'the password confirms');
$r = post_form('/api/v1/auth/sessions?_method=DELETE', { returnTo => '/account/sessions',
    backTo => '/account/sessions', csrfToken => $tok }, $cookie);
is($r->{status}, 303, 'then the others end: 303');
like(notice_of($r) // '', qr/=sessions-ended$/, 'with its notice');
is(sql($srv, $live), 1, 'only this one is left');
is(get_page('/account/sessions', $other)->{status}, 303, 'the other browser is logged out');

# ---- change the password
$r = post_form('/api/v1/auth/password/change', { currentPassword => 'not it at all', newPassword => 'x',
    returnTo => '/account/sessions', backTo => '/password/change', csrfToken => $tok }, $cookie);
page_ok($r, 422, 'Change your password', 'a wrong current password and a short new one');
unlike($r->{content}, qr{not it at all|value="x"}, 'neither password sent back');
like($r->{content}, qr{name="csrfToken" value="\Q$tok\E"}, 'the form keeps its CSRF token');
my $pw2 = 'the second long passphrase';
$r = post_form('/api/v1/auth/password/change', { currentPassword => $pw, newPassword => $pw2,
    returnTo => '/account/sessions', backTo => '/password/change', csrfToken => $tok }, $cookie);
is($r->{status}, 303, 'the password changes: 303');
is($r->{headers}{location}, '/account/sessions', 'to the sessions');
like(notice_of($r) // '', qr/=password-changed$/, 'with its notice');

# ---- forgot and reset
$r = post_form('/api/v1/auth/password/forgot', { email => 'not an email', returnTo => '/login',
    backTo => '/password/forgot' });
page_ok($r, 422, 'Forgot your password?', 'an address that is none');
like($r->{content}, qr{<input id="email"[^>]* value="not an email"}, 'kept');
$r = post_form('/api/v1/auth/password/forgot', { email => $email, returnTo => '/login', backTo => '/password/forgot' });
is($r->{status}, 303, 'asking for a reset: 303');
is($r->{headers}{location}, '/login', 'to the login page');
like(notice_of($r) // '', qr/=reset-sent$/, 'with its notice');
my $reset = mailed_link($srv, $email, 'reset');
ok($reset, 'the mail links to /password/reset, the code after #');
$r = post_form('/api/v1/auth/password/reset', { token => 'not-a-code', password => 'a third long passphrase',
    returnTo => '/login', backTo => '/password/reset' });
page_ok($r, 422, 'Choose a new password', 'a code that is none');
like($r->{content}, qr{<input id="token"[^>]* value="not-a-code"}, 'the code kept');
unlike($r->{content}, qr{a third long passphrase}, 'the password not');
unlike($r->{content}, qr{<script}, 'and no script: the code came in the form');
$r = post_form('/api/v1/auth/password/reset', { token => $reset, password => 'a third long passphrase',
    returnTo => '/login', backTo => '/password/reset' });
is($r->{status}, 303, 'the mailed code resets it: 303');
like(notice_of($r) // '', qr/=password-reset$/, 'with its notice');

# ---- confirm an address: refused with what was typed
$r = post_form('/api/v1/auth/verify', { email => $email, code => 'aaaa-bbbb-cccc', returnTo => '/', backTo => '/verify' });
page_ok($r, 422, 'Confirm your email address', 'a wrong code');
like($r->{content}, qr{<input id="email"[^>]* value="\Q$email\E"}, 'the address kept');
like($r->{content}, qr{<p id="code-error" class="field-error">[^<]*invalid, used or expired}, 'the message beside the code');
$r = post_form('/api/v1/auth/verify/resend', { email => 'not an address', returnTo => '/verify', backTo => '/verify' });
page_ok($r, 422, 'Confirm your email address', 'a new mail for a malformed address');
like($r->{content}, qr{<input id="resend-email"[^>]* value="not an address"[^>]* aria-invalid="true" aria-describedby="resend-email-error"},
    'the address kept in the form that sent it, marked');
like($r->{content}, qr{<p id="resend-email-error" class="field-error">}, 'its message beside it');
like($r->{content}, qr{<a href="#resend-email">}, 'the summary links to that field');
unlike($r->{content}, qr{<input id="email"[^>]* value="not an address"}, 'not to the other form\'s');
$r = post_form('/api/v1/auth/verify/resend', { email => $email, returnTo => '/verify', backTo => '/verify' });
is($r->{status}, 303, 'asking for a new mail: 303');
like(notice_of($r) // '', qr/=verify-sent$/, 'with its notice');
$r = post_form('/api/v1/auth/email/cancel', { token => 'not-a-code', returnTo => '/login', backTo => '/email/cancel' });
page_ok($r, 422, 'Cancel an email change', 'a cancel code that is none');
like($r->{content}, qr{<input id="token"[^>]* value="not-a-code"}, 'the code kept');

# ---- log out
($cookie) = form_login($srv, $email, 'a third long passphrase');
ok($cookie, 'the reset password logs in');
$r = get_page('/logout', $cookie);
$tok = csrf_of($r);
like($r->{content}, qr{id="logout-everywhere"}, 'the log-out page offers to log out everywhere');
$r = post_form('/api/v1/auth/logout', { returnTo => '/' }, $cookie);
is($r->{status}, 403, 'logging out without the CSRF token: 403');
sql($srv, "UPDATE sessions SET created_at = created_at - 3600 WHERE user_id = $uid");
sql($srv, "UPDATE session_signins SET signed_in_at = signed_in_at - 3600");
$r = post_form('/api/v1/auth/logout', { everywhere => 'true', returnTo => '/', backTo => '/logout',
    csrfToken => $tok }, $cookie);
page_ok($r, 403, 'Confirm it is you', 'logging out everywhere an hour after signing in');
like($r->{content}, qr{<input type="hidden" name="returnTo" value="/logout">}, 'then back to the log-out page');
is(sql($srv, $live), 1, 'no session ended');
$r = post_form('/api/v1/auth/logout', { returnTo => '/', csrfToken => $tok }, $cookie);
is($r->{status}, 303, 'the form logs out: 303');
like(notice_of($r) // '', qr/=signed-out$/, 'with its notice');
is(get_page('/account/sessions', $cookie)->{status}, 303, 'the session is over');

is_deeply([access_log_leaks($srv)], [], 'no code, password or cookie reached the access log');
done_testing();
