# The security battery, over a table of every endpoint (which must match
# the programs' route tables, so a new endpoint cannot miss it):
#   - methods: every other method on a known path is 405 with Allow
#     (TRACE, WebDAV's, OPTIONS without CORS), an unknown path is 404;
#   - method overrides are ignored: X-HTTP-Method-Override but on a POST
#     (t/35-method-override.t), its kin always, _method but in a form;
#   - function-level authorization: staff routes refuse lower roles;
#   - object-level authorization: another user's objects are out of reach;
#   - mass assignment: fields a caller may not set are ignored everywhere;
#   - CR and LF never reach a response header;
#   - no error body holds SQL, a file path or a stack trace;
#   - no password, token or cookie reaches a log.
# The full role matrices of posts and users are in t/61-posts-authz.t and
# t/71-users-authz.t; sessions in t/51-sessions.t.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use QuillTest;
use QuillHarden;
use QuillPosts ();

my $srv = start_server(settings => {
    QUILL_RATE_FORGOT => '2/3600',
    QUILL_REQUEST_TIMEOUT_MS => 1000,
    QUILL_ARGON2_WAIT_MS => 500,
    QUILL_BUSY_TIMEOUT_MS => 600000,
});

# The canaries: one password for every account, a cookie and a bearer token
# sent with every request; every token issued joins them.
my $PW = "canary pass $$ " . time;
my $COOKIE_VALUE = "canaryCookie$$" . time;
my $BOGUS = "canaryBearer$$.eyJzdWIiOjF9.c2lnbmF0dXJlY2FuYXJ5";
my @secrets = ($PW, $COOKIE_VALUE, $BOGUS);
my @errors;    # [what, response] of every 4xx and 5xx answer

# api() with the canary cookie, remembering error answers.
sub call {
    my ($what, $method, $path, %o) = @_;
    $o{headers} = { cookie => "quill_session=$COOKIE_VALUE", %{ $o{headers} // {} } };
    my $r = api($srv, $method, $path, %o);
    push @errors, [$what, $r, $path] if $r->{status} >= 400;
    return $r;
}

# SQL on the server's database (its own client): the output, rows joined by newlines.
sub sql { return QuillPosts::sql($srv, @_) }

# Everything a refused request must leave as it was.
sub state_dump {
    return join "\n--\n", map { sql("SELECT * FROM $_ ORDER BY 1") }
        qw(users posts sessions refresh_tokens reset_tokens);
}

# An account with the canary password and a role, logged in:
# { id, email, token, refresh, session }.
sub account {
    my ($role, $name) = @_;
    my $email = fresh_email();
    my $r = call('register', 'POST', '/api/v1/auth/register',
        json => { email => $email, password => $PW, name => $name });
    die "register: $r->{status}" unless $r->{status} == 201;
    my $id = $r->{json}{data}{id};
    # Confirmed, as its owner would by the mailed link (t/21-verify.t).
    sql("UPDATE users SET verified_at = created_at WHERE id = $id");
    sql("UPDATE users SET role = '$role' WHERE id = $id") if $role ne 'user';
    return { id => $id, email => $email, canary_login($email) };
}

# Logs in with the canary password (or $pw): (token, refresh, session).
sub canary_login {
    my ($email, $pw) = @_;
    my $r = call('login', 'POST', '/api/v1/auth/login',
        json => { email => $email, password => $pw // $PW });
    my $d = $r->{json}{data} or die "login: $r->{status}";
    push @secrets, $d->{accessToken}, $d->{refreshToken};
    my ($sid) = sql("SELECT max(id) FROM sessions WHERE user_id = $d->{user}{id}");
    return (token => $d->{accessToken}, refresh => $d->{refreshToken}, session => $sid);
}

my %who = (
    owner => account('user', 'Owner'),
    other => account('user', 'Other'),
    moderator => account('moderator', 'Moderator'),
    admin => account('admin', 'Admin'),
);
# Roles are read from the database at login.
$who{$_} = { %{ $who{$_} }, canary_login($who{$_}{email}) } for qw(moderator admin);

# Posts of the owner, by status.
my %post;
for my $status (qw(draft published)) {
    my $r = call('new post', 'POST', '/api/v1/posts', token => $who{owner}{token},
        json => { title => "Owner's $status canary", body => 'Canary body.', status => $status });
    $post{$status} = $r->{json}{data}{id};
}

# Every endpoint: method, path, who may call it.  {id} is filled per test.
my @ENDPOINTS = (
    [POST => '/api/v1/auth/register', 'anyone'],
    [POST => '/api/v1/auth/login', 'anyone'],
    [POST => '/api/v1/auth/refresh', 'anyone'],
    [POST => '/api/v1/auth/logout', 'session'],
    [GET => '/api/v1/auth/sessions', 'user'],
    [DELETE => '/api/v1/auth/sessions', 'user'],
    [DELETE => '/api/v1/auth/sessions/{id}', 'owner'],
    [POST => '/api/v1/auth/password/forgot', 'anyone'],
    [POST => '/api/v1/auth/password/reset', 'anyone'],
    [POST => '/api/v1/auth/password/change', 'user'],
    [GET => '/api/v1/auth/csrf', 'session'],
    [GET => '/api/v1/auth/mfa', 'user'],
    [POST => '/api/v1/auth/mfa', 'anyone'],
    [POST => '/api/v1/auth/mfa/totp', 'user'],
    [DELETE => '/api/v1/auth/mfa/totp', 'user'],
    [POST => '/api/v1/auth/mfa/totp/confirm', 'user'],
    [POST => '/api/v1/auth/mfa/recovery-codes', 'user'],
    [POST => '/api/v1/auth/reauth', 'user'],
    [POST => '/api/v1/auth/verify', 'anyone'],
    [POST => '/api/v1/auth/verify/resend', 'anyone'],
    [POST => '/api/v1/auth/email/cancel', 'anyone'],
    [GET => '/login', 'anyone'],
    [GET => '/register', 'anyone'],
    [GET => '/logout', 'anyone'],
    [GET => '/password/change', 'user'],
    [GET => '/password/forgot', 'anyone'],
    [GET => '/password/reset', 'anyone'],
    [GET => '/verify', 'anyone'],
    [GET => '/email/cancel', 'anyone'],
    [GET => '/reauth', 'user'],
    [GET => '/account/sessions', 'user'],
    [GET => '/account/two-factor', 'user'],
    [GET => '/api/v1/users', 'moderator'],
    [GET => '/api/v1/users/me', 'user'],
    [PATCH => '/api/v1/users/me', 'user'],
    [DELETE => '/api/v1/users/me', 'user'],
    [GET => '/api/v1/users/{id}', 'anyone'],
    [PATCH => '/api/v1/users/{id}', 'admin'],
    [DELETE => '/api/v1/users/{id}', 'admin'],
    [GET => '/api/v1/users/{id}/posts', 'anyone'],
    [GET => '/', 'anyone'],
    [GET => '/posts', 'anyone'],
    [GET => '/posts/new', 'user'],
    [GET => '/posts/{id}', 'anyone'],
    [GET => '/users/{id}/posts', 'anyone'],
    [GET => '/account', 'user'],
    [GET => '/account/delete', 'user'],
    [GET => '/admin/users', 'moderator'],
    [GET => '/admin/users/{id}', 'moderator'],
    [GET => '/api/v1/posts', 'anyone'],
    [POST => '/api/v1/posts', 'user'],
    [GET => '/api/v1/posts/{id}', 'anyone'],
    [PUT => '/api/v1/posts/{id}', 'owner'],
    [PATCH => '/api/v1/posts/{id}', 'owner'],
    [DELETE => '/api/v1/posts/{id}', 'owner'],
);

# A concrete path: {id} is the owner's session, the owner, or a draft.
sub concrete {
    my ($path) = @_;
    my $id = $path =~ m{/sessions/} ? $who{owner}{session}
        : $path =~ m{^(?:/api/v1|/admin)?/users/} ? $who{owner}{id} : $post{draft};
    return $path =~ s/\{id\}/$id/r;
}

subtest 'the table holds every route of the programs' => sub {
    my %routes;
    for my $file (glob('cgi-bin/*.c cgi-bin/*/*.c')) {
        open my $fh, '<', $file or die "$file: $!";
        while (my $line = <$fh>) {
            $routes{"$1 $2"} = 1 if $line =~ /\{\s*M_([A-Z]+),\s*"([^"]+)"/;
        }
    }
    my %table = map { ("$_->[0] $_->[1]" => 1) } @ENDPOINTS;
    is_deeply([sort keys %table], [sort keys %routes],
        'the battery knows every endpoint, and only those');
};

# Apache answers TRACE and CONNECT itself (TraceEnable Off; CONNECT is a
# proxy's method), before any program: t/10 covers what it says.
my @METHODS = (qw(GET HEAD POST PUT PATCH DELETE OPTIONS PROPFIND MKCOL LOCK),
    test_server() eq 'apache' ? () : qw(TRACE CONNECT));
my %ORDER = do { my $i = 0; map { $_ => $i++ } qw(GET HEAD POST PUT PATCH DELETE OPTIONS) };

subtest 'other methods are 405 with Allow; unknown paths 404' => sub {
    my %allowed;
    for my $e (@ENDPOINTS) {
        push @{ $allowed{$e->[1]} }, $e->[0];
        push @{ $allowed{$e->[1]} }, 'HEAD' if $e->[0] eq 'GET';
    }
    $allowed{'/api/v1/health'} = [qw(GET HEAD)];
    for my $path (sort keys %allowed) {
        my %ok = map { $_ => 1 } @{ $allowed{$path} };
        my $allow = join ', ', sort { $ORDER{$a} <=> $ORDER{$b} } keys %ok;
        for my $m (grep { !$ok{$_} } @METHODS) {
            my $r = raw_request($srv, "$m " . concrete($path) . " HTTP/1.1\r\nHost: x\r\n"
                . "Authorization: Bearer $who{admin}{token}\r\nContent-Length: 0\r\n"
                . "Connection: close\r\n\r\n");
            push @errors, ["$m $path", $r, $path];
            is($r->{status}, 405, "$m $path: 405");
            is($r->{headers}{allow}, $allow, "$m $path: Allow: $allow");
        }
    }
    for my $m (qw(GET PROPFIND DELETE), test_server() eq 'apache' ? () : 'TRACE') {
        for my $path ('/api/v1/postsX', '/api/v1/posts/1/2', '/api/v1/users/me/x',
            '/api/v1/auth/loginx', '/api/v1/nothing') {
            my $r = raw_request($srv, "$m $path HTTP/1.1\r\nHost: x\r\n"
                . "Content-Length: 0\r\nConnection: close\r\n\r\n");
            push @errors, ["$m $path", $r];
            is($r->{status}, 404, "$m $path: 404");
        }
    }
    # Methods lighttpd does not know never reach a program: it answers 501.
    for my $m (qw(FOO get BREW)) {
        my $r = raw_request($srv, "$m /api/v1/posts HTTP/1.1\r\nHost: x\r\n"
            . "Connection: close\r\n\r\n");
        cmp_ok($r->{status}, '>=', 400, "$m: refused by the web server ($r->{status})");
    }
    # lighttpd refuses them itself; Apache passes them on, and the
    # programs' 405 is checked above for the methods they know of.
    unlike(log_text($srv), qr/"method":"(FOO|get|BREW)"/, 'and no program served them')
        if test_server() eq 'lighttpd';
    # As plain CGI, with no web server in between, the programs say 405.
    for my $c ([auth => '/api/v1/auth/login', 'POST'], [users => '/api/v1/users/me',
        'GET, HEAD, PATCH, DELETE'], [posts => '/api/v1/posts', 'GET, HEAD, POST']) {
        my ($prog, $path, $allow) = @$c;
        my $r = cgi_request($srv, $prog, 'BREW', $path);
        push @errors, ["CGI BREW $path", $r];
        is($r->{status}, 405, "BREW $path as CGI: 405");
        is($r->{headers}{allow}, $allow, "BREW $path as CGI: Allow: $allow");
    }
};

subtest 'method overrides are ignored (X-HTTP-Method-Override but on a POST)' => sub {
    for my $e (grep { $_->[0] =~ /^(PUT|PATCH|DELETE)$/ } @ENDPOINTS) {
        my ($m, $tpl) = @$e;
        my $path = concrete($tpl);
        my $caller = $tpl =~ m{/users/me|/sessions/|/posts/} ? 'owner' : 'admin';
        for my $carrier (qw(GET POST)) {
            # A POST's X-HTTP-Method-Override is honoured (t/35); its kin
            # never are, nor any method's but a POST's.
            my %override = ('x-http-method' => $m, 'x-method-override' => $m,
                $carrier eq 'POST' ? () : ('x-http-method-override' => $m));
            my $before = state_dump();
            my $plain = call("plain $carrier $tpl", $carrier, $path,
                token => $who{$caller}{token});
            # ?_method only for a browser's form (docs/forms.md), never
            # for JSON.
            my $r = call("$carrier $tpl as $m", $carrier, "$path?_method=$m",
                token => $who{$caller}{token}, headers => \%override,
                $carrier eq 'POST' ? (json => {}) : ());
            is($r->{status}, $plain->{status},
                "$carrier $tpl asking to be $m: answered as $carrier ($plain->{status})");
            is(state_dump(), $before, "$carrier $tpl asking to be $m: nothing changed");
        }
        # A form's ?_method is a browser form's, so it passes the origin
        # check first: from nowhere (no Origin, Referer, Sec-Fetch-Site), 403.
        my $before = state_dump();
        my $r = call("form $tpl as $m", 'POST', "$path?_method=$m",
            token => $who{$caller}{token}, form => { x => 1 },
            headers => { accept => 'application/json' });
        is($r->{status}, 403, "a form POST to $tpl asking to be $m from no origin: 403");
        is(state_dump(), $before, "a form POST to $tpl asking to be $m: nothing changed");
    }
};

subtest 'function-level authorization' => sub {
    my %rank = (anyone => 0, user => 1, moderator => 2, admin => 3);
    my %role = (owner => 'user', moderator => 'moderator');
    for my $e (grep { $_->[2] eq 'moderator' || $_->[2] eq 'admin' } @ENDPOINTS) {
        my ($m, $tpl, $need) = @$e;
        my $path = concrete($tpl);
        my %body = $m eq 'PATCH' ? (json => { role => 'admin', name => 'Taken over' }) : ();
        for my $caller (undef, 'owner', 'moderator') {
            next if $caller && $rank{$role{$caller}} >= $rank{$need};
            my $as = $caller // 'anonymous';
            my $before = state_dump();
            my $r = call("$m $tpl as $as", $m, $path, %body,
                $caller ? (token => $who{$caller}{token}) : ());
            # A page sends a visitor to log in (t/25-site-account.t).
            my $want = $caller ? 403 : $tpl =~ m{^/api/} ? 401 : 303;
            is($r->{status}, $want, "$m $tpl as $as: $want");
            is(state_dump(), $before, "$m $tpl as $as: nothing changed");
        }
    }
};

subtest 'object-level authorization' => sub {
    my $other = $who{other}{token};
    # [method, path, body, expected status, what]
    my @cases = (
        [DELETE => "/api/v1/auth/sessions/$who{owner}{session}", undef, 404, "another user's session"],
        [GET => "/api/v1/posts/$post{draft}", undef, 404, "another user's draft"],
        [PUT => "/api/v1/posts/$post{draft}", { title => 'X', body => 'Y', status => 'published' }, 404, "another user's draft"],
        [PATCH => "/api/v1/posts/$post{draft}", { title => 'X' }, 404, "another user's draft"],
        [DELETE => "/api/v1/posts/$post{draft}", undef, 404, "another user's draft"],
        [PUT => "/api/v1/posts/$post{published}", { title => 'X', body => 'Y', status => 'draft' }, 403, "another user's post"],
        [PATCH => "/api/v1/posts/$post{published}", { status => 'draft' }, 403, "another user's post"],
        [DELETE => "/api/v1/posts/$post{published}", undef, 403, "another user's post"],
        [PATCH => "/api/v1/users/$who{owner}{id}", { name => 'X' }, 403, 'another user'],
        [DELETE => "/api/v1/users/$who{owner}{id}", undef, 403, 'another user'],
    );
    for my $c (@cases) {
        my ($m, $path, $body, $want, $what) = @$c;
        my $before = state_dump();
        my $r = call("$m $what", $m, $path, token => $other, $body ? (json => $body) : ());
        is($r->{status}, $want, "$m $what: $want");
        is(state_dump(), $before, "$m $what: nothing changed");
    }
    my $r = call('profile', 'GET', "/api/v1/users/$who{owner}{id}", token => $other);
    is($r->{status}, 200, "another user's profile is public");
    ok(!exists $r->{json}{data}{email}, 'without the email');
    for my $path ("/api/v1/users/$who{owner}{id}/posts", "/api/v1/posts?author=$who{owner}{id}",
        "/api/v1/posts?author=$who{owner}{id}&status=draft") {
        $r = call('list', 'GET', $path, token => $other);
        my @ids = map { $_->{id} } @{ $r->{json}{data} // [] };
        ok(!grep({ $_ == $post{draft} } @ids), "$path: another user's draft is not listed");
    }
    $r = call('sessions', 'GET', '/api/v1/auth/sessions', token => $other);
    my @sids = map { $_->{id} } @{ $r->{json}{data} // [] };
    ok(@sids && !grep({ $_ == $who{owner}{session} } @sids), "another user's sessions are not listed");
};

subtest 'mass assignment' => sub {
    my %extra = (id => 424242, userId => $who{admin}{id}, authorId => $who{other}{id},
        author_id => $who{other}{id}, role => 'admin', disabled => JSON::PP::true,
        tokenVersion => 99, token_version => 99, passwordHash => '$argon2id$forged',
        password_hash => '$argon2id$forged', createdAt => '2001-01-01T00:00:00Z',
        created_at => 1, updatedAt => '2001-01-01T00:00:00Z', version => 77,
        emailVerified => JSON::PP::true, isAdmin => JSON::PP::true, excerpt => 'forged');
    my $cols = 'id, role, disabled, token_version, password_hash, created_at';
    my $now = time;

    my $email = fresh_email();
    my $r = call('register+', 'POST', '/api/v1/auth/register',
        json => { %extra, email => $email, password => $PW, name => 'Mass' });
    is($r->{status}, 201, 'register with extra fields: 201');
    is(sql("SELECT verified_at IS NULL FROM users WHERE email = '$email'"), 1,
        'register: emailVerified is not taken from the body');
    my ($id, $role, $dis, $ver, $hash, $created) =
        split /\|/, sql("SELECT $cols FROM users WHERE email = '$email'");
    ok($id != 424242 && $role eq 'user' && $dis == 0 && $ver == 1
        && $hash =~ /^\$argon2id\$v=/ && $created >= $now - 5,
        'register: id, role, disabled, token version, hash and time are the server\'s');
    my $claims = do { my %l = canary_login($email); (split /\./, $l{token})[1] };
    require MIME::Base64;
    like(MIME::Base64::decode_base64url($claims), qr/"role":"user"/,
        'login with extra fields: the token says user');
    $r = call('login+', 'POST', '/api/v1/auth/login', json => { %extra, email => $email, password => $PW });
    push @secrets, grep { defined } @{ $r->{json}{data} // {} }{qw(accessToken refreshToken)};
    like(MIME::Base64::decode_base64url((split /\./, $r->{json}{data}{accessToken} // '')[1] // ''),
        qr/"role":"user"/, 'a login sending role=admin still gets a user token');

    my $u = $who{owner};
    my $before = sql("SELECT $cols, email FROM users WHERE id = $u->{id}");
    $r = call('patch me+', 'PATCH', '/api/v1/users/me', token => $u->{token},
        json => { %extra, name => 'Owner renamed' });
    is($r->{status}, 200, 'PATCH /users/me with extra fields: 200');
    is(sql("SELECT $cols, email FROM users WHERE id = $u->{id}"), $before,
        'PATCH /users/me: only the name changed');
    is(sql("SELECT name FROM users WHERE id = $u->{id}"), 'Owner renamed', 'the name did');

    my $t = $who{other};
    $before = sql("SELECT id, email, password_hash, created_at FROM users WHERE id = $t->{id}");
    my %admin_extra = %extra;
    delete @admin_extra{qw(role disabled)};    # an admin may set those
    $r = call('admin patch+', 'PATCH', "/api/v1/users/$t->{id}", token => $who{admin}{token},
        json => { %admin_extra, email => 'forged@example.com', name => 'Other renamed' });
    is($r->{status}, 200, 'PATCH /users/{id} by an admin with extra fields: 200');
    is(sql("SELECT id, email, password_hash, created_at FROM users WHERE id = $t->{id}"), $before,
        'PATCH /users/{id}: id, email, hash and time unchanged');

    $r = call('post+', 'POST', '/api/v1/posts', token => $u->{token},
        json => { %extra, title => 'Mass post', body => 'Body.', status => 'draft' });
    is($r->{status}, 201, 'POST /posts with extra fields: 201');
    my $pid = $r->{json}{data}{id} // 0;
    my ($pauthor, $pver, $pcreated, $pexcerpt) =
        split /\|/, sql("SELECT author_id, version, created_at, excerpt FROM posts WHERE id = $pid");
    ok($pid != 424242 && $pauthor == $u->{id} && $pver == 1 && $pcreated >= $now - 5
        && $pexcerpt eq 'Body.', 'POST /posts: id, author, version, time and excerpt are the server\'s');
    for my $m (qw(PUT PATCH)) {
        my $was = sql("SELECT id, author_id, created_at, version FROM posts WHERE id = $pid");
        my ($wid, $wauthor, $wcreated, $wver) = split /\|/, $was;
        $r = call("$m post+", $m, "/api/v1/posts/$pid", token => $u->{token},
            json => { %extra, title => "Mass $m", body => "Body $m.", status => 'draft' });
        is($r->{status}, 200, "$m /posts/{id} with extra fields: 200");
        is(sql("SELECT id, author_id, created_at, version FROM posts WHERE id = $pid"),
            join('|', $wid, $wauthor, $wcreated, $wver + 1),
            "$m /posts/{id}: id, author and time kept, version counted by the server");
    }

    $before = sql("SELECT $cols FROM users WHERE id = $u->{id}");
    my $new = "$PW changed";
    push @secrets, $new;
    $r = call('change+', 'POST', '/api/v1/auth/password/change', token => $u->{token},
        json => { %extra, currentPassword => $PW, newPassword => $new });
    is($r->{status}, 204, 'password change with extra fields: 204');
    # Back to the canary password, for the subtests below.  A change ends
    # every access token of the account.
    %$u = (%$u, canary_login($u->{email}, $new));
    is(call('change back', 'POST', '/api/v1/auth/password/change', token => $u->{token},
        json => { currentPassword => $new, newPassword => $PW })->{status}, 204,
        'and back');
    %$u = (%$u, canary_login($u->{email}));
    my @now = split /\|/, sql("SELECT $cols FROM users WHERE id = $u->{id}");
    my @was = split /\|/, $before;
    ok($now[1] eq $was[1] && $now[2] == $was[2] && $now[0] == $was[0],
        'password change: role, disabled and id unchanged');
};

# Whether a response head is only well-formed header lines.
sub head_ok {
    my ($what, $r) = @_;
    my @lines = split /\r\n/, $r->{head};
    shift @lines unless $lines[0] =~ /^Status:/;    # the status line
    my @bad = grep { !/^[A-Za-z0-9-]+: [^\r\n]*$/ } @lines;
    ok($r->{status} && !@bad && $r->{head} !~ /(?<!\r)\n|\r(?!\n)/,
        "$what: well-formed header lines ($r->{status})") or diag(explain(\@bad));
    ok(!exists $r->{headers}{injected}, "$what: no injected header");
}

subtest 'CR and LF never reach a response header' => sub {
    # Two published matches, so a list by q answers a Link to its next page.
    for my $n (1, 2) {
        call('crlf post', 'POST', '/api/v1/posts', token => $who{other}{token},
            json => { title => "Crlfcanary $n", body => 'Crlfcanary body.', status => 'published' });
    }
    my $tok = $who{other}{token};
    # Through lighttpd, which refuses control characters in the URL and
    # bare CRs in headers itself.
    my @requests = (
        "GET /api/v1/posts%0D%0AInjected:%20yes HTTP/1.1\r\nHost: x\r\n",
        "GET /api/v1/posts/1%0AInjected:%20yes HTTP/1.1\r\nHost: x\r\n",
        "GET /api/v1/posts?limit=1&q=crlfcanary&x=%0D%0AInjected:%20yes HTTP/1.1\r\nHost: x\r\n",
        "GET /api/v1/posts HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc%0D%0AInjected:%20yes\r\n",
        "GET /api/v1/posts HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\rInjected: yes\r\n",
        "GET /api/v1/posts HTTP/1.1\r\nHost: x\r\nOrigin: http://x%0D%0AInjected:%20yes\r\n",
    );
    my $title = JSON::PP->new->encode({ title => "T\r\nInjected: yes", body => "B\r\nInjected: yes",
        status => 'published' });
    push @requests, "POST /api/v1/posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer $tok\r\n"
        . "Content-Type: application/json\r\nContent-Length: " . length($title) . "\r\n\r\n$title";
    for my $req (@requests) {
        $req .= "Connection: close\r\n\r\n" unless $req =~ /\r\n\r\n/;
        my ($line) = $req =~ /^([^\r]*)/;
        my $r = raw_request($srv, $req);
        push @errors, [$line, $r] if $r->{status} >= 400;
        head_ok($line, $r);
    }
    # Straight to the program, as a server that let them through would:
    # CGI variables may hold any byte.
    my $links = 0;
    for my $c (
        ['q and another parameter', '/api/v1/posts?limit=1&q=crlfcanary&x=%0D%0AInjected:%20yes', {}],
        ['the value of q', '/api/v1/posts?limit=1&q=crlfcanary%0D%0AInjected:%20yes', {}],
        ['a parameter name', '/api/v1/posts?limit=1&q=crlfcanary&%0D%0AInjected:%20yes=1', {}],
        ['X-Request-Id', '/api/v1/posts?limit=1', { HTTP_X_REQUEST_ID => "abc\r\nInjected: yes" }],
        ['Origin', '/api/v1/posts?limit=1', { HTTP_ORIGIN => "http://x\r\nInjected: yes" }],
        ['If-None-Match', "/api/v1/posts/$post{published}", { HTTP_IF_NONE_MATCH => "\"x\"\r\nInjected: yes" }],
        ['the path', "/api/v1/posts\r\nInjected: yes", {}],
    ) {
        my ($what, $uri, $env) = @$c;
        my $r = cgi_request($srv, 'posts', 'GET', $uri, env => $env);
        push @errors, ["CGI $what", $r] if $r->{status} >= 400;
        head_ok("CR/LF in $what, as CGI", $r);
        $links++ if ($r->{headers}{link} // '') =~ /%0D%0A.*rel="next"/;
    }
    cmp_ok($links, '>=', 2, 'the Link headers carried the CR/LF of the query escaped');
};

subtest 'error bodies hold no SQL, path or stack trace' => sub {
    # A few more kinds of failure: too large, no length, wrong type,
    # malformed and duplicate JSON, taken email, stale If-Match, rate
    # limit, and a 503 from the time limit while the database is locked.
    my $t = $who{other}{token};
    call('413', 'POST', '/api/v1/auth/login', body => '{"a":"' . ('x' x 70000) . '"}',
        headers => { 'content-type' => 'application/json' });
    push @errors, ['411', cgi_request($srv, 'auth', 'POST', '/api/v1/auth/login',
        body => '{}', no_length => 1)];
    call('415', 'POST', '/api/v1/posts', token => $t, body => '<a/>',
        headers => { 'content-type' => 'application/xml' });
    call('400 json', 'POST', '/api/v1/posts', token => $t, json => '{"title": "x", ');
    call('400 dup', 'POST', '/api/v1/posts', token => $t, json => '{"title": "x", "title": "y"}');
    call('400 query', 'GET', '/api/v1/posts?limit=abc');
    call("400 quote", 'GET', "/api/v1/posts?q=%27%20OR%201=1--&sort='");
    call('400 cursor', 'GET', '/api/v1/posts?cursor=%27%3B%20DROP%20TABLE%20posts');
    call('409', 'POST', '/api/v1/auth/register',
        json => { email => $who{other}{email}, password => $PW, name => 'Again' });
    call('412', 'PATCH', "/api/v1/posts/$post{published}", token => $who{admin}{token},
        headers => { 'if-match' => '"1-999"' }, json => { title => 'Stale' });
    call('429', 'POST', '/api/v1/auth/password/forgot', json => { email => fresh_email() }) for 1 .. 3;
    my $lock = hold_write_lock($srv);
    my $r = call('503', 'POST', '/api/v1/posts', token => $t, json => { title => 'Locked', body => 'B.' });
    release_write_lock($lock);
    is($r->{status}, 503, 'a write past the time limit: 503');

    my %seen;
    $seen{$_->[1]{status}}++ for @errors;
    for my $s (400, 401, 403, 404, 405, 409, 411, 412, 413, 415, 422, 429, 503) {
        ok($seen{$s}, "a $s is among the " . scalar(@errors) . ' error answers');
    }
    # SQL as the statement table writes it, SQLite's own words, file
    # paths, source lines, traces and addresses.
    my $leaky = qr{\b(?:SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE|DROP|WHERE|JOIN)\b
        | (?i: sqlite | \bsyntax\s+error | no\s+such\s+(?:table|column) | constraint\s+failed
        | /(?:work|home|var|tmp|usr|etc|srv|opt)/ | \.(?:c|h|pl|pm):\d | \bline\s+\d+
        | backtrace | stack\s+trace | segmentation | \bassert | 0x[0-9a-f]{6,})}x;
    my @bad;
    for my $e (@errors) {
        my ($what, $res, $path) = @$e;
        my $body = $res->{content} // '';
        my $json = eval { JSON::PP->new->decode($body) };
        push @bad, "$what: $res->{status} $body" if $body =~ $leaky;
        # HEAD answers have no body; lighttpd's own refusals (no request
        # id: no program saw them) are its plain pages.
        next if $what =~ /^HEAD / || !exists $res->{headers}{'x-request-id'};
        # The site's pages answer their errors with the site's error page.
        if (($path // "/api/") !~ m{^/api/}) {
            push @bad, "$what: $res->{status} is not the site's error page"
                unless ($res->{headers}{'content-type'} // '') =~ m{^text/html}
                && $body =~ /Reference: request /;
            next;
        }
        push @bad, "$what: $res->{status} is not the envelope: $body"
            unless $json && $json->{error}{code} && $json->{meta}{requestId};
    }
    is(scalar @bad, 0, 'every error answer is the envelope, with nothing from the inside')
        or diag(join "\n", @bad);
};

subtest 'no password, token or cookie reaches a log' => sub {
    # Every endpoint once more, as its rightful caller, with a bogus
    # token where none is needed.
    for my $e (@ENDPOINTS) {
        my ($m, $tpl, $need) = @$e;
        next if $tpl =~ m{/users/me$|/users/\{id\}$|/sessions} && $m eq 'DELETE';
        my $caller = { anyone => undef, session => 'owner', user => 'owner', owner => 'owner',
            moderator => 'moderator', admin => 'admin' }->{$need};
        call("canary $m $tpl", $m, concrete($tpl),
            token => $caller ? $who{$caller}{token} : $BOGUS,
            $m =~ /^(POST|PUT|PATCH)$/ ? (json => { password => $PW, currentPassword => $PW,
                refreshToken => $who{other}{refresh}, token => $BOGUS }) : ());
    }
    # The web server's own logs too (access logs hold request lines and
    # Referers), complete once it has stopped.
    QuillTest::stop_server($srv);
    my $log = log_text($srv);
    my $lighttpd = join '', access_log_text($srv->{var}), map { open my $fh, '<', $_; local $/; <$fh> // '' }
        grep { -f } map { "$srv->{var}/log/$_" } qw(lighttpd.log apache-error.log);
    ok(length $log > 10000, 'the programs logged (' . length($log) . ' bytes)');
    my @leaked = grep { index($log, $_) >= 0 || index($lighttpd, $_) >= 0 }
        grep { defined && length } @secrets;
    is(scalar @leaked, 0, 'none of ' . scalar(@secrets) . ' secrets appears in a log')
        or diag(join "\n", map { substr($_, 0, 16) . '...' } @leaked);
};

done_testing();
