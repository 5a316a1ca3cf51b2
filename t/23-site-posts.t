# The site's pages of posts (posts.fcgi): /, /posts (list, search, drafts),
# /posts/new, /posts/{id} and /users/{id}/posts.  Each page has one
# address: a browser asking the API's address for its page is sent there
# (301), while JSON clients get JSON as before.  The post page offers its
# forms only to those the API lets use them; a missing post and another's
# draft are the site's 404 page; what a user typed is escaped everywhere.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillPosts;
use FormTest;

my $srv = start_server();
my $HOSTILE = q{<script>alert(1)</script> & "quoted" 'x'};
my %who = (
    owner => account($srv, 'user', "Ann <b>bold</b>"),
    other => account($srv, 'user', 'Other'),
    moderator => account($srv, 'moderator'),
    admin => account($srv, 'admin'),
);
# A browser's session of each: pages are read with the cookie.
my %as;
for my $name (sort keys %who) {
    ($as{$name}) = form_login($srv, $who{$name}{email}, 'correct horse battery staple');
    ok($as{$name}, "the $name logs in by form");
}
my $cookie = $as{owner};
my %owner = (cookie => $cookie);
my %b = (cookie => $cookie, 'sec-fetch-site' => 'same-origin');

my $pub = new_post($srv, $who{owner}, title => $HOSTILE, body => "Zebracanary first line\n\nsecond <i>paragraph</i>",
    status => 'published');
my $draft = new_post($srv, $who{owner}, title => 'Owner draft', body => 'Zebracanary draft text', status => 'draft');
my $otherpub = new_post($srv, $who{other}, title => 'Other words', body => 'Zebracanary by other', status => 'published');

# GET path as a browser (no Accept needed on a site path), with headers.
sub page {
    my ($path, %h) = @_;
    my $r = api($srv, 'GET', $path, headers => { accept => 'text/html', %h });
    return $r;
}
sub page_ok {
    my ($r, $status, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    is($r->{headers}{'content-type'}, 'text/html; charset=utf-8', "$what: an HTML page");
    like($r->{content}, qr{<nav class="site-nav" aria-label="Site">}, "$what: a page of the site");
}
sub escaped_ok {
    my ($r, $what) = @_;
    unlike($r->{content}, qr{<script|<b>bold|<i>paragraph}, "$what: no markup of a user gets through");
}
my $title_html = '&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;x&#39;';

# The home page: the latest published posts, linking to their pages.
my $r = page('/');
page_ok($r, 200, 'the home page');
like($r->{content}, qr{<a href="/posts/$pub->{id}">$title_html</a>}, 'links a post to its page, its title escaped');
unlike($r->{content}, qr{/api/v1/posts|post-new\.html}, 'and never to the API or the old pages');
escaped_ok($r, 'the home page');
$r = page('/', %owner);
like($r->{content}, qr{<a href="/posts/new">Write a post</a>}, 'a signed-in reader is offered to write');
like($r->{content}, qr{<li><a href="/posts">All posts</a></li>}, 'the navigation lists the posts');
like($r->{content}, qr{<li><a href="/posts\?status=draft">My drafts</a></li>}, 'and the drafts');

# /posts: the published posts, whoever reads.
for my $as ([anonymous => {}], [owner => \%owner], [admin => { cookie => $as{admin} }]) {
    my ($name, $h) = @$as;
    $r = page('/posts', %$h);
    page_ok($r, 200, "/posts for $name");
    my @ids = $r->{content} =~ m{<h2><a href="/posts/(\d+)">}g;
    is_deeply([sort @ids], [sort $pub->{id}, $otherpub->{id}], "/posts for $name: the published posts, no draft");
}
like($r->{content}, qr{<h1>Posts</h1>}, 'headed Posts');
like($r->{content}, qr{<form class="search" method="get" action="/posts" role="search">}, 'its search stays on /posts');
escaped_ok($r, '/posts');

# Drafts: the reader's own, of no one else's.
$r = page('/posts?status=draft', %owner);
page_ok($r, 200, "the owner's drafts");
like($r->{content}, qr{<h1>My drafts</h1>}, 'headed My drafts');
is_deeply([$r->{content} =~ m{<h2><a href="/posts/(\d+)">}g], [$draft->{id}], 'list the draft');
like($r->{content}, qr{<input type="hidden" name="status" value="draft">}, 'and its search keeps to the drafts');
for my $as ([anonymous => {}], [other => { cookie => $as{other} }],
    [admin => { cookie => $as{admin} }]) {
    my ($name, $h) = @$as;
    $r = page('/posts?status=draft', %$h);
    page_ok($r, 200, "drafts for $name");
    unlike($r->{content}, qr{href="/posts/$draft->{id}"}, "$name does not see the owner's draft listed");
}
$r = page('/posts?status=nonsense');
page_ok($r, 400, 'a status that is none');

# Search, and the "More posts" link on its results too.
$r = page('/posts?q=zebracanary&limit=1');
page_ok($r, 200, 'a search');
like($r->{content}, qr{<h1>Search</h1>}, 'headed Search');
like($r->{content}, qr{<input id="q" name="q" type="search" value="zebracanary">}, 'the search kept in its field');
my @first = $r->{content} =~ m{<h2><a href="/posts/(\d+)">}g;
is(scalar @first, 1, 'one result per page, as asked');
my ($more) = $r->{content} =~ m{<p class="more"><a href="([^"]+)">More posts</a></p>};
like($more // '', qr{^/posts\?q=zebracanary&amp;limit=1&amp;page=2$}, 'a More posts link, with the search');
($more //= '') =~ s/&amp;/&/g;
$r = page($more);
page_ok($r, 200, 'the next page of the search');
my @second = $r->{content} =~ m{<h2><a href="/posts/(\d+)">}g;
ok(@second == 1 && $second[0] != $first[0], 'shows the next result');
is_deeply([sort @first, @second], [sort $pub->{id}, $otherpub->{id}], 'the two published matches, no draft');
unlike($r->{content}, qr{More posts}, 'and no More after the last');
$r = page('/posts?q=%22%3C%3E%22');
page_ok($r, 400, 'a search with no word');
like($r->{content}, qr{<p id="q-error" class="field-error">A search \(q\) needs a word: letters or digits.</p>\n<input id="q" name="q" type="search" value="&quot;&lt;&gt;&quot;" aria-invalid="true" aria-describedby="q-error">},
    'comes back as the list: the search kept, escaped, its message beside it');
unlike($r->{content}, qr{<ul class="post-list">|No posts match}, 'and no results');
escaped_ok($r, 'a refused search');
$r = page("/users/$who{owner}{id}/posts?status=draft&q=" . ('x' x 300), %owner);
page_ok($r, 400, "a search too long among an author's drafts");
like($r->{content}, qr{<h1>Search</h1>}, 'is the search page');
like($r->{content}, qr{action="/users/$who{owner}{id}/posts"}, 'of that list');
like($r->{content}, qr{<input type="hidden" name="status" value="draft">}, 'still among the drafts');
like($r->{content}, qr{<p id="q-error" class="field-error">A search \(q\) holds at most 200 characters.</p>}, 'saying why');
$r = api($srv, 'GET', '/api/v1/posts?q=%22%3C%3E%22');
is($r->{json}{error}{details}[0]{field}, 'q', 'the API still answers a refused search with its JSON error');

# An author's posts.
$r = page("/users/$who{owner}{id}/posts");
page_ok($r, 200, "an author's posts");
like($r->{content}, qr{<h1>Posts by Ann &lt;b&gt;bold&lt;/b&gt;</h1>}, 'headed by the name, escaped');
like($r->{content}, qr{<title>Posts by Ann &lt;b&gt;bold&lt;/b&gt; - Quill</title>}, 'titled so too');
is_deeply([$r->{content} =~ m{<h2><a href="/posts/(\d+)">}g], [$pub->{id}], 'only their published post');
like($r->{content}, qr{action="/users/$who{owner}{id}/posts"}, 'searching among them');
escaped_ok($r, "an author's posts");
$r = page("/users/$who{owner}{id}/posts?status=draft", %owner);
is_deeply([$r->{content} =~ m{<h2><a href="/posts/(\d+)">}g], [$draft->{id}], 'their drafts, to themselves');
$r = page("/users/$who{owner}{id}/posts?status=draft", cookie => $as{other});
is_deeply([$r->{content} =~ m{<h2><a href="/posts/(\d+)">}g], [], 'not to another user');
$r = page('/users/999999/posts');
page_ok($r, 404, 'the posts of no user');

# A post's page.
$r = page("/posts/$pub->{id}");
page_ok($r, 200, 'a published post, anonymously');
like($r->{content}, qr{<h1>$title_html</h1>}, 'the title escaped');
like($r->{content}, qr{<title>$title_html - Quill</title>}, 'in the title too');
like($r->{content}, qr{By Ann &lt;b&gt;bold&lt;/b&gt;}, 'the author escaped');
like($r->{content}, qr{<p>Zebracanary first line</p>\s*<p>second &lt;i&gt;paragraph&lt;/i&gt;</p>}, 'the text as escaped paragraphs');
like($r->{content}, qr{<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC</time>},
    'its date machine-readable, and readable');
unlike($r->{content}, qr{<form method="post"}, 'no forms for an anonymous reader');
escaped_ok($r, 'the post page');

# Who gets which forms: the API's rules (t/61).
my $edit = qr{<form method="post" action="/api/v1/posts/$pub->{id}\?_method=PATCH">\n<label for="title">};
my $status = qr{<h2>Publish or withdraw</h2>\n<form method="post" action="/api/v1/posts/$pub->{id}\?_method=PATCH">\n<label for="status">};
my $delete = qr{<form method="post" action="/api/v1/posts/$pub->{id}\?_method=DELETE">};
my %forms = (owner => [1, 0, 1], other => [0, 0, 0], moderator => [0, 1, 1], admin => [1, 0, 1]);
for my $name (sort keys %forms) {
    my ($e, $s, $d) = @{ $forms{$name} };
    my %h = (cookie => $as{$name});
    $r = page("/posts/$pub->{id}", %h);
    page_ok($r, 200, "the post for $name");
    is($r->{content} =~ $edit ? 1 : 0, $e, "$name: " . ($e ? '' : 'no ') . 'edit form');
    is($r->{content} =~ $status ? 1 : 0, $s, "$name: " . ($s ? '' : 'no ') . 'status form');
    is($r->{content} =~ $delete ? 1 : 0, $d, "$name: " . ($d ? '' : 'no ') . 'delete form');
}
$r = page("/posts/$pub->{id}", %owner);
like($r->{content}, qr{<input type="hidden" name="returnTo" value="/posts/$pub->{id}">}, 'an edit comes back to the page');
like($r->{content}, qr{<input type="hidden" name="backTo" value="/posts/$pub->{id}">}, 'and a refusal too');
like($r->{content}, qr{<input id="title" name="title" required maxlength="200" value="$title_html">},
    'the edit form holds the title, escaped');
like($r->{content}, qr{name="csrfToken" value="[^"]+"}, "with the session's CSRF token");

# Missing, and another's draft: the site's 404 page, the same for both.
for my $c (['/posts/999999', {}, 'a missing post'], ["/posts/$draft->{id}", {}, 'a draft, anonymously'],
    ["/posts/$draft->{id}", { cookie => $as{other} }, "another user's draft"]) {
    my ($path, $h, $what) = @$c;
    $r = page($path, %$h);
    page_ok($r, 404, $what);
    like($r->{content}, qr{<h1>404 Not Found</h1>}, "$what: the 404 page");
    unlike($r->{content}, qr{Owner draft|Zebracanary}, "$what: nothing of the post");
}
$r = page("/posts/$draft->{id}", %owner);
page_ok($r, 200, 'the owner reads their draft');
$r = page("/posts/$draft->{id}", cookie => $as{moderator});
page_ok($r, 200, 'a moderator reads it too');

# The write form.
$r = page('/posts/new');
is($r->{status}, 303, 'the write form, anonymously: 303');
is($r->{headers}{location}, '/login?returnTo=/posts/new', 'to log in first, then back');
unlike($r->{content} // '', qr{<form method="post" action="/api/v1/posts">}, 'no form to write with');
$r = page('/posts/new', %owner);
page_ok($r, 200, 'the write form');
like($r->{content}, qr{<h1>Write a post</h1>}, 'headed');
like($r->{content}, qr{<form method="post" action="/api/v1/posts">}, 'posting to the API');
like($r->{content}, qr{<input type="hidden" name="backTo" value="/posts/new">}, 'refused, back to this page');
like($r->{content}, qr{<option value="draft" selected>Draft</option>}, 'a draft by default');
like($r->{content}, qr{name="csrfToken" value="[^"]+"}, "with the session's CSRF token");
unlike($r->{content}, qr{class="error-summary"|aria-invalid}, 'and no errors yet');
my $n = sql($srv, 'SELECT count(*) FROM posts');
$r = api($srv, 'POST', '/api/v1/posts', form => { title => '', body => $HOSTILE, status => 'published',
    backTo => '/posts/new' }, headers => \%b);
page_ok($r, 422, 'the write form sent with an empty title');
like($r->{content}, qr{<li><a href="#title">Title: Must not be empty.</a></li>}, 'a summary linking to the field');
like($r->{content}, qr{<p id="title-error" class="field-error">Must not be empty.</p>}, 'the message beside it');
like($r->{content}, qr{<textarea id="body"[^>]*>\n$title_html</textarea>}, 'the text kept, escaped');
like($r->{content}, qr{<option value="published" selected>Published</option>}, 'and the status');
escaped_ok($r, 'the refused form');
is(sql($srv, 'SELECT count(*) FROM posts'), $n, 'nothing written');
$r = api($srv, 'POST', '/api/v1/posts', form => { title => 'By form', body => 'Text', status => 'published' },
    headers => \%b);
my $id = sql($srv, 'SELECT max(id) FROM posts');
is($r->{status}, 303, 'the write form succeeds: 303');
is($r->{headers}{location}, "/posts/$id", "to the new post's page");
$r = page("/posts/$id", cookie => "$cookie; __Host-quill_notice=post-published");
like($r->{content}, qr{<p class="notice" role="status">Post published\.</p>}, 'which says it was published');
$r = api($srv, 'POST', '/api/v1/posts', json => { title => 'By JSON', body => 'Text' },
    token => $who{owner}{token});
is($r->{status}, 201, 'a JSON client still gets 201');
like($r->{headers}{location}, qr{^/api/v1/posts/\d+$}, 'at the API address');
$r = api($srv, 'POST', "/api/v1/posts/$id?_method=PATCH", form => { title => 'Edited by form',
    returnTo => "/posts/$id" }, headers => \%b);
is($r->{status}, 303, 'the edit form succeeds: 303');
is($r->{headers}{location}, "/posts/$id", "back to the post's page");
$r = api($srv, 'POST', "/api/v1/posts/$id?_method=PATCH", form => { title => '' }, headers => \%b);
page_ok($r, 422, 'the edit form refused');
like($r->{content}, qr{<a href="/posts/$id">Back to the post as it is</a>}, 'leads back to the page');

# Each page has one address: the API's HTML views send a browser there.
for my $c (['/api/v1/posts', '/posts'], ['/api/v1/posts?q=zebracanary&limit=1', '/posts?q=zebracanary&limit=1'],
    ["/api/v1/posts/$pub->{id}", "/posts/$pub->{id}"], ['/api/v1/posts/999999', '/posts/999999'],
    ["/api/v1/users/$who{owner}{id}/posts?status=draft", "/users/$who{owner}{id}/posts?status=draft"]) {
    my ($from, $to) = @$c;
    for my $m (qw(GET HEAD)) {
        $r = api($srv, $m, $from, headers => { accept => 'text/html,application/xhtml+xml,*/*;q=0.8' });
        is($r->{status}, 301, "$m $from for a browser: 301");
        is($r->{headers}{location}, $to, "$m $from: to $to");
    }
    $r = api($srv, 'GET', $from);
    isnt($r->{status}, 301, "$from for a JSON client: not moved");
    like($r->{headers}{'content-type'} // '', qr{^application/json}, "$from for a JSON client: JSON");
}
$r = api($srv, 'GET', "/api/v1/posts/$pub->{id}", headers => { accept => 'application/json, text/html' });
is($r->{json}{data}{id}, $pub->{id}, 'a client naming JSON gets JSON');
for my $c (['/index.html', '/'], ['/post-new.html', '/posts/new']) {
    my ($from, $to) = @$c;
    $r = api($srv, 'GET', $from);
    is($r->{status}, 301, "the old $from: 301");
    is($r->{headers}{location}, $to, "$from: to $to");
}

done_testing();
