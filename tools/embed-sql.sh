#!/bin/sh
# Turns the numbered migrations sql/NNN_name.sql into a C table, so the
# programs and quillctl carry their schema and need no files at run time.
# With -n NAME first, the table is NAME (the PostgreSQL migrations of
# sql/postgresql/ are db_migrations_pg) instead of db_migrations.
set -eu
name=db_migrations
if [ "${1:-}" = -n ]; then
	name=$2
	shift 2
fi
echo '/* Generated from sql/ by tools/embed-sql.sh. */'
echo '#include "store/db.h"'
echo "const struct migration $name[] = {"
for f in "$@"; do
	base=$(basename "$f" .sql)
	version=$(echo "$base" | sed -e 's/_.*//' -e 's/^0*//')
	printf '\t{ %s, "%s",\n' "$version" "$base"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
echo '};'
echo "const int ${name}_n = (int)(sizeof($name) / sizeof(${name}[0]));"
