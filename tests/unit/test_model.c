// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_model.c - replays traces of the Promela model (model/xglb.pml) into
 * the real code: group.c's state machine, proto.c's codec (HMAC, encode,
 * decode) and replay window, and the admission rule of cluster.c's admit()
 * (learn the sender's boot; the echo must be ours), under a fake clock of
 * one hello interval per model round. Each model/traces/NAME.scn is one
 * test; model/trail2scn.sh makes them from spin's trails and simulations.
 *
 * A trace says "expect safe": the properties the model checks (P1..P5,
 * model/README.md) must hold for the real code through the whole trace,
 * however the model behaved (a counterexample of a broken variant must
 * not show up in the code); or "expect conform": in addition, after every
 * round, every live node's AVG, version, publisher and owners must be
 * what the model says (the model and the code agree step by step).
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "group.h"
#include "proto.h"

#define MS	 1000000ull
#define MAXN	 4
#define HELLO_MS 100

struct wire {
	bool valid;
	bool rep; /* a copy of a hello already delivered: must be refused (P4) */
	int len;
	__u8 buf[XGLB_MSG_MAX];
	int to;
};

struct node {
	struct xglb_fsm g;
	bool alive;
	__u32 boot;		      /* bootctr.c: counted up at every start */
	__u64 seq;		      /* cluster.c: one sequence per run */
	__u32 pb[MAXN];		      /* cluster.c peer boot: what our hellos echo */
	struct xglb_replay win[MAXN]; /* proto.c window per sender */
	bool pins;		      /* killed: its tables stay pinned */
	struct xglb_group pinned;
	bool pinned_avg;
	int downfor; /* rounds since it died */
	/* P5 ghosts */
	bool hasseen;
	__u32 seen;
	__u32 lastv[MAXN], lastb[MAXN];
};

struct run {
	const char *file;
	int line;
	int n, nf, h, rd, to, settle, conv;
	__u8 prio[MAXN];
	__u8 pers[XGLB_MAX_FWD];
	bool started, stable, conform;
	int srounds;
	__u64 now;
	struct node nd[MAXN];
	bool cut[MAXN];
	struct wire slot[MAXN][MAXN];
	struct wire tape;
	struct xglb_msg out; /* the hello being sent */
	int sender;
	int accepted, refused, replays_refused, compared;
	__u8 key[32];
};

static struct run R;

#define FAILF(...)                                                                                 \
	do {                                                                                       \
		print_error("%s:%d: ", R.file, R.line);                                            \
		print_error(__VA_ARGS__);                                                          \
		print_error("\n");                                                                 \
		fail();                                                                            \
	} while (0)
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			FAILF(__VA_ARGS__);                                                        \
	} while (0)

static struct xglb_fsm_timers timers(void)
{
	return (struct xglb_fsm_timers){
	    .hello_ms = HELLO_MS,
	    .hold_ms = (__u32)R.h * HELLO_MS,
	    .redirect_ms = (__u32)R.rd * HELLO_MS,
	    .timeout_ms = (__u32)R.to * HELLO_MS,
	    .preempt = true,
	    .preempt_delay_ms = 0,
	};
}

/* xglb_fsm_init for node i at R.now, as xglbd starts it (cluster.c init_group). */
static void start_node(int i)
{
	struct xglb_fsm_node_param nodes[MAXN];
	struct xglb_fsm_fwd_param fwd[XGLB_MAX_FWD];
	struct xglb_fsm_timers t = timers();
	struct node *x = &R.nd[i];
	__u8 mac[6] = {2, 0, 0, 0, 0, (__u8)(i + 1)};

	for (int k = 0; k < R.n; k++)
		nodes[k] = (struct xglb_fsm_node_param){
		    .id = (__u32)k + 1, .priority = R.prio[k], .weight = 100};
	for (int f = 0; f < R.nf; f++)
		fwd[f] = (struct xglb_fsm_fwd_param){
		    .preferred = (__u32)(f % R.n) + 1, .persistence = R.pers[f], .weight = 100};
	x->boot++;
	xglb_fsm_init(&x->g, 1, 0x0100000a, XGLB_POLICY_ROUND_ROBIN, &t, (__u32)i + 1, x->boot,
		      nodes, R.n, fwd, R.nf, R.now);
	xglb_fsm_set_self(&x->g, R.prio[i], 100, mac);
	x->alive = true;
	x->seq = 0;
	memset(x->pb, 0, sizeof(x->pb));
	memset(x->win, 0, sizeof(x->win));
	x->hasseen = false;
	x->seen = 0;
	memset(x->lastv, 0, sizeof(x->lastv));
	memset(x->lastb, 0, sizeof(x->lastb));
}

static void begin(void)
{
	if (R.started)
		return;
	CHECK(R.n >= 2 && R.n <= MAXN && R.nf >= 1 && R.nf <= XGLB_MAX_FWD, "bad param line");
	R.started = true;
	for (int i = 0; i < R.n; i++)
		start_node(i);
}

/* P5: what node j publishes is after every version it held in this run. */
static void watch_version(int j, __u32 before, bool was_publisher)
{
	struct node *x = &R.nd[j];
	__u32 v = x->g.version;

	if (v == before && was_publisher == (x->g.state_avg == x->g.self))
		return;
	if (x->g.state_avg == x->g.self && v != before)
		CHECK(!x->hasseen || xglb_version_after(v, x->seen),
		      "P5: node %d publishes version %u, not after %u it held", j + 1, v, x->seen);
	if (v && (!x->hasseen || xglb_version_after(v, x->seen))) {
		x->seen = v;
		x->hasseen = true;
	}
}

static void tick(int j)
{
	struct xglb_fsm_out o = {0};
	__u32 before = R.nd[j].g.version;
	bool pub = R.nd[j].g.state_avg == R.nd[j].g.self;

	xglb_fsm_tick(&R.nd[j].g, R.now, &o);
	watch_version(j, before, pub);
}

/* A hello's bytes arrive at node r: admission as cluster.c admit(), then rx and tick. */
static void deliver(int r, const struct wire *w)
{
	struct node *x = &R.nd[r];
	struct xglb_fsm_out o = {0};
	struct xglb_msg m;
	__u64 adopted;
	__u32 before;
	bool pub;
	int s, rc;

	if (!x->alive)
		return;
	rc = xglb_msg_decode(w->buf, (size_t)w->len, R.key, sizeof(R.key), &m);
	CHECK(rc == XGLB_RX_OK, "decode: %d", rc);
	s = (int)m.node_id - 1;
	CHECK(s >= 0 && s < R.n && s != r, "sender %u", m.node_id);
	if (m.boot > x->pb[s])
		x->pb[s] = m.boot;
	rc = m.echo != x->boot ? XGLB_RX_ECHO : xglb_replay_check(&x->win[s], m.boot, m.seq);
	if (rc != XGLB_RX_OK) {
		R.refused++;
		R.replays_refused += w->rep;
		return;
	}
	CHECK(!w->rep, "P4: a replayed hello of node %d (boot %u seq %llu) admitted by node %d",
	      s + 1, m.boot, (unsigned long long)m.seq, r + 1);
	R.accepted++;
	adopted = x->g.stats.states_adopted;
	before = x->g.version;
	pub = x->g.state_avg == x->g.self;
	xglb_fsm_rx(&x->g, &m, R.now, &o);
	if (x->g.stats.states_adopted != adopted) {
		/* P5: never an older state from the same run of its publisher */
		CHECK(x->lastb[s] != m.boot || x->lastv[s] == m.state_version ||
			  xglb_version_after(m.state_version, x->lastv[s]),
		      "P5: node %d takes version %u from node %d after %u", r + 1, m.state_version,
		      s + 1, x->lastv[s]);
		x->lastb[s] = m.boot;
		x->lastv[s] = m.state_version;
	}
	watch_version(r, before, pub);
	tick(r);
}

/* The current hello as sent to r: the echo is r's boot as the sender knows it. */
static void encode_to(int r, struct wire *w, bool rep)
{
	struct xglb_msg m = R.out;

	m.echo = R.nd[R.sender].pb[r];
	w->len = xglb_msg_encode(&m, R.key, sizeof(R.key), w->buf, sizeof(w->buf));
	CHECK(w->len > 0, "encode: %d", w->len);
	w->valid = true;
	w->rep = rep;
	w->to = r;
}

static void kill_node(int i, bool keep)
{
	struct node *x = &R.nd[i];

	x->alive = false;
	x->pins = keep;
	x->downfor = 0;
	x->pinned_avg = xglb_fsm_is_avg(&x->g);
	memset(&x->pinned, 0, sizeof(x->pinned));
	x->pinned.id = 1;
	x->pinned.flags = XGLB_GRP_ENABLED;
	x->pinned.n_fwd = (__u8)x->g.n_fwd;
	x->pinned.version = x->g.version;
	for (int f = 0; f < x->g.n_fwd; f++) {
		x->pinned.fwd[f].owner = x->g.fwd[f].active ? x->g.fwd[f].owner : 0;
		x->pinned.fwd[f].flags = (x->g.fwd[f].active ? XGLB_FWD_ACTIVE : 0) |
					 (x->g.fwd[f].new_ok ? XGLB_FWD_NEW_OK : 0);
	}
}

/* A new xglbd: xglb_fsm_restore from the pins, resume_avg as membership.c decides it. */
static void restart_node(int i)
{
	struct node *x = &R.nd[i];

	start_node(i);
	if (!x->pins)
		return;
	xglb_fsm_restore(&x->g, &x->pinned);
	if (x->g.version) {
		x->seen = x->g.version;
		x->hasseen = true;
	}
	if (x->pinned_avg && (__u64)(x->downfor + 1) * HELLO_MS < (__u64)R.h * HELLO_MS)
		xglb_fsm_resume_avg(&x->g);
	x->pins = false;
}

static __u32 owner_of(const struct xglb_fsm *g, int f)
{
	return g->fwd[f].active ? g->fwd[f].owner : 0;
}

/* P1..P3 at the end of a stable round, as the model checks them. */
static void check_round(void)
{
	int first = -1, c;

	if (R.srounds >= R.settle) {
		c = 0;
		for (int k = 0; k < R.n; k++)
			c += R.nd[k].alive && xglb_fsm_is_avg(&R.nd[k].g);
		CHECK(c <= 1, "P1: %d AVGs %d rounds into the stable phase", c, R.srounds);
		for (int f = 0; f < R.nf; f++) {
			c = 0;
			for (int k = 0; k < R.n; k++)
				c += R.nd[k].alive && owner_of(&R.nd[k].g, f) == (__u32)k + 1;
			CHECK(c <= 1, "P2: forwarder %d has %d owners", f, c);
		}
	}
	if (R.srounds < R.conv)
		return;
	for (int k = 0; k < R.n; k++) {
		const struct xglb_fsm *g = &R.nd[k].g, *ref;

		if (!R.nd[k].alive)
			continue;
		if (first < 0) {
			first = k;
			continue;
		}
		ref = &R.nd[first].g;
		CHECK(g->avg == ref->avg && g->version == ref->version,
		      "P3: node %d follows %u at %u, node %d %u at %u", k + 1, g->avg, g->version,
		      first + 1, ref->avg, ref->version);
		for (int f = 0; f < R.nf; f++)
			CHECK(owner_of(g, f) == owner_of(ref, f),
			      "P3: owners of forwarder %d differ", f);
	}
	if (first < 0)
		return;
	{
		const struct xglb_fsm *g = &R.nd[first].g;

		c = 0;
		CHECK(g->avg && R.nd[g->avg - 1].alive, "P3: no live AVG");
		for (int f = 0; f < R.nf; f++) {
			CHECK(!g->fwd[f].active || R.nd[g->fwd[f].owner - 1].alive,
			      "P3: forwarder %d owned by dead node %u", f, g->fwd[f].owner);
			CHECK(!R.nd[f % R.n].alive || g->fwd[f].active,
			      "P3: forwarder %d inactive, its preferred owner is up", f);
			c += g->fwd[f].active && g->fwd[f].new_ok;
		}
		CHECK(c > 0, "P3: no forwarder active for new hosts");
	}
}

static void end_round(void)
{
	R.now += HELLO_MS * MS;
	for (int k = 0; k < R.n; k++)
		if (!R.nd[k].alive && R.nd[k].downfor < R.h)
			R.nd[k].downfor++;
	if (R.stable) {
		R.srounds++;
		check_round();
	}
}

/* One line of a trace. */
static void step(char *l)
{
	int a, b, c, d, e, f2, g2;
	char w[16];

	if (sscanf(l, "param %d %d %d %d %d %d %d", &a, &b, &c, &d, &e, &f2, &g2) == 7) {
		R.n = a, R.nf = b, R.h = c, R.rd = d, R.to = e, R.settle = f2, R.conv = g2;
		return;
	}
	if (sscanf(l, "prio %d %d", &a, &b) == 2) {
		CHECK(a >= 0 && a < MAXN, "prio");
		R.prio[a] = (__u8)b;
		return;
	}
	if (sscanf(l, "pers %d %d", &a, &b) == 2) {
		CHECK(a >= 0 && a < XGLB_MAX_FWD, "pers");
		R.pers[a] = (__u8)b;
		return;
	}
	if (sscanf(l, "expect %15s", w) == 1) {
		R.conform = !strcmp(w, "conform");
		CHECK(R.conform || !strcmp(w, "safe"), "expect safe|conform");
		return;
	}
	begin();
	if (sscanf(l, "hello %d", &a) == 1) {
		static const __u64 loads[XGLB_MAX_FWD];

		CHECK(a >= 0 && a < R.n && R.nd[a].alive, "hello from a dead node");
		tick(a);
		xglb_fsm_hello(&R.nd[a].g, R.now, loads, &R.out);
		R.out.seq = ++R.nd[a].seq; /* cluster.c send_hello: one sequence per run */
		R.sender = a;
	} else if (sscanf(l, "send %d %d %15s", &a, &b, w) == 3) {
		struct wire x;

		CHECK(a == R.sender && b >= 0 && b < R.n, "send");
		encode_to(b, &x, false);
		if (!strcmp(w, "deliver") || !strcmp(w, "dup"))
			deliver(b, &x);
		if (!strcmp(w, "delay") || !strcmp(w, "dup")) {
			x.rep = !strcmp(w, "dup");
			R.slot[a][b] = x;
		}
	} else if (sscanf(l, "record %d %d", &a, &b) == 2) {
		encode_to(b, &R.tape, true);
	} else if (sscanf(l, "late %d %d", &a, &b) == 2) {
		CHECK(R.slot[a][b].valid, "late: nothing delayed");
		deliver(b, &R.slot[a][b]);
		R.slot[a][b].valid = false;
	} else if (sscanf(l, "replay %d", &a) == 1) {
		CHECK(R.tape.valid && R.tape.to == a, "replay: nothing recorded");
		deliver(a, &R.tape);
	} else if (sscanf(l, "kill %d %d", &a, &b) == 2) {
		kill_node(a, b);
	} else if (sscanf(l, "leave %d", &a) == 1) {
		CHECK(a >= 0 && a < R.n && R.nd[a].alive, "leave: a dead node");
		xglb_fsm_leave(&R.nd[a].g, R.now); /* SIGTERM: main.c run() */
	} else if (sscanf(l, "exit %d %d", &a, &b) == 2) {
		const struct xglb_fsm *g = &R.nd[a].g;

		CHECK(a >= 0 && a < R.n && R.nd[a].alive && g->leaving, "exit: not leaving");
		/* P6: if the code too calls the handover done, the AVG it follows no
		 * longer names it (b = 2: the model gave up at the bound) */
		if (xglb_fsm_left(g, R.now) && g->avg && g->avg != (__u32)a + 1 &&
		    R.nd[g->avg - 1].alive) {
			const struct xglb_fsm *avg = &R.nd[g->avg - 1].g;

			for (int f = 0; f < R.nf; f++)
				CHECK(owner_of(avg, f) != (__u32)a + 1,
				      "P6: node %d handed over, but its AVG %u still gives it "
				      "forwarder %d",
				      a + 1, g->avg, f);
		}
		kill_node(a, false); /* a clean stop removes the pins */
	} else if (sscanf(l, "restart %d %d", &a, &b) == 2) {
		restart_node(a);
	} else if (sscanf(l, "cut %d", &a) == 1) {
		R.cut[a] = true;
	} else if (sscanf(l, "heal %d", &a) == 1) {
		R.cut[a] = false;
	} else if (!strncmp(l, "stable", 6)) {
		R.stable = true;
		R.srounds = 0;
		memset(R.slot, 0, sizeof(R.slot));
		memset(R.cut, 0, sizeof(R.cut));
	} else if (!strncmp(l, "round", 5)) {
		end_round();
	} else if (sscanf(l, "node %d avg %d ver %d savg %d", &a, &b, &c, &d) == 4) {
		const struct xglb_fsm *g = &R.nd[a].g;

		if (!R.conform)
			return;
		R.compared++;
		CHECK(g->avg == (__u32)b && g->version == (__u32)c && g->state_avg == (__u32)d,
		      "node %d: avg %u version %u publisher %u, the model says %d %d %d", a + 1,
		      g->avg, g->version, g->state_avg, b, c, d);
	} else if (sscanf(l, "fwd %d %d owner %d active %d", &a, &b, &c, &d) == 4) {
		const struct xglb_fsm *g = &R.nd[a].g;

		if (!R.conform)
			return;
		CHECK(g->fwd[b].owner == (__u32)c && g->fwd[b].active == !!d,
		      "node %d forwarder %d: owner %u active %d, the model says %d %d", a + 1, b,
		      g->fwd[b].owner, g->fwd[b].active, c, d);
	} else {
		FAILF("unknown line '%s'", l);
	}
}

static void replay_trace(void **state)
{
	const char *file = *state;
	char line[256];
	FILE *fp = fopen(file, "r");
	int rounds = 0;

	assert_non_null(fp);
	memset(&R, 0, sizeof(R));
	memset(R.key, 0x5a, sizeof(R.key));
	R.file = file;
	R.now = 1000 * MS;
	while (fgets(line, sizeof(line), fp)) {
		R.line++;
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		rounds += !strncmp(line, "round", 5);
		step(line);
	}
	fclose(fp);
	assert_true(R.started);
	assert_true(rounds > 0);
	assert_true(R.accepted > 0);
	if (R.conform)
		assert_true(R.compared > 0);
	print_message("%s: %d rounds, %d hellos admitted, %d refused (%d replays), %d states "
		      "compared\n",
		      file, rounds, R.accepted, R.refused, R.replays_refused, R.compared);
}

int main(void)
{
	struct CMUnitTest *tests;
	glob_t gl;
	int rc;

	if (glob("model/traces/*.scn", 0, NULL, &gl) || !gl.gl_pathc) {
		fprintf(stderr,
			"test_model: no model/traces/*.scn (run from the repository root)\n");
		return 1;
	}
	tests = calloc(gl.gl_pathc, sizeof(*tests));
	if (!tests)
		return 1;
	for (size_t i = 0; i < gl.gl_pathc; i++)
		tests[i] = (struct CMUnitTest){.name = gl.gl_pathv[i],
					       .test_func = replay_trace,
					       .initial_state = gl.gl_pathv[i]};
	rc = _cmocka_run_group_tests("test_model", tests, gl.gl_pathc, NULL, NULL);
	free(tests);
	globfree(&gl);
	return rc;
}
