#!/bin/sh
# The shared-hosting bundle on a bare Debian 12 (`make release-check`,
# after `make dist`):
#   tools/bundle-check.sh TARBALL
# Makes a minimal bookworm root with Apache, mod_fcgid and
# apache2-suexec-custom (mmdebstrap; of the libraries the bundle carries
# it has only those Apache needs, which the programs must not load), and in
# it:
#   1. the host's side: an ordinary account "site" whose ~/public_html is
#      a vhost's document root with the least docs/deploy-shared-hosting.md
#      asks for (AllowOverride FileInfo AuthConfig, Options ExecCGI
#      SymLinksIfOwnerMatch) and its scripts run as "site" by suEXEC;
#   2. the account's side, as "site", the guide's steps: unpack the
#      tarball into ~/public_html, set QUILL_PUBLIC_ORIGIN, quillctl init,
#      quillctl user add, quillctl check (and, once Apache serves,
#      quillctl check --url);
#   3. register -> login -> me -> a post -> the post -> the pages, and the
#      private directory refused, through Apache with mod_fcgid;
#   4. the same with plain CGI (mod_fcgid off, mod_cgid on), the bundle
#      uploaded afresh as by FTP and set up by the setup page with the
#      code from quill/setup-code.txt (the guide's other install).
# The last line is the verdict; the logs are in WORK/log.  Knobs:
# BUNDLE_WORK (default /tmp/quill-bundle-check), BUNDLE_KEEP=1 keeps the
# root, RELEASE_CACHE (default /var/cache/quill-release) keeps the day's
# bare root.
set -eu

tarball=$(readlink -f "$1")
me="bundle-check"
work=${BUNDLE_WORK:-/tmp/quill-bundle-check}
t0=$(date +%s)
step=setup

[ -f "$tarball" ] || { echo "bundle-check: no bundle $tarball (make dist builds it)" >&2; exit 2; }

# The verdict, last: this, or where it failed.
ok="ok: unpacked as an ordinary user, served under suEXEC with mod_fcgid and (set up by the setup page) with plain CGI"
keep=${BUNDLE_KEEP:-}
# shellcheck source=tools/bare-root.sh
. "$(dirname "$0")/bare-root.sh"

# as_site COMMAND: COMMAND as the account, in its home, as its shell would.
as_site() {
	chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/home/site \
	    LANG=C.UTF-8 /usr/sbin/runuser -u site -- /bin/sh -c "cd && $1" < /dev/null
}

# ---------------------------------------------------------- the root ----
step="the bare root"
# curl for quillctl check --url, as shared hosts have it.
bare_root apache2,libapache2-mod-fcgid,apache2-suexec-custom,curl
# Of the libraries the bundle carries, the root has only what Apache and
# apt bring (libsqlite3, libjansson, libcrypto, libseccomp): the programs
# must load none of them (checked once unpacked, below).
for lib in libfcgi.so libcjson.so libsodium.so libjwt.so libb64.so; do
	found=$(find "$root/usr/lib" "$root/lib" -name "$lib*" 2>/dev/null | head -n1)
	[ -z "$found" ] || fail "the bare root has ${found#"$root"}: it must not"
done
cp "$tarball" "$root/tmp/"
bundle=${tarball##*/}
name=${bundle%.tar.gz}

# ------------------------------------------------------ the host's side --
step="the host's side"
port=$(perl -MIO::Socket::INET -e \
    'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport')
in_root 'useradd --create-home --shell /bin/sh site &&
    mkdir -m 0755 /home/site/public_html && chown site:site /home/site/public_html &&
    chmod 0711 /home/site' > "$log/host.log" 2>&1 || fail "useradd: $(tail -n2 "$log/host.log")"
# suexec-custom: scripts under /home, no user directories.
printf '/home\n#public_html\n' > "$root/etc/apache2/suexec/www-data"
cat > "$root/etc/apache2/sites-available/site.conf" <<CONF
Listen 127.0.0.1:$port
<IfModule fcgid_module>
    FcgidMaxRequestLen 1048576
</IfModule>
<VirtualHost 127.0.0.1:$port>
    ServerName 127.0.0.1
    DocumentRoot /home/site/public_html
    SuexecUserGroup site site
    <Directory /home/site/public_html>
        Options ExecCGI SymLinksIfOwnerMatch
        AllowOverride FileInfo AuthConfig
        Require all granted
    </Directory>
</VirtualHost>
CONF
in_root 'sed -i "s/^Listen 80\$//; /^<IfModule/,/^<\/IfModule>/d" /etc/apache2/ports.conf &&
    a2dissite -q 000-default && a2ensite -q site &&
    a2enmod -q fcgid suexec rewrite headers deflate && apache2ctl configtest' \
    >> "$log/host.log" 2>&1 || fail "Apache: $(tail -n3 "$log/host.log" | tr '\n' ' ')"

# --------------------------------------------------- the account's side --
# docs/deploy-shared-hosting.md, "Install": these are its steps.
step="the install, as the account"
as_site "tar xzf /tmp/$bundle &&
    cp -a $name/. ~/public_html/ &&
    sed -i 's|^QUILL_PUBLIC_ORIGIN=.*|QUILL_PUBLIC_ORIGIN=http://127.0.0.1:$port|' ~/public_html/quill/quill.conf &&
    ~/public_html/quill/quillctl init &&
    echo 'correct horse battery staple' | ~/public_html/quill/quillctl user add admin@example.com --role admin &&
    ~/public_html/quill/quillctl check" > "$log/install.log" 2>&1 ||
    fail "$(grep -vE '^(ok|info) ' "$log/install.log" | tail -n3 | tr '\n' ' ')"
# Every library a program loads, but the C library's (those tools/dist.sh
# leaves to the host), is the bundle's.
# shellcheck disable=SC2016
outside=$(in_root 'for f in /home/site/public_html/quill/bin/*.fcgi /home/site/public_html/quill/bin/quillctl; do ldd "$f"; done' |
    awk '$2 == "=>" { print $3 }' | grep -v '^/home/site/public_html/quill/bin/' |
    sh "$(dirname "$0")/dist.sh" not-host | sort -u)
[ -z "$outside" ] || fail "the programs load libraries of the host: $outside"
# The C library the bundle needs, measured from its files, is the one
# INSTALL.txt and the guide name.
floor=$(sh "$(dirname "$0")/dist.sh" floor "$root"/home/site/public_html/quill/bin/*)
grep -q "glibc $floor or newer" "$root/home/site/public_html/INSTALL.txt" ||
    fail "INSTALL.txt does not name glibc $floor, which the bundle needs"
grep -q "needs glibc $floor or newer" "$(dirname "$0")/../docs/deploy-shared-hosting.md" ||
    fail "docs/deploy-shared-hosting.md does not name glibc $floor, which the bundle needs"
echo "bundle-check: the bundle needs glibc $floor, as INSTALL.txt and the guide say"
for f in state:700 state/quill.db:600 state/quill.key:600 quill.conf:600; do
	got=$(in_root "stat -c '%U %a' /home/site/public_html/quill/${f%:*}")
	[ "$got" = "site ${f#*:}" ] || fail "quill/${f%:*} is $got, not site ${f#*:}"
done

# drive WHAT: the API session and the pages through Apache.
drive() {
	CONFIRM="chroot $root /usr/bin/env -i PATH=/usr/bin:/bin HOME=/home/site LANG=C.UTF-8 /usr/sbin/runuser -u site -- /home/site/public_html/quill/quillctl user verify" \
	    perl - "$port" "$1" <<'PERL' >> "$log/api.log" 2>&1
use strict;
use warnings;
use HTTP::Tiny;
use JSON::PP;
my ($port, $what) = @ARGV;
my $http = HTTP::Tiny->new(timeout => 20);
my $site = "http://127.0.0.1:$port";
sub call {
    my ($method, $path, $body, $token) = @_;
    my %h = (Accept => 'application/json');
    $h{Authorization} = "Bearer $token" if $token;
    my %o = (headers => \%h);
    if ($body) { $h{'Content-Type'} = 'application/json'; $o{content} = encode_json($body) }
    my $r = $http->request($method, "$site$path", \%o);
    print "$what: $method $path -> $r->{status}\n";
    my $json = eval { decode_json($r->{content}) };
    return ($r->{status}, $json, $r->{content});
}
sub expect {
    my ($want, $step, $status, $json, $raw) = @_;
    die "$what: $step: $status, not $want: " . substr($raw // '', 0, 300) . "\n"
        unless $status == $want;
    return $json;
}
my $email = "bundle-$what-$$\@example.com";
my $pw = 'correct horse battery staple';
my $title = "Through the bundle, $what $$";
expect(200, 'health', call('GET', '/api/v1/health'));
expect(201, 'register', call('POST', '/api/v1/auth/register',
    { email => $email, password => $pw, name => 'Bundle Check' }));
# The address confirmed as the account's owner would with the bundle's
# quillctl (QUILL_REQUIRE_VERIFIED=write: an unconfirmed account reads only).
system("$ENV{CONFIRM} '$email' >/dev/null") == 0
    or die "$what: quillctl user verify $email failed\n";
my $login = expect(200, 'login', call('POST', '/api/v1/auth/login', { email => $email, password => $pw }));
my $token = $login->{data}{accessToken} or die "$what: login: no access token\n";
my $me = expect(200, 'me (Authorization passed through)', call('GET', '/api/v1/users/me', undef, $token));
die "$what: me: $me->{data}{email}, not $email\n" unless $me->{data}{email} eq $email;
expect(201, 'post', call('POST', '/api/v1/posts',
    { title => $title, body => 'From the bundle check.', status => 'published' }, $token));
my $list = expect(200, 'the user\'s posts', call('GET', "/api/v1/users/$me->{data}{id}/posts", undef, $token));
die "$what: the post is not listed\n" unless grep { $_->{title} eq $title } @{ $list->{data} };
for my $page ('/', '/login', '/register', '/style.css', '/token.js') {
    my ($s) = call('GET', $page);
    die "$what: $page: $s, not 200\n" unless $s == 200;
}
for my $private ('/quill/quill.conf', '/quill/state/quill.db', '/quill/state/quill.key',
    '/quill/bin/quillctl', '/quill/', '/INSTALL.txt', '/.htaccess') {
    my ($s) = call('GET', $private);
    die "$what: $private: $s, not 403\n" unless $s == 403;
}
print "$what: register/login/me/post/pages ok for $email\n";
PERL
}

# ------------------------------------------------------------ serving ----
step="serving with mod_fcgid"
in_root 'apache2ctl start' >> "$log/host.log" 2>&1 ||
    fail "apache2ctl start: $(tail -n3 "$log/host.log" | tr '\n' ' ')"
as_site "\$HOME/public_html/quill/quillctl check --url http://127.0.0.1:$port/" \
    > "$log/check-url.log" 2>&1 ||
    fail "quillctl check --url: $(grep -E '^(FAIL|WARN) ' "$log/check-url.log" | head -n3 | tr '\n' ' ')"
grep -q '^ok   the Authorization header reaches the programs$' "$log/check-url.log" ||
    fail "quillctl check --url did not see Authorization arrive: $(head -n3 "$log/check-url.log" | tr '\n' ' ')"
drive fcgid || fail "$(tail -n1 "$log/api.log")"
grep -q 'uid: ([0-9]*/site)' "$root/var/log/apache2/suexec.log" ||
    fail "suEXEC did not run the programs as site: $(tail -n2 "$root/var/log/apache2/suexec.log" 2>&1)"
echo "bundle-check: register, login, me, a post and the pages under mod_fcgid and suEXEC"

# The guide's other install: uploaded by FTP, set up by the setup page
# with the code the account reads from quill/setup-code.txt.
step="the setup page, as plain CGI"
in_root 'apache2ctl stop; sleep 1; a2dismod -q fcgid && a2enmod -q cgid' \
    >> "$log/host.log" 2>&1 || fail "Apache with mod_cgid: $(tail -n3 "$log/host.log" | tr '\n' ' ')"
as_site "find ~/public_html -mindepth 1 -delete && cp -a $name/. ~/public_html/" \
    > "$log/upload.log" 2>&1 || fail "the upload: $(tail -n2 "$log/upload.log" | tr '\n' ' ')"
in_root 'apache2ctl start' >> "$log/host.log" 2>&1 ||
    fail "apache2ctl start: $(tail -n3 "$log/host.log" | tr '\n' ' ')"
setup_page() {
	perl - "$port" "$root/home/site/public_html/quill/setup-code.txt" <<'PERL' >> "$log/api.log" 2>&1
use strict;
use warnings;
use HTTP::Tiny;
my ($port, $codefile) = @ARGV;
my $http = HTTP::Tiny->new(timeout => 20);
my $site = "http://127.0.0.1:$port";
my $r = $http->get("$site/");
die "setup: the home page is $r->{status}, not the setup page\n"
    unless $r->{status} == 200 && $r->{content} =~ /name="code"/;
open my $fh, '<', $codefile or die "setup: $codefile: $!\n";
chomp(my $code = <$fh> // '');
$r = $http->post_form("$site/", { code => $code, origin => $site,
    email => 'admin@example.com', password => 'correct horse battery staple' });
die "setup: $r->{status}: " . substr($r->{content}, 0, 300) . "\n"
    unless $r->{status} == 200 && $r->{content} =~ /The site is set up/;
# Its last page has checked the site as quillctl check --url does.
die "setup: the page finds that API tokens do not reach the programs: " .
    ($r->{content} =~ m{<pre>(.*?)</pre>}s ? $1 : substr($r->{content}, 0, 300)) . "\n"
    unless $r->{content} =~ m{<code>Authorization</code> header reaches the programs};
$r = $http->get("$site/");
die "setup: the setup page is still there\n" if $r->{content} =~ /name="code"/;
print "setup: the setup page made the site\n";
PERL
}
setup_page || fail "$(tail -n1 "$log/api.log")"
[ ! -e "$root/home/site/public_html/quill/setup-code.txt" ] ||
    fail "quill/setup-code.txt is still there after the setup"
for f in state:700 state/quill.db:600 state/quill.key:600 quill.conf:600; do
	got=$(in_root "stat -c '%U %a' /home/site/public_html/quill/${f%:*}")
	[ "$got" = "site ${f#*:}" ] || fail "after the setup page, quill/${f%:*} is $got, not site ${f#*:}"
done
drive cgi || fail "$(tail -n1 "$log/api.log")"
echo "bundle-check: uploaded as by FTP, set up by the setup page, the same as plain CGI"
in_root 'apache2ctl stop' >> "$log/host.log" 2>&1 || true
step=finished
