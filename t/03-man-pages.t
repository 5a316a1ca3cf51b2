# The manual pages: quill(7), quill.conf(5), quillctl(8) are built, lint
# clean, and quill.conf(5) lists every setting of lib/base/config.c's table
# with its default.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;

my $man = build_dir() . '/man';
my @pages = qw(quill.7 quill.conf.5 quillctl.8);

# The settings table as the source declares it: each row names the
# setting, and its first string after the name is the default.
open my $fh, '<', root() . '/lib/base/config.c' or die "config.c: $!";
my $src = do { local $/; <$fh> };
close $fh;
my ($table) = $src =~ /^static const struct csetting settings\[\] = \{\n(.*?)^\};/ms
    or die 'no settings table in lib/base/config.c';
my @rows;
while ($table =~ /^\t(?:[SLR]\(|\{ )"(QUILL_[A-Z0-9_]+)",[^"]*"((?:[^"\\]|\\.)*)"/mg) {
    push @rows, [$1, $2];
}
my $nrows = () = $table =~ /^\t(?:[SLR]\(|\{ )"QUILL_/mg;
cmp_ok(scalar @rows, '>=', 40, 'the settings table is read from lib/base/config.c');
is(scalar @rows, $nrows, 'with the default of each of its rows');

for my $page (@pages) {
    my $path = "$man/$page";
    ok(-s $path, "$page is built") or next;
    open my $p, '<', $path or die "$path: $!";
    my $text = do { local $/; <$p> };
    close $p;
    unlike($text, qr/@[A-Z]+@/, "$page has every placeholder filled in");
    # Whether the manuals it refers to are installed depends on the
    # machine, not on the page; mandoc's index of them likewise.
    my @lint = grep { !/referenced manual not found|outdated mandoc\.db/ }
        `mandoc -Tlint -W style $path 2>&1`;
    is(join('', @lint), '', "mandoc -Tlint finds nothing in $page");
    next unless $page eq 'quill.conf.5';
    my %entry = $text =~ /^\.It Ev (QUILL_[A-Z0-9_]+)\n(.*?)(?=^\.It |^\.El)/msg;
    is(scalar keys %entry, scalar @rows, 'quill.conf(5) has an entry for each setting');
    for my $row (@rows) {
        my ($name, $def) = @$row;
        my $want = $def eq '' ? qr/^Default: none\.$/m : qr/^Default:\n\.Ql \Q$def\E\n/m;
        like($entry{$name} // '', $want, "quill.conf(5) gives $name with its default"
            . ($def eq '' ? ' (none)' : " $def"));
    }
}

# The rendered page reads as a manual: the settings and their ranges.
my $out = `mandoc -Tascii $man/quill.conf.5 2>&1`;
like($out, qr/QUILL_ACCESS_TTL\s+Seconds an access token is valid/,
    'quill.conf(5) renders a setting with what it means');
like($out, qr/Accepts a whole number from 60 to 86400/, 'and the values it accepts');

done_testing();
