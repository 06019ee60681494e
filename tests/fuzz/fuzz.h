/*
 * Fuzz targets: each tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput
 * and exercises one parser of untrusted input; its seed corpus is
 * tests/fuzz/corpus/NAME/. Built with clang -fsanitize=fuzzer they are
 * libFuzzer binaries (make fuzz); linked with driver.c they run the files
 * of a corpus once each (the fuzz-corpus suite of make check).
 *
 * Inputs are copied, never parsed in place, so that a read past the end
 * of the input is a read past the end of an allocation of its exact size.
 */
#ifndef USERPRUNE_FUZZ_H
#define USERPRUNE_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data, in a new string. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static inline char *fuzz_tmp_path(void)
{
	static char path[4096];

	return path;
}

static inline void fuzz_tmp_remove(void)
{
	if (*fuzz_tmp_path())
		unlink(fuzz_tmp_path());
}

/*
 * Writes data to this process's temporary file (replacing what it held)
 * and returns its path; the file is removed at exit.
 */
static inline const char *fuzz_tmpfile(const uint8_t *data, size_t size)
{
	char *path = fuzz_tmp_path();
	FILE *f;

	if (!*path) {
		const char *dir = getenv("TMPDIR");
		int fd;

		snprintf(path, 4096, "%s/userprune-fuzz-XXXXXX",
			 dir && *dir ? dir : "/tmp");
		fd = mkstemp(path);
		if (fd < 0) {
			perror("fuzz: mkstemp");
			abort();
		}
		close(fd);
		atexit(fuzz_tmp_remove);
	}
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		abort();
	}
	return path;
}

#endif
