/*
 * util/: SHA-256 (both compressions), the hash index, the JSON writer and
 * scanner, UTF-8 validation, the text cleaner and redaction, URL encoding
 * and origins.
 */
#include "tests/unit/testutil.h"

#include <math.h>

#include "util/clock.h"
#include "util/date.h"
#include "util/hmap.h"
#include "util/jsonscan.h"
#include "util/jsonw.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/url.h"
#include "util/utf8.h"
#include "util/encode.h"

static void check_vectors(void)
{
	static const struct {
		const char *in, *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		      "7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410f"
			 "f61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db"
		  "06c1" },
	};
	char out[65];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256_hex(v[i].in, strlen(v[i].in), out);
		assert_string_equal(out, v[i].hex);
	}
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	sha256_set_hw(0);
	check_vectors();
	sha256_set_hw(1);
	check_vectors();
}

/* Both compressions agree on every length and split of the input. */
static void test_sha256_hw_matches_portable(void **state)
{
	unsigned char data[1000];
	char a[65], b[65];
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 131 + 7);
	for (len = 0; len < sizeof(data); len += 37) {
		struct sha256 s;
		unsigned char d[32];

		sha256_set_hw(0);
		sha256_hex(data, len, a);
		sha256_set_hw(1);
		sha256_init(&s);
		sha256_update(&s, data, len / 3);
		sha256_update(&s, data + len / 3, len - len / 3);
		sha256_final(&s, d);
		hex_encode(d, 32, b);
		assert_string_equal(a, b);
	}
}

static void test_hmap(void **state)
{
	struct hmap m = HMAP_INIT;
	char keys[5000][16];
	int i, inserted;

	(void)state;
	for (i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key%d", i);
		hmap_put(&m, keys[i], strlen(keys[i]), (uint32_t)i, &inserted);
		assert_true(inserted);
		/* grown by doubling: at most half the slots used, and no
		   fewer than a quarter (a million ids must not take 96 MiB) */
		if (i + 1 == 3000)
			assert_int_equal(m.cap, 8192);
	}
	assert_int_equal(m.n, 5000);
	for (i = 0; i < 5000; i++) {
		uint32_t *v = hmap_get(&m, keys[i], strlen(keys[i]));

		assert_non_null(v);
		assert_int_equal(*v, i);
	}
	assert_int_equal(*hmap_put(&m, "key7", 4, 99, &inserted), 7);
	assert_false(inserted);
	assert_null(hmap_get(&m, "key", 3));
	assert_null(hmap_get(&m, "key50000", 8));
	hmap_release(&m);
}

static void test_json_escape(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	json_escape(&sb, "a\"b\\c\n\t\x01\x7f", 9);
	assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\"");
	strbuf_reset(&sb);
	/* valid UTF-8 passes, invalid bytes become U+FFFD */
	json_escape(&sb, "caf\xc3\xa9 \xff!", 8);
	assert_string_equal(sb.buf, "\"caf\xc3\xa9 \\ufffd!\"");
	strbuf_release(&sb);
}

static void test_jsonw_nesting(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	(void)state;
	jsonw_init(&w, &sb, false);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_array_begin(&w);
	jsonw_int(&w, 1);
	jsonw_string(&w, NULL);
	jsonw_bool(&w, true);
	jsonw_array_end(&w);
	jsonw_key(&w, "b");
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_object_string(&w, "s", "x\"");
	jsonw_object_int(&w, "i", -2);
	jsonw_object_double(&w, "d", 0.5);
	jsonw_object_bool(&w, "f", false);
	jsonw_object_end(&w);
	assert_string_equal(sb.buf, "{\"a\":[1,null,true],\"b\":{},"
				    "\"s\":\"x\\\"\",\"i\":-2,\"d\":0.5,"
				    "\"f\":false}");
	strbuf_release(&sb);
}

static void test_jsonscan(void **state)
{
	const char *doc = "  {\"a\": [1, \"x]\\\"\", {\"b\": null}]} tail";
	const char *end = doc + strlen(doc);

	(void)state;
	assert_ptr_equal(jscan_value(doc, end), strstr(doc, " tail"));
	doc = "[1, {\"a\": 2]";
	assert_null(jscan_value(doc, doc + strlen(doc)));
	doc = "\"unterminated";
	assert_null(jscan_value(doc, doc + strlen(doc)));
	doc = "{\"a\": <html>}";
	assert_null(jscan_value(doc, doc + strlen(doc)));
}

static void test_utf8(void **state)
{
	(void)state;
	assert_int_equal(utf8_check((const unsigned char *)"h\xc3\xa9llo", 6),
			 6);
	/* overlong, surrogate, truncated, stray continuation */
	assert_int_equal(utf8_check((const unsigned char *)"a\xc0\xaf", 3), 1);
	assert_int_equal(utf8_check((const unsigned char *)"\xed\xa0\x80", 3),
			 0);
	assert_int_equal(utf8_check((const unsigned char *)"ab\xe2\x82", 4), 2);
	assert_int_equal(utf8_check((const unsigned char *)"\x80", 1), 0);
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than a block). */
static void test_hmac_sha256(void **state)
{
	static const struct {
		const char *key, *data, *hex;
	} v[] = {
		{ "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"
		  "\x0b\x0b\x0b\x0b\x0b",
		  "Hi There",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32"
		  "cff7" },
		{ "Jefe", "what do ya want for nothing?",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec"
		  "3843" },
		{ NULL,
		  "Test Using Larger Than Block-Size Key - Hash Key First",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee3"
		  "7f54" },
	};
	unsigned char big[131], d[32];
	char hex[65];
	size_t i;

	(void)state;
	memset(big, 0xaa, sizeof(big));
	for (i = 0; i < 3; i++) {
		struct hmac_sha256 h;
		const char *k = v[i].key ? v[i].key : (const char *)big;
		size_t klen = v[i].key ? strlen(v[i].key) : sizeof(big);

		hmac_sha256_init(&h, k, klen);
		/* in two pieces: the tag of a streamed plan */
		hmac_sha256_update(&h, v[i].data, 3);
		hmac_sha256_update(&h, v[i].data + 3, strlen(v[i].data) - 3);
		hmac_sha256_final(&h, d);
		hex_encode(d, 32, hex);
		assert_string_equal(hex, v[i].hex);
	}
}

/* X-RateLimit-Reset as Atlassian writes it, with or without seconds. */
static void test_reset_times(void **state)
{
	/* 2026-01-01T01:01:00Z */
	double now = 1767229260.0;

	(void)state;
	assert_true(fabs(clock_reset_in("2026-01-01T01:01:01Z", now) - 1) <
		    1e-6);
	assert_true(fabs(clock_reset_in("2026-01-01T01:01:00.250Z", now) -
			 0.25) < 1e-6);
	assert_true(fabs(clock_reset_in("2026-01-01T01:02Z", now) - 60) < 1e-6);
	assert_true(fabs(clock_reset_in("2026-01-01T01:01:30+00:00", now) -
			 30) < 1e-6);
	assert_true(clock_reset_in("2026-01-01T01:00Z", now) == 0); /* past */
	assert_true(fabs(clock_reset_in("1767229262.5", now) - 2.5) < 1e-6);
	assert_true(fabs(clock_reset_in("3", now) - 3) < 1e-6);
	assert_true(clock_reset_in("2026-01-01T01:01:00+02:00", now) < 0);
	assert_true(clock_reset_in("soon", now) < 0);
	assert_true(clock_reset_in("-5", now) < 0);
	assert_true(clock_reset_in("nan", now) < 0);
}

static char *cleaned(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	text_clean(&sb, s, len);
	return strbuf_detach(&sb, NULL);
}

static void test_text_clean(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "Ada Adams", "Ada Adams" },
		{ "a\tb\r\nc", "a b  c" },
		{ "\033[2Jx\x7f", "?[2Jx?" },
		/* C1 controls; U+0085 NEL is a line separator */
		{ "a\xc2\x9b"
		  "b\xc2\x85"
		  "c",
		  "a?b c" },
		/* U+2028, U+2029 end a YAML comment: a space */
		{ "x\xe2\x80\xa8y\xe2\x80\xa9z", "x y z" },
		/* bidi override, isolate, marks */
		{ "\xe2\x80\xae"
		  "evil\xe2\x81\xa6\xe2\x80\x8f",
		  "?evil?"
		  "?" },
		{ "bad\xff\xc3(utf8", "bad?"
				      "?(utf8" },
		{ "Zoë Ærø 日本", "Zoë Ærø 日本" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *c = cleaned(v[i].in, strlen(v[i].in));

		assert_string_equal(c, v[i].out);
		free(c);
	}
	{
		/* a NUL inside the text is no end */
		char *c = cleaned("ab\0cd", 5);

		assert_string_equal(c, "ab?cd");
		free(c);
	}
}

static void test_redaction(void **state)
{
	char *c, buf[64];

	(void)state;
	redact_add("s3cr/et+ value");
	redact_add("abc"); /* too short to be told from text */
	/* raw, base64, percent-encoded, form-encoded and JSON-escaped */
	c = text_cleaned("x=s3cr/et+ value;b=czNjci9ldCsgdmFsdWU=;"
			 "p=s3cr%2Fet%2B%20value;f=s3cr%2Fet%2B+value;"
			 "j=s3cr\\/et+ value;abc");
	assert_string_equal(c, "x=[redacted];b=[redacted];p=[redacted];"
			       "f=[redacted];j=[redacted];abc");
	free(c);
	/* a secret is redacted before an excerpt cuts it */
	text_excerpt(buf, 16, "     token s3cr/et+ value and more", 33, 0);
	assert_string_equal(buf, "token [redac...");
	redact_forget_all();
	c = text_cleaned("s3cr/et+ value");
	assert_string_equal(c, "s3cr/et+ value");
	free(c);
}

/*
 * text_clean reads runs of printable ASCII at once: a registered value
 * that starts anywhere in such a run (first, last, right after another
 * value, inside a longer one) is still redacted, raw or base64, and text
 * that starts no value comes out as it went in.
 */
static void test_redaction_in_ascii_runs(void **state)
{
	static const char *const secrets[] = {
		"tok_ABCDEFGH12345", "tok_ABCD",   "zz9-secret-value",
		"Zoë-secret-1234",   "~tilde~key", " spaced key!",
	};
	static const char alphabet[] = "abcxyz ABCZ0189_-~!tok zz9 Z\t\x7f";
	unsigned long long rng = 0x9e3779b97f4a7c15ULL;
	char *b64[6];
	size_t i, k;
	int round;

	(void)state;
	for (i = 0; i < 6; i++) {
		redact_add(secrets[i]);
		b64[i] = base64_encode(secrets[i], strlen(secrets[i]));
	}
	for (round = 0; round < 3000; round++) {
		struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
		size_t parts = 1 + (size_t)(rng >> 60);

		strbuf_grow(&in, 0); /* an empty text is "", not NULL */
		for (k = 0; k < parts; k++) {
			size_t run, j;

			rng = rng * 6364136223846793005ULL +
			      1442695040888963407ULL;
			run = (size_t)(rng >> 59);
			for (j = 0; j < run; j++) {
				rng = rng * 6364136223846793005ULL + 1;
				strbuf_addch(&in,
					     alphabet[(rng >> 33) %
						      (sizeof(alphabet) - 1)]);
			}
			i = (size_t)(rng >> 40) % 6;
			if ((rng >> 20) % 3 == 0)
				strbuf_addstr(&in, b64[i]);
			else if ((rng >> 20) % 3 == 1)
				strbuf_addstr(&in, secrets[i]);
		}
		text_clean(&out, in.buf, in.len);
		for (i = 0; i < 6; i++) {
			if (strstr(out.buf, secrets[i]) ||
			    strstr(out.buf, b64[i]))
				fail_msg("'%s' printed from '%s': '%s'",
					 secrets[i], in.buf, out.buf);
		}
		strbuf_release(&in);
		strbuf_release(&out);
	}
	{
		char *c = text_cleaned("plain text, tok_ABC, zz9 ~tilde");

		assert_string_equal(c, "plain text, tok_ABC, zz9 ~tilde");
		free(c);
		c = text_cleaned("tok_ABCDEFGH12345tok_ABCD~tilde~key");
		assert_string_equal(c, "[redacted][redacted][redacted]");
		free(c);
	}
	for (i = 0; i < 6; i++)
		free(b64[i]);
	redact_forget_all();
}

static void test_text_excerpt(void **state)
{
	char buf[12];

	(void)state;
	text_excerpt(buf, sizeof(buf), "  a \n\n b  ", 10, 0);
	assert_string_equal(buf, "a b");
	text_excerpt(buf, sizeof(buf), "short", 5, 1);
	assert_string_equal(buf, "short...");
	/* cut between characters, never inside one */
	text_excerpt(buf, sizeof(buf), "ééééééééé", 18, 0);
	assert_string_equal(buf, "éééé...");
}

static void test_url_encoding(void **state)
{
	static const struct {
		const char *in, *seg;
	} v[] = {
		{ ".", "%2E" },
		{ "..", "%2E%2E" },
		{ "...", "..." },
		{ "a/b", "a%2Fb" },
		{ "a b?c#d", "a%20b%3Fc%23d" },
		{ "5b10ac8d82e05b22cc7d4ef5", "5b10ac8d82e05b22cc7d4ef5" },
		{ "\xc3\xa9", "%C3%A9" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *s = url_segment(v[i].in);

		assert_string_equal(s, v[i].seg);
		assert_int_equal(url_segment_needs_encoding(v[i].in),
				 strcmp(v[i].in, v[i].seg) != 0);
		free(s);
	}
}

/* Calendar dates for approvals: exact, and nothing that is not a day. */
static void test_dates(void **state)
{
	static const char *const bad[] = { "2026-02-29",  "2026-13-01",
					   "2026-00-10",  "2026-1-01",
					   "2026-01-01 ", "1969-12-31",
					   "2026/01/01",  "",
					   "2026-04-31",  "20260101" };
	char out[DATE_LEN];
	long day, prev;
	size_t i;

	(void)state;
	assert_true(date_parse("1970-01-01", &day));
	assert_int_equal(day, 0);
	assert_true(date_parse("2000-03-01", &day));
	assert_int_equal(day, 11017);
	assert_true(date_parse("2028-02-29", &day));
	date_format(day, out);
	assert_string_equal(out, "2028-02-29");
	date_format(day + 1, out);
	assert_string_equal(out, "2028-03-01");
	/* every day of four centuries round-trips, one after the other */
	for (prev = -1, day = 0; day < 146097 * 4; day += 7) {
		long back;

		date_format(day, out);
		assert_true(date_parse(out, &back));
		assert_int_equal(back, day);
		assert_true(back > prev);
		prev = back;
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (date_parse(bad[i], &day))
			fail_msg("'%s' parsed as a date", bad[i]);
	assert_true(date_today() > 20000);
}

static void test_url_origin(void **state)
{
	char *o;

	(void)state;
	assert_true(url_same_origin("https://A.example/x",
				    "https://a.example:443"));
	assert_false(url_same_origin("https://a.example", "http://a.example"));
	assert_false(
		url_same_origin("https://a.example", "https://a.example:8443"));
	assert_false(url_same_origin("https://a.example@b.example/",
				     "https://b.example"));
	assert_false(url_same_origin("https://a.example\\@b.example/",
				     "https://a.example"));
	assert_true(url_is_loopback("http://127.0.0.1:8765/x"));
	assert_true(url_is_loopback("http://localhost/"));
	assert_true(url_is_loopback("http://[::1]:80"));
	assert_false(url_is_loopback("http://127.0.0.1.example.com/"));
	assert_false(url_is_loopback("http://10.0.0.1/"));
	{
		const char *allowed = " https://acme.atlassian.net, "
				      "https://api.atlassian.com:443/ ,"
				      "http://127.0.0.1:8765";
		struct err e;

		assert_int_equal(
			url_allowed("https://ACME.atlassian.net", allowed, &e),
			0);
		assert_int_equal(url_allowed("https://api.atlassian.com/ex/"
					     "jira/x",
					     allowed, &e),
				 0);
		assert_int_equal(url_allowed("http://127.0.0.1:8765/scim/v2",
					     allowed, &e),
				 0);
		assert_int_equal(
			url_allowed("https://evil.example", allowed, &e), -1);
		assert_non_null(strstr(e.msg, "outside USERPRUNE_ALLOWED_"));
		assert_int_equal(
			url_allowed("http://acme.atlassian.net", allowed, &e),
			-1);
		assert_int_equal(url_allowed("https://acme.atlassian.net:8443",
					     allowed, &e),
				 -1);
		assert_int_equal(url_allowed("https://x.example",
					     "https://x.example/path", &e),
				 -1);
		assert_non_null(strstr(e.msg, "is not an origin"));
		assert_int_equal(url_allowed("https://x.example", "", &e), 0);
		assert_int_equal(url_allowed("https://x.example", NULL, &e), 0);
	}
	o = url_origin_string("HTTPS://Acme.Atlassian.NET/rest");
	assert_string_equal(o, "https://acme.atlassian.net:443");
	free(o);
	assert_null(url_origin_string("ftp://x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_hw_matches_portable),
		cmocka_unit_test(test_hmap),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_jsonw_nesting),
		cmocka_unit_test(test_jsonscan),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_hmac_sha256),
		cmocka_unit_test(test_reset_times),
		cmocka_unit_test(test_text_clean),
		cmocka_unit_test(test_redaction),
		cmocka_unit_test(test_redaction_in_ascii_runs),
		cmocka_unit_test(test_text_excerpt),
		cmocka_unit_test(test_url_encoding),
		cmocka_unit_test(test_url_origin),
		cmocka_unit_test(test_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
