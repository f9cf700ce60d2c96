/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* cfgstate.h - the group state a static configuration describes (pure; no I/O). */
#ifndef XGLB_CFGSTATE_H
#define XGLB_CFGSTATE_H

#include "config.h"
#include "tables.h"

/*
 * State of group cfg->groups[g]: forwarders active and taking new hosts,
 * owned as configured, AVG as configured. ifindex[] holds the group's
 * interfaces as resolved by the caller, in cfg order.
 */
void xglb_cfg_group_state(const struct xglb_config *cfg, int g,
			  const __u32 ifindex[XGLB_GROUP_IFACES], __u32 version,
			  struct xglb_group_state *st);

#endif
