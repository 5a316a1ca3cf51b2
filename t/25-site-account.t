# The pages of users.fcgi (docs/forms.md): /account (the name, the email
# change that waits for its confirmation, deleting the account with the
# password), /admin/users (staff: search, "More users") and
# /admin/users/{id} (admins: the role, disable and enable, delete, the last
# admin's rule as a message beside the form).  Their forms post to the API
# and come back refused with what was typed, or go on with a notice.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;
use FormTest;

my $srv = start_server();
my $NOTICE = '__Host-quill_notice';

# A confirmed account of role with a browser session: { id, email, pw, h }
# where h holds the headers a browser sends from a page of the site.
sub account {
    my ($role, $name) = @_;
    my (undef, $email, $pw) = register($srv, name => $name);
    my $id = sql($srv, "SELECT id FROM users WHERE email = '$email'");
    sql($srv, "UPDATE users SET role = '$role' WHERE id = $id") if $role ne 'user';
    my ($cookie) = form_login($srv, $email, $pw);
    return { id => $id, email => $email, pw => $pw,
        h => { cookie => $cookie, 'sec-fetch-site' => 'same-origin' } };
}
sub snapshot { join "\n", map { sql($srv, "SELECT * FROM $_ ORDER BY 1") } qw(users sessions posts email_tokens) }
sub page_ok {
    my ($r, $status, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    is($r->{headers}{'content-type'}, 'text/html; charset=utf-8', "$what: an HTML page");
    like($r->{content} // '', qr/^<!DOCTYPE html>/, "$what: of the site");
}
# The page a 303 leads to, with the notice cookie it set.
sub follow {
    my ($r, $a) = @_;
    my ($notice) = grep { /^\Q$NOTICE\E=/ } set_cookies($r);
    my $cookie = $a->{h}{cookie} . ($notice ? '; ' . ($notice =~ s/;.*//r) : '');
    return api($srv, 'GET', $r->{headers}{location}, headers => { cookie => $cookie });
}
sub form {
    my ($a, $method, $path, %f) = @_;
    return api($srv, 'POST', "$path?_method=$method", form => \%f, headers => $a->{h});
}

my $ann = account('user', 'Ann <b>');
my $mod = account('moderator', 'Mo Moderator');
my $adm = account('admin', 'Ada Admin');

subtest 'a visitor is sent to log in, and back' => sub {
    for my $path ('/account', '/account/delete', '/admin/users', "/admin/users/$ann->{id}") {
        my $r = api($srv, 'GET', $path, headers => { accept => 'text/html' });
        is($r->{status}, 303, "$path: 303");
        is($r->{headers}{location}, "/login?returnTo=$path", "$path: to the log-in page, which comes back");
    }
    my $r = api($srv, 'GET', '/admin/nothing', headers => { accept => 'text/html' });
    page_ok($r, 404, 'an unknown page under /admin');
};

subtest 'the account page' => sub {
    my $r = api($srv, 'GET', '/account', headers => $ann->{h});
    page_ok($r, 200, 'the account page');
    like($r->{content}, qr{<input id="name"[^>]*value="Ann &lt;b&gt;"}, 'the name as stored, escaped');
    like($r->{content}, qr{<strong id="current-email">\Q$ann->{email}\E</strong>}, 'the address');
    like($r->{content}, qr{<a href="/account">Account</a>}, 'the navigation leads here');
    unlike($r->{content}, qr{href="/admin/users"}, 'and not to the users, for a user');
    like($r->{content}, qr{<section aria-labelledby="security-heading">.*<a href="/account/two-factor">.*</section>}s,
        'it leads to setting up two-factor sign-in');
    like($r->{content}, qr{name="csrfToken" value="[^"]+"}, "the forms carry the session's CSRF token");

    my $before = snapshot();
    $r = form($ann, PATCH => '/api/v1/users/me', name => '', returnTo => '/account', backTo => '/account');
    page_ok($r, 422, 'an empty name');
    like($r->{content}, qr{<h1>Your account</h1>}, 'comes back as the account page');
    like($r->{content}, qr{<li><a href="#name">Name: [^<]+</a></li>}, 'the summary links to the field');
    like($r->{content}, qr{<p id="name-error" class="field-error">[^<]+</p>\n<input id="name"[^>]*value=""[^>]* aria-invalid="true"},
        'the message beside the field, what was typed in it');
    like($r->{content}, qr{<strong id="current-email">\Q$ann->{email}\E</strong>}, 'the rest of the page as it is');
    is(snapshot(), $before, 'nothing changed');

    $r = api($srv, 'POST', '/api/v1/users/me?_method=PATCH', form => { name => 'Evil' },
        headers => { cookie => $ann->{h}{cookie} });
    page_ok($r, 403, 'a form from no origin');
    $r = api($srv, 'POST', '/api/v1/users/me?_method=PATCH', form => { name => 'Evil' },
        headers => { cookie => $ann->{h}{cookie}, origin => 'https://evil.example' });
    page_ok($r, 403, 'a form from another origin');
    $r = form($ann, PATCH => '/api/v1/users/me', name => 'Evil', csrfToken => 'forged');
    page_ok($r, 403, 'a form with a wrong CSRF token');
    is(snapshot(), $before, 'the CSRF defence changed nothing');

    $r = form($ann, PATCH => '/api/v1/users/me', name => 'Ann Again', returnTo => '/account', backTo => '/account');
    is($r->{status}, 303, 'a good name: 303');
    is($r->{headers}{location}, '/account', 'back to the account page');
    is(sql($srv, "SELECT name FROM users WHERE id = $ann->{id}"), 'Ann Again', 'the name is saved');
    my $next = follow($r, $ann);
    like($next->{content}, qr{<p class="notice" role="status">Name saved\.</p>}, 'which the page says once');
    like($next->{content}, qr{<input id="name"[^>]*value="Ann Again"}, 'and shows');
};

subtest 'changing the email waits for its confirmation' => sub {
    my $new = "new.$ann->{email}";
    my $before = snapshot();
    my $r = form($ann, PATCH => '/api/v1/users/me', email => $new, currentPassword => 'not the password',
        returnTo => '/account', backTo => '/account');
    ok($r->{status} == 422 || $r->{status} == 401, "a wrong password: refused ($r->{status})");
    like($r->{content}, qr{<p id="currentPassword-error" class="field-error">}, 'its message beside the password');
    like($r->{content}, qr{<input id="email"[^>]*value="\Q$new\E"}, 'the new address kept');
    unlike($r->{content}, qr{not the password}, 'the password never');
    $r = form($ann, PATCH => '/api/v1/users/me', email => $new, returnTo => '/account', backTo => '/account');
    page_ok($r, 422, 'no password');
    like($r->{content}, qr{<li><a href="#currentPassword">Password: }, 'the summary names the password');
    $r = form($ann, PATCH => '/api/v1/users/me', email => 'not an address', currentPassword => $ann->{pw});
    page_ok($r, 422, 'not an address');
    like($r->{content}, qr{<p id="email-error" class="field-error">}, 'its message beside it');
    sql($srv, 'DELETE FROM login_failures');

    $r = form($ann, PATCH => '/api/v1/users/me', email => $new, currentPassword => $ann->{pw},
        returnTo => '/account', backTo => '/account');
    is($r->{status}, 303, 'the password and a new address: 303');
    is(sql($srv, "SELECT email FROM users WHERE id = $ann->{id}"), $ann->{email}, 'the address stays until confirmed');
    my $next = follow($r, $ann);
    like($next->{content}, qr{<p class="notice" role="status">Almost done: }, 'the notice says what comes next');
    like($next->{content}, qr{<p class="notice" id="pending-email">Pending: <strong>\Q$new\E</strong>},
        'the page shows the new address as pending');
};

subtest 'deleting the account needs the password and a recent sign-in' => sub {
    my $bob = account('user', 'Bob');
    my $r = api($srv, 'GET', '/account/delete', headers => $bob->{h});
    page_ok($r, 200, 'the delete page');
    like($r->{content}, qr{action="/api/v1/users/me\?_method=DELETE"}, 'its form deletes the account');
    my $before = snapshot();
    $r = form($bob, DELETE => '/api/v1/users/me', backTo => '/account/delete', returnTo => '/');
    page_ok($r, 422, 'no password');
    like($r->{content}, qr{<h1>Delete your account</h1>}, 'comes back as the delete page');
    like($r->{content}, qr{<li><a href="#currentPassword">Password: }, 'the summary names the password');
    $r = form($bob, DELETE => '/api/v1/users/me', currentPassword => 'wrong wrong wrong', backTo => '/account/delete');
    ok($r->{status} == 422 || $r->{status} == 401, "a wrong password: refused ($r->{status})");
    like($r->{content}, qr{<p id="currentPassword-error" class="field-error">}, 'its message beside the field');
    unlike($r->{content}, qr{wrong wrong wrong}, 'not the password typed');
    sql($srv, 'DELETE FROM login_failures');
    is(snapshot(), $before, 'refused for the password, nothing changed');
    sql($srv, "UPDATE sessions SET created_at = created_at - 3600 WHERE user_id = $bob->{id}");
    $before = snapshot();
    $r = form($bob, DELETE => '/api/v1/users/me', currentPassword => $bob->{pw}, backTo => '/account/delete');
    page_ok($r, 403, 'an hour after signing in');
    like($r->{content}, qr{<h1>Confirm it is you</h1>}, 'the password is asked again first');
    like($r->{content}, qr{name="returnTo" value="/account/delete"}, 'then back to the delete page');
    is(snapshot(), $before, 'without it, nothing changed');
    $r = api($srv, 'POST', '/api/v1/auth/reauth', form => { currentPassword => $bob->{pw},
        returnTo => '/account/delete' }, headers => $bob->{h});
    is($r->{status}, 303, 'confirmed');
    $r = form($bob, DELETE => '/api/v1/users/me', currentPassword => $bob->{pw}, returnTo => '/');
    is($r->{status}, 303, 'the password: 303');
    is($r->{headers}{location}, '/', 'home');
    is(sql($srv, "SELECT count(*) FROM users WHERE id = $bob->{id}"), 0, 'the account is gone');
    my $next = follow($r, $bob);
    like($next->{content}, qr{<p class="notice" role="status">Your account and your posts are deleted\.</p>},
        'the home page says so');
    unlike($next->{content}, qr{href="/account"}, 'to a visitor');
};

subtest 'who may see the users' => sub {
    my $r = api($srv, 'GET', '/admin/users', headers => $ann->{h});
    page_ok($r, 403, 'a user opens the users');
    like($r->{content}, qr{<h1>403 Forbidden</h1>}, "the site's error page");
    $r = api($srv, 'GET', "/admin/users/$adm->{id}", headers => $ann->{h});
    page_ok($r, 403, "a user opens an admin's page");

    $r = api($srv, 'GET', '/admin/users', headers => $mod->{h});
    page_ok($r, 200, 'a moderator opens the users');
    like($r->{content}, qr{<a href="/admin/users/$ann->{id}">Ann Again</a>}, 'each links to their page');
    unlike($r->{content}, qr{href="/admin/users">Users}, 'the navigation offers them to admins only');
    $r = api($srv, 'GET', "/admin/users/$ann->{id}", headers => $mod->{h});
    page_ok($r, 200, "a moderator opens a user's page");
    unlike($r->{content}, qr{<form method="post" action="/api/v1/users/}, 'without the forms of an admin');
    my $before = snapshot();
    $r = form($mod, PATCH => "/api/v1/users/$ann->{id}", role => 'admin', backTo => "/admin/users/$ann->{id}");
    page_ok($r, 403, 'a moderator changes a role');
    is(snapshot(), $before, 'nothing changed');

    $r = api($srv, 'GET', '/admin/users?q=nobody-matches-this', headers => $adm->{h});
    page_ok($r, 200, 'a search that finds no one');
    like($r->{content}, qr{<p>No users match your search\.</p>}, 'says so');
    like($r->{content}, qr{<input id="q"[^>]*value="nobody-matches-this"}, 'the search kept');
    $r = api($srv, 'GET', '/admin/users?q=Ada', headers => $adm->{h});
    like($r->{content}, qr{Ada Admin}, 'a search finds by name');
    unlike($r->{content}, qr{Ann Again}, 'and only those');
    like($r->{content}, qr{<a href="/admin/users">Users</a>}, "the navigation leads an admin here");
    $r = api($srv, 'GET', '/admin/users?limit=1', headers => $adm->{h});
    my ($more) = $r->{content} =~ m{<p class="more"><a href="([^"]+)">More users</a>};
    ok($more, 'a page of one has a "More users" link');
    $more =~ s/&amp;/&/g;
    like($more, qr{^/admin/users\?q=&limit=1&cursor=}, 'to the next page of the same length');
    my $r2 = api($srv, 'GET', $more, headers => $adm->{h});
    page_ok($r2, 200, 'the next page');
    my @first = $r->{content} =~ m{<a href="/admin/users/(\d+)">}g;
    my @second = $r2->{content} =~ m{<a href="/admin/users/(\d+)">}g;
    ok(@second == 1 && $second[0] != $first[0], 'holds the next user');
    $r = api($srv, 'GET', '/admin/users?role=boss', headers => $adm->{h});
    page_ok($r, 400, 'a role that does not exist');
};

subtest 'an admin changes a user' => sub {
    my $path = "/admin/users/$ann->{id}";
    my $r = api($srv, 'GET', $path, headers => $adm->{h});
    page_ok($r, 200, "a user's page");
    like($r->{content}, qr{<option value="user" selected>User</option>}, 'the role as it is');
    my $before = snapshot();
    $r = form($adm, PATCH => "/api/v1/users/$ann->{id}", role => 'boss', backTo => $path);
    page_ok($r, 422, 'a role that does not exist');
    like($r->{content}, qr{<p id="role-error" class="field-error">}, 'its message beside the select');
    is(snapshot(), $before, 'nothing changed');

    $r = form($adm, PATCH => "/api/v1/users/$ann->{id}", role => 'moderator', returnTo => $path, backTo => $path);
    is($r->{status}, 303, 'a new role: 303');
    is($r->{headers}{location}, $path, "back to the user's page");
    is(sql($srv, "SELECT role FROM users WHERE id = $ann->{id}"), 'moderator', 'the role is changed');
    my $next = follow($r, $adm);
    like($next->{content}, qr{<p class="notice" role="status">Role changed\.</p>}, 'the page says so');
    like($next->{content}, qr{<option value="moderator" selected>Moderator</option>}, 'and shows it');

    $r = form($adm, PATCH => "/api/v1/users/$ann->{id}", disabled => 'true', returnTo => $path, backTo => $path);
    is($r->{status}, 303, 'disable: 303');
    is(sql($srv, "SELECT disabled FROM users WHERE id = $ann->{id}"), 1, 'the account is disabled');
    $next = follow($r, $adm);
    like($next->{content}, qr{Account disabled\.}, 'the page says so');
    like($next->{content}, qr{<input type="hidden" name="disabled" value="false">}, 'and offers to enable it');
    $r = form($adm, PATCH => "/api/v1/users/$ann->{id}", disabled => 'false', returnTo => $path, backTo => $path);
    is(sql($srv, "SELECT disabled FROM users WHERE id = $ann->{id}"), 0, 'enabled again');
    like(follow($r, $adm)->{content}, qr{Account enabled\.}, 'which the page says');
};

subtest 'the last admin stays one: a message beside the form' => sub {
    my $path = "/admin/users/$adm->{id}";
    my $r = api($srv, 'GET', $path, headers => $adm->{h});
    like($r->{content}, qr{<p class="notice" id="last-admin">This is the last active admin}, 'the page says the rule first');
    unlike(api($srv, 'GET', "/admin/users/$ann->{id}", headers => $adm->{h})->{content}, qr{id="last-admin"},
        "not on another user's page");
    my $before = snapshot();
    $r = form($adm, PATCH => "/api/v1/users/$adm->{id}", role => 'user', returnTo => $path, backTo => $path);
    page_ok($r, 409, 'the last admin makes themself a user');
    like($r->{content}, qr{<h2 id="role-heading">Role</h2>\n<div class="error-summary" role="alert">\n<h2>There is a problem</h2>\n<p>This is the last active admin}s,
        'the rule is said beside the role form');
    like($r->{content}, qr{<option value="user" selected>User</option>}, 'the role chosen kept');
    unlike($r->{content}, qr{<h1>409}, 'not an error page');
    $r = form($adm, PATCH => "/api/v1/users/$adm->{id}", disabled => 'true', backTo => $path);
    page_ok($r, 409, 'the last admin disables themself');
    like($r->{content}, qr{<h2 id="state-heading">Disable the account</h2>\n<div class="error-summary"[^>]*>\n<h2>There is a problem</h2>\n<p>This is the last active admin}s,
        'beside that form');
    $r = form($adm, DELETE => "/api/v1/users/$adm->{id}", backTo => $path);
    page_ok($r, 409, 'the last admin deletes themself');
    like($r->{content}, qr{<h2 id="delete-heading">Delete the user</h2>\n<div class="error-summary"[^>]*>\n<h2>There is a problem</h2>\n<p>This is the last active admin}s,
        'beside the delete form');
    is(snapshot(), $before, 'nothing changed');

    $r = form($adm, DELETE => "/api/v1/users/$mod->{id}", returnTo => '/admin/users', backTo => "/admin/users/$mod->{id}");
    is($r->{status}, 303, 'deleting another user: 303');
    is($r->{headers}{location}, '/admin/users', 'to the users');
    is(sql($srv, "SELECT count(*) FROM users WHERE id = $mod->{id}"), 0, 'who is gone');
    like(follow($r, $adm)->{content}, qr{User deleted, with their posts\.}, 'the list says so');
    $r = api($srv, 'GET', "/admin/users/$mod->{id}", headers => $adm->{h});
    page_ok($r, 404, 'their page is gone');
};

done_testing;
