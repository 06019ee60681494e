/*
 * userprune-emulator: a local HTTP server that speaks one vendor's user
 * API, for integration tests, benchmarks and `make demo`. See README.md.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "util/xalloc.h"

#define PROG		  "userprune-emulator"
#define DEFAULT_PARTITION "9b3c1f2a-6d4e-4f8a-b1c2-3d4e5f6a7b8c"

static const struct emu_vendor *const vendors[] = {
	&emu_vendor_atlassian,	   &emu_vendor_scim, &emu_vendor_uipath,
	&emu_vendor_bevy,	   &emu_vendor_aa,   &emu_vendor_bizagi,
	&emu_vendor_atlassian_org,
};

static const char usage[] =
	"usage: " PROG " --vendor NAME [options]\n"
	"  --vendor atlassian|scim|uipath|bevy|automation-anywhere|bizagi|\n"
	"           atlassian-org\n"
	"  --port N  --bind ADDR  --port-file FILE  --log FILE\n"
	"  --tls-cert FILE --tls-key FILE\n"
	"  --users-file FILE | --users N --apps N --robots N --customers N\n"
	"      --inactive N --seed S\n"
	"  --username U --password P --api-key K --token T\n"
	"  --client-id ID --client-secret S --org ORG --partition GUID\n"
	"  --latency-ms N --connect-latency-ms N --max-page N\n"
	"  --short-page-at OFFSET:N\n"
	"  --token-ttl SECONDS --token-max-uses N\n"
	"  --environment development|test|production\n"
	"  --scim-bulk --scim-bulk-max N --no-spc --no-me --aa-delete-204\n"
	"  --scim-lowercase-keys --scim-echo-zero --scim-user-types\n"
	"  --scim-emails --scim-delete-deactivates --scim-no-delete\n"
	"  --scim-bulk-max-payload N --scim-bulk-advertised-payload N\n"
	"  --scim-bulk-raw-paths --scim-cursor\n"
	"  --daily-budget N --rate-limit N --retry-after-date --gateway-429\n"
	"  --limit-reason burst|quota --bevy-top-next --aa-only v1|v2\n"
	"  --aa-total-zero\n"
	"  --fail-rate P --error-rate P --drop-rate P --truncate-rate P\n"
	"  --html-rate P --burst-429 P\n"
	"  --fail-list-at OFFSET --html-list-at OFFSET --truncate-list-at "
	"OFFSET\n"
	"  --closed N --unmanaged N --bare-cursors (atlassian-org)\n"
	"See tests/emulator/README.md.\n";

/* In the order of long_options[], which set_option() relies on. */
enum {
	OPT_VENDOR = 256,
	OPT_PORT,
	OPT_BIND,
	OPT_PORT_FILE,
	OPT_LOG,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_USERS_FILE,
	OPT_USERS,
	OPT_APPS,
	OPT_ROBOTS,
	OPT_CUSTOMERS,
	OPT_INACTIVE,
	OPT_SEED,
	OPT_USERNAME,
	OPT_PASSWORD,
	OPT_API_KEY,
	OPT_TOKEN,
	OPT_CLIENT_ID,
	OPT_CLIENT_SECRET,
	OPT_ORG,
	OPT_PARTITION,
	OPT_LATENCY,
	OPT_CONNECT_LATENCY,
	OPT_MAX_PAGE,
	OPT_SHORT_PAGE,
	OPT_TOKEN_TTL,
	OPT_TOKEN_MAX_USES,
	OPT_ENVIRONMENT,
	OPT_SCIM_BULK,
	OPT_SCIM_BULK_MAX,
	OPT_NO_SPC,
	OPT_NO_ME,
	OPT_AA_DELETE_204,
	OPT_DAILY_BUDGET,
	OPT_RATE_LIMIT,
	OPT_RETRY_AFTER_DATE,
	OPT_GATEWAY_429,
	OPT_LIMIT_REASON,
	OPT_BEVY_TOP_NEXT,
	OPT_AA_ONLY,
	OPT_AA_TOTAL_ZERO,
	OPT_FAIL_RATE,
	OPT_ERROR_RATE,
	OPT_DROP_RATE,
	OPT_TRUNCATE_RATE,
	OPT_HTML_RATE,
	OPT_BURST_429,
	OPT_FAIL_LIST_AT,
	OPT_HTML_LIST_AT,
	OPT_TRUNCATE_LIST_AT,
	OPT_CLOSED,
	OPT_UNMANAGED,
	OPT_BARE_CURSORS,
	OPT_HELP,
	/* SCIM flavours */
	OPT_SCIM_LOWERCASE_KEYS,
	OPT_SCIM_ECHO_ZERO,
	OPT_SCIM_USER_TYPES,
	OPT_SCIM_EMAILS,
	OPT_SCIM_DELETE_DEACTIVATES,
	OPT_SCIM_NO_DELETE,
	OPT_SCIM_BULK_MAX_PAYLOAD,
	OPT_SCIM_BULK_ADVERTISED_PAYLOAD,
	OPT_SCIM_BULK_RAW_PATHS,
	OPT_SCIM_CURSOR,
};

static const struct option long_options[] = {
	{ "vendor", required_argument, NULL, OPT_VENDOR },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "port-file", required_argument, NULL, OPT_PORT_FILE },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "users-file", required_argument, NULL, OPT_USERS_FILE },
	{ "users", required_argument, NULL, OPT_USERS },
	{ "apps", required_argument, NULL, OPT_APPS },
	{ "robots", required_argument, NULL, OPT_ROBOTS },
	{ "customers", required_argument, NULL, OPT_CUSTOMERS },
	{ "inactive", required_argument, NULL, OPT_INACTIVE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "username", required_argument, NULL, OPT_USERNAME },
	{ "password", required_argument, NULL, OPT_PASSWORD },
	{ "api-key", required_argument, NULL, OPT_API_KEY },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "client-id", required_argument, NULL, OPT_CLIENT_ID },
	{ "client-secret", required_argument, NULL, OPT_CLIENT_SECRET },
	{ "org", required_argument, NULL, OPT_ORG },
	{ "partition", required_argument, NULL, OPT_PARTITION },
	{ "latency-ms", required_argument, NULL, OPT_LATENCY },
	{ "connect-latency-ms", required_argument, NULL, OPT_CONNECT_LATENCY },
	{ "max-page", required_argument, NULL, OPT_MAX_PAGE },
	{ "short-page-at", required_argument, NULL, OPT_SHORT_PAGE },
	{ "token-ttl", required_argument, NULL, OPT_TOKEN_TTL },
	{ "token-max-uses", required_argument, NULL, OPT_TOKEN_MAX_USES },
	{ "environment", required_argument, NULL, OPT_ENVIRONMENT },
	{ "scim-bulk", no_argument, NULL, OPT_SCIM_BULK },
	{ "scim-bulk-max", required_argument, NULL, OPT_SCIM_BULK_MAX },
	{ "no-spc", no_argument, NULL, OPT_NO_SPC },
	{ "no-me", no_argument, NULL, OPT_NO_ME },
	{ "aa-delete-204", no_argument, NULL, OPT_AA_DELETE_204 },
	{ "daily-budget", required_argument, NULL, OPT_DAILY_BUDGET },
	{ "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
	{ "retry-after-date", no_argument, NULL, OPT_RETRY_AFTER_DATE },
	{ "gateway-429", no_argument, NULL, OPT_GATEWAY_429 },
	{ "limit-reason", required_argument, NULL, OPT_LIMIT_REASON },
	{ "bevy-top-next", no_argument, NULL, OPT_BEVY_TOP_NEXT },
	{ "aa-only", required_argument, NULL, OPT_AA_ONLY },
	{ "aa-total-zero", no_argument, NULL, OPT_AA_TOTAL_ZERO },
	{ "fail-rate", required_argument, NULL, OPT_FAIL_RATE },
	{ "error-rate", required_argument, NULL, OPT_ERROR_RATE },
	{ "drop-rate", required_argument, NULL, OPT_DROP_RATE },
	{ "truncate-rate", required_argument, NULL, OPT_TRUNCATE_RATE },
	{ "html-rate", required_argument, NULL, OPT_HTML_RATE },
	{ "burst-429", required_argument, NULL, OPT_BURST_429 },
	{ "fail-list-at", required_argument, NULL, OPT_FAIL_LIST_AT },
	{ "html-list-at", required_argument, NULL, OPT_HTML_LIST_AT },
	{ "truncate-list-at", required_argument, NULL, OPT_TRUNCATE_LIST_AT },
	{ "closed", required_argument, NULL, OPT_CLOSED },
	{ "unmanaged", required_argument, NULL, OPT_UNMANAGED },
	{ "bare-cursors", no_argument, NULL, OPT_BARE_CURSORS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "scim-lowercase-keys", no_argument, NULL, OPT_SCIM_LOWERCASE_KEYS },
	{ "scim-echo-zero", no_argument, NULL, OPT_SCIM_ECHO_ZERO },
	{ "scim-user-types", no_argument, NULL, OPT_SCIM_USER_TYPES },
	{ "scim-emails", no_argument, NULL, OPT_SCIM_EMAILS },
	{ "scim-delete-deactivates", no_argument, NULL,
	  OPT_SCIM_DELETE_DEACTIVATES },
	{ "scim-no-delete", no_argument, NULL, OPT_SCIM_NO_DELETE },
	{ "scim-bulk-max-payload", required_argument, NULL,
	  OPT_SCIM_BULK_MAX_PAYLOAD },
	{ "scim-bulk-advertised-payload", required_argument, NULL,
	  OPT_SCIM_BULK_ADVERTISED_PAYLOAD },
	{ "scim-bulk-raw-paths", no_argument, NULL, OPT_SCIM_BULK_RAW_PATHS },
	{ "scim-cursor", no_argument, NULL, OPT_SCIM_CURSOR },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *opt, const char *arg, const char *what)
{
	fprintf(stderr, PROG ": --%s %s: %s\n", opt, arg, what);
	return -1;
}

static int parse_long(const char *opt, const char *arg, long min, long max,
		      long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v < min || v > max) {
		fprintf(stderr,
			PROG ": --%s %s: expected an integer from %ld "
			     "to %ld\n",
			opt, arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_rate(const char *opt, const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !(v >= 0 && v <= 1))
		return bad(opt, arg, "expected a number from 0 to 1");
	*out = v;
	return 0;
}

static int add_offset(const char *opt, const char *arg, long *v, int *n)
{
	if (*n == EMU_MAX_LIST_FAULTS)
		return bad(opt, arg, "given too many times");
	return parse_long(opt, arg, 0, 1000000000L, &v[(*n)++]);
}

static int parse_short_page(const char *arg, struct emu_options *o)
{
	struct emu_short_page *sp;
	char *copy, *colon;
	int rc;

	if (o->n_short_pages == EMU_MAX_LIST_FAULTS)
		return bad("short-page-at", arg, "given too many times");
	sp = &o->short_pages[o->n_short_pages++];
	copy = xstrdup(arg);
	colon = strchr(copy, ':');
	if (!colon) {
		free(copy);
		return bad("short-page-at", arg, "expected OFFSET:N");
	}
	*colon = '\0';
	rc = parse_long("short-page-at", copy, 0, 1000000000L, &sp->offset);
	if (!rc)
		rc = parse_long("short-page-at", colon + 1, 0, 1000000000L,
				&sp->n);
	free(copy);
	return rc;
}

static int parse_env(const char *arg, enum emu_env *env)
{
	if (!strcmp(arg, "development"))
		*env = EMU_ENV_DEVELOPMENT;
	else if (!strcmp(arg, "test"))
		*env = EMU_ENV_TEST;
	else if (!strcmp(arg, "production"))
		*env = EMU_ENV_PRODUCTION;
	else
		return bad("environment", arg,
			   "expected development, test or production");
	return 0;
}

static const struct emu_vendor *find_vendor(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(vendors) / sizeof(*vendors); i++)
		if (!strcmp(vendors[i]->name, name))
			return vendors[i];
	return NULL;
}

static int parse_seed(const char *arg, uint64_t *seed)
{
	char *end;

	errno = 0;
	*seed = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || *arg == '-')
		return bad("seed", arg, "expected a non-negative integer");
	return 0;
}

/* One option into o or c; -1 on a bad value. */
static int set_option(int opt, const char *arg, struct emu_options *o,
		      struct emu_config *c)
{
	const char *name = long_options[opt - OPT_VENDOR].name;
	long max_n = 100000000L;

	switch (opt) {
	case OPT_VENDOR:
		o->vendor = arg;
		return 0;
	case OPT_PORT:
		return parse_long(name, arg, 0, 65535, &o->port);
	case OPT_BIND:
		o->bind = arg;
		return 0;
	case OPT_PORT_FILE:
		o->port_file = arg;
		return 0;
	case OPT_LOG:
		o->log_file = arg;
		return 0;
	case OPT_TLS_CERT:
		o->tls_cert = arg;
		return 0;
	case OPT_TLS_KEY:
		o->tls_key = arg;
		return 0;
	case OPT_USERS_FILE:
		o->users_file = arg;
		return 0;
	case OPT_USERS:
		return parse_long(name, arg, 0, max_n, &o->gen.users);
	case OPT_APPS:
		return parse_long(name, arg, 0, max_n, &o->gen.apps);
	case OPT_ROBOTS:
		return parse_long(name, arg, 0, max_n, &o->gen.robots);
	case OPT_CUSTOMERS:
		return parse_long(name, arg, 0, max_n, &o->gen.customers);
	case OPT_INACTIVE:
		return parse_long(name, arg, 0, max_n, &o->gen.inactive);
	case OPT_SEED:
		return parse_seed(arg, &o->gen.seed);
	case OPT_USERNAME:
		o->username = arg;
		return 0;
	case OPT_PASSWORD:
		o->password = arg;
		return 0;
	case OPT_API_KEY:
		o->api_key = arg;
		return 0;
	case OPT_TOKEN:
		o->token = arg;
		return 0;
	case OPT_CLIENT_ID:
		o->client_id = arg;
		return 0;
	case OPT_CLIENT_SECRET:
		o->client_secret = arg;
		return 0;
	case OPT_ORG:
		o->org = arg;
		return 0;
	case OPT_PARTITION:
		o->partition = arg;
		return 0;
	case OPT_LATENCY:
		return parse_long(name, arg, 0, 600000, &c->latency_ms);
	case OPT_CONNECT_LATENCY:
		return parse_long(name, arg, 0, 600000, &c->connect_latency_ms);
	case OPT_MAX_PAGE:
		return parse_long(name, arg, 1, max_n, &c->max_page);
	case OPT_SHORT_PAGE:
		return parse_short_page(arg, o);
	case OPT_TOKEN_TTL:
		return parse_long(name, arg, 1, max_n, &c->token_ttl);
	case OPT_TOKEN_MAX_USES:
		return parse_long(name, arg, 0, 1000000000L,
				  &c->token_max_uses);
	case OPT_ENVIRONMENT:
		return parse_env(arg, &c->environment);
	case OPT_SCIM_BULK:
		o->scim_bulk = true;
		return 0;
	case OPT_SCIM_BULK_MAX:
		return parse_long(name, arg, 1, 1000000, &o->scim_bulk_max);
	case OPT_NO_SPC:
		o->no_spc = true;
		return 0;
	case OPT_NO_ME:
		o->no_me = true;
		return 0;
	case OPT_AA_DELETE_204:
		o->aa_delete_204 = true;
		return 0;
	case OPT_DAILY_BUDGET:
		return parse_long(name, arg, 0, 1000000000L, &c->daily_budget);
	case OPT_RATE_LIMIT:
		return parse_long(name, arg, 0, 1000000, &c->rate_limit);
	case OPT_RETRY_AFTER_DATE:
		o->retry_after_date = true;
		return 0;
	case OPT_GATEWAY_429:
		o->gateway_429 = true;
		return 0;
	case OPT_AA_ONLY:
		if (strcmp(arg, "v1") && strcmp(arg, "v2"))
			return bad(name, arg, "expected v1 or v2");
		o->aa_only = arg;
		return 0;
	case OPT_AA_TOTAL_ZERO:
		o->aa_total_zero = true;
		return 0;
	case OPT_BEVY_TOP_NEXT:
		o->bevy_top_next = true;
		return 0;
	case OPT_LIMIT_REASON:
		if (!strcmp(arg, "burst"))
			o->limit_reason = "jira-burst-based";
		else if (!strcmp(arg, "quota"))
			o->limit_reason = "jira-quota-tenant-based";
		else
			return bad(name, arg, "expected burst or quota");
		return 0;
	case OPT_FAIL_RATE:
		return parse_rate(name, arg, &c->fail_rate);
	case OPT_ERROR_RATE:
		return parse_rate(name, arg, &c->error_rate);
	case OPT_DROP_RATE:
		return parse_rate(name, arg, &c->drop_rate);
	case OPT_TRUNCATE_RATE:
		return parse_rate(name, arg, &c->truncate_rate);
	case OPT_HTML_RATE:
		return parse_rate(name, arg, &c->html_rate);
	case OPT_BURST_429:
		return parse_rate(name, arg, &c->burst_429);
	case OPT_FAIL_LIST_AT:
		return add_offset(name, arg, o->fail_list_at,
				  &o->n_fail_list_at);
	case OPT_HTML_LIST_AT:
		return add_offset(name, arg, o->html_list_at,
				  &o->n_html_list_at);
	case OPT_TRUNCATE_LIST_AT:
		return add_offset(name, arg, o->truncate_list_at,
				  &o->n_truncate_list_at);
	case OPT_SCIM_LOWERCASE_KEYS:
		o->scim_lowercase_keys = true;
		return 0;
	case OPT_SCIM_ECHO_ZERO:
		o->scim_echo_zero = true;
		return 0;
	case OPT_SCIM_USER_TYPES:
		o->scim_user_types = true;
		return 0;
	case OPT_SCIM_EMAILS:
		o->scim_emails = true;
		return 0;
	case OPT_SCIM_DELETE_DEACTIVATES:
		o->scim_delete_deactivates = true;
		return 0;
	case OPT_SCIM_NO_DELETE:
		o->scim_no_delete = true;
		return 0;
	case OPT_SCIM_BULK_MAX_PAYLOAD:
		return parse_long(name, arg, 1, EMU_BODY_MAX,
				  &o->scim_bulk_max_payload);
	case OPT_SCIM_BULK_ADVERTISED_PAYLOAD:
		return parse_long(name, arg, 1, 1000000000L,
				  &o->scim_bulk_advertised_payload);
	case OPT_SCIM_BULK_RAW_PATHS:
		o->scim_bulk_raw_paths = true;
		return 0;
	case OPT_SCIM_CURSOR:
		o->scim_cursor = true;
		return 0;
	case OPT_CLOSED:
		return parse_long(name, arg, 0, max_n, &o->gen.closed);
	case OPT_UNMANAGED:
		return parse_long(name, arg, 0, max_n, &o->gen.unmanaged);
	case OPT_BARE_CURSORS:
		o->bare_cursors = true;
		return 0;
	default:
		return -1;
	}
}

static void set_defaults(struct emu_options *o, struct emu_config *c)
{
	memset(o, 0, sizeof(*o));
	memset(c, 0, sizeof(*c));
	o->bind = "127.0.0.1";
	o->gen.users = 10;
	o->gen.seed = 1;
	o->password = "emulator-password";
	o->api_key = "emulator-api-key";
	o->token = "emulator-token";
	o->client_id = "emulator-client";
	o->client_secret = "emulator-secret";
	o->org = "acme";
	o->partition = DEFAULT_PARTITION;
	o->scim_bulk_max = 100;
	c->max_page = -1; /* the vendor's, unless given */
	c->environment = EMU_ENV_TEST;
}

static int parse_args(int argc, char **argv, struct emu *emu)
{
	struct emu_options *o = &emu->opt;
	struct emu_config *c = &emu->cfg;
	int opt;

	set_defaults(o, c);
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(usage, stdout);
			exit(0);
		}
		if (opt == '?' || set_option(opt, optarg, o, c) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument \"%s\"\n",
			argv[optind]);
		return -1;
	}
	if (!o->vendor || !(emu->vendor = find_vendor(o->vendor))) {
		fprintf(stderr, PROG ": --vendor must be one of atlassian, "
				     "scim, uipath, bevy, automation-anywhere, "
				     "bizagi, atlassian-org\n");
		return -1;
	}
	if ((o->gen.closed || o->gen.unmanaged || o->bare_cursors) &&
	    emu->vendor != &emu_vendor_atlassian_org) {
		fprintf(stderr, PROG ": --closed, --unmanaged and "
				     "--bare-cursors are for --vendor "
				     "atlassian-org\n");
		return -1;
	}
	if (o->gen.users > 0 && o->gen.unmanaged > o->gen.users - 1) {
		fprintf(stderr,
			PROG ": --unmanaged %ld: more than the %ld "
			     "generated users besides the caller\n",
			o->gen.unmanaged, o->gen.users - 1);
		return -1;
	}
	if (o->gen.users > 0 && o->gen.inactive > o->gen.users - 1) {
		fprintf(stderr,
			PROG ": --inactive %ld: more than the %ld "
			     "generated users besides the caller\n",
			o->gen.inactive, o->gen.users - 1);
		return -1;
	}
	if (!o->username)
		o->username = emu->vendor->default_user;
	if (c->max_page < 0)
		c->max_page = emu->vendor->max_page;
	o->gen.usernames = emu->vendor->usernames;
	o->gen.uipath_directory = emu->vendor == &emu_vendor_uipath;
	return 0;
}

static void emu_init(struct emu *emu)
{
	pthread_mutex_init(&emu->lock, NULL);
	store_init(&emu->users, emu->vendor->idstyle, emu->vendor->listed);
	counter_init(&emu->stats.by_status);
	counter_init(&emu->stats.by_method);
	counter_init(&emu->stats.per_second);
	counter_init(&emu->deletes);
	hmap_init(&emu->token_index);
	arena_init(&emu->token_strings);
	emu->fault_rng = emu->opt.gen.seed ^ 0x6661756c74730000ULL;
	emu->token_rng = emu->opt.gen.seed ^ 0x746f6b656e730000ULL;
}

static void emu_release(struct emu *emu)
{
	store_release(&emu->users);
	counter_release(&emu->stats.by_status);
	counter_release(&emu->stats.by_method);
	counter_release(&emu->stats.per_second);
	counter_release(&emu->deletes);
	auth_release(emu);
	free(emu->window);
	if (emu->log)
		fclose(emu->log);
	pthread_mutex_destroy(&emu->lock);
}

/*
 * SIGINT and SIGTERM are blocked in every thread and taken by sigwait() in
 * the main one, so shutdown runs in ordinary code, not a handler.
 */
static void block_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int main(int argc, char **argv)
{
	static struct emu emu;
	struct err e;
	int rc = 1;

	if (parse_args(argc, argv, &emu) < 0) {
		fputs(usage, stderr);
		return 2;
	}
	block_signals();
	emu_init(&emu);
	if (emu.opt.users_file) {
		if (store_load(&emu.users, emu.opt.users_file, emu.opt.username,
			       &e) < 0) {
			fprintf(stderr, PROG ": %s\n", e.msg);
			goto out;
		}
	} else {
		store_generate(&emu.users, &emu.opt.gen);
	}
	if (emu.opt.log_file && !(emu.log = fopen(emu.opt.log_file, "w"))) {
		fprintf(stderr, PROG ": %s: %s\n", emu.opt.log_file,
			strerror(errno));
		goto out;
	}
	if (server_run(&emu) == 0)
		rc = 0;
out:
	emu_release(&emu);
	return rc;
}
