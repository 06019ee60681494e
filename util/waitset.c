#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/epoll.h>
#endif

#include "waitset.h"
#include "xalloc.h"

struct waitset {
	int epfd; /* -1: the poll table is used */
	struct pollfd *fds;
	size_t n, cap;
};

struct waitset *waitset_new(void)
{
	struct waitset *w = xcalloc(1, sizeof(*w));

	w->epfd = -1;
#ifdef __linux__
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
#endif
	return w;
}

void waitset_free(struct waitset *w)
{
	if (!w)
		return;
	if (w->epfd >= 0)
		close(w->epfd);
	free(w->fds);
	free(w);
}

static void table_watch(struct waitset *w, int fd, bool in, bool out)
{
	short events = (short)((in ? POLLIN : 0) | (out ? POLLOUT : 0));
	size_t i;

	for (i = 0; i < w->n && w->fds[i].fd != fd; i++)
		;
	if (!events) {
		if (i < w->n)
			w->fds[i] = w->fds[--w->n];
		return;
	}
	if (i == w->n) {
		w->fds = xgrow(w->fds, &w->cap, w->n + 1, sizeof(*w->fds));
		w->fds[w->n++].fd = fd;
	}
	w->fds[i].events = events;
	w->fds[i].revents = 0;
}

static int table_wait(struct waitset *w, struct waitset_event *ev, int n,
		      int timeout_ms)
{
	int ready, k = 0;
	size_t i;

	ready = poll(w->fds, (nfds_t)w->n, timeout_ms);
	for (i = 0; ready > 0 && i < w->n && k < n; i++) {
		short r = w->fds[i].revents;

		if (!r)
			continue;
		ev[k].fd = w->fds[i].fd;
		ev[k].in = r & POLLIN;
		ev[k].out = r & POLLOUT;
		ev[k].err = r & (POLLERR | POLLHUP | POLLNVAL);
		k++;
	}
	return k;
}

void waitset_watch(struct waitset *w, int fd, bool in, bool out)
{
#ifdef __linux__
	if (w->epfd >= 0) {
		struct epoll_event e = { 0 };

		e.events = (in ? EPOLLIN : 0) | (out ? EPOLLOUT : 0);
		e.data.fd = fd;
		if (!in && !out) {
			/* the socket may be closed already: nothing to undo */
			(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
			return;
		}
		if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &e) < 0 &&
		    errno == ENOENT)
			(void)epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &e);
		return;
	}
#endif
	table_watch(w, fd, in, out);
}

int waitset_wait(struct waitset *w, struct waitset_event *ev, int n,
		 int timeout_ms)
{
#ifdef __linux__
	if (w->epfd >= 0) {
		struct epoll_event got[64];
		int k, i;

		k = epoll_wait(w->epfd, got, n < 64 ? n : 64, timeout_ms);
		for (i = 0; i < k; i++) {
			ev[i].fd = got[i].data.fd;
			ev[i].in = got[i].events & EPOLLIN;
			ev[i].out = got[i].events & EPOLLOUT;
			ev[i].err = got[i].events & (EPOLLERR | EPOLLHUP);
		}
		return k < 0 ? 0 : k;
	}
#endif
	return table_wait(w, ev, n, timeout_ms);
}
