# The same binaries as plain CGI (one request, then exit), and as FastCGI
# servers that stop cleanly on SIGTERM.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::UNIX;
use POSIX qw(WNOHANG);
use QuillTest;

my $srv = start_server();
my $bin = build_dir();

# Runs a program as CGI; returns { status, headers, content, json, exit }.
sub cgi { return cgi_request($srv, @_) }

my $r = cgi('auth', 'GET', '/api/v1/health');
is($r->{status}, 200, 'CGI: health answers 200');
is($r->{exit}, 0, 'CGI: the program exits 0 after one request');
is($r->{headers}{'content-length'}, length($r->{content}), 'CGI: Content-Length matches the body');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'CGI: security headers are sent');

my $email = fresh_email();
$r = cgi('auth', 'POST', '/api/v1/auth/register',
    body => qq({"email":"$email","password":"a cgi passphrase","name":"Cgi"}));
is($r->{status}, 201, 'CGI: register with the body on stdin');
$r = cgi('auth', 'POST', '/api/v1/auth/login',
    body => qq({"email":"$email","password":"a cgi passphrase"}));
is($r->{status}, 200, 'CGI: login');
my $tok = $r->{json}{data}{accessToken};
$r = cgi('users', 'GET', '/api/v1/users/me', env => { HTTP_AUTHORIZATION => "Bearer $tok" });
is($r->{status}, 200, 'CGI: users/me with the token');
is($r->{json}{data}{email}, $email, 'CGI: me is the registered user');
$r = cgi('users', 'GET', '/api/v1/users/me', env => { PATH_INFO => '/me' });
is($r->{status}, 401, 'CGI: users/me without a token is 401');

# Length and size are checked before reading.
$r = cgi('auth', 'POST', '/api/v1/auth/login', body => '{}', no_length => 1);
is($r->{status}, 411, 'CGI: a body without Content-Length is 411');
is($r->{json}{error}{code}, 'LENGTH_REQUIRED', 'CGI: LENGTH_REQUIRED');
# A chunked body comes without a length, the data alone (Apache's mod_cgi):
# read to its end, within the same limit.
$email = fresh_email();
$r = cgi('auth', 'POST', '/api/v1/auth/register', no_length => 1,
    env => { HTTP_TRANSFER_ENCODING => 'chunked' },
    body => qq({"email":"$email","password":"a cgi passphrase","name":"Chunked"}));
is($r->{status}, 201, 'CGI: a chunked body without a length is read to its end');
$r = cgi('auth', 'POST', '/api/v1/auth/login', no_length => 1,
    env => { HTTP_TRANSFER_ENCODING => 'chunked' },
    body => '{"email":"' . ('a' x 70000) . '"}');
is($r->{status}, 413, 'CGI: a chunked body over the limit is 413');
$r = cgi('auth', 'POST', '/api/v1/auth/login', no_length => 1, type => '',
    env => { HTTP_TRANSFER_ENCODING => 'chunked', CONTENT_TYPE => undef }, body => '{}');
is($r->{status}, 415, 'CGI: a chunked body without a type is 415');
$r = cgi('auth', 'POST', '/api/v1/auth/login', body => '{}',
    env => { CONTENT_LENGTH => 1 << 30 });
is($r->{status}, 413, 'CGI: a declared 1 GiB body is 413 without reading it');
$r = cgi('auth', 'POST', '/api/v1/auth/login', body => '{"a":1}',
    env => { CONTENT_LENGTH => 100 });
is($r->{status}, 400, 'CGI: a body shorter than its Content-Length is 400');
$r = cgi('auth', 'POST', '/api/v1/auth/login', body => '{}', env => { CONTENT_LENGTH => '12abc' });
is($r->{status}, 400, 'CGI: a non-numeric Content-Length is 400');

# Without REQUEST_URI the path comes from SCRIPT_NAME and PATH_INFO.
$r = cgi('users', 'GET', '/ignored', env => { REQUEST_URI => undef, SCRIPT_NAME => '/api/v1/users', PATH_INFO => '/me' });
is($r->{status}, 401, 'CGI: SCRIPT_NAME + PATH_INFO route like REQUEST_URI');
$r = cgi('posts', 'GET', '/api/v1/posts/%2e%2e%2fauth');
is($r->{status}, 400, 'CGI: an encoded slash in the path is 400');

# Bad configuration stops a program at start-up, loudly.
{
    local $ENV{QUILL_ACCESS_TTL} = 'soon';
    my $out = `QUILL_CONFIG=$srv->{conf} REQUEST_METHOD=GET REQUEST_URI=/api/v1/health $bin/auth.fcgi </dev/null 2>&1`;
    isnt($?, 0, 'a bad setting makes the program exit non-zero');
    like($out, qr/QUILL_ACCESS_TTL/, 'and the message names the setting');
}

# FastCGI mode: serve on a socket, stop cleanly on SIGTERM.
my $sock = "$srv->{var}/run/sigterm-test.sock";
unlink $sock;
my $listen = IO::Socket::UNIX->new(Local => $sock, Listen => 5) or die "listen: $!";
my $pid = fork // die;
if ($pid == 0) {
    open STDIN, '<&', $listen or die;
    open STDERR, '>>', "$srv->{var}/log/sigterm-test.log";
    $ENV{QUILL_CONFIG} = $srv->{conf};
    exec "$bin/auth.fcgi" or exit 127;
}
close $listen;
# Ready once its worker has logged its start (slow under a sanitizer on a
# busy machine); a SIGTERM before the supervisor's handlers would kill it
# without the clean stop this checks.
my $log = "$srv->{var}/log/sigterm-test.log";
sub log_has {
    my ($re) = @_;
    open my $fh, '<', $log or return 0;
    local $/;
    return (<$fh> // '') =~ $re;
}
for (1 .. 600) { last if log_has(qr/"event":"start"/); select undef, undef, undef, 0.1 }
ok(log_has(qr/"event":"start"/), 'the FastCGI program starts') or diag(`cat $log`);
ok(kill(0, $pid), 'the FastCGI program waits for connections');
kill 'TERM', $pid;
my $gone = 0;
for (1 .. 50) { if (waitpid($pid, WNOHANG) == $pid) { $gone = 1; last } select undef, undef, undef, 0.1 }
ok($gone, 'SIGTERM stops it within 5 seconds');
is($?, 0, 'and it exits 0, not by the signal');
ok(log_has(qr/"event":"stop"/), 'it logs a clean stop') or diag(`cat $log`);
kill 'KILL', $pid unless $gone;

done_testing();
