/*
 * Matching: globs, case folding, value files, the compiled matcher set.
 */
#include "tests/unit/testutil.h"

#include "reconcile/match.h"

static void test_glob(void **state)
{
	(void)state;
	assert_true(glob_match("*@acme.com", "bob@acme.com", false));
	assert_false(glob_match("*@acme.com", "bob@acme.co", false));
	assert_true(glob_match("qa-bot-?@x", "qa-bot-7@x", false));
	assert_false(glob_match("qa-bot-?@x", "qa-bot-17@x", false));
	assert_true(glob_match("user[0-9][0-9]", "user42", false));
	assert_false(glob_match("user[!0-9]", "user4", false));
	assert_true(glob_match("user[!0-9]", "userx", false));
	assert_true(glob_match("*", "", false));
	assert_true(glob_match("a*b*c", "aXXbYYc", false));
	assert_false(glob_match("a*b*c", "aXXbYY", false));
	assert_true(glob_match("*@ACME.com", "bob@acme.COM", true));
	assert_false(glob_match("*@ACME.com", "bob@acme.COM", false));
	/* an unterminated class is a literal '[' */
	assert_true(glob_match("a[b", "a[b", false));
}

static void test_fold(void **state)
{
	char buf[8], *heap = NULL;
	size_t len;
	const char *f;

	(void)state;
	f = fold("  Alice@ACME.com\t", buf, sizeof(buf), &heap, &len);
	assert_string_equal(f, "alice@acme.com");
	assert_int_equal(len, 14);
	assert_non_null(heap); /* did not fit in 8 bytes */
	free(heap);
	heap = NULL;
	f = fold("Ab", buf, sizeof(buf), &heap, &len);
	assert_string_equal(f, "ab");
	assert_null(heap);
}

static void test_text_value_file(void **state)
{
	const char *data = "# kept for the audit\nalice@acme.com\n\n  bob  \n"
			   "#carol\r\ndave@x  # team lead\r\n";
	struct arena a = ARENA_INIT;
	struct file_value *v;
	size_t n;
	struct err e;

	(void)state;
	assert_int_equal(valuefile_parse("k.txt", data, strlen(data), false,
					 NULL, &a, &v, &n, &e),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].s, "alice@acme.com");
	assert_int_equal(v[0].line, 2);
	assert_string_equal(v[1].s, "bob");
	assert_string_equal(v[2].s, "dave@x");
	assert_int_equal(v[2].line, 6);
	free(v);
	/* a byte-order mark does not hide the first value */
	assert_int_equal(valuefile_parse("k.txt",
					 "\xef\xbb\xbf"
					 "alice@x\n",
					 11, false, NULL, &a, &v, &n, &e),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].s, "alice@x");
	free(v);
	arena_release(&a);
}

static void test_csv_value_file(void **state)
{
	/* Atlassian's export: BOM, quoted fields with commas and quotes */
	const char *data = "\xef\xbb\xbf"
			   "User id,User name,email\r\n"
			   "5b10ac,\"Smith, Bob\",bob@x\r\n"
			   "\"6c21bd\",\"say \"\"hi\"\"\",carol@x\r\n"
			   ",,nobody@x\r\n"
			   "7d32ce,\"multi\nline\",dave@x\r\n";
	struct arena a = ARENA_INIT;
	struct file_value *v;
	size_t n;
	struct err e;

	(void)state;
	assert_int_equal(valuefile_parse("k.csv", data, strlen(data), true,
					 "User id", &a, &v, &n, &e),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].s, "5b10ac");
	assert_string_equal(v[1].s, "6c21bd");
	assert_string_equal(v[2].s, "7d32ce");
	free(v);
	assert_int_equal(valuefile_parse("k.csv", data, strlen(data), true,
					 "user name", &a, &v, &n, &e),
			 0);
	/* the empty field of the third row is no value */
	assert_int_equal(n, 3);
	assert_string_equal(v[0].s, "Smith, Bob");
	assert_string_equal(v[1].s, "say \"hi\"");
	assert_string_equal(v[2].s, "multi\nline");
	assert_int_equal(v[2].line, 5);
	free(v);
	assert_int_equal(valuefile_parse("k.csv", data, strlen(data), true,
					 "Email address", &a, &v, &n, &e),
			 -1);
	assert_string_equal(e.msg,
			    "k.csv: no column 'Email address' "
			    "(columns: 'User id', 'User name', 'email')");
	assert_int_equal(valuefile_parse("k.csv", data, strlen(data), true,
					 NULL, &a, &v, &n, &e),
			 -1);
	assert_non_null(strstr(e.msg, "has 3 columns"));
	assert_int_equal(valuefile_parse("k.csv", "a\n\"x", 4, true, NULL, &a,
					 &v, &n, &e),
			 -1);
	assert_string_equal(e.msg, "k.csv:2: malformed CSV quoting");
	arena_release(&a);
}

static struct user mkuser(const char *id, const char *email,
			  const char *username, enum user_type t)
{
	struct user u = { .id = id,
			  .email = email,
			  .username = username,
			  .name = "Name",
			  .type = (uint8_t)t,
			  .status = STATUS_ACTIVE };
	return u;
}

static void test_matchset(void **state)
{
	struct file_value fv[] = { { "id-9", 1 },
				   { "Carol@X.com", 2 },
				   { "missing", 3 } };
	struct matcher m[5];
	struct matchset ms;
	struct user u;

	(void)state;
	memset(m, 0, sizeof(m));
	m[0].kind = MATCHER_VALUE;
	m[0].value = "Alice@Acme.com";
	m[1].kind = MATCHER_FIELDS;
	m[1].field[MATCH_EMAIL] = "qa-*@acme.com";
	m[2].kind = MATCHER_FIELDS;
	m[2].field[MATCH_ID] = "exact-id";
	m[3].kind = MATCHER_FILE;
	m[3].file_field = FILE_ANY;
	m[3].values = fv;
	m[3].nvalues = 3;
	m[4].kind = MATCHER_FIELDS;
	m[4].field[MATCH_TYPE] = "app";
	m[4].field[MATCH_NAME] = "Deploy*";
	matchset_init(&ms, m, 5);

	u = mkuser("1", " ALICE@acme.com ", NULL, USER_HUMAN);
	assert_true(matchset_match(&ms, &u));
	u = mkuser("2", "qa-7@ACME.COM", NULL, USER_HUMAN);
	assert_true(matchset_match(&ms, &u));
	u = mkuser("exact-id", NULL, NULL, USER_HUMAN);
	assert_true(matchset_match(&ms, &u));
	/* ids compare exactly */
	u = mkuser("EXACT-ID", NULL, NULL, USER_HUMAN);
	assert_false(matchset_match(&ms, &u));
	u = mkuser("id-9", "x@y", NULL, USER_HUMAN);
	assert_true(matchset_match(&ms, &u));
	u = mkuser("3", NULL, "carol@x.COM", USER_HUMAN);
	assert_true(matchset_match(&ms, &u));
	u = mkuser("4", "bob@acme.com", "bob", USER_HUMAN);
	assert_false(matchset_match(&ms, &u));
	u = mkuser("5", "d@x", NULL, USER_APP);
	u.name = "Deploy bot";
	assert_true(matchset_match(&ms, &u));
	u.type = USER_HUMAN;
	assert_false(matchset_match(&ms, &u));

	assert_int_equal(ms.hits[0], 1);
	assert_int_equal(ms.hits[1], 1);
	assert_int_equal(ms.hits[2], 1);
	assert_true(matchset_value_hit(&ms, 3, 0));
	assert_true(matchset_value_hit(&ms, 3, 1));
	assert_false(matchset_value_hit(&ms, 3, 2));
	matchset_release(&ms);
}

/*
 * matchset_first names the earliest entry that matches (the one `who`
 * reports), a file's value by its index, and counts nothing.
 */
static void test_first_match(void **state)
{
	struct file_value fv[] = { { "zed", 1 }, { "b@x", 2 }, { "b@X", 3 } };
	struct matcher m[4];
	struct matchset ms;
	struct user u = mkuser("1", "B@x", NULL, USER_HUMAN);
	size_t mi, vi;

	(void)state;
	memset(m, 0, sizeof(m));
	m[0].kind = MATCHER_FIELDS;
	m[0].field[MATCH_NAME] = "nobody";
	m[1].kind = MATCHER_FILE;
	m[1].file_field = FILE_EMAIL;
	m[1].values = fv;
	m[1].nvalues = 3;
	m[2].kind = MATCHER_FIELDS;
	m[2].field[MATCH_EMAIL] = "*@x";
	m[3].kind = MATCHER_VALUE;
	m[3].value = "b@x";
	matchset_init(&ms, m, 4);
	assert_true(matchset_first(&ms, &u, &mi, &vi));
	assert_int_equal(mi, 1);
	assert_int_equal(vi, 1);
	assert_int_equal(ms.hits[1], 0);
	u.email = "c@x";
	assert_true(matchset_first(&ms, &u, &mi, &vi));
	assert_int_equal(mi, 2);
	assert_true(vi == SIZE_MAX);
	u.email = "c@y";
	assert_false(matchset_first(&ms, &u, &mi, &vi));
	matchset_release(&ms);
}

/* Values holding glob characters still match their own text. */
static void test_glob_characters_match_literally(void **state)
{
	struct matcher m[2];
	struct matchset ms;
	struct user a = mkuser("grp[x]", "a[1]@acme.com", NULL, USER_HUMAN);
	struct user b = mkuser("grpx", "a1@acme.com", NULL, USER_HUMAN);

	(void)state;
	memset(m, 0, sizeof(m));
	m[0].kind = MATCHER_VALUE;
	m[0].value = "A[1]@acme.com";
	m[1].kind = MATCHER_FIELDS;
	m[1].field[MATCH_ID] = "grp[x]";
	matchset_init(&ms, m, 2);
	assert_true(matchset_match(&ms, &a));
	assert_int_equal(ms.hits[0], 1);
	assert_int_equal(ms.hits[1], 1);
	/* and still as globs */
	assert_true(matchset_match(&ms, &b));
	matchset_release(&ms);
}

static void test_duplicate_values_both_count(void **state)
{
	struct matcher m[3];
	struct matchset ms;
	struct user u = mkuser("1", "a@x", NULL, USER_HUMAN);

	(void)state;
	memset(m, 0, sizeof(m));
	m[0].kind = MATCHER_VALUE;
	m[0].value = "a@x";
	m[1].kind = MATCHER_FIELDS;
	m[1].field[MATCH_EMAIL] = "A@X";
	/* the same bare value twice: under the same id, email and username */
	m[2].kind = MATCHER_VALUE;
	m[2].value = "a@x";
	matchset_init(&ms, m, 3);
	assert_true(matchset_match(&ms, &u));
	assert_int_equal(ms.hits[0], 1);
	assert_int_equal(ms.hits[1], 1);
	assert_int_equal(ms.hits[2], 1);
	u = mkuser("a@x", NULL, "A@x", USER_HUMAN);
	assert_true(matchset_match(&ms, &u));
	assert_int_equal(ms.hits[0], 3);
	assert_int_equal(ms.hits[2], 3);
	matchset_release(&ms);
}

/* DESIGN §3: a user with several addresses is matched by any of them. */
static void test_several_emails(void **state)
{
	struct file_value fv[] = { { "A.Smith@Home.example", 1 } };
	struct matcher m[5];
	struct matchset ms, one;
	struct user u = mkuser("1", "alice@acme.com", "alice", USER_HUMAN);
	struct user bob = mkuser("2", "bob@acme.com", NULL, USER_HUMAN);
	const char *e;
	int n = 0;

	(void)state;
	/* the non-primary one is listed first at the vendor; shown: primary */
	u.more_emails = "a.smith@home.example\0Alice.S@Old.example\0";
	for (e = user_email_next(&u, NULL); e; e = user_email_next(&u, e))
		n++;
	assert_int_equal(n, 3);
	assert_string_equal(user_email_next(&u, u.email),
			    "a.smith@home.example");
	assert_null(user_email_next(&bob, bob.email));
	memset(m, 0, sizeof(m));
	m[0].kind = MATCHER_VALUE; /* a bare string, indexed */
	m[0].value = "ALICE.S@old.example";
	m[1].kind = MATCHER_FIELDS; /* an exact email, indexed */
	m[1].field[MATCH_EMAIL] = "a.smith@home.example";
	m[2].kind = MATCHER_FIELDS; /* a glob, tried one by one */
	m[2].field[MATCH_EMAIL] = "*@old.example";
	m[3].kind = MATCHER_FILE;
	m[3].file_field = FILE_EMAIL;
	m[3].values = fv;
	m[3].nvalues = 1;
	m[4].kind = MATCHER_FIELDS; /* fields AND: any address will do */
	m[4].field[MATCH_EMAIL] = "*@home.example";
	m[4].field[MATCH_USERNAME] = "alice";
	matchset_init(&ms, m, 5);
	assert_true(matchset_match(&ms, &u));
	assert_false(matchset_match(&ms, &bob));
	assert_int_equal(ms.hits[0], 1);
	assert_int_equal(ms.hits[1], 1);
	assert_int_equal(ms.hits[2], 1);
	assert_true(matchset_value_hit(&ms, 3, 0));
	assert_int_equal(ms.hits[4], 1);
	assert_true(matcher_matches(&m[0], &u));
	assert_true(matcher_matches(&m[1], &u));
	assert_true(matcher_matches(&m[3], &u));
	assert_false(matcher_matches(&m[0], &bob));
	matchset_release(&ms);
	/* each alone keeps the user: no matcher relies on another */
	for (n = 0; n < 5; n++) {
		matchset_init(&one, &m[n], 1);
		assert_true(matchset_match(&one, &u));
		matchset_release(&one);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_text_value_file),
		cmocka_unit_test(test_csv_value_file),
		cmocka_unit_test(test_matchset),
		cmocka_unit_test(test_duplicate_values_both_count),
		cmocka_unit_test(test_several_emails),
		cmocka_unit_test(test_glob_characters_match_literally),
		cmocka_unit_test(test_first_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
