/*
 * util/jsonscan: jscan_value over a sequence of values, as the snapshot
 * reader walks a document; every end it returns must lie inside the input
 * and after the value's start.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "util/jsonscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = xmalloc(size ? size : 1);
	const char *p, *q, *end;

	if (size)
		memcpy(buf, data, size);
	end = buf + size;
	for (p = buf; p < end; p = q) {
		const char *start = jscan_ws(p, end);

		if (start < p || start > end)
			abort();
		q = jscan_value(p, end);
		if (!q)
			break;
		if (q <= start || q > end)
			abort();
		jscan_line(buf, q);
		q = jscan_ws(q, end);
		if (q < end && (*q == ',' || *q == ':'))
			q++;
	}
	free(buf);
	return 0;
}
