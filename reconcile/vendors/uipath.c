/*
 * UiPath Automation Cloud: Identity Server user API, OAuth2 client
 * credentials, bulk delete.
 */
#include "reconcile/vendors/vendor.h"

static const struct vendor_option options[] = {
	{ .key = "partition_global_id",
	  .kind = OPTION_STRING,
	  .required = true },
	{ .key = "identity_path", .kind = OPTION_STRING, .def = "identity_" },
	{ 0 },
};

/*
 * Identity allows 300 GETs and 160 DELETEs per organization in five
 * minutes; half a request a second stays under both.
 */
const struct vendor vendor_uipath = {
	.name = "uipath",
	.auth_types = AUTH_BIT(AUTH_OAUTH2),
	.options = options,
	.defaults = { .concurrency = 2,
		      .requests_per_second = 0.5,
		      .batch_size = 100,
		      .timeout_seconds = 60,
		      .max_attempts = 6 },
	.max_batch = 1000,
	.bulk = true,
};
