/*
 * gitsrc: the desired state read from a git repository at a ref.
 *
 * The only module that includes git2.h. A local repository (a path, bare or
 * not) is read in place, without a checkout: files are the blobs at
 * <commit>:<path>. A remote one (file://, https://, ssh://, or a scp-like
 * user@host:path; plain http only to localhost) is cloned bare, or fetched
 * when already there, into $XDG_CACHE_HOME/userprune/git/ (default
 * ~/.cache/userprune/git/), under a lock so that concurrent runs wait for
 * each other. The cache mirrors the remote's branches and tags; a failed
 * fetch is an error, never a silent fall-back to what is cached.
 * Credentials come from the environment only and are never written to disk
 * or printed: USERPRUNE_GIT_TOKEN (https; user USERPRUNE_GIT_USER, default
 * "x-access-token"), the ssh agent, or USERPRUNE_GIT_SSH_KEY (a private key
 * file, with USERPRUNE_GIT_SSH_PASSPHRASE when it has one).
 *
 * A struct gitsrc owns its repository handle and resolved commit; the
 * strings in struct gitsrc_info belong to it.
 */
#ifndef USERPRUNE_GITSRC_H
#define USERPRUNE_GITSRC_H

#include <stddef.h>

#include "util/err.h"

struct gitsrc;

struct gitsrc_info {
	const char *url;     /* as given, a password in it shown as *** */
	const char *ref;     /* as given, or the name HEAD resolved to */
	const char *commit;  /* 40 hex digits */
	const char *author;  /* "Name <email>" */
	const char *subject; /* first line of the commit message */
	long long time;	     /* commit time, seconds since the epoch */
};

/* GITSRC_NOT_FOUND: the repository opened but the path is not in it. */
#define GITSRC_NOT_FOUND (-2)

/*
 * Opens the repository at url and resolves ref (a branch, tag, full or
 * abbreviated commit id, or any revspec git understands; NULL means HEAD,
 * for a remote the remote's default branch). Errors name the url and ref.
 */
int gitsrc_open(struct gitsrc **out, const char *url, const char *ref,
		struct err *e);

/*
 * Reads the blob at <commit>:<path> into a NUL-terminated buffer the
 * caller frees. path is relative to the repository root; "." and ".."
 * components are resolved, and a path leaving the repository is refused.
 * Blobs over max bytes are refused by the size in the object's header,
 * before any of the content is inflated. Returns GITSRC_NOT_FOUND (with a
 * message) when there is no such file at that commit.
 */
int gitsrc_read(struct gitsrc *g, const char *path, size_t max, char **data,
		size_t *len, struct err *e);

/*
 * path with "." and ".." resolved, into a new string; an absolute path or
 * one leaving the repository is refused.
 */
int gitsrc_normalise_path(char **out, const char *path, struct err *e);

/*
 * Whether a local repository's working tree holds path with other content
 * than data (the blob read at the ref), or not at all: edits that are not
 * committed, which the desired state read from git does not see. 0 for a
 * bare or remote repository.
 */
int gitsrc_workdir_differs(struct gitsrc *g, const char *path, const char *data,
			   size_t len);

const struct gitsrc_info *gitsrc_info(const struct gitsrc *g);

void gitsrc_free(struct gitsrc *g);

/* libgit2's version ("1.5.1"), for `userprune version`. */
const char *gitsrc_version(void);

#endif
