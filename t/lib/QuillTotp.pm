package QuillTotp;
# An authenticator app for the tests: the TOTP code (RFC 6238: HMAC-SHA1,
# 6 digits, 30-second steps) of a base32 secret at a time, computed apart
# from Quill's C code with Perl's Digest::SHA.
use strict;
use warnings;
use Exporter 'import';
use Digest::SHA qw(hmac_sha1);

our @EXPORT = qw(base32_decode totp_code totp_fresh_code);

# The bytes of base32 text (RFC 4648; case and padding ignored).
sub base32_decode {
    my ($text) = @_;
    (my $t = uc $text) =~ s/=+$//;
    die "not base32: $text\n" if $t =~ /[^A-Z2-7]/;
    my $bits = join '', map { sprintf '%05b', index('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', $_) } split //, $t;
    $bits = substr($bits, 0, length($bits) - length($bits) % 8);
    return pack 'B*', $bits;
}

# The code of secret (base32) at Unix time $t (default now).
sub totp_code {
    my ($secret, $t) = @_;
    my $step = int(($t // time) / 30);
    my $mac = hmac_sha1(pack('NN', int($step / 2**32), $step % 2**32), base32_decode($secret));
    my $off = ord(substr $mac, -1) & 0x0f;
    my $v = unpack('N', substr $mac, $off, 4) & 0x7fffffff;
    return sprintf '%06d', $v % 1_000_000;
}

# The code of the earliest step after $used (the last step a code was
# taken for, if any) that the server still accepts: the step of now, or
# the next one (one step of drift is allowed), waiting only when both are
# used up.  Returns the code and its step.
sub totp_fresh_code {
    my ($secret, $used) = @_;
    my $step = int(time / 30);
    $step = $used + 1 if defined $used && $used >= $step;
    sleep 1 while $step > int(time / 30) + 1;
    return (totp_code($secret, $step * 30), $step);
}

1;
