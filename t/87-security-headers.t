# The security headers of docs/hardening.md, read from its table, on every
# layout of the server under test (over HTTPS and plain HTTP) and from the
# programs run as plain CGI: each header once, with the table's value, on
# the static pages, the API's JSON answers and the API's HTML pages;
# Strict-Transport-Security over HTTPS only.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillServers;

my @table = header_table();
ok(@table >= 8, 'docs/hardening.md has the table of security headers (' . @table . ' rows)');

# Checks one answer's head against column $kind of the table.
sub headers_ok {
    my ($head, $kind, $https, $what) = @_;
    my %seen;
    for (split /\r\n/, $head) {
        my ($k, $v) = /^([^:\s]+):[ \t]*(.*)$/ or next;
        push @{ $seen{lc $k} }, $v;
    }
    for my $row (@table) {
        my ($name, $values, $https_only) = @$row;
        my $got = $seen{lc $name} // [];
        if ($https_only && !$https) {
            is(scalar @$got, 0, "$what: no $name over plain HTTP");
            next;
        }
        is(scalar @$got, 1, "$what: $name once") or diag(join "\n", @$got);
        is($got->[0], $values->{$kind}, "$what: $name as docs/hardening.md says");
    }
}

sub get {
    my ($srv, $path, @h) = @_;
    return raw_request($srv, "GET $path HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        . join('', map { "$_\r\n" } @h) . "Connection: close\r\n\r\n");
}

my @runs = test_server() eq 'apache'
    ? (['proxy', 0], ['proxy', 1], ['cgi', 1], ['fcgid', 1], ['shared-cgi', 0])
    : (['production', 1], ['dev', 0]);
my $srv;
for my $run (@runs) {
    my ($layout, $tls) = @$run;
    $srv = start_server(mode => $layout, tls => $tls);
    my $on = "$layout over " . ($tls ? 'HTTPS' : 'HTTP');
    for my $path ('/style.css', '/token.js') {
        my $r = get($srv, $path);
        like($r->{status}, qr/^200$/, "$on: GET $path");
        headers_ok($r->{head}, 'pages', $tls, "$on: page $path");
    }
    # The pages the programs render: the home page, and the site's 404
    # page, which lighttpd gives the static files' headers (it cannot tell
    # a missing file from one before the program answers).
    for my $path ('/', '/login', '/missing.html') {
        my $r = get($srv, $path);
        like($r->{status}, $path eq '/missing.html' ? qr/^404$/ : qr/^200$/, "$on: GET $path");
        headers_ok($r->{head}, $path eq '/missing.html' && test_server() eq 'lighttpd'
            ? 'pages' : 'html', $tls, "$on: page $path");
    }
    for my $path ('/api/v1/health', '/api/v1/nothing', '/api/v1/users/me') {
        my $r = get($srv, $path);
        like($r->{headers}{'content-type'}, qr{^application/json}, "$on: GET $path is JSON");
        headers_ok($r->{head}, 'json', $tls, "$on: API $path");
    }
    # Apache has a program answer what it refuses itself (ErrorDocument);
    # lighttpd answers its own refusals with its own short page.
    if (test_server() eq 'apache') {
        my $r = raw_request($srv, "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            . "Content-Type: application/json\r\nContent-Length: 10000000\r\n"
            . "Connection: close\r\n\r\n{}");
        is($r->{status}, 413, "$on: a body the web server refuses");
        headers_ok($r->{head}, 'json', $tls, "$on: API 413 from the web server");
    }
    my $r = get($srv, '/api/v1/nothing', 'Accept: text/html');
    like($r->{headers}{'content-type'}, qr{^text/html}, "$on: a browser gets a page from the API");
    headers_ok($r->{head}, 'html', $tls, "$on: API page");
}

# The programs with no web server in between: the API's headers are their
# own.
my $r = cgi_request($srv, 'auth', 'GET', '/api/v1/health');
headers_ok($r->{head}, 'json', 0, 'plain CGI: API /api/v1/health');
$r = cgi_request($srv, 'posts', 'GET', '/posts/999999',
    env => { HTTP_ACCEPT => 'text/html' });
like($r->{headers}{'content-type'}, qr{^text/html}, 'plain CGI: a browser gets a page');
headers_ok($r->{head}, 'html', 0, 'plain CGI: a page of the site');

done_testing();
