/*
 * run: signals, progress, traces and messages for long commands.
 */
#ifndef USERPRUNE_CMD_RUN_H
#define USERPRUNE_CMD_RUN_H

#include <signal.h>
#include <stdlib.h>

#include "cmd/cmd.h"

/*
 * SIGINT/SIGTERM received: 1 after the first (requests in flight finish),
 * 2 after the second (they are abandoned).
 */
extern volatile sig_atomic_t cmd_stop;

void cmd_catch_signals(void);
/* Hooks that print to stderr per the global options. */
void cmd_run_hooks(struct run_hooks *h);
/* Clears the progress line before printing the result. */
void cmd_progress_done(void);

/*
 * Asks question on stderr and reads the answer from stdin: true only for
 * the word yes. A signal while waiting (cmd_stop) answers no.
 */
bool cmd_confirm(const char *question);

/*
 * One apply or restore per plan, whatever file holds it (two downloads
 * of one artifact, a re-run on the same runner): a lock named by the
 * plan's checksum in the user's runtime or temporary directory, held for
 * the run. Returns the descriptor (closing it releases the lock), or -1
 * after a message.
 */
int cmd_lock_plan_checksum(const struct plan *p);

#endif
