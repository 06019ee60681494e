#include <stdlib.h>
#include <string.h>

#include "reconcile/approval.h"
#include "util/date.h"
#include "util/sha256.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* A field as a plan file holds it: bytes that are not UTF-8 as U+FFFD. */
static void field(struct sha256 *h, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, ok;

	if (!s)
		return;
	n = strlen(s);
	while ((ok = utf8_check(p, n)) < n) {
		sha256_update(h, p, ok);
		sha256_update(h, "\xef\xbf\xbd", 3);
		p += ok + 1;
		n -= ok + 1;
	}
	sha256_update(h, p, n);
}

static int by_id(const void *a, const void *b)
{
	const struct plan_user *const *x = a, *const *y = b;

	/* strcmp compares as unsigned char: byte order */
	return strcmp((*x)->id, (*y)->id);
}

void approval_digest(const struct plan_user *del, size_t n, char out[65])
{
	const struct plan_user **v = xmalloc((n ? n : 1) * sizeof(*v));
	struct sha256 h;
	unsigned char d[32];
	size_t i;

	bool sorted = true;

	for (i = 0; i < n; i++) {
		v[i] = &del[i];
		if (i && sorted && by_id(&v[i - 1], &v[i]) > 0)
			sorted = false;
	}
	/* a listing in id order (most are) needs no sort */
	if (!sorted)
		qsort(v, n, sizeof(*v), by_id);
	sha256_init(&h);
	for (i = 0; i < n; i++) {
		field(&h, v[i]->id);
		sha256_update(&h, "\t", 1);
		field(&h, v[i]->email);
		sha256_update(&h, "\t", 1);
		field(&h, v[i]->username);
		sha256_update(&h, "\t", 1);
		field(&h, user_status_name(v[i]->status));
		sha256_update(&h, "\t", 1);
		field(&h, user_type_name(v[i]->type));
		sha256_update(&h, "\n", 1);
	}
	sha256_final(&h, d);
	hex_encode(d, 32, out);
	free(v);
}

enum approval_verdict approval_check(const struct approval *a,
				     const char *digest, long today)
{
	long day;

	if (!a->set)
		return APPROVAL_NONE;
	if (strcmp(a->digest, digest))
		return APPROVAL_OTHER_USERS;
	/* a date that does not parse holds nothing */
	if (!date_parse(a->expires, &day) || day < today)
		return APPROVAL_EXPIRED;
	if (day > today + APPROVAL_MAX_DAYS)
		return APPROVAL_TOO_FAR;
	return APPROVAL_HOLDS;
}
