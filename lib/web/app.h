/*
 * app: the process around the handlers.  Start-up (descriptors, signals,
 * configuration, keys, database, then the sandbox), the FastCGI accept
 * loop in a worker process (worker.h) or one plain-CGI request, and per
 * request: parse, size-check, route, run the handler, answer, log.
 */
#ifndef QUILL_APP_H
#define QUILL_APP_H

#include <stddef.h>

#include "web/http.h"

/*
 * A route.  A route that writes has two functions: .handle runs first,
 * with no transaction open (parse, validate, authorize, and slow work such
 * as Argon2), and answers nothing; then app runs .write inside the write
 * transaction (BEGIN IMMEDIATE), which it commits when .write returns
 * ERR_NONE and rolls back otherwise.  .write writes and answers; what
 * .handle found reaches it through r->state.  A route that only reads has
 * no .write, and its .handle answers.  A route with a .form is one a
 * browser's form posts to: refused (by .handle or .write), the form comes
 * back filled, each error beside its field (web/site).
 */
struct site_form;

struct route {
	enum method	 method;
	const char	*pattern;	/* "/api/v1/posts/{id}" */
	enum err	(*handle)(struct req *);
	size_t		 max_body;	/* 0: QUILL_MAX_JSON_BYTES / _FORM_ */
	enum err	(*write)(struct req *);	/* NULL: the route only reads */
	const struct site_form *form;	/* NULL: no form posts here */
};

/* A route's max_body: QUILL_MAX_POST_BYTES, for JSON and forms alike. */
#define APP_MAX_POST ((size_t)-1)

/* The path every program answers with its database's health. */
#define APP_HEALTH_PATH "/api/v1/health"

/* The path every program answers with the site's metrics (scrape.h). */
#define APP_METRICS_PATH "/api/v1/metrics"

/*
 * For .handle: n zeroed bytes in the request's arena, where it leaves
 * what it found for .write; r->state points to them.  NULL without memory.
 */
void *app_state(struct req *r, size_t n);

/*
 * For .handle: validates the body by the table fields (n of them,
 * http_validate) into n values of a new r->state, for .write.
 */
enum err app_validate(struct req *r, const struct vfield *fields, size_t n);

/*
 * For .write: e is the answer, and what .write recorded (a counted failed
 * login, a revoked replay) is committed anyway.  A failure of the store
 * (ERR_INTERNAL, ERR_UNAVAILABLE) is no answer to keep: its transaction is
 * rolled back.  When the commit fails, its error is the answer.  Returns e.
 */
enum err app_keep(struct req *r, enum err e);

/* What a program does that asks for more at start-up: app_main's needs. */
#define APP_ISSUES_TOKENS	0x1	/* signs access tokens (token_warm) */

/*
 * Runs the program called name with its route table and needs (APP_*
 * flags): serves FastCGI
 * requests until SIGTERM or SIGUSR1 (in a worker, under a supervisor that
 * keeps the socket and replaces the worker after QUILL_MAX_REQUESTS), or
 * exactly one request when started as plain CGI.  Started by hand as
 * `PROGRAM --routes`, it prints instead what it answers, one "METHOD
 * PATTERN" line per route (health and metrics included), and reads no
 * configuration.
 * Returns the process exit status.
 */
int app_main(int argc, char **argv, const char *name,
    const struct route *routes, size_t nroutes, unsigned needs);

#endif
