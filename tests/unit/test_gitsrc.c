/*
 * gitsrc against real repositories built with the git command line in a
 * private temporary directory (HOME and XDG_CACHE_HOME point into it).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "reconcile/gitsrc.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#define MAX (1 << 20)

#define YAML1 "version: 1\n# first\n"
#define YAML2 "version: 1\n# second\n"
#define YAML3 "version: 1\n# feature\n"
#define YAML4 "version: 1\n# fourth\n"
#define KEEP  "email\nada@example.com\n"

#define T1 1700000000LL
#define T2 1700000100LL
#define T3 1700000200LL
#define T4 1700000300LL

static char tmp[64];
static char work[128], bare[128], detached[128], origin[128], url[160];
static char c1[41], c2[41], c3[41], c4[41];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

/* Runs a command and keeps the first line of its output. */
static void capture(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void capture(char *out, size_t n, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(out, (int)n, f));
	out[strcspn(out, "\n")] = '\0';
	assert_int_equal(pclose(f), 0);
}

/* Commits with a fixed date, so that commit times can be asserted. */
static void commit(const char *dir, long long t, const char *msg)
{
	sh("cd %s && git add -A && GIT_AUTHOR_DATE='%lld +0000' "
	   "GIT_COMMITTER_DATE='%lld +0000' git commit -q -m '%s'",
	   dir, t, t, msg);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_gitsrc.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	setenv("HOME", tmp, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Ada Lovelace", 1);
	setenv("GIT_AUTHOR_EMAIL", "ada@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Charles Babbage", 1);
	setenv("GIT_COMMITTER_EMAIL", "charles@example.com", 1);
	unsetenv("USERPRUNE_GIT_TOKEN");
	unsetenv("SSH_AUTH_SOCK");
	sh("mkdir -p %s/cache", tmp);
	snprintf(work, sizeof(work), "%s/work", tmp);
	snprintf(bare, sizeof(bare), "%s/bare.git", tmp);
	snprintf(detached, sizeof(detached), "%s/detached", tmp);
	snprintf(origin, sizeof(origin), "%s/origin.git", tmp);
	snprintf(url, sizeof(url), "file://%s", origin);
	{
		char cache[128];

		snprintf(cache, sizeof(cache), "%s/cache", tmp);
		setenv("XDG_CACHE_HOME", cache, 1);
	}

	sh("git init -q -b main %s && mkdir %s/keep", work, work);
	write_file(work, "userprune.yaml", YAML1);
	write_file(work, "keep/a.csv", KEEP);
	commit(work, T1, "first commit\n\nwith a body");
	sh("cd %s && git tag v1", work);
	write_file(work, "userprune.yaml", YAML2);
	commit(work, T2, "second commit");
	sh("cd %s && git tag -a v2 -m 'release 2'", work);
	sh("cd %s && git checkout -q -b feature v1", work);
	write_file(work, "userprune.yaml", YAML3);
	commit(work, T3, "feature commit");
	sh("cd %s && git checkout -q main", work);
	capture(c1, sizeof(c1), "git -C %s rev-parse v1", work);
	capture(c2, sizeof(c2), "git -C %s rev-parse main", work);
	capture(c3, sizeof(c3), "git -C %s rev-parse feature", work);

	sh("git clone -q --bare %s %s", work, bare);
	sh("git clone -q %s %s && git -C %s checkout -q --detach main~1", work,
	   detached, detached);
	sh("git clone -q --bare %s %s", work, origin);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", tmp);
	return 0;
}

static struct gitsrc *open_ok(const char *where, const char *ref)
{
	struct gitsrc *g = NULL;
	struct err e = { { 0 } };
	int rc = gitsrc_open(&g, where, ref, &e);

	if (rc != 0)
		fail_msg("gitsrc_open('%s', '%s'): %s", where,
			 ref ? ref : "(null)", e.msg);
	assert_non_null(g);
	return g;
}

static void assert_file(struct gitsrc *g, const char *path, const char *want)
{
	struct err e = { { 0 } };
	char *data = NULL;
	size_t len = 0;
	int rc = gitsrc_read(g, path, MAX, &data, &len, &e);

	if (rc != 0)
		fail_msg("gitsrc_read('%s'): %s", path, e.msg);
	assert_string_equal(data, want);
	assert_int_equal(len, strlen(want));
	free(data);
}

/* Opens where at ref and checks the commit, the yaml and the info. */
static void check_at(const char *where, const char *ref, const char *want_ref,
		     const char *want_commit, const char *yaml,
		     const char *subject, long long t)
{
	struct gitsrc *g = open_ok(where, ref);
	const struct gitsrc_info *info = gitsrc_info(g);

	assert_string_equal(info->url, where);
	assert_string_equal(info->ref, want_ref);
	assert_string_equal(info->commit, want_commit);
	assert_string_equal(info->author, "Ada Lovelace <ada@example.com>");
	assert_string_equal(info->subject, subject);
	assert_int_equal(info->time, t);
	assert_file(g, "userprune.yaml", yaml);
	gitsrc_free(g);
}

static void test_head(void **state)
{
	(void)state;
	check_at(work, NULL, "main", c2, YAML2, "second commit", T2);
}

static void test_branch(void **state)
{
	(void)state;
	check_at(work, "feature", "feature", c3, YAML3, "feature commit", T3);
	check_at(work, "main", "main", c2, YAML2, "second commit", T2);
}

static void test_tag(void **state)
{
	(void)state;
	/* The subject is the first line only, not the body. */
	check_at(work, "v1", "v1", c1, YAML1, "first commit", T1);
}

static void test_annotated_tag(void **state)
{
	(void)state;
	check_at(work, "v2", "v2", c2, YAML2, "second commit", T2);
}

static void test_full_id(void **state)
{
	(void)state;
	check_at(work, c1, c1, c1, YAML1, "first commit", T1);
}

static void test_abbreviated_id(void **state)
{
	char abbrev[9];

	(void)state;
	snprintf(abbrev, sizeof(abbrev), "%.8s", c1);
	check_at(work, abbrev, abbrev, c1, YAML1, "first commit", T1);
}

static void test_revspec(void **state)
{
	(void)state;
	check_at(work, "main~1", "main~1", c1, YAML1, "first commit", T1);
}

static void test_detached_head(void **state)
{
	(void)state;
	check_at(detached, NULL, "HEAD", c1, YAML1, "first commit", T1);
}

static void test_bare(void **state)
{
	struct gitsrc *g;

	(void)state;
	check_at(bare, NULL, "main", c2, YAML2, "second commit", T2);
	check_at(bare, "v1", "v1", c1, YAML1, "first commit", T1);
	g = open_ok(bare, NULL);
	assert_file(g, "keep/a.csv", KEEP);
	gitsrc_free(g);
}

static void test_relative_path(void **state)
{
	char cwd[512];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmp), 0);
	check_at("work", NULL, "main", c2, YAML2, "second commit", T2);
	check_at("./bare.git", "feature", "feature", c3, YAML3,
		 "feature commit", T3);
	assert_int_equal(chdir(cwd), 0);
}

static void test_work_tree_untouched(void **state)
{
	struct gitsrc *g;
	char status[256] = "";

	(void)state;
	/* An uncommitted change is not what gets read. */
	write_file(work, "userprune.yaml", "dirty\n");
	g = open_ok(work, NULL);
	assert_file(g, "userprune.yaml", YAML2);
	gitsrc_free(g);
	sh("git -C %s checkout -q -- userprune.yaml", work);
	capture(status, sizeof(status),
		"git -C %s status --porcelain; git -C %s rev-parse HEAD", work,
		work);
	assert_string_equal(status, c2);
}

/* Several sources open at once: libgit2 is initialised per source. */
static void test_two_open(void **state)
{
	struct gitsrc *a, *b;

	(void)state;
	a = open_ok(work, "v1");
	b = open_ok(bare, NULL);
	gitsrc_free(a);
	assert_file(b, "userprune.yaml", YAML2);
	gitsrc_free(b);
	a = open_ok(work, "feature");
	assert_file(a, "userprune.yaml", YAML3);
	gitsrc_free(a);
}

static char *cache_dir(const char *u)
{
	char hex[65];

	sha256_hex(u, strlen(u), hex);
	return xasprintf("%s/cache/userprune/git/%.16s", tmp, hex);
}

static void assert_exists(const char *dir, const char *name, int want)
{
	char *path = xasprintf("%s%s", dir, name);

	if ((access(path, F_OK) == 0) != want)
		fail_msg("%s: expected %s", path, want ? "a file" : "nothing");
	free(path);
}

/* 1 when grep finds no text in the files under dir. */
static int nowhere_in(const char *dir, const char *text)
{
	char *cmd = xasprintf("grep -rqF '%s' %s", text, dir);
	int rc = system(cmd);

	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void open_fails(const char *where, const char *ref, const char *want)
{
	struct gitsrc *g = NULL;
	struct err e = { { 0 } };

	assert_int_equal(gitsrc_open(&g, where, ref, &e), -1);
	assert_null(g);
	assert_string_equal(e.msg, want);
}

static void open_fails_prefix(const char *where, const char *ref,
			      const char *want)
{
	struct gitsrc *g = NULL;
	struct err e = { { 0 } };

	assert_int_equal(gitsrc_open(&g, where, ref, &e), -1);
	assert_null(g);
	if (strncmp(e.msg, want, strlen(want)))
		fail_msg("message '%s' does not start with '%s'", e.msg, want);
}

static void test_remote(void **state)
{
	char *dir = cache_dir(url), *pusher, *want;
	struct stat st;

	(void)state;
	assert_int_not_equal(stat(dir, &st), 0);
	check_at(url, NULL, "main", c2, YAML2, "second commit", T2);

	/* A bare mirror private to the user, a lock file beside it. */
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_exists(dir, "/HEAD", 1);
	assert_exists(dir, "/refs/heads/feature", 1);
	/* The url may hold a password: it is written nowhere. */
	assert_int_equal(nowhere_in(dir, origin), 1);
	assert_exists(dir, ".lock", 1);
	check_at(url, "feature", "feature", c3, YAML3, "feature commit", T3);
	check_at(url, "v2", "v2", c2, YAML2, "second commit", T2);

	/* A new commit in the origin is fetched on the next open. */
	pusher = xasprintf("%s/pusher", tmp);
	sh("git clone -q %s %s", origin, pusher);
	write_file(pusher, "userprune.yaml", YAML4);
	commit(pusher, T4, "fourth commit");
	sh("git -C %s push -q origin main", pusher);
	capture(c4, sizeof(c4), "git -C %s rev-parse HEAD", pusher);
	assert_string_not_equal(c4, c2);
	check_at(url, NULL, "main", c4, YAML4, "fourth commit", T4);
	check_at(url, "main~1", "main~1", c2, YAML2, "second commit", T2);

	/* The remote's default branch is followed. */
	sh("git -C %s symbolic-ref HEAD refs/heads/feature", origin);
	check_at(url, NULL, "feature", c3, YAML3, "feature commit", T3);
	sh("git -C %s symbolic-ref HEAD refs/heads/main", origin);
	check_at(url, NULL, "main", c4, YAML4, "fourth commit", T4);

	/* Deleted branches and tags are pruned: the cache mirrors. */
	sh("git -C %s branch -q -D feature && git -C %s tag -d v2 >/dev/null",
	   origin, origin);
	want = xasprintf("git ref 'feature' in '%s': not found", url);
	open_fails(url, "feature", want);
	free(want);
	want = xasprintf("git ref 'v2' in '%s': not found", url);
	open_fails(url, "v2", want);
	free(want);
	assert_exists(dir, "/refs/heads/feature", 0);
	sh("git -C %s branch -q feature %s && git -C %s tag -a v2 -m r2 %s",
	   origin, c3, origin, c2);
	check_at(url, "feature", "feature", c3, YAML3, "feature commit", T3);
	free(pusher);
	free(dir);
}

static void test_remote_fetch_fails(void **state)
{
	char *want;

	(void)state;
	check_at(url, "v1", "v1", c1, YAML1, "first commit", T1);
	/* The origin is gone: the cache must not be used silently. */
	sh("mv %s %s.away", origin, origin);
	want = xasprintf("git repository '%s': could not fetch: ", url);
	open_fails_prefix(url, "v1", want);
	free(want);
	sh("mv %s.away %s", origin, origin);
	check_at(url, "v1", "v1", c1, YAML1, "first commit", T1);
}

static void test_remote_clone_fails(void **state)
{
	char *missing = xasprintf("file://%s/nowhere.git", tmp);
	char *dir = cache_dir(missing), *want;
	struct stat st;

	(void)state;
	want = xasprintf("git repository '%s': could not clone: ", missing);
	open_fails_prefix(missing, NULL, want);
	/* Nothing left behind that a later run could take for a cache. */
	assert_int_not_equal(stat(dir, &st), 0);
	free(want);
	free(dir);
	free(missing);
}

/* A second run waits until the first is done with the cache. */
static void test_remote_lock(void **state)
{
	char *dir = cache_dir(url), *lock = xasprintf("%s.lock", dir);
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	int fd, status;
	pid_t pid;

	(void)state;
	check_at(url, "v1", "v1", c1, YAML1, "first commit", T1);
	fd = open(lock, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct gitsrc *g = NULL;
		struct err e = { { 0 } };
		int ok;

		/* The lock belongs to the parent's open file only. */
		close(fd);
		ok = gitsrc_open(&g, url, "v1", &e) == 0 &&
		     !strcmp(gitsrc_info(g)->commit, c1);

		gitsrc_free(g);
		_exit(ok ? 0 : 1);
	}
	nanosleep(&ts, NULL);
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(lock);
	free(dir);
}

static void test_url_credentials_masked(void **state)
{
	const char *u = "https://ada:s3cret@127.0.0.1:1/x.git";
	const char *want = "git repository "
			   "'https://ada:***@127.0.0.1:1/x.git': could not "
			   "clone: ";
	struct gitsrc *g = NULL;
	struct err e = { { 0 } };
	char *dir;

	(void)state;
	/* Nothing listens on port 1: the clone fails without a network. */
	assert_int_equal(gitsrc_open(&g, u, NULL, &e), -1);
	assert_null(g);
	if (strncmp(e.msg, want, strlen(want)) || strstr(e.msg, "s3cret"))
		fail_msg("unexpected message: %s", e.msg);
	dir = cache_dir(u);
	assert_int_not_equal(access(dir, F_OK), 0);
	free(dir);
	/* A token given as the user name is masked too. */
	open_fails_prefix("https://ghp_abcdef@127.0.0.1:1/x.git", NULL,
			  "git repository 'https://***@127.0.0.1:1/x.git': "
			  "could not clone: ");
}

static void test_refused_urls(void **state)
{
	(void)state;
	open_fails("http://example.com/x.git", NULL,
		   "git url 'http://example.com/x.git': plain http is only "
		   "allowed to localhost, use https");
	open_fails("http://127.example.com/x.git", NULL,
		   "git url 'http://127.example.com/x.git': plain http is "
		   "only allowed to localhost, use https");
	/* Loopback http is allowed (and fails here: nothing listens). */
	open_fails_prefix("http://127.0.0.1:1/x.git", NULL,
			  "git repository 'http://127.0.0.1:1/x.git': could "
			  "not clone: ");
	open_fails("git://example.com/x.git", NULL,
		   "git url 'git://example.com/x.git': unsupported scheme, use "
		   "https://, ssh://, file:// or a local path");
}

static void test_missing_repository(void **state)
{
	char *where = xasprintf("%s/none", tmp), *want;

	(void)state;
	want = xasprintf("git repository '%s': could not find repository",
			 where);
	open_fails(where, NULL, want);
	free(want);
	free(where);
	/* A directory that exists but is not a repository. */
	where = xasprintf("%s/cache", tmp);
	want = xasprintf("git repository '%s': could not find repository",
			 where);
	open_fails(where, NULL, want);
	free(want);
	free(where);
}

static void test_missing_ref(void **state)
{
	char *want;

	(void)state;
	want = xasprintf("git ref 'nope' in '%s': not found", work);
	open_fails(work, "nope", want);
	free(want);
	want = xasprintf("git ref 'main:keep' in '%s': not a commit", work);
	open_fails(work, "main:keep", want);
	free(want);
}

static void read_fails(struct gitsrc *g, const char *path, size_t max,
		       int want_rc, const char *want)
{
	struct err e = { { 0 } };
	char *data = (char *)"unset";
	size_t len = 42;

	assert_int_equal(gitsrc_read(g, path, max, &data, &len, &e), want_rc);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_string_equal(e.msg, want);
}

static void test_missing_path(void **state)
{
	struct gitsrc *g = open_ok(work, NULL);
	char *want;

	(void)state;
	want = xasprintf("nope.yaml: no such file at %.7s (main)", c2);
	read_fails(g, "nope.yaml", MAX, GITSRC_NOT_FOUND, want);
	free(want);
	want = xasprintf("userprune.yaml/x: no such file at %.7s (main)", c2);
	read_fails(g, "userprune.yaml/x", MAX, GITSRC_NOT_FOUND, want);
	free(want);
	gitsrc_free(g);
	/* A file added later is missing at an older commit. */
	g = open_ok(work, "v1");
	assert_file(g, "keep/a.csv", KEEP);
	want = xasprintf("keep/b.csv: no such file at %.7s (v1)", c1);
	read_fails(g, "keep/b.csv", MAX, GITSRC_NOT_FOUND, want);
	free(want);
	gitsrc_free(g);
}

static void test_path_normalised(void **state)
{
	struct gitsrc *g = open_ok(work, NULL);

	(void)state;
	assert_file(g, "./userprune.yaml", YAML2);
	assert_file(g, "keep/../keep/a.csv", KEEP);
	assert_file(g, "keep//./a.csv", KEEP);
	assert_file(g, "keep/../userprune.yaml", YAML2);
	gitsrc_free(g);
}

static void test_path_traversal(void **state)
{
	struct gitsrc *g = open_ok(work, NULL);

	(void)state;
	read_fails(g, "../work/userprune.yaml", MAX, -1,
		   "../work/userprune.yaml: leaves the repository");
	read_fails(g, "keep/../../userprune.yaml", MAX, -1,
		   "keep/../../userprune.yaml: leaves the repository");
	read_fails(g, "/etc/passwd", MAX, -1,
		   "/etc/passwd: must be relative to the repository root");
	gitsrc_free(g);
}

static void test_directory(void **state)
{
	struct gitsrc *g = open_ok(work, NULL);
	char *want;

	(void)state;
	want = xasprintf("keep: is a directory at %.7s (main)", c2);
	read_fails(g, "keep", MAX, -1, want);
	free(want);
	want = xasprintf("keep/: is a directory at %.7s (main)", c2);
	read_fails(g, "keep/", MAX, -1, want);
	free(want);
	want = xasprintf(".: is a directory at %.7s (main)", c2);
	read_fails(g, ".", MAX, -1, want);
	free(want);
	gitsrc_free(g);
}

static void test_max_size(void **state)
{
	struct gitsrc *g = open_ok(work, NULL);
	struct err e = { { 0 } };
	char *data = NULL, *want;
	size_t len = 0;

	(void)state;
	want = xasprintf("userprune.yaml: file is larger than %zu bytes (it "
			 "has %zu bytes)",
			 strlen(YAML2) - 1, strlen(YAML2));
	read_fails(g, "userprune.yaml", strlen(YAML2) - 1, -1, want);
	free(want);
	assert_int_equal(gitsrc_read(g, "userprune.yaml", strlen(YAML2), &data,
				     &len, &e),
			 0);
	assert_string_equal(data, YAML2);
	assert_int_equal(len, strlen(YAML2));
	free(data);
	gitsrc_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_branch),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_annotated_tag),
		cmocka_unit_test(test_full_id),
		cmocka_unit_test(test_abbreviated_id),
		cmocka_unit_test(test_revspec),
		cmocka_unit_test(test_detached_head),
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_relative_path),
		cmocka_unit_test(test_work_tree_untouched),
		cmocka_unit_test(test_two_open),
		cmocka_unit_test(test_remote),
		cmocka_unit_test(test_remote_fetch_fails),
		cmocka_unit_test(test_remote_clone_fails),
		cmocka_unit_test(test_remote_lock),
		cmocka_unit_test(test_url_credentials_masked),
		cmocka_unit_test(test_refused_urls),
		cmocka_unit_test(test_missing_repository),
		cmocka_unit_test(test_missing_ref),
		cmocka_unit_test(test_missing_path),
		cmocka_unit_test(test_path_normalised),
		cmocka_unit_test(test_path_traversal),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_max_size),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
