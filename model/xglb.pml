/*
 * xglb.pml - a Promela model of xglb's membership protocol, checked with spin.
 *
 * What it models, and which C function each part mirrors, is in
 * model/README.md (the correspondence table). In short: N nodes run the
 * group state machine of user/lib/group.c (xglb_fsm_tick: expire, elect,
 * assign; xglb_fsm_rx: state adoption) and the admission checks of
 * user/xglbd/cluster.c admit() (echo of the receiver's boot) and
 * user/lib/proto.c xglb_replay_check() (the window), with the boot counter
 * of user/lib/bootctr.c, over a network that loses, duplicates, delays
 * (reorders) and replays hellos, cuts nodes off and heals, while nodes are
 * killed and restarted with or without their pinned tables.
 *
 * Time is abstracted into rounds. Every live node sends one hello to every
 * peer per round (hello-ms = 1 round); hold-ms = H rounds: a peer whose
 * last hello arrived in round r is down at the tick of round r + H, as
 * "now - last_heard >= hold" makes it in group.c. A starting node is
 * demoted during the H rounds that begin with its start (demoted_until =
 * start + hold). The takeover timers count rounds in the same way
 * (redirect RD, timeout TO rounds). Preemption delay is 0.
 *
 * A run is a fault phase of at most FROUNDS rounds in which the
 * environment spends at most FAULTS faults, then a stable phase of
 * SROUNDS rounds: every cut healed, delayed hellos gone, no loss, no crash
 * or restart (dead nodes stay dead); recorded hellos may still be replayed.
 * Properties (assertions; every run ends, so "eventually" is checked as
 * "within a bound" and a violation is a finite counterexample):
 *   P1  H rounds into the stable phase: at most one live node is AVG.
 *   P2  H rounds into the stable phase: at most one live node owns each
 *       forwarder (active and owner = itself in the state it holds).
 *   P3  CONV rounds into the stable phase, with a live node: all live nodes
 *       follow the same live AVG and hold the same version and owners;
 *       every active forwarder has a live owner; every forwarder whose
 *       preferred owner is live is active; at least one forwarder is active
 *       and takes new hosts (fewer forwarders than nodes included: -DF=2).
 *   P4  a replayed hello (a copy of one already delivered to that
 *       receiver) is never admitted: it never reaches xglb_fsm_rx.
 *   P5  versions never go backwards: a node publishes only versions after
 *       every version it has held during its current run.
 */

#ifndef N
#define N 3 /* nodes; ids 1..N, index = id - 1 */
#endif
#ifndef F
#define F 3 /* forwarders; forwarder f preferred by node (f % N) + 1 */
#endif
#ifndef H
#define H 3 /* hold time in hello rounds */
#endif
#ifndef RD
#define RD 3 /* redirect after RD rounds of takeover */
#endif
#ifndef TO
#define TO 5 /* timeout (removal) after TO rounds of takeover */
#endif
#ifndef FAULTS
#define FAULTS 3 /* faults the environment may spend in the fault phase */
#endif
#ifndef FROUNDS
#define FROUNDS 8 /* length of the fault phase at most */
#endif
#ifndef MINFROUNDS
#define MINFROUNDS 0 /* length of the fault phase at least (simulations) */
#endif
#ifndef REPLAYS
#define REPLAYS 1 /* replays of recorded hellos, at any time */
#endif
#ifndef SETTLE
#define SETTLE (H + 2) /* stable rounds by which P1 and P2 must hold */
#endif
#ifndef CONV
#define CONV (2 * H + 2) /* stable rounds by which P3 must hold */
#endif
#define SROUNDS (CONV + TO + 2)
#define STEP 64	 /* version step (the C code's 65536 out of 2^32; here out of 2^8) */
#define W 30	 /* replay window; the C code's is 64: neither is exceeded in a run */
#define NONE 255
#define PREEMPT 1

/* Configured priorities: all equal by default, so the election goes by id;
 * with PRIO_FIRST, node 1 has 200: the best by priority, the last by id. */
#ifdef PRIO_FIRST
#define PRIO(k) ((k) == 0 -> 200 : 100)
#else
#define PRIO(k) 100
#endif
/* Forwarder f: preferred owner index, persistence (0 movable, taken over and removed at
 * timeout while its preferred owner is down; 3 returns to preferred, never removed). */
#define PREF(f) ((f) % N)
#ifdef PERS0
#define PERS(f) 0 /* every forwarder persistence 0 */
#endif
#ifndef PERS
#define PERS(f) ((f) == 0 -> 3 : 0)
#endif

/* serial arithmetic on byte versions (group.c xglb_version_after / _next) */
#define VDIFF(a, b) ((((a) - (b)) + 256) % 256)
#define AFTER(a, b) (VDIFF(a, b) != 0 && VDIFF(a, b) <= STEP)
#define VNEXT(v) ((v) == 255 -> 1 : (v) + 1)

#define OUTRANKS(a, b) ((b) == NONE || PRIO(a) > PRIO(b) || (PRIO(a) == PRIO(b) && (a) > (b)))

typedef View { /* what node j knows of node k (group.c struct xglb_fsm_node + cluster.c peer) */
#ifdef LEAVE
	bool lv;  /* leaving */
#endif
	bool up;
	bool cl;  /* claims_avg */
	bool dm;  /* demoted */
	bool st;  /* starting */
	byte age; /* rounds since last heard (saturates at H) */
	byte pb;  /* peer boot learnt (cluster.c peer.boot: what our hellos echo) */
	byte wb;  /* replay window: boot */
	byte wt;  /* replay window: top sequence */
	int ws	  /* replay window: seen bits */
};

typedef Node { /* group.c struct xglb_fsm (the parts the protocol reads) */
#ifdef LEAVE
	bool lv;	/* leaving: a clean stop in progress (xglb_fsm_leave) */
	byte lvr;	/* rounds since it began (main.c gives up after the bound) */
	bool lva;	/* ghost: it was the AVG when it began (P6) */
#endif
	View v[N];
	byte avg;	/* id, 0 = none */
	byte ver;	/* version held */
	byte savg;	/* state_avg: its publisher */
	bool anyv;	/* adopt_any */
	bool resumed;
	byte stl;	/* rounds of startup demotion left */
	byte own[F];
	bool act[F];
	bool nok[F];	/* new_ok */
	byte tka[F];	/* takeover age + 1, 0 = not taken over */
	byte steer;	/* steer_mask, bit = node index */
	byte seq;
	byte vmax;	/* version_max: newest version held during this run */
	byte seen;	/* ghost: newest version held during this run (P5) */
	bool hasseen;
	byte lastv[N];	/* ghost: last version taken from each publisher (P5) */
	byte lastb[N]	/* ghost: ... and that publisher's boot then */
};

typedef Msg { /* proto.h struct xglb_msg (the fields the protocol reads) */
#ifdef LEAVE
	bool lvf;	/* XGLB_MSGF_LEAVING */
#endif
	bool valid;
	bool rep;	/* ghost: a copy of a hello already delivered (P4) */
	byte from;	/* index */
	byte boot;
	byte seq;
	byte echo;
	bool avgf;	/* XGLB_MSGF_AVG */
	bool dem;	/* XGLB_MSGF_DEMOTED */
	bool start;	/* XGLB_MSGF_STARTING */
	bool st;	/* XGLB_MSGF_STATE */
	byte ver;
	byte savg;
	byte own[F];
	bool act[F];
	bool nok[F];
	byte tka[F];
	byte steer
};

Node nd[N];
bool alive[N];
bool pins[N];	  /* its tables are still pinned (it was killed, not stopped) */
byte boot[N];	  /* bootctr.c: the persisted boot counter */
byte downfor[N];  /* rounds since it died */
bool cut[N];	  /* node cut off from the others (both ways) */
Msg slot[N * N];  /* a delayed hello per link (sender * N + receiver) */
Msg tape;	  /* a recorded (delivered) hello, for replay */
byte tape_to;	  /* its receiver */
Msg out;	  /* the hello being sent */
byte faults = FAULTS;
byte replays = REPLAYS;
byte round;
bool stable;
byte srounds;	  /* rounds completed in the stable phase */
byte i, r, k2;	  /* loop indices across choice points (part of the state) */

/* temporaries of deterministic steps: always written before read in one d_step */
hidden byte k, f, cl_r, best, cur, newavg, to, pref, over, under, pick, nup, tf, cnt_, rnd,
	smask, j2, ok, t1;
hidden byte changed, acc, ret, prefup, home;
hidden short s, so, su;
hidden byte b_own[F];
hidden byte b_act[F], b_nok[F];
hidden int d;

#define IS_AVG(j) (nd[j].avg == (j) + 1)
#define STARTING(j) (nd[j].stl > 0)
#define DEMOTED(j) (STARTING(j) && !nd[j].resumed)
#ifdef LEAVE
#define LV(j, k) (nd[j].v[k].lv)
#define LEAVING(j) (nd[j].lv)
#define LB (2 * H) /* cluster.c xglb_cluster_leave_bound_ms: hold + release (hold) */
#else
#define LV(j, k) 0
#define LEAVING(j) 0
#endif
#define CANLEAD(j, k) (nd[j].v[k].up && !nd[j].v[k].dm && !LV(j, k) && PRIO(k) > 0)
#define CANFWD(j, k) ((k) >= 0 && (k) < N && nd[j].v[k].up && !LV(j, k))

/* group.c avg_claimant: the best node that may lead and claims the role -> cl_r */
inline claimant(j)
{
	cl_r = NONE;
	k = 0;
	do
	:: k < N ->
		if
		:: CANLEAD(j, k) && nd[j].v[k].cl && OUTRANKS(k, cl_r) -> cl_r = k
		:: else -> skip
		fi;
		k++
	:: else -> break
	od
}

/*
 * Node j holds version vv: group.c hold_version keeps version_max, and the
 * ghost record of the newest version held (P5) follows it.
 */
inline saw(j, vv)
{
	if
	:: vv != 0 && (nd[j].vmax == 0 || AFTER(vv, nd[j].vmax)) -> nd[j].vmax = vv
	:: else -> skip
	fi;
	if
	:: vv != 0 && (!nd[j].hasseen || AFTER(vv, nd[j].seen)) -> nd[j].seen = vv; nd[j].hasseen = 1
	:: else -> skip
	fi
}

/* group.c expire_peers */
inline expire(j)
{
	k = 0;
	do
	:: k < N ->
		if
		:: k == j ->
			nd[j].v[k].up = 1; nd[j].v[k].age = 0; nd[j].v[k].dm = DEMOTED(j);
			nd[j].v[k].st = STARTING(j); nd[j].v[k].cl = IS_AVG(j);
#ifdef LEAVE
			nd[j].v[k].lv = nd[j].lv;
#endif
			skip
		:: k != j && nd[j].v[k].up && nd[j].v[k].age >= H ->
			nd[j].v[k].up = 0; nd[j].v[k].cl = 0
		:: else -> skip
		fi;
		k++
	:: else -> break
	od
}

/* group.c elect (preempt on, delay 0); a leaving AVG keeps the role until a successor claims it */
inline elect(j)
{
	if
	:: LEAVING(j) && IS_AVG(j) -> skip
	:: else -> elect_(j)
	fi
}

inline elect_(j)
{
	claimant(j);
	cur = cl_r;
	best = NONE;
	k = 0;
	do
	:: k < N ->
		if
		:: CANLEAD(j, k) && OUTRANKS(k, best) -> best = k
		:: else -> skip
		fi;
		k++
	:: else -> break
	od;
	if
	:: cur == NONE ->
		newavg = (best == NONE -> 0 : best + 1);
		k = 0;
		do
		:: k < N ->
			if
			:: nd[j].v[k].up && nd[j].v[k].st && !LV(j, k) && PRIO(k) > 0 && best != NONE &&
			   OUTRANKS(k, best) -> newavg = 0 /* a leaving node's hellos say priority 0 */
			:: else -> skip
			fi;
			k++
		:: else -> break
		od
	:: cur != NONE && best != NONE && best != cur && PREEMPT && OUTRANKS(best, cur) &&
	   best == j -> newavg = j + 1
	:: else -> newavg = cur + 1
	fi;
	if
	:: newavg != nd[j].avg ->
		nd[j].avg = newavg;
		if
		:: newavg == j + 1 -> nd[j].savg = 0
#ifdef BROKEN_ADOPT_ANY
		:: else -> nd[j].anyv = 1 /* group.c before the fix: see README.md */
#else
		:: else -> nd[j].anyv = (nd[j].savg != newavg)
#endif
		fi
	:: else -> skip
	fi
}

/* group.c least_loaded (equal weights): fewest active forwarders, ties lowest id -> t1 */
inline least_loaded(j, excl)
{
	t1 = NONE;
	so = 0;
	k = 0;
	do
	:: k < N ->
		if
		:: k != excl && CANFWD(j, k) ->
			cnt_ = 0;
			f = 0;
			do
			:: f < F -> cnt_ = cnt_ + (nd[j].act[f] && nd[j].own[f] == k + 1); f++
			:: else -> break
			od;
			if
			:: t1 == NONE || cnt_ < so -> t1 = k; so = cnt_
			:: else -> skip
			fi
		:: else -> skip
		fi;
		k++
	:: else -> break
	od
}

/* group.c assign_one for forwarder fi */
inline assign_one(j, fx)
{
	pref = PREF(fx);
	prefup = CANFWD(j, pref);
	ret = 0;
	if
	:: !nd[j].act[fx] ->
		if
		:: prefup -> to = pref + 1
		:: !prefup && nd[j].own[fx] != 0 && PERS(fx) == 0 -> to = 0
		:: !prefup && nd[j].own[fx] != 0 && PERS(fx) != 0 && CANFWD(j, nd[j].own[fx] - 1) ->
			to = nd[j].own[fx]
		:: else -> least_loaded(j, NONE); to = (t1 == NONE -> 0 : t1 + 1)
		fi;
		if
		:: to == 0 -> ret = 1
		:: else -> nd[j].own[fx] = to; nd[j].act[fx] = 1; nd[j].nok[fx] = 1; nd[j].tka[fx] = 0
		fi
	:: nd[j].act[fx] && !CANFWD(j, nd[j].own[fx] - 1) ->
		if
		:: prefup -> to = pref + 1
		:: else -> least_loaded(j, nd[j].own[fx] - 1); to = (t1 == NONE -> 0 : t1 + 1)
		fi;
		if
		:: to != 0 -> nd[j].own[fx] = to
		:: else -> skip
		fi
	:: nd[j].act[fx] && CANFWD(j, nd[j].own[fx] - 1) && PERS(fx) == 3 && prefup &&
	   nd[j].own[fx] != pref + 1 -> nd[j].own[fx] = pref + 1
	:: else -> skip
	fi;
	if
	:: ret -> skip
	:: !ret && (PERS(fx) != 0 || nd[j].own[fx] == pref + 1 || prefup) ->
		nd[j].tka[fx] = 0; nd[j].nok[fx] = 1 /* sticky (1, 3): no takeover timers */
	:: else ->
		if
		:: nd[j].tka[fx] == 0 -> nd[j].tka[fx] = 1
		:: else -> skip
		fi;
		/* group.c any_at_home: an active forwarder with a live owner and no
		 * takeover timers (persistence 3, with its preferred owner, or that
		 * owner is live to take it back) */
		home = 0;
		f = 0;
		do
		:: f < F ->
			if
			:: nd[j].act[f] && CANFWD(j, nd[j].own[f] - 1) &&
			   (PERS(f) != 0 || nd[j].own[f] == PREF(f) + 1 || CANFWD(j, PREF(f))) -> home = 1
			:: else -> skip
			fi;
			f++
		:: else -> break
		od;
#ifdef BROKEN_NO_HOME
		home = 1; /* group.c before the fix: see README.md */
#endif
		if
		:: !home -> nd[j].nok[fx] = 1 /* no other vMAC for its hosts: no timers */
		:: home && nd[j].tka[fx] - 1 >= RD -> nd[j].nok[fx] = 0
		:: else -> skip
		fi;
		if
		:: home && nd[j].tka[fx] - 1 >= TO -> nd[j].act[fx] = 0; nd[j].nok[fx] = 0; nd[j].tka[fx] = 0
		:: else -> skip
		fi
	fi
}

/* group.c rebalance (equal weights: surplus = owned * nup - active) */
inline rebalance(j)
{
	nup = 0;
	tf = 0;
	k = 0;
	do
	:: k < N -> nup = nup + CANFWD(j, k); k++
	:: else -> break
	od;
	f = 0;
	do
	:: f < F -> tf = tf + nd[j].act[f]; f++
	:: else -> break
	od;
	rnd = 0;
	do
	:: nup > 0 && tf > 0 && rnd < F ->
		rnd++;
		over = NONE;
		under = NONE;
		k = 0;
		do
		:: k < N ->
			if
			:: CANFWD(j, k) ->
				cnt_ = 0;
				f = 0;
				do
				:: f < F -> cnt_ = cnt_ + (nd[j].act[f] && nd[j].own[f] == k + 1); f++
				:: else -> break
				od;
				s = cnt_ * nup - tf;
				if
				:: over == NONE || s > so -> over = k; so = s
				:: else -> skip
				fi;
				if
				:: under == NONE || s < su -> under = k; su = s
				:: else -> skip
				fi
			:: else -> skip
			fi;
			k++
		:: else -> break
		od;
		if
		:: over == NONE || over == under || so - su <= nup -> break
		:: else -> skip
		fi;
		pick = NONE;
		f = 0;
		do
		:: f < F ->
			if
			:: nd[j].act[f] && nd[j].own[f] == over + 1 && PERS(f) == 0 ->
				if
				:: pick == NONE || PREF(f) == under -> pick = f
				:: else -> skip
				fi;
				if
				:: PREF(f) == under -> break
				:: else -> skip
				fi
			:: else -> skip
			fi;
			f++
		:: else -> break
		od;
		if
		:: pick == NONE -> break
		:: else -> nd[j].own[pick] = under + 1
		fi
	:: else -> break
	od
}

/* group.c assign: publish a new version when anything changed */
inline assign(j)
{
	changed = (nd[j].savg != j + 1);
	f = 0;
	do
	:: f < F -> b_own[f] = nd[j].own[f]; b_act[f] = nd[j].act[f]; b_nok[f] = nd[j].nok[f]; f++
	:: else -> break
	od;
	j2 = 0;
	do
	:: j2 < F -> assign_one(j, j2); j2++
	:: else -> break
	od;
	rebalance(j);
	f = 0;
	do
	:: f < F ->
		if
		:: b_own[f] != nd[j].own[f] || b_act[f] != nd[j].act[f] || b_nok[f] != nd[j].nok[f] ->
			changed = 1
		:: else -> skip
		fi;
		f++
	:: else -> break
	od;
	smask = 0;
	k = 0;
	do
	:: k < N ->
		if
		:: CANFWD(j, k) -> smask = smask | (1 << k)
		:: else -> skip
		fi;
		k++
	:: else -> break
	od;
	if
	:: smask != nd[j].steer -> nd[j].steer = smask; changed = 1
	:: else -> skip
	fi;
	if
	:: changed ->
#ifdef BROKEN_NEXT_VERSION
		t1 = VNEXT(nd[j].ver); /* group.c before the fix: see README.md */
#else
		t1 = (AFTER(nd[j].vmax, nd[j].ver) -> VNEXT(nd[j].vmax) : VNEXT(nd[j].ver));
#endif
		assert(!nd[j].hasseen || AFTER(t1, nd[j].seen)); /* P5 */
		nd[j].ver = t1;
		nd[j].savg = j + 1;
		saw(j, t1)
	:: else -> skip
	fi
}

/* group.c xglb_fsm_tick (the protocol part) */
inline tick(j)
{
	expire(j);
	elect(j);
	expire(j);
	if
	:: IS_AVG(j) && !DEMOTED(j) && !STARTING(j) && !LEAVING(j) -> assign(j)
	:: else -> skip
	fi
}

/* group.c state_acceptable -> acc */
inline acceptable(j, m)
{
	claimant(j);
	if
	:: cl_r == NONE || cl_r != m.from || m.savg != m.from + 1 -> acc = 0
	:: else ->
		if
		:: nd[j].anyv || nd[j].ver == 0 || m.savg != nd[j].savg -> acc = 1
		:: else -> acc = AFTER(m.ver, nd[j].ver)
		fi
	fi
}

/* group.c xglb_fsm_rx (the protocol part) */
inline fsm_rx(j, m)
{
	nd[j].v[m.from].up = 1;
	nd[j].v[m.from].age = 0;
	nd[j].v[m.from].dm = m.dem;
	nd[j].v[m.from].st = m.start;
	nd[j].v[m.from].cl = m.avgf;
#ifdef LEAVE
	nd[j].v[m.from].lv = m.lvf;
	if
	:: LEAVING(j) && IS_AVG(j) && m.avgf && CANLEAD(j, m.from) ->
		nd[j].avg = m.from + 1 /* our successor speaks as AVG */
	:: else -> skip
	fi;
#endif
	if
	:: IS_AVG(j) && m.st && AFTER(m.ver, nd[j].ver) ->
		nd[j].ver = m.ver; /* number past it and republish */
		nd[j].savg = 0;
		saw(j, m.ver)
	:: else ->
		acceptable(j, m);
		if
		:: m.st && !IS_AVG(j) && !acc && m.ver != nd[j].ver && !AFTER(nd[j].ver, m.ver) ->
			skip /* states_refused */
		:: else ->
			if
			:: !m.st || IS_AVG(j) || !acc -> skip /* contested: announcements only */
			:: else ->
				f = 0;
				do
				:: f < F ->
					nd[j].own[f] = m.own[f]; nd[j].act[f] = m.act[f];
					nd[j].nok[f] = m.nok[f]; nd[j].tka[f] = m.tka[f]; f++
				:: else -> break
				od;
				nd[j].steer = m.steer;
				/* P5: never an older state from the same run of a publisher */
				assert(nd[j].lastb[m.from] != m.boot || nd[j].lastv[m.from] == m.ver ||
				       AFTER(m.ver, nd[j].lastv[m.from]));
				nd[j].lastb[m.from] = m.boot;
				nd[j].lastv[m.from] = m.ver;
				nd[j].ver = m.ver;
				nd[j].savg = m.savg;
				nd[j].anyv = 0;
				saw(j, m.ver)
			fi
		fi
	fi
}

/*
 * A hello m arrives at node j: cluster.c admit (learn the sender's boot,
 * echo check), proto.c xglb_replay_check, then xglb_fsm_rx and
 * xglb_fsm_tick as cluster.c xglb_cluster_readable does.
 */
inline deliver(j, m)
{
	d_step {
		ok = alive[j];
		if
		:: ok && m.boot > nd[j].v[m.from].pb -> nd[j].v[m.from].pb = m.boot
		:: else -> skip
		fi;
#ifndef BROKEN_NO_ECHO
		if
		:: ok && m.echo != boot[j] -> ok = 0 /* XGLB_RX_ECHO */
		:: else -> skip
		fi;
#endif
		if
		:: ok && m.boot < nd[j].v[m.from].wb -> ok = 0 /* OLD_BOOT */
		:: ok && m.boot >= nd[j].v[m.from].wb && m.seq == 0 -> ok = 0
		:: ok && m.seq != 0 && m.boot > nd[j].v[m.from].wb ->
			nd[j].v[m.from].wb = m.boot; nd[j].v[m.from].wt = m.seq; nd[j].v[m.from].ws = 1
		:: ok && m.seq != 0 && m.boot == nd[j].v[m.from].wb && m.seq > nd[j].v[m.from].wt ->
			d = m.seq - nd[j].v[m.from].wt;
			nd[j].v[m.from].ws = (d >= W -> 0 : nd[j].v[m.from].ws << d) | 1;
			nd[j].v[m.from].wt = m.seq
		:: ok && m.seq != 0 && m.boot == nd[j].v[m.from].wb && m.seq <= nd[j].v[m.from].wt ->
			d = nd[j].v[m.from].wt - m.seq;
			if
			:: d >= W || (nd[j].v[m.from].ws & (1 << d)) -> ok = 0 /* REPLAY */
			:: else -> nd[j].v[m.from].ws = nd[j].v[m.from].ws | (1 << d)
			fi
		:: else -> skip
		fi;
		if
		:: ok ->
			assert(!m.rep); /* P4: a replay never reaches the state machine */
			fsm_rx(j, m);
			tick(j)
		:: else -> skip
		fi
	}
}

inline copymsg(dst, src)
{
	dst.valid = src.valid; dst.rep = src.rep; dst.from = src.from; dst.boot = src.boot;
	dst.seq = src.seq; dst.echo = src.echo; dst.avgf = src.avgf; dst.dem = src.dem;
	dst.start = src.start; dst.st = src.st; dst.ver = src.ver; dst.savg = src.savg;
	dst.steer = src.steer;
#ifdef LEAVE
	dst.lvf = src.lvf;
#endif
	k2 = 0;
	do
	:: k2 < F ->
		dst.own[k2] = src.own[k2]; dst.act[k2] = src.act[k2]; dst.nok[k2] = src.nok[k2];
		dst.tka[k2] = src.tka[k2]; k2++
	:: else -> k2 = 0; break
	od
}

inline clearmsg(m)
{
	m.valid = 0; m.rep = 0; m.from = 0; m.boot = 0; m.seq = 0; m.echo = 0; m.avgf = 0;
	m.dem = 0; m.start = 0; m.st = 0; m.ver = 0; m.savg = 0; m.steer = 0;
#ifdef LEAVE
	m.lvf = 0;
#endif
	k2 = 0;
	do
	:: k2 < F -> m.own[k2] = 0; m.act[k2] = 0; m.nok[k2] = 0; m.tka[k2] = 0; k2++
	:: else -> k2 = 0; break
	od
}

/* group.c xglb_fsm_hello: the hello node j sends this round (echo set per receiver) */
inline build(j)
{
	d_step {
		nd[j].seq++;
		out.valid = 1; out.rep = 0; out.from = j; out.boot = boot[j]; out.seq = nd[j].seq;
		out.avgf = IS_AVG(j); out.dem = DEMOTED(j); out.start = STARTING(j);
#ifdef LEAVE
		out.lvf = nd[j].lv;
#endif
		out.st = (nd[j].ver != 0 && nd[j].savg != 0);
		out.ver = (out.st -> nd[j].ver : 0);
		out.savg = (out.st -> nd[j].savg : 0);
		out.steer = (out.st -> nd[j].steer : 0);
		f = 0;
		do
		:: f < F ->
			out.own[f] = (out.st -> nd[j].own[f] : 0); out.act[f] = out.st && nd[j].act[f];
			out.nok[f] = out.st && nd[j].nok[f]; out.tka[f] = (out.st -> nd[j].tka[f] : 0);
			f++
		:: else -> break
		od
	}
}

#ifdef LEAVE
/*
 * The end of node j's clean stop (main.c run): it exits once
 * xglb_fsm_left says the others have taken over (-> ok = 1), or after the
 * bound LB anyway (ok = 2). Not the release wait (release_until is not
 * modelled). P6, at an exit by xglb_fsm_left while another node may lead:
 * if j was the AVG, a live node other than j acts as AVG; the state of the
 * AVG j follows gives j no forwarder. So the hosts miss neither an AVG nor
 * an owner through the handover.
 */
inline left(j)
{
	ok = 0;
	cnt_ = 0; /* others that may lead */
	tf = 0;	  /* others that may forward */
	k = 0;
	do
	:: k < N ->
		if
		:: k != j && CANLEAD(j, k) -> cnt_++
		:: else -> skip
		fi;
		if
		:: k != j && CANFWD(j, k) -> tf++
		:: else -> skip
		fi;
		k++
	:: else -> break
	od;
	if
	:: cnt_ == 0 -> ok = 1
	:: cnt_ > 0 && (IS_AVG(j) || nd[j].savg == j + 1) -> skip
#ifndef BROKEN_LEAVE_NO_STATE
	:: cnt_ > 0 && !IS_AVG(j) && nd[j].savg != j + 1 && (nd[j].avg == 0 || nd[j].savg != nd[j].avg) ->
		skip /* no state of the AVG it follows: it may still name j */
#endif
	:: else ->
		ok = 1;
		f = 0;
		do
		:: f < F ->
			if
			:: tf > 0 && nd[j].act[f] && nd[j].own[f] == j + 1 -> ok = 0
			:: else -> skip
			fi;
			f++
		:: else -> break
		od
	fi;
	if
	:: !ok && nd[j].lvr >= LB -> ok = 2
	:: else -> skip
	fi;
	if
	:: ok == 1 && cnt_ > 0 ->
		t1 = NONE;
		k = 0;
		do
		:: k < N ->
			if
			:: k != j && alive[k] && IS_AVG(k) -> t1 = k
			:: else -> skip
			fi;
			k++
		:: else -> break
		od;
		assert(!nd[j].lva || t1 != NONE); /* P6: the AVG that leaves has a successor */
		t1 = (nd[j].avg != 0 && nd[j].avg != j + 1 && alive[nd[j].avg - 1] -> nd[j].avg - 1 : NONE);
		f = 0;
		do
		:: t1 != NONE && f < F ->
			assert(!(nd[t1].act[f] && nd[t1].own[f] == j + 1)); f++ /* P6 */
		:: else -> break
		od
	:: else -> skip
	fi;
	if
	:: ok -> alive[j] = 0; pins[j] = 0; downfor[j] = 0; printf("EV exit %d %d\n", j, ok)
	:: else -> skip
	fi
}
#endif

/* kill -9 (pins stay) or a clean stop (pins gone) */
inline kill(j, keep)
{
	d_step {
		alive[j] = 0; pins[j] = keep; downfor[j] = 0;
		printf("EV kill %d %d\n", j, keep)
	}
}

/*
 * A new xglbd on node j: bootctr.c counts one more start; xglb_fsm_init;
 * xglb_fsm_restore from pinned tables; xglb_fsm_resume_avg if they say it
 * was the AVG and the heartbeat is younger than hold less one hello
 * (membership.c resume_avg).
 */
inline restart(j)
{
	d_step {
		printf("EV restart %d %d\n", j, pins[j]);
		alive[j] = 1;
		boot[j]++;
		nd[j].seq = 0;
		k = 0;
		do
		:: k < N ->
			nd[j].v[k].up = (k == j); nd[j].v[k].cl = 0; nd[j].v[k].dm = 0;
			nd[j].v[k].st = 0; nd[j].v[k].age = 0; nd[j].v[k].pb = 0;
			nd[j].v[k].wb = 0; nd[j].v[k].wt = 0; nd[j].v[k].ws = 0;
#ifdef LEAVE
			nd[j].v[k].lv = 0;
#endif
			nd[j].lastb[k] = 0; nd[j].lastv[k] = 0; k++
		:: else -> break
		od;
		nd[j].anyv = 0;
#ifdef LEAVE
		nd[j].lv = 0;
		nd[j].lvr = 0;
		nd[j].lva = 0;
#endif
		nd[j].stl = H;
		nd[j].steer = 0;
		nd[j].hasseen = 0;
		nd[j].seen = 0;
		nd[j].vmax = 0;
		nd[j].savg = 0;
		f = 0;
		do
		:: f < F ->
			nd[j].tka[f] = 0;
			if
			:: !pins[j] -> nd[j].own[f] = 0; nd[j].act[f] = 0; nd[j].nok[f] = 0
			:: else -> skip
			fi;
			f++
		:: else -> break
		od;
		if
		:: pins[j] && IS_AVG(j) && downfor[j] + 1 < H -> nd[j].resumed = 1
		:: else -> nd[j].avg = 0; nd[j].resumed = 0
		fi;
		if
		:: !pins[j] -> nd[j].ver = 0
		:: else -> saw(j, nd[j].ver)
		fi;
		pins[j] = 0
	}
}

/* the end of a round: every clock advances one hello interval */
inline advance()
{
	d_step {
		k = 0;
		do
		:: k < N ->
			if
			:: alive[k] ->
				j2 = 0;
				do
				:: j2 < N ->
					if
					:: nd[k].v[j2].age < H -> nd[k].v[j2].age++
					:: else -> skip
					fi;
					j2++
				:: else -> break
				od;
				if
				:: nd[k].stl > 0 -> nd[k].stl--
				:: else -> skip
				fi;
#ifdef LEAVE
				if
				:: nd[k].lv && nd[k].lvr < LB -> nd[k].lvr++
				:: else -> skip
				fi;
#endif
				f = 0;
				do
				:: f < F ->
					if
					:: nd[k].tka[f] > 0 && nd[k].tka[f] <= TO -> nd[k].tka[f]++
					:: else -> skip
					fi;
					f++
				:: else -> break
				od
			:: else ->
				if
				:: downfor[k] < H -> downfor[k]++
				:: else -> skip
				fi
			fi;
			k++
		:: else -> break
		od;
		round++;
		printf("EV round\n");
		/* what each live node holds at the end of the round (the replay compares it) */
		k = 0;
		do
		:: k < N ->
			if
			:: alive[k] ->
				printf("EV node %d avg %d ver %d savg %d\n", k, nd[k].avg, nd[k].ver,
				       nd[k].savg);
				f = 0;
				do
				:: f < F ->
					printf("EV fwd %d %d owner %d active %d\n", k, f, nd[k].own[f],
					       nd[k].act[f]);
					f++
				:: else -> break
				od
			:: else -> skip
			fi;
			k++
		:: else -> break
		od
	}
}

/* P1, P2, P3 at the end of a stable round */
inline check()
{
	d_step {
		if
		:: srounds >= SETTLE ->
			cnt_ = 0;
			k = 0;
			do
			:: k < N -> cnt_ = cnt_ + (alive[k] && IS_AVG(k)); k++
			:: else -> break
			od;
			assert(cnt_ <= 1); /* P1 */
			f = 0;
			do
			:: f < F ->
				cnt_ = 0;
				k = 0;
				do
				:: k < N ->
					cnt_ = cnt_ + (alive[k] && nd[k].act[f] && nd[k].own[f] == k + 1); k++
				:: else -> break
				od;
				assert(cnt_ <= 1); /* P2 */
				f++
			:: else -> break
			od
		:: else -> skip
		fi;
		if
		:: srounds >= CONV ->
			t1 = NONE;
			k = 0;
			do
			:: k < N ->
				if
				:: alive[k] && t1 == NONE -> t1 = k
				:: alive[k] && t1 != NONE ->
					assert(nd[k].avg == nd[t1].avg && nd[k].ver == nd[t1].ver); /* P3 */
					f = 0;
					do
					:: f < F ->
						assert(nd[k].act[f] == nd[t1].act[f] &&
						       nd[k].own[f] == nd[t1].own[f]); /* P3 */
						f++
					:: else -> break
					od
				:: else -> skip
				fi;
				k++
			:: else -> break
			od;
			if
			:: t1 != NONE ->
				assert(nd[t1].avg != 0 && alive[nd[t1].avg - 1]); /* P3: a live AVG */
				cnt_ = 0;
				f = 0;
				do
				:: f < F ->
					assert(!nd[t1].act[f] || alive[nd[t1].own[f] - 1]); /* P3 */
					assert(!alive[PREF(f)] || nd[t1].act[f]);	   /* P3 */
					cnt_ = cnt_ + (nd[t1].act[f] && nd[t1].nok[f]);
					f++
				:: else -> break
				od;
				assert(cnt_ > 0) /* P3: the group keeps a forwarder for new hosts */
			:: else -> skip
			fi
		:: else -> skip
		fi
	}
}

/* the environment's faults between two rounds */
inline faults_between_rounds()
{
	do
	:: faults > 0 && !stable ->
		if
		:: i = 0
		:: i = 1
		:: i = 2
#if N > 3
		:: i = 3
#endif
		fi;
		if
		:: alive[i] -> faults--; kill(i, 1)		  /* kill -9 */
		:: alive[i] -> faults--; kill(i, 0)		  /* a clean stop: no pins */
#ifdef LEAVE
		:: alive[i] && !nd[i].lv ->			  /* SIGTERM: the handover */
			faults--; nd[i].lv = 1; nd[i].lva = IS_AVG(i); printf("EV leave %d\n", i)
#endif
		:: !alive[i] -> faults--; restart(i)
		:: !cut[i] -> faults--; cut[i] = 1; printf("EV cut %d\n", i)
		:: cut[i] -> cut[i] = 0; printf("EV heal %d\n", i) /* free */
		:: slot[i * N + (i + 1) % N].valid -> /* a delayed hello arrives late (free) */
			r = (i + 1) % N;
			printf("EV late %d %d\n", i, r);
			deliver(r, slot[i * N + r]); clearmsg(slot[i * N + r])
		:: slot[i * N + (i + N - 1) % N].valid ->
			r = (i + N - 1) % N;
			printf("EV late %d %d\n", i, r);
			deliver(r, slot[i * N + r]); clearmsg(slot[i * N + r])
		fi
	:: replays > 0 && tape.valid ->
		replays--; printf("EV replay %d\n", tape_to); deliver(tape_to, tape)
	:: true -> break
	od
}

/* the adversary records a hello delivered to r, to replay it later */
inline record()
{
	if
	:: replays > 0 && !tape.valid ->
		printf("EV record %d %d\n", i, r); copymsg(tape, out); tape.rep = 1; tape_to = r
	:: true -> skip
	fi
}

/* node i sends its hello to r: delivered, lost, delayed or duplicated */
inline transmit()
{
	d_step { out.echo = nd[i].v[r].pb }
	if
	:: !alive[r] || cut[i] || cut[r] -> skip
	:: else ->
		if
		:: true -> printf("EV send %d %d deliver\n", i, r); deliver(r, out); record()
		:: faults > 0 && !stable -> faults--; printf("EV send %d %d lose\n", i, r)
		:: faults > 0 && !stable && !slot[i * N + r].valid ->
			faults--; printf("EV send %d %d delay\n", i, r); copymsg(slot[i * N + r], out)
		:: faults > 0 && !stable && !slot[i * N + r].valid ->
			faults--; printf("EV send %d %d dup\n", i, r); deliver(r, out);
			copymsg(slot[i * N + r], out); slot[i * N + r].rep = 1; record()
		fi
	fi
}

init {
	/* all nodes start together; node ids 1..N */
	d_step {
		k = 0;
		do
		:: k < N -> alive[k] = 1; boot[k] = 1; nd[k].stl = H; nd[k].v[k].up = 1; k++
		:: else -> break
		od;
		printf("EV param %d %d %d %d %d %d %d\n", N, F, H, RD, TO, SETTLE, CONV);
		k = 0;
		do
		:: k < N -> printf("EV prio %d %d\n", k, PRIO(k)); k++
		:: else -> break
		od;
		f = 0;
		do
		:: f < F -> printf("EV pers %d %d\n", f, PERS(f)); f++
		:: else -> break
		od
	}
	do
	:: round >= FROUNDS + SROUNDS -> break
	:: else ->
		atomic {
		faults_between_rounds();
		if
		:: !stable && round >= MINFROUNDS -> /* at FROUNDS at the latest */
			/* the network becomes stable: heal every cut, lose what is delayed */
			d_step {
				stable = 1;
				srounds = 0;
				k = 0;
				do
				:: k < N -> cut[k] = 0; k++
				:: else -> break
				od;
				k = 0;
				do
				:: k < N * N -> clearmsg(slot[k]); k++
				:: else -> break
				od;
				printf("EV stable\n")
			}
		:: !stable && round < FROUNDS -> skip
		:: stable -> skip
		fi;
		i = 0;
		do
		:: i < N ->
			if
			:: alive[i] ->
				d_step { printf("EV hello %d\n", i); tick(i) }
				build(i);
				r = 0;
				do
				:: r < N ->
					if
					:: r != i -> transmit()
					:: else -> skip
					fi;
					r++
				:: else -> r = 0; break
				od;
				clearmsg(out)
			:: else -> skip
			fi;
			i++
		:: else -> i = 0; break
		od;
#ifdef LEAVE
		skip; /* the loop above breaks to here, not into the d_step */
		d_step {
			i = 0;
			do
			:: i < N ->
				if
				:: alive[i] && nd[i].lv -> left(i)
				:: else -> skip
				fi;
				i++
			:: else -> i = 0; break
			od
		}
#endif
		advance();
		if
		:: stable -> srounds++; check()
		:: else -> skip
		fi;
		if
		:: stable && srounds >= SROUNDS -> break
		:: else -> skip
		fi
		}
	od
}
