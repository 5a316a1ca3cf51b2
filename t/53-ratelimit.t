# Rate limits at their API.md defaults (refresh: lowered, for speed): 429 with Retry-After and
# RateLimit-* once a limit is reached, recovery once the window is over
# (moved with sqlite3, not waited for), the login back-off per account that
# answers the same for unknown emails, and X-Forwarded-For only from
# trusted proxies.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;

# The built-in defaults, not the raised limits the other tests run with.
my $srv = start_server(settings => { QUILL_RATE_LOGIN => undef,
    QUILL_RATE_REGISTER => undef, QUILL_RATE_FORGOT => undef });

# Checks a 429 answer: the code, Retry-After and the RateLimit-* headers.
sub limited {
    my ($r, $limit, $window, $what) = @_;
    is($r->{status}, 429, "$what: 429");
    is($r->{json}{error}{code}, 'RATE_LIMITED', "$what: RATE_LIMITED");
    my $ra = $r->{headers}{'retry-after'} // 0;
    ok($ra >= 1 && $ra <= $window, "$what: Retry-After $ra is within the $window s window");
    is($r->{headers}{'ratelimit-limit'}, $limit, "$what: RateLimit-Limit $limit");
    is($r->{headers}{'ratelimit-remaining'}, 0, "$what: RateLimit-Remaining 0");
    is($r->{headers}{'ratelimit-reset'}, $ra, "$what: RateLimit-Reset agrees with Retry-After");
}

# Ends the current window of a bucket, as if its time had passed: a second
# in the past, since time(3) reads a coarse clock that can lag unixepoch().
sub window_over { sql($_[0], "UPDATE rate_limits SET expires_at = unixepoch() - 1 WHERE bucket = '$_[1]'") }

sub users { sql($srv, 'SELECT count(*) FROM users') }

# Register: 5 a minute per address; a taken email counts too.
my @acct;
push @acct, [ (register($srv))[1, 2] ] for 1 .. 4;
is((register($srv, email => $acct[0][0]))[0]{status}, 409, 'a taken email is 409');
my $n = users();
my ($r) = register($srv);
limited($r, 5, 60, 'the sixth registration in a minute');
is(users(), $n, 'and creates no user');
like(log_text($srv), qr/"event":"rate_limited"[^\n]*"bucket":"register"/, 'the refusal is logged');
window_over($srv, 'register');
($r, my @more) = register($srv);
is($r->{status}, 201, 'once the window is over, registering works again');
push @acct, [@more];

# Login: 10 a minute per address, successes and failures alike.
for my $i (0 .. 4) {
    login_pair($srv, $acct[$i][0], $acct[$i][1]);
    login_pair($srv, $acct[$i][0], 'wrong password here');
}
(undef, $r) = login_pair($srv, $acct[0][0], $acct[0][1]);
limited($r, 10, 60, 'the eleventh login in a minute');
(undef, $r) = login_pair($srv, $acct[0][0], $acct[0][1], 'x-forwarded-for' => '203.0.113.9');
is($r->{status}, 429, 'X-Forwarded-For from an untrusted peer changes nothing');
window_over($srv, 'login');
ok((login_pair($srv, $acct[0][0], $acct[0][1]))[0], 'once the window is over, login works again');

# Forgot: 3 an hour per account, silently; 20 an hour per address.
my $mails = sql($srv, 'SELECT count(*) FROM mail_outbox');
my @forgot = map { api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $acct[2][0] }) } 1 .. 4;
is_deeply([map { $_->{status} } @forgot], [202, 202, 202, 202], 'four reset requests for one account all answer 202');
ok(!grep({ exists $_->{headers}{'retry-after'} || exists $_->{headers}{'ratelimit-limit'} } @forgot),
    'with no rate-limit header');
is(sql($srv, 'SELECT count(*) FROM mail_outbox') - $mails, 3, 'but only three mails are queued');
for (5 .. 20) {
    $r = api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => fresh_email() });
}
is($r->{status}, 202, 'twenty reset requests from one address in an hour are answered');
limited(api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => fresh_email() }), 20, 3600,
    'the 21st reset request');

# The login back-off, on a server whose address limits are out of the way;
# the refresh limit is lowered from its 60 an hour to keep this test quick.
my $bo = start_server(settings => { QUILL_RATE_REFRESH => '3/3600' });
my (undef, $email, $pw) = register($bo);

# Refresh: a limit per session.
my ($p, $q) = map { (login_pair($bo, $email, $pw))[0] } 1 .. 2;
my $rt = $p->{refreshToken};
for (1 .. 3) {
    $r = refresh($bo, $rt);
    $rt = $r->{json}{data}{refreshToken} if $r->{status} == 200;
}
is($r->{status}, 200, 'a session refreshes up to its limit');
limited(refresh($bo, $rt), 3, 3600, 'one refresh more');
is(refresh($bo, $q->{refreshToken})->{status}, 200, 'other sessions are not affected');
window_over($bo, 'refresh');
is(refresh($bo, $rt)->{status}, 200, 'the limited token works once the window is over');

# Five failures, then a locked account; the same for an unknown email.
sub attempts {
    my ($mail, $right) = @_;
    my @r = map { (login_pair($bo, $mail, 'wrong password here'))[1] } 1 .. 5;
    push @r, (login_pair($bo, $mail, $right))[1];
    return @r;
}
my @known = attempts($email, $pw);
my @unknown = attempts('nobody@example.com', $pw);
is_deeply([map { $_->{status} } @known], [401, 401, 401, 401, 401, 429],
    'five failed logins, then 429 even with the right password');
limited($known[5], 5, 30, 'the locked account');
is_deeply([map { $_->{status} } @unknown], [map { $_->{status} } @known], 'an unknown email answers the same statuses');
my %vary = map { $_ => 1 } qw(date x-request-id retry-after ratelimit-reset);
for my $i (0 .. 5) {
    my ($k, $u) = ($known[$i], $unknown[$i]);
    delete $_->{json}{meta} for $k, $u;
    is_deeply($u->{json}, $k->{json}, "attempt $i: the same body");
    is_deeply({ map { $vary{$_} ? () : ($_ => $u->{headers}{$_}) } keys %{ $u->{headers} } },
        { map { $vary{$_} ? () : ($_ => $k->{headers}{$_}) } keys %{ $k->{headers} } },
        "attempt $i: the same headers");
}
ok(abs(($known[5]{headers}{'retry-after'} // 0) - ($unknown[5]{headers}{'retry-after'} // 99)) <= 1,
    'and the same back-off');
my $accounts = sql($bo, 'SELECT group_concat(account) FROM login_failures');
like($accounts, qr/^[0-9a-f]{64},[0-9a-f]{64}$/, 'accounts are kept as digests');
unlike(db_sql($bo, '.dump'), qr/nobody\@example/i, 'not as the typed email');

# The back-off grows: after it ends, the next failure locks for longer.
sql($bo, 'UPDATE login_failures SET locked_until = unixepoch() - 1');
(undef, $r) = login_pair($bo, uc $email, 'wrong password here');
is($r->{status}, 401, 'after the back-off the account can be tried again (any case of the email)');
(undef, $r) = login_pair($bo, $email, $pw);
is($r->{status}, 429, 'but a sixth failure locks it again');
ok($r->{headers}{'retry-after'} > 30 && $r->{headers}{'retry-after'} <= 60,
    "for longer: $r->{headers}{'retry-after'} s");

# Recovery: a successful login forgets the failures.
sql($bo, 'UPDATE login_failures SET locked_until = unixepoch() - 1');
ok((login_pair($bo, $email, $pw))[0], 'once the back-off is over, the right password logs in');
is(sql($bo, 'SELECT count(*) FROM login_failures'), 1, "and the account's failures are forgotten");

# A password reset lifts a lock-out at once.
login_pair($bo, $email, 'wrong password here') for 1 .. 5;
is((login_pair($bo, $email, $pw))[1]{status}, 429, 'the account is locked again');
api($bo, 'POST', '/api/v1/auth/password/forgot', json => { email => $email });
quillctl($bo, 'mail');
my ($token) = (spool_mails($bo))[-1] =~ /token=([A-Za-z0-9_-]+)/;
is(api($bo, 'POST', '/api/v1/auth/password/reset', json => { token => $token, password => 'my recovered passphrase' })->{status},
    204, 'the owner resets the password');
ok((login_pair($bo, $email, 'my recovered passphrase'))[0], 'and can log in at once');

# Trusted proxies: X-Forwarded-For names the client.
my $px = start_server(settings => { QUILL_TRUSTED_PROXIES => '127.0.0.1 ::1', QUILL_RATE_LOGIN => '2/3600' });
my (undef, $pe, $ppw) = register($px);
login_pair($px, $pe, $ppw, 'x-forwarded-for' => '203.0.113.5') for 1 .. 2;
(undef, $r) = login_pair($px, $pe, $ppw, 'x-forwarded-for' => '198.51.100.1, 203.0.113.5');
is($r->{status}, 429, 'behind a trusted proxy the forwarded client is limited');
(undef, $r) = login_pair($px, $pe, $ppw, 'x-forwarded-for' => '203.0.113.5, 127.0.0.1');
is($r->{status}, 429, 'trusted hops on the right are skipped');
my ($other) = login_pair($px, $pe, $ppw, 'x-forwarded-for' => '203.0.113.6');
ok($other, 'another forwarded client is not');
$r = api($px, 'GET', '/api/v1/auth/sessions', token => $other->{accessToken});
is($r->{json}{data}[0]{ip}, '203.0.113.6', 'sessions record the forwarded address');
(undef, $r) = login_pair($px, $pe, $ppw, 'x-forwarded-for' => 'not-an-address');
is($r->{status}, 200, 'a forwarded value that is no address leaves the peer address');
like(log_text($px), qr/"client":"203\.0\.113\.5"/, 'the log names the forwarded client');

# Per-address limits count an IPv6 client by its /64 (QUILL_RATE_IPV6_PREFIX)
# and an IPv4-mapped address as its IPv4 address: here through a trusted
# proxy, as a site behind a load balancer sees its clients.
sub register_from {
    my ($s, $addr) = @_;
    return api($s, 'POST', '/api/v1/auth/register', headers => { 'x-forwarded-for' => $addr },
        json => { email => fresh_email(), password => 'correct horse battery staple', name => 'N' })->{status};
}
my %v6set = (QUILL_TRUSTED_PROXIES => '127.0.0.1', QUILL_RATE_REGISTER => undef);
my $v6 = start_server(settings => \%v6set);
is_deeply([map { register_from($v6, "2001:db8::$_") } 1 .. 7], [201, 201, 201, 201, 201, 429, 429],
    'seven registrations from 2001:db8::1 to ::7: one /64, one limit of five');
is(register_from($v6, '2001:db8:0:1::1'), 201, 'the next /64 has a limit of its own');
is(sql($v6, "SELECT hits FROM rate_limits WHERE bucket = 'register' AND key = '2001:db8::/64'"), 5,
    'counted under the /64');
is_deeply([map { register_from($v6, $_) } '192.0.2.1', '::ffff:192.0.2.1', '192.0.2.1', '::ffff:192.0.2.1',
    '::FFFF:c000:201', '192.0.2.1', '::ffff:192.0.2.1'], [201, 201, 201, 201, 201, 429, 429],
    '192.0.2.1 and ::ffff:192.0.2.1 count together');
is(sql($v6, "SELECT count(*) FROM rate_limits WHERE key LIKE '%ffff%'"), 0, 'under the IPv4 address');
api($v6, 'POST', '/api/v1/auth/login', headers => { 'x-forwarded-for' => '2001:db8::9' },
    json => { email => 'nobody@example.com', password => 'whatever it is' });
is(sql($v6, "SELECT key FROM rate_limits WHERE bucket = 'login'"), '2001:db8::/64', 'login counts by the /64 too');
like(log_text($v6), qr/"client":"2001:db8::9"/, 'while the log names the address itself');
my $v128 = start_server(settings => { %v6set, QUILL_RATE_IPV6_PREFIX => 128 });
is_deeply([map { register_from($v128, "2001:db8::$_") } 1 .. 7], [(201) x 7],
    'with QUILL_RATE_IPV6_PREFIX=128 each IPv6 address counts alone');

# Bad settings are refused at start-up (quillctl check reads them the same
# way), naming the setting.
for my $bad ('QUILL_RATE_LOGIN=ten/60', 'QUILL_RATE_LOGIN=10', 'QUILL_RATE_REFRESH=60/0',
    'QUILL_TRUSTED_PROXIES=proxy.example', 'QUILL_LOGIN_BACKOFF=0', 'QUILL_RATE_IPV6_PREFIX=8',
    'QUILL_RATE_IPV6_PREFIX=129',
    "QUILL_REFRESH_IDLE_TTL=700000\nQUILL_REFRESH_ABSOLUTE_TTL=600000",
    "QUILL_ACCESS_TTL=3600\nQUILL_REFRESH_IDLE_TTL=600") {
    my ($name) = $bad =~ /^(\w+)/;
    my $conf = "$px->{var}/bad.conf";
    open my $fh, '>', $conf or die $!;
    print $fh "$bad\n";
    close $fh;
    my ($rc, $out) = quillctl({ conf => $conf, var => $px->{var} }, 'check');
    like($out, qr/FAIL configuration: .*\b$name\b/, "$name: a bad value is refused by name");
}

done_testing();
