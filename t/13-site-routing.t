# The site's pages (docs/forms.md), as each web server's configuration
# routes them: which program answers which path (the programs log their
# name), what a path that is neither a page, the API nor a file gets (the
# site's 404 page, HTML, from a program), and the 301 of a page that moved.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;

my $srv = start_server();
my $n = 0;

# GET path with a fresh X-Request-Id: the response and the program that
# logged the request.
sub fetch {
    my ($path, %h) = @_;
    my $rid = "site-$$-" . $n++;
    my $r = api($srv, 'GET', $path, headers => { 'x-request-id' => $rid, %h });
    return ($r, program_of($srv, $rid));
}

my @pages = (
    [ '/', 'posts' ],
    [ '/?q=x', 'posts' ],
    [ '/posts', 'posts' ],
    [ '/posts?q=word&status=draft', 'posts' ],
    [ '/posts/new', 'posts' ],
    [ '/posts/12', 'posts' ],
    [ '/users/12/posts', 'posts' ],
    [ '/users/me/posts?limit=5', 'posts' ],
    [ '/login', 'auth' ],
    [ '/logout', 'auth' ],
    [ '/register', 'auth' ],
    [ '/password/change', 'auth' ],
    [ '/password/forgot', 'auth' ],
    [ '/password/reset', 'auth' ],
    [ '/verify', 'auth' ],
    [ '/email/cancel', 'auth' ],
    [ '/reauth', 'auth' ],
    [ '/account/sessions', 'auth' ],
    [ '/account/two-factor', 'auth' ],
    [ '/account', 'users' ],
    [ '/account/delete', 'users' ],
    [ '/admin/users', 'users' ],
    [ '/admin/users/12', 'users' ],
    [ '/admin/users?q=a', 'users' ],
);
for my $page (@pages) {
    my ($path, $want) = @$page;
    my ($r, $program) = fetch($path);
    is($program, $want, "GET $path is answered by $want");
    isnt($r->{status}, 599, "GET $path: an answer");
    # Whatever the page's state, it is the site's: never the API's JSON.
    unlike($r->{headers}{'content-type'} // '', qr{json}, "GET $path: no JSON")
        or diag($r->{content});
}

# Every page a program's route table holds reaches that program: a page
# added to a table the web servers do not send it to would be dead.
for my $prog (qw(auth users posts)) {
    for my $route (map { s/\s+\z//r } `${\ build_dir()}/$prog.fcgi --routes`) {
        my ($method, $pattern) = split / /, $route;
        next if $pattern =~ m{^/api/};
        (my $path = $pattern) =~ s/\{id\}/12/g;
        my $rid = "site-$$-" . $n++;
        api($srv, $method, $path, headers => { 'x-request-id' => $rid },
            $method eq 'POST' ? (form => {}) : ());
        is(program_of($srv, $rid), $prog, "$method $path (a route of $prog) reaches $prog");
    }
}

# The program sees the page's path as the client sent it, query apart.
my $rid = "site-$$-" . $n++;
api($srv, 'GET', '/users/12/posts?limit=5', headers => { 'x-request-id' => $rid });
like(log_text($srv), qr/"requestId":"\Q$rid\E".*"path":"\/users\/12\/posts"/,
    'the program logs the page it was asked for, not a rewritten path');

# A path that is neither a page, the API nor a file: the site's 404 page,
# from a program, to a client that asks for JSON too.
for my $path ('/nothing', '/nothing/here.html', '/users/12', '/accountx',
    '/postsx', '/users/12/postsx', '/style.css/x', '/no-such.html?a=b') {
    for my $accept (undef, 'application/json') {
        my ($r, $program) = fetch($path, defined $accept ? (accept => $accept) : ());
        my $how = "GET $path" . (defined $accept ? " (Accept: $accept)" : '');
        like($program // '', qr/^(auth|users|posts)$/, "$how is answered by a program");
        is($r->{status}, 404, "$how is 404");
        like($r->{headers}{'content-type'} // '', qr{^text/html}, "$how: an HTML page");
        like($r->{content}, qr{<title>[^<]*Quill</title>}, "$how: the site's page");
        like($r->{content}, qr{<a class="brand" href="/">}, "$how: with the site's navigation");
        ok(defined $r->{headers}{'content-security-policy'}
            && !ref $r->{headers}{'content-security-policy'}, "$how: one Content-Security-Policy");
    }
}

# The files are the web server's: a program never sees them.
for my $file ('/style.css', '/token.js') {
    my ($r, $program) = fetch($file);
    is($r->{status}, 200, "GET $file is 200");
    is($program, undef, "GET $file: no program");
}

# The pages that moved: a 301 to the new path (the query kept), as long
# as no file of the old name is left in the document root.
my %moved = (
    '/index.html' => '/', '/post-new.html' => '/posts/new',
    '/login.html' => '/login', '/logout.html' => '/logout',
    '/register.html' => '/register', '/password-change.html' => '/password/change',
    '/password-forgot.html' => '/password/forgot', '/reset.html' => '/password/reset',
    '/verify.html' => '/verify', '/email-cancel.html' => '/email/cancel',
    '/password-changed.html' => '/account/sessions',
    '/password-forgot-sent.html' => '/login', '/verified.html' => '/',
    '/verify-sent.html' => '/verify', '/email-cancelled.html' => '/login',
);
for my $old (sort keys %moved) {
    my ($r, $program) = fetch("$old?a=1");
    if (-f root() . "/htdocs$old") {
        is($r->{status}, 200, "GET $old: still a file");
        next;
    }
    is($r->{status}, 301, "GET $old is 301");
    is($r->{headers}{location}, "$moved{$old}?a=1", "GET $old: to $moved{$old}, the query kept");
    ok(defined $program, "GET $old: from a program");
}

# The API keeps its JSON 404.
my ($r) = fetch('/api/v1/nothing');
is($r->{status}, 404, 'an unknown API path is 404');
is(($r->{json} // {})->{error}{code}, 'NOT_FOUND', 'in the envelope');

# Paths of the operator's own (docs/deploy-apache.md and
# docs/deploy-lighttpd.md, "Paths of your own"): an alias the site's rules
# are told to leave alone serves its files; one they are not told of falls
# to the site's last rule, the 404 page, which is why the guides ask for
# the rule.
sub own_dirs {
    my ($var) = @_;
    for my $dir ('extras', 'unlisted') {
        mkdir "$var/$dir" or die "$var/$dir: $!";
        open my $f, '>', "$var/$dir/hello.txt" or die $!;
        print $f "hello from $dir\n";
        close $f;
    }
}
my $own;
if (test_server() eq 'lighttpd' && $srv->{mode} eq 'dev') {
    $own = start_server(name => 'site-routing-own', before_start => sub {
        my ($var) = @_;
        own_dirs($var);
        open my $f, '>>', "$var/lighttpd-extra.conf" or die $!;
        print $f <<"CONF";
server.modules += ( "mod_alias" )
url.rewrite-once += ( "^/extras/.*" => "\$0" )
alias.url += ( "/extras/" => "$var/extras/", "/unlisted/" => "$var/unlisted/" )
CONF
        close $f;
    });
}
if (test_server() eq 'apache' && $srv->{mode} =~ /^(?:proxy|cgi)$/) {
    $own = start_server(name => 'site-routing-own', before_start => sub {
        my ($var) = @_;
        own_dirs($var);
        open my $f, '>', "$var/apache-extra.conf" or die $!;
        print $f <<"CONF";
RewriteEngine On
RewriteRule "^/extras/" - [L]
Alias "/extras/" "$var/extras/"
Alias "/unlisted/" "$var/unlisted/"
<Directory "$var/extras">
    Require all granted
</Directory>
<Directory "$var/unlisted">
    Require all granted
</Directory>
CONF
        close $f;
    });
}
if ($own) {
    my $r = api($own, 'GET', '/extras/hello.txt');
    is($r->{status}, 200, "an alias of the operator's, which a rule of its own keeps from the site's rules: 200");
    is($r->{content}, "hello from extras\n", 'with its file');
    $r = api($own, 'GET', '/unlisted/hello.txt');
    is($r->{status}, 404, "an alias without that rule falls to the site's catch-all: 404");
    like($r->{content}, qr{<title>[^<]*Quill</title>}, "the site's 404 page");
    $r = api($own, 'GET', '/api/v1/health');
    is($r->{status}, 200, 'the API beside them');
    $r = api($own, 'GET', '/nothing');
    is($r->{status}, 404, "other paths still reach the site's 404 page");
}

done_testing();
