#!/usr/bin/perl
# The layers of lib/, lowest first: base < pure < store < web, then
# cgi-bin/, tools/ and t/unit/ above them all (t/fuzz/ reaches pure/ only).
# A file includes its own layer or a lower one, naming it ("base/buf.h"),
# and no include cycle forms among the modules of lib/.  Besides: only
# lib/store/db_sqlite.c speaks SQLite and only lib/store/db_pg.c
# PostgreSQL (libpq), only lib/pure/token.c includes
# <jwt.h>, no cJSON in base/ or store/, no struct req below web/, only
# lib/web/app.c opens and ends transactions, only reply writes the answer,
# a program's functions are named by it, and each module of pure/ has its
# unit test t/unit/<module>.c.  The generated headers of the templates
# ("gen/templates.h") are for web/ and above.
#
# Run from the top of the tree (make lint and t/02-layers.t do); exits 1 and
# names each breach with its file and line.
use strict;
use warnings;

my @LAYERS = qw(base pure store web);
my %rank;
@rank{@LAYERS} = 0 .. $#LAYERS;
my $TOP = @LAYERS;
my (@bad, %edge);

# The rank a file may include up to, or undef when it is not checked.
sub rank_of {
	my ($f) = @_;
	return $rank{$1} if $f =~ m{^lib/([^/]+)/} && exists $rank{$1};
	return $rank{pure} if $f =~ m{^t/fuzz/};	# fuzz targets: parsers only
	return $TOP;
}

my @files = grep { -f } map { glob } qw(lib/*.[ch] lib/*/*.[ch]
    cgi-bin/*.[ch] cgi-bin/*/*.[ch] tools/*.c t/unit/*.[ch] t/fuzz/*.[ch]);
my %base;
for my $f (@files) {
	if ($f =~ m{^lib/} && !($f =~ m{^lib/([^/]+)/} && exists $rank{$1})) {
		push @bad, "$f: outside the layers lib/{@{[join ',', @LAYERS]}}/";
		next;
	}
	if ($f =~ m{^lib/.*/([^/]+)\.c$}) {	# ar keeps one member a name
		push @bad, "$f: named like $base{$1}" if $base{$1};
		$base{$1} = $f;
	}
	my $r = rank_of($f);
	(my $mod = $f) =~ s/\.[ch]$//;
	(my $dir = $f) =~ s{/[^/]*$}{};
	open my $fh, '<', $f or die "$f: $!\n";
	my $text = do { local $/; <$fh> };
	my $n = 0;
	for my $line (split /\n/, $text) {
		$n++;
		if ($line =~ /^\s*#\s*include\s+"([^"]+)"/) {
			my $inc = $1;
			# The templates compiled by tools/templates.pl: pages
			# are web/'s business and the programs'.
			if ($inc =~ m{^gen/(test_)?templates\.h$}) {
				push @bad, "$f:$n: $inc is for web/ and above"
				    if $r < $rank{web};
				next;
			}
			if ($inc =~ m{^([a-z]+)/[a-z0-9_]+\.h$} && exists $rank{$1}) {
				my $t = $rank{$1};
				push @bad, "$f:$n: $inc does not exist"
				    unless -f "lib/$inc";
				push @bad, "$f:$n: includes $inc, a layer above "
				    . "its own" if $t > $r;
				(my $to = "lib/$inc") =~ s/\.h$//;
				$edge{$mod}{$to} = 1 if $f =~ m{^lib/} && $to ne $mod;
			} elsif ($f =~ m{^lib/}) {
				push @bad, "$f:$n: write the layer: "
				    . "#include \"base/buf.h\", not \"$inc\"";
			} elsif (!-f "$dir/$inc") {
				push @bad, "$f:$n: \"$inc\" is not beside $f";
			}
		}
	}
	next unless $f =~ m{^(lib|cgi-bin|tools)/};
	# What only one file may do.
	push @bad, "$f: only lib/store/db_sqlite.c speaks SQLite"
	    if $text =~ /^\s*#\s*include\s*<sqlite3\.h>|\bsqlite3_\w+\s*[(*]/m
	    && $f ne 'lib/store/db_sqlite.c';
	push @bad, "$f: only lib/store/db_pg.c speaks PostgreSQL"
	    if $text =~ /^\s*#\s*include\s*<libpq-fe\.h>|\bPQ\w+\s*\(/m
	    && $f ne 'lib/store/db_pg.c';
	push @bad, "$f: only lib/pure/token.c includes <jwt.h>"
	    if $text =~ /^\s*#\s*include\s*<jwt\.h>/m && $f ne 'lib/pure/token.c';
	push @bad, "$f: no cJSON below pure/"
	    if $f =~ m{^lib/(base|store)/} && $text =~ /cJSON/;
	push @bad, "$f: no struct req below web/"
	    if $f =~ m{^lib/(base|pure|store)/} && $text =~ /struct req\b/;
	push @bad, "$f: only app opens and ends transactions"
	    if $text =~ /\bdb_(begin|commit|rollback)\s*\(/
	    && $f !~ m{^(lib/web/app\.c|lib/store/db(_sqlite|_pg)?\.c|tools/quillctl\.c|lib/store/db\.h)$};
	push @bad, "$f: only reply writes the answer"
	    if $text =~ /->(out|hdr)\b|\breply_header\s*\(/
	    && $f !~ m{^lib/web/(reply\.[ch]|app\.c)$};
}

# Handlers are named by their program (auth_login); no function of a
# program borrows the prefix of a module of lib/.
my %libmod = map { m{([^/]+)\.c$}; ($1 => 1) } glob 'lib/*/*.c';
for my $f (grep { m{^cgi-bin/} && /\.c$/ } @files) {
	my ($prog) = $f =~ m{^cgi-bin/([^/.]+)};
	open my $fh, '<', $f or die "$f: $!\n";
	my $prev = '';
	while (my $line = <$fh>) {
		if ($line =~ /^([a-z_][a-z0-9_]*)\(/ && $1 ne 'main') {
			my $fn = $1;
			my ($pre) = $fn =~ /^([a-z0-9]+)_/;
			push @bad, "$f:$.: $fn: name it ${prog}_..."
			    if $prev !~ /\bstatic\b/ && $fn !~ /^\Q$prog\E_/;
			push @bad, "$f:$.: $fn borrows the prefix of "
			    . "lib's $pre module" if defined $pre
			    && $libmod{$pre} && $pre ne $prog;
		}
		$prev = $line;
	}
}

# Every module of pure/ has its unit test.
for my $f (glob 'lib/pure/*.c') {
	(my $t = $f) =~ s{^lib/pure/}{t/unit/};
	push @bad, "$f: no unit test $t" unless -f $t;
}

# No cycle among the modules of lib/ (a file and its header are one module).
my (%state, @path);
sub visit {
	my ($m) = @_;
	$state{$m} = 1;
	push @path, $m;
	for my $to (sort keys %{ $edge{$m} || {} }) {
		if (($state{$to} // 0) == 1) {
			my @c = @path[(grep { $path[$_] eq $to } 0 .. $#path)[0] .. $#path];
			push @bad, "include cycle: @c $to";
		} elsif (!$state{$to}) {
			visit($to);
		}
	}
	pop @path;
	$state{$m} = 2;
}
visit($_) for grep { !$state{$_} } sort keys %edge;

print STDERR "$_\n" for @bad;
exit(@bad ? 1 : 0);
