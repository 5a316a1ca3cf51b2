# Browser answers: a form that succeeds is a 303 to a path of the site
# (returnTo, else what it created, else the configured default); one that
# fails is a small escaped HTML page; a client asking for JSON gets JSON.
# The post page with its edit and delete forms (?_method=), and the lists.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;
use FormTest;

my $srv = start_server(settings => { QUILL_FORM_DEFAULT_REDIRECT => '/welcome.html' });
my (undef, $email, $pw) = register($srv, name => 'Ada <b>');
my ($cookie) = form_login($srv, $email, $pw);
my %b = (cookie => $cookie, 'sec-fetch-site' => 'same-origin');
sub snapshot { join "\n", map { sql($srv, "SELECT * FROM $_ ORDER BY 1") } qw(users sessions posts) }
sub page_ok {
    my ($r, $status, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    is($r->{headers}{'content-type'}, 'text/html; charset=utf-8', "$what: an HTML page");
    like($r->{content}, qr/^<!DOCTYPE html>.*<meta name="viewport"/s, "$what: with a viewport for phones");
    my $csp = $r->{headers}{'content-security-policy'} // '';
    like($csp, qr/default-src 'none'/, "$what: CSP allows nothing by default");
    like($csp, qr/form-action 'self'/, "$what: and forms only to the site");
    unlike($csp, qr/script-src|unsafe/, "$what: no script, nothing inline");
    is($r->{headers}{'referrer-policy'}, 'same-origin', "$what: Referer kept for the site only");
}

# Where a successful form goes.
my $post = { title => 'Hello', body => 'World', status => 'published' };
my $r = api($srv, 'POST', '/api/v1/posts', form => { %$post, returnTo => '/mine.html?x=1' }, headers => \%b);
is($r->{status}, 303, 'a form that succeeds answers 303');
is($r->{headers}{location}, '/mine.html?x=1', 'to its returnTo');
is($r->{content}, '', 'without a body: the browser follows Location');
ok(!exists $r->{headers}{'content-type'}, 'and without a Content-Type');
$r = api($srv, 'POST', '/api/v1/posts', form => $post, headers => \%b);
my $id = sql($srv, 'SELECT max(id) FROM posts');
is($r->{headers}{location}, "/posts/$id", "without returnTo, a creation goes to what it created: its page");
for my $bad ('//evil.example/', 'https://evil.example/', '/\\evil.example', 'evil', "/a\tb") {
    $r = api($srv, 'POST', '/api/v1/auth/password/forgot', form => { email => $email, returnTo => $bad },
        headers => { 'sec-fetch-site' => 'same-origin' });
    is($r->{headers}{location}, '/welcome.html', "returnTo '$bad' is not followed: the configured default");
}
$r = api($srv, 'PATCH', "/api/v1/posts/$id", form => { title => 'Hi' }, headers => { %b, accept => 'application/json' });
is($r->{status}, 200, 'a form that asks for JSON gets JSON');
is($r->{json}{data}{title}, 'Hi', 'the answer of the API');
$r = api($srv, 'PATCH', "/api/v1/posts/$id", form => { title => 'Hey' },
    headers => { %b, accept => 'text/html,application/xhtml+xml,*/*;q=0.8' });
is($r->{status}, 303, "a browser's Accept gets the browser answer");

# A form refused for what was typed comes back as the form: the status,
# what was typed (never a password), a summary linking to each field, each
# message beside its field; escaped, changing nothing.
my $before = snapshot();
$r = api($srv, 'POST', '/api/v1/posts', form => { title => '', body => 'kept "text" <script>x</script>',
    status => 'nope', backTo => '/posts/new' }, headers => \%b);
page_ok($r, 422, 'a form that fails validation');
like($r->{content}, qr{<h1>Write a post</h1>}, 'comes back as the form');
like($r->{content}, qr{<div class="error-summary" role="alert">\n<h2>There is a problem</h2>}s,
    'with a summary of the problems at the top');
like($r->{content}, qr{<li><a href="#title">Title: Must not be empty.</a></li>}, 'each linking to its field');
like($r->{content}, qr{<li><a href="#status">Status: Must be one of: draft, published.</a></li>}, 'all of them');
like($r->{content}, qr{<p id="title-error" class="field-error">Must not be empty.</p>\n<input id="title"[^>]*value=""[^>]* aria-invalid="true" aria-describedby="title-error">},
    'the message beside its field, which names it (aria-invalid, aria-describedby)');
like($r->{content}, qr{<select id="status" name="status" aria-invalid="true" aria-describedby="status-error">},
    'the select too');
like($r->{content}, qr{<textarea id="body"[^>]*>\nkept &quot;text&quot; &lt;script&gt;x&lt;/script&gt;</textarea>},
    'what was typed is kept, escaped');
unlike($r->{content}, qr{<textarea id="body"[^>]*aria-invalid}, 'a field without a mistake is not marked');
unlike($r->{content}, qr/<script/, 'no markup gets through');
like($r->{content}, qr{name="csrfToken" value="[^"]+"}, "the form carries the session's CSRF token again");
is(snapshot(), $before, 'and nothing changed');
$r = api($srv, 'POST', '/api/v1/posts', form => { title => 'T', body => '', status => 'published' }, headers => \%b);
like($r->{content}, qr{<option value="published" selected>Published</option>}, 'the status chosen is kept');
like($r->{content}, qr{<input id="title"[^>]*value="T">}, 'and the title');

# The edit form of a post's page comes back on a page of its own.
$r = api($srv, 'POST', "/api/v1/posts/$id?_method=PATCH", form => { title => '', body => 'edited <text>',
    status => 'published' }, headers => \%b);
page_ok($r, 422, 'an edit form that fails validation');
like($r->{content}, qr{<h1>Edit a post</h1>}, 'comes back as the edit form');
like($r->{content}, qr{<form method="post" action="/api/v1/posts/$id\?_method=PATCH">}, 'posting to the post again');
like($r->{content}, qr{<li><a href="#title">Title: Must not be empty.</a></li>}, 'the summary links to the field');
like($r->{content}, qr{<input id="title"[^>]*value=""[^>]* aria-invalid="true" aria-describedby="title-error">},
    'the message beside its field');
like($r->{content}, qr{<textarea id="body"[^>]*>\nedited &lt;text&gt;</textarea>}, 'what was typed is kept');
like($r->{content}, qr{<option value="published" selected>Published</option>}, 'and the status chosen');
like($r->{content}, qr{<a href="/posts/$id">Back to the post as it is</a>}, 'with a way back to the post');
$r = api($srv, 'POST', "/api/v1/posts/$id?_method=PATCH", form => { title => '' }, headers => \%b);
like($r->{content}, qr{<option value="published" selected>Published</option>}, 'a status not sent is the stored one');

# A form of no page of its own fails with the error page, its way back escaped.
$r = api($srv, 'POST', "/api/v1/posts/$id?_method=PUT", form => { title => '',
    backTo => '/x"><script>alert(1)</script>' }, headers => \%b);
page_ok($r, 422, 'a form without a page that fails validation');
like($r->{content}, qr{<h1>422 Unprocessable Content</h1>}, 'the page names the status');
like($r->{content}, qr{<li><strong>title</strong>: Must not be empty.</li>}, 'and each field error');
like($r->{content}, qr{<a href="/x&quot;&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;">Go back</a>},
    'the way back is the form page, escaped');
unlike($r->{content}, qr/<script/, 'no markup gets through');
$r = api($srv, 'POST', "/api/v1/posts/$id?_method=PUT", form => { title => '', backTo => 'https://evil.example/' }, headers => \%b);
like($r->{content}, qr{<a href="/">Go back</a>}, 'a backTo that is not a path of the site is not linked');

# Log in and register: the password is never sent back.
$r = api($srv, 'POST', '/api/v1/auth/login', form => { email => $email, password => 'wrong password here',
    backTo => '/login' }, headers => { origin => $srv->{base} });
page_ok($r, 401, 'a failed form login');
like($r->{content}, qr{<h1>Log in</h1>}, 'comes back as the login form');
like($r->{content}, qr{<h2>There is a problem</h2>\n<p>The email or password is incorrect.</p>}, 'with the message');
like($r->{content}, qr{<input id="email"[^>]*value="\Q$email\E">}, 'the email kept');
unlike($r->{content}, qr/wrong password here/, 'the password not');
is(cookie_value($r), undef, 'and no cookie');
is($r->{headers}{'www-authenticate'}, 'Bearer realm="quill"', 'its 401 names the scheme, as every 401 does');
$r = api($srv, 'POST', '/api/v1/auth/register', form => { name => 'Ada <again>', email => $email,
    password => 'another long passphrase' }, headers => { origin => $srv->{base} });
page_ok($r, 409, 'registering a taken email by form');
like($r->{content}, qr{<h1>Create an account</h1>}, 'comes back as the form');
like($r->{content}, qr{<input id="name"[^>]*value="Ada &lt;again&gt;">}, 'the name kept, escaped');
unlike($r->{content}, qr/another long passphrase/, 'the password not');
$r = api($srv, 'POST', '/api/v1/auth/register', form => { name => 'Bo', email => 'not an email',
    password => 'short' }, headers => { origin => $srv->{base} });
page_ok($r, 422, 'a register form with mistakes');
like($r->{content}, qr{<a href="#email">Email: }, 'names the email');
like($r->{content}, qr{<a href="#password">Password: }, 'and the password');
like($r->{content}, qr{<input id="password"[^>]*aria-invalid="true" aria-describedby="password-error">},
    'the password field is marked');
unlike($r->{content}, qr/value="short"/, 'and empty');
$r = api($srv, 'POST', '/api/v1/posts', form => $post, headers => { cookie => $cookie, origin => 'http://evil.example' });
page_ok($r, 403, 'a form from another site');
like($r->{content}, qr/another origin/, 'says why');
$r = api($srv, 'POST', '/api/v1/posts', form => { title => '', body => 'x' }, headers => { %b, accept => 'application/json' });
is($r->{json}{error}{code}, 'VALIDATION_ERROR', 'a failing form that asks for JSON gets the envelope');
$r = api($srv, 'GET', '/posts/999999', headers => { accept => 'text/html' });
page_ok($r, 404, 'a page a browser opens that does not exist');
$r = api($srv, 'GET', '/api/v1/posts/999999');
is($r->{json}{error}{code}, 'NOT_FOUND', 'without text/html in Accept it is JSON');

# The post page.
$r = api($srv, 'POST', '/api/v1/posts', json => { title => 'A <i>title</i> & more', body => "Line <1>\nLine \"2\"",
    status => 'published' }, headers => { %b, accept => 'application/json' });
my $pid = $r->{json}{data}{id};
$r = api($srv, 'GET', "/posts/$pid", headers => { cookie => $cookie, accept => 'text/html' });
page_ok($r, 200, 'the page of a post');
like($r->{content}, qr{<h1>A &lt;i&gt;title&lt;/i&gt; &amp; more</h1>}, 'the title, escaped');
like($r->{content}, qr{Line &lt;1&gt;\nLine &quot;2&quot;}, 'the text, escaped');
like($r->{content}, qr{By Ada &lt;b&gt;}, 'the author, escaped');
like($r->{content}, qr{<form method="post" action="/api/v1/posts/$pid\?_method=PATCH">}, 'its author gets the edit form');
like($r->{content}, qr{<textarea[^>]*>\nLine &lt;1&gt;}, 'filled with the post as it is');
like($r->{content}, qr{<form method="post" action="/api/v1/posts/$pid\?_method=DELETE">}, 'and the delete form');
my $tok = api($srv, 'GET', '/api/v1/auth/csrf', headers => { cookie => $cookie })->{json}{data}{csrfToken};
like($r->{content}, qr{name="csrfToken" value="\Q$tok\E"}, "the forms carry the session's CSRF token");
is($r->{headers}{'cache-control'}, 'no-store', 'the page is not cached');
$r = api($srv, 'GET', "/posts/$pid", headers => { accept => 'text/html' });
page_ok($r, 200, 'the page for an anonymous reader');
unlike($r->{content}, qr/<form|csrfToken/, 'has no forms');
$r = api($srv, 'GET', "/api/v1/posts/$pid");
is($r->{json}{data}{id}, $pid, 'API clients still get JSON');
like($r->{headers}{vary}, qr/Accept/, 'and the answer varies with Accept');

# Its forms: POST with ?_method=.
$r = api($srv, 'POST', "/api/v1/posts/$pid?_method=PATCH", form => { title => 'Edited', body => 'New text',
    status => 'draft', returnTo => "/posts/$pid", csrfToken => $tok }, headers => \%b);
is($r->{status}, 303, 'the edit form answers 303');
is($r->{headers}{location}, "/posts/$pid", 'back to the post');
is(sql($srv, "SELECT title || '|' || body || '|' || status FROM posts WHERE id = $pid"), 'Edited|New text|draft',
    'and edits it');
$before = snapshot();
$r = api($srv, 'POST', "/api/v1/posts/$pid?_method=GET", form => {}, headers => \%b);
is($r->{status}, 400, '_method=GET is refused');
$r = api($srv, 'POST', "/api/v1/posts/$pid?_method=DELETE", json => {}, headers => { %b, accept => 'application/json' });
is($r->{status}, 405, '_method is only for forms');
$r = api($srv, 'POST', "/api/v1/posts/$pid?_method=DELETE", form => { returnTo => '/' },
    headers => { cookie => $cookie, origin => 'http://evil.example' });
is($r->{status}, 403, 'a delete form from another site is refused');
is(snapshot(), $before, 'none of these changed anything');
$r = api($srv, 'POST', "/api/v1/posts/$pid?_method=DELETE", form => { returnTo => '/' }, headers => \%b);
is($r->{status}, 303, 'the delete form answers 303');
is(sql($srv, "SELECT count(*) FROM posts WHERE id = $pid"), 0, 'and deletes the post');

# Lists for browsers.
api($srv, 'POST', '/api/v1/posts', json => { title => "Post $_", body => 'b', status => 'published' },
    headers => { %b, accept => 'application/json' }) for 1 .. 3;
$r = api($srv, 'GET', '/posts?limit=2', headers => { accept => 'text/html' });
page_ok($r, 200, 'the list of posts');
my @links = $r->{content} =~ m{<h2><a href="(/posts/\d+)">}g;
is(scalar @links, 2, 'links to the posts of the page');
my ($more) = $r->{content} =~ m{<a href="([^"]+)">More posts</a>};
like($more // '', qr{^/posts\?limit=2&amp;cursor=}, 'and to the next page, with the same limit');
$more =~ s/&amp;/&/g;
$r = api($srv, 'GET', $more, headers => { accept => 'text/html' });
my @next = $r->{content} =~ m{<h2><a href="(/posts/\d+)">}g;
ok(@next && $next[0] ne $links[0] && $next[0] ne $links[1], 'which shows the posts after them');
$r = api($srv, 'GET', '/posts?status=draft', headers => { accept => 'text/html', cookie => $cookie });
like($r->{content}, qr{<h1>My drafts</h1>}, "a user's drafts");

# The password forms come back too: the email and the reset code kept,
# never a password.
$r = api($srv, 'POST', '/api/v1/auth/password/forgot', form => { email => 'not <an> email' },
    headers => { origin => $srv->{base} });
page_ok($r, 422, 'a forgot-password form with a bad email');
like($r->{content}, qr{<h1>Forgot your password\?</h1>}, 'comes back as the form');
like($r->{content}, qr{<p id="email-error" class="field-error">[^<]+</p>\n<input id="email"[^>]*value="not &lt;an&gt; email" aria-invalid="true" aria-describedby="email-error">},
    'the email kept, escaped, its message beside it');
like($r->{content}, qr{<li><a href="#email">Email of your account: }, 'and in the summary');
$r = api($srv, 'POST', '/api/v1/auth/password/reset', form => { token => 'nonsense-code', password => 'a long enough passphrase' },
    headers => { origin => $srv->{base} });
page_ok($r, 422, 'a reset form with a code that is no code');
like($r->{content}, qr{<h1>Choose a new password</h1>}, 'comes back as the form');
like($r->{content}, qr{<input id="token"[^>]*value="nonsense-code" aria-invalid="true" aria-describedby="token-error">},
    'the code kept, marked');
unlike($r->{content}, qr/a long enough passphrase/, 'the password not');
$r = api($srv, 'POST', '/api/v1/auth/password/change', form => { currentPassword => 'not the password at all',
    newPassword => 'short' }, headers => \%b);
page_ok($r, 422, 'a password change with a short new password');
like($r->{content}, qr{<h1>Change your password</h1>}, 'comes back as the form');
like($r->{content}, qr{<input id="newPassword"[^>]*aria-invalid="true" aria-describedby="newPassword-error">},
    'the new password marked');
unlike($r->{content}, qr/value="(short|not the password at all)"/, 'neither password sent back');
like($r->{content}, qr{name="csrfToken" value="[^"]+"}, "the form carries the session's CSRF token");
$r = api($srv, 'POST', '/api/v1/auth/password/change', form => { currentPassword => 'not the password at all',
    newPassword => 'a perfectly fine new passphrase' }, headers => \%b);
like($r->{content}, qr{<h1>Change your password</h1>}, 'a wrong current password comes back as the form');
like($r->{content}, qr{<input id="currentPassword"[^>]*aria-invalid="true"}, 'the current password marked');
is(sql($srv, "SELECT count(*) FROM users WHERE email = '$email'"), 1, 'the account is still there');

# The error pages are the site's pages (templates/error.html in
# layout.html): the site's head, navigation and footer.  A 303 has no body.
sub site_page_ok {
    my ($r, $title, $what) = @_;
    like($r->{content}, qr{<title>\Q$title\E - Quill</title>}, "$what: titled");
    like($r->{content}, qr{<a class="skip-link" href="#main">}, "$what: the skip link");
    like($r->{content}, qr{<nav class="site-nav" aria-label="Site">}, "$what: the navigation");
    like($r->{content}, qr{<footer class="site-footer">}, "$what: the footer");
}
for my $e (['GET', '/posts/999999', 404, 'Not Found'], ['GET', '/api/v1/postsX', 404, 'Not Found']) {
    my ($m, $path, $status, $reason) = @$e;
    $r = api($srv, $m, $path, headers => { accept => 'text/html', 'x-request-id' => "page-$status" });
    page_ok($r, $status, "$m $path for a browser");
    site_page_ok($r, "$status $reason", "$m $path");
    like($r->{content}, qr{<h1>$status \Q$reason\E</h1>\n<p class="message">[^<]+</p>}, "$m $path: says what went wrong");
    like($r->{content}, qr{<p class="request-id">Reference: request page-$status</p>}, "$m $path: the request's reference");
    unlike($r->{content}, qr/NOT_FOUND|METHOD_NOT_ALLOWED/, "$m $path: no internal code");
}
$r = api($srv, 'POST', '/api/v1/posts', form => { title => 'Chrome', body => 'b', returnTo => '/done.html' }, headers => \%b);
is($r->{status}, 303, 'a form that succeeded answers 303');
is($r->{headers}{location}, '/done.html', 'to its returnTo');
is($r->{content}, '', 'with no body: a browser follows it without showing one');
ok(!defined $r->{headers}{'content-type'}, 'and no Content-Type');

# The one-time notice: a form's 303 leaves the notice's name in a cookie,
# the next page the site renders shows its fixed text once and clears it.
sub notice_cookie {
    my ($r) = @_;
    my ($c) = grep { /^__Host-quill_notice=/ } set_cookies($r);
    return $c;
}
$r = api($srv, 'POST', '/api/v1/posts', form => { title => 'Noticed', body => 'b', status => 'published' },
    headers => \%b);
is($r->{status}, 303, 'a post published by form answers 303');
is(notice_cookie($r), '__Host-quill_notice=post-published; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Lax',
    'with the name of its notice in a short-lived __Host- cookie');
my $next = $r->{headers}{location};
$r = api($srv, 'GET', $next, headers => { cookie => "$cookie; __Host-quill_notice=post-published",
    accept => 'text/html' });
page_ok($r, 200, 'the page after it');
like($r->{content}, qr{<main id="main">\n<p class="notice" role="status">Post published\.</p>},
    'shows the notice at the top of the content');
is(notice_cookie($r), '__Host-quill_notice=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax',
    'and clears it, so it shows once');
is($r->{headers}{'cache-control'}, 'no-store', 'a page with a notice is not kept');
$r = api($srv, 'GET', $next, headers => { cookie => $cookie, accept => 'text/html' });
unlike($r->{content}, qr/class="notice"/, 'without the cookie, no notice');
is(notice_cookie($r), undef, 'and nothing to clear');
for my $bad ('<script>alert(1)</script>', 'Hacked', 'post-published; __Host-quill_notice=signed-out') {
    $r = api($srv, 'GET', '/posts', headers => { cookie => "__Host-quill_notice=$bad", accept => 'text/html' });
    page_ok($r, 200, "a notice cookie of '$bad'");
    unlike($r->{content}, qr/class="notice"|<script|Hacked/, 'shows nothing of it');
    like(notice_cookie($r) // '', qr/^__Host-quill_notice=; .*Max-Age=0/, 'and is cleared');
}
$r = api($srv, 'POST', '/api/v1/posts', form => { title => 'Quiet', body => 'b' },
    headers => { %b, accept => 'application/json' });
is(notice_cookie($r), undef, 'a form that asks for JSON gets no notice');
$r = api($srv, 'POST', '/api/v1/posts', form => { title => 'Draft', body => 'b' }, headers => \%b);
like(notice_cookie($r), qr/^__Host-quill_notice=draft-saved;/, 'a draft has a notice of its own');
my ($did) = $r->{headers}{location} =~ m{(\d+)$};
$r = api($srv, 'POST', "/api/v1/posts/$did?_method=PATCH", form => { title => 'Draft 2', returnTo => "/posts/$did" },
    headers => \%b);
like(notice_cookie($r), qr/^__Host-quill_notice=post-saved;/, 'an edit too');
$r = api($srv, 'POST', "/api/v1/posts/$did?_method=DELETE", form => { returnTo => '/posts' }, headers => \%b);
like(notice_cookie($r), qr/^__Host-quill_notice=post-deleted;/, 'and a delete');
$r = api($srv, 'GET', '/posts', headers => { cookie => "$cookie; __Host-quill_notice=post-deleted",
    accept => 'text/html' });
like($r->{content}, qr{<p class="notice" role="status">Post deleted\.</p>}, 'shown on the list it leads to');
$r = api($srv, 'POST', '/api/v1/posts', form => { title => '', body => 'b' }, headers => \%b);
is(notice_cookie($r), undef, 'a refused form leaves no notice');
my ($c2) = form_login($srv, $email, $pw);
$r = api($srv, 'POST', '/api/v1/auth/logout', form => { returnTo => '/' },
    headers => { cookie => $c2, 'sec-fetch-site' => 'same-origin' });
like(notice_cookie($r), qr/^__Host-quill_notice=signed-out;/, 'logging out leaves "signed out"');

done_testing();
