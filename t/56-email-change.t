# Changing the email: reset links already mailed (to the old address) stop
# working, the user's other sessions end, and the old address is told,
# through the outbox and quillctl mail, without a secret in the notice.
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

# The code a reset mail carries.
sub code_of { ($_[0] // '') =~ /(?:^|token=)([A-Za-z0-9_-]{43})$/m ? $1 : undef }

# A reset link is mailed to the old address; then the email changes.
is(forgot($old), 202, 'a reset is asked for');
my @m = new_mails();
is(scalar @m, 1, 'one reset mail');
my $token = code_of($m[0]);
ok($token, 'with its code');
my $new = fresh_email();
my $r = api($srv, 'PATCH', '/api/v1/users/me', token => $pair->{accessToken},
    json => { email => $new, currentPassword => $pw });
is($r->{status}, 200, 'the email is changed');
is(sql($srv, 'SELECT count(*) FROM reset_tokens WHERE used_at IS NULL'), 0,
    'no reset token is left usable');

# The user's other sessions end with the change; the one that made it goes on.
is(refresh($srv, $elsewhere->{refreshToken})->{status}, 401,
    "the user's other session can no longer refresh");
is(api($srv, 'GET', '/api/v1/users/me', token => $elsewhere->{accessToken})->{status}, 401,
    'nor use its access token');
is(refresh($srv, $pair->{refreshToken})->{status}, 200,
    'the session that changed the email refreshes');

# The notice to the old address.
@m = new_mails();
is(scalar @m, 1, 'one mail is sent for the change');
my $notice = $m[0] // '';
like($notice, qr/^To: \Q$old\E$/m, 'to the old address');
unlike($notice, qr/^To: .*\Q$new\E/m, 'not to the new one');
like($notice, qr/^Subject: .*email address.*changed/mi, 'saying the email address was changed');
like($notice, qr/\n\n.*\bMover\b/s, 'greeting the user by name');
unlike($notice, qr/\Q$new\E/, 'without telling the old address the new one');
unlike($notice, qr/[A-Za-z0-9_-]{43}/, 'and with no secret in it');
is(sql($srv, "SELECT count(*) FROM mail_outbox WHERE recipient = '$old' AND sent_at IS NOT NULL AND body = ''"), 2,
    'both mails to the old address were delivered and emptied');

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
is(reset_pw(code_of($m[0]), 'the owner chose this one 2')->{status}, 204, 'and that link works');

# Renaming, or the same address in other letter case, is no change of email.
my ($p2) = login_pair($srv, $new, 'the owner chose this one 2');
is(forgot($new), 202, 'another reset is asked for');
@m = new_mails();
$r = api($srv, 'PATCH', '/api/v1/users/me', token => $p2->{accessToken},
    json => { name => 'Moved', email => uc $new, currentPassword => 'the owner chose this one 2' });
is($r->{status}, 200, 'the name changes, the email only in case');
is(scalar(new_mails()), 0, 'no notice is sent');
is(reset_pw(code_of($m[0]), 'yet another password 3')->{status}, 204, 'and the reset link still works');

done_testing();
