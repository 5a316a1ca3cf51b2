# The template compiler (tools/templates.pl): the site's templates and the
# unit test's compile; a value where no escaping can make it safe (a tag,
# an unquoted attribute, an event handler, a style, a script, a comment),
# an unbalanced section, one that ends elsewhere in the HTML than it began,
# or an unknown tag, filter or include fails the build, naming the file
# and the line.  What the compiled templates write is t/unit/tpl.c's.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Path qw(make_path remove_tree);
use QuillTest;

my $root = root();
my $dir = build_dir() . "/test-var/05-templates-$$";
remove_tree($dir);
make_path($dir);

# compile(NAME => TEXT, ...) -> (exit status, what it printed)
sub compile {
    my %t = @_;
    unlink glob "$dir/*";
    for my $name (sort keys %t) {
        open my $fh, '>', "$dir/$name.html" or die "$name: $!";
        print $fh $t{$name};
        close $fh;
    }
    my $files = join ' ', map { "'$dir/$_.html'" } sort keys %t;
    my $out = `perl '$root/tools/templates.pl' '$dir/out' $files 2>&1`;
    return ($? >> 8, $out);
}

for my $set (['templates', glob "$root/templates/*.html $root/templates/mail/*.txt"],
    ['t/unit/templates', glob "$root/t/unit/templates/*.html $root/t/unit/templates/*.txt"]) {
    my ($what, @files) = @$set;
    my $out = `perl '$root/tools/templates.pl' '$dir/good' @files 2>&1`;
    is($? >> 8, 0, "the templates of $what compile") or diag($out);
}

my ($rc, $out) = compile(page => qq{<p>{{a}}</p>\n<a href="{{u}}" title='{{t}}'>x</a>\n});
is($rc, 0, 'values in text and quoted attributes compile') or diag($out);
ok(-s "$dir/out.c" && -s "$dir/out.h", 'into a C file and its header');

my @bad = (
    [qq{<p>\n<a href={{u}}>x</a>}, 2, qr/unquoted attribute/, 'an unquoted attribute'],
    [qq{<a onclick="{{js}}">x</a>}, 1, qr/onclick attribute/, 'an event handler'],
    [qq{<p style="color: {{c}}">x</p>}, 1, qr/style attribute/, 'a style attribute'],
    [qq{<script>\nvar x = "{{v}}";\n</script>}, 2, qr/inside <script>/, 'a script'],
    [qq{<style>{{v}}</style>}, 1, qr/inside <style>/, 'a style sheet'],
    [qq{<!-- {{v}} -->}, 1, qr/in a comment/, 'a comment'],
    [qq{<{{tag}}>x</p>}, 1, qr/inside a tag/, 'a tag name'],
    [qq{<p {{attr}}>x</p>}, 1, qr/inside a tag/, 'an attribute name'],
    [qq{<img srcset="{{s}}">}, 1, qr/srcset attribute/, 'a srcset'],
    [qq{<p title="{{v|paragraphs}}">x</p>}, 1, qr/stands only in text/,
        'paragraphs outside text'],
    [qq{{{v|raw}}}, 1, qr/no filter 'raw'/, 'an unknown filter'],
    [qq{{{{v}}}}, 1, qr/not a tag of the templates/, 'a triple mustache'],
    [qq{x\n{{#a}}<p>{{/b}}}, 2, qr/closes \{\{#a\}\}/, 'a section closed by another name'],
    [qq{{{#a}}<p>}, 1, qr/never closed/, 'a section never closed'],
    [qq{{{#a}}<p class="{{/a}}">}, 1, qr/another position/, 'a section ending inside an attribute'],
    [qq{<a hr{{#a}}ef{{/a}}="x">}, 1, qr/name runs on across a section's tag/,
        'a section inside an attribute name'],
    [qq{<option{{#a}} sel{{/a}}ected>}, 1, qr/name runs on across a section's tag/,
        'an attribute name running on past a section'],
    [qq{{{>nothing}}}, 1, qr/no template 'nothing'/, 'an unknown include'],
    [qq{<p title="x}, undef, qr/ends inside a tag/, 'a template ending inside a tag'],
);
for my $b (@bad) {
    my ($text, $line, $re, $what) = @$b;
    ($rc, $out) = compile(page => $text);
    is($rc, 255, "$what fails the build") or diag($out);
    my $where = defined $line ? qr/\Q$dir\E\/page\.html:$line: / : qr/\Q$dir\E\/page\.html: /;
    like($out, qr/^$where.*$re/m, "$what: named, with file and line") or diag($out);
}

($rc, $out) = compile(a => '{{>b}}', b => '{{>a}}');
is($rc, 255, 'an include cycle fails') and like($out, qr/includes itself/, 'and says so');
($rc, $out) = compile(page => "{{<frame}}\n<p>x</p>\n", frame => "<main></main>\n");
like($out, qr/one \{\{\$content\}\}/, 'a layout without {{$content}} fails');
($rc, $out) = compile(page => "{{<frame}}\n<p>{{v}}</p>\n", frame => "<main>{{\$content}}</main>\n");
is($rc, 0, 'a page in its layout compiles') or diag($out);
open my $h, '<', "$dir/out.h" or die $!;
my $header = do { local $/; <$h> };
like($header, qr/extern const struct tpl tpl_page;/, 'the page is a template');
unlike($header, qr/tpl_frame/, 'its layout alone is not');
like($header, qr/\bTK_v,/, 'the names are an enum');

# A mail (.txt): plain text, its first line the subject, then an empty line.
sub compile_mail {
    my ($text) = @_;
    unlink glob "$dir/*";
    open my $fh, '>', "$dir/note.txt" or die "note: $!";
    print $fh $text;
    close $fh;
    my $out = `perl '$root/tools/templates.pl' '$dir/out' '$dir/note.txt' 2>&1`;
    return ($? >> 8, $out);
}
($rc, $out) = compile_mail("{{! a comment }}\nSubject: Hi {{name}}\n\n<p>{{name}}</p> {{link}}\n");
is($rc, 0, 'a mail compiles, a value anywhere in its text') or diag($out);
open $h, '<', "$dir/out.h" or die $!;
$header = do { local $/; <$h> };
like($header, qr/extern const struct tpl tpl_mail_note;/, 'as the template mail_<name>');
open my $c, '<', "$dir/out.c" or die $!;
like(do { local $/; <$c> }, qr/TPL_CTX_PLAIN/, 'its values plain text');
($rc, $out) = compile_mail("Hello {{name}}\n\nText.\n");
is($rc, 255, 'a mail without its subject fails');
like($out, qr{note\.txt: a mail begins "Subject: \.\.\.", then an empty line}, 'naming the file');
($rc, $out) = compile_mail("Subject: Hi\nText.\n");
is($rc, 255, 'a mail without the empty line after its subject fails');
($rc, $out) = compile_mail("Subject: Hi\n\n{{body|paragraphs}}\n");
like($out, qr/paragraphs\}\} stands only in text/, 'the paragraphs filter is for pages only');

remove_tree($dir);
done_testing();
