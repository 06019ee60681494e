/*
 * What long-running commands share: signals, the progress line, traces and
 * messages from a run, all on stderr.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/run.h"

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
