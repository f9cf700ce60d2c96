/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* config_fields.h - the handlers of xglb.yaml's own value types (names, addresses, interfaces, the
 * key). */
#ifndef XGLB_CONFIG_FIELDS_H
#define XGLB_CONFIG_FIELDS_H

#include "yaml_schema.h"

#define MS_MAX	     3600000  /* one hour, the longest timer in milliseconds */
#define HOLD_MAX     180000   /* groups[].timers.hold-ms */
#define TIMEOUT_MAX  86400000 /* groups[].timers.redirect-ms and timeout-ms: one day */
#define KEY_MIN	     16	      /* bytes of the membership key */
#define SUN_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

field_reader cfg_read_persistence;
field_reader cfg_read_listen;
field_reader cfg_read_name;
field_reader cfg_read_noderef;
field_reader cfg_read_preferred;
field_reader cfg_read_node_name;
field_reader cfg_read_self;
field_reader cfg_read_avg;
field_reader cfg_read_ipv4;
field_reader cfg_read_ifname;
field_reader cfg_read_ifaces;
field_reader cfg_read_steer_ifaces;
void cfg_steer_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
		     const struct field *fields, unsigned int bad);
field_reader cfg_read_link_local;
field_reader cfg_read_vip6;
field_reader cfg_read_prefix6;
field_reader cfg_read_key;
field_reader cfg_read_keyfile;

#endif
