// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"

static enum log_level log_max = LOG_LVL_INFO;

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	log_max = level;
}

int log_enabled(enum log_level level)
{
	return level <= log_max;
}

static void log_timestamp(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ldZ", (long)tv.tv_usec);
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char ts[40], msg[2048];
	json_t *line;
	char *out;

	if (!log_enabled(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_timestamp(ts, sizeof(ts));
	line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level_names[level], "msg", msg);
	out = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (out)
		fprintf(stderr, "%s\n", out);
	else
		fprintf(stderr, "%s %s %s\n", ts, level_names[level], msg);
	free(out);
	json_decref(line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_json(enum log_level level, const char *event, const char *json_fields)
{
	char ts[40];

	if (!log_enabled(level))
		return;
	log_timestamp(ts, sizeof(ts));
	fprintf(stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":\"%s\",%s\n", ts,
		level_names[level], event, json_fields[0] == '{' ? json_fields + 1 : json_fields);
}
