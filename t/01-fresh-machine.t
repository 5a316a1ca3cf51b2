# The README's two commands on a machine that has nothing yet: `make run`
# installs what serving needs, builds the programs and serves, first time;
# `make test` installs the rest.  Without root, each prints the apt-get line
# that root would run, and installs nothing.
#
# The machine is played by stand-ins on PATH: dpkg-query finds no package
# installed, apt-get records what it is asked for, and pkg-config is missing
# until apt-get has "installed" it.  The compiler, the libraries and
# lighttpd are this machine's own, so the build and the server are real.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Path qw(make_path remove_tree);
use HTTP::Tiny;
use QuillTest;

plan skip_all => "the Makefile's test; it runs once, with QUILL_TEST_SERVER=lighttpd (make test does)"
    unless test_server() eq 'lighttpd';

my $root = root();
my $dir = build_dir() . "/test-var/01-fresh-machine-$$";
my ($stub, $build, $var) = ("$dir/stub", "$dir/build", "$dir/var");
remove_tree($dir);
make_path($stub);

sub script {
    my ($name, $body) = @_;
    open my $fh, '>', "$stub/$name" or die "$stub/$name: $!";
    print $fh "#!/bin/sh\n$body";
    close $fh;
    chmod 0755, "$stub/$name" or die "$stub/$name: $!";
}
script('dpkg-query', "exit 1\n");
script('id', qq{[ "\$1" = -u ] && [ -n "\${FAKE_UID:-}" ] && { echo "\$FAKE_UID"; exit 0; }\n}
    . qq{exec /usr/bin/id "\$@"\n});
# Options come first (tools/deps.sh gives -o with a value); the log has
# the command and its arguments.
script('apt-get', qq{while [ "\${1#-}" != "\$1" ]; do [ "\$1" = -o ] && shift; shift; done\n}
    . qq{echo "\$*" >> "$stub/apt.log"\n}
    . qq{[ "\$1" = install ] || exit 0\n}
    . qq{[ -n "\${APT_FAILS:-}" ] && exit "\$APT_FAILS"\n}
    . qq{touch "$stub/installed"\n});
script('pkg-config', qq{[ -e "$stub/installed" ] && exec /usr/bin/pkg-config "\$@"\n}
    . qq{echo "pkg-config: not found" >&2; exit 127\n});

# make TARGET... on the stand-in machine: (exit status, output).  A fresh
# record of apt-get's calls each time; $env{FAKE_UID}: who id says we are.
sub make_on_bare {
    my ($env, @args) = @_;
    unlink "$stub/apt.log", "$stub/installed";
    # Not the make that runs this test: its flags and jobserver are not ours.
    local @ENV{qw(MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES)};
    delete @ENV{qw(MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES)};
    local $ENV{PATH} = "$stub:$ENV{PATH}";
    local @ENV{keys %$env} = values %$env;
    my $out = `cd $root && make --no-print-directory BUILD=$build VAR=$var @args 2>&1`;
    return ($? >> 8, $out);
}

# The packages apt-get was asked to install (one call at most), or undef.
sub installed {
    open my $fh, '<', "$stub/apt.log" or return undef;
    my @install = grep { /^install / } <$fh>;
    return undef unless @install == 1;
    my @w = split ' ', $install[0];
    return { map { $_ => 1 } grep { !/^-/ } @w[1 .. $#w] };
}

# The packages of the apt-get line printed for root to run, or undef.
sub printed {
    my ($out) = @_;
    my ($line) = $out =~ /^    (apt-get update && apt-get install .*)$/m or return undef;
    my ($pkgs) = $line =~ /^apt-get update && apt-get install -y --no-install-recommends (.+)$/
        or return undef;
    return { map { $_ => 1 } split ' ', $pkgs };
}

sub has_all {
    my ($set, $want, $name) = @_;
    my @missing = grep { !$set->{$_} } @$want;
    is("@missing", '', $name);
}

sub has_none {
    my ($set, $unwanted, $name) = @_;
    my @there = grep { $set->{$_} } @$unwanted;
    is("@there", '', $name);
}

my @serving = qw(build-essential pkg-config libfcgi-dev libcjson-dev libsqlite3-dev
    libpq-dev libsodium-dev libjwt-dev lighttpd);
my @apache = qw(apache2 spawn-fcgi);
# PostgreSQL's server only for the tests' throwaway clusters: the programs
# need its client library alone (libpq, with libpq-dev above).
my @testing = qw(chromium valgrind lighttpd-mod-openssl libapache2-mod-fcgid openssl
    libio-socket-ssl-perl sqlite3 perl postgresql-15);
# make bench's: the load generator and the PHP peer's PHP-FPM and PDO driver.
my @bench = qw(wrk php-fpm php-sqlite3);

# As root, on a machine without the libraries: make run installs what
# serving needs, then builds (pkg-config asked only now) and serves.
my $port = free_port();
my ($rc, $out) = make_on_bare({ FAKE_UID => 0 }, '-j2', 'run', "PORT=$port");
is($rc, 0, 'make run works first time') or diag $out;
my $run = installed() // {};
has_all($run, \@serving, 'it installs the compiler, pkg-config, the libraries and lighttpd');
has_none($run, [@apache, @testing, @bench, qw(nodejs npm)], 'and nothing that only the tests need');
my $health = HTTP::Tiny->new(timeout => 10)->get("http://127.0.0.1:$port/api/v1/health");
is($health->{status}, 200, 'Quill answers on the port');
ok(-x "$build/auth.fcgi" && -x "$build/quillctl", 'the programs and quillctl are built');
ok(!-e "$build/t", 'the unit tests and fuzz replays are not');
($rc, $out) = make_on_bare({}, 'stop', "PORT=$port");
like($out, qr/Quill stopped/, 'make stop stops it');

# Without root, the same command installs nothing and prints the line.
($rc, $out) = make_on_bare({ FAKE_UID => 1000 }, 'run', "PORT=$port");
isnt($rc, 0, 'without root, make run stops');
ok(!-e "$stub/apt.log", 'having run no apt-get');
is_deeply(printed($out), $run, 'it prints the apt-get line with what root would install')
    or diag $out;
unlike($out, qr/^cc /m, 'and builds nothing');

# SERVER=apache adds Apache and spawn-fcgi, and nothing else.
($rc, $out) = make_on_bare({ FAKE_UID => 0, APT_FAILS => 100 }, 'run', 'SERVER=apache', "PORT=$port");
isnt($rc, 0, 'a failed apt-get stops make run');
unlike($out, qr/^cc /m, 'before building');
is_deeply(installed(), { %$run, map { $_ => 1 } @apache },
    'make run SERVER=apache installs Apache and spawn-fcgi besides');

# make test installs the rest: what the tests need of both servers, the
# browser, valgrind, TLS.
($rc, $out) = make_on_bare({ FAKE_UID => 0, APT_FAILS => 100 }, 'test');
isnt($rc, 0, 'a failed apt-get stops make test');
my $test = installed() // {};
has_all($test, [@serving, @apache, @testing], 'make test installs what serving needs and what the tests need');
has_none($test, \@bench, 'but not what only make bench needs (wrk, PHP)');
# make bench installs, besides, the load generator and the PHP peer's
# PHP-FPM and SQLite driver.
($rc, $out) = make_on_bare({ FAKE_UID => 0, APT_FAILS => 100 }, 'bench');
isnt($rc, 0, 'a failed apt-get stops make bench');
is_deeply(installed(), { %$test, map { $_ => 1 } @bench },
    'make bench installs wrk, php-fpm and php-sqlite3 besides what make test does');
($rc, $out) = make_on_bare({ FAKE_UID => 1000 }, 'test');
is_deeply(printed($out), $test, 'without root, make test prints its apt-get line') or diag $out;

# Building without the libraries is refused with the cause and the fix.
remove_tree($build);
($rc, $out) = make_on_bare({}, 'programs');
isnt($rc, 0, 'make programs without the libraries fails');
like($out, qr/pkg-config finds no fcgi libcjson sqlite3 libsodium libjwt[a-z ]*: `make deps-run` installs them/,
    'naming the libraries and the target that installs them');

remove_tree($dir);
done_testing();
