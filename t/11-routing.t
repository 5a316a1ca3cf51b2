# The routing table of API.md, as each web server's configuration does it:
# which program answers which path (the programs log their name).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;

my $srv = start_server();
my $n = 0;

my @routes = (
    [ 'POST', '/api/v1/auth/login', 'auth' ],
    [ 'GET', '/api/v1/auth/sessions', 'auth' ],
    [ 'GET', '/api/v1/users', 'users' ],
    [ 'GET', '/api/v1/users/me', 'users' ],
    [ 'GET', '/api/v1/users/12', 'users' ],
    [ 'GET', '/api/v1/users/12/posts', 'posts' ],
    [ 'GET', '/api/v1/users/12/posts?limit=5', 'posts' ],
    [ 'GET', '/api/v1/users/me/posts', 'posts' ],
    [ 'GET', '/api/v1/posts', 'posts' ],
    [ 'GET', '/api/v1/posts?limit=5', 'posts' ],
    [ 'GET', '/api/v1/posts/12', 'posts' ],
);
for my $route (@routes) {
    my ($method, $path, $want) = @$route;
    my $rid = "route-$$-" . $n++;
    api($srv, $method, $path, headers => { 'x-request-id' => $rid },
        $method eq 'POST' ? (json => {}) : ());
    is(program_of($srv, $rid), $want, "$method $path is answered by $want");
}

# Health and unknown paths: some program answers, in the API's envelope.
for my $path ('/api/v1/health', '/api/v1/nothing', '/api/v2/users', '/api/x',
    '/api/v1/authx', '/api/v1/users/12/postsx') {
    my $rid = "route-$$-" . $n++;
    my $r = api($srv, 'GET', $path, headers => { 'x-request-id' => $rid });
    like(program_of($srv, $rid) // '', qr/^(auth|users|posts)$/, "GET $path is answered by a program");
    if ($path eq '/api/v1/health') {
        is($r->{status}, 200, 'health is 200');
    } else {
        is($r->{status}, 404, "GET $path is 404");
        is(($r->{json} // {})->{error}{code}, 'NOT_FOUND', "GET $path: NOT_FOUND in the envelope");
    }
}

# The query string reaches the program on every route that takes one: a
# bad parameter is refused, where a configuration that dropped the query
# would answer 200 with the defaults (and a client following nextCursor
# would get the first page for ever).
my ($reg) = register($srv);
my $uid = $reg->{json}{data}{id};
for my $path ('/api/v1/posts', "/api/v1/users/$uid/posts") {
    for my $q ('limit=ten', 'cursor=%25%25%25') {
        my $r = api($srv, 'GET', "$path?$q");
        is($r->{status}, 400, "GET $path?$q: the program saw the query (400)");
    }
}

# The program sees the path as the client sent it, query string apart.
my $rid = "route-$$-" . $n++;
api($srv, 'GET', '/api/v1/users/12/posts?limit=5', headers => { 'x-request-id' => $rid });
like(log_text($srv), qr/"requestId":"\Q$rid\E".*"path":"\/api\/v1\/users\/12\/posts"/,
    'the program logs the path it was asked for, not a rewritten one');

# An encoded slash reaches the program, which refuses it in the envelope.
my $r = api($srv, 'GET', '/api/v1/posts/1%2F2');
is($r->{status}, 400, 'an encoded slash in the path is 400');
is(($r->{json} // {})->{error}{code}, 'BAD_REQUEST', 'in the envelope');

done_testing();
