/*
 * The control API under /_emulator/: what tests use to arrange a
 * population, change faults at run time and inspect what happened. It is
 * outside the vendor pipeline: no auth, latency, faults, log or stats.
 */
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "util/xalloc.h"

#define PREFIX "/_emulator/"

static const char *const env_names[] = { "development", "test", "production" };

void counter_init(struct emu_counter *c)
{
	memset(c, 0, sizeof(*c));
	hmap_init(&c->index);
	arena_init(&c->keys);
}

void counter_release(struct emu_counter *c)
{
	free(c->v);
	hmap_release(&c->index);
	arena_release(&c->keys);
	counter_init(c);
}

void counter_add(struct emu_counter *c, const char *key, unsigned long long n)
{
	size_t len = strlen(key);
	uint32_t *slot = hmap_get(&c->index, key, len);
	int inserted;

	if (slot) {
		c->v[*slot].n += n;
		return;
	}
	c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof(*c->v));
	c->v[c->n].key = arena_strndup(&c->keys, key, len);
	c->v[c->n].n = n;
	hmap_put(&c->index, c->v[c->n].key, len, (uint32_t)c->n, &inserted);
	c->n++;
}

static void counter_write(struct jsonw *w, const struct emu_counter *c)
{
	size_t i;

	jsonw_object_begin(w);
	for (i = 0; i < c->n; i++)
		jsonw_object_int(w, c->v[i].key, (long long)c->v[i].n);
	jsonw_object_end(w);
}

void stats_record(struct emu *emu, struct emu_req *r)
{
	struct emu_stats *s = &emu->stats;
	char buf[32];

	s->requests++;
	snprintf(buf, sizeof(buf), "%d", r->status);
	counter_add(&s->by_status, buf, 1);
	counter_add(&s->by_method, r->method, 1);
	snprintf(buf, sizeof(buf), "%lld", (long long)r->t);
	counter_add(&s->per_second, buf, 1);
}

static void stats_reset(struct emu *emu)
{
	struct emu_stats *s = &emu->stats;

	counter_release(&s->by_status);
	counter_release(&s->by_method);
	counter_release(&s->per_second);
	s->requests = s->rate_limited = 0;
	s->max_inflight = emu->inflight;
}

static void write_stats(struct jsonw *w, const struct emu_stats *s)
{
	jsonw_object_begin(w);
	jsonw_object_int(w, "requests", (long long)s->requests);
	jsonw_object_int(w, "max_inflight", s->max_inflight);
	jsonw_key(w, "by_status");
	counter_write(w, &s->by_status);
	jsonw_key(w, "by_method");
	counter_write(w, &s->by_method);
	jsonw_object_int(w, "rate_limited", (long long)s->rate_limited);
	jsonw_key(w, "per_second");
	counter_write(w, &s->per_second);
	jsonw_object_end(w);
}

static void write_config(struct jsonw *w, const struct emu *emu)
{
	const struct emu_config *c = &emu->cfg;

	jsonw_object_begin(w);
	jsonw_object_string(w, "vendor", emu->vendor->name);
	jsonw_object_int(w, "latency_ms", c->latency_ms);
	jsonw_object_int(w, "connect_latency_ms", c->connect_latency_ms);
	jsonw_object_int(w, "rate_limit", c->rate_limit);
	jsonw_object_double(w, "fail_rate", c->fail_rate);
	jsonw_object_double(w, "error_rate", c->error_rate);
	jsonw_object_double(w, "drop_rate", c->drop_rate);
	jsonw_object_double(w, "truncate_rate", c->truncate_rate);
	jsonw_object_double(w, "html_rate", c->html_rate);
	jsonw_object_double(w, "burst_429", c->burst_429);
	jsonw_object_int(w, "token_max_uses", c->token_max_uses);
	jsonw_object_int(w, "token_ttl", auth_ttl(emu));
	jsonw_object_int(w, "max_page", c->max_page);
	jsonw_object_int(w, "daily_budget", c->daily_budget);
	jsonw_object_string(w, "environment", env_names[c->environment]);
	jsonw_object_end(w);
}

static int get_long(const cJSON *m, long min, long max, long *out,
		    struct err *e)
{
	if (!cJSON_IsNumber(m) || m->valuedouble < (double)min ||
	    m->valuedouble > (double)max ||
	    m->valuedouble != (double)(long)m->valuedouble)
		return err_set(e, "\"%s\" must be an integer from %ld to %ld",
			       m->string, min, max);
	*out = (long)m->valuedouble;
	return 0;
}

static int get_rate(const cJSON *m, double *out, struct err *e)
{
	if (!cJSON_IsNumber(m) || !(m->valuedouble >= 0) || m->valuedouble > 1)
		return err_set(e, "\"%s\" must be a number from 0 to 1",
			       m->string);
	*out = m->valuedouble;
	return 0;
}

static int set_member(struct emu_config *c, const cJSON *m, struct err *e)
{
	const char *k = m->string;
	int i;

	if (!strcmp(k, "latency_ms"))
		return get_long(m, 0, 600000, &c->latency_ms, e);
	if (!strcmp(k, "connect_latency_ms"))
		return get_long(m, 0, 600000, &c->connect_latency_ms, e);
	if (!strcmp(k, "rate_limit"))
		return get_long(m, 0, 1000000, &c->rate_limit, e);
	if (!strcmp(k, "token_max_uses"))
		return get_long(m, 0, 1000000000, &c->token_max_uses, e);
	if (!strcmp(k, "token_ttl"))
		return get_long(m, 0, 100000000, &c->token_ttl, e);
	if (!strcmp(k, "max_page"))
		return get_long(m, 1, 100000000, &c->max_page, e);
	if (!strcmp(k, "daily_budget"))
		return get_long(m, 0, 1000000000, &c->daily_budget, e);
	if (!strcmp(k, "fail_rate"))
		return get_rate(m, &c->fail_rate, e);
	if (!strcmp(k, "error_rate"))
		return get_rate(m, &c->error_rate, e);
	if (!strcmp(k, "drop_rate"))
		return get_rate(m, &c->drop_rate, e);
	if (!strcmp(k, "truncate_rate"))
		return get_rate(m, &c->truncate_rate, e);
	if (!strcmp(k, "html_rate"))
		return get_rate(m, &c->html_rate, e);
	if (!strcmp(k, "burst_429"))
		return get_rate(m, &c->burst_429, e);
	if (!strcmp(k, "environment")) {
		for (i = 0; i < 3; i++) {
			if (cJSON_IsString(m) &&
			    !strcmp(m->valuestring, env_names[i])) {
				c->environment = (enum emu_env)i;
				return 0;
			}
		}
		return err_set(e, "\"environment\" must be development, "
				  "test or production");
	}
	return err_set(e, "unknown setting \"%s\"", k);
}

/* Answers */

static void reply_error(struct emu_req *r, int status, const char *msg)
{
	struct jsonw w;

	strbuf_reset(&r->out);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "error", msg);
	jsonw_object_end(&w);
	emu_reply(r, status, "application/json");
}

static cJSON *parse_body(struct emu_req *r, bool object)
{
	cJSON *j = NULL;

	if (r->body.len)
		j = cJSON_ParseWithLengthOpts(r->body.buf, r->body.len, NULL,
					      0);
	if (!j || (object && !cJSON_IsObject(j))) {
		reply_error(r, 400, "the body must be a JSON object");
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static void reply_user(struct emu_req *r, int status, const struct emu_user *u)
{
	struct jsonw w;

	jsonw_init(&w, &r->out, false);
	store_user_to_json(&w, u);
	emu_reply(r, status, "application/json");
}

static void list_users(struct emu *emu, struct emu_req *r)
{
	const struct emu_store *s = &emu->users;
	struct jsonw w;
	size_t i;

	strbuf_grow(&r->out, s->live * 160);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "caller",
			    s->caller >= 0 ? s->v[s->caller].id : NULL);
	jsonw_key(&w, "users");
	jsonw_array_begin(&w);
	for (i = 0; i < s->n; i++)
		if (!s->v[i].gone)
			store_user_to_json(&w, &s->v[i]);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	emu_reply(r, 200, "application/json");
}

static void add_user(struct emu *emu, struct emu_req *r)
{
	cJSON *j = parse_body(r, true);
	struct emu_user u;
	struct err e;
	long slot;

	if (!j)
		return;
	if (store_user_from_json(&emu->users, j, &u, false, &e) < 0)
		reply_error(r, 400, e.msg);
	else if ((slot = store_add(&emu->users, &u)) < 0)
		reply_error(r, 409, "a user with this id exists");
	else
		reply_user(r, 201, &emu->users.v[slot]);
	cJSON_Delete(j);
}

static void user_by_id(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = store_find(&emu->users, id);
	struct emu_user u;
	struct err e;
	cJSON *j;

	if (slot < 0) {
		reply_error(r, 404, "no user with this id");
		return;
	}
	if (!strcmp(r->method, "GET")) {
		reply_user(r, 200, &emu->users.v[slot]);
	} else if (!strcmp(r->method, "DELETE")) {
		store_remove(&emu->users, slot);
		emu_reply(r, 204, NULL);
	} else if (!strcmp(r->method, "PATCH")) {
		if (!(j = parse_body(r, true)))
			return;
		u = emu->users.v[slot];
		if (store_user_from_json(&emu->users, j, &u, true, &e) < 0) {
			reply_error(r, 400, e.msg);
		} else {
			store_update(&emu->users, slot, &u);
			reply_user(r, 200, &emu->users.v[slot]);
		}
		cJSON_Delete(j);
	} else {
		reply_error(r, 405, "method not allowed");
	}
}

static void config(struct emu *emu, struct emu_req *r)
{
	struct emu_config c = emu->cfg;
	const cJSON *m;
	struct jsonw w;
	struct err e;
	cJSON *j;

	if (!strcmp(r->method, "POST")) {
		if (!(j = parse_body(r, true)))
			return;
		cJSON_ArrayForEach(m, j)
		{
			if (set_member(&c, m, &e) < 0) {
				reply_error(r, 400, e.msg);
				cJSON_Delete(j);
				return;
			}
		}
		cJSON_Delete(j);
		emu->cfg = c;
	} else if (strcmp(r->method, "GET")) {
		reply_error(r, 405, "method not allowed");
		return;
	}
	jsonw_init(&w, &r->out, false);
	write_config(&w, emu);
	emu_reply(r, 200, "application/json");
}

static bool is(const struct emu_req *r, const char *method, const char *name)
{
	return !strcmp(r->path + strlen(PREFIX), name) &&
	       !strcmp(r->method, method);
}

void control_handle(struct emu *emu, struct emu_req *r)
{
	const char *rest = r->path + strlen(PREFIX);
	struct jsonw w;

	jsonw_init(&w, &r->out, false);
	if (is(r, "GET", "users")) {
		list_users(emu, r);
	} else if (is(r, "POST", "users")) {
		add_user(emu, r);
	} else if (!strncmp(rest, "users/", 6) && rest[6]) {
		user_by_id(emu, r, rest + 6);
	} else if (is(r, "GET", "deletes")) {
		counter_write(&w, &emu->deletes);
		emu_reply(r, 200, "application/json");
	} else if (is(r, "GET", "stats")) {
		write_stats(&w, &emu->stats);
		emu_reply(r, 200, "application/json");
	} else if (is(r, "POST", "stats/reset")) {
		stats_reset(emu);
		emu_reply(r, 204, NULL);
	} else if (!strcmp(rest, "config")) {
		config(emu, r);
	} else {
		reply_error(r, 404, "no such control endpoint");
	}
}
