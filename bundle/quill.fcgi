#!/bin/sh
# Starts one of Quill's programs, under mod_fcgid or as plain CGI: the one
# named like this file (auth.fcgi, users.fcgi or posts.fcgi), from the
# bundle's quill/bin/, with the bundle's settings (quill/env.sh).  Apache
# runs it from the bundle's cgi/ directory; the .htaccess beside the pages
# routes /api/ here.
case $0 in
*/*) cgi=${0%/*} ;;
*) cgi=. ;;
esac
here=$(cd "$cgi/../quill" && pwd -P) || exit 1
. "$here/env.sh"
# Until the site is set up (quillctl init, or the setup page that a
# browser gets then), the setup code's file is there: the setup page
# answers, and becomes the program once the database exists.
if [ -e "$here/setup-code.txt" ]; then
	exec "$here/bin/quillctl" setup-serve "$here/bin/${0##*/}" \
	    "$here/setup-code.txt"
fi
exec "$here/bin/${0##*/}"
