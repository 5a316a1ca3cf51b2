# Refresh tokens: issued at login, stored hashed, rotated on every use; a
# spent token comes back within the grace interval (two tabs) -> the
# successor it already had, never another, after it -> the whole session
# ends.  Lifetimes are moved with
# sqlite3, never waited for.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use QuillTest;
use AuthTest;

# A long grace interval, so "within it" never depends on how fast this runs;
# "after it" is made by moving rotated_at back.
my $srv = start_server(settings => { QUILL_REFRESH_GRACE => 300 });
my ($reg, $email, $pw) = register($srv);
my $uid = $reg->{json}{data}{id};

sub me { api($srv, 'GET', '/api/v1/users/me', token => $_[0])->{status} }

# Login answers a pair.
my ($pair, $lr) = login_pair($srv, $email, $pw, 'user-agent' => 'Tab One/1.0');
is($lr->{status}, 200, 'login answers 200');
my $rt0 = $pair->{refreshToken};
like($rt0, qr/^[A-Za-z0-9_-]{43}$/, 'login answers a refresh token: 256 bits in base64url');
is($pair->{tokenType}, 'Bearer', 'with tokenType Bearer');
is($pair->{expiresIn}, 900, 'and expiresIn of the access token');
is($pair->{user}{email}, $email, 'and the user');
my $claims = jwt_claims($pair->{accessToken});
my $sid = $claims->{sid};
like($sid, qr/^\d+$/, 'the access token names its session (sid)');
is(sql($srv, "SELECT user_id || ' ' || kind || ' ' || user_agent FROM sessions WHERE id = $sid"),
    "$uid token Tab One/1.0", 'the session row belongs to the user, kind token, with the user agent');
is(sql($srv, "SELECT count(*) FROM refresh_tokens WHERE hash = X'" . token_hash($rt0) . "' AND session_id = $sid"),
    1, 'the refresh token is stored as its SHA-256');
my $dump = db_sql($srv, '.dump');
unlike($dump, qr/\Q$rt0\E/, 'the refresh token itself is stored nowhere');
is(sql($srv, "SELECT idle_expires_at - created_at, expires_at - created_at FROM sessions WHERE id = $sid"),
    '604800|2592000', 'default lifetimes: 7 days idle, 30 days absolute');
is(me($pair->{accessToken}), 200, 'the access token works');

# Rotation.
my $r = refresh($srv, $rt0);
is($r->{status}, 200, 'refresh answers 200');
my $p1 = $r->{json}{data};
my $rt1 = $p1->{refreshToken};
like($rt1, qr/^[A-Za-z0-9_-]{43}$/, 'with a new refresh token');
isnt($rt1, $rt0, 'that differs from the spent one');
isnt($p1->{accessToken}, $pair->{accessToken}, 'and a new access token');
is($p1->{tokenType}, 'Bearer', 'tokenType Bearer');
is($p1->{expiresIn}, 900, 'expiresIn 900');
is(jwt_claims($p1->{accessToken})->{sid}, $sid, 'the new access token is for the same session');
is(me($p1->{accessToken}), 200, 'the new access token works');
ok(sql($srv, "SELECT rotated_at FROM refresh_tokens WHERE hash = X'" . token_hash($rt0) . "'") > 0,
    'the old refresh token is marked spent');
is(sql($srv, "SELECT rotated_at IS NULL FROM refresh_tokens WHERE hash = X'" . token_hash($rt1) . "'"),
    1, 'the new one is not');
ok(sql($srv, "SELECT last_used_at >= created_at FROM sessions WHERE id = $sid"), 'the session records its use');
$r = refresh($srv, $rt1);
is($r->{status}, 200, 'the new refresh token rotates in turn');
my $rt2 = $r->{json}{data}{refreshToken};

# A spent token within the grace interval gets the successor it already
# has (two tabs), never a new member of the family; once that successor is
# spent too, there is nothing left to hand out.
$r = refresh($srv, $rt0);
is($r->{status}, 401, 'a spent token whose successor was spent too is refused, even within the grace interval');
is(sql($srv, "SELECT revoked_at IS NULL FROM sessions WHERE id = $sid"), 1, 'without ending the session');
$r = refresh($srv, $rt2);
is($r->{status}, 200, 'the current token rotates');
my $rt3 = $r->{json}{data}{refreshToken};
my @replays = map { refresh($srv, $rt2) } 1 .. 5;
is_deeply([map { $_->{status} } @replays], [(200) x 5], 'replayed five times within the grace interval: 200 each time');
is_deeply([map { $_->{json}{data}{refreshToken} } @replays], [($rt3) x 5],
    'each time with the successor it already had');
is(me($_->{json}{data}{accessToken}), 200, 'and a working access token') for $replays[0];
is(sql($srv, "SELECT count(*) FROM refresh_tokens WHERE session_id = $sid AND rotated_at IS NULL"), 1,
    'the family has one live token, not six');
is(sql($srv, "SELECT count(*) FROM refresh_tokens WHERE session_id = $sid"), 4,
    'and no member was added: the login, and three rotations');

# Two refreshes with the same token at the same moment both succeed.
my @res = in_parallel(map { my $t = $rt3; sub {
    post_on_new_connection($srv, '/api/v1/auth/refresh', { refreshToken => $t }) } } 1 .. 2);
my @st = map { /^(\d+)/ ? $1 : 0 } @res;
is_deeply(\@st, [200, 200], 'two concurrent refreshes with one token both answer 200');
my @new = map { /^\d+ (.*)$/s ? decode_json($1)->{data}{refreshToken} : '' } @res;
is($new[0], $new[1], 'with the same refresh token');
is(sql($srv, "SELECT count(*) FROM refresh_tokens WHERE session_id = $sid AND rotated_at IS NULL"), 1,
    'still one live token');
$r = refresh($srv, $new[0]);
is($r->{status}, 200, 'and either tab goes on refreshing');
my $rt5 = $r->{json}{data}{refreshToken};
is(refresh($srv, $new[1])->{json}{data}{refreshToken}, $rt5, 'the other tab, a moment later, gets the same');
is(sql($srv, "SELECT count(DISTINCT session_id) FROM refresh_tokens WHERE session_id = $sid"), 1,
    'all of it in one session');

# Another session of the same user, to see it survive the replay below.
my ($other) = login_pair($srv, $email, $pw);

# A spent token after the grace interval: the whole family is revoked.
sql($srv, "UPDATE refresh_tokens SET rotated_at = rotated_at - 301 WHERE hash = X'" . token_hash($rt0) . "'");
$r = refresh($srv, $rt0);
is($r->{status}, 401, 'a spent token after the grace interval is refused');
is($r->{json}{error}{code}, 'UNAUTHENTICATED', 'UNAUTHENTICATED');
is(sql($srv, "SELECT revoked_reason FROM sessions WHERE id = $sid"), 'refresh_reuse',
    'its session is revoked as a replay');
like(log_text($srv), qr/"event":"refresh_reuse"[^\n]*"sessionId":"$sid"/, 'and the replay is logged');
is(refresh($srv, $_)->{status}, 401, 'every token of the family is dead') for @new, $rt5;
is(me($p1->{accessToken}), 401, "the session's access tokens fail on the next request");
is(refresh($srv, $other->{refreshToken})->{status}, 200, 'other sessions of the user are untouched');

# Idle expiry: a refresh token unused past its idle lifetime.
my ($p) = login_pair($srv, $email, $pw);
my $s2 = jwt_claims($p->{accessToken})->{sid};
sql($srv, "UPDATE refresh_tokens SET expires_at = unixepoch() - 1 WHERE hash = X'" . token_hash($p->{refreshToken}) . "'");
is(refresh($srv, $p->{refreshToken})->{status}, 401, 'an idle-expired refresh token is refused');
is(sql($srv, "SELECT revoked_at IS NULL FROM sessions WHERE id = $s2"), 1, 'expiry is not treated as a replay');

# Absolute expiry bounds every new token, and then ends the session.
($p) = login_pair($srv, $email, $pw);
$s2 = jwt_claims($p->{accessToken})->{sid};
sql($srv, "UPDATE sessions SET expires_at = unixepoch() + 100 WHERE id = $s2");
$r = refresh($srv, $p->{refreshToken});
is($r->{status}, 200, 'a session near its absolute expiry still refreshes');
is(sql($srv, "SELECT expires_at <= (SELECT expires_at FROM sessions WHERE id = $s2) FROM refresh_tokens WHERE hash = X'"
    . token_hash($r->{json}{data}{refreshToken}) . "'"), 1, 'but the new token does not outlive the session');
sql($srv, "UPDATE sessions SET expires_at = unixepoch() - 1 WHERE id = $s2");
is(refresh($srv, $r->{json}{data}{refreshToken})->{status}, 401, 'past the absolute expiry refresh is refused');
is(me($r->{json}{data}{accessToken}), 401, 'and its access tokens fail too');

# A token version bump kills access tokens; refreshing picks up the new version.
($p) = login_pair($srv, $email, $pw);
sql($srv, "UPDATE users SET token_version = token_version + 1 WHERE id = $uid");
is(me($p->{accessToken}), 401, 'a bumped token version rejects the access token');
$r = refresh($srv, $p->{refreshToken});
is($r->{status}, 200, 'the session can still refresh');
is(jwt_claims($r->{json}{data}{accessToken})->{ver}, sql($srv, "SELECT token_version FROM users WHERE id = $uid"),
    'with the new version');
is(me($r->{json}{data}{accessToken}), 200, 'and the new access token works');

# A disabled user cannot refresh.
($p) = login_pair($srv, $email, $pw);
sql($srv, "UPDATE users SET disabled = 1 WHERE id = $uid");
is(refresh($srv, $p->{refreshToken})->{status}, 401, 'a disabled user cannot refresh');
sql($srv, "UPDATE users SET disabled = 0 WHERE id = $uid");

# Bad requests change nothing.
my $before = sql($srv, 'SELECT count(*), coalesce(sum(rotated_at), 0) FROM refresh_tokens');
$r = api($srv, 'POST', '/api/v1/auth/refresh', json => {});
is($r->{status}, 422, 'refresh without a token is 422');
is($r->{json}{error}{details}[0]{field}, 'refreshToken', 'naming refreshToken');
$r = api($srv, 'POST', '/api/v1/auth/refresh', json => { refreshToken => 42 });
is($r->{status}, 422, 'a token that is not a string is 422');
for my $bad ('garbage', 'A' x 43, substr($p->{refreshToken}, 0, 42), $p->{accessToken}) {
    $r = refresh($srv, $bad);
    is($r->{status}, 401, 'an unknown or malformed refresh token is 401');
}
is(sql($srv, 'SELECT count(*), coalesce(sum(rotated_at), 0) FROM refresh_tokens'), $before,
    'and no refresh token changed');
$r = api($srv, 'GET', '/api/v1/auth/refresh');
is($r->{status}, 405, 'GET /auth/refresh is 405');
is($r->{headers}{allow}, 'POST', 'Allow: POST');

# A grace interval of 0: any replay ends the session.
my $strict = start_server(settings => { QUILL_REFRESH_GRACE => 0,
    QUILL_REFRESH_IDLE_TTL => 120, QUILL_REFRESH_ABSOLUTE_TTL => 600,
    QUILL_ACCESS_TTL => 120 });
my (undef, $e2, $pw2) = register($strict);
($p) = login_pair($strict, $e2, $pw2);
my $s3 = jwt_claims($p->{accessToken})->{sid};
is(sql($strict, "SELECT idle_expires_at - created_at, expires_at - created_at FROM sessions WHERE id = $s3"),
    '120|600', 'the lifetimes are configurable');
# The clock moves on a second, so "now - rotated_at" is past a zero grace.
$r = refresh($strict, $p->{refreshToken});
is($r->{status}, 200, 'rotation works');
sql($strict, "UPDATE refresh_tokens SET rotated_at = rotated_at - 1 WHERE hash = X'" . token_hash($p->{refreshToken}) . "'");
is(refresh($strict, $p->{refreshToken})->{status}, 401, 'with no grace interval a replay is refused');
is(sql($strict, "SELECT revoked_reason FROM sessions WHERE id = $s3"), 'refresh_reuse', 'and ends the session');

done_testing();
