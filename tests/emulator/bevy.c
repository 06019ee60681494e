/*
 * Bevy (Django REST Framework conventions): Token auth, singular resource
 * paths (/api/user/), page-numbered lists whose absolute next and previous
 * links are under "links" (--bevy-top-next: at the top level, as plain
 * DRF has them), deletion that only schedules, and a daily budget of
 * authenticated requests.
 */
#include <limits.h>
#include <string.h>
#include <time.h>

#include "emu.h"

#define USERS		  "/api/user/"
#define DEFAULT_PAGE_SIZE 100

static bool listed(const struct emu_user *u)
{
	return u->status != EMU_PENDING;
}

static void error(struct emu_req *r, int status, const char *msg)
{
	struct jsonw w;

	strbuf_reset(&r->out);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "detail", msg);
	jsonw_object_end(&w);
	emu_reply(r, status, "application/json");
}

static void user_json(struct jsonw *w, struct emu *emu,
		      const struct emu_user *u)
{
	const char *first, *last;
	size_t first_len;

	(void)emu;
	user_split_name(u, &first, &first_len, &last);
	jsonw_object_begin(w);
	jsonw_key(w, "id");
	emu_write_num_id(w, u);
	jsonw_object_string(w, "email", u->email);
	jsonw_object_string(w, "username", u->username);
	jsonw_key(w, "first_name");
	jsonw_stringn(w, first, first_len);
	jsonw_object_string(w, "last_name", last);
	jsonw_object_bool(w, "is_active", u->status == EMU_ACTIVE);
	jsonw_object_end(w);
}

/* DRF leaves the page parameter out of the link to the first page. */
static void page_link(struct jsonw *w, struct emu *emu, long page, long size)
{
	struct strbuf sb = STRBUF_INIT;

	if (page == 1)
		strbuf_addf(&sb, "%s%s?page_size=%ld", emu->origin, USERS,
			    size);
	else
		strbuf_addf(&sb, "%s%s?page=%ld&page_size=%ld", emu->origin,
			    USERS, page, size);
	jsonw_stringn(w, sb.buf, sb.len);
	strbuf_release(&sb);
}

static void list(struct emu *emu, struct emu_req *r)
{
	const struct emu_store *s = &emu->users;
	long page, size, count, offset, slot;
	struct jsonw w;

	if (emu_query_long(r, "page", 1, &page) < 0 || page < 1) {
		error(r, 404, "Invalid page.");
		return;
	}
	if (emu_query_long(r, "page_size", DEFAULT_PAGE_SIZE, &size) < 0 ||
	    size < 1)
		size = DEFAULT_PAGE_SIZE;
	if (size > emu->cfg.max_page)
		size = emu->cfg.max_page;
	/* a page number too large to multiply is past the end too */
	if (page - 1 > LONG_MAX / size) {
		error(r, 404, "Invalid page.");
		return;
	}
	offset = (page - 1) * size;
	if (page > 1 && (size_t)offset >= s->listed) {
		error(r, 404, "Invalid page.");
		return;
	}
	count = size;
	if (!emu_page(emu, r, offset, &count))
		return;
	strbuf_grow(&r->out, (size_t)count * 200);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_object_int(&w, "count", (long long)s->listed);
	if (!emu->opt.bevy_top_next) {
		jsonw_key(&w, "links");
		jsonw_object_begin(&w);
	}
	jsonw_key(&w, "next");
	if ((size_t)(offset + size) < s->listed)
		page_link(&w, emu, page + 1, size);
	else
		jsonw_null(&w);
	jsonw_key(&w, "previous");
	if (page > 1)
		page_link(&w, emu, page - 1, size);
	else
		jsonw_null(&w);
	if (!emu->opt.bevy_top_next)
		jsonw_object_end(&w);
	jsonw_key(&w, "results");
	jsonw_array_begin(&w);
	slot = count > 0 ? store_nth_listed(s, (size_t)offset) : -1;
	for (; count > 0 && slot >= 0;
	     count--, slot = store_next_listed(s, slot))
		emu_write_user(&w, emu, &s->v[slot], user_json);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	emu_reply(r, 200, "application/json");
}

static void one_user(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = store_find(&emu->users, id);
	struct jsonw w;

	if (slot < 0 || !listed(&emu->users.v[slot])) {
		error(r, 404, "Not found.");
	} else if (!strcmp(r->method, "GET")) {
		jsonw_init(&w, &r->out, false);
		emu_write_user(&w, emu, &emu->users.v[slot], user_json);
		emu_reply(r, 200, "application/json");
	} else if (emu->users.v[slot].undeletable) {
		error(r, 400, "This user cannot be deleted.");
	} else {
		/* scheduled: removed for good after seven days, not here */
		emu_delete(emu, slot, EMU_PENDING);
		emu_reply(r, 204, NULL);
	}
}

/* Seconds to the next UTC midnight, when a daily budget renews. */
static long until_midnight(void)
{
	time_t now = time(NULL);

	return 86400 - (long)(now % 86400);
}

static void handle(struct emu *emu, struct emu_req *r)
{
	const char *p = r->path;
	size_t n = strlen(USERS), len;
	char buf[96], id[256];

	r->auth = auth_static(emu, auth_credential(r, "Authorization", "Token"),
			      emu->opt.token);
	if (r->auth != EMU_AUTH_OK) {
		emu_add_header(r, "WWW-Authenticate", "Token");
		error(r, 401, "Invalid token.");
		return;
	}
	if (emu->cfg.daily_budget > 0 &&
	    ++emu->budget_used > emu->cfg.daily_budget) {
		emu_add_header(r, "Retry-After", "%ld", until_midnight());
		snprintf(buf, sizeof(buf),
			 "Request was throttled. Expected available in %ld "
			 "seconds.",
			 until_midnight());
		error(r, 429, buf);
		r->fault = "budget";
		return;
	}
	if (!strcmp(p, USERS) && !strcmp(r->method, "GET")) {
		list(emu, r);
		return;
	}
	/* USERS + id + "/", the id without slashes */
	len = strlen(p);
	if (strncmp(p, USERS, n) || len < n + 2 || p[len - 1] != '/' ||
	    len - n - 1 >= sizeof(id) || memchr(p + n, '/', len - n - 1) ||
	    (strcmp(r->method, "GET") && strcmp(r->method, "DELETE"))) {
		error(r, 404, "Not found.");
		return;
	}
	memcpy(id, p + n, len - n - 1);
	id[len - n - 1] = '\0';
	one_user(emu, r, id);
}

const struct emu_vendor emu_vendor_bevy = {
	.name = "bevy",
	.idstyle = EMU_ID_INT,
	.usernames = true,
	.default_user = "admin",
	.max_page = 1000,
	.token_ttl = 3600,
	.listed = listed,
	.handle = handle,
	.error = error,
};
