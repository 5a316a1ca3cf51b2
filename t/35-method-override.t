# X-HTTP-Method-Override, for hosts whose filters let only GET and POST
# through: a POST carrying PUT, PATCH or DELETE in it is served as that
# method; any other value is a 400 that changes nothing; on any other
# method the header is ignored, and its kin always are (t/83-security.t).
# A CORS preflight allows the header.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;

my $srv = start_server(settings => { QUILL_CORS_ORIGINS => 'https://app.example' });
my (undef, $email, $pw) = register($srv);
my ($tok) = login($srv, $email, $pw);
ok($tok, 'logged in');

sub post_new {
    my $r = api($srv, 'POST', '/api/v1/posts', token => $tok,
        json => { title => $_[0], body => 'Body.', status => 'published' });
    return ($r->{json} // {})->{data};
}
sub title_of {
    my $r = api($srv, 'GET', "/api/v1/posts/$_[0]", token => $tok);
    return $r->{status} == 200 ? $r->{json}{data}{title} : $r->{status};
}
sub over { return (token => $tok, headers => { 'x-http-method-override' => $_[0], %{ $_[1] // {} } }) }

my $p = post_new('Original');
my $id = $p->{id};
ok($id, 'a post');

my $r = api($srv, 'POST', "/api/v1/posts/$id", json => { title => 'Patched' }, over('PATCH'));
is($r->{status}, 200, 'POST + X-HTTP-Method-Override: PATCH is a PATCH');
is(title_of($id), 'Patched', 'the post is patched');

$r = api($srv, 'GET', "/api/v1/posts/$id", token => $tok);
my $etag = $r->{headers}{etag};
$r = api($srv, 'POST', "/api/v1/posts/$id", json => { title => 'Put', body => 'New body.',
    status => 'published' }, over('PUT', { 'if-match' => $etag }));
is($r->{status}, 200, 'POST + X-HTTP-Method-Override: PUT is a PUT (with its If-Match)');
is(title_of($id), 'Put', 'the post is replaced');

# Anything but those three, on a POST: 400, nothing done.
for my $bad ('GET', 'POST', 'TRACE', 'put', 'DELETE, PATCH', 'DELETEX') {
    $r = api($srv, 'POST', "/api/v1/posts/$id", json => { title => 'Nope' }, over($bad));
    is($r->{status}, 400, "X-HTTP-Method-Override: '$bad' on a POST is a 400");
    like(($r->{json} // {})->{error}{message} // '', qr/X-HTTP-Method-Override header must be PUT, PATCH or DELETE/,
        "'$bad': the message names the header and what it may be");
}
is(title_of($id), 'Put', 'and the post is unchanged');

# On any other method the header is ignored.
$r = api($srv, 'GET', "/api/v1/posts/$id", over('DELETE'));
is($r->{status}, 200, 'GET + X-HTTP-Method-Override: DELETE is a GET');
$r = api($srv, 'PATCH', "/api/v1/posts/$id", json => { title => 'Plain patch' }, over('DELETE'));
is($r->{status}, 200, 'PATCH + X-HTTP-Method-Override: DELETE is a PATCH');
is(title_of($id), 'Plain patch', 'the post is still there, patched');

# Its kin do nothing on a POST: the POST is answered as a POST (405 here).
$r = api($srv, 'POST', "/api/v1/posts/$id", token => $tok, json => {},
    headers => { 'x-http-method' => 'DELETE', 'x-method-override' => 'DELETE' });
is($r->{status}, 405, 'X-HTTP-Method and X-Method-Override are ignored');

$r = api($srv, 'POST', "/api/v1/posts/$id", over('DELETE'));
is($r->{status}, 204, 'POST + X-HTTP-Method-Override: DELETE is a DELETE');
is(title_of($id), 404, 'the post is gone');

# A browser's cross-origin client may send the header.
$r = api($srv, 'OPTIONS', '/api/v1/posts', headers => { origin => 'https://app.example',
    'access-control-request-method' => 'POST',
    'access-control-request-headers' => 'x-http-method-override' });
is($r->{status}, 204, 'a CORS preflight');
like($r->{headers}{'access-control-allow-headers'} // '', qr/\bX-HTTP-Method-Override\b/,
    'allows X-HTTP-Method-Override');

done_testing();
