#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

int file_read(const char *path, size_t max, char **data, size_t *len,
	      struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int fd, rc = -1;
	ssize_t n;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		err_set(e, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err_set(e, "%s: is a directory", path);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
		err_set(e, "%s: file is larger than %zu MiB", path, max >> 20);
		goto out;
	}
	if (S_ISREG(st.st_mode))
		strbuf_grow(&sb, (size_t)st.st_size);
	for (;;) {
		strbuf_grow(&sb, 65536);
		n = read(fd, sb.buf + sb.len, sb.cap - sb.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(e, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = '\0';
		if (sb.len > max) {
			err_set(e, "%s: file is larger than %zu MiB", path,
				max >> 20);
			goto out;
		}
	}
	*data = strbuf_detach(&sb, len);
	rc = 0;
out:
	if (fd > 0)
		close(fd);
	strbuf_release(&sb);
	return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len,
		      struct err *e)
{
	char *tmp = NULL;
	int fd = -1, rc = -1;

	if (!strcmp(path, "-")) {
		if (write_all(1, data, len) < 0)
			return err_set(e, "stdout: %s", strerror(errno));
		return 0;
	}
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(e, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		err_set(e, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		err_set(e, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		err_set(e, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int mkdir_parents(const char *path, struct err *e)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			rc = err_set(e, "%s: %s", p, strerror(errno));
			break;
		}
		*s = '/';
	}
	free(p);
	return rc;
}
