# Who may do what on /users: every endpoint x every kind of caller, from
# one table.  "self" is the user the request is about; each cell gets a new
# one.  Where the answer is 4xx, and on every read, the users table must be
# exactly as it was; where a write succeeds, it must have changed.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use QuillTest;
use QuillUsers;

my $srv = start_server();
my @callers = qw(anonymous self other moderator admin);

# A second admin, never a caller, so that the admin caller may delete
# itself without being the last one.
account($srv, role => 'admin', name => 'Spare Admin');

# [method, path ("{id}" is self's id), body (given the caller), expected
# status per caller; "200 full" / "200 public" say which profile is seen]
my @matrix = (
    [ 'GET', '/api/v1/users', undef,
      { anonymous => 401, self => 403, other => 403, moderator => 200, admin => 200 } ],
    [ 'GET', '/api/v1/users/me', undef,
      { anonymous => 401, self => 200, other => 200, moderator => 200, admin => 200 } ],
    [ 'PATCH', '/api/v1/users/me', sub { { name => 'Renamed' } },
      { anonymous => 401, self => 200, other => 200, moderator => 200, admin => 200 } ],
    [ 'DELETE', '/api/v1/users/me', sub { { currentPassword => $_[0]{password} // 'correct horse battery staple' } },
      { anonymous => 401, self => 204, other => 204, moderator => 204, admin => 204 } ],
    [ 'GET', '/api/v1/users/{id}', undef,
      { anonymous => '200 public', self => '200 full', other => '200 public',
        moderator => '200 full', admin => '200 full' } ],
    [ 'PATCH', '/api/v1/users/{id}', sub { { name => 'Renamed' } },
      { anonymous => 401, self => 403, other => 403, moderator => 403, admin => 200 } ],
    [ 'PATCH', '/api/v1/users/{id}', sub { { role => 'admin' } },
      { anonymous => 401, self => 403, other => 403, moderator => 403, admin => 200 } ],
    [ 'PATCH', '/api/v1/users/{id}', sub { { disabled => JSON::PP::true } },
      { anonymous => 401, self => 403, other => 403, moderator => 403, admin => 200 } ],
    [ 'DELETE', '/api/v1/users/{id}', undef,
      { anonymous => 401, self => 403, other => 403, moderator => 403, admin => 204 } ],
);

# Callers other than self live until they delete themselves.
my %caller;
sub caller_for {
    my ($kind, $self) = @_;
    return undef if $kind eq 'anonymous';
    return $self if $kind eq 'self';
    $caller{$kind} //= account($srv, role => $kind eq 'other' ? 'user' : $kind,
        name => ucfirst $kind);
    return $caller{$kind};
}

for my $row (@matrix) {
    my ($method, $tpl, $body, $want) = @$row;
    for my $kind (@callers) {
        my $self = account($srv, name => 'Self');
        my $who = caller_for($kind, $self);
        (my $path = $tpl) =~ s/\{id\}/$self->{id}/;
        my ($status, $profile) = split ' ', $want->{$kind};
        my $label = "$method $path" . ($body ? ' ' . encode_json($body->($who)) : '') . " as $kind";
        my $before = users_dump($srv);
        my $r = api($srv, $method, $path, $who ? (token => $who->{token}) : (),
            $body ? (json => $body->($who)) : ());
        is($r->{status}, $status, "$label: $status");
        my $after = users_dump($srv);
        if ($status >= 400 || $method eq 'GET') {
            is($after, $before, "$label: nothing changed");
        } else {
            isnt($after, $before, "$label: the change is stored");
        }
        if ($status >= 400) {
            is($r->{json}{error}{code}, { 401 => 'UNAUTHENTICATED', 403 => 'FORBIDDEN' }->{$status},
                "$label: the error code");
        }
        if ($profile) {
            is(exists $r->{json}{data}{email} ? 'full' : 'public', $profile,
                "$label: sees the $profile profile");
        }
        delete $caller{$kind} if $method eq 'DELETE' && $path =~ m{/me$} && $status == 204;
    }
}

# Unknown ids: the admin learns 404, everyone else no more than before.
my $admin = caller_for('admin');
my $mod = caller_for('moderator');
my $before = users_dump($srv);
is(api($srv, 'PATCH', '/api/v1/users/999999', token => $admin->{token}, json => { name => 'x' })->{status},
    404, 'PATCH of an unknown id by an admin is 404');
is(api($srv, 'DELETE', '/api/v1/users/999999', token => $admin->{token})->{status},
    404, 'DELETE of an unknown id by an admin is 404');
is(api($srv, 'PATCH', '/api/v1/users/999999', token => $mod->{token}, json => { name => 'x' })->{status},
    403, 'a moderator is refused before the id is looked up');
is(users_dump($srv), $before, 'nothing changed');

done_testing();
