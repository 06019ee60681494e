/*
 * Atlassian Cloud organization (Admin API v2 and the user management
 * API): Bearer API key, cursor-linked pages of at most 100 users, removal,
 * suspension and restore in a directory, and the lifecycle delete of
 * managed accounts with its cancel.
 *
 * Cursors are keyset-like: they name the slot the next page starts at, so
 * a page never shifts when users before it are deleted. Every user of the
 * store is listed: closed accounts as "closed", scheduled deletions with
 * "forDeletion": true.
 */
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "util/xalloc.h"

#define DEFAULT_LIMIT 100
#define MAX_LIMIT     100
#define MAX_SEGMENTS  10

static bool listed(const struct emu_user *u)
{
	(void)u;
	return true;
}

static void error(struct emu_req *r, int status, const char *msg)
{
	struct jsonw w;

	strbuf_reset(&r->out);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_object_int(&w, "code", status);
	jsonw_object_string(&w, "message", msg);
	jsonw_object_end(&w);
	emu_reply(r, status, "application/json");
}

static void user_json(struct jsonw *w, struct emu *emu,
		      const struct emu_user *u)
{
	static const char *const types[] = { "atlassian", "app", "app",
					     "customer", "unknown" };

	(void)emu;
	jsonw_object_begin(w);
	jsonw_object_string(w, "accountId", u->id);
	jsonw_key(w, "accountType");
	if (u->vendor_type)
		jsonw_raw(w, u->vendor_type);
	else
		jsonw_string(w, types[u->type]);
	if (u->type == EMU_ROBOT)
		jsonw_object_string(w, "appType", "agent");
	jsonw_object_string(w, "accountStatus",
			    u->closed		       ? "closed"
			    : u->status == EMU_PENDING ? "inactive"
						       : "active");
	jsonw_object_string(w, "membershipStatus",
			    u->status == EMU_INACTIVE ? "suspended" : "active");
	jsonw_object_string(w, "claimStatus",
			    u->unmanaged ? "unmanaged" : "managed");
	jsonw_object_string(w, "email", u->email);
	jsonw_object_string(w, "name", u->name);
	jsonw_object_bool(w, "forDeletion", u->status == EMU_PENDING);
	jsonw_object_end(w);
}

/* ---- paths ---- */

/*
 * The raw path of r split at '/' into at most MAX_SEGMENTS decoded
 * segments (in buf); -1 when there are more.
 */
static int split(const struct emu_req *r, char *buf, size_t n, char **seg)
{
	size_t len = strcspn(r->target, "?");
	int k = 0;
	char *p, *slash;

	if (len >= n)
		return -1;
	memcpy(buf, r->target, len);
	buf[len] = '\0';
	for (p = buf[0] == '/' ? buf + 1 : buf;; p = slash + 1) {
		if (k == MAX_SEGMENTS)
			return -1;
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		emu_url_decode(p, strlen(p));
		seg[k++] = p;
		if (!slash)
			return k;
	}
}

/* ---- listing ---- */

/* "c<slot>o<offset>" in hex: where the next page starts. */
static void write_cursor(struct strbuf *sb, long slot, long offset)
{
	strbuf_addf(sb, "c%lxo%lx", slot, offset);
}

static int read_cursor(const char *c, long *slot, long *offset)
{
	char *end;

	if (c[0] != 'c')
		return -1;
	*slot = strtol(c + 1, &end, 16);
	if (end == c + 1 || *end != 'o' || *slot < 0)
		return -1;
	c = end + 1;
	*offset = strtol(c, &end, 16);
	return end == c || *end || *offset < 0 ? -1 : 0;
}

static void page_url(struct strbuf *sb, struct emu *emu, const char *org,
		     const char *dir, long limit)
{
	strbuf_addf(sb, "%s/admin/v2/orgs/%s/directories/%s/users?limit=%ld",
		    emu->origin, org, dir, limit);
}

static void list(struct emu *emu, struct emu_req *r, const char *org,
		 const char *dir)
{
	const struct emu_store *s = &emu->users;
	const char *cursor = emu_query(r, "cursor");
	long limit, count, slot = 0, offset = 0, next = -1, n = 0;
	struct strbuf link = STRBUF_INIT;
	struct jsonw w;

	if (emu_query_long(r, "limit", DEFAULT_LIMIT, &limit) < 0 ||
	    limit < 1 || limit > MAX_LIMIT) {
		error(r, 400, "limit must be an integer from 1 to 100");
		return;
	}
	if (cursor &&
	    (read_cursor(cursor, &slot, &offset) < 0 || slot > (long)s->n)) {
		error(r, 400, "Invalid cursor");
		return;
	}
	count = limit;
	if (!emu_page(emu, r, offset, &count))
		return;
	/* the first user at or after the cursor's slot */
	while (slot < (long)s->n && s->v[slot].gone)
		slot++;
	if (slot >= (long)s->n)
		slot = -1;
	strbuf_grow(&r->out, (size_t)count * 256);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_key(&w, "data");
	jsonw_array_begin(&w);
	for (; slot >= 0; slot = store_next_listed(s, slot)) {
		if (n == count) {
			next = slot;
			break;
		}
		emu_write_user(&w, emu, &s->v[slot], user_json);
		n++;
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "links");
	jsonw_object_begin(&w);
	page_url(&link, emu, org, dir, limit);
	if (cursor)
		strbuf_addf(&link, "&cursor=%s", cursor);
	jsonw_key(&w, "self");
	jsonw_stringn(&w, link.buf, link.len);
	jsonw_key(&w, "prev");
	jsonw_null(&w);
	if (next >= 0) {
		strbuf_reset(&link);
		if (!emu->opt.bare_cursors) {
			page_url(&link, emu, org, dir, limit);
			strbuf_addstr(&link, "&cursor=");
		}
		write_cursor(&link, next, offset + n);
		jsonw_key(&w, "next");
		jsonw_stringn(&w, link.buf, link.len);
	}
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	strbuf_release(&link);
	emu_reply(r, 200, "application/json");
}

/* ---- one user ---- */

/*
 * The slot of a user who can be acted on, or -1 with r answered: unknown
 * and closed accounts are not found, a vanishing one is gone by now, and
 * fail_delete answers its status.
 */
static long target(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = store_find(&emu->users, id);
	const struct emu_user *u = slot >= 0 ? &emu->users.v[slot] : NULL;

	if (!u || u->closed) {
		error(r, 404, "User not found");
		return -1;
	}
	if (u->fail_delete) {
		error(r, u->fail_delete, "the request failed");
		return -1;
	}
	if (u->vanishing) {
		/* removed by someone else between listing and now */
		store_remove(&emu->users, slot);
		error(r, 404, "User not found");
		return -1;
	}
	return slot;
}

static void remove_user(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = target(emu, r, id);

	if (slot < 0)
		return;
	if (emu->users.v[slot].undeletable) {
		error(r, 400, "The user cannot be removed from the directory");
		return;
	}
	emu_delete(emu, slot, -1);
	emu_reply(r, 204, NULL);
}

static void suspend_user(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = target(emu, r, id);

	if (slot < 0)
		return;
	if (emu->users.v[slot].undeletable) {
		error(r, 400, "The user cannot be suspended");
		return;
	}
	emu_delete(emu, slot, EMU_INACTIVE);
	emu_reply_text(r, 200, "application/json",
		       "{\"message\":\"User access suspended\"}");
}

static void restore_user(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = store_find(&emu->users, id);

	if (slot < 0 || emu->users.v[slot].closed) {
		error(r, 404, "User not found");
	} else if (emu->users.v[slot].fail_delete) {
		error(r, emu->users.v[slot].fail_delete, "the request failed");
	} else if (emu->users.v[slot].status == EMU_PENDING) {
		error(r, 409,
		      "The account is scheduled for deletion: cancel the "
		      "deletion instead");
	} else {
		store_set_status(&emu->users, slot, EMU_ACTIVE);
		emu_reply_text(r, 200, "application/json",
			       "{\"message\":\"User access restored\"}");
	}
}

static void lifecycle(struct emu *emu, struct emu_req *r, const char *id,
		      const char *what)
{
	long slot;

	if (!strcmp(what, "cancel-delete")) {
		slot = store_find(&emu->users, id);
		if (slot < 0 || emu->users.v[slot].closed)
			error(r, 404, "User not found");
		else if (emu->users.v[slot].fail_delete)
			error(r, emu->users.v[slot].fail_delete,
			      "the request failed");
		else if (emu->users.v[slot].status != EMU_PENDING)
			error(r, 400,
			      "The account is not scheduled for "
			      "deletion");
		else {
			store_set_status(&emu->users, slot, EMU_ACTIVE);
			emu_reply(r, 204, NULL);
		}
		return;
	}
	if (strcmp(what, "delete")) {
		error(r, 404, "Not Found");
		return;
	}
	if ((slot = target(emu, r, id)) < 0)
		return;
	if (emu->users.v[slot].unmanaged) {
		error(r, 403,
		      "The account is not managed by your organization");
		return;
	}
	if (emu->users.v[slot].undeletable) {
		error(r, 400, "The account cannot be deleted");
		return;
	}
	/* asked again while scheduled: nothing more to do */
	if (emu->users.v[slot].status != EMU_PENDING)
		emu_delete(emu, slot, EMU_PENDING);
	emu_reply(r, 204, NULL);
}

/* ---- dispatch ---- */

/* admin v2 orgs ORG directories DIR users [ID [suspend|restore]] */
static void admin(struct emu *emu, struct emu_req *r, char **seg, int n)
{
	const char *m = r->method, *id = n > 7 ? seg[7] : NULL;

	if (n < 7 || n > 9 || strcmp(seg[4], "directories") || !*seg[5] ||
	    strcmp(seg[6], "users") || (id && !*id)) {
		error(r, 404, "Not Found");
	} else if (strcmp(seg[3], emu->opt.org)) {
		error(r, 404, "Organization not found");
	} else if (n == 7) {
		if (!strcmp(m, "GET"))
			list(emu, r, seg[3], seg[5]);
		else
			error(r, 405, "Method Not Allowed");
	} else if (n == 8) {
		if (!strcmp(m, "DELETE"))
			remove_user(emu, r, id);
		else
			error(r, 405, "Method Not Allowed");
	} else if (strcmp(seg[8], "suspend") && strcmp(seg[8], "restore")) {
		error(r, 404, "Not Found");
	} else if (strcmp(m, "POST")) {
		error(r, 405, "Method Not Allowed");
	} else if (!strcmp(seg[8], "suspend")) {
		suspend_user(emu, r, id);
	} else {
		restore_user(emu, r, id);
	}
}

/* users ID manage lifecycle delete|cancel-delete */
static bool is_lifecycle(char **seg, int n)
{
	return n == 5 && !strcmp(seg[0], "users") && *seg[1] &&
	       !strcmp(seg[2], "manage") && !strcmp(seg[3], "lifecycle");
}

static void handle(struct emu *emu, struct emu_req *r)
{
	char buf[4096], *seg[MAX_SEGMENTS];
	int n;

	r->auth =
		auth_static(emu, auth_credential(r, "Authorization", "Bearer"),
			    emu->opt.token);
	if (r->auth != EMU_AUTH_OK) {
		emu_add_header(r, "WWW-Authenticate", "Bearer");
		error(r, 401, "Unauthorized");
		return;
	}
	n = split(r, buf, sizeof(buf), seg);
	if (n >= 3 && !strcmp(seg[0], "admin") && !strcmp(seg[1], "v2") &&
	    !strcmp(seg[2], "orgs"))
		admin(emu, r, seg, n);
	else if (is_lifecycle(seg, n) && !strcmp(r->method, "POST"))
		lifecycle(emu, r, seg[1], seg[4]);
	else if (is_lifecycle(seg, n))
		error(r, 405, "Method Not Allowed");
	else
		error(r, 404, "Not Found");
}

const struct emu_vendor emu_vendor_atlassian_org = {
	.name = "atlassian-org",
	.idstyle = EMU_ID_HEX24,
	.usernames = false,
	.default_user = "admin@example.test",
	.max_page = MAX_LIMIT,
	.token_ttl = 3600,
	.rate_headers = true,
	.listed = listed,
	.handle = handle,
	.error = error,
};
