# The shared-hosting bundle's quill/cron, the one line of the account's
# crontab: it delivers queued mail every run, purges hourly, backs up
# daily, prints nothing while all goes well, and says which job failed
# (with its message) and exits 1 when one does.  The mail is queued through
# the bundle's own wrapper, run as plain CGI with nothing in its
# environment but the request, as suEXEC leaves it.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Path qw(make_path remove_tree);
use QuillTest;

my $dest = build_dir() . "/test-var/34-bundle-cron-$$";
remove_tree($dest);
make_path($dest);
system('sh', root() . '/tools/dist.sh', 'stage', build_dir(), $dest) == 0
    or BAIL_OUT('tools/dist.sh stage failed');
my $q = "$dest/quill";

sub slurp {
    open my $fh, '<', $_[0] or return '';
    local $/;
    return <$fh>;
}
sub write_conf {
    open my $fh, '>', "$q/quill.conf" or die "$q/quill.conf: $!";
    print $fh "QUILL_PUBLIC_ORIGIN=http://127.0.0.1\nQUILL_SENDMAIL=\n"
        . "QUILL_ARGON2_OPSLIMIT=1\nQUILL_ARGON2_MEMLIMIT_KIB=8\n", @_;
    close $fh;
}
# run COMMAND: its output (both streams) and exit status.
sub run {
    my $out = `@_ 2>&1`;
    return ($out, $? >> 8);
}

write_conf();
my ($out, $rc) = run("$q/quillctl init");
is($rc, 0, 'the bundle\'s quillctl init') or diag($out);
($out, $rc) = run("echo 'correct horse battery staple' | $q/quillctl user add cron\@example.com");
is($rc, 0, 'a user') or diag($out);

# A password reset through cgi/auth.fcgi, from an empty environment.
my $body = '{"email":"cron@example.com"}';
$out = `printf '%s' '$body' | env -i PATH=/usr/bin:/bin REQUEST_METHOD=POST \\
    REQUEST_URI=/api/v1/auth/password/forgot SCRIPT_NAME=/api/v1/auth/password/forgot \\
    GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 \\
    CONTENT_TYPE=application/json CONTENT_LENGTH=${\ length $body} $dest/cgi/auth.fcgi 2>&1`;
like($out, qr/^Status: 20[02]/m, 'the wrapper runs the program with the bundle\'s settings')
    or diag($out);
my @spool = glob "$q/state/mail/*";
is(scalar @spool, 0, 'the reset mail is queued, not yet delivered');

($out, $rc) = run("$q/cron");
is($out, '', 'cron prints nothing when all went well');
is($rc, 0, 'and exits 0');
@spool = grep { -f } glob "$q/state/mail/*";
ok(scalar(grep { slurp($_) =~ /cron\@example\.com/ } @spool), 'the queued mail was delivered (to the spool)');
my @backups = glob "$q/state/backups/quill-*.db";
is(scalar @backups, 1, 'a backup was made in quill/state/backups');
is(substr(slurp($backups[0] // ''), 0, 15), 'SQLite format 3', 'it is a database');
ok(-f "$q/state/.cron-purge", 'the purge ran');

($out, $rc) = run("$q/cron");
is("$rc $out", '0 ', 'a second run soon after is silent too');
is(scalar(my @b = glob "$q/state/backups/quill-*.db"), 1, 'and makes no second backup that day');

# A job that fails: cron says which and why.
write_conf("QUILL_DB=$q/state/no/such/dir/quill.db\n");
($out, $rc) = run("$q/cron");
is($rc, 1, 'a failed job: cron exits 1');
like($out, qr/^quill cron: quillctl mail failed:\n.*no\/such\/dir/ms, 'and prints the job and its message');
remove_tree($dest);

done_testing();
