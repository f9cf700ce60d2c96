/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rxfilter.h - keeps every interface's unicast filter in step with the vMACs
 * of its groups (rtnetlink, libmnl), and falls back to promiscuous mode
 * where a device refuses an entry.
 *
 * The caller wants every vMAC of every group on each of the group's
 * interfaces, owned by this node or not (xglb_ucf_wanted), so the set
 * changes only with the groups, their forwarders and interfaces (start,
 * reload, an interface re-created), never at a takeover: a failover sends
 * no request and cannot fail half-way on a filter error. Frames to a vMAC
 * this node does not own are dropped and counted by the data path
 * (xdp_drop_vmac_remote). Entries are added before the tables that use
 * them are switched in, and removed only after the tables without them
 * are: make before break. An entry is xglb's
 * if its MAC is in the vMAC space (02:78:67:62:...) on an interface of the
 * configuration; every other entry is the operator's and never touched.
 *
 * An entry removed under xglb (an operator's "bridge fdb del MAC dev IF
 * self", a driver that resets its filter, a device re-created) is put back
 * as soon as the rtnetlink monitor reports it, or the next resync finds it
 * missing: counted ("restored") and logged.
 *
 * The mode (rx-filter: in the configuration) says whether xglbd manages the
 * filters at all: auto (entries, promiscuous fallback), off (nothing is
 * touched), promiscuous (every interface promiscuous, no entries).
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
#include "config.h"
#include "ucfilter.h"

struct xglb_rxf_iface {
	__u32 ifindex;
	char name[IF_NAMESIZE];
	bool promisc;	 /* we hold a promiscuous membership on it */
	int refused;	 /* errno of the last refused add (0: none outstanding) */
	int n_refused;	 /* wanted entries the device does not hold */
	__u64 fallbacks; /* times it went promiscuous */
	__u64 restored;	 /* entries removed under us and put back */
	__u64 said_ns;	 /* when a restore on it was last logged (CLOCK_MONOTONIC) */
	int unsaid;	 /* restores since, not logged one by one */
};

/* A restore is logged at most this often per interface; the others are counted. */
#define XGLB_RXF_LOG_EVERY_NS (60ull * 1000000000ull)

struct xglb_rxfilter {
	struct xglb_ucf_set have; /* entries on the devices that are xglb's */
	struct xglb_ucf_set tmp;  /* scratch for differences */
	struct xglb_ucf_set seen; /* scratch: what a resync found on the devices */
	int pkt_fd;		  /* packet socket holding promiscuous memberships; -1 */
	int n_if;
	struct xglb_rxf_iface ifs[XGLB_MAX_IFACES];
	__u32 seq;
	int mode;	 /* enum xglb_rx_filter (config.h) */
	bool first_pass; /* until the first xglb_rxf_remove: removals are of entries left by an
			    earlier run */
	__u64 added, removed, refused, adopted, stale_removed, fallbacks, errors;
	__u64 restored; /* entries removed under us (by others) and put back */
	__u64 resyncs;	/* the devices' entries read again and compared */
};

/* An empty filter state in mode auto; 0 or -errno (no memory is the only failure). */
int xglb_rxf_init(struct xglb_rxfilter **out);

/*
 * Switch to mode (enum xglb_rx_filter); want: the entries the live tables
 * need. To off: every entry of ours removed, promiscuous mode left. To
 * promiscuous: every interface promiscuous first, then our entries
 * removed. To auto: the wanted entries added (promiscuous where refused),
 * then the forced promiscuous mode left where nothing is missing. Entering
 * auto or promiscuous from off reads the devices first (as at start).
 */
void xglb_rxf_set_mode(struct xglb_rxfilter *f, int mode, const struct xglb_ucf_set *want);

/*
 * The interfaces entries may go on (the configuration's group interfaces
 * that exist). Every call also reads what the devices hold: vMAC entries
 * found there (left by an xglbd that was killed) are adopted as xglb's, and
 * removed by the next xglb_rxf_remove unless still wanted. Interfaces
 * dropped from the list (gone, or re-created under a new ifindex) lose
 * their entries and promiscuous mode; a new one starts with none (in mode
 * promiscuous it goes promiscuous at once). Not in mode off: nothing is read.
 */
int xglb_rxf_set_ifaces(struct xglb_rxfilter *f, const __u32 *ifindex,
			const char (*names)[IF_NAMESIZE], int n);

/*
 * Make: add every wanted entry not yet on its device (entries on interfaces
 * not in the list are skipped), refused ones again. A device that refuses
 * an entry (no unicast filter support, filter full) goes promiscuous. Mode promiscuous: every
 * interface promiscuous, no entries; off: nothing. Returns the number of
 * entries refused.
 */
int xglb_rxf_add(struct xglb_rxfilter *f, const struct xglb_ucf_set *want);

/*
 * Break: remove every entry of ours not wanted; leave promiscuous mode on
 * every interface that no longer misses a wanted entry.
 */
void xglb_rxf_remove(struct xglb_rxfilter *f, const struct xglb_ucf_set *want);

/*
 * The rtnetlink monitor saw (ifindex, mac) leave a device's unicast filter.
 * If it was ours (we remove what we remove before we hear of it) someone
 * else removed it: it is put back if want holds it (counted, logged at most
 * once a minute per interface).
 */
void xglb_rxf_entry_gone(struct xglb_rxfilter *f, __u32 ifindex, const __u8 mac[6],
			 const struct xglb_ucf_set *want);

/*
 * Read the devices' entries again (ifindex, or 0 for every interface):
 * ours that a device no longer holds (a driver reset, lost events) are put
 * back as by xglb_rxf_entry_gone, and entries a device refused are tried
 * again (promiscuous mode left where it takes them now). The daemon calls
 * it when an interface comes up and after a monitor overrun. 0 or -errno.
 */
int xglb_rxf_resync(struct xglb_rxfilter *f, __u32 ifindex, const struct xglb_ucf_set *want);

/* Clean stop: remove every entry of ours, leave promiscuous mode, free. */
void xglb_rxf_close(struct xglb_rxfilter *f);

/* "rx_filter" of the status: the mode; per interface its entries and promiscuity; the counters. */
struct json_object *xglb_rxf_json(const struct xglb_rxfilter *f);

#endif
