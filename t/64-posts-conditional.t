# Conditional requests: strong ETags, If-None-Match (304) on reads,
# If-Match (412, nothing changed) on PUT, PATCH and DELETE.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillPosts;

my $srv = start_server();
my $ann = account($srv, 'user', 'Ann');
my $ben = account($srv, 'user', 'Ben');
my $mod = account($srv, 'moderator');

my $p = new_post($srv, $ann, title => 'Versioned', status => 'published');
my $path = "/api/v1/posts/$p->{id}";
my $r = api($srv, 'GET', $path);
my $etag = $r->{headers}{etag};
is($etag, "\"$p->{id}-1\"", 'a post has a strong ETag naming its version');

# Caching: anyone's copy may be kept but must be revalidated; a signed-in
# reader's answer is not stored.
is($r->{headers}{'cache-control'}, 'no-cache', 'an anonymous read of a published post: no-cache');
like($r->{headers}{vary} // '', qr/\bAuthorization\b/, 'varying on Authorization');
$r = api($srv, 'GET', $path, token => $ben->{token});
is($r->{headers}{'cache-control'}, 'no-store', 'a signed-in read: no-store');
is($r->{headers}{etag}, $etag, 'with the same ETag');

# If-None-Match.
for my $h ($etag, "W/$etag", "\"0-0\", $etag", '*', " $etag ,\"9-9\"") {
    $r = api($srv, 'GET', $path, headers => { 'if-none-match' => $h });
    is($r->{status}, 304, "If-None-Match: $h is 304");
    is($r->{content} // '', '', "If-None-Match: $h has no body");
    is($r->{headers}{etag}, $etag, "If-None-Match: $h repeats the ETag");
}
is($r->{headers}{'cache-control'}, 'no-cache', 'a 304 carries the cache policy of the 200');
ok(!exists $r->{headers}{'content-length'} || $r->{headers}{'content-length'} == 0,
    'and no Content-Length of a body');
for my $h ('"0-0"', "\"$p->{id}-2\"", 'garbage', '') {
    $r = api($srv, 'GET', $path, headers => { 'if-none-match' => $h });
    is($r->{status}, 200, "If-None-Match: '$h' is 200");
}
$r = api($srv, 'HEAD', $path, headers => { 'if-none-match' => $etag });
is($r->{status}, 304, 'HEAD with a current If-None-Match is 304');
$r = api($srv, 'HEAD', $path);
is($r->{status}, 200, 'HEAD is 200');
is($r->{headers}{etag}, $etag, 'with the ETag');
is($r->{content} // '', '', 'and no body');
$r = api($srv, 'GET', $path, token => $ann->{token}, headers => { 'if-none-match' => $etag });
is($r->{status}, 304, 'a signed-in reader gets 304 too');
is($r->{headers}{'cache-control'}, 'no-store', 'still no-store');

# If-Match: a stale version is refused and nothing changes.
my $before = posts_state($srv);
for my $case (
    [ 'PATCH', { json => { title => 'Lost update' } } ],
    [ 'PUT', { json => { title => 'Lost update', body => 'x', status => 'draft' } } ],
    [ 'DELETE', {} ],
) {
    my ($method, $o) = @$case;
    for my $h ("\"$p->{id}-2\"", "\"$p->{id}-0\"", "W/$etag", 'garbage', "\"0-1\", \"$p->{id}-9\"") {
        $r = api($srv, $method, $path, token => $ann->{token}, %$o, headers => { 'if-match' => $h });
        is($r->{status}, 412, "$method with If-Match: $h is 412");
        is($r->{json}{error}{code}, 'PRECONDITION_FAILED', "$method with If-Match: $h is PRECONDITION_FAILED");
    }
}
is(posts_state($srv), $before, 'no refused request changed anything');

# A current version goes through and makes a new one.
$r = api($srv, 'PATCH', $path, token => $ann->{token}, json => { title => 'Version two' },
    headers => { 'if-match' => $etag });
is($r->{status}, 200, 'PATCH with the current If-Match is 200');
my $etag2 = $r->{headers}{etag};
is($etag2, "\"$p->{id}-2\"", 'and answers the new ETag');
is(api($srv, 'GET', $path)->{headers}{etag}, $etag2, 'which GET shows');
is(api($srv, 'GET', $path, headers => { 'if-none-match' => $etag })->{status}, 200,
    'the old ETag no longer gives 304');

# Two writers read version 2; the first write wins, the second is refused.
$r = api($srv, 'PATCH', $path, token => $ann->{token}, json => { body => 'Ann was here' },
    headers => { 'if-match' => $etag2 });
is($r->{status}, 200, 'the first writer succeeds');
$r = api($srv, 'PATCH', $path, token => $mod->{token}, json => { status => 'draft' },
    headers => { 'if-match' => $etag2 });
is($r->{status}, 412, 'the second writer, holding the same version, gets 412');
is(sql($srv, "SELECT status || ' ' || version FROM posts WHERE id = $p->{id}"), 'published 3',
    'and its change was not made');

$r = api($srv, 'PATCH', $path, token => $mod->{token}, json => { status => 'draft' },
    headers => { 'if-match' => '*' });
is($r->{status}, 200, 'If-Match: * accepts any current version');
is($r->{headers}{etag}, "\"$p->{id}-4\"", 'a change of status alone is a new version');
$r = api($srv, 'PUT', $path, token => $ann->{token},
    json => { title => 'Four', body => 'b', status => 'draft' }, headers => { 'if-match' => "\"$p->{id}-4\"" });
is($r->{status}, 200, 'PUT with the current If-Match is 200');

# Visibility comes before preconditions: a hidden draft is 404 whatever is sent.
for my $case ([ 'GET', 'if-none-match', '*' ], [ 'GET', 'if-none-match', "\"$p->{id}-5\"" ],
    [ 'PATCH', 'if-match', '"0-0"' ], [ 'DELETE', 'if-match', '"0-0"' ]) {
    my ($method, $name, $value) = @$case;
    $r = api($srv, $method, $path, token => $ben->{token}, headers => { $name => $value },
        $method eq 'PATCH' ? (json => { status => 'published' }) : ());
    is($r->{status}, 404, "$method of a hidden draft with $name: $value is 404");
    ok(!exists $r->{headers}{etag}, "$method of a hidden draft: no ETag");
}
$r = api($srv, 'GET', $path, headers => { 'if-none-match' => "\"$p->{id}-5\"" });
is($r->{status}, 404, 'even anonymously, with the right ETag');

# DELETE with If-Match.
is(api($srv, 'DELETE', $path, token => $ann->{token}, headers => { 'if-match' => "\"$p->{id}-4\"" })->{status},
    412, 'DELETE with a stale If-Match is 412');
ok(sql($srv, "SELECT count(*) FROM posts WHERE id = $p->{id}"), 'and the post is kept');
is(api($srv, 'DELETE', $path, token => $ann->{token}, headers => { 'if-match' => "\"$p->{id}-5\"" })->{status},
    204, 'DELETE with the current If-Match is 204');
is(api($srv, 'GET', $path, headers => { 'if-none-match' => '*' })->{status}, 404,
    'a deleted post is 404, not 304');

# The ETag of a new post is the ETag GET then shows.
$r = api($srv, 'POST', '/api/v1/posts', token => $ann->{token}, json => { title => 't', body => 'b' });
is(api($srv, 'GET', $r->{headers}{location}, token => $ann->{token})->{headers}{etag},
    $r->{headers}{etag}, 'POST answers the ETag that GET shows');

done_testing();
