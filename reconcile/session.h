/*
 * session: one tenant's connection while a command runs.
 *
 * Holds the resolved credentials (secrets are wiped when the session
 * closes), the access token and its expiry for token-exchange vendors, the
 * calling identity, the engine lane, and the connector's private state.
 * It implements the lane's authentication hooks on top of the vendor's
 * auth_request/auth_response/auth_header.
 *
 * Also the connectors' toolbox: URL building, JSON answers checked and
 * parsed, users added to a store.
 */
#ifndef USERPRUNE_SESSION_H
#define USERPRUNE_SESSION_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "reconcile/config.h"
#include "reconcile/engine.h"
#include "reconcile/users.h"
#include "util/clock.h"

struct session {
	const struct tenant *t;
	const struct vendor *v;
	struct engine *engine;
	struct lane *lane;
	/* resolved credentials; NULL when not set */
	char *username, *password, *token, *client_id, *client_secret, *api_key,
		*token_url, *scope;
	char *access_token;
	char *static_auth; /* the header of a basic, bearer or token
			      credential, built once */
	double expires_at; /* clock_mono() to renew at; 0: never */
	bool token_fresh;  /* not used yet: the next request takes it */
	char *caller;
	int batch; /* users per delete request (bulk vendors), at least 1 */
	/* how the listing pages: the vendor's, unless discovery changed it
	   (a SCIM server that offers cursors) */
	enum page_kind paging;
	void *priv; /* the connector's: its session_release, then free() */
	char error[4096]; /* why authentication failed, if it did */
};

/*
 * Resolves the tenant's secrets and opens a lane. Errors name the tenant
 * and the reference that could not be resolved.
 */
int session_open(struct session *s, const struct tenant *t,
		 struct engine *engine, struct err *e);
void session_close(struct session *s);

/* The tenant's base URL followed by the formatted path, in a new string. */
char *session_url(const struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Stores a new access token valid for expires_in seconds (<= 0: no end). */
void session_set_token(struct session *s, const char *token, double expires_in);
void session_set_caller(struct session *s, const char *id);

/*
 * Checks that r is a 2xx answer holding JSON and parses it. On failure
 * returns NULL and describes the problem: the status and the start of the
 * body, or "not JSON (text/html): ..." for a login page, or "truncated or
 * malformed JSON". Answers with more than a bound of values are refused
 * before a tree is built. A \u0000 escape is rewritten in r's body to
 * \u001a first, so that no string is cut at a NUL.
 */
cJSON *session_json(const struct http_response *r, struct err *e);

/* The body of any answer (an error's, say) as JSON, or NULL. */
cJSON *session_json_any(const struct http_response *r);

/*
 * Reads an OAuth2 token answer ({access_token, expires_in}) into the
 * session: the default for vendors whose token answer is the standard one.
 */
int session_token_response(struct session *s, const struct http_response *r,
			   struct err *e);

/*
 * The outcome of one deletion from its status: 2xx is done (deleted,
 * deactivated or scheduled, as the vendor's deletion is), 404 absent, 400,
 * 409 and 412 blocked (the vendor refuses this user), anything else
 * failed.
 */
enum outcome outcome_for_status(long status, enum outcome done);
/*
 * The same for an answer, with the answer described when not done. A 2xx
 * answer that is a web page (a login or error page from a proxy) says
 * nothing about the user: failed, its detail starting UNEXPECTED_ANSWER.
 */
#define UNEXPECTED_ANSWER                                                      \
	"unexpected answer, the user may or may not be deleted: "
void delete_outcome(const struct http_response *r, enum outcome done,
		    struct delete_result *out);

/*
 * After an answer with this status: the vendor's advice on what to check
 * (for a 401, the auth fields), as "; check ..." to append to a message,
 * or "".
 */
const char *session_hint(const struct session *s, long status);

/* Field readers that accept only the expected JSON type. */
const char *json_str(const cJSON *o, const char *key);
bool json_bool(const cJSON *o, const char *key, bool def);
/* A string, or a number written as a string (ids). into buf. */
const char *json_id(const cJSON *o, const char *key, char *buf, size_t n);

/*
 * The member key of o with ASCII case ignored, the first of several that
 * differ only in case: SCIM attribute names are case-insensitive (RFC 7643
 * §2.1), and servers send "resources" and "totalresults".
 */
const cJSON *json_get_nocase(const cJSON *o, const char *key);
const char *json_str_nocase(const cJSON *o, const char *key);
bool json_bool_nocase(const cJSON *o, const char *key, bool def);

#endif
