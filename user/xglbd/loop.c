// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * loop.c - the event loop's timeliness: how late the membership timer (the
 * hellos) is handled and why, the bulk senders (redistribution) kept out of
 * the way of the next hello, and the loop's scheduling (realtime-priority).
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <sys/timerfd.h>
#include "log.h"
#include "daemon.h"
#include "conflict.h"

const __u64 hello_delay_le_ns[HELLO_DELAY_BUCKETS - 1] = {500000, 1000000, 2000000, 5000000,
							  10000000};

static void hello_delay_add(struct hello_timing *ht, int cause, __u64 ns)
{
	int b = 0;

	while (b < HELLO_DELAY_BUCKETS - 1 && ns > hello_delay_le_ns[b])
		b++;
	ht->hist[cause][b]++;
	ht->sum_ns[cause] += ns;
	if (ns > ht->max_ns[cause])
		ht->max_ns[cause] = ns;
}

/*
 * The membership timer's deadline, ht->due_ns, passed before the loop woke
 * from epoll_wait at wake. The part of the delay the loop spent idle past
 * the deadline is the wake-up's; the rest (a turn still running at the
 * deadline) is the loop's own. Counted once per deadline. The longest
 * delay of all (the loop's longest stall: what a handler that ran long, or
 * a scheduler that let it wait, cost the hellos) is kept with its time.
 */
void hello_timer_handled(struct hello_timing *ht, __u64 wake)
{
	__u64 due = ht->due_ns, idle_from;

	if (!due || wake < due)
		return;
	idle_from = ht->turn_end_ns > due ? ht->turn_end_ns : due;
	if (wake - due > ht->stall_max_ns) { /* the longest stall, and when */
		ht->stall_max_ns = wake - due;
		ht->stall_busy_ns = idle_from - due;
		ht->stall_at_ns = wake;
	}
	ht->fires++;
	hello_delay_add(ht, HELLO_DELAY_WAKE, wake > idle_from ? wake - idle_from : 0);
	hello_delay_add(ht, HELLO_DELAY_BUSY, idle_from - due);
	ht->due_ns = 0;
}

/* The timer due at due sent hellos, the last at now. */
void hello_timer_sent(struct hello_timing *ht, __u64 due, __u64 now)
{
	if (due && now >= due)
		hello_delay_add(ht, HELLO_DELAY_SENT, now - due);
}

/* The kind of work an event of fd is (LOOP_*), for loop_account. */
enum loop_kind loop_kind(struct daemon *d, int fd)
{
	if (fd == d->hb_fd)
		return LOOP_HEARTBEAT;
	if (fd == d->mem_tfd || (d->cl && fd == xglb_cluster_fd(d->cl)))
		return LOOP_MEMBERSHIP;
	if ((d->http && fd == xglb_http_fd(d->http)) || xglb_ctlsock_owns(&d->ctl, fd))
		return LOOP_CONTROL;
	if (fd == d->nw.fd || fd == d->trk.nl_fd || fd == d->trk.icmp_fd || fd == d->trk_tfd)
		return LOOP_NETWORK;
	if (fd == d->again_fd || fd == d->walk_fd || fd == d->seen_fd)
		return LOOP_BULK; /* the timer's read; the steps are run_bulk's */
	return LOOP_OTHER;
}

/* Work of kind k ran from t0 to t1. */
void loop_account(struct hello_timing *ht, enum loop_kind k, __u64 t0, __u64 t1)
{
	struct loop_use *u = &ht->use[k];
	__u64 ns = t1 > t0 ? t1 - t0 : 0;

	u->n++;
	u->over_2ms += ns > 2000000;
	if (ns > u->max_ns)
		u->max_ns = ns;
}

/*
 * When this turn's bulk senders must stop: after REDIST_STEP_NS, and
 * BULK_GUARD_NS before the next membership deadline (a hello may be due
 * then), so a hello never waits for a batch of redistribution.
 */
static __u64 bulk_until(const struct daemon *d, __u64 now)
{
	__u64 until = now + REDIST_STEP_NS, next;

	if (d->cl) {
		next = xglb_cluster_next(d->cl, now);
		next = next > now + BULK_GUARD_NS ? next - BULK_GUARD_NS : now;
		until = next < until ? next : until;
	}
	return until;
}

bool bulk_over(const struct daemon *d)
{
	return now_ns() >= d->ht.bulk_until_ns;
}

/* Arms timerfd fd once for due_ns on the clock of now (at once if past, disarmed if 0). */
int arm_at(int fd, __u64 due_ns, __u64 now)
{
	struct itimerspec its = {0};

	if (due_ns) {
		__u64 in = due_ns > now ? due_ns - now : 1;

		its.it_value.tv_sec = (time_t)(in / 1000000000ull);
		its.it_value.tv_nsec = (long)(in % 1000000000ull);
	}
	return timerfd_settime(fd, 0, &its, NULL);
}

/*
 * Arms timerfd fd for deadline due on the clock of now (relative, as
 * arm_membership says why), unless it is armed for that very deadline
 * already and that has not passed: the timer then fires when it would
 * anyway. *armed is the deadline fd is armed for (0: none yet), kept
 * here. Returns 1 if it armed fd, 0 if it left it as it was, -errno.
 */
int arm_deadline(int fd, __u64 *armed, __u64 due, __u64 now)
{
	__u64 at = due > now ? due : now + 1;

	if (*armed == at && at > now)
		return 0;
	if (arm_at(fd, at, now))
		return -errno;
	*armed = at;
	return 1;
}

/* A bulk sender whose turn came with no time left: back right after the membership deadline. */
static void bulk_defer(struct daemon *d, int fd, __u64 now)
{
	__u64 next = d->cl ? xglb_cluster_next(d->cl, now) : now;
	struct itimerspec its = {0};
	__u64 t = (next > now ? next - now : 0) + BULK_GUARD_NS / 5;

	its.it_value.tv_sec = (time_t)(t / 1000000000ull);
	its.it_value.tv_nsec = (long)(t % 1000000000ull);
	timerfd_settime(fd, 0, &its, NULL);
	d->ht.bulk_deferred++;
}

/* The bulk senders due this turn (BULK_* bits), last: whatever else was due has been done. */
void run_bulk(struct daemon *d, unsigned int bulk)
{
	const struct {
		unsigned int bit;
		void (*step)(struct daemon *d);
		int fd;
	} senders[] = {
	    {BULK_AGAIN, redistribute_again, d->again_fd},
	    {BULK_WALK, redistribute_step, d->walk_fd},
	    {BULK_SEEN, seen_step, d->seen_fd},
	    {BULK_DEFEND, conflicts_step, conflicts_timer_fd(d)},
	};
	__u64 t0 = now_ns(), took;

	if (!bulk)
		return;
	d->ht.bulk_until_ns = bulk_until(d, t0);
	for (size_t i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
		__u64 now = now_ns();

		if (!(bulk & senders[i].bit))
			continue;
		if (now >= d->ht.bulk_until_ns)
			bulk_defer(d, senders[i].fd, now);
		else
			senders[i].step(d);
	}
	took = now_ns() - t0;
	if (took > d->ht.bulk_max_ns)
		d->ht.bulk_max_ns = took;
	loop_account(&d->ht, LOOP_BULK, t0, t0 + took);
}

/* The grace period thread's figures (grace.h). */
static struct json_object *grace_json(const struct xglb_grace *g)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "running", json_object_new_boolean(g->running));
	json_object_object_add(
	    o, "runs", json_object_new_int64((int64_t)__atomic_load_n(&g->runs, __ATOMIC_RELAXED)));
	json_object_object_add(
	    o, "errors",
	    json_object_new_int64((int64_t)__atomic_load_n(&g->errors, __ATOMIC_RELAXED)));
	json_object_object_add(
	    o, "max_us",
	    json_object_new_int64((int64_t)(__atomic_load_n(&g->max_ns, __ATOMIC_RELAXED) / 1000)));
	json_object_object_add(
	    o, "total_us",
	    json_object_new_int64(
		(int64_t)(__atomic_load_n(&g->total_ns, __ATOMIC_RELAXED) / 1000)));
	return o;
}

/* The wall clock (CLOCK_REALTIME), ns since the epoch. */
static __u64 real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/*
 * Status "event_loop.stall": the longest stall since the start (max_us), the
 * loop's own part of it (busy_us: a handler still running; the rest the
 * scheduler's late wake-up), when (at: Unix time in seconds, ago_s), none
 * yet: 0 and nulls. now and real are the same instant on the loop's clock
 * (now_ns) and the wall clock.
 */
struct json_object *stall_json(const struct hello_timing *ht, __u64 now, __u64 real)
{
	struct json_object *o = json_object_new_object();
	__u64 ago = ht->stall_at_ns && now > ht->stall_at_ns ? now - ht->stall_at_ns : 0;

	json_object_object_add(o, "max_us",
			       json_object_new_int64((int64_t)(ht->stall_max_ns / 1000)));
	json_object_object_add(o, "busy_us",
			       json_object_new_int64((int64_t)(ht->stall_busy_ns / 1000)));
	json_object_object_add(o, "at",
			       ht->stall_at_ns && real > ago
				   ? json_object_new_double((double)((real - ago) / 1000000) / 1e3)
				   : NULL);
	json_object_object_add(
	    o, "ago_s",
	    ht->stall_at_ns ? json_object_new_double((double)(ago / 1000000) / 1e3) : NULL);
	return o;
}

/*
 * Status "event_loop": the membership timer's delays by cause, each a
 * histogram (counts per bucket, not cumulative; the bounds in le_us, the
 * last bucket above them), and the bulk senders' longest turn.
 */
struct json_object *event_loop_json(const struct daemon *d)
{
	static const char *const causes[HELLO_DELAY_CAUSES] = {
	    [HELLO_DELAY_WAKE] = "wake", [HELLO_DELAY_BUSY] = "busy", [HELLO_DELAY_SENT] = "sent"};
	static const char *const kinds[LOOP_KINDS] = {
	    [LOOP_HEARTBEAT] = "heartbeat",
	    [LOOP_QUIESCE] = "quiesce",
	    [LOOP_MEMBERSHIP] = "membership",
	    [LOOP_CONTROL] = "control",
	    [LOOP_NETWORK] = "network",
	    [LOOP_OTHER] = "other",
	    [LOOP_BULK] = "bulk",
	};
	const struct hello_timing *ht = &d->ht;
	struct json_object *o = json_object_new_object(), *t = json_object_new_object(),
			   *le = json_object_new_array(), *u = json_object_new_object();

	for (int b = 0; b < HELLO_DELAY_BUCKETS - 1; b++)
		json_object_array_add(
		    le, json_object_new_int64((int64_t)(hello_delay_le_ns[b] / 1000)));
	json_object_object_add(t, "fires", json_object_new_int64((int64_t)ht->fires));
	json_object_object_add(t, "le_us", le);
	for (int c = 0; c < HELLO_DELAY_CAUSES; c++) {
		struct json_object *x = json_object_new_object(), *h = json_object_new_array();

		for (int b = 0; b < HELLO_DELAY_BUCKETS; b++)
			json_object_array_add(h, json_object_new_int64((int64_t)ht->hist[c][b]));
		json_object_object_add(x, "buckets", h);
		json_object_object_add(x, "sum_us",
				       json_object_new_int64((int64_t)(ht->sum_ns[c] / 1000)));
		json_object_object_add(x, "max_us",
				       json_object_new_int64((int64_t)(ht->max_ns[c] / 1000)));
		json_object_object_add(t, causes[c], x);
	}
	json_object_object_add(o, "hello_timer", t);
	for (int k = 0; k < LOOP_KINDS; k++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "runs", json_object_new_int64((int64_t)ht->use[k].n));
		json_object_object_add(x, "max_us",
				       json_object_new_int64((int64_t)(ht->use[k].max_ns / 1000)));
		json_object_object_add(x, "over_2ms",
				       json_object_new_int64((int64_t)ht->use[k].over_2ms));
		json_object_object_add(u, kinds[k], x);
	}
	json_object_object_add(o, "work", u);
	json_object_object_add(o, "grace", grace_json(&d->grace));
	json_object_object_add(o, "realtime_priority", json_object_new_int(d->rt_prio));
	json_object_object_add(o, "realtime_error",
			       d->rt_err ? json_object_new_string(strerror(d->rt_err)) : NULL);
	json_object_object_add(o, "bulk_max_us",
			       json_object_new_int64((int64_t)(ht->bulk_max_ns / 1000)));
	json_object_object_add(o, "bulk_deferred",
			       json_object_new_int64((int64_t)ht->bulk_deferred));
	json_object_object_add(o, "stall", stall_json(ht, now_ns(), real_ns()));
	return o;
}

/*
 * realtime-priority: the event loop's thread (hellos, heartbeat) runs
 * SCHED_RR at that priority, or SCHED_OTHER for 0, so a loaded machine
 * wakes it at its deadlines. Only this thread: the background threads are
 * started SCHED_OTHER explicitly (worker.h) and commands run by tracking
 * are reset to SCHED_OTHER at fork. A refusal (no CAP_SYS_NICE, no
 * real-time budget in the cgroup) is logged; the loop keeps what it had.
 */
void apply_realtime(struct daemon *d)
{
	int want = d->cfg->realtime_priority;
	struct sched_param sp = {.sched_priority = want};

	if (want == d->rt_prio && !d->rt_err)
		return;
	if (sched_setscheduler(0, (want ? SCHED_RR : SCHED_OTHER) | SCHED_RESET_ON_FORK, &sp)) {
		d->rt_err = errno;
		pr_warn("%s: realtime-priority %d: %s (the event loop stays %s)", d->cfg->path,
			want, strerror(errno), d->rt_prio ? "real-time" : "SCHED_OTHER");
		return;
	}
	d->rt_err = 0;
	if (want != d->rt_prio)
		pr_info("event loop: %s%.0d", want ? "SCHED_RR priority " : "SCHED_OTHER", want);
	d->rt_prio = want;
}
