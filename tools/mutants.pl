#!/usr/bin/perl
# make mutants: plants each mutant of t/mutants/ (t/lib/Mutants.pm
# describes them), one at a time, in a copy of the tree, builds the copy and
# runs the tests the mutant names against lighttpd; a mutant is killed when
# they fail.  Prints each outcome, the mutation score and the survivors.
# Exits 1 when a mutant survives without an Equivalent: explanation, no
# longer applies, does not build, or is explained but killed; or when the
# tests fail on the unmutated copy, which would make every kill meaningless.
#
#   perl tools/mutants.pl [NAME...]      (default: every mutant)
#
# The checked-out tree is only read: the copy is build/mutants/src (its
# own BUILD inside it), made afresh on each run, so an interrupted run
# leaves nothing to undo.  MUTANT_TIMEOUT (seconds, default 300) bounds one
# mutant's tests; running out of time counts as killed.
use strict;
use warnings;
use Cwd qw(getcwd);
use File::Path qw(make_path remove_tree);
use POSIX qw(:sys_wait_h setpgid);
use Time::HiRes qw(time sleep);
use lib 't/lib';
use Mutants qw(mutant_files read_mutant tree_files locate fix_hint);

my $root = getcwd();
die "mutants: run from the top of the tree (make mutants)\n"
    unless -f "$root/Makefile" && -d "$root/t/mutants";
my $work = "$root/build/mutants";
my $src = "$work/src";
my $logs = "$work/log";
my $timeout = $ENV{MUTANT_TIMEOUT} || 300;

# The makes and tests of the copy see none of this make's settings.
delete @ENV{qw(MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL QUILL_TEST_LAYOUT)};
$ENV{QUILL_BUILD} = 'build';
$ENV{QUILL_TEST_SERVER} = 'lighttpd';

# The mutants to run.
my @bad;        # [name, why]: mutants that could not be judged
my @mutants;
my %want = map { $_ => 1 } @ARGV;
my %unknown = %want;
for my $path (mutant_files($root)) {
    my $name = $path =~ s{.*/}{}r =~ s/\.mutant$//r;
    next if %want && !$want{$name};
    delete $unknown{$name};
    my $m = eval { read_mutant($path) };
    if (!$m) {
        push @bad, [$name, $@ =~ s/\n\z//r];
        next;
    }
    push @mutants, $m;
}
die "mutants: no mutant named " . join(', ', sort keys %unknown)
    . " in t/mutants/\n" if %unknown;

# The child running now (a process group), for the signal handlers.
my $child;
sub servers_stop {
    for my $run (glob "$src/build/test-var/*/run/server") {
        my $var = $run =~ s{/run/server$}{}r;
        system("cd '$src' && sh tools/run.sh stop build '$var' 0 >/dev/null 2>&1");
    }
}
sub group_stop {
    return unless $child;
    kill 'TERM', -$child;
    for (1 .. 20) {
        last if waitpid($child, WNOHANG) != 0;
        sleep 0.1;
    }
    kill 'KILL', -$child;
    waitpid($child, 0);
    $child = undef;
    servers_stop();
}
for my $sig (qw(INT TERM HUP)) {
    $SIG{$sig} = sub {
        group_stop();
        print STDERR "\nmutants: interrupted; the tree was never touched "
            . "(the copy is $src)\n";
        exit 130;
    };
}

# run(LOG, SECONDS, COMMAND...) in the copy, its own process group, output
# to LOG: (exit status, 1 if it ran out of time).
sub run {
    my ($log, $secs, @cmd) = @_;
    my $pid = fork // die "mutants: fork: $!\n";
    if ($pid == 0) {
        setpgid(0, 0);
        chdir $src or die "$src: $!\n";
        open STDOUT, '>>', $log or die "$log: $!\n";
        open STDERR, '>&', \*STDOUT or die "$log: $!\n";
        open STDIN, '<', '/dev/null';
        exec @cmd or die "mutants: $cmd[0]: $!\n";
    }
    $child = $pid;
    my $end = time + $secs;
    while (1) {
        my $w = waitpid($pid, WNOHANG);
        if ($w == $pid) {
            $child = undef;
            return ($?, 0);
        }
        if (time > $end) {
            group_stop();
            return (-1, 1);
        }
        sleep 0.2;
    }
}

# The make targets a list of tests needs: the programs, and unit tests.
sub targets {
    my %t = (programs => 1);
    for (@_) {
        $t{"build/$1"} = 1 if m{^(t/unit/[\w-]+)\.c$};
    }
    return sort keys %t;
}

# What prove runs for a list of tests.
sub prove_args {
    return map { m{^(t/unit/[\w-]+)\.c$} ? "build/$1" : $_ } @_;
}

sub slurp_tail {
    my ($f, $n) = @_;
    open my $fh, '<', $f or return '';
    my @l = <$fh>;
    return join '', @l[($#l - $n + 1 < 0 ? 0 : $#l - $n + 1) .. $#l];
}

my $t0 = time;

# The copy: every file git knows of, as it is in the working tree.
remove_tree($work);
make_path($src, $logs);
my @files = grep { -f "$root/$_" } split /\0/,
    `git -C '$root' ls-files -z --cached --others --exclude-standard`;
die "mutants: git ls-files lists nothing: make mutants needs a git checkout\n"
    unless @files;
{
    open my $tar, '|-', "tar -C '$root' --null -T - -cf - | tar -C '$src' -xf -"
        or die "mutants: tar: $!\n";
    print $tar join("\0", @files), "\0";
    close $tar or die "mutants: copying the tree to $src failed\n";
}
my @tree = tree_files($src);

# The tests of every mutant, on the unmutated copy: they must pass.
my %all;
$all{$_} = 1 for map { @{ $_->{tests} } } @mutants;
my @all = sort keys %all;
printf "mutants: %d mutants; building the copy and running their %d test "
    . "files on it unmutated\n", scalar @mutants, scalar @all;
my ($rc) = run("$logs/baseline.log", 3600, 'make', '-j2', 'BUILD=build',
    targets(@all));
($rc) = run("$logs/baseline.log", 3600, 'prove', prove_args(@all))
    if $rc == 0;
if ($rc != 0) {
    print STDERR slurp_tail("$logs/baseline.log", 40);
    die "mutants: the tests fail on the unmutated tree (see "
        . "$logs/baseline.log): fix that first\n";
}
printf "mutants: the unmutated tree passes (%.0f s)\n", time - $t0;

my (@killed, @survived, @explained);
for my $m (@mutants) {
    my $name = $m->{name};
    my $log = "$logs/$name.log";
    my @at = locate($src, $m, \@tree);
    if (@at != 1) {
        push @bad, [$name, fix_hint($m, scalar @at, @at)];
        printf "%-9s %s\n", 'STALE', $name;
        next;
    }
    my ($file, $off) = @{ $at[0] };
    my $path = "$src/$file";
    open my $in, '<', $path or die "$path: $!\n";
    my $orig = do { local $/; <$in> };
    close $in;
    my $mutated = $orig;
    substr($mutated, $off, length $m->{find}) = $m->{replace};
    my $start = time;
    open my $out, '>', $path or die "$path: $!\n";
    print $out $mutated;
    close $out;
    my ($b) = run($log, 600, 'make', '-j2', 'BUILD=build', targets(@{ $m->{tests} }));
    my ($t, $late) = (0, 0);
    ($t, $late) = run($log, $timeout, 'prove', prove_args(@{ $m->{tests} }))
        if $b == 0;
    # Put the file back; its object is rebuilt by the next mutant's make.
    open $out, '>', $path or die "$path: $!\n";
    print $out $orig;
    close $out;
    unlink "$src/build/" . ($file =~ s/\.c$/.o/r) if $file =~ /\.c$/;
    my $secs = time - $start;
    my $what;
    if ($b != 0) {
        push @bad, [$name, "$m->{file}: the tree does not build with it "
            . "(see $log): a mutant must compile to test anything"];
        $what = 'NO BUILD';
    } elsif ($t != 0) {
        push @killed, $m;
        $what = 'killed';
        if ($m->{equivalent}) {
            push @bad, [$name, "$m->{file}: explained as equivalent, but "
                . "its tests kill it: drop its Equivalent: line"];
            $what = 'KILLED?';
        }
    } elsif ($m->{equivalent}) {
        push @explained, $m;
        $what = 'explained';
    } else {
        push @survived, $m;
        $what = 'SURVIVED';
    }
    printf "%-9s %-40s %4.0f s  %s%s\n", $what, $name, $secs,
        join(' ', @{ $m->{tests} }), $late ? " (timed out after $timeout s)" : '';
}

my $judged = @killed + @survived;
printf "\nmutation score: %d of %d killed (%.1f%%), %d explained as "
    . "equivalent; %d mutants in %.0f s\n", scalar @killed, $judged,
    $judged ? 100 * @killed / $judged : 0, scalar @explained,
    scalar @mutants, time - $t0;
if (@explained) {
    print "explained (equivalent):\n";
    print "  $_->{name}: $_->{equivalent}\n" for @explained;
}
if (@survived) {
    print "SURVIVORS: kill each with a test, or explain it in its header "
        . "(# Equivalent: why no test can tell)\n";
    print "  $_->{name}: $_->{breaks} (tests: @{ $_->{tests} }; log: "
        . "$logs/$_->{name}.log)\n" for @survived;
}
if (@bad) {
    print "NOT JUDGED:\n";
    print "  $_->[0]: $_->[1]\n" for @bad;
}
exit(@survived || @bad ? 1 : 0);
