/*
 * The desired state's bytes to a tree of positioned nodes: the only code
 * that includes yaml.h. Aliases, anchors, duplicate keys and complex keys
 * are refused here, each reported at its position.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "reconcile/config_tree.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* ---- YAML events to a tree ---- */

void cfg_ynode_free(struct ynode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		cfg_ynode_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

static struct ynode *ynode_new(enum ynode_kind kind, const yaml_mark_t *m)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

static void ynode_push(struct ynode *parent, struct ynode *child)
{
	parent->items = xgrow(parent->items, &parent->cap, parent->n + 1,
			      sizeof(*parent->items));
	parent->items[parent->n++] = child;
}

static const char *event_problem(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return "YAML aliases are not allowed";
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor)
			return "YAML anchors are not allowed";
		if (ev->data.scalar.tag)
			return "YAML tags are not allowed";
		break;
	case YAML_SEQUENCE_START_EVENT:
		if (ev->data.sequence_start.anchor)
			return "YAML anchors are not allowed";
		if (ev->data.sequence_start.tag)
			return "YAML tags are not allowed";
		break;
	case YAML_MAPPING_START_EVENT:
		if (ev->data.mapping_start.anchor)
			return "YAML anchors are not allowed";
		if (ev->data.mapping_start.tag)
			return "YAML tags are not allowed";
		break;
	default:
		break;
	}
	return NULL;
}

/*
 * Builds the tree of the single document in data. Returns NULL (with
 * errors reported) when the YAML cannot be parsed; anchors, aliases and
 * tags are reported but parsing goes on so that later problems show too.
 */
struct ynode *cfg_parse_yaml(struct loader *L, const char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ynode *stack[64], *root = NULL, *n;
	int depth = 0, docs = 0;
	bool done = false, failed = false;
	const char *problem;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			struct ynode at = {
				.line = (int)parser.problem_mark.line + 1,
				.col = (int)parser.problem_mark.column + 1
			};

			if (parser.context && parser.context_mark.line !=
						      parser.problem_mark.line)
				cfg_error_at(L, &at,
					     "YAML syntax error: %s %s (which "
					     "started at line %d)",
					     parser.problem ? parser.problem
							    : "?",
					     parser.context,
					     (int)parser.context_mark.line + 1);
			else if (parser.context)
				cfg_error_at(L, &at, "YAML syntax error: %s %s",
					     parser.problem ? parser.problem
							    : "?",
					     parser.context);
			else
				cfg_error_at(L, &at, "YAML syntax error: %s",
					     parser.problem ? parser.problem
							    : "?");
			failed = true;
			break;
		}
		n = NULL;
		problem = event_problem(&ev);
		if (problem) {
			struct ynode at = { .line = (int)ev.start_mark.line + 1,
					    .col = (int)ev.start_mark.column +
						   1 };
			cfg_error_at(L, &at, "%s", problem);
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				struct ynode at = {
					.line = (int)ev.start_mark.line + 1,
					.col = (int)ev.start_mark.column + 1
				};
				cfg_error_at(
					L, &at,
					"more than one YAML document in the "
					"file");
				failed = true;
				done = true;
			}
			break;
		case YAML_ALIAS_EVENT:
			/* stands in for the alias so the walk goes on */
			n = ynode_new(Y_SCALAR, &ev.start_mark);
			n->value = xstrdup("");
			n->plain = true;
			break;
		case YAML_SCALAR_EVENT:
			n = ynode_new(Y_SCALAR, &ev.start_mark);
			n->value = xstrndup((const char *)ev.data.scalar.value,
					    ev.data.scalar.length);
			n->plain =
				ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			if (strlen(n->value) != ev.data.scalar.length)
				cfg_error_at(L, n, "NUL character in a value");
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			n = ynode_new(ev.type == YAML_MAPPING_START_EVENT
					      ? Y_MAP
					      : Y_SEQ,
				      &ev.start_mark);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (n) {
			if (depth > 0)
				ynode_push(stack[depth - 1], n);
			else if (!root)
				root = n;
			else
				cfg_ynode_free(n);
			if (n->kind != Y_SCALAR) {
				if (depth >=
				    (int)(sizeof(stack) / sizeof(stack[0]))) {
					cfg_error_at(L, n, "nesting too deep");
					failed = true;
					done = true;
				} else {
					stack[depth++] = n;
				}
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (failed) {
		cfg_ynode_free(root);
		return NULL;
	}
	return root;
}

/* ---- raw checks before YAML ---- */

/* Tabs and NULs are refused everywhere; invalid UTF-8 stops the load. */
bool cfg_check_bytes(struct loader *L, const char *data, size_t len)
{
	size_t bad = utf8_check((const unsigned char *)data, len), i;
	int line = 1, col = 1;
	bool ok = true, tab_on_line = false;

	for (i = 0; i < len; i++) {
		struct ynode at = { .line = line, .col = col };

		if (i == bad) {
			cfg_error_at(L, &at, "invalid UTF-8");
			return false;
		}
		if (data[i] == '\t' && !tab_on_line) {
			cfg_error_at(L, &at,
				     "tab character (YAML is indented with "
				     "spaces)");
			tab_on_line = true;
			ok = false;
		} else if (data[i] == '\0') {
			cfg_error_at(L, &at, "NUL byte in the file");
			return false;
		}
		if (data[i] == '\n') {
			line++;
			col = 1;
			tab_on_line = false;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	return ok;
}

const char *config_yaml_version(void)
{
	return yaml_get_version_string();
}
