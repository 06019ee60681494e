#include <string.h>

#include "util/jsonscan.h"

#define MAX_DEPTH 256

const char *jscan_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
	}
	return NULL;
}

const char *jscan_value(const char *p, const char *end)
{
	char stack[MAX_DEPTH];
	int depth = 0;

	p = jscan_ws(p, end);
	do {
		if (p >= end)
			return NULL;
		switch (*p) {
		case '"':
			p = string_end(p, end);
			if (!p)
				return NULL;
			break;
		case '{':
		case '[':
			if (depth == MAX_DEPTH)
				return NULL;
			stack[depth++] = *p == '{' ? '}' : ']';
			p++;
			break;
		case '}':
		case ']':
			if (!depth || stack[depth - 1] != *p)
				return NULL;
			depth--;
			p++;
			break;
		case ',':
		case ':':
			if (!depth)
				return NULL;
			p++;
			break;
		case ' ':
		case '\t':
		case '\n':
		case '\r':
			p = jscan_ws(p, end);
			break;
		default:
			/* numbers, true, false, null */
			/* strchr finds the terminating NUL too: refuse it */
			if (!*p || !strchr("-0123456789tfnealsru.+E", *p))
				return NULL;
			while (p < end && *p &&
			       strchr("-0123456789tfnealsru.+E", *p))
				p++;
		}
	} while (depth);
	return p;
}

int jscan_line(const char *start, const char *p)
{
	int line = 1;

	for (; start < p; start++)
		if (*start == '\n')
			line++;
	return line;
}
