# quillctl user mfa-reset: an operator ends a user's two-factor sign-in
# (key, recovery codes, open challenges) and their sessions, and the log
# says so; a user without two-factor sign-in, an unknown email and bad
# arguments change nothing.  The key and codes are put in place with
# sqlite3, as enrolment would leave them.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillUsers;

my $srv = start_server();
my $ann = account($srv, name => 'Ann');
my $bob = account($srv, name => 'Bob');

# Ann as enrolment leaves her: a key (a sealed value of 60 bytes), ten
# recovery codes and a challenge of a half-done sign-in.
sql($srv, "INSERT INTO user_totp (user_id, secret, created_at, enabled_at, last_step)
    VALUES ($ann->{id}, randomblob(60), 1700000000, 1700000000, 56666666)");
sql($srv, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
    INSERT INTO recovery_codes (user_id, hash, created_at)
    SELECT $ann->{id}, randomblob(32), 1700000000 FROM n");
sql($srv, "INSERT INTO mfa_challenges (hash, user_id, kind, created_at, expires_at)
    VALUES (randomblob(32), $ann->{id}, 'token', 1700000000, 4000000000)");
sub mfa_rows {
    my ($id) = @_;
    return join ',', map { scalar sql($srv, "SELECT count(*) FROM $_ WHERE user_id = $id") }
        qw(user_totp recovery_codes mfa_challenges);
}
is(mfa_rows($ann->{id}), '1,10,1', 'ann has a key, ten codes and a challenge');
ok(alive($srv, $ann), 'and a working token');

my ($rc, $out) = quillctl($srv, "user mfa-reset \U$ann->{email}\E");
is($rc, 0, 'mfa-reset succeeds (the email in any case)') or diag $out;
like($out, qr/^user $ann->{id} \Q$ann->{email}\E: two-factor sign-in reset \(key and recovery codes deleted\); sessions and access tokens revoked$/m,
    'and says what it did');
like($out, qr/"level":"warn".*"event":"mfa_reset".*"user":"$ann->{id}".*"by":"quillctl"/,
    'a security event is logged, naming the user');
unlike($out, qr/[A-Za-z0-9+\/]{40}/, 'with nothing like a secret in it');
is(mfa_rows($ann->{id}), '0,0,0', 'the key, the codes and the challenge are gone');
ok(!alive($srv, $ann), "ann's token is refused at once");
ok((login($srv, $ann->{email}, $ann->{password}))[0], 'she signs in with her password alone');
is(sql($srv, "SELECT count(*) FROM sessions WHERE user_id = $ann->{id} AND revoked_reason = 'mfa_reset'"), 1,
    'her old session says why it ended');

($rc, $out) = quillctl($srv, "user mfa-reset $bob->{email}");
is($rc, 0, 'mfa-reset of a user without two-factor sign-in succeeds');
like($out, qr/has no two-factor sign-in; nothing changed/, 'and says there was nothing to do');
unlike($out, qr/mfa_reset/, 'and logs no reset');
ok(alive($srv, $bob), "bob's token still works");

my $before = users_dump($srv);
($rc, $out) = quillctl($srv, 'user mfa-reset nobody@example.com');
isnt($rc, 0, 'an unknown email fails');
like($out, qr/no user has the email nobody\@example\.com/, 'and names it');
($rc, $out) = quillctl($srv, 'user mfa-reset');
is($rc, 2, 'no email is a usage error');
like($out, qr/quillctl user mfa-reset EMAIL/, 'and the usage names the command');
($rc, $out) = quillctl($srv, "user mfa-reset $bob->{email} extra");
is($rc, 2, 'an extra argument too');
is(users_dump($srv), $before, 'none of these changed a user');

done_testing();
