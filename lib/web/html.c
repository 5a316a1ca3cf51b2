#include <string.h>

#include "web/html.h"

void
html_begin(struct buf *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	html_text(b, title);
	buf_puts(b, " - Quill</title>\n"
	    "<link rel=\"stylesheet\" href=\"/style.css\">\n</head>\n<body>\n"
	    "<header><a class=\"brand\" href=\"/\">Quill</a></header>\n"
	    "<main>\n");
}

void
html_end(struct buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
}

void
html_text(struct buf *b, const char *s)
{
	buf_html_escape(b, s, strlen(s));
}

void
html_link(struct buf *b, const char *href, const char *text)
{
	buf_puts(b, "<a href=\"");
	html_text(b, href);
	buf_puts(b, "\">");
	html_text(b, text);
	buf_puts(b, "</a>");
}
