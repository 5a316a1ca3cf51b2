/*
 * error: the one error envelope and the stable error codes of the API.
 * Every non-2xx answer is described by an enum err; the envelope is written
 * by http, never by a handler.
 */
#ifndef QUILL_ERROR_H
#define QUILL_ERROR_H

enum err {
	ERR_NONE = 0,
	ERR_BAD_REQUEST,
	ERR_UNAUTHENTICATED,
	ERR_FORBIDDEN,
	ERR_CSRF_FAILED,
	ERR_REAUTH_REQUIRED,
	ERR_MFA_REQUIRED,
	ERR_EMAIL_UNVERIFIED,
	ERR_NOT_FOUND,
	ERR_METHOD_NOT_ALLOWED,
	ERR_NOT_ACCEPTABLE,
	ERR_EMAIL_TAKEN,
	ERR_CONFLICT,
	ERR_LENGTH_REQUIRED,
	ERR_PRECONDITION_FAILED,
	ERR_PAYLOAD_TOO_LARGE,
	ERR_UNSUPPORTED_MEDIA_TYPE,
	ERR_VALIDATION,
	ERR_RATE_LIMITED,
	ERR_INTERNAL,
	ERR_UNAVAILABLE,
	ERR__MAX
};

/* The HTTP status of e (500 for out-of-range values). */
int error_status(enum err e);

/* The stable code string of e, e.g. "VALIDATION_ERROR". */
const char *error_code(enum err e);

/* The default human message of e. */
const char *error_message(enum err e);

/* The reason phrase of an HTTP status, e.g. "Not Found". */
const char *error_reason(int status);

#endif
