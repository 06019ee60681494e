/*
 * The live-users snapshot (plan --live): snapshot_open on the input as a
 * file, then every tenant's users loaded, and one tenant that is not
 * there. A snapshot whose every tenant loads must be JSON (cJSON reads
 * it): walking it without a tree must not accept what a JSON parser
 * refuses.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reconcile/snapshot.h"
#include "tests/fuzz/fuzz.h"

static bool is_json(const uint8_t *data, size_t size)
{
	const char *end = NULL, *p = (const char *)data;
	cJSON *root = cJSON_ParseWithLengthOpts(p, size, &end, false);

	while (root && end < p + size && strchr(" \t\r\n", *end))
		end++;
	cJSON_Delete(root);
	return root && end == p + size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot s;
	struct err e;
	size_t i, loaded = 0;

	if (snapshot_open(&s, fuzz_tmpfile(data, size), &e) < 0)
		return 0;
	for (i = 0; i <= s.n; i++) {
		struct userstore users;

		userstore_init(&users);
		if (snapshot_users(&s, i < s.n ? s.tenants[i].name : "\n",
				   &users, &e) == 0)
			loaded++;
		userstore_release(&users);
	}
	if (loaded == s.n && !is_json(data, size)) {
		fprintf(stderr, "a snapshot that is not JSON was read\n");
		abort();
	}
	snapshot_release(&s);
	return 0;
}
