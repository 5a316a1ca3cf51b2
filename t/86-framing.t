# Request framing in every layout of the server under test: a POST whose
# body holds a whole second request is answered once, and its body is
# never read as a request of its own (CL.0 smuggling: a configuration that
# drops Content-Length or Transfer-Encoding makes the body the next
# request, and behind a front proxy that reuses connections one client
# could prefix another's).  Posted to the internal paths the
# configurations route through (reachable directly only as 404s) and to
# ordinary endpoints and pages, framed by Content-Length and chunked.
# What Apache refuses itself still answers in the envelope through an
# ErrorDocument, which may reach the internal path /api/v1/auth/.server-error.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillServers;

my @INTERNAL = ('/api/v1/auth/.server-error', '/api/v1/auth/.health',
    '/api/v1/auth/.unknown', '/api/v1/posts/.by-user', '/cgi/auth.fcgi',
    '/cgi/users.fcgi');
# posts.fcgi's own path is the home page where a host has no mod_rewrite.
my @ORDINARY = ('/api/v1/auth/login', '/api/v1/posts', '/api/v1/users/me',
    '/api/v1/users/1/posts', '/api/v1/health', '/api/v1/nothing', '/login',
    '/cgi/posts.fcgi');
my $n = 0;

for my $layout (layouts()) {
    my $srv = start_server(mode => $layout);
    for my $path (@INTERNAL, @ORDINARY) {
        for my $framing ('length', 'chunked') {
            my $id = "$$-" . $n++;
            my $inner = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n"
                . "X-Request-Id: smuggled-$id\r\n\r\n";
            my $body = $framing eq 'length' ? $inner
                : sprintf("%x\r\n%s\r\n0\r\n\r\n", length $inner, $inner);
            my ($answers, $note) = exchange($srv,
                "POST $path HTTP/1.1\r\nHost: x\r\nX-Request-Id: first-$id\r\n"
                . "Content-Type: text/plain\r\n"
                . ($framing eq 'length' ? 'Content-Length: ' . length($body)
                    : 'Transfer-Encoding: chunked') . "\r\n\r\n$body"
                . "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Request-Id: last-$id\r\n"
                . "Connection: close\r\n\r\n");
            my $what = "$layout: POST $path ($framing)";
            ok(!defined $note, "$what: the answers are whole") or diag $note;
            ok(@$answers >= 1, "$what: answered ($answers->[0]{status})");
            # Only an ErrorDocument reaches an internal path: a request is 404.
            is($answers->[0]{status}, 404, "$what: 404") if grep { $_ eq $path } @INTERNAL;
            my @smuggled = grep { $_->{head} =~ /smuggled-\Q$id\E/ } @$answers;
            is(scalar @smuggled, 0, "$what: the body is never a request");
            # One answer for the POST, one for the request after it, unless
            # the server closed the connection after the first.
            my $closed = grep { /close/i } @{ $answers->[0]{headers}{connection} // [] };
            is(scalar @$answers, $closed ? 1 : 2,
                "$what: " . ($closed ? 'one answer, then the connection closes'
                    : 'one answer each for the POST and the request after it'))
                or diag(join "\n", map { $_->{head} } @$answers);
            like($answers->[-1]{head}, qr/last-\Q$id\E/, "$what: the last answer is the last request's")
                unless $closed;
        }
    }
    my $log = log_text($srv);
    for my $file (glob "$srv->{var}/log/*access*.log") {
        open my $fh, '<', $file or die "$file: $!";
        $log .= do { local $/; <$fh> };
    }
    unlike($log, qr/smuggled-/, "$layout: no program and no access log saw a smuggled request");

    # A chunked JSON body is a body like any other (docs/openapi.yaml,
    # Requests): the same answers as with a Content-Length, in every layout.
    for my $framing ('length', 'chunked') {
        my $email = fresh_email();
        my $body = qq({"email":"$email","password":"correct horse battery staple","name":"Chunked"});
        my $r = raw_request($srv, "POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\n"
            . "Content-Type: application/json\r\nConnection: close\r\n"
            . ($framing eq 'length' ? 'Content-Length: ' . length($body) . "\r\n\r\n$body"
                : "Transfer-Encoding: chunked\r\n\r\n"
                    . join('', map { sprintf("%x\r\n%s\r\n", length, $_) } unpack('(a20)*', $body))
                    . "0\r\n\r\n"));
        is($r->{status}, 201, "$layout: a JSON body framed by $framing registers");
        is(($r->{json} // {})->{data}{email}, $email, "$layout: the whole $framing body was read");
    }

    # An ErrorDocument still reaches the program and renders the refusal:
    # TRACE (405, the connection kept, its body read) and a declared body
    # over the limit (413, never read; the connection closes).
    if (test_server() eq 'apache') {
        my $id = "$$-" . $n++;
        my ($answers) = exchange($srv, "TRACE /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
            . "Content-Length: 5\r\n\r\nhello"
            . "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Request-Id: last-$id\r\n"
            . "Connection: close\r\n\r\n");
        is(join(' ', map { $_->{status} } @$answers), '405 200',
            "$layout: TRACE with a body is 405, and the next request is answered");
        # Apache refuses TRACE before it reads a .htaccess: its own page there.
        like($answers->[0]{body}, qr/"code":"METHOD_NOT_ALLOWED"/, "$layout: the 405 in the envelope")
            unless $layout =~ /^(fcgid|shared-cgi)$/;
        ($answers) = exchange($srv, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
            . "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{}");
        is(join(' ', map { $_->{status} } @$answers), '413',
            "$layout: a declared 10 MB body is refused unread, the connection closed");
        like($answers->[0]{body}, qr/"code":"PAYLOAD_TOO_LARGE"/, "$layout: the 413 in the envelope");
    }
}

done_testing();
