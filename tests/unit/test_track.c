// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_track.c - tracked objects' effect on priority and weight, with GLBP weighting hysteresis. */
#include "testlib.h"
#include <string.h>
#include "track.h"

static struct xglb_config cfg;

static void setup_cfg(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_nodes = 1;
	cfg.self = 0;
	cfg.nodes[0].priority = 150;
	cfg.nodes[0].weight = 100;
	cfg.weight_lower = 70;
	cfg.weight_upper = 90;
	cfg.n_track = 3;
	cfg.track[0] = (struct xglb_cfg_track){.priority_dec = 60, .weight_dec = 20};
	cfg.track[1] = (struct xglb_cfg_track){.priority_dec = 100, .weight_dec = 15};
	cfg.track[2] = (struct xglb_cfg_track){.priority_dec = 0, .weight_dec = 5};
}

static void all_up_is_configured_values(void **state)
{
	bool up[3] = {true, true, true};
	struct xglb_track_effect e;

	setup_cfg();
	xglb_track_eval(&cfg, up, false, &e);
	assert_int_equal(e.priority, 150);
	assert_int_equal(e.weight, 100);
	assert_false(e.withdrawn);
}

static void decrements_add_up_and_clamp_at_zero(void **state)
{
	bool up[3] = {false, true, true};
	struct xglb_track_effect e;

	setup_cfg();
	xglb_track_eval(&cfg, up, false, &e);
	assert_int_equal(e.priority, 90);
	assert_int_equal(e.weight, 80);
	up[1] = false;
	xglb_track_eval(&cfg, up, false, &e);
	assert_int_equal(e.priority, 0); /* 150 - 160, clamped: cannot be AVG */
}

static void weighting_hysteresis(void **state)
{
	bool up[3] = {false, false, true}; /* weight 65: below lower 70 */
	struct xglb_track_effect e;

	setup_cfg();
	xglb_track_eval(&cfg, up, false, &e);
	assert_true(e.withdrawn);
	assert_int_equal(e.weight, 0); /* advertised 0: owns no forwarder */
	up[1] = true;		       /* 80: above lower, below upper 90 -> stays withdrawn */
	xglb_track_eval(&cfg, up, e.withdrawn, &e);
	assert_true(e.withdrawn);
	assert_int_equal(e.weight, 0);
	up[0] = true; /* 100 >= upper: restored */
	xglb_track_eval(&cfg, up, e.withdrawn, &e);
	assert_false(e.withdrawn);
	assert_int_equal(e.weight, 100);
	up[0] = false; /* 80: not withdrawn again until below lower */
	xglb_track_eval(&cfg, up, e.withdrawn, &e);
	assert_false(e.withdrawn);
	assert_int_equal(e.weight, 80);
}

static void no_weighting_never_withdraws(void **state)
{
	bool up[3] = {false, false, false};
	struct xglb_track_effect e;

	setup_cfg();
	cfg.weight_lower = cfg.weight_upper = 0;
	xglb_track_eval(&cfg, up, false, &e);
	assert_false(e.withdrawn);
	assert_int_equal(e.weight, 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(all_up_is_configured_values),
	    cmocka_unit_test(decrements_add_up_and_clamp_at_zero),
	    cmocka_unit_test(weighting_hysteresis),
	    cmocka_unit_test(no_weighting_never_withdraws),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
