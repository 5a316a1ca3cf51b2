# quillctl user list, set-role, disable, enable, delete: the same rules as
# the API (last admin, revocation), against a running server.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillUsers;

my $srv = start_server();
my ($rc, $out) = quillctl($srv, 'user add root@example.com --role admin --name Root', "an admin passphrase\n");
is($rc, 0, 'an admin is added') or diag $out;
my $ann = account($srv, name => 'Ann');
my $me = '/api/v1/users/me';

# Runs quillctl and checks that it failed with a message and changed nothing.
sub ctl_refused {
    my ($args, $re, $what) = @_;
    my $before = users_dump($srv);
    my ($code, $text) = quillctl($srv, $args);
    isnt($code, 0, "$what: quillctl fails");
    like($text, $re, "$what: and says why");
    is(users_dump($srv), $before, "$what: nothing changed");
}

($rc, $out) = quillctl($srv, 'user list');
is($rc, 0, 'user list succeeds');
like($out, qr/^ID\s+EMAIL\s+NAME\s+ROLE\s+STATUS\s+CREATED$/m, 'with a header line');
like($out, qr/^\d+\s+root\@example\.com\s+Root\s+admin\s+active\s+\d{4}-/m, 'a row for the admin');
like($out, qr/^$ann->{id}\s+\Q$ann->{email}\E\s+Ann\s+user\s+active/m, 'a row for the user');
like($out, qr/^2 users$/m, 'and a count');
# More than one page of the store's keyset walk.
sql($srv, q{WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150)
    INSERT INTO users (email, name, password_hash, created_at, updated_at)
    SELECT printf('bulk%03d@example.com', i), 'Bulk', 'x', 1700000000 + i % 3, 1 FROM n});
($rc, $out) = quillctl($srv, 'user list');
my @ids = $out =~ /^(\d+) /mg;
my %seen;
is(scalar(grep { !$seen{$_}++ } @ids), 152, 'user list prints all 152 users once, across pages');
like($out, qr/^152 users$/m, 'and counts them');
($rc, $out) = quillctl($srv, 'user list --role admin');
like($out, qr/root\@example\.com/, 'list --role admin shows the admin');
unlike($out, qr/bulk|\Q$ann->{email}\E/, 'and no one else');
sql($srv, "DELETE FROM users WHERE email LIKE 'bulk%'");

# set-role revokes at once.
($rc, $out) = quillctl($srv, "user set-role \U$ann->{email}\E moderator");
is($rc, 0, 'set-role succeeds (the email in any case)') or diag $out;
like($out, qr/role user -> moderator; sessions and access tokens revoked/, 'and says what it did');
is(sql($srv, "SELECT role FROM users WHERE id = $ann->{id}"), 'moderator', 'the role is stored');
ok(!alive($srv, $ann), "the user's old token is refused at once");
($ann->{token}) = login($srv, $ann->{email}, $ann->{password});
is(api($srv, 'GET', '/api/v1/users', token => $ann->{token})->{status}, 200, 'the new role works after logging in again');
($rc, $out) = quillctl($srv, "user set-role $ann->{email} moderator");
unlike($out, qr/revoked/, 'setting the same role again revokes nothing');
ok(alive($srv, $ann), 'and the token stays good');

# disable / enable.
($rc, $out) = quillctl($srv, "user disable $ann->{email}");
is($rc, 0, 'disable succeeds');
like($out, qr/active -> disabled; sessions and access tokens revoked/, 'and says so');
ok(!alive($srv, $ann), 'the token is dead');
ok(!(login($srv, $ann->{email}, $ann->{password}))[0], 'a disabled user cannot log in');
($rc, $out) = quillctl($srv, "user enable $ann->{email}");
is($rc, 0, 'enable succeeds');
like($out, qr/disabled -> active$/m, 'and says so');
ok((login($srv, $ann->{email}, $ann->{password}))[0], 'the user logs in again');

# The last admin.
ctl_refused('user set-role root@example.com user', qr/last active admin/, 'demoting the last admin');
ctl_refused('user disable root@example.com', qr/last active admin/, 'disabling the last admin');
ctl_refused('user delete root@example.com', qr/last active admin/, 'deleting the last admin');
($rc, $out) = quillctl($srv, "user set-role $ann->{email} admin");
is($rc, 0, 'a second admin');
($rc, $out) = quillctl($srv, 'user set-role root@example.com user');
is($rc, 0, 'now the first may be demoted') or diag $out;

# Bad arguments.
ctl_refused('user set-role nobody@example.com admin', qr/no user has the email/, 'an unknown email');
ctl_refused("user set-role $ann->{email} root", qr/user, moderator or admin/, 'an unknown role');
my ($code) = quillctl($srv, 'user disable');
is($code, 2, 'a missing email is a usage error');
($code) = quillctl($srv, 'user list --role');
is($code, 2, 'a --role without a value is a usage error');

# delete.
($rc, $out) = quillctl($srv, 'user delete root@example.com');
is($rc, 0, 'delete succeeds');
like($out, qr/root\@example\.com: deleted, with their posts and sessions/, 'and says what went');
is(sql($srv, "SELECT count(*) FROM users WHERE email = 'root\@example.com'"), 0, 'the user is gone');
ctl_refused('user delete root@example.com', qr/no user has the email/, 'deleting again');

done_testing();
