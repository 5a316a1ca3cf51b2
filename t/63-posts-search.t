# Full-text search (q): ranking, visibility, words and prefixes, text that
# looks like FTS5 syntax, an index kept in step with every change.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillPosts;

my $srv = start_server();
my $ann = account($srv, 'user', 'Ann');
my $ben = account($srv, 'user', 'Ben');
my $mod = account($srv, 'moderator');

# Ids found by a search, in the order given.
sub found {
    my ($query, %o) = @_;
    my $r = api($srv, 'GET', "/api/v1/posts?$query", $o{as} ? (token => $o{as}{token}) : ());
    is($r->{status}, 200, "?$query answers 200") or diag $r->{content};
    return [ map { $_->{id} } @{ $r->{json}{data} // [] } ];
}

my $in_title = new_post($srv, $ann, title => 'Zebra crossings', status => 'published',
    body => 'A note on road markings and where to find them in town.');
my $in_body = new_post($srv, $ben, title => 'Road markings', status => 'published',
    body => 'A note on the zebra crossing and where to find one in town.');
my $twice = new_post($srv, $ben, title => 'Stripes', status => 'published',
    body => 'Zebra, zebra, zebra: the animal and its stripes, at length.');
my $cafe = new_post($srv, $ann, title => 'Morning', status => 'published',
    body => "Coffee at the Caf\xc3\xa9 Flore, na\xc3\xafve as ever.");
my $draft = new_post($srv, $ann, title => 'Secret zebra plans', status => 'draft',
    body => 'Nobody else may find this quokka.');
new_post($srv, $ben, title => "Unrelated $_", status => 'published', body => 'Nothing to see.') for 1 .. 5;

# Ranking: relevance (bm25, a title word worth ten body words) by default.
is_deeply(found('q=zebra'), [ $in_title->{id}, $twice->{id}, $in_body->{id} ],
    'a word in the title ranks first, then more mentions in the body');
my $r = api($srv, 'GET', '/api/v1/posts?q=zebra');
is_deeply($r->{json}{meta}{page}, 1, 'a ranked search is paged by number');
is($r->{json}{meta}{total}, 3, 'with the total of matches the caller may see');
is_deeply(found('q=zebra&order=asc'), [ $in_body->{id}, $twice->{id}, $in_title->{id} ],
    'order=asc gives the least relevant first');
is_deeply(found('q=zebra&perPage=1&page=2'), [ $twice->{id} ], 'page 2 of one per page');
# The total: counted for a full page, seen on the last (a page that is not
# full), counted again past the end.
for ([1, 2, 2], [2, 2, 1], [3, 1, 1], [1, 5, 3], [4, 1, 0], [9, 2, 0]) {
    my ($page, $per, $n) = @$_;
    $r = api($srv, 'GET', "/api/v1/posts?q=zebra&perPage=$per&page=$page");
    is_deeply([ $r->{json}{meta}{total}, scalar @{ $r->{json}{data} }, $r->{json}{meta}{totalPages} ],
        [ 3, $n, int((3 + $per - 1) / $per) ], "page $page of $per: $n posts, and the total of 3");
}
like(link_next(api($srv, 'GET', '/api/v1/posts?q=zebra&perPage=1')) // '',
    qr{^/api/v1/posts\?q=zebra&perPage=1&page=2$}, 'Link names the next page, keeping q');
is(api($srv, 'GET', '/api/v1/posts?q=zebra&cursor=MXwzfDF8NXw5')->{status}, 400,
    'a cursor is refused for relevance');

# Words: all must match; case and accents do not matter; a trailing * is a prefix.
is_deeply(found('q=zebra+stripes'), [ $twice->{id} ], 'every word must appear');
is_deeply(found('q=ZEBRA+Crossing'), [ $in_body->{id} ], 'in any case, as whole words (no stemming)');
is_deeply(found('q=cafe'), [ $cafe->{id} ], 'cafe finds Caf&eacute;');
is_deeply(found("q=NA%C3%8FVE"), [ $cafe->{id} ], 'NA&Iuml;VE finds na&iuml;ve');
is_deeply(found('q=zeb*&order=asc&sort=createdAt'),
    [ $in_title->{id}, $in_body->{id}, $twice->{id} ], 'zeb* is a prefix search');
is_deeply(found('q=zeb'), [], 'zeb alone is not a word of any post');

# Text that means something to FTS5 is only text here.
for my $q ('%22', 'zebra%22', 'zebra+AND', 'OR', 'NOT+zebra', 'NEAR(zebra', 'zebra)', '*',
    'title%3Azebra', '-zebra', '%5E', 'a%2Bb', '%27%3B+DROP+TABLE+posts%3B--') {
    $r = api($srv, 'GET', "/api/v1/posts?q=$q");
    ok($r->{status} == 200 || $r->{status} == 400, "q=$q is answered (not a 500)")
        or diag $r->{content};
}
is(sql($srv, 'SELECT count(*) FROM posts'), 10, 'and the posts are all still there');
is(api($srv, 'GET', '/api/v1/posts?q=*')->{status}, 400, 'q=* has no word: 400');
is(api($srv, 'GET', '/api/v1/posts?q=')->{status}, 400, 'an empty q is 400');
is(api($srv, 'GET', '/api/v1/posts?q=+++')->{status}, 400, 'a blank q is 400');
is(api($srv, 'GET', '/api/v1/posts?q=' . ('z' x 201))->{status}, 400, 'a 201-character q is 400');
like(api($srv, 'GET', '/api/v1/posts?q=')->{json}{error}{message}, qr/\bq\b/, 'the message names q');

# The bounds of a search, which bound its cost: at most 8 terms (a word
# joined by punctuation counts as its parts), at most 2 prefixes, each of
# at least 3 letters before its *.  Beyond them: 400, naming q and why.
sub refused_q {
    my ($q, $code, $what) = @_;
    my $r = api($srv, 'GET', "/api/v1/posts?q=$q");
    is($r->{status}, 400, "$what: 400");
    is($r->{json}{error}{code}, 'BAD_REQUEST', "$what: BAD_REQUEST");
    is_deeply([map { "$_->{field} $_->{code}" } @{ $r->{json}{error}{details} // [] }], ["q $code"],
        "$what: a detail on q, $code");
    like($r->{json}{error}{message}, qr/\(q\)/, "$what: a message naming q");
}
refused_q(join('+', map { "$_*" } qw(e s t a r i n o l d c u m p h g b f y w k v x z)), 'prefix_too_short',
    'the costly search of one-letter prefixes (e* s* t* ...) is refused');
refused_q('ab*', 'prefix_too_short', 'a prefix of two letters');
refused_q('zebra+cross-b*', 'prefix_too_short', 'a prefix of one letter at the end of a joined word');
refused_q('zeb*+cro*+roa*', 'too_many_prefixes', 'three prefixes');
refused_q('zebra+a+note+on+road+markings+and+where+to', 'too_many_terms', 'nine words');
refused_q('a-b-c-d-e-f-g-h-i', 'too_many_terms', 'nine terms joined by punctuation in one word');
refused_q('z' x 201, 'too_long', '201 characters');
refused_q('*', 'invalid_value', 'no word');
is_deeply([sort { $a <=> $b } @{ found('q=zeb*+cro*') }], [ $in_title->{id}, $in_body->{id} ],
    'two prefixes of three letters are searched');
is_deeply([sort { $a <=> $b } @{ found('q=zebra+a+note+on+road+markings+and+where') }],
    [ $in_title->{id}, $in_body->{id} ], 'eight words are searched');
is_deeply(found('q=ZEBRA-crossing'), [ $in_body->{id} ], 'a joined word is a phrase of its parts');

# Visibility: drafts are found only by those who may see them.
is_deeply(found('q=quokka'), [], 'an anonymous search does not find a draft');
is_deeply(found('q=quokka', as => $ben), [], "nor does another user's");
is_deeply(found('q=quokka&status=draft', as => $ben), [], 'even asking for drafts');
is_deeply(found('q=quokka&status=draft', as => $ann), [ $draft->{id} ], 'its author finds it among her drafts');
is_deeply(found('q=quokka', as => $mod), [ $draft->{id} ], 'a moderator finds it');
is(api($srv, 'GET', '/api/v1/posts?q=quokka')->{json}{meta}{total}, 0, 'and no total betrays it');

# Filters and other orders combine with q.
is_deeply(found("q=zebra&author=$ben->{id}"), [ $twice->{id}, $in_body->{id} ], 'q with author');
my ($ids, $pages) = walk($srv, '/api/v1/posts?q=zebra&sort=title&limit=1');
is_deeply($ids, [ $in_body->{id}, $twice->{id}, $in_title->{id} ],
    'q with sort=title walks the matches by cursor, in title order (Road, Stripes, Zebra)');
is($pages, 3, 'one to a page');
is_deeply(found("q=zebra&sort=createdAt&page=1&perPage=2"), [ $twice->{id}, $in_body->{id} ],
    'q with sort=createdAt in offset mode');
is_deeply(found('sort=relevance&q=zebra&perPage=1'), [ $in_title->{id} ], 'sort=relevance with q');

# The index follows every change.
api($srv, 'PATCH', "/api/v1/posts/$in_title->{id}", token => $ann->{token},
    json => { title => 'Pelican crossings', body => 'Birds only.' });
is_deeply(found('q=pelican'), [ $in_title->{id} ], 'a new title is found after PATCH');
ok(!grep({ $_ == $in_title->{id} } @{ found('q=zebra') }), 'the old words are gone');
api($srv, 'PUT', "/api/v1/posts/$in_body->{id}", token => $ben->{token},
    json => { title => 'Puffins', body => 'Seabirds of the north.', status => 'published' });
is_deeply(found('q=seabirds'), [ $in_body->{id} ], 'a new body is found after PUT');
api($srv, 'PATCH', "/api/v1/posts/$twice->{id}", token => $mod->{token}, json => { status => 'draft' });
is_deeply(found('q=stripes'), [], 'a post made a draft leaves public search');
is_deeply(found('q=stripes', as => $mod), [ $twice->{id} ], 'but stays in the index');
api($srv, 'DELETE', "/api/v1/posts/$twice->{id}", token => $mod->{token});
is_deeply(found('q=stripes', as => $mod), [], 'a deleted post is gone from search');
if (test_db() eq 'postgresql') {
    like(sql($srv, "SELECT indexdef FROM pg_indexes WHERE indexname = 'posts_fts'"),
        qr/USING gin \(fts\)/, 'the search column has its GIN index');
} else {
    like(sql($srv, "SELECT sql FROM sqlite_master WHERE name = 'posts_fts'"), qr/prefix = '3'/,
        'the index keeps the 3-character prefixes, the shortest a search may use');
}
is(search_index_check($srv), 'ok', 'the search index agrees with the posts table');
unlike(log_text($srv), qr/db_error/, 'no database error was logged');

# -- the same searches on both engines (docs/postgresql.md, docs/posts.md) --
# Two fresh servers, one on SQLite and one on PostgreSQL, given the same
# posts in the same order (so the same ids).  Every search, relevance
# included, gives the same posts in the same order on both: PostgreSQL
# computes FTS5's bm25 as SQLite does.
SKIP: {
    skip 'no PostgreSQL server to compare with (make deps installs postgresql-15)', 1
        unless glob '/usr/lib/postgresql/*/bin/initdb';
    my %srv = (sqlite => start_server(name => 'search-sqlite',
            settings => { QUILL_DB => QuillTest::build_dir() . "/test-var/search-sqlite-$$.db" }),
        postgresql => start_server(name => 'search-pg', settings => { QUILL_DB => QuillTest::pg_database() }));
    my @engines = sort keys %srv;
    my (%ids, %author, %other, %mod);
    for (@engines) {
        $author{$_} = account($srv{$_}, 'user', 'Both');
        $other{$_} = account($srv{$_}, 'user', 'Other');
        $mod{$_} = account($srv{$_}, 'moderator');
    }
    my $filler = join ' ', map { "filler$_" } 1 .. 30;
    my @posts = (
        # A title mention; two twins; a short and a long post with one
        # mention each; two posts with the same words as far apart as
        # can be and side by side; a rare word and a common one.
        [ title => 'Zebra facts', body => 'Nothing else.' ],
        [ title => 'Okapi', body => 'okapi and more' ], [ title => 'Okapi', body => 'okapi and more' ],
        [ title => 'Short', body => 'zebra here.' ],
        [ title => 'Long', body => "zebra here. $filler" ],
        [ title => 'Near', body => "quokka wombat $filler" ],
        [ title => 'Far', body => "quokka $filler wombat" ],
        [ title => 'Rare twice', body => 'ibex ibex lynx' ],
        [ title => 'Common twice', body => 'ibex lynx lynx' ],
        map { [ title => "Lynx $_", body => 'lynx' ] } 1 .. 6,
    );
    for my $p (@posts) {
        for my $e (@engines) {
            push @{ $ids{$e} }, new_post($srv{$e}, $author{$e}, @$p, status => 'published')->{id};
        }
    }
    is_deeply($ids{postgresql}, $ids{sqlite}, 'both engines give the posts the same ids');
    my %name = map { $ids{sqlite}[$_] => $posts[$_][1] } 0 .. $#posts;
    # A search's answer on engine $e: its total, its posts' ids and its
    # next cursor.
    my $answer = sub {
        my ($e, $q, $as) = @_;
        my $r = api($srv{$e}, 'GET', "/api/v1/posts?$q", $as ? (token => $as->{$e}{token}) : ());
        is($r->{status}, 200, "$e: ?$q answers 200") or diag $r->{content};
        my $m = $r->{json}{meta} // {};
        return { total => $m->{total}, next => $m->{nextCursor},
            ids => [ map { $_->{id} } @{ $r->{json}{data} // [] } ] };
    };
    my $titles = sub { join ', ', map { $name{$_} } @{ $_[0]{ids} } };
    # The same page, total and cursor for every query and every order.
    for my $q ('q=lynx&sort=createdAt&limit=3', 'q=lynx&sort=title&limit=3',
        'q=lynx&sort=title&limit=3&order=desc', 'q=zebra&sort=updatedAt&order=asc',
        'q=lyn*&sort=createdAt&page=2&perPage=3') {
        my ($sq, $pg) = map { $answer->($_, $q) } @engines;
        is_deeply($pg, $sq, "?$q: the same page, in the same order, on both");
        next unless defined $sq->{next};
        is_deeply($answer->('postgresql', "$q&cursor=$sq->{next}"), $answer->('sqlite', "$q&cursor=$sq->{next}"),
            "?$q: and the same next page");
    }
    # Relevance, the examples of docs/postgresql.md: bm25 on both.
    my %want = (
        'q=zebra' => [ 'Zebra facts, Short, Long',
            'a title mention first; then the shorter of two posts with one mention (length)' ],
        'q=okapi' => [ 'Okapi, Okapi', 'posts of equal relevance newest first' ],
        'q=quokka+wombat' => [ 'Far, Near', 'where the words stand does not count (distance): a tie, newest first' ],
        'q=ibex+lynx' => [ 'Rare twice, Common twice', 'the rarer word weighs more (rarity)' ],
        'q=lyn*' => [ 'Lynx 6, Lynx 5, Lynx 4, Lynx 3, Lynx 2, Lynx 1, Common twice, Rare twice',
            'title mentions, then more mentions in the body (prefix)' ],
        'q=quokka-wombat' => [ 'Near', 'a phrase matches its words side by side only (phrase)' ],
        'q=zeb*+here' => [ 'Short, Long', 'a prefix and a word' ],
        'q=facts-nothing' => [ '', 'a phrase does not run from the title into the body' ],
        'q=nothinglikeit' => [ '', 'a word of no post' ],
    );
    for my $q (sort keys %want) {
        my ($list, $why) = @{ $want{$q} };
        for my $order ('', '&order=asc') {
            my %a = map { $_ => $answer->($_, "$q$order") } @engines;
            is_deeply($a{postgresql}, $a{sqlite}, "?$q$order: the same page on both");
            is($titles->($a{sqlite}), $order ? join(', ', reverse split /, /, $list) : $list,
                "?$q$order: $why");
        }
    }
    is_deeply($answer->('sqlite', 'q=okapi')->{ids}, [ @{ $ids{sqlite} }[2, 1] ], 'the newest twin first');
    # The documented exception: a tsvector puts every word past the
    # 16,383rd at 16,383, so PostgreSQL does not find a phrase there.
    my %long = map { $_ => new_post($srv{$_}, $author{$_}, title => 'Very long',
        body => ('x ' x 16400) . 'narwhal walrus', status => 'published')->{id} } @engines;
    is_deeply($answer->('postgresql', 'q=narwhal')->{ids}, [ $long{postgresql} ],
        'PostgreSQL finds a word past the 16,383rd');
    is_deeply([ map { scalar @{ $answer->($_, 'q=narwhal-walrus')->{ids} } } @engines ], [ 0, 1 ],
        'but not a phrase there, which SQLite finds (postgresql, sqlite)');

    # A corpus of varied posts from a small vocabulary: long and short,
    # drafts and published, by two authors, some edited and some deleted
    # (so the counts bm25 reads move); then many searches, which must give
    # the same pages on both engines.
    srand 63;
    my @vocab = qw(alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron);
    # A word, the first ones far more often than the last.
    my $word = sub { $vocab[int(@vocab * rand() ** 2)] };
    my $text = sub { join ' ', map { $word->() } 1 .. $_[0] };
    my (@corpus, %made);
    for my $n (1 .. 240) {
        my %p = (title => ucfirst $text->(1 + int rand 5), body => $text->(1 + int rand(rand() < 0.1 ? 400 : 40)),
            status => rand() < 0.3 ? 'draft' : 'published');
        my $who = rand() < 0.5 ? \%author : \%other;
        for my $e (@engines) {
            push @{ $made{$e} }, new_post($srv{$e}, $who->{$e}, %p)->{id};
        }
        push @corpus, $who;
    }
    is_deeply($made{postgresql}, $made{sqlite}, 'the corpus has the same ids on both');
    for my $k (0 .. $#corpus) {
        my $who = $corpus[$k];
        my $act = rand;
        next if $act > 0.3;
        my %change = $act < 0.1 ? (body => $text->(1 + int rand 60))
            : $act < 0.15 ? (title => ucfirst $text->(1 + int rand 4))
            : $act < 0.2 ? (status => 'published') : ();
        for my $e (@engines) {
            my $r = %change
                ? api($srv{$e}, 'PATCH', "/api/v1/posts/$made{$e}[$k]", token => $who->{$e}{token}, json => \%change)
                : api($srv{$e}, 'DELETE', "/api/v1/posts/$made{$e}[$k]", token => $who->{$e}{token});
            ok($r->{status} == 200 || $r->{status} == 204, "$e: post $made{$e}[$k] changed") or diag $r->{content};
        }
    }
    my @queries = ((map { "q=$_" } @vocab[0, 1, 3, 7, 11, 14]), 'q=alpha+beta', 'q=gamma+delta+eta',
        'q=alp*', 'q=del*+beta', 'q=eps*+zet*', 'q=alpha-beta', 'q=beta-alpha-gamma', 'q=alpha-gam*',
        'q=theta-iota+alpha', 'q=alpha+alpha');
    my $same = 0;
    my $pages = 0;
    for my $q (@queries) {
        for my $f ('', '&status=published', "&author=$author{sqlite}{id}", '&status=draft') {
            for my $o ('', '&order=asc') {
                for my $page (1 .. 3) {
                    my $u = "$q$f$o&perPage=9&page=$page";
                    my %a = map { $_ => $answer->($_, $u, \%mod) } @engines;
                    $same += is_deeply($a{postgresql}, $a{sqlite}, "?$u: the same page on both");
                    $pages += @{ $a{sqlite}{ids} } > 1;
                }
            }
        }
    }
    cmp_ok($pages, '>', 100, "the searches gave pages of several posts ($pages)");
    my %a = map { $_ => $answer->($_, 'q=alpha&perPage=100') } @engines;
    cmp_ok($a{sqlite}{total}, '>', 50, "a common word matches many posts ($a{sqlite}{total})");
    is(search_index_check($srv{postgresql}), 'ok', 'PostgreSQL: the search columns and totals agree with the posts');
    # Migration 11 runs again, as the package's upgrade runs the newest:
    # it counts the totals anew from the posts, and the ranks stay.
    my $before = $answer->('postgresql', 'q=alpha+beta&perPage=50');
    sql($srv{postgresql}, 'UPDATE posts_fts_totals SET nrow = nrow + 7, ntoken = ntoken - 3; '
        . 'DELETE FROM schema_migrations WHERE version = 11');
    isnt(search_index_check($srv{postgresql}), 'ok', 'totals set wrong are seen');
    my ($rc, $out) = quillctl($srv{postgresql}, 'migrate');
    like($out, qr/\(1 migration applied\)/, 'migration 11 runs again') or diag $out;
    is(search_index_check($srv{postgresql}), 'ok', 'and counts the totals anew');
    is_deeply($answer->('postgresql', 'q=alpha+beta&perPage=50'), $before, 'the ranks are as before');
    is(search_index_check($srv{sqlite}), 'ok', 'SQLite: the search index agrees with the posts');
}

done_testing();
