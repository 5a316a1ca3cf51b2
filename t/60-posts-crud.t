# Posts: create, read, replace, change, delete; validation and body limits.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillPosts;

my $srv = start_server();
my $ada = account($srv, 'user', 'Ada');
my $time_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

# Strings here are UTF-8 bytes, as they travel; chars() counts characters.
sub chars { my ($s) = @_; utf8::decode($s); return length $s }

sub details_for {
    my ($r) = @_;
    return { map { $_->{field} => $_->{code} }
        @{ ($r->{json} // {})->{error}{details} // [] } };
}

# Create.
my $r = api($srv, 'POST', '/api/v1/posts', token => $ada->{token},
    json => { title => 'First light', body => "Line one\nLine two\ttabbed",
        status => 'published' });
is($r->{status}, 201, 'POST /posts answers 201');
my $p = $r->{json}{data};
like($p->{id}, qr/^\d+$/, 'the post has an integer id');
is($p->{authorId}, $ada->{id}, 'the caller is its author');
is($p->{title}, 'First light', 'the title is returned');
is($p->{body}, "Line one\nLine two\ttabbed", 'the body is returned, newlines and tabs kept');
is($p->{status}, 'published', 'the status is returned');
like($p->{createdAt}, $time_re, 'createdAt is RFC 3339 UTC');
is($p->{updatedAt}, $p->{createdAt}, 'updatedAt starts equal to createdAt');
is($r->{headers}{location}, "/api/v1/posts/$p->{id}", 'Location names the post');
is($r->{headers}{etag}, "\"$p->{id}-1\"", 'the ETag names the first version');
is($r->{headers}{'cache-control'}, 'no-store', 'the answer to a write is not cached');
is(sql($srv, "SELECT author_id || ' ' || status || ' ' || title FROM posts WHERE id = $p->{id}"),
    "$ada->{id} published First light", 'the post is stored');

$r = api($srv, 'POST', '/api/v1/posts', token => $ada->{token},
    json => { title => 'Quiet', body => 'Not yet.' });
is($r->{json}{data}{status}, 'draft', 'a post without a status is a draft');

$r = api($srv, 'POST', '/api/v1/posts', token => $ada->{token},
    json => { title => 'Forged', body => 'x', authorId => 999, author_id => 999, id => 1,
        createdAt => '2000-01-01T00:00:00Z', version => 99, color => 'red' });
is($r->{status}, 201, 'unknown and forbidden fields are ignored');
is($r->{json}{data}{authorId}, $ada->{id}, 'the author cannot be set from a body');
isnt($r->{json}{data}{createdAt}, '2000-01-01T00:00:00Z', 'nor createdAt');
is($r->{headers}{etag}, "\"$r->{json}{data}{id}-1\"", 'nor the version');
ok(!exists $r->{json}{data}{color}, 'unknown fields are not stored');

$r = api($srv, 'POST', '/api/v1/posts', token => $ada->{token},
    form => { title => 'By form', body => 'Sent as a form', status => 'published' },
    headers => { accept => 'application/json', origin => $srv->{base} });
is($r->{status}, 201, 'a post can be sent as a urlencoded form');

# Read.
$r = api($srv, 'GET', "/api/v1/posts/$p->{id}");
is($r->{status}, 200, 'GET /posts/{id} answers 200');
is_deeply($r->{json}{data}, $p, 'with the post as created');
is($r->{headers}{etag}, "\"$p->{id}-1\"", 'and its ETag');
$r = api($srv, 'GET', '/api/v1/posts/999999');
is($r->{status}, 404, 'an unknown post is 404');
is($r->{json}{error}{code}, 'NOT_FOUND', 'with NOT_FOUND');
$r = api($srv, 'GET', "/api/v1/posts/$p->{id}", token => 'not.a.token');
is($r->{status}, 401, 'a bad token is 401 even where none is needed');
$r = api($srv, 'DELETE', '/api/v1/posts');
is($r->{status}, 405, 'DELETE /posts is 405');
is($r->{headers}{allow}, 'GET, HEAD, POST', 'with Allow');
is(api($srv, 'POST', "/api/v1/posts/$p->{id}")->{headers}{allow},
    'GET, HEAD, PUT, PATCH, DELETE', 'a post allows GET, PUT, PATCH and DELETE');
is(api($srv, 'GET', "/api/v1/posts/$p->{id}/comments")->{status}, 404,
    'a path below a post is 404');

# Replace.
$r = api($srv, 'PUT', "/api/v1/posts/$p->{id}", token => $ada->{token},
    json => { title => 'First light, revised', body => 'New body', status => 'draft' });
is($r->{status}, 200, 'PUT answers 200');
is($r->{json}{data}{title}, 'First light, revised', 'PUT replaces the title');
is($r->{json}{data}{body}, 'New body', 'the body');
is($r->{json}{data}{status}, 'draft', 'and the status');
is($r->{json}{data}{createdAt}, $p->{createdAt}, 'createdAt does not change');
is($r->{headers}{etag}, "\"$p->{id}-2\"", 'the ETag names the second version');
$r = api($srv, 'PUT', "/api/v1/posts/$p->{id}", token => $ada->{token},
    json => { title => 'Only a title' });
is($r->{status}, 422, 'PUT without every field is 422');
is_deeply(details_for($r), { body => 'required', status => 'required' },
    'naming the missing fields');

# Change.
$r = api($srv, 'PATCH', "/api/v1/posts/$p->{id}", token => $ada->{token},
    json => { status => 'published' });
is($r->{status}, 200, 'PATCH answers 200');
is($r->{json}{data}{status}, 'published', 'PATCH changes the status');
is($r->{json}{data}{title}, 'First light, revised', 'and leaves the title');
is($r->{json}{data}{body}, 'New body', 'and the body');
is($r->{headers}{etag}, "\"$p->{id}-3\"", 'every change is a new version');
$r = api($srv, 'PATCH', "/api/v1/posts/$p->{id}", token => $ada->{token},
    json => { body => 'Patched body' });
is($r->{json}{data}{body}, 'Patched body', 'PATCH changes the body alone');
my $before = posts_state($srv);
$r = api($srv, 'PATCH', "/api/v1/posts/$p->{id}", token => $ada->{token},
    json => { colour => 'blue' });
is($r->{status}, 422, 'a PATCH that changes nothing is 422');
is($r->{json}{error}{code}, 'VALIDATION_ERROR', 'with VALIDATION_ERROR');
is(posts_state($srv), $before, 'and changes nothing');
is(api($srv, 'PATCH', '/api/v1/posts/999999', token => $ada->{token},
    json => { title => 'x' })->{status}, 404, 'PATCH of an unknown post is 404');

# Validation: every bad field is a 422 and changes nothing.
my @bad = (
    [ { title => '', body => 'b' }, { title => 'too_short' }, 'an empty title' ],
    [ { title => '   ', body => 'b' }, { title => 'too_short' }, 'a blank title' ],
    [ { title => 'x' x 201, body => 'b' }, { title => 'too_long' }, 'a 201-character title' ],
    [ { title => "a\x{7}b", body => 'b' }, { title => 'invalid_characters' }, 'a control character in a title' ],
    [ { title => "a\nb", body => 'b' }, { title => 'invalid_characters' }, 'a newline in a title' ],
    [ { title => 't', body => '' }, { body => 'too_short' }, 'an empty body' ],
    [ { title => 't', body => "a\x{1}b" }, { body => 'invalid_characters' }, 'a control character in a body' ],
    [ { title => 't', body => 'b', status => 'archived' }, { status => 'invalid_value' }, 'an unknown status' ],
    [ { title => 5, body => ['b'], status => JSON::PP::true }, { title => 'invalid_type', body => 'invalid_type', status => 'invalid_type' }, 'wrong JSON types' ],
    [ {}, { title => 'required', body => 'required' }, 'no fields' ],
);
$before = posts_state($srv);
for my $case (@bad) {
    my ($body, $want, $what) = @$case;
    $r = api($srv, 'POST', '/api/v1/posts', token => $ada->{token}, json => $body);
    is($r->{status}, 422, "POST with $what is 422");
    is_deeply(details_for($r), $want, "$what: the details name the field and why");
    $r = api($srv, 'PATCH', "/api/v1/posts/$p->{id}", token => $ada->{token}, json => $body);
    is($r->{status}, 422, "PATCH with $what is 422");
}
is(posts_state($srv), $before, 'no refused request changed a post');
is(api($srv, 'POST', '/api/v1/posts', token => $ada->{token}, body => '{"title":',
    headers => { 'content-type' => 'application/json' })->{status}, 400, 'malformed JSON is 400');
is(api($srv, 'POST', '/api/v1/posts', token => $ada->{token}, body => 'title=x',
    headers => { 'content-type' => 'text/plain' })->{status}, 415, 'text/plain is 415');

# Sizes: 200 and 100,000 characters count characters, not bytes.
$r = api($srv, 'POST', '/api/v1/posts', token => $ada->{token},
    json => { title => 'é' x 200, body => 'ü' x 100000 });
is($r->{status}, 201, 'a 200-character title and a 100,000-character body (200 KB) are accepted');
is(chars($r->{json}{data}{body}), 100000, 'and the body comes back whole');
is(sql($srv, "SELECT length(body) || ' ' || length(CAST(body AS BLOB)) FROM posts WHERE id = $r->{json}{data}{id}"),
    '100000 200000', 'stored as 100,000 characters in 200,000 bytes');
my $big = $r->{json}{data}{id};
$r = api($srv, 'POST', '/api/v1/posts', token => $ada->{token},
    json => { title => 't', body => 'b' x 100001 });
is_deeply(details_for($r), { body => 'too_long' }, 'a 100,001-character body is too long');
$r = api($srv, 'PUT', "/api/v1/posts/$big", token => $ada->{token},
    json => { title => 'Four-byte', body => "\xf0\x9f\x98\x80" x 100000, status => 'draft' });
is($r->{status}, 200, 'PUT takes a 400 KB body (100,000 four-byte characters)');
$r = api($srv, 'PATCH', "/api/v1/posts/$big", token => $ada->{token},
    json => { body => 'x' x (1024 * 1024) });
is($r->{status}, 413, 'a body over QUILL_MAX_POST_BYTES (1 MiB) is 413');
is(api($srv, 'POST', '/api/v1/auth/register', json => { email => fresh_email(),
    password => 'correct horse battery staple', name => 'x' x 70000 })->{status}, 413,
    'other routes keep the JSON limit (64 KiB)');

# A list shows an excerpt of the first 200 characters, never the whole body.
$r = api($srv, 'GET', "/api/v1/users/$ada->{id}/posts?status=draft", token => $ada->{token});
my ($item) = grep { $_->{id} == $big } @{ $r->{json}{data} };
is(chars($item->{excerpt} // ''), 200, 'a list item carries a 200-character excerpt');
ok(!exists $item->{body}, 'and no body');

# Delete.
$r = api($srv, 'DELETE', "/api/v1/posts/$p->{id}", token => $ada->{token});
is($r->{status}, 204, 'DELETE answers 204');
is($r->{content} // '', '', 'with no body');
is(api($srv, 'GET', "/api/v1/posts/$p->{id}")->{status}, 404, 'the post is gone');
is(api($srv, 'DELETE', "/api/v1/posts/$p->{id}", token => $ada->{token})->{status}, 404,
    'deleting it again is 404');
my $next = new_post($srv, $ada, title => 'After the delete');
cmp_ok($next->{id}, '>', $big, 'ids are never reused after a delete');

# Deleting a user deletes their posts and their search entries.
my $bob = account($srv, 'user', 'Bob');
my $bp = new_post($srv, $bob, title => 'Xylophone solo', status => 'published');
sql($srv, "DELETE FROM users WHERE id = $bob->{id}");
is(api($srv, 'GET', "/api/v1/posts/$bp->{id}")->{status}, 404,
    'the posts of a deleted user are deleted with them');
is(api($srv, 'GET', '/api/v1/posts?q=xylophone')->{json}{meta}{total}, 0,
    'and no longer found by search');
is(search_index_check($srv),
    'ok', 'the search index agrees with the posts table');

unlike(log_text($srv), qr/db_error|AddressSanitizer/, 'no database error was logged');
done_testing();
