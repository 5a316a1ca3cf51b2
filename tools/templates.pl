#!/usr/bin/perl
# Compiles the HTML and mail templates into C tables for lib/pure/tpl.c, so
# that the programs carry their pages and mails and parse nothing at run time.
#
#   perl tools/templates.pl OUT templates/*.html templates/mail/*.txt
#
# writes OUT.c and OUT.h: in the header, enum tpl_key (TK_<name> for every
# name the templates use) and `extern const struct tpl tpl_<template>;`
# for each file.  The syntax, all of it:
#
#   {{name}}             a value, escaped for where it stands (below)
#   {{name|date}}        a time as readable text: "2 December 2026, 23:55 UTC"
#   {{name|datetime}}    a time as RFC 3339, for <time datetime="...">
#   {{name|paragraphs}}  text as <p> paragraphs; text position only.  The one
#                        way a template emits markup built from a value
#                        (tpl_paragraphs in lib/pure/tpl.c, escaped inside)
#   {{#name}}...{{/name}}  a section: once per item of a list, once when the
#                        value is true or a non-empty string, else not at all
#   {{^name}}...{{/name}}  the inverse: only when it is absent, false or empty
#   {{>file}}            file.html included here, in the same position
#   {{<file}}            (the first thing in the file) this template is the
#                        content of file.html, at its {{$content}}
#   {{! a comment }}     dropped
#
# Where a value stands decides its escaping, found by following the HTML:
# in text, and in a double- or single-quoted attribute, it is HTML-escaped;
# at the start of a URL attribute (href, src, action, formaction, cite) it
# must be a safe URL (tpl_url_safe: a path, or http:, https:, mailto:),
# else it becomes "#invalid-url"; later in a URL attribute it is
# percent-encoded.  Anywhere else (a tag or attribute name, an unquoted
# attribute, an on* or style attribute, a comment, <script>, <style>) it is
# a build error naming the file and line, as are an unbalanced section and
# one whose end is in another position than its start.
#
# A .txt file is a mail, plain text: its template is mail_<name>.  Its
# first line is "Subject: ...", then an empty line, then the body.  A value
# in it is written as it is, except that every control character becomes a
# space: no value can begin a line, so none can add a header or move the
# body.  The filters date and datetime apply; paragraphs does not.
use strict;
use warnings;

my %URL_ATTR = map { $_ => 1 } qw(href src action formaction cite poster);
my %FILTER = (date => 'TPL_FILTER_DATE', datetime => 'TPL_FILTER_DATETIME',
    paragraphs => 'TPL_FILTER_PARAGRAPHS');
my $MAX_DEPTH = 16;	# TPL_DEPTH_MAX in lib/pure/tpl.h

my $out = shift @ARGV or die "usage: $0 OUT template.html...\n";
my (%src, %file, %plain);
for my $f (@ARGV) {
	(my $name = $f) =~ s{.*/}{};
	my $txt = $name =~ /\.txt$/;
	$name =~ s/\.(?:html|txt)$//
	    or die "$f: a template's name ends in .html (a page) or .txt (a mail)\n";
	$name =~ /^[a-z][a-z0-9_]*$/
	    or die "$f: a template's name is [a-z][a-z0-9_]* and its ending\n";
	$name = "mail_$name" if $txt;
	$plain{$name} = 1 if $txt;
	open my $fh, '<', $f or die "$f: $!\n";
	local $/;
	$src{$name} = <$fh>;
	$file{$name} = $f;
}

my %keys;
my @errors;
sub fail { push @errors, "$_[0]: $_[1]\n"; return }

# A template as a list of pieces: literal text ([text, where]) and tags
# ([tag, kind, arg, where]), with {{<layout}} and {{>include}} expanded.
sub pieces {
	my ($name, $seen) = @_;
	return fail($file{$name} // $name, 'includes itself')
	    if $seen->{$name};
	my $text = $src{$name};
	my $f = $file{$name};
	# A line holding only a section, end, comment, layout, include or
	# content tag leaves nothing behind but what the tag writes, so the
	# pages read as their templates do.
	$text =~ s/^[ \t]*(\{\{[#^\/!<>\$][^}]*\}\})[ \t]*\n/$1/mg;
	my @p;
	my $line = 1;
	while (length $text) {
		if ($text =~ s/^\{\{(.*?)\}\}//s) {
			my $t = $1;
			my $where = "$f:$line";
			$line += ($t =~ tr/\n//);
			if ($t =~ /^!/) {
				next;
			} elsif ($t =~ /^([#^\/])\s*([a-z][a-z0-9_]*)\s*$/) {
				push @p, ['tag', $1, $2, $where];
			} elsif ($t =~ /^\s*([a-z][a-z0-9_]*)\s*(?:\|\s*([a-z]+)\s*)?$/) {
				fail($where, "no filter '$2' (date, datetime, paragraphs)")
				    if defined $2 && !$FILTER{$2};
				push @p, ['tag', 'value', $1, $where, $2];
			} elsif ($t =~ /^>\s*([a-z][a-z0-9_]*)\s*$/) {
				if (!exists $src{$1}) {
					fail($where, "no template '$1' to include");
					next;
				}
				push @p, pieces($1, { %$seen, $name => 1 });
			} elsif ($t =~ /^<\s*([a-z][a-z0-9_]*)\s*$/) {
				fail($where, 'a layout is named first') if @p;
				push @p, ['tag', 'layout', $1, $where];
			} elsif ($t =~ /^\$\s*content\s*$/) {
				push @p, ['tag', 'content', '', $where];
			} else {
				fail($where, "not a tag of the templates: {{$t}}");
			}
		} else {
			$text =~ s/^(.[^{]*)//s;
			push @p, ['text', $1, "$f:$line"];
			$line += ($1 =~ tr/\n//);
		}
	}
	return @p unless @p && $p[0][0] eq 'tag' && $p[0][1] eq 'layout';
	my $layout = shift(@p)->[2];
	return fail($f, "no layout '$layout'") unless exists $src{$layout};
	my @l = pieces($layout, { %$seen, $name => 1 });
	my @slot = grep { $l[$_][0] eq 'tag' && $l[$_][1] eq 'content' } 0 .. $#l;
	return fail($file{$layout}, 'a layout has one {{$content}}')
	    unless @slot == 1;
	splice @l, $slot[0], 1, @p;
	return @l;
}

# Follows the HTML of literal text from state $s (a hash: st, tag, attr,
# lit); returns nothing, changing $s.  The states are those of a tokenizer
# that needs to know only where a value may go.
sub follow {
	my ($s, $text, $where) = @_;
	for my $c (split //, $text) {
		my $st = $s->{st};
		if (delete $s->{boundary}) {
			fail($where, "an attribute's name runs on across a section's tag")
			    if $st eq 'tag' && $c !~ m{[\s/>]};
		}
		if ($st eq 'text') {
			$s->{st} = 'open' if $c eq '<';
		} elsif ($st eq 'open') {
			if ($c eq '!') {
				$s->{st} = 'bang';
				$s->{tag} = '';
			} elsif ($c =~ m{[A-Za-z/]}) {
				$s->{st} = 'tagname';
				$s->{tag} = $c eq '/' ? '/' : lc $c;
			} else {
				$s->{st} = 'text';
			}
		} elsif ($st eq 'bang') {
			$s->{tag} .= $c;
			if ($s->{tag} eq '--') {
				$s->{st} = 'comment';
				$s->{tag} = '';
			} elsif ($c eq '>') {
				$s->{st} = 'text';
			}
		} elsif ($st eq 'comment') {
			$s->{tag} .= $c;
			$s->{st} = 'text' if $s->{tag} =~ /-->$/;
		} elsif ($st eq 'tagname') {
			if ($c =~ /[\s\/>]/) {
				$s->{st} = 'tag';
				redo;
			}
			$s->{tag} .= lc $c;
		} elsif ($st eq 'tag') {
			if ($c eq '>') {
				$s->{st} = $s->{tag} =~ /^(script|style)$/ ? 'raw' : 'text';
				$s->{raw} = '';
			} elsif ($c =~ /[^\s\/]/) {
				$s->{st} = 'attr';
				$s->{attr} = lc $c;
			}
		} elsif ($st eq 'attr') {
			if ($c eq '=') {
				$s->{st} = 'eq';
			} elsif ($c =~ /[\s\/>]/) {
				$s->{st} = 'tag';
				redo;
			} else {
				$s->{attr} .= lc $c;
			}
		} elsif ($st eq 'eq') {
			if ($c eq '"' || $c eq "'") {
				$s->{st} = $c eq '"' ? 'dq' : 'sq';
				$s->{lit} = 0;
			} elsif ($c !~ /\s/) {
				$s->{st} = 'uq';
				redo;
			}
		} elsif ($st eq 'dq' || $st eq 'sq') {
			if ($c eq ($st eq 'dq' ? '"' : "'")) {
				$s->{st} = 'tag';
			} else {
				$s->{lit} = 1;
			}
		} elsif ($st eq 'uq') {
			if ($c =~ /[\s>]/) {
				$s->{st} = 'tag';
				redo;
			}
		} elsif ($st eq 'raw') {
			$s->{raw} .= lc $c;
			if ($s->{raw} =~ m{</$s->{tag}$}) {
				$s->{st} = 'tag';
				$s->{tag} = "/$s->{tag}";
			}
		}
	}
}

# The escaping of a value standing in state $s, or undef with the reason.
sub context {
	my ($s) = @_;
	my $st = $s->{st};
	return ('TPL_CTX_PLAIN') if $st eq 'plain';
	return ('TPL_CTX_TEXT') if $st eq 'text';
	if ($st eq 'dq' || $st eq 'sq') {
		my $a = $s->{attr};
		return (undef, "a value in the $a attribute (script or style)")
		    if $a =~ /^on/ || $a eq 'style' || $a eq 'srcdoc' || $a eq 'srcset';
		return ($s->{lit} ? 'TPL_CTX_URL_PART' : 'TPL_CTX_URL')
		    if $URL_ATTR{$a};
		return ('TPL_CTX_ATTR');
	}
	return (undef, 'a value in an unquoted attribute') if $st eq 'uq' || $st eq 'eq';
	return (undef, "a value inside <$s->{tag}>") if $st eq 'raw';
	return (undef, 'a value in a comment') if $st eq 'comment' || $st eq 'bang';
	return (undef, 'a value inside a tag, outside an attribute\'s quotes');
}

# Where in the HTML state $s is, as far as a section must end where it began.
sub position {
	my ($s) = @_;
	return 'text' if $s->{st} eq 'text';
	return "tag,$s->{tag}" if $s->{st} eq 'tag';
	return join ',', map { $s->{$_} // '' } qw(st tag attr);
}

sub c_string {
	my ($t) = @_;
	# ? too: -std=c11 reads trigraphs.
	$t =~ s/([\\"?])/\\$1/g;
	$t =~ s/\t/\\t/g;
	$t =~ s/([\x00-\x08\x0b-\x1f\x7f])/sprintf('\\%03o', ord $1)/ge;
	$t =~ s/\n(?!\z)/\\n"\n\t    "/g;
	$t =~ s/\n\z/\\n/;
	return qq{"$t"};
}

# Compiles template $name to its ops (C initialisers).
sub compile {
	my ($name) = @_;
	my @p = pieces($name, {});
	my $s = { st => $plain{$name} ? 'plain' : 'text', tag => '', attr => '',
	    lit => 0, raw => '' };
	my (@ops, @open);
	# A mail's text with each value as one character: its shape.
	my $shape = '';
	for my $p (@p) {
		if ($p->[0] eq 'text') {
			$shape .= $p->[1];
			follow($s, $p->[1], $p->[2]) unless $plain{$name};
			if (@ops && $ops[-1]{kind} eq 'TPL_OP_TEXT') {
				$ops[-1]{text} .= $p->[1];
			} else {
				push @ops, { kind => 'TPL_OP_TEXT', text => $p->[1] };
			}
			next;
		}
		my (undef, $kind, $arg, $where, $filter) = @$p;
		if ($kind eq 'layout' || $kind eq 'content') {
			fail($where, $kind eq 'layout' ? 'a layout is named first'
			    : '{{$content}} is only in a layout');
			next;
		}
		if ($kind eq 'value') {
			my ($ctx, $why) = context($s);
			if (!defined $ctx) {
				fail($where, "{{$arg}}: $why");
				next;
			}
			fail($where, "{{$arg|paragraphs}} stands only in text")
			    if ($filter // '') eq 'paragraphs' && $ctx ne 'TPL_CTX_TEXT';
			$shape .= 'x';
			$keys{$arg} = 1;
			$s->{lit} = 1;
			push @ops, { kind => 'TPL_OP_VALUE', key => $arg, ctx => $ctx,
			    filter => $filter ? $FILTER{$filter} : 'TPL_FILTER_NONE' };
		} elsif ($kind eq '#' || $kind eq '^') {
			# A section after an attribute's name ends the name:
			# <textarea required{{#e}} aria-invalid="true"{{/e}}>
			if ($s->{st} eq 'attr') {
				$s->{st} = 'tag';
				$s->{boundary} = 1;
			}
			$keys{$arg} = 1;
			push @open, [$arg, scalar @ops, position($s), $where, $s->{lit}];
			fail($where, "sections nest more than $MAX_DEPTH deep")
			    if @open > $MAX_DEPTH;
			push @ops, { kind => $kind eq '#' ? 'TPL_OP_SECTION'
			    : 'TPL_OP_INVERTED', key => $arg };
		} else {
			my $o = pop @open;
			if (!$o || $o->[0] ne $arg) {
				fail($where, "{{/$arg}} closes " . ($o ? "{{#$o->[0]}} of $o->[3]" : 'nothing'));
				next;
			}
			# An attribute the section wrote ends here: <option{{#x}} selected{{/x}}>
			if ($s->{st} eq 'attr') {
				$s->{st} = 'tag';
				$s->{boundary} = 1;
			}
			fail($where, "{{/$arg}} ends in another position of the HTML "
			    . "than {{#$arg}} of $o->[3] began") if position($s) ne $o->[2];
			$s->{lit} ||= $o->[4];
			$ops[$o->[1]]{end} = scalar @ops;
			push @ops, { kind => 'TPL_OP_END', key => $arg };
		}
	}
	fail($_->[3], "{{#$_->[0]}} is never closed") for @open;
	if ($plain{$name}) {
		fail($file{$name}, 'a mail begins "Subject: ...", then an empty line')
		    unless $shape =~ /\ASubject: [^\n]+\n\n./;
	} else {
		fail($file{$name}, 'ends inside a tag, a comment or <script>')
		    unless $s->{st} eq 'text';
	}
	return @ops;
}

# A layout is compiled only into the templates that name it.
my %compiled = map { $_ => [compile($_)] }
    grep { $src{$_} !~ /\{\{\$\s*content\s*\}\}/ } sort keys %src;
die @errors if @errors;

my @keys = sort keys %keys;
my %kidx = map { $keys[$_] => $_ + 1 } 0 .. $#keys;
(my $hname = $out) =~ s{.*/}{};
(my $guard = uc "QUILL_GEN_${hname}_H") =~ s/[^A-Z0-9]/_/g;

# The header is written only when it changes, so that a change of a
# template's text rebuilds its table, not everything that includes it.
open my $h, '>', "$out.h.tmp" or die "$out.h: $!\n";
print $h "/* Generated from the templates by tools/templates.pl. */\n";
print $h "#ifndef $guard\n#define $guard\n\n#include \"pure/tpl.h\"\n\n";
print $h "/* The names the templates use, for tpl_str() and the rest. */\n";
print $h "enum tpl_key {\n\tTK__NONE,\n";
print $h "\tTK_$_,\n" for @keys;
print $h "\tTK__MAX\n};\n\n";
print $h "extern const struct tpl tpl_$_;\n" for sort keys %compiled;
print $h "\n#endif\n";
close $h or die "$out.h: $!\n";

open my $c, '>', "$out.c.tmp" or die "$out.c: $!\n";
print $c "/* Generated from the templates by tools/templates.pl. */\n";
print $c "#include \"$hname.h\"\n";
for my $name (sort keys %compiled) {
	my @ops = @{ $compiled{$name} };
	print $c "\nstatic const struct tpl_op ops_$name\[] = {\n";
	for my $o (@ops) {
		if ($o->{kind} eq 'TPL_OP_TEXT') {
			printf $c "\t{ TPL_OP_TEXT, 0, 0, 0, 0, %u,\n\t    %s },\n",
			    length $o->{text}, c_string($o->{text});
		} else {
			printf $c "\t{ %s, %s, %s, TK_%s, %u, 0, 0 },\n", $o->{kind},
			    $o->{ctx} // 0, $o->{filter} // 0, $o->{key}, $o->{end} // 0;
		}
	}
	print $c "};\n";
	print $c "const struct tpl tpl_$name = { \"$name\", ops_$name,\n"
	    . "    sizeof(ops_$name) / sizeof(ops_$name\[0]) };\n";
}
close $c or die "$out.c: $!\n";
if (system('cmp', '-s', "$out.h.tmp", "$out.h") == 0) {
	unlink "$out.h.tmp";
} else {
	rename "$out.h.tmp", "$out.h" or die "$out.h: $!\n";
}
rename "$out.c.tmp", "$out.c" or die "$out.c: $!\n";
