/*
 * What long-running commands share: signals, the progress line, traces and
 * messages from a run, all on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/run.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

volatile sig_atomic_t cmd_stop;

static bool progress_shown;

static void on_signal(int sig)
{
	(void)sig;
	/* the first: finish what is in flight; the second: stop now (the
	   engine abandons its requests and the journal is still closed) */
	if (cmd_stop < 2)
		cmd_stop++;
}

void cmd_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: waits return so the flag is seen at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/*
	 * A reader that went away (stderr piped into head, a log collector
	 * that stopped) must not end a run between two journal lines: a
	 * write to it fails, the run goes on.
	 */
	signal(SIGPIPE, SIG_IGN);
}

static void clear_progress(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = false;
	}
}

static void trace(void *arg, const char *line)
{
	(void)arg;
	clear_progress();
	cmd_message_line("", line);
}

static void message(void *arg, enum message_level level, const char *text)
{
	(void)arg;
	if (level == MSG_INFO && globals.quiet)
		return;
	clear_progress();
	cmd_message_line(level == MSG_WARNING ? "warning: "
			 : level == MSG_ERROR ? "error: "
					      : "",
			 text);
}

/* The columns of the terminal on stderr: a line longer wraps. */
static size_t term_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	long c;

	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	c = cols ? strtol(cols, NULL, 10) : 0;
	return c > 0 && c < 10000 ? (size_t)c : 80;
}

static bool finished(const struct progress *p)
{
	return strcmp(p->phase, "listing") && strcmp(p->phase, "deleting") &&
	       strcmp(p->phase, "verifying");
}

/* One tenant's part: "qa: deleting 120/550, 9/s, 48 s left". */
static void segment(struct strbuf *sb, const struct progress *p)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s: %s %lu", p->tenant, p->phase, p->done);
	if (p->total >= 0)
		strbuf_addf(sb, "/%ld", p->total);
	if (p->rate <= 0)
		return;
	strbuf_addf(sb, ", %.0f/s", p->rate);
	if (!finished(p) && p->total > (long)p->done) {
		double left = (double)(p->total - (long)p->done) / p->rate;

		if (left < 1)
			strbuf_addstr(sb, ", under a second left");
		else if (left < 120)
			strbuf_addf(sb, ", %.0f s left", left);
		else
			strbuf_addf(sb, ", %.0f min left", left / 60);
	}
}

/*
 * One line, never wider than the terminal (a wrapped line is not cleared
 * by the next one, and the screen fills with them): the tenants at work
 * first, then finished ones, as many as fit, then how many more.
 */
static void progress(void *arg, const struct progress *p, size_t n)
{
	struct strbuf line = STRBUF_INIT, seg = STRBUF_INIT;
	size_t width = term_width(), i, shown = 0;
	char more[64];
	int pass;

	(void)arg;
	width = width > 21 ? width - 1 : 20;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			size_t room;

			if (finished(&p[i]) != (pass == 1))
				continue;
			segment(&seg, &p[i]);
			/* room for " | +N more" unless none can follow */
			snprintf(more, sizeof(more), " | +%zu more",
				 n - shown - 1);
			room = shown + 1 == n		  ? width
			       : width > 2 * strlen(more) ? width - strlen(more)
							  : width / 2;
			if (!line.len && seg.len > room)
				seg.len = room; /* the first is cut, not left */
			else if (line.len + 3 + seg.len > room)
				continue;
			if (line.len)
				strbuf_addstr(&line, " | ");
			strbuf_add(&line, seg.buf, seg.len);
			shown++;
		}
	if (shown < n) {
		snprintf(more, sizeof(more), "%s+%zu more",
			 line.len ? " | " : "", n - shown);
		strbuf_addstr(&line, more);
	}
	if (line.len > width)
		line.len = width;
	fprintf(stderr, "\r\033[K%.*s", (int)line.len, line.buf);
	progress_shown = true;
	strbuf_release(&line);
	strbuf_release(&seg);
}

void cmd_progress_done(void)
{
	clear_progress();
}

void cmd_run_hooks(struct run_hooks *h)
{
	memset(h, 0, sizeof(*h));
	h->message = message;
	if (globals.verbose)
		h->trace = trace;
	if (!globals.quiet && isatty(2) && getenv("TERM") &&
	    strcmp(getenv("TERM"), "dumb"))
		h->progress = progress;
	h->stop = &cmd_stop;
}

/*
 * Waits for input on stdin, or a signal: one that came between printing
 * the question and starting to read must not leave the read blocked.
 */
static bool input_ready(void)
{
	struct pollfd pfd = { 0, POLLIN, 0 };

	while (!cmd_stop) {
		int r = poll(&pfd, 1, 100);

		if (r > 0 || (r < 0 && errno != EINTR))
			return true;
	}
	return false;
}

bool cmd_confirm(const char *question)
{
	char line[64];

	fprintf(stderr, "%s Only 'yes' is accepted: ", question);
	fflush(stderr);
	if (!input_ready() || !fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return !strcmp(line, "yes");
}

int cmd_lock_plan_checksum(const struct plan *p)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	char *path;
	struct err e;
	int fd;

	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	path = xasprintf("%s/userprune-%lu-plan-%.32s.lock", dir,
			 (unsigned long)getuid(), p->checksum);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		cmd_error("%s: %s", path, strerror(errno));
	} else if (file_lock(fd, path, &e) < 0) {
		cmd_error("plan %.12s is being applied by another userprune, "
			  "or restored (%s): one apply or restore per plan at "
			  "a time",
			  p->checksum, path);
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}
