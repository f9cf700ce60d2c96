// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nicfail.c - the forwarders this node owns, bound to its interfaces on
 * each group's segment, and moved between them when one loses carrier or
 * is set down (netlink link events, through netwatch.c), back after
 * nic-return-ms. Which interface takes which forwarder is
 * user/lib/nicbind.c's (pure); here: reading the carrier, the return
 * timer, the bound interface written into the tables at each commit,
 * learning frames from the new interface of a moved forwarder, the log
 * line and the counters. A move is one table commit (a bank flip) and
 * the learning frames: no membership change, no host has to ARP. When no
 * interface of a group has carrier the node withdraws from it
 * (netwatch.c, NW_NO_CARRIER) and the other nodes take over.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include "learn.h"
#include "log.h"
#include "nicbind.h"
#include "tables.h"
#include "daemon.h"

/* Up (IFF_UP) with carrier (IFF_RUNNING: operationally up) now; false if it does not exist. */
static bool carrier_of(const char *name)
{
	struct ifreq ifr = {0};
	bool up = false;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return true; /* cannot tell: as before, never a move on a guess */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		up = (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
	close(fd);
	return up;
}

/* Every group's interfaces as they are now: the state of a (re)loaded configuration. */
static void nic_init(struct daemon *d)
{
	for (int g = 0; g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];
		bool c[XGLB_GROUP_IFACES] = {0};

		for (int i = 0; i < cg->n_ifaces && i < XGLB_GROUP_IFACES; i++)
			c[i] = carrier_of(cg->ifaces[i]);
		xglb_nicbind_init(&d->nic.b[g], cg->n_ifaces, c);
		for (int i = 0; i < cg->n_ifaces && i < XGLB_GROUP_IFACES; i++)
			if (!c[i])
				pr_warn("group %u: %s has no carrier (or is down): it carries no "
					"forwarder until it has",
					cg->id, cg->ifaces[i]);
	}
	d->nic.cfg = d->cfg;
}

/* The binding, for commit_tables: into group g's table as built (xglb_build_group). */
void nic_apply(struct daemon *d, int g, struct xglb_group *t)
{
	if (d->nic.cfg != d->cfg) /* started or reloaded */
		nic_init(d);
	xglb_nicbind_apply(&d->nic.b[g], t);
}

static const char *ifname_of(__u32 ifindex, char *buf)
{
	if (!ifindex || !if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "%u", ifindex);
	return buf;
}

/* A learning frame from forwarder f of cfg group g out of ifindex only. */
static void learn_on(struct daemon *d, int g, int f, __u32 ifindex)
{
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];
	__u8 frame[XGLB_LEARN_FRAME_LEN], vmac[6];

	for (int i = 0; i < d->ifs.n; i++) {
		int err;

		if (d->ifs.ifindex[i] != ifindex || d->pkt_fd < 0)
			continue;
		xglb_vmac(cg->id, (__u8)f, vmac);
		xglb_learn_frame(frame, vmac, cg->vip, d->ifs.mac[i]);
		err = xglb_learn_send(d->pkt_fd, ifindex, frame, sizeof(frame));
		if (err)
			pr_debug("learning frame on %s: %s", d->ifs.name[i], strerror(-err));
		return;
	}
}

/*
 * After a flip (commit_tables, before it keeps the new tables): the
 * forwarders this node owned before and owns now whose interface changed
 * moved inside the node. Each is logged, counted and announced from its
 * new interface at once, so the switch moves the vMAC's port.
 */
void nic_moved(struct daemon *d, const struct xglb_group *now, int n)
{
	char a[IF_NAMESIZE], b[IF_NAMESIZE];
	__u64 t = now_ns();

	for (int g = 0; g < n; g++) {
		const struct xglb_group *was = &d->tables[g], *is = &now[g];

		if (was->id != is->id)
			continue;
		for (int f = 0; f < is->n_fwd && f < was->n_fwd; f++) {
			__u32 from = was->fwd[f].ifindex, to = is->fwd[f].ifindex;

			if (!from || !to || from == to)
				continue;
			d->nic.moves++;
			pr_info("group %u: forwarder %d moved from %s to %s (%s)", is->id, f,
				ifname_of(from, a), ifname_of(to, b),
				d->nic.why[0] ? d->nic.why : "interfaces changed");
			if (!d->cl ||
			    (!xglb_cluster_starting(d->cl, g, t) && xglb_cluster_owns(d->cl, g, f)))
				learn_on(d, g, f, to);
		}
	}
}

/*
 * The interface forwarder f of cfg group g speaks from: the one it is
 * bound to if this node owns it, else the group's answering interface (its
 * first live one); 0 if none is live. Learning frames, redistribution
 * replies of a host not seen on a given interface.
 */
__u32 nic_out_ifindex(const struct daemon *d, int g, int f)
{
	const struct xglb_group *t = &d->tables[g];

	if (f >= 0 && f < XGLB_MAX_FWD && t->fwd[f].ifindex)
		return t->fwd[f].ifindex;
	if (!xglb_nicbind_n_live(&d->nic.b[g]))
		return 0;
	return t->ifindex[t->answer_if & (XGLB_GROUP_IFACES - 1)];
}

/* No interface of cfg group g has carrier: the node withdraws from it (netwatch.c). */
bool nic_all_down(const struct daemon *d, int g)
{
	return d->nic.cfg == d->cfg && d->nic.b[g].n && !xglb_nicbind_n_live(&d->nic.b[g]);
}

/* Arm the return timer for the earliest interface waiting out its delay (or disarm). */
static void nic_arm(struct daemon *d)
{
	__u64 delay = (__u64)d->cfg->nic_return_ms * 1000000ull, due = 0, t = now_ns();

	for (int g = 0; g < d->cfg->n_groups; g++) {
		__u64 x = xglb_nicbind_due(&d->nic.b[g], delay);

		if (x && (!due || x < due))
			due = x;
	}
	if (d->nic.tfd >= 0)
		arm_at(d->nic.tfd, due, t);
}

/*
 * Append ", NAME up|down" to why at o; returns the new end. snprintf returns
 * what it would have written, so the end is clamped to the buffer's last
 * byte: with many links changing at once the list is cut, and o never
 * points past why.
 */
static size_t why_append(char *why, size_t size, size_t o, const char *name, bool up)
{
	int n;

	if (o >= size - 1)
		return size - 1;
	n = snprintf(why + o, size - o, "%s%s %s", o ? ", " : "", name, up ? "up" : "down");
	if (n < 0)
		return o;
	return (size_t)n >= size - 1 - o ? size - 1 : o + (size_t)n;
}

/*
 * Link events for our interfaces (netwatch_event): each group's carrier
 * read again; a change of the live set moves forwarders now, in one
 * commit. Cheap when nothing changed (one ioctl per group interface).
 */
void nic_links(struct daemon *d)
{
	bool changed = false;
	size_t o = 0;

	if (d->nic.cfg != d->cfg)
		return; /* not started: the first commit reads them */
	d->nic.why[0] = '\0';
	for (int g = 0; g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];
		struct xglb_nicbind *b = &d->nic.b[g];

		for (int i = 0; i < b->n; i++) {
			bool c = carrier_of(cg->ifaces[i]);

			if (c == b->carrier[i])
				continue;
			d->nic.events[c]++;
			if (c)
				pr_info(
				    "group %u: %s has carrier again: it takes its forwarders back "
				    "after %u ms (nic-return-ms)%s",
				    cg->id, cg->ifaces[i], d->cfg->nic_return_ms,
				    xglb_nicbind_n_live(b) ? "" : "; now, as no other is up");
			else
				pr_warn(
				    "group %u: %s lost carrier or is down: its forwarders move to "
				    "the node's other interfaces%s",
				    cg->id, cg->ifaces[i],
				    xglb_nicbind_n_live(b) > 1 || !b->live[i]
					? ""
					: "; none is left: withdrawing from the group");
			if (xglb_nicbind_link(b, i, c, now_ns()))
				changed = true;
			o = why_append(d->nic.why, sizeof(d->nic.why), o, cg->ifaces[i], c);
		}
	}
	if (changed)
		commit_tables(d);
	d->nic.why[0] = '\0';
	nic_arm(d);
}

/* The return timer fired: interfaces past their delay take their forwarders back. */
void nic_tick(struct daemon *d)
{
	__u64 delay = (__u64)d->cfg->nic_return_ms * 1000000ull, t = now_ns(), ticks;
	bool changed = false;

	if (read(d->nic.tfd, &ticks, sizeof(ticks)) < 0 && errno == EAGAIN)
		return;
	if (d->nic.cfg != d->cfg)
		return;
	for (int g = 0; g < d->cfg->n_groups; g++)
		changed |= xglb_nicbind_tick(&d->nic.b[g], t, delay);
	if (changed) {
		snprintf(d->nic.why, sizeof(d->nic.why), "an interface back for %u ms",
			 d->cfg->nic_return_ms);
		d->nic.returns++;
		commit_tables(d);
		d->nic.why[0] = '\0';
	}
	nic_arm(d);
}

int nic_open(struct daemon *d)
{
	struct epoll_event ev = {.events = EPOLLIN};

	d->nic.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->nic.tfd < 0)
		return -errno;
	ev.data.fd = d->nic.tfd;
	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->nic.tfd, &ev) ? -errno : 0;
}

/* Group g's interfaces for status: name, carrier, live, answering, forwarders bound. */
static struct json_object *nic_json(const struct daemon *d, int g)
{
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];
	const struct xglb_nicbind *b = &d->nic.b[g];
	const struct xglb_group *t = &d->tables[g];
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < cg->n_ifaces && i < XGLB_GROUP_IFACES; i++) {
		struct json_object *j = json_object_new_object();
		int n = 0;

		for (int f = 0; f < t->n_fwd; f++)
			n += t->ifindex[i] && t->fwd[f].ifindex == t->ifindex[i];
		json_object_object_add(j, "name", json_object_new_string(cg->ifaces[i]));
		json_object_object_add(j, "carrier",
				       json_object_new_boolean(i < b->n && b->carrier[i]));
		json_object_object_add(j, "live", json_object_new_boolean(i < b->n && b->live[i]));
		json_object_object_add(
		    j, "answers",
		    json_object_new_boolean(xglb_nicbind_n_live(b) && t->answer_if == i));
		json_object_object_add(j, "forwarders", json_object_new_int(n));
		json_object_array_add(a, j);
	}
	return a;
}

/*
 * Into a status document: each group's interfaces ("interfaces"), each
 * forwarder's interface ("interface": the name, "" when not owned here)
 * and the counters ("nics").
 */
void nic_status(const struct daemon *d, struct json_object *o, struct json_object *groups)
{
	struct json_object *n = json_object_new_object();
	char name[IF_NAMESIZE];

	for (int g = 0; g < d->cfg->n_groups; g++) {
		struct json_object *jg = json_object_array_get_idx(groups, (size_t)g), *fw = NULL;

		json_object_object_add(jg, "interfaces", nic_json(d, g));
		json_object_object_get_ex(jg, "forwarders", &fw);
		for (size_t f = 0; fw && f < json_object_array_length(fw) && f < XGLB_MAX_FWD;
		     f++) {
			__u32 ifx = d->tables[g].fwd[f].ifindex;

			json_object_object_add(
			    json_object_array_get_idx(fw, f), "interface",
			    json_object_new_string(ifx ? ifname_of(ifx, name) : ""));
		}
	}
	json_object_object_add(n, "moves", json_object_new_int64((int64_t)d->nic.moves));
	json_object_object_add(n, "carrier_lost", json_object_new_int64((int64_t)d->nic.events[0]));
	json_object_object_add(n, "carrier_back", json_object_new_int64((int64_t)d->nic.events[1]));
	json_object_object_add(n, "returns", json_object_new_int64((int64_t)d->nic.returns));
	json_object_object_add(n, "return_delay_ms", json_object_new_int64(d->cfg->nic_return_ms));
	json_object_object_add(o, "nics", n);
}
