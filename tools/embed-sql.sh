#!/bin/sh
# Turns the numbered migrations sql/NNN_name.sql into a C table, so the
# programs and quillctl carry their schema and need no files at run time.
set -eu
echo '/* Generated from sql/ by tools/embed-sql.sh. */'
echo '#include "store/db.h"'
echo 'const struct migration db_migrations[] = {'
for f in "$@"; do
	base=$(basename "$f" .sql)
	version=$(echo "$base" | sed -e 's/_.*//' -e 's/^0*//')
	printf '\t{ %s, "%s",\n' "$version" "$base"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
echo '};'
echo 'const int db_migrations_n = (int)(sizeof(db_migrations) / sizeof(db_migrations[0]));'
