package QuillPosts;
# Helpers for the posts tests: accounts with roles, posts, the database
# through its own client (db_sql), and list walks.
use strict;
use warnings;
use Test::More;
use QuillTest;
use Exporter 'import';

our @EXPORT = qw(sql account new_post posts_state seed_posts walk
    link_next search_index_check);

# Runs SQL on the server's database (foreign keys on, as the programs have
# them); returns its output without the last newline.  Dies when the
# client fails.
sub sql {
    my ($srv, $sql) = @_;
    my $out = db_sql($srv, $sql);
    chomp $out;
    return $out;
}

# 'ok' when the search index agrees with the posts table: FTS5's
# integrity check on SQLite; on PostgreSQL, every post's search columns
# are what its title and body make, and the totals bm25 reads are those of
# the posts.
sub search_index_check {
    my ($srv) = @_;
    return sql($srv, "INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1); SELECT 'ok'")
        unless QuillTest::conf_value($srv->{conf}, 'QUILL_DB') =~ m{^postgres(ql)?://|^\s*\w+\s*=};
    my $n = sql($srv, "SELECT count(*) FROM posts WHERE fts IS DISTINCT FROM "
        . "setweight(to_tsvector('simple', quill_fold(title)), 'A') || "
        . "setweight(to_tsvector('simple', quill_fold(body)), 'B')");
    return "$n posts whose search column is stale" if $n ne '0';
    $n = sql($srv, "SELECT count(*) FROM posts WHERE fts_size <> "
        . "quill_tokens(title) + quill_tokens(body)");
    return "$n posts whose token count is stale" if $n ne '0';
    # The totals bm25 reads: all posts and their tokens, as FTS5 keeps them.
    my $t = sql($srv, "SELECT (SELECT count(*) || ' ' || coalesce(sum(fts_size), 0) FROM posts) || ' / ' || "
        . "(SELECT coalesce(sum(nrow), 0) || ' ' || coalesce(sum(ntoken), 0) FROM posts_fts_totals)");
    my ($real, $kept) = split m{ / }, $t;
    return $real eq $kept ? 'ok' : "the search totals say $kept, the posts $real";
}

# An account with role (user, moderator, admin), logged in:
# { id, email, token, role }.
sub account {
    my ($srv, $role, $name) = @_;
    my $email = fresh_email();
    my $pw = 'correct horse battery staple';
    if ($role eq 'user') {
        my ($r) = register($srv, email => $email, password => $pw,
            name => $name // 'A User');
        die "register: $r->{status}" unless $r->{status} == 201;
    } else {
        my ($rc, $out) = quillctl($srv, "user add $email --role $role "
            . "--name " . ($name // $role), "$pw\n");
        die "quillctl user add: $out" if $rc;
    }
    my ($tok) = login($srv, $email, $pw);
    die "login failed for $email" unless $tok;
    my $id = sql($srv, "SELECT id FROM users WHERE email = '$email'");
    return { id => $id, email => $email, token => $tok, role => $role };
}

# Creates a post as $who through the API; returns its data (dies on failure).
sub new_post {
    my ($srv, $who, %fields) = @_;
    my $r = api($srv, 'POST', '/api/v1/posts', token => $who->{token},
        json => { title => 'A title', body => 'A body.', %fields });
    die "POST /posts: $r->{status} $r->{content}" unless $r->{status} == 201;
    return $r->{json}{data};
}

# Everything stored about posts, to show a refused request changed nothing.
sub posts_state {
    my ($srv) = @_;
    return sql($srv, 'SELECT id, author_id, status, version, created_at, '
        . 'updated_at, title, body FROM posts ORDER BY id');
}

# Inserts $n posts by $author in one transaction; each row is given by SQL
# expressions over i (1..$n): status, title, body, created, updated.
sub seed_posts {
    my ($srv, $author, $n, %e) = @_;
    my $status = $e{status} // "'published'";
    my $title = $e{title} // "'Post ' || i";
    my $body = $e{body} // "'Body of post ' || i";
    my $created = $e{created} // 'i';
    my $updated = $e{updated} // $created;
    sql($srv, "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
        . "SELECT i + 1 FROM n WHERE i < $n) INSERT INTO posts (author_id, "
        . "status, title, body, created_at, updated_at) SELECT $author, "
        . "$status, $title, $body, $created, $updated FROM n; COMMIT;");
}

# The path and query of a response's Link rel="next", or undef.
sub link_next {
    my ($r) = @_;
    my $l = $r->{headers}{link} // return undef;
    my ($url) = $l =~ /^<([^>]+)>; rel="next"$/ or return undef;
    return $url;
}

# Follows a cursor list from $path to its end by its Link headers; calls
# $between->($page_number, \@ids_so_far) after each page when given.  Returns the ids in
# the order seen and the number of pages; a failed page is a test failure.
sub walk {
    my ($srv, $path, %o) = @_;
    my (@ids, $pages);
    while (defined $path) {
        my $r = api($srv, 'GET', $path, $o{token} ? (token => $o{token}) : ());
        if ($r->{status} != 200) {
            fail("GET $path: $r->{status} $r->{content}");
            last;
        }
        $pages++;
        push @ids, map { $_->{id} } @{ $r->{json}{data} };
        my $next = link_next($r);
        my $cursor = $r->{json}{meta}{nextCursor};
        if (defined($next) != defined($cursor)
            || (defined $next && $next !~ /[?&]cursor=\Q$cursor\E(&|$)/)) {
            fail("Link and meta.nextCursor disagree on $path");
            last;
        }
        if ($pages > 2000) {
            fail("the walk from $path does not end");
            last;
        }
        $o{between}->($pages, \@ids) if $o{between} && defined $next;
        $path = $next;
    }
    return (\@ids, $pages);
}

1;
