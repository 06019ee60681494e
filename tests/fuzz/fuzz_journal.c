/*
 * The journal loader of apply --resume: journal_load on the input as
 * a file, for a plan whose checksum is CHECKSUM, then a few lookups.
 */
#include "reconcile/journal.h"
#include "tests/fuzz/fuzz.h"

/* The plan of the seed journals (make demo). */
#define CHECKSUM                                                               \
	"4ba286fde63c9de226571e64187d98ec8132479c5f2712360e886be6bbe0a0ba"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal_done d;
	struct err e;

	if (journal_load(&d, fuzz_tmpfile(data, size), CHECKSUM, &e) < 0)
		return 0;
	journal_is_done(&d, "jira-qa", "47c5e04c6e2d849ff41c25fa");
	journal_is_done(&d, "", "");
	journal_step_done(&d, "bz", "MassUserDeletion");
	journal_done_release(&d);
	return 0;
}
