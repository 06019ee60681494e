/*
 * util/: SHA-256 (both compressions), the hash index, the JSON writer and
 * scanner, UTF-8 validation.
 */
#include "tests/unit/testutil.h"

#include "util/hmap.h"
#include "util/jsonscan.h"
#include "util/jsonw.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/utf8.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
