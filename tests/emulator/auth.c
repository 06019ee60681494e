/*
 * Credentials: Basic and fixed secrets, and the tokens the emulator issues
 * (OAuth access tokens, Control Room tokens) with their lifetime and use
 * count, so that clients can be tested against expiry mid-run.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu.h"
#include "util/xalloc.h"

const char *auth_name(enum emu_auth a)
{
	switch (a) {
	case EMU_AUTH_OK:
		return "ok";
	case EMU_AUTH_MISSING:
		return "missing";
	case EMU_AUTH_INVALID:
		return "invalid";
	case EMU_AUTH_EXPIRED:
		return "expired";
	case EMU_AUTH_NONE:
	default:
		return NULL;
	}
}

const char *auth_credential(struct emu_req *r, const char *header,
			    const char *scheme)
{
	const char *h = emu_header(r, header);
	size_t n;

	if (!h)
		return NULL;
	if (!scheme)
		return h;
	n = strlen(scheme);
	if (strncasecmp(h, scheme, n) || h[n] != ' ')
		return ""; /* another scheme: present, but not valid */
	for (h += n; *h == ' '; h++)
		;
	return h;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

size_t base64_decode(const char *in, size_t n, unsigned char *out)
{
	unsigned int acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	for (i = 0; i < n && in[i] != '='; i++) {
		v = b64val((unsigned char)in[i]);
		if (v < 0)
			return (size_t)-1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

void base64url_encode(struct strbuf *out, const unsigned char *in, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789-_";
	unsigned int acc = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			strbuf_addch(out, tab[(acc >> bits) & 63]);
		}
	}
	if (bits)
		strbuf_addch(out, tab[(acc << (6 - bits)) & 63]);
}

enum emu_auth auth_basic(struct emu_req *r, const char *user,
			 const char *password)
{
	const char *cred = auth_credential(r, "Authorization", "Basic");
	size_t n, ulen = strlen(user);
	unsigned char *buf;
	enum emu_auth a = EMU_AUTH_INVALID;

	if (!cred)
		return EMU_AUTH_MISSING;
	buf = xmalloc(strlen(cred) + 4);
	n = base64_decode(cred, strlen(cred), buf);
	if (n != (size_t)-1 && n == ulen + 1 + strlen(password) &&
	    !memcmp(buf, user, ulen) && buf[ulen] == ':' &&
	    !memcmp(buf + ulen + 1, password, n - ulen - 1))
		a = EMU_AUTH_OK;
	free(buf);
	return a;
}

enum emu_auth auth_static(struct emu *emu, const char *given,
			  const char *expected)
{
	if (!given)
		return EMU_AUTH_MISSING;
	if (strcmp(given, expected))
		return EMU_AUTH_INVALID;
	if (emu->cfg.token_max_uses > 0 &&
	    emu->static_uses >= emu->cfg.token_max_uses)
		return EMU_AUTH_EXPIRED;
	emu->static_uses++;
	return EMU_AUTH_OK;
}

enum emu_auth auth_token(struct emu *emu, const char *given)
{
	struct emu_token *t;
	uint32_t *slot;

	if (!given)
		return EMU_AUTH_MISSING;
	slot = hmap_get(&emu->token_index, given, strlen(given));
	if (!slot)
		return EMU_AUTH_INVALID;
	t = &emu->tokens[*slot];
	if (t->expires > 0 && emu_mono() >= t->expires)
		return EMU_AUTH_EXPIRED;
	if (emu->cfg.token_max_uses > 0 && t->uses >= emu->cfg.token_max_uses)
		return EMU_AUTH_EXPIRED;
	t->uses++;
	return EMU_AUTH_OK;
}

long auth_ttl(const struct emu *emu)
{
	return emu->cfg.token_ttl > 0 ? emu->cfg.token_ttl
				      : emu->vendor->token_ttl;
}

/* A JWT-shaped token: clients must treat it as opaque, but may peek. */
static void jwt_like(struct emu *emu, struct strbuf *sb, const char *subject,
		     uint64_t a, uint64_t b)
{
	static const char header[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
	struct strbuf payload = STRBUF_INIT;
	struct jsonw w;
	double now = emu_wall();

	jsonw_init(&w, &payload, false);
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "sub", subject ? subject : "");
	jsonw_object_int(&w, "iat", (long long)now);
	jsonw_object_int(&w, "exp", (long long)now + auth_ttl(emu));
	jsonw_object_int(&w, "jti", (long long)emu->ntokens);
	jsonw_object_end(&w);
	base64url_encode(sb, (const unsigned char *)header, strlen(header));
	strbuf_addch(sb, '.');
	base64url_encode(sb, (const unsigned char *)payload.buf, payload.len);
	strbuf_addf(sb, ".%016llx%016llx", (unsigned long long)a,
		    (unsigned long long)b);
	strbuf_release(&payload);
}

const char *auth_issue(struct emu *emu, bool jwt, const char *subject)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t a = emu_rand(&emu->token_rng), b = emu_rand(&emu->token_rng);
	struct emu_token *t;
	long ttl = auth_ttl(emu);
	int inserted;

	if (jwt)
		jwt_like(emu, &sb, subject, a, b);
	else
		strbuf_addf(&sb, "emu_%016llx%016llx", (unsigned long long)a,
			    (unsigned long long)b);
	emu->tokens = xgrow(emu->tokens, &emu->captokens, emu->ntokens + 1,
			    sizeof(*emu->tokens));
	t = &emu->tokens[emu->ntokens];
	t->value = arena_strndup(&emu->token_strings, sb.buf, sb.len);
	t->expires = ttl > 0 ? emu_mono() + (double)ttl : 0;
	t->uses = 0;
	hmap_put(&emu->token_index, t->value, sb.len, (uint32_t)emu->ntokens,
		 &inserted);
	emu->ntokens++;
	strbuf_release(&sb);
	return t->value;
}

void auth_release(struct emu *emu)
{
	free(emu->tokens);
	emu->tokens = NULL;
	emu->ntokens = emu->captokens = 0;
	hmap_release(&emu->token_index);
	arena_release(&emu->token_strings);
}
