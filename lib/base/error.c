#include "base/error.h"

struct errdef {
	int		 status;
	const char	*code;
	const char	*message;
};

static const struct errdef errs[ERR__MAX] = {
	[ERR_NONE] = { 200, "OK", "OK" },
	[ERR_BAD_REQUEST] = { 400, "BAD_REQUEST", "The request is malformed." },
	[ERR_UNAUTHENTICATED] = { 401, "UNAUTHENTICATED",
	    "Authentication is required." },
	[ERR_FORBIDDEN] = { 403, "FORBIDDEN",
	    "You are not allowed to do this." },
	[ERR_CSRF_FAILED] = { 403, "CSRF_FAILED",
	    "The request did not pass the cross-site request check." },
	[ERR_REAUTH_REQUIRED] = { 403, "REAUTH_REQUIRED",
	    "This change needs a recent sign-in: confirm your password (and "
	    "code) with POST /api/v1/auth/reauth, then send it again." },
	[ERR_MFA_REQUIRED] = { 403, "MFA_REQUIRED",
	    "Your role signs in with a second factor: enrol an authenticator "
	    "app (POST /api/v1/auth/mfa/totp) before anything else." },
	[ERR_EMAIL_UNVERIFIED] = { 403, "EMAIL_UNVERIFIED",
	    "Confirm your email address first: open the link or type the code "
	    "of the mail we sent (POST /api/v1/auth/verify/resend sends a new "
	    "one)." },
	[ERR_NOT_FOUND] = { 404, "NOT_FOUND", "Not found." },
	[ERR_METHOD_NOT_ALLOWED] = { 405, "METHOD_NOT_ALLOWED",
	    "This method is not allowed here." },
	[ERR_NOT_ACCEPTABLE] = { 406, "NOT_ACCEPTABLE",
	    "No acceptable representation." },
	[ERR_EMAIL_TAKEN] = { 409, "EMAIL_TAKEN",
	    "An account with this email already exists." },
	[ERR_CONFLICT] = { 409, "CONFLICT",
	    "The request conflicts with the current state." },
	[ERR_LENGTH_REQUIRED] = { 411, "LENGTH_REQUIRED",
	    "A Content-Length header is required." },
	[ERR_PRECONDITION_FAILED] = { 412, "PRECONDITION_FAILED",
	    "The resource has changed since you read it." },
	[ERR_PAYLOAD_TOO_LARGE] = { 413, "PAYLOAD_TOO_LARGE",
	    "The request body is too large." },
	[ERR_UNSUPPORTED_MEDIA_TYPE] = { 415, "UNSUPPORTED_MEDIA_TYPE",
	    "Send application/json, application/x-www-form-urlencoded or "
	    "multipart/form-data." },
	[ERR_VALIDATION] = { 422, "VALIDATION_ERROR",
	    "Request validation failed" },
	[ERR_RATE_LIMITED] = { 429, "RATE_LIMITED",
	    "Too many requests; try again later." },
	[ERR_INTERNAL] = { 500, "INTERNAL", "Internal error." },
	[ERR_UNAVAILABLE] = { 503, "UNAVAILABLE",
	    "The service is temporarily unavailable; try again shortly." },
};

int
error_status(enum err e)
{
	return (e >= 0 && e < ERR__MAX) ? errs[e].status : 500;
}

const char *
error_code(enum err e)
{
	return (e >= 0 && e < ERR__MAX) ? errs[e].code : "INTERNAL";
}

const char *
error_message(enum err e)
{
	return (e >= 0 && e < ERR__MAX) ? errs[e].message : "Internal error.";
}

const char *
error_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default:  return "Unknown";
	}
}
