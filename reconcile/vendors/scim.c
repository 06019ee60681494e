/*
 * SCIM 2.0 (RFC 7643/7644): any service provider, with Bulk when offered.
 */
#include "reconcile/vendors/vendor.h"

static const struct vendor_option options[] = {
	{ .key = "use_bulk",
	  .kind = OPTION_ENUM,
	  .choices = "auto|never",
	  .def = "auto" },
	{ 0 },
};

/* SCIM publishes no rate limits: no fixed rate, adapt to 429 answers. */
const struct vendor vendor_scim = {
	.name = "scim",
	.auth_types = AUTH_BIT(AUTH_BEARER) | AUTH_BIT(AUTH_BASIC) |
		      AUTH_BIT(AUTH_OAUTH2),
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 0,
		      .batch_size = 100,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 1000,
};
