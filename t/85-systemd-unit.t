# etc/systemd/quill@.service's command, run the way systemd runs it: the
# listening socket of quill@.socket as standard input, the unit's
# Environment= lines, `$$` and `%i` expanded.  It must serve FastCGI with
# QUILL_PROCESSES processes, and exit (for systemd to restart it) when one
# of them dies.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::UNIX;
use POSIX qw(WNOHANG);
use Text::ParseWords qw(shellwords);
use QuillTest;

my $root = root();
my $bin = build_dir();
my $state = state_dir();
my $var = $state->{var};
my ($rc, $out) = quillctl($state, 'init');
is($rc, 0, 'quillctl init') or diag $out;

open my $uf, '<', "$root/etc/systemd/quill\@.service" or die;
my (%env, $exec, %socket);
while (<$uf>) {
    $env{$1} = $2 if /^Environment=(\w+)=(.*)$/;
    $exec = $1 if /^ExecStart=(.*)$/;
}
close $uf;
ok(defined $exec, 'the unit has an ExecStart');
is($env{QUILL_PROCESSES}, 2, 'two processes per program by default');
is($env{QUILL_CONFIG}, '/etc/quill/quill.conf', 'the settings in /etc/quill');
open my $sf, '<', "$root/etc/systemd/quill\@.socket" or die;
while (<$sf>) { $socket{$1} = $2 if /^(ListenStream|SocketUser|SocketGroup|SocketMode)=(.*)$/ }
close $sf;
is_deeply(\%socket, { ListenStream => '/run/quill/%i.sock', SocketUser => 'quill',
    SocketGroup => 'www-data', SocketMode => '0660' },
    'the socket: where apache/quill.conf looks, quill\'s, connectable by www-data only');

# systemd's expansions, then this test's paths.
$exec =~ s/%i/auth/g;
$exec =~ s/\$\$/\$/g;
$exec =~ s{/usr/local/lib/quill/}{$bin/}g;
my @argv = shellwords($exec);
is($argv[-1], "$bin/auth.fcgi", 'the unit runs the program named by the instance');

my $sock = "$var/auth.sock";
my $listen = IO::Socket::UNIX->new(Local => $sock, Listen => 16) or die "listen: $!";
my $pid = fork // die;
if ($pid == 0) {
    open STDIN, '<&', $listen or die;
    # StandardOutput=journal: never the test's own output.
    open STDOUT, '>', '/dev/null' or die;
    open STDERR, '>>', "$var/quill.log" or die;
    %ENV = (PATH => $ENV{PATH}, %env, QUILL_CONFIG => "$var/quill.conf",
        map { defined $ENV{$_} ? ($_ => $ENV{$_}) : () } qw(ASAN_OPTIONS UBSAN_OPTIONS));
    exec @argv or POSIX::_exit(127);
}
close $listen;

# A FastCGI request through the socket, by libfcgi's own client.
sub health {
    local %ENV = (PATH => $ENV{PATH}, REQUEST_METHOD => 'GET',
        REQUEST_URI => '/api/v1/health', SCRIPT_NAME => '/api/v1/health');
    return scalar `cgi-fcgi -bind -connect $sock 2>&1`;
}
like(health(), qr/^Status: 200.*"status":"ok"/s, 'the unit\'s command serves FastCGI on the socket');

# The processes the shell started.
sub children {
    my @kids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $s, '<', $stat or next;
        my $line = <$s> // '';
        close $s;
        push @kids, $1 if $line =~ /^(\d+) \((.*)\) [A-Z] (\d+)/ && $3 == $pid && $2 eq 'auth.fcgi';
    }
    return @kids;
}
# The shell starts them in the background: wait (bounded) for both.
my @kids;
for (1 .. 100) {
    last if (@kids = children()) >= 2;
    select undef, undef, undef, 0.05;
}
is(scalar @kids, 2, 'QUILL_PROCESSES processes share the socket');
like(health(), qr/"status":"ok"/, 'and keep serving');

# One process dies: the command exits, so that systemd restarts them all.
kill 'KILL', $kids[0];
my $gone = 0;
for (1 .. 100) { if (waitpid($pid, WNOHANG) == $pid) { $gone = 1; last } select undef, undef, undef, 0.05 }
ok($gone, 'when a process dies, the command exits');
isnt($? >> 8, 0, 'with a failure status (Restart= starts it again)');

# 1 while process $pid runs (a zombie waiting for its reaper has stopped).
sub running {
    open my $s, '<', "/proc/$_[0]/stat" or return 0;
    my $line = <$s> // '';
    return $line !~ /^\d+ \(.*\) Z/;
}

# What systemd's stop does to the rest: SIGTERM, and they leave.
kill 'TERM', @kids;
for (1 .. 100) {
    last unless grep { running($_) } @kids;
    select undef, undef, undef, 0.05;
}
ok(!grep({ running($_) } @kids), 'the other process stops on SIGTERM');

# Whatever happened above, no program of this test outlives it.
END {
    local $?;
    return unless $pid;
    for my $env (glob '/proc/[0-9]*/environ') {
        open my $e, '<', $env or next;
        my $all = do { local $/; <$e> } // '';
        kill 'TERM', $env =~ m{/proc/(\d+)/} if $all =~ /QUILL_CONFIG=\Q$var\E\//;
    }
}

done_testing();
