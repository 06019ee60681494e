/*
 * The plan file reader: plan_parse, then what show and apply do with a plan
 * they read (text and markdown renderings, writing it again), and the plan
 * written must read back.
 *
 * Input: one mode byte, then the file. With bit 0 of the mode set, the
 * input is the body only and the checksum member is appended, with the
 * right checksum, so that the parser past the checksum gets exercised.
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/plan.h"
#include "tests/fuzz/fuzz.h"
#include "util/sha256.h"

/* As plan.c writes the tail: the body, then these around the checksum. */
#define TAIL_HEAD ",\n  \"checksum\": \""
#define TAIL_END  "\"\n}\n"

static void use_plan(struct plan *p, unsigned mode)
{
	struct render_opts o = { mode & 2, mode & 4, "plan.json", 0 };
	struct strbuf sb = STRBUF_INIT;
	struct plan again;
	struct err e;
	char **parts;
	size_t n, i;

	plan_render_text(p, &o, &sb);
	strbuf_reset(&sb);
	plan_render_markdown(p, &parts, &n);
	for (i = 0; i < n; i++) {
		if (strlen(parts[i]) > MARKDOWN_PART_MAX)
			abort();
		free(parts[i]);
	}
	free(parts);
	plan_total_deletes(p);
	plan_refused(p);
	plan_has_errors(p);
	plan_to_json(p, &sb);
	if (plan_parse(&again, sb.buf, sb.len, "again", NULL, &e) < 0) {
		fprintf(stderr, "a plan read did not read back: %s\n", e.msg);
		abort();
	}
	plan_release(&again);
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan p;
	struct err e;
	unsigned mode;
	char *buf;
	size_t len;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	len = size;
	if (mode & 1)
		len += strlen(TAIL_HEAD) + 64 + strlen(TAIL_END);
	buf = xmalloc(len ? len : 1);
	if (size)
		memcpy(buf, data, size);
	if (mode & 1) {
		char sum[65];
		char *t = buf + size;

		sha256_hex(buf, size, sum);
		memcpy(t, TAIL_HEAD, strlen(TAIL_HEAD));
		t += strlen(TAIL_HEAD);
		memcpy(t, sum, 64);
		t += 64;
		memcpy(t, TAIL_END, strlen(TAIL_END));
	}
	if (plan_parse(&p, buf, len, "fuzz.json", NULL, &e) == 0) {
		use_plan(&p, mode);
		plan_release(&p);
	}
	free(buf);
	return 0;
}
