/*
 * plan_floor: the least a program can do for the plan-live benchmark's
 * job, the floor userprune's time and memory are compared with.
 *
 * One pass over a snapshot {"TENANT": {"caller": ID, "users": [...]}} of
 * flat user objects, against a keep file of email addresses (one a line,
 * matched without regard to ASCII case): every user who is neither kept
 * nor the caller is written the way userprune writes a deletion, to the
 * plan (the entry with its fingerprint, everything written under one
 * SHA-256, as the plan's checksum is) and to the text listing. No
 * configuration, no checks beyond what the bytes need, no tree: what
 * userprune does on top is what the comparison shows.
 *
 * usage: plan_floor SNAPSHOT KEEPFILE PLAN_OUT > TEXT_OUT
 * The plan output holds the entries of userprune's "delete" list, line
 * for line; the text output the "  - " lines of its listing.
 */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/sha256.h"

#define OUT_CAP (1u << 20)

struct out {
	int fd;
	char buf[OUT_CAP];
	size_t len;
	struct sha256 *sum; /* or NULL */
};

static void out_flush(struct out *o)
{
	size_t done = 0;

	if (o->sum)
		sha256_update(o->sum, o->buf, o->len);
	while (done < o->len) {
		ssize_t w = write(o->fd, o->buf + done, o->len - done);

		if (w <= 0) {
			perror("plan_floor: write");
			exit(1);
		}
		done += (size_t)w;
	}
	o->len = 0;
}

static void out_add(struct out *o, const char *s, size_t n)
{
	if (o->len + n > OUT_CAP)
		out_flush(o);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* A JSON string's contents, escaped as userprune's JSON writer does. */
static void out_json(struct out *o, const char *s)
{
	char esc[8];

	out_add(o, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			out_add(o, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			out_add(o, esc, 6);
		} else {
			out_add(o, s, 1);
		}
	}
	out_add(o, "\"", 1);
}

/* ---- the keep set: folded values, open addressing ---- */

struct keep {
	const char **key;
	size_t cap;
};

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static bool keep_has(const struct keep *k, const char *s, size_t n)
{
	size_t i = hash(s, n) & (k->cap - 1);

	for (; k->key[i]; i = (i + 1) & (k->cap - 1))
		if (!strncmp(k->key[i], s, n) && !k->key[i][n])
			return true;
	return false;
}

static void lower(char *s, size_t n)
{
	for (; n--; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static void keep_load(struct keep *k, char *text)
{
	size_t lines = 1, i;
	char *p, *nl;

	for (p = text; (p = strchr(p, '\n')); p++)
		lines++;
	for (k->cap = 16; k->cap < 2 * lines; k->cap *= 2)
		;
	k->key = calloc(k->cap, sizeof(*k->key));
	for (p = text; *p; p = nl + 1) {
		size_t n;

		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		n = (size_t)(nl - p);
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		lower(p, n);
		if (n && !keep_has(k, p, n)) {
			i = hash(p, n) & (k->cap - 1);
			while (k->key[i])
				i = (i + 1) & (k->cap - 1);
			k->key[i] = p;
		}
		if (!*nl)
			break;
		*nl = '\0';
		p[n] = '\0';
	}
}

/* ---- the snapshot ---- */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

static void put_utf8(char **d, unsigned c)
{
	unsigned char *o = (unsigned char *)*d;

	if (c < 0x80) {
		*o++ = (unsigned char)c;
	} else if (c < 0x800) {
		*o++ = (unsigned char)(0xc0 | c >> 6);
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (unsigned char)(0xe0 | c >> 12);
		*o++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (unsigned char)(0xf0 | c >> 18);
		*o++ = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		*o++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	}
	*d = (char *)o;
}

/* The string at p (after its quote) decoded into *d; returns its end. */
static const char *string(const char *p, char **d)
{
	for (; *p != '"'; p++) {
		unsigned c;

		if (*p != '\\') {
			*(*d)++ = *p;
			continue;
		}
		switch (*++p) {
		case 'b':
			*(*d)++ = '\b';
			break;
		case 'f':
			*(*d)++ = '\f';
			break;
		case 'n':
			*(*d)++ = '\n';
			break;
		case 'r':
			*(*d)++ = '\r';
			break;
		case 't':
			*(*d)++ = '\t';
			break;
		case 'u':
			c = (unsigned)strtoul(
				(char[5]){ p[1], p[2], p[3], p[4], 0 }, NULL,
				16);
			p += 4;
			if (c >= 0xd800 && c < 0xdc00 && p[1] == '\\' &&
			    p[2] == 'u') {
				unsigned lo = (unsigned)strtoul(
					(char[5]){ p[3], p[4], p[5], p[6], 0 },
					NULL, 16);

				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			}
			put_utf8(d, c);
			break;
		default:
			*(*d)++ = *p;
		}
	}
	*(*d)++ = '\0';
	return p + 1;
}

struct user {
	const char *id, *email, *username, *name, *type, *status;
};

/* One flat object at p; its strings go to scratch. Returns its end. */
static const char *user(const char *p, struct user *u, char *scratch)
{
	char key[16], *k;

	memset(u, 0, sizeof(*u));
	u->type = "human";
	u->status = "active";
	for (p = ws(p + 1); *p == '"'; p = ws(p)) {
		const char **field = NULL;

		k = key;
		if (strcspn(p + 1, "\"") >= sizeof(key)) {
			fprintf(stderr, "plan_floor: unknown key\n");
			exit(1);
		}
		p = string(p + 1, &k);
		field = !strcmp(key, "id")	   ? &u->id
			: !strcmp(key, "email")	   ? &u->email
			: !strcmp(key, "username") ? &u->username
			: !strcmp(key, "name")	   ? &u->name
			: !strcmp(key, "type")	   ? &u->type
			: !strcmp(key, "status")   ? &u->status
						   : NULL;
		p = ws(ws(p) + 1); /* the colon */
		if (*p == '"') {
			if (field)
				*field = scratch;
			p = string(p + 1, &scratch);
		} else {
			p += 4; /* null */
		}
		p = ws(p);
		if (*p == ',')
			p = ws(p + 1);
	}
	return p + 1;
}

static void field(struct sha256 *h, const char *s)
{
	if (s)
		sha256_update(h, s, strlen(s) + 1);
	else
		sha256_update(h, "\1", 2);
}

static void delete (struct out *plan, struct out *text, const struct user *u,
		    bool first)
{
	struct sha256 h;
	unsigned char d[32];
	char fp[65];

	sha256_init(&h);
	field(&h, u->id);
	field(&h, u->email);
	field(&h, u->username);
	field(&h, u->status);
	field(&h, u->type);
	sha256_final(&h, d);
	hex_encode(d, 32, fp);

	out_str(plan, first ? "        {\"id\":" : ",\n        {\"id\":");
	out_json(plan, u->id);
	out_str(plan, ",\"email\":");
	out_json(plan, u->email);
	out_str(plan, ",\"username\":");
	out_json(plan, u->username);
	out_str(plan, ",\"name\":");
	out_json(plan, u->name);
	out_str(plan, ",\"type\":");
	out_json(plan, u->type);
	out_str(plan, ",\"status\":");
	out_json(plan, u->status);
	out_str(plan, ",\"reason\":\"not kept\",\"effect\":"
		      "\"deleted (irreversible)\",\"fingerprint\":\"");
	out_str(plan, fp);
	out_str(plan, "\"}");

	out_str(text, "  - ");
	out_str(text, u->id);
	out_str(text, "  ");
	out_str(text, u->email);
	out_str(text, "  ");
	out_str(text, u->username);
	out_str(text, "  \"");
	out_str(text, u->name);
	out_str(text, "\"\n");
}

static char *map(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	char *p;

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		exit(1);
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror(path);
		exit(1);
	}
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		perror(path);
		exit(1);
	}
	do {
		if (n == cap)
			p = realloc(p, (cap = cap ? 2 * cap : 1u << 20) + 1);
		n += fread(p + n, 1, cap - n, f);
	} while (n == cap);
	fclose(f);
	p[n] = '\0';
	return p;
}

int main(int argc, char **argv)
{
	static struct out plan, text;
	struct sha256 sum;
	struct keep keep = { 0 };
	struct user u;
	size_t len, n = 0, del = 0;
	char *snap, *scratch, caller[256] = "", *c = caller;
	const char *p;
	unsigned char d[32];
	char hex[65];

	if (argc != 4) {
		fprintf(stderr, "usage: plan_floor SNAPSHOT KEEP PLAN_OUT\n");
		return 2;
	}
	snap = map(argv[1], &len);
	keep_load(&keep, slurp(argv[2]));
	plan.fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	text.fd = 1;
	sha256_init(&sum);
	plan.sum = &sum;
	scratch = malloc(1u << 16);

	/* the bench's snapshot: {"bench": {"caller": ID, "users": [...]}} */
	p = memmem(snap, len, "\"caller\"", 8);
	if (p && *(p = ws(ws(p + 8) + 1)) == '"')
		string(p + 1, &c);
	p = memmem(snap, len, "\"users\"", 7);
	if (!p) {
		fprintf(stderr, "plan_floor: no users\n");
		return 1;
	}
	for (p = ws(ws(ws(p + 7) + 1) + 1); *p == '{'; n++) {
		p = ws(user(p, &u, scratch));
		if (*p == ',')
			p = ws(p + 1);
		if (!u.id || !strcmp(u.id, caller))
			continue;
		if (u.email) {
			char folded[256];
			size_t m = strlen(u.email);

			if (m < sizeof(folded)) {
				memcpy(folded, u.email, m);
				lower(folded, m);
				if (keep_has(&keep, folded, m))
					continue;
			}
		}
		delete (&plan, &text, &u, del++ == 0);
	}
	out_str(&plan, "\n");
	out_flush(&plan);
	out_flush(&text);
	close(plan.fd);
	sha256_final(&sum, d);
	hex_encode(d, 32, hex);
	fprintf(stderr, "%zu users, %zu deletions, sha256 %s\n", n, del, hex);
	return 0;
}
