/*
 * A main() for the fuzz targets without libFuzzer: runs the target once on
 * every file named on the command line, and on every file under every
 * directory named (a corpus), in name order. Built with the project's
 * compiler and flags, so `make check-asan` runs the corpora under
 * AddressSanitizer and UBSan.
 *
 * A crash names the input it happened on. Exits 0 when every input ran,
 * 2 when an argument could not be read.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"
#include "util/err.h"
#include "util/fileio.h"

/* Sanitizer runtimes call this before they exit on an error. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static const char *current;

static void say_input(void)
{
	if (current)
		fprintf(stderr, "fuzz driver: failed on input '%s'\n", current);
	current = NULL;
}

static void on_signal(int sig)
{
	say_input();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run_file(const char *path, size_t *count)
{
	char *data = NULL;
	size_t len = 0;
	struct err e;

	if (file_read(path, 64u << 20, &data, &len, &e) < 0) {
		fprintf(stderr, "fuzz driver: %s\n", e.msg);
		return -1;
	}
	current = path;
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	current = NULL;
	free(data);
	(*count)++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, size_t *count)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	DIR *d;
	int rc = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, count);
	if (!(d = opendir(path))) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = xgrow(names, &cap, n + 1, sizeof(*names));
		names[n++] = xasprintf("%s/%s", path, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if (run_path(names[i], count) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	/* a sanitizer reports faults itself: leave its handlers alone */
	if (__sanitizer_set_death_callback) {
		__sanitizer_set_death_callback(say_input);
	} else {
		signal(SIGSEGV, on_signal);
		signal(SIGBUS, on_signal);
		signal(SIGFPE, on_signal);
		signal(SIGILL, on_signal);
	}
	signal(SIGABRT, on_signal);
	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count) < 0)
			rc = 2;
	printf("%s: %zu inputs\n", argv[0], count);
	return rc;
}
