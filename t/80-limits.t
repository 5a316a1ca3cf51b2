# The limits of docs/hardening.md: a process starts afresh after
# QUILL_MAX_REQUESTS requests without failing one; a request's database
# work ends at QUILL_REQUEST_TIMEOUT_MS with a 503, and a request stuck
# elsewhere ends its process at twice the limit; at most
# QUILL_ARGON2_CONCURRENCY Argon2 computations run at once across every
# process, and the others get a 503 with Retry-After, so memory stays
# bounded.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillPosts;
use QuillHarden;

plan skip_all => 'the process limits and faults are tested behind lighttpd, whose backends the test configures'
    unless test_server() eq 'lighttpd';
use AuthTest qw(in_parallel);

my $MiB = 1024;    # proc_kib reads KiB

# The one serving process (worker) of program $prog, once a restart that
# may be under way is over.
sub wait_worker {
    my ($srv, $prog) = @_;
    for (1 .. 1000) {
        my @w = serving($srv, $prog);
        return $w[0] if @w == 1;
        select(undef, undef, undef, 0.01);
    }
    die "no single $prog worker";
}

# Counts the log lines of event $ev by program $prog.
sub events {
    my ($srv, $prog, $ev) = @_;
    my $n = () = log_text($srv) =~ /"program":"$prog","event":"$ev"/g;
    return $n;
}

subtest 'a process starts afresh after QUILL_MAX_REQUESTS requests' => sub {
    my $max = 4;
    my $srv = start_server(settings => { QUILL_MAX_REQUESTS => $max },
        backends => { posts => { procs => 1 } });
    my $author = account($srv, 'user');
    my ($pid) = workers($srv, 'posts');
    ok($pid, "one posts process ($pid)");
    my ($first) = started_workers($srv, 'posts');
    ok($first, "serving in its worker ($first)");
    my ($fds, $supervisor_fds, @bad);
    for my $i (1 .. 40) {
        my $r = $i % 3 ? api($srv, 'GET', '/api/v1/posts?limit=5')
            : api($srv, 'POST', '/api/v1/posts', token => $author->{token},
                json => { title => "Recycled $i", body => 'Body.' });
        push @bad, "$i: $r->{status}" unless $r->{status} =~ /^20[01]$/;
        # Halfway through a worker's quota (4 requests from the 5th on).
        if ($i == 6) {
            $fds = fds_at_rest(wait_worker($srv, 'posts'));
            $supervisor_fds = fds($pid);
        }
    }
    is("@bad", '', 'every one of 40 requests succeeded across the restarts');
    # 40 requests, 4 a worker: ten restarts, the last of which may still
    # be under way.
    for (1 .. 1000) {
        last if events($srv, 'posts', 'start') >= 11;
        select(undef, undef, undef, 0.01);
    }
    is(events($srv, 'posts', 'recycle'), 10, 'the process started afresh 10 times');
    is(events($srv, 'posts', 'start'), 11, 'and started again each time');
    my $last = wait_worker($srv, 'posts');
    isnt($last, $first, 'each time in a fresh worker');
    like($fds, test_db() eq 'postgresql' ? qr/socket:\[database\]/ : qr/quill\.db-shm/,
        'a worker at rest holds the database');
    is(fds_at_rest($last), $fds, 'with no descriptor left behind by a restart');
    is(fds($pid), $supervisor_fds, 'nor in the process that keeps the socket');
    is(inheritable_fds($last, $srv->{var}), '',
        'and none of the worker\'s own that an exec would keep');
    unlike($supervisor_fds, qr/quill\.db/, 'which never opens the database');
    is_deeply([workers($srv, 'posts')], [$pid],
        'in place: the same process, so the socket never closed');
    unlike(log_text($srv), qr/"event":"worker_killed"/, 'no worker was killed');
    for my $p ($pid, $last) {
        open my $comm, '<', "/proc/$p/comm" or die "/proc/$p/comm: $!";
        chomp(my $name = <$comm> // '');
        is($name, 'posts.fcgi', "process $p is named posts.fcgi for ps, top and pkill");
    }
    is(sql($srv, "SELECT count(*) FROM posts WHERE title LIKE 'Recycled %'"),
        13, 'every write is stored');
};

subtest 'SQL stops at QUILL_REQUEST_TIMEOUT_MS' => sub {
    # A lock wait far longer than the time limit: only the limit can end it.
    my $srv = start_server(settings => { QUILL_REQUEST_TIMEOUT_MS => 300,
        QUILL_ARGON2_WAIT_MS => 100, QUILL_BUSY_TIMEOUT_MS => 600000 });
    my $author = account($srv, 'user');
    my $before = posts_state($srv);
    my @pids = workers($srv, 'posts');
    my $lock = hold_write_lock($srv);
    my $r = api($srv, 'POST', '/api/v1/posts', token => $author->{token},
        json => { title => 'Waits for the lock', body => 'Body.' });
    is($r->{status}, 503, 'a write that waits past the limit: 503');
    envelope_ok($r, 'UNAVAILABLE', 'the timed-out write');
    ok(($r->{headers}{'retry-after'} // '') =~ /^\d+$/, 'with Retry-After');
    is(api($srv, 'GET', '/api/v1/posts')->{status}, 200,
        'reads go on meanwhile');
    release_write_lock($lock);
    is(posts_state($srv), $before, 'nothing was written');
    is_deeply([workers($srv, 'posts')], \@pids,
        'the processes answered themselves: none was ended');
    is(api($srv, 'POST', '/api/v1/posts', token => $author->{token},
        json => { title => 'After the lock', body => 'Body.' })->{status},
        201, 'the same write succeeds once the lock is free');
    unlike(log_text($srv), qr/"event":"request_killed"/,
        'no process was ended');
};

subtest 'a request stuck outside SQLite ends its process' => sub {
    # Argon2 at 32 passes over 128 MiB takes about two seconds, ten times
    # the 200 ms at which a 100 ms limit ends the process.
    my $srv = start_server(settings => { QUILL_REQUEST_TIMEOUT_MS => 100,
        QUILL_ARGON2_WAIT_MS => 0, QUILL_ARGON2_OPSLIMIT => 32,
        QUILL_ARGON2_MEMLIMIT_KIB => 128 * 1024 });
    my @before = workers($srv, 'auth');
    my $email = fresh_email();
    my ($r) = register($srv, email => $email);
    cmp_ok($r->{status}, '>=', 500, "the stuck request failed ($r->{status})");
    like(log_text($srv), qr/"program":"auth","event":"request_killed","limitMs":"100"/,
        'the process said why it ended');
    is(sql($srv, "SELECT count(*) FROM users WHERE email = '$email'"), 0,
        'nothing was written');
    is(api($srv, 'GET', '/api/v1/health')->{status}, 200,
        'the server answers again at once');
    # Its supervisor ends after it (in a sanitizer build, once it has
    # checked itself for leaks), and the web server starts another.
    my %old = map { $_ => 1 } @before;
    my @new;
    for (1 .. 1000) {
        last if (@new = grep { !$old{$_} } workers($srv, 'auth'));
        select(undef, undef, undef, 0.01);
    }
    ok(scalar @new, 'from a new auth process');
};

subtest 'Argon2 slots are shared by every process' => sub {
    my $srv = start_server(settings => { QUILL_ARGON2_CONCURRENCY => 2,
        QUILL_ARGON2_WAIT_MS => 100 });
    my $u = QuillUsersLite::account($srv);
    my $lockfile = state_path($srv) . '.argon2.lock';
    ok(-f $lockfile, 'the lock file lies beside the database');
    open my $fh, '+<', $lockfile or die "$lockfile: $!";
    ok(lock_byte($fh, 0), 'another process takes slot 0');
    my ($tok) = login($srv, $u->{email}, $u->{password});
    ok($tok, 'a login still runs in slot 1');
    ok(lock_byte($fh, 1), 'and slot 1');
    my $failures = sql($srv, 'SELECT count(*) FROM login_failures');
    my $users = sql($srv, 'SELECT count(*) FROM users');
    my $r = api($srv, 'POST', '/api/v1/auth/login',
        json => { email => $u->{email}, password => $u->{password} });
    is($r->{status}, 503, 'with every slot taken a login is 503');
    envelope_ok($r, 'UNAVAILABLE', 'the refused login');
    ok(($r->{headers}{'retry-after'} // '') =~ /^\d+$/, 'with Retry-After');
    my $unknown = api($srv, 'POST', '/api/v1/auth/login',
        json => { email => 'nobody@example.com', password => 'whatever it is 123' });
    is($unknown->{status}, 503, 'so is the login of an unknown email');
    my ($reg) = register($srv);
    is($reg->{status}, 503, 'and a registration');
    $r = api($srv, 'PATCH', '/api/v1/users/me', token => $tok,
        json => { email => fresh_email(), currentPassword => $u->{password} });
    is($r->{status}, 503, 'and a proof of the current password');
    is(sql($srv, 'SELECT count(*) FROM login_failures'), $failures,
        'a refused login counts as no failure');
    is(sql($srv, 'SELECT count(*) FROM users'), $users, 'no account was made');
    like(log_text($srv), qr/"event":"argon2_busy"/, 'the wait is logged');
    ok(lock_byte($fh, 1, 1), 'slot 1 is given back');
    ok((login($srv, $u->{email}, $u->{password}))[0], 'and logins succeed again');
    close $fh;
};

subtest 'parallel logins stay within the Argon2 memory' => sub {
    # One slot, no wait, four auth processes: of eight logins at once some
    # must be refused, and at most one 32 MiB computation is resident.
    my $srv = start_server(settings => { QUILL_ARGON2_CONCURRENCY => 1,
        QUILL_ARGON2_WAIT_MS => 0, QUILL_ARGON2_OPSLIMIT => 3,
        QUILL_ARGON2_MEMLIMIT_KIB => 32 * $MiB },
        backends => { auth => { procs => 4 } });
    my $u = QuillUsersLite::account($srv);
    my @pids = workers($srv, 'auth');
    is(scalar @pids, 4, 'four auth processes');
    # The memory is the workers' (the processes that serve).
    my @serving = started_workers($srv, 'auth', 4);
    is(scalar @serving, 4, 'each serving in its worker');
    my $rss = sub { my $t = 0; $t += proc_kib($_, 'VmRSS') // 0 for @serving; $t };
    my $base = $rss->();
    my $peak = $base;
    pipe(my $done_r, my $done_w) or die "pipe: $!";
    my $sampler = fork // die "fork: $!";
    if ($sampler == 0) {
        close $done_r;
        # Samples until the parent's pipe closes; prints the highest sum.
        my $top = 0;
        my $stop = 0;
        local $SIG{TERM} = sub { $stop = 1 };
        while (!$stop) {
            my $s = $rss->();
            $top = $s if $s > $top;
            select(undef, undef, undef, 0.002);
        }
        print $done_w "$top\n";
        close $done_w;
        POSIX::_exit(0);
    }
    close $done_w;
    my @out = in_parallel(map {
        sub {
            my $res = HTTP::Tiny->new(timeout => 30, keep_alive => 0)->request(
                'POST', "$srv->{base}/api/v1/auth/login", {
                headers => { 'content-type' => 'application/json' },
                content => JSON::PP->new->encode({ email => $u->{email},
                    password => $u->{password} }) });
            return "$res->{status} " . ($res->{headers}{'retry-after'} // '-');
        }
    } 1 .. 8);
    kill 'TERM', $sampler;
    $peak = <$done_r>;
    close $done_r;
    waitpid($sampler, 0);
    chomp $peak;
    my %n;
    $n{(split / /)[0]}++ for @out;
    is(join(',', sort grep { $_ != 200 && $_ != 503 } keys %n), '',
        'every login answered 200 or 503: ' . join(' ', map { "$_ x$n{$_}" } sort keys %n));
    ok($n{200}, 'some logins ran');
    ok($n{503}, 'some were refused for want of a slot');
    is(scalar(grep { /^503 \d+$/ } @out), $n{503} // 0, 'each 503 with Retry-After');
    is_deeply([workers($srv, 'auth')], \@pids, 'no process died');
    is_deeply([serving($srv, 'auth')], \@serving, 'no worker either');
    cmp_ok(($peak - $base) / $MiB, '<', 32 + 24,
        'the auth processes never held two computations at once (MiB over the resting size)');
};

subtest 'limits that cannot work are refused at start-up' => sub {
    my $srv = start_server();
    for my $bad ('QUILL_REQUEST_TIMEOUT_MS=50', 'QUILL_ARGON2_WAIT_MS=20000',
        'QUILL_ARGON2_CONCURRENCY=-1', 'QUILL_MAX_REQUESTS=x') {
        my ($name) = $bad =~ /^(\w+)=/;
        my $out = `$bad QUILL_CONFIG=$srv->{conf} ${\ build_dir()}/quillctl check 2>&1`;
        isnt($?, 0, "$bad: refused");
        like($out, qr/$name/, "$bad: the message names the setting");
    }
};

done_testing();

# A registered user with a known password, by the API.
package QuillUsersLite;
use QuillTest;

sub account {
    my ($srv) = @_;
    my ($r, $email, $pw) = register($srv);
    die "register: $r->{status}" unless $r->{status} == 201;
    return { email => $email, password => $pw };
}
