/*
 * Journals as apply finds them: journal_load (what --resume reads: torn
 * lines skipped, the last outcome of a user counting, resumed journals
 * followed) on the input as a file, for a plan whose checksum is CHECKSUM,
 * then a few lookups; journal_report_load (what show JOURNAL and the end
 * of apply read), which must find the same last outcome of every user;
 * then journal_open on the same file (the owner check and the closing of
 * a torn last line), whose result must read back. Restore's reading
 * (journal_load_entries, either kind) on the same input keeps only
 * well-formed entries.
 */
#include "reconcile/journal.h"
#include "reconcile/journal_report.h"
#include "tests/fuzz/fuzz.h"

/* The report of a journal --resume can read says what --resume reads. */
static void check_report(const char *path, const struct journal_done *d)
{
	struct journal_report r;
	struct err e;
	size_t i;

	if (journal_report_load(&r, path, &e) < 0) {
		if (d) {
			fprintf(stderr, "report unreadable: %s\n", e.msg);
			abort();
		}
		return;
	}
	for (i = 0; d && i < r.nusers; i++)
		if (journal_outcome_of(d, r.users[i].tenant, r.users[i].id) !=
		    (int)r.users[i].outcome) {
			fprintf(stderr, "report and resume disagree on '%s'\n",
				r.users[i].id);
			abort();
		}
	journal_report_release(&r);
}

/* The plan of the seed journals (make demo). */
#define CHECKSUM                                                               \
	"4ba286fde63c9de226571e64187d98ec8132479c5f2712360e886be6bbe0a0ba"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_tmpfile(data, size);
	struct journal_done d;
	struct journal j;
	struct err e;
	bool loaded;

	/* what restore reads: each user's last line, of either kind */
	if (journal_load_entries(&d, path, JOURNAL_RESTORE, NULL, &e) == 0)
		journal_done_release(&d);
	if (journal_load_entries(&d, path, JOURNAL_APPLY, CHECKSUM, &e) == 0) {
		size_t i;

		for (i = 0; i < d.nentries; i++)
			if (!d.entries[i].tenant || !d.entries[i].id ||
			    (unsigned)d.entries[i].outcome >= OUTCOME_COUNT)
				abort();
		journal_done_release(&d);
	}
	loaded = journal_load(&d, path, CHECKSUM, &e) == 0;
	check_report(path, loaded ? &d : NULL);
	if (loaded) {
		journal_is_done(&d, "jira-qa", "47c5e04c6e2d849ff41c25fa");
		journal_is_done(&d, "", "");
		journal_step_done(&d, "bz", "mass_user_deletion");
		journal_done_release(&d);
	}
	if (journal_open(&j, path, "0123456789abcdef0123456789abcdef", CHECKSUM,
			 &e) < 0)
		return 0;
	journal_close(&j, NULL);
	/* what could be read before still can after a torn line is closed */
	if (loaded) {
		if (journal_load(&d, path, CHECKSUM, &e) < 0) {
			fprintf(stderr, "journal unreadable after open: %s\n",
				e.msg);
			abort();
		}
		journal_done_release(&d);
	}
	return 0;
}
