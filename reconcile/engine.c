/*
 * The engine: one libcurl multi handle, many lanes (one per tenant).
 *
 * Each lane has a queue of requests. A request starts when its lane has
 * room under its concurrency window, its pace allows it (reconcile/pace.h:
 * the rate, a window of one second, pauses after a Retry-After or an
 * exhausted X-RateLimit-Remaining, back-off after 429s), and it has
 * credentials and budget left. Answers worth retrying (429, 408, 409,
 * 5xx, dropped connections) go back to the front of the queue with a
 * delay; the done callback sees only the final answer.
 *
 * Hundreds of tenants share one loop, so its work follows what happens,
 * not how much there is: libcurl names the sockets to wait on (its socket
 * interface, util/waitset.h), a heap orders the lanes by when each may
 * start something next, and easy handles and body buffers are reused.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "reconcile/engine.h"
#include "reconcile/pace.h"
#include "reconcile/engine_words.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/url.h"
#include "util/xalloc.h"
#include "util/clock.h"
#include "util/waitset.h"

#define CONNECT_TIMEOUT_MS 10000
#define BACKOFF_BASE	   0.5
#define BACKOFF_MAX	   30.0
#define RETRY_AFTER_MAX	   600.0
#define POLL_MAX_MS	   100
/* Seconds between two retry notices of one lane. */
#define RETRY_NOTICE_GAP 10.0
/*
 * After a 429, a retry waits this much past the counter's reset: a reset
 * written to the millisecond (or the second) and two clocks a little apart
 * would otherwise bring it back a hair early, into the same full window.
 */
#define RESET_MARGIN 0.05
/* Bytes of a body read for a message excerpt. */
#define EXCERPT_SCAN 1024
/*
 * Easy handles and body buffers of finished requests kept for the next
 * ones (a handle is kilobytes to set up; a page's buffer, freed, would
 * make malloc consolidate its heap every time). Bigger buffers go back.
 */
#define SPARE_HANDLES  64
#define SPARE_BODIES   16
#define SPARE_BODY_MAX (1u << 20)
/* Sockets handled per wait. */
#define WAIT_EVENTS 64

/*
 * What a 429 limited: one endpoint (Atlassian "jira-burst-based": only
 * requests to it wait), the whole tenant (a quota: every request waits
 * until the reset), or it did not say (the tenant waits).
 */
enum limit_reason { LIMIT_UNSAID, LIMIT_ENDPOINT, LIMIT_TENANT };

/* An endpoint (method and path) that waits after a burst limit. */
struct endpoint_pause {
	char key[192];
	double until;
};

#define ENDPOINT_PAUSES 8

struct pending {
	struct http_request *req;
	engine_done_fn done;
	void *arg;
	struct lane *lane;
	CURL *easy;
	struct curl_slist *hdrs;
	struct strbuf body;
	bool too_big;
	double retry_after;	  /* seconds, < 0: none */
	long rl_remaining;	  /* X-RateLimit-Remaining, < 0: none */
	long rl_limit;		  /* X-RateLimit-Limit, 0: none */
	double rl_reset;	  /* seconds from now, < 0: none */
	enum limit_reason reason; /* of a 429 (RateLimit-Reason) */
	double not_before;	  /* monotonic: earliest next attempt */
	double started;
	unsigned long ticket; /* of the attempt in flight (pace_sent) */
	double first_started; /* of the first attempt */
	bool auth_retried;
	char errbuf[CURL_ERROR_SIZE];
	struct pending *next;
	struct pending *live_prev, *live_next; /* in flight, for abandon */
};

struct lane {
	struct engine *e;
	char *name;
	struct limits limits;
	char *ca_file;
	struct lane_auth auth;
	bool auth_waiting; /* a refresh is under way: hold requests */
	bool auth_failed;
	char *auth_why;
	struct pending *head, *tail;
	int inflight;
	struct pace pace; /* rate, window of requests in flight, pauses */
	struct endpoint_pause endpoints[ENDPOINT_PAUSES];
	double endpoint_until; /* the latest of their ends */
	long budget_used;
	/* in the engine's heap until due (monotonic; 0: at once) */
	double due;
	size_t heap_at;	      /* its place, or NOT_DUE */
	double retry_noticed; /* when on_retry was last called */
	struct lane *next;
};

#define NOT_DUE ((size_t)-1)

struct engine {
	CURLM *multi;
	struct waitset *waits; /* the sockets libcurl asks to watch */
	double curl_timer;     /* when libcurl wants to run again; < 0: no */
	CURL *spare[SPARE_HANDLES];
	int nspare;
	struct strbuf bodies[SPARE_BODIES];
	int nbodies;
	struct lane *lanes;
	/*
	 * Lanes that have something to do, the soonest first: an answer,
	 * a request queued, a token or a pause that ends. Only they are
	 * looked at, however many tenants there are.
	 */
	struct lane **heap;
	size_t nheap, heapcap;
	int inflight;
	long queued;	  /* requests in lanes' queues */
	long connections; /* kept open: the lanes' concurrency */
	bool stopping, abandoning;
	volatile sig_atomic_t *watch;
	engine_stop_fn on_stop;
	void *on_stop_arg;
	struct pending *live; /* requests in flight */
	engine_trace_fn trace;
	void *trace_arg;
	engine_retry_fn on_retry;
	void *on_retry_arg;
	void (*tick)(void *);
	void *tick_arg;
	double tick_interval, last_tick;
	unsigned long long rng;
};

static int curl_users;

static double random01(struct engine *e)
{
	/* xorshift64*: jitter only, no need for more */
	e->rng ^= e->rng >> 12;
	e->rng ^= e->rng << 25;
	e->rng ^= e->rng >> 27;
	return (double)((e->rng * 2685821657736338717ULL) >> 11) /
	       9007199254740992.0;
}

static void trace(struct engine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void trace(struct engine *e, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!e->trace)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	e->trace(e->trace_arg, line);
}

/* ---- requests ---- */

struct http_request *http_request_new(const char *method, char *url)
{
	struct http_request *r = xcalloc(1, sizeof(*r));

	r->method = method;
	r->url = url;
	return r;
}

void http_request_free(struct http_request *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nheaders; i++)
		free(r->headers[i]);
	free(r->headers);
	free(r->url);
	if (r->body) {
		/* bodies may hold credentials (token requests) */
		memset(r->body, 0, r->body_len);
		free(r->body);
	}
	free(r);
}

void http_add_header(struct http_request *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->headers =
		xrealloc(r->headers, (r->nheaders + 1) * sizeof(*r->headers));
	r->headers[r->nheaders++] = strbuf_detach(&sb, NULL);
}

void http_set_json(struct http_request *r, char *body)
{
	r->body = body;
	r->body_len = strlen(body);
	http_add_header(r, "Content-Type: application/json");
}

void http_set_form(struct http_request *r, char *body)
{
	r->body = body;
	r->body_len = strlen(body);
	http_add_header(r, "Content-Type: application/x-www-form-urlencoded");
}

const char *url_path(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return url;
	p += 3;
	p += strcspn(p, "/?#");
	return *p ? p : "/";
}

void http_excerpt(const struct http_response *res, char *buf, size_t n)
{
	/*
	 * The start of a body is enough to say what it is; a secret that
	 * begins there is read whole, so that the cut cannot leave a part
	 * of it unredacted.
	 */
	size_t scan = EXCERPT_SCAN + redact_reach();

	text_excerpt(buf, n, res->body ? res->body : "",
		     res->len < scan ? res->len : scan, res->len > scan);
}

void http_describe(const struct http_response *res, char *buf, size_t n)
{
	char first[160];

	if (res->status == 0) {
		snprintf(buf, n, "%s",
			 res->error[0] ? res->error : "no answer");
		return;
	}
	http_excerpt(res, first, sizeof(first));
	if (first[0])
		snprintf(buf, n, "HTTP %ld: %s", res->status, first);
	else
		snprintf(buf, n, "HTTP %ld", res->status);
}

bool http_is_json(const struct http_response *res)
{
	const char *ct = res->content_type;

	return !ct || strstr(ct, "json") != NULL;
}

bool http_is_html(const struct http_response *res)
{
	const char *p = res->body;
	size_t i = 0;

	if (res->content_type && strstr(res->content_type, "html"))
		return true;
	while (p && i < res->len && strchr(" \t\r\n", p[i]))
		i++;
	return p && i < res->len && p[i] == '<';
}

const char *engine_version(void)
{
	return curl_version_info(CURLVERSION_NOW)->version;
}

/* ---- the heap of lanes, by when they are due ---- */

static void heap_swap(struct engine *e, size_t i, size_t j)
{
	struct lane *t = e->heap[i];

	e->heap[i] = e->heap[j];
	e->heap[j] = t;
	e->heap[i]->heap_at = i;
	e->heap[j]->heap_at = j;
}

static void heap_up(struct engine *e, size_t i)
{
	while (i && e->heap[(i - 1) / 2]->due > e->heap[i]->due) {
		heap_swap(e, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct engine *e, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, min = i;

		if (c < e->nheap && e->heap[c]->due < e->heap[min]->due)
			min = c;
		if (c + 1 < e->nheap && e->heap[c + 1]->due < e->heap[min]->due)
			min = c + 1;
		if (min == i)
			return;
		heap_swap(e, i, min);
		i = min;
	}
}

static void heap_remove(struct engine *e, struct lane *l)
{
	size_t i = l->heap_at;

	if (i == NOT_DUE)
		return;
	heap_swap(e, i, --e->nheap);
	l->heap_at = NOT_DUE;
	if (i < e->nheap) {
		heap_up(e, i);
		heap_down(e, i);
	}
}

/* The lane is due at at (0: at once); HUGE_VAL: not until an event. */
static void lane_due_at(struct lane *l, double at)
{
	struct engine *e = l->e;

	if (at == HUGE_VAL) {
		heap_remove(e, l);
		return;
	}
	l->due = at;
	if (l->heap_at == NOT_DUE) {
		e->heap = xgrow(e->heap, &e->heapcap, e->nheap + 1,
				sizeof(*e->heap));
		e->heap[e->nheap] = l;
		l->heap_at = e->nheap++;
	}
	heap_up(e, l->heap_at);
	heap_down(e, l->heap_at);
}

/* Something happened to the lane: it is looked at next. */
static void lane_due(struct lane *l)
{
	if (l->heap_at == NOT_DUE || l->due > 0)
		lane_due_at(l, 0);
}

static void every_lane_due(struct engine *e)
{
	struct lane *l;

	for (l = e->lanes; l; l = l->next)
		lane_due(l);
}

/* ---- engine and lanes ---- */

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *arg,
		     void *socket_arg)
{
	struct engine *e = arg;

	(void)easy;
	(void)socket_arg;
	waitset_watch(e->waits, (int)fd,
		      what == CURL_POLL_IN || what == CURL_POLL_INOUT,
		      what == CURL_POLL_OUT || what == CURL_POLL_INOUT);
	return 0;
}

static int on_timer(CURLM *multi, long ms, void *arg)
{
	struct engine *e = arg;

	(void)multi;
	e->curl_timer = ms < 0 ? -1 : clock_mono() + (double)ms / 1000.0;
	return 0;
}

/* A handle for the next request: a kept one, reset, or a new one. */
static CURL *handle_get(struct engine *e)
{
	CURL *c = e->nspare ? e->spare[--e->nspare] : curl_easy_init();

	if (!c) {
		fprintf(stderr, "userprune: libcurl could not start\n");
		abort();
	}
	return c;
}

/* Keeps c for a later request; its options are forgotten. */
static void handle_put(struct engine *e, CURL *c)
{
	if (!c)
		return;
	if (e->nspare == SPARE_HANDLES) {
		curl_easy_cleanup(c);
		return;
	}
	curl_easy_reset(c);
	e->spare[e->nspare++] = c;
}

static void body_get(struct engine *e, struct strbuf *body)
{
	if (e->nbodies && !body->buf) {
		*body = e->bodies[--e->nbodies];
		strbuf_reset(body);
	}
}

static void body_put(struct engine *e, struct strbuf *body)
{
	if (body->cap && body->cap <= SPARE_BODY_MAX &&
	    e->nbodies < SPARE_BODIES) {
		e->bodies[e->nbodies++] = *body;
		strbuf_init(body);
		return;
	}
	strbuf_release(body);
}

struct engine *engine_new(void)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	if (curl_users++ == 0)
		curl_global_init(CURL_GLOBAL_DEFAULT);
	e->multi = curl_multi_init();
	if (!e->multi) {
		fprintf(stderr, "userprune: libcurl could not start\n");
		abort();
	}
	/*
	 * libcurl says which sockets to wait on and when to call it again,
	 * so that a wait costs in proportion to what is ready, not to every
	 * transfer of every tenant.
	 */
	e->waits = waitset_new();
	e->curl_timer = -1;
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
	e->rng = (unsigned long long)time(NULL) * 2654435761ULL ^
		 (unsigned long long)getpid() ^ 0x9e3779b97f4a7c15ULL;
	return e;
}

void engine_set_trace(struct engine *e, engine_trace_fn fn, void *arg)
{
	e->trace = fn;
	e->trace_arg = arg;
}

void engine_set_tick(struct engine *e, void (*fn)(void *), void *arg,
		     double interval)
{
	e->tick = fn;
	e->tick_arg = arg;
	e->tick_interval = interval;
}

void engine_stop(struct engine *e)
{
	e->stopping = true;
	every_lane_due(e);
}

bool engine_stopping(const struct engine *e)
{
	return e->stopping;
}

void engine_watch(struct engine *e, volatile sig_atomic_t *flag)
{
	e->watch = flag;
}

void engine_on_stop(struct engine *e, engine_stop_fn fn, void *arg)
{
	e->on_stop = fn;
	e->on_stop_arg = arg;
}

static void live_add(struct engine *e, struct pending *p)
{
	p->live_prev = NULL;
	p->live_next = e->live;
	if (e->live)
		e->live->live_prev = p;
	e->live = p;
}

static void live_remove(struct engine *e, struct pending *p)
{
	if (p->live_prev)
		p->live_prev->live_next = p->live_next;
	else
		e->live = p->live_next;
	if (p->live_next)
		p->live_next->live_prev = p->live_prev;
	p->live_prev = p->live_next = NULL;
}

struct lane *engine_lane(struct engine *e, const char *name,
			 const struct limits *l, const char *ca_file)
{
	struct lane *ln = xcalloc(1, sizeof(*ln));

	ln->e = e;
	ln->name = xstrdup(name);
	ln->limits = *l;
	if (ln->limits.concurrency < 1)
		ln->limits.concurrency = 1;
	if (ln->limits.max_attempts < 1)
		ln->limits.max_attempts = 1;
	if (ln->limits.timeout_seconds < 1)
		ln->limits.timeout_seconds = 30;
	ln->ca_file = xstrdup_or_null(ca_file);
	pace_init(&ln->pace, l->requests_per_second, ln->limits.concurrency,
		  clock_mono());
	ln->heap_at = NOT_DUE;
	/*
	 * Every lane keeps its connections between requests: a connection
	 * closed for room would cost a handshake, and count late.
	 */
	e->connections += ln->limits.concurrency;
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, e->connections);
	ln->next = e->lanes;
	e->lanes = ln;
	return ln;
}

void engine_lane_set_auth(struct lane *l, const struct lane_auth *auth)
{
	l->auth = *auth;
}

static void pending_free(struct engine *e, struct pending *p)
{
	handle_put(e, p->easy);
	curl_slist_free_all(p->hdrs);
	body_put(e, &p->body);
	http_request_free(p->req);
	free(p);
}

static void enqueue(struct lane *l, struct pending *p, bool front)
{
	l->e->queued++;
	p->next = NULL;
	if (front) {
		p->next = l->head;
		l->head = p;
		if (!l->tail)
			l->tail = p;
		return;
	}
	if (l->tail)
		l->tail->next = p;
	else
		l->head = p;
	l->tail = p;
}

static void unlink_pending(struct lane *l, struct pending *prev,
			   struct pending *p)
{
	l->e->queued--;
	if (prev)
		prev->next = p->next;
	else
		l->head = p->next;
	if (l->tail == p)
		l->tail = prev;
	p->next = NULL;
}

void engine_submit(struct lane *l, struct http_request *req,
		   engine_done_fn done, void *arg)
{
	struct pending *p = xcalloc(1, sizeof(*p));

	p->req = req;
	p->done = done;
	p->arg = arg;
	p->lane = l;
	p->retry_after = -1;
	p->rl_remaining = -1;
	p->rl_reset = -1;
	if (req->delay > 0)
		p->not_before = clock_mono() + req->delay;
	strbuf_init(&p->body);
	enqueue(l, p, false);
	lane_due(l);
}

/* Delivers the final answer and frees the request. */
static void finish(struct pending *p, long status, const char *error)
{
	struct http_response res;
	char *ct = NULL;

	memset(&res, 0, sizeof(res));
	res.status = status;
	strbuf_grow(&p->body, 0);
	res.body = p->body.buf;
	res.len = p->body.len;
	res.attempts = p->req->attempts;
	res.seconds = p->started ? clock_mono() - p->started : 0;
	if (p->easy && status &&
	    curl_easy_getinfo(p->easy, CURLINFO_CONTENT_TYPE, &ct) ==
		    CURLE_OK &&
	    ct)
		res.content_type = ct;
	if (error)
		snprintf(res.error, sizeof(res.error), "%s", error);
	p->done(p->arg, p->req, &res);
	pending_free(p->lane->e, p);
}

void engine_lane_cancel(struct lane *l)
{
	struct pending *p;

	/* callbacks may queue more; they are cancelled too */
	while ((p = l->head)) {
		unlink_pending(l, NULL, p);
		finish(p, 0, "cancelled: the tenant was stopped");
	}
}

void engine_lane_auth_done(struct lane *l, bool ok, const char *why)
{
	lane_due(l);
	l->auth_waiting = false;
	if (!ok) {
		l->auth_failed = true;
		free(l->auth_why);
		l->auth_why = xstrdup(why ? why : "authentication failed");
	}
}

/* ---- response headers ---- */

static bool header_is(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len > n && !strncasecmp(line, name, n) && line[n] == ':';
}

static double parse_http_date(const char *s)
{
	time_t t = curl_getdate(s, NULL);

	return t < 0 ? -1 : difftime(t, time(NULL));
}

/* RateLimit-Reason: what an Atlassian 429 limited. */
static enum limit_reason parse_reason(const char *s)
{
	if (strstr(s, "burst"))
		return LIMIT_ENDPOINT;
	if (strstr(s, "quota"))
		return LIMIT_TENANT;
	return LIMIT_UNSAID;
}

static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct pending *p = arg;
	size_t len = size * n;
	char value[256];
	size_t vlen;
	const char *v;

	if (len >= 5 && !strncmp(buf, "HTTP/", 5)) {
		/* a new response (after a 100 Continue): forget the old one */
		p->retry_after = -1;
		p->rl_remaining = -1;
		p->rl_limit = 0;
		p->rl_reset = -1;
		p->reason = LIMIT_UNSAID;
		return len;
	}
	v = memchr(buf, ':', len);
	if (!v)
		return len;
	v++;
	while (v < buf + len && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(buf + len - v);
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
			v[vlen - 1] == ' '))
		vlen--;
	if (vlen >= sizeof(value))
		vlen = sizeof(value) - 1;
	memcpy(value, v, vlen);
	value[vlen] = '\0';
	if (header_is(buf, len, "Retry-After")) {
		char *end;
		double secs = strtod(value, &end);

		if (end == value || *end)
			secs = parse_http_date(value);
		if (secs >= 0)
			p->retry_after =
				secs < RETRY_AFTER_MAX ? secs : RETRY_AFTER_MAX;
	} else if (header_is(buf, len, "X-RateLimit-Remaining")) {
		p->rl_remaining = strtol(value, NULL, 10);
	} else if (header_is(buf, len, "X-RateLimit-Limit")) {
		p->rl_limit = strtol(value, NULL, 10);
	} else if (header_is(buf, len, "X-RateLimit-Reset")) {
		p->rl_reset = clock_reset_in(value, clock_real());
	} else if (header_is(buf, len, "RateLimit-Reason")) {
		p->reason = parse_reason(value);
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct pending *p = arg;
	size_t len = size * n;

	if (p->body.len + len > HTTP_MAX_BODY) {
		p->too_big = true;
		return 0; /* aborts the transfer */
	}
	strbuf_add(&p->body, buf, len);
	return len;
}

/* ---- starting requests ---- */

static void start(struct lane *l, struct pending *p, char *auth_header)
{
	struct engine *e = l->e;
	struct http_request *r = p->req;
	CURL *c = handle_get(e);
	size_t i;

	p->easy = c;
	body_get(e, &p->body);
	strbuf_reset(&p->body);
	p->too_big = false;
	p->retry_after = -1;
	p->rl_remaining = -1;
	p->rl_limit = 0;
	p->rl_reset = -1;
	p->reason = LIMIT_UNSAID;
	p->errbuf[0] = '\0';
	curl_slist_free_all(p->hdrs);
	p->hdrs = NULL;
	for (i = 0; i < r->nheaders; i++)
		p->hdrs = curl_slist_append(p->hdrs, r->headers[i]);
	if (auth_header) {
		p->hdrs = curl_slist_append(p->hdrs, auth_header);
		memset(auth_header, 0, strlen(auth_header));
		free(auth_header);
	}
	p->hdrs = curl_slist_append(p->hdrs, "Accept: application/json");
	p->hdrs = curl_slist_append(p->hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, p->hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "userprune/" USERPRUNE_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PRIVATE, p);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 (long)l->limits.timeout_seconds * 1000L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	/* the path names exactly one user: never "normalised" to another */
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	/* a proxy for a loopback tenant would receive its credentials */
	if (url_is_loopback(r->url))
		curl_easy_setopt(c, CURLOPT_PROXY, "");
	if (r->no_retry) {
		/*
		 * libcurl re-sends a request silently when a reused
		 * connection turns out to be closed; a request that must go
		 * at most once gets a connection of its own, never reused.
		 */
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	}
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (l->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, l->ca_file);
	if (r->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)r->body_len);
	}
	if (strcmp(r->method, "GET") || r->body)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
	r->attempts++;
	p->started = clock_mono();
	p->ticket = pace_sent(&l->pace, p->started);
	if (r->attempts == 1)
		p->first_started = p->started;
	l->inflight++;
	e->inflight++;
	l->budget_used++;
	live_add(e, p);
	curl_multi_add_handle(e->multi, c);
}

static bool budget_left(const struct lane *l)
{
	return l->limits.daily_request_budget <= 0 ||
	       l->budget_used < l->limits.daily_request_budget;
}

/* "DELETE /rest/api/3/user": the method and the path, without the query. */
static void endpoint_key(const struct http_request *r, char *buf, size_t n)
{
	const char *path = url_path(r->url);

	snprintf(buf, n, "%s %.*s", r->method, (int)strcspn(path, "?#"), path);
}

/* After a burst limit: requests to r's endpoint wait until until. */
static void endpoint_wait(struct lane *l, const struct http_request *r,
			  double until)
{
	struct endpoint_pause *slot = &l->endpoints[0];
	char key[sizeof(slot->key)];
	size_t i;

	endpoint_key(r, key, sizeof(key));
	for (i = 0; i < ENDPOINT_PAUSES; i++) {
		struct endpoint_pause *ep = &l->endpoints[i];

		if (!strcmp(ep->key, key)) {
			slot = ep;
			break;
		}
		if (ep->until < slot->until)
			slot = ep; /* the one that ends first is reused */
	}
	snprintf(slot->key, sizeof(slot->key), "%s", key);
	if (until > slot->until)
		slot->until = until;
	l->endpoint_until = 0;
	for (i = 0; i < ENDPOINT_PAUSES; i++)
		if (l->endpoints[i].until > l->endpoint_until)
			l->endpoint_until = l->endpoints[i].until;
}

/* When r's endpoint may be asked again (0: now). */
static double endpoint_free_at(const struct lane *l,
			       const struct http_request *r, double now)
{
	char key[sizeof(l->endpoints[0].key)];
	size_t i;

	if (l->endpoint_until <= now)
		return 0; /* no endpoint waits: the common case, no work */
	endpoint_key(r, key, sizeof(key));
	for (i = 0; i < ENDPOINT_PAUSES; i++)
		if (l->endpoints[i].until > now &&
		    !strcmp(l->endpoints[i].key, key))
			return l->endpoints[i].until;
	return 0;
}

/* Starts what the lane's limits allow; fails what can never start. */
static void start_ready(struct lane *l, double now)
{
	struct pending *p, *prev = NULL, *next;

	for (p = l->head; p; p = next) {
		bool held = l->auth_waiting && !p->req->is_auth;
		char *auth = NULL;

		next = p->next;
		if (l->e->stopping || (l->auth_failed && !p->req->is_auth) ||
		    !budget_left(l)) {
			char why[512];

			unlink_pending(l, prev, p);
			if (l->e->stopping)
				snprintf(why, sizeof(why),
					 "cancelled: stopping");
			else if (!budget_left(l))
				snprintf(why, sizeof(why),
					 "the daily request budget of %ld "
					 "requests is used up",
					 l->limits.daily_request_budget);
			else
				snprintf(why, sizeof(why), "%s", l->auth_why);
			finish(p, 0, why);
			/* the callback may have queued more: start over */
			next = l->head;
			prev = NULL;
			continue;
		}
		if (l->pace.paused_until > now)
			return;
		if (held || p->not_before > now ||
		    endpoint_free_at(l, p->req, now) > now) {
			prev = p;
			continue;
		}
		if (l->inflight >= (int)l->pace.window ||
		    pace_ready_at(&l->pace, now) > now)
			return;
		if (!p->req->is_auth && l->auth.header) {
			auth = l->auth.header(l->auth.arg);
			if (!auth) {
				l->auth_waiting = true;
				l->auth.refresh(l->auth.arg);
				/* the refresh queued a token request */
				next = l->head;
				prev = NULL;
				continue;
			}
		}
		unlink_pending(l, prev, p);
		start(l, p, auth);
	}
}

/* ---- answers ---- */

static bool retryable_status(long status)
{
	return status == 408 || status == 409 || status == 429 ||
	       status == 500 || status == 502 || status == 503 || status == 504;
}

static bool retryable_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
		return true;
	default:
		return false;
	}
}

static double backoff(struct engine *e, int attempt)
{
	double cap =
		BACKOFF_BASE * (double)(1u << (attempt < 10 ? attempt : 10));

	if (cap > BACKOFF_MAX)
		cap = BACKOFF_MAX;
	/* full jitter, but never less than half the step */
	return cap / 2 + random01(e) * cap / 2;
}

/* A 429: the lane slows down (once for a burst of them). */
static void slow_down(struct lane *l, double now)
{
	if (pace_limited(&l->pace, now))
		trace(l->e, "%s: rate limited: %.1f requests/s, %d in flight",
		      l->name, l->pace.rate, (int)l->pace.window);
}

void engine_on_retry(struct engine *e, engine_retry_fn fn, void *arg)
{
	e->on_retry = fn;
	e->on_retry_arg = arg;
}

/* Tells on_retry why p goes again, at most every RETRY_NOTICE_GAP. */
static void retry_notice(struct engine *e, struct pending *p, long status,
			 const char *error, double delay, double now)
{
	struct lane *l = p->lane;
	struct engine_retry r;
	char why[256];

	if (!e->on_retry ||
	    (l->retry_noticed > 0 && now - l->retry_noticed < RETRY_NOTICE_GAP))
		return;
	l->retry_noticed = now;
	if (!error)
		engine_status_words(status, why, sizeof(why));
	r.lane = l->name;
	r.method = p->req->method;
	r.url = p->req->url;
	r.why = error ? error : why;
	r.attempt = p->req->attempts;
	r.max_attempts = l->limits.max_attempts;
	r.delay = delay;
	e->on_retry(e->on_retry_arg, &r);
}

static void completed(struct engine *e, CURL *c, CURLcode rc)
{
	struct pending *p = NULL;
	struct lane *l;
	long status = 0;
	double now = clock_mono(), wait;
	char why[CURL_ERROR_SIZE + 512];
	bool retry;

	curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&p);
	curl_multi_remove_handle(e->multi, c);
	live_remove(e, p);
	l = p->lane;
	l->inflight--;
	e->inflight--;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	pace_answered(&l->pace, p->ticket, now, status);
	lane_due(l);
	if (rc != CURLE_OK && p->too_big)
		snprintf(why, sizeof(why), "answer larger than 64 MiB");
	else if (rc != CURLE_OK)
		engine_words(c, rc, p->errbuf, p->req->url, why, sizeof(why));
	if (rc == CURLE_OK)
		trace(e, "%s: %s %s -> %ld in %.0f ms (attempt %d of %d)",
		      l->name, p->req->method, p->req->url, status,
		      (now - p->started) * 1000, p->req->attempts,
		      l->limits.max_attempts);
	else
		trace(e, "%s: %s %s -> %s, after %.0f ms (attempt %d of %d)",
		      l->name, p->req->method, p->req->url, why,
		      (now - p->started) * 1000, p->req->attempts,
		      l->limits.max_attempts);

	/*
	 * The server says when to come back: Retry-After, else (gateway 429s
	 * have none) the reset of its counter. After a 429 the whole lane
	 * waits (the limit is the tenant's) unless the answer says only the
	 * endpoint was limited; after a 503 the request does.
	 */
	wait = p->retry_after > 0		   ? p->retry_after
	       : status == 429 && p->rl_reset >= 0 ? p->rl_reset + RESET_MARGIN
						   : -1;
	if (wait > RETRY_AFTER_MAX)
		wait = RETRY_AFTER_MAX;
	if (status == 429 && p->reason == LIMIT_ENDPOINT) {
		char key[192];

		/* a burst limit: only this endpoint waits, all slow down */
		slow_down(l, now);
		endpoint_wait(l, p->req, now + (wait > 0 ? wait : 1.0));
		endpoint_key(p->req, key, sizeof(key));
		trace(e, "%s: burst limit: only %s waits, %.1f s", l->name, key,
		      wait > 0 ? wait : 1.0);
	} else if (status == 429) {
		slow_down(l, now);
		if (wait > 0)
			pace_pause(&l->pace, now + wait);
		if (p->reason == LIMIT_TENANT)
			trace(e, "%s: quota limit: every request waits %.1f s",
			      l->name, wait > 0 ? wait : 0);
	}
	if (p->rl_remaining == 0 && p->rl_reset > 0)
		pace_vendor_full(&l->pace, now, p->rl_limit,
				 now + (p->rl_reset < RETRY_AFTER_MAX
						? p->rl_reset
						: RETRY_AFTER_MAX));

	if (status == 401 && !p->req->is_auth && !p->req->no_retry &&
	    l->auth.refresh && !p->auth_retried && !e->stopping) {
		/* the token expired or was revoked: renew it once */
		p->auth_retried = true;
		p->req->attempts--;
		handle_put(e, c);
		p->easy = NULL;
		enqueue(l, p, true);
		if (!l->auth_waiting) {
			l->auth_waiting = true;
			l->auth.refresh(l->auth.arg);
		}
		return;
	}
	retry = !p->req->no_retry &&
		(rc == CURLE_OK ? retryable_status(status)
				: retryable_error(rc) && !p->too_big) &&
		p->req->attempts < l->limits.max_attempts && !e->stopping;
	if (retry) {
		double delay = wait > 0 ? wait : backoff(e, p->req->attempts);

		retry_notice(e, p, rc == CURLE_OK ? status : 0,
			     rc == CURLE_OK ? NULL : why, delay, now);
		p->not_before = now + delay;
		handle_put(e, c);
		p->easy = NULL;
		enqueue(l, p, true);
		return;
	}
	if (rc != CURLE_OK && p->req->attempts > 1) {
		size_t len = strlen(why);

		snprintf(why + len, sizeof(why) - len,
			 " (%d attempts in %.0f s)", p->req->attempts,
			 now - p->first_started);
	}
	finish(p, rc == CURLE_OK ? status : 0, rc == CURLE_OK ? NULL : why);
}

/* When lane l may start something; HUGE_VAL: not before an event. */
static double lane_wake(struct lane *l, double now)
{
	const struct pending *p;
	double at, soonest = HUGE_VAL;

	/* a full window: an answer comes first, and makes the lane due */
	if (!l->head || l->inflight >= (int)l->pace.window)
		return HUGE_VAL;
	at = pace_ready_at(&l->pace, now);
	if (at > now)
		return at;
	for (p = l->head; p; p = p->next) {
		if (l->auth_waiting && !p->req->is_auth)
			continue;
		at = endpoint_free_at(l, p->req, now);
		if (p->not_before > at)
			at = p->not_before;
		if (at <= now)
			return now;
		if (at < soonest)
			soonest = at;
	}
	return soonest;
}

/* Starts what due lanes allow, and puts them back in the heap. */
static void run_due(struct engine *e, double now)
{
	struct lane **due = NULL;
	size_t n = 0, cap = 0, i;

	while (e->nheap && e->heap[0]->due <= now) {
		due = xgrow(due, &cap, n + 1, sizeof(*due));
		due[n++] = e->heap[0];
		heap_remove(e, e->heap[0]);
	}
	for (i = 0; i < n; i++)
		start_ready(due[i], now);
	/* callbacks may have made a lane due again: it keeps the sooner */
	for (i = 0; i < n; i++) {
		double at = lane_wake(due[i], now);

		if (due[i]->heap_at == NOT_DUE || at < due[i]->due)
			lane_due_at(due[i], at);
	}
	free(due);
}

/* Seconds until something may start, for the wait's timeout. */
static double next_wake(struct engine *e, double now)
{
	double wake = POLL_MAX_MS / 1000.0;

	if (e->nheap && e->heap[0]->due - now < wake)
		wake = e->heap[0]->due - now;
	if (e->curl_timer >= 0 && e->curl_timer - now < wake)
		wake = e->curl_timer - now;
	return wake < 0 ? 0 : wake;
}

static bool busy(const struct engine *e)
{
	return e->inflight || e->queued;
}

/*
 * A second signal: every request in flight is given up. Its callback sees
 * no answer; it was sent, so what became of it is unknown.
 */
static void abandon(struct engine *e)
{
	struct pending *p;

	while ((p = e->live)) {
		live_remove(e, p);
		curl_multi_remove_handle(e->multi, p->easy);
		p->lane->inflight--;
		e->inflight--;
		lane_due(p->lane);
		finish(p, 0,
		       "interrupted while in flight: the outcome is unknown");
	}
}

/* Signals seen by the watch: stop, then stop at once. */
static void watch(struct engine *e)
{
	if (!e->watch || !*e->watch)
		return;
	if (!e->stopping) {
		engine_stop(e);
		if (e->on_stop)
			e->on_stop(e->on_stop_arg, e->inflight, false);
	}
	if (*e->watch >= 2 && !e->abandoning) {
		e->abandoning = true;
		if (e->on_stop)
			e->on_stop(e->on_stop_arg, e->inflight, true);
		abandon(e);
	}
}

/* Lets libcurl work on the sockets that are ready, and when it asked to. */
static void drive(struct engine *e, int timeout_ms)
{
	struct waitset_event ev[WAIT_EVENTS];
	int i, n, running;

	n = waitset_wait(e->waits, ev, WAIT_EVENTS, timeout_ms);
	for (i = 0; i < n; i++)
		curl_multi_socket_action(
			e->multi, ev[i].fd,
			(ev[i].in ? CURL_CSELECT_IN : 0) |
				(ev[i].out ? CURL_CSELECT_OUT : 0) |
				(ev[i].err ? CURL_CSELECT_ERR : 0),
			&running);
	if (e->curl_timer >= 0 && clock_mono() >= e->curl_timer) {
		/* the callback may set the next one during the call */
		e->curl_timer = -1;
		curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
	}
}

void engine_run(struct engine *e)
{
	CURLMsg *msg;
	int left;

	while (busy(e)) {
		double now = clock_mono();

		watch(e);
		run_due(e, now);
		if (!busy(e))
			break;
		drive(e, (int)(next_wake(e, clock_mono()) * 1000 + 0.999));
		while ((msg = curl_multi_info_read(e->multi, &left)))
			if (msg->msg == CURLMSG_DONE)
				completed(e, msg->easy_handle,
					  msg->data.result);
		if (e->tick && now - e->last_tick >= e->tick_interval) {
			e->last_tick = now;
			e->tick(e->tick_arg);
		}
	}
	if (e->tick)
		e->tick(e->tick_arg);
}

void engine_free(struct engine *e)
{
	struct lane *l, *next;
	struct pending *p, *pn;

	if (!e)
		return;
	for (l = e->lanes; l; l = next) {
		next = l->next;
		for (p = l->head; p; p = pn) {
			pn = p->next;
			pending_free(e, p);
		}
		pace_release(&l->pace);
		free(l->name);
		free(l->ca_file);
		free(l->auth_why);
		free(l);
	}
	curl_multi_cleanup(e->multi);
	while (e->nspare)
		curl_easy_cleanup(e->spare[--e->nspare]);
	while (e->nbodies)
		strbuf_release(&e->bodies[--e->nbodies]);
	waitset_free(e->waits);
	free(e->heap);
	free(e);
	if (--curl_users == 0)
		curl_global_cleanup();
}
