/*
 * The live-users snapshot (plan --live): snapshot_open on the input as a
 * file, then every tenant's users loaded, and one tenant that is not
 * there.
 */
#include <stdlib.h>

#include "reconcile/snapshot.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot s;
	struct err e;
	size_t i;

	if (snapshot_open(&s, fuzz_tmpfile(data, size), &e) < 0)
		return 0;
	for (i = 0; i <= s.n; i++) {
		struct userstore users;

		userstore_init(&users);
		snapshot_users(&s, i < s.n ? s.tenants[i].name : "\n", &users,
			       &e);
		userstore_release(&users);
	}
	snapshot_release(&s);
	return 0;
}
