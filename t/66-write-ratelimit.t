# The write limit of users and posts (QUILL_RATE_WRITE, per user): a write
# past it is 429 with Retry-After and changes nothing; reads are never
# counted; other users keep their own allowance; the window ends.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;

my $srv = start_server(settings => { QUILL_RATE_WRITE => '3/60' });

my ($r, $email, $pw) = register($srv);
my ($tok) = login($srv, $email, $pw);
my ($r2, $email2, $pw2) = register($srv);
my ($tok2) = login($srv, $email2, $pw2);

sub post { api($srv, 'POST', '/api/v1/posts', token => $_[0],
    json => { title => "T $_[1]", body => 'Body', status => 'published' }) }
sub posts { sql($srv, 'SELECT count(*) FROM posts') }

is(post($tok, $_)->{status}, 201, "write $_ of 3 is accepted") for 1 .. 2;
is(api($srv, 'PATCH', '/api/v1/users/me', token => $tok, json => { name => 'Renamed' })->{status},
    200, 'a users write counts against the same allowance');
is(api($srv, 'GET', '/api/v1/posts', token => $tok)->{status}, 200, 'reads are not counted') for 1 .. 5;
my $before = posts();
$r = post($tok, 4);
is($r->{status}, 429, 'the fourth write in the window is 429');
is($r->{json}{error}{code}, 'RATE_LIMITED', 'with RATE_LIMITED');
my $ra = $r->{headers}{'retry-after'} // 0;
ok($ra >= 1 && $ra <= 60, "Retry-After $ra is within the window");
is($r->{headers}{'ratelimit-limit'}, 3, 'RateLimit-Limit is 3');
is(posts(), $before, 'the refused write created nothing');
$r = api($srv, 'DELETE', '/api/v1/users/me', token => $tok, json => { currentPassword => $pw });
is($r->{status}, 429, 'a refused account deletion is 429 too');
is(sql($srv, "SELECT count(*) FROM users WHERE email = '$email'"), 1, 'and the account is still there');
is(post($tok2, 1)->{status}, 201, 'another user has their own allowance');

sql($srv, "UPDATE rate_limits SET expires_at = unixepoch() - 1 WHERE bucket = 'write'");
is(post($tok, 5)->{status}, 201, 'once the window is over, writes are accepted again');
like(log_text($srv), qr/"event":"rate_limited"/, 'the refusal is logged');

done_testing();
