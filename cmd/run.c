/*
 * What long-running commands share: signals, the progress line, traces and
 * messages from a run, all on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/run.h"
#include "util/fileio.h"
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

static void progress(void *arg, const struct progress *p, size_t n)
{
	char line[512];
	size_t i, len = 0;

	(void)arg;
	line[0] = '\0';
	for (i = 0; i < n && len < sizeof(line) - 80; i++) {
		int w;

		if (p[i].total >= 0)
			w = snprintf(line + len, sizeof(line) - len,
				     "%s%s: %s %lu/%ld", i ? " | " : "",
				     p[i].tenant, p[i].phase, p[i].done,
				     p[i].total);
		else
			w = snprintf(line + len, sizeof(line) - len,
				     "%s%s: %s %lu", i ? " | " : "",
				     p[i].tenant, p[i].phase, p[i].done);
		len += (size_t)w;
		if (p[i].rate > 0) {
			w = snprintf(line + len, sizeof(line) - len, ", %.0f/s",
				     p[i].rate);
			len += (size_t)w;
			if (p[i].total > (long)p[i].done) {
				double left =
					(double)(p[i].total - (long)p[i].done) /
					p[i].rate;

				len += (size_t)snprintf(
					line + len, sizeof(line) - len,
					left < 1     ? ", under a second left"
					: left < 120 ? ", %.0f s left"
						     : ", %.0f min left",
					left < 120 ? left : left / 60);
			}
		}
	}
	fprintf(stderr, "\r\033[K%s", line);
	progress_shown = true;
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
