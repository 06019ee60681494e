/*
 * secret: ${env:NAME} and ${file:PATH} references.
 *
 * Configurations and plans hold references only; the value is read when a
 * request needs it and lives in memory the caller frees with secret_free(),
 * which wipes it first. Values are never printed: messages name the
 * reference, not what it resolves to.
 */
#ifndef USERPRUNE_SECRET_H
#define USERPRUNE_SECRET_H

#include <stdbool.h>

#include "util/err.h"

enum secret_kind { SECRET_LITERAL, SECRET_ENV, SECRET_FILE, SECRET_BAD };

enum secret_kind secret_kind(const char *raw);
/* The NAME or PATH of a reference (a pointer into a static copy). */
const char *secret_target(const char *raw);
/* Checks that the variable is set or the file readable and not empty. */
int secret_check(const char *raw, struct err *e);
/*
 * Resolves raw into a new string (a file's trailing newline removed).
 * A value holding a CR, LF or NUL byte is refused: it would end an HTTP
 * header and start another. Errors name the reference, never the value.
 */
int secret_resolve(const char *raw, char **out, struct err *e);
/* Overwrites and frees a resolved secret. */
void secret_free(char *s);

#endif
