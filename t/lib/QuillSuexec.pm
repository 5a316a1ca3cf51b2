package QuillSuexec;
# The suEXEC setting of the shared-hosting tests (t/32, t/36): the site's
# owner, an ordinary user; the user Apache runs as, who may call
# suexec-custom (group www-data) and has its configuration: the
# directories under the first one of this tree's path (suexec-custom takes
# no "/"), no user directories.  suexec_ready() makes the accounts and
# says why the setting cannot be had ('' when it can).
use strict;
use warnings;
use Exporter 'import';
use Cwd ();

our @EXPORT = qw(suexec_ready $OWNER $WEB);

our $OWNER = 'quill-site';
our $WEB = 'quill-web';

sub suexec_ready {
    return 'not root' unless $> == 0;
    return 'apache2-suexec-custom is not installed (make deps installs it)'
        unless -x '/usr/lib/apache2/suexec-custom';
    for my $u ([$OWNER, '--create-home'], [$WEB, '--no-create-home', '-G', 'www-data']) {
        next if getpwnam($u->[0]);
        system('useradd', @$u[1 .. $#$u], '--shell', '/usr/sbin/nologin', $u->[0]) == 0
            or return "cannot create the user $u->[0]";
    }
    my ($top) = Cwd::abs_path('.') =~ m{^(/[^/]+)};
    my $conf = "/etc/apache2/suexec/$WEB";
    unless (-f $conf) {
        open my $fh, '>', $conf or return "$conf: $!";
        print $fh "$top\n# no user directories\n";
        close $fh;
    }
    open my $fh, '<', $conf or return "$conf: $!";
    my $docroot = <$fh> // '';
    chomp $docroot;
    return "$conf allows $docroot, not $top" unless $docroot eq $top;
    return '';
}

1;
