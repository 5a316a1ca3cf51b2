# docs/openapi.yaml passes the Redocly linter (the recommended rules, with
# the exceptions of .redocly.yaml and .redocly.lint-ignore.yaml): no error,
# and no warning either, so that a new one is seen the day it appears.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use QuillTest;

my $root = root();
my $build = build_dir();
my $redocly = "$root/node_modules/.bin/redocly";
ok(-x $redocly, 'the linter is installed (make deps runs npm ci)')
    or BAIL_OUT('node_modules/.bin/redocly is missing: run make deps');

# Telemetry off: it would wait on the network for seconds, and send nothing
# anyone needs.
my $out = `cd $root && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $redocly lint --format=json 2>&1 >$build/openapi-lint.json`;
my $exit = $? >> 8;
my $report = eval {
    open my $fh, '<', "$build/openapi-lint.json" or die $!;
    local $/;
    decode_json(<$fh>);
} // {};
is($exit, 0, 'redocly lint exits 0') or diag($out);
my $t = $report->{totals} // {};
is($t->{errors}, 0, 'no errors');
is($t->{warnings}, 0, 'no warnings');
for my $p (@{ $report->{problems} // [] }) {
    diag("$p->{severity} $p->{ruleId}: $p->{message} at " .
        join(', ', map { $_->{pointer} // '' } @{ $p->{location} // [] }));
}

done_testing();
