/*
 * password: Argon2id hashes through libsodium, rehash detection, the length
 * policy and the common-password blocklist.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "base/metrics.h"
#include "base/password.h"
#include "base/text.h"

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES,
    "PASSWORD_HASH_MAX cannot hold a libsodium hash string");

/* Prefix of the only hash strings accepted. */
#define PASSWORD_PREFIX	"$argon2id$"

/* Longest password in policy, in bytes: four per UTF-8 character. */
#define PASSWORD_MAX_BYTES	((size_t)PASSWORD_MAX_CHARS * 4)

/* Bytes of random password behind the dummy hash. */
#define PASSWORD_DUMMY_BYTES	32

static struct {
	unsigned long long	 opslimit;
	size_t			 memlimit;
	char			 dummy[crypto_pwhash_STRBYTES];
	int			 ready;
} cost;

/* How long a caller sleeps between looks for a free Argon2 slot. */
#define GATE_NAP_MS	5

/* The cap on Argon2 computations at once (see password_gate). */
static struct {
	char		 path[PATH_MAX];
	unsigned	 slots;		/* 0: no cap */
	unsigned	 wait_ms;
	int		 fd;		/* the lock file, opened on first use */
	int		 held;		/* the slot this process holds, or -1 */
} gate = { "", 0, 0, -1, -1 };

/*
 * Lowercased entries, sorted for bsearch, without duplicates; read from
 * pending, the file password_blocklist_open opened, on first use.
 */
static struct {
	char	**entry;
	size_t	  len;
	FILE	 *pending;
} blocklist;

static long blocklist_take(FILE *f);

/* Lowercases the ASCII letters of the n bytes at s, leaving others be. */
static void
ascii_lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/* Orders two entries (pointers to strings) for qsort and bsearch. */
static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Frees the first n entries of v and v itself. */
static void
entries_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Frees the blocklist, leaving it empty. */
static void
blocklist_free(void)
{
	entries_free(blocklist.entry, blocklist.len);
	blocklist.entry = NULL;
	blocklist.len = 0;
	if (blocklist.pending != NULL)
		fclose(blocklist.pending);
	blocklist.pending = NULL;
}

/* Whether pw (len bytes) is on the blocklist, ignoring ASCII case. */
static int
blocklist_contains(const char *pw, size_t len)
{
	char buf[PASSWORD_MAX_BYTES + 1];
	const char *key = buf;
	int found;

	if (blocklist.pending != NULL && blocklist_take(NULL) == -1)
		log_event(LOG_ERROR, "blocklist_unreadable", NULL, "effect",
		    "passwords are checked for length only", NULL);
	/* Entries hold no NUL, and no policy-sized password is longer. */
	if (blocklist.len == 0 || len > PASSWORD_MAX_BYTES ||
	    memchr(pw, '\0', len) != NULL)
		return 0;
	memcpy(buf, pw, len);
	buf[len] = '\0';
	ascii_lower(buf, len);
	found = bsearch(&key, blocklist.entry, blocklist.len,
	    sizeof(blocklist.entry[0]), entry_cmp) != NULL;
	sodium_memzero(buf, sizeof(buf));
	return found;
}

/*
 * Appends the entry line (len bytes, NUL-terminated) to *v, which has *n
 * entries in room for *cap; returns 0 or -1.
 */
static int
entries_add(char ***v, size_t *n, size_t *cap, const char *line, size_t len)
{
	char **nv, *e;
	size_t ncap;

	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : 64;
		if ((nv = reallocarray(*v, ncap, sizeof(*nv))) == NULL)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	if ((e = strdup(line)) == NULL)
		return -1;
	ascii_lower(e, len);
	(*v)[(*n)++] = e;
	return 0;
}

/*
 * Reads the entries of f: one a line, a trailing "\r" dropped, empty lines,
 * '#' comments and lines holding a NUL skipped.  Stores the array in *vp and
 * its length in *np, even on failure, for the caller to free.  Returns 0 or
 * -1 on a read or allocation error.
 */
static int
blocklist_read(FILE *f, char ***vp, size_t *np)
{
	char *line = NULL;
	size_t linesz = 0, cap = 0;
	ssize_t len;
	int rc = 0;

	*vp = NULL;
	*np = 0;
	while ((len = getline(&line, &linesz, f)) != -1) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#' ||
		    memchr(line, '\0', (size_t)len) != NULL)
			continue;
		if (entries_add(vp, np, &cap, line, (size_t)len) == -1) {
			rc = -1;
			break;
		}
	}
	if (ferror(f))
		rc = -1;
	free(line);
	return rc;
}

/* Removes repeated entries from the sorted v of n; returns the new count. */
static size_t
entries_dedup(char **v, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		if (out > 0 && strcmp(v[out - 1], v[i]) == 0)
			free(v[i]);
		else
			v[out++] = v[i];
	}
	return out;
}

/* Milliseconds from *since to now. */
static long
ms_since(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000 +
	    (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Sets or clears (type F_UNLCK) the lock of byte slot: 0, or -1 (errno). */
static int
gate_lock(unsigned slot, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)slot;
	fl.l_len = 1;
	return fcntl(gate.fd, F_SETLK, &fl);
}

/* Opens (and creates) the lock file unless it is open: 0, or -1 (errno). */
static int
gate_open(void)
{
	if (gate.fd == -1)
		gate.fd = open(gate.path, O_RDWR | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	return gate.fd == -1 ? -1 : 0;
}

/*
 * Takes an Argon2 slot, trying each without blocking, from one that
 * depends on the process so that processes spread over the slots, and
 * napping between rounds until the wait is over.  Returns 0, or -1 (logged)
 * when none came free in time or the lock file is unusable: both refuse the
 * computation, so memory stays bounded whatever goes wrong.
 */
static int
gate_enter(void)
{
	struct timespec start, nap = { 0, GATE_NAP_MS * 1000000L };
	unsigned i, first, waits;
	char waited[24];

	if (gate.slots == 0)
		return 0;
	if (gate_open() == -1)
		goto broken;
	first = (unsigned)getpid() % gate.slots;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (waits = 0;; waits++) {
		for (i = 0; i < gate.slots; i++) {
			if (gate_lock((first + i) % gate.slots, F_WRLCK) == 0) {
				gate.held = (int)((first + i) % gate.slots);
				if (waits > 0)
					metrics_count(MET_ARGON2_WAITS);
				return 0;
			}
			if (errno != EACCES && errno != EAGAIN)
				goto broken;
		}
		if (ms_since(&start) >= (long)gate.wait_ms)
			break;
		nanosleep(&nap, NULL);
	}
	metrics_count(MET_ARGON2_WAITS);
	metrics_count(MET_ARGON2_REFUSED);
	snprintf(waited, sizeof(waited), "%ld", ms_since(&start));
	log_event(LOG_WARN, "argon2_busy", NULL, "waitedMs", waited, NULL);
	return -1;
broken:
	log_event(LOG_ERROR, "argon2_gate_failed", NULL, "path", gate.path,
	    "reason", strerror(errno), NULL);
	return -1;
}

/* Gives back the slot gate_enter took. */
static void
gate_leave(void)
{
	if (gate.held < 0)
		return;
	(void)gate_lock((unsigned)gate.held, F_UNLCK);
	gate.held = -1;
}

int
password_gate(const char *lock_path, unsigned slots, unsigned wait_ms)
{
	if (strlen(lock_path) >= sizeof(gate.path))
		return -1;
	if (gate.fd != -1)
		close(gate.fd);
	gate.fd = -1;
	gate.held = -1;
	memcpy(gate.path, lock_path, strlen(lock_path) + 1);
	gate.slots = slots;
	gate.wait_ms = wait_ms;
	/* Now, before a program confines itself; failing, on first use. */
	if (slots > 0)
		(void)gate_open();
	return 0;
}

int
password_init(unsigned long long opslimit, size_t memlimit)
{
	if (sodium_init() < 0)
		return -1;
	if (opslimit == 0)
		opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	if (memlimit == 0)
		memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	if (opslimit < crypto_pwhash_OPSLIMIT_MIN ||
	    opslimit > crypto_pwhash_OPSLIMIT_MAX ||
	    memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    memlimit > crypto_pwhash_MEMLIMIT_MAX)
		return -1;
	cost.dummy[0] = '\0';
	cost.opslimit = opslimit;
	cost.memlimit = memlimit;
	cost.ready = 1;
	return 0;
}

/*
 * Makes the dummy hash on first use rather than at start-up, so programs
 * that never check a password never touch Argon2's memory.
 */
static int
dummy_ready(void)
{
	unsigned char pw[PASSWORD_DUMMY_BYTES];
	int rc;

	if (cost.dummy[0] != '\0')
		return 1;
	randombytes_buf(pw, sizeof(pw));
	rc = crypto_pwhash_str_alg(cost.dummy, (const char *)pw, sizeof(pw),
	    cost.opslimit, cost.memlimit, crypto_pwhash_ALG_ARGON2ID13);
	sodium_memzero(pw, sizeof(pw));
	if (rc != 0) {
		cost.dummy[0] = '\0';
		return 0;
	}
	return 1;
}

int
password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX])
{
	int rc;

	if (!cost.ready || pw == NULL || out == NULL || gate_enter() == -1)
		return -1;
	rc = crypto_pwhash_str_alg(out, pw, len, cost.opslimit, cost.memlimit,
	    crypto_pwhash_ALG_ARGON2ID13);
	gate_leave();
	return rc == 0 ? 0 : -1;
}

/* The work of password_verify_dummy, in a slot the caller holds. */
static void
dummy_verify(const char *pw, size_t len)
{
	if (!dummy_ready())
		return;
	/*
	 * The outcome means nothing (the dummy password is random and
	 * forgotten); only the time spent matters.
	 */
	if (crypto_pwhash_str_verify(cost.dummy, pw, len) != 0)
		return;
}

enum password_verdict
password_verify(const char *hash, const char *pw, size_t len)
{
	enum password_verdict v;
	int stale = -1;

	if (!cost.ready || pw == NULL)
		return PASSWORD_ERROR;
	if (gate_enter() == -1)
		return PASSWORD_BUSY;
	if (hash != NULL &&
	    strnlen(hash, PASSWORD_HASH_MAX) < PASSWORD_HASH_MAX &&
	    strncmp(hash, PASSWORD_PREFIX, sizeof(PASSWORD_PREFIX) - 1) == 0)
		stale = crypto_pwhash_str_needs_rehash(hash, cost.opslimit,
		    cost.memlimit);
	if (stale == -1) {
		/* Unusable hash: still take the time a real one would. */
		dummy_verify(pw, len);
		v = PASSWORD_ERROR;
	} else {
		errno = 0;
		if (crypto_pwhash_str_verify(hash, pw, len) == 0)
			v = stale ? PASSWORD_OK_REHASH : PASSWORD_OK;
		else
			v = errno == ENOMEM ? PASSWORD_ERROR :
			    PASSWORD_MISMATCH;
	}
	gate_leave();
	return v;
}

enum password_verdict
password_verify_dummy(const char *pw, size_t len)
{
	if (!cost.ready || pw == NULL)
		return PASSWORD_MISMATCH;
	if (gate_enter() == -1)
		return PASSWORD_BUSY;
	dummy_verify(pw, len);
	gate_leave();
	return PASSWORD_MISMATCH;
}

const char *
password_policy(const char *pw, size_t len)
{
	size_t chars;

	chars = pw == NULL ? 0 : text_utf8_chars(pw, len, PASSWORD_MAX_CHARS);
	if (chars < PASSWORD_MIN_CHARS)
		return "too_short";
	if (chars > PASSWORD_MAX_CHARS)
		return "too_long";
	if (blocklist_contains(pw, len))
		return "too_common";
	return NULL;
}

/*
 * Reads the blocklist from f, or from the pending file when f is NULL,
 * replacing the list; closes the file.  Returns the number of entries, or
 * -1 (the list left as it was) when it cannot be read.
 */
static long
blocklist_take(FILE *f)
{
	char **v;
	size_t n;
	int rc;

	if (f == NULL) {
		f = blocklist.pending;
		blocklist.pending = NULL;
	}
	rc = blocklist_read(f, &v, &n);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == -1) {
		entries_free(v, n);
		return -1;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), entry_cmp);
	n = entries_dedup(v, n);
	blocklist_free();
	blocklist.entry = v;
	blocklist.len = n;
	return (long)n;
}

int
password_blocklist_open(const char *path)
{
	FILE *f;

	if (path == NULL || (f = fopen(path, "re")) == NULL)
		return -1;
	blocklist_free();
	blocklist.pending = f;
	return 0;
}

long
password_blocklist_load(const char *path)
{
	FILE *f;

	if (path == NULL || (f = fopen(path, "re")) == NULL)
		return -1;
	return blocklist_take(f);
}

void
password_shutdown(void)
{
	blocklist_free();
	if (gate.fd != -1)
		close(gate.fd);
	gate.fd = -1;
	gate.held = -1;
}
