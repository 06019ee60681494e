/*
 * shard: splits the tenants of one desired state over N machines or CI
 * jobs, with no coordination between them.
 *
 * Shard K of N (1 <= K <= N) holds the tenants whose name hashes to K-1:
 * the first 8 bytes of the SHA-256 of the name, read big-endian, modulo N.
 * The split depends on the name alone, so it is the same on every
 * machine, whatever the order of the file or the other tenants; adding a
 * tenant never moves another one. Every command that selects tenants
 * (validate, plan, apply, tenants) asks shard_has.
 */
#ifndef USERPRUNE_SHARD_H
#define USERPRUNE_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

struct shard {
	uint64_t k; /* 1..n */
	uint64_t n; /* 0: not sharded, every tenant belongs */
};

/* Parses "K/N" (decimal, 1 <= K <= N) into s; -1 with e when it is not. */
int shard_parse(struct shard *s, const char *text, struct err *e);
/* The hash the split is made on: SHA-256(name)[0..7], big-endian. */
uint64_t shard_hash(const char *name);
/* Whether the tenant called name is in s; a NULL or unset s holds all. */
bool shard_has(const struct shard *s, const char *name);

#endif
