/*
 * Automation Anywhere Control Room: JWT from /v1/authentication sent as
 * X-Authorization, POST listing, single deletes.
 */
#include "reconcile/vendors/vendor.h"

static const struct vendor_option options[] = {
	{ .key = "api_version",
	  .kind = OPTION_ENUM,
	  .choices = "v1|v2",
	  .def = "v1" },
	{ 0 },
};

const struct vendor vendor_automation_anywhere = {
	.name = "automation-anywhere",
	.auth_types = AUTH_BIT(AUTH_CONTROL_ROOM),
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 5,
		      .batch_size = 1,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 1,
};
