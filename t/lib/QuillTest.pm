package QuillTest;
# Test helpers: start a real web server with the real programs on a free
# loopback port and a fresh database, and talk HTTP to it.  The server is
# lighttpd, or Apache when QUILL_TEST_SERVER=apache: every test runs
# unchanged against either.  QUILL_TEST_LAYOUT chooses the configuration
# it serves (tools/run.sh has them): for lighttpd dev (the default) or
# production (lighttpd/quill.conf over HTTPS); for Apache proxy (the
# default: apache/quill.conf's vhost), cgi, fcgid or shared-cgi (the
# .htaccess layout).  QUILL_TEST_DB=postgresql runs the programs on
# PostgreSQL instead of SQLite: a throwaway cluster of the test's own
# (initdb into a temporary directory, a unix socket only, run as the
# postgres user when the test runs as root), a database in it for each
# state directory, stopped when the test ends (also on SIGINT/SIGTERM).
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(remove_tree make_path);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Test::More;
use Exporter 'import';

our @EXPORT = qw(start_server api json_body raw_request connect_to cgi_request register verify_account
    login quillctl log_text root build_dir build_vars fresh_email test_server tls_cert
    program_of state_dir free_port contract_record workers test_layout
    note_secrets access_log_text access_log_leaks serving started_workers
    test_db db_sql pg_cluster pg_ctl state_path edit_file edit_htaccess);

my $root = abs_path(dirname(__FILE__) . '/../..');
my $build = abs_path($ENV{QUILL_BUILD} // "$root/build");
my $json = JSON::PP->new->canonical->allow_nonref;
my @servers;
my $seq = 0;
my $test_server = $ENV{QUILL_TEST_SERVER} || 'lighttpd';
die "QUILL_TEST_SERVER must be lighttpd or apache, not $test_server\n"
    unless $test_server =~ /^(lighttpd|apache)$/;

my $test_db = $ENV{QUILL_TEST_DB} || 'sqlite';
die "QUILL_TEST_DB must be sqlite or postgresql, not $test_db\n"
    unless $test_db =~ /^(sqlite|postgresql)$/;

my %layouts = (lighttpd => [qw(dev production)],
    apache => [qw(proxy cgi fcgid shared-cgi)]);
my $test_layout = $ENV{QUILL_TEST_LAYOUT} || $layouts{$test_server}[0];
die "QUILL_TEST_LAYOUT for $test_server must be one of "
    . join(', ', @{ $layouts{$test_server} }) . ", not $test_layout\n"
    unless grep { $_ eq $test_layout } @{ $layouts{$test_server} };

sub root { $root }

# The engine the suite runs on: sqlite or postgresql (QUILL_TEST_DB).
sub test_db { $test_db }

# The throwaway PostgreSQL cluster of this test, started on first use:
# { dir => its directory (the socket's too), bin => PostgreSQL's programs }.
my $pg;
my $pg_dbs = 0;

# Runs one of PostgreSQL's programs as the cluster's owner; returns its
# exit status (output to $log, or the test's stderr).
sub pg_run {
    my ($log, @cmd) = @_;
    my @as = $> == 0 ? ('runuser', '-u', 'postgres', '--') : ();
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        if (defined $log) {
            open STDOUT, '>>', $log or die "$log: $!";
            open STDERR, '>&', \*STDOUT or die "stderr: $!";
        }
        exec @as, @cmd or die "$cmd[0]: $!";
    }
    waitpid $pid, 0;
    return $?;
}

sub pg_cluster {
    return $pg if $pg;
    my ($bin) = reverse sort glob '/usr/lib/postgresql/*/bin';
    die "QUILL_TEST_DB=postgresql: no PostgreSQL server (make deps installs postgresql-15)\n"
        unless $bin && -x "$bin/initdb";
    my $dir = tempdir('quill-pg-XXXXXX', TMPDIR => 1);
    chmod 0755, $dir;
    if ($> == 0) {
        my (undef, undef, $uid, $gid) = getpwnam('postgres')
            or die "QUILL_TEST_DB=postgresql as root needs the postgres user\n";
        chown $uid, $gid, $dir or die "chown $dir: $!";
    }
    $pg = { dir => $dir, bin => $bin, owner => $$ };
    # C order for text (as SQLite's), UTF-8 letters for lower() and the
    # search's [:alnum:].
    pg_run("$dir/initdb.log", "$bin/initdb", '-D', "$dir/data", '-U', 'postgres',
        '--auth=trust', '--encoding=UTF8', '--lc-collate=C', '--lc-ctype=C.UTF-8',
        '--no-sync') == 0 or die "initdb failed: see $dir/initdb.log\n";
    for my $sig (qw(INT TERM)) {
        $SIG{$sig} = sub { pg_stop(); $SIG{$sig} = 'DEFAULT'; kill $sig, $$; };
    }
    pg_ctl('start') == 0 or die "PostgreSQL did not start: see $dir/log\n";
    pg_run("$dir/compat.log", "$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $dir,
        '-U', 'postgres', '-d', 'template1', '-f', "$root/t/lib/sqlite-compat.sql") == 0
        or die "the SQLite functions for the tests: see $dir/compat.log\n";
    return $pg;
}

# pg_ctl start|stop|restart on the test's cluster (a unix socket in its
# directory, no TCP, no fsync: it is thrown away); returns the exit status.
sub pg_ctl {
    my ($what) = @_;
    my $c = pg_cluster();
    my @o = $what eq 'stop' ? ('-m', 'fast') : ('-o',
        "-c listen_addresses='' -c unix_socket_directories=$c->{dir} -c fsync=off "
        . "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
        '-l', "$c->{dir}/log");
    return pg_run("$c->{dir}/pg_ctl.log", "$c->{bin}/pg_ctl", '-D', "$c->{dir}/data",
        '-w', '-t', '60', @o, $what);
}

sub pg_stop {
    return unless $pg && $pg->{owner} == $$;
    pg_run("$pg->{dir}/pg_ctl.log", "$pg->{bin}/pg_ctl", '-D', "$pg->{dir}/data",
        '-m', 'immediate', '-w', 'stop');
    remove_tree($pg->{dir});
    undef $pg;
}

# A fresh database in the cluster; returns QUILL_DB for it.
sub pg_database {
    my $c = pg_cluster();
    my $name = sprintf 'quill_%d_%d', $$, $pg_dbs++;
    pg_run("$c->{dir}/createdb.log", "$c->{bin}/createdb", '-h', $c->{dir},
        '-U', 'postgres', $name) == 0 or die "createdb $name failed\n";
    return "host=$c->{dir} dbname=$name user=postgres";
}

# Runs SQL on the database of $srv (a server or a state_dir) with the
# engine's own client (sqlite3 with foreign keys on and a lock wait, or
# psql); returns its output, rows as lines, columns joined by |.  Dies when
# the client fails.  For PostgreSQL, SQLite's X'..' blobs and hex(column),
# length(CAST(column AS BLOB)), char(N) and INTEGER PRIMARY KEY are
# written in its dialect (t/lib/sqlite-compat.sql has SQLite's functions),
# and booleans are read as 1 and 0; ".dump" dumps the database either way.
sub db_sql {
    my ($srv, $sql) = @_;
    my $db = conf_value($srv->{conf}, 'QUILL_DB');
    my @cmd;
    if ($db =~ m{^postgres(ql)?://|^\s*\w+\s*=}) {
        my $bin = $pg ? $pg->{bin} : '/usr/bin';
        if ($sql eq '.dump') {
            @cmd = ("$bin/pg_dump", '-d', $db);
        } else {
            $sql =~ s/\bX'([0-9A-Fa-f]*)'/'\\x$1'::bytea/g;
            $sql =~ s/\bhex\(([\w.]+)\)/upper(encode($1, 'hex'))/g;
            $sql =~ s/\blength\(CAST\(([\w.]+) AS BLOB\)\)/octet_length($1)/gi;
            $sql =~ s/\bchar\((\d+)\)/chr($1)/g;
            $sql =~ s/\bINTEGER PRIMARY KEY\b/bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY/g;
            @cmd = ("$bin/psql", '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
                '-d', $db, '-c', $sql);
        }
    } else {
        @cmd = ('sqlite3', '-batch', '-cmd', 'PRAGMA foreign_keys=ON', '-cmd',
            '.timeout 5000', $db, $sql);
    }
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if ($pid == 0) {
        open STDERR, '>&', \*STDOUT;
        exec @cmd or die "$cmd[0]: $!";
    }
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    die "$cmd[0] failed on $sql: $out" if $?;
    # Booleans as SQLite writes them.
    $out =~ s/(^|\|)([tf])(?=\||$)/$1 . ($2 eq 't' ? 1 : 0)/gme if $cmd[0] =~ /psql$/;
    return $out;
}

# The path the local files of $srv (a server or a state_dir) are named
# after (PATH.argon2.lock, PATH.metrics): its SQLite database, or on
# PostgreSQL its key file (config_state_path).
sub state_path {
    my ($srv) = @_;
    return $test_db eq 'postgresql' ? "$srv->{var}/quill.key" : "$srv->{var}/quill.db";
}

# The value of setting $name in the settings file $conf.
sub conf_value {
    my ($conf, $name) = @_;
    open my $fh, '<', $conf or die "$conf: $!";
    while (my $line = <$fh>) {
        return $1 if $line =~ /^\Q$name\E=(.*)$/;
    }
    return undef;
}
sub build_dir { $build }

# The variables that make needs to add to the build under test without
# rebuilding it otherwise: its directory, and the sanitizers it was built
# with (make test-asan sets QUILL_SAN).
sub build_vars {
    return ("BUILD=$build", ($ENV{QUILL_SAN} // '') ne '' ? "SAN=$ENV{QUILL_SAN}" : ());
}

# The web server the suite runs against: lighttpd or apache.
sub test_server { $test_server }

# The configuration of test_server() that start_server serves by default
# (QUILL_TEST_LAYOUT).
sub test_layout { $test_layout }

# The self-signed certificate for 127.0.0.1 and localhost (made by
# `make cert`, or here when missing): (certificate, key) paths.
sub tls_cert {
    my $dir = $ENV{QUILL_TLS_DIR} || "$root/var/tls";
    my ($crt, $key) = ("$dir/localhost.crt", "$dir/localhost.key");
    unless (-f $crt && -f $key) {
        my $out = `sh $root/tools/make-cert.sh $dir 2>&1`;
        die "no certificate:\n$out" if $?;
    }
    return ($crt, $key);
}

# Every response the tests receive is appended to
# $build/contract/<test>.jsonl, one JSON object a line; t/99-contract.t
# validates them all against docs/openapi.yaml.  Each test file starts its
# own record afresh.
my $test_name = $0 =~ s{.*/}{}r =~ s/\.t$//r;
my $contract_file = "$build/contract/$test_name.jsonl";
make_path("$build/contract");
unlink $contract_file;

# contract_record(METHOD, PATH, response[, form => BOOL]) records one
# exchange: PATH is the request target as sent (with the query), the response
# as api() returns it; form, when known, whether the body was a form (only a
# form's ?_method is served as that method).
sub contract_record {
    my ($method, $path, $res, %o) = @_;
    # HTTP::Tiny's own failures (599: no connection, a time-out) are no
    # answer of the server's.
    return if $res->{status} == 599 && ($res->{reason} // '') eq 'Internal Exception';
    my $line = JSON::PP->new->canonical->encode({
        test => $test_name, method => $method, path => $path,
        status => $res->{status} + 0, headers => $res->{headers} // {},
        body => encode_base64($res->{content} // '', ''),
        exists $o{form} ? (form => $o{form} ? JSON::PP::true : JSON::PP::false) : (),
    }) . "\n";
    # One write on an O_APPEND file: lines of forked children never mix.
    open my $fh, '>>', $contract_file or die "$contract_file: $!";
    syswrite($fh, $line) == length $line or die "$contract_file: $!";
    close $fh;
}

# A port nobody listens on right now.
sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
        Proto => 'tcp', Listen => 1) or die "no free port: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

# The lighttpd lines that replace fastcgi.server, for start_server's
# backends option: { posts => { procs => 8, wrap => sub { ($var, $bin) ->
# shell script text } } }.  A wrapped program is started through the
# script, which must exec the program in the end.
sub fastcgi_conf {
    my ($var, $port, $backends) = @_;
    my $conf = "fastcgi.server := (\n";
    for my $prog (qw(auth users posts)) {
        my $b = $backends->{$prog} // {};
        my $bin = "$build/$prog.fcgi";
        if ($b->{wrap}) {
            my $script = "$var/run-$prog.sh";
            open my $fh, '>', $script or die "$script: $!";
            print $fh "#!/bin/sh\n", $b->{wrap}->($var, $bin), "\n";
            close $fh;
            chmod 0755, $script;
            $bin = $script;
        }
        $conf .= qq{\t"/api/v1/$prog" => ((\n}
            . qq{\t\t"socket" => "$var/run/$prog.sock",\n}
            . qq{\t\t"bin-path" => "$bin",\n}
            # min-procs: lighttpd starts at most 4 until load grows.
            . qq{\t\t"min-procs" => } . ($b->{procs} // 2) . ",\n"
            . qq{\t\t"max-procs" => } . ($b->{procs} // 2) . ",\n"
            . qq{\t\t"bin-environment" => ( "QUILL_CONFIG" => "$var/quill.conf",\n}
            . qq{\t\t    "QUILL_PUBLIC_ORIGIN" => "http://127.0.0.1:$port" ),\n}
            . qq{\t\t"check-local" => "disable",\n\t)),\n};
    }
    return "$conf)\n";
}

# Every secret the suite was handed (tokens, session cookies, reset codes)
# and every state directory a server may have logged in: at the end, no
# web server's access log may hold one of the secrets (a secret in a URL or
# a Referer lands there, and access logs are kept and shared far more
# loosely than the database).
my %secrets;
my @state_dirs;

# note_secrets(TEXT...): secrets the suite created, which no access log
# may hold.  api() and raw_request() note those of every answer.
sub note_secrets {
    $secrets{$_} = 1 for grep { defined && !ref && length >= 16 } @_;
}

# The secrets an answer hands out: tokens in its data, the session cookie.
sub response_secrets {
    my ($res) = @_;
    my $d = ref $res->{json} eq 'HASH' ? $res->{json}{data} : undef;
    # Copies, not the elements: a sub's arguments would create them.
    note_secrets(map { my $v = $d->{$_}; $v } grep { exists $d->{$_} }
        qw(accessToken refreshToken csrfToken)) if ref $d eq 'HASH';
    my $sc = $res->{headers}{'set-cookie'} // [];
    note_secrets(map { /^__Host-quill_session=([^;]+)/ ? $1 : () } ref $sc ? @$sc : ($sc));
}

# The text of every access log the web server of state directory $var
# wrote (lighttpd's and Apache's, of any layout).
sub access_log_text {
    my ($var) = @_;
    return join '', map { open my $fh, '<', $_ or die "$_: $!"; local $/; <$fh> // '' }
        grep { -f } glob "$var/log/*access*.log";
}

# The secrets noted so far that appear in the access logs of a server.
sub access_log_leaks {
    my ($srv) = @_;
    my $text = access_log_text($srv->{var});
    return grep { index($text, $_) >= 0 } sort keys %secrets;
}

# start_server(settings => { QUILL_X => 'v' }) -> server hashref
# Also: server => 'lighttpd'|'apache' (default: QUILL_TEST_SERVER),
# mode => the configuration (lighttpd: 'dev'|'production'; Apache:
# 'proxy'|'cgi'|'fcgid'|'shared-cgi'; see tools/run.sh; default:
# QUILL_TEST_LAYOUT for QUILL_TEST_SERVER), tls => 1 (HTTPS with
# tls_cert(); lighttpd's production layout always has it), htdocs => 1 (a
# copy of the static pages in VAR/htdocs, for before_start to add to),
# before_start => sub { my ($var) = @_; ... } (runs before the server).
# access_log => 0 (lighttpd without the access log a test server
# otherwise keeps).  For Apache's shared-hosting modes (fcgid, shared-cgi):
# host => 'all' (AllowOverride All instead of the least the guide asks
# for) or 'norewrite' (no mod_rewrite), suexec => NAME and apache_user => NAME (the programs run as the
# first through suEXEC, Apache as the second; tools/run.sh), and with
# those, first_run => 1 (the bundle as uploaded: no database, the setup page).
# state_dir(name => 'x', settings => {...}) -> { var, conf }: a fresh
# state directory under the build directory with its quill.conf (database
# and key inside it), for a server or for quillctl alone.
sub state_dir {
    my (%o) = @_;
    my $name = $o{name} // ($0 =~ s{.*/}{}r =~ s/\.t$//r);
    my $var = "$build/test-var/$name-$$-" . $seq++;
    remove_tree($var);
    make_path($var);
    my %set = (
        QUILL_DB => $test_db eq 'postgresql' ? pg_database() : "$var/quill.db",
        QUILL_KEY_FILE => "$var/quill.key",
        QUILL_PASSWORD_BLOCKLIST => "$root/etc/common-passwords.txt",
        # The cheapest Argon2id parameters keep the suite fast; the
        # production default is libsodium's INTERACTIVE.
        QUILL_ARGON2_OPSLIMIT => 1,
        QUILL_ARGON2_MEMLIMIT_KIB => 8,
        # Every test talks from 127.0.0.1, so the per-address limits are
        # raised; t/53-ratelimit.t tests the real ones.  A setting given
        # as undef is left out, so the built-in default applies.
        QUILL_RATE_LOGIN => '100000/60',
        QUILL_RATE_REGISTER => '100000/60',
        QUILL_RATE_FORGOT => '100000/60',
        QUILL_RATE_WRITE => '100000/60',
        QUILL_MAIL_SPOOL => "$var/mail",
        # Mail goes into the spool even where /usr/sbin/sendmail exists,
        # which an unset QUILL_SENDMAIL would use.
        QUILL_SENDMAIL => '',
        %{ $o{settings} // {} },
    );
    open my $fh, '>', "$var/quill.conf" or die "$var/quill.conf: $!";
    print $fh "$_=$set{$_}\n" for grep { defined $set{$_} } sort keys %set;
    close $fh;
    push @state_dirs, $var;
    return { var => $var, conf => "$var/quill.conf" };
}

sub start_server {
    my (%o) = @_;
    my $server = $o{server} // $test_server;
    my $mode = $o{mode}
        // ($server eq $test_server ? $test_layout : $layouts{$server}[0]);
    my $var = state_dir(name => $o{name}, settings => $o{settings})->{var};
    # lighttpd's development configuration keeps no access log; a test
    # server keeps one, as production does (access_log => 0: none).
    if ($server eq 'lighttpd' && ($o{access_log} // 1)) {
        open my $fh, '>>', "$var/lighttpd-extra.conf" or die "$var: $!";
        print $fh qq{server.modules += ( "mod_accesslog" )\n}
            . qq{accesslog.filename = "$var/log/lighttpd-access.log"\n};
        close $fh;
    }
    my %env;
    $env{QUILL_APACHE_HOST} = $o{host} if $o{host};
    $env{QUILL_SUEXEC_USER} = $o{suexec} if $o{suexec};
    $env{QUILL_APACHE_USER} = $o{apache_user} if $o{apache_user};
    $env{QUILL_FIRST_RUN} = 1 if $o{first_run};
    if ($o{htdocs}) {
        make_path("$var/htdocs");
        system('cp', '-R', glob("$root/htdocs/*"), "$var/htdocs/") == 0
            or die "cannot copy htdocs to $var/htdocs\n";
        $env{QUILL_HTDOCS} = "$var/htdocs";
    }
    $o{before_start}->($var) if $o{before_start};
    my $port = free_port();
    if ($o{backends}) {
        die "backends: lighttpd's dev layout only"
            unless $server eq 'lighttpd' && $mode eq 'dev';
        open my $fh, '>>', "$var/lighttpd-extra.conf" or die "$var: $!";
        print $fh fastcgi_conf($var, $port, $o{backends});
        close $fh;
    }
    my $scheme = 'http';
    $o{tls} = 1 if $mode eq 'production';
    if ($o{tls}) {
        @env{qw(QUILL_TLS_CERT QUILL_TLS_KEY)} = tls_cert();
        $scheme = 'https';
    }
    # lighttpd's production layout redirects plain HTTP from this port.
    $env{QUILL_HTTP_PORT} = free_port() if $mode eq 'production';
    my $out = do {
        local @ENV{keys %env} = values %env;
        `sh $root/tools/run.sh start $build $var $port $server $mode 2>&1`;
    };
    die "$server did not start:\n$out" if $?;
    my $srv = { var => $var, port => $port, server => $server, mode => $mode,
        base => "$scheme://127.0.0.1:$port", conf => "$var/quill.conf",
        tls => $o{tls} ? 1 : 0, http_port => $env{QUILL_HTTP_PORT} };
    if ($o{tls}) {
        $srv->{http} = HTTP::Tiny->new(timeout => 30, max_redirect => 0,
            agent => 'quill-test/1', keep_alive => 0, verify_SSL => 1,
            SSL_options => { SSL_ca_file => $env{QUILL_TLS_CERT} });
    }
    push @servers, $srv;
    return $srv;
}

# The process ids of the program's FastCGI processes that the server's
# lighttpd started (prog: auth, users or posts), in ascending order: the
# supervisors, which keep the socket (serving() has their workers).
sub workers {
    my ($srv, $prog) = @_;
    open my $pf, '<', "$srv->{var}/run/lighttpd.pid" or return ();
    my $lighttpd = <$pf> // '';
    close $pf;
    chomp $lighttpd;
    my @pids;
    opendir my $dh, '/proc' or die "/proc: $!";
    for my $pid (grep { /^\d+$/ } readdir $dh) {
        open my $st, '<', "/proc/$pid/stat" or next;
        my $stat = <$st> // '';
        close $st;
        # pid (comm) state ppid ...: comm may hold spaces, so from the ')'.
        my ($ppid) = $stat =~ /\)\s+\S+\s+(\d+)/ or next;
        next unless $ppid eq $lighttpd;
        open my $cl, '<', "/proc/$pid/cmdline" or next;
        my $cmd = do { local $/; <$cl> } // '';
        close $cl;
        push @pids, $pid if $cmd =~ m{/\Q$prog\E\.fcgi(\0|$)};
    }
    closedir $dh;
    return sort { $a <=> $b } @pids;
}

# The processes of the program that serve its requests, under any web
# server and layout: each FastCGI process a server starts is a supervisor
# that runs the program in a child, its worker (lib/web/worker.h); these are
# the workers, found as the processes of the program (prog: auth, users or
# posts; started with the server's settings file) whose parent runs the
# same program.  In ascending order.  With $supervisors true: the
# supervisors instead.
sub serving {
    my ($srv, $prog, $supervisors) = @_;
    my %parent;
    for my $dir (glob '/proc/[0-9]*') {
        my ($pid) = $dir =~ m{(\d+)$};
        open my $cl, '<', "$dir/cmdline" or next;
        my $cmd = do { local $/; <$cl> } // '';
        close $cl;
        next unless $cmd =~ m{/\Q$prog\E\.fcgi(\0|$)};
        open my $ev, '<', "$dir/environ" or next;
        my $env = do { local $/; <$ev> } // '';
        close $ev;
        next unless "\0$env" =~ /\0QUILL_CONFIG=\Q$srv->{conf}\E\0/;
        open my $st, '<', "$dir/stat" or next;
        my ($ppid) = (<$st> // '') =~ /\)\s+\S+\s+(\d+)/;
        close $st;
        $parent{$pid} = $ppid if defined $ppid;
    }
    # A worker's parent is its supervisor, a process of the same program.
    return sort { $a <=> $b } grep { !exists $parent{ $parent{$_} } } keys %parent
        if $supervisors;
    return sort { $a <=> $b } grep { exists $parent{ $parent{$_} } } keys %parent;
}

# The workers of program $prog, at least $want of them (default: one for
# each supervisor), once
# each has started (and confined itself, which its start line follows):
# waits up to 10 s for those still starting.
sub started_workers {
    my ($srv, $prog, $want) = @_;
    my @w;
    for (1 .. 1000) {
        @w = serving($srv, $prog);
        # By default, a worker for every supervisor the server started.
        my $n = $want // scalar(my @s = serving($srv, $prog, 1));
        $n = 1 if $n < 1;
        my $starts = () = log_text($srv) =~ /"program":"$prog","event":"start"/g;
        last if @w >= $n && $starts >= @w;
        select(undef, undef, undef, 0.01);
    }
    return @w;
}

sub stop_server {
    my ($srv) = @_;
    return if $srv->{stopped}++;
    system("sh $root/tools/run.sh stop $build $srv->{var} $srv->{port} >/dev/null 2>&1");
}

# Everything the programs wrote to stderr (the JSON log lines).
sub log_text {
    my ($srv) = @_;
    open my $fh, '<', "$srv->{var}/log/quill.log" or return '';
    local $/;
    return <$fh>;
}

# The program that logged the request with this X-Request-Id, or undef.
sub program_of {
    my ($srv, $rid) = @_;
    my ($line) = grep { /"event":"request"/ && /"requestId":"\Q$rid\E"/ }
        split /\n/, log_text($srv);
    return undef unless defined $line;
    return ($line =~ /"program":"(\w+)"/)[0];
}

END {
    my $status = $?;
    for my $srv (@servers) {
        stop_server($srv);
        my $log = log_text($srv);
        if ($log =~ /(AddressSanitizer|LeakSanitizer|runtime error:)/) {
            diag("sanitizer report in $srv->{var}/log/quill.log:\n" .
                substr($log, $-[0], 4000));
            $status ||= 1;
        }
    }
    for my $var (@state_dirs) {
        my @leaked = access_log_leaks({ var => $var });
        next unless @leaked;
        diag("secrets in the access log of $var/log/: "
            . join(', ', map { substr($_, 0, 12) . '...' } @leaked));
        $status ||= 1;
    }
    pg_stop();
    $? = $status;
}

# HTTP::Tiny writes a request's head and body apart; with Nagle's algorithm
# the body then waits for the server's delayed ACK, 40 ms a POST.  Sending
# each write at once keeps the suite fast.
{
    no warnings 'redefine';
    my $connect = \&HTTP::Tiny::Handle::connect;
    *HTTP::Tiny::Handle::connect = sub {
        my $h = $connect->(@_);
        setsockopt($h->{fh}, IPPROTO_TCP, TCP_NODELAY, 1) if $h && $h->{fh};
        return $h;
    };
}

# A connection per request: a kept connection that the server closes
# while idle (lighttpd after 5 s) fails the next request sent on it.
my $http = HTTP::Tiny->new(timeout => 30, max_redirect => 0,
    agent => 'quill-test/1', keep_alive => 0);

# api($srv, METHOD, PATH, json => {...} | form => {...} | body => '...',
#     headers => {...}, token => '...') -> response hashref with ->{json}
sub api {
    my ($srv, $method, $path, %o) = @_;
    my %h = %{ $o{headers} // {} };
    my $content;
    if (exists $o{json}) {
        $content = ref $o{json} ? $json->encode($o{json}) : $o{json};
        $h{'content-type'} //= 'application/json';
    } elsif (exists $o{form}) {
        $content = $http->www_form_urlencode($o{form});
        $h{'content-type'} //= 'application/x-www-form-urlencoded';
    } elsif (exists $o{body}) {
        $content = $o{body};
    }
    $h{authorization} = "Bearer $o{token}" if defined $o{token};
    my $res = ($srv->{http} // $http)->request($method, $srv->{base} . $path,
        { headers => \%h, defined $content ? (content => $content) : () });
    # A POST's X-HTTP-Method-Override of PUT, PATCH or DELETE is served as
    # that method (docs/openapi.yaml): the contract checks it as one.
    my ($override) = map { $h{$_} } grep { lc $_ eq 'x-http-method-override' } keys %h;
    my ($type) = map { $h{$_} } grep { lc $_ eq 'content-type' } keys %h;
    contract_record($method eq 'POST' && ($override // '') =~ /^(PUT|PATCH|DELETE)$/
        ? $override : $method, $path, $res,
        form => (($type // '') =~ m{^(?:application/x-www-form-urlencoded|multipart/form-data)}i ? 1 : 0));
    $res->{json} = json_body($res);
    response_secrets($res);
    return $res;
}

# The decoded JSON body of a response, or undef.
sub json_body {
    my ($res) = @_;
    return undef unless ($res->{headers}{'content-type'} // '') =~ m{^application/json};
    return eval { $json->decode($res->{content}) };
}

# A connection to the server: plain TCP, or TLS (the certificate verified)
# when it serves HTTPS, with IO::Socket::SSL's options %ssl besides.  Dies
# when it cannot connect.
sub connect_to {
    my ($srv, %ssl) = @_;
    my %peer = (PeerAddr => '127.0.0.1', PeerPort => $srv->{port},
        Proto => 'tcp', Timeout => 10);
    if (!$srv->{tls}) {
        return IO::Socket::INET->new(%peer) || die "connect: $!";
    }
    require IO::Socket::SSL;
    return IO::Socket::SSL->new(%peer, SSL_ca_file => (tls_cert())[0],
        SSL_verifycn_name => '127.0.0.1', SSL_verifycn_scheme => 'http', %ssl)
        || die "TLS connect: $IO::Socket::SSL::SSL_ERROR\n";
}

# Sends raw bytes and returns { status, headers (lowercased), content, json,
# head (the status line and header lines as received) }.
sub raw_request {
    my ($srv, $bytes) = @_;
    my $s = connect_to($srv);
    print $s $bytes;
    # TLS has no half-close: the requests say Connection: close instead.
    shutdown($s, 1) unless $srv->{tls};
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($head, $body) = split /\r\n\r\n/, $resp, 2;
    my ($status_line, @lines) = split /\r\n/, $head // '';
    my ($status) = ($status_line // '') =~ m{^HTTP/\d\.\d (\d{3})};
    my %hdr;
    for (@lines) { my ($k, $v) = split /:\s*/, $_, 2; $hdr{lc $k} = $v; }
    $body //= '';
    # The raw bytes as sent; for json, the body without chunked framing.
    my $content = $body;
    if (($hdr{'transfer-encoding'} // '') =~ /chunked/i) {
        $content = '';
        while ($body =~ s/\A([0-9a-fA-F]+)[^\r\n]*\r\n//) {
            my $n = hex $1;
            last if $n == 0;
            $content .= substr($body, 0, $n, '');
            $body =~ s/\A\r\n//;
        }
    }
    my $r = { status => $status // 0, headers => \%hdr, content => $content,
        head => $head // '' };
    contract_record($bytes =~ m{^(\S+) (\S+)} ? ($1, $2) : ('', ''), $r);
    $r->{json} = json_body($r);
    response_secrets($r);
    return $r;
}

# Runs program $prog (auth, users, posts) once as plain CGI with the server's
# configuration: cgi_request($srv, $prog, METHOD, URI, body => '...',
# type => 'application/json', no_length => 1, env => { NAME => value or
# undef }).  Returns { status, headers (lowercased), content, json, head,
# exit }.
sub cgi_request {
    my ($srv, $prog, $method, $uri, %o) = @_;
    my $body = $o{body} // '';
    my $in = "$srv->{var}/cgi-in.$$";
    open my $fh, '>', $in or die $!; print $fh $body; close $fh;
    my ($path, $query) = split /\?/, $uri, 2;
    local %ENV = (PATH => $ENV{PATH}, QUILL_CONFIG => $srv->{conf},
        GATEWAY_INTERFACE => 'CGI/1.1', SERVER_PROTOCOL => 'HTTP/1.1',
        REQUEST_METHOD => $method, REQUEST_URI => $uri,
        SCRIPT_NAME => $path, QUERY_STRING => $query // '',
        REMOTE_ADDR => '127.0.0.1',
        map { defined $ENV{$_} ? ($_ => $ENV{$_}) : () } qw(ASAN_OPTIONS UBSAN_OPTIONS));
    if (length $body || $o{type}) {
        $ENV{CONTENT_TYPE} = $o{type} // 'application/json';
        $ENV{CONTENT_LENGTH} = length $body unless $o{no_length};
    }
    while (my ($k, $v) = each %{ $o{env} // {} }) {
        if (defined $v) { $ENV{$k} = $v } else { delete $ENV{$k} }
    }
    my $out = `$build/$prog.fcgi < $in 2>>$srv->{var}/log/cgi-stderr.log`;
    my $exit = $?;
    unlink $in;
    my ($head, $rest) = split /\r\n\r\n/, $out, 2;
    my %h;
    for (split /\r\n/, $head // '') { my ($k, $v) = split /:\s*/, $_, 2; $h{lc $k} = $v; }
    my ($status) = ($h{status} // '') =~ /^(\d{3})/;
    my $r = { status => $status // 0, headers => \%h, content => $rest // '',
        head => $head // '', exit => $exit };
    contract_record($method, $uri, $r);
    $r->{json} = json_body($r);
    return $r;
}

sub fresh_email { sprintf 'user%d.%d.%d@example.com', $$, time, $seq++ }

# Registers a user; returns (response, email, password).
sub register {
    my ($srv, %o) = @_;
    my $email = $o{email} // fresh_email();
    my $pw = $o{password} // 'correct horse battery staple';
    my $r = api($srv, 'POST', '/api/v1/auth/register',
        json => { email => $email, password => $pw, name => $o{name} // 'Test User' });
    verify_account($srv, $email) if $r->{status} == 201 && ($o{verify} // 1);
    return ($r, $email, $pw);
}

# Confirms the address of a just registered account as an operator would
# (quillctl user verify), and drops the confirmation mail it was sent, so
# that tests of other things may write (QUILL_REQUIRE_VERIFIED=write) and
# count their own mails.  t/21-verify.t walks the real confirmation.
sub verify_account {
    my ($srv, $email) = @_;
    my ($rc, $out) = quillctl($srv, "user verify '$email'");
    die "quillctl user verify $email: $out" if $rc;
    (my $q = $email) =~ s/'/''/g;
    db_sql($srv, "DELETE FROM mail_outbox WHERE "
        . "recipient = '$q' AND sent_at IS NULL AND subject = 'Confirm your Quill address'");
}

# Logs in; returns the access token (undef on failure) and the response.
sub login {
    my ($srv, $email, $pw) = @_;
    my $r = api($srv, 'POST', '/api/v1/auth/login',
        json => { email => $email, password => $pw });
    return (($r->{json} // {})->{data}{accessToken}, $r);
}

# Runs quillctl with the server's configuration; returns (exit, output).
sub quillctl {
    my ($srv, $args, $stdin) = @_;
    my $cmd = "QUILL_CONFIG=$srv->{conf} $build/quillctl $args 2>&1";
    my $out;
    if (defined $stdin) {
        my $tmp = "$srv->{var}/stdin.$$";
        open my $fh, '>', $tmp or die $!; print $fh $stdin; close $fh;
        $out = `$cmd < $tmp`;
        unlink $tmp;
    } else {
        $out = `$cmd < /dev/null`;
    }
    return ($? >> 8, $out);
}

# edit_file($path, qr/.../, $with): puts $with in place of what matches in
# the file; dies when nothing does.
sub edit_file {
    my ($path, $re, $with) = @_;
    open my $in, '<', $path or die "$path: $!";
    my $text = do { local $/; <$in> };
    close $in;
    $text =~ s/$re/$with/g or die "$path: nothing matches $re";
    open my $out, '>', $path or die "$path: $!";
    print $out $text;
    close $out;
}

# edit_htaccess($srv, qr/.../): takes the lines that match out of the
# site's .htaccess; dies when none does.
sub edit_htaccess {
    my ($srv, $re) = @_;
    edit_file("$srv->{var}/htdocs/.htaccess", $re, '');
}

1;
