#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "xalloc.h"

void diags_init(struct diags *d)
{
	memset(d, 0, sizeof(*d));
}

void diags_release(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	diags_init(d);
}

void diag_add(struct diags *d, enum diag_level level, const char *file,
	      int line, int col, const char *fmt, ...)
{
	struct diag *x;
	va_list ap;
	int n;

	d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	x = &d->v[d->n++];
	x->seq = d->n - 1;
	x->level = level;
	x->file = xstrdup(file ? file : "");
	x->line = line;
	x->col = col;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	x->msg = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(x->msg, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);
	if (level == DIAG_ERROR)
		d->errors++;
}

static int cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diags_sort(struct diags *d)
{
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), cmp);
}

void diags_print(const struct diags *d, FILE *f)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		const char *lvl = x->level == DIAG_WARNING ? "warning: " : "";

		if (x->line > 0)
			fprintf(f, "%s:%d:%d: %s%s\n", x->file, x->line, x->col,
				lvl, x->msg);
		else
			fprintf(f, "%s: %s%s\n", x->file, lvl, x->msg);
	}
}
