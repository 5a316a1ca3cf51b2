/*
 * The template engine: every value escaped for where it stands (text, a
 * quoted attribute, a URL, a part of a URL) against an attacker's
 * strings, sections, lists, lookups outwards, a layout and an include,
 * the filters; and a mail's plain text, where no value can begin a line.  The templates are the files of t/unit/templates/, compiled by
 * tools/templates.pl as the site's are.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "gen/test_templates.h"
#include "pure/tpl.h"
#include "tap.h"

static struct arena *a;
static struct buf out;

/* An empty tree of values, the arena and the output emptied first. */
static struct tpl_data *
fresh(void)
{
	struct tpl_data *d;

	arena_reset(a);
	buf_reset(&out);
	if ((d = tpl_data_new(a)) == NULL) {
		printf("Bail out! no memory\n");
		exit(255);
	}
	return d;
}

/* t rendered from d, as a string. */
static const char *
rendered(const struct tpl *t, const struct tpl_data *d)
{
	if (tpl_render(&out, t, d) == -1 ||
	    buf_append(&out, "", 1) == -1)
		return "(render failed)";
	return out.data;
}

/* t rendered with v as the value "v". */
static const char *
with_value(const struct tpl *t, const char *v)
{
	struct tpl_data *d = fresh();

	tpl_str(d, TK_v, v);
	return rendered(t, d);
}

/* t rendered with the time v as the value "v". */
static const char *
with_time(const struct tpl *t, int64_t v)
{
	struct tpl_data *d = fresh();

	tpl_int(d, TK_v, v);
	return rendered(t, d);
}

static void
test_text_and_attributes(void)
{
	is_str(with_value(&tpl_t_text, "\"><script>alert(1)</script>"),
	    "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\n",
	    "text: markup is escaped");
	is_str(with_value(&tpl_t_text, "Tom & Jerry's"),
	    "Tom &amp; Jerry&#39;s\n", "text: & and ' are escaped");
	is_str(with_value(&tpl_t_attr, "x\" onmouseover=\"alert(1)"),
	    "<p title=\"x&quot; onmouseover=&quot;alert(1)\" "
	    "class='x&quot; onmouseover=&quot;alert(1)'></p>\n",
	    "attribute: a quote cannot end it, double or single");
	is_str(with_value(&tpl_t_attr, "a' b"),
	    "<p title=\"a&#39; b\" class='a&#39; b'></p>\n",
	    "attribute: a single quote is escaped too");
	is_str(with_value(&tpl_t_textarea, "</textarea><script>x</script>"),
	    "<textarea name=\"body\">\n&lt;/textarea&gt;&lt;script&gt;x"
	    "&lt;/script&gt;</textarea>\n",
	    "a textarea's text cannot close it");
	is_str(with_value(&tpl_t_text, NULL), "\n", "an absent value writes nothing");
}

static void
test_urls(void)
{
	static const struct { const char *in, *href; } cases[] = {
		{ "/posts/1", "/posts/1" },
		{ "/posts?q=\"><script>", "/posts?q=&quot;&gt;&lt;script&gt;" },
		{ "https://example.com/a?b=1&c=2", "https://example.com/a?b=1&amp;c=2" },
		{ "HTTP://example.com/", "HTTP://example.com/" },
		{ "mailto:ada@example.com", "mailto:ada@example.com" },
		{ "posts/2", "posts/2" },
		{ "#main", "#main" },
		{ "?cursor=abc", "?cursor=abc" },
		{ "javascript&#58;alert(1)", "javascript&amp;#58;alert(1)" },
		{ "javascript:alert(1)", "#invalid-url" },
		{ "JaVaScRiPt:alert(1)", "#invalid-url" },
		{ "java\tscript:alert(1)", "#invalid-url" },
		{ " javascript:alert(1)", "#invalid-url" },
		{ "javascript\n:alert(1)", "#invalid-url" },
		{ "vbscript:msgbox(1)", "#invalid-url" },
		{ "data:text/html,<script>alert(1)</script>", "#invalid-url" },
		{ "//evil.example/", "#invalid-url" },
		{ "/\\evil.example/", "#invalid-url" },
		{ "https:/\x01/x", "#invalid-url" },
		{ "/a b", "#invalid-url" },
	};
	char want[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "<a href=\"%s\">link</a>"
		    "<form action=\"%s\"></form>\n", cases[i].href, cases[i].href);
		is_str(with_value(&tpl_t_url, cases[i].in), want,
		    "URL case %zu is written as %s", i, cases[i].href);
	}
	is_str(with_value(&tpl_t_url_part, "a b&c=\"<>/?#'\xc3\xa9"),
	    "<a href=\"/posts?q=a%20b%26c%3D%22%3C%3E%2F%3F%23%27%C3%A9"
	    "&amp;limit=2\">search</a>\n",
	    "a part of a URL is percent-encoded, its template text kept");
	is_str(with_value(&tpl_t_url_part, "javascript:alert(1)"),
	    "<a href=\"/posts?q=javascript%3Aalert%281%29&amp;limit=2\">"
	    "search</a>\n", "a part of a URL cannot start a scheme");
	ok(tpl_url_safe("") == 1, "the empty URL, this page, is safe");
}

static void
test_filters(void)
{
	is_str(with_time(&tpl_t_time, 1796255700),
	    "<time datetime=\"2026-12-02T23:55:00Z\">2 December 2026, 23:55 UTC"
	    "</time>\n", "a time: RFC 3339 for the machine, readable for people");
	is_str(with_time(&tpl_t_time, 1767596880),
	    "<time datetime=\"2026-01-05T07:08:00Z\">5 January 2026, 07:08 UTC"
	    "</time>\n", "a day of one digit, zero-padded hours");
	is_str(with_value(&tpl_t_paragraphs, "One <b>\nTwo & more\n\n\nThree"),
	    "<p>One &lt;b&gt;<br>\nTwo &amp; more</p>\n<p>Three</p>\n\n",
	    "paragraphs: blank lines part them, newlines break lines, text escaped");
	is_str(with_value(&tpl_t_paragraphs, "\r\nA\r\nB\r\n \r\nC\r\n"),
	    "<p>A<br>\nB</p>\n<p>C</p>\n\n", "paragraphs: CRLF, and a line of spaces is blank");
	is_str(with_value(&tpl_t_paragraphs, " \n\n "), "\n",
	    "paragraphs: nothing but blanks writes no paragraph");
	is_str(with_value(&tpl_t_paragraphs, "</p><script>"),
	    "<p>&lt;/p&gt;&lt;script&gt;</p>\n\n", "paragraphs: markup stays text");
}

static void
test_sections(void)
{
	struct tpl_data *d, *it;
	const char *want;

	d = fresh();
	tpl_str(d, TK_title, "An old title");
	tpl_str(d, TK_title, "Things <&>");
	it = tpl_item(d, TK_items);
	tpl_int(it, TK_id, 7);
	tpl_str(it, TK_name, "first");
	it = tpl_item(d, TK_items);
	tpl_str(it, TK_id, "a/b c");
	tpl_str(it, TK_name, "second");
	tpl_bool(it, TK_last, 1);
	tpl_bool(d, TK_selected, 1);
	tpl_bool(d, TK_invalid, 0);
	tpl_str(d, TK_x, "kept \"input\"");
	it = tpl_item(d, TK_user);
	tpl_str(it, TK_name, tpl_copy(d, "Ada Lovelace", 3));
	want = "<!DOCTYPE html>\n<title>Things &lt;&amp;&gt; - Test</title>\n"
	    "<main>\n<h1>Things &lt;&amp;&gt;</h1>\n<ul>\n"
	    "<li><a href=\"/items/7\">first</a> in Things &lt;&amp;&gt;</li>\n"
	    "<li><a href=\"/items/a%2Fb%20c\">second</a> in Things &lt;&amp;&gt;"
	    " (last)</li>\n</ul>\n<select>\n"
	    "<option value=\"a\" selected>A</option>\n</select>\n"
	    "<input name=\"x\" value=\"kept &quot;input&quot;\">\n"
	    "<footer>Logged in as Ada</footer>\n</main>\n";
	is_str(rendered(&tpl_t_page, d), want, "the layout around the page; a "
	    "list, a name looked up outwards, true and false sections, an "
	    "include, the newest value");

	d = fresh();
	tpl_str(d, TK_title, "");
	tpl_bool(d, TK_invalid, 1);
	want = "<!DOCTYPE html>\n<title> - Test</title>\n"
	    "<main>\n<h1></h1>\n<ul>\n</ul>\n<p>No items.</p>\n<select>\n"
	    "<option value=\"a\">A</option>\n</select>\n"
	    "<input name=\"x\" aria-invalid=\"true\" value=\"\">\n"
	    "<footer><a href=\"/login\">Log in</a></footer>\n</main>\n";
	is_str(rendered(&tpl_t_page, d), want,
	    "a page with nothing in it: inverted sections show what is absent");
}

static void
test_mail(void)
{
	is_str(with_value(&tpl_mail_t_mail, "Ann & <Bo>"),
	    "Subject: About Ann & <Bo>\n\nHello Ann & <Bo>, <b>Ann & <Bo></b>.\n",
	    "mail: a value is written as it is, not as HTML");
	is_str(with_value(&tpl_mail_t_mail, "x\r\nBcc: eve@example.com\n\nbody"),
	    "Subject: About x  Bcc: eve@example.com  body\n\n"
	    "Hello x  Bcc: eve@example.com  body, <b>x  Bcc: eve@example.com  "
	    "body</b>.\n",
	    "mail: CR and LF in a value are spaces, so it adds no header or line");
	is_str(with_value(&tpl_mail_t_mail, "a\tb\001c\177"),
	    "Subject: About a b c \n\nHello a b c , <b>a b c </b>.\n",
	    "mail: every control character is a space");
}

int
main(void)
{
	if ((a = arena_new()) == NULL)
		return 255;
	test_text_and_attributes();
	test_urls();
	test_filters();
	test_sections();
	test_mail();
	buf_free(&out);
	arena_free(a);
	return done_testing();
}
