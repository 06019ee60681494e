/*
 * Bevy: Django REST Framework style API with a Token header; deletes are
 * soft (scheduled for seven days).
 */
#include "reconcile/vendors/vendor.h"

static const struct vendor_option options[] = {
	{ .key = "users_path", .kind = OPTION_STRING, .def = "/users/" },
	{ .key = "batch_pause_seconds", .kind = OPTION_INT, .def = "1" },
	{ 0 },
};

/* 10,000 authenticated requests a day; batches of at most 250 users. */
const struct vendor vendor_bevy = {
	.name = "bevy",
	.auth_types = AUTH_BIT(AUTH_TOKEN),
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 5,
		      .daily_request_budget = 10000,
		      .batch_size = 250,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 250,
	.grouped = true,
};
