/*
 * engine: runs HTTP request descriptions; the only code that includes
 * curl.h.
 *
 * Connectors never open sockets: they describe requests (struct
 * http_request) and interpret answers (struct http_response). The engine
 * sends them through one libcurl multi handle for every tenant at once,
 * and owns everything that must be written once: per-tenant concurrency
 * and pacing (reconcile/pace.h: the rate, a window of one second, back-off
 * on 429, Retry-After, X-RateLimit-*), retries with jittered exponential
 * backoff, timeouts, the daily request budget, TLS settings, tracing with
 * secrets redacted.
 *
 * A lane is one tenant's share of the engine. Requests submitted to a lane
 * are owned by the engine until their done callback has returned.
 * Callbacks run inside engine_run and may submit more requests.
 */
#ifndef USERPRUNE_ENGINE_H
#define USERPRUNE_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "reconcile/vendors/vendor.h"
#include "util/encode.h"
#include "util/err.h"

/* Responses larger than this are refused (a listing page is far smaller). */
#define HTTP_MAX_BODY (64u << 20)

struct http_request {
	const char *method; /* a static string: "GET", "DELETE", ... */
	char *url;
	char **headers; /* "Name: value", owned */
	size_t nheaders;
	char *body; /* owned, or NULL */
	size_t body_len;
	bool no_retry; /* answer once, whatever it is (non-idempotent) */
	bool is_auth;  /* a token request: runs while the lane waits for
			     credentials, carries no auth header, and its
			     body is never traced */
	double delay;  /* seconds to wait before the first attempt */
	int attempts;  /* filled in by the engine */
};

struct http_response {
	long status; /* 0: no HTTP answer (see error) */
	char *body;  /* NUL-terminated; "" when empty */
	size_t len;
	char *content_type; /* or NULL */
	char error[1024];   /* transport failure, when status is 0 */
	int attempts;
	double seconds; /* of the last attempt */
};

struct engine;
struct lane;

/* Called once per request with its final answer (after retries). */
typedef void (*engine_done_fn)(void *arg, struct http_request *req,
			       const struct http_response *res);

/*
 * How a lane authenticates. header returns the credential header for the
 * next request ("Authorization: Bearer ...", a new string) or NULL when no
 * valid credential is at hand; the engine then calls refresh (once) and
 * holds the lane's requests until engine_lane_auth_done. Either may be
 * NULL for lanes without authentication.
 */
struct lane_auth {
	char *(*header)(void *arg);
	void (*refresh)(void *arg);
	void *arg;
};

typedef void (*engine_trace_fn)(void *arg, const char *line);

struct engine *engine_new(void);
void engine_free(struct engine *e);
/* Where -v traces go; NULL turns tracing off. */
void engine_set_trace(struct engine *e, engine_trace_fn fn, void *arg);
/* Stops issuing new requests: queued ones finish as "cancelled". */
void engine_stop(struct engine *e);
bool engine_stopping(const struct engine *e);
/*
 * Makes the engine stop when *flag becomes 1 (signal handlers): queued
 * requests are cancelled, those in flight finish. At 2 it stops at once:
 * requests in flight are abandoned, their callbacks see status 0 and an
 * error saying that the outcome is unknown.
 */
void engine_watch(struct engine *e, volatile sig_atomic_t *flag);
/*
 * Called when the engine starts to stop (now: false) and when it stops at
 * once (now: true), with the number of requests in flight.
 */
typedef void (*engine_stop_fn)(void *arg, int inflight, bool now);
void engine_on_stop(struct engine *e, engine_stop_fn fn, void *arg);
/* A request that failed and is sent again, for a notice in words. */
struct engine_retry {
	const char *lane; /* the tenant */
	const char *method, *url;
	const char *why; /* "cannot connect to ...: connection refused" */
	int attempt;	 /* the one that failed, from 1 */
	int max_attempts;
	double delay; /* seconds until the next one */
};
typedef void (*engine_retry_fn)(void *arg, const struct engine_retry *r);
/*
 * Called when a request is to be sent again, at most once every few
 * seconds per lane (every retry is traced with -v anyway).
 */
void engine_on_retry(struct engine *e, engine_retry_fn fn, void *arg);

/* Calls fn about every interval seconds while running (progress). */
void engine_set_tick(struct engine *e, void (*fn)(void *), void *arg,
		     double interval);

/*
 * A lane for one tenant: name is used in messages, limits bound it, and
 * ca_file (or NULL) replaces the system's certificate authorities.
 */
struct lane *engine_lane(struct engine *e, const char *name,
			 const struct limits *l, const char *ca_file);
void engine_lane_set_auth(struct lane *l, const struct lane_auth *auth);
/* Credentials were renewed (ok) or cannot be (held requests fail). */
void engine_lane_auth_done(struct lane *l, bool ok, const char *why);

/*
 * Fails the lane's queued requests without sending them (their callbacks
 * see status 0 and no attempt); requests in flight finish.
 */
void engine_lane_cancel(struct lane *l);

/* Takes ownership of req. */
void engine_submit(struct lane *l, struct http_request *req,
		   engine_done_fn done, void *arg);

/* Runs until no request is queued or in flight. */
void engine_run(struct engine *e);

/* Request helpers. */
struct http_request *http_request_new(const char *method, char *url);
void http_request_free(struct http_request *r);
void http_add_header(struct http_request *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sets a JSON body (taking ownership) and its Content-Type. */
void http_set_json(struct http_request *r, char *body);
/* Sets a form body (taking ownership) and its Content-Type. */
void http_set_form(struct http_request *r, char *body);
/* The path and query of url (after the origin), for messages. */
const char *url_path(const char *url);

/*
 * A short description of a failed answer for messages: "HTTP 403:
 * Permission Denied" (with the body's first line, cleaned and cut) or the
 * transport error.
 */
void http_describe(const struct http_response *res, char *buf, size_t n);
/*
 * The start of the answer's body for messages: one line, printable
 * characters only, "..." when cut.
 */
void http_excerpt(const struct http_response *res, char *buf, size_t n);
/* True when the answer declares a JSON content type (or none at all). */
bool http_is_json(const struct http_response *res);
/* True when the answer is a web page: HTML content type or body. */
bool http_is_html(const struct http_response *res);

/* libcurl's version, for `userprune version`. */
const char *engine_version(void);

#endif
