# The npm tools of package.json run on Debian 12's node and npm, which
# `make deps` installs when a machine has no node: package.json's "engines"
# accepts them, and every package that package-lock.json installs accepts
# the oldest node and npm that "engines" does.  Otherwise `npm ci` there
# refuses (.npmrc: engine-strict), or the browser and OpenAPI tests would run
# on a node their tools do not support.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use QuillTest;

# Debian 12 (bookworm) with its updates: the packages nodejs and npm.
my %debian12 = (node => '18.20.4', npm => '9.2.0');

my $root = root();
ok(-d "$root/node_modules/semver", 'semver is installed (make deps runs npm ci)')
    or BAIL_OUT('node_modules/semver is missing: run make deps');
my $out = `node $root/t/lib/engines.mjs $root $debian12{node} $debian12{npm}`;
is($?, 0, 'engines.mjs runs') or BAIL_OUT($out);
my $r = decode_json($out);

for my $tool (qw(node npm)) {
    ok(defined $r->{oldest}{$tool},
        "package.json's engines.$tool names the $tool versions Quill's tools run on")
        or next;
    ok($r->{given}{$tool},
        "engines.$tool ($r->{engines}{$tool}) accepts Debian 12's $tool $debian12{$tool}");
    my @refused = @{ $r->{refused}{$tool} };
    is(scalar @refused, 0,
        "every package of package-lock.json runs on $tool $r->{oldest}{$tool}")
        or diag(join "\n", 'pin older versions of what needs these:', @refused);
}

done_testing();
