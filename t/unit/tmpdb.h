/*
 * tmpdb.h: a unit test's SQLite database in a temporary directory of its
 * own: opening it ready for use, and removing it at the end.
 */
#ifndef QUILL_TMPDB_H
#define QUILL_TMPDB_H

#include <stdio.h>
#include <unistd.h>

#include "store/db.h"

/*
 * Opens the database at path, closing the one open before, with a lock
 * wait of busy_ms; migrates it when new and prepares the statements.
 * 0, or -1 with err set.
 */
static inline int
tmpdb_open(const char *path, int busy_ms, char *err, size_t errsz)
{
	db_close();
	if (db_open(path, 1, busy_ms, err, errsz) == -1 ||
	    (db_schema_missing() != 0 && db_migrate(err, errsz) == -1) ||
	    db_prepare_all(err, errsz) == -1)
		return -1;
	return 0;
}

/* Removes the database at path, its -wal and -shm files, and dir. */
static inline void
tmpdb_remove(const char *dir, const char *path)
{
	char f[4096];

	unlink(path);
	snprintf(f, sizeof(f), "%s-wal", path);
	unlink(f);
	snprintf(f, sizeof(f), "%s-shm", path);
	unlink(f);
	rmdir(dir);
}

#endif
