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
exec "$here/bin/${0##*/}"
