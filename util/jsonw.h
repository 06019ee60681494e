/*
 * jsonw: a streaming JSON writer into a strbuf.
 *
 * Plans of hundreds of thousands of users are written without building a
 * tree first. The writer tracks nesting to place commas and indentation;
 * it does not validate that keys appear only inside objects (callers are
 * trusted code). Strings are escaped per RFC 8259; bytes that are not
 * valid UTF-8 are written as U+FFFD so that the output always parses.
 */
#ifndef USERPRUNE_JSONW_H
#define USERPRUNE_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define JSONW_DEPTH 32

struct jsonw {
	struct strbuf *out;
	int depth;
	bool pretty;
	bool first[JSONW_DEPTH];
	bool after_key;
};

void jsonw_init(struct jsonw *w, struct strbuf *out, bool pretty);
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_string(struct jsonw *w, const char *s); /* NULL writes null */
void jsonw_stringn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, long long v);
void jsonw_double(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Writes already-serialised JSON as a value. */
void jsonw_raw(struct jsonw *w, const char *json);
/* An object's member: its key and value in one call. */
void jsonw_object_string(struct jsonw *w, const char *key, const char *s);
void jsonw_object_int(struct jsonw *w, const char *key, long long v);
void jsonw_object_double(struct jsonw *w, const char *key, double v);
void jsonw_object_bool(struct jsonw *w, const char *key, bool v);

/* Appends s as a quoted, escaped JSON string. */
void json_escape(struct strbuf *out, const char *s, size_t n);

#endif
