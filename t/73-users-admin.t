# Admin operations: the last active admin cannot be demoted, disabled or
# deleted; a role change or disabling kills the user's access tokens at
# once; a disabled user cannot log in; what an admin may set and no more.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use HTTP::Tiny;
use POSIX ();
use JSON::PP;
use QuillTest;
use QuillUsers;

my $srv = start_server();
my $A = account($srv, role => 'admin', name => 'Admin A');
my $U = account($srv, name => 'Ursula');
my $users = '/api/v1/users';

sub version { sql($srv, "SELECT token_version FROM users WHERE id = $_[0]{id}") }

# The last admin.  A disabled admin does not count: they cannot act.
my $D = account($srv, role => 'admin', name => 'Disabled Admin');
sql($srv, "UPDATE users SET disabled = 1 WHERE id = $D->{id}");
for my $change ({ role => 'user' }, { role => 'moderator' }, { disabled => JSON::PP::true }) {
    my $r = refused($srv, 409, 'the last admin demoting or disabling themselves: ' . encode_json($change),
        'PATCH', "$users/$A->{id}", token => $A->{token}, json => $change);
    is($r->{json}{error}{code}, 'CONFLICT', 'with CONFLICT');
    like($r->{json}{error}{message}, qr/last active admin/, 'and a message that says why');
}
refused($srv, 409, 'the last admin deleting themselves by id', 'DELETE', "$users/$A->{id}", token => $A->{token});
refused($srv, 409, 'the last admin deleting their account', 'DELETE', "$users/me", token => $A->{token},
    json => { currentPassword => $A->{password} });
my $v = version($A);
my $r = api($srv, 'PATCH', "$users/$A->{id}", token => $A->{token},
    json => { role => 'admin', disabled => JSON::PP::false, name => 'Still Admin' });
is($r->{status}, 200, 'the last admin may change what keeps them an admin');
is(version($A), $v, 'setting the role one already has revokes nothing');
ok(alive($srv, $A), 'and the token still works');
is(api($srv, 'DELETE', "$users/$D->{id}", token => $A->{token})->{status}, 204,
    'a disabled admin may be deleted: they are not an active admin');

# With a second admin, either may step down, but not both.
my $B = account($srv, role => 'admin', name => 'Admin B');
$v = version($B);
$r = api($srv, 'PATCH', "$users/$B->{id}", token => $A->{token}, json => { role => 'moderator' });
is($r->{status}, 200, 'an admin demotes another admin');
is($r->{json}{data}{role}, 'moderator', 'the answer shows the new role');
is(version($B), $v + 1, 'the token version moved on');
$r = api($srv, 'GET', "$users/me", token => $B->{token});
is($r->{status}, 401, "the demoted admin's old token is refused on the very next request");
like($r->{headers}{'www-authenticate'} // '', qr/invalid_token/, 'as an invalid token');
is(api($srv, 'PATCH', "$users/$B->{id}", token => $A->{token}, json => { role => 'admin' })->{status}, 200,
    'and promoted again');
($B->{token}) = login($srv, $B->{email}, $B->{password});
is(api($srv, 'PATCH', "$users/$A->{id}", token => $A->{token}, json => { role => 'user' })->{status}, 200,
    'now A may demote themselves');
ok(!alive($srv, $A), "A's token died with the demotion");
refused($srv, 409, 'B, now the last admin, disabling themselves', 'PATCH', "$users/$B->{id}", token => $B->{token},
    json => { disabled => JSON::PP::true });
refused($srv, 409, 'B deleting their account', 'DELETE', "$users/me", token => $B->{token},
    json => { currentPassword => $B->{password} });

# Revocation of an ordinary user on a role change, and the new role after
# logging in again.
$v = version($U);
$r = api($srv, 'PATCH', "$users/$U->{id}", token => $B->{token}, json => { role => 'moderator' });
is($r->{status}, 200, 'an admin makes a user a moderator');
is(version($U), $v + 1, 'the token version moved on by one');
is(api($srv, 'GET', "$users/me", token => $U->{token})->{status}, 401, "the user's old token is dead at once");
($U->{token}) = login($srv, $U->{email}, $U->{password});
is(api($srv, 'GET', $users, token => $U->{token})->{status}, 200, 'after logging in again the moderator may list users');
$v = version($U);
is(api($srv, 'PATCH', "$users/$U->{id}", token => $B->{token}, json => { name => 'Ursula M' })->{status}, 200,
    'a rename by an admin');
is(version($U), $v, 'revokes nothing');
ok(alive($srv, $U), 'the token still works after a rename');

# Disabling.
$r = api($srv, 'PATCH', "$users/$U->{id}", token => $B->{token}, json => { disabled => JSON::PP::true });
is($r->{status}, 200, 'an admin disables a user');
is($r->{json}{data}{disabled}, JSON::PP::true, 'the answer says disabled');
is(version($U), $v + 1, 'disabling bumps the token version');
is(api($srv, 'GET', "$users/me", token => $U->{token})->{status}, 401, "the disabled user's token is dead at once");
my (undef, $lr) = login($srv, $U->{email}, $U->{password});
my (undef, $wrong) = login($srv, $U->{email}, 'not the password at all');
is($lr->{status}, 401, 'a disabled user cannot log in');
delete $_->{json}{meta} for $lr, $wrong;
is_deeply($lr->{json}, $wrong->{json}, 'with the same answer as a wrong password');
is(api($srv, 'GET', "$users/$U->{id}")->{status}, 200, 'the public profile of a disabled user stays readable');
$r = api($srv, 'PATCH', "$users/$U->{id}", token => $B->{token}, form => { disabled => 'false' },
    headers => { accept => 'application/json', origin => $srv->{base} });
is($r->{status}, 200, 'enabling again (from a form)');
is($r->{json}{data}{disabled}, JSON::PP::false, 'the answer says enabled');
is(api($srv, 'GET', "$users/me", token => $U->{token})->{status}, 401, 'tokens from before the disabling stay dead');
($U->{token}) = login($srv, $U->{email}, $U->{password});
ok($U->{token} && alive($srv, $U), 'the enabled user logs in again');

# What an admin may set, and nothing more.
$r = refused($srv, 422, 'an unknown role', 'PATCH', "$users/$U->{id}", token => $B->{token}, json => { role => 'root' });
is(details($r)->{role}, 'invalid_value', 'an unknown role is invalid_value');
$r = refused($srv, 422, 'disabled as a string in JSON', 'PATCH', "$users/$U->{id}", token => $B->{token}, json => { disabled => 'yes' });
is(details($r)->{disabled}, 'invalid_type', 'disabled must be a boolean');
$r = refused($srv, 422, 'no field an admin may set', 'PATCH', "$users/$U->{id}", token => $B->{token},
    json => { email => 'new@example.com', tokenVersion => 0, passwordHash => 'x' });
is_deeply(details($r), { name => 'one_required', role => 'one_required', disabled => 'one_required' },
    'the details name the fields an admin may set');
my $guarded = "SELECT id, email, token_version, password_hash, created_at FROM users WHERE id = $U->{id}";
my $before = sql($srv, $guarded);
$r = api($srv, 'PATCH', "$users/$U->{id}", token => $B->{token},
    json => { name => 'Ursula N', email => 'new@example.com', id => 1, tokenVersion => 0,
        passwordHash => 'x', password => 'another fine passphrase', createdAt => '2000-01-01T00:00:00Z' });
is($r->{status}, 200, 'a body with other fields still sets the name');
is(sql($srv, $guarded), $before, 'email, id, token version, hash and createdAt are never taken from it');
ok(alive($srv, $U), 'and the user keeps their token');

# Delete by id.
sql($srv, 'CREATE TABLE t_owned (id INTEGER PRIMARY KEY, '
    . 'owner INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE)');
sql($srv, "INSERT INTO t_owned (owner) VALUES ($U->{id})");
is(api($srv, 'DELETE', "$users/$U->{id}", token => $B->{token})->{status}, 204, 'an admin deletes a user');
is(sql($srv, "SELECT count(*) FROM users WHERE id = $U->{id}"), 0, 'the user is gone');
is(sql($srv, 'SELECT count(*) FROM t_owned'), 0, 'with what they owned');
ok(!alive($srv, $U), 'and their token with them');
is(api($srv, 'DELETE', "$users/$U->{id}", token => $B->{token})->{status}, 404, 'deleting again is 404');

# Two admins demoting each other at the same moment: the write lock orders
# the two, and the second finds itself facing the last admin (or, if its
# caller was demoted before it was authenticated, a dead token).
my $C = account($srv, role => 'admin', name => 'Admin C');
for my $round (1 .. 3) {
    for my $x ($B, $C) {
        sql($srv, "UPDATE users SET role = 'admin' WHERE id = $x->{id}");
        ($x->{token}) = login($srv, $x->{email}, $x->{password});
    }
    sql($srv, "UPDATE users SET role = 'user' WHERE role = 'admin' AND id NOT IN ($B->{id}, $C->{id})");
    my @kids;
    for my $pair ([ $B, $C ], [ $C, $B ]) {
        my ($by, $target) = @$pair;
        my $pid = fork() // die "fork: $!";
        if ($pid == 0) {
            my $res = HTTP::Tiny->new(timeout => 30)->request('PATCH', "$srv->{base}$users/$target->{id}",
                { headers => { authorization => "Bearer $by->{token}", 'content-type' => 'application/json' },
                  content => '{"role":"user"}' });
            contract_record('PATCH', "$users/$target->{id}", $res);
            POSIX::_exit($res->{status} - 200);
        }
        push @kids, $pid;
    }
    my @status = sort map { waitpid($_, 0); ($? >> 8) + 200 } @kids;
    is($status[0], 200, "round $round: one demotion succeeds");
    ok($status[1] == 409 || $status[1] == 401, "round $round: the other is refused ($status[1])");
    is(sql($srv, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"), 1,
        "round $round: exactly one active admin remains");
}

done_testing();
