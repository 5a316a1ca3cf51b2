# A canary test: every auth flow runs once, with every secret marked, and
# then no password, token or cookie may appear in any log (the programs',
# the web server's errors, and its access log, where a secret in a URL or
# a Referer would land), while every security event must.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;

my $srv = start_server(settings => { QUILL_RATE_FORGOT => '2/3600' });
my $cookie = 'quill_session=canaryCookieValue0123456789';
my %h = (cookie => $cookie);
my @secrets = ($cookie =~ /=(.*)/);

# Passwords, each distinctive.
my $pw = 'canary password one 1111';
my $pw_wrong = 'canary password wrong 2222';
my $pw_reset = 'canary password reset 3333';
my $pw_new = 'canary password changed 4444';
push @secrets, $pw, $pw_wrong, $pw_reset, $pw_new;

my (undef, $email) = register($srv, password => $pw);
login_pair($srv, $email, $pw_wrong, %h);
login_pair($srv, 'nobody@example.com', $pw_wrong, %h);
my ($a1) = login_pair($srv, $email, $pw, %h);
my ($a2) = login_pair($srv, $email, $pw, %h);
push @secrets, map { ($_->{accessToken}, $_->{refreshToken}) } $a1, $a2;

# Refresh, then a replay after the grace interval.
my $r = refresh($srv, $a1->{refreshToken}, %h);
push @secrets, $r->{json}{data}{accessToken}, $r->{json}{data}{refreshToken};
sql($srv, "UPDATE refresh_tokens SET rotated_at = rotated_at - 60 WHERE hash = X'" . token_hash($a1->{refreshToken}) . "'");
is(refresh($srv, $a1->{refreshToken}, %h)->{status}, 401, 'a replayed refresh token is refused');

# A bogus bearer token, sessions, logout.
push @secrets, 'canaryBearerToken.eyJzdWIiOjF9.c2lnbmF0dXJl';
api($srv, 'GET', '/api/v1/auth/sessions', headers => { %h, authorization => "Bearer $secrets[-1]" });
my ($a3) = login_pair($srv, $email, $pw, %h);
push @secrets, $a3->{accessToken}, $a3->{refreshToken};
api($srv, 'DELETE', '/api/v1/auth/sessions/' . jwt_claims($a3->{accessToken})->{sid}, token => $a2->{accessToken}, headers => \%h);
api($srv, 'POST', '/api/v1/auth/logout', json => { refreshToken => $a2->{refreshToken} }, headers => \%h);

# Forgot (twice, then over the limit), reset, change.
api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $email }, headers => \%h) for 1 .. 2;
is(api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $email }, headers => \%h)->{status},
    429, 'the reset limit is reached');
quillctl($srv, 'mail');
my @mails = spool_mails($srv);
my @tokens = map { /token=([A-Za-z0-9_-]+)/ ? $1 : () } @mails;
is(scalar @tokens, 2, 'two reset links were mailed');
push @secrets, @tokens;

# The owner follows the link of the second mail as a browser does: it
# fetches the link without its fragment (a browser never sends one), and
# posts the form with that page as its Referer.
my ($link) = $mails[-1] =~ m{^(https?://\S+/password/reset\S*)$}m;
ok($link, 'the mail holds the link to the reset page');
(my $page = $link // '') =~ s/#.*//s;
(my $path = $page) =~ s{^https?://[^/]+}{};
is(api($srv, 'GET', $path, headers => \%h)->{status}, 200, 'the page opens');
my $r2 = api($srv, 'POST', '/api/v1/auth/password/reset', form => { token => $tokens[-1],
    password => $pw_reset, returnTo => '/login' }, headers => { %h, referer => $page, origin => $srv->{base} });
is($r2->{status}, 303, 'the form resets the password');
is($r2->{headers}{location}, '/login', 'and leads to the login page');
my ($a4) = login_pair($srv, $email, $pw_reset, %h);
push @secrets, $a4->{accessToken}, $a4->{refreshToken};
is(api($srv, 'POST', '/api/v1/auth/password/change', token => $a4->{accessToken}, headers => \%h,
    json => { currentPassword => $pw_wrong, newPassword => $pw_new })->{status}, 422, 'a wrong current password is refused');
is(api($srv, 'POST', '/api/v1/auth/password/change', token => $a4->{accessToken}, headers => \%h,
    json => { currentPassword => $pw_reset, newPassword => $pw_new })->{status}, 204, 'the password is changed');

# What the stored forms look like must not leak either.
push @secrets, map { lc token_hash($_) } grep { length == 43 } @secrets;

# lighttpd writes its access log in batches: all of it is there once the
# server has stopped.
QuillTest::stop_server($srv);
my $log = log_text($srv);
# The web server's own error log: lighttpd.log or apache-error.log.
my $server_log = join '', map {
    my $fh;
    open($fh, '<', "$srv->{var}/log/$_") ? do { local $/; <$fh> // '' } : ''
} qw(lighttpd.log apache-error.log);
ok(length $server_log > 0, "the web server's error log was read");
my $access = access_log_text($srv->{var});
ok(length $log > 1000, 'the programs logged');
like($access, qr{"GET /password/reset[ ?]}, 'the access log has the page');
like($access, qr{"POST /api/v1/auth/password/reset .*"\Q$page\E"}, 'and the post of its form, with the Referer');
for my $s (@secrets) {
    my $shown = substr($s, 0, 12) . '...';
    ok(index($log, $s) < 0 && index($server_log, $s) < 0 && index($access, $s) < 0,
        "secret $shown appears in no log, the access log included");
}
is_deeply([map { substr($_, 0, 12) } access_log_leaks($srv)], [],
    'no secret the test was handed (tokens, cookies, reset codes) is in the access log');
unlike($log, qr/argon2/i, 'no password hash appears in the log');
for my $ev (qw(login login_failed refresh_reuse session_revoked password_reset_requested
    password_reset_completed password_changed current_password_wrong rate_limited)) {
    like($log, qr/"event":"$ev"/, "the $ev event is logged");
}

done_testing();
