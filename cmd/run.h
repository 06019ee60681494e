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

#endif
