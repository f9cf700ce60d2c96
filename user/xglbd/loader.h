/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* loader.h - loads the BPF object with pinned maps, attaches XDP (libxdp) and the tc ingress and
 * egress programs. */
#ifndef XGLB_LOADER_H
#define XGLB_LOADER_H

#include <stdbool.h>
#include <linux/types.h>
#include "xglb.h"

struct xglb;
struct xdp_program;

#define XGLB_TC_HANDLE 0x7867 /* our filter's handle and priority on clsact egress */
#define XGLB_TC_PRIO   0x78

struct xglb_loader {
	struct xglb *skel;
	struct xdp_program *xdp;
	char pin_root[256];
	bool loaded;
	bool stale; /* some pinned map had an older layout and was replaced */
	int n_if;
	__u32 ifindex[XGLB_MAX_IFACES];
	bool xdp_ours[XGLB_MAX_IFACES]; /* attached by this process (else adopted) */
	bool has_xdp[XGLB_MAX_IFACES];	/* the interface gets XDP (a group interface) */
};

/*
 * Open the object and point every map at PIN_ROOT/<map name>, so load
 * reuses maps a previous xglbd left pinned (restart keeps state) and pins
 * new ones. PIN_ROOT must be on a bpffs; /sys/fs/bpf is mounted if
 * needed. 0 or -errno (message logged).
 */
int xglb_loader_open(struct xglb_loader *l, const char *pin_root);

/*
 * Attach XDP through libxdp's dispatcher (so other XDP programs can share
 * the interface) and the tc programs (ingress host fix-up, egress guard)
 * through clsact on each interface.
 * An interface that already runs xglb_xdp (left by a previous xglbd) is
 * adopted, not attached twice. Loads the object if no attach did.
 */
int xglb_loader_attach(struct xglb_loader *l, const __u32 *ifindex, int n);

/*
 * As xglb_loader_attach, but XDP only where want_xdp[i]: the other
 * interfaces (a group's server-side segments, for flow steering) get the
 * tc programs alone.
 */
int xglb_loader_attach_some(struct xglb_loader *l, const __u32 *ifindex, const bool *want_xdp,
			    int n);

/* Detach XDP and tc from every interface we manage; unpin if asked. */
void xglb_loader_detach(struct xglb_loader *l, bool unpin);
void xglb_loader_close(struct xglb_loader *l);

/*
 * Entries of xglb_hosts: XGLB_MAX_HOSTS for every possible CPU, as its LRU
 * lists are per CPU (BPF_F_NO_COMMON_LRU) and ARP may all arrive on one;
 * at most XGLB_MAX_HOSTS_TOTAL.
 */
unsigned int xglb_hosts_capacity(void);

/* Is DIR on a bpffs? */
bool xglb_is_bpffs(const char *dir);

#endif
