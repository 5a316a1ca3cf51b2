# Sessions: the list, revoking one, all but the current one, logout and
# logout everywhere; a revoked session's access token fails on the very
# next request.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;

my $srv = start_server();
my (undef, $email, $pw) = register($srv);
my (undef, $email2, $pw2) = register($srv);

sub me { api($srv, 'GET', '/api/v1/users/me', token => $_[0])->{status} }
sub sid_of { jwt_claims($_[0]{accessToken})->{sid} }
sub sessions_table { sql($srv, 'SELECT * FROM sessions ORDER BY id') }

# Three logins from three "devices"; one of another user.
my @p = map { (login_pair($srv, $email, $pw, 'user-agent' => "Device $_"))[0] } 1 .. 3;
my ($stranger) = login_pair($srv, $email2, $pw2);
my @sid = map { sid_of($_) } @p;

# The list.
my $before = sessions_table();
my $r = api($srv, 'GET', '/api/v1/auth/sessions', token => $p[1]{accessToken});
is($r->{status}, 200, 'GET /auth/sessions answers 200');
my @list = @{ $r->{json}{data} };
is_deeply([map { $_->{id} } @list], [reverse @sid], "the caller's three sessions, newest first");
is_deeply([map { $_->{current} ? 1 : 0 } @list], [0, 1, 0], 'the session of the access token is current');
is_deeply([map { $_->{userAgent} } @list], ['Device 3', 'Device 2', 'Device 1'], 'with their user agents');
is($list[0]{ip}, '127.0.0.1', 'and client addresses');
is($list[0]{kind}, 'token', 'API logins are sessions of kind token');
like($list[0]{$_}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, "$_ is RFC 3339") for qw(createdAt lastUsedAt);
is_deeply([sort keys %{ $list[0] }], [sort qw(id kind createdAt lastUsedAt userAgent ip current)],
    'and nothing else: no token, no hash');
is(sessions_table(), $before, 'listing sessions writes nothing');
is($r->{headers}{'cache-control'}, 'no-store', 'the list is not cached');

# Pages.
$r = api($srv, 'GET', '/api/v1/auth/sessions?limit=2', token => $p[0]{accessToken});
is(scalar @{ $r->{json}{data} }, 2, 'limit=2 answers two sessions');
ok($r->{json}{meta}{hasMore}, 'and says there are more');
my $next = $r->{json}{meta}{nextCursor};
$r = api($srv, "GET", "/api/v1/auth/sessions?limit=2&cursor=$next", token => $p[0]{accessToken});
is_deeply([map { $_->{id} } @{ $r->{json}{data} }], [$sid[0]], 'the cursor gives the rest');
ok(!$r->{json}{meta}{hasMore}, 'and no more');
$r = api($srv, 'GET', '/api/v1/auth/sessions?page=1&perPage=2&order=asc', token => $p[0]{accessToken});
is_deeply([map { $_->{id} } @{ $r->{json}{data} }], [@sid[0, 1]], 'offset pages in ascending order');
is($r->{json}{meta}{total}, 3, 'with a total');
$r = api($srv, 'GET', '/api/v1/auth/sessions?cursor=bogus', token => $p[0]{accessToken});
is($r->{status}, 400, 'a bad cursor is 400');

$r = api($srv, 'GET', '/api/v1/auth/sessions');
is($r->{status}, 401, 'the list needs a login');

# A session unused past its idle expiry is over, however far its absolute
# expiry: not listed, not counted, not revocable.
{
    my (undef, $e3, $pw3) = register($srv);
    my ($live) = login_pair($srv, $e3, $pw3, 'user-agent' => 'In use');
    my ($idle) = login_pair($srv, $e3, $pw3, 'user-agent' => 'Left idle');
    my ($live_sid, $idle_sid) = map { sid_of($_) } $live, $idle;
    my $ids = sub { [map { $_->{id} } @{ $_[0]{json}{data} // [] }] };
    my $list = sub { api($srv, 'GET', "/api/v1/auth/sessions$_[0]", token => $live->{accessToken}) };
    my $pages = '?page=1&perPage=10&order=asc';
    $r = $list->($pages);
    is_deeply($ids->($r), [$live_sid, $idle_sid], 'both sessions are listed while both are live');
    is($r->{json}{meta}{total}, 2, 'and counted');
    # What time does to an unused session: its refresh token and its idle
    # expiry run out; its absolute expiry is weeks away.
    sql($srv, "UPDATE refresh_tokens SET expires_at = strftime('%s','now') - 1 WHERE session_id = $idle_sid");
    sql($srv, "UPDATE sessions SET idle_expires_at = strftime('%s','now') - 1 WHERE id = $idle_sid");
    my $state = sessions_table();
    $r = $list->('');
    is_deeply($ids->($r), [$live_sid], 'a session past its idle expiry is not listed');
    $r = $list->('?limit=1&order=asc');
    ok(!$r->{json}{meta}{hasMore}, 'nor left for a next page');
    $r = $list->($pages);
    is_deeply($ids->($r), [$live_sid], 'nor in offset pages');
    is($r->{json}{meta}{total}, 1, 'nor counted in meta.total');
    $r = api($srv, 'DELETE', "/api/v1/auth/sessions/$idle_sid", token => $live->{accessToken});
    is($r->{status}, 404, 'and revoking it is 404, as for any ended session');
    is(refresh($srv, $idle->{refreshToken})->{status}, 401, 'its refresh token is dead');
    $r = api($srv, 'GET', '/api/v1/users/me', token => $idle->{accessToken});
    is($r->{status}, 401, 'and so is its access token, though not yet expired itself');
    is(sessions_table(), $state, 'none of which changed anything');
}

# Revoking one session.
$before = sessions_table();
$r = api($srv, 'DELETE', "/api/v1/auth/sessions/999999", token => $p[1]{accessToken});
is($r->{status}, 404, 'an unknown session is 404');
$r = api($srv, 'DELETE', '/api/v1/auth/sessions/' . sid_of($stranger), token => $p[1]{accessToken});
is($r->{status}, 404, "another user's session is 404, as if it did not exist");
is(sessions_table(), $before, 'and nothing changed');
is(me($stranger->{accessToken}), 200, "the other user's session lives on");
$r = api($srv, 'DELETE', "/api/v1/auth/sessions/$sid[0]", token => $p[1]{accessToken});
is($r->{status}, 204, 'DELETE /auth/sessions/{id} answers 204');
is(me($p[0]{accessToken}), 401, "the revoked session's access token fails on the next request");
is(refresh($srv, $p[0]{refreshToken})->{status}, 401, 'and its refresh token too');
is(me($p[1]{accessToken}), 200, 'the caller goes on');
$r = api($srv, 'DELETE', "/api/v1/auth/sessions/$sid[0]", token => $p[1]{accessToken});
is($r->{status}, 404, 'revoking it again is 404');
like(log_text($srv), qr/"event":"session_revoked"[^\n]*"sessionId":"$sid[0]"/, 'the revocation is logged');
$r = api($srv, 'GET', '/api/v1/auth/sessions', token => $p[1]{accessToken});
is_deeply([map { $_->{id} } @{ $r->{json}{data} }], [@sid[2, 1]], 'the list no longer shows it');

# All but the current one.
my @q = map { (login_pair($srv, $email, $pw))[0] } 1 .. 2;
$r = api($srv, 'DELETE', '/api/v1/auth/sessions', token => $p[2]{accessToken});
is($r->{status}, 204, 'DELETE /auth/sessions answers 204');
is(me($_->{accessToken}), 401, 'other sessions are revoked') for $p[1], @q;
is(me($p[2]{accessToken}), 200, 'the current one is not');
is(refresh($srv, $p[2]{refreshToken})->{status}, 200, 'and still refreshes');
is(me($stranger->{accessToken}), 200, "another user's sessions are untouched");
$r = api($srv, 'GET', '/api/v1/auth/sessions', token => $p[2]{accessToken});
is(scalar @{ $r->{json}{data} }, 1, 'one session is left');

# Logout with the refresh token.
my ($la) = login_pair($srv, $email, $pw);
$r = api($srv, 'POST', '/api/v1/auth/logout', json => { refreshToken => $la->{refreshToken} });
is($r->{status}, 204, 'logout with the refresh token answers 204');
is(me($la->{accessToken}), 401, "the session's access token fails on the next request");
is(refresh($srv, $la->{refreshToken})->{status}, 401, 'the refresh token is dead');
$r = api($srv, 'POST', '/api/v1/auth/logout', json => { refreshToken => $la->{refreshToken} });
is($r->{status}, 401, 'logging out again is 401');

# Logout with the access token alone.
my ($lb) = login_pair($srv, $email, $pw);
$r = api($srv, 'POST', '/api/v1/auth/logout', token => $lb->{accessToken});
is($r->{status}, 204, 'logout with only the access token answers 204');
is(refresh($srv, $lb->{refreshToken})->{status}, 401, 'and ends that session');

# Someone else's refresh token with my access token changes nothing.
my ($c) = login_pair($srv, $email, $pw);
$before = sessions_table();
$r = api($srv, 'POST', '/api/v1/auth/logout', token => $c->{accessToken},
    json => { refreshToken => $stranger->{refreshToken} });
is($r->{status}, 401, "logging out another user's session is refused");
is(sessions_table(), $before, 'and changes nothing');
$r = api($srv, 'POST', '/api/v1/auth/logout');
is($r->{status}, 401, 'logout without credentials is 401');
$r = api($srv, 'POST', '/api/v1/auth/logout', json => { refreshToken => 'nonsense' });
is($r->{status}, 401, 'logout with a bad refresh token is 401');
$r = api($srv, 'POST', '/api/v1/auth/logout', json => { everywhere => 'yes' }, token => $c->{accessToken});
is($r->{status}, 422, 'everywhere must be a boolean');
is(sessions_table(), $before, 'refused logouts change nothing');

# Logout everywhere: every session and every access token.
my ($d) = login_pair($srv, $email, $pw);
my $ver = sql($srv, "SELECT token_version FROM users WHERE email = '$email'");
$r = api($srv, 'POST', '/api/v1/auth/logout', token => $c->{accessToken}, json => { everywhere => JSON::PP::true });
is($r->{status}, 204, 'logout everywhere answers 204');
is(sql($srv, "SELECT token_version FROM users WHERE email = '$email'"), $ver + 1, 'the token version is bumped');
is(me($_->{accessToken}), 401, 'every access token fails') for $c, $d, $p[2];
is(refresh($srv, $_->{refreshToken})->{status}, 401, 'every session is over') for $c, $d, $p[2];
is(sql($srv, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '$email' AND revoked_at IS NULL"),
    0, 'no live session is left');
is(me($stranger->{accessToken}), 200, 'other users are untouched');

done_testing();
