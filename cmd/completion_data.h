/*
 * completion_data: the shell completion scripts of completions/, built
 * into the binary by tools/embed.sh (the generated file is in the build
 * directory), so that `userprune completion SHELL` prints exactly what
 * `make install` installs.
 */
#ifndef USERPRUNE_COMPLETION_DATA_H
#define USERPRUNE_COMPLETION_DATA_H

extern const char completion_bash[]; /* completions/userprune.bash */
extern const char completion_zsh[];  /* completions/_userprune */
extern const char completion_fish[]; /* completions/userprune.fish */

#endif
