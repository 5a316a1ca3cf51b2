#!/bin/sh
# Starts one of Quill's programs on a shared host, under mod_fcgid or plain
# CGI, with its settings file: the web server passes no environment of your
# choosing to a FastCGI process, so this sets QUILL_CONFIG and runs the
# program named like this file.  Copy it three times, as auth.fcgi,
# users.fcgi and posts.fcgi, into quill/ beside the .htaccess rules
# (apache/htaccess), and change the paths.  docs/deploy-shared-hosting.md
# has the layout.
export QUILL_CONFIG=/home/you/quill/quill.conf
# The libraries you uploaded with the programs, when the host lacks them.
export LD_LIBRARY_PATH=/home/you/quill/lib
exec "/home/you/quill/bin/${0##*/}"
