#include <stdbool.h>
#include <string.h>

#include "sha256.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI 1
#endif

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

#define CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define S0(x)	     (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x)	     (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define G0(x)	     (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define G1(x)	     (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))

/* One round with the eight working variables renamed instead of moved. */
#define ROUND(a, b, c, d, e, f, g, h, i)                                       \
	do {                                                                   \
		uint32_t t1 = h + S1(e) + CH(e, f, g) + k[i] + w[i];           \
		d += t1;                                                       \
		h = t1 + S0(a) + MAJ(a, b, c);                                 \
	} while (0)

static void block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = G1(w[i - 2]) + w[i - 7] + G0(w[i - 15]) + w[i - 16];
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (i = 0; i < 64; i += 8) {
		ROUND(a, b, c, d, e, f, g, h, i);
		ROUND(h, a, b, c, d, e, f, g, i + 1);
		ROUND(g, h, a, b, c, d, e, f, i + 2);
		ROUND(f, g, h, a, b, c, d, e, i + 3);
		ROUND(e, f, g, h, a, b, c, d, i + 4);
		ROUND(d, e, f, g, h, a, b, c, i + 5);
		ROUND(c, d, e, f, g, h, a, b, i + 6);
		ROUND(b, c, d, e, f, g, h, a, i + 7);
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

#ifdef HAVE_SHANI
/*
 * The same compression with the x86 SHA extensions (about five times
 * faster): used when the CPU has them. The state is kept as ABEF/CDGH as
 * the instructions want it.
 */
__attribute__((target("sha,sse4.1"))) static void
block_shani(struct sha256 *s, const unsigned char *p)
{
	const __m128i swap =
		_mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i st0, st1, tmp, msg, m[4], save0, save1;
	int g;

	tmp = _mm_loadu_si128((const __m128i *)&s->h[0]);
	st1 = _mm_loadu_si128((const __m128i *)&s->h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xb1);
	st1 = _mm_shuffle_epi32(st1, 0x1b);
	st0 = _mm_alignr_epi8(tmp, st1, 8);
	st1 = _mm_blend_epi16(st1, tmp, 0xf0);
	save0 = st0;
	save1 = st1;
	for (g = 0; g < 16; g++) {
		__m128i *cur = &m[g % 4], *next = &m[(g + 1) % 4],
			*prev = &m[(g + 3) % 4];

		if (g < 4)
			*cur = _mm_shuffle_epi8(
				_mm_loadu_si128((const __m128i *)(p + 16 * g)),
				swap);
		msg = _mm_add_epi32(
			*cur, _mm_loadu_si128((const __m128i *)&k[4 * g]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
		if (g >= 3 && g <= 14) {
			tmp = _mm_alignr_epi8(*cur, *prev, 4);
			*next = _mm_add_epi32(*next, tmp);
			*next = _mm_sha256msg2_epu32(*next, *cur);
		}
		msg = _mm_shuffle_epi32(msg, 0x0e);
		st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
		if (g >= 1 && g <= 12)
			*prev = _mm_sha256msg1_epu32(*prev, *cur);
	}
	st0 = _mm_add_epi32(st0, save0);
	st1 = _mm_add_epi32(st1, save1);
	tmp = _mm_shuffle_epi32(st0, 0x1b);
	st1 = _mm_shuffle_epi32(st1, 0xb1);
	st0 = _mm_blend_epi16(tmp, st1, 0xf0);
	st1 = _mm_alignr_epi8(st1, tmp, 8);
	_mm_storeu_si128((__m128i *)&s->h[0], st0);
	_mm_storeu_si128((__m128i *)&s->h[4], st1);
}

static bool cpu_has_shani(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) ||
	    !(c & bit_SSSE3))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

static void (*compress)(struct sha256 *, const unsigned char *);

void sha256_set_hw(int on)
{
	compress = block;
#ifdef HAVE_SHANI
	if (on && cpu_has_shani())
		compress = block_shani;
#else
	(void)on;
#endif
}

void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	if (!compress)
		sha256_set_hw(1);
	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->nbuf = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->len += len;
	if (s->nbuf) {
		size_t n = 64 - s->nbuf < len ? 64 - s->nbuf : len;

		memcpy(s->buf + s->nbuf, p, n);
		s->nbuf += n, p += n, len -= n;
		if (s->nbuf < 64)
			return;
		compress(s, s->buf);
		s->nbuf = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		compress(s, p);
	memcpy(s->buf, p, len);
	s->nbuf = len;
}

void sha256_final(struct sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t npad = (s->nbuf < 56 ? 56 : 120) - s->nbuf;
	int i;

	for (i = 0; i < 8; i++)
		pad[npad + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(s, pad, npad + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256 s;
	unsigned char d[32];

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, d);
	hex_encode(d, 32, out);
}

void hmac_sha256_init(struct hmac_sha256 *h, const void *key, size_t len)
{
	unsigned char kb[64], pad[64];
	size_t i;

	memset(kb, 0, sizeof(kb));
	if (len > sizeof(kb)) {
		struct sha256 s;

		sha256_init(&s);
		sha256_update(&s, key, len);
		sha256_final(&s, kb);
	} else if (len) {
		memcpy(kb, key, len);
	}
	for (i = 0; i < 64; i++)
		pad[i] = kb[i] ^ 0x36;
	sha256_init(&h->inner);
	sha256_update(&h->inner, pad, 64);
	for (i = 0; i < 64; i++)
		pad[i] = kb[i] ^ 0x5c;
	sha256_init(&h->outer);
	sha256_update(&h->outer, pad, 64);
	memset(kb, 0, sizeof(kb));
	memset(pad, 0, sizeof(pad));
}

void hmac_sha256_update(struct hmac_sha256 *h, const void *data, size_t len)
{
	sha256_update(&h->inner, data, len);
}

void hmac_sha256_final(struct hmac_sha256 *h, unsigned char out[32])
{
	unsigned char d[32];

	sha256_final(&h->inner, d);
	sha256_update(&h->outer, d, 32);
	sha256_final(&h->outer, out);
}
