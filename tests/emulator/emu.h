/*
 * emu: the vendor emulator's shared state, and the interface between the
 * HTTP server (server.c), the population (store.c), the control API
 * (control.c) and the vendor personalities (one file each).
 *
 * There is one struct emu per process. Every field of it is guarded by
 * emu.lock except the options, which are fixed after start-up. Vendor
 * handlers and the control API run with the lock held; the server sleeps
 * the configured latency before taking it, so slow answers overlap.
 *
 * A struct emu_req lives from the request line to the end of the request;
 * it owns its body and answer buffers.
 */
#ifndef USERPRUNE_EMU_H
#define USERPRUNE_EMU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "util/arena.h"
#include "util/err.h"
#include "util/hmap.h"
#include "util/jsonw.h"
#include "util/strbuf.h"

/* Bodies above this are refused with 413 (and not kept in memory). */
#define EMU_BODY_MAX	    (16u << 20)
#define EMU_MAX_HEADERS	    8
#define EMU_MAX_LIST_FAULTS 16

enum emu_type { EMU_HUMAN, EMU_APP, EMU_ROBOT, EMU_CUSTOMER, EMU_UNKNOWN };
enum emu_status { EMU_ACTIVE, EMU_INACTIVE, EMU_PENDING };
enum emu_idstyle { EMU_ID_HEX24, EMU_ID_GUID, EMU_ID_INT };
enum emu_env { EMU_ENV_DEVELOPMENT, EMU_ENV_TEST, EMU_ENV_PRODUCTION };
enum emu_auth {
	EMU_AUTH_NONE,
	EMU_AUTH_OK,
	EMU_AUTH_MISSING,
	EMU_AUTH_INVALID,
	EMU_AUTH_EXPIRED
};

/*
 * A user in the generic form. Strings live in the store's arena and are
 * replaced, never modified, so a pointer read under the lock stays valid
 * until exit.
 */
struct emu_user {
	const char *id;
	const char *email;
	const char *username;
	const char *name;
	const char *vendor_type; /* serialised JSON, or NULL */
	const char *raw;	 /* serialised JSON object, or NULL */
	long long num;		 /* id as a number, when num_ok */
	unsigned char type;	 /* enum emu_type */
	unsigned char status;	 /* enum emu_status */
	bool undeletable;
	bool referenced;
	bool vanishing;	 /* listed, but a DELETE finds it already gone (404) */
	int fail_delete; /* a DELETE answers this status and keeps the user */
	bool sticky; /* a DELETE answers done and keeps the user as it was */
	bool gone;   /* hard-deleted: a tombstone kept for stable slots */
	bool num_ok;
	/* atlassian-org: a closed account; one the org does not manage */
	bool closed, unmanaged;
};

/*
 * The population: users in listing order, an index by id and a Fenwick
 * tree counting the users the vendor lists, so that the page at any offset
 * of a million users is found in O(log n) even after deletions.
 */
struct emu_store {
	struct emu_user *v;
	size_t n, cap;
	struct hmap index; /* id -> slot; stale for gone slots */
	uint32_t *tree;	   /* 1-based Fenwick tree over v, cap + 1 entries */
	size_t listed;
	size_t live;
	long caller; /* slot, or -1 */
	bool (*listed_fn)(const struct emu_user *u);
	enum emu_idstyle idstyle;
	struct arena strings;
};

struct emu_gen {
	long users, apps, robots, customers, inactive;
	uint64_t seed;
	bool usernames;
	bool uipath_directory;	/* every 5th human is a directory user */
	long closed, unmanaged; /* atlassian-org */
};

void store_init(struct emu_store *s, enum emu_idstyle idstyle,
		bool (*listed_fn)(const struct emu_user *u));
void store_release(struct emu_store *s);
/* Generates the population described by g (deterministic for g->seed). */
void store_generate(struct emu_store *s, const struct emu_gen *g);
/* Loads a population file; caller_name picks the caller when none given. */
int store_load(struct emu_store *s, const char *path, const char *caller_name,
	       struct err *e);
/* Slot of the live user with this id, or -1. */
long store_find(const struct emu_store *s, const char *id);
/* Adds a copy of u (strings copied); -1 when the id is taken. */
long store_add(struct emu_store *s, const struct emu_user *u);
void store_remove(struct emu_store *s, long slot);
/* Replaces the user at slot with u (same id); strings must be the store's. */
void store_update(struct emu_store *s, long slot, const struct emu_user *u);
void store_set_status(struct emu_store *s, long slot, enum emu_status st);
/* Slot of the k-th (0-based) listed user, or -1 past the end. */
long store_nth_listed(const struct emu_store *s, size_t k);
/* Next listed slot after slot, or -1. */
long store_next_listed(const struct emu_store *s, long slot);
/*
 * Reads a generic user (or, when partial, the members present) from j into
 * u; strings are copied into the store's arena.
 */
int store_user_from_json(struct emu_store *s, const cJSON *j,
			 struct emu_user *u, bool partial, struct err *e);
void store_user_to_json(struct jsonw *w, const struct emu_user *u);
/* Splits u->name at the first space (either part may be empty). */
void user_split_name(const struct emu_user *u, const char **first,
		     size_t *first_len, const char **last);

/* Settings that POST /_emulator/config may change at run time. */
struct emu_config {
	long latency_ms;
	long connect_latency_ms; /* extra for a connection's first request */
	long rate_limit;	 /* requests per second, 0: none */
	double fail_rate, error_rate, drop_rate, truncate_rate, html_rate;
	double burst_429;
	long token_max_uses; /* 0: unlimited */
	long token_ttl;	     /* seconds; 0: the vendor's default */
	long max_page;
	long daily_budget; /* 0: none */
	enum emu_env environment;
};

struct emu_short_page {
	long offset, n;
};

/* Settings fixed at start-up. */
struct emu_options {
	const char *vendor;
	const char *bind;
	long port;
	const char *port_file;
	const char *users_file;
	const char *log_file;
	const char *tls_cert, *tls_key;
	struct emu_gen gen;
	const char *username, *password, *api_key, *token;
	const char *client_id, *client_secret, *org, *partition;
	struct emu_short_page short_pages[EMU_MAX_LIST_FAULTS];
	int n_short_pages;
	long fail_list_at[EMU_MAX_LIST_FAULTS];
	int n_fail_list_at;
	long html_list_at[EMU_MAX_LIST_FAULTS];
	int n_html_list_at;
	long truncate_list_at[EMU_MAX_LIST_FAULTS];
	int n_truncate_list_at;
	bool scim_bulk;
	long scim_bulk_max;
	/* SCIM flavours of real providers (README "scim") */
	bool scim_lowercase_keys, scim_echo_zero, scim_user_types, scim_emails;
	bool scim_delete_deactivates, scim_no_delete, scim_bulk_raw_paths;
	bool scim_cursor;
	long scim_bulk_max_payload;	   /* bytes of a Bulk body; 0: none */
	long scim_bulk_advertised_payload; /* 0: as enforced */
	bool no_spc, no_me, aa_delete_204, retry_after_date;
	bool gateway_429;	  /* rate-limit 429s without Retry-After */
	bool bevy_top_next;	  /* bevy: next/previous at the top level */
	const char *aa_only;	  /* "v1" or "v2": the other answers 404 */
	bool aa_total_zero;	  /* Control Room pages count 0 users */
	const char *limit_reason; /* RateLimit-Reason of those 429s */
	bool bare_cursors; /* atlassian-org: links.next is a bare cursor */
};

struct emu_token {
	const char *value;
	double expires; /* monotonic seconds; 0: never */
	long uses;
};

struct emu_count {
	const char *key;
	unsigned long long n;
};

/* Counters in insertion order with an index: status codes, ids, seconds. */
struct emu_counter {
	struct emu_count *v;
	size_t n, cap;
	struct hmap index;
	struct arena keys;
};

struct emu_stats {
	unsigned long long requests, rate_limited;
	int max_inflight;
	struct emu_counter by_status, by_method, per_second;
};

struct emu;
struct emu_req;

struct emu_vendor {
	const char *name;
	enum emu_idstyle idstyle;
	bool usernames;		  /* generated users have usernames */
	const char *default_user; /* --username default */
	long max_page;
	long token_ttl;	   /* default lifetime of issued tokens */
	bool rate_headers; /* X-RateLimit-* on every answer */
	bool (*listed)(const struct emu_user *u);
	/* Answers r, with the lock held. */
	void (*handle)(struct emu *emu, struct emu_req *r);
	/* Sets an error answer in the vendor's format. */
	void (*error)(struct emu_req *r, int status, const char *msg);
};

extern const struct emu_vendor emu_vendor_atlassian;
extern const struct emu_vendor emu_vendor_atlassian_org;
extern const struct emu_vendor emu_vendor_scim;
extern const struct emu_vendor emu_vendor_uipath;
extern const struct emu_vendor emu_vendor_bevy;
extern const struct emu_vendor emu_vendor_aa;
extern const struct emu_vendor emu_vendor_bizagi;

struct emu {
	pthread_mutex_t lock;
	const struct emu_vendor *vendor;
	struct emu_options opt;
	struct emu_config cfg;
	struct emu_store users;
	struct emu_stats stats;
	struct emu_counter deletes;

	struct emu_token *tokens;
	size_t ntokens, captokens;
	struct hmap token_index;
	struct arena token_strings;
	long static_uses; /* uses of --token (scim, bevy) */

	uint64_t fault_rng, token_rng;
	double *window; /* ring of admission times, for the rate limit */
	size_t win_head, win_n, win_cap;
	long budget_used;

	unsigned long long seq;
	int inflight;
	FILE *log;
	char origin[96]; /* scheme://host:port, for absolute URLs */
};

enum emu_truncate { EMU_TRUNC_NONE, EMU_TRUNC_CLOSE, EMU_TRUNC_CUT };

struct emu_header {
	char name[40];
	char value[120];
};

struct emu_req {
	struct MHD_Connection *conn;
	char *target;	    /* the raw request target */
	const char *method; /* MHD's, valid for the request */
	const char *path;   /* decoded path */
	struct strbuf body;
	bool started, control, counted, finished, body_too_big;
	unsigned long long seq;
	double t;
	int inflight;

	/* the answer */
	int status;
	const char *ctype;
	struct strbuf out;
	struct emu_header headers[EMU_MAX_HEADERS];
	int nheaders;
	const char *fault;
	enum emu_auth auth;
	bool drop;
	enum emu_truncate truncate;
};

/* server.c */
int server_run(struct emu *emu);
double emu_mono(void);
double emu_wall(void);
const char *emu_query(struct emu_req *r, const char *name);
/* 0 and *out (def when absent), or -1 when present but not an integer. */
int emu_query_long(struct emu_req *r, const char *name, long def, long *out);
const char *emu_header(struct emu_req *r, const char *name);
void emu_add_header(struct emu_req *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Answers with r->out as the body. */
void emu_reply(struct emu_req *r, int status, const char *ctype);
void emu_reply_text(struct emu_req *r, int status, const char *ctype,
		    const char *text);
void emu_reply_html(struct emu_req *r);
/* The body parsed as JSON, or NULL (answered 400 in the vendor's format). */
cJSON *emu_body_json(struct emu *emu, struct emu_req *r);
/* Decoded value of key in a form body, or NULL; the caller frees it. */
char *emu_form_value(const char *body, size_t len, const char *key);
/* Decodes %XX and '+' in place (form encoding); returns the new length. */
size_t emu_url_decode(char *s, size_t len);
/*
 * Prepares a page at 0-based offset: clamps *count to the page cap and any
 * short page, and applies targeted list faults. Returns false when the
 * request has been answered by a fault.
 */
bool emu_page(struct emu *emu, struct emu_req *r, long offset, long *count);
/*
 * Writes user u in the vendor's JSON via fn, merging u->raw over it.
 */
void emu_write_user(struct jsonw *w, struct emu *emu, const struct emu_user *u,
		    void (*fn)(struct jsonw *w, struct emu *emu,
			       const struct emu_user *u));
/* Emits u's id as a number when it is one, else as a string. */
void emu_write_num_id(struct jsonw *w, const struct emu_user *u);
/* Counts a successful vendor deletion of id. */
void emu_count_delete(struct emu *emu, const char *id);
/*
 * A vendor's deletion of the user at slot: counted, then the user removed
 * (status < 0) or given status. A sticky user stays as it was.
 */
void emu_delete(struct emu *emu, long slot, int status);
const char *emu_status_text(int status);

/* auth.c */
/* The credential after "Scheme " in header name, or NULL. */
const char *auth_credential(struct emu_req *r, const char *header,
			    const char *scheme);
/* Checks user:password in a Basic Authorization header. */
enum emu_auth auth_basic(struct emu_req *r, const char *user,
			 const char *password);
/* Checks a fixed secret (counted against token_max_uses). */
enum emu_auth auth_static(struct emu *emu, const char *given,
			  const char *expected);
/* Checks and counts a use of an issued token. */
enum emu_auth auth_token(struct emu *emu, const char *given);
/* Issues a token; jwt makes it look like a JWT. Owned by emu. */
const char *auth_issue(struct emu *emu, bool jwt, const char *subject);
/* Lifetime of tokens issued now, in seconds. */
long auth_ttl(const struct emu *emu);
void auth_release(struct emu *emu);
const char *auth_name(enum emu_auth a);
size_t base64_decode(const char *in, size_t n, unsigned char *out);
void base64url_encode(struct strbuf *out, const unsigned char *in, size_t n);

/* log.c */
void log_request(struct emu *emu, struct emu_req *r);
/* Masks secrets in a JSON or form body, for the log. */
void log_mask_body(const char *body, size_t len, struct strbuf *out);

/* control.c */
void control_handle(struct emu *emu, struct emu_req *r);
void counter_init(struct emu_counter *c);
void counter_release(struct emu_counter *c);
void counter_add(struct emu_counter *c, const char *key, unsigned long long n);
void stats_record(struct emu *emu, struct emu_req *r);

/* scim.c: shared with bizagi */
void scim_error(struct emu_req *r, int status, const char *msg);
void scim_list_users(struct emu *emu, struct emu_req *r);
void scim_get_user(struct emu *emu, struct emu_req *r, const char *id);
bool scim_listed(const struct emu_user *u);
/* PATCH Users/ID with a PatchOp replacing active: (de)activates. */
void scim_patch_user(struct emu *emu, struct emu_req *r, const char *id);

/* random numbers: splitmix64, reproducible for a seed */
uint64_t emu_rand(uint64_t *state);
double emu_rand_double(uint64_t *state);

#endif
