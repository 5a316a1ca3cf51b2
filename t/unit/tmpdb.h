/*
 * tmpdb.h: the end of a unit test's SQLite database in a temporary
 * directory of its own.
 */
#ifndef QUILL_TMPDB_H
#define QUILL_TMPDB_H

#include <stdio.h>
#include <unistd.h>

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
