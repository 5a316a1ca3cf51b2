# The first-run setup page of the shared-hosting bundle, for an account
# with FTP and no shell (docs/deploy-shared-hosting.md): the bundle as
# uploaded, owned by an ordinary user whose programs run through suEXEC,
# under mod_fcgid and as plain CGI.  The home page is the setup page; the
# API answers 503 until it is done; it asks for the code that it writes
# to quill/setup-code.txt, the owner's alone and never served; a wrong
# code, or an unusable administrator, changes nothing; the right one
# makes the database, the key, the administrator and the site's address,
# and then the page is gone for good: register -> login -> me -> a post
# -> the pages work, and the administrator signs in.  Without mod_rewrite
# the setup page is at /cgi/auth.fcgi.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use QuillSuexec;

plan skip_all => 'Apache-only test; run with QUILL_TEST_SERVER=apache (make test does)'
    unless test_server() eq 'apache';

sub slurp {
    open my $fh, '<', $_[0] or return undef;
    local $/;
    return <$fh>;
}

sub owner_mode {
    my @st = stat $_[0] or return 'missing';
    return sprintf '%s %o', scalar(getpwuid($st[4])), $st[2] & 07777;
}

my $why = suexec_ready();
plan skip_all => "suEXEC: $why" if $why;

for my $mode ('fcgid', 'shared-cgi') {
    my $srv = start_server(mode => $mode, suexec => $OWNER, apache_user => $WEB,
        first_run => 1);
    my $q = "$srv->{var}/htdocs/quill";
    my $codefile = "$q/setup-code.txt";
    my $what = "$mode, first run";

    ok(!-e "$q/state/quill.db", "$what: no database as uploaded");
    my $r = api($srv, 'GET', '/');
    is($r->{status}, 200, "$what: the home page answers");
    like($r->{content} // '', qr/Set up this site.*name="code"/s, "$what: and it is the setup page");
    $r = api($srv, 'GET', '/api/v1/health');
    is($r->{status}, 503, "$what: the API is not there yet");
    is(($r->{json} // {})->{error}{code}, 'UNAVAILABLE', "$what: in the API's envelope");
    my $code = slurp($codefile) // '';
    chomp $code;
    like($code, qr/^[A-Z2-7]{26}$/, "$what: the page wrote a setup code");
    is(owner_mode($codefile), "$OWNER 600", "$what: the owner's alone");
    is(api($srv, 'GET', '/quill/setup-code.txt')->{status}, 403, "$what: never served");
    is(api($srv, 'GET', '/')->{status}, 200, "$what: the page again");
    is(do { my $c = slurp($codefile) // ''; chomp $c; $c }, $code, "$what: the code stays the same");

    my $admin = fresh_email();
    my $pw = 'correct horse battery staple';
    my %form = (code => 'A' x 26, origin => $srv->{base}, email => $admin, password => $pw);
    $r = api($srv, 'POST', '/', form => \%form);
    is($r->{status}, 403, "$what: a wrong code is refused");
    like($r->{content} // '', qr/not the code/, "$what: and says so");
    ok(!-e "$q/state/quill.db", "$what: and makes nothing");
    $r = api($srv, 'POST', '/', form => { %form, code => $code, password => 'short' });
    is($r->{status}, 400, "$what: a password the policy refuses");
    ok(!-e "$q/state/quill.db", "$what: makes nothing either");
    $r = api($srv, 'POST', '/', form => { %form, code => $code, origin => 'example.com/x' });
    is($r->{status}, 400, "$what: an address that is not one");
    $r = api($srv, 'POST', '/', form => { %form, code => $code, password => 'qwertyuiopasdfgh' });
    is($r->{status}, 400, "$what: a common password");
    like($r->{content} // '', qr/password/i, "$what: says what was wrong");
    ok(!-e "$q/state/quill.db", "$what: and leaves no database behind");

    $r = api($srv, 'POST', '/', form => { %form, code => $code });
    is($r->{status}, 200, "$what: the right code sets the site up");
    like($r->{content} // '', qr/The site is set up/, "$what: and says so");
    like($r->{content} // '', qr{the <code>Authorization</code> header reaches the programs},
        "$what: and that API tokens reach the programs");
    ok(!-e $codefile, "$what: the code is gone");
    is(owner_mode("$q/state/quill.db"), "$OWNER 600", "$what: the database is the owner's");
    is(owner_mode("$q/state/quill.key"), "$OWNER 600", "$what: so is the key");
    like(slurp("$q/quill.conf") // '', qr/^QUILL_PUBLIC_ORIGIN=\Q$srv->{base}\E$/m,
        "$what: the site's address is in quill.conf");
    is(owner_mode("$q/quill.conf"), "$OWNER 600", "$what: which stays the owner's alone");

    $r = api($srv, 'GET', '/');
    is($r->{status}, 200, "$what: the home page");
    unlike($r->{content} // '', qr/name="code"/, "$what: is no longer the setup page");
    $r = api($srv, 'POST', '/', form => { %form, code => $code });
    unlike($r->{content} // '', qr/set up/i, "$what: and cannot be posted to again");
    is(api($srv, 'GET', '/api/v1/health')->{status}, 200, "$what: the API answers");

    $r = api($srv, 'POST', '/api/v1/auth/login', json => { email => $admin, password => $pw });
    my $atok = ($r->{json} // {})->{data}{accessToken};
    ok($atok, "$what: the administrator signs in");
    $r = api($srv, 'GET', '/api/v1/users/me', token => $atok);
    is(($r->{json} // {})->{data}{role}, 'admin', "$what: as an administrator");

    my $email = fresh_email();
    $r = api($srv, 'POST', '/api/v1/auth/register',
        json => { email => $email, password => $pw, name => 'First' });
    is($r->{status}, 201, "$what: register");
    $r = api($srv, 'POST', '/api/v1/auth/login', json => { email => $email, password => $pw });
    my $tok = ($r->{json} // {})->{data}{accessToken};
    ok($tok, "$what: login");
    $r = api($srv, 'GET', '/api/v1/users/me', token => $tok);
    is($r->{status}, 200, "$what: me");
    # A new account writes once its address is confirmed (the default
    # QUILL_REQUIRE_VERIFIED); the administrator the page made may now.
    my %post = (json => { title => "First run $$", body => 'After the setup page.', status => 'published' });
    $r = api($srv, 'POST', '/api/v1/posts', token => $tok, %post);
    is(($r->{json} // {})->{error}{code} // $r->{status}, 'EMAIL_UNVERIFIED',
        "$what: a new account's post waits for its confirmed address");
    $r = api($srv, 'POST', '/api/v1/posts', token => $atok, %post);
    is($r->{status}, 201, "$what: a post by the administrator");
    like(api($srv, 'GET', '/login')->{content} // '', qr/<form/i, "$what: the login page");
    QuillTest::stop_server($srv);
}

# A host that strips the Authorization header (here: the .htaccess has
# neither of the two ways that pass it): the page that ends the setup says
# so, with the lines that fix it, as quillctl check --url does.
for my $mode ('fcgid', 'shared-cgi') {
    my $srv = start_server(mode => $mode, suexec => $OWNER, apache_user => $WEB,
        first_run => 1);
    my $q = "$srv->{var}/htdocs/quill";
    my $what = "$mode, Authorization stripped, first run";
    edit_htaccess($srv, qr/^CGIPassAuth On\n/m);
    edit_htaccess($srv, qr/^ *RewriteCond %\{HTTP:Authorization\} \.\n.*\n/m);
    is(api($srv, 'GET', '/')->{status}, 200, "$what: the setup page");
    my $code = slurp("$q/setup-code.txt") // '';
    chomp $code;
    my $r = api($srv, 'POST', '/', form => { code => $code, origin => $srv->{base},
        email => fresh_email(), password => 'correct horse battery staple' });
    is($r->{status}, 200, "$what: the right code sets the site up");
    my $page = $r->{content} // '';
    like($page, qr/role="alert">The site is set up, but the API does not work fully/,
        "$what: the page says the API does not work fully");
    like($page, qr/FAIL the Authorization header does not reach the programs/,
        "$what: that the host strips the Authorization header");
    like($page, qr/\n    CGIPassAuth On\n.*\n    RewriteCond %\{HTTP:Authorization\} \.\n    RewriteRule \^api\/ - \[E=HTTP_AUTHORIZATION:%\{HTTP:Authorization\}\]\n/,
        "$what: with the .htaccess lines that fix it");
    unlike($page, qr/reaches the programs: API clients/, "$what: and not that all is well");
    QuillTest::stop_server($srv);
}

# Without mod_rewrite the home page stays the static one; the setup page
# is at the program's own path (docs/deploy-shared-hosting.md).
{
    my $srv = start_server(mode => 'fcgid', host => 'norewrite', suexec => $OWNER,
        apache_user => $WEB, first_run => 1);
    my $q = "$srv->{var}/htdocs/quill";
    my $what = 'fcgid, no mod_rewrite, first run';
    my $r = api($srv, 'GET', '/cgi/auth.fcgi');
    like($r->{content} // '', qr/Set up this site.*name="code"/s, "$what: /cgi/auth.fcgi is the setup page");
    my $code = slurp("$q/setup-code.txt") // '';
    chomp $code;
    my $admin = fresh_email();
    my $pw = 'correct horse battery staple';
    $r = api($srv, 'POST', '/cgi/auth.fcgi', form => { code => $code, origin => $srv->{base},
        email => $admin, password => $pw });
    is($r->{status}, 200, "$what: the right code sets the site up");
    $r = api($srv, 'POST', '/cgi/auth.fcgi/api/v1/auth/login', json => { email => $admin, password => $pw });
    ok(($r->{json} // {})->{data}{accessToken}, "$what: the administrator signs in at the program's path");
    QuillTest::stop_server($srv);
}

done_testing();
