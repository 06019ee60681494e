/*
 * fileio: whole-file reads with a size bound, and durable writes.
 */
#ifndef USERPRUNE_FILEIO_H
#define USERPRUNE_FILEIO_H

#include <stddef.h>

#include "err.h"

/*
 * Reads PATH into a NUL-terminated buffer the caller frees. Files over
 * max bytes are refused without reading them. "-" reads stdin.
 */
int file_read(const char *path, size_t max, char **data, size_t *len,
	      struct err *e);
/*
 * Writes data to PATH atomically: a temporary file in the same directory,
 * fsync, rename. Mode 0600 unless the file exists. "-" writes stdout.
 */
int file_write_atomic(const char *path, const void *data, size_t len,
		      struct err *e);
/*
 * Maps PATH read-only (large inputs without a copy). The mapping is not
 * NUL-terminated; release it with file_unmap. Empty files map to "".
 */
int file_map(const char *path, size_t max, const char **data, size_t *len,
	     struct err *e);
void file_unmap(const char *data, size_t len);
/*
 * The mapping's pages before upto are read and not needed soon: they
 * leave the process's memory (a later read brings them back).
 */
void file_map_done(const char *data, const char *upto);
/*
 * A file written in pieces and then put in place atomically: written to a
 * temporary file next to PATH, fsync'd and renamed by atomic_commit.
 */
struct atomic_file {
	char *path, *tmp;
	int fd;
};

int atomic_open(struct atomic_file *f, const char *path, struct err *e);
int atomic_write(struct atomic_file *f, const void *data, size_t len,
		 struct err *e);
/* fsync, close, rename. Releases f either way. */
int atomic_commit(struct atomic_file *f, struct err *e);
/* Removes the temporary file. Releases f; a no-op after commit. */
void atomic_abort(struct atomic_file *f);
/*
 * Takes an exclusive advisory lock (flock) on fd without waiting. Returns
 * 0, or -1 naming path and saying that another process holds it.
 */
int file_lock(int fd, const char *path, struct err *e);
/* Creates the directories of PATH's parent (mkdir -p), mode 0700. */
int mkdir_parents(const char *path, struct err *e);

#endif
