# The README's "first session with curl", run as a reader would paste it:
# the shell block itself, taken from README.md, against a real server (the
# address 127.0.0.1:8080 of `make run` replaced by the test server's).  Each
# of its four answers must be what the prose around it promises, so a change
# to the API that the README does not follow fails here.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use QuillTest;

my $root = root();
open my $fh, '<', "$root/README.md" or die "README.md: $!";
my $readme = do { local $/; <$fh> };
close $fh;

my ($block) = $readme =~ /^## A first session with curl\n.*?^```sh\n(.*?)^```$/ms;
ok(defined $block, 'README.md has the curl session as a sh block')
    or BAIL_OUT('no curl session in README.md');
like($block, qr{http://127\.0\.0\.1:8080/api/v1/}, 'it speaks to the address `make run` serves');

my $srv = start_server();
(my $script = $block) =~ s{http://127\.0\.0\.1:8080}{$srv->{base}}g;
# One answer a line: curl prints none of its own after a body.
$script = "set -eu\ncurl() { command curl -w '\\n' \"\$\@\"; }\n" . $script;

my $file = "$srv->{var}/readme-session.sh";
open my $out, '>', $file or die "$file: $!";
print $out $script;
close $out;
my @lines = grep { length } split /\n/, `bash $file 2>&1`;
is($?, 0, 'the session runs to its end without an error');
is(scalar @lines, 3, 'three commands print an answer (the login goes into TOKEN)')
    or diag join "\n", @lines;

sub answer {
    my ($i) = @_;
    my $doc = eval { decode_json($lines[$i] // '') };
    return $doc if ref $doc eq 'HASH';
    fail("answer $i is JSON: " . ($lines[$i] // '(none)'));
    return {};
}

my $reg = answer(0);
is($reg->{data}{user}{email} // $reg->{data}{email}, 'ada@example.com', 'register answers with the new account')
    or diag $lines[0];
ok(!exists $reg->{error}, 'register is not an error');

my $me = answer(1);
is($me->{data}{email}, 'ada@example.com', 'the access token from login is Ada\'s: /users/me names her')
    or diag $lines[1];
is($me->{data}{name}, 'Ada', 'with the name she registered');

my $health = answer(2);
ok(exists $health->{data} && !exists $health->{error}, 'health answers in the success envelope')
    or diag $lines[2];

done_testing();
