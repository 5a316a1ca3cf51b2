#!/usr/bin/env perl
# make bench: seeds a database, starts lighttpd and then Apache with the
# real programs, a minimal libfcgi baseline (bench/hello.c) and a PHP-FPM +
# PDO peer doing Quill's reads (bench/php/), and measures each endpoint with
# wrk on loopback.  Prints req/s, p50 and p99, the rate as a ratio to the
# baseline measured beside it and to the PHP peer, the CPU time each request
# cost the web server, the programs and wrk, the programs' own CPU time per
# request beyond the baseline's against the PHP peer's, the cost of each
# part of the shipped Apache vhost against a minimal one, the programs' peak
# RSS, what counting a request in the metrics costs, the cost of a deep
# cursor page and of the costliest search, and a mixed load on 1,000,000
# posts and 100,000 users.  Each target of docs/performance.md is printed
# with its figure and whether it is met; nothing here fails on a figure.
# Every run is bounded: BENCH_SECONDS per run (default 3), BENCH_ROUNDS
# rounds (default 3); BENCH_ONLY (a pattern) picks endpoints; BENCH_SERVERS
# (default "lighttpd,apache") the servers; BENCH_SKIP_APACHE_PARTS skips the
# Apache vhost's parts; BENCH_SKIP_DEEP skips the deep page and
# BENCH_DEEP_ROWS sizes it (default 1,000,000); BENCH_SKIP_SEARCH skips the
# search cost and BENCH_SEARCH_ROWS sizes it (default 100,000);
# BENCH_SKIP_MIX skips the mixed run, BENCH_MIX_POSTS and BENCH_MIX_USERS
# size it (1,000,000 and 100,000; the seeded database is kept in
# BUILD/bench-cache/ for the next run) and BENCH_MIX_SECONDS times it (10).
# BENCH_DB=postgresql measures the same endpoints against the same hello
# baseline with the programs on PostgreSQL (a throwaway cluster, as the
# tests start it), on lighttpd: the PHP peer, the Apache parts and the
# sections that seed SQLite directly are SQLite's only.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use File::Copy qw(copy);
use File::Path qw(remove_tree make_path);
use HTTP::Tiny;
use JSON::PP;
use Time::HiRes qw(time sleep);
BEGIN { $ENV{QUILL_TEST_DB} = $ENV{BENCH_DB} // 'sqlite' }
use QuillTest qw(start_server api serving);

my $secs = $ENV{BENCH_SECONDS} // 3;
my $conns = $ENV{BENCH_CONNECTIONS} // 16;
my $threads = $ENV{BENCH_THREADS} // 2;
my $rounds = $ENV{BENCH_ROUNDS} // 3;
my $build = QuillTest::build_dir();
my $root = QuillTest::root();
my $deep_rows = $ENV{BENCH_DEEP_ROWS} // 1_000_000;
my $on_pg = QuillTest::test_db() eq 'postgresql';
my @bench_servers = $on_pg ? ('lighttpd') : split /,/, $ENV{BENCH_SERVERS} // 'lighttpd,apache';
@ENV{qw(BENCH_SKIP_APACHE_PARTS BENCH_SKIP_DEEP BENCH_SKIP_SEARCH BENCH_SKIP_MIX)} = (1) x 4
    if $on_pg;
my $started = time;
# The issuer the programs and the PHP peer both expect in tokens.
my $issuer = 'quill-bench';
my $canon = JSON::PP->new->canonical;
$| = 1;

# The PHP-FPM binary Debian installs (php-fpm8.2 on Debian 12).
my ($php_fpm) = sort { $b cmp $a } grep { -x } glob '/usr/sbin/php-fpm*';
die "bench: php-fpm is not installed (make bench installs it: BENCH_DEB_PKGS)\n"
    unless $php_fpm || $on_pg;

# The bench's own files in VAR: the static file, and the PHP peer, where
# the web server finds it (lighttpd needs the script under its document
# root to run it).
sub bench_files {
    my ($var) = @_;
    make_path("$var/bench-root/bench/php");
    open my $f, '>', "$var/bench-root/bench/static.json" or die $!;
    print $f '{"data":{"hello":"world"}}';
    close $f;
    copy("$root/bench/php/index.php", "$var/bench-root/bench/php/index.php") or die $!;
}

# The server as shipped (production Argon2 cost, a log line per request),
# with the rate limits raised so the benchmark measures the endpoints rather
# than the limiter.
sub bench_settings {
    return { QUILL_ARGON2_OPSLIMIT => 0, QUILL_ARGON2_MEMLIMIT_KIB => 0,
        QUILL_JWT_ISSUER => $issuer,
        %{ decode_json($ENV{BENCH_SETTINGS} // '{}') }, @_ };
}

# lighttpd: hello started by lighttpd like the programs, 2 processes; the
# PHP peer behind the same fastcgi module, on PHP-FPM's socket.
sub lighttpd_extra {
    my ($var) = @_;
    bench_files($var);
    open my $f, '>', "$var/lighttpd-extra.conf" or die $!;
    print $f <<"CONF";
\$HTTP["url"] =~ "^/bench/" { server.document-root = "$var/bench-root" }
url.rewrite-once += ( "^/bench/php/(.*)\$" => "/bench/php/index.php/\$1" )
fastcgi.server += ( "/bench/hello" => ((
	"socket" => "$var/run/hello.sock", "bin-path" => "$build/bench/hello.fcgi",
	"max-procs" => 2, "check-local" => "disable" )),
	"/bench/php/index.php" => (( "socket" => "$var/run/php.sock" )) )
CONF
    close $f;
}

# Apache: hello (started by spawn-fcgi, 2 processes, as the programs are)
# and the PHP peer through mod_proxy_fcgi, in the shipped vhost.
sub apache_extra {
    my ($var) = @_;
    bench_files($var);
    open my $f, '>', "$var/apache-extra.conf" or die $!;
    print $f <<"CONF";
# /bench/ is the bench's own: the site's rewrite rules leave it alone.
RewriteEngine On
RewriteRule "^/bench/" - [L]
Alias "/bench/static.json" "$var/bench-root/bench/static.json"
<Directory "$var/bench-root/bench">
    Require all granted
</Directory>
<Location "/bench/hello">
    SetHandler "proxy:unix:$var/run/hello.sock|fcgi://bench-hello/"
</Location>
<Location "/bench/php/">
    SetHandler "proxy:unix:$var/run/php.sock|fcgi://bench-php/"
    ProxyFCGISetEnvIf "true" SCRIPT_FILENAME "$var/bench-root/bench/php/index.php"
    CGIPassAuth On
</Location>
CONF
    close $f;
}

# Starts hello under spawn-fcgi (Apache has no process manager of its own
# for it).
sub hello_spawn {
    my ($var) = @_;
    system('spawn-fcgi', '-s', "$var/run/hello.sock", '-M', '0666', '-F', '2',
        '-P', "$var/run/hello.pid", '--', "$build/bench/hello.fcgi") == 0
        or die "bench: spawn-fcgi could not start hello\n";
}

# The pids in a pid file (spawn-fcgi writes one a line).
sub pids_in {
    my ($file) = @_;
    open my $f, '<', $file or return ();
    return grep { /^\d+$/ } map { s/\s+//gr } <$f>;
}

# Stops what a pid file names and waits for it to go.
sub stop_pids {
    my ($file) = @_;
    my @p = pids_in($file) or return;
    kill 'TERM', @p;
    for (1 .. 100) {
        last unless grep { kill 0, $_ } @p;
        sleep 0.1;
    }
    kill 'KILL', grep { kill 0, $_ } @p;
    unlink $file;
}

# PHP-FPM for the peer: its own master with one pool of as many processes
# as each Quill program has (2, static), opcache on and never revalidating,
# the database, key and issuer in the pool's environment.
sub php_fpm_start {
    my ($srv) = @_;
    my $var = $srv->{var};
    open my $k, '<', "$var/quill.key" or die "$var/quill.key: $!";
    my ($key) = (<$k> // '') =~ /^([0-9a-fA-F]+)/;
    close $k;
    open my $f, '>', "$var/php-fpm.conf" or die $!;
    print $f <<"CONF";
[global]
pid = $var/run/php-fpm.pid
error_log = $var/log/php-fpm.log
daemonize = yes

[bench]
listen = $var/run/php.sock
listen.mode = 0666
pm = static
pm.max_children = 2
clear_env = yes
env[QUILL_DB] = $var/quill.db
env[QUILL_KEY] = $key
env[QUILL_ISSUER] = $issuer
env[QUILL_AUDIENCE] = quill-api
php_admin_value[opcache.enable] = 1
php_admin_value[opcache.validate_timestamps] = 0
php_admin_flag[display_errors] = off
php_admin_flag[log_errors] = on
CONF
    close $f;
    system($php_fpm, ($> == 0 ? '-R' : ()), '-y', "$var/php-fpm.conf") == 0
        or die "bench: $php_fpm did not start; see $var/log/php-fpm.log\n";
    for (1 .. 100) { last if -S "$var/run/php.sock"; sleep 0.05 }
}

# Starts a server for the comparison: lighttpd or Apache (the shipped
# vhost), with hello and the PHP peer beside the programs.
sub bench_server {
    my ($kind) = @_;
    my $srv = start_server(name => "bench-$kind", server => $kind,
        mode => $kind eq 'apache' ? 'proxy' : 'dev', access_log => 0,
        settings => bench_settings(),
        before_start => $kind eq 'apache' ? \&apache_extra : \&lighttpd_extra);
    hello_spawn($srv->{var}) if $kind eq 'apache';
    php_fpm_start($srv) unless $on_pg;
    return $srv;
}

sub bench_server_stop {
    my ($srv) = @_;
    stop_pids("$srv->{var}/run/php-fpm.pid");
    stop_pids("$srv->{var}/run/hello.pid");
    QuillTest::stop_server($srv);
}

# A user with a token, and posts: one of 2 KB, 40 short ones.
my $email = 'bench@example.com';
my $pw = 'benchmark passphrase 1';
sub bench_data {
    my ($srv) = @_;
    api($srv, 'POST', '/api/v1/auth/register', json => { email => $email, password => $pw, name => 'Bench' });
    # Confirmed, so that it may write (QUILL_REQUIRE_VERIFIED).
    my ($vrc, $vout) = QuillTest::quillctl($srv, "user verify $email");
    die "bench: quillctl user verify: $vout" if $vrc;
    my $lr = api($srv, 'POST', '/api/v1/auth/login', json => { email => $email, password => $pw });
    my $token = $lr->{json}{data}{accessToken} or die "login failed: $lr->{content}";
    my $pr = api($srv, 'POST', '/api/v1/posts', token => $token,
        json => { title => 'Benchmark post', body => 'x' x 2000, status => 'published' });
    my $post_id = $pr->{json}{data}{id} or die "post failed: $pr->{content}";
    api($srv, 'POST', '/api/v1/posts', token => $token,
        json => { title => "Post $_", body => "Body $_", status => 'published' }) for 1 .. 40;
    return ($token, $post_id);
}

# A wrk script that sends method, body and headers.
sub lua {
    my ($var, $name, $method, $body, $headers) = @_;
    make_path("$var/bench-lua");
    my $h = join '', map { "wrk.headers[\"$_\"] = \"$headers->{$_}\"\n" } sort keys %$headers;
    open my $f, '>', "$var/bench-lua/$name.lua" or die $!;
    $body =~ s/(["\\])/\\$1/g;
    print $f "wrk.method = \"$method\"\nwrk.body = \"$body\"\n$h";
    close $f;
    return "$var/bench-lua/$name.lua";
}

# The endpoints measured on a server: [ name, path, wrk script, target
# ratio to hello, the PHP peer's path ].  Quill's reads each have their
# PHP equivalent, measured as a row of its own.
sub bench_cases {
    my ($srv, $token, $post_id) = @_;
    my $var = $srv->{var};
    my $auth = { Authorization => "Bearer $token" };
    my $me = lua($var, 'me', 'GET', '', $auth);
    # The targets against hello are lighttpd's: Apache's own cost hides
    # the programs' (the targets on both servers are of CPU time).
    my $l = $srv->{server} eq 'lighttpd';
    my @reads = (
        [ 'GET /posts/{id}', "/api/v1/posts/$post_id", undef, $l ? 0.95 : undef ],
        [ 'GET /posts?limit=20', '/api/v1/posts?limit=20', undef, $l ? 0.75 : undef ],
        [ 'GET /posts?q= (search)', '/api/v1/posts?q=post&limit=20', undef ],
        [ 'GET /users/me (Bearer)', '/api/v1/users/me', $me, $l ? 0.70 : undef ],
    );
    return (
        [ 'hello (FastCGI baseline)', '/bench/hello' ],
        [ 'static file', '/bench/static.json' ],
        [ 'GET /health', '/api/v1/health' ],
        (map { $on_pg ? ([ @$_[0 .. 3] ]) : ([ @$_[0 .. 3], "/bench/php$_->[1]" ],
            [ "  PHP: $_->[0]", "/bench/php$_->[1]", $_->[2], undef, undef, 'php' ]) } @reads),
        # A post's page of the site, rendered from its template (docs/forms.md).
        [ 'GET /posts/{id} page (HTML)', "/posts/$post_id", undef, $l ? 0.6 : undef ],
        $srv->{server} eq 'lighttpd' ? (
            [ 'POST /posts', '/api/v1/posts', lua($var, 'post', 'POST',
                encode_json({ title => 'Bench', body => 'A benchmark body.', status => 'draft' }),
                { %$auth, 'Content-Type' => 'application/json' }) ],
            [ 'POST /auth/login', '/api/v1/auth/login', lua($var, 'login', 'POST',
                encode_json({ email => $email, password => $pw }),
                { 'Content-Type' => 'application/json' }) ],
        ) : (),
    );
}

# Before any timing: each PHP answer must be Quill's (status, type and the
# JSON but for the request id), and hello must answer, so that a broken
# peer cannot win.
sub verify_peer {
    my ($srv, $token, @cases) = @_;
    my $norm = sub {
        my ($r) = @_;
        my $j = $r->{json};
        delete $j->{meta}{requestId} if ref $j eq 'HASH' && ref $j->{meta} eq 'HASH';
        return join ' ', $r->{status}, $r->{headers}{'content-type'} // '',
            defined $j ? $canon->encode($j) : "(not JSON) $r->{content}";
    };
    my $h = api($srv, 'GET', '/bench/hello');
    die "bench: hello does not answer on $srv->{server}: $h->{status} $h->{content}\n"
        unless $h->{status} == 200;
    for my $c (grep { $_->[4] } @cases) {
        my @tok = $c->[2] && $c->[2] =~ /me\.lua$/ ? (token => $token) : ();
        my $q = $norm->(api($srv, 'GET', $c->[1], @tok));
        my $p = $norm->(api($srv, 'GET', $c->[4], @tok));
        die "bench: $c->[0]: Quill answers 200 only with $q\n" unless $q =~ /^200 /;
        die "bench: $c->[0]: the PHP peer ($c->[4]) on $srv->{server} answers\n  $p\n"
            . "where Quill answers\n  $q\n" unless $p eq $q;
    }
    printf "%s: the PHP peer's answers are Quill's (status, type, JSON) for %d reads\n",
        $srv->{server}, scalar grep { $_->[4] } @cases;
}

# CPU time (clock ticks) used so far by the web server and by the FastCGI
# processes: { server => ticks, programs => ticks }.  The programs are the
# processes lighttpd started, or those in the pid files of spawn-fcgi and
# PHP-FPM, with all their descendants: each Quill process is a supervisor
# that serves in a child (lib/web/worker.h), PHP-FPM's master serves in its
# children.  A process's own time counts, and what it reaped of its ended
# children (a recycled worker), but the web server's reaped children do not
# count as its own.
my $tick_us = 1e6 / (`getconf CLK_TCK` || 100);
sub cpu_ticks {
    my ($srv) = @_;
    my %t = (server => 0, programs => 0);
    my ($spid) = pids_in($srv->{pidfile} // "$srv->{var}/run/$srv->{server}.pid") or return \%t;
    opendir my $dh, '/proc' or return \%t;
    my (%own, %reaped, %kids);
    for my $pid (grep { /^\d+$/ } readdir $dh) {
        open my $st, '<', "/proc/$pid/stat" or next;
        my $stat = <$st> // '';
        # Fields after "(comm)": state ppid ... utime(14) stime(15)
        # cutime(16) cstime(17).
        my @f = split ' ', ($stat =~ /\)\s+(.*)/)[0] // next;
        $own{$pid} = $f[11] + $f[12];
        $reaped{$pid} = $f[13] + $f[14];
        push @{ $kids{ $f[1] } }, $pid;
    }
    my %backend = map { $_ => 1 } map { pids_in($_) } @{ $srv->{backends} // [] };
    if (($srv->{server} // '') eq 'lighttpd') { $backend{$_} = 1 for @{ $kids{$spid} // [] } }
    my $tree;
    $tree = sub {
        my ($pid, $top) = @_;
        my $sum = $own{$pid} // 0;
        $sum += $reaped{$pid} // 0 unless $top;
        $sum += $tree->($_) for grep { !$backend{$_} } @{ $kids{$pid} // [] };
        return $sum;
    };
    $t{server} = $tree->($spid, 1);
    $t{programs} += $tree->($_) for grep { exists $own{$_} } keys %backend;
    return \%t;
}

# Runs wrk; returns (req/s, p50 ms, p99 ms, non-2xx and socket errors, CPU
# microseconds per request spent in the web server, in the FastCGI programs
# and in wrk).
sub wrk {
    my ($srv, $path, $script, %o) = @_;
    my $c = $o{conns} // $conns;
    my $cmd = "wrk -t$threads -c$c -d" . ($o{secs} // $secs) . "s --timeout 10s --latency "
        . ($script ? "-s $script " : '') . "$srv->{base}$path 2>&1";
    my $before = cpu_ticks($srv);
    my @times = times;
    my $out = `$cmd`;
    my @times2 = times;
    my $after = cpu_ticks($srv);
    my ($n) = $out =~ /(\d+) requests in/;
    $n ||= 1;
    my @cpu = (
        ($after->{server} - $before->{server}) * $tick_us / $n,
        ($after->{programs} - $before->{programs}) * $tick_us / $n,
        ($times2[2] + $times2[3] - $times[2] - $times[3]) * 1e6 / $n,
    );
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
    my %lat;
    while ($out =~ /^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$/mg) {
        $lat{$1} = $2 * ($3 eq 'us' ? 0.001 : $3 eq 's' ? 1000 : 1);
    }
    my ($bad) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
    my $errs = 0;
    $errs += $1 while $out =~ /(?:connect|read|write|timeout) (\d+)/g;
    return ($rps // 0, $lat{50} // 0, $lat{99} // 0, ($bad // 0) + $errs, @cpu, $n);
}

# 20,000 made-up words of syllables, the same for the same seed.
sub made_up_words {
    my ($seed) = @_;
    srand($seed);
    my (%seen, @words);
    my @c = split //, 'bcdfghklmnprstvz';
    my @v = split //, 'aeiou';
    while (@words < 20_000) {
        my $w = join '', map { $c[rand @c] . $v[rand @v] } 1 .. 1 + int(rand(4));
        $w .= $c[rand @c] if rand() < 0.5;
        push @words, $w unless $seen{$w}++;
    }
    return @words;
}

# The median of a list of numbers.
sub median {
    my @v = sort { $a <=> $b } @_;
    return 0 unless @v;
    return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

# Every endpoint is measured between two runs of the baseline, and the
# whole series is repeated BENCH_ROUNDS times: on a shared machine the rate
# drifts by a fifth within a minute, so each ratio is taken against the
# baseline of the same moment, and the median round is reported.  Returns
# { name => [ [ratio, wrk figures...] per round ] } and the hello runs.
sub measure {
    my ($srv, @cases) = @_;
    my ($hello_case, @measured) = @cases;
    my (%runs, @hello_runs);
    for my $round (1 .. $rounds) {
        my @before = wrk($srv, $hello_case->[1]);
        push @hello_runs, [@before];
        for my $c (@measured) {
            my ($name, $path, $script) = @$c;
            my @m = wrk($srv, $path, $script);
            my @after = wrk($srv, $hello_case->[1]);
            push @hello_runs, [@after];
            my $base = ($before[0] + $after[0]) / 2;
            push @{ $runs{$name} }, [$base ? $m[0] / $base : 0, @m];
            @before = @after;
        }
    }
    return (\%runs, \@hello_runs);
}

# One line: the median of each figure over the runs, and the ratio's range.
sub report {
    my ($name, $target, @r) = @_;
    my @col = map { my $i = $_; median(map { $_->[$i] } @r) } 0 .. 7;
    my ($lo, $hi) = (sort { $a <=> $b } map { $_->[0] } @r)[0, -1];
    my $t = defined $target ? sprintf('%s %.0f%%', $col[0] >= $target ? 'met' : 'MISSED',
        $target * 100) : '';
    my $bad = 0;
    $bad += $_->[4] for @r;
    printf "%-26s %8.0f %7.2f %8.2f %7.0f%%  %-11s %-10s  %8.1f %7.1f %4.1f%s\n", $name,
        @col[1 .. 3], $col[0] * 100,
        $name =~ /^hello/ ? '' : sprintf('%.0f-%.0f%%', $lo * 100, $hi * 100), $t,
        @col[5 .. 7], $bad ? "  ($bad errors or non-2xx)" : '';
    return \@col;
}

# Measures and reports one server; returns the medians by name.
sub bench_series {
    my ($srv, @cases) = @_;
    my ($hello_case, @measured) = @cases;
    @measured = grep { $_->[0] =~ /$ENV{BENCH_ONLY}/ } @measured if $ENV{BENCH_ONLY};
    my $version = $srv->{server} eq 'apache'
        ? (`apache2 -v 2>&1` =~ m{(Apache/\S+)})[0] : (`lighttpd -v 2>&1` =~ m{(lighttpd/\S+)})[0];
    printf "\n%s: wrk -t%d -c%d, %d s per run, %d rounds, %d cores, %s, %s\n\n",
        $srv->{server}, $threads, $conns, $secs, $rounds, `nproc` + 0, $version // $srv->{server},
        $on_pg ? 'the programs on PostgreSQL' : (`$php_fpm -v 2>&1` =~ /^(PHP \S+)/)[0] // 'PHP';
    my ($runs, $hello_runs) = measure($srv, $hello_case, @measured);
    printf "%-26s %8s %7s %8s %7s  %-11s %-10s  %s\n", 'endpoint', 'req/s', 'p50 ms',
        'p99 ms', 'vs hello', '(rounds)', 'target', "CPU us/req: $srv->{server} program wrk";
    my %med;
    $med{ $hello_case->[0] } = report($hello_case->[0], undef, map { [1, @$_] } @$hello_runs);
    for my $c (@measured) {
        $med{ $c->[0] } = report($c->[0], $c->[3], @{ $runs->{ $c->[0] } });
    }
    printf "(hello: %.0f to %.0f req/s over %d runs)\n",
        (sort { $a <=> $b } map { $_->[0] } @$hello_runs)[0, -1], scalar @$hello_runs;
    compare_peer($srv, \@measured, $runs, $med{ $hello_case->[0] }, \%med);
    return ($runs, \%med, \@measured);
}

# Quill against the PHP peer on one server: the rate ratio (each against
# the hello runs beside it, so the ratio of the two ratios is of the same
# moments), and each one's own CPU time per request: the programs' time
# beyond hello's on the same server, which the web server cannot hide.
my @targets;	# [ what, figure, target, met ] for the summary
sub compare_peer {
    my ($srv, $measured, $runs, $hello, $med) = @_;
    my @pairs = grep { $_->[4] && $runs->{ $_->[0] } && $runs->{"  PHP: $_->[0]"} } @$measured;
    return unless @pairs;
    printf "\n%s: Quill against the PHP peer (CPU: the program's own us per request beyond hello's %.1f)\n",
        $srv->{server}, $hello->[6];
    printf "%-26s %9s %9s %8s %8s %9s  %s\n", 'endpoint', 'Q / PHP', 'Q / hello',
        'Q CPU', 'PHP CPU', 'Q / PHP', 'targets';
    for my $c (@pairs) {
        my ($q, $p) = ($runs->{ $c->[0] }, $runs->{"  PHP: $c->[0]"});
        my $rate = median(map { $p->[$_][0] ? $q->[$_][0] / $p->[$_][0] : 0 } 0 .. $#$q);
        my $vs_hello = $med->{ $c->[0] }[0];
        my $qc = $med->{ $c->[0] }[6] - $hello->[6];
        my $pc = $med->{"  PHP: $c->[0]"}[6] - $hello->[6];
        my $cpu = $pc > 0 ? $qc / $pc : 0;
        my @t;
        if ($srv->{server} eq 'lighttpd') {
            push @t, target("$srv->{server} $c->[0]: rate vs PHP", $rate, 2.0, '>=');
            push @t, target("$srv->{server} $c->[0]: rate vs hello", $vs_hello, $c->[3], '>=')
                if defined $c->[3];
        }
        push @t, target("$srv->{server} $c->[0]: own CPU vs PHP", $cpu, 0.33, '<=');
        printf "%-26s %8.2fx %8.0f%% %8.1f %8.1f %8.2fx  %s\n", $c->[0], $rate, 100 * $vs_hello,
            $qc, $pc, $cpu, join('; ', @t);
    }
}

# Notes a target for the summary; returns "met"/"MISSED" with it.
sub target {
    my ($what, $v, $t, $cmp) = @_;
    my $met = $cmp eq '>=' ? $v >= $t : $cmp eq '<' ? $v < $t : $v <= $t;
    push @targets, [ $what, $v, "$cmp $t", $met ];
    return sprintf '%s %s %s', $met ? 'met' : 'MISSED', $cmp, $t;
}

# Each server in turn; lighttpd's server stays up for the sections after.
my ($srv, $var, $token, $post_id, %runs, @measured, $apache);
for my $kind (@bench_servers) {
    my $s = bench_server($kind);
    my ($tok, $pid) = bench_data($s);
    my @cases = bench_cases($s, $tok, $pid);
    verify_peer($s, $tok, @cases);
    if ($kind eq 'apache') {
        $s->{backends} = [ map { "$s->{var}/run/$_.pid" } qw(auth users posts hello php-fpm) ];
    } else {
        $s->{backends} = [ "$s->{var}/run/php-fpm.pid" ];
    }
    my ($r, $med, $m) = bench_series($s, @cases);
    if ($kind eq 'lighttpd') {
        ($srv, $var, $token, $post_id) = ($s, $s->{var}, $tok, $pid);
        %runs = %$r;
        @measured = @$m;
    } else {
        $apache = { srv => $s, token => $tok, post_id => $pid, med => $med };
    }
}

# The shipped Apache vhost against a minimal one, and what each part
# costs: Apache's own CPU time per request (the figure the rate hides) for
# hello and GET /posts/{id}, through the same program sockets as the
# shipped vhost above, on these servers, measured alternately:
#   minimal, Debian's mpm   mpm_event as Debian ships it (2 processes of
#                  25 threads), mod_proxy_fcgi by SetHandler, no log
#   minimal        the same with mpm_event as the tests' vhost has it (one
#                  process of 32 threads; the vhosts below too)
#   + access log   the shipped log format (CustomLog)
#   + rewrite      routing by the shipped RewriteRules instead
#   shipped        apache/quill.conf's QuillSite in quill-dev.conf.in: all
#                  its modules, headers, error documents, deflate, the
#                  deny rules for files, the access log
sub apache_variant {
    my ($name, %o) = @_;
    my $run = "$apache->{srv}{var}/run";
    my $dir = "$apache->{srv}{var}/variant-$name" =~ s/[^\w\/.-]+/-/gr;
    make_path("$dir/run");
    my $port = QuillTest::free_port();
    my ($user, $group) = $> == 0 ? ('www-data', 'www-data')
        : (scalar getpwuid($<), scalar getgrgid((split ' ', $()[0]));
    my $m = '/usr/lib/apache2/modules';
    # mpm_event as the tests' vhost has it (one process of 32 threads), or
    # as Debian ships it (/etc/apache2/mods-available/mpm_event.conf).
    my $mpm = $o{debian_mpm} ? "StartServers 2\nMinSpareThreads 25\nMaxSpareThreads 75\n"
        . "ThreadLimit 64\nThreadsPerChild 25\nMaxRequestWorkers 150\nMaxConnectionsPerChild 0"
        : "StartServers 1\nServerLimit 1\nThreadsPerChild 32\nMaxRequestWorkers 32\n"
        . "MinSpareThreads 4\nMaxSpareThreads 32";
    my $h = sub { "proxy:unix:$run/$_[0].sock|fcgi://$_[1]/" };
    my $route = $o{rewrite} ? <<"R" : <<"S";
    RewriteEngine On
    RewriteRule "^/api/v1/users/[^/]*/posts(/.*)?\$" - "[H=@{[ $h->('posts', 'quill-posts') ]},L]"
    RewriteRule "^/api/v1/auth(/.*)?\$" - "[H=@{[ $h->('auth', 'quill-auth') ]},L]"
    RewriteRule "^/api/v1/users(/.*)?\$" - "[H=@{[ $h->('users', 'quill-users') ]},L]"
    RewriteRule "^/api/v1/posts(/.*)?\$" - "[H=@{[ $h->('posts', 'quill-posts') ]},L]"
    RewriteRule "^/api/" - "[H=@{[ $h->('auth', 'quill-auth') ]},L]"
    RewriteRule "^/bench/hello\$" - "[H=@{[ $h->('hello', 'bench-hello') ]},L]"
R
    <Location "/api/v1/posts">
        SetHandler "@{[ $h->('posts', 'quill-posts') ]}"
    </Location>
    <Location "/bench/hello">
        SetHandler "@{[ $h->('hello', 'bench-hello') ]}"
    </Location>
S
    open my $f, '>', "$dir/apache.conf" or die $!;
    print $f <<"CONF";
ServerRoot "$dir"
DefaultRuntimeDir "$dir/run"
PidFile "$dir/run/apache.pid"
ErrorLog "$dir/error.log"
LogLevel warn
ServerName 127.0.0.1
Listen 127.0.0.1:$port
User $user
Group $group
LoadModule mpm_event_module $m/mod_mpm_event.so
$mpm
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule proxy_module $m/mod_proxy.so
LoadModule proxy_fcgi_module $m/mod_proxy_fcgi.so
@{[ $o{rewrite} ? "LoadModule rewrite_module $m/mod_rewrite.so" : '' ]}
<VirtualHost 127.0.0.1:$port>
    ServerName 127.0.0.1
    @{[ $o{log} ? qq{CustomLog "$dir/access.log" "%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\" %D"} : '' ]}
    <Location "/">
        Require all granted
    </Location>
$route</VirtualHost>
CONF
    close $f;
    system("apache2 -f $dir/apache.conf > $dir/start.log 2>&1") == 0
        or die "bench: Apache ($name) did not start:\n" . `cat $dir/start.log $dir/error.log 2>/dev/null`;
    my $v = { name => $name, server => 'apache', var => $dir, pidfile => "$dir/run/apache.pid",
        base => "http://127.0.0.1:$port", backends => $apache->{srv}{backends} };
    for (1 .. 100) {
        last if HTTP::Tiny->new(timeout => 2)->get("$v->{base}/bench/hello")->{status} == 200;
        sleep 0.1;
    }
    return $v;
}

if ($apache && !$ENV{BENCH_SKIP_APACHE_PARTS}) {
    my $post = "/api/v1/posts/$apache->{post_id}";
    my @v = (apache_variant("minimal, Debian's mpm", debian_mpm => 1),
        apache_variant('minimal'), apache_variant('+ access log', log => 1),
        apache_variant('+ rewrite routing', log => 1, rewrite => 1),
        { %{ $apache->{srv} }, name => 'shipped vhost' });
    for my $x (@v) {
        my $r = HTTP::Tiny->new->get("$x->{base}$post");
        die "bench: Apache ($x->{name}) answers $r->{status} for $post\n" unless $r->{status} == 200;
    }
    my %fig;
    for (1 .. $rounds) {
        for my $x (@v) {
            for my $p ('/bench/hello', $post) {
                push @{ $fig{ $x->{name} }{$p} }, [ wrk($x, $p) ];
            }
        }
    }
    printf "\nApache: the shipped vhost against a minimal one (median of %d rounds; CPU: Apache's us per request)\n",
        $rounds;
    printf "%-20s %10s %9s %12s %9s %14s\n", 'vhost', 'hello r/s', 'hello CPU',
        'posts/{id} r/s', 'posts CPU', 'CPU over prev.';
    my $prev;
    for my $x (@v) {
        my ($hr, $pr) = map { $fig{ $x->{name} }{$_} } '/bench/hello', $post;
        my @h = map { my $i = $_; median(map { $_->[$i] } @$hr) } 0 .. 7;
        my @p = map { my $i = $_; median(map { $_->[$i] } @$pr) } 0 .. 7;
        my $cpu = ($h[4] + $p[4]) / 2;
        printf "%-20s %10.0f %9.1f %12.0f %9.1f %14s\n", $x->{name}, $h[0], $h[4], $p[0], $p[4],
            defined $prev ? sprintf('%+.1f', $cpu - $prev) : '';
        $prev = $cpu;
    }
    for my $x (@v[0 .. 3]) {
        stop_pids($x->{pidfile});
    }
}
bench_server_stop($apache->{srv}) if $apache;

# What counting a request costs (base/metrics.h: three atomic additions
# to the process's own slot), against the CPU time a GET costs the
# programs: measured apart, since 1% is far below the rate's drift here.
my ($get) = grep { $runs{$_->[0]} && $_->[1] =~ m{^/api/v1/(posts/\d|health)} } @measured;
if ($get) {
    my $cost = `$build/bench/metrics-cost $var 2>&1`;
    my $prog_us = median(map { $_->[6] } @{ $runs{ $get->[0] } });
    if ($cost !~ /^([\d.]+)$/) {
        print "metrics: not measured: $cost";
    } elsif ($prog_us > 0) {
        my $ns = $1;
        my $share = $ns / 1000 / $prog_us;
        printf "metrics: %.0f ns a request, %.2f%% of the programs' CPU time for %s "
            . "(target < 1%%: %s)\n", $ns, 100 * $share, $get->[0],
            target('metrics: share of a GET\'s program CPU', $share, 0.01, '<') =~ /^(\S+)/;
    } else {
        printf "metrics: %.0f ns a request (no CPU time measured for %s)\n", $1, $get->[0];
    }
}

# Peak resident memory of each program (VmHWM), over every process.
print "\npeak RSS (VmHWM)\n" if $srv;
for my $prog ($srv ? qw(auth users posts) : ()) {
    my $max = 0;
    for my $pid (split ' ', `pgrep -f '$build/$prog.fcgi'`) {
        open my $s, '<', "/proc/$pid/status" or next;
        while (<$s>) { $max = $1 if /^VmHWM:\s+(\d+)/ && $1 > $max }
    }
    my $target = $prog eq 'auth' ? '' : '  ' . target("$prog.fcgi peak RSS MiB", $max / 1024, 8, '<=');
    printf "  %-10s %6.1f MiB%s\n", "$prog.fcgi", $max / 1024, $target;
}

# A cursor page deep in a large table costs what a shallow one does.  The
# cursors are written here in the format lib/pure/cursor.c reads (base64url of
# "1|sort|desc|key|id"; sort 0 is createdAt), for rows found with sqlite3.
sub cursor_at {
    my ($offset) = @_;
    my $row = `sqlite3 $var/quill.db "SELECT created_at || '|' || id FROM posts WHERE status = 'published' ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $offset"`;
    chomp $row;
    my $c = MIME::Base64::encode_base64url("1|0|1|$row");
    return $c;
}
if ($srv && !$ENV{BENCH_SKIP_DEEP}) {
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
            my ($rps) = wrk($srv, $path{$depth});
            $rate{$depth} = $rps if $rps > ($rate{$depth} // 0);
        }
    }
    my $ratio = $rate{100} ? $rate{$deep_rows} / $rate{100} : 0;
    printf "  page after row %d: %.0f req/s\n  page after row %d: %.0f req/s (%.0f%% of the shallow page; target within 20%%: %s)\n",
        100, $rate{100}, $deep_rows, $rate{$deep_rows}, 100 * $ratio,
        target('cursor page at the last row: |1 - ratio|', abs(1 - $ratio), 0.2, '<=') =~ /^(\S+)/;
}
# Search, bounded by construction (docs/posts.md): the costliest search
# the bounds accept beside a one-word search, on BENCH_SEARCH_ROWS (100,000)
# posts of varied text, in a database of their own.  The text is drawn from
# 20,000 made-up words with the frequencies of natural language (Zipf: the
# n-th commonest word about 1/n as often as the first), so a few words are
# in nearly every post.  The one-word search is the commonest word: what a
# search of one word costs at most; the candidates for the worst are built
# from the commonest words and 3-letter prefixes, up to the bounds.  Each
# is measured by wrk with BENCH_SEARCH_CONNECTIONS (2, one per process)
# for BENCH_SECONDS, twice, alternating; the median p99 is reported.
# BENCH_SKIP_SEARCH skips this.
if ($srv && !$ENV{BENCH_SKIP_SEARCH}) {
    my $rows = $ENV{BENCH_SEARCH_ROWS} // 100_000;
    my $sconns = $ENV{BENCH_SEARCH_CONNECTIONS} // 2;
    my $ss = start_server(name => 'bench-search', server => 'lighttpd', access_log => 0,
        settings => bench_settings());
    my $sdb = "$ss->{var}/quill.db";
    my $reg = api($ss, 'POST', '/api/v1/auth/register',
        json => { email => $email, password => $pw, name => 'Bench' });
    my $uid = $reg->{json}{data}{id} or die "register failed: $reg->{content}";
    printf "
search cost: seeding %d posts of varied text
", $rows;
    my @words = made_up_words(42);
    my $seed = "$ss->{var}/seed-search.sql";
    open my $f, '>', $seed or die "$seed: $!";
    print $f "CREATE TEMP TABLE vocab (i INTEGER PRIMARY KEY, w TEXT NOT NULL);\nBEGIN;\n";
    print $f "INSERT INTO vocab VALUES ($_, '$words[$_]');\n" for 0 .. $#words;
    # Word i is drawn with a probability near 1/(i+1); posts of 30 to 120
    # words, titled by their first 3 to 8.
    print $f <<"SQL";
COMMIT;
CREATE TEMP TABLE pick AS
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows),
tok(p, k) AS (SELECT i, 0 FROM n UNION ALL SELECT p, k + 1 FROM tok WHERE k < 29 + p % 91)
SELECT p, k, CAST(pow(20000, (random() & 4294967295) / 4294967296.0) AS INTEGER) - 1 AS wi FROM tok;
BEGIN;
INSERT INTO posts (author_id, title, body, status, created_at, updated_at)
SELECT $uid, group_concat(CASE WHEN k < 3 + p % 6 THEN w END, ' '), group_concat(w, ' '),
    'published', 1600000000 + p, 1600000000 + p
FROM (SELECT p, k, w FROM pick JOIN vocab ON vocab.i = pick.wi ORDER BY p, k) GROUP BY p;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
    close $f;
    system("sqlite3 $sdb < $seed > /dev/null") == 0 or die "seeding the search posts failed";
    # The commonest words, and the 3-letter prefixes of the most posts.
    my $vocab = "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, posts_fts, row);";
    my @top = split /\n/, `sqlite3 $sdb "$vocab SELECT term FROM v ORDER BY doc DESC LIMIT 8"`;
    my @pre = split /\n/, `sqlite3 $sdb "$vocab SELECT substr(term, 1, 3) FROM v WHERE length(term) >= 3 GROUP BY 1 ORDER BY sum(doc) DESC LIMIT 2"`;
    die "no words to search for" unless @top == 8 && @pre == 2;
    my %q = (
        'one word (the commonest)' => $top[0],
        '8 commonest words' => join('+', @top),
        '2 prefixes + 6 words' => join('+', (map { "$_*" } @pre), @top[0 .. 5]),
        '2 prefixes + 1 word' => join('+', (map { "$_*" } @pre), $top[0]),
        '2 prefixes' => join('+', map { "$_*" } @pre),
    );
    for my $name (sort keys %q) {
        my $r = api($ss, 'GET', "/api/v1/posts?q=$q{$name}");
        die "search $name failed: $r->{status} $r->{content}" unless $r->{status} == 200;
    }
    my %p99;
    for (1 .. 2) {
        for my $name (sort keys %q) {
            my $path = "/api/v1/posts?q=$q{$name}";
            my $cmd = "wrk -t1 -c$sconns -d${secs}s --timeout 30s --latency $ss->{base}$path 2>&1";
            my $out = `$cmd`;
            my ($v, $u) = $out =~ /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m;
            push @{ $p99{$name} }, ($v // 0) * (($u // 'ms') eq 'us' ? 0.001 : ($u // '') eq 's' ? 1000 : 1);
        }
    }
    my %med = map { $_ => median(@{ $p99{$_} }) } keys %q;
    my $one = $med{'one word (the commonest)'};
    my ($worst) = sort { $med{$b} <=> $med{$a} } grep { !/^one word/ } keys %q;
    printf "  %-26s p99 %8.1f ms   q=%s\n", $_, $med{$_}, $q{$_} for sort keys %q;
    my $ratio = $one ? $med{$worst} / $one : 0;
    printf "  worst accepted (%s): p99 %.1f ms, %.1fx the one-word search (target within 5x: %s)\n",
        $worst, $med{$worst}, $ratio,
        target('search: worst accepted p99 / one word', $ratio, 5, '<=') =~ /^(\S+)/;
    QuillTest::stop_server($ss);
}


# The mixed run: BENCH_MIX_POSTS (1,000,000) posts by BENCH_MIX_USERS
# (100,000) users, seeded straight into SQLite once and kept in
# BUILD/bench-cache/ (named by the schema, so a new migration seeds again);
# each run serves a copy.  wrk sends 80% single reads (60% a random post,
# 20% users/me with one of 1,000 users' tokens), 15% lists and searches
# (4% the newest 20, 4% an author's 20, 7% a search for one of the
# 20,000 words), 5% writes (a new post), with the rate limits lifted, at
# 32 and then 256 connections for BENCH_MIX_SECONDS (10) each, on lighttpd.
# Prints p50/p99, the errors (socket errors and any answer not 2xx) and the
# programs' peak RSS.
use Digest::SHA qw(sha256_hex hmac_sha256);
use MIME::Base64 qw(encode_base64url);

my @mix_words = made_up_words(7);

# The cached database of the mixed run, seeded when missing.
sub mix_db {
    my ($posts, $users) = @_;
    my $schema = substr(sha256_hex(map { open my $f, '<', $_ or die $!; local $/; <$f> }
        sort glob "$root/sql/*.sql"), 0, 12);
    my $cache = "$build/bench-cache/mix-$users-$posts-$schema.db";
    return $cache if -f $cache;
    make_path("$build/bench-cache");
    my $sd = QuillTest::state_dir(name => 'bench-mix-seed', settings => bench_settings());
    my $out = `QUILL_CONFIG=$sd->{conf} $build/quillctl init 2>&1`;
    die "bench: quillctl init: $out" if $?;
    my $t0 = time;
    printf "\nmixed run: seeding %d users and %d posts into %s (once; kept for the next runs)\n",
        $users, $posts, $cache;
    # Word k of post p: a fixed hash of both, into the vocabulary.
    my $word = sub { "(SELECT w FROM vocab WHERE i = (p * $_[0] + $_[1]) % 20011 % 20000)" };
    my $title = join " || ' ' || ", map { $word->(7919 + $_ * 104729, $_ * 15485863) } 1 .. 4;
    my $body = join " || ' ' || ", map { $word->(6007 + $_ * 1299709, $_ * 179424673) } 1 .. 20;
    open my $f, '>', "$sd->{var}/seed.sql" or die $!;
    # A database nobody else has open yet: no journal while it is filled,
    # WAL again (as quillctl init left it) once it is.
    print $f "PRAGMA journal_mode = OFF;\nPRAGMA synchronous = OFF;\nCREATE TEMP TABLE vocab (i INTEGER PRIMARY KEY, w TEXT NOT NULL);\nBEGIN;\n";
    print $f "INSERT INTO vocab VALUES ($_, '$mix_words[$_]');\n" for 0 .. $#mix_words;
    print $f <<"SQL";
COMMIT;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $users)
INSERT INTO users (email, name, password_hash, role, created_at, updated_at, verified_at)
SELECT 'user' || i || '\@example.com', 'User ' || i, 'not a password hash', 'user',
    1600000000 + i, 1600000000 + i, 1600000000 + i FROM n;
WITH RECURSIVE n(p) AS (SELECT 1 UNION ALL SELECT p + 1 FROM n WHERE p < $posts)
INSERT INTO posts (author_id, title, body, status, created_at, updated_at)
SELECT 1 + p * 7919 % $users, $title, $body, 'published', 1600000000 + p * 30, 1600000000 + p * 30 FROM n;
COMMIT;
PRAGMA journal_mode = WAL;
SQL
    close $f;
    system("sqlite3 $sd->{var}/quill.db < $sd->{var}/seed.sql > /dev/null") == 0
        or die "bench: seeding the mixed run's database failed\n";
    copy("$sd->{var}/quill.db", "$cache.tmp") or die "$cache: $!";
    rename "$cache.tmp", $cache or die "$cache: $!";
    remove_tree($sd->{var});
    printf "  seeded in %.0f s\n", time - $t0;
    return $cache;
}

# Sessions for $n users of the database and an access token for each,
# signed with the server's key as auth.fcgi would sign them.
sub mix_tokens {
    my ($srv, $users, $n) = @_;
    open my $k, '<', "$srv->{var}/quill.key" or die $!;
    my ($hex) = <$k> =~ /^([0-9a-fA-F]+)/;
    my $key = pack 'H*', $hex;
    my $now = int time;
    my @uid = map { 1 + ($_ * 99991) % $users } 1 .. $n;
    open my $f, '>', "$srv->{var}/sessions.sql" or die $!;
    print $f "BEGIN;\n";
    print $f "INSERT INTO sessions (user_id, kind, user_agent, ip, created_at, last_used_at, "
        . "idle_expires_at, expires_at) VALUES ($_, 'token', 'wrk', '127.0.0.1', $now, $now, "
        . ($now + 86400) . ", " . ($now + 30 * 86400) . ");\n" for @uid;
    print $f "COMMIT;\nSELECT id, user_id FROM sessions WHERE user_agent = 'wrk' ORDER BY id;\n";
    close $f;
    my @rows = map { [ split /\|/ ] } split /\n/, `sqlite3 $srv->{var}/quill.db < $srv->{var}/sessions.sql`;
    die "bench: sessions for the mixed run: got " . scalar(@rows) . "\n" unless @rows == $n;
    my $head = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
    return map {
        my ($sid, $uid) = @$_;
        my $p = encode_base64url($canon->encode({ aud => 'quill-api', exp => $now + 3600,
            iat => $now, iss => $issuer, jti => substr(sha256_hex("$sid"), 0, 32),
            role => 'user', sid => $sid + 0, sub => $uid + 0, typ => 'access', ver => 1 }));
        "$head.$p." . encode_base64url(hmac_sha256("$head.$p", $key));
    } @rows;
}

if (!$ENV{BENCH_SKIP_MIX}) {
    my $posts = $ENV{BENCH_MIX_POSTS} // 1_000_000;
    my $users = $ENV{BENCH_MIX_USERS} // 100_000;
    my $msecs = $ENV{BENCH_MIX_SECONDS} // 10;
    my $db = mix_db($posts, $users);
    my $t0 = time;
    my $ms = start_server(name => 'bench-mix', server => 'lighttpd', access_log => 0,
        settings => bench_settings(), before_start => sub {
            copy($db, "$_[0]/quill.db") or die "copy $db: $!";
        });
    $ms->{backends} = [];
    my @tokens = mix_tokens($ms, $users, 1000);
    my $me = api($ms, 'GET', '/api/v1/users/me', token => $tokens[-1]);
    die "bench: a minted token is refused: $me->{status} $me->{content}\n" unless $me->{status} == 200;
    my $lua = "$ms->{var}/mix.lua";
    open my $f, '>', $lua or die $!;
    print $f "local tokens = {\n", (map { "\"$_\",\n" } @tokens), "}\n";
    my @sw = @mix_words[map { $_ * 7 % 20_000 } 1 .. 500];
    print $f "local words = {", join(',', map { "\"$_\"" } @sw), "}\n";
    print $f <<"LUA";
local posts, users = $posts, $users
local body = '{"title":"Mixed load","body":"A post written under the mixed load.","status":"published"}'
local n = 0
function setup(thread) n = n + 1; thread:set("seed", n) end
function init(args) math.randomseed(os.time() * 1000 + seed) end
function request()
  local r = math.random(100)
  if r <= 60 then
    return wrk.format("GET", "/api/v1/posts/" .. math.random(posts))
  elseif r <= 80 then
    return wrk.format("GET", "/api/v1/users/me",
      { Authorization = "Bearer " .. tokens[math.random(#tokens)] })
  elseif r <= 84 then
    return wrk.format("GET", "/api/v1/posts?limit=20")
  elseif r <= 88 then
    return wrk.format("GET", "/api/v1/users/" .. math.random(users) .. "/posts?limit=20")
  elseif r <= 95 then
    return wrk.format("GET", "/api/v1/posts?q=" .. words[math.random(#words)] .. "&limit=20")
  else
    return wrk.format("POST", "/api/v1/posts", { Authorization = "Bearer " ..
      tokens[math.random(#tokens)], ["Content-Type"] = "application/json" }, body)
  end
end
LUA
    close $f;
    # A search the script sends must answer 200 with posts.
    my $sr = api($ms, 'GET', "/api/v1/posts?q=$sw[0]&limit=20");
    die "bench: mixed search: $sr->{status}\n" unless $sr->{status} == 200 && @{ $sr->{json}{data} };
    printf "\nmixed run on lighttpd: %d posts, %d users, %.0f s to start; 80%% reads, 15%% lists and searches, 5%% writes, %d s each\n",
        $posts, $users, time - $t0, $msecs;
    printf "%-12s %8s %8s %8s %8s  %s\n", 'connections', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'target';
    for my $c (32, 256) {
        my @m = wrk($ms, '/', $lua, conns => $c, secs => $msecs);
        my $t = $c == 256 ? join('; ', target('mixed run at 256: errors', $m[3], 0, '<='),
            target('mixed run at 256: p99 ms', $m[2], 50, '<=')) : '';
        printf "%-12d %8.0f %8.2f %8.2f %8d  %s\n", $c, @m[0 .. 3], $t;
    }
    print "peak RSS under the mixed load (VmHWM)\n";
    for my $prog (qw(auth users posts)) {
        my $max = 0;
        for my $pid (serving($ms, $prog), serving($ms, $prog, 1)) {
            open my $s, '<', "/proc/$pid/status" or next;
            while (<$s>) { $max = $1 if /^VmHWM:\s+(\d+)/ && $1 > $max }
        }
        my $t = $prog eq 'auth' ? '' : '  ' . target("mixed run: $prog.fcgi peak RSS MiB", $max / 1024, 8, '<=');
        printf "  %-10s %6.1f MiB%s\n", "$prog.fcgi", $max / 1024, $t;
    }
    QuillTest::stop_server($ms);
    remove_tree($ms->{var});
}

bench_server_stop($srv) if $srv;
print "\ntargets (docs/performance.md)\n";
printf "  %-55s %9.2f  %-8s %s\n", $_->[0], $_->[1], $_->[2], $_->[3] ? 'met' : 'MISSED' for @targets;
printf "\nmake bench took %.0f s\n", time - $started;
