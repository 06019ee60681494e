/*
 * Bizagi: SCIM listing with an OAuth2 client-credentials token; a SCIM
 * DELETE deactivates, and MassUserDeletion removes users without
 * references on Development and Test environments.
 */
#include "reconcile/vendors/vendor.h"

static const struct vendor_option options[] = {
	/* unknown environments are treated as production: the safe side */
	{ .key = "environment",
	  .kind = OPTION_ENUM,
	  .choices = "development|test|production",
	  .def = "production" },
	{ .key = "mass_user_deletion", .kind = OPTION_BOOL, .def = "false" },
	{ 0 },
};

const struct vendor vendor_bizagi = {
	.name = "bizagi",
	.auth_types = AUTH_BIT(AUTH_OAUTH2),
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 5,
		      .batch_size = 1,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 1,
	.inactive_is_final = true,
};
