#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "strbuf.h"
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

void diag_vadd(struct diags *d, enum diag_level level, const char *file,
	       int line, int col, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;
	struct diag *x;

	strbuf_vaddf(&msg, fmt, ap);
	d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	x = &d->v[d->n++];
	x->seq = d->n - 1;
	x->level = level;
	x->file = xstrdup(file ? file : "");
	x->line = line;
	x->col = col;
	x->msg = strbuf_detach(&msg, NULL);
	if (level == DIAG_ERROR)
		d->errors++;
}

void diag_add(struct diags *d, enum diag_level level, const char *file,
	      int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, level, file, line, col, fmt, ap);
	va_end(ap);
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
