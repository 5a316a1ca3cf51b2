# The first slice: register -> login -> me, and every bad input on the way.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use QuillTest;
use AuthTest;

my $srv = start_server();

sub details_for {
    my ($r) = @_;
    return { map { $_->{field} => $_->{code} } @{ ($r->{json} // {})->{error}{details} // [] } };
}

sub user_count {
    my $n = db_sql($srv, 'SELECT count(*) FROM users');
    chomp $n;
    return $n;
}

# Register.
my ($r, $email, $pw) = register($srv, name => 'Ada Lovelace');
is($r->{status}, 201, 'register answers 201');
my $u = $r->{json}{data};
like($u->{id}, qr/^\d+$/, 'the new user has an integer id');
is($u->{email}, $email, 'the email is returned');
is($u->{name}, 'Ada Lovelace', 'the name is returned');
is($u->{role}, 'user', 'a new account has the user role');
like($u->{createdAt}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'createdAt is RFC 3339 UTC');
ok(!exists $u->{password} && !exists $u->{passwordHash} && $r->{content} !~ /argon2/,
    'no password or hash in the answer');
is($r->{headers}{location}, "/api/v1/users/$u->{id}", 'Location names the new user');
is($r->{headers}{'cache-control'}, 'no-store', 'auth answers are not cached');
my $hash = db_sql($srv, "SELECT password_hash FROM users WHERE id = $u->{id}");
like($hash, qr/^\$argon2id\$/, 'the stored password is an Argon2id hash');
unlike($hash, qr/\Q$pw\E/, 'the stored hash does not contain the password');

# Bad registrations change nothing.
my $before = user_count();
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => 'not-an-email', password => 'short', name => '' });
is($r->{status}, 422, 'invalid fields are 422');
is($r->{json}{error}{code}, 'VALIDATION_ERROR', 'with VALIDATION_ERROR');
is_deeply(details_for($r), { email => 'invalid_format', password => 'too_short', name => 'too_short' },
    'one detail per bad field, with its code');
ok(!grep({ !length $_->{message} } @{ $r->{json}{error}{details} }), 'every detail has a message');
$r = api($srv, 'POST', '/api/v1/auth/register', json => {});
is_deeply(details_for($r), { email => 'required', password => 'required', name => 'required' },
    'missing fields are "required"');
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => 'x@example.com', password => 'p' x 129, name => 'X' });
is(details_for($r)->{password}, 'too_long', 'a 129-character password is too long');
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => fresh_email(), password => 'eleven char', name => 'X' });
is_deeply(details_for($r), { password => 'too_short' }, 'an 11-character password is too short');
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => fresh_email(), password => 'é' x 11, name => 'X' });
is_deeply(details_for($r), { password => 'too_short' }, 'and so is one of 11 characters in 22 bytes');
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => fresh_email(), password => 'Password1234', name => 'X' });
is(details_for($r)->{password}, 'too_common', 'a blocklisted password is refused (any case)');
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => 42, password => ['x'], name => { a => 1 } });
is_deeply(details_for($r), { email => 'invalid_type', password => 'invalid_type', name => 'invalid_type' },
    'wrong JSON types are invalid_type');
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => fresh_email(), password => 'correct horse battery staple', name => "a\x{1}b" });
is(details_for($r)->{name}, 'invalid_characters', 'control characters in a name are refused');
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => uc($email), password => 'another fine passphrase', name => 'Dup' });
is($r->{status}, 409, 'a taken email (in other case) is 409');
is($r->{json}{error}{code}, 'EMAIL_TAKEN', 'with EMAIL_TAKEN');
is(user_count(), $before, 'no failed registration created a user');
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => fresh_email(), password => 'correct horse battery staple', name => 'Role', role => 'admin', id => 1 });
is($r->{status}, 201, 'unknown and forbidden fields are ignored');
is($r->{json}{data}{role}, 'user', 'role cannot be set through register');
isnt($r->{json}{data}{id}, 1, 'id cannot be set through register');
my $multi = 'é' x 12;
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => fresh_email(), password => $multi, name => 'Ünïcödé' });
is($r->{status}, 201, 'a 12-character password of multibyte characters is accepted');
$r = api($srv, 'POST', '/api/v1/auth/register', json => { email => fresh_email(), password => 'twelve chars', name => 'X' });
is($r->{status}, 201, 'a 12-character password is accepted');

# Register through a form.
my $femail = fresh_email();
$r = api($srv, 'POST', '/api/v1/auth/register', form => { email => $femail, password => 'form posted passphrase', name => 'Form' },
    headers => { accept => 'application/json', origin => $srv->{base} });
is($r->{status}, 201, 'register works with a urlencoded form');

# Login.
my ($tok, $lr) = login($srv, $email, $pw);
is($lr->{status}, 200, 'login answers 200');
ok($tok, 'login returns an access token');
is($lr->{json}{data}{tokenType}, 'Bearer', 'tokenType is Bearer');
is($lr->{json}{data}{expiresIn}, 900, 'expiresIn is 15 minutes');
is($lr->{json}{data}{user}{email}, $email, 'login returns the user');
like($tok, qr/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'the token is a JWT');
my ($ftok) = login($srv, uc($femail), 'form posted passphrase');
ok($ftok, 'login matches the email without regard to case');

# Wrong password and unknown email answer the same.
my $wrong = api($srv, 'POST', '/api/v1/auth/login', json => { email => $email, password => 'wrong password here' });
my $unknown = api($srv, 'POST', '/api/v1/auth/login', json => { email => 'nobody@example.com', password => 'wrong password here' });
is($wrong->{status}, 401, 'a wrong password is 401');
is($unknown->{status}, 401, 'an unknown email is 401');
delete $_->{json}{meta} for $wrong, $unknown;
is_deeply($wrong->{json}, $unknown->{json}, 'the same body for wrong password and unknown email');
is($wrong->{headers}{'www-authenticate'}, $unknown->{headers}{'www-authenticate'}, 'the same WWW-Authenticate');
$r = api($srv, 'POST', '/api/v1/auth/login', json => { email => $email });
is($r->{status}, 422, 'login without a password is 422');

# Me.
$r = api($srv, 'GET', '/api/v1/users/me', token => $tok);
is($r->{status}, 200, 'GET /users/me with the token is 200');
is($r->{json}{data}{id}, $u->{id}, 'me is the registered user');
is($r->{json}{data}{email}, $email, 'me includes the email');
ok(!exists $r->{json}{data}{tokenVersion} && $r->{content} !~ /argon2/, 'me has no secrets');

# Missing, garbage and tampered tokens.
$r = api($srv, 'GET', '/api/v1/users/me');
is($r->{status}, 401, 'no token: 401');
is($r->{json}{error}{code}, 'UNAUTHENTICATED', 'no token: UNAUTHENTICATED');
is($r->{headers}{'www-authenticate'}, 'Bearer realm="quill"', 'no token: a bare Bearer challenge');
for my $bad ('garbage', "$tok" . 'x', 'a.b.c', substr($tok, 0, -2), 'x' x 5000) {
    $r = api($srv, 'GET', '/api/v1/users/me', token => $bad);
    is($r->{status}, 401, 'a bad token is 401');
    like($r->{headers}{'www-authenticate'} // '', qr/error="invalid_token"/, 'with error="invalid_token"');
}
$r = api($srv, 'GET', '/api/v1/users/me', headers => { authorization => "Basic dXNlcjpwYXNz" });
is($r->{status}, 401, 'Basic credentials are refused');

# Tokens signed with the real key whose claims Quill must refuse.  The first
# proves the minting faithful: the claims of a real token, a fresh jti.
my %claims = %{ jwt_claims($tok) };
# Claims given as undef are left out.
my $minted = sub {
    my %c = (%claims, jti => unpack('H*', join '', map { chr int rand 256 } 1 .. 16), @_);
    delete @c{grep { !defined $c{$_} } keys %c};
    return mint_token($srv, \%c);
};
sub token_status {
    my ($t) = @_;
    my $res = api($srv, 'GET', '/api/v1/users/me', token => $t);
    return $res->{status} . (($res->{headers}{'www-authenticate'} // '') =~ /error="invalid_token"/
        ? ' invalid_token' : '');
}
is(token_status($minted->()), 200, 'a token minted with the key and the claims of a real one is accepted');
is(token_status($minted->(aud => ['another-api', $claims{aud}])), 200,
    'and so is one whose audiences include this one');
for my $case (['that expired a minute ago', exp => time - 60, iat => time - 960],
    ['that expires this very second', exp => time],
    ['for another audience', aud => 'another-api'],
    ['for other audiences only', aud => ['another-api', 'a-third-api']],
    ['with no audience', aud => undef]) {
    my ($what, @c) = @$case;
    is(token_status($minted->(@c)), '401 invalid_token', "a token $what is refused");
}
{
    # One that expires while in use: accepted (and kept by the processes'
    # caches of verified tokens) until its exp, refused from then on.
    my $exp = time + 4;
    my $t = $minted->(exp => $exp);
    is(token_status($t), 200, "a token that expires in 4 s is accepted ($_)") for 1 .. 3;
    sleep 1 while time < $exp;
    is(token_status($t), '401 invalid_token', 'and refused once its exp has come');
}

# A token whose user's token_version moved on is dead at once.
db_sql($srv, "UPDATE users SET token_version = token_version + 1 WHERE id = $u->{id}");
$r = api($srv, 'GET', '/api/v1/users/me', token => $tok);
is($r->{status}, 401, 'a token with an old token version is refused on the next request');

# Rehash on login: when the Argon2 parameters have changed, a hash made
# with the old ones is replaced by one of the current ones the next time
# its owner logs in.
{
    my $now = start_server(settings => { QUILL_ARGON2_OPSLIMIT => 2,
        QUILL_ARGON2_MEMLIMIT_KIB => 16 });
    my ($old_email, $old_pw) = (fresh_email(), 'hashed before the upgrade');
    {
        # The settings of the environment win over the file's: quillctl
        # hashes as the site did before its parameters were raised.
        local @ENV{qw(QUILL_ARGON2_OPSLIMIT QUILL_ARGON2_MEMLIMIT_KIB)} = (1, 8);
        my ($rc, $out) = quillctl($now, "user add $old_email", "$old_pw\n");
        is($rc, 0, 'an account made under the old parameters') or diag $out;
    }
    my $stored = sub { sql($now, "SELECT password_hash FROM users WHERE email = '$old_email'") };
    my $old = $stored->();
    like($old, qr/^\$argon2id\$v=19\$m=8,t=1,p=1\$/, 'holds a hash of those parameters');
    $r = api($now, 'POST', '/api/v1/auth/login', json => { email => $old_email, password => 'not the password at all' });
    is($r->{status}, 401, 'a wrong password is refused');
    is($stored->(), $old, 'and leaves the old hash alone');
    my ($t) = login($now, $old_email, $old_pw);
    ok($t, 'its owner logs in with the old hash');
    my $new = $stored->();
    like($new, qr/^\$argon2id\$v=19\$m=16,t=2,p=1\$/, 'which is replaced by a hash of the current parameters');
    like(log_text($now), qr/"event":"password_rehashed"/, 'and the rehash is logged');
    ok((login($now, $old_email, $old_pw))[0], 'the password works with the new hash');
    is($stored->(), $new, 'which a later login keeps');
}

# No secrets in the log.
my $log = log_text($srv);
unlike($log, qr/\Q$pw\E/, 'passwords never reach the log');
unlike($log, qr/\Q$tok\E/, 'tokens never reach the log');
like($log, qr/"event":"login_failed"/, 'failed logins are logged as events');

done_testing();
