# Every keyset page of a post list is two index seeks merged, with no sort:
# a page deep in a million posts costs what the first page costs.  Checked
# with EXPLAIN QUERY PLAN in the sqlite3 shell, on the real database, for
# the exact statements the programs prepare (quillctl sql prints them).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillPosts;

plan skip_all => "EXPLAIN QUERY PLAN is SQLite's; t/46-postgresql.t checks PostgreSQL's plans"
    if test_db() eq 'postgresql';

my $srv = start_server();
my $db = "$srv->{var}/quill.db";

# The indexes a page may walk: name => [equality columns, sort key].
my %index = (
    posts_created        => [ '',            'created_at' ],
    posts_updated        => [ '',            'updated_at' ],
    posts_title          => [ '',            'title' ],
    posts_status_created => [ 'status=? AND ',    'created_at' ],
    posts_status_updated => [ 'status=? AND ',    'updated_at' ],
    posts_status_title   => [ 'status=? AND ',    'title' ],
    posts_author_created => [ 'author_id=? AND ', 'created_at' ],
    posts_author_updated => [ 'author_id=? AND ', 'updated_at' ],
    posts_author_title   => [ 'author_id=? AND ', 'title' ],
);

my ($rc, $out) = quillctl($srv, 'sql');
is($rc, 0, 'quillctl sql prints the statement table');
my %stmt = map { split /\t/, $_, 2 } split /\n/, $out;
my @pages = sort { $a <=> $b } grep { $stmt{$_} =~ /UNION ALL/ && $stmt{$_} =~ /FROM posts/ } keys %stmt;
is(scalar @pages, 18, 'there are 18 keyset page statements (3 families x 3 sorts x 2 orders)');
my @search = sort { $a <=> $b } grep { $stmt{$_} =~ /FROM posts_fts JOIN posts/ } keys %stmt;
is(scalar @search, 2, 'and 2 search statements: the ranked matches and the count of a search');
my @by_ids = grep { $stmt{$_} =~ /FROM json_each\(\?1\)/ } keys %stmt;
is(scalar @by_ids, 1, 'and one that reads the posts of a page of matches');

# The plan of each statement, from one sqlite3 run; $prefix runs first.
sub plans {
    my ($prefix, @n) = @_;
    my $script = $prefix // '';
    $script .= ".print ==$_\nEXPLAIN QUERY PLAN $stmt{$_};\n" for @n;
    my $tmp = "$srv->{var}/explain.sql";
    open my $fh, '>', $tmp or die $!;
    print $fh $script;
    close $fh;
    my $text = `sqlite3 $db < $tmp 2>&1`;
    my %plan;
    my $cur = '';
    for (split /\n/, $text) {
        if (/^==(\d+)$/) { $cur = $1; next }
        $plan{$cur} .= "$_\n";
    }
    return \%plan;
}

# Why the plan of page statement $n is not two seeks on its index ('' if it is).
sub page_fault {
    my ($n, $plan) = @_;
    my $sql = $stmt{$n};
    return 'no plan' unless defined $plan;
    return 'a sort (temp b-tree)' if $plan =~ /TEMP B-TREE/;
    return 'a full scan' if $plan =~ /SCAN posts\b(?!_fts)/;
    return 'not a merge of two halves' unless $plan =~ /MERGE \(UNION ALL\)/;
    my @seeks = $plan =~ /SEARCH posts USING (?:COVERING )?INDEX (\w+) \(([^)]*)\)/g;
    return 'not two index seeks' unless @seeks == 4;
    my ($idx, $eq_key, $idx2, $range) = @seeks;
    return "two indexes ($idx, $idx2)" if $idx ne $idx2;
    my $i = $index{$idx} or return "unexpected index $idx";
    my ($eq, $key) = @$i;
    my ($cmp) = $sql =~ /\Q$key\E ([<>]) \?6 ORDER BY/;
    return "sorted by another key than $idx holds" unless $cmp && $sql =~ /ORDER BY \Q$key\E /;
    return "the run of equal keys is not a seek ($eq_key)"
        unless $eq_key eq "$eq$key=? AND rowid$cmp?";
    # The rest: past the key, perhaps bounded by the created range too.
    my @terms = $range =~ /^\Q$eq\E(.*)$/ ? split(/ AND /, $1) : ();
    return "the rest is not a seek ($range)"
        unless grep({ $_ eq "$key$cmp?" } @terms)
        && !grep({ $_ ne "$key$cmp?" && !/^created_at[<>]\?$/ } @terms);
    return '';
}

sub check_all {
    my ($when) = @_;
    my $plan = plans(undef, @pages, @search, @by_ids);
    my %used;
    for my $n (@pages) {
        is(page_fault($n, $plan->{$n}), '', "$when: page statement $n is two index seeks")
            or diag "$stmt{$n}\n$plan->{$n}";
        $used{$1}++ if ($plan->{$n} // '') =~ /INDEX (\w+)/;
    }
    is_deeply(\%used, { map { $_ => 2 } keys %index }, "$when: each index serves its two orders");
    for my $n (@search) {
        like($plan->{$n}, qr/SCAN posts_fts VIRTUAL TABLE.*\n.*SEARCH posts USING INTEGER PRIMARY KEY/,
            "$when: search statement $n starts from the full-text index");
    }
    for my $n (@by_ids) {
        like($plan->{$n}, qr/SCAN ids VIRTUAL TABLE.*\n.*SEARCH posts USING INTEGER PRIMARY KEY/,
            "$when: statement $n reads each post by its id");
    }
}

check_all('empty database');

# With posts and statistics the planner has other choices; the plans hold.
my $u = account($srv, 'user');
seed_posts($srv, $u->{id}, 3000, created => 'i / 100', title => "'Same title'",
    status => "CASE WHEN i % 3 THEN 'published' ELSE 'draft' END");
sql($srv, 'ANALYZE');
check_all('3,000 posts after ANALYZE');

# The check can fail: without an index a page is no longer two seeks, and
# the statement no longer prepares at all (INDEXED BY), so quillctl check
# fails and the page answers 500 rather than sort on every page.
for my $idx (sort keys %index) {
    my ($n) = grep { $stmt{$_} =~ /INDEXED BY $idx / } @pages;
    my $plan = plans("BEGIN;\nDROP INDEX $idx;\n", $n);
    like(page_fault($n, $plan->{$n}), qr/./, "without $idx, statement $n fails the check");
    like($plan->{$n}, qr/no such index: $idx/, "and does not prepare");
}
is(sql($srv, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'posts_%'"),
    9, 'the indexes are all still there');

done_testing();
