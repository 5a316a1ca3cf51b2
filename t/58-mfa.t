# Two-factor sign-in over JSON, through the web server: enrolment (the key
# as text, an otpauth URI and a QR code; active only after a right code),
# sign-in with a challenge and a code, replays and wrong codes refused and
# counted, recovery codes single use and counted, disabling with the
# password and a code, and the operator's reset.  Codes are computed here
# from the key the API shows, as an authenticator app would.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillTotp;
use QuillUsers;
use AuthTest qw(spool_mails);

my $srv = start_server(settings => { QUILL_MFA_ATTEMPTS => 3, QUILL_LOGIN_FAILURES => 8 });
my $ann = account($srv, name => 'Ann');
my $mfa = '/api/v1/auth/mfa';

sub status_of {
    my ($tok) = @_;
    return api($srv, 'GET', $mfa, token => $tok)->{json}{data};
}

# ---- enrolment
is_deeply(status_of($ann->{token}), { totp => 'off', recoveryCodesLeft => 0 },
    'a new account has no second factor');
is(api($srv, 'POST', "$mfa/totp")->{status}, 401, 'enrolment needs a sign-in');
my $r = api($srv, 'POST', "$mfa/totp", token => $ann->{token});
is($r->{status}, 201, 'enrolment starts') or diag $r->{content};
my $d = $r->{json}{data};
my $secret = $d->{secret};
like($secret, qr/^[A-Z2-7]{32}$/, 'the key is 160 bits as 32 characters of base32');
note_secrets($secret);
like($d->{uri}, qr{^otpauth://totp/[^:?]+:\Q${\ ($ann->{email} =~ s/\@/%40/r)}\E\?secret=$secret&issuer=[^&]+&algorithm=SHA1&digits=6&period=30$},
    'the otpauth URI names the account and carries the key');
like($d->{qrSvg}, qr{^<svg xmlns="http://www\.w3\.org/2000/svg" viewBox="0 0 (\d+) \1"[^>]*><rect [^>]*/><path fill="#000" d="(?:M\d+ \d+h\d+v1h-\d+z)+"/></svg>$},
    'and the QR code is an SVG of squares only');
is(status_of($ann->{token})->{totp}, 'pending', 'the key is pending');
ok((login($srv, $ann->{email}, $ann->{password}))[0], 'a pending key does not stop a password sign-in');

my $r2 = api($srv, 'POST', "$mfa/totp", token => $ann->{token});
isnt($r2->{json}{data}{secret}, $secret, 'enrolling again gives a new key in place of the pending one');
$secret = $r2->{json}{data}{secret};
note_secrets($secret);
$r = api($srv, 'POST', "$mfa/totp/confirm", token => $ann->{token},
    json => { code => totp_code($secret, time - 300) });
is($r->{status}, 422, 'an old code does not confirm it');
is(details($r)->{code}, 'wrong_code', 'and says the code is wrong');
is(status_of($ann->{token})->{totp}, 'pending', 'which leaves it pending');
my ($code, $used) = totp_fresh_code($secret);
$r = api($srv, 'POST', "$mfa/totp/confirm", token => $ann->{token}, json => { code => $code });
is($r->{status}, 200, 'the code of the key confirms it') or diag $r->{content};
my @codes = @{ $r->{json}{data}{recoveryCodes} // [] };
note_secrets(@codes);
is(scalar @codes, 10, 'ten recovery codes are shown');
like($_, qr/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/, "recovery code $_ has 60 bits") for $codes[0];
is_deeply(status_of($ann->{token}), { totp => 'on', recoveryCodesLeft => 10 }, 'two-factor sign-in is on');
is(api($srv, 'POST', "$mfa/totp", token => $ann->{token})->{status}, 409,
    'a key in use is not replaced by enrolling again');
is(sql($srv, "SELECT count(*) FROM user_totp WHERE user_id = $ann->{id} AND length(secret) = 60 AND instr(hex(secret), '"
    . unpack('H*', base32_decode($secret)) . "') = 0"), 1, 'the database holds the key sealed, not in clear');

# ---- sign-in
my $login = api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} });
is($login->{status}, 200, 'the password is right');
$d = $login->{json}{data};
ok(!exists $d->{accessToken} && !exists $d->{refreshToken}, 'but no token is given for it');
is($d->{mfaRequired}, JSON::PP::true(), 'a second factor is asked for');
like($d->{challengeToken}, qr/^[A-Za-z0-9_-]{43}$/, 'with a challenge token');
note_secrets($d->{challengeToken});
my $ch = $d->{challengeToken};
$r = api($srv, 'POST', $mfa, json => { challengeToken => $ch, code => $code });
is($r->{status}, 401, 'the code that confirmed enrolment is a replay');
($code, $used) = totp_fresh_code($secret, $used);
$r = api($srv, 'POST', $mfa, json => { challengeToken => $ch, code => $code });
is($r->{status}, 200, 'a fresh code signs in') or diag $r->{content};
ok($r->{json}{data}{accessToken} && $r->{json}{data}{refreshToken}, 'with an access and a refresh token');
my $tok = $r->{json}{data}{accessToken};
is(api($srv, 'GET', '/api/v1/users/me', token => $tok)->{status}, 200, 'which work');
is(api($srv, 'POST', $mfa, json => { challengeToken => $ch, code => $code })->{status}, 401,
    'the challenge is spent');

# Wrong codes: counted on the challenge and towards the account's back-off.
$ch = api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} })
    ->{json}{data}{challengeToken};
for my $i (1 .. 3) {
    $r = api($srv, 'POST', $mfa, json => { challengeToken => $ch, code => '000000' });
    is($r->{status}, 401, "wrong code $i is refused");
}
($code, $used) = totp_fresh_code($secret, $used);
is(api($srv, 'POST', $mfa, json => { challengeToken => $ch, code => $code })->{status}, 401,
    'after QUILL_MFA_ATTEMPTS wrong codes the challenge is closed, even to a right code');

# Recovery codes.
$ch = api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} })
    ->{json}{data}{challengeToken};
$r = api($srv, 'POST', $mfa, json => { challengeToken => $ch, code => uc($codes[0] =~ s/-//gr) });
is($r->{status}, 200, 'a recovery code signs in (any case, no dashes)') or diag $r->{content};
$tok = $r->{json}{data}{accessToken};
is(status_of($tok)->{recoveryCodesLeft}, 9, 'nine are left');
$ch = api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} })
    ->{json}{data}{challengeToken};
is(api($srv, 'POST', $mfa, json => { challengeToken => $ch, code => $codes[0] })->{status}, 401,
    'a spent recovery code does not sign in again');

# A browser's form login opens no session on the password alone.
{
    my $f = api($srv, 'POST', '/api/v1/auth/login', form => { email => $ann->{email}, password => $ann->{password} },
        headers => { origin => $srv->{base} });
    my $sc = $f->{headers}{'set-cookie'} // '';
    unlike(ref $sc ? "@$sc" : $sc, qr/__Host-quill_session=[^;]/, 'a form login sets no session cookie');
    is(sql($srv, "SELECT count(*) FROM sessions WHERE user_id = $ann->{id} AND kind = 'cookie'"), 0,
        'and opens no browser session');
    my $c = api($srv, 'POST', '/api/v1/auth/login', form => { email => $ann->{email}, password => $ann->{password} },
        headers => { origin => $srv->{base}, accept => 'application/json' });
    ok($c->{json}{data}{mfaRequired} && $c->{json}{data}{challengeToken}, 'a form that asks for JSON gets the challenge');
    ($code, $used) = totp_fresh_code($secret, $used);
    my $done = api($srv, 'POST', $mfa, form => { challengeToken => $c->{json}{data}{challengeToken}, code => $code },
        headers => { origin => $srv->{base}, accept => 'application/json' });
    is($done->{status}, 200, 'and the code, sent as a form, signs in') or diag $done->{content};
    my $sc2 = $done->{headers}{'set-cookie'} // '';
    like(ref $sc2 ? "@$sc2" : $sc2, qr/__Host-quill_session=[^;]/, 'with the session cookie');
    note_secrets($1) if (ref $sc2 ? "@$sc2" : $sc2) =~ /__Host-quill_session=([^;]+)/;
}

# Renewing recovery codes: the password and a code; the old codes stop.
($code, $used) = totp_fresh_code($secret, $used);
$r = api($srv, 'POST', "$mfa/recovery-codes", token => $tok,
    json => { currentPassword => $ann->{password}, code => $code });
is($r->{status}, 200, 'new recovery codes') or diag $r->{content};
my @new = @{ $r->{json}{data}{recoveryCodes} // [] };
note_secrets(@new);
is(scalar @new, 10, 'ten of them');
is(status_of($tok)->{recoveryCodesLeft}, 10, 'ten are left');
$ch = api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} })
    ->{json}{data}{challengeToken};
is(api($srv, 'POST', $mfa, json => { challengeToken => $ch, code => $codes[2] })->{status}, 401,
    'an old unused recovery code no longer signs in');
@codes = @new;

# A password reset signs nobody in, and the next sign-in still asks for a code.
api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $ann->{email} });
my ($rc, $out) = quillctl($srv, 'mail');
my ($reset) = join('', spool_mails($srv)) =~ m{/password/reset#token=([A-Za-z0-9_-]+)};
ok($reset, 'a reset link was mailed');
is(api($srv, 'POST', '/api/v1/auth/password/reset', json => { token => $reset, password => 'a brand new passphrase' })->{status},
    204, 'the password is reset');
$ann->{password} = 'a brand new passphrase';
ok(!alive($srv, { token => $tok }), 'which ended the sessions');
$d = api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} })->{json}{data};
ok($d->{mfaRequired} && !$d->{accessToken}, 'the new password still needs a code: the reset skips nothing');
($code, $used) = totp_fresh_code($secret, $used);
$r = api($srv, 'POST', $mfa, json => { challengeToken => $d->{challengeToken}, code => $code });
is($r->{status}, 200, 'with the code it signs in');
$tok = $r->{json}{data}{accessToken};

# Back-off: wrong codes count as failed logins of the account.
for my $i (1 .. 8) {
    $ch = api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} })
        ->{json}{data}{challengeToken};
    last unless $ch;
    api($srv, 'POST', $mfa, json => { challengeToken => $ch, code => '000000' });
}
$r = api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} });
is($r->{status}, 429, 'after QUILL_LOGIN_FAILURES wrong codes the account is in its back-off');
ok($r->{headers}{'retry-after'}, 'with Retry-After');
sql($srv, 'DELETE FROM login_failures');

# ---- recent sign-in: dangerous changes need one within QUILL_RECENT_LOGIN.
sub age_sessions { sql($srv, "UPDATE sessions SET created_at = created_at - 3600 WHERE user_id = $_[0]");
    sql($srv, "UPDATE session_signins SET signed_in_at = signed_in_at - 3600") }
age_sessions($ann->{id});
$r = api($srv, 'POST', '/api/v1/auth/password/change', token => $tok,
    json => { currentPassword => $ann->{password}, newPassword => 'yet another passphrase' });
is($r->{status}, 403, 'an hour after signing in, a password change is refused');
is($r->{json}{error}{code}, 'REAUTH_REQUIRED', 'with the code that asks for a new sign-in');
$r = api($srv, 'POST', '/api/v1/auth/reauth', token => $tok, json => { currentPassword => $ann->{password} });
is($r->{status}, 422, 'confirming needs the code where two-factor sign-in is on');
($code, $used) = totp_fresh_code($secret, $used);
$r = api($srv, 'POST', '/api/v1/auth/reauth', token => $tok, json => { currentPassword => $ann->{password}, code => $code });
is($r->{status}, 204, 'the password and a code confirm') or diag $r->{content};
$r = api($srv, 'POST', '/api/v1/auth/password/change', token => $tok,
    json => { currentPassword => $ann->{password}, newPassword => 'yet another passphrase' });
is($r->{status}, 204, 'then the change goes ahead') or diag $r->{content};
$ann->{password} = 'yet another passphrase';
$d = api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} })->{json}{data};
($code, $used) = totp_fresh_code($secret, $used);
$tok = api($srv, 'POST', $mfa, json => { challengeToken => $d->{challengeToken}, code => $code })->{json}{data}{accessToken};
ok($tok, 'signed in again');

# Each dangerous change answers REAUTH_REQUIRED on an old sign-in.
my $bob = account($srv, name => 'Bob');
my $root = account($srv, name => 'Root', role => 'admin');
age_sessions($_->{id}) for $bob, $root;
sub reauth_refused {
    my ($what, @req) = @_;
    my $before = users_dump($srv);
    my $res = api($srv, @req);
    is($res->{status}, 403, "$what: 403 on an old sign-in");
    is(($res->{json} // {})->{error}{code}, 'REAUTH_REQUIRED', "$what: REAUTH_REQUIRED");
    is(users_dump($srv), $before, "$what: nothing changed");
}
reauth_refused('email change', 'PATCH', '/api/v1/users/me', token => $bob->{token},
    json => { email => 'bob.new@example.com', currentPassword => $bob->{password} });
reauth_refused('account deletion', 'DELETE', '/api/v1/users/me', token => $bob->{token},
    json => { currentPassword => $bob->{password} });
reauth_refused('ending all sessions', 'DELETE', '/api/v1/auth/sessions', token => $bob->{token});
reauth_refused('logging out everywhere with an access token', 'POST', '/api/v1/auth/logout',
    token => $bob->{token}, json => { everywhere => JSON::PP::true() });
is(sql($srv, "SELECT count(*) FROM sessions WHERE user_id = $bob->{id} AND revoked_at IS NULL"), 1,
    'and the session lives on');
reauth_refused('an admin changing a role', 'PATCH', "/api/v1/users/$bob->{id}", token => $root->{token},
    json => { role => 'moderator' });
reauth_refused('an admin disabling an account', 'PATCH', "/api/v1/users/$bob->{id}", token => $root->{token},
    json => { disabled => JSON::PP::true() });
reauth_refused('an admin deleting an account', 'DELETE', "/api/v1/users/$bob->{id}", token => $root->{token});
is(api($srv, 'PATCH', '/api/v1/users/me', token => $bob->{token}, json => { name => 'Robert' })->{status}, 200,
    'a name is no dangerous change');
is(api($srv, 'POST', '/api/v1/auth/reauth', token => $bob->{token}, json => { currentPassword => $bob->{password} })->{status},
    204, 'without two-factor sign-in the password alone confirms');
is(api($srv, 'DELETE', '/api/v1/auth/sessions', token => $bob->{token})->{status}, 204,
    'and the change goes ahead');
age_sessions($ann->{id});
reauth_refused('turning two-factor sign-in off', 'DELETE', "$mfa/totp", token => $tok,
    json => { currentPassword => $ann->{password}, code => $codes[1] });
is(api($srv, 'POST', '/api/v1/auth/reauth', token => $tok, json => { currentPassword => $ann->{password}, code => $codes[0] })->{status},
    204, 'a recovery code confirms too');
{
    my $pair = api($srv, 'POST', '/api/v1/auth/login', json => { email => $bob->{email}, password => $bob->{password} })->{json}{data};
    my $t0 = AuthTest::jwt_claims($pair->{accessToken})->{auth_time};
    ok($t0 && abs($t0 - time) < 60, 'an access token carries the time of its sign-in');
    sql($srv, "UPDATE sessions SET created_at = created_at - 3600 WHERE user_id = $bob->{id}");
    sql($srv, "DELETE FROM session_signins WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $bob->{id})");
    my $next = api($srv, 'POST', '/api/v1/auth/refresh', json => { refreshToken => $pair->{refreshToken} })->{json}{data};
    is(AuthTest::jwt_claims($next->{accessToken})->{auth_time}, $t0 - 3600,
        'a refreshed one the time its session signed in, not the refresh');
    my $res = api($srv, 'POST', '/api/v1/auth/logout',
        json => { refreshToken => $next->{refreshToken}, everywhere => JSON::PP::true() });
    is($res->{status}, 403, 'logging out everywhere with a refresh token alone needs a recent sign-in too');
    is(($res->{json} // {})->{error}{code}, 'REAUTH_REQUIRED', 'REAUTH_REQUIRED');
    is(api($srv, 'POST', '/api/v1/auth/refresh', json => { refreshToken => $next->{refreshToken} })->{status},
        200, 'and the session lives on');
}

# ---- disabling
$r = api($srv, 'DELETE', "$mfa/totp", token => $tok, json => { currentPassword => $ann->{password} });
is($r->{status}, 422, 'disabling needs a code as well as the password');
is(details($r)->{code}, 'required', 'and says so');
$r = api($srv, 'DELETE', "$mfa/totp", token => $tok, json => { currentPassword => 'wrong password!!', code => $codes[1] });
is($r->{status}, 422, 'and the right password');
is(details($r)->{currentPassword}, 'invalid_value', 'a wrong one is named');
is(status_of($tok)->{totp}, 'on', 'which leaves it on');
$r = api($srv, 'DELETE', "$mfa/totp", token => $tok, json => { currentPassword => $ann->{password}, code => $codes[1] });
is($r->{status}, 204, 'the password and a recovery code disable it') or diag $r->{content};
is_deeply(status_of($tok), { totp => 'off', recoveryCodesLeft => 0 }, 'it is off, the codes gone');
ok((login($srv, $ann->{email}, $ann->{password}))[0], 'the password alone signs in again');

# ---- the operator's reset of an enrolled account
$r = api($srv, 'POST', "$mfa/totp", token => $tok);
$secret = $r->{json}{data}{secret};
note_secrets($secret);
($code, $used) = totp_fresh_code($secret);
is(api($srv, 'POST', "$mfa/totp/confirm", token => $tok, json => { code => $code })->{status}, 200, 'ann enrols again');
ok(api($srv, 'POST', '/api/v1/auth/login', json => { email => $ann->{email}, password => $ann->{password} })->{json}{data}{mfaRequired},
    'and needs a code');
($rc, $out) = quillctl($srv, "user mfa-reset $ann->{email}");
is($rc, 0, 'the operator resets her two-factor sign-in') or diag $out;
ok((login($srv, $ann->{email}, $ann->{password}))[0], 'then her password alone signs in');
is(status_of((login($srv, $ann->{email}, $ann->{password}))[0])->{totp}, 'off', 'with two-factor sign-in off');

# ---- QUILL_MFA_REQUIRED_ROLES: those roles enrol before anything else.
my $strict = start_server(settings => { QUILL_MFA_REQUIRED_ROLES => 'admin, moderator' });
my $boss = QuillUsers::account($strict, name => 'Boss', role => 'admin');
my $plain = QuillUsers::account($strict, name => 'Plain');
$r = api($strict, 'GET', '/api/v1/users/me', token => $boss->{token});
is($r->{status}, 403, 'an admin without a second factor is refused');
is($r->{json}{error}{code}, 'MFA_REQUIRED', 'with the code that asks to enrol');
is(api($strict, 'GET', '/api/v1/users', token => $boss->{token})->{json}{error}{code}, 'MFA_REQUIRED',
    'everywhere, the admin routes too');
is(api($strict, 'GET', '/api/v1/users/me', token => $plain->{token})->{status}, 200, 'a user is not asked');
is(api($strict, 'GET', $mfa, token => $boss->{token})->{status}, 200, 'the admin may see where enrolment stands');
$r = api($strict, 'POST', "$mfa/totp", token => $boss->{token});
is($r->{status}, 201, 'and enrol');
my $bs = $r->{json}{data}{secret};
note_secrets($bs);
$r = api($strict, 'POST', "$mfa/totp/confirm", token => $boss->{token}, json => { code => totp_code($bs) });
is($r->{status}, 200, 'and confirm');
note_secrets(@{ $r->{json}{data}{recoveryCodes} // [] });
is(api($strict, 'GET', '/api/v1/users/me', token => $boss->{token})->{status}, 200, 'then everything else is open');

done_testing();
