# The kept mutants of t/mutants/ (make mutants, t/lib/Mutants.pm) still
# apply: each is well formed, names tests that exist, and its text occurs
# exactly once in lib/, cgi-bin/ and tools/.  A change that moves or
# rewrites mutated code fails here, naming the mutant and how to update it,
# instead of in the next slow `make mutants`.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use Test::More;
use Mutants qw(mutant_files read_mutant tree_files locate fix_hint);

my $root = abs_path(dirname(__FILE__) . '/..');
my @paths = mutant_files($root);
cmp_ok(scalar @paths, '>=', 30, 'at least 30 mutants are kept in t/mutants/');

my @tree = tree_files($root);
my %seen;
for my $path (@paths) {
    my $name = $path =~ s{.*/}{}r;
    my $m = eval { read_mutant($path) };
    ok($m, "$name is well formed") or diag($@);
    next unless $m;
    my @missing = grep { !-f "$root/$_" } @{ $m->{tests} };
    ok(!@missing, "$name names tests that exist")
        or diag("$path: no such test: @missing; name t/NAME.t or t/unit/NAME.c");
    my @at = locate($root, $m, \@tree);
    ok(@at == 1, "$name applies exactly once" . (@at == 1 ? " ($at[0][0])" : ''))
        or diag(fix_hint($m, scalar @at, @at));
    # Two mutants of the same text would be one bug counted twice.
    ok(!$seen{ $m->{find} . "\0" . $m->{replace} }++, "$name is no other mutant's twin");
}

done_testing();
