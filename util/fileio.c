#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
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

int atomic_open(struct atomic_file *f, const char *path, struct err *e)
{
	f->path = xstrdup(path);
	f->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (f->fd < 0) {
		/* the file asked for, not the temporary copy beside it */
		err_set(e, "cannot write %s: %s", path, strerror(errno));
		free(f->path);
		free(f->tmp);
		f->path = f->tmp = NULL;
		return -1;
	}
	return 0;
}

int atomic_write(struct atomic_file *f, const void *data, size_t len,
		 struct err *e)
{
	if (write_all(f->fd, data, len) < 0)
		return err_set(e, "cannot write %s: %s", f->path,
			       strerror(errno));
	return 0;
}

int atomic_commit(struct atomic_file *f, struct err *e)
{
	int rc = -1;

	if (fsync(f->fd) < 0) {
		err_set(e, "cannot write %s: %s", f->path, strerror(errno));
		goto out;
	}
	if (close(f->fd) < 0) {
		f->fd = -1;
		err_set(e, "cannot write %s: %s", f->path, strerror(errno));
		goto out;
	}
	f->fd = -1;
	if (rename(f->tmp, f->path) < 0) {
		err_set(e, "cannot write %s: %s", f->path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc)
		atomic_abort(f);
	free(f->path);
	free(f->tmp);
	f->path = f->tmp = NULL;
	return rc;
}

void atomic_abort(struct atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp)
		unlink(f->tmp);
	free(f->path);
	free(f->tmp);
	f->path = f->tmp = NULL;
}

int file_write_atomic(const char *path, const void *data, size_t len,
		      struct err *e)
{
	struct atomic_file f;

	if (!strcmp(path, "-")) {
		if (write_all(1, data, len) < 0)
			return err_set(e, "stdout: %s", strerror(errno));
		return 0;
	}
	if (atomic_open(&f, path, e) < 0)
		return -1;
	if (atomic_write(&f, data, len, e) < 0) {
		atomic_abort(&f);
		return -1;
	}
	return atomic_commit(&f, e);
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

int file_map(const char *path, size_t max, const char **data, size_t *len,
	     struct err *e)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, "%s: not a regular file", path);
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return err_set(e, "%s: file is larger than %zu MiB", path,
			       max >> 20);
	}
	*len = (size_t)st.st_size;
	if (*len == 0) {
		close(fd);
		*data = "";
		return 0;
	}
	p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return err_set(e, "%s: %s", path, strerror(errno));
	madvise(p, *len, MADV_SEQUENTIAL);
	*data = p;
	return 0;
}

void file_unmap(const char *data, size_t len)
{
	if (len)
		munmap((void *)data, len);
}

void file_map_done(const char *data, const char *upto)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n = (size_t)(upto - data);

	if (page > 0 && n >= (size_t)page)
		madvise((void *)data, n - n % (size_t)page, MADV_DONTNEED);
}

int file_lock(int fd, const char *path, struct err *e)
{
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			return err_set(e,
				       "%s is in use by another userprune "
				       "apply: one run at a time",
				       path);
		return err_set(e, "%s: cannot lock: %s", path, strerror(errno));
	}
	return 0;
}
