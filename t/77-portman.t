# An outside contract tester against a real server: Portman (npm
# @apideck/portman) turns docs/openapi.yaml into a Postman collection with
# its contract tests (status, Content-Type, JSON body, schema, the
# documented headers) for every operation, plus the variations of
# t/portman/portman-config.json (Portman's fuzzed bodies: fields left out,
# too short, too long; limit and perPage out of range; a NUL in a string;
# an id over 2^53 - 1; pages for browsers), and newman runs it against the
# server under test.  A new operation needs its values in the config's
# overwrites (and its account or object made here) to reach its success.  Every
# assertion must pass and no answer may be a 5xx.  The accounts, posts,
# sessions, mail tokens and two-factor states the operations need are made
# here first and handed to newman as variables; nothing is fetched from
# the network (both tools run from node_modules).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Path qw(make_path remove_tree);
use JSON::PP;
use QuillTest;
use QuillUsers;
use QuillTotp;
use FormTest;
use AuthTest qw(spool_mails);

my $root = root();
my $bin = "$root/node_modules/.bin";
ok(-x "$bin/portman" && -x "$bin/newman", 'portman and newman are installed (make deps runs npm ci)')
    or BAIL_OUT('node_modules/.bin/portman or newman is missing: run make deps');

my $metrics_token = 'm' x 40;
# The challenge lives as long as the slowest run of Portman's variations
# needs (the longest the settings allow).
my $srv = start_server(settings => { QUILL_METRICS_TOKEN => $metrics_token,
    QUILL_MFA_CHALLENGE_TTL => 3600 });
my $dir = build_dir() . "/portman-$$";
make_path($dir);

# ---- what the operations act on ----------------------------------------

my $user = account($srv, name => 'Portman User');
my $admin = account($srv, role => 'admin', name => 'Portman Admin');
my %var = (token => $user->{token}, email => $user->{email}, password => $user->{password},
    userId => $user->{id}, adminToken => $admin->{token}, metricsToken => $metrics_token);

# A second login of the user, for its refresh token.
$var{refreshToken} = api($srv, 'POST', '/api/v1/auth/login',
    json => { email => $user->{email}, password => $user->{password} })->{json}{data}{refreshToken};

# Accounts that an operation ends, changes or signs out, one each.
my $logout = account($srv);
$var{logoutToken} = $logout->{token};
$var{logoutRefresh} = api($srv, 'POST', '/api/v1/auth/login',
    json => { email => $logout->{email}, password => $logout->{password} })->{json}{data}{refreshToken};
$var{othersToken} = account($srv)->{token};
my $sess = account($srv);
$var{sessionToken} = $sess->{token};
login($srv, $sess->{email}, $sess->{password});
$var{sessionId} = (grep { !$_->{current} } @{ api($srv, 'GET', '/api/v1/auth/sessions',
    token => $sess->{token})->{json}{data} })[0]{id};
my $change = account($srv);
@var{qw(changeToken changePassword)} = @$change{qw(token password)};
my $del = account($srv);
@var{qw(deleteToken deletePassword)} = @$del{qw(token password)};
$var{targetId} = account($srv)->{id};
$var{victimId} = account($srv)->{id};

# A password-reset token, from the mail spool.
my $reset = account($srv);
api($srv, 'POST', '/api/v1/auth/password/forgot', json => { email => $reset->{email} });
quillctl($srv, 'mail');
($var{resetToken}) = ((spool_mails($srv))[-1] // '') =~ /[#?&]token=([A-Za-z0-9_-]+)/;
ok($var{resetToken}, 'a reset token was mailed');

# A confirmation token, mailed to an account registered without one, and
# the cancel token of an email change, mailed to the old address.
my $unconfirmed = fresh_email();
api($srv, 'POST', '/api/v1/auth/register',
    json => { email => $unconfirmed, password => 'a passphrase to confirm', name => 'Unconfirmed' });
quillctl($srv, 'mail');
($var{verifyToken}) = ((grep { /^To: \Q$unconfirmed\E\r?$/mi } spool_mails($srv))[-1] // '')
    =~ /[#?&]token=([A-Za-z0-9_-]+)/;
ok($var{verifyToken}, 'a confirmation token was mailed');
my $mover = account($srv);
api($srv, 'PATCH', '/api/v1/users/me', token => $mover->{token},
    json => { email => fresh_email(), currentPassword => $mover->{password} });
quillctl($srv, 'mail');
($var{cancelToken}) = ((grep { /^To: \Q$mover->{email}\E\r?$/mi } spool_mails($srv))[-1] // '')
    =~ /[#?&]token=([A-Za-z0-9_-]+)/;
ok($var{cancelToken}, 'the old address of an email change was mailed its cancel token');

# A cookie session, for GET /auth/csrf.
my $cr = api($srv, 'POST', '/api/v1/auth/login',
    form => { email => $user->{email}, password => $user->{password} }, headers => same_origin($srv));
$var{cookie} = COOKIE . '=' . (cookie_value($cr) // '');

# Two-factor states: enrolled and confirmed (sign-in, renewal, turning
# off), pending (confirmation), none yet (enrolment).
sub mfa_on {
    my $a = account($srv);
    my $secret = api($srv, 'POST', '/api/v1/auth/mfa/totp', token => $a->{token})->{json}{data}{secret};
    my $r = api($srv, 'POST', '/api/v1/auth/mfa/totp/confirm', token => $a->{token},
        json => { code => totp_code($secret) });
    return { %$a, codes => $r->{json}{data}{recoveryCodes} // [] };
}
my $mfa = mfa_on();
@var{qw(mfaToken mfaPassword mfaRecovery1 mfaRecovery2)} =
    ($mfa->{token}, $mfa->{password}, @{ $mfa->{codes} }[0, 1]);
$var{mfaChallenge} = api($srv, 'POST', '/api/v1/auth/login',
    json => { email => $mfa->{email}, password => $mfa->{password} })->{json}{data}{challengeToken};
my $off = mfa_on();
@var{qw(disableToken disablePassword disableRecovery)} = ($off->{token}, $off->{password}, $off->{codes}[0]);
my $pending = account($srv);
$var{confirmToken} = $pending->{token};
$var{confirmSecret} = api($srv, 'POST', '/api/v1/auth/mfa/totp',
    token => $pending->{token})->{json}{data}{secret};
$var{enrolToken} = account($srv)->{token};

# Posts: one to read and edit, one to delete.
for my $name (qw(postId deletePostId)) {
    $var{$name} = api($srv, 'POST', '/api/v1/posts', token => $user->{token},
        json => { title => "For $name", body => 'Text.', status => 'published' })->{json}{data}{id};
}
my @missing = grep { !defined $var{$_} || $var{$_} eq '' } sort keys %var;
is("@missing", '', 'every variable of the collection has a value');

# ---- the collection, and its run ----------------------------------------

my $base = "$srv->{base}/api/v1";
# Portman keeps its working files under its current directory: the build's.
system('cp', glob("$root/t/portman/*"), $dir) == 0 or die "cannot copy t/portman to $dir\n";
my $out = `cd $dir && $bin/portman -l $root/docs/openapi.yaml -b $base \\
    -c portman-config.json --postmanConfigFile postman-config.json \\
    -o $dir/collection.json --syncPostman false --runNewman false 2>&1`;
is($? >> 8, 0, 'portman generates the collection') or diag($out);

my @env = map { ('--env-var', "$_=$var{$_}") } sort keys %var;
$out = do {
    open my $fh, '-|', "$bin/newman", 'run', "$dir/collection.json", @env,
        '--insecure', '--timeout-request', '30000', '--reporters', 'json',
        '--reporter-json-export', "$dir/run.json" or die "newman: $!";
    local $/;
    <$fh>;
};
my $report = eval {
    open my $fh, '<', "$dir/run.json" or die $!;
    local $/;
    decode_json(<$fh>);
} // {};
my $run = $report->{run} // {};
my $stats = $run->{stats} // {};
ok(($stats->{requests}{total} // 0) > 0, "newman ran $stats->{requests}{total} requests, "
    . ($stats->{assertions}{total} // 0) . ' assertions') or diag($out);

my @failures = @{ $run->{failures} // [] };
is(scalar @failures, 0, 'no assertion fails') or do {
    for my $f (@failures[0 .. ($#failures < 29 ? $#failures : 29)]) {
        diag(($f->{source}{name} // '?') . ': ' . ($f->{error}{message} // $f->{error}{test} // '?'));
    }
};
my @server_errors = grep { ($_->{response}{code} // 0) >= 500 } @{ $run->{executions} // [] };
is(scalar @server_errors, 0, 'no answer is a 5xx')
    or diag(join "\n", map { "$_->{item}{name}: $_->{response}{code}" } @server_errors);

# Every operation was called.
my %called = map { ($_->{item}{name} // '') => 1 } @{ $run->{executions} // [] };
my @ops = `node $root/t/lib/openapi.mjs operations $root/docs/openapi.yaml`;
cmp_ok(scalar(keys %called), '>=', scalar(@ops), 'at least one request an operation ('
    . scalar(@ops) . ' operations)');

# The collection and the report stay for a look when something failed.
remove_tree($dir) if Test::More->builder->is_passing;
done_testing();
