// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* track.c - tracked-object monitors (netlink link state, ICMP echo, commands, files) and their
 * effect. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "log.h"
#include "track.h"

#define MS 1000000ull

extern char **environ;

void xglb_track_eval(const struct xglb_config *cfg, const bool *up, bool prev_withdrawn,
		     struct xglb_track_effect *out)
{
	const struct xglb_cfg_node *self = &cfg->nodes[cfg->self];
	int prio = self->priority;
	long weight = self->weight;

	for (int i = 0; i < cfg->n_track; i++) {
		if (up[i])
			continue;
		prio -= cfg->track[i].priority_dec;
		weight -= cfg->track[i].weight_dec;
	}
	out->priority = prio < 0 ? 0 : (__u8)prio;
	weight = weight < 0 ? 0 : weight;
	/* GLBP weighting: withdraw below lower, return only at upper (hysteresis). */
	if (prev_withdrawn)
		out->withdrawn = weight < cfg->weight_upper;
	else
		out->withdrawn = weight < cfg->weight_lower;
	out->weight = out->withdrawn ? 0 : (__u16)weight;
}

/* ---- link: rtnetlink ------------------------------------------------------ */

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xglb_tracker *t = data;
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	const char *name = NULL;
	bool up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
	{
		if (mnl_attr_get_type(a) == IFLA_IFNAME)
			name = mnl_attr_get_str(a);
		if (mnl_attr_get_type(a) == IFLA_OPERSTATE)
			up = up && (mnl_attr_get_u8(a) ==
					6 /* IF_OPER_UP: <linux/if.h> clashes with <net/if.h> */
				    || mnl_attr_get_u8(a) == 0 /* IF_OPER_UNKNOWN (veth, lo) */);
	}
	if (nlh->nlmsg_type == RTM_DELLINK)
		up = false;
	for (int i = 0; name && i < t->cfg->n_track; i++) {
		const struct xglb_cfg_track *c = &t->cfg->track[i];

		if (c->type != XGLB_TRACK_LINK || strcmp(c->interface, name))
			continue;
		if (t->obj[i].up != up) {
			t->obj[i].changes++;
			pr_info("tracking %s: link %s %s", c->name, name, up ? "up" : "down");
		}
		t->obj[i].up = up;
	}
	return MNL_CB_OK;
}

void xglb_tracker_netlink(struct xglb_tracker *t)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (;;) {
		ssize_t n = recv(t->nl_fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n <= 0)
			return;
		mnl_cb_run(buf, n, 0, 0, link_cb, t);
	}
}

static int link_open(struct xglb_tracker *t)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	struct rtgenmsg *rt;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	t->nl_fd = fd;
	/* A dump gives the current state; events keep it current. */
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_PACKET;
	for (int i = 0; i < t->cfg->n_track; i++)
		if (t->cfg->track[i].type == XGLB_TRACK_LINK)
			t->obj[i].up =
			    false; /* until the dump says otherwise (also: no such link) */
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;
	for (int tries = 0; tries < 1000; tries++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		if (n <= 0 || mnl_cb_run(buf, n, 0, 0, link_cb, t) <= MNL_CB_STOP)
			break;
	}
	return 0;
}

/* ---- ping: raw ICMP -------------------------------------------------------- */

static __u16 csum(const void *p, size_t len)
{
	const __u16 *w = p;
	__u32 sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	if (len)
		sum += *(const __u8 *)w;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return (__u16)~sum;
}

static void ping_send(struct xglb_tracker *t, int i, __u64 now)
{
	const struct xglb_cfg_track *c = &t->cfg->track[i];
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = c->target};
	struct icmphdr h = {.type = ICMP_ECHO};

	h.un.echo.id = htons(t->ping_id);
	h.un.echo.sequence = htons(++t->obj[i].ping_seq);
	h.checksum = csum(&h, sizeof(h));
	t->obj[i].deadline_ns = now + (__u64)c->timeout_ms * MS;
	if (sendto(t->icmp_fd, &h, sizeof(h), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		pr_debug("tracking %s: ping: %s", c->name, strerror(errno));
}

void xglb_tracker_icmp(struct xglb_tracker *t, __u64 now)
{
	__u8 buf[1500];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	while ((n = recvfrom(t->icmp_fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &fl)) > 0) {
		const struct iphdr *ip = (const void *)buf;
		const struct icmphdr *h;

		if (n < (ssize_t)sizeof(*ip) || n < ip->ihl * 4 + (ssize_t)sizeof(*h))
			continue;
		h = (const void *)(buf + ip->ihl * 4);
		if (h->type != ICMP_ECHOREPLY || ntohs(h->un.echo.id) != t->ping_id)
			continue;
		for (int i = 0; i < t->cfg->n_track; i++) {
			struct xglb_track_obj *o = &t->obj[i];

			if (t->cfg->track[i].type != XGLB_TRACK_PING ||
			    t->cfg->track[i].target != from.sin_addr.s_addr ||
			    ntohs(h->un.echo.sequence) != o->ping_seq || !o->deadline_ns)
				continue;
			o->deadline_ns = 0; /* answered in time */
			if (!o->up) {
				o->changes++;
				pr_info("tracking %s: ping answered", t->cfg->track[i].name);
			}
			o->up = true;
		}
	}
	(void)now;
}

/* ---- command and file ------------------------------------------------------ */

static void command_start(struct xglb_tracker *t, int i, __u64 now)
{
	const struct xglb_cfg_track *c = &t->cfg->track[i];
	char *argv[] = {"/bin/sh", "-c", (char *)c->command, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;

	/*
	 * Its own process group, so a timeout kills the command with everything
	 * it started; no blocked signals and default dispositions (xglbd blocks
	 * the signals its signalfd reads, and a child would inherit that).
	 */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					  POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&t->obj[i].pid, "/bin/sh", &fa, &at, argv, environ)) {
		t->obj[i].pid = 0;
		t->obj[i].up = false;
	} else {
		t->obj[i].deadline_ns = now + (__u64)c->timeout_ms * MS;
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
}

/* Kill a command with its whole process group and reap it. */
static void command_kill(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL); /* in case it left its group */
	waitpid(pid, NULL, 0);
}

static void set_up(struct xglb_tracker *t, int i, bool up, const char *why)
{
	if (t->obj[i].up != up) {
		t->obj[i].changes++;
		pr_info("tracking %s: %s (%s)", t->cfg->track[i].name, up ? "up" : "down", why);
	}
	t->obj[i].up = up;
}

void xglb_tracker_poll(struct xglb_tracker *t, __u64 now)
{
	for (int i = 0; i < t->cfg->n_track; i++) {
		const struct xglb_cfg_track *c = &t->cfg->track[i];
		struct xglb_track_obj *o = &t->obj[i];
		struct stat st;
		int status;

		switch (c->type) {
		case XGLB_TRACK_PING:
			if (o->deadline_ns && now >= o->deadline_ns) {
				o->deadline_ns = 0;
				set_up(t, i, false, "no echo reply in time");
			}
			if (now >= o->next_ns) {
				o->next_ns = now + (__u64)c->interval_ms * MS;
				ping_send(t, i, now);
			}
			break;
		case XGLB_TRACK_COMMAND:
			if (o->pid && waitpid(o->pid, &status, WNOHANG) == o->pid) {
				o->pid = 0;
				set_up(t, i, WIFEXITED(status) && WEXITSTATUS(status) == 0,
				       "command exit status");
			} else if (o->pid && now >= o->deadline_ns) {
				command_kill(o->pid);
				o->pid = 0;
				set_up(t, i, false, "command timed out");
			}
			if (!o->pid && now >= o->next_ns) {
				o->next_ns = now + (__u64)c->interval_ms * MS;
				command_start(t, i, now);
			}
			break;
		case XGLB_TRACK_FILE:
			if (now >= o->next_ns) {
				o->next_ns = now + (__u64)c->interval_ms * MS;
				set_up(t, i, stat(c->path, &st) == 0, "file");
			}
			break;
		default:
			break;
		}
	}
}

/* ---- lifecycle ------------------------------------------------------------- */

static int open_sockets(struct xglb_tracker *t)
{
	bool link = false, ping = false;
	int err;

	for (int i = 0; i < t->cfg->n_track; i++) {
		link |= t->cfg->track[i].type == XGLB_TRACK_LINK;
		ping |= t->cfg->track[i].type == XGLB_TRACK_PING;
	}
	if (link && t->nl_fd < 0) {
		err = link_open(t);
		if (err)
			return err;
	} else if (link) {
		close(t->nl_fd);
		t->nl_fd = -1;
		err = link_open(t);
		if (err)
			return err;
	}
	if (ping && t->icmp_fd < 0) {
		t->icmp_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
		if (t->icmp_fd < 0)
			return -errno;
	}
	return 0;
}

int xglb_tracker_open(struct xglb_tracker *t, const struct xglb_config *cfg, __u64 now)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->nl_fd = t->icmp_fd = -1;
	t->ping_id = (__u16)getpid();
	for (int i = 0; i < cfg->n_track; i++) {
		/* Innocent until proven guilty, except links (the dump tells at once). */
		t->obj[i].up = true;
		t->obj[i].next_ns = now;
	}
	xglb_track_eval(cfg, (bool[XGLB_MAX_TRACK]){[0 ... XGLB_MAX_TRACK - 1] = true}, false,
			&t->effect);
	return open_sockets(t);
}

int xglb_tracker_reconfigure(struct xglb_tracker *t, const struct xglb_config *cfg, __u64 now)
{
	struct xglb_track_obj old[XGLB_MAX_TRACK];
	const struct xglb_config *ocfg = t->cfg;

	memcpy(old, t->obj, sizeof(old));
	memset(t->obj, 0, sizeof(t->obj));
	for (int i = 0; i < cfg->n_track; i++) {
		t->obj[i].up = true;
		t->obj[i].next_ns = now;
		for (int k = 0; k < ocfg->n_track; k++)
			if (!strcmp(ocfg->track[k].name, cfg->track[i].name) &&
			    ocfg->track[k].type == cfg->track[i].type) {
				t->obj[i].up = old[k].up;
				t->obj[i].changes = old[k].changes;
			}
	}
	for (int k = 0; k < ocfg->n_track; k++)
		if (old[k].pid)
			command_kill(old[k].pid);
	t->cfg = cfg;
	return open_sockets(t);
}

void xglb_tracker_close(struct xglb_tracker *t)
{
	for (int i = 0; t->cfg && i < t->cfg->n_track; i++)
		if (t->obj[i].pid)
			command_kill(t->obj[i].pid);
	if (t->nl_fd >= 0)
		close(t->nl_fd);
	if (t->icmp_fd >= 0)
		close(t->icmp_fd);
	t->nl_fd = t->icmp_fd = -1;
}

bool xglb_tracker_update(struct xglb_tracker *t)
{
	bool up[XGLB_MAX_TRACK];
	struct xglb_track_effect e;

	for (int i = 0; i < t->cfg->n_track; i++)
		up[i] = t->obj[i].up;
	xglb_track_eval(t->cfg, up, t->effect.withdrawn, &e);
	if (e.priority == t->effect.priority && e.weight == t->effect.weight &&
	    e.withdrawn == t->effect.withdrawn)
		return false;
	if (e.withdrawn != t->effect.withdrawn)
		pr_info("tracking: %s as forwarder (weight %u)",
			e.withdrawn ? "withdrawn" : "restored", e.weight);
	t->effect = e;
	return true;
}

struct json_object *xglb_tracker_json(const struct xglb_tracker *t)
{
	static const char *const types[] = {"link", "ping", "command", "file"};
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	for (int i = 0; i < t->cfg->n_track; i++) {
		const struct xglb_cfg_track *c = &t->cfg->track[i];
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(c->name));
		json_object_object_add(j, "type", json_object_new_string(types[c->type & 3]));
		json_object_object_add(j, "up", json_object_new_boolean(t->obj[i].up));
		json_object_object_add(j, "changes", json_object_new_int64(t->obj[i].changes));
		json_object_object_add(j, "priority_decrement",
				       json_object_new_int(c->priority_dec));
		json_object_object_add(j, "weight_decrement", json_object_new_int(c->weight_dec));
		json_object_array_add(a, j);
	}
	json_object_object_add(o, "objects", a);
	json_object_object_add(o, "priority", json_object_new_int(t->effect.priority));
	json_object_object_add(o, "weight", json_object_new_int(t->effect.weight));
	json_object_object_add(o, "withdrawn", json_object_new_boolean(t->effect.withdrawn));
	return o;
}
