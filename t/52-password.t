# Forgotten and changed passwords: forgot answers the same for every email,
# the reset mail goes through the outbox and quillctl mail, the token works
# once and briefly, and both reset and change end what the old password
# opened.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;
use QuillHarden qw(hold_write_lock release_write_lock);
use POSIX ();

# Many reset requests for one account here; t/53 tests the per-account limit.
my $srv = start_server(settings => { QUILL_RATE_FORGOT_ACCOUNT => '1000/3600' });
my ($reg, $email, $pw) = register($srv, name => 'Grace Hopper');
my $uid = $reg->{json}{data}{id};
my $origin = "http://127.0.0.1:$srv->{port}";

sub me { api($srv, 'GET', '/api/v1/users/me', token => $_[0])->{status} }
sub forgot { api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $_[0] }) }

# POST /auth/password/forgot as raw bytes, with the Host header given.
sub forgot_raw {
    my ($mail, $host) = @_;
    my $body = qq({"email":"$mail"});
    return raw_request($srv, "POST /api/v1/auth/password/forgot HTTP/1.1\r\nHost: $host\r\n"
        . "Content-Type: application/json\r\nContent-Length: " . length($body)
        . "\r\nConnection: close\r\n\r\n$body");
}
sub reset_pw { api($srv, 'POST', '/api/v1/auth/password/reset', json => { token => $_[0], password => $_[1] }) }
sub mail_count { sql($srv, 'SELECT count(*) FROM mail_outbox') }

# The link of the newest spooled mail, after delivering the queue.
sub deliver_and_link {
    my ($rc, $out) = quillctl($srv, 'mail');
    is($rc, 0, 'quillctl mail delivers') or diag $out;
    my @mails = spool_mails($srv);
    my ($token) = ($mails[-1] // '') =~ m{\Q$origin\E/password/reset#token=([A-Za-z0-9_-]+)$}m;
    return ($token, $mails[-1] // '');
}

# Forgot: the same answer for a known and an unknown email.
my $known = forgot_raw($email, 'evil.example');
my $unknown = forgot_raw('nobody@example.com', 'evil.example');
is($known->{status}, 202, 'forgot answers 202 for a known email');
is($unknown->{status}, 202, 'and for an unknown one');
delete $_->{json}{meta} for $known, $unknown;
is_deeply($known->{json}, $unknown->{json}, 'with the same body');
my %skip = map { $_ => 1 } qw(date x-request-id);
is_deeply({ map { $skip{$_} ? () : ($_ => $known->{headers}{$_}) } keys %{ $known->{headers} } },
    { map { $skip{$_} ? () : ($_ => $unknown->{headers}{$_}) } keys %{ $unknown->{headers} } },
    'and the same headers');
is(mail_count(), 1, 'one mail is queued, for the known account only');
is(sql($srv, "SELECT recipient FROM mail_outbox"), $email, 'to its address');
is(sql($srv, "SELECT count(*) FROM reset_tokens WHERE user_id = $uid AND used_at IS NULL"), 1, 'with one live reset token');
my $r = forgot('not an email');
is($r->{status}, 422, 'forgot with a malformed email is 422');

# Delivery: the spool, the link from the configured origin.
my ($token, $mail) = deliver_and_link();
ok($token, 'the mail holds a reset link under the configured public origin, not the Host header');
unlike($mail, qr/evil\.example/, 'the Host header is nowhere in the mail');
like($mail, qr/^To: \Q$email\E$/m, 'the mail is addressed to the account');
like($mail, qr/^Subject: Reset your Quill password$/m, 'with a subject');
{
    # The RFC 5322 date of the time the mail was queued, in UTC.
    my @t = gmtime(sql($srv, 'SELECT max(created_at) FROM mail_outbox'));
    my $date = sprintf('%s, %02d %s %04d %02d:%02d:%02d +0000',
        (qw(Sun Mon Tue Wed Thu Fri Sat))[$t[6]], $t[3],
        (qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec))[$t[4]],
        $t[5] + 1900, @t[2, 1, 0]);
    like($mail, qr/^Date: \Q$date\E$/m, "dated when it was queued: $date");
}
like($mail, qr/Grace Hopper/, 'and greets its owner');
like($mail, qr/^\Q$token\E$/m, 'the code is also on a line of its own, for a browser without scripts');
unlike($mail, qr/[?&]token=/, 'and travels in no query string that a server would log');
is(length $token, 43, 'the token is 256 bits in base64url');
is(sql($srv, "SELECT count(*) FROM reset_tokens WHERE hash = X'" . token_hash($token) . "'"), 1, 'it is stored as its SHA-256');
is(sql($srv, 'SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL'), 0, 'the mail is marked sent');
unlike(db_sql($srv, '.dump'), qr/\Q$token\E/, 'and once sent, the token is nowhere in the database');
my ($rc, $out) = quillctl($srv, 'mail');
is($out, '', 'a second run has nothing to deliver, and says nothing (cron mails what it prints)');
is(scalar(my @m = spool_mails($srv)), 1, 'one file in the spool');

# Reset: every session and access token of the user ends.
my ($s1) = login_pair($srv, $email, $pw);
my ($s2) = login_pair($srv, $email, $pw);
my $before = sql($srv, 'SELECT * FROM users');
$r = reset_pw($token, 'short');
is($r->{status}, 422, 'a new password that breaks the policy is 422');
$r = reset_pw($token, 'password1234');
is($r->{json}{error}{details}[0]{code}, 'too_common', 'a common password is refused');
is(sql($srv, 'SELECT * FROM users'), $before, 'and nothing changed');
$r = reset_pw($token, 'a brand new passphrase');
is($r->{status}, 204, 'reset with the token answers 204');
is(me($_->{accessToken}), 401, 'every access token of the user fails on the next request') for $s1, $s2;
is(refresh($srv, $_->{refreshToken})->{status}, 401, 'every session is over') for $s1, $s2;
is((login_pair($srv, $email, $pw))[1]{status}, 401, 'the old password no longer works');
my ($s3) = login_pair($srv, $email, 'a brand new passphrase');
ok($s3, 'the new one does');
$before = sql($srv, 'SELECT * FROM users');
$r = reset_pw($token, 'yet another passphrase');
is($r->{status}, 422, 'the token works only once');
is($r->{json}{error}{details}[0]{field}, 'token', 'the error names the token');
is(sql($srv, 'SELECT * FROM users'), $before, 'and the reused token changed nothing');
$r = reset_pw('x' x 43, 'yet another passphrase');
is($r->{status}, 422, 'an unknown token is 422');

# Expiry: the token lives 15 minutes.
forgot($email);
($token) = deliver_and_link();
is(sql($srv, "SELECT expires_at - created_at FROM reset_tokens WHERE hash = X'" . token_hash($token) . "'"),
    900, 'a reset token expires after 15 minutes');
sql($srv, "UPDATE reset_tokens SET expires_at = unixepoch() - 1 WHERE hash = X'" . token_hash($token) . "'");
is(reset_pw($token, 'yet another passphrase')->{status}, 422, 'an expired token is refused');

# A newer request replaces the older link.
forgot($email);
my ($older) = deliver_and_link();
forgot($email);
my ($newer) = deliver_and_link();
is(reset_pw($older, 'yet another passphrase')->{status}, 422, 'a newer reset request voids the older link');

# A password change voids the link too.
$r = api($srv, 'POST', '/api/v1/auth/password/change', token => $s3->{accessToken},
    json => { currentPassword => 'a brand new passphrase', newPassword => 'the changed passphrase' });
is($r->{status}, 204, 'POST /auth/password/change answers 204');
is(reset_pw($newer, 'yet another passphrase')->{status}, 422, 'a password change voids the reset link');

# Change: the other sessions end, the current one refreshes.
my ($t1) = login_pair($srv, $email, 'the changed passphrase');
my ($t2) = login_pair($srv, $email, 'the changed passphrase');
$before = sql($srv, 'SELECT * FROM users');
$r = api($srv, 'POST', '/api/v1/auth/password/change', token => $t1->{accessToken},
    json => { currentPassword => 'not my password', newPassword => 'a fourth one' });
is($r->{status}, 422, 'a wrong current password is 422');
is($r->{json}{error}{details}[0]{field}, 'currentPassword', 'naming currentPassword');
is(sql($srv, 'SELECT * FROM users'), $before, 'and changes nothing');
$r = api($srv, 'POST', '/api/v1/auth/password/change', token => $t1->{accessToken},
    json => { currentPassword => 'the changed passphrase', newPassword => 'qwerty123456' });
is($r->{status}, 422, 'a common new password is 422');
for (['eleven char', 'in 11 bytes'], ['é' x 11, 'in 22 bytes']) {
    my ($short, $bytes) = @$_;
    $r = api($srv, 'POST', '/api/v1/auth/password/change', token => $t1->{accessToken},
        json => { currentPassword => 'the changed passphrase', newPassword => $short });
    is($r->{status}, 422, "a new password of 11 characters $bytes is 422");
    is_deeply([map { "$_->{field} $_->{code}" } @{ $r->{json}{error}{details} // [] }],
        ['newPassword too_short'], 'too_short, on newPassword');
}
is(sql($srv, 'SELECT * FROM users'), $before, 'refused changes change nothing');
$r = api($srv, 'POST', '/api/v1/auth/password/change',
    json => { currentPassword => 'the changed passphrase', newPassword => 'a fourth one' });
is($r->{status}, 401, 'change needs a login');
$r = api($srv, 'POST', '/api/v1/auth/password/change', token => $t1->{accessToken},
    json => { currentPassword => 'the changed passphrase', newPassword => 'a fourth one' });
is($r->{status}, 204, 'change with the current password (a new one of 12 characters) answers 204');
is(refresh($srv, $t2->{refreshToken})->{status}, 401, 'the other sessions are over');
is(me($t2->{accessToken}), 401, 'and their access tokens fail');
is(me($t1->{accessToken}), 401, 'every access token, the current one too, carries the old token version');
$r = refresh($srv, $t1->{refreshToken});
is($r->{status}, 200, 'the current session refreshes');
is(me($r->{json}{data}{accessToken}), 200, 'and goes on');
ok((login_pair($srv, $email, 'a fourth one'))[0], 'the new password works');

# A disabled account gets no mail, and the same answer.
my (undef, $demail) = register($srv);
sql($srv, "UPDATE users SET disabled = 1 WHERE email = '$demail'");
my $n = mail_count();
is(forgot($demail)->{status}, 202, 'forgot for a disabled account answers 202');
is(mail_count(), $n, 'but queues no mail');

# Delivery through sendmail.
my $fake = "$srv->{var}/fake-sendmail";
open my $fh, '>', $fake or die $!;
print $fh "#!/bin/sh\n# Records its arguments and the message.\necho \"args: \$*\" >> $srv->{var}/sendmail.out\ncat >> $srv->{var}/sendmail.out\n";
close $fh;
chmod 0755, $fake;
my $sm = start_server(settings => { QUILL_SENDMAIL => "$fake -t -i", QUILL_MAIL_FROM => 'Quill <quill@example.com>' });
my (undef, $smail) = register($sm);
api($sm, 'POST', '/api/v1/auth/password/forgot', json => { email => $smail });
($rc, $out) = quillctl($sm, 'mail');
is($rc, 0, 'quillctl mail hands mail to QUILL_SENDMAIL') or diag $out;
open $fh, "<", "$srv->{var}/sendmail.out" or die $!;
my $sent = do { local $/; <$fh> };
close $fh;
like($sent, qr/^args: -t -i$/m, 'with its arguments');
like($sent, qr/^From: Quill <quill\@example\.com>$/m, 'a From of QUILL_MAIL_FROM');
like($sent, qr/^To: \Q$smail\E$/m, 'and the message on its standard input');
is(sql($sm, 'SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL'), 0, 'the mail is marked sent');
api($sm, 'POST', '/api/v1/auth/password/forgot', json => { email => $smail });
chmod 0644, $fake;
($rc, $out) = quillctl($sm, 'mail');
is($rc, 1, 'quillctl mail fails when sendmail does');
is(sql($sm, 'SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND attempts = 1'), 1,
    'and the mail stays queued for the next run');

# Purge: what has expired goes, what lives stays.
my ($live) = login_pair($srv, $email, 'a fourth one');
my $live_sid = jwt_claims($live->{accessToken})->{sid};
sql($srv, 'UPDATE mail_outbox SET sent_at = sent_at - 90000');
sql($srv, "INSERT INTO rate_limits VALUES ('login', '192.0.2.1', 0, 1, 1)");
($rc, $out) = quillctl($srv, 'purge');
is($rc, 0, 'quillctl purge succeeds') or diag $out;
like($out, qr/purged \d+ ended sessions/, 'and says what it removed');
is(sql($srv, "SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL OR expires_at <= unixepoch()"), 0,
    'ended sessions are gone');
is(sql($srv, "SELECT count(*) FROM refresh_tokens WHERE session_id NOT IN (SELECT id FROM sessions)"), 0,
    'with their refresh tokens');
is(sql($srv, 'SELECT count(*) FROM reset_tokens WHERE used_at IS NOT NULL OR expires_at <= unixepoch()'), 0,
    'used and expired reset tokens are gone');
is(sql($srv, 'SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL'), 0, 'old delivered mail is gone');
is(sql($srv, "SELECT count(*) FROM rate_limits WHERE key = '192.0.2.1'"), 0, 'expired counters are gone');
is(refresh($srv, $live->{refreshToken})->{status}, 200, 'a live session survives the purge');
is(sql($srv, "SELECT count(*) FROM sessions WHERE id = $live_sid"), 1, 'and is still there');

my $cron = do { open my $c, '<', root() . '/etc/crontab.example' or die $!; local $/; <$c> };
like($cron, qr/^[^#\n]*quillctl mail$/m, 'etc/crontab.example runs quillctl mail');
like($cron, qr/^[^#\n]*quillctl purge >\/dev\/null$/m, 'and quillctl purge');

# One link sent twice at the same moment resets the password once.  Both
# requests find it unused and hash their password while another writer
# holds the database; only the transaction that stores a password may
# spend the link, and only one does.  (The purge emptied the outbox, whose
# ids start again: the spool is emptied too.)
unlink glob "$srv->{var}/mail/*.eml";
is(forgot($email)->{status}, 202, 'a reset link is asked for again');
my ($twice) = deliver_and_link();
ok($twice, 'and mailed');
my @raced = ('the first racing passphrase', 'the second racing passphrase');
my $lock = hold_write_lock($srv);
my @kids;
for my $p (@raced) {
    pipe(my $from, my $to) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        close $from;
        close $lock->{in};
        close $lock->{out};
        print $to post_on_new_connection($srv, '/api/v1/auth/password/reset',
            { token => $twice, password => $p });
        close $to;
        POSIX::_exit(0);
    }
    close $to;
    push @kids, [$pid, $from];
}
# Both find the link and hash, then wait for the lock (QUILL_BUSY_TIMEOUT_MS,
# 5 s): time enough for both to pass the look-up before either writes.
sleep 2;
release_write_lock($lock);
my @res = map { my ($pid, $fh) = @$_; local $/; my $o = <$fh> // ''; waitpid($pid, 0); $o } @kids;
my @st = map { /^(\d+)/ ? $1 : 0 } @res;
is_deeply([sort @st], [204, 422], 'a link used by two requests at once resets the password once')
    or diag(join "\n", @res);
my ($won) = grep { $st[$_] == 204 } 0 .. 1;
is((login_pair($srv, $email, $raced[$won // 0]))[1]{status}, 200, 'to the password of the request that won')
    if defined $won;
is((login_pair($srv, $email, $raced[1 - ($won // 0)]))[1]{status}, 401, 'not to the other')
    if defined $won;

done_testing();
