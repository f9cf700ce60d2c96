/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rxfilter.h - keeps every interface's unicast filter in step with the vMACs
 * this node owns (rtnetlink, libmnl), and falls back to promiscuous mode
 * where a device refuses an entry.
 *
 * Entries are added before the tables that make a forwarder ours are
 * switched in (and so before its takeover is announced), and removed only
 * after the tables that drop it are: make before break. An entry is xglb's
 * if its MAC is in the vMAC space (02:78:67:62:...) on an interface of the
 * configuration; every other entry is the operator's and never touched.
 *
 * Promiscuous mode is a PACKET_MR_PROMISC membership of a packet socket of
 * this process: it adds to the device's promiscuity count without touching
 * the operator's IFF_PROMISC flag, and the kernel drops it when the process
 * ends, however it ends, so a crash leaves no device promiscuous.
 */
#ifndef XGLB_RXFILTER_H
#define XGLB_RXFILTER_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include <json-c/json.h>
#include "ucfilter.h"

struct xglb_rxf_iface {
	__u32 ifindex;
	char name[IF_NAMESIZE];
	bool promisc;	 /* we hold a promiscuous membership on it */
	int refused;	 /* errno of the last refused add (0: none outstanding) */
	int n_refused;	 /* wanted entries the device does not hold */
	__u64 fallbacks; /* times it went promiscuous */
};

struct xglb_rxfilter {
	struct xglb_ucf_set have; /* entries on the devices that are xglb's */
	struct xglb_ucf_set tmp;  /* scratch for differences */
	int pkt_fd;		  /* packet socket holding promiscuous memberships; -1 */
	int n_if;
	struct xglb_rxf_iface ifs[XGLB_MAX_IFACES];
	__u32 seq;
	bool first_pass; /* until the first xglb_rxf_remove: removals are of entries left by an
			    earlier run */
	__u64 added, removed, refused, adopted, stale_removed, fallbacks, errors;
};

/* An empty filter state; 0 or -errno (no memory is the only failure). */
int xglb_rxf_init(struct xglb_rxfilter **out);

/*
 * The interfaces entries may go on (the configuration's group interfaces).
 * The first call also reads what the devices hold: vMAC entries found there
 * (left by an xglbd that was killed) are adopted as xglb's, and removed by
 * the next xglb_rxf_remove unless still wanted. Interfaces dropped from the
 * list lose their entries and promiscuous mode.
 */
int xglb_rxf_set_ifaces(struct xglb_rxfilter *f, const __u32 *ifindex,
			const char (*names)[IF_NAMESIZE], int n);

/*
 * Make: add every wanted entry not yet on its device. A device that refuses
 * an entry (no unicast filter support, filter full) goes promiscuous.
 * Returns the number of entries refused.
 */
int xglb_rxf_add(struct xglb_rxfilter *f, const struct xglb_ucf_set *want);

/*
 * Break: remove every entry of ours not wanted; leave promiscuous mode on
 * every interface that no longer misses a wanted entry.
 */
void xglb_rxf_remove(struct xglb_rxfilter *f, const struct xglb_ucf_set *want);

/* Clean stop: remove every entry of ours, leave promiscuous mode, free. */
void xglb_rxf_close(struct xglb_rxfilter *f);

/* "rx_filter" of the status: per interface its entries and mode; the counters. */
struct json_object *xglb_rxf_json(const struct xglb_rxfilter *f);

#endif
