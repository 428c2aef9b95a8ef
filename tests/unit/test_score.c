/* test_score.c - the accuracy scorer on hand-made mismatches: it must not flatter an
 * analysis. Also the `heeldrop score` command on the fixtures in tests/fixtures/score.
 *
 * argv[1]: the fixture folder (tests/fixtures/score).
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "heeldrop/cli.h"
#include "heeldrop/score.h"
#include "heeldrop/summary.h"
#include "heeldrop/tracker.h"
#include "test.h"

static const char *fixtures;
static char tmpdir[256];

/* ---- building summaries in memory --------------------------------------------------- */

#define MAXR 8

typedef struct clipdata {
    hd_summary s;
    hd_rep reps[MAXR];
} clipdata;

static void clip_init(clipdata *c)
{
    memset(c, 0, sizeof(*c));
    c->s.fps = 30.0;
    c->s.reps = c->reps;
}

/* A rep around t_bottom with the given timing and warnings. */
static void add_rep(clipdata *c, double t_bottom, double descent, double hold, double depth,
                    unsigned warnings)
{
    hd_rep *r = &c->reps[c->s.nreps++];
    memset(r, 0, sizeof(*r));
    r->index = c->s.nreps;
    r->foot = HD_FOOT_NEAR;
    r->t_bottom = t_bottom;
    r->t_descent_start = t_bottom - descent;
    r->t_hold_end = t_bottom + hold;
    r->t_top = r->t_hold_end + 1.5;
    r->descent_s = descent;
    r->hold_s = hold;
    r->rise_s = 1.5;
    r->below_s = hold + 1.0;
    r->depth_mm = depth;
    r->top_mm = 40;
    r->set = 1;
    r->warnings = warnings;
}

/* Truth with three good reps at 5, 15 and 25 s (the second too fast). */
static void truth3(clipdata *t)
{
    clip_init(t);
    add_rep(t, 5.0, 3.0, 1.0, 50.0, 0);
    add_rep(t, 15.0, 1.5, 1.0, 50.0, HD_WARN_TOO_FAST);
    add_rep(t, 25.0, 3.0, 1.0, 50.0, 0);
}

/* Scores one clip without traces and returns a copy of its numbers. */
static hd_score_result score1(const clipdata *t, const clipdata *a)
{
    hd_score *sc = NULL;
    hd_score_result r;
    memset(&r, 0, sizeof(r));
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "clip", &t->s, &a->s, NULL, 0, NULL, 0) == HD_OK);
    CHECK(hd_score_count(sc) == 1);
    if (hd_score_clip(sc, 0))
        r = *hd_score_clip(sc, 0);
    hd_score_destroy(sc);
    return r;
}

static int wi(unsigned bit)
{
    int i = 0;
    while (bit > 1u) {
        bit >>= 1;
        i++;
    }
    return i;
}

/* ---- rep-level tests ---------------------------------------------------------------- */

static void test_perfect(void)
{
    clipdata t, a;
    truth3(&t);
    truth3(&a);
    hd_score_result r = score1(&t, &a);
    CHECK(r.true_reps == 3 && r.found_reps == 3 && r.matched == 3);
    CHECK(r.exact_clips == 1);
    CHECK_NEAR(r.exact_share, 1.0, 0);
    CHECK_NEAR(r.rep_precision, 1.0, 0);
    CHECK_NEAR(r.rep_recall, 1.0, 0);
    CHECK_NEAR(r.descent_mae_s, 0, 0);
    CHECK_NEAR(r.hold_mae_s, 0, 0);
    CHECK_NEAR(r.below_mae_s, 0, 0);
    CHECK_NEAR(r.depth_mae_mm, 0, 0);
    CHECK(r.n_descent == 3);
    const hd_score_warn *w = &r.warn[wi(HD_WARN_TOO_FAST)];
    CHECK(w->tp == 1 && w->fp == 0 && w->fn == 0);
    CHECK_NEAR(w->precision, 1.0, 0);
    CHECK_NEAR(w->recall, 1.0, 0);
    /* a warning neither side raised is undefined, not a perfect 1.0 */
    w = &r.warn[wi(HD_WARN_BOUNCE)];
    CHECK(isnan(w->precision) && isnan(w->recall));
    CHECK(r.no_exercise_clips == 0 && r.no_exercise_reps == 0);
    CHECK(r.trace_clips == 0 && isnan(r.heel_median_mm) && isnan(r.lost_share));
}

static void test_missed_rep(void)
{
    clipdata t, a;
    truth3(&t);
    clip_init(&a);
    add_rep(&a, 5.0, 3.0, 1.0, 50.0, 0);
    add_rep(&a, 25.0, 3.0, 1.0, 50.0, 0); /* the too-fast rep at 15 s is missed */
    hd_score_result r = score1(&t, &a);
    CHECK(r.found_reps == 2 && r.matched == 2);
    CHECK(r.exact_clips == 0);
    CHECK_NEAR(r.rep_recall, 2.0 / 3.0, 1e-12);
    CHECK_NEAR(r.rep_precision, 1.0, 0);
    /* the missed rep's warning is a false negative */
    const hd_score_warn *w = &r.warn[wi(HD_WARN_TOO_FAST)];
    CHECK(w->tp == 0 && w->fp == 0 && w->fn == 1);
    CHECK(isnan(w->precision));
    CHECK_NEAR(w->recall, 0.0, 0);
}

static void test_extra_rep(void)
{
    clipdata t, a;
    truth3(&t);
    truth3(&a);
    add_rep(&a, 35.0, 1.0, 0.1, -3.0, HD_WARN_TOO_FAST | HD_WARN_NO_HOLD);
    hd_score_result r = score1(&t, &a);
    CHECK(r.found_reps == 4 && r.matched == 3);
    CHECK(r.exact_clips == 0);
    CHECK_NEAR(r.rep_precision, 0.75, 1e-12);
    CHECK_NEAR(r.rep_recall, 1.0, 0);
    /* the extra rep's warnings are false positives; matched errors stay zero */
    const hd_score_warn *w = &r.warn[wi(HD_WARN_TOO_FAST)];
    CHECK(w->tp == 1 && w->fp == 1 && w->fn == 0);
    CHECK_NEAR(w->precision, 0.5, 1e-12);
    w = &r.warn[wi(HD_WARN_NO_HOLD)];
    CHECK(w->tp == 0 && w->fp == 1 && w->fn == 0);
    CHECK_NEAR(w->precision, 0.0, 0);
    CHECK(isnan(w->recall));
    CHECK_NEAR(r.depth_mae_mm, 0, 0);
}

static void test_shift_unmatched(void)
{
    clipdata t, a;
    clip_init(&t);
    clip_init(&a);
    add_rep(&t, 10.0, 3.0, 1.0, 50.0, HD_WARN_TOO_FAST);
    add_rep(&a, 11.2, 3.0, 1.0, 50.0, HD_WARN_TOO_FAST);
    hd_score_result r = score1(&t, &a);
    /* the count is right, but the rep is not the same rep: unmatched both ways */
    CHECK(r.exact_clips == 1);
    CHECK(r.matched == 0);
    CHECK_NEAR(r.rep_precision, 0.0, 0);
    CHECK_NEAR(r.rep_recall, 0.0, 0);
    CHECK(isnan(r.descent_mae_s) && isnan(r.depth_mae_mm) && r.n_descent == 0);
    const hd_score_warn *w = &r.warn[wi(HD_WARN_TOO_FAST)];
    CHECK(w->tp == 0 && w->fp == 1 && w->fn == 1);
    /* the targets fail on the undefined MAE rather than skip it */
    hd_score_targets tg;
    hd_score_targets_default(&tg);
    hd_score_result tot = r;
    CHECK(hd_score_check(&tot, &tg, NULL) >= 3);
}

static void test_shift_matched(void)
{
    clipdata t, a;
    clip_init(&t);
    clip_init(&a);
    add_rep(&t, 10.0, 3.0, 1.0, 50.0, HD_WARN_TOO_FAST);
    add_rep(&a, 10.8, 3.5, 0.7, 44.0, HD_WARN_TOO_FAST);
    a.reps[0].below_s = t.reps[0].below_s + 0.4;
    hd_score_result r = score1(&t, &a);
    CHECK(r.matched == 1);
    CHECK_NEAR(r.t_bottom_mae_s, 0.8, 1e-9);
    CHECK_NEAR(r.descent_mae_s, 0.5, 1e-9);
    CHECK_NEAR(r.hold_mae_s, 0.3, 1e-9);
    CHECK_NEAR(r.below_mae_s, 0.4, 1e-9);
    CHECK_NEAR(r.depth_mae_mm, 6.0, 1e-9);
    CHECK(r.warn[wi(HD_WARN_TOO_FAST)].tp == 1);

    /* exactly the tolerance still matches; just over it does not */
    a.reps[0].t_bottom = 9.0;
    CHECK(score1(&t, &a).matched == 1);
    a.reps[0].t_bottom = 11.01;
    CHECK(score1(&t, &a).matched == 0);
}

/* The matching is optimal, not greedy: greedy-by-distance would pair T2-F1 (0.2 s) and
 * leave T1 and F2 unmatched; the optimal matching pairs T1-F1 and T2-F2. */
static void test_matching_optimal(void)
{
    clipdata t, a;
    clip_init(&t);
    clip_init(&a);
    add_rep(&t, 10.0, 3, 1, 50, 0);
    add_rep(&t, 11.0, 3, 1, 50, 0);
    add_rep(&a, 10.8, 3, 1, 50, 0);
    add_rep(&a, 11.9, 3, 1, 50, 0);
    int t2f[2], f2t[2];
    CHECK(hd_score_match(t.reps, 2, a.reps, 2, 1.0, t2f, f2t) == 2);
    CHECK(t2f[0] == 0 && t2f[1] == 1 && f2t[0] == 0 && f2t[1] == 1);

    /* among equal counts, the smaller total time difference wins */
    clip_init(&t);
    clip_init(&a);
    add_rep(&t, 10.0, 3, 1, 50, 0);
    add_rep(&a, 9.5, 3, 1, 50, 0);
    add_rep(&a, 10.1, 3, 1, 50, 0);
    CHECK(hd_score_match(t.reps, 1, a.reps, 2, 1.0, t2f, f2t) == 1);
    CHECK(t2f[0] == 1 && f2t[0] == -1 && f2t[1] == 0);

    /* out-of-order input and an unknown t_bottom */
    clip_init(&t);
    clip_init(&a);
    add_rep(&t, 20.0, 3, 1, 50, 0);
    add_rep(&t, 10.0, 3, 1, 50, 0);
    add_rep(&t, NAN, 3, 1, 50, 0);
    add_rep(&a, 10.2, 3, 1, 50, 0);
    add_rep(&a, NAN, 3, 1, 50, 0);
    add_rep(&a, 19.9, 3, 1, 50, 0);
    int t3[3], f3[3];
    CHECK(hd_score_match(t.reps, 3, a.reps, 3, 1.0, t3, f3) == 2);
    CHECK(t3[0] == 2 && t3[1] == 0 && t3[2] == -1 && f3[1] == -1);

    CHECK(hd_score_match(NULL, 0, NULL, 0, 1.0, NULL, NULL) == 0);
}

static void test_wrong_warning(void)
{
    clipdata t, a;
    clip_init(&t);
    clip_init(&a);
    add_rep(&t, 10.0, 1.5, 1.0, 50.0, HD_WARN_TOO_FAST);
    add_rep(&a, 10.1, 1.6, 1.0, 50.0, HD_WARN_NO_HOLD);
    hd_score_result r = score1(&t, &a);
    CHECK(r.matched == 1);
    const hd_score_warn *tf = &r.warn[wi(HD_WARN_TOO_FAST)];
    const hd_score_warn *nh = &r.warn[wi(HD_WARN_NO_HOLD)];
    CHECK(tf->tp == 0 && tf->fp == 0 && tf->fn == 1);
    CHECK(isnan(tf->precision));
    CHECK_NEAR(tf->recall, 0.0, 0);
    CHECK(nh->tp == 0 && nh->fp == 1 && nh->fn == 0);
    CHECK_NEAR(nh->precision, 0.0, 0);
    CHECK(isnan(nh->recall));
    for (int w = 0; w < HD_WARN_COUNT; w++) {
        if (w != wi(HD_WARN_TOO_FAST) && w != wi(HD_WARN_NO_HOLD))
            CHECK(r.warn[w].tp + r.warn[w].fp + r.warn[w].fn == 0);
    }
    hd_score_targets tg;
    hd_score_targets_default(&tg);
    /* too_fast recall and no_hold precision fail; the two undefined ones are n/a */
    CHECK(hd_score_check(&r, &tg, NULL) == 2);
}

static void test_no_exercise(void)
{
    clipdata t, a;
    clip_init(&t);
    clip_init(&a);
    add_rep(&a, 4.0, 1.0, 0.1, -2.0, HD_WARN_TOO_FAST);
    hd_score_result r = score1(&t, &a);
    CHECK(r.no_exercise_clips == 1 && r.no_exercise_reps == 1);
    CHECK(r.exact_clips == 0 && r.matched == 0);
    CHECK(isnan(r.rep_recall));
    CHECK_NEAR(r.rep_precision, 0.0, 0);
    CHECK(r.warn[wi(HD_WARN_TOO_FAST)].fp == 1);

    /* the aggregate over this clip and a perfect one */
    hd_score *sc;
    hd_score_result tot;
    clipdata t3, a3;
    truth3(&t3);
    truth3(&a3);
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "good", &t3.s, &a3.s, NULL, 0, NULL, 0) == HD_OK);
    CHECK(hd_score_add(sc, "still", &t.s, &a.s, NULL, 0, NULL, 0) == HD_OK);
    CHECK(hd_score_total(sc, &tot) == HD_OK);
    CHECK(tot.clips == 2 && tot.exact_clips == 1);
    CHECK_NEAR(tot.exact_share, 0.5, 0);
    CHECK(tot.no_exercise_clips == 1 && tot.no_exercise_reps == 1);
    CHECK(tot.true_reps == 3 && tot.found_reps == 4 && tot.matched == 3);
    hd_score_targets tg;
    hd_score_targets_default(&tg);
    /* exact share, no-exercise reps and too_fast precision (1 TP, 1 FP) fail */
    CHECK(hd_score_check(&tot, &tg, NULL) == 3);
    hd_score_destroy(sc);
}

/* ---- traces ------------------------------------------------------------------------- */

static hd_trace_row row(double t, double mm, double conf, int visible)
{
    hd_trace_row r;
    memset(&r, 0, sizeof(r));
    r.t = t;
    r.heel_mm = (float)mm;
    r.heel_px = (float)(mm / 2);
    r.foot_deg = 0;
    r.conf = (float)conf;
    r.off_step = -1;
    r.visible = (int8_t)visible;
    return r;
}

static void test_trace_errors(void)
{
    clipdata t, a;
    hd_trace_row tt[12], ft[12];
    const double err[] = {0.5, -1.0, 3.0, 0.0, -2.0, 1.5, 4.0, -0.5};
    int nt = 0, nf = 0;
    truth3(&t);
    truth3(&a);
    /* 8 visible frames with known errors; |e| sorted: 0 .5 .5 1 1.5 2 3 4 */
    for (int i = 0; i < 8; i++) {
        double ts = i / 30.0;
        tt[nt++] = row(ts, 20.0 - i, 1, 1);
        /* analysis stamps jitter by a third of a frame: still the nearest, within half */
        ft[nf++] = row(ts + (i % 2 ? 0.011 : -0.011), 20.0 - i + err[i], 0.9, -1);
    }
    /* frame 8: visible but lost; frame 9: visible, no analysis frame near it;
     * frame 10: hidden and tracked anyway; frame 11: hidden and lost */
    tt[nt++] = row(8 / 30.0, 12, 1, 1);
    ft[nf++] = row(8 / 30.0, NAN, 0, -1);
    tt[nt++] = row(9 / 30.0, 11, 1, 1);
    tt[nt++] = row(10 / 30.0, 10, 1, 0);
    ft[nf++] = row(10 / 30.0 + 0.001, 9, 0.5, -1);
    tt[nt++] = row(11 / 30.0, 9, 1, 0);
    ft[nf++] = row(11 / 30.0, NAN, 0, -1);

    hd_score *sc;
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "trace", &t.s, &a.s, tt, nt, ft, nf) == HD_OK);
    const hd_score_result *r = hd_score_clip(sc, 0);
    CHECK(r && r->trace_clips == 1);
    if (r) {
        CHECK(r->visible_frames == 10);
        CHECK(r->lost_frames == 2 && r->missing_frames == 1);
        CHECK(r->heel_frames == 8);
        CHECK(r->hidden_frames == 2 && r->hidden_tracked == 1);
        CHECK_NEAR(r->lost_share, 0.2, 1e-12);
        CHECK_NEAR(r->heel_median_mm, 1.25, 1e-5);         /* (1 + 1.5) / 2 */
        CHECK_NEAR(r->heel_p90_mm, 3.0 + 0.3 * 1.0, 1e-5); /* pos 6.3 between 3 and 4 */
    }
    hd_score_destroy(sc);

    /* an analysis trace in the wrong order is sorted, not mispaired */
    hd_trace_row rev[12];
    for (int i = 0; i < nf; i++)
        rev[i] = ft[nf - 1 - i];
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "rev", &t.s, &a.s, tt, nt, rev, nf) == HD_OK);
    r = hd_score_clip(sc, 0);
    CHECK(r && r->heel_frames == 8 && fabs(r->heel_median_mm - 1.25) < 1e-5);
    hd_score_destroy(sc);
}

/* Frames shifted by more than half a frame are not paired: all of them count as lost. */
static void test_trace_pairing_window(void)
{
    clipdata t, a;
    hd_trace_row tt[4], ft[4];
    truth3(&t);
    truth3(&a);
    /* truth frames two frame periods apart, so only the window decides the pairing */
    for (int i = 0; i < 4; i++) {
        tt[i] = row(i / 15.0, 10, 1, 1);
        ft[i] = row(i / 15.0 + 0.5 / 30.0 + 0.002, 10, 1, -1);
    }
    hd_score *sc;
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "far", &t.s, &a.s, tt, 4, ft, 4) == HD_OK);
    const hd_score_result *r = hd_score_clip(sc, 0);
    CHECK(r && r->missing_frames == 4 && r->lost_frames == 4 && r->heel_frames == 0);
    CHECK(r && isnan(r->heel_median_mm));
    CHECK_NEAR(r ? r->lost_share : 0, 1.0, 0);
    hd_score_result tot;
    CHECK(hd_score_total(sc, &tot) == HD_OK);
    hd_score_targets tg;
    hd_score_targets_default(&tg);
    /* heel median undefined with visible frames: fails, as does the lost share */
    CHECK(hd_score_check(&tot, &tg, NULL) == 2);
    hd_score_destroy(sc);

    /* just inside the window: all paired */
    for (int i = 0; i < 4; i++)
        ft[i].t = tt[i].t + 0.5 / 30.0 - 0.002;
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "near", &t.s, &a.s, tt, 4, ft, 4) == HD_OK);
    r = hd_score_clip(sc, 0);
    CHECK(r && r->missing_frames == 0 && r->lost_frames == 0 && r->heel_frames == 4);
    hd_score_destroy(sc);

    /* an empty analysis trace: everything visible is lost */
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "empty", &t.s, &a.s, tt, 4, ft, 0) == HD_OK);
    r = hd_score_clip(sc, 0);
    CHECK(r && r->lost_frames == 4 && r->visible_frames == 4);
    hd_score_destroy(sc);

    /* no visible column: frames with a true height count as visible */
    for (int i = 0; i < 4; i++) {
        tt[i].visible = -1;
        ft[i].t = tt[i].t;
    }
    tt[3].heel_mm = NAN;
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "novis", &t.s, &a.s, tt, 4, ft, 4) == HD_OK);
    r = hd_score_clip(sc, 0);
    CHECK(r && r->visible_frames == 3 && r->hidden_frames == 1 && r->lost_frames == 0);
    hd_score_destroy(sc);
}

/* The aggregate pools frames and reps instead of averaging clip averages. */
static void test_aggregate_pooling(void)
{
    clipdata t1, a1, t2, a2;
    hd_trace_row tt1[1], ft1[1], tt2[3], ft2[3];
    clip_init(&t1);
    clip_init(&a1);
    add_rep(&t1, 5, 3.0, 1, 50, 0);
    add_rep(&a1, 5, 4.0, 1, 50, 0); /* descent error 1.0 over 1 rep */
    clip_init(&t2);
    clip_init(&a2);
    for (int i = 0; i < 3; i++) {
        add_rep(&t2, 5 + 10 * i, 3.0, 1, 50, 0);
        add_rep(&a2, 5 + 10 * i, 3.0, 1, 50, 0); /* error 0 over 3 reps */
    }
    tt1[0] = row(0, 0, 1, 1);
    ft1[0] = row(0, 10, 1, -1);
    for (int i = 0; i < 3; i++) {
        tt2[i] = row(i / 30.0, 0, 1, 1);
        ft2[i] = row(i / 30.0, 1, 1, -1);
    }
    hd_score *sc;
    hd_score_result tot;
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "a", &t1.s, &a1.s, tt1, 1, ft1, 1) == HD_OK);
    CHECK(hd_score_add(sc, "b", &t2.s, &a2.s, tt2, 3, ft2, 3) == HD_OK);
    CHECK(hd_score_total(sc, &tot) == HD_OK);
    CHECK_NEAR(tot.descent_mae_s, 0.25, 1e-12); /* 1.0 / 4 reps, not (1 + 0) / 2 clips */
    CHECK_NEAR(tot.heel_median_mm, 1.0, 1e-6);  /* frames 10, 1, 1, 1 */
    CHECK(tot.trace_clips == 2 && tot.visible_frames == 4);
    CHECK(strcmp(tot.name, "all") == 0);
    hd_score_destroy(sc);
}

static void test_quantile(void)
{
    double v[] = {4, 1, 3, 2};
    CHECK_NEAR(hd_score_quantile(v, 4, 0.5), 2.5, 1e-12);
    CHECK_NEAR(hd_score_quantile(v, 4, 0.9), 3.7, 1e-12);
    CHECK_NEAR(hd_score_quantile(v, 4, 0.0), 1, 0);
    CHECK_NEAR(hd_score_quantile(v, 4, 1.0), 4, 0);
    double one = 7;
    CHECK_NEAR(hd_score_quantile(&one, 1, 0.9), 7, 0);
    CHECK(isnan(hd_score_quantile(NULL, 0, 0.5)));
}

static void test_targets_pass(void)
{
    clipdata t, a;
    hd_trace_row tt[3], ft[3];
    truth3(&t);
    truth3(&a);
    a.reps[0].descent_s += 0.2;
    a.reps[1].depth_mm += 7.0;
    for (int i = 0; i < 3; i++) {
        tt[i] = row(i / 30.0, 10, 1, 1);
        ft[i] = row(i / 30.0, 13, 1, -1);
    }
    hd_score *sc;
    hd_score_result tot;
    hd_score_targets tg;
    hd_score_targets_default(&tg);
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "ok", &t.s, &a.s, tt, 3, ft, 3) == HD_OK);
    CHECK(hd_score_total(sc, &tot) == HD_OK);
    CHECK(hd_score_check(&tot, &tg, NULL) == 0);
    tg.heel_median_max_mm = 2.5;
    CHECK(hd_score_check(&tot, &tg, NULL) == 1);

    /* the JSON: same numbers, nulls for the undefined, targets listed */
    char *text = hd_score_to_json(sc, &tg);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    CHECK(root != NULL);
    if (root) {
        cJSON *agg = cJSON_GetObjectItem(root, "aggregate");
        CHECK_NEAR(cJSON_GetObjectItem(agg, "descent_mae_s")->valuedouble, 0.2 / 3, 1e-3);
        cJSON *bounce = cJSON_GetObjectItem(cJSON_GetObjectItem(agg, "warnings"), "bounce");
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(bounce, "precision")));
        cJSON *trace = cJSON_GetObjectItem(agg, "trace");
        CHECK_NEAR(cJSON_GetObjectItem(trace, "heel_median_mm")->valuedouble, 3.0, 1e-6);
        cJSON *clips = cJSON_GetObjectItem(root, "clips");
        CHECK(cJSON_GetArraySize(clips) == 1);
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(clips, 0), "exact")));
        cJSON *tj = cJSON_GetObjectItem(root, "targets");
        CHECK(cJSON_GetObjectItem(tj, "failed")->valueint == 1);
        CHECK(cJSON_IsFalse(cJSON_GetObjectItem(tj, "pass")));
        cJSON_Delete(root);
    }
    free(text);
    hd_score_destroy(sc);
}

static void test_bad_args(void)
{
    hd_score *sc;
    clipdata t;
    hd_trace_row r = row(0, 0, 1, 1);
    truth3(&t);
    CHECK(hd_score_create(0, &sc) == HD_OK);
    CHECK(hd_score_add(sc, "x", &t.s, NULL, NULL, 0, NULL, 0) == HD_ERR_INVALID);
    CHECK(hd_score_add(sc, "x", &t.s, &t.s, &r, 1, NULL, 0) == HD_ERR_INVALID);
    CHECK(hd_score_count(sc) == 0);
    CHECK(hd_score_clip(sc, 0) == NULL);
    hd_score_destroy(sc);
    hd_score_destroy(NULL);
}

/* ---- the command -------------------------------------------------------------------- */

/* Runs hd_cmd_score with stdout and stderr captured into files; returns the exit code. */
static int run_cmd(const char *const *args, char **out, char **err)
{
    char argbuf[16][512];
    char *argv[17];
    int argc = 0;
    for (; args[argc] && argc < 16; argc++) {
        snprintf(argbuf[argc], sizeof(argbuf[argc]), "%s", args[argc]);
        argv[argc] = argbuf[argc];
    }
    argv[argc] = NULL;
    char po[300], pe[300];
    snprintf(po, sizeof(po), "%s/out.txt", tmpdir);
    snprintf(pe, sizeof(pe), "%s/err.txt", tmpdir);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = hd_cmd_score(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fo);
    close(fe);
    const char *paths[2] = {po, pe};
    char **dst[2] = {out, err};
    for (int k = 0; k < 2; k++) {
        FILE *f = fopen(paths[k], "r");
        char *buf = calloc(1, 65536);
        if (f && buf)
            fread(buf, 1, 65535, f);
        if (f)
            fclose(f);
        *dst[k] = buf;
    }
    return rc;
}

static void check_run(const char *const *args, int expect_rc, const char *in_out,
                      const char *in_err)
{
    char *out = NULL, *err = NULL;
    int rc = run_cmd(args, &out, &err);
    CHECK(rc == expect_rc);
    if (in_out)
        CHECK(out && strstr(out, in_out) != NULL);
    if (in_err)
        CHECK(err && strstr(err, in_err) != NULL);
    if (rc != expect_rc || (in_out && !strstr(out, in_out)) || (in_err && !strstr(err, in_err)))
        fprintf(stderr, "command %s %s: rc %d\nstdout:\n%s\nstderr:\n%s\n", args[1],
                args[2] ? args[2] : "", rc, out, err);
    free(out);
    free(err);
}

static void test_cmd(void)
{
    char td[512], ad[512], tj[600], aj[600], tc[600], ac[600], js[512];
    snprintf(td, sizeof(td), "%s/truth", fixtures);
    snprintf(ad, sizeof(ad), "%s/analysis", fixtures);
    snprintf(tj, sizeof(tj), "%s/walk.truth.json", td);
    snprintf(tc, sizeof(tc), "%s/walk.truth.csv", td);
    snprintf(aj, sizeof(aj), "%s/walk.json", ad);
    snprintf(ac, sizeof(ac), "%s/walk.trace.csv", ad);
    snprintf(js, sizeof(js), "%s/score.json", tmpdir);

    const char *help[] = {"score", "--help", NULL};
    check_run(help, 0, "NAME.truth.json  with  D2/NAME.json", NULL);

    const char *one[] = {"score",         "--truth", tj,        "--analysis", aj,
                         "--truth-trace", tc,        "--trace", ac,           NULL};
    check_run(one, 0, "walk", NULL);

    const char *dirs[] = {"score", "--truth-dir", td, "--analysis-dir", ad, "--json", js, NULL};
    check_run(dirs, 0, "still", NULL);
    char *text = NULL;
    FILE *f = fopen(js, "r");
    if (f) {
        text = calloc(1, 65536);
        if (text)
            fread(text, 1, 65535, f);
        fclose(f);
    }
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    CHECK(root != NULL);
    if (root) {
        cJSON *agg = cJSON_GetObjectItem(root, "aggregate");
        CHECK(cJSON_GetObjectItem(agg, "clips")->valueint == 2);
        CHECK(cJSON_GetObjectItem(agg, "exact_clips")->valueint == 1);
        CHECK(cJSON_GetObjectItem(agg, "true_reps")->valueint == 2);
        CHECK(cJSON_GetObjectItem(agg, "found_reps")->valueint == 3);
        CHECK(cJSON_GetObjectItem(agg, "matched")->valueint == 2);
        CHECK(cJSON_GetObjectItem(agg, "no_exercise_reps")->valueint == 1);
        CHECK(cJSON_GetObjectItem(agg, "leg_mismatch")->valueint == 0);
        CHECK_NEAR(cJSON_GetObjectItem(agg, "t_bottom_mae_s")->valuedouble, 0.35, 1e-9);
        CHECK_NEAR(cJSON_GetObjectItem(agg, "descent_mae_s")->valuedouble, 0.2, 1e-9);
        CHECK_NEAR(cJSON_GetObjectItem(agg, "hold_mae_s")->valuedouble, 0.1, 1e-9);
        CHECK_NEAR(cJSON_GetObjectItem(agg, "below_mae_s")->valuedouble, 0.1, 1e-9);
        CHECK_NEAR(cJSON_GetObjectItem(agg, "depth_mae_mm")->valuedouble, 2.5, 1e-9);
        cJSON *w = cJSON_GetObjectItem(agg, "warnings");
        cJSON *tf = cJSON_GetObjectItem(w, "too_fast"), *nh = cJSON_GetObjectItem(w, "no_hold");
        CHECK(cJSON_GetObjectItem(tf, "tp")->valueint == 1);
        CHECK(cJSON_GetObjectItem(tf, "fp")->valueint == 1);
        CHECK_NEAR(cJSON_GetObjectItem(tf, "precision")->valuedouble, 0.5, 1e-9);
        CHECK(cJSON_GetObjectItem(nh, "fp")->valueint == 1);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(nh, "recall")));
        cJSON *tr = cJSON_GetObjectItem(agg, "trace");
        CHECK(cJSON_GetObjectItem(tr, "clips")->valueint == 1);
        CHECK_NEAR(cJSON_GetObjectItem(tr, "heel_median_mm")->valuedouble, 1.5, 1e-6);
        CHECK_NEAR(cJSON_GetObjectItem(tr, "heel_p90_mm")->valuedouble, 2.7, 1e-6);
        CHECK_NEAR(cJSON_GetObjectItem(tr, "lost_share")->valuedouble, 0.2, 1e-9);
        CHECK(cJSON_GetObjectItem(tr, "hidden_tracked")->valueint == 1);
        cJSON *clips = cJSON_GetObjectItem(root, "clips");
        CHECK(cJSON_GetArraySize(clips) == 2);
        cJSON *still = cJSON_GetArrayItem(clips, 0); /* sorted by name */
        CHECK(strcmp(cJSON_GetObjectItem(still, "name")->valuestring, "still") == 0);
        CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(still, "extra_t_bottom")) == 1);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(still, "trace")));
        CHECK(cJSON_GetObjectItem(root, "targets") == NULL);
        cJSON_Delete(root);
    }
    free(text);

    /* targets: exact share, lost share, no-exercise reps, too_fast and no_hold precision */
    const char *tgt[] = {"score", "--truth-dir", td, "--analysis-dir", ad, "--targets", NULL};
    check_run(tgt, 1, "FAIL  reps found on no-exercise clips", "5 targets failed");

    /* bad usage */
    const char *u1[] = {"score", NULL};
    check_run(u1, 2, NULL, "heeldrop score: nothing to score");
    const char *u2[] = {"score", "--truth", tj, NULL};
    check_run(u2, 2, NULL, "--truth needs its pair");
    const char *u3[] = {"score", "--truth", tj, "--analysis", aj, "--trace", ac, NULL};
    check_run(u3, 2, NULL, "give both traces or neither");
    const char *u4[] = {"score", "--truth", tj, "--analysis", aj, "--truth-dir", td, NULL};
    check_run(u4, 2, NULL, "not both");
    const char *u5[] = {"score", "--bogus", NULL};
    check_run(u5, 2, NULL, "unknown option --bogus");
    const char *u6[] = {"score", "--truth", NULL};
    check_run(u6, 2, NULL, "--truth needs a value");
    const char *u7[] = {"score", "--truth", tj, "--analysis", aj, "--match-tol", "x", NULL};
    check_run(u7, 2, NULL, "--match-tol");

    /* missing files: one clear line, exit 3 */
    char missing[600];
    snprintf(missing, sizeof(missing), "%s/nope.json", tmpdir);
    const char *m1[] = {"score", "--truth", tj, "--analysis", missing, NULL};
    check_run(m1, 3, NULL, "heeldrop score: cannot read");
    const char *m2[] = {"score", "--truth-dir", td, "--analysis-dir", tmpdir, NULL};
    check_run(m2, 3, NULL, "no analysis for clip still");
    const char *m3[] = {"score", "--truth-dir", tmpdir, "--analysis-dir", ad, NULL};
    check_run(m3, 3, NULL, "no clips");
    const char *m4[] = {"score", "--truth-dir", missing, "--analysis-dir", ad, NULL};
    check_run(m4, 3, NULL, "cannot read folder");

    /* an unwritable --json: exit 6 naming the file */
    snprintf(missing, sizeof(missing), "%s/no/dir/score.json", tmpdir);
    const char *w1[] = {"score", "--truth", tj, "--analysis", aj, "--json", missing, NULL};
    check_run(w1, 6, NULL, missing);
}

int main(int argc, char **argv)
{
    fixtures = argc > 1 ? argv[1] : "tests/fixtures/score";
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/hd_test_score.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_perfect);
    RUN(test_missed_rep);
    RUN(test_extra_rep);
    RUN(test_shift_unmatched);
    RUN(test_shift_matched);
    RUN(test_matching_optimal);
    RUN(test_wrong_warning);
    RUN(test_no_exercise);
    RUN(test_trace_errors);
    RUN(test_trace_pairing_window);
    RUN(test_aggregate_pooling);
    RUN(test_quantile);
    RUN(test_targets_pass);
    RUN(test_bad_args);
    RUN(test_cmd);
    char p[400];
    const char *files[] = {"out.txt", "err.txt", "score.json"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/%s", tmpdir, files[i]);
        unlink(p);
    }
    rmdir(tmpdir);
    return TEST_EXIT();
}
