/*
 * Two-factor sign-in (docs/auth.md): GET /auth/mfa (where the caller
 * stands), POST /auth/mfa/totp (enrol: a new key, its URI and QR code),
 * POST /auth/mfa/totp/confirm (the first code turns it on and shows the
 * recovery codes), DELETE /auth/mfa/totp (off, with the password and a
 * code), POST /auth/mfa/recovery-codes (new codes), POST /auth/mfa (the
 * code that completes a sign-in begun with the password), and POST
 * /auth/reauth (the password again, and a code, before a dangerous
 * change).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/secret.h"
#include "pure/qr.h"
#include "pure/totp.h"
#include "store/mfa.h"
#include "store/ratelimit.h"
#include "store/user.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/reply.h"
#include "handlers.h"
#include "pages.h"

enum code_field { CODE_CODE, CODE__MAX };

static const struct vfield code_fields[CODE__MAX] = {
	[CODE_CODE] = { "code", valid_secret, 1 },
};

enum proof_field { PROOF_PASSWORD, PROOF_CODE, PROOF__MAX };

/* The password, and a code where two-factor sign-in is on. */
static const struct vfield proof_fields[PROOF__MAX] = {
	[PROOF_PASSWORD] = { "currentPassword", valid_secret, 1 },
	[PROOF_CODE] = { "code", valid_secret, 0 },
};

enum challenge_field { CHALLENGE_TOKEN, CHALLENGE_CODE, CHALLENGE__MAX };

static const struct vfield challenge_fields[CHALLENGE__MAX] = {
	[CHALLENGE_TOKEN] = { "challengeToken", valid_secret, 1 },
	[CHALLENGE_CODE] = { "code", valid_secret, 1 },
};

_Static_assert((int)PROOF__MAX <= 2 && (int)CHALLENGE__MAX <= 2 &&
    (int)CODE__MAX <= 2, "struct mfa_input holds the fields of each table");

/* What .handle found for .write. */
struct mfa_input {
	struct vvalue	 v[2];		/* the fields of the route's table */
	struct user	 u;
	int		 wrong;		/* the password was wrong */
	int64_t		 now;
};

static const char wrong_code[] = "The code is wrong or was already used; "
    "enter the one your app shows now, or a recovery code.";

/*
 * The caller's state for .write, with the caller's user loaded; enrolling
 * is set for the routes of enrolment, which a role that must enrol may use.
 */
static enum err
caller_load(struct req *r, struct mfa_input **in, int enrolling)
{
	enum err e;

	if ((e = enrolling ? auth_require_enrolling(r) : auth_require(r)) !=
	    ERR_NONE)
		return e;
	if ((*in = app_state(r, sizeof(**in))) == NULL)
		return ERR_INTERNAL;
	(*in)->now = time(NULL);
	if ((e = user_get(r->arena, r->who.user_id, &(*in)->u)) != ERR_NONE)
		return e == ERR_NOT_FOUND ? ERR_UNAUTHENTICATED : e;
	return ERR_NONE;
}

/* GET /api/v1/auth/mfa */
enum err
auth_mfa_status(struct req *r)
{
	struct mfa_totp t;
	int64_t left = 0;
	const char *state = "off";
	cJSON *d;
	enum err e;

	/* A browser's page of it is the site's. */
	if (r->browser)
		return reply_moved(r, "/account/two-factor");
	if ((e = auth_require_enrolling(r)) != ERR_NONE)
		return e;
	if ((e = mfa_totp_get(r->who.user_id, &t)) == ERR_NONE)
		state = t.enabled_at != 0 ? "on" : "pending";
	else if (e != ERR_NOT_FOUND)
		return e;
	if ((e = mfa_recovery_left(r->who.user_id, &left)) != ERR_NONE)
		return e;
	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "totp", state) == NULL ||
	    cJSON_AddNumberToObject(d, "recoveryCodesLeft", (double)left) ==
	    NULL) {
		cJSON_Delete(d);
		return ERR_INTERNAL;
	}
	return reply_data(r, 200, d);
}

/* POST /api/v1/auth/mfa/totp */
enum err
auth_mfa_enrol(struct req *r)
{
	struct mfa_input *in;

	return caller_load(r, &in, 1);
}

/*
 * The enrolment's answer: the key as text, the otpauth URI, and the URI as
 * a QR code in SVG.
 */
static cJSON *
enrolment_json(const char *email, const char secret[TOTP_SECRET_TEXT])
{
	struct buf uri = { 0 }, svg = { 0 };
	cJSON *d = NULL;
	int width;

	if (totp_uri(&uri, config.mfa_issuer, email, secret) == -1 ||
	    qr_svg(&svg, uri.data, uri.len, AUTH_QR_SCALE, &width) == -1 ||
	    buf_append(&svg, "", 1) == -1 ||
	    (d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "secret", secret) == NULL ||
	    cJSON_AddStringToObject(d, "uri", uri.data) == NULL ||
	    cJSON_AddStringToObject(d, "qrSvg", svg.data) == NULL) {
		cJSON_Delete(d);
		d = NULL;
	}
	secret_wipe(uri.data, uri.len);
	buf_free(&uri);
	buf_free(&svg);
	return d;
}

enum err
auth_mfa_enrol_write(struct req *r)
{
	struct mfa_input *in = r->state;
	char secret[TOTP_SECRET_TEXT];
	cJSON *d;
	enum err e;

	if ((e = mfa_enrol(in->u.id, in->now, secret)) == ERR_CONFLICT)
		return http_fail(r, ERR_CONFLICT, "Two-factor sign-in is "
		    "already on; turn it off first to enrol another "
		    "authenticator.");
	if (e != ERR_NONE)
		return e;
	d = enrolment_json(in->u.email, secret);
	secret_wipe(secret, sizeof(secret));
	if (d == NULL)
		return ERR_INTERNAL;
	auth_event_log(r, LOG_INFO, "mfa_enrolment_started", in->u.id, 0);
	return reply_data(r, 201, d);
}

/* The codes as a JSON array, or NULL without memory. */
static cJSON *
codes_json(const struct secret_recovery codes[MFA_RECOVERY_CODES])
{
	cJSON *a, *d;
	size_t i;

	if ((d = cJSON_CreateObject()) == NULL ||
	    (a = cJSON_AddArrayToObject(d, "recoveryCodes")) == NULL) {
		cJSON_Delete(d);
		return NULL;
	}
	for (i = 0; i < MFA_RECOVERY_CODES; i++)
		if (!cJSON_AddItemToArray(a,
		    cJSON_CreateString(codes[i].text))) {
			cJSON_Delete(d);
			return NULL;
		}
	return d;
}

/*
 * Answers 200 with fresh recovery codes, which are then wiped: a page of
 * them to a browser's form.
 */
static enum err
codes_reply(struct req *r, struct secret_recovery codes[MFA_RECOVERY_CODES])
{
	cJSON *d;
	enum err e;

	if (r->browser && http_form_sent(r)) {
		e = auth_mfa_codes_page(r, codes);
		secret_wipe(codes, sizeof(codes[0]) * MFA_RECOVERY_CODES);
		return e;
	}
	d = codes_json(codes);
	secret_wipe(codes, sizeof(codes[0]) * MFA_RECOVERY_CODES);
	return d == NULL ? ERR_INTERNAL : reply_data(r, 200, d);
}

/* POST /api/v1/auth/mfa/totp/confirm */
enum err
auth_mfa_confirm(struct req *r)
{
	struct mfa_input *in;
	enum err e;

	if ((e = caller_load(r, &in, 1)) != ERR_NONE)
		return e;
	return http_validate(r, code_fields, CODE__MAX, in->v);
}

enum err
auth_mfa_confirm_write(struct req *r)
{
	struct mfa_input *in = r->state;
	struct secret_recovery codes[MFA_RECOVERY_CODES];
	enum mfa_verdict v;
	enum err e;

	if ((e = mfa_confirm(in->u.id, in->v[CODE_CODE].str,
	    in->v[CODE_CODE].len, in->now, &v, codes)) != ERR_NONE)
		return e;
	switch (v) {
	case MFA_ACCEPTED:
		auth_event_log(r, LOG_INFO, "mfa_enabled", in->u.id,
		    r->who.session_id);
		return codes_reply(r, codes);
	case MFA_NOT_ENROLLED:
		return http_fail(r, ERR_CONFLICT, "No enrolment is waiting "
		    "for a code: start one with POST /api/v1/auth/mfa/totp.");
	case MFA_WRONG:
	case MFA_REPLAYED:
		break;
	}
	valid_add(&r->details, "code", "wrong_code", wrong_code);
	return ERR_VALIDATION;
}

/*
 * For .write of a change that needs the password and, where two-factor
 * sign-in is on, a code: ERR_NONE when both are right, the code then
 * spent; a wrong one is counted as a failed login and answered, and the
 * count is kept.
 */
static enum err
proof_check(struct req *r, struct mfa_input *in, int code_needed)
{
	enum mfa_verdict v;
	int recovery;
	enum err e;

	if (in->wrong)
		return app_keep(r, auth_wrong_current(r, &in->u,
		    "currentPassword", in->now));
	if (!in->v[PROOF_CODE].present) {
		if (!code_needed)
			return ERR_NONE;
		valid_add(&r->details, "code", "required",
		    "A code from your app, or a recovery code, is required.");
		return ERR_VALIDATION;
	}
	if ((e = mfa_check(in->u.id, in->v[PROOF_CODE].str,
	    in->v[PROOF_CODE].len, in->now, &v, &recovery)) != ERR_NONE)
		return e;
	if (v == MFA_ACCEPTED || (v == MFA_NOT_ENROLLED && !code_needed))
		return ERR_NONE;
	if (v == MFA_NOT_ENROLLED)
		return http_fail(r, ERR_CONFLICT,
		    "Two-factor sign-in is not on.");
	if ((e = ratelimit_login_failed(in->u.email, strlen(in->u.email),
	    in->now)) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "mfa_code_wrong", in->u.id, 0);
	valid_add(&r->details, "code", "wrong_code", wrong_code);
	return app_keep(r, ERR_VALIDATION);
}

/* .handle of the routes that take proof_fields: the password checked. */
static enum err
proof_handle(struct req *r, int recent)
{
	struct mfa_input *in;
	enum err e;

	if ((e = caller_load(r, &in, 0)) != ERR_NONE ||
	    (e = http_validate(r, proof_fields, PROOF__MAX, in->v)) !=
	    ERR_NONE || (recent && (e = auth_require_recent(r, in->now)) !=
	    ERR_NONE))
		return e;
	return auth_verify_current(r, &in->u, &in->v[PROOF_PASSWORD],
	    in->now, &in->wrong);
}

/* DELETE /api/v1/auth/mfa/totp */
enum err
auth_mfa_disable(struct req *r)
{
	return proof_handle(r, 1);
}

enum err
auth_mfa_disable_write(struct req *r)
{
	struct mfa_input *in = r->state;
	enum err e;

	if ((e = proof_check(r, in, 1)) != ERR_NONE ||
	    (e = mfa_disable(in->u.id)) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_WARN, "mfa_disabled", in->u.id,
	    r->who.session_id);
	return reply_empty(r);
}

/* POST /api/v1/auth/mfa/recovery-codes */
enum err
auth_mfa_codes(struct req *r)
{
	return proof_handle(r, 1);
}

enum err
auth_mfa_codes_write(struct req *r)
{
	struct mfa_input *in = r->state;
	struct secret_recovery codes[MFA_RECOVERY_CODES];
	enum err e;

	if ((e = proof_check(r, in, 1)) != ERR_NONE ||
	    (e = mfa_recovery_issue(in->u.id, in->now, codes)) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "mfa_recovery_codes_issued", in->u.id,
	    r->who.session_id);
	return codes_reply(r, codes);
}

/* POST /api/v1/auth/reauth */
enum err
auth_reauth(struct req *r)
{
	return proof_handle(r, 0);
}

enum err
auth_reauth_write(struct req *r)
{
	struct mfa_input *in = r->state;
	struct mfa_totp t;
	enum err e;

	e = mfa_totp_get(in->u.id, &t);
	if (e != ERR_NONE && e != ERR_NOT_FOUND)
		return e;
	if ((e = proof_check(r, in, e == ERR_NONE && t.enabled_at != 0)) !=
	    ERR_NONE)
		return e;
	if ((e = mfa_signin_mark(r->who.session_id, in->u.id, in->now)) ==
	    ERR_NOT_FOUND)
		return ERR_UNAUTHENTICATED;
	if (e != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "reauth", in->u.id, r->who.session_id);
	return reply_empty(r);
}

/* The answer to a challenge that is no use, whatever the reason. */
static enum err
challenge_refused(struct req *r)
{
	return http_fail(r, ERR_UNAUTHENTICATED, "This sign-in has expired "
	    "or is over; sign in with your password again.");
}

/* POST /api/v1/auth/mfa */
enum err
auth_mfa_signin(struct req *r)
{
	struct mfa_input *in;
	enum err e;

	if ((in = app_state(r, sizeof(*in))) == NULL)
		return ERR_INTERNAL;
	in->now = time(NULL);
	if ((e = http_validate(r, challenge_fields, CHALLENGE__MAX, in->v)) !=
	    ERR_NONE)
		return e;
	return ratelimit_check(RL_LOGIN, r->client, in->now, &r->rate);
}

enum err
auth_mfa_signin_write(struct req *r)
{
	struct mfa_input *in = r->state;
	const struct vvalue *tok = &in->v[CHALLENGE_TOKEN];
	const struct vvalue *code = &in->v[CHALLENGE_CODE];
	struct mfa_challenge c;
	enum mfa_verdict v;
	int64_t sid;
	int recovery;
	enum err e;

	if ((e = ratelimit_hit(RL_LOGIN, r->client, in->now, &r->rate)) != ERR_NONE)
		return e;
	if ((e = mfa_challenge_find(tok->str, tok->len, in->now,
	    config.mfa_attempts, &c)) == ERR_NOT_FOUND)
		return app_keep(r, challenge_refused(r));
	if (e != ERR_NONE ||
	    (e = user_get(r->arena, c.user_id, &in->u)) != ERR_NONE)
		return e == ERR_NOT_FOUND ? app_keep(r, challenge_refused(r)) :
		    e;
	if (in->u.disabled)
		return app_keep(r, challenge_refused(r));
	if ((e = ratelimit_login_check(in->u.email, strlen(in->u.email),
	    in->now, &r->rate)) != ERR_NONE)
		return app_keep(r, e);
	if ((e = mfa_check(in->u.id, code->str, code->len, in->now, &v,
	    &recovery)) != ERR_NONE)
		return e;
	if (v == MFA_NOT_ENROLLED)	/* turned off since the password */
		return app_keep(r, challenge_refused(r));
	if (v != MFA_ACCEPTED) {
		if ((e = mfa_challenge_fail(tok->str, tok->len)) != ERR_NONE ||
		    (e = ratelimit_login_failed(in->u.email,
		    strlen(in->u.email), in->now)) != ERR_NONE)
			return e;
		auth_event_log(r, LOG_INFO, "mfa_code_wrong", in->u.id, 0);
		valid_add(&r->details, "code", "wrong_code", wrong_code);
		return app_keep(r, http_fail(r, ERR_UNAUTHENTICATED,
		    wrong_code));
	}
	if ((e = mfa_challenge_use(tok->str, tok->len, in->now,
	    config.mfa_attempts, &c)) == ERR_NOT_FOUND)
		return challenge_refused(r);	/* another request won */
	if (e != ERR_NONE || (e = ratelimit_login_passed(in->u.email,
	    strlen(in->u.email))) != ERR_NONE)
		return e;
	if (recovery)
		auth_event_log(r, LOG_WARN, "mfa_recovery_code_used",
		    in->u.id, 0);
	if ((e = auth_login_open(r, &in->u, c.kind, in->now, &sid)) !=
	    ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "login", in->u.id, sid);
	return ERR_NONE;
}
