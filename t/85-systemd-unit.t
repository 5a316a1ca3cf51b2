# etc/systemd/quill@.service as `make install` installs it (PREFIX=/usr),
# its command run the way systemd runs it: the
# listening socket of quill@.socket as standard input, the unit's
# Environment= lines, `$$` and `%i` expanded, and the unit's system-call
# filters (t/bin/syscall-filter.c).  It must serve FastCGI with
# QUILL_PROCESSES processes, its own sandbox in place, and exit (for systemd
# to restart it) when one of them dies.  systemd-analyze rates the unit's
# confinement: 2.0 or lower ("safe") for each program.
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

my $dest = "$var/dest";
my $made = `make -s -C $root install DESTDIR=$dest PREFIX=/usr @{[build_vars()]} 2>&1`;
is($?, 0, 'make install DESTDIR=... PREFIX=/usr') or diag $made;
my $unit = "$dest/usr/lib/systemd/system/quill\@.service";
open my $uf, '<', $unit or die;
my (%env, $exec, %socket, @filters, %set);
while (<$uf>) {
    $set{$1} = $2 if /^(\w+)=(.*)$/;
    $env{$1} = $2 if /^Environment=(\w+)=(.*)$/;
    $exec = $1 if /^ExecStart=(.*)$/;
    push @filters, $1 if /^SystemCallFilter=(.*)$/;
}
close $uf;
ok(defined $exec, 'the unit has an ExecStart');
is($env{QUILL_PROCESSES}, 2, 'two processes per program by default');
is($env{QUILL_CONFIG}, '/etc/quill/quill.conf', 'the settings in /etc/quill');
open my $sf, '<', "$dest/usr/lib/systemd/system/quill\@.socket" or die;
while (<$sf>) { $socket{$1} = $2 if /^(ListenStream|SocketUser|SocketGroup|SocketMode)=(.*)$/ }
close $sf;
is_deeply(\%socket, { ListenStream => '/run/quill/%i.sock', SocketUser => 'quill',
    SocketGroup => 'www-data', SocketMode => '0660' },
    'the socket: where apache/quill.conf looks, quill\'s, connectable by www-data only');

# What the unit must say whatever the score: the rest of the system
# read-only but the state, the mail spool and the logs.
my %want = (NoNewPrivileges => 'yes', ProtectSystem => 'strict', ProtectHome => 'yes',
    PrivateTmp => 'yes', PrivateDevices => 'yes', RestrictAddressFamilies => 'AF_UNIX',
    MemoryDenyWriteExecute => 'yes', CapabilityBoundingSet => '',
    ReadWritePaths => '/var/lib/quill -/var/spool/quill -/var/log/quill');
is_deeply({ map { $_ => $set{$_} } keys %want }, \%want, 'the unit confines the programs');

# The exposure systemd-analyze gives each instance (0 to 10; 2.0 or lower
# is what it calls "safe"), read offline from a copy named as the instance.
my $units = "$var/units";
mkdir $units or die "$units: $!";
for my $p (qw(auth users posts)) {
    my $copy = "$units/quill\@$p.service";
    system('cp', $unit, $copy) == 0 or die;
    my $out = `cd $units && systemd-analyze security --offline=true --no-pager quill\@$p.service 2>&1`;
    my ($level) = $out =~ /Overall exposure level for quill\@\Q$p\E\.service: ([0-9.]+)/;
    ok(defined $level && $level <= 2.0,
        "systemd-analyze security rates quill\@$p.service 2.0 or lower")
        or diag $out;
    my @unknown = grep { /Unknown|unknown|[Ii]nvalid|[Ff]ailed to parse/ } split /\n/, $out;
    is_deeply(\@unknown, [], "systemd reads every line of quill\@$p.service") or diag $out;
}

# The system calls the unit allows: its first SystemCallFilter= an allow
# list (systemd adds @default), each later ~ line a deny list.
my %group_cache;
sub syscalls {
    my ($name) = @_;
    return ($name) unless $name =~ /^@/;
    $group_cache{$name} //= [ map { /^\s+([@\w-]+)\s*$/ ? $1 : () }
        `systemd-analyze syscall-filter $name 2>/dev/null` ];
    return map { syscalls($_) } @{ $group_cache{$name} };
}
ok(@filters >= 1 && $filters[0] !~ /^~/, 'the unit allows a list of system calls');
my %allowed = map { $_ => 1 } map { syscalls($_) } '@default', split ' ', $filters[0] // '';
for my $deny (@filters[1 .. $#filters]) {
    ok($deny =~ s/^~//, "a later SystemCallFilter= denies: $deny");
    delete @allowed{ map { syscalls($_) } split ' ', $deny };
}
ok($allowed{seccomp} && $allowed{landlock_restrict_self},
    'the programs may install their own filter and Landlock');
ok(!$allowed{setuid} && !$allowed{mount}, 'but no privileged call');

# systemd's expansions, then this test's paths.
$exec =~ s/%i/auth/g;
$exec =~ s/\$\$/\$/g;
$exec =~ s{/usr/lib/quill/}{$bin/}g;
my @argv = shellwords($exec);
is($argv[-1], "$bin/auth.fcgi", 'the unit runs the program named by the instance');
unshift @argv, "$bin/t/bin/syscall-filter", sort(keys %allowed), '--';

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

# A request that does real work (Argon2, the database, a signed token)
# under the unit's filters and the program's own sandbox.
sub post_json {
    my ($uri, $body) = @_;
    my $in = "$var/fcgi-in.$$";
    open my $fh, '>', $in or die $!; print $fh $body; close $fh;
    local %ENV = (PATH => $ENV{PATH}, REQUEST_METHOD => 'POST', REQUEST_URI => $uri,
        SCRIPT_NAME => $uri, CONTENT_TYPE => 'application/json',
        CONTENT_LENGTH => length $body, REMOTE_ADDR => '127.0.0.1');
    my $out = `cgi-fcgi -bind -connect $sock < $in 2>&1`;
    unlink $in;
    return $out;
}
my $cred = '{"email":"unit@example.com","password":"correct horse battery staple"';
like(post_json('/api/v1/auth/register', "$cred,\"name\":\"Unit\"}"), qr/^Status: 201/, 'it registers a user');
like(post_json('/api/v1/auth/login', "$cred}"), qr/^Status: 200.*"accessToken":"/s, 'and logs them in');
my $log = do { open my $l, '<', "$var/quill.log" or die; local $/; <$l> };
# The sandbox the program has outside the unit: Landlock too where this
# kernel has it (landlock_create_ruleset's ABI version; x86_64 numbers).
use Config;
my $abi = $Config{archname} =~ /^x86_64/ ? syscall(444, 0, 0, 1) : undef;
my $expect = !defined $abi ? qr/seccomp(?:\+landlock)?/
    : $abi > 0 ? qr/seccomp\+landlock/ : qr/seccomp/;
like($log, qr/"event":"start","sandbox":"$expect"/,
    'the program confines itself as fully within the unit\'s filters');
unlike($log, qr/"event":"(start_failed|worker_killed)"/, 'and nothing fails or is killed');

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
