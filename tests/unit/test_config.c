/*
 * The loader's model: defaults merged under tenants, vendor defaults,
 * options, secrets. (Error messages are covered by the golden fixtures in
 * tests/fixtures/config.)
 */
#include "tests/unit/testutil.h"

#include "reconcile/secret.h"

static const char merged[] =
	"version: 1\n"
	"defaults:\n"
	"  policy: { max_deletions: 300, canary: 2 }\n"
	"  limits: { concurrency: 8 }\n"
	"  protect: [admin@acme.com]\n"
	"  mode: report\n"
	"tenants:\n"
	"  - name: a\n"
	"    vendor: uipath\n"
	"    url: https://cloud.uipath.com/acme/\n"
	"    auth: { type: oauth2, client_id: id, client_secret: "
	"\"${env:S}\" }\n"
	"    options: { partition_global_id: 3fa85f64 }\n"
	"    mode: delete\n"
	"    policy: { max_deletions: 5 }\n"
	"    protect: [{ email: \"ops-*\" }]\n"
	"    keep: [x]\n"
	"  - name: b\n"
	"    vendor: bevy\n"
	"    url: http://127.0.0.1:8080/api\n"
	"    auth: { type: token, token: \"${file:secrets/bevy}\" }\n"
	"    limits: { concurrency: 2, requests_per_second: 0 }\n"
	"    keep: [x]\n";

static void test_defaults_merge(void **state)
{
	const struct tenant *a, *b;
	struct config c;

	(void)state;
	load_config(&c, merged, NULL);
	assert_int_equal(c.ntenants, 2);
	a = config_find_tenant(&c, "a");
	b = config_find_tenant(&c, "b");
	assert_non_null(a);
	assert_non_null(b);
	/* tenant values win field by field; defaults fill the rest */
	assert_int_equal(a->policy.max_deletions, 5);
	assert_int_equal(a->policy.canary, 2);
	assert_int_equal(a->policy.max_delete_percent, 50);
	assert_false(a->policy.allow_empty_keep);
	assert_int_equal(b->policy.max_deletions, 300);
	assert_int_equal(a->mode, MODE_DELETE);
	assert_int_equal(b->mode, MODE_REPORT);
	/* limits: tenant, then defaults, then the vendor's */
	assert_int_equal(a->limits.concurrency, 8);
	assert_true(a->limits.requests_per_second == 0.5);
	assert_int_equal(a->limits.batch_size, 100);
	assert_int_equal(b->limits.concurrency, 2);
	assert_true(b->limits.requests_per_second == 0);
	assert_int_equal(b->limits.daily_request_budget, 10000);
	assert_int_equal(b->limits.batch_size, 250);
	/* protect: the defaults' entries first, then the tenant's */
	assert_int_equal(a->protect.n, 2);
	assert_string_equal(a->protect.v[0].value, "admin@acme.com");
	assert_string_equal(a->protect.v[1].field[MATCH_EMAIL], "ops-*");
	assert_int_equal(b->protect.n, 1);
	/* the url loses its trailing slash */
	assert_string_equal(a->url, "https://cloud.uipath.com/acme");
	/* options and their defaults */
	assert_string_equal(tenant_option(a, "partition_global_id"),
			    "3fa85f64");
	assert_string_equal(tenant_option(a, "identity_path"), "identity_");
	assert_string_equal(tenant_option(b, "users_path"), "/user/");
	assert_null(tenant_option(b, "no_such_option"));
	/* ${file:} references become absolute for the plan */
	assert_int_equal(b->auth.token.raw[7], '/');
	assert_non_null(strstr(b->auth.token.raw, "/secrets/bevy}"));
	config_release(&c);
}

static void test_secrets(void **state)
{
	char *v = NULL, path[] = "/tmp/userprune-secret-XXXXXX";
	struct err e;
	int fd;

	(void)state;
	setenv("UP_TEST_SECRET", "s3cret", 1);
	unsetenv("UP_TEST_UNSET");
	assert_int_equal(secret_kind("${env:UP_TEST_SECRET}"), SECRET_ENV);
	assert_int_equal(secret_kind("${file:/x}"), SECRET_FILE);
	assert_int_equal(secret_kind("plain"), SECRET_LITERAL);
	assert_int_equal(secret_kind("${env:BAD-NAME}"), SECRET_BAD);
	assert_int_equal(secret_kind("${vault:x}"), SECRET_BAD);
	assert_int_equal(secret_kind("a${env:X}"), SECRET_BAD);
	assert_int_equal(secret_resolve("${env:UP_TEST_SECRET}", &v, &e), 0);
	assert_string_equal(v, "s3cret");
	secret_free(v);
	assert_int_equal(secret_resolve("${env:UP_TEST_UNSET}", &v, &e), -1);
	assert_string_equal(e.msg,
			    "environment variable 'UP_TEST_UNSET' is not set");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "tok\n", 4), 4);
	close(fd);
	{
		char ref[64];

		snprintf(ref, sizeof(ref), "${file:%s}", path);
		assert_int_equal(secret_resolve(ref, &v, &e), 0);
		assert_string_equal(v, "tok");
		secret_free(v);
	}
	unlink(path);
}

static void test_keep_file_problems_without_strict(void **state)
{
	static const struct memfile files[] = { { "empty.txt", "# none\n" },
						{ NULL, NULL } };
	const char *yaml =
		"version: 1\n"
		"tenants:\n"
		"  - name: a\n"
		"    vendor: atlassian\n"
		"    url: https://a.atlassian.net\n"
		"    auth: { type: basic, username: u, password: "
		"\"${env:P}\" }\n"
		"    keep: [{ file: empty.txt }, { file: gone.txt }]\n";
	struct config c;
	char *errs;

	(void)state;
	/* plan: loaded, the problems wait for the guard */
	load_config(&c, yaml, files);
	assert_string_equal(c.tenants[0].keep.v[0].problem,
			    "keep file 'empty.txt' is empty");
	assert_string_equal(c.tenants[0].keep.v[1].problem,
			    "keep file 'gone.txt': No such file or directory");
	config_release(&c);
	/* validate: errors, at the entries' positions */
	errs = config_errors(yaml, files, CONFIG_STRICT_FILES);
	assert_string_equal(errs,
			    "test.yaml:7:12: keep file 'empty.txt' is empty\n"
			    "test.yaml:7:33: keep file 'gone.txt': No such "
			    "file or directory\n");
	free(errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_merge),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_keep_file_problems_without_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
