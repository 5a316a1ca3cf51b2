# Changing the email goes by confirmation (docs/auth.md): the request only
# records a pending address and mails it a link; the old address is told,
# with a link that cancels the change.  On the change, reset links already
# mailed (to the old address) stop working and the user's other sessions
# end; a cancel ends every session.  All through the outbox and quillctl
# mail.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;

my $srv = start_server(settings => { QUILL_RATE_FORGOT_ACCOUNT => '1000/3600' });
my ($reg, $old, $pw) = register($srv, name => 'Mover');
my ($pair) = login_pair($srv, $old, $pw);
my ($elsewhere) = login_pair($srv, $old, $pw);

sub forgot { api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $_[0] })->{status} }
sub reset_pw { api($srv, 'POST', '/api/v1/auth/password/reset', json => { token => $_[0], password => $_[1] }) }
sub confirm { api($srv, 'POST', '/api/v1/auth/verify', json => { token => $_[0] }) }
sub cancel { api($srv, 'POST', '/api/v1/auth/email/cancel', json => { token => $_[0] }) }
sub me { api($srv, 'GET', '/api/v1/users/me', token => $_[0]) }
sub change {
    my ($tok, $email, $p) = @_;
    return api($srv, 'PATCH', '/api/v1/users/me', token => $tok,
        json => { email => $email, currentPassword => $p // $pw });
}

# The mails spooled since the last look, delivered now.
my $seen = 0;
sub new_mails {
    my ($rc, $out) = quillctl($srv, 'mail');
    is($rc, 0, 'quillctl mail delivers') or diag $out;
    my @all = spool_mails($srv);
    my @new = @all[$seen .. $#all];
    $seen = @all;
    return @new;
}

# The token of a mail's link (reset, confirm or cancel).
sub code_of { ($_[0] // '') =~ /(?:^|token=)([A-Za-z0-9_-]{43})$/m ? $1 : undef }
# The mail of @_ sent to address $to.
sub mail_to { my $to = shift; (grep { /^To: \Q$to\E$/m } @_)[0] }

# A reset link is mailed to the old address; then a change is asked for.
is(forgot($old), 202, 'a reset is asked for');
my @m = new_mails();
is(scalar @m, 1, 'one reset mail');
my $token = code_of($m[0]);
ok($token, 'with its code');
my $new = fresh_email();
my $r = change($pair->{accessToken}, $new);
is($r->{status}, 200, 'the change is accepted');
is($r->{json}{data}{email}, $old, 'but the email is still the old one');
is($r->{json}{data}{pendingEmail}, $new, 'the new one waits for its confirmation');
is(me($pair->{accessToken})->{json}{data}{pendingEmail}, $new, 'and GET /users/me says so');
is(sql($srv, "SELECT email FROM users WHERE id = $reg->{json}{data}{id}"), $old, 'the stored email is unchanged');
is(sql($srv, 'SELECT count(*) FROM reset_tokens WHERE used_at IS NULL'), 1, 'the reset link still works until the change');
is(refresh($srv, $elsewhere->{refreshToken})->{status}, 200, 'and the other session goes on');
($elsewhere) = login_pair($srv, $old, $pw);

# Two mails: the confirmation to the new address, the notice to the old.
@m = new_mails();
is(scalar @m, 2, 'two mails are sent for the request');
my $confirm = mail_to($new, @m) // '';
my $notice = mail_to($old, @m) // '';
like($confirm, qr{/verify#token=[A-Za-z0-9_-]{43}$}m, 'the new address gets a confirmation link');
like($confirm, qr/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/m, 'and a short code');
like($notice, qr/^Subject: .*email address/mi, 'the old address is told');
like($notice, qr/\n\n.*\bMover\b/s, 'greeting the user by name');
unlike($notice, qr/\Q$new\E/, 'without telling the old address the new one');
like($notice, qr{/email/cancel#token=[A-Za-z0-9_-]{43}$}m, 'with a link that cancels the change');
is(code_of($notice) eq (code_of($confirm) // ''), '', 'the two links differ');

# The new address confirms: the change is made.
is(confirm(code_of($confirm))->{status}, 204, 'the new address confirms');
$r = refresh($srv, $pair->{refreshToken});
is($r->{status}, 200, 'the session that asked for the change goes on');
$r = me($r->{json}{data}{accessToken});
is($r->{json}{data}{email}, $new, 'the email is the new one');
ok(!exists $r->{json}{data}{pendingEmail}, 'nothing is pending any more');
ok($r->{json}{data}{emailVerified}, 'and the address is confirmed');
is(sql($srv, 'SELECT count(*) FROM reset_tokens WHERE used_at IS NULL'), 0, 'no reset token is left usable');
is(refresh($srv, $elsewhere->{refreshToken})->{status}, 401, "the user's other session can no longer refresh");
is(me($elsewhere->{accessToken})->{status}, 401, 'nor use its access token');
is(confirm(code_of($confirm))->{status}, 422, 'the confirmation works once');

# The link mailed before the change is dead; a new one to the new address works.
$r = reset_pw($token, 'a password for the thief 1');
is($r->{status}, 422, 'the reset link mailed before the change is refused');
is(($r->{json}{error}{details} // [{}])->[0]{field}, 'token', 'on the token');
ok((login_pair($srv, $new, $pw))[0], 'the password is unchanged');
is(forgot($old), 202, 'asking for the old address answers as ever');
is(scalar(new_mails()), 0, 'but mails nothing');
is(forgot($new), 202, 'asking for the new address');
@m = new_mails();
like($m[0] // '', qr/^To: \Q$new\E$/m, 'mails the new address');
$pw = 'the owner chose this one 2';
is(reset_pw(code_of($m[0]), $pw)->{status}, 204, 'and that link works');

# Renaming, or the same address in other letter case, needs no confirmation.
my ($p2) = login_pair($srv, $new, $pw);
is(forgot($new), 202, 'another reset is asked for');
@m = new_mails();
$r = api($srv, 'PATCH', '/api/v1/users/me', token => $p2->{accessToken},
    json => { name => 'Moved', email => uc $new, currentPassword => $pw });
is($r->{status}, 200, 'the name changes, the email only in case');
is($r->{json}{data}{email}, uc $new, 'at once');
is(scalar(new_mails()), 0, 'no mail is sent');
$pw = 'yet another password 3';
is(reset_pw(code_of($m[0]), $pw)->{status}, 204, 'and the reset link still works');
my $cur = uc $new;

# Cancelled from the old address before it is confirmed: nothing changes,
# the confirmation is dead, and every session ends.
($p2) = login_pair($srv, $cur, $pw);
my $third = fresh_email();
is(change($p2->{accessToken}, $third)->{status}, 200, 'another change is asked for');
@m = new_mails();
my ($c3, $n3) = (code_of(mail_to($third, @m)), code_of(mail_to($cur, @m)));
ok($c3 && $n3, 'with its two links');
is(cancel($n3)->{status}, 204, 'the old address cancels it');
is(me($p2->{accessToken})->{status}, 401, 'every session ends, the one that asked too');
is(confirm($c3)->{status}, 422, 'the confirmation of the cancelled change is refused');
is(sql($srv, "SELECT email FROM users WHERE id = $reg->{json}{data}{id}"), $cur, 'the email is unchanged');
is(cancel($n3)->{status}, 422, 'a cancel link works once');

# Cancelled after the change was made: the old address comes back.
($p2) = login_pair($srv, $cur, $pw);
my $fourth = fresh_email();
is(change($p2->{accessToken}, $fourth)->{status}, 200, 'a fourth address is asked for');
@m = new_mails();
is(confirm(code_of(mail_to($fourth, @m)))->{status}, 204, 'and confirmed');
is(sql($srv, "SELECT email FROM users WHERE id = $reg->{json}{data}{id}"), $fourth, 'the email moved');
is(cancel(code_of(mail_to($cur, @m)))->{status}, 204, 'the old address cancels it within its window');
is(sql($srv, "SELECT email FROM users WHERE id = $reg->{json}{data}{id}"), $cur, 'the old address is back');
is(me($p2->{accessToken})->{status}, 401, 'and every session ended');

# A taken address is refused at the confirmation, not at the request.
($p2) = login_pair($srv, $cur, $pw);
my (undef, $taken) = register($srv, name => 'Someone Else');
$r = change($p2->{accessToken}, $taken);
is($r->{status}, 200, 'asking for an address in use looks like any request');
@m = new_mails();
$r = confirm(code_of(mail_to($taken, @m)));
is($r->{status}, 409, 'its confirmation is refused');
is($r->{json}{error}{code}, 'EMAIL_TAKEN', 'as taken');
unlike($r->{json}{error}{message} // '', qr/Someone|\d+/, 'without saying whose it is');
is(sql($srv, "SELECT email FROM users WHERE id = $reg->{json}{data}{id}"), $cur, 'the email is unchanged');

# A wrong password changes nothing and mails nothing.
$r = change($p2->{accessToken}, fresh_email(), 'not the password at all');
is($r->{status}, 422, 'a wrong current password is refused');
is(scalar(new_mails()), 0, 'and nothing is mailed');

done_testing();
