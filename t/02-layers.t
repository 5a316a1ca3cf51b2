# The layers of lib/ (tools/check-layers.pl, which make lint runs too): the
# tree passes, and the check fails, naming file and line, on a copy of the
# tree with a breach planted.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);
use QuillTest;

my $root = root();
my $check = "$root/tools/check-layers.pl";

# check(DIR) -> (exit status, what it printed)
sub check {
    my ($dir) = @_;
    my $out = `cd '$dir' && perl '$check' 2>&1`;
    return ($? >> 8, $out);
}

my ($rc, $out) = check($root);
is($rc, 0, 'the tree keeps its layers') or diag($out);

# A copy of what the check reads: the C sources.
my $copy = build_dir() . "/test-var/02-layers-$$";
remove_tree($copy);
my @files = grep { -f "$root/$_" } map { s{^\Q$root/\E}{}r } map { glob "$root/$_" }
    qw(lib/*/*.[ch] cgi-bin/*.[ch] cgi-bin/*/*.[ch] tools/*.[ch] t/unit/*.[ch]
    t/fuzz/*.[ch]);
for my $f (@files) {
    make_path(dirname("$copy/$f"));
    copy("$root/$f", "$copy/$f") or die "$f: $!";
}
($rc, $out) = check($copy);
is($rc, 0, 'the copy passes as the tree does') or diag($out);

# plant(FILE, LINE): appends LINE to FILE of the copy; unplant() undoes it.
my %saved;
sub plant {
    my ($f, $line) = @_;
    local $/;
    open my $in, '<', "$copy/$f" or die "$f: $!";
    $saved{$f} //= <$in>;
    open my $o, '>>', "$copy/$f" or die "$f: $!";
    print $o "$line\n";
    close $o;
}
sub unplant {
    for my $f (keys %saved) {
        open my $o, '>', "$copy/$f" or die "$f: $!";
        print $o delete $saved{$f};
    }
}
sub lines_of {
    my ($f) = @_;
    open my $in, '<', "$copy/$f" or die "$f: $!";
    my @l = <$in>;
    return scalar @l;
}

my $n = lines_of('lib/base/buf.h') + 1;
plant('lib/base/buf.h', '#include "web/http.h"');
($rc, $out) = check($copy);
is($rc, 1, 'an include of a higher layer fails');
like($out, qr{^lib/base/buf\.h:$n: includes web/http\.h, a layer above its own$}m,
    'and names the file, the line and the header') or diag($out);
like($out, qr{^include cycle: .*lib/base/buf\b}m,
    'and the cycle it closes') or diag($out);
unplant();

$n = lines_of('lib/pure/form.c') + 1;
plant('lib/pure/form.c', '#include "buf.h"');
($rc, $out) = check($copy);
is($rc, 1, 'an include that does not name its layer fails');
like($out, qr{^lib/pure/form\.c:$n: write the layer}m, 'and says so')
    or diag($out);
unplant();

plant('lib/pure/form.c', '#include "base/nothing.h"');
($rc, $out) = check($copy);
like($out, qr{base/nothing\.h does not exist}m, 'a missing header is named')
    or diag($out);
unplant();

plant('lib/pure/form.c', 'static int f(void *p) { return sqlite3_close(p); }');
($rc, $out) = check($copy);
like($out, qr{^lib/pure/form\.c: only lib/store/db_sqlite\.c speaks SQLite$}m,
    'SQLite outside the engine file fails') or diag($out);
unplant();

plant('lib/pure/form.c', '#include "gen/templates.h"');
($rc, $out) = check($copy);
like($out, qr{^lib/pure/form\.c:\d+: gen/templates\.h is for web/ and above$}m,
    'the compiled templates below web/ fail') or diag($out);
unplant();

plant('cgi-bin/users.c', 'static enum err f(void) { return db_begin(); }');
($rc, $out) = check($copy);
like($out, qr{^cgi-bin/users\.c: only app opens and ends transactions$}m,
    'a transaction begun outside app fails') or diag($out);
unplant();

plant('cgi-bin/users.c', 'static void f(struct req *r) { buf_reset(r->out); }');
($rc, $out) = check($copy);
like($out, qr{^cgi-bin/users\.c: only reply writes the answer$}m,
    'an answer written outside reply fails') or diag($out);
unplant();

# A lib file outside the layers: nothing of lib/ may escape the check.
copy("$root/lib/base/buf.c", "$copy/lib/stray.c") or die $!;
($rc, $out) = check($copy);
like($out, qr{^lib/stray\.c: outside the layers}m,
    'a file of lib/ outside the layers fails') or diag($out);
unlink "$copy/lib/stray.c";

($rc, $out) = check($copy);
is($rc, 0, 'the copy passes again once the breaches are gone') or diag($out);

remove_tree($copy);
done_testing();
