package QuillServers;
# Helpers of the tests of the shipped web server configurations: every
# layout of the server under test, the TLS policy, the answers read back
# from one connection, and the table of security headers in
# docs/hardening.md.
use strict;
use warnings;
use IO::Select;
use Test::More;
use QuillTest;
use Exporter 'import';

our @EXPORT = qw(layouts tls_policy_ok exchange header_table);

# The layouts of test_server() (tools/run.sh has them), the production
# ones first: lighttpd's production and dev; Apache's vhost (proxy), plain
# CGI, and the .htaccess layout under mod_fcgid and as plain CGI.
sub layouts {
    return test_server() eq 'apache' ? qw(proxy cgi fcgid shared-cgi)
        : qw(production dev);
}

# Checks the TLS policy of docs/hardening.md on an HTTPS server: HTTP/2
# offered through ALPN, and key exchange on X25519, P-256 and P-384 only
# (groups => 0: not checked, where the layout leaves TLS to the host).
sub tls_policy_ok {
    my ($srv, $what, %o) = @_;
    my $s = eval { connect_to($srv, SSL_alpn_protocols => ['h2', 'http/1.1']) };
    is($s ? $s->alpn_selected : $@, 'h2', "$what: HTTP/2 is offered (ALPN h2)");
    $s = eval { connect_to($srv, SSL_alpn_protocols => ['http/1.1']) };
    is($s ? $s->alpn_selected : $@, 'http/1.1', "$what: HTTP/1.1 still is");
    return if defined $o{groups} && !$o{groups};
    for my $v ('TLSv1_2', 'TLSv1_3') {
        for my $g ('X25519', 'P-256', 'P-384') {
            ok(eval { connect_to($srv, SSL_version => $v, SSL_ecdh_curve => $g) },
                "$what: $v with $g") or diag $@;
        }
        for my $g ('X448', 'P-521', 'ffdhe2048') {
            ok(!eval { connect_to($srv, SSL_version => $v, SSL_ecdh_curve => $g) },
                "$what: $v with $g alone is refused");
        }
    }
}

# Sends $bytes on one connection and reads until the server closes it (the
# last request should say Connection: close).  Returns the answers read
# back, each { status, head (its status line and header lines), headers
# (lowercased names, a list each), body }, and a note when the stream
# ended inside an answer or the server went silent for 30 s.
sub exchange {
    my ($srv, $bytes) = @_;
    my $s = connect_to($srv);
    print $s $bytes;
    my $in = '';
    my $sel = IO::Select->new($s);
    my $note;
    while (1) {
        if (!($s->can("pending") && $s->pending) && !$sel->can_read(30)) {
            $note = 'the server went silent for 30 s';
            last;
        }
        my $n = sysread($s, my $chunk, 65536);
        last unless $n;
        $in .= $chunk;
    }
    close $s;
    my @answers;
    while (length $in) {
        my $end = index($in, "\r\n\r\n");
        if ($end < 0) { $note //= 'the stream ends inside a head'; last }
        my $head = substr($in, 0, $end, '');
        substr($in, 0, 4, '');
        my ($line, @lines) = split /\r\n/, $head;
        my ($status) = $line =~ m{^HTTP/1\.[01] (\d{3}) } or do {
            $note //= "not a status line: $line";
            last;
        };
        my %h;
        for (@lines) {
            my ($k, $v) = split /:[ \t]*/, $_, 2;
            push @{ $h{lc $k} }, $v;
        }
        my $body = '';
        if (grep { /chunked/i } @{ $h{'transfer-encoding'} // [] }) {
            while ($in =~ s/\A([0-9a-fA-F]+)[^\r\n]*\r\n//) {
                my $size = hex $1;
                if ($size == 0) {
                    # The trailer fields, if any, and the empty line.
                    $in =~ s/\A(?:[^\r\n]+\r\n)*?\r\n//;
                    last;
                }
                $body .= substr($in, 0, $size, '');
                $in =~ s/\A\r\n//;
            }
        } elsif ($status =~ /^(1\d\d|204|304)$/) {
        } elsif (defined(my $len = ($h{'content-length'} // [])->[0])) {
            $body = substr($in, 0, $len, '');
        } else {
            ($body, $in) = ($in, '');
        }
        push @answers, { status => $status, head => $head, headers => \%h, body => $body };
    }
    return (\@answers, $note);
}

# The table of security headers in docs/hardening.md: a list of
# [header, { pages => value, json => value, html => value }, https_only],
# in the table's order.  Its columns: the header, the static pages, the
# API's JSON answers, the API's HTML pages.
sub header_table {
    my $file = root() . '/docs/hardening.md';
    open my $fh, '<', $file or die "$file: $!";
    my $doc = do { local $/; <$fh> };
    close $fh;
    my ($table) = $doc =~ /^#+ Security headers\n.*?\n(\| header \|.*?)\n\n/ms
        or die "$file: no table under 'Security headers'\n";
    my @rows;
    for my $line (split /\n/, $table) {
        next if $line =~ /^\| header \||^\|[-| ]+\|$/;
        my (undef, @cells) = split /\s*\|\s*/, $line;
        die "$file: a row of the header table has not four cells: $line\n"
            unless @cells == 4;
        my ($name) = $cells[0] =~ /^`([A-Za-z-]+)`/
            or die "$file: no header name in: $line\n";
        my @values = map { /^`([^`]+)`$/ ? $1 : die "$file: not one `value`: $_\n" }
            @cells[1 .. 3];
        my %v;
        @v{qw(pages json html)} = @values;
        push @rows, [ $name, \%v, $cells[0] =~ /HTTPS only/ ? 1 : 0 ];
    }
    return @rows;
}

1;
