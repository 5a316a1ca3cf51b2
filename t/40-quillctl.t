# quillctl: init, migrate, user add, check.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Path qw(make_path remove_tree);
use QuillTest;

my $bin = build_dir();
my $dir = "$bin/test-var/quillctl-$$";
remove_tree($dir);
make_path($dir);
open my $fh, '>', "$dir/quill.conf" or die;
print $fh "QUILL_DB=$dir/data/quill.db\nQUILL_KEY_FILE=$dir/data/quill.key\n",
    "QUILL_PASSWORD_BLOCKLIST=" . root() . "/etc/common-passwords.txt\n",
    "QUILL_ARGON2_OPSLIMIT=1\nQUILL_ARGON2_MEMLIMIT_KIB=8\n",
    "QUILL_MAIL_SPOOL=$dir/mail\nQUILL_SENDMAIL=\n";
close $fh;
my $srv = { conf => "$dir/quill.conf", var => $dir };

my ($rc, $out) = quillctl($srv, 'init');
is($rc, 0, 'init succeeds') or diag $out;
ok(-f "$dir/data/quill.db", 'init creates the database');
is((stat "$dir/data/quill.key")[2] & 07777, 0600, 'the key file is mode 0600');
is((stat "$dir/data/quill.db")[2] & 0077, 0, 'the database is private to its owner');
open my $kf, '<', "$dir/data/quill.key"; my $key = <$kf>; close $kf;
like($key, qr/^[0-9a-f]{64}\n$/, 'the key is 32 random bytes in hex');
my $v = `sqlite3 $dir/data/quill.db 'SELECT max(version) FROM schema_migrations'`;
chomp $v;
ok($v >= 1, "migrations are recorded (version $v)");
is(`sqlite3 $dir/data/quill.db 'PRAGMA journal_mode'`, "wal\n", 'the database is in WAL mode');

($rc, $out) = quillctl($srv, 'init');
is($rc, 0, 'init again succeeds');
like($out, qr/exists; kept/, 'a second init keeps the key');
open $kf, '<', "$dir/data/quill.key"; my $key2 = <$kf>; close $kf;
is($key2, $key, 'the key is unchanged');
($rc, $out) = quillctl($srv, 'migrate');
is($rc, 0, 'migrate succeeds');
like($out, qr/0 migrations applied/, 'migrate on a current database applies nothing');

# A migration merged below the newest recorded version is still applied, and
# until it is, the programs and quillctl check refuse the database.
system("sqlite3 $dir/data/quill.db 'DROP TABLE posts_fts; DROP TABLE posts; "
    . "DELETE FROM schema_migrations WHERE version = 3'");
($rc, $out) = quillctl($srv, 'check');
like($out, qr/FAIL schema/, 'check notices a missing migration below the newest one');
my $start = `QUILL_CONFIG=$dir/quill.conf REQUEST_METHOD=GET REQUEST_URI=/api/v1/health $bin/posts.fcgi </dev/null 2>&1`;
isnt($?, 0, 'a program refuses to start on a database that lacks a migration');
like($start, qr/lacks 1 of this build's \d+ migrations: run quillctl migrate/, 'and says what to run');
($rc, $out) = quillctl($srv, 'migrate');
like($out, qr/\(1 migration applied\)/, 'migrate applies exactly the missing one');
is(`sqlite3 $dir/data/quill.db "SELECT count(*) FROM sqlite_master WHERE name = 'posts'"`, "1\n",
    'the missing migration\'s table exists again');

# No default account; accounts come from quillctl.
is(`sqlite3 $dir/data/quill.db 'SELECT count(*) FROM users'`, "0\n", 'there is no default account');
($rc, $out) = quillctl($srv, 'user add admin@example.com --role admin --name Admin', "an admin passphrase\n");
is($rc, 0, 'user add succeeds') or diag $out;
is(`sqlite3 $dir/data/quill.db "SELECT role FROM users WHERE email = 'admin\@example.com'"`, "admin\n", 'with the admin role');

# Migration 10 makes users and sessions anew: what refers to them stays
# (run again, as the package's upgrade does), and their ids are never
# given twice.
system("sqlite3 $dir/data/quill.db \"INSERT INTO sessions (id, user_id, created_at, last_used_at, "
    . "idle_expires_at, expires_at) SELECT 41, id, 1, 1, 2, 2 FROM users; "
    . "INSERT INTO refresh_tokens (hash, session_id, created_at, expires_at) VALUES (zeroblob(32), 41, 1, 2); "
    . "DELETE FROM schema_migrations WHERE version = 10\"");
($rc, $out) = quillctl($srv, 'migrate');
like($out, qr/\(1 migration applied\)/, 'migration 10 runs again') or diag $out;
is(`sqlite3 $dir/data/quill.db 'SELECT count(*) FROM sessions; SELECT count(*) FROM refresh_tokens'`, "1\n1\n",
    'and keeps the session and its refresh token');
like(`sqlite3 $dir/data/quill.db "SELECT sql FROM sqlite_master WHERE name IN ('users', 'sessions')"`,
    qr/AUTOINCREMENT.*AUTOINCREMENT/s, 'users and sessions have AUTOINCREMENT');
is(`sqlite3 $dir/data/quill.db 'PRAGMA foreign_key_check'`, '', 'no foreign key points at nothing');
# A migration that would leave a key pointing at nothing is not committed:
# here a session of no account (the sqlite3 shell does not check keys).
system("sqlite3 $dir/data/quill.db \"INSERT INTO sessions (id, user_id, created_at, last_used_at, "
    . "idle_expires_at, expires_at) VALUES (42, 999999, 1, 1, 2, 2); "
    . "DELETE FROM schema_migrations WHERE version = 10\"");
($rc, $out) = quillctl($srv, 'migrate');
isnt($rc, 0, 'a migration that leaves a dangling key fails');
like($out, qr/migration 010_ids failed: it leaves rows whose foreign keys point at nothing/,
    'and says why') or diag $out;
is(`sqlite3 $dir/data/quill.db 'SELECT count(*) FROM schema_migrations WHERE version = 10'`, "0\n",
    'and is not recorded');
system("sqlite3 $dir/data/quill.db 'DELETE FROM sessions WHERE id = 42'");
($rc, $out) = quillctl($srv, 'migrate');
like($out, qr/\(1 migration applied\)/, 'once the row is gone it applies') or diag $out;
system("sqlite3 $dir/data/quill.db 'DELETE FROM sessions'");
($rc, $out) = quillctl($srv, 'check');
unlike($out, qr/^FAIL/m, 'quillctl check finds nothing wrong after it') or diag $out;
($rc, $out) = quillctl($srv, 'user add admin@example.com', "an admin passphrase\n");
isnt($rc, 0, 'adding the same email again fails');
like($out, qr/already registered/, 'and says why');
($rc, $out) = quillctl($srv, 'user add weak@example.com', "short\n");
isnt($rc, 0, 'a password that fails the policy is refused');
($rc, $out) = quillctl($srv, 'user add root@example.com --role root', "an admin passphrase\n");
isnt($rc, 0, 'an unknown role is refused');
($rc, $out) = quillctl($srv, 'frobnicate');
is($rc, 2, 'an unknown command is a usage error');

($rc, $out) = quillctl($srv, 'check');
is($rc, 0, 'check passes on a sound installation') or diag $out;
like($out, qr/ok\s+key file/, 'check reports the key file');
like($out, qr/^ok   schema version \d+, every statement prepares$/m,
    'check reports the schema, and prepares every statement the programs run');
like($out, qr/SQLite 3\.\d+/, 'check reports the SQLite version');
like($out, qr/^info SQLite 3\.40.*WAL-reset race/m,
    'check mentions the WAL-reset race of SQLite 3.40, as information: the '
    . 'operator has the system\'s SQLite') if `sqlite3 --version` =~ /^3\.40/;
like($out, qr/^ok   mail spooled into \Q$dir\E\/mail \(QUILL_SENDMAIL is empty\)$/m,
    'check says where mail goes');
chmod 0644, "$dir/data/quill.key";
($rc, $out) = quillctl($srv, 'check');
isnt($rc, 0, 'check fails when the key is readable by others');
like($out, qr/FAIL.*chmod 600/, 'and says how to fix it');
chmod 0600, "$dir/data/quill.key";

# The programs prepare a statement when they first run it; check prepares
# them all, so one that no longer prepares (here: a page pinned to an index
# that is gone) is found at deployment.
system("sqlite3 $dir/data/quill.db 'DROP INDEX posts_title'") == 0 or die 'sqlite3 failed';
($rc, $out) = quillctl($srv, 'check');
isnt($rc, 0, 'check fails when a statement does not prepare');
like($out, qr/^FAIL statement \d+ does not prepare: no such index: posts_title$/m,
    'and names the statement and why');

done_testing();
