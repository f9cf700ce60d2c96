/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* loader.h - loads the BPF object with pinned maps, attaches XDP (libxdp) and the tc ingress and
 * egress programs (tcx hooks, or clsact where the kernel has no tcx). */
#ifndef XGLB_LOADER_H
#define XGLB_LOADER_H

#include <stdbool.h>
#include <linux/types.h>
#include "hosttab.h"
#include "xglb.h"

struct xglb;
struct xdp_program;

#define XGLB_TC_HANDLE 0x7867 /* our filter's handle and priority on clsact (no tcx) */
#define XGLB_TC_PRIO   0x78

/* What an interface runs at ingress. */
enum xglb_hook_use {
	XGLB_USE_STEER = 0, /* no group: xglb_tc_ingress (steering, PACKET_HOST fix-up) */
	XGLB_USE_XDP = 1,   /* xglb_xdp, then xglb_tc_ingress */
	XGLB_USE_TC = 2,    /* xglb_tc: the whole data path at tc ingress, no XDP */
};

struct xglb_loader {
	struct xglb *skel;
	struct xdp_program *xdp;
	char pin_root[256];
	int datapath; /* enum xglb_datapath (config.h), as configured */
	int xdp_mode; /* enum xglb_xdp_mode (config.h), as configured */
	bool loaded;
	bool stale;		   /* some pinned map had an older layout and was replaced */
	bool tc_known;		   /* tcx probed (the first attach): tcx says which */
	bool tcx;		   /* tc programs at the tcx hooks; false: clsact filters */
	int hosts_old_fd;	   /* > 0: an older xglb's host table (a hash), to carry over */
	struct xglb_hosttab hosts; /* xglb_hosts mapped read-write, once loaded (hosttab.h) */
	int n_if;
	__u32 ifindex[XGLB_MAX_IFACES];
	bool xdp_ours[XGLB_MAX_IFACES];	  /* attached by this process (else adopted) */
	__u8 use[XGLB_MAX_IFACES];	  /* enum xglb_hook_use */
	char driver[XGLB_MAX_IFACES][32]; /* "" if the kernel did not say */
	const char *why[XGLB_MAX_IFACES]; /* why this hook: "configured", "veth", ... */
	__u8 mode[XGLB_MAX_IFACES];	  /* libxdp's enum xdp_attach_mode of xglb_xdp; 0: none */
};

/* "tcx" or "clsact": how the tc programs are attached (status). */
const char *xglb_loader_tc_name(const struct xglb_loader *l);

/* "xdp", "tc", "steering": what status and /metrics call an enum xglb_hook_use. */
const char *xglb_hook_use_name(unsigned int use);
/* "native", "generic", "none": what status and /metrics call the mode xglb_xdp got (mode[]). */
const char *xglb_attach_mode_name(unsigned int mode);

/*
 * Open the object and point every map at PIN_ROOT/<map name>, so load
 * reuses maps a previous xglbd left pinned (restart keeps state) and pins
 * new ones. PIN_ROOT must be on a bpffs; /sys/fs/bpf is mounted if
 * needed. xglb_hosts gets xglb_hosts_capacity(HOST_TABLE_SIZE) entries: a
 * pinned one of another size is replaced (its hosts lost, said so). 0 or
 * -errno (message logged).
 */
int xglb_loader_open(struct xglb_loader *l, const char *pin_root, int datapath, int xdp_mode,
		     unsigned int host_table_size);

/*
 * Attach the programs to n interfaces. A group interface (dp[i]) gets the
 * ingress data path on the hook the configured datapath gives it (auto:
 * tc on veth, else XDP, else tc if the driver refuses native XDP): XDP
 * through libxdp's dispatcher (other XDP programs can share the
 * interface) in the configured xdp-mode (auto: native, else generic) with
 * xglb_tc_ingress behind it, or xglb_tc alone at tc ingress. Other interfaces (a group's
 * server-side segments, for flow steering) get xglb_tc_ingress. Every one gets the egress guard.
 * The tc programs go to the tcx hooks (kernel 6.6 and later; ingress first, egress last, other
 * programs kept), in place of an xglb program found there (atomically replaced, extra ones
 * detached), and an xglb clsact filter left by an older xglbd is removed once they are in;
 * without tcx they are clsact filters. An interface that already runs xglb_xdp (left by a previous
 * xglbd) is adopted, not attached twice, or freed of it when its hook is now tc, or re-attached
 * when it runs in the other XDP mode. Loads the object if no attach did. use[], driver[], why[] and
 * mode[] say what each interface got.
 */
int xglb_loader_attach_some(struct xglb_loader *l, const __u32 *ifindex, const bool *dp, int n);

/* Detach XDP and tc from every interface we manage; unpin if asked. */
void xglb_loader_detach(struct xglb_loader *l, bool unpin);
void xglb_loader_close(struct xglb_loader *l);

/*
 * Entries (ways) of xglb_hosts: CONFIGURED (host-table-size) rounded up to
 * whole buckets of XGLB_HOST_WAYS if not 0, else XGLB_MAX_HOSTS for every
 * possible CPU (room that grows with the machine; the table never evicts);
 * at most XGLB_MAX_HOSTS_TOTAL.
 */
unsigned int xglb_hosts_capacity(unsigned int configured);

/* Is DIR on a bpffs? */
bool xglb_is_bpffs(const char *dir);

#endif
