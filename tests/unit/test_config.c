/*
 * test_config.c — src/config.c: defaults, every flag of the table with good
 * and bad values, both "--flag value" and "--flag=value", --help, --version
 * and the one-line errors of SPEC.md "Running".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

struct run {
	struct lb_config cfg;
	enum config_result res;
	char err[256];
	char *out;    /* what config_parse printed */
	size_t outlen;
};

static void run_argv(struct run *r, const char **argv)
{
	int argc = 0;
	FILE *out;

	while (argv[argc])
		argc++;
	memset(r, 0, sizeof(*r));
	config_defaults(&r->cfg);
	out = open_memstream(&r->out, &r->outlen);
	assert_non_null(out);
	r->res = config_parse(&r->cfg, argc, (char **)argv, out, r->err, sizeof(r->err));
	fclose(out);
}

/* RUN(r, "--flag", "value", ...): argv[0] is "liveblogd". */
#define RUN(r, ...) run_argv(r, (const char *[]){ "liveblogd", __VA_ARGS__, NULL })

static void done(struct run *r)
{
	free(r->out);
	r->out = NULL;
}

static void expect_ok(struct run *r)
{
	if (r->res != CONFIG_RUN)
		fail_msg("config_parse failed: %s", r->err);
	assert_string_equal(r->err, "");
	assert_int_equal(r->outlen, 0);
}

/* An error line that starts with prefix. */
static void expect_error_prefix(struct run *r, const char *prefix)
{
	assert_int_equal(r->res, CONFIG_ERROR);
	if (strncmp(r->err, prefix, strlen(prefix)))
		fail_msg("error '%s' does not start with '%s'", r->err, prefix);
	assert_null(strchr(r->err, '\n'));
	assert_int_equal(r->outlen, 0);
}

static void expect_error(struct run *r, const char *msg)
{
	assert_int_equal(r->res, CONFIG_ERROR);
	assert_string_equal(r->err, msg);
	assert_null(strchr(r->err, '\n'));
	assert_int_equal(r->outlen, 0); /* errors are for the caller to print */
}

/* ---- defaults --------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct lb_config cfg;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	(void)state;
	memset(&cfg, 0x55, sizeof(cfg));
	config_defaults(&cfg);
	assert_string_equal(cfg.listen_host, "127.0.0.1");
	assert_int_equal(cfg.port, 8080);
	assert_int_equal(cfg.workers, cores > 0 ? cores : 1);
	assert_null(cfg.redis_url);      /* embedded redis-server */
	assert_string_equal(cfg.data_dir, "./var");
	assert_null(cfg.admin_token);
	assert_null(cfg.www);            /* the compiled-in pages */
	assert_string_equal(cfg.log_level, "notice");
	assert_string_equal(cfg.redis_server, "redis-server");
	/* SPEC.md "Default limits". */
	assert_int_equal(cfg.max_body, 64 * 1024);
	assert_int_equal(cfg.max_text, 16 * 1024);
	assert_int_equal(cfg.max_title, 300);
	assert_int_equal(cfg.max_ws_message, 4 * 1024);
	assert_int_equal(cfg.reader_backlog, 4096);
	assert_int_equal(cfg.ping_secs, 60);
	assert_int_equal(cfg.replay_cap_ms, 5000);
	assert_int_equal(cfg.max_readers, 100000);
	assert_int_equal(cfg.max_readers_per_ip, 10000);
	assert_int_equal(cfg.trusted_proxies.n, 0);   /* X-Forwarded-For ignored */
	assert_true(cfg.compress);       /* SPEC.md "Bandwidth" */
}

static void test_no_arguments_keeps_defaults(void **state)
{
	struct lb_config want;
	struct run r;

	(void)state;
	run_argv(&r, (const char *[]){ "liveblogd", NULL });
	expect_ok(&r);
	config_defaults(&want);
	assert_memory_equal(&r.cfg, &want, sizeof(want));
	done(&r);
}

/* ---- --listen ----------------------------------------------------------- */

static void test_listen_good(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "--listen", "0.0.0.0:9000");
	expect_ok(&r);
	assert_string_equal(r.cfg.listen_host, "0.0.0.0");
	assert_int_equal(r.cfg.port, 9000);
	done(&r);
	RUN(&r, "--listen=localhost:1");
	expect_ok(&r);
	assert_string_equal(r.cfg.listen_host, "localhost");
	assert_int_equal(r.cfg.port, 1);
	done(&r);
	RUN(&r, "--listen", "example.org:65535");
	expect_ok(&r);
	assert_string_equal(r.cfg.listen_host, "example.org");
	assert_int_equal(r.cfg.port, 65535);
	done(&r);
}

static void test_listen_bad(void **state)
{
	static const char *bad[] = { "127.0.0.1", ":8080", "host:", "host:65536",
				     "host:-1", "host:80x", "host:abc", "", "8080",
				     "host:99999999999999999999" };
	char want[300], arg[300];
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "liveblogd: invalid value '%s' for --listen", bad[i]);
		RUN(&r, "--listen", bad[i]);
		expect_error(&r, want);
		assert_string_equal(r.cfg.listen_host, "127.0.0.1"); /* unchanged */
		assert_int_equal(r.cfg.port, 8080);
		done(&r);
		snprintf(arg, sizeof(arg), "--listen=%s", bad[i]);
		RUN(&r, arg);
		expect_error(&r, want);
		done(&r);
	}
}

static void test_listen_host_too_long(void **state)
{
	char arg[300];
	struct run r;

	(void)state;
	memset(arg, 'h', 200);
	strcpy(arg + 200, ":80");
	RUN(&r, "--listen", arg);
	assert_int_equal(r.res, CONFIG_ERROR);
	assert_string_equal(r.cfg.listen_host, "127.0.0.1");
	done(&r);
}

/* ---- numeric flags ----------------------------------------------------- */

static const struct {
	const char *name;
	size_t offset;
	long min, max;
} NUMERIC[] = {
	{ "workers", offsetof(struct lb_config, workers), 1, 64 },
	{ "max-body", offsetof(struct lb_config, max_body), 1024, 64L << 20 },
	{ "max-text", offsetof(struct lb_config, max_text), 1, 16L << 20 },
	{ "max-title", offsetof(struct lb_config, max_title), 1, 1L << 20 },
	{ "max-ws-message", offsetof(struct lb_config, max_ws_message), 16, 1L << 20 },
	{ "reader-backlog", offsetof(struct lb_config, reader_backlog), 8, 1L << 20 },
	{ "ping-interval", offsetof(struct lb_config, ping_secs), 5, 3600 },
	{ "replay-cap", offsetof(struct lb_config, replay_cap_ms), 0, 3600000 },
	{ "max-readers", offsetof(struct lb_config, max_readers), 1, 10000000 },
	{ "max-readers-per-ip", offsetof(struct lb_config, max_readers_per_ip), 1, 10000000 },
	{ "max-media", offsetof(struct lb_config, max_media), 1024, 64L << 20 },
};

static long field(const struct lb_config *cfg, size_t offset)
{
	return *(const long *)((const char *)cfg + offset);
}

static void numeric_ok(const char *name, size_t off, long v)
{
	char flag[64], val[32], eq[96];
	struct run r;

	snprintf(flag, sizeof(flag), "--%s", name);
	snprintf(val, sizeof(val), "%ld", v);
	snprintf(eq, sizeof(eq), "--%s=%ld", name, v);
	RUN(&r, flag, val);
	expect_ok(&r);
	assert_int_equal(field(&r.cfg, off), v);
	done(&r);
	RUN(&r, eq);
	expect_ok(&r);
	assert_int_equal(field(&r.cfg, off), v);
	done(&r);
}

static void numeric_bad(const char *name, size_t off, const char *val)
{
	char flag[64], eq[128], want[200];
	struct lb_config def;
	struct run r;

	config_defaults(&def);
	snprintf(flag, sizeof(flag), "--%s", name);
	snprintf(eq, sizeof(eq), "--%s=%s", name, val);
	snprintf(want, sizeof(want), "liveblogd: invalid value '%s' for --%s", val, name);
	RUN(&r, flag, val);
	expect_error(&r, want);
	assert_int_equal(field(&r.cfg, off), field(&def, off)); /* unchanged */
	done(&r);
	RUN(&r, eq);
	expect_error(&r, want);
	done(&r);
}

static void test_numeric_flags_in_range(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(NUMERIC) / sizeof(NUMERIC[0]); i++) {
		numeric_ok(NUMERIC[i].name, NUMERIC[i].offset, NUMERIC[i].min);
		numeric_ok(NUMERIC[i].name, NUMERIC[i].offset, NUMERIC[i].max);
		numeric_ok(NUMERIC[i].name, NUMERIC[i].offset,
			   NUMERIC[i].min + (NUMERIC[i].max - NUMERIC[i].min) / 2);
	}
}

static void test_numeric_flags_out_of_range(void **state)
{
	char v[32];

	(void)state;
	for (size_t i = 0; i < sizeof(NUMERIC) / sizeof(NUMERIC[0]); i++) {
		snprintf(v, sizeof(v), "%ld", NUMERIC[i].min - 1);
		numeric_bad(NUMERIC[i].name, NUMERIC[i].offset, v);
		snprintf(v, sizeof(v), "%ld", NUMERIC[i].max + 1);
		numeric_bad(NUMERIC[i].name, NUMERIC[i].offset, v);
		numeric_bad(NUMERIC[i].name, NUMERIC[i].offset, "-5");
	}
}

static void test_numeric_flags_not_numbers(void **state)
{
	static const char *bad[] = { "", "abc", "four", "12x", "1.5", "0x10", "1e3",
				     "99999999999999999999", "-99999999999999999999" };

	(void)state;
	for (size_t i = 0; i < sizeof(NUMERIC) / sizeof(NUMERIC[0]); i++)
		for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
			numeric_bad(NUMERIC[i].name, NUMERIC[i].offset, bad[j]);
}

/* ---- string flags -------------------------------------------------------- */

static void test_redis_urls(void **state)
{
	static const char *bad[] = { "127.0.0.1:6379", "http://127.0.0.1:6379",
				     "REDIS://h:1", "rediss://h:1", "unix:/tmp/r.sock",
				     "/tmp/redis.sock", "" };
	char want[200];
	struct run r;

	(void)state;
	RUN(&r, "--redis", "redis://127.0.0.1:6379");
	expect_ok(&r);
	assert_string_equal(r.cfg.redis_url, "redis://127.0.0.1:6379");
	done(&r);
	RUN(&r, "--redis=unix:///tmp/redis.sock");
	expect_ok(&r);
	assert_string_equal(r.cfg.redis_url, "unix:///tmp/redis.sock");
	done(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "liveblogd: invalid value '%s' for --redis: not a Redis URL", bad[i]);
		RUN(&r, "--redis", bad[i]);
		expect_error_prefix(&r, want);
		assert_null(r.cfg.redis_url);
		done(&r);
	}
}

/* Credentials in the URL: accepted as given, and never echoed in an error. */
static void test_redis_credentials(void **state)
{
	static const char *bad[][3] = {
		{ "redis://alice@h:1", "redis://***@h:1", "the user has no password" },
		{ "redis://alice:@h:1", "redis://alice:***@h:1", "the password is empty" },
		{ "redis://u:s3cr%zz@h:1", "redis://u:***@h:1", "bad percent-escape" },
		{ "redis://u:s3cr@t@h:1", "redis://u:***@h:1", "the credentials hold a character" },
		{ "redis://u:s3cret@h:0", "redis://u:***@h:0", "bad port" },
		{ "sentinel://:s3cret@h:1", "sentinel://:***@h:1", "a sentinel URL ends with /MASTER" },
	};
	char want[256];
	struct run r;

	(void)state;
	RUN(&r, "--redis", "redis://alice:s3cret@r:6379");
	expect_ok(&r);
	assert_string_equal(r.cfg.redis_url, "redis://alice:s3cret@r:6379");
	assert_null(r.cfg.redis_password_file);
	assert_string_equal(r.cfg.redis_password, "");
	done(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "liveblogd: invalid value '%s' for --redis: %s",
			 bad[i][1], bad[i][2]);
		RUN(&r, "--redis", bad[i][0]);
		expect_error_prefix(&r, want);
		assert_null(strstr(r.err, "s3cr"));
		assert_null(r.cfg.redis_url);
		done(&r);
	}
}

/* Writes text to a new temp file; returns its path (static buffer). */
static const char *secret_file(const char *text, size_t len)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/lb-test-secret-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_redis_password_file(void **state)
{
	static const struct { const char *text; const char *pw; } good[] = {
		{ "pw\n", "pw" }, { "pw", "pw" }, { "p w:@%00\r\nsecond line\n", "p w:@%00" },
		{ "\xc3\xa9t\xc3\xa9\n", "\xc3\xa9t\xc3\xa9" },
	};
	char long_pw[600];
	const char *path;
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		path = secret_file(good[i].text, strlen(good[i].text));
		RUN(&r, "--redis", "redis://h:1", "--redis-password-file", path);
		expect_ok(&r);
		assert_string_equal(r.cfg.redis_password, good[i].pw);
		assert_string_equal(r.cfg.redis_password_file, path);
		done(&r);
		/* a user in the URL, the password from the file; any order */
		RUN(&r, "--redis-password-file", path, "--redis", "redis://alice@h:1");
		expect_ok(&r);
		assert_string_equal(r.cfg.redis_password, good[i].pw);
		done(&r);
		unlink(path);
	}
	memset(long_pw, 'p', 511);
	strcpy(long_pw + 511, "\n");
	path = secret_file(long_pw, 512);
	RUN(&r, "--redis", "redis://h:1", "--redis-password-file", path);
	expect_ok(&r);
	assert_int_equal(strlen(r.cfg.redis_password), 511);
	done(&r);
	unlink(path);
	path = secret_file(long_pw, 511);   /* 511 bytes, no line end */
	RUN(&r, "--redis", "redis://h:1", "--redis-password-file", path);
	expect_ok(&r);
	assert_int_equal(strlen(r.cfg.redis_password), 511);
	done(&r);
	unlink(path);
}

static void test_redis_password_file_errors(void **state)
{
	static const struct { const char *text; size_t len; const char *why; } bad[] = {
		{ "", 0, "the file is empty" },
		{ "\nsecret\n", 8, "the first line is empty" },
		{ "\r\nsecret", 8, "the first line is empty" },
	};
	char want[300], long_pw[600];
	const char *path;
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = secret_file(bad[i].text, bad[i].len);
		snprintf(want, sizeof(want), "liveblogd: --redis-password-file %s: %s", path, bad[i].why);
		RUN(&r, "--redis", "redis://h:1", "--redis-password-file", path);
		expect_error(&r, want);
		assert_string_equal(r.cfg.redis_password, "");
		done(&r);
		unlink(path);
	}
	memset(long_pw, 'p', 512);
	strcpy(long_pw + 512, "\n");
	path = secret_file(long_pw, 513);
	snprintf(want, sizeof(want), "liveblogd: --redis-password-file %s: the first line is too long (511 bytes at most)", path);
	RUN(&r, "--redis", "redis://h:1", "--redis-password-file", path);
	expect_error(&r, want);
	assert_null(strstr(r.err, "pppp"));
	done(&r);
	unlink(path);

	RUN(&r, "--redis", "redis://h:1", "--redis-password-file", "/nonexistent/pw");
	expect_error(&r, "liveblogd: --redis-password-file /nonexistent/pw: No such file or directory");
	done(&r);
	RUN(&r, "--redis", "redis://h:1", "--redis-password-file", "/tmp");
	expect_error(&r, "liveblogd: --redis-password-file /tmp: Is a directory");
	done(&r);

	path = secret_file("s3cret\n", 7);
	RUN(&r, "--redis-password-file", path);
	expect_error_prefix(&r, "liveblogd: --redis-password-file needs --redis");
	done(&r);
	RUN(&r, "--redis", "redis://:other@h:1", "--redis-password-file", path);
	expect_error(&r, "liveblogd: invalid value 'redis://:***@h:1' for --redis: "
		     "the password is given twice: in the URL and in --redis-password-file");
	assert_null(strstr(r.err, "s3cret"));
	done(&r);
	unlink(path);
}

static const struct {
	const char *name;
	size_t offset;
} STRINGS[] = {
	{ "data-dir", offsetof(struct lb_config, data_dir) },
	{ "admin-token", offsetof(struct lb_config, admin_token) },
	{ "www", offsetof(struct lb_config, www) },
	{ "redis-server", offsetof(struct lb_config, redis_server) },
};

static const char *sfield(const struct lb_config *cfg, size_t offset)
{
	return *(const char *const *)((const char *)cfg + offset);
}

static void test_string_flags(void **state)
{
	char flag[64], eq[96], want[128];
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(STRINGS) / sizeof(STRINGS[0]); i++) {
		snprintf(flag, sizeof(flag), "--%s", STRINGS[i].name);
		RUN(&r, flag, "/srv/x y");
		expect_ok(&r);
		assert_string_equal(sfield(&r.cfg, STRINGS[i].offset), "/srv/x y");
		done(&r);
		snprintf(eq, sizeof(eq), "--%s=a=b", STRINGS[i].name);
		RUN(&r, eq);
		expect_ok(&r);
		assert_string_equal(sfield(&r.cfg, STRINGS[i].offset), "a=b");
		done(&r);
		snprintf(want, sizeof(want), "liveblogd: invalid value '' for --%s",
			 STRINGS[i].name);
		RUN(&r, flag, "");
		expect_error(&r, want);
		done(&r);
		snprintf(eq, sizeof(eq), "--%s=", STRINGS[i].name);
		RUN(&r, eq);
		expect_error(&r, want);
		done(&r);
	}
}

static void test_log_level(void **state)
{
	static const char *good[] = { "error", "warn", "notice", "info", "debug" };
	static const char *bad[] = { "verbose", "DEBUG", "warning", "err", "", "info " };
	char want[128];
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		RUN(&r, "--log-level", good[i]);
		expect_ok(&r);
		assert_string_equal(r.cfg.log_level, good[i]);
		done(&r);
	}
	RUN(&r, "--log-level=debug");
	expect_ok(&r);
	assert_string_equal(r.cfg.log_level, "debug");
	done(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "liveblogd: invalid value '%s' for --log-level", bad[i]);
		RUN(&r, "--log-level", bad[i]);
		expect_error(&r, want);
		assert_string_equal(r.cfg.log_level, "notice");
		done(&r);
	}
}

/* --compress on|off, nothing else (SPEC.md "Bandwidth"). */
static void test_compress(void **state)
{
	static const char *bad[] = { "yes", "no", "1", "0", "ON", "Off", "", "on " };
	char want[128];
	struct run r;

	(void)state;
	RUN(&r, "--compress", "off");
	expect_ok(&r);
	assert_false(r.cfg.compress);
	done(&r);
	RUN(&r, "--compress=off", "--compress", "on");
	expect_ok(&r);
	assert_true(r.cfg.compress);
	done(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "liveblogd: invalid value '%s' for --compress", bad[i]);
		RUN(&r, "--compress", bad[i]);
		expect_error(&r, want);
		assert_true(r.cfg.compress);
		done(&r);
	}
}

static void test_log_mask(void **state)
{
	(void)state;
	assert_int_equal(config_log_mask("error"), LLL_ERR);
	assert_int_equal(config_log_mask("warn"), LLL_ERR | LLL_WARN);
	assert_int_equal(config_log_mask("notice"), LLL_ERR | LLL_WARN | LLL_USER);
	assert_int_equal(config_log_mask("info"), LLL_ERR | LLL_WARN | LLL_USER | LLL_NOTICE);
	assert_int_equal(config_log_mask("debug"),
			 LLL_ERR | LLL_WARN | LLL_USER | LLL_NOTICE | LLL_INFO);
	assert_int_equal(config_log_mask(""), -1);
	assert_int_equal(config_log_mask("Error"), -1);
	assert_int_equal(config_log_mask("trace"), -1);
}

/* ---- errors ------------------------------------------------------------- */

static void test_missing_value(void **state)
{
	static const char *names[] = { "listen", "workers", "redis", "data-dir",
				       "admin-token", "www", "log-level", "redis-server",
				       "redis-password-file", "max-body", "max-text", "max-title", "max-ws-message",
				       "reader-backlog", "ping-interval", "replay-cap",
				       "max-readers", "max-readers-per-ip", "trusted-proxy", "compress" };
	char flag[64], want[128];
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(flag, sizeof(flag), "--%s", names[i]);
		snprintf(want, sizeof(want), "liveblogd: --%s needs a value", names[i]);
		RUN(&r, flag);
		expect_error(&r, want);
		done(&r);
		RUN(&r, "--workers", "2", flag);
		expect_error(&r, want);
		done(&r);
	}
}

static void test_unknown_options(void **state)
{
	static const char *bad[] = { "--nope", "-x", "nope", "--", "-", "--listen-host",
				     "--work", "--nope=1", "---listen", "--LISTEN", "-help",
				     "--help=1", "--version=1", "--=x" };
	char want[128];
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "liveblogd: unknown option '%s' (see --help)", bad[i]);
		RUN(&r, bad[i]);
		expect_error(&r, want);
		done(&r);
		RUN(&r, "--workers", "2", bad[i], "--workers", "3");
		expect_error(&r, want);
		done(&r);
	}
}

static void test_error_fits_small_buffer(void **state)
{
	struct lb_config cfg;
	char err[12];
	FILE *out = fopen("/dev/null", "w");
	const char *argv[] = { "liveblogd", "--a-rather-long-unknown-option", NULL };

	(void)state;
	memset(err, 'x', sizeof(err));
	config_defaults(&cfg);
	assert_int_equal(config_parse(&cfg, 2, (char **)argv, out, err, sizeof(err)),
			 CONFIG_ERROR);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_string_equal(err, "liveblogd: ");
	fclose(out);
}

static void test_last_value_wins(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "--workers", "2", "--workers=3", "--www", "a", "--www", "b");
	expect_ok(&r);
	assert_int_equal(r.cfg.workers, 3);
	assert_string_equal(r.cfg.www, "b");
	done(&r);
}

static void test_all_flags_together(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "--listen", "0.0.0.0:80", "--workers", "4", "--redis", "redis://r:6379",
	    "--data-dir", "/var/lib/liveblog", "--admin-token", "s3cret", "--www",
	    "/usr/share/liveblog/www", "--log-level", "warn", "--max-body=2048");
	expect_ok(&r);
	assert_string_equal(r.cfg.listen_host, "0.0.0.0");
	assert_int_equal(r.cfg.port, 80);
	assert_int_equal(r.cfg.workers, 4);
	assert_string_equal(r.cfg.redis_url, "redis://r:6379");
	assert_string_equal(r.cfg.data_dir, "/var/lib/liveblog");
	assert_string_equal(r.cfg.admin_token, "s3cret");
	assert_string_equal(r.cfg.www, "/usr/share/liveblog/www");
	assert_string_equal(r.cfg.log_level, "warn");
	assert_int_equal(r.cfg.max_body, 2048);
	done(&r);
}

/* Sentinel URLs are taken; --ack-replicas and --ack-timeout, within bounds, with --redis. */
static void test_sentinel_and_acks(void **state)
{
	static const char *bad[][2] = {
		{ "--ack-replicas", "-1" }, { "--ack-replicas", "17" }, { "--ack-replicas", "x" },
		{ "--ack-timeout", "0" }, { "--ack-timeout", "60001" },
	};
	char want[128];
	struct run r;

	(void)state;
	RUN(&r, "--redis", "redis://r:6379");
	expect_ok(&r);
	assert_int_equal(r.cfg.ack_replicas, 0);
	assert_int_equal(r.cfg.ack_timeout_ms, 1000);
	done(&r);
	RUN(&r, "--redis", "sentinel://:s3cret@s1,s2:26380/liveblog", "--ack-replicas", "1",
	    "--ack-timeout", "250");
	expect_ok(&r);
	assert_string_equal(r.cfg.redis_url, "sentinel://:s3cret@s1,s2:26380/liveblog");
	assert_int_equal(r.cfg.ack_replicas, 1);
	assert_int_equal(r.cfg.ack_timeout_ms, 250);
	done(&r);
	RUN(&r, "--ack-replicas", "1");
	expect_error_prefix(&r, "liveblogd: --ack-replicas needs --redis");
	done(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "liveblogd: invalid value '%s' for %s", bad[i][1], bad[i][0]);
		RUN(&r, "--redis", "redis://r:6379", bad[i][0], bad[i][1]);
		expect_error_prefix(&r, want);
		done(&r);
	}
}

/* ---- repeatable flags ------------------------------------------------------ */

static void test_trusted_proxy_repeats(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "--trusted-proxy", "127.0.0.1", "--workers", "2",
	    "--trusted-proxy=10.0.0.0/8", "--trusted-proxy", "2001:db8::/32");
	expect_ok(&r);
	assert_int_equal(r.cfg.trusted_proxies.n, 3);
	/* every value kept, in order: no "last one wins" for a list */
	assert_string_equal(r.cfg.trusted_proxies.v[0], "127.0.0.1");
	assert_string_equal(r.cfg.trusted_proxies.v[1], "10.0.0.0/8");
	assert_string_equal(r.cfg.trusted_proxies.v[2], "2001:db8::/32");
	assert_int_equal(r.cfg.workers, 2);
	done(&r);
}

static void test_trusted_proxy_bad(void **state)
{
	static const char *bad[] = { "", "nope", "10.0.0.0/33", "10.0.0.0/", "::/129",
				     "1.2.3.4:80", "example.org", "10.0.0.0/8x" };
	char want[200];
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "liveblogd: invalid value '%s' for --trusted-proxy", bad[i]);
		RUN(&r, "--trusted-proxy", "127.0.0.1", "--trusted-proxy", bad[i]);
		expect_error(&r, want);
		done(&r);
	}
}

static void test_list_is_bounded(void **state)
{
	const char *argv[2 * CONFIG_LIST_MAX + 4];
	char want[200];
	struct run r;
	int n = 0;

	(void)state;
	argv[n++] = "liveblogd";
	for (int i = 0; i <= CONFIG_LIST_MAX; i++) {
		argv[n++] = "--trusted-proxy";
		argv[n++] = "10.0.0.1";
	}
	argv[n] = NULL;
	run_argv(&r, argv);
	snprintf(want, sizeof(want), "liveblogd: --trusted-proxy is given more than %d times",
		 CONFIG_LIST_MAX);
	expect_error(&r, want);
	assert_int_equal(r.cfg.trusted_proxies.n, CONFIG_LIST_MAX);
	done(&r);
	argv[n - 2] = NULL;    /* exactly CONFIG_LIST_MAX: fine */
	run_argv(&r, argv);
	expect_ok(&r);
	assert_int_equal(r.cfg.trusted_proxies.n, CONFIG_LIST_MAX);
	done(&r);
}

/* ---- --help and --version --------------------------------------------------- */

static void test_help(void **state)
{
	static const char *must[] = {
		"--listen HOST:PORT", "--workers N", "--redis URL", "--data-dir DIR",
		"--admin-token TOKEN", "--www DIR", "--log-level LEVEL", "--help",
		"--version", "--max-body BYTES", "--max-text BYTES", "--max-title BYTES",
		"--trusted-proxy CIDR",
		"--compress on|off",
	};
	struct run r, h;

	(void)state;
	RUN(&r, "--help");
	assert_int_equal(r.res, CONFIG_EXIT_OK);
	assert_string_equal(r.err, "");
	assert_non_null(r.out);
	assert_memory_equal(r.out, "usage: liveblogd [options]\n", 27);
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!strstr(r.out, must[i]))
			fail_msg("--help does not mention \"%s\"", must[i]);
	assert_int_equal(r.out[r.outlen - 1], '\n');
	RUN(&h, "-h");
	assert_int_equal(h.res, CONFIG_EXIT_OK);
	assert_string_equal(h.out, r.out);
	done(&h);
	/* --help wins over what follows it, and after good flags. */
	RUN(&h, "--workers", "2", "--help", "--nope");
	assert_int_equal(h.res, CONFIG_EXIT_OK);
	assert_string_equal(h.out, r.out);
	done(&h);
	done(&r);
}

static void test_usage_matches_help(void **state)
{
	struct run r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	config_usage(f);
	fclose(f);
	RUN(&r, "--help");
	assert_string_equal(buf, r.out);
	free(buf);
	done(&r);
}

static void test_version(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "--version");
	assert_int_equal(r.res, CONFIG_EXIT_OK);
	assert_string_equal(r.out, "liveblogd " LIVEBLOG_VERSION "\n");
	assert_string_equal(r.err, "");
	done(&r);
	RUN(&r, "--log-level", "info", "--version");
	assert_int_equal(r.res, CONFIG_EXIT_OK);
	assert_string_equal(r.out, "liveblogd " LIVEBLOG_VERSION "\n");
	done(&r);
}

/* --default-lang: a BCP 47 tag, kept canonical; "en" when not given. */
static void test_default_lang(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "--workers", "1");
	assert_string_equal(r.cfg.default_lang, "en");
	done(&r);
	RUN(&r, "--default-lang", "FR-ca");
	assert_int_equal(r.res, CONFIG_RUN);
	assert_string_equal(r.cfg.default_lang, "fr-CA");
	done(&r);
	RUN(&r, "--default-lang=de");
	assert_string_equal(r.cfg.default_lang, "de");
	done(&r);
	RUN(&r, "--default-lang", "en_US");
	expect_error(&r, "liveblogd: invalid value 'en_US' for --default-lang");
	done(&r);
	RUN(&r, "--default-lang", "");
	expect_error(&r, "liveblogd: invalid value '' for --default-lang");
	done(&r);
}

/* --public-url: absolute http(s) with a host; no trailing '/'; default http:// + --listen. */
static void test_public_url(void **state)
{
	static const char *const bad[] = {
		"", "news.example", "ftp://news.example", "http://", "https:///x",
		"http://a b", "http://x/?q=1", "http://x/#f", "http://u:p@x", "//x",
		"http://x/\"><script>",
	};
	char want[128];
	struct run r;

	(void)state;
	RUN(&r, "--listen", "0.0.0.0:9000");
	assert_string_equal(r.cfg.public_url, "");
	config_public_url(&r.cfg);
	assert_string_equal(r.cfg.public_url, "http://0.0.0.0:9000");
	done(&r);
	RUN(&r, "--public-url", "https://news.example/live/");
	assert_int_equal(r.res, CONFIG_RUN);
	config_public_url(&r.cfg);
	assert_string_equal(r.cfg.public_url, "https://news.example/live");
	done(&r);
	RUN(&r, "--public-url", "http://127.0.0.1:8080", "--publisher", "Le Quotidien");
	assert_string_equal(r.cfg.public_url, "http://127.0.0.1:8080");
	assert_string_equal(r.cfg.publisher, "Le Quotidien");
	done(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		RUN(&r, "--public-url", bad[i]);
		snprintf(want, sizeof(want), "liveblogd: invalid value '%s' for --public-url", bad[i]);
		expect_error(&r, want);
		done(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_lang),
		cmocka_unit_test(test_public_url),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_no_arguments_keeps_defaults),
		cmocka_unit_test(test_listen_good),
		cmocka_unit_test(test_listen_bad),
		cmocka_unit_test(test_listen_host_too_long),
		cmocka_unit_test(test_numeric_flags_in_range),
		cmocka_unit_test(test_numeric_flags_out_of_range),
		cmocka_unit_test(test_numeric_flags_not_numbers),
		cmocka_unit_test(test_redis_urls),
		cmocka_unit_test(test_redis_credentials),
		cmocka_unit_test(test_redis_password_file),
		cmocka_unit_test(test_redis_password_file_errors),
		cmocka_unit_test(test_string_flags),
		cmocka_unit_test(test_log_level),
		cmocka_unit_test(test_compress),
		cmocka_unit_test(test_log_mask),
		cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_error_fits_small_buffer),
		cmocka_unit_test(test_last_value_wins),
		cmocka_unit_test(test_all_flags_together),
		cmocka_unit_test(test_sentinel_and_acks),
		cmocka_unit_test(test_trusted_proxy_repeats),
		cmocka_unit_test(test_trusted_proxy_bad),
		cmocka_unit_test(test_list_is_bounded),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_usage_matches_help),
		cmocka_unit_test(test_version),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
