# The shared-hosting bundle (tools/dist.sh stage, as `make dist` lays it
# out) under each host setting the guide names, with Apache:
#   minimal  AllowOverride FileInfo AuthConfig, Options ExecCGI
#            SymLinksIfOwnerMatch (apache/quill-fcgid.conf's QuillSharedHost)
#   all      AllowOverride All, Options ExecCGI FollowSymLinks Indexes
#   suexec   the least set again, the programs run as the account that owns
#            the bundle through Debian's apache2-suexec-custom, its state
#            0700/0600 and the account's alone (as root only)
# each under mod_fcgid and as plain CGI: register -> login -> me -> a post
# -> the post, the pages, and nothing of quill/ served.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillSuexec;

plan skip_all => 'Apache-only test; run with QUILL_TEST_SERVER=apache (make test does)'
    unless test_server() eq 'apache';

# The program a path of the API goes to, as the .htaccess routes it.
sub program_for {
    my ($path) = @_;
    return 'posts' if $path =~ m{^/api/v1/(?:users/[^/]*/posts|posts)(?:[/?]|$)};
    return 'users' if $path =~ m{^/api/v1/users(?:[/?]|$)};
    return 'auth';
}

# quillctl ARGS as the account that owns a suEXEC site's state, through
# the bundle's own quillctl: (exit status, output).
sub owner_quillctl {
    my ($srv, $owner, $args) = @_;
    my $out = `runuser -u $owner -- $srv->{var}/htdocs/quill/quillctl $args 2>&1 </dev/null`;
    return ($? >> 8, $out);
}

# check_site($srv, $what, $direct, $owner): with $direct, through the programs'
# own paths (/cgi/auth.fcgi/api/v1/...), as a host without mod_rewrite;
# with $owner, on a site whose state is that account's (suEXEC).
sub check_site {
    my ($srv, $what, $direct, $owner) = @_;
    my $call = sub {
        my ($method, $path, %o) = @_;
        $path = "/cgi/" . program_for($path) . ".fcgi$path" if $direct;
        return api($srv, $method, $path, %o);
    };
    my $r = $call->('GET', '/api/v1/health');
    is($r->{status}, 200, "$what: health") or diag(substr(log_text($srv), -2000));
    my $email = fresh_email();
    my $pw = 'correct horse battery staple';
    $r = $call->('POST', '/api/v1/auth/register',
        json => { email => $email, password => $pw, name => 'Shared' });
    is($r->{status}, 201, "$what: register");
    # Links in answers name the paths this client reaches: the programs'
    # own when it came that way, and the program that serves each path.
    my $at = $direct ? qr{^/cgi/users\.fcgi/api/v1/users/\d+$} : qr{^/api/v1/users/\d+$};
    like($r->{headers}{location} // '', $at, "$what: register's Location is reachable");
    # Confirmed by the operator, so that it may write (QUILL_REQUIRE_VERIFIED):
    # under suEXEC as the account that owns the state, with the bundle's
    # own quillctl, as the site's owner would over SSH.
    my ($vrc, $vout) = $owner ? owner_quillctl($srv, $owner, "user verify $email")
        : quillctl($srv, "user verify $email");
    is($vrc, 0, "$what: quillctl user verify") or diag($vout);
    $r = $call->('POST', '/api/v1/auth/login', json => { email => $email, password => $pw });
    my $tok = ($r->{json} // {})->{data}{accessToken};
    ok($tok, "$what: login");
    $r = $call->('GET', '/api/v1/users/me', token => $tok);
    is($r->{status}, 200, "$what: me (Authorization reaches the program)");
    my $id = ($r->{json} // {})->{data}{id} // 0;
    my $title = "Shared $what $$";
    $r = $call->('POST', '/api/v1/posts', token => $tok,
        json => { title => $title, body => 'Through the bundle.', status => 'published' });
    is($r->{status}, 201, "$what: a post");
    my $loc = $r->{headers}{location} // '';
    $at = $direct ? qr{^/cgi/posts\.fcgi/api/v1/posts/\d+$} : qr{^/api/v1/posts/\d+$};
    like($loc, $at, "$what: the post's Location is reachable");
    is(api($srv, 'GET', $loc, token => $tok)->{status}, 200, "$what: and answers there");
    $call->('POST', '/api/v1/posts', token => $tok,
        json => { title => "$title, another", body => 'Again.', status => 'published' });
    $r = $call->('GET', "/api/v1/users/$id/posts?limit=1", token => $tok);
    my ($next) = ($r->{headers}{link} // '') =~ /^<([^>]+)>; rel="next"$/;
    $at = $direct ? qr{^/cgi/posts\.fcgi/api/v1/users/$id/posts\?} : qr{^/api/v1/users/$id/posts\?};
    like($next // '', $at, "$what: the next page's Link is reachable");
    is(api($srv, 'GET', $next // '/nothing', token => $tok)->{status}, 200, "$what: and answers there");
    $r = $call->('GET', "/api/v1/users/$id/posts", token => $tok);
    ok((grep { $_->{title} eq $title } @{ ($r->{json} // {})->{data} // [] }),
        "$what: the post is listed");
    # Without mod_rewrite, the home page is posts' own name.
    is(api($srv, 'GET', $direct ? '/cgi/posts.fcgi/' : '/')->{status}, 200, "$what: the home page");
    like(api($srv, 'GET', $direct ? '/cgi/auth.fcgi/login' : '/login')->{content} // '', qr/<form/i,
        "$what: the login page");
    for my $path ('/quill/quill.conf', '/quill/state/quill.db', '/quill/state/quill.key',
        '/quill/bin/quillctl', '/quill/', '/INSTALL.txt', '/.htaccess', '/cgi/', '/cgi') {
        is(api($srv, 'GET', $path)->{status}, 403, "$what: $path is refused");
    }
}

# quillctl check --url: the API answers, and Authorization reaches the
# programs; a host that strips it is named, with the .htaccess lines.
{
    my $srv = start_server(mode => 'fcgid');
    my ($rc, $out) = quillctl($srv, "check --url $srv->{base}/");
    like($out, qr{^ok   \Q$srv->{base}\E/api/v1/health answers$}m, 'check --url: the API answers');
    like($out, qr/^ok   the Authorization header reaches the programs$/m, 'check --url: Authorization arrives');
    is($rc, 0, 'check --url: all is well') or diag($out);
    edit_htaccess($srv, qr/^CGIPassAuth On\n/m);
    ($rc, $out) = quillctl($srv, "check --url $srv->{base}");
    is($rc, 0, 'check --url: without CGIPassAuth the rewrite passes Authorization') or diag($out);
    edit_htaccess($srv, qr/^ *RewriteCond %\{HTTP:Authorization\} \.\n.*\n/m);
    ($rc, $out) = quillctl($srv, "check --url $srv->{base}");
    like($out, qr/^FAIL the Authorization header does not reach the programs.*\n    CGIPassAuth On\n.*\n    RewriteCond %\{HTTP:Authorization\} \.\n    RewriteRule \^api\/ - \[E=HTTP_AUTHORIZATION:%\{HTTP:Authorization\}\]\n/m,
        'check --url: a stripped Authorization header is named, with the lines that fix it');
    is($rc, 1, 'check --url: and it fails');
    ($rc, $out) = quillctl($srv, "check --url http://127.0.0.1:1/");
    like($out, qr{^FAIL http://127\.0\.0\.1:1/api/v1/health answers 0}m, 'check --url: a site that does not answer');
    ($rc, $out) = quillctl($srv, "check --url example.com");
    like($out, qr/^FAIL --url example\.com: give the site's address/m, 'check --url: not a URL');
    QuillTest::stop_server($srv);
}

# A host where CGIPassAuth passes nothing (here: the line is not there):
# the rewrite's variable, REDIRECT_HTTP_AUTHORIZATION under CGI and
# mod_fcgid, carries the header, and a login is of use.
for my $mode ('fcgid', 'shared-cgi') {
    my $srv = start_server(mode => $mode);
    edit_htaccess($srv, qr/^CGIPassAuth On\n/m);
    check_site($srv, "$mode, no CGIPassAuth");
    QuillTest::stop_server($srv);
}

for my $mode ('fcgid', 'shared-cgi') {
    my $srv = start_server(mode => $mode, host => 'all');
    check_site($srv, "$mode, AllowOverride All");
    QuillTest::stop_server($srv);
    # Without mod_rewrite: the pages, and the API at the programs' paths.
    $srv = start_server(mode => $mode, host => 'norewrite');
    check_site($srv, "$mode, no mod_rewrite", 1);
    is(api($srv, 'GET', '/cgi/users.fcgi/api/v1/nothing')->{json}{error}{code}, 'NOT_FOUND',
        "$mode, no mod_rewrite: an unknown path is the API's 404");
    QuillTest::stop_server($srv);
}

SKIP: {
    my $why = suexec_ready();
    skip "suEXEC: $why", 2 * 28 if $why;
    for my $mode ('fcgid', 'shared-cgi') {
        my $srv = start_server(mode => $mode, suexec => $OWNER, apache_user => $WEB,
            settings => { QUILL_PUBLIC_ORIGIN => 'http://127.0.0.1' });
        my $what = "$mode, suEXEC";
        check_site($srv, $what, 0, $OWNER);
        my $q = "$srv->{var}/htdocs/quill";
        my %want = ("$q/state" => '700', "$q/state/quill.db" => '600',
            "$q/state/quill.key" => '600', "$q/quill.conf" => '600',
            "$q/state/quill.log" => '600');
        for my $f (sort keys %want) {
            my @st = stat $f;
            is(sprintf('%s %o', scalar(getpwuid($st[4] // 0)), ($st[2] // 0) & 07777),
                "$OWNER $want{$f}", "$what: ${\ ($f =~ s{.*/quill/}{quill/}r)} is the owner's alone");
        }
        # The log the account can read: the programs' lines are there.
        open my $lf, '<', "$q/state/quill.log";
        my $lines = $lf ? do { local $/; <$lf> } : '';
        like($lines, qr/"event":"request".*"path":"\/api\/v1\/posts"/,
            "$what: the programs log to quill/state/quill.log");
        QuillTest::stop_server($srv);
    }
}

done_testing();
