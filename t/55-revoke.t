# Every change that must end a user's access ends all of their sessions
# (refresh-token families and cookie sessions) with their access tokens, in
# the same transaction: disabling (and nothing comes back on enabling), a
# role change, a password reset, an email change, a password change, logout
# everywhere, deleting the account; through the API and through quillctl.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use QuillTest;
use AuthTest;
use FormTest;

my $srv = start_server(settings => { QUILL_RATE_FORGOT_ACCOUNT => '1000/3600' });
my $users = '/api/v1/users';

# The admin who acts.
my ($ra, $admin_email, $admin_pw) = register($srv, name => 'Admin');
sql($srv, "UPDATE users SET role = 'admin' WHERE id = $ra->{json}{data}{id}");
my ($admin) = login_pair($srv, $admin_email, $admin_pw);

# A user with two API sessions and two browser sessions.
sub victim {
    my ($r, $email, $pw) = register($srv, name => 'Victim');
    my $v = { id => $r->{json}{data}{id}, email => $email, pw => $pw };
    ($v->{json}) = login_pair($srv, $email, $pw);
    ($v->{json2}) = login_pair($srv, $email, $pw);
    ($v->{cookie}) = form_login($srv, $email, $pw);
    ($v->{cookie2}) = form_login($srv, $email, $pw);
    return $v;
}

# Statuses of what a session can still do: refresh (API) or read /users/me
# (access token, cookie).
sub me_with_token { api($srv, 'GET', "$users/me", token => $_[0])->{status} }
sub me_with_cookie { api($srv, 'GET', "$users/me", headers => { cookie => $_[0] })->{status} }

# Checks that every session of $v named in @which is dead: the refresh
# token refreshes no more, the access token and the cookie are refused.
sub dead {
    my ($v, $what, @which) = @_;
    for my $k (@which) {
        if ($k =~ /^json/) {
            is(me_with_token($v->{$k}{accessToken}), 401, "$what: the access token of $k is refused");
            is(refresh($srv, $v->{$k}{refreshToken})->{status}, 401, "$what: the refresh token of $k is refused");
        } else {
            is(me_with_cookie($v->{$k}), 401, "$what: the $k session is refused");
        }
    }
}

# Checks that no session of the user is left unrevoked in the database.
sub none_live {
    my ($v, $what, $keep) = @_;
    is(sql($srv, "SELECT count(*) FROM sessions WHERE user_id = $v->{id} AND revoked_at IS NULL"
        . ($keep ? " AND id != $keep" : '')), 0, "$what: every session is revoked in the database");
}

# Disable, then enable: what the disabling ended stays ended.
{
    my $v = victim();
    my $r = api($srv, 'PATCH', "$users/$v->{id}", token => $admin->{accessToken},
        json => { disabled => JSON::PP::true });
    is($r->{status}, 200, 'an admin disables the user');
    none_live($v, 'disabled');
    is(api($srv, 'PATCH', "$users/$v->{id}", token => $admin->{accessToken},
        json => { disabled => JSON::PP::false })->{status}, 200, 'and enables them again');
    dead($v, 'disabled, then enabled', qw(json json2 cookie cookie2));
    like(sql($srv, "SELECT group_concat(DISTINCT revoked_reason) FROM sessions WHERE user_id = $v->{id}"),
        qr/^disabled$/, 'the sessions were ended for the disabling');
    ok((login_pair($srv, $v->{email}, $v->{pw}))[0], 'the user logs in afresh');
}

# A role change.
{
    my $v = victim();
    is(api($srv, 'PATCH', "$users/$v->{id}", token => $admin->{accessToken},
        json => { role => 'moderator' })->{status}, 200, 'an admin makes the user a moderator');
    none_live($v, 'role change');
    dead($v, 'role change', qw(json json2 cookie cookie2));
    my ($fresh) = login_pair($srv, $v->{email}, $v->{pw});
    is(api($srv, 'PATCH', "$users/$v->{id}", token => $admin->{accessToken},
        json => { role => 'moderator', name => 'Renamed' })->{status}, 200,
        'setting the role the user already has, and a new name');
    is(refresh($srv, $fresh->{refreshToken})->{status}, 200, 'revokes nothing');
}

# A password reset, through the mail.
{
    my $v = victim();
    is(api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $v->{email} })->{status},
        202, 'the user asks for a reset');
    quillctl($srv, 'mail');
    my ($token) = (spool_mails($srv))[-1] =~ /(?:^|token=)([A-Za-z0-9_-]{43})$/m;
    ok($token, 'the mail holds the code');
    is(api($srv, 'POST', '/api/v1/auth/password/reset',
        json => { token => $token, password => 'a brand new password 1' })->{status}, 204, 'and resets');
    none_live($v, 'password reset');
    dead($v, 'password reset', qw(json json2 cookie cookie2));
}

# An email change: every session but the caller's ends, on JSON and on a
# cookie session alike.
for my $via (qw(json cookie)) {
    my $v = victim();
    my %cred = $via eq 'json' ? (token => $v->{json}{accessToken})
        : (headers => { cookie => $v->{cookie}, origin => $srv->{base} });
    my $new = fresh_email();
    my $r = api($srv, 'PATCH', "$users/me", %cred,
        json => { email => $new, currentPassword => $v->{pw} });
    is($r->{status}, 200, "the user asks for a new email ($via session)");
    is(confirm_address($srv, $new)->{status}, 204, 'and the new address confirms it');
    my $keep = $via eq 'json' ? jwt_claims($v->{json}{accessToken})->{sid}
        : sql($srv, "SELECT id FROM sessions WHERE secret_hash = X'" . token_hash($v->{cookie} =~ s/^[^=]*=//r) . "'");
    none_live($v, "email change ($via)", $keep);
    dead($v, "email change ($via)", $via eq 'json' ? qw(json2 cookie cookie2) : qw(json json2 cookie2));
    if ($via eq 'json') {
        is(me_with_token($v->{json}{accessToken}), 401, "the caller's access token is refused too");
        is(refresh($srv, $v->{json}{refreshToken})->{status}, 200, 'but the caller refreshes and goes on');
    } else {
        is(me_with_cookie($v->{cookie}), 200, "the caller's cookie session goes on");
    }
}

# A password change: the same.
{
    my $v = victim();
    is(api($srv, 'POST', '/api/v1/auth/password/change', token => $v->{json}{accessToken},
        json => { currentPassword => $v->{pw}, newPassword => 'another new password 2' })->{status},
        204, 'the user changes their password');
    none_live($v, 'password change', jwt_claims($v->{json}{accessToken})->{sid});
    dead($v, 'password change', qw(json2 cookie cookie2));
    is(refresh($srv, $v->{json}{refreshToken})->{status}, 200, "the caller's session goes on");
}

# Logout everywhere, from a browser session.
{
    my $v = victim();
    is(api($srv, 'POST', '/api/v1/auth/logout', json => { everywhere => JSON::PP::true },
        headers => { cookie => $v->{cookie}, origin => $srv->{base} })->{status}, 204,
        'the user logs out everywhere');
    none_live($v, 'logout everywhere');
    dead($v, 'logout everywhere', qw(json json2 cookie cookie2));
}

# Deleting the account: by an admin, and by its owner.
for my $by (qw(admin self)) {
    my $v = victim();
    my $r = $by eq 'admin'
        ? api($srv, 'DELETE', "$users/$v->{id}", token => $admin->{accessToken})
        : api($srv, 'DELETE', "$users/me", token => $v->{json}{accessToken},
            json => { currentPassword => $v->{pw} });
    is($r->{status}, 204, "the account is deleted ($by)");
    is(sql($srv, "SELECT count(*) FROM sessions WHERE user_id = $v->{id}"), 0,
        "deleted ($by): no session of theirs is left");
    dead($v, "deleted ($by)", qw(json json2 cookie cookie2));
    # The account and sessions made next take none of the deleted ids: an
    # access token names its account and session by id, so the deleted
    # one's would otherwise speak for the newcomer.
    my ($rn, $email, $pw) = register($srv, name => 'Newcomer');
    my ($n) = login_pair($srv, $email, $pw);
    cmp_ok($rn->{json}{data}{id}, '>', $v->{id}, "deleted ($by): the next account takes a new id");
    cmp_ok(jwt_claims($n->{accessToken})->{sid}, '>', jwt_claims($v->{json2}{accessToken})->{sid},
        "deleted ($by): and its session too");
    my $me = api($srv, 'GET', "$users/me", token => $v->{json}{accessToken});
    is($me->{status}, 401, "deleted ($by): the deleted account's token does not become the newcomer's")
        or diag explain $me->{json};
}

# quillctl: disable then enable, and set-role.
{
    my $v = victim();
    my ($rc, $out) = quillctl($srv, "user disable $v->{email}");
    is($rc, 0, 'quillctl disables the user') or diag $out;
    like($out, qr/sessions/, 'and says that it ended their sessions');
    ($rc, $out) = quillctl($srv, "user enable $v->{email}");
    is($rc, 0, 'and enables them again') or diag $out;
    none_live($v, 'quillctl disable, enable');
    dead($v, 'quillctl disable, enable', qw(json json2 cookie cookie2));

    $v = victim();
    ($rc, $out) = quillctl($srv, "user set-role $v->{email} moderator");
    is($rc, 0, 'quillctl sets a role') or diag $out;
    none_live($v, 'quillctl set-role');
    dead($v, 'quillctl set-role', qw(json json2 cookie cookie2));
}

ok(api($srv, 'GET', "$users/me", token => $admin->{accessToken})->{status} == 200,
    "the admin's own session was never touched");

done_testing();
