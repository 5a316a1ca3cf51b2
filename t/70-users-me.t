# /users/me: read, change the name and the email, delete the account; and
# GET /users/{id} as the public sees it.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillUsers;
use AuthTest qw(confirm_address);

my $srv = start_server();
my $ada = account($srv, name => 'Ada');
my $bob = account($srv, name => 'Bob');
my $me = '/api/v1/users/me';

my $r = api($srv, 'GET', $me, token => $ada->{token});
is($r->{status}, 200, 'GET /users/me is 200');
is($r->{json}{data}{name}, 'Ada', 'with my name');
my $created = $r->{json}{data}{createdAt};

# The name.
sql($srv, "UPDATE users SET updated_at = 1000 WHERE id = $ada->{id}");
$r = api($srv, 'PATCH', $me, token => $ada->{token}, json => { name => 'Ada Lovelace' });
is($r->{status}, 200, 'PATCH /users/me with a name is 200');
is($r->{json}{data}{name}, 'Ada Lovelace', 'the answer has the new name');
is($r->{json}{data}{email}, $ada->{email}, 'and the full self');
is($r->{json}{data}{createdAt}, $created, 'createdAt is kept');
isnt($r->{json}{data}{updatedAt}, '1970-01-01T00:16:40Z', 'updatedAt moves');
is(sql($srv, "SELECT name FROM users WHERE id = $ada->{id}"), 'Ada Lovelace', 'the name is stored');
$r = api($srv, 'PATCH', $me, token => $ada->{token}, form => { name => 'Ada by form' },
    headers => { accept => 'application/json', origin => $srv->{base} });
is($r->{status}, 200, 'a urlencoded form works too');
is($r->{json}{data}{name}, 'Ada by form', 'and sets the name');

$r = refused($srv, 422, 'an empty body', 'PATCH', $me, token => $ada->{token}, json => {});
is_deeply(details($r), { name => 'one_required', email => 'one_required' },
    'an empty change names the fields that can be changed');
$r = refused($srv, 422, 'an empty name', 'PATCH', $me, token => $ada->{token}, json => { name => '' });
is(details($r)->{name}, 'too_short', 'an empty name is too_short');
$r = refused($srv, 422, 'a name of the wrong type', 'PATCH', $me, token => $ada->{token}, json => { name => 42 });
is(details($r)->{name}, 'invalid_type', 'a number is not a name');
$r = refused($srv, 422, 'a 101-character name', 'PATCH', $me, token => $ada->{token}, json => { name => 'n' x 101 });
is(details($r)->{name}, 'too_long', 'a 101-character name is too_long');
refused($srv, 400, 'malformed JSON', 'PATCH', $me, token => $ada->{token}, json => '{"name":');
refused($srv, 401, 'no token', 'PATCH', $me, json => { name => 'Anonymous' });

# Mass assignment: nothing but name and email is taken from the body.
my $guarded = 'SELECT id, role, disabled, token_version, password_hash, created_at FROM users';
my $before = join "\n", sql($srv, "$guarded ORDER BY id");
$r = api($srv, 'PATCH', $me, token => $ada->{token}, json => {
    name => 'Ada', id => $bob->{id}, role => 'admin', disabled => JSON::PP::true,
    tokenVersion => 99, token_version => 99, passwordHash => 'x', password_hash => 'x',
    createdAt => '2000-01-01T00:00:00Z', created_at => 1, updatedAt => '2000-01-01T00:00:00Z' });
is($r->{status}, 200, 'a body with fields one may not set still changes the name');
is($r->{json}{data}{role}, 'user', 'role is not taken from the body');
is($r->{json}{data}{id}, $ada->{id}, 'the id is not taken from the body');
is(join("\n", sql($srv, "$guarded ORDER BY id")), $before,
    'id, role, disabled, token version, hash and createdAt are unchanged');
refused($srv, 422, 'a body with only fields one may not set', 'PATCH', $me, token => $ada->{token},
    json => { role => 'admin', tokenVersion => 0 });
is(api($srv, 'GET', $me, token => $ada->{token})->{status}, 200, 'the token still works');

# The email: only with the current password.
my $new = 'ada.' . fresh_email();
$r = refused($srv, 422, 'an email without currentPassword', 'PATCH', $me, token => $ada->{token}, json => { email => $new });
is(details($r)->{currentPassword}, 'required', 'currentPassword is required to change the email');
$r = refused($srv, 422, 'an email with a wrong currentPassword', 'PATCH', $me, token => $ada->{token},
    json => { email => $new, currentPassword => 'not my password at all' });
is(details($r)->{currentPassword}, 'invalid_value', 'a wrong current password is invalid_value on currentPassword');
like($r->{json}{error}{details}[0]{message}, qr/current password is incorrect/, 'and says so');
like(log_text($srv), qr/"event":"current_password_wrong"/, 'and is logged');
$r = refused($srv, 422, 'a malformed email', 'PATCH', $me, token => $ada->{token},
    json => { email => 'not-an-email', currentPassword => $ada->{password} });
is(details($r)->{email}, 'invalid_format', 'a malformed email is invalid_format');
# An address in use is not refused here, which would tell who has one:
# only its confirmation fails (t/56-email-change.t).
$r = api($srv, 'PATCH', $me, token => $ada->{token},
    json => { email => uc $bob->{email}, currentPassword => $ada->{password} });
is($r->{status}, 200, "another user's email is taken as a request like any");
is($r->{json}{data}{email}, $ada->{email}, 'and changes nothing yet');
$r = api($srv, 'PATCH', $me, token => $ada->{token},
    json => { email => $new, currentPassword => $ada->{password} });
is($r->{status}, 200, 'the email change is asked for with the current password');
is($r->{json}{data}{pendingEmail}, $new, 'the answer has the new email, pending');
is(confirm_address($srv, $new)->{status}, 204, 'the new address confirms it');
ok((login($srv, $new, $ada->{password}))[0], 'login works with the new email');
ok(!(login($srv, $ada->{email}, $ada->{password}))[0], 'and no longer with the old one');
is(api($srv, 'GET', $me, token => $ada->{token})->{status}, 401,
    "changing the email ends the access tokens, the caller's too (t/55-revoke.t has the rest)");
$ada->{email} = $new;
($ada->{token}) = login($srv, $new, $ada->{password});

# GET /users/{id}: the public sees the public profile.
$r = api($srv, 'GET', "/api/v1/users/$ada->{id}");
is($r->{status}, 200, 'anyone may read a profile');
is_deeply([ sort keys %{ $r->{json}{data} } ], [qw(createdAt id name)],
    'the public profile is id, name and createdAt, never the email');
$r = api($srv, 'GET', "/api/v1/users/$ada->{id}", token => $bob->{token});
ok(!exists $r->{json}{data}{email}, 'another user sees no email either');
$r = api($srv, 'GET', "/api/v1/users/$ada->{id}", token => $ada->{token});
is($r->{json}{data}{email}, $ada->{email}, 'the user sees their own email');
unlike($r->{content}, qr/argon2|tokenVersion|passwordHash/i, 'and no secrets');
$r = api($srv, 'GET', "/api/v1/users/$ada->{id}", token => 'not.a.token');
is($r->{status}, 401, 'a bad token on a public read is still 401');
is(api($srv, 'GET', '/api/v1/users/999999')->{status}, 404, 'an unknown id is 404');
is(api($srv, 'GET', '/api/v1/users/0')->{status}, 404, 'id 0 is 404');
is(api($srv, 'GET', '/api/v1/users/abc')->{status}, 404, 'a non-numeric id is 404');
is(api($srv, 'PUT', $me, token => $ada->{token}, json => { name => 'x' })->{status}, 405,
    'PUT /users/me is 405');

# Delete the account: posts and sessions go with it.  A stand-in table with
# the same foreign key as posts shows the cascade (so foreign keys are on).
sql($srv, 'CREATE TABLE t_owned (id INTEGER PRIMARY KEY, '
    . 'owner INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE)');
sql($srv, "INSERT INTO t_owned (owner) VALUES ($ada->{id}), ($ada->{id}), ($bob->{id})");
$r = refused($srv, 422, 'DELETE without currentPassword', 'DELETE', $me, token => $ada->{token});
is(details($r)->{currentPassword}, 'required', 'deleting needs currentPassword');
$r = refused($srv, 422, 'DELETE with a wrong password', 'DELETE', $me, token => $ada->{token},
    json => { currentPassword => 'not my password at all' });
is(details($r)->{currentPassword}, 'invalid_value', 'a wrong password is invalid_value here too');
refused($srv, 401, 'DELETE anonymously', 'DELETE', $me, json => { currentPassword => $ada->{password} });
$r = api($srv, 'DELETE', $me, token => $ada->{token}, json => { currentPassword => $ada->{password} });
is($r->{status}, 204, 'DELETE /users/me with the password is 204');
is($r->{content} // '', '', 'with no body');
is(sql($srv, "SELECT count(*) FROM users WHERE id = $ada->{id}"), 0, 'the user is gone');
is(sql($srv, "SELECT count(*) FROM t_owned WHERE owner = $ada->{id}"), 0, "the user's rows went with them");
is(sql($srv, "SELECT count(*) FROM t_owned WHERE owner = $bob->{id}"), 1, "other users' rows stay");
is(api($srv, 'GET', $me, token => $ada->{token})->{status}, 401, 'the old token is refused at once');
ok(!(login($srv, $ada->{email}, $ada->{password}))[0], 'and the account cannot log in');
is(api($srv, 'GET', "/api/v1/users/$ada->{id}")->{status}, 404, 'the profile is 404');

# A form body works for DELETE too.
$r = api($srv, 'DELETE', $me, token => $bob->{token}, form => { currentPassword => $bob->{password} },
    headers => { accept => 'application/json', origin => $srv->{base} });
is($r->{status}, 204, 'DELETE /users/me takes the password from a form');
is(sql($srv, "SELECT count(*) FROM t_owned"), 0, 'and the cascade ran again');

unlike(log_text($srv), qr/\Q$bob->{password}\E/, 'passwords never reach the log');

done_testing();
