# quillctl backup while the API is writing, and quillctl restore: into a
# fresh state directory (a new machine) and over a database being served.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Path qw(make_path);
use POSIX qw(WNOHANG);
use QuillTest;

my $srv = start_server();
if (test_db() eq 'postgresql') {
    # The copies below are of SQLite files; PostgreSQL has pg_dump.
    my ($rc, $out) = quillctl($srv, "backup $srv->{var}/quill-backup.db");
    isnt($rc, 0, 'on PostgreSQL, quillctl backup refuses');
    like($out, qr/pg_dump/, 'and names pg_dump');
    ok(!-e "$srv->{var}/quill-backup.db", 'leaving no file');
    ($rc, $out) = quillctl($srv, "restore $0");
    isnt($rc, 0, 'quillctl restore refuses too');
    like($out, qr/pg_restore/, 'naming pg_restore');
    done_testing();
    exit;
}
my $db = "$srv->{var}/quill.db";
my $pw = 'a backed up passphrase';

sub sql {
    my ($file, $q) = @_;
    my $out = `sqlite3 $file "$q"`;
    chomp $out;
    return $out;
}

# Users that exist before any backup.
my @seed = map { fresh_email() } 1 .. 3;
is((register($srv, email => $_, password => $pw))[0]{status}, 201, "seed user $_") for @seed;

# A writer: registers users one after another until told to stop.
my $stop = "$srv->{var}/stop-writer";
my $pid = fork // die "fork: $!";
if ($pid == 0) {
    for my $i (1 .. 300) {
        last if -e $stop;
        register($srv, email => "writer$i.$$\@example.com", password => $pw);
    }
    # Not exit: QuillTest's END would stop the server.
    POSIX::_exit(0);
}

# Wait until the writer is under way (bounded), then back up twice while it writes.
my $base = sql($db, 'SELECT count(*) FROM users');
for (1 .. 200) {
    last if sql($db, 'SELECT count(*) FROM users') >= $base + 5;
    select undef, undef, undef, 0.05;
}
my $backup = "$srv->{var}/backups/quill-backup.db";
make_path("$srv->{var}/backups");
my ($rc, $out) = quillctl($srv, "backup $backup");
is($rc, 0, 'backup succeeds while the API writes') or diag $out;
like($out, qr/backed up to \Q$backup\E/, 'and says where the copy is');
($rc, $out) = quillctl($srv, "backup $backup.2");
is($rc, 0, 'a second backup too') or diag $out;
my $writer_running = waitpid($pid, WNOHANG) == 0;
# Under load (a sanitizer build, tests side by side) a registration can
# take longer than the backups: let the writer add one more user (bounded)
# before it stops, so that the live data has gone on past the backups.
my $after = sql($db, 'SELECT count(*) FROM users');
for (1 .. 600) {
    last if !$writer_running || sql($db, 'SELECT count(*) FROM users') > $after;
    select undef, undef, undef, 0.05;
}
open my $sf, '>', $stop or die; close $sf;
waitpid($pid, 0);
ok($writer_running, 'the writer was still writing after the backups');

is((stat $backup)[2] & 07777, 0600, 'the backup is mode 0600');
ok(!-e "$backup-wal" && !-e "$backup-journal", 'the backup is one self-contained file');
is(sql($backup, 'PRAGMA integrity_check'), 'ok', 'the backup passes integrity_check');
is(sql($backup, 'PRAGMA journal_mode'), 'delete', 'the backup is not in WAL mode');
my @tmp = glob("$backup.tmp-*");
is(scalar @tmp, 0, 'no temporary file is left behind');

# Consistent: the backup is the live data as of one moment, so its users are
# exactly the first ones of the live database.
my $live_users = sql($db, 'SELECT id, email FROM users ORDER BY id');
my $backup_users = sql($backup, 'SELECT id, email FROM users ORDER BY id');
my $n_backup = () = $backup_users =~ /\n/g;
$n_backup++;
ok($n_backup >= $base + 5, "the backup holds the users written before it ($n_backup)");
ok(length($backup_users) < length($live_users), 'the writer went on after the backup');
is(substr($live_users, 0, length($backup_users)), $backup_users,
    'the backup is a prefix of the live data: a snapshot, not a mix');
my ($late) = sql($db, "SELECT email FROM users ORDER BY id DESC LIMIT 1");

# Restore on a fresh machine: an empty directory, then a server on it.
my $fresh_ctl = state_dir(name => 'restore', settings => {
    QUILL_DB => "$srv->{var}-restored/data/quill.db",
    QUILL_KEY_FILE => "$srv->{var}-restored/data/quill.key" });
my $fresh = "$srv->{var}-restored";
($rc, $out) = quillctl($fresh_ctl, "restore $backup");
is($rc, 0, 'restore into a fresh directory succeeds') or diag $out;
like($out, qr/restored from \Q$backup\E/, 'and says so');
is((stat "$fresh/data/quill.db")[2] & 0077, 0, 'the restored database is private');
is(sql("$fresh/data/quill.db", 'SELECT id, email FROM users ORDER BY id'), $backup_users,
    'the restored database holds what the backup holds');
my $srv2 = start_server(settings => { QUILL_DB => "$fresh/data/quill.db",
    QUILL_KEY_FILE => "$fresh/data/quill.key" });
my ($tok) = login($srv2, $seed[0], $pw);
ok($tok, 'a server on the restored database logs a seed user in');
is(api($srv2, 'GET', '/api/v1/users/me', token => $tok)->{json}{data}{email}, $seed[0],
    'and knows who they are');
($rc, $out) = quillctl($srv2, 'check');
is($rc, 0, 'quillctl check is content with the restored database') or diag $out;
is(sql("$fresh/data/quill.db", 'PRAGMA integrity_check'), 'ok', 'integrity_check after serving');

# Restore over the database a running server serves.
($rc, $out) = quillctl($srv, "restore $backup");
is($rc, 0, 'restore over a served database succeeds') or diag $out;
is(sql($db, 'SELECT id, email FROM users ORDER BY id'), $backup_users,
    'the served database now holds exactly the backup');
ok((login($srv, $seed[1], $pw))[0], 'the running server logs in a user from the backup');
is((login($srv, $late, $pw))[1]{status}, 401, 'a user made after the backup is gone');
is(api($srv, 'GET', '/api/v1/health')->{status}, 200, 'the server stays healthy');
is(sql($db, 'PRAGMA integrity_check'), 'ok', 'integrity_check after the restore');

# Bad input changes nothing.
my $before = sql($db, 'SELECT count(*) FROM users');
open my $junk, '>', "$srv->{var}/junk.db" or die;
print $junk "this is not a database\n" x 100;
close $junk;
($rc, $out) = quillctl($srv, "restore $srv->{var}/junk.db");
isnt($rc, 0, 'restoring from a file that is not a database fails');
like($out, qr/junk\.db/, 'and names the file');
($rc, $out) = quillctl($srv, "restore $srv->{var}/missing.db");
isnt($rc, 0, 'restoring from a missing file fails');
is(sql($db, 'SELECT count(*) FROM users'), $before, 'a failed restore changes nothing');
($rc, $out) = quillctl($srv, "backup $srv->{var}/no/such/dir/b.db");
isnt($rc, 0, 'a backup into a missing directory fails');
like($out, qr/cannot create/, 'and says why');
($rc, $out) = quillctl($srv, 'backup');
is($rc, 2, 'backup without a file is a usage error');

done_testing();
