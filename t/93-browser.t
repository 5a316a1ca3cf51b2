# The pages of htdocs/ in a real browser: Debian's chromium, headless,
# driven by playwright-core (npm) from the Node scripts in t/browser/, each
# against a server of its own.  Their TAP is read back here, so prove
# counts every check; then the server's access log must hold no reset code
# the browser was mailed.  Screenshots of each step go to build/screenshots/;
# pages.js also keeps the HTML of the pages it checks in build/pages-html/.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest qw(spool_mails);

my $root = root();
my @missing = grep { !-e $_->[0] } (['/usr/bin/chromium', 'Debian chromium'],
    ['/usr/bin/node', 'Node.js'], ["$root/node_modules/playwright-core", 'playwright-core (npm ci)'],
    ["$root/node_modules/axe-core/axe.min.js", 'axe-core (npm ci)'],
    ["$root/node_modules/vnu-jar/build/dist/vnu.jar", 'vnu-jar (npm ci)'],
    ['/usr/bin/java', 'Java (default-jre-headless)']);
BAIL_OUT('the browser tests need ' . join(', ', map { $_->[1] } @missing) . ': run make deps')
    if @missing;

for my $script (sort glob "$root/t/browser/*.js") {
    next if $script =~ m{/tap\.js$};
    my $name = $script =~ s{.*/}{}r;
    # Admins must set up two-factor sign-in: pages.js walks that page too.
    my $srv = start_server(name => "browser-$name", settings => { QUILL_MFA_REQUIRED_ROLES => 'admin' });
    local $ENV{QUILL_BASE} = $srv->{base};
    # The database and the mail spool, whichever the engine: tap.js reads
    # the first through t/lib/db-sql.pl, which finds it in the settings.
    local $ENV{QUILL_CONFIG} = $srv->{conf};
    local $ENV{QUILL_MAIL_SPOOL} = QuillTest::conf_value($srv->{conf}, 'QUILL_MAIL_SPOOL');
    local $ENV{QUILL_BUILD} = build_dir();
    local $ENV{QUILL_SHOTS} = "$root/build/screenshots";
    open my $out, '-|', 'node', $script or die "node $script: $!";
    my $checks = 0;
    while (my $line = <$out>) {
        chomp $line;
        if ($line =~ /^(not )?ok \d+ - (.*)$/) {
            ok(!$1, "$name: $2");
            $checks++;
        } elsif ($line =~ /^#/) {
            diag($line =~ s/^#\s?//r);
        }
    }
    close $out;
    is($?, 0, "$name: node exits 0");
    cmp_ok($checks, '>', 0, "$name: ran checks");
    # What a real browser sent: the reset codes it was mailed are in no
    # access log (neither in a URL nor in a Referer).
    spool_mails($srv);
    QuillTest::stop_server($srv);
    is_deeply([map { substr($_, 0, 12) . '...' } access_log_leaks($srv)], [],
        "$name: no secret of the test is in the access log");
}
done_testing();
