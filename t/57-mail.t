# quillctl mail: a well-formed Message-ID whatever QUILL_MAIL_FROM holds,
# the reason of a failed delivery in the log, and /usr/sbin/sendmail -t -i
# when QUILL_SENDMAIL is not set.  The subject and text are those of the
# mail's template (templates/mail/).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;

my $bin = build_dir();
my $srv = start_server(settings => { QUILL_RATE_FORGOT_ACCOUNT => '1000/3600',
    QUILL_PUBLIC_ORIGIN => 'http://[::1]:8080' });
my (undef, $email) = register($srv);

# Queues a reset mail through the API.
sub queue_mail {
    is(api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $email })->{status},
        202, 'a reset mail is queued');
}

# Runs quillctl mail with these settings in its environment; returns
# (exit status, output).
sub mail_run {
    my (%env) = @_;
    my $set = join ' ', map { "$_='$env{$_}'" } sort keys %env;
    my $out = `$set QUILL_CONFIG=$srv->{conf} $bin/quillctl mail 2>&1 </dev/null`;
    return ($? >> 8, $out);
}

# An RFC 5322 msg-id: <dot-atom-text@dot-atom-text>, one @.
my $atext = qr{[A-Za-z0-9!#\$%&'*+/=?^_`{|}~-]+};
my $msgid = qr{^Message-ID: <$atext(?:\.$atext)*\@($atext(?:\.$atext)*)>$}m;
my $host = `hostname`;
chomp $host;

subtest 'the reset mail is its template, filled' => sub {
    open my $fh, '<', root() . '/templates/mail/reset.txt' or die "reset.txt: $!";
    my $tpl = do { local $/; <$fh> };
    $tpl =~ s/\{\{!.*?\}\}\n//s;
    my ($subject) = $tpl =~ /^Subject: (.*)$/m;
    queue_mail();
    my ($rc, $out) = mail_run();
    is($rc, 0, 'delivered') or diag $out;
    my $mail = (spool_mails($srv))[-1] // '';
    like($mail, qr/^Subject: \Q$subject\E$/m, "the subject is the template's: $subject");
    my ($body) = $mail =~ /\r?\n\r?\n(.*)\z/s;
    $body =~ s/\r\n/\n/g;
    my ($text) = $tpl =~ /\n\n(.*)\z/s;
    # The template's text with each value as a pattern of one line.
    my $shape = join '[^\n]*', map { quotemeta } split /\{\{\w+\}\}/, $text, -1;
    like($body, qr/\A$shape\z/, 'the text is the template with its values filled');
    like($body, qr{^\Q$srv->{base}\E/\S+#token=\S+$}m, "the link on the site's public origin");
};

my @cases = (
    ['Quill <quill@example.com>', 'example.com', 'a display name and an address'],
    ['noreply@mail.example.org', 'mail.example.org', 'a bare address'],
    ['a@b@c.example', 'c.example', 'an address with two @'],
    ['Quill Team', undef, 'a name without an address'],
    ['Quill <quill@bad_domain!>', undef, 'an address with a malformed domain'],
    ['"Q <x@y>" <q@[127.0.0.1]>', undef, 'an address literal'],
);
for my $c (@cases) {
    my ($from, $domain, $what) = @$c;
    queue_mail();
    my ($rc, $out) = mail_run(QUILL_MAIL_FROM => $from);
    is($rc, 0, "delivered with QUILL_MAIL_FROM as $what") or diag $out;
    my $mail = (spool_mails($srv))[-1] // '';
    my ($got) = $mail =~ $msgid;
    ok(defined $got, "the Message-ID is well formed with $what") or diag $mail =~ /^(Message-ID.*)$/m;
    if (defined $domain) {
        is($got, $domain, "and ends in the From address's domain");
    } else {
        # The public origin here is an IPv6 literal: the host's name.
        is($got, $host =~ /^[A-Za-z0-9.-]+$/ ? $host : 'localhost',
            'and ends in the host\'s name, the origin being an IPv6 literal');
    }
}
queue_mail();
my $n = () = spool_mails($srv);
my ($rc, $out) = mail_run(QUILL_MAIL_FROM => "Quill <q\@example.com>\r\nBcc: x\@example.net");
is($rc, 1, 'a QUILL_MAIL_FROM holding a line break fails the delivery');
like($out, qr/"reason":"a header would hold a line break/, 'and the log says why');
is(scalar(() = spool_mails($srv)), $n, 'no mail is written with an injected header');
($rc, $out) = mail_run();
is($rc, 0, 'the mail goes out with a sound setting') or diag $out;

subtest 'a failed delivery logs why' => sub {
    my $fail = "$srv->{var}/failing-sendmail";
    open my $fh, '>', $fail or die;
    print $fh "#!/bin/sh\ncat > /dev/null\necho 'relay refused: 550 5.7.1 not permitted' >&2\n"
        . "echo 'a second line' >&2\nexit 75\n";
    close $fh;
    chmod 0755, $fail;
    queue_mail();
    my ($rc, $o) = mail_run(QUILL_SENDMAIL => "$fail -t -i");
    is($rc, 1, 'mail exits 1 when sendmail fails');
    my ($line) = $o =~ /^(\{.*"event":"mail_failed".*\})$/m;
    ok($line, 'a mail_failed line is logged') or diag $o;
    $line //= '';
    like($line, qr/"program":"quillctl"/, 'by quillctl');
    like($line, qr/"reason":"\Q$fail\E exited with status 75: relay refused: 550 5\.7\.1 not permitted"/,
        'with the exit status and the first line of its standard error');
    unlike($line, qr/a second line/, 'and only the first line');
    like($o, qr/1 mail could not be delivered and stays queued/, 'quillctl says the mail stays queued');

    ($rc, $o) = mail_run(QUILL_SENDMAIL => "$srv->{var}/no-such-sendmail -t");
    like($o, qr/"reason":"\Q$srv->{var}\E\/no-such-sendmail exited with status 127: cannot run \S+: No such file or directory"/,
        'a command that cannot run is logged as such');

    open $fh, '>', $fail or die;
    print $fh "#!/bin/sh\nkill -9 \$\$\n";
    close $fh;
    ($rc, $o) = mail_run(QUILL_SENDMAIL => $fail);
    like($o, qr/"reason":"\Q$fail\E was killed by signal 9 \(Killed\)"/, 'so is one killed by a signal');
    is(sql($srv, 'SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL'), 1, 'the mail is still queued');
    ($rc, $o) = mail_run(QUILL_SENDMAIL => '');
    is($rc, 0, 'and the spool takes it on the next run');
};

SKIP: {
    skip 'needs root and mount namespaces to stand in for /usr/sbin/sendmail', 1
        unless $> == 0 && system('unshare -m true 2>/dev/null') == 0;
    subtest '/usr/sbin/sendmail -t -i when QUILL_SENDMAIL is not set' => sub {
        # A private mount namespace puts a recording sendmail where
        # Debian's is, for quillctl alone.
        my $sbin = "$srv->{var}/sbin";
        mkdir $sbin;
        open my $fh, '>', "$sbin/sendmail" or die;
        print $fh "#!/bin/sh\necho \"args: \$*\" > $srv->{var}/sbin.out\ncat >> $srv->{var}/sbin.out\n";
        close $fh;
        chmod 0755, "$sbin/sendmail";
        my $conf = "$srv->{var}/no-sendmail.conf";
        open my $in, '<', $srv->{conf} or die;
        open my $outf, '>', $conf or die;
        print $outf grep { !/^QUILL_SENDMAIL=/ } <$in>;
        close $in;
        close $outf;
        queue_mail();
        my $o = `unshare -m sh -c 'mount --bind $sbin /usr/sbin && QUILL_CONFIG=$conf $bin/quillctl mail && QUILL_CONFIG=$conf $bin/quillctl check' 2>&1`;
        is($? >> 8, 0, 'mail and check succeed') or diag $o;
        open $fh, '<', "$srv->{var}/sbin.out" or die "no mail reached /usr/sbin/sendmail:\n$o";
        my $sent = do { local $/; <$fh> };
        close $fh;
        like($sent, qr/^args: -t -i$/m, 'the mail went to /usr/sbin/sendmail -t -i');
        like($sent, qr/^To: \Q$email\E$/m, 'with the message on its standard input');
        like($o, qr{^ok   mail through /usr/sbin/sendmail -t -i$}m, 'and check says so');
        unlike($o, qr/spooled/, 'nothing was spooled');
    };
}

done_testing();
