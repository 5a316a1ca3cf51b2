package QuillHarden;
# Helpers of the hardening tests (t/8x-*.t): what the kernel says about a
# program's processes, locks held from outside, and clients that write in
# parallel processes.
use strict;
use warnings;
use Fcntl qw(F_SETLK F_WRLCK F_UNLCK SEEK_SET);
use HTTP::Tiny;
use IPC::Open2 qw(open2);
use JSON::PP;
use POSIX ();
use QuillTest;
use Exporter 'import';

our @EXPORT = qw(proc_kib fds fds_at_rest inheritable_fds lock_byte hold_write_lock
    release_write_lock writers envelope_ok);

# A field of /proc/PID/status in KiB (VmRSS, VmHWM), or undef when the
# process is gone.
sub proc_kib {
    my ($pid, $field) = @_;
    open my $fh, '<', "/proc/$pid/status" or return undef;
    while (my $line = <$fh>) {
        return $1 if $line =~ /^\Q$field\E:\s+(\d+) kB/;
    }
    return undef;
}

# The open descriptors of a process as "fd -> what" lines, or undef when
# it is gone.
sub fds {
    my ($pid) = @_;
    opendir my $dh, "/proc/$pid/fd" or return undef;
    my @fd = sort { $a <=> $b } grep { /^\d+$/ } readdir $dh;
    closedir $dh;
    return join "\n", map { "$_ -> " . (readlink("/proc/$pid/fd/$_") // '?') } @fd;
}

# The open descriptors of a FastCGI worker at rest (its database open with
# its -wal and -shm files, no request connection: waits up to 10 s for
# that), as fds() lists them.
sub fds_at_rest {
    my ($pid) = @_;
    my $list = '';
    my $pg = test_db() eq 'postgresql';
    for (1 .. 1000) {
        $list = fds($pid) // return undef;
        # On PostgreSQL the database is a connection: a socket besides
        # the one FastCGI listens on (descriptor 0), the same in any worker.
        $list =~ s/^([1-9]\d*) -> socket:\[\d+\]$/$1 -> socket:[database]/mg if $pg;
        my $sockets = () = $list =~ /socket:/g;
        return $list if $pg ? $sockets == 2 && $list =~ /socket:\[database\]/
            : $list =~ /quill\.db-shm/ && $sockets == 1;
        select(undef, undef, undef, 0.01);
    }
    return $list;
}

# The descriptors above 2 of process $pid that lead into directory $dir
# and that an execve would keep (no close-on-exec flag), as "fd -> what"
# lines.
sub inheritable_fds {
    my ($pid, $dir) = @_;
    my @kept;
    opendir my $dh, "/proc/$pid/fd" or return undef;
    for my $fd (sort { $a <=> $b } grep { /^\d+$/ && $_ > 2 } readdir $dh) {
        my $to = readlink("/proc/$pid/fd/$fd") // next;
        next unless index($to, "$dir/") == 0;
        open my $fh, '<', "/proc/$pid/fdinfo/$fd" or next;
        my ($flags) = join('', <$fh>) =~ /^flags:\s*([0-7]+)/m;
        push @kept, "$fd -> $to" unless oct($flags // 0) & 02000000;
    }
    closedir $dh;
    return join "\n", @kept;
}

# Locks (or with $unlock, unlocks) byte $byte of the open file $fh with an
# fcntl write lock, without waiting; returns true on success.  struct flock
# as Linux lays it out on 64-bit machines: short type, short whence, off_t
# start, off_t len, pid_t pid.
sub lock_byte {
    my ($fh, $byte, $unlock) = @_;
    my $fl = pack('s s x4 q q l x4', $unlock ? F_UNLCK : F_WRLCK, SEEK_SET,
        $byte, 1, 0);
    return fcntl($fh, F_SETLK, $fl);
}

# Starts the database's client on the server's database that takes the
# write lock (SQLite's BEGIN IMMEDIATE; on PostgreSQL the writers' lock)
# and keeps it until release_write_lock; returns a handle.
sub hold_write_lock {
    my ($srv) = @_;
    my $pg = test_db() eq 'postgresql';
    # On PostgreSQL the writers' lock is an advisory lock (lib/store/db_pg.c).
    my ($out, $in);
    my $pid = $pg
        ? open2($out, $in, pg_cluster()->{bin} . '/psql', '-X', '-q', '-A', '-t',
            '-d', QuillTest::conf_value($srv->{conf}, 'QUILL_DB'))
        : open2($out, $in, 'sqlite3', '-batch', "$srv->{var}/quill.db");
    $pid or die "the database's client: $!";
    my $old = select $in; $| = 1; select $old;
    print $in $pg ? "BEGIN;\nSELECT 'locked' FROM (SELECT pg_advisory_xact_lock(7520)) AS l;\n"
        : "BEGIN IMMEDIATE;\nSELECT 'locked';\n";
    my $line = <$out> // '';
    die "the database's client did not take the write lock: $line" unless $line =~ /^locked/;
    return { pid => $pid, in => $in, out => $out };
}

# Ends the client of hold_write_lock, which rolls back.
sub release_write_lock {
    my ($h) = @_;
    print { $h->{in} } "ROLLBACK;\n";
    close $h->{in};
    close $h->{out};
    waitpid($h->{pid}, 0);
}

# Runs one writer process per token: each POSTs $n posts titled
# "<tag> w<i> n<k>" on a connection of its own, one after the other.
# Returns a list of results { writer, n, status, id, title, body }.  With
# a $during code reference, the parent runs it while the writers write.
sub writers {
    my ($srv, $tokens, $n, %o) = @_;
    my $tag = $o{tag} // 'load';
    my @kids;
    for my $i (0 .. $#$tokens) {
        pipe(my $r, my $w) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            close $r;
            my $http = HTTP::Tiny->new(timeout => 30);
            my $json = JSON::PP->new->canonical;
            for my $k (1 .. $n) {
                my $title = "$tag w$i n$k";
                my $res = $http->request('POST', "$srv->{base}/api/v1/posts", {
                    headers => { 'content-type' => 'application/json',
                        authorization => "Bearer $tokens->[$i]" },
                    content => $json->encode({ title => $title,
                        body => "Body of $title.", status => 'published' }) });
                my $d = eval { $json->decode($res->{content}) } // {};
                print $w $json->encode({ writer => $i, n => $k,
                    status => $res->{status}, title => $title,
                    id => ($d->{data} // {})->{id},
                    body => $res->{status} == 201 ? '' : $res->{content} }), "\n";
            }
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        push @kids, [$pid, $r];
    }
    $o{during}->() if $o{during};
    my @results;
    for my $k (@kids) {
        my $fh = $k->[1];
        push @results, map { JSON::PP->new->decode($_) } <$fh>;
        close $fh;
        waitpid($k->[0], 0);
    }
    return @results;
}

# Checks that a response is the error envelope with $code; returns true.
sub envelope_ok {
    my ($r, $code, $what) = @_;
    my $e = ($r->{json} // {})->{error} // {};
    my $ok = ($e->{code} // '') eq $code && defined $e->{message}
        && defined(($r->{json}{meta} // {})->{requestId});
    Test::More::ok($ok, "$what: the error envelope with $code")
        or Test::More::diag("got $r->{status} $r->{content}");
    return $ok;
}

1;
