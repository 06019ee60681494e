/*
 * output: a plan printed in text, JSON or markdown (parts, or files in a
 * directory with --split-dir).
 */
#ifndef USERPRUNE_CMD_OUTPUT_H
#define USERPRUNE_CMD_OUTPUT_H

#include "cmd/cmd.h"
#include "reconcile/plan.h"

/* Returns 0 or EXIT_ERROR (already reported). */
int cmd_print_plan(struct plan *p, enum plan_format f, const char *split_dir,
		   const char *plan_file);

#endif
