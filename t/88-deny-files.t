# Files that are never pages (docs/hardening.md): dotfiles other than
# /.well-known/, editors' backups, dumps, databases, archives, keys and
# logs, planted in the document root of every layout of the server under
# test, are refused (403 or 404) without a byte of them; the pages beside
# them, /.well-known/ and the API's own internal paths still work.  And
# `make install` publishes only the pages, whatever lies beside them.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use QuillTest;
use QuillServers;

my $SECRET = "planted-$$-secret";
my @DENIED = ('.git/HEAD', '.git/config', '.htaccess', '.env', '.index.html.swp',
    'sub/.hidden', '.well-known/.secret', 'index.html~', '#index.html#',
    'index.html.bak', 'INDEX.HTML.BAK', 'index.html.backup', 'index.html.orig',
    'index.html.old', 'index.html.save', 'index.html.swo', 'index.html.tmp',
    'dump.sql', 'site.dump', 'backup.db', 'quill.db-wal', 'quill.db-shm',
    'quill.db-journal', 'data.sqlite', 'data.sqlite3', 'site.tar', 'site.tar.gz',
    'site.tgz', 'site.tar.bz2', 'site.tar.xz', 'site.tar.zst', 'site.zip', 'site.7z',
    'site.rar', 'lighttpd.conf', 'settings.ini', 'header.inc', 'server.key',
    'cert.pem', 'error.log');
my %SERVED = ('.well-known/security.txt' => "Contact: mailto:security\@example.com\n",
    'sub/page.html' => "<!DOCTYPE html><title>sub</title>\n");

# Writes the files under $dir: $files{relative path} = content.
sub plant {
    my ($dir, %files) = @_;
    while (my ($name, $content) = each %files) {
        make_path(dirname("$dir/$name"));
        open my $fh, '>', "$dir/$name" or die "$dir/$name: $!";
        print $fh $content;
        close $fh;
    }
}

# The request target of a file name (# and spaces escaped).
sub target { '/' . ($_[0] =~ s/([#% ])/sprintf('%%%02X', ord $1)/ger) }

for my $layout (layouts()) {
    my $srv = start_server(mode => $layout, htdocs => 1, before_start => sub {
        plant("$_[0]/htdocs", %SERVED, map { $_ => "$SECRET $_\n" } @DENIED);
    });
    for my $name (@DENIED) {
        my $r = api($srv, 'GET', target($name));
        like($r->{status}, qr/^40[34]$/, "$layout: /$name is refused ($r->{status})");
        unlike($r->{content} // '', qr/\Q$SECRET\E/, "$layout: /$name: nothing of it is sent");
    }
    for my $path ('/%2egit/HEAD', '/.git//HEAD', '/sub/../.git/HEAD', '/index.html%7E') {
        my $r = raw_request($srv, "GET $path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        like($r->{status}, qr/^40[034]$/, "$layout: $path is refused ($r->{status})");
        unlike($r->{content}, qr/\Q$SECRET\E/, "$layout: $path: nothing of it is sent");
    }
    for my $name (sort keys %SERVED) {
        my $r = api($srv, 'GET', "/$name");
        is($r->{status}, 200, "$layout: /$name is served");
        is($r->{content}, $SERVED{$name}, "$layout: /$name as it is");
    }
    is(api($srv, 'GET', '/login')->{status}, 200, "$layout: the pages are served");

    # The API is the programs': its internal paths start with a dot, and
    # whatever they do not route is their JSON 404, never the web server's
    # refusal.
    is(api($srv, 'GET', '/api/v1/health')->{status}, 200, "$layout: health");
    for my $path ('/api/v1/auth/.server-error', '/api/v1/posts/.by-user', '/api/v1/.git/HEAD',
        '/api/v1/posts/1.bak', '/api/v1/users/1/posts.sql') {
        my $r = api($srv, 'GET', $path);
        is($r->{status}, 404, "$layout: $path is 404");
        is(($r->{json} // {})->{error}{code}, 'NOT_FOUND', "$layout: $path: the API's 404");
    }
    my ($reg) = register($srv);
    my $r = api($srv, 'GET', "/api/v1/users/$reg->{json}{data}{id}/posts?limit=1");
    is($r->{status}, 200, "$layout: a user's posts, through the internal routing");
    if ($layout =~ /^(proxy|cgi)$/) {
        $r = raw_request($srv, "TRACE /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        is(($r->{json} // {})->{error}{code}, 'METHOD_NOT_ALLOWED',
            "$layout: Apache's refusals still reach the program (ErrorDocument)");
    }
}

# make install: only the pages of htdocs/, none of what lies beside them.
my $var = state_dir()->{var};
my $site = "$var/site";
make_path($site);
system('cp', glob(root() . '/htdocs/*'), "$site/") == 0 or die "cp: $?";
my @pages = sort map { s{.*/}{}r } glob("$site/*");
plant($site, map { $_ => "$SECRET\n" } grep { !m{/} } @DENIED);
my $out = `make -s -C ${\ root()} install-htdocs HTDOCS=$site DESTDIR=$var/dest PREFIX=/usr/local 2>&1`;
is($?, 0, 'make install-htdocs') or diag $out;
opendir my $dh, "$var/dest/usr/local/share/quill/htdocs" or die "installed htdocs: $!";
my @installed = sort grep { !/^\.\.?$/ } readdir $dh;
closedir $dh;
is_deeply(\@installed, \@pages, 'make install publishes the pages, and nothing that lay beside them');

done_testing();
