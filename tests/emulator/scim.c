/*
 * SCIM 2.0 (RFC 7643/7644): the generic `scim` vendor, and the listing,
 * resource and error formats Bizagi shares with it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu.h"
#include "util/xalloc.h"

#define SCIM_CTYPE	  "application/scim+json"
#define SCIM_BASE	  "/scim/v2/"
#define SCIM_MESSAGES	  "urn:ietf:params:scim:api:messages:2.0:"
#define SCIM_CORE	  "urn:ietf:params:scim:schemas:core:2.0:"
#define SCHEMA_ERROR	  SCIM_MESSAGES "Error"
#define SCHEMA_LIST	  SCIM_MESSAGES "ListResponse"
#define SCHEMA_BULK_REPLY SCIM_MESSAGES "BulkResponse"
#define SCHEMA_USER	  SCIM_CORE "User"
#define SCHEMA_SPC	  SCIM_CORE "ServiceProviderConfig"
#define DEFAULT_COUNT	  100

bool scim_listed(const struct emu_user *u)
{
	return u->status != EMU_PENDING;
}

static void schemas(struct jsonw *w, const char *schema)
{
	jsonw_key(w, "schemas");
	jsonw_array_begin(w);
	jsonw_string(w, schema);
	jsonw_array_end(w);
}

static void error_object(struct jsonw *w, int status, const char *msg)
{
	char code[16];

	/* RFC 7644 sends the status as a string */
	snprintf(code, sizeof(code), "%d", status);
	jsonw_object_begin(w);
	schemas(w, SCHEMA_ERROR);
	jsonw_object_string(w, "status", code);
	jsonw_object_string(w, "detail", msg);
	jsonw_object_end(w);
}

void scim_error(struct emu_req *r, int status, const char *msg)
{
	struct jsonw w;

	strbuf_reset(&r->out);
	jsonw_init(&w, &r->out, false);
	error_object(&w, status, msg);
	emu_reply(r, status, SCIM_CTYPE);
	if (status == 401)
		emu_add_header(r, "WWW-Authenticate", "Bearer realm=\"scim\"");
}

static void user_location(struct jsonw *w, struct emu *emu, const char *id)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s%sUsers/%s", emu->origin, SCIM_BASE, id);
	jsonw_stringn(w, sb.buf, sb.len);
	strbuf_release(&sb);
}

static void user_json(struct jsonw *w, struct emu *emu,
		      const struct emu_user *u)
{
	const char *first, *last;
	size_t first_len;

	user_split_name(u, &first, &first_len, &last);
	jsonw_object_begin(w);
	schemas(w, SCHEMA_USER);
	jsonw_object_string(w, "id", u->id);
	jsonw_object_string(w, "userName", u->username);
	jsonw_key(w, "name");
	jsonw_object_begin(w);
	jsonw_object_string(w, "formatted", u->name);
	jsonw_key(w, "givenName");
	jsonw_stringn(w, first, first_len);
	jsonw_object_string(w, "familyName", last);
	jsonw_object_end(w);
	jsonw_object_string(w, "displayName", u->name);
	if (u->email) {
		jsonw_key(w, "emails");
		jsonw_array_begin(w);
		if (emu->opt.scim_emails) {
			/* a second, non-primary address, listed first */
			struct strbuf alt = STRBUF_INIT;

			strbuf_addf(&alt, "alt.%s", u->email);
			jsonw_object_begin(w);
			jsonw_object_string(w, "value", alt.buf);
			jsonw_object_string(w, "type", "home");
			jsonw_object_end(w);
			strbuf_release(&alt);
		}
		jsonw_object_begin(w);
		jsonw_object_string(w, "value", u->email);
		jsonw_object_bool(w, "primary", true);
		jsonw_object_string(w, "type", "work");
		jsonw_object_end(w);
		jsonw_array_end(w);
	}
	jsonw_object_bool(w, "active", u->status == EMU_ACTIVE);
	if (u->vendor_type) {
		jsonw_key(w, "userType");
		jsonw_raw(w, u->vendor_type);
	} else if (emu->opt.scim_user_types) {
		/* free text, as providers fill it in */
		static const char *const words[] = { "Employee",
						     "ServiceAccount", "Bot",
						     "Contractor", "Guest" };

		jsonw_object_string(w, "userType", words[u->type]);
	}
	jsonw_key(w, "meta");
	jsonw_object_begin(w);
	jsonw_object_string(w, "resourceType", "User");
	jsonw_key(w, "location");
	user_location(w, emu, u->id);
	jsonw_object_end(w);
	jsonw_object_end(w);
}

static void reply_user(struct emu *emu, struct emu_req *r,
		       const struct emu_user *u)
{
	struct jsonw w;

	strbuf_reset(&r->out);
	jsonw_init(&w, &r->out, false);
	emu_write_user(&w, emu, u, user_json);
	emu_reply(r, 200, SCIM_CTYPE);
}

/* A ListResponse key as the flavour writes it (a static string). */
static const char *key(const struct emu *emu, const char *k)
{
	static const char *const lower[][2] = {
		{ "totalResults", "totalresults" },
		{ "startIndex", "startindex" },
		{ "itemsPerPage", "itemsperpage" },
		{ "Resources", "resources" },
		{ "nextCursor", "nextcursor" },
	};
	size_t i;

	if (!emu->opt.scim_lowercase_keys)
		return k;
	for (i = 0; i < sizeof(lower) / sizeof(lower[0]); i++)
		if (!strcmp(lower[i][0], k))
			return lower[i][1];
	return k;
}

/*
 * RFC 9865 cursor paging (--scim-cursor): a cursor names the slot of the
 * next user in the store, a place deletions do not move. An empty cursor
 * is the first page; the last page has no nextCursor.
 */
static void list_by_cursor(struct emu *emu, struct emu_req *r,
			   const char *cursor)
{
	const struct emu_store *s = &emu->users;
	long count, slot = 0, n = 0, i;
	struct jsonw w;
	char *end, next[32];

	if (emu_query_long(r, "count", DEFAULT_COUNT, &count) < 0) {
		scim_error(r, 400, "count must be an integer");
		return;
	}
	if (*cursor) {
		slot = cursor[0] == 's' ? strtol(cursor + 1, &end, 10) : -1;
		if (cursor[0] != 's' || *end || slot < 0 ||
		    (size_t)slot > s->n) {
			scim_error(r, 400, "invalidCursor");
			return;
		}
	}
	if (!emu_page(emu, r, -1, &count))
		return;
	/* the first listed user at or after slot */
	if (slot < (long)s->n && (s->v[slot].gone || !scim_listed(&s->v[slot])))
		slot = store_next_listed(s, slot);
	if (slot >= (long)s->n)
		slot = -1;
	strbuf_grow(&r->out, (size_t)count * 400);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	schemas(&w, SCHEMA_LIST);
	jsonw_object_int(&w, key(emu, "totalResults"), (long long)s->listed);
	jsonw_key(&w, key(emu, "Resources"));
	jsonw_array_begin(&w);
	for (i = 0; i < count && slot >= 0;
	     i++, n++, slot = store_next_listed(s, slot))
		emu_write_user(&w, emu, &s->v[slot], user_json);
	jsonw_array_end(&w);
	jsonw_object_int(&w, key(emu, "itemsPerPage"), n);
	if (slot >= 0) {
		snprintf(next, sizeof(next), "s%ld", slot);
		jsonw_object_string(&w, key(emu, "nextCursor"), next);
	}
	jsonw_object_end(&w);
	emu_reply(r, 200, SCIM_CTYPE);
}

void scim_list_users(struct emu *emu, struct emu_req *r)
{
	const struct emu_store *s = &emu->users;
	const char *cursor = emu_query(r, "cursor");
	long start, count, offset, n, slot;
	struct jsonw w;

	if (emu->opt.scim_cursor && cursor) {
		list_by_cursor(emu, r, cursor);
		return;
	}

	if (emu_query_long(r, "startIndex", 1, &start) < 0 ||
	    emu_query_long(r, "count", DEFAULT_COUNT, &count) < 0) {
		scim_error(r, 400, "startIndex and count must be integers");
		return;
	}
	/* RFC 7644 3.4.2.4: below 1 means 1, negative count means 0 */
	if (start < 1)
		start = 1;
	offset = start - 1;
	if (!emu_page(emu, r, offset, &count))
		return;
	n = (size_t)offset < s->listed ? (long)s->listed - offset : 0;
	if (n > count)
		n = count;
	strbuf_grow(&r->out, (size_t)n * 400);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	schemas(&w, SCHEMA_LIST);
	/* Okta's documented sample: lower-case keys, startIndex 0 */
	jsonw_object_int(&w, key(emu, "totalResults"), (long long)s->listed);
	jsonw_object_int(&w, key(emu, "startIndex"),
			 emu->opt.scim_echo_zero ? 0 : start);
	jsonw_object_int(&w, key(emu, "itemsPerPage"),
			 emu->opt.scim_echo_zero ? 0 : n);
	jsonw_key(&w, key(emu, "Resources"));
	jsonw_array_begin(&w);
	slot = n ? store_nth_listed(s, (size_t)offset) : -1;
	for (; n > 0 && slot >= 0; n--, slot = store_next_listed(s, slot))
		emu_write_user(&w, emu, &s->v[slot], user_json);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	emu_reply(r, 200, SCIM_CTYPE);
}

static long find_listed(struct emu *emu, const char *id)
{
	long slot = store_find(&emu->users, id);

	return slot >= 0 && scim_listed(&emu->users.v[slot]) ? slot : -1;
}

void scim_get_user(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = find_listed(emu, id);

	if (slot < 0)
		scim_error(r, 404, "Resource not found");
	else
		reply_user(emu, r, &emu->users.v[slot]);
}

/*
 * The generic vendor: deletion removes the user, or deactivates it
 * (--scim-delete-deactivates), or is not there (--scim-no-delete).
 * Returns the status.
 */
static int delete_user(struct emu *emu, const char *id, const char **msg)
{
	long slot = find_listed(emu, id);

	if (emu->opt.scim_no_delete) {
		*msg = "DELETE is not supported for Users: use PATCH";
		return 405;
	}
	if (slot < 0) {
		*msg = "Resource not found";
		return 404;
	}
	if (emu->users.v[slot].fail_delete) {
		*msg = "deletion failed";
		return emu->users.v[slot].fail_delete;
	}
	if (emu->users.v[slot].vanishing) {
		/* deleted by someone else between listing and deletion */
		store_remove(&emu->users, slot);
		*msg = "Resource not found";
		return 404;
	}
	if (emu->users.v[slot].undeletable) {
		*msg = "this user cannot be deleted";
		return 400;
	}
	emu_delete(emu, slot,
		   emu->opt.scim_delete_deactivates ? EMU_INACTIVE : -1);
	return 204;
}

/* The value a PatchOp gives active, or -1 when it changes nothing else. */
static int patch_active_value(const cJSON *ops)
{
	const cJSON *op;
	int active = -1;

	if (!cJSON_IsArray(ops) || !cJSON_GetArraySize(ops))
		return -1;
	cJSON_ArrayForEach(op, ops)
	{
		const char *what = NULL, *path = NULL;
		const cJSON *v, *o = cJSON_GetObjectItem(op, "op");
		const cJSON *p = cJSON_GetObjectItem(op, "path");

		what = cJSON_IsString(o) ? o->valuestring : NULL;
		path = cJSON_IsString(p) ? p->valuestring : NULL;
		v = cJSON_GetObjectItem(op, "value");
		if (!what || strcasecmp(what, "replace"))
			return -1;
		/* {"path":"active","value":false} or {"value":{"active":false}} */
		if (!path && cJSON_IsObject(v) && cJSON_GetArraySize(v) == 1)
			v = cJSON_GetObjectItem(v, "active");
		else if (!path || strcasecmp(path, "active"))
			return -1;
		if (!cJSON_IsBool(v))
			return -1;
		active = cJSON_IsTrue(v);
	}
	return active;
}

void scim_patch_user(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = find_listed(emu, id);
	cJSON *j;
	int active;

	if (slot < 0) {
		scim_error(r, 404, "Resource not found");
		return;
	}
	if (!(j = emu_body_json(emu, r)))
		return;
	active = patch_active_value(cJSON_GetObjectItem(j, "Operations"));
	cJSON_Delete(j);
	if (active < 0) {
		scim_error(r, 400,
			   "the emulator patches only active (op replace)");
		return;
	}
	if (emu->users.v[slot].fail_delete) {
		scim_error(r, emu->users.v[slot].fail_delete,
			   "deactivation failed");
		return;
	}
	if (emu->users.v[slot].vanishing) {
		/* removed by someone else between listing and now */
		store_remove(&emu->users, slot);
		scim_error(r, 404, "Resource not found");
		return;
	}
	if (!active && emu->users.v[slot].undeletable) {
		scim_error(r, 400, "this user cannot be deactivated");
		return;
	}
	if (active)
		store_set_status(&emu->users, slot, EMU_ACTIVE);
	else
		emu_delete(emu, slot, EMU_INACTIVE);
	reply_user(emu, r, &emu->users.v[slot]);
}

static void service_provider_config(struct emu *emu, struct emu_req *r)
{
	const struct emu_options *o = &emu->opt;
	struct jsonw w;

	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	schemas(&w, SCHEMA_SPC);
	jsonw_key(&w, "patch");
	jsonw_raw(&w, "{\"supported\":true}");
	jsonw_key(&w, "bulk");
	jsonw_object_begin(&w);
	jsonw_object_bool(&w, "supported", o->scim_bulk);
	jsonw_object_int(&w, "maxOperations",
			 o->scim_bulk ? o->scim_bulk_max : 0);
	jsonw_object_int(&w, "maxPayloadSize",
			 !o->scim_bulk ? 0
			 : o->scim_bulk_advertised_payload
				 ? o->scim_bulk_advertised_payload
			 : o->scim_bulk_max_payload ? o->scim_bulk_max_payload
						    : EMU_BODY_MAX);
	jsonw_object_end(&w);
	jsonw_key(&w, "filter");
	jsonw_object_begin(&w);
	jsonw_object_bool(&w, "supported", false);
	jsonw_object_int(&w, "maxResults", emu->cfg.max_page);
	jsonw_object_end(&w);
	jsonw_key(&w, "changePassword");
	jsonw_raw(&w, "{\"supported\":false}");
	jsonw_key(&w, "sort");
	jsonw_raw(&w, "{\"supported\":false}");
	if (o->scim_cursor) {
		/* RFC 9865 */
		jsonw_key(&w, "pagination");
		jsonw_object_begin(&w);
		jsonw_object_bool(&w, "cursor", true);
		jsonw_object_bool(&w, "index", true);
		jsonw_object_string(&w, "defaultPaginationMethod", "cursor");
		jsonw_object_int(&w, "defaultPageSize", DEFAULT_COUNT);
		jsonw_object_int(&w, "maxPageSize", emu->cfg.max_page);
		jsonw_object_int(&w, "cursorTimeout", 3600);
		jsonw_object_end(&w);
	}
	jsonw_key(&w, "etag");
	jsonw_raw(&w, "{\"supported\":false}");
	jsonw_key(&w, "authenticationSchemes");
	jsonw_raw(&w, "[{\"type\":\"oauthbearertoken\",\"name\":\"OAuth "
		      "Bearer Token\",\"description\":\"Authentication "
		      "with a bearer token\",\"primary\":true}]");
	jsonw_object_end(&w);
	emu_reply(r, 200, SCIM_CTYPE);
}

/* %XX in place ('+' stays: this is a path, not a form). */
static void decode_path(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			char hex[3] = { s[1], s[2], 0 };

			*out++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static void bulk_operation(struct emu *emu, struct jsonw *w, const cJSON *op,
			   int *errors)
{
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(op, "method");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(op, "path");
	const cJSON *bulk_id = cJSON_GetObjectItemCaseSensitive(op, "bulkId");
	const char *msg = NULL, *id = NULL;
	char code[16], *decoded = NULL;
	int status;

	if (!cJSON_IsString(method) ||
	    strcasecmp(method->valuestring, "DELETE")) {
		status = 501;
		msg = "the emulator supports only DELETE in bulk";
	} else if (!cJSON_IsString(path) ||
		   strncmp(path->valuestring, "/Users/", 7) ||
		   !path->valuestring[7]) {
		status = 400;
		msg = "path must be /Users/ID";
	} else {
		/* decoded as a URL path would be, unless the flavour says */
		id = path->valuestring + 7;
		if (!emu->opt.scim_bulk_raw_paths) {
			decoded = xstrdup(id);
			decode_path(decoded);
			id = decoded;
		}
		status = delete_user(emu, id, &msg);
	}
	if (status >= 400)
		(*errors)++;
	snprintf(code, sizeof(code), "%d", status);
	jsonw_object_begin(w);
	jsonw_object_string(w, "method",
			    cJSON_IsString(method) ? method->valuestring
						   : NULL);
	if (cJSON_IsString(bulk_id))
		jsonw_object_string(w, "bulkId", bulk_id->valuestring);
	if (id) {
		jsonw_key(w, "location");
		user_location(w, emu, id);
	}
	jsonw_object_string(w, "status", code);
	if (msg) {
		jsonw_key(w, "response");
		error_object(w, status, msg);
	}
	jsonw_object_end(w);
	free(decoded);
}

static void bulk(struct emu *emu, struct emu_req *r)
{
	cJSON *j = emu_body_json(emu, r);
	const cJSON *ops, *op, *fail;
	long fail_on = 0;
	int errors = 0;
	struct jsonw w;

	if (!j)
		return;
	ops = cJSON_GetObjectItemCaseSensitive(j, "Operations");
	fail = cJSON_GetObjectItemCaseSensitive(j, "failOnErrors");
	if (cJSON_IsNumber(fail) && fail->valuedouble > 0)
		fail_on = fail->valuedouble < 1e9 ? (long)fail->valuedouble
						  : 1000000000L;
	if (!cJSON_IsArray(ops)) {
		scim_error(r, 400, "Operations must be an array");
		goto out;
	}
	if (cJSON_GetArraySize(ops) > emu->opt.scim_bulk_max) {
		scim_error(r, 413, "too many operations");
		goto out;
	}
	if (emu->opt.scim_bulk_max_payload &&
	    r->body.len > (size_t)emu->opt.scim_bulk_max_payload) {
		/* RFC 7644 3.7.4: nothing of it is processed */
		scim_error(r, 413,
			   "The size of the bulk operation exceeds the "
			   "maxPayloadSize");
		goto out;
	}
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	schemas(&w, SCHEMA_BULK_REPLY);
	jsonw_key(&w, "Operations");
	jsonw_array_begin(&w);
	cJSON_ArrayForEach(op, ops)
	{
		if (fail_on && errors >= fail_on)
			break;
		bulk_operation(emu, &w, op, &errors);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	emu_reply(r, 200, SCIM_CTYPE);
out:
	cJSON_Delete(j);
}

static bool method_is(const struct emu_req *r, const char *m)
{
	return !strcmp(r->method, m);
}

static void handle(struct emu *emu, struct emu_req *r)
{
	const char *rest, *msg;
	int status;

	if (strncmp(r->path, SCIM_BASE, strlen(SCIM_BASE))) {
		scim_error(r, 404, "not found");
		return;
	}
	rest = r->path + strlen(SCIM_BASE);
	/* RFC 7644 4: discovery may be used before authenticating */
	if (!strcmp(rest, "ServiceProviderConfig") && method_is(r, "GET")) {
		if (emu->opt.no_spc)
			scim_error(r, 404, "not found");
		else
			service_provider_config(emu, r);
		return;
	}
	r->auth =
		auth_static(emu, auth_credential(r, "Authorization", "Bearer"),
			    emu->opt.token);
	if (r->auth != EMU_AUTH_OK) {
		scim_error(r, 401, "authorization failure");
		return;
	}
	if (!strcmp(rest, "Me") && method_is(r, "GET")) {
		if (emu->opt.no_me)
			scim_error(r, 501, "/Me is not supported");
		else if (emu->users.caller < 0)
			scim_error(r, 404, "the caller is not a user");
		else
			reply_user(emu, r, &emu->users.v[emu->users.caller]);
	} else if (!strcmp(rest, "Users") && method_is(r, "GET")) {
		scim_list_users(emu, r);
	} else if (!strncmp(rest, "Users/", 6) && rest[6] &&
		   method_is(r, "GET")) {
		scim_get_user(emu, r, rest + 6);
	} else if (!strncmp(rest, "Users/", 6) && rest[6] &&
		   method_is(r, "DELETE")) {
		status = delete_user(emu, rest + 6, &msg);
		if (status == 204)
			emu_reply(r, 204, NULL);
		else
			scim_error(r, status, msg);
		if (status == 405)
			emu_add_header(r, "Allow", "GET, PATCH");
	} else if (!strncmp(rest, "Users/", 6) && rest[6] &&
		   method_is(r, "PATCH")) {
		scim_patch_user(emu, r, rest + 6);
	} else if (!strcmp(rest, "Bulk") && method_is(r, "POST")) {
		if (emu->opt.scim_bulk)
			bulk(emu, r);
		else
			scim_error(r, 501, "bulk operations are not supported");
	} else {
		scim_error(r, 404, "not found");
	}
}

const struct emu_vendor emu_vendor_scim = {
	.name = "scim",
	.idstyle = EMU_ID_GUID,
	.usernames = true,
	.default_user = "admin",
	.max_page = 1000,
	.token_ttl = 3600,
	.listed = scim_listed,
	.handle = handle,
	.error = scim_error,
};
