/*
 * diag: a list of located problems (FILE:LINE:COL: message).
 *
 * The configuration loader reports every problem in a file at once, so it
 * collects them here instead of stopping at the first. Vendor option
 * validators add to the same list. Entries are kept in the order added and
 * sorted by position when printed.
 */
#ifndef USERPRUNE_DIAG_H
#define USERPRUNE_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag {
	enum diag_level level;
	char *file;
	int line; /* 1-based; 0 when the problem has no position */
	int col;
	char *msg;
	size_t seq; /* order of addition, for a stable sort */
};

struct diags {
	struct diag *v;
	size_t n, cap;
	size_t errors;
};

#define DIAGS_INIT                                                             \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

void diags_init(struct diags *d);
void diags_release(struct diags *d);
void diag_add(struct diags *d, enum diag_level level, const char *file,
	      int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void diag_vadd(struct diags *d, enum diag_level level, const char *file,
	       int line, int col, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));
/* Stable sort by file, line, column. */
void diags_sort(struct diags *d);
/* Prints "FILE:LINE:COL: message" (warnings say "warning: "). */
void diags_print(const struct diags *d, FILE *f);

#endif
