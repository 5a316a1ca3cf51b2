# Apache starting the programs itself, for hosts without mod_proxy_fcgi:
# plain CGI through ScriptAlias (apache/quill.conf's QuillCGISite: a process
# per request), and the shared-hosting layout, apache/htaccess with the
# bundle's wrappers (tools/dist.sh stage), under mod_fcgid (processes kept and reused)
# and, on a host without mod_fcgid, as plain CGI.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;

plan skip_all => 'Apache-only test; run with QUILL_TEST_SERVER=apache (make test does)'
    unless test_server() eq 'apache';

my $n = 0;

# How many times the programs have started so far.
sub starts { scalar(() = log_text($_[0]) =~ /"event":"start"/g) }

for my $mode ('cgi', 'fcgid', 'shared-cgi') {
    my $srv = start_server(mode => $mode);

    my $r = api($srv, 'GET', '/api/v1/health');
    is($r->{status}, 200, "$mode: health answers 200");
    is($r->{headers}{'x-content-type-options'}, 'nosniff', "$mode: security headers, once");
    is($r->{headers}{'content-type'}, 'application/json; charset=utf-8', "$mode: JSON with a charset");

    # register -> login -> me: bodies reach the programs, Authorization too.
    my ($reg, $email, $pw) = register($srv);
    is($reg->{status}, 201, "$mode: register");
    my ($tok) = login($srv, $email, $pw);
    ok($tok, "$mode: login");
    $r = api($srv, 'GET', '/api/v1/users/me', token => $tok);
    is($r->{status}, 200, "$mode: the Bearer token reaches the program");
    is($r->{json}{data}{email}, $email, "$mode: me is the registered user");
    $r = api($srv, 'GET', '/api/v1/users/me');
    is($r->{status}, 401, "$mode: me without a token is 401");

    # Routing, as the rewrite or alias rules do it.
    for my $route (['/api/v1/users/3/posts', 'posts'], ['/api/v1/users/3', 'users'],
        ['/api/v1/posts/3', 'posts'], ['/api/v1/auth/sessions', 'auth']) {
        my $rid = "$mode-$$-" . $n++;
        api($srv, 'GET', $route->[0], headers => { 'x-request-id' => $rid });
        is(program_of($srv, $rid), $route->[1], "$mode: $route->[0] goes to $route->[1]");
    }
    $r = api($srv, 'GET', '/api/v1/nothing');
    is(($r->{json} // {})->{error}{code}, 'NOT_FOUND', "$mode: an unknown path is the API's 404");
    if ($mode ne 'cgi') {
        $r = api($srv, 'GET', '/cgi/auth.fcgi');
        is($r->{status}, 404, "$mode: a wrapper called directly is 404");
        like($r->{headers}{'content-type'} // '', qr{^text/html}, "$mode: the site's 404 page (no API path)");
        is(api($srv, 'GET', '/.htaccess')->{status}, 403, "$mode: the .htaccess is not served");
        # The bundle's private directory and notes: nothing of them is
        # served, whatever the name.
        for my $path ('/quill/', '/quill', '/quill/quill.conf', '/quill/env.sh',
            '/quill/quillctl', '/quill/bin/quillctl', '/quill/bin/auth.fcgi',
            '/quill/common-passwords.txt', '/quill/state/', '/quill/.htaccess',
            '/INSTALL.txt', '/Quill/quill.conf') {
            my $s = api($srv, 'GET', $path)->{status};
            ok($s == 403 || $s == 404, "$mode: $path is not served ($s)");
        }
        is(api($srv, 'GET', '/quill/quill.conf')->{status}, 403, "$mode: the settings are refused");
        is(api($srv, 'GET', '/')->{status}, 200, "$mode: the pages are served");
        is(api($srv, 'GET', '/login')->{status}, 200, "$mode: /login is served");
    }

    # What Apache refuses by itself still comes in the envelope.
    $r = raw_request($srv, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
        . "Content-Type: application/json\r\nContent-Length: 10000000\r\n"
        . "Connection: close\r\n\r\n{}");
    is($r->{status}, 413, "$mode: a declared 10 MB body is refused");
    like($r->{content}, qr/"code":"PAYLOAD_TOO_LARGE"/, "$mode: in the API's envelope");
    $r = api($srv, 'POST', '/api/v1/auth/login', json => '{"x":"' . ('a' x 70000) . '"}');
    is(($r->{json} // {})->{error}{code}, 'PAYLOAD_TOO_LARGE', "$mode: the program's own limit applies");

    # Answers carrying tokens are never compressed; others are.
    $r = api($srv, 'GET', '/api/v1/users/me', token => $tok, headers => { 'accept-encoding' => 'gzip' });
    is($r->{headers}{'content-encoding'}, 'gzip', "$mode: JSON is compressed");
    unlike($r->{headers}{vary} // '', qr/Content-Length/, "$mode: the size check adds nothing to Vary");
    $r = api($srv, 'POST', '/api/v1/auth/login', json => { email => $email, password => $pw },
        headers => { 'accept-encoding' => 'gzip' });
    ok(!defined $r->{headers}{'content-encoding'}, "$mode: a login answer is not compressed");

    # The process model: CGI starts a program for every request, mod_fcgid
    # keeps them.
    my $before = starts($srv);
    api($srv, 'GET', '/api/v1/health') for 1 .. 6;
    my $started = starts($srv) - $before;
    if ($mode ne 'fcgid') {
        is($started, 6, "$mode: a process per request");
    } else {
        ok($started <= 1, "fcgid: processes are reused ($started started for 6 requests)");
    }
    like(log_text($srv), qr/"event":"request".*"path":"\/api\/v1\/health"/,
        "$mode: the programs' log lines reach the error log");
}

done_testing();
