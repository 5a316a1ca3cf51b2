#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app.h"
#include "arena.h"
#include "config.h"
#include "db.h"
#include "limit.h"
#include "log.h"
#include "password.h"
#include "token.h"

extern char **environ;

#define APP_PATH_MAX 2048
#define BLOCKLIST_DEFAULT "etc/common-passwords.txt"

struct io {
	FCGX_Request	*fcgi;	/* NULL in plain-CGI mode */
};

static volatile sig_atomic_t app_stopping;
static char app_rid_prefix[13];
static unsigned long app_rid_counter;

/* SIGTERM and SIGUSR1: finish the current request, then leave. */
static void
app_on_signal(int sig)
{
	(void)sig;
	app_stopping = 1;
	FCGX_ShutdownPending();
}

/* Makes sure descriptors 0-2 exist, so no file we open becomes stdout. */
static void
app_sanitise_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", O_RDWR) == -1)
			_exit(1);
}

static int
io_read(void *p, char *dst, size_t n)
{
	struct io *io = p;
	size_t got;

	if (n > INT_MAX)
		n = INT_MAX;
	if (io->fcgi != NULL)
		return FCGX_GetStr(dst, (int)n, io->fcgi->in);
	got = fread(dst, 1, n, stdin);
	return (int)got;
}

/* Writes the response; HEAD answers carry no body. */
static void
io_write(struct io *io, const struct buf *head, const struct req *r)
{
	size_t blen = r->method == M_HEAD ? 0 : r->out->len;

	if (io->fcgi != NULL) {
		FCGX_PutStr(head->data, (int)head->len, io->fcgi->out);
		if (blen > 0)
			FCGX_PutStr(r->out->data, (int)blen, io->fcgi->out);
		return;
	}
	fwrite(head->data, 1, head->len, stdout);
	if (blen > 0)
		fwrite(r->out->data, 1, blen, stdout);
	fflush(stdout);
}

/* 1 when the client's X-Request-Id is safe to echo and log. */
static int
request_id_sane(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= HTTP_REQUEST_ID_MAX)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("-_.:", s[i]) != NULL))
			return 0;
	}
	return i > 0;
}

/* Sets r->request_id from the client's header or a fresh one. */
static void
request_id_assign(struct req *r)
{
	const char *h = http_env(r, "HTTP_X_REQUEST_ID");

	if (h != NULL && request_id_sane(h)) {
		snprintf(r->request_id, sizeof(r->request_id), "%s", h);
		return;
	}
	snprintf(r->request_id, sizeof(r->request_id), "%s-%06lx",
	    app_rid_prefix, ++app_rid_counter);
}

/* Appends the methods that routes allow on path to b ("GET, HEAD, POST"). */
static void
allow_list(const struct route *routes, size_t n, const char *path,
    struct buf *b)
{
	int64_t p[HTTP_MAX_PARAMS];
	size_t np, i;
	int m, seen[M__MAX] = { 0 };

	for (i = 0; i < n; i++)
		if (http_route_match(routes[i].pattern, path, p, &np)) {
			seen[routes[i].method] = 1;
			if (routes[i].method == M_GET)
				seen[M_HEAD] = 1;
		}
	for (m = 0; m < M__MAX; m++)
		if (seen[m]) {
			if (b->len > 0)
				buf_puts(b, ", ");
			buf_puts(b, http_method_name((enum method)m));
		}
}

/* The Origin header when it is a configured CORS origin, else NULL. */
static const char *
cors_origin(const struct req *r)
{
	const char *o = http_env(r, "HTTP_ORIGIN");

	if (o == NULL || !config_cors_allowed(o, strlen(o)))
		return NULL;
	return o;
}

/* Answers a CORS preflight for a known path, or 405 with Allow. */
static enum err
app_options(struct req *r, const char *allow)
{
	const char *o = cors_origin(r);

	http_header(r, "Allow", allow);
	if (o == NULL || http_env(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD") == NULL)
		return ERR_METHOD_NOT_ALLOWED;
	http_header(r, "Access-Control-Allow-Origin", o);
	http_header(r, "Access-Control-Allow-Methods", allow);
	http_header(r, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id");
	http_header(r, "Access-Control-Max-Age", "600");
	return http_reply_empty(r);
}

/* GET /api/v1/health: 200 when the database answers, else 503. */
static enum err
app_health(struct req *r)
{
	cJSON *d;

	if (r->method != M_GET && r->method != M_HEAD) {
		http_header(r, "Allow", "GET, HEAD");
		return ERR_METHOD_NOT_ALLOWED;
	}
	if (!db_ping())
		return http_fail(r, ERR_UNAVAILABLE, "The database is unreachable.");
	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "status", "ok") == NULL) {
		cJSON_Delete(d);
		return ERR_INTERNAL;
	}
	return http_reply_data(r, 200, d, NULL);
}

/* Finds the route for r; ERR_NOT_FOUND or ERR_METHOD_NOT_ALLOWED if none. */
static enum err
app_route(struct req *r, const struct route *routes, size_t n,
    const struct route **found)
{
	struct buf allow = { 0 };
	enum method want = r->method == M_HEAD ? M_GET : r->method;
	size_t i, np;
	int known = 0;
	enum err e;

	for (i = 0; i < n; i++) {
		if (!http_route_match(routes[i].pattern, r->path, r->params, &np))
			continue;
		known = 1;
		if (routes[i].method == want) {
			r->nparams = np;
			*found = &routes[i];
			return ERR_NONE;
		}
	}
	if (!known)
		return ERR_NOT_FOUND;
	allow_list(routes, n, r->path, &allow);
	if (allow.oom)
		e = ERR_INTERNAL;
	else if (r->method == M_OPTIONS)
		e = app_options(r, allow.data);
	else {
		http_header(r, "Allow", allow.data);
		e = ERR_METHOD_NOT_ALLOWED;
	}
	buf_free(&allow);
	return e;
}

/*
 * Replaces r->client by the address a trusted proxy forwarded for, when the
 * peer is one of QUILL_TRUSTED_PROXIES; anyone else's X-Forwarded-For is
 * ignored, so it cannot dodge the per-address rate limits.
 */
static enum err
app_client(struct req *r)
{
	const char *xff;
	char *addr;

	if (!config_proxy_trusted(r->client) ||
	    (xff = http_env(r, "HTTP_X_FORWARDED_FOR")) == NULL)
		return ERR_NONE;
	if ((addr = arena_alloc(r->arena, HTTP_ADDR_MAX)) == NULL)
		return ERR_INTERNAL;
	if (http_forwarded_client(xff, strlen(xff), config_proxy_trusted, addr,
	    HTTP_ADDR_MAX) == 0)
		r->client = addr;
	return ERR_NONE;
}

/* Parses the CGI variables into r; ERR_BAD_REQUEST for an unusable path. */
static enum err
app_parse(struct req *r)
{
	const char *uri, *q;
	char *path;
	enum err e;

	r->method_name = http_env(r, "REQUEST_METHOD");
	if (r->method_name == NULL)
		r->method_name = "";
	r->method = http_method(r->method_name);
	r->client = http_env(r, "REMOTE_ADDR");
	if (r->client == NULL)
		r->client = "";
	if ((e = app_client(r)) != ERR_NONE)
		return e;
	q = http_env(r, "QUERY_STRING");
	r->query = q != NULL ? q : "";
	request_id_assign(r);
	r->path = "";
	if ((uri = http_env(r, "REQUEST_URI")) == NULL || *uri == '\0') {
		const char *sn = http_env(r, "SCRIPT_NAME");
		const char *pi = http_env(r, "PATH_INFO");

		uri = arena_printf(r->arena, "%s%s", sn ? sn : "", pi ? pi : "");
		if (uri == NULL)
			return ERR_INTERNAL;
	}
	if ((path = arena_alloc(r->arena, APP_PATH_MAX)) == NULL)
		return ERR_INTERNAL;
	if (http_normalise_path(uri, strlen(uri), path, APP_PATH_MAX) == -1)
		return http_fail(r, ERR_BAD_REQUEST, "The request path is malformed.");
	r->path = path;
	return ERR_NONE;
}

/* Adds the CORS headers of an actual (not preflight) request. */
static void
app_cors(struct req *r)
{
	const char *o;

	if (config.ncors == 0)
		return;
	http_header(r, "Vary", "Origin");
	if ((o = cors_origin(r)) == NULL)
		return;
	http_header(r, "Access-Control-Allow-Origin", o);
	http_header(r, "Access-Control-Expose-Headers",
	    "ETag, Link, Location, Retry-After, X-Request-Id");
}

/* Runs one request from parse to response. */
static enum err
app_dispatch(struct req *r, const struct route *routes, size_t n)
{
	const struct route *rt = NULL;
	size_t jmax, fmax;
	enum err e;

	if ((e = app_parse(r)) != ERR_NONE)
		return e;
	app_cors(r);
	if (strcmp(r->path, APP_HEALTH_PATH) == 0)
		return app_health(r);
	if ((e = app_route(r, routes, n, &rt)) != ERR_NONE || rt == NULL)
		return e;
	/* A DELETE may carry a body too: DELETE /users/me takes a password. */
	if (r->method == M_POST || r->method == M_PUT || r->method == M_PATCH ||
	    r->method == M_DELETE) {
		if (rt->max_body == APP_MAX_POST)
			jmax = fmax = (size_t)config.max_post;
		else if (rt->max_body != 0)
			jmax = fmax = rt->max_body;
		else {
			jmax = (size_t)config.max_json;
			fmax = (size_t)config.max_form;
		}
		if ((e = http_read_body(r, jmax, fmax)) != ERR_NONE)
			return e;
	}
	return rt->handle(r);
}

/* Serves one request whose variables are envp. */
static void
app_serve(struct req *r, struct io *io, char *const *envp,
    const struct route *routes, size_t n, struct buf *head)
{
	struct timespec t0, t1;
	enum err e;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	limit_request_begin();
	arena_reset(r->arena);
	buf_reset(r->hdr);
	buf_reset(r->out);
	{
		struct arena *a = r->arena;
		struct buf *hdr = r->hdr, *out = r->out;

		memset(r, 0, sizeof(*r));
		r->arena = a;
		r->hdr = hdr;
		r->out = out;
	}
	r->envp = envp;
	r->io = io;
	r->read_body = io_read;
	r->status = 200;

	e = app_dispatch(r, routes, n);
	if (sqlite3_get_autocommit(db_handle()) == 0) {
		db_rollback();
		log_event(LOG_ERROR, "transaction_left_open", r->request_id,
		    "path", r->path, NULL);
		if (e == ERR_NONE)
			e = ERR_INTERNAL;
	}
	if (e == ERR_NONE && (r->out->oom || r->hdr->oom))
		e = ERR_INTERNAL;
	if (e != ERR_NONE) {
		if (r->err != e)
			r->err_message = NULL;
		r->err = e;
		http_render_error(r);
	}
	http_render_head(r, head);
	io_write(io, head, r);
	cJSON_Delete(r->json);
	r->json = NULL;
	limit_request_end();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_request(r->method_name, r->path, r->status,
	    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, r->request_id,
	    r->who.user_id, r->client);
}

/* Loads configuration, keys and the database; exits on any failure. */
static void
app_start(const char *name)
{
	char err[512], lock[sizeof(config.db) + 16];
	unsigned char seed[6];
	struct sigaction sa;

	app_sanitise_fds();
	log_init(name);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit makes a write fail (503), not kill the process. */
	signal(SIGXFSZ, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		memset(seed, 0, sizeof(seed));
	snprintf(app_rid_prefix, sizeof(app_rid_prefix),
	    "%02x%02x%02x%02x%02x%02x", seed[0], seed[1], seed[2], seed[3],
	    seed[4], seed[5]);

	if (config_load(err, sizeof(err)) == -1 ||
	    config_load_key(err, sizeof(err)) == -1)
		goto fail;
	if (token_init(config.key, config.key_len, config.issuer,
	    config.audience, config.access_ttl) == -1) {
		snprintf(err, sizeof(err), "cannot set up access tokens");
		goto fail;
	}
	if (password_init((unsigned long long)config.argon2_ops,
	    (size_t)config.argon2_mem_kib * 1024) == -1) {
		snprintf(err, sizeof(err), "QUILL_ARGON2_*: unacceptable limits");
		goto fail;
	}
	/* One lock file beside the database: every program of the site shares it. */
	snprintf(lock, sizeof(lock), "%s.argon2.lock", config.db);
	if (password_gate(lock, (unsigned)config.argon2_slots,
	    (unsigned)config.argon2_wait_ms) == -1 ||
	    limit_init(config.request_timeout_ms, config.max_requests) == -1) {
		snprintf(err, sizeof(err), "cannot set up the request limits");
		goto fail;
	}
	if (password_blocklist_load(config.blocklist) == -1) {
		if (strcmp(config.blocklist, BLOCKLIST_DEFAULT) != 0) {
			snprintf(err, sizeof(err), "QUILL_PASSWORD_BLOCKLIST: "
			    "cannot read %.400s", config.blocklist);
			goto fail;
		}
		log_event(LOG_WARN, "blocklist_missing", NULL, "path",
		    config.blocklist, NULL);
	}
	if (db_open(config.db, 0, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1 || db_prepare_all(err, sizeof(err)) == -1)
		goto fail;
	log_event(LOG_INFO, "start", NULL, NULL);
	return;
fail:
	log_event(LOG_ERROR, "start_failed", NULL, "reason", err, NULL);
	exit(1);
}

/* Releases what app_start set up. */
static void
app_stop(void)
{
	db_close();
	token_shutdown();
	password_shutdown();
	log_event(LOG_INFO, "stop", NULL, NULL);
}

int
app_main(const char *name, const struct route *routes, size_t nroutes)
{
	struct buf hdr = { 0 }, out = { 0 }, head = { 0 };
	struct req r;
	struct io io = { NULL };
	FCGX_Request fr;
	int recycle = 0;

	app_start(name);
	memset(&r, 0, sizeof(r));
	if ((r.arena = arena_new()) == NULL)
		return 1;
	r.hdr = &hdr;
	r.out = &out;
	if (FCGX_IsCGI()) {
		app_serve(&r, &io, environ, routes, nroutes, &head);
	} else {
		if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
			log_event(LOG_ERROR, "start_failed", NULL, "reason",
			    "cannot initialise FastCGI", NULL);
			return 1;
		}
		io.fcgi = &fr;
		while (!app_stopping && FCGX_Accept_r(&fr) >= 0) {
			app_serve(&r, &io, fr.envp, routes, nroutes, &head);
			FCGX_Finish_r(&fr);
			if ((recycle = limit_recycle_due()))
				break;
		}
		FCGX_Free(&fr, 1);
	}
	arena_free(r.arena);
	buf_free(&hdr);
	buf_free(&out);
	buf_free(&head);
	app_stop();
	if (recycle)
		limit_recycle();
	return 0;
}
