# quillctl as an operator meets it: the installation's settings file when
# QUILL_CONFIG is not set, no database made in the directory it runs in, a
# backup that never overwrites, a mail run that is quiet unless there is
# something to tell, and errors that name the cause and the fix.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use QuillTest;
use AuthTest;

my $bin = build_dir();
my $root = root();

# Runs a command line in directory $cwd with the environment changes of
# %$env (undef removes a variable); returns (exit status, output).
sub run_in {
    my ($cwd, $env, $cmd) = @_;
    my %keep = %ENV;
    delete $ENV{QUILL_CONFIG};
    while (my ($k, $v) = each %$env) {
        if (defined $v) { $ENV{$k} = $v } else { delete $ENV{$k} }
    }
    my $out = `cd '$cwd' && $cmd 2>&1 </dev/null`;
    my $rc = $? >> 8;
    %ENV = %keep;
    return ($rc, $out);
}

# Writes a settings file.
sub write_conf {
    my ($path, %set) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh "$_=$set{$_}\n" for sort keys %set;
    close $fh;
}

sub slurp {
    open my $fh, '<', $_[0] or return undef;
    local $/;
    return scalar <$fh>;
}

my $st = state_dir(name => 'operator');
my $dir = $st->{var};
my %base = (
    QUILL_PASSWORD_BLOCKLIST => "$root/etc/common-passwords.txt",
    QUILL_ARGON2_OPSLIMIT => 1,
    QUILL_ARGON2_MEMLIMIT_KIB => 8,
    QUILL_PUBLIC_ORIGIN => 'https://quill.example',
    QUILL_SENDMAIL => '',
);

subtest 'the installation\'s settings file, when QUILL_CONFIG is not set' => sub {
    # This quillctl was built with its settings directory in the build
    # directory (the Makefile's quillctl-sysconf), as an installed one has
    # SYSCONFDIR.
    my $ctl = "$bin/t/quillctl-sysconf";
    my $etc = "$bin/t/etc/quill";
    remove_tree("$bin/t/etc");
    my $cwd = tempdir(CLEANUP => 1);
    my ($rc, $out) = run_in($cwd, {}, "$ctl migrate");
    is($rc, 1, 'without QUILL_CONFIG and without the settings file, quillctl refuses');
    like($out, qr/QUILL_CONFIG is not set and \Q$etc\E\/quill\.conf does not exist/,
        'and names both places the settings could be');
    ($rc, $out) = run_in($cwd, {}, "$ctl restore $root/t/40-quillctl.t");
    isnt($rc, 0, 'restore refuses too');
    ($rc, $out) = run_in($cwd, {}, "$ctl init");
    isnt($rc, 0, 'and init');
    opendir my $dh, $cwd or die;
    is_deeply([grep { !/^\.\.?$/ } readdir $dh], [], 'nothing is created in the directory it runs in');
    closedir $dh;

    make_path($etc);
    write_conf("$etc/quill.conf", %base, QUILL_DB => "$dir/etc-db/quill.db",
        QUILL_KEY_FILE => "$dir/etc-db/quill.key", QUILL_MAIL_SPOOL => "$dir/mail");
    ($rc, $out) = run_in($cwd, {}, "$ctl init");
    is($rc, 0, 'with the settings file there, init works without QUILL_CONFIG') or diag $out;
    ok(-f "$dir/etc-db/quill.db", 'and makes the database the file names');
    ($rc, $out) = run_in($cwd, { QUILL_CONFIG => '' }, "$ctl check");
    like($out, qr/^ok   configuration \Q$etc\E\/quill\.conf$/m, 'an empty QUILL_CONFIG reads it as well');
    ($rc, $out) = run_in($cwd, { QUILL_CONFIG => $st->{conf} }, "$ctl check");
    like($out, qr/^ok   configuration \Q$st->{conf}\E$/m, 'QUILL_CONFIG wins over it');

    write_conf("$etc/quill.conf", %base, QUILL_DB => 'var/quill.db');
    ($rc, $out) = run_in($cwd, {}, "$ctl init");
    is($rc, 1, 'a relative QUILL_DB is refused');
    like($out, qr/QUILL_DB is "var\/quill\.db", a relative path.*absolute path in \Q$etc\E\/quill\.conf/,
        'naming the setting, the file to fix and how');
    ok(!-e "$cwd/var", 'and nothing is created in the directory quillctl runs in');
    remove_tree("$bin/t/etc");

    # Only the environment: enough when it names the database.
    ($rc, $out) = run_in($cwd, { %base, QUILL_DB => "$dir/env-db/quill.db",
        QUILL_KEY_FILE => "$dir/env-db/quill.key" }, "$ctl init");
    is($rc, 0, 'the environment alone may give the settings') or diag $out;

    # The quillctl of the build reads the real SYSCONFDIR's file.
    SKIP: {
        skip '/etc/quill/quill.conf exists on this machine', 2 if -e '/etc/quill/quill.conf';
        ($rc, $out) = run_in($cwd, {}, "$bin/quillctl user list");
        is($rc, 1, 'the built quillctl refuses without settings');
        like($out, qr{/etc/quill/quill\.conf does not exist}, 'naming /etc/quill/quill.conf');
    }
};

# A site for the rest.
write_conf($st->{conf}, %base, QUILL_DB => "$dir/data/quill.db",
    QUILL_KEY_FILE => "$dir/data/quill.key", QUILL_MAIL_SPOOL => "$dir/mail");
my ($rc, $out) = quillctl($st, 'init');
is($rc, 0, 'init') or diag $out;

subtest 'backup never overwrites' => sub {
    my $keep = "$dir/precious.db";
    open my $fh, '>', $keep or die; print $fh "the only good backup\n"; close $fh;
    ($rc, $out) = quillctl($st, "backup $keep");
    is($rc, 1, 'backup onto an existing file fails');
    like($out, qr/\Q$keep\E exists: quillctl backup never overwrites/, 'and says why');
    is(slurp($keep), "the only good backup\n", 'the file is untouched');
    ($rc, $out) = quillctl($st, "backup $dir/new.db");
    is($rc, 0, 'backup to a new file works') or diag $out;
    is((stat "$dir/new.db")[2] & 07777, 0600, 'and the copy is private to its owner');
    ($rc, $out) = quillctl($st, "backup $dir/new.db");
    is($rc, 1, 'the same command again refuses');
    ($rc, $out) = quillctl($st, "backup $dir/no-such-dir/x.db");
    like($out, qr/the directory \Q$dir\E\/no-such-dir does not exist/, 'a missing directory is named as such');
    ($rc, $out) = quillctl($st, "restore $dir/missing.db");
    like($out, qr/cannot read the backup \Q$dir\E\/missing\.db: No such file/, 'restore from a missing file says so');
};

subtest 'unacceptable values list the accepted ones' => sub {
    my %cases = (
        QUILL_LOG_LEVEL => ['verbose', qr/QUILL_LOG_LEVEL must be debug, info, warn or error, not "verbose"/],
        QUILL_ACCESS_TTL => ['5', qr/QUILL_ACCESS_TTL must be a whole number from 60 to 86400, not "5"/],
        QUILL_RATE_LOGIN => ['lots', qr/QUILL_RATE_LOGIN must be N\/SECONDS: N from 0/],
        QUILL_PUBLIC_ORIGIN => ['example.com', qr/QUILL_PUBLIC_ORIGIN must be an origin: http:\/\/ or https:\/\//],
        QUILL_TRUSTED_PROXIES => ['proxy.local', qr/must be up to 8 IPv4 or IPv6 addresses/],
    );
    for my $name (sort keys %cases) {
        my ($v, $re) = @{ $cases{$name} };
        my $o = `$name='$v' QUILL_CONFIG=$st->{conf} $bin/quillctl migrate 2>&1`;
        isnt($? >> 8, 0, "$name=$v is refused");
        like($o, $re, 'with the values it accepts');
    }
    ($rc, $out) = quillctl($st, 'user set-role nobody@example.com owner');
    like($out, qr/user, moderator or admin/, 'an unknown role lists the roles');
};

subtest 'check warns only of what the operator can change, and says how' => sub {
    ($rc, $out) = quillctl($st, 'check');
    is($rc, 0, 'check passes on this site') or diag $out;
    # Landlock depends on the kernel's boot parameters, which the
    # operator can change; the line says how.
    my @warn = grep { !/^WARN sandbox: system-call filter only: .*(add landlock|Linux 5\.13)/ }
        $out =~ /^(WARN .*)$/mg;
    is_deeply(\@warn, [], 'nothing to warn of on a complete configuration');
    unlike($out, qr/^WARN SQLite/m, 'the system\'s SQLite is information, not a warning');
    my $conf2 = "$dir/partial.conf";
    write_conf($conf2, QUILL_DB => "$dir/data/quill.db", QUILL_KEY_FILE => "$dir/data/quill.key",
        QUILL_MAIL_SPOOL => "$dir/mail", QUILL_SANDBOX => 0,
        QUILL_PASSWORD_BLOCKLIST => "$root/etc/common-passwords.txt");
    ($rc, $out) = quillctl({ conf => $conf2, var => $dir }, 'check');
    like($out, qr/^WARN QUILL_PUBLIC_ORIGIN is not set: .*set it to the site's origin/m,
        'an unset public origin is a warning with the fix');
    like($out, qr/^WARN sandbox off \(QUILL_SANDBOX=0\).*remove the setting/m, 'so is the sandbox turned off');
    like($out, qr/^(WARN mail only spooled .*install a mail server|ok   mail through \/usr\/sbin\/sendmail)/m,
        'mail without QUILL_SENDMAIL goes to /usr/sbin/sendmail, or the warning says how to get it there');
    for my $line ($out =~ /^(WARN .*)$/mg) {
        like($line, qr/\b(set|install|remove|add)\b/, "the warning says what to do: $line");
    }
};

subtest 'mail is quiet unless it has something to tell' => sub {
    my $srv = start_server(settings => { QUILL_SENDMAIL => '' });
    my ($rc2, $o) = quillctl($srv, 'mail');
    is($rc2, 0, 'mail with an empty queue succeeds');
    is($o, '', 'and prints nothing');
    my (undef, $email) = register($srv);
    is(api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $email })->{status},
        202, 'a reset mail is queued');
    ($rc2, $o) = quillctl($srv, 'mail');
    is($rc2, 0, 'mail spools it');
    like($o, qr/^spooled 1 mail into \Q$srv->{var}\E\/mail \(no sendmail command: set QUILL_SENDMAIL/,
        'and says it only spooled it, and how to deliver instead');
    is(scalar(() = spool_mails($srv)), 1, 'the mail is in the spool');
    ($rc2, $o) = quillctl($srv, 'mail');
    is($o, '', 'the next run has nothing to do and prints nothing');

    my $fake = "$srv->{var}/fake-sendmail";
    open my $fh, '>', $fake or die; print $fh "#!/bin/sh\ncat > /dev/null\n"; close $fh;
    chmod 0755, $fake;
    api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $email });
    my $o2 = `QUILL_SENDMAIL='$fake -t -i' QUILL_CONFIG=$srv->{conf} $bin/quillctl mail 2>&1`;
    is($? >> 8, 0, 'mail through sendmail succeeds');
    is($o2, '', 'and prints nothing: the mail went where it should');

    my $spool = "$srv->{var}/spool-rel.conf";
    write_conf($spool, QUILL_DB => QuillTest::conf_value($srv->{conf}, 'QUILL_DB'),
        QUILL_KEY_FILE => "$srv->{var}/quill.key",
        QUILL_SENDMAIL => '', QUILL_MAIL_SPOOL => 'var/mail');
    ($rc2, $o) = quillctl({ conf => $spool, var => $srv->{var} }, 'mail');
    is($rc2, 1, 'a relative spool is refused');
    like($o, qr/QUILL_MAIL_SPOOL is "var\/mail", a relative path/, 'naming the setting');
};

SKIP: {
    skip 'permission tests run as root, with setpriv', 1
        unless $> == 0 && system('setpriv --version >/dev/null 2>&1') == 0;
    subtest 'a permission problem is named as one' => sub {
        my $as_nobody = 'setpriv --reuid=nobody --regid=nogroup --clear-groups';
        my $d = "$dir/perm";
        make_path("$d/data");
        write_conf("$d/quill.conf", %base, QUILL_DB => "$d/data/quill.db",
            QUILL_KEY_FILE => "$d/data/quill.key", QUILL_MAIL_SPOOL => "$d/mail");
        chmod 0755, $d, $dir;
        my ($r, $o) = quillctl({ conf => "$d/quill.conf", var => $d }, 'init');
        is($r, 0, 'init as root') or diag $o;
        chmod 0644, "$d/quill.conf";
        chmod 0755, "$d/data";
        my $run = sub { my $x = `QUILL_CONFIG=$d/quill.conf $as_nobody $bin/quillctl $_[0] 2>&1 </dev/null`; ($? >> 8, $x) };
        ($r, $o) = $run->('migrate');
        is($r, 1, 'migrate as a user who may not write the database fails');
        unlike($o, qr/init creates/, 'and does not call the database missing');
        like($o, qr/\Q$d\E\/data is not writable by nobody: it belongs to root, mode 755 \(run quillctl as root/,
            'but names the directory, the user, the owner and the fix');
        chmod 0777, "$d/data";
        ($r, $o) = $run->('user list');
        like($o, qr/the database cannot be opened for writing: \Q$d\E\/data\/quill\.db is not writable by nobody: it belongs to root, mode 600/,
            'an unwritable database file is named as such');
        ($r, $o) = $run->('check');
        like($o, qr/^FAIL .*not writable by nobody/m, 'check says the same');
        unlike($o, qr/init (creates|makes)/, 'and calls nothing missing');
        chmod 0600, "$d/quill.conf";
        ($r, $o) = $run->('check');
        like($o, qr/cannot read the settings file \Q$d\E\/quill\.conf: Permission denied \(run as the user/,
            'an unreadable settings file is a permission problem, with the fix');
        chmod 0644, "$d/quill.conf";

        # A read-only file system, where a private mount namespace can make one.
        chmod 0755, "$d/data";
        my $ro = "unshare -m sh -c 'mount --bind -o ro $d/data $d/data && "
            . "QUILL_CONFIG=$d/quill.conf $bin/quillctl migrate' 2>&1";
        if (system("unshare -m true 2>/dev/null") != 0) {
            pass('no mount namespaces here: the read-only case is skipped');
        } else {
            $o = `$ro`;
            like($o, qr/the directory of the database.*\Q$d\E\/data is on a read-only file system/,
                'a read-only directory is named as the directory, on a read-only file system');
        }
    };
}

done_testing();
