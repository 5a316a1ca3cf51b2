#!/usr/bin/env perl
# make bench-instructions: the instructions each kind of request costs,
# counted by valgrind's callgrind, for this tree's programs and for those
# of another revision (BENCH_BASE, a git revision; none: this tree only).
# A count is the same whatever else the machine is doing, so two trees
# can be compared on a busy machine, where wrk's figures cannot.
#
# Each program runs as a CGI program (one request a process, as the plain-
# CGI layouts run it), with the sandbox off (valgrind's own system calls
# are not the program's); the database is seeded through the same
# programs.  A request's count includes the program's start-up, so each is
# also printed beyond the cost of the cheapest request (a 404 of the posts
# program): the work the request itself asks for, which is what a FastCGI
# process repeats for every request.  Nothing here fails on a figure.
# BENCH_REPS runs of each (default 3; the smallest count is kept);
# BENCH_CALLGRIND_DIR keeps callgrind's files there, for callgrind_annotate.
use strict;
use warnings;
use FindBin;
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use JSON::PP;

my $root = "$FindBin::Bin/..";
my $build = $ENV{QUILL_BUILD} // 'build';
my $base = $ENV{BENCH_BASE} // '';
my $reps = $ENV{BENCH_REPS} // 3;
my $keep = $ENV{BENCH_CALLGRIND_DIR} // '';
$| = 1;

system('valgrind --version >/dev/null 2>&1') == 0
    or die "bench-instructions: valgrind is missing (apt-get install valgrind)\n";

# The programs of revision REV, built from `git archive` in a scratch
# folder; returns the folder with auth.fcgi, users.fcgi, posts.fcgi and
# quillctl.
sub build_revision {
    my ($rev) = @_;
    my $sha = `git -C $root rev-parse --short --verify '$rev^{commit}' 2>/dev/null`;
    chomp $sha;
    die "bench-instructions: BENCH_BASE=$rev is not a revision of this repository\n" unless $sha;
    my $dir = "$root/$build/bench-base/$sha";
    return "$dir/build" if -x "$dir/build/quillctl";
    remove_tree($dir);
    make_path($dir);
    system("git -C $root archive $sha | tar -x -C $dir") == 0
        or die "bench-instructions: git archive $sha failed\n";
    print "building $rev ($sha) in $dir\n";
    system("make -C $dir -s -j2 programs >$dir/make.log 2>&1") == 0
        or die "bench-instructions: building $sha failed; see $dir/make.log\n";
    return "$dir/build";
}

# Whether BIN's quillctl knows the setting NAME.
sub knows {
    my ($bin, $name) = @_;
    open my $fh, '<:raw', "$bin/quillctl" or die "$bin/quillctl: $!";
    my $image = do { local $/; <$fh> };
    return index($image, $name) >= 0;
}

# A database of BIN's own schema in a fresh folder: the configuration,
# quillctl init, one account, its access token and twenty posts.
sub seed {
    my ($bin) = @_;
    my $var = tempdir("quill-instr-XXXXXX", TMPDIR => 1, CLEANUP => 1);
    make_path("$var/mail");
    my %set = (QUILL_DB => "$var/quill.db", QUILL_KEY_FILE => "$var/quill.key",
        QUILL_PASSWORD_BLOCKLIST => "$root/etc/common-passwords.txt",
        QUILL_ARGON2_OPSLIMIT => 1, QUILL_ARGON2_MEMLIMIT_KIB => 8,
        QUILL_MAIL_SPOOL => "$var/mail", QUILL_SENDMAIL => '',
        map { ("QUILL_RATE_$_" => '100000/60') } qw(LOGIN REGISTER FORGOT WRITE));
    # The sandbox off, where the revision has one.
    $set{QUILL_SANDBOX} = 0 if knows($bin, 'QUILL_SANDBOX');
    open my $fh, '>', "$var/quill.conf" or die "$var/quill.conf: $!";
    print $fh "$_=$set{$_}\n" for sort keys %set;
    close $fh;
    system("QUILL_CONFIG=$var/quill.conf $bin/quillctl init >$var/init.log 2>&1") == 0
        or die "bench-instructions: quillctl init failed in $var (see init.log)\n";
    my $st = { bin => $bin, var => $var };
    my $pw = 'correct horse battery staple';
    cgi($st, 'auth', 'POST', '/api/v1/auth/register',
        { email => 'ada@example.com', password => $pw, name => 'Ada' });
    # Confirmed, where the revision asks for it before an account writes.
    if (knows($bin, 'QUILL_REQUIRE_VERIFIED')) {
        system("QUILL_CONFIG=$var/quill.conf $bin/quillctl user verify ada\@example.com "
            . ">>$var/init.log 2>&1") == 0
            or die "bench-instructions: quillctl user verify failed in $var (see init.log)\n";
    }
    my $login = cgi($st, 'auth', 'POST', '/api/v1/auth/login',
        { email => 'ada@example.com', password => $pw });
    ($st->{token}) = $login =~ /"accessToken":"([^"]+)"/
        or die "bench-instructions: no access token from $bin: $login\n";
    for my $i (1 .. 20) {
        my $post = cgi($st, 'posts', 'POST', '/api/v1/posts',
            { title => "Title $i", body => 'A body of a few words.', status => 'published' }, 1);
        $post =~ /^Status: 201/m or die "bench-instructions: seeding a post failed under $bin: $post\n";
        ($st->{post}) //= $post =~ /"id":\s*"?(\d+)/;
        print STDERR $post if $i == 1 && $ENV{BENCH_SHOW};
    }
    return $st;
}

# Runs PROG of the seeded state as CGI with one request; with VALGRIND,
# under callgrind, returning the instruction count; otherwise the output.
# WANT: the status the request must answer under callgrind (the figure of
# an answer other than the one meant would measure the wrong work).
sub cgi {
    my ($st, $prog, $method, $uri, $json, $auth, $want) = @_;
    my $body = defined $json ? encode_json($json) : '';
    my $in = "$st->{var}/in";
    open my $fh, '>', $in or die $!;
    print $fh $body;
    close $fh;
    $uri =~ s/\{post\}/$st->{post}/;
    my ($path, $query) = split /\?/, $uri, 2;
    local %ENV = (PATH => $ENV{PATH}, QUILL_CONFIG => "$st->{var}/quill.conf",
        GATEWAY_INTERFACE => 'CGI/1.1', SERVER_PROTOCOL => 'HTTP/1.1',
        REQUEST_METHOD => $method, REQUEST_URI => $uri, SCRIPT_NAME => $path,
        QUERY_STRING => $query // '', REMOTE_ADDR => '127.0.0.1',
        HTTP_ACCEPT => 'application/json');
    if (length $body) {
        $ENV{CONTENT_TYPE} = 'application/json';
        $ENV{CONTENT_LENGTH} = length $body;
    }
    $ENV{HTTP_AUTHORIZATION} = "Bearer $st->{token}" if $auth;
    my $exe = "$st->{bin}/$prog.fcgi";
    return `$exe <$in 2>>$st->{var}/stderr.log` unless $want;
    my $out = "$st->{var}/callgrind.out";
    unlink $out;
    my $answer = `valgrind --tool=callgrind --callgrind-out-file=$out $exe <$in 2>/dev/null`;
    my ($status) = $answer =~ /^Status: (\d{3})/m;
    $status //= 200;
    $status == $want
        or die "bench-instructions: $method $uri answered $status, not $want, under $st->{bin}\n";
    open my $cg, '<', $out or die "bench-instructions: callgrind wrote nothing for $method $uri\n";
    my $n;
    while (<$cg>) { ($n) = /^(?:summary|totals):\s*(\d+)/ and last }
    close $cg;
    if (defined $n && length $keep) {
        (my $name = "$st->{tag}-$method$path") =~ s{[^\w-]+}{_}g;
        make_path($keep);
        rename $out, "$keep/$name.out";
    }
    return $n if defined $n;
    die "bench-instructions: no total in $out\n";
}

# Each program's floor is a 404 it answers: its start-up, the request
# read and the shortest answer.
my @cases = (
    [ 'auth: 404 (floor)', 404, 'auth', 'GET', '/api/v1/auth/nothing' ],
    [ 'users: 404 (floor)', 404, 'users', 'GET', '/api/v1/users/nothing' ],
    [ 'posts: 404 (floor)', 404, 'posts', 'GET', '/api/v1/posts/nothing' ],
    [ 'GET /posts/{id}', 200, 'posts', 'GET', '/api/v1/posts/{post}' ],
    [ 'GET /posts?limit=20', 200, 'posts', 'GET', '/api/v1/posts?limit=20' ],
    [ 'GET /users/me', 200, 'users', 'GET', '/api/v1/users/me', undef, 1 ],
    [ 'POST /posts', 201, 'posts', 'POST', '/api/v1/posts',
        { title => 'Measured', body => 'A post written under callgrind.', status => 'published' }, 1 ],
    [ 'POST /auth/login', 200, 'auth', 'POST', '/api/v1/auth/login',
        { email => 'ada@example.com', password => 'correct horse battery staple' } ],
);
my %floor = map { $_->[2] => $_->[0] } grep { $_->[1] == 404 } @cases;

# The smallest count of REPS runs of each case: the repeatable figure.
sub measure {
    my ($st) = @_;
    my %n;
    for my $c (@cases) {
        my ($name, $want, @req) = @$c;
        my @runs = map { cgi($st, @req[0 .. 4], $want) } 1 .. $reps;
        ($n{$name}) = sort { $a <=> $b } @runs;
    }
    return \%n;
}

my @trees = ([ 'this tree', "$root/$build", 'tree' ]);
push @trees, [ "BENCH_BASE=$base", build_revision($base), 'base' ] if length $base;
my @counts = map { my $st = seed($_->[1]); $st->{tag} = $_->[2]; measure($st) } @trees;

printf "%-22s %14s %13s", 'instructions', 'this tree', 'beyond floor';
printf " %14s %13s %7s", 'base', 'beyond floor', 'ratio' if @counts > 1;
print "\n";
for my $c (@cases) {
    my ($name, $want, $prog) = @$c;
    my $is_floor = $want == 404;
    my @cols = map { ($_->{$name}, $_->{$name} - $_->{ $floor{$prog} }) } @counts;
    printf "%-22s %14d %13s", $name, $cols[0], $is_floor ? '' : $cols[1];
    if (@counts > 1) {
        printf " %14d %13s", $cols[2], $is_floor ? '' : $cols[3];
        printf " %7.3f", $is_floor ? $cols[0] / $cols[2] : $cols[1] / $cols[3];
    }
    print "\n";
}
print "ratio: this tree over the base: of the whole run for a floor, of the\n"
    . "part beyond its program's floor for a request (1.030: 3% more)\n"
    if @counts > 1;
