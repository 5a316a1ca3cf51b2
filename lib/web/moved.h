/*
 * moved: the site's addresses that moved for good.  The static pages of
 * earlier releases (/index.html, /login.html...) became pages the
 * programs render at paths of their own (docs/forms.md); a bookmark, a
 * link in an old mail or a search engine still asks for the old address
 * and gets a 301 to the new one, from whichever program the web server
 * chose (every program holds the whole table).
 */
#ifndef QUILL_MOVED_H
#define QUILL_MOVED_H

#include "web/http.h"

/*
 * Answers a GET or HEAD of an address in the table with 301 to its new
 * path, the query kept.  ERR_NOT_FOUND, answering nothing, for any other
 * request.
 */
enum err moved_page(struct req *r);

#endif
