# Faults, and what they may cost (docs/hardening.md): a program killed
# (kill -9) in the middle of writes fails no more than the requests it had
# in hand and loses no acknowledged write; eight processes writing at once
# all succeed; a full disk and a database the programs may not write answer
# 503 in the error envelope, change nothing, and let reads go on.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillPosts;
use FormTest;
use QuillHarden;

plan skip_all => 'the process limits and faults are tested behind lighttpd, whose backends the test configures'
    unless test_server() eq 'lighttpd';

my @mounts;

# Stops each server with a mount under its state directory, then unmounts.
END {
    my $status = $?;
    for my $m (@mounts) {
        QuillTest::stop_server($m->[0]);
        system('umount', $m->[1]) == 0 or diag("umount $m->[1] failed");
    }
    $? = $status;
}

# $n logged-in users of a server: their tokens.
sub tokens {
    my ($srv, $n) = @_;
    return map { account($srv, 'user')->{token} } 1 .. $n;
}

# Every acknowledged post of the results is stored as it was acknowledged.
sub all_stored {
    my ($srv, $what, @acked) = @_;
    my %stored = map { split /\|/, $_, 2 }
        split /\n/, sql($srv, 'SELECT id, title FROM posts');
    my @lost = grep { ($stored{$_->{id} // ''} // '') ne $_->{title} } @acked;
    is(scalar @lost, 0, "$what: every acknowledged post is stored ("
        . scalar(@acked) . ')') or diag(explain(\@lost));
}

# The database passes SQLite's integrity check (PostgreSQL's own recovery
# is PostgreSQL's to test).
sub sound {
    my ($srv) = @_;
    SKIP: {
        skip "PRAGMA integrity_check is SQLite's", 1 if test_db() eq 'postgresql';
        is(sql($srv, 'PRAGMA integrity_check'), 'ok', 'the database is sound');
    }
}

subtest 'kill -9 of a program in the middle of writes' => sub {
    my $srv = start_server();
    my @tokens = tokens($srv, 4);
    my @before = started_workers($srv, 'posts', 2);
    is(scalar @before, 2, 'two posts processes serve');
    my $killed;
    my @res = writers($srv, \@tokens, 60, tag => 'kill', during => sub {
        # Once the writers are well under way, kill one process outright.
        for (1 .. 3000) {
            last if sql($srv, 'SELECT count(*) FROM posts') >= 40;
            select(undef, undef, undef, 0.01);
        }
        $killed = $before[0];
        kill 'KILL', $killed;
    });
    is(scalar @res, 240, 'every request was answered');
    my @acked = grep { $_->{status} == 201 } @res;
    my @failed = grep { $_->{status} != 201 } @res;
    cmp_ok(scalar @failed, '<=', scalar @tokens,
        'no more failed than were in flight (one per writer at most): '
        . join(' ', map { $_->{status} } @failed));
    is(scalar(grep { $_->{status} < 500 } @failed), 0, 'the failures are 5xx');
    all_stored($srv, 'after the kill', @acked);
    my $rows = sql($srv, "SELECT count(*) FROM posts WHERE title LIKE 'kill %'");
    ok($rows >= @acked && $rows <= @acked + @failed,
        "a failed write is stored at most once, if at all ($rows rows)");
    sound($srv);
    ok(!kill(0, $killed), "process $killed is gone");
    like(log_text($srv), qr/"program":"posts","event":"worker_killed","signal":"9"/,
        'its supervisor logged the kill');
    my @after;
    for (1 .. 1000) {
        last if (@after = serving($srv, 'posts')) == 2;
        select(undef, undef, undef, 0.01);
    }
    ok((grep { $_ != $killed } @after) == 2,
        "the server runs two posts processes again (@after)");
    my ($last) = grep { $_->{n} == 60 } @res;
    is($last->{status}, 201, 'and the writes after the kill succeed');
};

subtest 'eight processes write at once' => sub {
    my $srv = start_server(backends => { posts => { procs => 8 } });
    my @tokens = tokens($srv, 8);
    my @procs = workers($srv, 'posts');
    is(scalar @procs, 8, 'eight posts processes');
    my @res = writers($srv, \@tokens, 25, tag => 'eight');
    my @acked = grep { $_->{status} == 201 } @res;
    is(scalar @acked, 200, 'all 200 writes succeeded')
        or diag(explain([grep { $_->{status} != 201 } @res]));
    all_stored($srv, 'eight writers', @acked);
    unlike(log_text($srv), qr/"event":"db_error"/,
        'no SQLite error (busy or other) happened');
    sound($srv);
};

subtest 'a full disk' => sub {
    plan skip_all => "the disk that fills is SQLite's file's; PostgreSQL keeps its own" if test_db() eq 'postgresql';
    plan skip_all => 'mounting a small tmpfs needs root' if $> != 0;
    my $disk;
    my $srv = start_server(before_start => sub {
        my ($var) = @_;
        $disk = "$var/disk";
        mkdir $disk or die "$disk: $!";
        # The database lives on a 2 MiB file system, through a symbolic
        # link that SQLite follows (its -wal and -shm files go there too).
        system("mount -t tmpfs -o size=2m quill-test-disk $disk 2>/dev/null") == 0
            or return;
        symlink("disk/quill.db", "$var/quill.db") or die "symlink: $!";
        $disk = "mounted:$disk";
    });
    my ($mounted, $dir) = $disk =~ /^(mounted:)?(.*)$/;
    plan skip_all => "cannot mount a tmpfs here (no CAP_SYS_ADMIN)" unless $mounted;
    push @mounts, [$srv, $dir];
    my $author = account($srv, 'user');
    my $post = new_post($srv, $author, title => 'Before the disk filled',
        status => 'published');
    my (undef, $email, $pw) = register($srv);
    my $before = posts_state($srv);
    my $users = sql($srv, 'SELECT count(*) FROM users');
    my $sessions = sql($srv, 'SELECT count(*) FROM sessions');

    open my $fill, '>', "$dir/filler" or die "$dir/filler: $!";
    binmode $fill;
    for my $chunk (65536, 4096, 1) {
        1 while syswrite($fill, "\0" x $chunk);
    }
    close $fill;
    open my $probe, '>>', "$dir/probe" or die "$dir/probe: $!";
    ok(!syswrite($probe, 'x'), 'the file system is full');
    close $probe;

    my $r = api($srv, 'POST', '/api/v1/posts', token => $author->{token},
        json => { title => 'On a full disk', body => 'x' x 20000 });
    is($r->{status}, 503, 'a write on a full disk: 503');
    envelope_ok($r, 'UNAVAILABLE', 'the write on a full disk');
    $r = api($srv, 'PATCH', "/api/v1/posts/$post->{id}", token => $author->{token},
        json => { body => 'y' x 20000 });
    is($r->{status}, 503, 'an edit: 503');
    my ($reg) = register($srv);
    is($reg->{status}, 503, 'a registration: 503');
    # A form login sets its cookie before the commit that fails: the 503
    # must not hand the browser a session that was never stored.  (Accept:
    # JSON, for the error envelope rather than the page.)
    $r = api($srv, 'POST', '/api/v1/auth/login',
        form => { email => $email, password => $pw },
        headers => same_origin($srv, accept => 'application/json'));
    is($r->{status}, 503, 'a form login: 503');
    is_deeply([set_cookies($r)], [], 'and it sets no cookie');
    is(sql($srv, 'SELECT count(*) FROM sessions'), $sessions, 'no session was stored');
    is(api($srv, 'GET', "/api/v1/posts/$post->{id}")->{status}, 200, 'reads go on');
    is(posts_state($srv), $before, 'no post was changed');
    is(sql($srv, 'SELECT count(*) FROM users'), $users, 'no account was made');
    like(log_text($srv), qr/"event":"db_error".*"code":"13"/, 'SQLITE_FULL was logged');

    unlink "$dir/filler", "$dir/probe";
    is(api($srv, 'POST', '/api/v1/posts', token => $author->{token},
        json => { title => 'Room again', body => 'x' x 20000 })->{status},
        201, 'with room again, writes succeed');
    sound($srv);
};

subtest 'a file-size limit' => sub {
    plan skip_all => "the file-size limit is on SQLite's file; PostgreSQL writes its own" if test_db() eq 'postgresql';
    # ulimit -f: the posts process may grow no file past 1 MiB, so the
    # write-ahead log fills up after a few long posts.
    my $srv = start_server(backends => { posts => { procs => 1,
        wrap => sub { my (undef, $bin) = @_; "ulimit -f 2048\nexec $bin" } } });
    my $author = account($srv, 'user');
    my ($pid) = workers($srv, 'posts');
    my ($worker) = started_workers($srv, 'posts');
    my ($r, @stored);
    for my $n (1 .. 40) {
        $r = api($srv, 'POST', '/api/v1/posts', token => $author->{token},
            json => { title => "Long $n", body => join(' ', map { "word$n$_" } 1 .. 7000) });
        last if $r->{status} != 201;
        push @stored, { id => $r->{json}{data}{id}, title => "Long $n" };
    }
    ok(@stored > 0, scalar(@stored) . ' long posts fitted');
    is($r->{status}, 503, 'then a write past the limit: 503');
    envelope_ok($r, 'UNAVAILABLE', 'the write past the file-size limit');
    is_deeply([workers($srv, 'posts')], [$pid], 'the process was not killed (SIGXFSZ)');
    is_deeply([serving($srv, 'posts')], [$worker], 'nor its worker');
    all_stored($srv, 'at the file-size limit', @stored);
    is(sql($srv, "SELECT count(*) FROM posts WHERE title LIKE 'Long %'"), scalar @stored,
        'and nothing of the refused one');
    is(api($srv, 'GET', "/api/v1/posts?author=$author->{id}", token => $author->{token})->{status},
        200, 'reads go on');
    sound($srv);
};

subtest 'a database the programs may not write' => sub {
    plan skip_all => "a read-only database file is SQLite's; PostgreSQL grants by role" if test_db() eq 'postgresql';
    # Root writes any file; without CAP_DAC_OVERRIDE (and its relatives) it
    # is held to the file's mode like anyone.  Each process serves one
    # request, then starts afresh and opens the database again.
    my $drop = $> == 0 ? 'setpriv --bounding-set -dac_override,-dac_read_search,-fowner ' : '';
    my $srv = start_server(settings => { QUILL_MAX_REQUESTS => 1 },
        backends => { posts => { procs => 1,
            wrap => sub { my (undef, $bin) = @_; "exec $drop$bin" } } });
    my $author = account($srv, 'user');
    my $post = new_post($srv, $author, title => 'Before read-only',
        status => 'published');
    my $db = "$srv->{var}/quill.db";
    chmod 0400, $db or die "chmod: $!";
    # The posts process that served the last request opened the database
    # before the chmod; this request is its last.
    api($srv, 'GET', '/api/v1/posts');
    my $before = posts_state($srv);
    my $r = api($srv, 'POST', '/api/v1/posts', token => $author->{token},
        json => { title => 'Read-only', body => 'Body.' });
    is($r->{status}, 503, 'a write: 503');
    envelope_ok($r, 'UNAVAILABLE', 'the write to a read-only database');
    is(api($srv, 'DELETE', "/api/v1/posts/$post->{id}", token => $author->{token})->{status},
        503, 'a delete: 503');
    my $get = api($srv, 'GET', "/api/v1/posts/$post->{id}");
    is($get->{status}, 200, 'reads go on');
    is($get->{json}{data}{title}, 'Before read-only', 'and see the data');
    is(posts_state($srv), $before, 'nothing was changed');
    like(log_text($srv), qr/"program":"posts","event":"db_error".*"code":"8"/,
        'SQLITE_READONLY was logged');
    chmod 0600, $db or die "chmod: $!";
    api($srv, 'GET', '/api/v1/posts');
    is(api($srv, 'POST', '/api/v1/posts', token => $author->{token},
        json => { title => 'Writable again', body => 'Body.' })->{status},
        201, 'writable again: writes succeed');
};

done_testing();
