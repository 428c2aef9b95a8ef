/* test_coach.c - the cue scheduler on frame timestamps: which sound and which words at
 * which frame. Pure C: no window, no audio. */
#include <math.h>
#include <string.h>

#include "heeldrop/coach.h"
#include "heeldrop/cues.h"
#include "test.h"

#define FPS 30.0

static hd_coach_cfg cfg;

static hd_coach *make(void)
{
    hd_coach *c = NULL;
    CHECK(hd_coach_create(&cfg, &c) == HD_OK);
    return c;
}

static hd_reps_state state(hd_phase ph, double t, double phase_start)
{
    hd_reps_state st;
    memset(&st, 0, sizeof(st));
    st.phase = ph;
    st.t = t;
    st.phase_start_t = phase_start;
    st.rest_since_t = -1;
    return st;
}

static hd_reps_events one(hd_event_kind k, double t)
{
    hd_reps_events ev;
    memset(&ev, 0, sizeof(ev));
    ev.count = 1;
    ev.ev[0].kind = k;
    ev.ev[0].t = t;
    return ev;
}

static hd_rep rep(int index, unsigned warnings)
{
    hd_rep r;
    memset(&r, 0, sizeof(r));
    r.index = index;
    r.foot = 2;
    r.descent_s = 3.4;
    r.hold_s = 1.1;
    r.depth_mm = 42;
    r.set = 1;
    r.warnings = warnings;
    return r;
}

/* The drop starts at t = 1.0 but the engine reports it at frame 39 (t = 1.3): the first
 * tick comes at the first frame at or after t = 2.0 (frame 60), then 90 and 120; none at
 * the reporting frame. The hold stops them. */
static void test_ticks_on_whole_seconds(void)
{
    hd_coach *c = make();
    hd_coach_out out;
    int ticks[16], nt = 0;
    for (int f = 0; f <= 150; f++) {
        double t = f / FPS;
        hd_reps_state st = state(f < 39 ? HD_PHASE_TOP : HD_PHASE_DESCENT, t, f < 39 ? 0 : 1.0);
        hd_reps_events ev = one(HD_EV_DESCENT_START, 1.0);
        hd_reps_events bot = one(HD_EV_BOTTOM, 4.6);
        hd_coach_update(c, t, &st, f == 39 ? &ev : f == 140 ? &bot : NULL, &out);
        if (out.sounds & HD_SOUND_TICK && nt < 16)
            ticks[nt++] = f;
        if (f == 39) {
            CHECK(out.mode == HD_COACH_DESCENT);
            CHECK_NEAR(out.elapsed_s, 0.3, 1e-9);
            CHECK(out.sounds == 0);
        }
        if (f == 140)
            CHECK(out.mode == HD_COACH_HOLD);
    }
    CHECK(nt == 3);
    CHECK(nt > 0 && ticks[0] == 60);
    CHECK(nt > 1 && ticks[1] == 90);
    CHECK(nt > 2 && ticks[2] == 120);
    CHECK_NEAR(out.elapsed_s, 150 / FPS - 4.6, 1e-9); /* the hold timer */
    hd_coach_destroy(c);
}

/* The below-step tone once per descent, however often the event comes. */
static void test_below_once(void)
{
    hd_coach *c = make();
    hd_coach_out out;
    hd_reps_state st = state(HD_PHASE_DESCENT, 0, 0);
    hd_reps_events ds = one(HD_EV_DESCENT_START, 0.0), b = one(HD_EV_BELOW_STEP, 1.5);
    hd_coach_update(c, 0.1, &st, &ds, &out);
    int n = 0;
    for (int f = 0; f < 30; f++) {
        double t = 1.6 + f / FPS;
        hd_coach_update(c, t, &st, f < 3 ? &b : NULL, &out);
        if (out.sounds & HD_SOUND_BELOW) {
            CHECK(f == 0);
            n++;
        }
    }
    CHECK(n == 1);
    /* A new descent may sound it again. */
    ds.ev[0].t = 10.0;
    hd_coach_update(c, 10.2, &st, &ds, &out);
    hd_coach_update(c, 10.3, &st, &b, &out);
    CHECK(out.sounds & HD_SOUND_BELOW);
    hd_coach_destroy(c);
}

/* A good rep: the chime at the provisional event's frame, the verdict in green for
 * verdict_s, the final event later neither chimes again nor restarts the verdict. */
static void test_good_rep_verdict(void)
{
    hd_coach *c = make();
    hd_coach_out out;
    hd_reps_state st = state(HD_PHASE_TOP, 0, 0);
    hd_reps_events p = one(HD_EV_REP_PROVISIONAL, 7.0);
    p.ev[0].rep = rep(1, 0);
    hd_reps_events fin = one(HD_EV_REP, 7.3);
    fin.ev[0].rep = rep(1, 0);
    int chimes = 0, last_shown = -1;
    for (int f = 0; f < 400; f++) {
        double t = 7.2 + f / FPS;
        hd_coach_update(c, t, &st, f == 0 ? &p : f == 30 ? &fin : NULL, &out);
        if (out.sounds & HD_SOUND_GOOD)
            chimes++;
        CHECK(!(out.sounds & HD_SOUND_WARN));
        if (out.cue == HD_CUE_GOOD)
            last_shown = f;
        if (f == 0) {
            char want[HD_COACH_TEXT];
            hd_cue_verdict(&p.ev[0].rep, &cfg.reps, want, sizeof(want));
            CHECK(out.cue_lines == 1);
            CHECK(strcmp(out.cue_text[0], want) == 0);
            CHECK(out.mode == HD_COACH_TOP);
        }
    }
    CHECK(chimes == 1);
    /* Shown from frame 0 (t 7.2) while now - 7.2 < 4.0: frames 0..119. */
    CHECK(last_shown == 119 || last_shown == 120); /* 4.0 s in floating point */
    hd_coach_destroy(c);
}

/* A rep with warnings: the low tone, one line per warning in plain words from cues.h. */
static void test_warn_rep(void)
{
    hd_coach *c = make();
    hd_coach_out out;
    hd_reps_state st = state(HD_PHASE_TOP, 0, 0);
    hd_reps_events p = one(HD_EV_REP_PROVISIONAL, 5.0);
    p.ev[0].rep = rep(3, HD_WARN_TOO_FAST | HD_WARN_BOUNCE);
    hd_coach_update(c, 5.0, &st, &p, &out);
    CHECK(out.sounds == HD_SOUND_WARN);
    CHECK(out.cue == HD_CUE_WARN);
    CHECK(out.cue_lines == 2);
    char want[HD_COACH_TEXT];
    CHECK(strcmp(out.cue_text[0], hd_cue_warning(0, &cfg.reps, want, sizeof(want))) == 0);
    CHECK(strcmp(out.cue_text[1], hd_cue_warning(3, &cfg.reps, want, sizeof(want))) == 0);
    /* The numbers follow the configuration. */
    CHECK(strstr(out.cue_text[0], "3-6") != NULL);

    /* The final rep gained "partial": words updated, no second sound, same display time. */
    hd_reps_events fin = one(HD_EV_REP, 6.0);
    fin.ev[0].rep = rep(3, HD_WARN_TOO_FAST | HD_WARN_BOUNCE | HD_WARN_PARTIAL);
    hd_coach_update(c, 6.0, &st, &fin, &out);
    CHECK(out.sounds == 0);
    CHECK(out.cue_lines == 3);
    CHECK_NEAR(out.cue_age_s, 1.0, 1e-9);
    hd_coach_destroy(c);

    /* Changed thresholds change the words. */
    hd_coach_cfg c2 = cfg;
    c2.reps.target_lo_s = 4;
    c2.reps.target_hi_s = 7;
    hd_coach *d = NULL;
    CHECK(hd_coach_create(&c2, &d) == HD_OK);
    hd_coach_update(d, 5.0, &st, &p, &out);
    CHECK(strstr(out.cue_text[0], "4-7") != NULL);
    hd_coach_destroy(d);
}

/* End of a set: the rest timer counts from the last rep's t_top. */
static void test_rest(void)
{
    hd_coach *c = make();
    hd_coach_out out;
    hd_reps_state st = state(HD_PHASE_TOP, 20.0, 12.0);
    st.rest_since_t = 12.0;
    hd_reps_events se = one(HD_EV_SET_END, 20.0);
    hd_coach_update(c, 20.0, &st, &se, &out);
    CHECK(out.mode == HD_COACH_REST);
    CHECK_NEAR(out.elapsed_s, 8.0, 1e-9);
    hd_coach_update(c, 95.0, &st, NULL, &out);
    CHECK(out.mode == HD_COACH_REST);
    CHECK_NEAR(out.elapsed_s, 83.0, 1e-9);
    /* The next drop ends the rest. */
    hd_reps_events ds = one(HD_EV_DESCENT_START, 95.0);
    hd_coach_update(c, 95.2, &st, &ds, &out);
    CHECK(out.mode == HD_COACH_DESCENT);
    hd_coach_destroy(c);
}

/* A drop that comes to nothing (stepping down): the engine's phase turns to rest, the
 * ticks stop, nothing sounds. */
static void test_abandoned_drop(void)
{
    hd_coach *c = make();
    hd_coach_out out;
    hd_reps_state st = state(HD_PHASE_DESCENT, 0, 0.0);
    hd_reps_events ds = one(HD_EV_DESCENT_START, 0.0);
    hd_coach_update(c, 0.2, &st, &ds, &out);
    hd_coach_update(c, 1.0, &st, NULL, &out);
    CHECK(out.sounds == HD_SOUND_TICK);
    st = state(HD_PHASE_REST, 1.5, 1.4);
    hd_coach_update(c, 1.5, &st, NULL, &out);
    CHECK(out.mode == HD_COACH_IDLE);
    for (int f = 0; f < 90; f++) {
        hd_coach_update(c, 1.5 + f / FPS, &st, NULL, &out);
        CHECK(out.sounds == 0);
    }
    hd_coach_destroy(c);
}

/* No more than max_ticks in one descent; a jump over several seconds ticks once. */
static void test_tick_limits(void)
{
    cfg.max_ticks = 2;
    hd_coach *c = make();
    hd_coach_out out;
    hd_reps_state st = state(HD_PHASE_DESCENT, 0, 0);
    hd_reps_events ds = one(HD_EV_DESCENT_START, 0.0);
    hd_coach_update(c, 0.0, &st, &ds, &out);
    int n = 0;
    for (int f = 1; f < 300; f++) {
        hd_coach_update(c, f / FPS, &st, NULL, &out);
        n += (out.sounds & HD_SOUND_TICK) != 0;
    }
    CHECK(n == 2);
    hd_coach_destroy(c);
    cfg.max_ticks = 10;

    c = make();
    hd_coach_update(c, 0.0, &st, &ds, &out);
    hd_coach_update(c, 3.5, &st, NULL, &out); /* a paused loop catching up */
    CHECK(out.sounds == HD_SOUND_TICK && out.ticks == 3);
    hd_coach_update(c, 3.9, &st, NULL, &out);
    CHECK(out.sounds == 0);
    /* Time going backwards is treated as the same moment. */
    hd_coach_update(c, 2.0, &st, NULL, &out);
    CHECK(out.sounds == 0 && out.t == 3.9);
    hd_coach_destroy(c);
}

/* The whole chain: a heel trace through the real rep engine at 30 fps, then the coach.
 * One drop over 3.5 s to 40 mm below the step, a 1.2 s hold, back up. */
static double heel_at(double t)
{
    if (t < 3.0)
        return 60.0;
    if (t < 6.5)
        return 60.0 - 100.0 * (t - 3.0) / 3.5;
    if (t < 7.7)
        return -40.0;
    if (t < 8.5)
        return -40.0 + 100.0 * (t - 7.7) / 0.8;
    if (t < 14.0)
        return 60.0;
    return 55.0; /* leaves that top a little: the rep becomes final */
}

static void test_with_rep_engine(void)
{
    hd_reps *r = NULL;
    CHECK(hd_reps_create(&cfg.reps, &r) == HD_OK);
    hd_coach *c = make();
    hd_coach_out out;
    double tds = -1, tick_t[16];
    int first_k = 0;
    int nticks = 0, below = 0, good = 0, warn = 0;
    for (int f = 0; f < 30 * 25; f++) {
        double t = f / FPS;
        hd_reps_sample s = {(int64_t)llround(t * 1e6), heel_at(t), 1.0, 1, 2};
        hd_reps_events ev;
        CHECK(hd_reps_update(r, &s, &ev) == HD_OK);
        for (int i = 0; i < ev.count; i++)
            if (ev.ev[i].kind == HD_EV_DESCENT_START && tds < 0) {
                tds = ev.ev[i].t;
                first_k = (int)floor(t - tds) + 1; /* the first whole second still ahead */
            }
        const hd_reps_state *st = hd_reps_state_get(r);
        hd_coach_update(c, st->t, st, &ev, &out);
        if (out.sounds & HD_SOUND_TICK && nticks < 16)
            tick_t[nticks++] = t;
        below += (out.sounds & HD_SOUND_BELOW) != 0;
        good += (out.sounds & HD_SOUND_GOOD) != 0;
        warn += (out.sounds & HD_SOUND_WARN) != 0;
    }
    CHECK(tds > 2.5 && tds < 3.3);
    CHECK(below == 1);
    CHECK(good == 1);
    CHECK(warn == 0);
    /* The engine is sure of the drop only when the heel is 3 mm under top_mm, 1.5 s
     * into this one: from then on, ticks on whole seconds of the descent (at the first
     * frame past each) until the engine sees the bottom, here seconds 2 and 3. */
    CHECK(first_k == 2);
    CHECK(nticks == 2);
    for (int i = 0; i < nticks; i++) {
        double since = tick_t[i] - tds;
        CHECK(since >= first_k + i - 1e-6 && since < first_k + i + 1.0 / FPS + 1e-6);
    }
    CHECK(out.mode == HD_COACH_TOP);
    hd_coach_destroy(c);
    hd_reps_destroy(r);
}

static void test_bad_cfg(void)
{
    hd_coach *c = (hd_coach *)&cfg;
    hd_coach_cfg bad = cfg;
    bad.verdict_s = 0;
    CHECK(hd_coach_create(&bad, &c) == HD_ERR_INVALID && c == NULL);
    CHECK(hd_coach_create(NULL, &c) == HD_ERR_INVALID);
    hd_coach_destroy(NULL);
    CHECK(strcmp(hd_sound_name(0), "tick") == 0 && strcmp(hd_sound_name(3), "warn") == 0);
    CHECK(strcmp(hd_sound_name(9), "?") == 0);
}

int main(void)
{
    hd_coach_cfg_default(&cfg);
    RUN(test_ticks_on_whole_seconds);
    RUN(test_below_once);
    RUN(test_good_rep_verdict);
    RUN(test_warn_rep);
    RUN(test_rest);
    RUN(test_abandoned_drop);
    RUN(test_tick_limits);
    RUN(test_with_rep_engine);
    RUN(test_bad_cfg);
    return TEST_EXIT();
}
