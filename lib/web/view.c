#include "base/time.h"
#include "web/view.h"

cJSON *
view_time(int64_t t)
{
	char s[TIME_RFC3339_SIZE];

	time_rfc3339(t, s, sizeof(s));
	return cJSON_CreateString(s);
}

/* Adds the RFC 3339 form of t to o as key; 0 when out of memory. */
static int
add_time(cJSON *o, const char *key, int64_t t)
{
	cJSON *v = view_time(t);

	if (v != NULL && cJSON_AddItemToObject(o, key, v))
		return 1;
	cJSON_Delete(v);
	return 0;
}

cJSON *
view_user(const struct user *u, int full)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL ||
	    cJSON_AddNumberToObject(o, "id", (double)u->id) == NULL ||
	    cJSON_AddStringToObject(o, "name", u->name) == NULL ||
	    (full && (cJSON_AddStringToObject(o, "email", u->email) == NULL ||
	    cJSON_AddStringToObject(o, "role", principal_role_name(u->role)) ==
	    NULL ||
	    cJSON_AddBoolToObject(o, "disabled", u->disabled) == NULL ||
	    cJSON_AddBoolToObject(o, "emailVerified", u->verified_at != 0) ==
	    NULL || (u->pending_email != NULL &&
	    cJSON_AddStringToObject(o, "pendingEmail", u->pending_email) ==
	    NULL))) ||
	    !add_time(o, "createdAt", u->created_at) ||
	    (full && !add_time(o, "updatedAt", u->updated_at))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
view_post(const struct post *p)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL ||
	    cJSON_AddNumberToObject(o, "id", (double)p->id) == NULL ||
	    cJSON_AddNumberToObject(o, "authorId", (double)p->author_id) ==
	    NULL ||
	    cJSON_AddStringToObject(o, "title", p->title) == NULL ||
	    cJSON_AddStringToObject(o, p->excerpt ? "excerpt" : "body",
	    p->body) == NULL ||
	    cJSON_AddStringToObject(o, "status",
	    post_status_name(p->status)) == NULL ||
	    !add_time(o, "createdAt", p->created_at) ||
	    !add_time(o, "updatedAt", p->updated_at)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
view_session(const struct session_row *s, int64_t current_id)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL ||
	    cJSON_AddNumberToObject(o, "id", (double)s->id) == NULL ||
	    cJSON_AddStringToObject(o, "kind",
	    session_kind_names[s->kind]) == NULL ||
	    !add_time(o, "createdAt", s->created_at) ||
	    !add_time(o, "lastUsedAt", s->last_used_at) ||
	    cJSON_AddStringToObject(o, "userAgent", s->user_agent) == NULL ||
	    cJSON_AddStringToObject(o, "ip", s->ip) == NULL ||
	    cJSON_AddBoolToObject(o, "current", s->id == current_id) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
