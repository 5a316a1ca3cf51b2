# Confirming an address (docs/auth.md), end to end through the outbox,
# quillctl mail and the spool: a new account is mailed a link and a short
# code; opening the link (GET, twice, and HEAD, as a mail scanner does)
# spends nothing, only the POST does; the code works instead of the link;
# tokens expire, work once, and a newer one voids the older; resending is
# limited per account (silently) and per client address, and answers the
# same whether or not the address has an account; and what an unconfirmed
# account may do follows QUILL_REQUIRE_VERIFIED, over JSON and forms.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;
use FormTest;

my $srv = start_server(settings => { QUILL_RATE_VERIFY_ACCOUNT => '2/3600',
    QUILL_RATE_VERIFY => '1000/3600', QUILL_RATE_REGISTER => '1000/60' });

# The mails spooled since the last look, delivered now.
my $seen = 0;
sub new_mails {
    my ($s) = @_;
    my ($rc, $out) = quillctl($s, 'mail');
    is($rc, 0, 'quillctl mail delivers') or diag $out;
    my @all = spool_mails($s);
    my @new = @all[$seen .. $#all];
    $seen = @all;
    return @new;
}
sub link_of { ($_[0] // '') =~ m{/verify#token=([A-Za-z0-9_-]{43})$}m ? $1 : undef }
sub code_of { ($_[0] // '') =~ /^([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})$/m ? $1 : undef }
sub verify { api($_[0], 'POST', '/api/v1/auth/verify', json => $_[1]) }
sub resend { api($_[0], 'POST', '/api/v1/auth/verify/resend', json => { email => $_[1] }) }
sub verified { sql($_[0], "SELECT verified_at IS NOT NULL FROM users WHERE email = '$_[1]'") }
sub write_post {
    my ($s, $tok) = @_;
    return api($s, 'POST', '/api/v1/posts', token => $tok,
        json => { title => 'Hello', body => 'A first post.' });
}

# Registration mails a link and a code.
my ($reg, $email, $pw) = register($srv, name => 'Vera Ünver', verify => 0);
is($reg->{status}, 201, 'an account is made');
is($reg->{json}{data}{emailVerified}, JSON::PP::false, 'its address is not confirmed');
is(verified($srv, $email), 0, 'nor in the database');
my @m = new_mails($srv);
is(scalar @m, 1, 'one mail is sent');
my $mail = $m[0] // '';
like($mail, qr/^To: \Q$email\E$/m, 'to the new address');
like($mail, qr/^Subject: Confirm your Quill address$/m, 'asking to confirm it');
like($mail, qr/^Date: \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/m, 'with a Date');
like($mail, qr/^Message-ID: <[^<>@\s]+@[^<>@\s]+>$/m, 'a Message-ID');
like($mail, qr/^MIME-Version: 1\.0$/m, 'MIME-Version');
like($mail, qr{^Content-Type: text/plain; charset=utf-8$}m, 'plain UTF-8 text');
like($mail, qr/^Content-Transfer-Encoding: 8bit$/m, 'sent as 8bit');
like($mail, qr/^Auto-Submitted: auto-generated$/m, 'marked auto-generated');
like($mail, qr/Hello Vera Ünver,/, 'greeting the user by name, in UTF-8');
like($mail, qr{^\Q$srv->{base}\E/verify#token=[A-Za-z0-9_-]{43}$}m,
    'the link is on the public origin, its token after the #');
my ($token, $code) = (link_of($mail), code_of($mail));
ok($code, 'and a short code is printed beside it');
is(sql($srv, "SELECT count(*) FROM email_tokens WHERE hash = X'" . token_hash($token) . "' AND used_at IS NULL"),
    1, 'the token is stored as its SHA-256');
is(sql($srv, "SELECT count(*) FROM email_tokens WHERE instr(email || hex(hash) || "
    . "coalesce(hex(code_hash), ''), '$token') > 0 OR instr(hex(code_hash), upper('$code')) > 0"), 0,
    'and neither it nor the code in clear');

# QUILL_REQUIRE_VERIFIED=write (the default): sign in and read, not write.
my ($pair) = login_pair($srv, $email, $pw);
ok($pair, 'the unconfirmed account logs in');
is(api($srv, 'GET', '/api/v1/users/me', token => $pair->{accessToken})->{status}, 200, 'and reads');
my $r = write_post($srv, $pair->{accessToken});
is($r->{status}, 403, 'but may not write a post');
is($r->{json}{error}{code}, 'EMAIL_UNVERIFIED', 'with its own error code');

# A mail scanner opens the link: the page, twice, and HEAD.
for my $how (qw(GET GET HEAD)) {
    $r = api($srv, $how, "/verify#token=$token");
    is($r->{status}, 200, "$how of the link's page is 200");
}
like($r->{headers}{'content-type'} // '', qr{text/html}, 'an HTML page');
$r = api($srv, 'GET', '/verify');
like($r->{content}, qr{<button type="submit">Confirm my address</button>}, 'with a "Confirm my address" button');
like($r->{content}, qr{<form method="post" action="/api/v1/auth/verify">}, 'that posts the token');
like($r->{content}, qr{name="code"}, 'and a form to type the code');
is(sql($srv, "SELECT count(*) FROM email_tokens WHERE used_at IS NULL AND hash = X'" . token_hash($token) . "'"),
    1, 'none of them spent the token');
is(verified($srv, $email), 0, 'nor confirmed the address');

# The POST spends it.
is(verify($srv, { token => $token })->{status}, 204, 'posting the token confirms the address');
is(verified($srv, $email), 1, 'it is confirmed');
$r = api($srv, 'GET', '/api/v1/users/me', token => $pair->{accessToken});
is($r->{json}{data}{emailVerified}, JSON::PP::true, 'GET /users/me says so');
is(write_post($srv, $pair->{accessToken})->{status}, 201, 'and the account writes now');
$r = verify($srv, { token => $token });
is($r->{status}, 422, 'the token works once');
is(($r->{json}{error}{details} // [{}])->[0]{field}, 'token', 'a clear error on the token');
like(($r->{json}{error}{details} // [{}])->[0]{message}, qr/invalid, used or expired/, 'saying why');
is(verify($srv, { code => $code, email => $email })->{status}, 422, 'and its code is spent with it');

# The code path, in any letter case of the address.
my (undef, $e2, $pw2) = register($srv, name => 'Cody', verify => 0);
@m = new_mails($srv);
my $c2 = code_of($m[0]);
ok($c2, 'the second account has a code');
is(verify($srv, { code => $c2, email => 'other.' . $e2 })->{status}, 422, 'a code with another address is refused');
is(verify($srv, { code => $c2 })->{status}, 422, 'a code without its address is refused');
is(verify($srv, { code => uc($c2) =~ s/-//gr, email => uc $e2 })->{status}, 204,
    'the code confirms, typed in capitals without dashes');
is(verified($srv, $e2), 1, 'the second address is confirmed');
is(verify($srv, { code => $c2, email => $e2 })->{status}, 422, 'the code works once');
is(verify($srv, {})->{status}, 422, 'a post with neither token nor code is refused');

# Expiry.
my (undef, $e3) = register($srv, name => 'Ex', verify => 0);
@m = new_mails($srv);
sql($srv, "UPDATE email_tokens SET expires_at = strftime('%s', 'now') - 1 WHERE email = '$e3'");
is(verify($srv, { token => link_of($m[0]) })->{status}, 422, 'an expired link is refused');
is(verify($srv, { code => code_of($m[0]), email => $e3 })->{status}, 422, 'and so is its code');
is(verified($srv, $e3), 0, 'the address stays unconfirmed');

# A newer token voids the older; the answer to resend never tells anything.
$r = resend($srv, $e3);
is($r->{status}, 202, 'a new link is asked for');
my $said = $r->{json}{data}{message};
@m = new_mails($srv);
is(scalar @m, 1, 'and mailed');
my $newer = link_of($m[0]);
$r = resend($srv, $e3);
@m = new_mails($srv);
is(scalar @m, 1, 'a third is mailed');
is(verify($srv, { token => $newer })->{status}, 422, 'the newer link is void once another was sent');
$r = resend($srv, $e3);
is($r->{status}, 202, 'asking a third time in the hour answers the same');
is($r->{json}{data}{message}, $said, 'word for word');
is(scalar(new_mails($srv)), 0, 'but mails nothing (QUILL_RATE_VERIFY_ACCOUNT)');
like(log_text($srv), qr/"event":"rate_limited".*"bucket":"verify_account"|"bucket":"verify_account".*"event":"rate_limited"/,
    'the limit is logged');
$r = resend($srv, 'nobody.' . fresh_email());
is($r->{status}, 202, 'an address without an account answers 202');
is($r->{json}{data}{message}, $said, 'with the same words');
$r = resend($srv, $email);
is($r->{status}, 202, 'so does a confirmed one');
is($r->{json}{data}{message}, $said, 'with the same words');
is(scalar(new_mails($srv)), 0, 'and neither is mailed');
is(verify($srv, { token => link_of((spool_mails($srv))[-1]) })->{status}, 204, 'the newest link works');

# Forms, in the default mode: an unconfirmed browser session may not post.
my (undef, $e4, $pw4) = register($srv, name => 'Form', verify => 0);
@m = new_mails($srv);
my ($cookie) = form_login($srv, $e4, $pw4);
ok($cookie, 'an unconfirmed account logs in through the form');
my %browser = (cookie => $cookie, origin => $srv->{base},
    accept => 'text/html,application/xhtml+xml,*/*;q=0.8');
$r = api($srv, 'POST', '/api/v1/posts', form => { title => 'T', body => 'B', returnTo => '/' },
    headers => \%browser);
is($r->{status}, 403, 'its form post of a post is refused');
like($r->{content}, qr/Confirm your email address/, 'with a page that says why');
$r = api($srv, 'POST', '/api/v1/auth/verify', form => { token => link_of($m[0]), returnTo => '/' },
    headers => { origin => 'https://evil.example', accept => $browser{accept} });
is($r->{status}, 403, 'the confirmation form from another site is refused');
is(verified($srv, $e4), 0, 'and spends nothing');
$r = api($srv, 'POST', '/api/v1/auth/verify', form => { token => link_of($m[0]), returnTo => '/' },
    headers => { origin => $srv->{base}, accept => $browser{accept} });
is($r->{status}, 303, 'the confirmation form of the page confirms');
is($r->{headers}{location} // '', '/', 'and leads home');
$r = api($srv, 'POST', '/api/v1/posts', form => { title => 'T', body => 'B', returnTo => '/' },
    headers => \%browser);
is($r->{status}, 303, 'then the form posts');

# No token or code in the access log.
my $log = access_log_text($srv->{var});
ok(length $log, 'the server keeps an access log');
is(scalar(grep { index($log, $_) >= 0 } grep { defined } $token, $code, $c2, $newer), 0,
    'no token or code of the test is in it');
unlike($log, qr/token=/, 'no query or fragment carries one');

# QUILL_REQUIRE_VERIFIED=login: no session until the address is confirmed;
# QUILL_RATE_VERIFY limits resending per client address.
my $lsrv = start_server(settings => { QUILL_REQUIRE_VERIFIED => 'login', QUILL_RATE_VERIFY => '2/3600' });
my $lseen = $seen;
$seen = 0;
my (undef, $e5, $pw5) = register($lsrv, name => 'Lock', verify => 0);
@m = new_mails($lsrv);
(undef, $r) = login_pair($lsrv, $e5, $pw5);
is($r->{status}, 403, 'in login mode the unconfirmed account may not log in');
is($r->{json}{error}{code}, 'EMAIL_UNVERIFIED', 'with the distinct code');
(undef, $r) = login_pair($lsrv, $e5, 'not the password at all');
is($r->{status}, 401, 'a wrong password still says only that');
(undef, $r) = form_login($lsrv, $e5, $pw5, accept => 'text/html');
is($r->{status}, 403, 'nor through the form');
ok(!defined cookie_value($r), 'and gets no cookie');
is(resend($lsrv, $e5)->{status}, 202, 'a new link is asked for');
is(resend($lsrv, $e5)->{status}, 202, 'twice');
$r = resend($lsrv, $e5);
is($r->{status}, 429, 'the third from one client address in the hour is refused');
ok($r->{headers}{'retry-after'}, 'with Retry-After');
@m = new_mails($lsrv);
is(verify($lsrv, { token => link_of($m[-1]) })->{status}, 204, 'the newest link confirms');
ok((login_pair($lsrv, $e5, $pw5))[0], 'and the account logs in');
$seen = $lseen;

# QUILL_REQUIRE_VERIFIED=none: an unconfirmed account does everything.
my $nsrv = start_server(settings => { QUILL_REQUIRE_VERIFIED => 'none' });
my (undef, $e6, $pw6) = register($nsrv, verify => 0);
my ($p6) = login_pair($nsrv, $e6, $pw6);
is(write_post($nsrv, $p6->{accessToken})->{status}, 201, 'in none mode the unconfirmed account writes');
is(verified($nsrv, $e6), 0, 'unconfirmed');

# A mode that does not exist stops the programs at start-up.
$ENV{QUILL_REQUIRE_VERIFIED} = 'sometimes';
my ($rc, $out) = quillctl($srv, 'check');
delete $ENV{QUILL_REQUIRE_VERIFIED};
isnt($rc, 0, 'QUILL_REQUIRE_VERIFIED=sometimes is refused');
like($out, qr/QUILL_REQUIRE_VERIFIED must be none, write or login/, 'saying what it may be');

# The operator's way.
my (undef, $e7) = register($srv, verify => 0);
($rc, $out) = quillctl($srv, "user verify $e7");
is($rc, 0, 'quillctl user verify');
like($out, qr/address verified/, 'says so');
is(verified($srv, $e7), 1, 'and the address is confirmed');
($rc, $out) = quillctl($srv, "user verify $e7");
like($out, qr/already verified/, 'a second time changes nothing');
($rc, $out) = quillctl($srv, "user verify nobody.$e7");
isnt($rc, 0, 'an unknown address is an error');

done_testing();
