# Every response the integration tests received is what docs/openapi.yaml
# says: t/lib/QuillTest.pm records each exchange in $build/contract/, and
# t/lib/openapi.mjs validates it with Ajv (status documented for the
# operation, required headers present, headers and body valid against their
# schemas; the headers of every answer, x-quill-every-response, by media
# type: pages too).  One test per operation and status seen.  It runs last (make
# test runs t/*.t in order), after the tests whose responses it reads.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Basename qw(basename);
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use QuillTest;

my $root = root();
my $dir = build_dir() . '/contract';
my $json = JSON::PP->new->canonical;

# The records of the test files that exist (a renamed test leaves its old
# record behind).
my @files = grep { -e "$root/t/" . basename($_, '.jsonl') . '.t' } glob("$dir/*.jsonl");
my @records;
for my $f (@files) {
    open my $fh, '<', $f or die "$f: $!";
    push @records, grep { /\S/ } <$fh>;
    close $fh;
}
ok(@records > 0, scalar(@records) . ' responses recorded by ' . scalar(@files) . ' test files')
    or BAIL_OUT("nothing recorded in $dir: run the integration tests first (make test)");

# Answers the spec must refuse, checked alongside: proof that the check
# can fail.
my $ok_meta = { requestId => 'self-check' };
my $page_csp = "default-src 'none'; style-src 'self'; img-src 'self'; "
    . "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
my %every = ('x-request-id' => 'self-check', 'x-content-type-options' => 'nosniff',
    'x-frame-options' => 'DENY', 'referrer-policy' => 'same-origin',
    'permissions-policy' => 'accelerometer=(), camera=(), geolocation=()',
    'cross-origin-opener-policy' => 'same-origin',
    'cross-origin-resource-policy' => 'same-origin', 'cache-control' => 'no-store',
    'content-security-policy' => "default-src 'none'; frame-ancestors 'none'");
my %self = (
    'an undocumented status' => [ 'GET', '/api/v1/health', 418, {}, '' ],
    'a body without a required field' => [ 'GET', '/api/v1/health', 200,
        { 'content-type' => 'application/json' }, { data => {}, meta => $ok_meta } ],
    'a public profile that shows the email' => [ 'GET', '/api/v1/users/1', 200,
        { 'content-type' => 'application/json' },
        { data => { id => 1, name => 'A', email => 'a@example.com',
            createdAt => '2026-01-31T12:00:00Z' }, meta => $ok_meta } ],
    'a 401 without WWW-Authenticate' => [ 'GET', '/api/v1/users/me', 401,
        { 'content-type' => 'application/json' },
        { error => { code => 'UNAUTHENTICATED', message => 'x' },
          meta => { timestamp => '2026-01-31T12:00:00Z', requestId => 'x' } } ],
    'an error with another code than its status' => [ 'GET', '/api/v1/nothing', 404,
        { 'content-type' => 'application/json' },
        { error => { code => 'FORBIDDEN', message => 'x' },
          meta => { timestamp => '2026-01-31T12:00:00Z', requestId => 'x' } } ],
    'a body of an undocumented type' => [ 'GET', '/api/v1/health', 200,
        { 'content-type' => 'text/plain' }, 'ok' ],
    'a post without its ETag' => [ 'GET', '/api/v1/posts/1', 200,
        { 'content-type' => 'application/json', 'cache-control' => 'no-store' },
        { data => { id => 1, authorId => 1, title => 'T', body => 'B', status => 'draft',
            createdAt => '2026-01-31T12:00:00Z', updatedAt => '2026-01-31T12:00:00Z' },
          meta => $ok_meta } ],
    'control: health' => [ 'GET', '/api/v1/health', 200,
        { 'content-type' => 'application/json' },
        { data => { status => 'ok' }, meta => $ok_meta } ],
    'control: a page' => [ 'GET', '/api/v1/users', 403,
        { 'content-type' => 'text/html; charset=utf-8', 'content-security-policy' => $page_csp,
          vary => 'Accept' }, '<p>no</p>' ],
    'control: a 303' => [ 'POST', '/api/v1/auth/logout', 303, { location => '/' }, '' ],
    'an answer without Referrer-Policy' => [ 'GET', '/api/v1/health', 200,
        { 'content-type' => 'application/json', 'referrer-policy' => undef },
        { data => { status => 'ok' }, meta => $ok_meta } ],
    'a page with the CSP of JSON' => [ 'GET', '/api/v1/users', 403,
        { 'content-type' => 'text/html; charset=utf-8', vary => 'Accept' }, '<p>no</p>' ],
    'a page without Vary: Accept' => [ 'GET', '/api/v1/users', 403,
        { 'content-type' => 'text/html; charset=utf-8', 'content-security-policy' => $page_csp },
        '<p>no</p>' ],
    'a 303 with a page' => [ 'POST', '/api/v1/auth/logout', 303,
        { 'content-type' => 'text/html; charset=utf-8', location => '/',
          'content-security-policy' => $page_csp, vary => 'Accept' }, '<p>on</p>' ],
    'a limit over 100' => [ 'GET', '/api/v1/posts?limit=101', 200,
        { 'content-type' => 'application/json' },
        { data => [], meta => { %$ok_meta, limit => 101, nextCursor => undef,
            hasMore => JSON::PP::false } } ],
);
for my $name (sort keys %self) {
    my ($method, $path, $status, $headers, $body) = @{ $self{$name} };
    # Every header of every answer, unless the check leaves one out (undef).
    my %all = (%every, %$headers);
    $headers = { map { defined $all{$_} ? ($_ => $all{$_}) : () } keys %all };
    push @records, $json->encode({ test => "self-check: $name", method => $method,
        path => $path, status => $status, headers => $headers,
        body => encode_base64(ref $body ? $json->encode($body) : $body, '') }) . "\n";
}

my $in = "$dir/.all";
open my $fh, '>', $in or die "$in: $!";
print $fh @records;
close $fh;
my @results = map { decode_json($_) }
    `node $root/t/lib/openapi.mjs check $root/docs/openapi.yaml < $in`;
is($? >> 8, 0, 'the checker ran');
my $documented = (pop @results // {})->{documented} // [];
is(scalar @results, scalar @records, 'every response was checked');

my (%by_key, %ignored, %seen_self);
for my $r (@results) {
    if (($r->{test} // '') =~ /^self-check: (.*)/) {
        my $name = $1;
        $seen_self{$name} = 1;
        # The controls are answers as they should be: what the other
        # self-checks change is what the spec refuses.
        if ($name =~ /^control: /) {
            ok(!@{ $r->{errors} // [] }, "self-check: the spec takes the $name")
                or diag(join "\n", @{ $r->{errors} });
            next;
        }
        ok(@{ $r->{errors} // [] } > 0, "self-check: the spec refuses $name")
            or diag("$r->{request}: accepted as $r->{key}");
        next;
    }
    if ($r->{ignored}) {
        push @{ $ignored{$r->{ignored}} }, "$r->{test}: $r->{request}";
        next;
    }
    push @{ $by_key{$r->{key} // "(unchecked) $r->{request}"} }, $r;
}
is(scalar keys %seen_self, scalar keys %self, 'every self-check was run');

for my $key (sort keys %by_key) {
    my @all = @{ $by_key{$key} };
    my @bad = grep { @{ $_->{errors} // [] } } @all;
    ok(!@bad, "$key: " . scalar(@all) . ' response' . (@all == 1 ? '' : 's'))
        or diag(join "\n", map { "$_->{test}: $_->{request}\n    " . join("\n    ", @{ $_->{errors} }) }
            @bad[0 .. ($#bad < 4 ? $#bad : 4)]);
}
for my $why (sort keys %ignored) {
    my @l = @{ $ignored{$why} };
    note(scalar(@l) . " not checked, $why: " . join('; ', @l[0 .. ($#l < 2 ? $#l : 2)]) .
        (@l > 3 ? '; ...' : ''));
}

# What the suite never exercised, for whoever writes the next test.
my %seen = map { $_ => 1 } keys %by_key;
my %ops;
$ops{ $_ =~ s/ \S+$//r } ||= 0 for @$documented;
$ops{ $_ =~ s/ \S+$//r } = 1 for grep { $seen{$_} } @$documented;
my @never = sort grep { !$ops{$_} } keys %ops;
my $unseen = grep { !$seen{$_} } @$documented;
diag("operations no test calls: " . join(', ', @never)) if @never;
note("$unseen of " . scalar(@$documented) . ' documented answers are not seen in the suite');

done_testing();
