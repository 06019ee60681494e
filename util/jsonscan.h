/*
 * jsonscan: finds the extent of JSON values without building a tree.
 *
 * Large documents (a snapshot of a million users) are walked with these,
 * and each small element is then parsed on its own, so memory stays
 * proportional to one element, not the document.
 */
#ifndef USERPRUNE_JSONSCAN_H
#define USERPRUNE_JSONSCAN_H

#include <stddef.h>

/* Skips white space. */
const char *jscan_ws(const char *p, const char *end);
/*
 * Returns the end of the value starting at p (after leading white space),
 * or NULL when it is malformed or truncated. Validates nesting and string
 * syntax only; the element parser checks the rest.
 */
const char *jscan_value(const char *p, const char *end);
/* Line number (1-based) of p in the document starting at start. */
int jscan_line(const char *start, const char *p);

#endif
