#!/bin/sh
# The package on a bare Debian 12 (`make release-check`, after `make deb`):
#   tools/release-check.sh DEB
# Makes a minimal bookworm root with Apache and the package's dependencies
# (mmdebstrap), and in it, as root:
#   1. installs DEB with dpkg: the quill user, the key, the database;
#   2. starts the programs with the installed quill-spawn-fcgi (there is no
#      systemd in a chroot), enables the installed Apache configuration
#      (a2enconf quill) and starts Apache on a free port of 127.0.0.1;
#   3. register -> login -> me -> a post -> the post, through Apache;
#   4. sets the database back before its newest migration and installs
#      DEB again, as an upgrade: a backup is taken, the migration is
#      applied, the data and the changed settings are kept, and it serves;
#   5. purges it: nothing is left in /etc/quill or /var/lib/quill.
# The last line is the verdict; the logs are in WORK (below).  Knobs:
# RELEASE_WORK (default /tmp/quill-release), RELEASE_KEEP=1 keeps the root,
# RELEASE_CACHE (default /var/cache/quill-release) keeps the day's bare root.
set -eu

deb=$(readlink -f "$1")
me="release-check"
work=${RELEASE_WORK:-/tmp/quill-release}
t0=$(date +%s)
step=setup

[ -f "$deb" ] || { echo "release-check: no package $deb (make deb builds it)" >&2; exit 2; }

# The verdict, last: this, or where it failed.
ok="ok: installed, served through Apache, upgraded and purged"
keep=${RELEASE_KEEP:-}
# shellcheck source=tools/bare-root.sh
. "$(dirname "$0")/bare-root.sh"

# ---------------------------------------------------------- the root ----
step="the bare root"
# The package's dependencies, from its control file, without versions.
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
    sed -e 's/[[:space:]]*(.*//' -e 's/|.*//' -e 's/^[[:space:]]*//' | paste -sd, -)
bare_root "apache2,spawn-fcgi,$depends"
cp "$deb" "$root/tmp/"
pkg=/tmp/${deb##*/}

# --------------------------------------------------------- install ----
step="the first install"
echo "release-check: dpkg -i ${deb##*/}"
in_root "dpkg -i $pkg" > "$log/install.log" 2>&1 ||
    fail "dpkg -i failed: $(tail -n3 "$log/install.log" | tr '\n' ' ')"
in_root 'id quill' > /dev/null || fail "no quill user"
for f in /var/lib/quill/quill.db /var/lib/quill/quill.key; do
	[ "$(in_root "stat -c '%U %a' $f")" = "quill 600" ] ||
	    fail "$f is not quill's alone: $(in_root "stat -c '%U %a' $f" 2>&1)"
done
[ "$(in_root "stat -c '%U:%G %a' /etc/quill/quill.conf")" = "root:quill 640" ] ||
    fail "/etc/quill/quill.conf is not root:quill 0640"
in_root 'runuser -u quill -- env QUILL_CONFIG=/etc/quill/quill.conf quillctl check' \
    > "$log/check.log" 2>&1 || fail "quillctl check: $(grep -v '^ok' "$log/check.log" | head -n3 | tr '\n' ' ')"

# ---------------------------------------------------------- serving ----
step="serving"
port=$(perl -MIO::Socket::INET -e \
    'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport')
start() {
	in_root '/usr/lib/quill/quill-spawn-fcgi start' >> "$log/serve.log" 2>&1 ||
	    fail "quill-spawn-fcgi start: $(tail -n2 "$log/serve.log" | tr '\n' ' ')"
}
stop() { in_root '/usr/lib/quill/quill-spawn-fcgi stop' >> "$log/serve.log" 2>&1; }
start
[ "$(in_root "stat -c '%U:%G %a' /var/log/quill/quill.log")" = "quill:adm 640" ] ||
    fail "the programs' log is not quill:adm 0640"
in_root "sed -i 's/^Listen 80\$/Listen 127.0.0.1:$port/; /^<IfModule/,/^<\/IfModule>/d' /etc/apache2/ports.conf &&
    sed -i 's/<VirtualHost \*:80>/<VirtualHost *:$port>/' /etc/apache2/sites-available/000-default.conf &&
    a2enmod -q proxy_fcgi headers && a2enconf -q quill &&
    apache2ctl configtest && apache2ctl start" >> "$log/serve.log" 2>&1 ||
    fail "Apache: $(tail -n3 "$log/serve.log" | tr '\n' ' ')"

# drive PHASE: the API session through Apache; PHASE first registers a
# user and writes a post, PHASE again logs the same user in and finds it.
drive() {
	CONFIRM="chroot $root /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 /usr/sbin/runuser -u quill -- /usr/sbin/quillctl user verify" \
	    perl - "$port" "$1" "$work/session" <<'PERL' >> "$log/api.log" 2>&1
use strict;
use warnings;
use HTTP::Tiny;
use JSON::PP;
my ($port, $phase, $state) = @ARGV;
my $http = HTTP::Tiny->new(timeout => 20);
my $base = "http://127.0.0.1:$port/api/v1";
sub call {
    my ($method, $path, $body, $token) = @_;
    my %h = (Accept => 'application/json');
    $h{Authorization} = "Bearer $token" if $token;
    my %o = (headers => \%h);
    if ($body) { $h{'Content-Type'} = 'application/json'; $o{content} = encode_json($body) }
    for (1 .. 50) {
        my $r = $http->request($method, "$base$path", \%o);
        print "$method $path -> $r->{status}\n";
        # 503 while the programs start.
        if ($r->{status} == 503 || $r->{status} == 599) { select undef, undef, undef, 0.2; next }
        my $json = eval { decode_json($r->{content}) };
        return ($r->{status}, $json, $r->{content});
    }
    die "$method $path: no answer\n";
}
sub expect {
    my ($want, $what, $status, $json, $raw) = @_;
    die "$what: $status, not $want: $raw\n" unless $status == $want;
    return $json;
}
my ($email, $pw, $title);
if ($phase eq 'first') {
    $email = "release-$$\@example.com";
    $pw = 'correct horse battery staple';
    $title = "Written through Apache $$";
    expect(201, 'register', call('POST', '/auth/register',
        { email => $email, password => $pw, name => 'Release Check' }));
    # The address confirmed by the operator (QUILL_REQUIRE_VERIFIED=write
    # lets an unconfirmed account read, not write).
    system("$ENV{CONFIRM} '$email' >/dev/null") == 0
        or die "quillctl user verify $email failed\n";
} else {
    open my $f, '<', $state or die "$state: $!";
    chomp(($email, $pw, $title) = <$f>);
}
my $login = expect(200, 'login', call('POST', '/auth/login', { email => $email, password => $pw }));
my $token = $login->{data}{accessToken} or die "login: no access token\n";
my $me = expect(200, 'me (Authorization passed through)', call('GET', '/users/me', undef, $token));
die "me: $me->{data}{email}, not $email\n" unless $me->{data}{email} eq $email;
my $id = $me->{data}{id};
if ($phase eq 'first') {
    my $post = expect(201, 'post', call('POST', '/posts', { title => $title, body => 'From the release check.', status => 'published' }, $token));
    my $pid = $post->{data}{id} // die "post: no id\n";
    open my $f, '>', $state or die; print $f "$email\n$pw\n$title\n"; close $f;
}
my $list = expect(200, 'the user\'s posts', call('GET', "/users/$id/posts", undef, $token));
die "the post is not listed\n" unless grep { $_->{title} eq $title } @{ $list->{data} };
# The search index (rebuilt by the upgrade's migration) finds it.
my ($word) = $title =~ /^(\w+)/;
my $found = expect(200, 'search', call('GET', "/posts?q=$word", undef, $token));
die "search for $word does not find the post\n" unless grep { $_->{title} eq $title } @{ $found->{data} };
print "$phase: register/login/me/post ok for $email\n";
PERL
}
drive first || fail "through Apache: $(tail -n1 "$log/api.log")"
echo "release-check: register, login, me and a post answered through Apache"

# ---------------------------------------------------------- upgrade ----
step="the upgrade"
echo '# conffile kept' >> "$root/etc/quill/quill.conf"
# The database as the release before the newest migration left it: that
# migration's record is taken out, so the upgrade applies it again (the
# newest migration must be one that can run twice, as 006's rebuild of the
# search index can; another makes this step fail at quillctl migrate).
stop
newest=$(sqlite3 "$root/var/lib/quill/quill.db" 'SELECT max(version) FROM schema_migrations')
sqlite3 "$root/var/lib/quill/quill.db" "DELETE FROM schema_migrations WHERE version = $newest" ||
    fail "cannot set the database back before migration $newest"
echo "release-check: dpkg -i ${deb##*/} again (an upgrade)"
in_root "dpkg -i $pkg" > "$log/upgrade.log" 2>&1 ||
    fail "dpkg -i failed: $(tail -n3 "$log/upgrade.log" | tr '\n' ' ')"
grep -q 'database saved as /var/backups/quill/quill-before-' "$log/upgrade.log" ||
    fail "no backup was announced: $(tail -n3 "$log/upgrade.log" | tr '\n' ' ')"
backup=$(find "$root/var/backups/quill" -name 'quill-before-*.db' | head -n1)
if [ -z "$backup" ] || [ "$(head -c 15 "$backup")" != "SQLite format 3" ]; then
	fail "no backup in /var/backups/quill"
fi
grep -q '(1 migration applied)' "$log/upgrade.log" ||
    fail "quillctl migrate did not apply migration $newest: $(tail -n3 "$log/upgrade.log" | tr '\n' ' ')"
grep -q '^# conffile kept$' "$root/etc/quill/quill.conf" ||
    fail "the changed /etc/quill/quill.conf was replaced"
start
drive again || fail "after the upgrade: $(tail -n1 "$log/api.log")"
echo "release-check: upgraded: backup taken, $(grep -m1 'migration applied' "$log/upgrade.log"), the data kept"

# ------------------------------------------------------------ purge ----
step="the purge"
stop
in_root 'apache2ctl stop' >> "$log/serve.log" 2>&1 || true
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -z "$(root_pids)" ] && break; sleep 1; done
in_root "dpkg --purge quill" > "$log/purge.log" 2>&1 ||
    fail "dpkg --purge failed: $(tail -n3 "$log/purge.log" | tr '\n' ' ')"
for d in /etc/quill /var/lib/quill /var/spool/quill /var/log/quill; do
	[ ! -e "$root$d" ] || fail "$d is left: $(find "$root$d" | tr '\n' ' ')"
done
for f in /etc/apache2/conf-available/quill.conf /etc/apache2/conf-enabled/quill.conf \
    /etc/cron.d/quill /etc/logrotate.d/quill \
    /etc/lighttpd/conf-available/50-quill.conf /usr/sbin/quillctl; do
	[ ! -e "$root$f" ] || fail "$f is left"
done
step=finished
