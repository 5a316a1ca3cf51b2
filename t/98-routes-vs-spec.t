# docs/openapi.yaml describes exactly what the programs serve: every API
# route of every program's route table (PROGRAM --routes prints it, the
# health and metrics paths included) is an operation of the spec, and every
# operation of the spec is a route of some program.  The routes outside
# /api/ are the site's pages (docs/forms.md), not the API's: t/13 checks
# that the web servers send each to its program.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;

my $root = root();
my $bin = build_dir();

# Operations the spec describes from the contract (/work/shared/API.md)
# before the code that serves them is in this tree, with the work that
# brings it.  Each is checked to be served by no program yet: once one
# serves it, this test fails until the entry goes.
my %ahead = (
);

# "METHOD /path" lines of a command's output; dies when it fails.
sub lines_of {
    my ($cmd) = @_;
    my @l = map { s/\s+\z//r } `$cmd`;
    die "$cmd: exit " . ($? >> 8) . "\n" if $?;
    return grep { length } @l;
}

# What is in one set and not the other: (only in the first, only in the second).
sub differences {
    my ($one, $two) = @_;
    return ([ sort grep { !$two->{$_} } keys %$one ], [ sort grep { !$one->{$_} } keys %$two ]);
}

my %spec = map { $_ => 1 } lines_of("node $root/t/lib/openapi.mjs operations $root/docs/openapi.yaml");
ok(scalar(keys %spec) >= 20, 'the spec has its operations (' . scalar(keys %spec) . ')');

my (%served, %by);
for my $prog (qw(auth users posts)) {
    my @routes = lines_of("$bin/$prog.fcgi --routes");
    ok((grep { $_ eq 'GET /api/v1/health' } @routes), "$prog.fcgi --routes lists its routes and health");
    ok((grep { $_ eq 'GET /api/v1/metrics' } @routes), "$prog.fcgi --routes lists metrics");
    for (@routes) {
        $served{$_} = 1 if m{^\S+ /api/};
        push @{ $by{$_} }, $prog;
    }
}

my ($unspecified, $unserved) = differences(\%served, \%spec);
is_deeply($unspecified, [], 'every route of a route table is in docs/openapi.yaml')
    or diag(join "\n", map { "not in the spec: $_ (" . join(', ', @{ $by{$_} }) . '.fcgi)' } @$unspecified);
my @unserved = grep { !$ahead{$_} } @$unserved;
is_deeply(\@unserved, [], 'every operation of docs/openapi.yaml is served by a program')
    or diag(join "\n", map { "in the spec, served by no program: $_" } @unserved);
for my $op (sort keys %ahead) {
    ok($spec{$op} && !$served{$op}, "$op: in the spec ahead of $ahead{$op}")
        or diag($served{$op} ? "$op is served now: remove it from %ahead" : "$op is not in the spec");
}
# The web server sends a path to one program: a route in two tables is dead
# in one of them.  Every program answers health and metrics itself.
my %everywhere = map { $_ => 1 } 'GET /api/v1/health', 'GET /api/v1/metrics';
my @twice = grep { !$everywhere{$_} && @{ $by{$_} } > 1 } sort keys %by;
is_deeply(\@twice, [], 'no route is in two route tables')
    or diag(join "\n", map { "$_: " . join(', ', @{ $by{$_} }) } @twice);

# The comparison finds a difference either way.
my %less = %spec;
delete $less{'GET /api/v1/posts/{id}'};
my ($x, $y) = differences(\%served, \%less);
is_deeply($x, ['GET /api/v1/posts/{id}'], 'self-check: a route missing from the spec is found');
($x, $y) = differences({ %served, 'GET /api/v1/extra' => 1 }, \%spec);
is_deeply($x, ['GET /api/v1/extra'], 'self-check: a route added to a table is found');
($x, $y) = differences(\%less, \%spec);
is_deeply($y, ['GET /api/v1/posts/{id}'], 'self-check: an operation no program serves is found');

done_testing();
