#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "reconcile/gitsrc.h"
#include "util/fileio.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* A wrong token does not get better by sending it again. */
#define CRED_MAX_ATTEMPTS 3

#define REFS_HEADS "refs/heads/"

struct gitsrc {
	git_repository *repo;
	git_commit *commit;
	git_tree *tree;
	char *url; /* as given, password masked */
	char *ref;
	char *author;
	char *subject;
	char commit_hex[GIT_OID_HEXSZ + 1];
	struct gitsrc_info info;
	int initialised;
	int local; /* opened in place: it may have a working tree */
	/* Only while gitsrc_open runs: what error messages must not show. */
	const char *raw_url;
	char *secret;
};

/* What the credential callback has handed out so far. */
struct cred_state {
	const char *host; /* credentials go to this host only */
	int attempts;
	int tried_token;
	int tried_key;
	int tried_agent;
};

/* Replaces every occurrence of what (3 characters or more) by with. */
static void mask(struct err *e, const char *what, const char *with)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p, *hit;
	size_t n;

	if (!e || !what || strlen(what) < 3 || !strstr(e->msg, what))
		return;
	n = strlen(what);
	for (p = e->msg; (hit = strstr(p, what)); p = hit + n) {
		strbuf_add(&sb, p, (size_t)(hit - p));
		strbuf_addstr(&sb, with);
	}
	strbuf_addstr(&sb, p);
	snprintf(e->msg, sizeof(e->msg), "%s", strbuf_str(&sb));
	strbuf_release(&sb);
}

/*
 * Sets the message, appends libgit2's own when there is one, and masks
 * the url's password and the credentials from the environment in it.
 */
static int git_fail(struct err *e, const struct gitsrc *g, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int git_fail(struct err *e, const struct gitsrc *g, const char *fmt, ...)
{
	const git_error *ge = git_error_last();
	size_t n;
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (ge && ge->message && *ge->message) {
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", ge->message);
	}
	if (g->secret) {
		mask(e, g->raw_url, g->url);
		mask(e, g->secret, "***");
	}
	mask(e, getenv("USERPRUNE_GIT_TOKEN"), "***");
	mask(e, getenv("USERPRUNE_GIT_SSH_PASSPHRASE"), "***");
	return -1;
}

/*
 * Finds the userinfo ("user:password") and host of a scheme://... url.
 * Returns 0 when the url has no "://".
 */
static int url_split(const char *url, const char **ui, size_t *ui_len,
		     const char **host, size_t *host_len)
{
	const char *p = strstr(url, "://"), *end, *at;

	if (!p)
		return 0;
	p += 3;
	end = p + strcspn(p, "/?#");
	*ui = NULL;
	*ui_len = 0;
	for (at = end; at > p && at[-1] != '@'; at--)
		;
	if (at > p) {
		*ui = p;
		*ui_len = (size_t)(at - 1 - p);
		p = at;
	}
	*host = p;
	if (*p == '[')
		*host_len = strcspn(p, "]/") + (p[strcspn(p, "]/")] == ']');
	else
		*host_len = strcspn(p, ":/?#");
	return 1;
}

/*
 * The url as it may be shown: a password is replaced by "***", and so is
 * a lone http(s) user name, which is where tokens are often put.
 */
static char *url_display(const char *url, char **secret)
{
	const char *ui, *host, *colon;
	size_t ui_len, host_len;
	int http;

	*secret = NULL;
	if (!url_split(url, &ui, &ui_len, &host, &host_len) || !ui)
		return xstrdup(url);
	colon = memchr(ui, ':', ui_len);
	if (colon) {
		*secret =
			xstrndup(colon + 1, ui_len - (size_t)(colon + 1 - ui));
		return xasprintf("%.*s:***%s", (int)(colon - url), url,
				 ui + ui_len);
	}
	http = !strncasecmp(url, "http://", 7) ||
	       !strncasecmp(url, "https://", 8);
	if (!http)
		return xstrdup(url);
	*secret = xstrndup(ui, ui_len);
	return xasprintf("%.*s***%s", (int)(ui - url), url, ui + ui_len);
}

static int host_is_loopback(const char *host, size_t len)
{
	size_t i;

	if ((len == 9 && !strncasecmp(host, "localhost", 9)) ||
	    (len == 5 && !strncmp(host, "[::1]", 5)))
		return 1;
	if (len < 5 || strncmp(host, "127.", 4))
		return 0;
	for (i = 4; i < len; i++)
		if (host[i] != '.' && (host[i] < '0' || host[i] > '9'))
			return 0;
	return 1;
}

/*
 * Returns 1 for a url to clone into the cache, 0 for a local path, or an
 * error for a scheme we refuse.
 */
static int url_is_remote(const char *url, const char *shown, struct err *e)
{
	static const char *const ok[] = { "file://", "https://", "ssh://",
					  "ssh+git://", "git+ssh://" };
	const char *ui, *host, *colon, *slash;
	size_t i, ui_len, host_len;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strncasecmp(url, ok[i], strlen(ok[i])))
			return 1;
	if (!strncasecmp(url, "http://", 7)) {
		url_split(url, &ui, &ui_len, &host, &host_len);
		if (host_is_loopback(host, host_len))
			return 1;
		return err_set(e,
			       "git url '%s': plain http is only allowed to "
			       "localhost, use https",
			       shown);
	}
	if (strstr(url, "://"))
		return err_set(e,
			       "git url '%s': unsupported scheme, use "
			       "https://, ssh://, file:// or a local path",
			       shown);
	/* git's rule: a colon before the first slash makes it scp-like. */
	colon = strchr(url, ':');
	slash = strchr(url, '/');
	return colon && (!slash || colon < slash);
}

static int cred_cb(git_credential **out, const char *url,
		   const char *user_from_url, unsigned int allowed,
		   void *payload)
{
	struct cred_state *cs = payload;
	const char *ui, *host, *user, *key, *token;
	size_t ui_len, host_len = 0;
	char *pub = NULL;
	int rc;

	if (++cs->attempts > CRED_MAX_ATTEMPTS) {
		git_error_set_str(GIT_ERROR_NET, "authentication failed");
		return GIT_EAUTH;
	}
	/* After an off-site redirect, keep the credentials to ourselves. */
	if (url_split(url, &ui, &ui_len, &host, &host_len) && cs->host &&
	    (strlen(cs->host) != host_len ||
	     strncasecmp(cs->host, host, host_len))) {
		git_error_set_str(GIT_ERROR_NET,
				  "credentials requested by another host");
		return GIT_EAUTH;
	}
	user = user_from_url && *user_from_url ? user_from_url : "git";
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		key = getenv("USERPRUNE_GIT_SSH_KEY");
		if (key && *key && !cs->tried_key) {
			cs->tried_key = 1;
			pub = xasprintf("%s.pub", key);
			rc = git_credential_ssh_key_new(
				out, user, access(pub, R_OK) ? NULL : pub, key,
				getenv("USERPRUNE_GIT_SSH_PASSPHRASE"));
			free(pub);
			return rc;
		}
		if (getenv("SSH_AUTH_SOCK") && !cs->tried_agent) {
			cs->tried_agent = 1;
			return git_credential_ssh_key_from_agent(out, user);
		}
	}
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		token = getenv("USERPRUNE_GIT_TOKEN");
		user = getenv("USERPRUNE_GIT_USER");
		if (!user || !*user)
			user = "x-access-token";
		if (token && *token && !cs->tried_token) {
			cs->tried_token = 1;
			return git_credential_userpass_plaintext_new(out, user,
								     token);
		}
	}
	if (cs->tried_token || cs->tried_key || cs->tried_agent)
		git_error_set_str(GIT_ERROR_NET,
				  "authentication failed with the credentials "
				  "from the environment");
	else
		git_error_set_str(
			GIT_ERROR_NET,
			"authentication required: set "
			"USERPRUNE_GIT_TOKEN (https), "
			"USERPRUNE_GIT_SSH_KEY or an ssh agent (ssh)");
	return GIT_EAUTH;
}

/* "refs/heads/main" -> "main"; anything else as it is. */
static const char *branch_name(const char *refname)
{
	if (!strncmp(refname, REFS_HEADS, strlen(REFS_HEADS)))
		return refname + strlen(REFS_HEADS);
	return refname;
}

static char *first_line(const char *msg)
{
	size_t n;

	if (!msg)
		return xstrdup("");
	n = strcspn(msg, "\n");
	while (n &&
	       (msg[n - 1] == '\r' || msg[n - 1] == ' ' || msg[n - 1] == '\t'))
		n--;
	return xstrndup(msg, n);
}

/* Resolves ref (NULL: HEAD) to a commit and fills in the info. */
static int resolve(struct gitsrc *g, const char *ref, struct err *e)
{
	git_reference *head = NULL;
	git_object *obj = NULL, *peeled = NULL;
	const git_signature *sig;
	const char *target = NULL;
	int rc = -1, grc;

	git_error_clear();
	if (ref) {
		g->ref = xstrdup(ref);
	} else if (git_reference_lookup(&head, g->repo, "HEAD") == 0 &&
		   git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
		target = git_reference_symbolic_target(head);
		g->ref = xstrdup(branch_name(target));
	} else {
		g->ref = xstrdup("HEAD");
	}
	git_error_clear();
	grc = git_revparse_single(&obj, g->repo, ref ? ref : "HEAD");
	if (grc == GIT_ENOTFOUND && !ref && target) {
		err_set(e, "git ref 'HEAD' in '%s': branch '%s' has no commits",
			g->url, g->ref);
		goto out;
	}
	if (grc == GIT_ENOTFOUND) {
		err_set(e, "git ref '%s' in '%s': not found", g->ref, g->url);
		goto out;
	}
	if (grc < 0) {
		git_fail(e, g, "git ref '%s' in '%s'", g->ref, g->url);
		goto out;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		err_set(e, "git ref '%s' in '%s': not a commit", g->ref,
			g->url);
		goto out;
	}
	g->commit = (git_commit *)peeled;
	peeled = NULL;
	if (git_commit_tree(&g->tree, g->commit) < 0) {
		git_fail(e, g, "git ref '%s' in '%s'", g->ref, g->url);
		goto out;
	}
	git_oid_tostr(g->commit_hex, sizeof(g->commit_hex),
		      git_commit_id(g->commit));
	sig = git_commit_author(g->commit);
	g->author = xasprintf("%s <%s>", sig->name, sig->email);
	g->subject = first_line(git_commit_message(g->commit));
	g->info.url = g->url;
	g->info.ref = g->ref;
	g->info.commit = g->commit_hex;
	g->info.author = g->author;
	g->info.subject = g->subject;
	g->info.time = (long long)git_commit_time(g->commit);
	rc = 0;
out:
	git_object_free(peeled);
	git_object_free(obj);
	git_reference_free(head);
	return rc;
}

static int open_local(struct gitsrc *g, const char *path, struct err *e)
{
	int grc;

	git_error_clear();
	grc = git_repository_open_ext(&g->repo, path,
				      GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (grc == GIT_ENOTFOUND)
		return err_set(e,
			       "git repository '%s': could not find "
			       "repository",
			       g->url);
	if (grc < 0)
		return git_fail(e, g, "git repository '%s'", g->url);
	return 0;
}

static int cache_path(char **out, const char *url, struct err *e)
{
	const char *base = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char hex[65];

	sha256_hex(url, strlen(url), hex);
	/* The XDG spec says relative values are to be ignored. */
	if (base && base[0] == '/')
		*out = xasprintf("%s/userprune/git/%.16s", base, hex);
	else if (home && *home)
		*out = xasprintf("%s/.cache/userprune/git/%.16s", home, hex);
	else
		return err_set(e, "git cache: neither XDG_CACHE_HOME nor HOME "
				  "is set");
	return 0;
}

/* rm -rf, for a cache directory this process has just created. */
static void remove_tree(const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *sub;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", path, de->d_name);
		remove_tree(sub);
		free(sub);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

/*
 * Fetches everything the remote has under refs/heads and refs/tags, so
 * that the cache mirrors it, and points HEAD at the remote's default
 * branch. The url is not stored in the repository's config nor in
 * FETCH_HEAD: it may hold a password.
 */
static int fetch(struct gitsrc *g, const char *url, int fresh, struct err *e)
{
	static char *specs[] = { "+refs/heads/*:refs/heads/*",
				 "+refs/tags/*:refs/tags/*" };
	git_strarray refspecs = { specs, 2 };
	git_remote_create_options ro;
	git_fetch_options fo;
	struct cred_state cs = { 0 };
	git_remote *remote = NULL;
	git_buf def = GIT_BUF_INIT;
	const char *ui, *host;
	size_t ui_len, host_len;
	char *hostbuf = NULL;
	int rc = -1;

	if (url_split(url, &ui, &ui_len, &host, &host_len)) {
		hostbuf = xstrndup(host, host_len);
		cs.host = hostbuf;
	}
	/*
	 * The url is fetched as given, without the user's url.insteadOf
	 * rewrites (whose lookup also leaks memory in libgit2 1.5, fixed by
	 * libgit2 pull request 6382).
	 */
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = g->repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks.credentials = cred_cb;
	fo.callbacks.payload = &cs;
	fo.prune = GIT_FETCH_PRUNE;
	fo.update_fetchhead = 0;
	/* The tags refspec fetches them all; no auto-following on top. */
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.proxy_opts.type = GIT_PROXY_AUTO;
	git_error_clear();
	if (git_remote_create_with_opts(&remote, url, &ro) < 0 ||
	    git_remote_fetch(remote, &refspecs, &fo, "userprune: fetch") < 0) {
		git_fail(e, g, "git repository '%s': could not %s", g->url,
			 fresh ? "clone" : "fetch");
		goto out;
	}
	if (git_remote_default_branch(&def, remote) == 0 &&
	    !strncmp(def.ptr, REFS_HEADS, strlen(REFS_HEADS)) &&
	    git_repository_set_head(g->repo, def.ptr) < 0) {
		git_fail(e, g, "git repository '%s': cache", g->url);
		goto out;
	}
	rc = 0;
out:
	git_buf_dispose(&def);
	git_remote_free(remote);
	free(hostbuf);
	return rc;
}

/*
 * Brings the cache up to date and resolves the ref, holding a lock so that
 * two runs do not fetch into the same cache at once. The lock is released
 * on return: fetching never removes objects, so a resolved commit stays
 * readable, and a second gitsrc_open of the same url in this process
 * must not wait for the first to be freed.
 */
static int open_remote(struct gitsrc *g, const char *url, const char *ref,
		       struct err *e)
{
	char *dir = NULL, *lock = NULL;
	int fd = -1, fresh = 0, rc = -1;

	if (cache_path(&dir, url, e) < 0)
		goto out;
	lock = xasprintf("%s.lock", dir);
	if (mkdir_parents(lock, e) < 0) {
		err_prefix(e, "git cache");
		goto out;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(e, "git cache '%s': %s", lock, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX) < 0) {
		err_set(e, "git cache '%s': %s", lock, strerror(errno));
		goto out;
	}
	if (mkdir(dir, 0700) == 0) {
		fresh = 1;
	} else if (errno != EEXIST) {
		err_set(e, "git cache '%s': %s", dir, strerror(errno));
		goto out;
	}
	git_error_clear();
	if (fresh || git_repository_open_bare(&g->repo, dir) < 0) {
		if (git_repository_init(&g->repo, dir, 1) < 0) {
			git_fail(e, g, "git cache '%s'", dir);
			goto out;
		}
	}
	if (fetch(g, url, fresh, e) < 0)
		goto out;
	if (resolve(g, ref, e) < 0)
		goto out;
	rc = 0;
out:
	/* A failed first clone leaves nothing behind to be mistaken later. */
	if (rc && fresh) {
		git_repository_free(g->repo);
		g->repo = NULL;
		remove_tree(dir);
	}
	if (fd >= 0)
		close(fd);
	free(lock);
	free(dir);
	return rc;
}

int gitsrc_open(struct gitsrc **out, const char *url, const char *ref,
		struct err *e)
{
	struct gitsrc *g = xcalloc(1, sizeof(*g));
	int rc = -1, remote;

	*out = NULL;
	g->url = url_display(url, &g->secret);
	g->raw_url = url;
	if (git_libgit2_init() < 0) {
		git_fail(e, g, "git repository '%s': libgit2", g->url);
		goto out;
	}
	g->initialised = 1;
	if (!*url) {
		err_set(e, "git repository '': empty url");
		goto out;
	}
	remote = url_is_remote(url, g->url, e);
	if (remote < 0)
		goto out;
	if (remote) {
		if (open_remote(g, url, ref, e) < 0)
			goto out;
	} else if (open_local(g, url, e) < 0 || resolve(g, ref, e) < 0) {
		goto out;
	} else {
		g->local = 1;
	}
	rc = 0;
out:
	if (g->secret) {
		memset(g->secret, 0, strlen(g->secret));
		free(g->secret);
		g->secret = NULL;
	}
	g->raw_url = NULL;
	if (rc)
		gitsrc_free(g);
	else
		*out = g;
	return rc;
}

/*
 * Resolves "." and ".." in path. Absolute paths and paths leaving the
 * repository are refused; the root itself comes back as "".
 */
int gitsrc_normalise_path(char **out, const char *path, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	size_t n;
	int rc = -1;

	if (path[0] == '/') {
		err_set(e, "%s: must be relative to the repository root", path);
		goto out;
	}
	for (p = path; *p; p += n) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!sb.len) {
				err_set(e, "%s: leaves the repository", path);
				goto out;
			}
			while (sb.len && sb.buf[sb.len - 1] != '/')
				sb.len--;
			if (sb.len)
				sb.len--;
			sb.buf[sb.len] = '\0';
			continue;
		}
		if (sb.len)
			strbuf_addch(&sb, '/');
		strbuf_add(&sb, p, n);
	}
	*out = strbuf_detach(&sb, NULL);
	rc = 0;
out:
	strbuf_release(&sb);
	return rc;
}

static void too_large(struct err *e, const char *path, unsigned long long size,
		      size_t max)
{
	if (max >= (1 << 20) && !(max & ((1 << 20) - 1)))
		err_set(e,
			"%s: file is larger than %zu MiB (it has %llu bytes)",
			path, max >> 20, size);
	else
		err_set(e,
			"%s: file is larger than %zu bytes (it has %llu bytes)",
			path, max, size);
}

int gitsrc_read(struct gitsrc *g, const char *path, size_t max, char **data,
		size_t *len, struct err *e)
{
	git_tree_entry *ent = NULL;
	git_odb *odb = NULL;
	git_blob *blob = NULL;
	char *norm = NULL, *buf;
	git_object_size_t size;
	git_object_t type;
	size_t hsize;
	int rc = -1, grc;

	*data = NULL;
	if (len)
		*len = 0;
	if (gitsrc_normalise_path(&norm, path, e) < 0)
		goto out;
	if (!*norm) {
		err_set(e, "%s: is a directory at %.7s (%s)", path,
			g->commit_hex, g->ref);
		goto out;
	}
	git_error_clear();
	grc = git_tree_entry_bypath(&ent, g->tree, norm);
	if (grc == GIT_ENOTFOUND) {
		err_set(e, "%s: no such file at %.7s (%s)", path, g->commit_hex,
			g->ref);
		rc = GITSRC_NOT_FOUND;
		goto out;
	}
	if (grc < 0) {
		git_fail(e, g, "%s", path);
		goto out;
	}
	switch (git_tree_entry_filemode(ent)) {
	case GIT_FILEMODE_TREE:
		err_set(e, "%s: is a directory at %.7s (%s)", path,
			g->commit_hex, g->ref);
		goto out;
	case GIT_FILEMODE_COMMIT:
		err_set(e, "%s: is a submodule at %.7s (%s)", path,
			g->commit_hex, g->ref);
		goto out;
	case GIT_FILEMODE_LINK:
		err_set(e, "%s: is a symbolic link at %.7s (%s)", path,
			g->commit_hex, g->ref);
		goto out;
	default:
		break;
	}
	/* the size first: looking a blob up inflates all of it */
	if (git_repository_odb(&odb, git_tree_owner(g->tree)) < 0 ||
	    git_odb_read_header(&hsize, &type, odb, git_tree_entry_id(ent)) <
		    0) {
		git_fail(e, g, "%s", path);
		goto out;
	}
	if (type != GIT_OBJECT_BLOB) {
		err_set(e, "%s: is not a file at %.7s (%s)", path,
			g->commit_hex, g->ref);
		goto out;
	}
	if (hsize > max) {
		too_large(e, path, hsize, max);
		goto out;
	}
	if (git_blob_lookup(&blob, git_tree_owner(g->tree),
			    git_tree_entry_id(ent)) < 0) {
		git_fail(e, g, "%s", path);
		goto out;
	}
	size = git_blob_rawsize(blob);
	if (size > max) {
		too_large(e, path, size, max);
		goto out;
	}
	buf = xmalloc((size_t)size + 1);
	memcpy(buf, git_blob_rawcontent(blob), (size_t)size);
	buf[size] = '\0';
	*data = buf;
	if (len)
		*len = (size_t)size;
	rc = 0;
out:
	git_blob_free(blob);
	git_odb_free(odb);
	git_tree_entry_free(ent);
	free(norm);
	return rc;
}

int gitsrc_workdir_differs(struct gitsrc *g, const char *path, const char *data,
			   size_t len)
{
	const char *wd = g->local ? git_repository_workdir(g->repo) : NULL;
	char *norm = NULL, *full = NULL, *have = NULL;
	size_t hlen = 0;
	struct err e;
	int rc = 0;

	if (!wd || gitsrc_normalise_path(&norm, path, &e) < 0)
		return 0;
	full = xasprintf("%s%s%s", wd,
			 wd[0] && wd[strlen(wd) - 1] == '/' ? "" : "/", norm);
	/* a file that is gone from the working tree differs too */
	if (file_read(full, len + 1, &have, &hlen, &e) < 0 || hlen != len ||
	    memcmp(have, data, len))
		rc = 1;
	free(norm);
	free(full);
	free(have);
	return rc;
}

const struct gitsrc_info *gitsrc_info(const struct gitsrc *g)
{
	return &g->info;
}

void gitsrc_free(struct gitsrc *g)
{
	if (!g)
		return;
	git_tree_free(g->tree);
	git_commit_free(g->commit);
	git_repository_free(g->repo);
	if (g->initialised)
		git_libgit2_shutdown();
	free(g->url);
	free(g->ref);
	free(g->author);
	free(g->subject);
	free(g);
}

const char *gitsrc_version(void)
{
	static char buf[32];
	int major, minor, rev;

	git_libgit2_version(&major, &minor, &rev);
	snprintf(buf, sizeof(buf), "%d.%d.%d", major, minor, rev);
	return buf;
}
