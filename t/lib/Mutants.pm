package Mutants;
# The kept mutants of t/mutants/: realistic bugs planted one at a time in a
# copy of the tree by tools/mutants.pl (make mutants) to show that the
# tests catch them.  A mutant is a file NAME.mutant:
#
#   # Breaks: what goes wrong, in a sentence (required)
#   # Tests: t/50-refresh.t t/unit/token.c (required: the tests that concern it)
#   # Equivalent: why no test can tell it from the real code (optional)
#   @@ find
#   the exact text to find, whole lines, tabs and all
#   @@ replace
#   the text that replaces it
#
# The find text is looked for in every file under lib/, cgi-bin/ and tools/
# and must occur exactly once in them all: a mutant names code, not a file
# and line, so moving code between files leaves it valid.  A unit test is
# named by its source, t/unit/NAME.c; it runs as BUILD/t/unit/NAME.
use strict;
use warnings;
use File::Find qw(find);
use Exporter 'import';

our @EXPORT_OK = qw(mutant_files read_mutant tree_files locate fix_hint);

# The directories a mutant's text is looked for in.
our @DIRS = qw(lib cgi-bin tools);

# The mutant files under ROOT/t/mutants, sorted.
sub mutant_files {
    my ($root) = @_;
    return sort glob "$root/t/mutants/*.mutant";
}

# read_mutant(PATH) -> { name, file, breaks, tests => [...], equivalent,
# find, replace }, or dies naming the file and what is wrong with it.
sub read_mutant {
    my ($path) = @_;
    my $name = $path =~ s{.*/}{}r =~ s/\.mutant$//r;
    my $file = "t/mutants/$name.mutant";
    open my $fh, '<', $path or die "$file: $!\n";
    my $text = do { local $/; <$fh> };
    close $fh;
    my ($head, $find, $replace) = $text =~
        /\A(.*?)^\@\@ find\n(.*?)^\@\@ replace\n(.*)\z/ms
        or die "$file: needs an '\@\@ find' line, the text, an "
        . "'\@\@ replace' line and its text\n";
    my %h;
    for my $line (split /\n/, $head) {
        next if $line =~ /^\s*$/;
        $line =~ /^#\s?(.*)$/ or die "$file: a header line starts with #: $line\n";
        my $l = $1;
        if ($l =~ /^(Breaks|Tests|Equivalent):\s*(.*)$/) {
            $h{$1} = $2;
            $h{_last} = $1;
        } elsif ($l =~ /^\s+(\S.*)$/ && $h{_last}) {
            $h{ $h{_last} } .= " $1";    # a continued header
        } elsif ($l =~ /\S/) {
            $h{_last} = undef;           # a comment
        }
    }
    for my $k (qw(Breaks Tests)) {
        die "$file: the header has no '# $k:' line\n"
            unless defined $h{$k} && $h{$k} =~ /\S/;
    }
    die "$file: the find text is empty\n" if $find eq '';
    die "$file: the replacement is the find text itself\n" if $find eq $replace;
    my @tests = split ' ', $h{Tests};
    for (@tests) {
        die "$file: a test is t/NAME.t or t/unit/NAME.c, not $_\n"
            unless m{^t/(unit/[\w-]+\.c|[\w-]+\.t)$};
    }
    return { name => $name, file => $file, breaks => $h{Breaks},
        tests => \@tests, equivalent => $h{Equivalent}, find => $find,
        replace => $replace };
}

# Every file under ROOT's lib/, cgi-bin/ and tools/, relative to ROOT.
sub tree_files {
    my ($root) = @_;
    my @files;
    for my $d (grep { -d "$root/$_" } @DIRS) {
        find({ no_chdir => 1, wanted => sub {
            push @files, substr($File::Find::name, length($root) + 1) if -f;
        } }, "$root/$d");
    }
    return sort @files;
}

# locate(ROOT, MUTANT, [FILES]) -> list of [file, offset], one for each
# occurrence of the mutant's find text in the tree.
sub locate {
    my ($root, $m, $files) = @_;
    my @at;
    for my $f (@{ $files // [tree_files($root)] }) {
        open my $fh, '<', "$root/$f" or die "$root/$f: $!\n";
        my $text = do { local $/; <$fh> };
        close $fh;
        my $pos = 0;
        while ((my $i = index($text, $m->{find}, $pos)) >= 0) {
            push @at, [$f, $i];
            $pos = $i + 1;
        }
    }
    return @at;
}

# What to do about a mutant whose text occurs n times (not once).
sub fix_hint {
    my ($m, $n, @at) = @_;
    my $where = join ', ', map { $_->[0] } @at;
    return $n == 0
        ? "$m->{file}: its find text occurs nowhere in lib/, cgi-bin/ or "
          . "tools/: the code it mutates changed or moved.  Find that code "
          . "(Breaks: $m->{breaks}) and copy its current text into the "
          . "'\@\@ find' part, with the same bug in the '\@\@ replace' part; "
          . "if the code is gone, delete the mutant."
        : "$m->{file}: its find text occurs $n times ($where): a mutant "
          . "must name one place.  Take more of the surrounding lines into "
          . "both its '\@\@ find' and '\@\@ replace' parts.";
}

1;
