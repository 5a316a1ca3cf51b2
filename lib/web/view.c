#include "base/buf.h"
#include "base/time.h"
#include "pure/json.h"
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

/* Appends ,"key":"the RFC 3339 form of t" (which needs no escape). */
static void
put_time(struct buf *b, const char *key, int64_t t)
{
	char s[TIME_RFC3339_SIZE];

	time_rfc3339(t, s, sizeof(s));
	buf_puts(b, key);
	buf_puts(b, s);
	buf_append(b, "\"", 1);
}

int
view_post_json(struct buf *b, const struct post *p)
{
	if (p->title == NULL || p->body == NULL)
		return -1;
	buf_puts(b, "{\"id\":");
	json_put_int(b, p->id);
	buf_puts(b, ",\"authorId\":");
	json_put_int(b, p->author_id);
	buf_puts(b, ",\"title\":");
	json_put_string(b, p->title);
	buf_puts(b, p->excerpt ? ",\"excerpt\":" : ",\"body\":");
	json_put_string(b, p->body);
	buf_puts(b, ",\"status\":");
	json_put_string(b, post_status_name(p->status));
	put_time(b, ",\"createdAt\":\"", p->created_at);
	put_time(b, ",\"updatedAt\":\"", p->updated_at);
	return buf_append(b, "}", 1) == -1 || b->oom ? -1 : 0;
}

int
view_posts_json(struct buf *b, const struct post *rows, size_t n)
{
	size_t i;

	buf_append(b, "[", 1);
	for (i = 0; i < n; i++)
		if ((i > 0 && buf_append(b, ",", 1) == -1) ||
		    view_post_json(b, &rows[i]) == -1)
			return -1;
	return buf_append(b, "]", 1) == -1 || b->oom ? -1 : 0;
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
