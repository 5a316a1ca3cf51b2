# Who may do what to a post: every endpoint x anonymous, owner, another
# user, moderator, admin; drafts and published posts.  A refused request
# changes nothing; a draft the caller may not see is a 404, never a 403.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillPosts;

my $srv = start_server();
my %who = (
    anonymous => undef,
    owner => account($srv, 'user', 'Owner'),
    other => account($srv, 'user', 'Other'),
    moderator => account($srv, 'moderator'),
    admin => account($srv, 'admin'),
);
my @callers = qw(anonymous owner other moderator admin);

# Each action: how to send it, and the expected status for each caller,
# for a published post and for a draft.
my %actions = (
    'GET' => {
        send => sub { ('GET', {}) },
        published => [200, 200, 200, 200, 200],
        draft     => [404, 200, 404, 200, 200],
    },
    'PUT' => {
        send => sub { ('PUT', { json => { title => 'Replaced', body => 'New body', status => 'published' } }) },
        published => [401, 200, 403, 403, 200],
        draft     => [401, 200, 404, 403, 200],
    },
    'PATCH title' => {
        send => sub { ('PATCH', { json => { title => 'Retitled' } }) },
        published => [401, 200, 403, 403, 200],
        draft     => [401, 200, 404, 403, 200],
    },
    'PATCH body' => {
        send => sub { ('PATCH', { json => { body => 'Rewritten' } }) },
        published => [401, 200, 403, 403, 200],
        draft     => [401, 200, 404, 403, 200],
    },
    'PATCH status' => {
        send => sub { my ($state) = @_;
            ('PATCH', { json => { status => $state eq 'draft' ? 'published' : 'draft' } }) },
        published => [401, 200, 403, 200, 200],
        draft     => [401, 200, 404, 200, 200],
    },
    'DELETE' => {
        send => sub { ('DELETE', {}) },
        published => [401, 204, 403, 204, 204],
        draft     => [401, 204, 404, 204, 204],
    },
);

my %codes = (401 => 'UNAUTHENTICATED', 403 => 'FORBIDDEN', 404 => 'NOT_FOUND');
for my $action (sort keys %actions) {
    my $act = $actions{$action};
    for my $state (qw(published draft)) {
        for my $i (0 .. $#callers) {
            my $caller = $callers[$i];
            my $want = $act->{$state}[$i];
            my $what = "$action of a $state post by $caller";
            my $p = new_post($srv, $who{owner}, title => 'Original', body => 'Original body',
                status => $state);
            my $before = posts_state($srv);
            my ($method, $o) = $act->{send}->($state);
            my $r = api($srv, $method, "/api/v1/posts/$p->{id}", %$o,
                $who{$caller} ? (token => $who{$caller}{token}) : ());
            is($r->{status}, $want, "$what: $want");
            if ($want >= 400) {
                is($r->{json}{error}{code}, $codes{$want}, "$what: $codes{$want}");
                is(posts_state($srv), $before, "$what: nothing changed") if $method ne 'GET';
                next;
            }
            my $stored = sql($srv, "SELECT title || '|' || body || '|' || status FROM posts WHERE id = $p->{id}");
            if ($method eq 'DELETE') {
                is($stored, '', "$what: the post is gone");
            } elsif ($method eq 'GET') {
                is($r->{json}{data}{id}, $p->{id}, "$what: the post is shown");
            } else {
                is($stored, join('|', map { $r->{json}{data}{$_} } qw(title body status)),
                    "$what: the change is stored");
                isnt($stored, "Original|Original body|$state", "$what: something changed");
            }
        }
    }
}

# A moderator's own post is theirs to edit like anyone's own.
my $mp = new_post($srv, $who{moderator}, status => 'draft');
is(api($srv, 'PATCH', "/api/v1/posts/$mp->{id}", token => $who{moderator}{token},
    json => { title => 'My own words' })->{status}, 200, 'a moderator edits the text of their own post');

# Creating: any signed-in caller, never anonymous.
for my $caller (@callers) {
    my $r = api($srv, 'POST', '/api/v1/posts', json => { title => 't', body => 'b' },
        $who{$caller} ? (token => $who{$caller}{token}) : ());
    is($r->{status}, $caller eq 'anonymous' ? 401 : 201, "POST /posts by $caller");
}
my $before = posts_state($srv);
my $r = api($srv, 'POST', '/api/v1/posts', json => { title => 't', body => 'b' }, token => 'forged.token.here');
is($r->{status}, 401, 'POST /posts with a bad token is 401');
like($r->{headers}{'www-authenticate'} // '', qr/invalid_token/, 'saying the token is invalid');
is(posts_state($srv), $before, 'and creates nothing');

# Lists: a draft shows only to its author (asking for drafts) and staff.
my $draft = new_post($srv, $who{owner}, title => 'Unseen draft', status => 'draft');
my $pub = new_post($srv, $who{owner}, title => 'Seen post', status => 'published');
my %lists = (
    # list => [anonymous, owner, other, moderator, admin]: draft listed?
    '/api/v1/posts?limit=100' => [0, 0, 0, 1, 1],
    '/api/v1/posts?limit=100&status=draft' => [0, 1, 0, 1, 1],
    "/api/v1/posts?limit=100&status=draft&author=$who{owner}{id}" => [0, 1, 0, 1, 1],
    "/api/v1/users/$who{owner}{id}/posts?limit=100" => [0, 0, 0, 1, 1],
    "/api/v1/users/$who{owner}{id}/posts?limit=100&status=draft" => [0, 1, 0, 1, 1],
    '/api/v1/posts?limit=100&q=unseen' => [0, 0, 0, 1, 1],
    '/api/v1/posts?limit=100&q=unseen&status=draft' => [0, 1, 0, 1, 1],
);
for my $list (sort keys %lists) {
    for my $i (0 .. $#callers) {
        my $caller = $callers[$i];
        my $r = api($srv, 'GET', $list, $who{$caller} ? (token => $who{$caller}{token}) : ());
        is($r->{status}, 200, "GET $list by $caller: 200");
        my @items = @{ $r->{json}{data} // [] };
        is((grep { $_->{id} == $draft->{id} } @items) ? 1 : 0, $lists{$list}[$i],
            "GET $list by $caller: the draft is " . ($lists{$list}[$i] ? '' : 'not ') . 'listed');
        if ($caller ne 'moderator' && $caller ne 'admin') {
            my $me = $who{$caller} ? $who{$caller}{id} : 0;
            is(scalar(grep { $_->{status} eq 'draft' && $_->{authorId} != $me } @items), 0,
                "GET $list by $caller: no draft of someone else");
        }
    }
}
my $other_drafts = api($srv, 'GET', "/api/v1/posts?status=draft&author=$who{owner}{id}",
    token => $who{other}{token});
is_deeply($other_drafts->{json}{data}, [], "another user asking for the owner's drafts gets none");
is_deeply(api($srv, 'GET', '/api/v1/posts?status=draft')->{json}{data}, [],
    'nor does an anonymous caller');
is(api($srv, 'GET', '/api/v1/posts?status=draft&page=1')->{json}{meta}{total}, 0,
    'not even as a total');
is(api($srv, 'GET', "/api/v1/posts?q=seen&page=1")->{json}{meta}{total}, 1,
    'a search total counts only what the caller may see');

done_testing();
