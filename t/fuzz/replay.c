/*
 * replay: runs a fuzz target over every file of its corpus directory, as
 * TAP, so `make test` checks the corpus with the normal compiler and no
 * libFuzzer.  The directory is the first argument, else FUZZ_CORPUS (set
 * at build time, so prove can run the program without arguments).
 *
 * Each input is handed over in a buffer of exactly its size, as libFuzzer
 * does, so a read past the end shows under AddressSanitizer.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_CORPUS
#error "build with -DFUZZ_CORPUS='\"t/fuzz/corpus/<target>\"'"
#endif

#define REPLAY_MAX_FILES 4096

/* The input being replayed, for the abort handler. */
static const char *replay_current;
static int replay_n;

/* An input that broke a check aborts: say which one before dying. */
static void
replay_on_abort(int sig)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "not ok %d - corpus file %s\n",
	    replay_n, replay_current != NULL ? replay_current : "?");
	if (n > 0)
		(void)!write(STDOUT_FILENO, line,
		    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
replay_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the whole regular file path into a buffer of exactly its size. */
static uint8_t *
replay_read(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *d;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) == -1 || st.st_size < 0 ||
	    (d = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	*size = (size_t)st.st_size;
	if (fread(d, 1, *size, f) != *size) {
		free(d);
		d = NULL;
	}
	fclose(f);
	return d;
}

/* The names of the regular files in dir, sorted; NULL on error. */
static char **
replay_list(const char *dir, int *n)
{
	char **names, path[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;

	*n = 0;
	if ((d = opendir(dir)) == NULL ||
	    (names = calloc(REPLAY_MAX_FILES, sizeof(*names))) == NULL) {
		if (d != NULL)
			closedir(d);
		return NULL;
	}
	while ((de = readdir(d)) != NULL && *n < REPLAY_MAX_FILES) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (names[*n] = strdup(de->d_name)) != NULL)
			(*n)++;
	}
	closedir(d);
	qsort(names, (size_t)*n, sizeof(*names), replay_name_cmp);
	return names;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : FUZZ_CORPUS;
	char **names, path[4096];
	uint8_t *data;
	size_t size;
	int n, i, failed = 0;

	if ((names = replay_list(dir, &n)) == NULL || n == 0) {
		printf("1..1\nnot ok 1 - corpus %s has files\n", dir);
		return 1;
	}
	signal(SIGABRT, replay_on_abort);
	printf("1..%d\n", n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		replay_current = path;
		replay_n = i + 1;
		fflush(stdout);
		if ((data = replay_read(path, &size)) == NULL) {
			printf("not ok %d - corpus file %s is readable\n", i + 1,
			    path);
			failed++;
		} else {
			LLVMFuzzerTestOneInput(data, size);
			free(data);
			printf("ok %d - corpus file %s\n", i + 1, path);
		}
		free(names[i]);
	}
	free(names);
	return failed ? 1 : 0;
}
