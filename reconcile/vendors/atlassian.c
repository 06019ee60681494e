/*
 * Atlassian Cloud (Jira, Confluence): REST API v3 with an API token.
 */
#include "reconcile/vendors/vendor.h"

static const struct vendor_option options[] = {
	/* users provisioned by an identity provider come back on next sync */
	{ .key = "scim_managed", .kind = OPTION_BOOL, .def = "false" },
	{ 0 },
};

const struct vendor vendor_atlassian = {
	.name = "atlassian",
	.auth_types = AUTH_BIT(AUTH_BASIC),
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 10,
		      .batch_size = 1,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 1,
};
