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
/* Creates the directories of PATH's parent (mkdir -p), mode 0700. */
int mkdir_parents(const char *path, struct err *e);

#endif
