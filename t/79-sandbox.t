# The sandbox of docs/hardening.md: after start-up each program confines
# itself with a seccomp filter (the kernel shows Seccomp: 2 and
# NoNewPrivs: 1 for every process that serves) and, where the kernel has
# Landlock, to the database's directory; the supervisor that keeps the
# socket stays outside.  The test hook QUILL_SANDBOX_PROBE shows that an
# execve or an executable mapping ends the process (SIGSYS) and the web
# server answers 500/502/503 without leaking anything, and that no file
# can be opened, outside the state directory or in it; under lighttpd, Apache (spawn-fcgi, mod_fcgid and the
# shared-hosting CGI layout) and as plain CGI.  QUILL_SANDBOX=0 turns it
# off; nothing but the environment arms the hook.
use strict;
use warnings;
use lib 't/lib';
use Config;
use Test::More;
use QuillTest;

my @PROGRAMS = qw(auth users posts);

# The Landlock ABI version of this kernel (0: none), as the programs ask it:
# landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION).
sub landlock_abi {
    return undef unless $Config{archname} =~ /^x86_64/;
    my $v = syscall(444, 0, 0, 1);
    return $v > 0 ? $v : 0;
}
my $abi = landlock_abi();
my $expect = !defined $abi ? qr/seccomp(?:\+landlock)?/
    : $abi ? qr/seccomp\+landlock/ : qr/seccomp/;

# The fields of /proc/PID/status.
sub status {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/status" or return {};
    my %f = map { /^(\w+):\s*(.*)$/ ? ($1, $2) : () } <$fh>;
    return \%f;
}

# The contents of a file ('' when there is none).
sub slurp {
    open my $fh, '<', $_[0] or return '';
    local $/;
    return <$fh> // '';
}

# The parent of a process.
sub ppid_of {
    my $st = status($_[0]);
    return $st->{PPid};
}

# Whether a body leaks what it must not: a path, SQL, a trace, the probe.
sub leaks {
    my ($srv, $body) = @_;
    my @bad = grep { index($body, $_) >= 0 } ('/bin/', '/etc/', 'passwd',
        'execve', 'SIGSYS', 'system call', 'sqlite', 'SELECT ', $srv->{var},
        build_dir(), root());
    push @bad, 'a stack trace' if $body =~ /#\d+ 0x|\bat \S+\.c:\d+/;
    return "@bad";
}

# Checks that every serving process of the server's programs is confined.
sub confined_ok {
    my ($srv, $what, $procs) = @_;
    for my $prog (@PROGRAMS) {
        my @w = started_workers($srv, $prog, $procs);
        ok(@w > 0, "$what: $prog serves from " . scalar(@w) . ' worker(s)');
        for my $pid (@w) {
            my ($st, $sup) = (status($pid), status(ppid_of($pid)));
            is($st->{Seccomp}, 2, "$what: $prog worker $pid has its system-call filter (Seccomp: 2)");
            is($st->{NoNewPrivs}, 1, "$what: $prog worker $pid gains no privileges (NoNewPrivs: 1)");
            is($st->{Seccomp_filters}, ($sup->{Seccomp_filters} // 0) + 1,
                "$what: $prog worker $pid has one filter more than its supervisor, which is not confined");
        }
        like(log_text($srv), qr/"program":"$prog","event":"start","sandbox":"$expect"/,
            "$what: $prog says so when it starts");
    }
}

# Starts a server whose programs all have QUILL_SANDBOX_PROBE=$probe in
# their environment (lighttpd and spawn-fcgi pass theirs on).
sub probed_server {
    my ($probe, %o) = @_;
    local $ENV{QUILL_SANDBOX_PROBE} = $probe;
    return start_server(%o);
}

# Adds QUILL_SANDBOX_PROBE=$probe to the shared-hosting wrapper of posts,
# which Apache has not started yet.
sub probe_wrapper {
    my ($srv, $probe) = @_;
    edit_file("$srv->{var}/htdocs/cgi/posts.fcgi", qr/^exec /m,
        "export QUILL_SANDBOX_PROBE=$probe\nexec ");
}

# A forbidden execve (or attempt => 'mmap_exec': memory mapped executable):
# the request fails with the web server's 5xx (or the envelope Apache's
# ErrorDocument asks for), without a leak, and the log shows why.
sub execve_killed_ok {
    my ($srv, $what, %o) = @_;
    my $attempt = $o{attempt} // 'execve';
    is(api($srv, 'GET', '/api/v1/health')->{status}, 200,
        "$what: the health check, which the hook leaves alone, answers");
    my $r = api($srv, 'GET', '/api/v1/posts?limit=1');
    like($r->{status}, qr/^50[023]$/, "$what: a request whose process tries $attempt fails ($r->{status})");
    is(leaks($srv, $r->{content} // ''), '', "$what: and its answer leaks nothing");
    like((($r->{json} // {})->{error} // {})->{code} // '', qr/^(UNAVAILABLE|INTERNAL)$/,
        "$what: in the API's envelope (Apache's ErrorDocument)")
        if $srv->{server} eq 'apache';
    my $log = '';
    for (1 .. 500) {
        $log = log_text($srv);
        last if $log =~ /"program":"posts","event":"worker_killed"/;
        select(undef, undef, undef, 0.01);
    }
    like($log, qr/"program":"posts","event":"sandbox_probe","requestId":"[^"]+","attempt":"$attempt"}/,
        "$what: the process attempted the $attempt");
    like($log, qr/"program":"posts","event":"worker_killed","signal":"31","name":"Bad system call"/,
        "$what: and was killed for it (SIGSYS), as its supervisor logged")
        unless $o{no_supervisor};
    unlike($log, qr/"attempt":"$attempt","outcome"/, "$what: the $attempt never returned");
}

subtest 'every process that serves is confined' => sub {
    my $srv = start_server();
    api($srv, 'GET', "/api/v1/$_") for qw(auth/sessions users/me posts);
    confined_ok($srv, test_server(), 2);
    my ($r) = register($srv);
    is($r->{status}, 201, 'and serves: a registration');
    my ($tok) = login($srv, $r->{json}{data}{email}, 'correct horse battery staple');
    ok($tok, 'a login');
    is(api($srv, 'POST', '/api/v1/posts', token => $tok,
        json => { title => 'Sandboxed', body => 'Body.' })->{status}, 201, 'a write');
    unlike(log_text($srv), qr/"event":"worker_killed"/, 'no process was killed');
    my (undef, $out) = quillctl($srv, 'check');
    like($out, $abi ? qr/^ok   sandbox: system-call filter and Landlock \(version $abi\)$/m
        : qr/^(ok|WARN) +sandbox: system-call filter/m, 'quillctl check says what the sandbox is here');
};

# glibc's qsort reads the machine's memory size (sysinfo) before it sorts
# more than a kilobyte: a JSON object of many keys (their duplicate check)
# and a search page of many ranked matches.  Each program once died of it.
subtest 'what libc does for a request stays inside the filter' => sub {
    my $srv = start_server();
    my ($r) = register($srv);
    my ($tok) = login($srv, $r->{json}{data}{email}, 'correct horse battery staple');
    my $wide = '{' . join(',', map { "\"k$_\":1" } 1 .. 300) . '}';
    for my $call ([ 'POST', '/api/v1/auth/login' ], [ 'PATCH', '/api/v1/users/me' ],
        [ 'POST', '/api/v1/posts' ]) {
        my ($method, $path) = @$call;
        $r = api($srv, $method, $path, token => $tok, json => $wide);
        like($r->{status}, qr/^4\d\d$/, "$method $path with a 300-key object: a 4xx, not a dead worker");
    }
    for my $i (1 .. 70) {
        api($srv, 'POST', '/api/v1/posts', token => $tok,
            json => { title => "Sorted $i", body => 'quagga ' x $i, status => 'published' })->{status} == 201
            or die "post $i not made";
    }
    $r = api($srv, 'GET', '/api/v1/posts?q=quagga&perPage=100');
    is($r->{status}, 200, 'a ranked search page of 70 matches');
    is(scalar @{ ($r->{json} // {})->{data} // [] }, 70, 'with all of them');
    unlike(log_text($srv), qr/"event":"worker_killed"/, 'no process was killed');
};

subtest 'an execve ends the process' => sub {
    my $srv = probed_server('execve');
    execve_killed_ok($srv, test_server());
    like(api($srv, 'GET', '/api/v1/auth/sessions')->{status}, qr/^50[023]$/,
        'every program is probed: auth too');
};

subtest 'memory cannot be made executable' => sub {
    execve_killed_ok(probed_server('mmap'), test_server(), attempt => 'mmap_exec');
};

subtest 'no file can be opened, outside the state directory or in it' => sub {
    my $srv = probed_server('open');
    my @before = started_workers($srv, 'posts');
    my $r = api($srv, 'GET', '/api/v1/posts?limit=1');
    is($r->{status}, 500, 'the probed request is answered 500');
    is(($r->{json} // {})->{error}{code}, 'INTERNAL', 'in the error envelope');
    is(leaks($srv, $r->{content} // ''), '', 'which leaks nothing');
    my ($outcome) = log_text($srv) =~ /"event":"sandbox_probe".*"attempt":"open","outcome":"(\w+)"/;
    my ($beside) = log_text($srv) =~ /"event":"sandbox_probe".*"attempt":"open_beside_db","outcome":"(\w+)"/;
    if ($abi) {
        is($outcome, 'denied', 'Landlock refused the open of a file outside');
        is($beside, 'denied', "and of the database itself, in the one directory it may list");
    } else {
        ok(defined $outcome && defined $beside,
            'no Landlock on this kernel: the opens were ' . join(' and ', map { $_ // '?' } $outcome, $beside));
    }
    is_deeply([serving($srv, 'posts')], \@before, 'and the process lives on');
};

subtest 'plain CGI' => sub {
    my $srv = start_server();
    my $r = cgi_request($srv, 'posts', 'GET', '/api/v1/posts');
    is($r->{status}, 200, 'a request as plain CGI is served');
    is($r->{exit}, 0, 'and the process exits cleanly within its sandbox');
    like(slurp("$srv->{var}/log/cgi-stderr.log"),
        qr/"program":"posts","event":"start","sandbox":"$expect"/, 'confined');
    $r = cgi_request($srv, 'posts', 'GET', '/api/v1/posts',
        env => { QUILL_SANDBOX_PROBE => 'execve' });
    # Killed by a signal: through the shell of cgi_request, status 128 + it.
    is(($r->{exit} & 127) || ($r->{exit} >> 8) - 128, 31,
        'an execve ends the process with SIGSYS');
    is($r->{head}, '', 'having written nothing, so a web server answers 500');
    $r = cgi_request($srv, 'posts', 'GET', '/api/v1/posts',
        env => { QUILL_SANDBOX_PROBE => 'open' });
    is($r->{status}, 500, 'an open outside: 500');
    is(($r->{json} // {})->{error}{code}, 'INTERNAL', 'in the envelope');
    is(leaks($srv, $r->{content}), '', 'leaking nothing');
};

subtest 'only the environment arms the hook, and only with the sandbox' => sub {
    my $srv = start_server();
    my $r = cgi_request($srv, 'posts', 'GET', '/api/v1/posts',
        env => { QUILL_SANDBOX_PROBE => 'execve', QUILL_SANDBOX => 0 });
    is($r->{exit} >> 8, 1, 'with QUILL_SANDBOX=0 the program refuses to start');
    like(slurp("$srv->{var}/log/cgi-stderr.log"),
        qr/"event":"start_failed","reason":"QUILL_SANDBOX_PROBE tests the sandbox, which QUILL_SANDBOX=0 turns off"/,
        'saying why');
    $r = cgi_request($srv, 'posts', 'GET', '/api/v1/posts',
        env => { QUILL_SANDBOX_PROBE => 'system' });
    is($r->{exit} >> 8, 1, 'an unknown probe is refused');
    like(slurp("$srv->{var}/log/cgi-stderr.log"),
        qr/QUILL_SANDBOX_PROBE must be execve, mmap or open, not \\"system\\"/, 'by name');
    open my $fh, '>>', $srv->{conf} or die "$srv->{conf}: $!";
    print $fh "QUILL_SANDBOX_PROBE=execve\n";
    close $fh;
    my ($code, $out) = quillctl($srv, 'check');
    isnt($code, 0, 'the settings file cannot set it');
    like($out, qr/unknown setting QUILL_SANDBOX_PROBE/, 'it is no setting');
};

subtest 'QUILL_SANDBOX=0 turns it off' => sub {
    my $srv = start_server(settings => { QUILL_SANDBOX => 0 });
    api($srv, 'GET', '/api/v1/posts');
    for my $pid (started_workers($srv, 'posts')) {
        is(status($pid)->{Seccomp_filters}, status(ppid_of($pid))->{Seccomp_filters},
            "posts worker $pid has no filter of its own");
    }
    like(log_text($srv), qr/"program":"posts","event":"start","sandbox":"off"/,
        'and says so when it starts');
    is(api($srv, 'GET', '/api/v1/posts')->{status}, 200, 'and serves');
    my (undef, $out) = quillctl($srv, 'check');
    like($out, qr/^WARN sandbox off \(QUILL_SANDBOX=0\)/m, 'quillctl check warns of it');
};

subtest 'Apache starting the programs itself' => sub {
    plan skip_all => 'Apache-only; run with QUILL_TEST_SERVER=apache (make test does)'
        unless test_server() eq 'apache';
    my $srv = start_server(mode => 'fcgid');
    api($srv, 'GET', "/api/v1/$_") for qw(auth/sessions users/me posts);
    confined_ok($srv, 'mod_fcgid');
    for my $mode ('fcgid', 'shared-cgi') {
        $srv = start_server(mode => $mode);
        probe_wrapper($srv, 'execve');
        execve_killed_ok($srv, $mode, no_supervisor => $mode eq 'shared-cgi');
    }
};

subtest 'signals reach the worker through its supervisor' => sub {
    plan skip_all => 'lighttpd starts the programs here'
        unless test_server() eq 'lighttpd';
    my $srv = start_server(backends => { posts => { procs => 1 } });
    for my $sig ('TERM', 'HUP') {
        my ($worker) = started_workers($srv, 'posts');
        my $sup = ppid_of($worker);
        kill $sig, $sup;
        my $gone = 0;
        for (1 .. 1000) {
            last if ($gone = !kill(0, $sup) && !kill(0, $worker));
            select(undef, undef, undef, 0.01);
        }
        ok($gone, "SIG$sig to the supervisor: its worker and then it left");
        my $r;
        for (1 .. 100) {
            last if ($r = api($srv, 'GET', '/api/v1/posts'))->{status} == 200;
            select(undef, undef, undef, 0.05);
        }
        is($r->{status}, 200, "SIG$sig: the web server started the program again");
        my ($again) = started_workers($srv, 'posts');
        is(status($again)->{Seccomp}, 2, "SIG$sig: confined as before");
    }
    like(log_text($srv), qr/"program":"posts","event":"stop"/,
        'SIGTERM let the worker stop cleanly');
    unlike(log_text($srv), qr/"event":"worker_killed"/,
        'and a signal passed on is no killing to log');
};

done_testing();
