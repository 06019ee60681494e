/*
 * sha256: FIPS 180-4 SHA-256, for plan checksums, source digests and user
 * fingerprints, and HMAC-SHA256 (RFC 2104) for plan tags. Small and
 * dependency-free on purpose.
 */
#ifndef USERPRUNE_SHA256_H
#define USERPRUNE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *s);
/*
 * Chooses the compression: the CPU's SHA instructions when on and present
 * (the default), else portable C. For tests that compare the two.
 */
void sha256_set_hw(int on);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* One-shot digest as 64 lower-case hex digits plus NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);
void hex_encode(const unsigned char *in, size_t n, char *out);

struct hmac_sha256 {
	struct sha256 inner, outer;
};

void hmac_sha256_init(struct hmac_sha256 *h, const void *key, size_t len);
void hmac_sha256_update(struct hmac_sha256 *h, const void *data, size_t len);
void hmac_sha256_final(struct hmac_sha256 *h, unsigned char out[32]);

#endif
