# QUILL_LOG_FILE: the programs' log lines in a file of their own (where a
# shared host's account can read them), mode 0600, not on standard error;
# rotated when a program starts and the file has QUILL_LOG_FILE_MAX_BYTES;
# a file that cannot be opened leaves the lines on standard error, after
# one saying why.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Path qw(make_path remove_tree);
use QuillTest;

my $dir = build_dir() . "/test-var/33-log-file-$$";
remove_tree($dir);
make_path($dir);
my $file = "$dir/quill.log";

sub slurp {
    open my $fh, '<', $_[0] or return '';
    local $/;
    return <$fh>;
}

# An old log bigger than the limit, which the first program to start
# moves aside.
my $old = '{"old":"line"}' . "\n";
open my $fh, '>', $file or die "$file: $!";
print $fh $old x 200;
close $fh;
my $srv = start_server(settings => { QUILL_LOG_FILE => $file,
    QUILL_LOG_FILE_MAX_BYTES => 2000 });

my $rid = "log-file-$$";
my $r = api($srv, 'GET', '/api/v1/health', headers => { 'x-request-id' => $rid });
is($r->{status}, 200, 'health answers');
my $text;
for (1 .. 100) {
    $text = slurp($file);
    last if $text =~ /\Q$rid\E/;
    select undef, undef, undef, 0.05;
}
like($text, qr/"event":"request".*"requestId":"\Q$rid\E"/, 'the request line is in QUILL_LOG_FILE');
like($text, qr/"event":"start"/, 'so is the start line');
unlike(log_text($srv), qr/\Q$rid\E/, 'and not on standard error (the server\'s log)');
is(sprintf('%o', (stat $file)[2] & 07777), '600', 'the log file is mode 0600');
is(slurp("$file.1"), $old x 200, 'the old, oversized file was renamed with .1');
unlike($text, qr/"old":"line"/, 'the new file starts afresh');
QuillTest::stop_server($srv);

# A log file that cannot be written: the programs serve, and say why on
# standard error.
my $srv2 = start_server(settings => { QUILL_LOG_FILE => "$dir/no/such/dir/quill.log" });
$r = api($srv2, 'GET', '/api/v1/health', headers => { 'x-request-id' => "$rid-2" });
is($r->{status}, 200, 'an unusable log file does not stop the programs');
my $err = '';
for (1 .. 100) {
    $err = log_text($srv2);
    last if $err =~ /\Q$rid-2\E/;
    select undef, undef, undef, 0.05;
}
like($err, qr/"event":"log_file_unavailable".*cannot open [^"]*no\/such\/dir\/quill\.log to append: No such file or directory/,
    'standard error names the file and the cause');
like($err, qr/"requestId":"\Q$rid-2\E"/, 'and the lines stay there');
QuillTest::stop_server($srv2);
remove_tree($dir);

done_testing();
