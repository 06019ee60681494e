/*
 * Sharding: "K/N" and the split of tenant names (DESIGN §2).
 */
#include <stdio.h>

#include "tests/unit/testutil.h"

#include "reconcile/shard.h"

static void test_parse(void **state)
{
	struct shard s = { 0, 0 };
	struct err e = { "" };

	(void)state;
	assert_int_equal(shard_parse(&s, "2/4", &e), 0);
	assert_true(s.k == 2 && s.n == 4);
	assert_int_equal(shard_parse(&s, "1/1", &e), 0);
	assert_true(s.k == 1 && s.n == 1);
	assert_int_equal(shard_parse(&s, "007/8", &e), 0);
	assert_true(s.k == 7 && s.n == 8);
	assert_int_equal(shard_parse(&s,
				     "18446744073709551615/"
				     "18446744073709551615",
				     &e),
			 0);
}

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"",	"1",	 "/",	  "1/",	   "/2",
		"a/b",	"1/2/3", "-1/2",  "+1/2",  " 1/2",
		"1/ 2", "1/2 ",	 "1.0/2", "0x1/2", "1/18446744073709551616",
	};
	struct shard s = { 0, 0 };
	struct err e = { "" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(shard_parse(&s, bad[i], &e), -1);
		assert_non_null(strstr(e.msg, "--shard must be K/N"));
	}
	assert_int_equal(shard_parse(&s, "0/4", &e), -1);
	assert_string_equal(e.msg,
			    "--shard '0/4': K must be between 1 and N (4)");
	assert_int_equal(shard_parse(&s, "5/4", &e), -1);
	assert_string_equal(e.msg,
			    "--shard '5/4': K must be between 1 and N (4)");
	assert_int_equal(shard_parse(&s, "0/0", &e), -1);
	assert_string_equal(e.msg, "--shard '0/0': N must be at least 1");
	/* nothing was changed by the refusals */
	assert_true(s.k == 0 && s.n == 0);
}

static void test_hash(void **state)
{
	(void)state;
	/* SHA-256("") = e3b0c44298fc1c14..., SHA-256("jira-qa") = 991e... */
	assert_true(shard_hash("") == UINT64_C(0xe3b0c44298fc1c14));
	assert_true(shard_hash("jira-qa") == UINT64_C(0x991e6098fd6464e7));
}

static void test_every_name_in_exactly_one_shard(void **state)
{
	char name[32];
	uint64_t n, k;
	int i;

	(void)state;
	for (n = 1; n <= 8; n++)
		for (i = 0; i < 200; i++) {
			int hits = 0;

			snprintf(name, sizeof(name), "tenant-%03d", i);
			for (k = 1; k <= n; k++) {
				struct shard s = { k, n };

				if (shard_has(&s, name)) {
					hits++;
					assert_true(shard_hash(name) % n ==
						    k - 1);
				}
			}
			assert_int_equal(hits, 1);
		}
}

static void test_unsharded_holds_all(void **state)
{
	struct shard none = { 0, 0 };

	(void)state;
	assert_true(shard_has(NULL, "x"));
	assert_true(shard_has(&none, "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_every_name_in_exactly_one_shard),
		cmocka_unit_test(test_unsharded_holds_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
