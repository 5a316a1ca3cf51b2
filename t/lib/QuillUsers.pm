package QuillUsers;
# Helpers of the users tests: accounts of each role, and the users table as
# the database's own client sees it, to check what a request did or did not change.
use strict;
use warnings;
use Exporter 'import';
use Test::More;
use QuillTest;

our @EXPORT = qw(sql users_dump account refused details alive);

# Runs SQL with the sqlite3 command on the server's database; returns the
# output lines (columns separated by '|').
sub sql {
    my ($srv, $q) = @_;
    my @lines = split /\n/, db_sql($srv, $q);
    return wantarray ? @lines : $lines[0];
}

# Every column of every user, in id order: compare two dumps to see that
# nothing changed.
sub users_dump {
    my ($srv) = @_;
    return join "\n", sql($srv, 'SELECT * FROM users ORDER BY id');
}

# A new account: account($srv, role => 'admin', name => 'N') ->
# { id, email, password, token }.  Roles other than user are set with
# sqlite3 before logging in, as an operator's quillctl would.
sub account {
    my ($srv, %o) = @_;
    my ($r, $email, $pw) = register($srv, name => $o{name} // 'Someone');
    die "register failed: $r->{status}\n" unless $r->{status} == 201;
    my $id = $r->{json}{data}{id};
    sql($srv, "UPDATE users SET role = '$o{role}' WHERE id = $id")
        if $o{role} && $o{role} ne 'user';
    my ($tok) = login($srv, $email, $pw);
    die "login failed for $email\n" unless $tok;
    return { id => $id, email => $email, password => $pw, token => $tok };
}

# A request that must fail with $status and leave the users table exactly as
# it was: refused($srv, 403, 'what', METHOD, PATH, api options...).
sub refused {
    my ($srv, $status, $what, @req) = @_;
    my $before = users_dump($srv);
    my $r = api($srv, @req);
    is($r->{status}, $status, "$what: $status");
    is(users_dump($srv), $before, "$what: nothing changed");
    return $r;
}

# The details of an error answer as { field => code }.
sub details {
    my ($r) = @_;
    return { map { $_->{field} => $_->{code} } @{ ($r->{json} // {})->{error}{details} // [] } };
}

# 1 when the account's access token is still accepted.
sub alive {
    my ($srv, $acct) = @_;
    return api($srv, 'GET', '/api/v1/users/me', token => $acct->{token})->{status} == 200;
}

1;
