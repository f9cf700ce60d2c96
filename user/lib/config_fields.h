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

bool cfg_read_persistence(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
			  const char *name);
bool cfg_read_listen(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name);
bool cfg_read_name(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name);
bool cfg_read_noderef(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name);
bool cfg_read_self(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name);
bool cfg_read_avg(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		  const char *name);
bool cfg_read_ipv4(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name);
bool cfg_read_ifname(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name);
bool cfg_read_ifaces(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name);
bool cfg_read_steer_ifaces(struct ctx *c, const struct field *f, yaml_node_t *v, int line,
			   void *obj, const char *name);
void cfg_steer_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
		     const struct field *fields, unsigned int bad);
bool cfg_read_key(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		  const char *name);
bool cfg_read_keyfile(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name);

#endif
