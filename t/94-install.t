# make install and make uninstall into a staging tree (DESTDIR): the FHS
# layout, every path in an installed file filled in from PREFIX,
# SYSCONFDIR and LOCALSTATEDIR (none left as shipped), settings never
# overwritten, and uninstall removing what install put there and nothing
# else.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Find;
use QuillTest;

my $root = root();
my $bin = build_dir();
my $var = state_dir()->{var};

# make TARGET into DEST with the settings given; returns (exit, output).
sub make_in {
    my ($target, $dest, @vars) = @_;
    my $out = `make -s -C $root $target DESTDIR=$dest @{[build_vars()]} @vars 2>&1`;
    return ($? >> 8, $out);
}

# Every file under $dir: { relative path => mode }.
sub tree {
    my ($dir) = @_;
    my %t;
    find({ no_chdir => 1, wanted => sub {
        return if $_ eq $dir;
        my $rel = substr($_, length $dir);
        $t{$rel} = sprintf '%04o', (lstat $_)[2] & 07777;
    } }, $dir) if -d $dir;
    return \%t;
}

sub slurp { open my $f, '<', $_[0] or return ''; local $/; return scalar <$f> }

# The text files of a tree (the programs are ELF files).
sub texts {
    my ($dir) = @_;
    my $t = tree($dir);
    return grep { -f "$dir$_" && slurp("$dir$_") !~ /^\x7fELF/ } sort keys %$t;
}

my $d = "$var/usr";
my ($rc, $out) = make_in('install', $d, 'PREFIX=/usr');
is($rc, 0, 'make install DESTDIR=... PREFIX=/usr') or diag $out;
my $t = tree($d);
my %want = (
    '/usr/lib/quill/auth.fcgi' => '0755', '/usr/lib/quill/users.fcgi' => '0755',
    '/usr/lib/quill/posts.fcgi' => '0755', '/usr/lib/quill/quill-spawn-fcgi' => '0755',
    '/usr/sbin/quillctl' => '0755',
    '/usr/share/quill/common-passwords.txt' => '0644',
    '/usr/share/quill/quill.conf.example' => '0644',
    '/usr/share/quill/htdocs/style.css' => '0644',
    '/usr/share/quill/examples/haproxy.cfg' => '0644',
    '/usr/lib/systemd/system/quill@.service' => '0644',
    '/usr/lib/systemd/system/quill@.socket' => '0644',
    '/etc/quill/quill.conf' => '0640',
    '/etc/apache2/conf-available/quill.conf' => '0644',
    '/etc/lighttpd/conf-available/50-quill.conf' => '0644',
    '/etc/cron.d/quill' => '0644',
    '/etc/logrotate.d/quill' => '0644',
    '/usr/share/man/man7/quill.7' => '0644', '/usr/share/man/man5/quill.conf.5' => '0644',
    '/usr/share/man/man8/quillctl.8' => '0644',
    '/var/lib/quill' => '0700', '/var/spool/quill' => '0700',
    '/var/log/quill' => '2750', '/var/backups/quill' => '0700',
);
is_deeply({ map { $_ => $t->{$_} } keys %want }, \%want, 'the FHS layout, with its modes');

my @texts = texts($d);
# The checks below read every installed file that is not a program.
my %text = map { $_ => 1 } @texts;
my @all_texts = grep { -f "$d$_" && $want{$_} && !m{^/usr/(?:lib/quill/[a-z]+\.fcgi|sbin/)} } keys %want;
is_deeply([grep { !$text{$_} } sort @all_texts], [], scalar(@texts) . ' text files installed, every one of the layout\'s among them');
my @local = grep { slurp("$d$_") =~ m{/usr/local} } @texts;
is("@local", '', 'no installed file names /usr/local');
my @unfilled = grep { slurp("$d$_") =~ /\@[A-Z][A-Z_]*\@/ } @texts;
is("@unfilled", '', 'no placeholder is left unfilled');

# Every file of Quill's that an installed file names is installed.
my %named;
for my $f (@texts) {
    my $text = slurp("$d$f");
    $named{$1} //= $f while $text =~ m{(/usr/(?:lib/quill|share/quill|sbin/quill[\w-]*)(?:/[\w.\@-]+)*)}g;
}
my @missing = map { "$_ (in $named{$_})" } grep { !-e "$d$_" && !/%i/ } sort keys %named;
is("@missing", '', 'every path of Quill\'s that they name is there');
like(slurp("$d/etc/quill/quill.conf"), qr{^QUILL_DB=/var/lib/quill/quill\.db$}m, 'the settings name the state directory');
like(slurp("$d/etc/quill/quill.conf"), qr{^QUILL_MAIL_SPOOL=/var/spool/quill$}m, 'and the mail spool');
is(slurp("$d/usr/share/quill/examples/haproxy.cfg"), slurp("$root/etc/haproxy.cfg.example"),
    'the example haproxy configuration is the one shipped in etc/');
SKIP: {
    skip 'no haproxy to check the example with', 1 unless -x '/usr/sbin/haproxy';
    my $check = `/usr/sbin/haproxy -c -q -f $d/usr/share/quill/examples/haproxy.cfg 2>&1`;
    is($?, 0, 'and haproxy accepts it as installed') or diag $check;
}

# cron.d lines: five times, the user, the command.
my @jobs = grep { !/^\s*(#|$)/ } split /\n/, slurp("$d/etc/cron.d/quill");
ok(@jobs >= 3, 'the cron file has its jobs');
is(scalar(grep { (split ' ', $_, 7)[5] eq 'quill' } @jobs), scalar @jobs,
    'each runs as quill (a user field, as /etc/cron.d wants)');

# The settings are never overwritten.
open my $c, '>>', "$d/etc/quill/quill.conf" or die;
print $c "QUILL_LOG_LEVEL=debug\n";
close $c;
($rc, $out) = make_in('install', $d, 'PREFIX=/usr');
is($rc, 0, 'make install again');
like(slurp("$d/etc/quill/quill.conf"), qr/^QUILL_LOG_LEVEL=debug$/m, 'keeps the changed settings');
like($out, qr{kept \Q$d\E/etc/quill/quill\.conf}, 'and says so');

# Uninstall: what install put there goes; a changed setting, data and a
# file of someone else's stay.
open my $db, '>', "$d/var/lib/quill/quill.db" or die; close $db;
open my $other, '>', "$d/usr/lib/quill/other" or die; close $other;
($rc, $out) = make_in('uninstall', $d, 'PREFIX=/usr');
is($rc, 0, 'make uninstall') or diag $out;
my @left = grep { -f "$d$_" } sort keys %{ tree($d) };
is_deeply(\@left, ['/etc/quill/quill.conf', '/usr/lib/quill/other', '/var/lib/quill/quill.db'],
    'it removes every file it installed, and nothing else');
ok(!-e "$d/var/spool/quill" && !-e "$d/usr/share/quill" && !-e "$d/var/log/quill",
    'and Quill\'s directories it left empty');
ok(-d "$d/etc/cron.d", 'but no directory that is not Quill\'s');

# Other directories: PREFIX, SYSCONFDIR and LOCALSTATEDIR reach every file.
my $o = "$var/opt";
($rc, $out) = make_in('install', $o, 'PREFIX=/opt/quill', 'SYSCONFDIR=/opt/quill/etc',
    'LOCALSTATEDIR=/opt/quill/var', 'RUNSTATEDIR=/opt/quill/run');
is($rc, 0, 'make install with PREFIX, SYSCONFDIR, LOCALSTATEDIR of its own') or diag $out;
my @elsewhere = grep { slurp("$o$_") =~ m{(?<![\w/])(?:/etc/quill|/var/(?:lib|log|spool)/quill|/usr/local|/run/quill)} } texts($o);
is("@elsewhere", '', 'no installed file names a default directory');
like(slurp("$o/opt/quill/etc/quill/quill.conf"), qr{^QUILL_DB=/opt/quill/var/lib/quill/quill\.db$}m,
    'the settings name LOCALSTATEDIR\'s state directory');
like(slurp("$o/opt/quill/lib/systemd/system/quill\@.service"),
    qr{^ExecStart=.* /opt/quill/lib/quill/%i\.fcgi$}m, 'the unit runs PREFIX\'s programs');
($rc, $out) = make_in('uninstall', $o, 'PREFIX=/opt/quill', 'SYSCONFDIR=/opt/quill/etc',
    'LOCALSTATEDIR=/opt/quill/var', 'RUNSTATEDIR=/opt/quill/run');
@left = grep { -f "$o$_" } sort keys %{ tree($o) };
is("@left", '', 'and uninstall with the same settings removes it all');

done_testing();
