# Leaks: each program serves thousands of mixed requests (valid and
# invalid, auth, lists, writes) over kept-alive connections with a flat
# resident size; then, under valgrind (without the sandbox, which valgrind
# cannot run in), its FastCGI loop loses no byte definitely and makes no
# memory error up to its clean exit.
#
# valgrind is slow: its part serves fewer requests.  Without valgrind that
# part is skipped (`make deps` installs it).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest qw(confirm_address);
use QuillPosts;
use QuillHarden;

plan skip_all => 'the process limits and faults are tested behind lighttpd, whose backends the test configures'
    unless test_server() eq 'lighttpd';

my @PROGRAMS = qw(auth users posts);
# Under AddressSanitizer (make test-asan) LeakSanitizer checks each exit
# instead of valgrind, and the quarantine of freed memory makes the
# resident size say nothing.
my $asan = `ldd ${\ build_dir()}/posts.fcgi 2>/dev/null` =~ /libasan/;
my $PW = 'correct horse battery staple';
# Each round refreshes a session whose id an earlier round may have had.
my %settings = (QUILL_MAX_REQUESTS => 0, QUILL_RATE_REFRESH => '100000/60');

# One round of requests touching every program and most paths, good and
# bad; each is [method, path, options, expected status].  $admin is an
# account; the round registers its own user and deletes it at the end, so
# the database stays about the same size round after round.
sub round {
    my ($srv, $admin, $n) = @_;
    my @bad;
    my $check = sub {
        my ($want, $method, $path, %o) = @_;
        my $r = api($srv, $method, $path, %o);
        push @bad, "$method $path: $r->{status}, not $want" if $r->{status} != $want;
        return $r;
    };
    my $email = "leak$n." . fresh_email();
    $check->(201, 'POST', '/api/v1/auth/register',
        json => { email => $email, password => $PW, name => "Leak $n" });
    # The address confirmed through the mailed link, as its owner would.
    my $c = confirm_address($srv, $email);
    push @bad, "POST /api/v1/auth/verify: $c->{status}, not 204" if $c->{status} != 204;
    $check->(401, 'POST', '/api/v1/auth/login',
        json => { email => $email, password => 'not the password at all' });
    my $login = $check->(200, 'POST', '/api/v1/auth/login',
        json => { email => $email, password => $PW });
    my $d = ($login->{json} // {})->{data} // {};
    my ($tok, $uid) = ($d->{accessToken}, ($d->{user} // {})->{id} // 0);
    my $ref = $check->(200, 'POST', '/api/v1/auth/refresh',
        json => { refreshToken => $d->{refreshToken} });
    $tok = (($ref->{json} // {})->{data} // {})->{accessToken} // $tok;
    $check->(200, 'GET', '/api/v1/auth/sessions', token => $tok);
    $check->(400, 'POST', '/api/v1/auth/login', json => '{"email": ');
    $check->(415, 'POST', '/api/v1/auth/login', body => 'x', headers => { 'content-type' => 'text/plain' });
    $check->(422, 'POST', '/api/v1/auth/register', json => { email => 'no', password => 'short' });
    $check->(401, 'GET', '/api/v1/auth/sessions', token => 'not.a.token');
    $check->(405, 'GET', '/api/v1/auth/login');
    $check->(404, 'GET', '/api/v1/nothing/here');

    $check->(200, 'GET', '/api/v1/users/me', token => $tok);
    $check->(200, 'PATCH', '/api/v1/users/me', token => $tok, json => { name => "Leak $n renamed" });
    $check->(200, 'GET', "/api/v1/users/$uid");
    $check->(200, 'GET', '/api/v1/users?limit=5&sort=name', token => $admin->{token});
    $check->(200, 'GET', '/api/v1/users?page=1&perPage=3&q=leak', token => $admin->{token});
    $check->(403, 'GET', '/api/v1/users', token => $tok);
    $check->(400, 'GET', '/api/v1/users?sort=bogus', token => $admin->{token});
    $check->(404, 'GET', '/api/v1/users/999999999');

    my $p = $check->(201, 'POST', '/api/v1/posts', token => $tok,
        json => { title => "Leak post $n", body => "A body for search $n. " x 20,
            status => 'published' });
    my $pid = (($p->{json} // {})->{data} // {})->{id} // 0;
    my $etag = $p->{headers}{etag} // '"none"';
    $check->(304, 'GET', "/api/v1/posts/$pid", headers => { 'if-none-match' => $etag });
    $check->(200, 'PATCH', "/api/v1/posts/$pid", token => $tok, json => { title => "Leak $n edited" });
    $check->(412, 'PUT', "/api/v1/posts/$pid", token => $tok, headers => { 'if-match' => $etag },
        json => { title => 'Stale', body => 'Stale.', status => 'draft' });
    $check->(200, 'GET', '/api/v1/posts?limit=3');
    $check->(200, 'GET', '/api/v1/posts?q=search&limit=5');
    $check->(200, 'GET', "/api/v1/users/$uid/posts?page=1&perPage=2");
    $check->(400, 'GET', '/api/v1/posts?cursor=AAAA');
    $check->(422, 'POST', '/api/v1/posts', token => $tok, json => { title => '' });
    $check->(204, 'DELETE', "/api/v1/posts/$pid", token => $tok);
    $check->(404, 'GET', "/api/v1/posts/$pid");
    $check->(204, 'DELETE', '/api/v1/users/me', token => $tok, json => { currentPassword => $PW });
    return @bad;
}

# Runs $rounds rounds; returns the unexpected answers.
sub rounds {
    my ($srv, $admin, $from, $rounds) = @_;
    return map { round($srv, $admin, $_) } $from .. $from + $rounds - 1;
}

# An admin account of the server.
sub admin {
    my ($srv) = @_;
    return account($srv, 'admin');
}

# Stops the server and waits for its programs to finish their last request
# and leave; returns their process ids by program.
sub stop_and_wait {
    my ($srv) = @_;
    my %pids = map { $_ => [workers($srv, $_)] } @PROGRAMS;
    my @all = map { @$_ } values %pids;
    QuillTest::stop_server($srv);
    for (1 .. 6000) {
        last unless grep { kill 0, $_ } @all;
        select(undef, undef, undef, 0.01);
    }
    for my $prog (@PROGRAMS) {
        ok(@{ $pids{$prog} } && !grep({ kill 0, $_ } @{ $pids{$prog} }),
            "$prog: the processes have left");
    }
    return %pids;
}

# How many requests program $prog has logged.
sub served {
    my ($srv, $prog) = @_;
    my $n = () = log_text($srv) =~ /"program":"$prog","event":"request"/g;
    return $n;
}

subtest 'resident size stays flat' => sub {
    plan skip_all => 'AddressSanitizer holds freed memory back' if $asan;
    my %one = map { $_ => { procs => 1 } } @PROGRAMS;
    my $srv = start_server(settings => \%settings, backends => \%one);
    my $admin = admin($srv);
    my @bad = rounds($srv, $admin, 1, 15);
    my %pid = map { $_ => (started_workers($srv, $_))[0] } @PROGRAMS;
    my %warm = map { $_ => proc_kib($pid{$_}, 'VmRSS') } @PROGRAMS;
    my %before = map { $_ => served($srv, $_) } @PROGRAMS;
    push @bad, rounds($srv, $admin, 16, 90);
    is("@bad", '', 'every request of 105 rounds was answered as expected');
    for my $prog (@PROGRAMS) {
        my $now = proc_kib($pid{$prog}, 'VmRSS');
        my $n = served($srv, $prog) - $before{$prog};
        is_deeply([serving($srv, $prog)], [$pid{$prog}], "$prog: one process throughout");
        cmp_ok($n, '>=', 800, "$prog: $n requests after the warm-up");
        cmp_ok($now - $warm{$prog}, '<', 1024,
            "$prog: resident size grew by less than 1 MiB ($warm{$prog} -> $now KiB)");
    }
};

subtest 'valgrind: no byte definitely lost, no memory error' => sub {
    plan skip_all => 'valgrind cannot run AddressSanitizer builds' if $asan;
    chomp(my $vg = `command -v valgrind 2>/dev/null` // '');
    plan skip_all => 'valgrind is not installed (make deps installs it)' unless $vg;
    my %wrapped = map {
        my $prog = $_;
        $prog => { procs => 1, wrap => sub {
            my ($var, $bin) = @_;
            "exec $vg --leak-check=full --show-leak-kinds=definite "
                . "--errors-for-leak-kinds=definite --error-exitcode=99 "
                . "--num-callers=30 --log-file=$var/log/valgrind-$prog.%p $bin";
        } };
    } @PROGRAMS;
    # valgrind runs the program's system calls itself and makes its own
    # (it maps the code it translates executable, for one), which the
    # sandbox's filter would end: here the programs run without it.
    my $srv = start_server(settings => { %settings, QUILL_SANDBOX => 0 },
        backends => \%wrapped);
    my $admin = admin($srv);
    my @bad = rounds($srv, $admin, 1, 115);
    is("@bad", '', 'every request of 115 rounds was answered as expected');
    for my $prog (@PROGRAMS) {
        my $n = served($srv, $prog);
        cmp_ok($n, '>=', 1000, "$prog served $n requests under valgrind");
    }
    stop_and_wait($srv);
    for my $prog (@PROGRAMS) {
        # One report per process: the supervisor's and its worker's.
        my @files = glob "$srv->{var}/log/valgrind-$prog.*";
        cmp_ok(scalar @files, '>=', 2, "$prog: valgrind reported on the supervisor and its worker");
        for my $file (@files) {
            my $report = do { open my $fh, '<', $file; local $/; <$fh> } // '';
            my ($who) = $file =~ /(\d+)$/;
            like($report, qr/definitely lost: 0 bytes|All heap blocks were freed/,
                "$prog ($who): no byte definitely lost") or diag($report);
            like($report, qr/ERROR SUMMARY: 0 errors/, "$prog ($who): no memory error")
                or diag($report);
        }
    }
    like(log_text($srv), qr/"program":"posts","event":"stop"/, 'the programs stopped cleanly');
};

subtest 'LeakSanitizer: no leak at exit' => sub {
    plan skip_all => 'not an AddressSanitizer build' unless $asan;
    my $srv = start_server(settings => \%settings);
    my @bad = rounds($srv, admin($srv), 1, 30);
    is("@bad", '', 'every request of 30 rounds was answered as expected');
    stop_and_wait($srv);
    my $log = log_text($srv);
    like($log, qr/"program":"posts","event":"stop"/, 'the programs stopped cleanly');
    unlike($log, qr/LeakSanitizer|AddressSanitizer/, 'with no sanitizer report');
};

done_testing();
