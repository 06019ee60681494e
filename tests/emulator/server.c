/*
 * The HTTP side of the emulator: libmicrohttpd glue, the per-request
 * pipeline (latency, rate limit, random faults, vendor handler, log,
 * stats) and the helpers vendor handlers answer with.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "emu.h"
#include "util/fileio.h"
#include "util/xalloc.h"

#define TLS_FILE_MAX (1u << 20)

static const char login_page[] =
	"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
	"<body><h1>Sign in</h1>\n<form method=\"post\" action=\"/login\">\n"
	"<input name=\"username\"><input name=\"password\" "
	"type=\"password\">\n<button>Sign in</button></form></body></html>\n";

double emu_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double emu_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

const char *emu_status_text(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	default:
		return "Error";
	}
}

/* Request helpers for handlers */

const char *emu_query(struct emu_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

int emu_query_long(struct emu_req *r, const char *name, long def, long *out)
{
	const char *v = emu_query(r, name);
	char *end;
	long n;

	*out = def;
	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno)
		return -1;
	*out = n;
	return 0;
}

const char *emu_header(struct emu_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void emu_add_header(struct emu_req *r, const char *name, const char *fmt, ...)
{
	struct emu_header *h;
	va_list ap;

	if (r->nheaders == EMU_MAX_HEADERS)
		return;
	h = &r->headers[r->nheaders++];
	snprintf(h->name, sizeof(h->name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(h->value, sizeof(h->value), fmt, ap);
	va_end(ap);
}

void emu_reply(struct emu_req *r, int status, const char *ctype)
{
	r->status = status;
	r->ctype = ctype;
}

void emu_reply_text(struct emu_req *r, int status, const char *ctype,
		    const char *text)
{
	strbuf_reset(&r->out);
	strbuf_addstr(&r->out, text);
	emu_reply(r, status, ctype);
}

void emu_reply_html(struct emu_req *r)
{
	emu_reply_text(r, 200, "text/html; charset=utf-8", login_page);
}

cJSON *emu_body_json(struct emu *emu, struct emu_req *r)
{
	cJSON *j = NULL;

	if (r->body.len)
		j = cJSON_ParseWithLengthOpts(r->body.buf, r->body.len, NULL,
					      0);
	if (!j)
		emu->vendor->error(r, 400, "the request body is not JSON");
	return j;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t emu_url_decode(char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '+') {
			s[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < len &&
			   hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			s[o++] = (char)(hexval(s[i + 1]) * 16 +
					hexval(s[i + 2]));
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return o;
}

char *emu_form_value(const char *body, size_t len, const char *key)
{
	const char *p = body, *end = body + len, *amp, *eq;
	size_t klen = strlen(key);
	char *name, *value;
	size_t n;

	for (; p < end; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (!eq)
			continue;
		name = xstrndup(p, (size_t)(eq - p));
		n = emu_url_decode(name, strlen(name));
		if (n == klen && !memcmp(name, key, n)) {
			free(name);
			value = xstrndup(eq + 1, (size_t)(amp - eq - 1));
			emu_url_decode(value, strlen(value));
			return value;
		}
		free(name);
	}
	return NULL;
}

static bool in_list(const long *v, int n, long offset)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == offset)
			return true;
	return false;
}

bool emu_page(struct emu *emu, struct emu_req *r, long offset, long *count)
{
	const struct emu_options *o = &emu->opt;
	int i;

	if (*count > emu->cfg.max_page)
		*count = emu->cfg.max_page;
	if (*count < 0)
		*count = 0;
	for (i = 0; i < o->n_short_pages; i++)
		if (o->short_pages[i].offset == offset &&
		    o->short_pages[i].n < *count)
			*count = o->short_pages[i].n;
	if (in_list(o->fail_list_at, o->n_fail_list_at, offset)) {
		emu->vendor->error(r, 500, "internal server error");
		r->fault = "error";
		return false;
	}
	if (in_list(o->html_list_at, o->n_html_list_at, offset)) {
		emu_reply_html(r);
		r->fault = "html";
		return false;
	}
	if (in_list(o->truncate_list_at, o->n_truncate_list_at, offset)) {
		r->truncate = EMU_TRUNC_CUT;
		r->fault = "truncate";
	}
	return true;
}

void emu_write_num_id(struct jsonw *w, const struct emu_user *u)
{
	if (u->num_ok)
		jsonw_int(w, u->num);
	else
		jsonw_string(w, u->id);
}

/* Shallow merge: raw's members replace or extend the vendor object. */
static void merge_raw(struct jsonw *w, const char *vendor_json, const char *raw)
{
	cJSON *obj = cJSON_Parse(vendor_json), *over = cJSON_Parse(raw), *m;
	char *out;

	if (!obj || !over || !cJSON_IsObject(obj) || !cJSON_IsObject(over)) {
		jsonw_raw(w, vendor_json);
		goto out;
	}
	for (m = over->child; m; m = m->next) {
		cJSON *copy = cJSON_Duplicate(m, 1);

		if (cJSON_GetObjectItemCaseSensitive(obj, m->string))
			cJSON_ReplaceItemInObjectCaseSensitive(obj, m->string,
							       copy);
		else
			cJSON_AddItemToObject(obj, m->string, copy);
	}
	out = cJSON_PrintUnformatted(obj);
	jsonw_raw(w, out ? out : vendor_json);
	cJSON_free(out);
out:
	cJSON_Delete(obj);
	cJSON_Delete(over);
}

void emu_write_user(struct jsonw *w, struct emu *emu, const struct emu_user *u,
		    void (*fn)(struct jsonw *w, struct emu *emu,
			       const struct emu_user *u))
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw tmp;

	if (!u->raw) {
		fn(w, emu, u);
		return;
	}
	jsonw_init(&tmp, &sb, false);
	fn(&tmp, emu, u);
	merge_raw(w, sb.buf, u->raw);
	strbuf_release(&sb);
}

void emu_count_delete(struct emu *emu, const char *id)
{
	counter_add(&emu->deletes, id, 1);
}

void emu_delete(struct emu *emu, long slot, int status)
{
	emu_count_delete(emu, emu->users.v[slot].id);
	if (emu->users.v[slot].sticky)
		return; /* answered as done, and kept: a server that lies */
	if (status < 0)
		store_remove(&emu->users, slot);
	else
		store_set_status(&emu->users, slot, status);
}

/* Rate limit and faults */

static void retry_after(struct emu *emu, struct emu_req *r, long seconds)
{
	time_t t;
	struct tm tm;
	char buf[64];

	if (!emu->opt.retry_after_date) {
		emu_add_header(r, "Retry-After", "%ld", seconds);
		return;
	}
	/* a date has whole seconds: round up so it is never early */
	t = (time_t)ceil(emu_wall()) + seconds;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	emu_add_header(r, "Retry-After", "%s", buf);
}

static void rate_headers(struct emu *emu, struct emu_req *r, long remaining,
			 double reset_mono)
{
	double reset = emu_wall() + (reset_mono - emu_mono());
	time_t secs = (time_t)reset;
	struct tm tm;
	char buf[48];

	if (!emu->vendor->rate_headers)
		return;
	gmtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	emu_add_header(r, "X-RateLimit-Limit", "%ld", emu->cfg.rate_limit);
	emu_add_header(r, "X-RateLimit-Remaining", "%ld", remaining);
	emu_add_header(r, "X-RateLimit-Reset", "%s.%03dZ", buf,
		       (int)((reset - (double)secs) * 1000) % 1000);
}

/* Sliding one-second window over admitted vendor requests. */
static bool rate_limited(struct emu *emu, struct emu_req *r)
{
	size_t limit = (size_t)emu->cfg.rate_limit;
	double now = emu_mono(), oldest;
	long wait;

	if (!emu->cfg.rate_limit)
		return false;
	if (emu->win_cap != limit) {
		free(emu->window);
		emu->window = xcalloc(limit, sizeof(*emu->window));
		emu->win_cap = limit;
		emu->win_head = emu->win_n = 0;
	}
	while (emu->win_n && emu->window[emu->win_head] <= now - 1.0) {
		emu->win_head = (emu->win_head + 1) % limit;
		emu->win_n--;
	}
	if (emu->win_n >= limit) {
		oldest = emu->window[emu->win_head];
		wait = (long)ceil(oldest + 1.0 - now);
		/* an API gateway's 429 says only when its counter resets */
		if (!emu->opt.gateway_429)
			retry_after(emu, r, wait < 1 ? 1 : wait);
		if (emu->opt.limit_reason)
			emu_add_header(r, "RateLimit-Reason", "%s",
				       emu->opt.limit_reason);
		rate_headers(emu, r, 0, oldest + 1.0);
		emu->vendor->error(r, 429, "rate limit exceeded");
		r->fault = "rate_limit";
		emu->stats.rate_limited++;
		return true;
	}
	emu->window[(emu->win_head + emu->win_n) % limit] = now;
	emu->win_n++;
	rate_headers(emu, r, (long)(limit - emu->win_n),
		     emu->window[emu->win_head] + 1.0);
	return false;
}

/* One draw per request picks at most one fault, in a fixed order. */
static bool random_fault(struct emu *emu, struct emu_req *r)
{
	const struct emu_config *c = &emu->cfg;
	double x, sum = 0;

	if (c->drop_rate + c->truncate_rate + c->html_rate + c->error_rate +
		    c->fail_rate + c->burst_429 <=
	    0)
		return false;
	x = emu_rand_double(&emu->fault_rng);
	if (x < (sum += c->drop_rate)) {
		r->drop = true;
		r->fault = "drop";
		return true;
	}
	if (x < (sum += c->truncate_rate)) {
		/* answered in full, then cut on the wire */
		r->truncate = EMU_TRUNC_CLOSE;
		r->fault = "truncate";
		return false;
	}
	if (x < (sum += c->html_rate)) {
		emu_reply_html(r);
		r->fault = "html";
		return true;
	}
	if (x < (sum += c->error_rate)) {
		emu->vendor->error(r, 500, "internal server error");
		r->fault = "error";
		return true;
	}
	if (x < (sum += c->fail_rate)) {
		if (emu_rand(&emu->fault_rng) & 1)
			retry_after(emu, r, 1);
		emu->vendor->error(r, 503, "service unavailable");
		r->fault = "unavailable";
		return true;
	}
	if (x < (sum += c->burst_429)) {
		retry_after(emu, r, 1);
		emu->vendor->error(r, 429, "too many requests");
		r->fault = "burst_429";
		return true;
	}
	return false;
}

static void process_vendor(struct emu *emu, struct emu_req *r)
{
	if (r->body_too_big) {
		emu->vendor->error(r, 413, "request body too large");
		return;
	}
	if (rate_limited(emu, r) || random_fault(emu, r))
		return;
	emu->vendor->handle(emu, r);
	if (!r->status)
		emu->vendor->error(r, 500, "emulator: no answer");
	if (r->truncate == EMU_TRUNC_CLOSE && r->out.len < 2)
		r->drop = true; /* nothing to cut: lose the answer instead */
	if (r->truncate == EMU_TRUNC_CUT) {
		r->out.len /= 2;
		r->out.buf[r->out.len] = '\0';
	}
	if (r->drop)
		r->status = 0;
}

/* Sending */

struct cut_body {
	char *buf;
	size_t half;
};

static ssize_t cut_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct cut_body *c = cls;
	size_t n;

	if (pos >= c->half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = c->half - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, c->buf + pos, n);
	return (ssize_t)n;
}

static void cut_free(void *cls)
{
	struct cut_body *c = cls;

	free(c->buf);
	free(c);
}

static enum MHD_Result send_answer(struct emu_req *r)
{
	struct MHD_Response *resp;
	struct cut_body *cut;
	enum MHD_Result ret;
	size_t len;
	char *buf = strbuf_detach(&r->out, &len);
	int i;

	if (r->truncate == EMU_TRUNC_CLOSE) {
		cut = xmalloc(sizeof(*cut));
		cut->buf = buf;
		cut->half = len / 2;
		resp = MHD_create_response_from_callback(len, 65536, cut_read,
							 cut, cut_free);
		if (!resp)
			cut_free(cut);
	} else {
		resp = MHD_create_response_from_buffer(len, buf,
						       MHD_RESPMEM_MUST_FREE);
		if (!resp)
			free(buf);
	}
	if (!resp)
		return MHD_NO;
	if (r->ctype)
		MHD_add_response_header(resp, "Content-Type", r->ctype);
	for (i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].name,
					r->headers[i].value);
	ret = MHD_queue_response(r->conn, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The request life cycle */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct emu_req *r = xcalloc(1, sizeof(*r));

	(void)cls;
	(void)c;
	r->target = xstrdup(uri ? uri : "");
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct emu *emu = cls;
	struct emu_req *r = *req_cls;

	(void)c;
	(void)toe;
	if (!r)
		return;
	if (r->counted && !r->finished) {
		/* the client went away before its answer */
		pthread_mutex_lock(&emu->lock);
		emu->inflight--;
		pthread_mutex_unlock(&emu->lock);
	}
	strbuf_release(&r->body);
	strbuf_release(&r->out);
	free(r->target);
	free(r);
	*req_cls = NULL;
}

/*
 * Per connection: whether it has served a request. A new connection costs
 * the client round trips (TCP, TLS) before its first request; the
 * emulator charges them with --connect-latency-ms.
 */
static void on_connection(void *cls, struct MHD_Connection *c,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)c;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = xcalloc(1, sizeof(bool));
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		free(*socket_context);
		*socket_context = NULL;
	}
}

static bool first_on_connection(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	bool *used = ci ? ci->socket_context : NULL;
	bool first;

	if (!used)
		return false;
	first = !*used;
	*used = true;
	return first;
}

static enum MHD_Result answer_vendor(struct emu *emu, struct emu_req *r)
{
	long latency, connect;

	pthread_mutex_lock(&emu->lock);
	latency = emu->cfg.latency_ms;
	connect = emu->cfg.connect_latency_ms;
	pthread_mutex_unlock(&emu->lock);
	if (connect > 0 && first_on_connection(r->conn))
		latency += connect;
	if (latency > 0)
		sleep_ms(latency);

	pthread_mutex_lock(&emu->lock);
	process_vendor(emu, r);
	log_request(emu, r);
	stats_record(emu, r);
	emu->inflight--;
	r->finished = true;
	pthread_mutex_unlock(&emu->lock);
	return r->drop ? MHD_NO : send_answer(r);
}

static enum MHD_Result answer_control(struct emu *emu, struct emu_req *r)
{
	pthread_mutex_lock(&emu->lock);
	if (r->body_too_big)
		emu_reply_text(r, 413, "application/json",
			       "{\"error\":\"request body too large\"}");
	else
		control_handle(emu, r);
	pthread_mutex_unlock(&emu->lock);
	return send_answer(r);
}

static void start_request(struct emu *emu, struct emu_req *r,
			  struct MHD_Connection *conn, const char *url,
			  const char *method)
{
	r->started = true;
	r->conn = conn;
	r->path = url;
	r->method = method;
	r->control = !strncmp(url, "/_emulator/", 11);
	if (r->control)
		return;
	pthread_mutex_lock(&emu->lock);
	r->seq = ++emu->seq;
	r->t = emu_wall();
	r->inflight = ++emu->inflight;
	if (emu->inflight > emu->stats.max_inflight)
		emu->stats.max_inflight = emu->inflight;
	r->counted = true;
	pthread_mutex_unlock(&emu->lock);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct emu *emu = cls;
	struct emu_req *r = *req_cls;

	(void)version;
	if (!r)
		r = *req_cls = on_uri(NULL, url, conn);
	if (!r->started) {
		start_request(emu, r, conn, url, method);
		return MHD_YES;
	}
	if (*upload_size) {
		/* keep reading an oversized body, but not storing it */
		if (r->body_too_big ||
		    r->body.len + *upload_size > EMU_BODY_MAX) {
			r->body_too_big = true;
			strbuf_release(&r->body);
		} else {
			strbuf_add(&r->body, upload, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return r->control ? answer_control(emu, r) : answer_vendor(emu, r);
}

/* Start-up and shutdown */

static int parse_bind(const char *bind, struct sockaddr_storage *ss, bool *v6,
		      struct err *e)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!strcmp(bind, "localhost"))
		bind = "127.0.0.1";
	if (inet_pton(AF_INET, bind, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		*v6 = false;
		if ((ntohl(in4->sin_addr.s_addr) >> 24) != 127)
			return err_set(e, "--bind %s: not a loopback address",
				       bind);
		return 0;
	}
	if (inet_pton(AF_INET6, bind, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		*v6 = true;
		if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return err_set(e, "--bind %s: not a loopback address",
				       bind);
		return 0;
	}
	return err_set(e, "--bind %s: not an IP address", bind);
}

static int read_tls(const struct emu_options *o, char **cert, char **key,
		    struct err *e)
{
	size_t len;

	if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
		return err_set(e, "this libmicrohttpd was built without TLS");
	if (!o->tls_cert || !o->tls_key)
		return err_set(e, "--tls-cert and --tls-key go together");
	if (file_read(o->tls_cert, TLS_FILE_MAX, cert, &len, e) < 0 ||
	    file_read(o->tls_key, TLS_FILE_MAX, key, &len, e) < 0)
		return -1;
	return 0;
}

static void set_port(struct sockaddr_storage *ss, bool v6, long port)
{
	if (v6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static int wait_for_signal(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	return sigwait(&set, &sig);
}

int server_run(struct emu *emu)
{
	const struct emu_options *o = &emu->opt;
	struct MHD_OptionItem opts[4];
	struct sockaddr_storage ss;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	char *cert = NULL, *key = NULL, port_text[16];
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_ERROR_LOG;
	struct err e;
	bool v6 = false, tls = o->tls_cert || o->tls_key;
	unsigned port;
	int n = 0, rc = -1;

	if (parse_bind(o->bind, &ss, &v6, &e) < 0 ||
	    (tls && read_tls(o, &cert, &key, &e) < 0)) {
		fprintf(stderr, "userprune-emulator: %s\n", e.msg);
		goto out;
	}
	set_port(&ss, v6, o->port);
	if (v6)
		flags |= MHD_USE_IPv6;
	if (tls) {
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
						     0, cert };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
						     0, key };
	}
	opts[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request,
			     emu, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_URI_LOG_CALLBACK, on_uri, emu,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, emu,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, emu,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)2000,
			     MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
			     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr,
			"userprune-emulator: cannot listen on %s port %ld\n",
			o->bind, o->port);
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : (unsigned)o->port;
	pthread_mutex_lock(&emu->lock);
	snprintf(emu->origin, sizeof(emu->origin), "%s://%s%s%s:%u",
		 tls ? "https" : "http", v6 ? "[" : "",
		 strcmp(o->bind, "localhost") ? o->bind : "127.0.0.1",
		 v6 ? "]" : "", port);
	pthread_mutex_unlock(&emu->lock);
	if (o->port_file) {
		snprintf(port_text, sizeof(port_text), "%u\n", port);
		if (file_write_atomic(o->port_file, port_text,
				      strlen(port_text), &e) < 0) {
			fprintf(stderr, "userprune-emulator: %s\n", e.msg);
			goto out;
		}
	}
	printf("userprune-emulator: listening on %s\n", emu->origin);
	fflush(stdout);
	wait_for_signal();
	rc = 0;
out:
	if (d)
		MHD_stop_daemon(d);
	free(cert);
	free(key);
	return rc;
}
