/*
 * waitset: the sockets a loop waits on, and which of them are ready.
 *
 * The engine watches every connection libcurl keeps open, thousands with
 * hundreds of tenants; a wait must cost in proportion to the sockets that
 * are ready, not to all of them. On Linux the set is an epoll instance;
 * elsewhere (or when epoll cannot be had) a poll(2) table does the same
 * job at a cost per socket. The set does not own the sockets: whoever
 * closes one removes it first.
 */
#ifndef USERPRUNE_WAITSET_H
#define USERPRUNE_WAITSET_H

#include <stdbool.h>

struct waitset;

struct waitset_event {
	int fd;
	bool in, out, err;
};

struct waitset *waitset_new(void);
void waitset_free(struct waitset *w);
/*
 * Watches fd for reading and/or writing: adds it, or changes what it is
 * watched for; with neither, forgets it.
 */
void waitset_watch(struct waitset *w, int fd, bool in, bool out);
/*
 * Waits at most timeout_ms (0: does not wait) for sockets to be ready and
 * stores at most n of them in ev. Returns how many (0 on timeout, or when
 * a signal arrived).
 */
int waitset_wait(struct waitset *w, struct waitset_event *ev, int n,
		 int timeout_ms);

#endif
