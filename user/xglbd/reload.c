// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* reload.c - loading the configuration and applying a new one on SIGHUP. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ifaddrs.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include "xglb.skel.h"
#include "bank.h"
#include "cfgstate.h"
#include "cluster.h"
#include "ctlsock.h"
#include "http.h"
#include "metrics.h"
#include "config.h"
#include "learn.h"
#include "loader.h"
#include "log.h"
#include "netif.h"
#include "owners.h"
#include "segcheck.h"
#include "tables.h"
#include "track.h"
#include "daemon.h"

struct xglb_config *load_config(const struct daemon *d)
{
	struct xglb_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	if (xglb_config_load(d->config_path, d->node_override, cfg, stderr)) {
		free(cfg);
		return NULL;
	}
	if (cfg->key_inline_line)
		pr_warn(
		    "%s:%d: membership.key: the key is written in the configuration file, which "
		    "is often readable by others; prefer key-file (a root-owned file, mode 0600)",
		    d->config_path, cfg->key_inline_line);
	xglb_segcheck(d->config_path, cfg); /* advice: a group on two segments still runs */
	if (d->pin_root_override)
		snprintf(cfg->pin_root, sizeof(cfg->pin_root), "%s", d->pin_root_override);
	if (!cfg->control_socket[0])
		snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s",
			 XGLB_DEFAULT_CONTROL_SOCKET);
	return cfg;
}

/* What a reload cannot change without a restart; NULL if nothing. */
static const char *reload_conflict(const struct xglb_config *a, const struct xglb_config *b)
{
	if (strcmp(a->pin_root, b->pin_root))
		return "pin-root";
	if (a->nodes[a->self].id != b->nodes[b->self].id)
		return "this node's id";
	if (strcmp(a->state_dir, b->state_dir))
		return "state-dir";
	if (strcmp(a->control_socket, b->control_socket))
		return "control-socket";
	if (a->datapath != b->datapath)
		return "datapath";
	if (a->xdp_mode != b->xdp_mode)
		return "xdp-mode";
	if (a->host_table_size != b->host_table_size)
		return "host-table-size";
	if (a->membership != b->membership)
		return "membership on/off";
	if (a->membership &&
	    (a->port != b->port || a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len)))
		return "membership port and key";
	if (a->membership && a->nodes[a->self].address != b->nodes[b->self].address)
		return "this node's address";
	return NULL;
}

/*
 * SIGHUP: a new configuration replaces the running one only if it parses,
 * its interfaces exist and attach; otherwise the running state stays.
 */
/* Membership follows CFG, with our MACs on the interfaces IFS resolved. */
static void reconfigure_cluster(struct daemon *d, const struct xglb_config *cfg,
				const struct ifaces *ifs)
{
	__u8 macs[XGLB_MAX_GROUPS][6];

	group_macs(cfg, ifs, macs);
	xglb_cluster_reconfigure(d->cl, cfg, (const __u8(*)[6])macs, now_ns());
}

void reload(struct daemon *d)
{
	struct xglb_config *ncfg, *old = d->cfg;
	struct ifaces nifs, oifs = d->ifs;
	bool final_due[XGLB_MAX_GROUPS] = {0};
	int err;

	sd_notify(0, "RELOADING=1");
	pr_info("reloading %s", d->config_path);
	ncfg = load_config(d);
	if (!ncfg) {
		pr_err("reload: %s has errors; keeping the running configuration", d->config_path);
		goto out;
	}
	if (reload_conflict(old, ncfg)) {
		pr_err("reload: %s changes only with a restart; keeping the running configuration",
		       reload_conflict(old, ncfg));
		free(ncfg);
		goto out;
	}
	if (resolve_ifaces(ncfg, &nifs)) {
		pr_err("reload: keeping the running configuration");
		free(ncfg);
		goto out;
	}
	err = xglb_loader_attach_some(&d->ld, nifs.ifindex, nifs.dp, nifs.n);
	if (err) {
		pr_err("reload: attaching: %s; keeping the running configuration", strerror(-err));
		xglb_loader_attach_some(&d->ld, oifs.ifindex, oifs.dp, oifs.n);
		free(ncfg);
		goto out;
	}
	ra_final_plan(d, ncfg, final_due); /* decided on the running view, sent once applied */
	d->cfg = ncfg;
	d->ifs = nifs;
	rx_filter_ifaces(d);
	if (d->cl) {
		reconfigure_cluster(d, ncfg, &nifs);
		steer_segments(d);
	}
	fastpath_sync(d); /* the ways out before the tables that use them */
	if (write_ifaces(d) || commit_tables(d)) {
		pr_err("reload: writing tables failed; restoring the running configuration");
		d->cfg = old;
		d->ifs = oifs;
		rx_filter_ifaces(d);
		if (d->cl)
			reconfigure_cluster(d, old, &oifs);
		commit_tables(d);
		fastpath_sync(d);
		free(ncfg);
		goto out;
	}
	/* Interfaces no longer used lose our programs. */
	for (int i = 0; i < oifs.n; i++) {
		if (iface_find(&nifs, oifs.name[i]) < 0) {
			struct xglb_loader one = d->ld;

			one.n_if = 1;
			one.ifindex[0] = oifs.ifindex[i];
			xglb_loader_detach(&one, false);
			bpf_map_delete_elem(bpf_map__fd(d->ld.skel->maps.xglb_ifaces),
					    &oifs.ifindex[i]);
		}
	}
	if (xglb_tracker_reconfigure(&d->trk, d->cfg, now_ns()) == 0)
		track_epoll(d);
	arm_timer(d->trk_tfd, d->cfg->n_track ? 100 : 0);
	/* The cluster took the configured priority and weight back: re-advertise
	 * what drain and tracking leave of them. */
	apply_self(d, true);
	console_token_load(d, true); /* re-read: a new token takes effect; a bad one is logged */
	if (strcmp(old->http_listen, d->cfg->http_listen)) {
		http_stop(d);
		http_start(d); /* a failure is logged; the rest of the reload stands */
	}
	ra_final_reload(d, old, &oifs, final_due); /* before the addresses go (sync_vips) */
	sync_vips(d, false);
	ra_schedule(d);
	heartbeat(d);
	arm_timer(d->hb_fd, heartbeat_period_ms(d));
	arm_timer(d->learn_fd, d->cfg->learn_interval_ms);
	send_learning(d);
	/* every interface resolved: judge them afresh by the new list */
	memset(d->nw.gone, 0, sizeof(d->nw.gone));
	memset(d->nw.no_fwd, 0, sizeof(d->nw.no_fwd));
	memset(d->nw.no_fwd6, 0, sizeof(d->nw.no_fwd6));
	if (nodeaddr_init(d)) /* the segment's interfaces may have changed: where it is now */
		pr_warn("node address: no timer (%s): it is not moved until a restart",
			strerror(errno));
	netwatch_resync(d);
	arm_membership(d);
	apply_realtime(d); /* a refusal is logged; the rest of the reload stands */
	free(old);
	pr_info("reloaded: %d groups on %d interfaces, tables version %u", d->cfg->n_groups,
		d->ifs.n, d->version);
out:
	sd_notify(0, "READY=1");
}
