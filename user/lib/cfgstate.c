// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cfgstate.c - static configuration -> group state for the table builder. */
#include <string.h>
#include "cfgstate.h"

void xglb_cfg_group_state(const struct xglb_config *cfg, int g,
			  const __u32 ifindex[XGLB_GROUP_IFACES], __u32 version,
			  struct xglb_group_state *st)
{
	const struct xglb_cfg_group *cg = &cfg->groups[g];

	memset(st, 0, sizeof(*st));
	st->gid = cg->id;
	st->vip = cg->vip;
	st->policy = cg->policy;
	st->avg = cg->avg >= 0 ? cfg->nodes[cg->avg].id : 0;
	st->version = version;
	st->n_fwd = cg->n_fwd;
	memcpy(st->ifindex, ifindex, sizeof(st->ifindex));
	memcpy(st->vip6, cg->addr6, sizeof(st->vip6));
	for (int i = 0; i < cg->n_fwd; i++) {
		const struct xglb_cfg_fwd *cf = &cg->fwd[i];

		st->fwd[i].owner = cfg->nodes[cf->owner].id;
		st->fwd[i].weight = cf->weight;
		st->fwd[i].active = true;
		st->fwd[i].new_ok = true;
	}
}
