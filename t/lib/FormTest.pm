package FormTest;
# Helpers for the browser-form tests (t/9x-forms-*.t): log in through a
# form for the session cookie, send what a browser sends, and read the
# Set-Cookie headers of an answer.
use strict;
use warnings;
use Exporter 'import';
use QuillTest;

our @EXPORT = qw(COOKIE set_cookies cookie_value form_login same_origin);

# The name of the session cookie.
use constant COOKIE => '__Host-quill_session';

# The Set-Cookie header lines of a response.
sub set_cookies {
    my ($r) = @_;
    my $h = $r->{headers}{'set-cookie'};
    return () unless defined $h;
    return ref $h ? @$h : ($h);
}

# The value the response sets the session cookie to, or undef.
sub cookie_value {
    my ($r) = @_;
    for (set_cookies($r)) {
        return $1 if /^\Q${\ COOKIE}\E=([^;]*)/;
    }
    return undef;
}

# The headers of a form posted from a page of the site.
sub same_origin {
    my ($srv, %more) = @_;
    return { origin => $srv->{base}, %more };
}

# Logs in through a form as a browser does; returns the Cookie header value
# to send from then on (undef on failure) and the response.
sub form_login {
    my ($srv, $email, $pw, %headers) = @_;
    my $r = api($srv, 'POST', '/api/v1/auth/login',
        form => { email => $email, password => $pw, returnTo => '/' },
        headers => same_origin($srv, %headers));
    my $v = cookie_value($r);
    return ((defined $v && length $v ? COOKIE . "=$v" : undef), $r);
}

1;
