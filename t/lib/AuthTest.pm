package AuthTest;
# Helpers for the session, password and rate-limit tests (t/5x-*.t): look
# into and alter the database with its own client (db_sql), log in for a full
# token pair, and fire requests at the same moment.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex hmac_sha256);
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP;
use MIME::Base64 qw(decode_base64url encode_base64url);
use POSIX ();
use QuillTest;

our @EXPORT = qw(sql token_hash login_pair refresh jwt_claims mint_token
    in_parallel post_on_new_connection spool_mails mailed_link confirm_address);

# Runs one SQL statement on the server's database; returns the output,
# rows joined by newlines, with no trailing newline.
sub sql {
    my ($srv, $q) = @_;
    my $out = db_sql($srv, $q);
    $out =~ s/\n\z//;
    return $out;
}

# The stored form of a token: the hex of SHA-256 of its text, for X'...'.
sub token_hash { uc sha256_hex($_[0]) }

# Logs in; returns the data of the answer ({accessToken, refreshToken,
# ...}, undef on failure) and the response.
sub login_pair {
    my ($srv, $email, $pw, %headers) = @_;
    my $r = api($srv, 'POST', '/api/v1/auth/login',
        json => { email => $email, password => $pw }, headers => \%headers);
    return (($r->{json} // {})->{data}, $r);
}

# POST /auth/refresh with a refresh token; returns the response.
sub refresh {
    my ($srv, $token, %headers) = @_;
    return api($srv, 'POST', '/api/v1/auth/refresh',
        json => { refreshToken => $token }, headers => \%headers);
}

# The claims of a JWT, decoded without checking anything.
sub jwt_claims {
    my ($jwt) = @_;
    my (undef, $payload) = split /\./, $jwt;
    return JSON::PP->new->decode(decode_base64url($payload));
}

# A JWT with the claims of hashref $claims, signed as Quill signs (HS256,
# the header it issues) with the server's own key: for tokens that only a
# bug would accept, such as an expired one or one for another audience.
sub mint_token {
    my ($srv, $claims) = @_;
    my $file = "$srv->{var}/quill.key";
    open my $fh, '<', $file or die "$file: $!";
    my $hex = <$fh> // '';
    close $fh;
    $hex =~ s/\s+//g;
    my $signed = join '.', map { encode_base64url($_) }
        '{"alg":"HS256","typ":"JWT"}', JSON::PP->new->canonical->encode($claims);
    return "$signed." . encode_base64url(hmac_sha256($signed, pack('H*', $hex)));
}

# POSTs JSON on a connection of its own (a forked process must not share
# the parent's kept-alive one); returns "status body".
sub post_on_new_connection {
    my ($srv, $path, $data) = @_;
    my $res = HTTP::Tiny->new(timeout => 30, keep_alive => 0)->request('POST',
        "$srv->{base}$path", { headers => { 'content-type' => 'application/json' },
        content => JSON::PP->new->encode($data) });
    contract_record('POST', $path, $res);
    return "$res->{status} " . ($res->{content} // "");
}

# Runs each code reference in its own process, all released at the same
# moment; returns what each returned (a string), in order.
sub in_parallel {
    my (@subs) = @_;
    pipe(my $gate_r, my $gate_w) or die "pipe: $!";
    my @kids;
    for my $i (0 .. $#subs) {
        pipe(my $res_r, my $res_w) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            close $gate_w;
            close $res_r;
            # Blocks until the parent closes its end: the starting gun.
            my $ignored = <$gate_r>;
            print $res_w $subs[$i]->();
            close $res_w;
            POSIX::_exit(0);
        }
        close $res_w;
        push @kids, [$pid, $res_r];
    }
    close $gate_r;
    close $gate_w;
    my @out;
    for my $k (@kids) {
        local $/;
        my $fh = $k->[1];
        push @out, scalar(<$fh>) // '';
        close $fh;
        waitpid($k->[0], 0);
    }
    return @out;
}

# The mails quillctl has spooled for this server: a list of their texts,
# oldest first.
sub spool_mails {
    my ($srv) = @_;
    my $dir = "$srv->{var}/mail";
    opendir(my $dh, $dir) or return ();
    my @files = sort { $a <=> $b } map { /^(\d+)\.eml$/ ? $1 : () } readdir $dh;
    closedir $dh;
    my @mails = map {
        open my $fh, '<', "$dir/$_.eml" or die "$dir/$_.eml: $!";
        local $/;
        my $text = <$fh>;
        close $fh;
        $text;
    } @files;
    # The reset codes they carry must stay out of every access log.
    note_secrets(map { /^([A-Za-z0-9_-]{43})$/mg, /token=([A-Za-z0-9_-]{43})/g } @mails);
    return @mails;
}

# The pages of the mailed links, by what they are for.
my %link_page = (verify => '/verify', 'email-cancel' => '/email/cancel',
    reset => '/password/reset');

# Delivers the outbox, and returns the token of the newest link to page
# (verify, email-cancel, reset) mailed to address $to, or undef.
sub mailed_link {
    my ($srv, $to, $page) = @_;
    my $path = $link_page{$page} // die "no mailed page $page";
    my ($rc, $out) = quillctl($srv, 'mail');
    die "quillctl mail: $out" if $rc;
    my ($tok) = reverse map { m{\Q$path\E#token=([A-Za-z0-9_-]{43})$}m ? $1 : () }
        grep { /^To: \Q$to\E$/m } spool_mails($srv);
    return $tok;
}

# Confirms address $to (a new account's, or the new one of an email
# change) with the link mailed to it; returns the response.
sub confirm_address {
    my ($srv, $to) = @_;
    return api($srv, 'POST', '/api/v1/auth/verify',
        json => { token => mailed_link($srv, $to, 'verify') // 'none' });
}

1;
