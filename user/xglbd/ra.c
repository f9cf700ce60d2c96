// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ra.c - IPv6 router advertisements from each group's virtual link-local:
 * unsolicited ones on a timer from every node, answers to router
 * solicitations from the AVG. Frames go out of the packet socket of the
 * learning frames (one sendto each, never blocking); solicitations are
 * read RA_RS_BATCH per turn of the event loop, so hellos never wait.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include "learn.h"
#include "log.h"
#include "ndmsg.h"
#include "daemon.h"

static const __u8 all_nodes_ip[16] = {0xff, 0x02, [15] = 1};
static const __u8 all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};

int ra_open(struct daemon *d)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct icmp6_filter filt;
	int on = 1;

	d->ra.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->ra.tfd < 0)
		return -errno;
	ev.data.fd = d->ra.tfd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->ra.tfd, &ev);
	d->ra.rs_fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	if (d->ra.rs_fd < 0)
		return -errno;
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filt);
	if (setsockopt(d->ra.rs_fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)) ||
	    setsockopt(d->ra.rs_fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) ||
	    setsockopt(d->ra.rs_fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)))
		return -errno;
	ev.data.fd = d->ra.rs_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->ra.rs_fd, &ev);
	return 0;
}

void ra_close(struct daemon *d)
{
	if (d->ra.rs_fd >= 0)
		close(d->ra.rs_fd);
	if (d->ra.tfd >= 0)
		close(d->ra.tfd);
	d->ra.rs_fd = d->ra.tfd = -1;
}

static bool ra_on(const struct xglb_cfg_group *cg)
{
	return cg->ra.enabled && cg->n_addr6;
}

/*
 * RA of group cg out of each of its interfaces in ifs that exists (not
 * gone, when ifs are the running ones), to dst; how many went out.
 */
static int ra_send_on(struct daemon *d, const struct xglb_cfg_group *cg, const struct ifaces *ifs,
		      const __u8 dst_mac[6], const __u8 dst_ip[16], __u32 only_ifindex)
{
	__u8 frame[XGLB_RA_FRAME_MAX];
	int sent = 0;

	for (int i = 0; d->pkt_fd >= 0 && i < cg->n_ifaces; i++) {
		int k = iface_find(ifs, cg->ifaces[i]), len, err;

		if (k < 0 || (ifs == &d->ifs && d->nw.gone[k]) ||
		    (only_ifindex && ifs->ifindex[k] != only_ifindex))
			continue;
		len = xglb_ra_frame(frame, cg, ifs->mac[k], dst_mac, dst_ip);
		err = xglb_learn_send(d->pkt_fd, ifs->ifindex[k], frame, len);
		if (err) {
			d->ra.errors++;
			pr_debug("group %u: RA on %s: %s", cg->id, cg->ifaces[i], strerror(-err));
		} else {
			sent++;
		}
	}
	return sent;
}

/* RA of cfg group g out of each of its interfaces that exists, to dst; how many went out. */
static int ra_send(struct daemon *d, int g, const __u8 dst_mac[6], const __u8 dst_ip[16],
		   __u32 only_ifindex)
{
	return ra_send_on(d, &d->cfg->groups[g], &d->ifs, dst_mac, dst_ip, only_ifindex);
}

/* The wait after an RA: uniform in [3/4, 1] of the interval (initial ones: at most RA_INITIAL_MS).
 */
static __u64 ra_wait_ns(const struct xglb_cfg_group *cg, bool initial)
{
	__u64 max = (__u64)cg->ra.interval_ms * 1000000ull;
	unsigned int r = 0;

	if (initial && max > RA_INITIAL_MS * 1000000ull)
		max = RA_INITIAL_MS * 1000000ull;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned int)rand();
	return max - max / 4 + (__u64)r % (max / 4 + 1);
}

static void ra_arm(struct daemon *d)
{
	__u64 first = 0;

	for (int g = 0; g < d->cfg->n_groups; g++)
		if (d->ra.next_ns[g] && (!first || d->ra.next_ns[g] < first))
			first = d->ra.next_ns[g];
	if (d->ra.tfd >= 0)
		arm_at(d->ra.tfd, first, now_ns());
}

/*
 * Solicitations go to all routers (ff02::2), which the kernel joins only
 * where IPv6 forwarding is on: the socket joins it on every interface of
 * a group with RAs itself (again after a reload or a re-created interface;
 * a membership already held is no error).
 */
static void ra_join(struct daemon *d)
{
	struct ipv6_mreq mr = {.ipv6mr_multiaddr = {.s6_addr = {0xff, 0x02, [15] = 2}}};

	for (int g = 0; d->ra.rs_fd >= 0 && g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];

		for (int i = 0; ra_on(cg) && i < cg->n_ifaces; i++) {
			int k = iface_find(&d->ifs, cg->ifaces[i]);

			if (k < 0 || d->nw.gone[k])
				continue;
			mr.ipv6mr_interface = d->ifs.ifindex[k];
			if (setsockopt(d->ra.rs_fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
				       sizeof(mr)) &&
			    errno != EADDRINUSE)
				pr_warn(
				    "group %u: joining ff02::2 on %s for router solicitations: %s",
				    cg->id, cg->ifaces[i], strerror(errno));
		}
	}
}

/*
 * After a start or a reload: a group that now advertises and did not
 * (or is another group at that index) starts with its initial RAs at
 * once; one that no longer advertises is unscheduled.
 */
void ra_schedule(struct daemon *d)
{
	__u64 now = now_ns();

	for (int g = 0; g < XGLB_MAX_GROUPS; g++) {
		const struct xglb_cfg_group *cg = g < d->cfg->n_groups ? &d->cfg->groups[g] : NULL;

		if (!cg || !ra_on(cg)) {
			d->ra.next_ns[g] = 0;
			continue;
		}
		if (d->ra.next_ns[g] && d->ra.gid[g] == cg->id)
			continue;
		d->ra.gid[g] = cg->id;
		d->ra.advertised[g] = false;
		d->ra.next_ns[g] = now;
		d->ra.initial[g] = RA_INITIAL;
		d->ra.bucket_ns[g] = 0;
	}
	ra_join(d);
	ra_arm(d);
}

void ra_tick(struct daemon *d)
{
	__u64 now = now_ns(), ticks;

	if (read(d->ra.tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	for (int g = 0; g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];

		if (!d->ra.next_ns[g] || d->ra.next_ns[g] > now)
			continue;
		if (!(d->nw.why[g] & NW_NO_FORWARDING6)) { /* else the others advertise the group */
			int n = ra_send(d, g, all_nodes_mac, all_nodes_ip, 0);

			d->ra.sent += (__u64)n;
			d->ra.advertised[g] |= n > 0;
		}
		if (d->ra.initial[g])
			d->ra.initial[g]--;
		d->ra.next_ns[g] = now + ra_wait_ns(cg, d->ra.initial[g] > 0);
	}
	ra_arm(d);
}

/*
 * Group g of cfg (cluster group index g) is the last of its routers: no
 * other node can forward for it. With membership, by the group's live
 * view (xglb_fsm_others_forward: up, not leaving, weight > 0); static,
 * by the configuration: no forwarder is owned by another node.
 */
static bool ra_last_router(const struct daemon *d, const struct xglb_config *cfg, int g)
{
	const struct xglb_cfg_group *cg = &cfg->groups[g];

	/* still in its startup hold, a node does not know its peers yet: not the last */
	if (d->cl)
		return g < d->cl->n_groups && !xglb_fsm_starting(&d->cl->fsm[g], now_ns()) &&
		       !xglb_fsm_others_forward(&d->cl->fsm[g]);
	for (int i = 0; i < cg->n_fwd; i++)
		if (cg->fwd[i].owner != cfg->self)
			return false;
	return true;
}

/* Take one answer from group g's budget; false when it is spent. */
static bool ra_budget(struct daemon *d, int g, __u64 now)
{
	__u64 floor =
	    now > RA_ANSWER_BURST * RA_ANSWER_NS ? now - RA_ANSWER_BURST * RA_ANSWER_NS : 0;

	if (d->ra.bucket_ns[g] < floor)
		d->ra.bucket_ns[g] = floor;
	if (d->ra.bucket_ns[g] + RA_ANSWER_NS > now)
		return false;
	d->ra.bucket_ns[g] += RA_ANSWER_NS;
	return true;
}

/* One solicitation, from src on ifindex: answered by the AVG of each group with RAs there. */
static enum ra_rs_result ra_answer(struct daemon *d, __u32 ifindex, const __u8 src[16],
				   const __u8 *icmp, size_t len, int hops, __u64 now)
{
	enum ra_rs_result res = RS_NO_GROUP;
	__u8 mac[6];
	int has = xglb_rs_check(icmp, len, src, hops, mac);

	if (has < 0)
		return RS_INVALID;
	for (int g = 0; g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];
		bool here = false;

		for (int i = 0; i < cg->n_ifaces && !here; i++) {
			int k = iface_find(&d->ifs, cg->ifaces[i]);

			here = k >= 0 && !d->nw.gone[k] && d->ifs.ifindex[k] == ifindex;
		}
		if (!here || !ra_on(cg))
			continue;
		if (!(d->tables[g].flags & XGLB_GRP_AVG)) {
			res = res == RS_ANSWERED ? res : RS_NOT_AVG;
			continue;
		}
		/* IPv6 forwarding off here: the AVG still speaks for the others, if any */
		if ((d->nw.why[g] & NW_NO_FORWARDING6) && ra_last_router(d, d->cfg, g)) {
			res = res == RS_ANSWERED ? res : RS_NO_ROUTER;
			continue;
		}
		if (!ra_budget(d, g, now)) {
			res = res == RS_ANSWERED ? res : RS_RATELIMITED;
			continue;
		}
		/* with its link-layer address: to it alone; from :: (or without): to all nodes */
		if (ra_send(d, g, has ? mac : all_nodes_mac, has ? src : all_nodes_ip, ifindex)) {
			d->ra.advertised[g] = true;
			d->ra.answers++;
			res = RS_ANSWERED;
		}
	}
	return res;
}

void ra_rs_event(struct daemon *d)
{
	__u64 now = now_ns();

	for (int n = 0; n < RA_RS_BATCH; n++) {
		__u8 buf[1500],
		    cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		struct sockaddr_in6 from;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {.msg_name = &from,
				    .msg_namelen = sizeof(from),
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *c;
		__u32 ifindex = 0;
		int hops = -1;
		ssize_t len = recvmsg(d->ra.rs_fd, &mh, MSG_DONTWAIT);

		if (len < 0)
			return;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != IPPROTO_IPV6)
				continue;
			if (c->cmsg_type == IPV6_PKTINFO)
				ifindex = ((struct in6_pktinfo *)CMSG_DATA(c))->ipi6_ifindex;
			else if (c->cmsg_type == IPV6_HOPLIMIT)
				memcpy(&hops, CMSG_DATA(c), sizeof(hops));
		}
		d->ra.rs[ra_answer(d, ifindex, from.sin6_addr.s6_addr, buf, (size_t)len, hops,
				   now)]++;
	}
}

struct json_object *ra_json(const struct daemon *d)
{
	static const char *const rs_names[RS_RESULTS] = {
	    [RS_ANSWERED] = "answered",	      [RS_NOT_AVG] = "not_avg",
	    [RS_RATELIMITED] = "ratelimited", [RS_INVALID] = "invalid",
	    [RS_NO_GROUP] = "no_group",	      [RS_NO_ROUTER] = "no_router",
	};
	struct json_object *o = json_object_new_object(), *rs = json_object_new_object();

	for (int i = 0; i < RS_RESULTS; i++)
		json_object_object_add(rs, rs_names[i],
				       json_object_new_int64((int64_t)d->ra.rs[i]));
	json_object_object_add(o, "ra_sent", json_object_new_int64((int64_t)d->ra.sent));
	json_object_object_add(o, "ra_answers", json_object_new_int64((int64_t)d->ra.answers));
	json_object_object_add(o, "ra_errors", json_object_new_int64((int64_t)d->ra.errors));
	json_object_object_add(o, "ra_final", json_object_new_int64((int64_t)d->ra.final));
	json_object_object_add(o, "ra_final_skipped",
			       json_object_new_int64((int64_t)d->ra.final_skipped));
	json_object_object_add(o, "rs", rs);
	json_object_object_add(o, "na_moved", json_object_new_int64((int64_t)d->ra.na_moved));
	return o;
}

/*
 * RFC 4861 6.2.5, ceasing to be an advertising interface: RA_FINAL RAs with
 * router lifetime 0 (prefixes as configured), so hosts drop the default
 * route at once. All routers of a group advertise the same virtual
 * link-local, so a router's final RA would withdraw the group's gateway
 * from every host: it is sent only when no other router can forward for
 * the group (ra_last_router); else the others keep advertising it and
 * nothing is sent. Counted in ra.final (xglb_ra_sent_total{kind="final"});
 * a group where others remain counts ra.final_skipped.
 */
static bool ra_final_due(struct daemon *d, const struct xglb_config *cfg, int g, const char *why)
{
	const struct xglb_cfg_group *cg = &cfg->groups[g];

	if (!ra_on(cg) || !d->ra.advertised[g])
		return false; /* it never advertised the group: it has nothing to withdraw */
	if (!ra_last_router(d, cfg, g)) {
		d->ra.final_skipped++;
		pr_info("group %u: %s: other routers remain, they keep advertising the gateway",
			cg->id, why);
		return false;
	}
	return true;
}

static void ra_final_send(struct daemon *d, const struct xglb_config *cfg, int g,
			  const struct ifaces *ifs, const char *why)
{
	struct xglb_cfg_group cg = cfg->groups[g];
	int sent = 0;

	cg.ra.lifetime_s = 0;
	d->ra.advertised[g] = false;
	for (int n = 0; n < RA_FINAL; n++)
		sent += ra_send_on(d, &cg, ifs, all_nodes_mac, all_nodes_ip, 0);
	d->ra.final += (__u64)sent;
	pr_info("group %u: %s: the last router of the group: %d final RAs with router lifetime 0",
		cg.id, why, sent);
}

void ra_final_stop(struct daemon *d)
{
	for (int g = 0; g < d->cfg->n_groups; g++)
		if (ra_final_due(d, d->cfg, g, "stopping"))
			ra_final_send(d, d->cfg, g, &d->ifs, "stopping");
}

void ra_final_plan(struct daemon *d, const struct xglb_config *ncfg, bool due[XGLB_MAX_GROUPS])
{
	for (int g = 0; g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];
		bool kept = false;

		for (int n = 0; n < ncfg->n_groups && !kept; n++)
			kept = ncfg->groups[n].id == cg->id && ra_on(&ncfg->groups[n]);
		due[g] =
		    !kept && ra_final_due(d, d->cfg, g, "no longer advertised after the reload");
	}
}

void ra_final_reload(struct daemon *d, const struct xglb_config *old, const struct ifaces *oifs,
		     const bool due[XGLB_MAX_GROUPS])
{
	for (int g = 0; g < old->n_groups; g++)
		if (due[g])
			ra_final_send(d, old, g, oifs, "no longer advertised after the reload");
}

/*
 * Group g's IPv6 forwarding turned off (off) or back on here. Off: this
 * node stops its unsolicited RAs (the others advertise the group), and
 * if no other router can forward the group's gateway is gone: the final
 * RA says so (router lifetime 0). On: the initial RAs again, at once.
 */
void ra_forwarding6(struct daemon *d, int g, bool off)
{
	if (g >= d->cfg->n_groups || !ra_on(&d->cfg->groups[g]))
		return;
	if (off) {
		if (ra_final_due(d, d->cfg, g, "IPv6 forwarding off"))
			ra_final_send(d, d->cfg, g, &d->ifs, "IPv6 forwarding off");
		return;
	}
	d->ra.next_ns[g] = now_ns();
	d->ra.initial[g] = RA_INITIAL;
	ra_arm(d);
}
