# The cron file as cron runs it: install into directories of the test's own
# (no DESTDIR, so the paths in the file are the real ones), create the
# database, then run every job's command the way cron would (a `\%` is a
# `%`) twice.  A job that succeeds prints nothing, since cron mails whatever
# a job prints: once a minute or once an hour, that is a flood.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;

my $root = root();
my $d = state_dir()->{var} . '/cron';
my @dirs = ("PREFIX=$d/usr", "SYSCONFDIR=$d/etc", "LOCALSTATEDIR=$d/var",
    "RUNSTATEDIR=$d/run");
# No user of the installation's name: nothing is given an owner, and the
# jobs run as the test's user.
my $out = `make -s -C $root install @{[build_vars()]} @dirs QUILL_USER=quill-cron-test 2>&1`;
is($? >> 8, 0, 'make install into the test\'s directories') or diag $out;

my $conf = "$d/etc/quill/quill.conf";
$out = `QUILL_CONFIG=$conf $d/usr/sbin/quillctl init 2>&1`;
is($? >> 8, 0, 'quillctl init') or diag $out;

open my $f, '<', "$d/etc/cron.d/quill" or die "$d/etc/cron.d/quill: $!";
my @jobs;
while (<$f>) {
    next if /^\s*(#|$)/;
    chomp;
    my @field = split /\s+/, $_, 7;
    is($field[5], 'quill-cron-test', "the job runs as the installation's user: $field[6]");
    # cron turns an unescaped % into a newline and `\%` into `%`.
    unlike($field[6], qr/(?<!\\)%/, 'and has no % that cron would cut');
    push @jobs, $field[6] =~ s/\\%/%/gr;
}
close $f;
is(scalar @jobs, 3, 'mail, purge and backup');

for my $round (1, 2) {
    for my $job (@jobs) {
        my $said = `( $job ) 2>&1`;
        is($? >> 8, 0, "round $round: exits 0: $job");
        is($said, '', 'and prints nothing');
    }
    # The backup's name holds the time to the second.
    sleep 1 if $round == 1;
}
my @backups = glob "$d/var/backups/quill/quill-*.db";
is(scalar @backups, 2, 'two nights\' backups, each a file of its own');

# A job that fails does print, so that cron mails it: the backup into a
# directory that is not there.
my ($backup) = grep { /quillctl backup/ } @jobs;
(my $broken = $backup) =~ s{\Q$d\E/var/backups/quill/}{$d/nowhere/};
my $said = `( $broken ) 2>&1`;
isnt($? >> 8, 0, 'a backup that cannot be written fails');
like($said, qr/\S/, "and says why, for cron to mail") or diag "$broken: $said";

`make -s -C $root uninstall @{[build_vars()]} @dirs 2>&1`;
done_testing();
