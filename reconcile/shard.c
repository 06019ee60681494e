/*
 * Shard selection: "K/N" and the hash of a tenant's name.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/shard.h"
#include "util/sha256.h"

/* Digits only: strtoull alone would take a sign and leading spaces. */
static int parse_count(const char *s, size_t len, uint64_t *out)
{
	char buf[24], *end;
	unsigned long long v;
	size_t i;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int shard_parse(struct shard *s, const char *text, struct err *e)
{
	const char *slash = strchr(text, '/');
	uint64_t k, n;

	if (!slash || parse_count(text, (size_t)(slash - text), &k) < 0 ||
	    parse_count(slash + 1, strlen(slash + 1), &n) < 0)
		return err_set(e,
			       "--shard must be K/N, two whole numbers such as "
			       "2/4, not '%s'",
			       text);
	if (n == 0)
		return err_set(e, "--shard '%s': N must be at least 1", text);
	if (k < 1 || k > n)
		return err_set(e,
			       "--shard '%s': K must be between 1 and N (%llu)",
			       text, (unsigned long long)n);
	s->k = k;
	s->n = n;
	return 0;
}

uint64_t shard_hash(const char *name)
{
	struct sha256 ctx;
	unsigned char d[32];
	uint64_t h = 0;
	int i;

	sha256_init(&ctx);
	sha256_update(&ctx, name, strlen(name));
	sha256_final(&ctx, d);
	for (i = 0; i < 8; i++)
		h = h << 8 | d[i];
	return h;
}

bool shard_has(const struct shard *s, const char *name)
{
	if (!s || s->n == 0)
		return true;
	return shard_hash(name) % s->n == s->k - 1;
}
