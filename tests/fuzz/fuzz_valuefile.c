/*
 * Keep and protect value files: valuefile_parse on the input, as text or
 * as CSV with a column picked by name or not at all.
 *
 * Input: one byte (bit 0: CSV; bits 1-2: the column: none, "email",
 * "User id", or the input's first line), then the file.
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/match.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const columns[] = { NULL, "email", "User id" };
	struct file_value *values = NULL;
	struct arena arena;
	const char *column;
	char *file, *line = NULL;
	size_t n = 0, i;
	struct err e;
	bool csv;

	if (size < 1)
		return 0;
	csv = data[0] & 1;
	i = (data[0] >> 1) & 3;
	data++;
	size--;
	if (i < 3) {
		column = columns[i];
	} else {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t ll = nl ? (size_t)(nl - data) : size;

		column = line = fuzz_strndup(data, ll);
		data += nl ? ll + 1 : ll;
		size -= nl ? ll + 1 : ll;
	}
	file = xmalloc(size ? size : 1);
	if (size)
		memcpy(file, data, size);
	arena_init(&arena);
	if (valuefile_parse("fuzz.csv", file, size, csv, column, &arena,
			    &values, &n, &e) == 0) {
		for (i = 0; i < n; i++)
			if (!*values[i].s || values[i].line < 1)
				abort();
	}
	free(values);
	arena_release(&arena);
	free(file);
	free(line);
	return 0;
}
