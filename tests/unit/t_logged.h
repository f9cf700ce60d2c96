/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* t_logged.h - for the unit tests of modules that log: how many recent log messages contain S. */
#ifndef XGLB_T_LOGGED_H
#define XGLB_T_LOGGED_H

#include <string.h>
#include <json-c/json.h>
#include "log.h"

static inline int t_logged(const char *s)
{
	struct json_object *a = xglb_log_recent(), *m;
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(a, i), "message", &m) &&
		    strstr(json_object_get_string(m), s))
			n++;
	json_object_put(a);
	return n;
}

#endif
