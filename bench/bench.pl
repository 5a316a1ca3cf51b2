#!/usr/bin/env perl
# make bench: seeds a database, starts lighttpd with the real programs and a
# minimal libfcgi baseline, and measures each endpoint with wrk on loopback.
# Prints req/s, p50 and p99, each as a ratio to the baseline measured in the
# same run, the programs' peak RSS, and the cost of a deep cursor page.
# Every run is bounded: BENCH_SECONDS per endpoint (default 5).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use File::Path qw(remove_tree make_path);
use HTTP::Tiny;
use JSON::PP;
use QuillTest qw(start_server api);

my $secs = $ENV{BENCH_SECONDS} // 5;
my $conns = $ENV{BENCH_CONNECTIONS} // 16;
my $threads = $ENV{BENCH_THREADS} // 2;
my $build = QuillTest::build_dir();
my $root = QuillTest::root();
my $deep_rows = $ENV{BENCH_DEEP_ROWS} // 1_000_000;

# The server as shipped (production Argon2 cost, a log line per request),
# with the rate limits raised so the benchmark measures the endpoints rather
# than the limiter.
my $srv = start_server(name => 'bench', settings => {
    QUILL_ARGON2_OPSLIMIT => 0, QUILL_ARGON2_MEMLIMIT_KIB => 0,
    %{ decode_json($ENV{BENCH_SETTINGS} // '{}') },
}, before_start => sub {
    my ($var) = @_;
    make_path("$var/bench-root/bench");
    open my $f, '>', "$var/bench-root/bench/static.json" or die $!;
    print $f '{"data":{"hello":"world"}}';
    close $f;
    open $f, '>', "$var/lighttpd-extra.conf" or die $!;
    print $f <<"CONF";
\$HTTP["url"] =~ "^/bench/static" { server.document-root = "$var/bench-root" }
fastcgi.server += ( "/bench/hello" => ((
	"socket" => "$var/run/hello.sock", "bin-path" => "$build/bench/hello.fcgi",
	"max-procs" => 2, "check-local" => "disable" )) )
CONF
    close $f;
});

# A user with a token, and some posts when the posts API exists.
my $email = 'bench@example.com';
my $pw = 'benchmark passphrase 1';
api($srv, 'POST', '/api/v1/auth/register', json => { email => $email, password => $pw, name => 'Bench' });
my $lr = api($srv, 'POST', '/api/v1/auth/login', json => { email => $email, password => $pw });
my $token = $lr->{json}{data}{accessToken} or die "login failed: $lr->{content}";
my $pr = api($srv, 'POST', '/api/v1/posts', token => $token,
    json => { title => 'Benchmark post', body => 'x' x 2000, status => 'published' });
my $post_id = $pr->{status} == 201 ? $pr->{json}{data}{id} : undef;
if (defined $post_id) {
    api($srv, 'POST', '/api/v1/posts', token => $token,
        json => { title => "Post $_", body => "Body $_", status => 'published' }) for 1 .. 40;
}

my $var = $srv->{var};
my $lua = "$var/bench-lua";
make_path($lua);
sub lua {
    my ($name, $method, $body, $headers) = @_;
    my $h = join '', map { "wrk.headers[\"$_\"] = \"$headers->{$_}\"\n" } sort keys %$headers;
    open my $f, '>', "$lua/$name.lua" or die $!;
    $body =~ s/(["\\])/\\$1/g;
    print $f "wrk.method = \"$method\"\nwrk.body = \"$body\"\n$h";
    close $f;
    return "$lua/$name.lua";
}

my $auth = { Authorization => "Bearer $token" };
my @cases = (
    [ 'hello (FastCGI baseline)', '/bench/hello' ],
    [ 'static file', '/bench/static.json' ],
    [ 'GET /health', '/api/v1/health' ],
    defined $post_id ? (
        [ 'GET /posts/{id}', "/api/v1/posts/$post_id", undef, 0.80 ],
        [ 'GET /posts?limit=20', '/api/v1/posts?limit=20', undef, 0.50 ],
    ) : (),
    [ 'GET /users/me (Bearer)', '/api/v1/users/me', lua('me', 'GET', '', $auth), 0.70 ],
    defined $post_id ? (
        [ 'POST /posts', '/api/v1/posts', lua('post', 'POST',
            encode_json({ title => 'Bench', body => 'A benchmark body.', status => 'draft' }),
            { %$auth, 'Content-Type' => 'application/json' }) ],
    ) : (),
    [ 'POST /auth/login', '/api/v1/auth/login', lua('login', 'POST',
        encode_json({ email => $email, password => $pw }),
        { 'Content-Type' => 'application/json' }) ],
);

# Runs wrk; returns (req/s, p50 ms, p99 ms, non-2xx count).
sub wrk {
    my ($path, $script) = @_;
    my $cmd = "wrk -t$threads -c$conns -d${secs}s --timeout 10s --latency "
        . ($script ? "-s $script " : '') . "$srv->{base}$path 2>&1";
    my $out = `$cmd`;
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
    my %lat;
    while ($out =~ /^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$/mg) {
        $lat{$1} = $2 * ($3 eq 'us' ? 0.001 : $3 eq 's' ? 1000 : 1);
    }
    my ($bad) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
    return ($rps // 0, $lat{50} // 0, $lat{99} // 0, $bad // 0);
}

printf "Quill benchmark: wrk -t%d -c%d, %d s per endpoint, %d cores, %s\n\n",
    $threads, $conns, $secs, `nproc` + 0, `lighttpd -v 2>&1` =~ /(lighttpd\/\S+)/ ? $1 : 'lighttpd';
printf "%-28s %10s %9s %9s %9s %8s\n", 'endpoint', 'req/s', 'p50 ms', 'p99 ms', 'vs hello', 'target';
# The baseline is measured first and again last, and the ratios use their
# mean: on a shared machine the rate drifts during a run.
my (@rows, @hello);
for my $c (@cases) {
    my ($name, $path, $script, $target) = @$c;
    my @m = wrk($path, $script);
    push @hello, $m[0] if $name =~ /^hello/;
    push @rows, [$name, $target, @m];
}
push @hello, (wrk($cases[0][1]))[0];
my $hello = ($hello[0] + $hello[-1]) / 2;
for my $row (@rows) {
    my ($name, $target, $rps, $p50, $p99, $bad) = @$row;
    my $ratio = $hello ? $rps / $hello : 0;
    my $t = defined $target ? sprintf('%s %.0f%%', $ratio >= $target ? 'met' : 'MISSED', $target * 100) : '';
    printf "%-28s %10.0f %9.2f %9.2f %8.0f%% %8s%s\n", $name, $rps, $p50, $p99,
        $ratio * 100, $t, $bad ? "  ($bad non-2xx)" : '';
}
printf "(baseline: %.0f req/s first, %.0f last; ratios use the mean)\n", @hello[0, -1];

# Peak resident memory of each program (VmHWM), over every process.
print "\npeak RSS (VmHWM)\n";
for my $prog (qw(auth users posts)) {
    my $max = 0;
    for my $pid (split ' ', `pgrep -f '$build/$prog.fcgi'`) {
        open my $s, '<', "/proc/$pid/status" or next;
        while (<$s>) { $max = $1 if /^VmHWM:\s+(\d+)/ && $1 > $max }
    }
    my $target = $prog eq 'auth' ? '' : sprintf(' (target < 8 MiB: %s)', $max < 8192 ? 'met' : 'MISSED');
    printf "  %-10s %6.1f MiB%s\n", "$prog.fcgi", $max / 1024, $target;
}

# A cursor page deep in a large table costs what a shallow one does.  The
# cursors are written here in the format lib/list.c reads (base64url of
# "1|sort|desc|key|id"; sort 0 is createdAt), for rows found with sqlite3.
sub cursor_at {
    my ($offset) = @_;
    my $row = `sqlite3 $var/quill.db "SELECT created_at || '|' || id FROM posts WHERE status = 'published' ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $offset"`;
    chomp $row;
    my $c = MIME::Base64::encode_base64url("1|0|1|$row");
    return $c;
}
if (defined $post_id && !$ENV{BENCH_SKIP_DEEP}) {
    require MIME::Base64;
    printf "\ncursor page cost: seeding %d posts\n", $deep_rows;
    my $uid = `sqlite3 $var/quill.db "SELECT id FROM users WHERE email = '$email'"` + 0;
    system("sqlite3", "$var/quill.db", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $deep_rows) "
        . "INSERT INTO posts (author_id, title, body, status, created_at, updated_at) "
        . "SELECT $uid, 'Seed ' || i, 'Seed body ' || i, 'published', 1600000000 + i, 1600000000 + i FROM n") == 0
        or die "seeding failed";
    # Fold the seeding's WAL into the database, so neither page pays for it.
    system("sqlite3 $var/quill.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null") == 0
        or die "checkpoint failed";
    my (%rate, %path);
    for my $depth (100, $deep_rows) {
        $path{$depth} = "/api/v1/posts?limit=20&cursor=" . cursor_at($depth - 1);
        my $r = api($srv, 'GET', $path{$depth});
        die "deep page failed: $r->{status} $r->{content}" unless $r->{status} == 200
            && @{ $r->{json}{data} } == 20;
    }
    # Alternate the two, twice, and keep each one's best: load from
    # elsewhere on the machine then hits both alike.
    for (1 .. 2) {
        for my $depth (100, $deep_rows) {
            my ($rps) = wrk($path{$depth});
            $rate{$depth} = $rps if $rps > ($rate{$depth} // 0);
        }
    }
    my $ratio = $rate{100} ? $rate{$deep_rows} / $rate{100} : 0;
    printf "  page after row %d: %.0f req/s\n  page after row %d: %.0f req/s (%.0f%% of the shallow page; target within 20%%: %s)\n",
        100, $rate{100}, $deep_rows, $rate{$deep_rows}, 100 * $ratio,
        abs(1 - $ratio) <= 0.2 ? 'met' : 'MISSED';
}
QuillTest::stop_server($srv);
