/* test_reps.c - the rep engine on synthetic heel traces with known timing.
 *
 * A trace is a piecewise curve of cosine moves and holds (C1: no corners), sampled at a
 * fixed or variable frame rate, with or without Gaussian noise (fixed seed). The expected
 * timings come from an oracle that applies PROTOCOL.md section 3 literally to the exact
 * curve on a 0.5 ms grid (exact height and speed, no smoothing); the oracle itself is
 * checked against closed-form values for the basic rep.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heeldrop/reps.h"
#include "reps/reps_internal.h"
#include "test.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- traces ---- */

#define MAXSEG 1024
#define MAXSPAN 64

typedef struct seg {
    double t0, t1, y0, y1;
} seg;

typedef struct span {
    double a, b;
    int val;
} span;

typedef struct trace {
    seg s[MAXSEG];
    int ns;
    double t, y;        /* end of the curve so far */
    span lost[MAXSPAN]; /* conf 0 within [a, b) */
    int nlost;
    span off[MAXSPAN]; /* off_step = val within [a, b) */
    int noff;
    int off_default;
    int foot;
    span spike[MAXSPAN]; /* a one-frame outlier of val mm at the first frame >= a */
    int nspike;
} trace;

static trace *tr_new(double y0)
{
    trace *tr = calloc(1, sizeof(*tr));
    tr->y = y0;
    tr->off_default = 1;
    tr->foot = 2;
    return tr;
}

/* A cosine move to `to` over dur seconds (a hold when to is the current height). */
static void tr_move(trace *tr, double dur, double to)
{
    if (tr->ns == MAXSEG) {
        fprintf(stderr, "trace too long\n");
        abort();
    }
    tr->s[tr->ns++] = (seg){tr->t, tr->t + dur, tr->y, to};
    tr->t += dur;
    tr->y = to;
}

static void tr_hold(trace *tr, double dur)
{
    tr_move(tr, dur, tr->y);
}

static void tr_lost(trace *tr, double a, double b)
{
    tr->lost[tr->nlost++] = (span){a, b, 0};
}

static void tr_off(trace *tr, double a, double b, int val)
{
    tr->off[tr->noff++] = (span){a, b, val};
}

static const seg *tr_seg(const trace *tr, double t)
{
    int lo = 0, hi = tr->ns - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (tr->s[mid].t0 <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return &tr->s[lo];
}

static double tr_y(const trace *tr, double t)
{
    const seg *s = tr_seg(tr, t);
    if (t >= s->t1)
        return s->y1;
    if (t <= s->t0)
        return s->y0;
    double u = (t - s->t0) / (s->t1 - s->t0);
    return s->y0 + (s->y1 - s->y0) * (1.0 - cos(M_PI * u)) / 2.0;
}

static double tr_v(const trace *tr, double t)
{
    const seg *s = tr_seg(tr, t);
    if (t >= s->t1 || t <= s->t0)
        return 0.0;
    double d = s->t1 - s->t0, u = (t - s->t0) / d;
    return (s->y1 - s->y0) * M_PI / (2.0 * d) * sin(M_PI * u);
}

static int in_spans(const span *sp, int n, double t, int *val)
{
    for (int i = 0; i < n; i++) {
        if (t >= sp[i].a && t < sp[i].b) {
            if (val)
                *val = sp[i].val;
            return 1;
        }
    }
    return 0;
}

/* The usual start: rest at step level, rise on two feet to a top, stay there. */
static void tr_start(trace *tr, double rest, double top, double stay)
{
    tr_hold(tr, rest);
    tr_move(tr, 1.0, top);
    tr_hold(tr, stay);
}

/* One rep from the current top: descent, hold, rise to the next top, stay there. */
static void tr_rep(trace *tr, double descent, double low, double hold, double rise, double top,
                   double stay)
{
    tr_move(tr, descent, low);
    if (hold > 0)
        tr_hold(tr, hold);
    tr_move(tr, rise, top);
    tr_hold(tr, stay);
}

/* ---- the oracle: PROTOCOL section 3 on the exact curve ---- */

#define GRID 0.0005

typedef struct ref {
    double tds, tb, the, ttop;
    double descent, hold, rise, below, depth, top;
} ref;

static int oracle(const trace *tr, const hd_reps_cfg *c, ref *out, int max)
{
    int n = (int)(tr->t / GRID) + 1, nrep = 0;
    double *y = malloc((size_t)n * sizeof(double));
    int *slow = malloc((size_t)(n + 1) * sizeof(int)); /* slow samples from k on */
    for (int k = 0; k < n; k++)
        y[k] = tr_y(tr, k * GRID);
    slow[n] = 0;
    for (int k = n - 1; k >= 0; k--)
        slow[k] = fabs(tr_v(tr, k * GRID)) < c->still_mm_s ? slow[k + 1] + 1 : 0;

    /* runs above top_mm */
    int a0 = -1, a1 = -1, k = 0;
    while (k < n && nrep < max) {
        while (k < n && y[k] < c->top_mm)
            k++;
        if (k >= n)
            break;
        int r0 = k;
        while (k < n && y[k] >= c->top_mm)
            k++;
        int r1 = k - 1;
        if (a0 >= 0) {
            int li = a1 + 1;
            for (int j = a1 + 1; j < r0; j++)
                if (y[j] < y[li])
                    li = j;
            if (y[li] < c->top_mm - 3.0) {
                double h = -1e9, hc = -1e9;
                for (int j = a0; j <= a1; j++)
                    h = y[j] > h ? y[j] : h;
                for (int j = r0; j <= r1; j++)
                    hc = y[j] > hc ? y[j] : hc;
                int kds = li;
                while (kds > 0 && y[kds] < h - c->near_mm)
                    kds--;
                int kb = -1, need = (int)(c->still_s / GRID);
                for (int j = kds; j < r0 && kb < 0; j++)
                    if (y[j] <= y[li] + c->near_mm && slow[j] >= need)
                        kb = j;
                if (kb < 0)
                    kb = li;
                double yb = y[kb];
                int e = r0;
                while (e < n && fabs(y[e] - yb) <= c->near_mm)
                    e++;
                int khe = e - 1;
                while (khe > kb && fabs(y[khe] - yb) > c->near_mm)
                    khe--;
                int kt = khe;
                while (kt < n - 1 && y[kt] < hc - c->near_mm)
                    kt++;
                int below = 0;
                for (int j = kds; j <= kt; j++)
                    below += y[j] < 0;
                ref *rf = &out[nrep++];
                rf->tds = kds * GRID;
                rf->tb = kb * GRID;
                rf->the = khe * GRID;
                rf->ttop = kt * GRID;
                rf->descent = rf->tb - rf->tds;
                rf->hold = rf->the - rf->tb;
                rf->rise = rf->ttop - rf->the;
                rf->below = below * GRID;
                rf->depth = -y[li];
                rf->top = h;
            }
        }
        a0 = r0;
        a1 = r1;
    }
    free(y);
    free(slow);
    return nrep;
}

/* ---- running the engine over a sampled trace ---- */

#define MAXREPS 256
#define MAXEV 2048
#define MAXPH 512

typedef struct run {
    hd_rep reps[MAXREPS];
    int n;
    hd_event ev[MAXEV];
    int nev;
    hd_phase ph[MAXPH]; /* state phases, consecutive repeats removed */
    double ph_t[MAXPH];
    int nph;
    size_t max_held;
    int nsamples;
    hd_reps_state end;   /* the state after finish */
    double max_heel_err; /* live heel_mm against the curve, while not lost */
} run;

static uint64_t rng_state;

static double rng_u(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_gauss(void)
{
    double u1 = rng_u(), u2 = rng_u();
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

typedef struct feed_opts {
    double fps;   /* 0: variable frame rate (gaps of 1/60 .. 1/15 s) */
    double noise; /* Gaussian sigma, mm */
    uint64_t seed;
    double lost_frac; /* share of frames randomly lost (walking past) */
} feed_opts;

static void collect(run *out, const hd_reps_events *ev)
{
    for (int i = 0; i < ev->count && out->nev < MAXEV; i++)
        out->ev[out->nev++] = ev->ev[i];
}

static void feed(const trace *tr, const hd_reps_cfg *cfg, feed_opts o, run *out)
{
    memset(out, 0, sizeof(*out));
    hd_reps *r = NULL;
    CHECK(hd_reps_create(cfg, &r) == HD_OK);
    if (!r)
        return;
    rng_state = o.seed ? o.seed : 0x9e3779b97f4a7c15ull;
    hd_reps_events ev;
    const int64_t base_us = 5000000; /* t = 0 is the first sample, not pts 0 */
    double t = 0.0;
    int spiked[MAXSPAN] = {0};
    while (t <= tr->t) {
        hd_reps_sample s;
        s.pts_us = base_us + (int64_t)llround(t * 1e6);
        s.heel_mm = tr_y(tr, t) + (o.noise > 0 ? o.noise * rng_gauss() : 0.0);
        for (int i = 0; i < tr->nspike; i++) {
            if (!spiked[i] && t >= tr->spike[i].a) {
                spiked[i] = 1;
                s.heel_mm += tr->spike[i].val;
            }
        }
        s.conf = in_spans(tr->lost, tr->nlost, t, NULL) ? 0.0 : 0.9;
        if (o.lost_frac > 0 && rng_u() < o.lost_frac)
            s.conf = 0.0;
        if (s.conf == 0.0)
            s.heel_mm = NAN;
        s.off_step = tr->off_default;
        in_spans(tr->off, tr->noff, t, &s.off_step);
        s.foot = tr->foot;
        CHECK(hd_reps_update(r, &s, &ev) == HD_OK);
        collect(out, &ev);
        const hd_reps_state *st = hd_reps_state_get(r);
        CHECK(st->phase == hd_reps_phase(r));
        CHECK((s.conf == 0.0) == (st->phase == HD_PHASE_LOST));
        CHECK((s.conf == 0.0) == isnan(st->heel_mm));
        if (s.conf > 0.0 && fabs(st->heel_mm - tr_y(tr, t)) > out->max_heel_err)
            out->max_heel_err = fabs(st->heel_mm - tr_y(tr, t));
        if (out->nph == 0 || out->ph[out->nph - 1] != st->phase) {
            if (out->nph < MAXPH) {
                out->ph_t[out->nph] = st->t;
                out->ph[out->nph++] = st->phase;
            }
        }
        size_t held = hd_reps_held_samples(r);
        if (held > out->max_held)
            out->max_held = held;
        out->nsamples++;
        t += o.fps > 0 ? 1.0 / o.fps : 1.0 / 60 + rng_u() * (1.0 / 15 - 1.0 / 60);
    }
    hd_status st;
    do {
        st = hd_reps_finish(r, &ev);
        collect(out, &ev);
    } while (st == HD_AGAIN);
    CHECK(st == HD_OK);
    out->end = *hd_reps_state_get(r);
    int n = 0;
    const hd_rep *list = hd_reps_list(r, &n);
    CHECK(n <= MAXREPS);
    for (int i = 0; i < n && i < MAXREPS; i++)
        out->reps[i] = list[i];
    out->n = n;
    hd_reps_destroy(r);
}

static int count_ev(const run *ru, hd_event_kind kind)
{
    int n = 0;
    for (int i = 0; i < ru->nev; i++)
        n += ru->ev[i].kind == kind;
    return n;
}

/* t_bottom errors over a whole test, for a mean as well as a bound per rep. */
static double tb_err_sum;
static int tb_err_n;

/* Timings of every rep against the oracle, within tol seconds; t_bottom within tb_tol. */
static void check_against_oracle2(const trace *tr, const hd_reps_cfg *cfg, const run *ru,
                                  double tol, double tb_tol, double mm_tol)
{
    ref rf[MAXREPS];
    int n = oracle(tr, cfg, rf, MAXREPS);
    CHECK(ru->n == n);
    for (int i = 0; i < n && i < ru->n; i++) {
        const hd_rep *p = &ru->reps[i];
        CHECK(p->index == i + 1);
        CHECK_NEAR(p->t_descent_start, rf[i].tds, tol);
        CHECK_NEAR(p->t_bottom, rf[i].tb, tb_tol);
        CHECK_NEAR(p->t_hold_end, rf[i].the, tol);
        CHECK_NEAR(p->t_top, rf[i].ttop, tol);
        CHECK_NEAR(p->descent_s, rf[i].descent, tol + tb_tol);
        CHECK_NEAR(p->hold_s, rf[i].hold, tol + tb_tol);
        tb_err_sum += fabs(p->t_bottom - rf[i].tb);
        tb_err_n++;
        CHECK_NEAR(p->rise_s, rf[i].rise, 1.5 * tol);
        CHECK_NEAR(p->below_s, rf[i].below, 1.5 * tol);
        CHECK_NEAR(p->depth_mm, rf[i].depth, mm_tol);
        CHECK_NEAR(p->top_mm, rf[i].top, mm_tol);
    }
}

static void check_against_oracle(const trace *tr, const hd_reps_cfg *cfg, const run *ru, double tol,
                                 double mm_tol)
{
    check_against_oracle2(tr, cfg, ru, tol, tol, mm_tol);
}

static void cfg_std(hd_reps_cfg *c)
{
    hd_reps_cfg_default(c);
}

/* Rest 2 s, top 2 s, then n reps of a 4 s descent to -50 mm, 1 s hold, 1.5 s rise to 60
 * mm and 2 s at the top; then down to step level and rest. */
static trace *tr_standard(int n)
{
    trace *tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0);
    for (int i = 0; i < n; i++)
        tr_rep(tr, 4.0, -50.0, 1.0, 1.5, 60.0, 2.0);
    tr_move(tr, 1.0, 0.0);
    tr_hold(tr, 2.0);
    return tr;
}

/* ---- tests ---- */

static void test_names(void)
{
    const char *names[] = {"too_fast",  "no_hold", "long_hold", "bounce",
                           "bilateral", "partial", "uncertain"};
    for (int i = 0; i < HD_WARN_COUNT; i++) {
        CHECK(strcmp(hd_warn_name(i), names[i]) == 0);
        CHECK(hd_warn_index(names[i]) == i);
    }
    CHECK(hd_warn_index("nope") == -1);
    CHECK(hd_warn_index(NULL) == -1);
    CHECK(HD_WARN_UNCERTAIN == 1 << hd_warn_index("uncertain"));
    CHECK(strcmp(hd_phase_name(HD_PHASE_REST), "rest") == 0);
    CHECK(strcmp(hd_phase_name(HD_PHASE_TOP), "top") == 0);
    CHECK(strcmp(hd_phase_name(HD_PHASE_DESCENT), "descent") == 0);
    CHECK(strcmp(hd_phase_name(HD_PHASE_HOLD), "hold") == 0);
    CHECK(strcmp(hd_phase_name(HD_PHASE_RISE), "rise") == 0);
    CHECK(strcmp(hd_phase_name(HD_PHASE_LOST), "lost") == 0);

    hd_reps_cfg c;
    hd_reps_cfg_default(&c);
    CHECK(c.top_mm == 20 && c.near_mm == 5 && c.still_mm_s == 10 && c.still_s == 0.2);
    CHECK(c.set_gap_s == 8.0 && c.too_fast_s == 2.0 && c.min_hold_s == 0.3);
    CHECK(c.long_hold_s == 3.0 && c.bounce_mm == 8 && c.bounce_s == 0.5);
    CHECK(c.partial_frac == 0.8 && c.uncertain_s == 0.3 && c.insertional == 0);
    CHECK(c.target_lo_s == 3.0 && c.target_hi_s == 6.0);
    CHECK(c.smooth_s > 0.1 && c.smooth_s < 0.5);
}

static void test_api_errors(void)
{
    hd_reps_cfg c;
    hd_reps *r = (hd_reps *)&c;
    CHECK(hd_reps_create(NULL, &r) == HD_ERR_INVALID && r == NULL);
    hd_reps_cfg_default(&c);
    c.smooth_s = 0;
    CHECK(hd_reps_create(&c, &r) == HD_ERR_INVALID && r == NULL);
    hd_reps_cfg_default(&c);
    CHECK(hd_reps_create(&c, &r) == HD_OK && r != NULL);
    hd_reps_sample s = {1000, 0.0, 1.0, 1, 2};
    hd_reps_events ev;
    CHECK(hd_reps_update(r, &s, &ev) == HD_OK && ev.count == 0);
    CHECK(hd_reps_update(r, &s, &ev) == HD_ERR_INVALID); /* same pts again */
    s.pts_us = 500;
    CHECK(hd_reps_update(r, &s, NULL) == HD_ERR_INVALID);
    CHECK(hd_reps_update(r, NULL, &ev) == HD_ERR_INVALID);
    CHECK(hd_reps_finish(r, &ev) == HD_OK && ev.count == 0);
    CHECK(hd_reps_finish(r, &ev) == HD_OK && ev.count == 0); /* again: nothing more */
    s.pts_us = 2000;
    CHECK(hd_reps_update(r, &s, &ev) == HD_ERR_INVALID); /* after finish */
    int n = -1;
    CHECK(hd_reps_list(r, &n) != NULL || n == 0);
    CHECK(n == 0);
    hd_reps_destroy(r);
    hd_reps_destroy(NULL);

    /* hd_reps_set_t0: times count from the given timestamp. */
    CHECK(hd_reps_create(&c, &r) == HD_OK);
    hd_reps_set_t0(r, 0);
    s.pts_us = 3000000;
    s.conf = 1.0;
    CHECK(hd_reps_update(r, &s, &ev) == HD_OK);
    CHECK_NEAR(hd_reps_state_get(r)->t, 3.0, 1e-9);
    hd_reps_destroy(r);
}

/* The oracle against closed-form values for the standard rep (so the reference used by
 * every other test is itself right). */
static void test_oracle_closed_form(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    trace *tr = tr_standard(1);
    ref rf[4];
    CHECK(oracle(tr, &c, rf, 4) == 1);
    double a = 110.0, td = 4.0, d0 = 5.0; /* amplitude, descent time, descent begins */
    double tds = d0 + td / M_PI * acos(1.0 - 10.0 / a);
    double ub = asin(20.0 * td / (a * M_PI)); /* |v| = 10 mm/s, on the way to the bottom */
    double tb = d0 + td - td / M_PI * ub;
    double yb = -50.0 + a / 2.0 * (1.0 - cos(ub));
    double r0 = d0 + td + 1.0; /* rise begins */
    double the = r0 + 1.5 / M_PI * acos(1.0 - 2.0 * (yb + 5.0 + 50.0) / a);
    double ttop = r0 + 1.5 / M_PI * acos(1.0 - 2.0 * 105.0 / a);
    double below = (d0 + td / 2.0 + td / M_PI * asin(10.0 / 55.0)) - d0; /* rough start */
    (void)below;
    CHECK_NEAR(rf[0].tds, tds, 0.001);
    CHECK_NEAR(rf[0].tb, tb, 0.001);
    CHECK_NEAR(rf[0].the, the, 0.001);
    CHECK_NEAR(rf[0].ttop, ttop, 0.001);
    CHECK_NEAR(rf[0].depth, 50.0, 1e-6);
    CHECK_NEAR(rf[0].top, 60.0, 1e-6);
    /* below step: from y = 0 in the descent to y = 0 in the rise */
    double t_in = d0 + td / M_PI * acos(1.0 - 2.0 * 60.0 / a);
    double t_out = r0 + 1.5 / M_PI * acos(1.0 - 2.0 * 50.0 / a);
    CHECK_NEAR(rf[0].below, t_out - t_in, 0.002);
    free(tr);
}

static void test_basic_rates(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    trace *tr = tr_standard(3);
    const double rates[] = {30.0, 15.0, 60.0, 0.0};
    for (int i = 0; i < 4; i++) {
        run *ru = malloc(sizeof(run));
        feed(tr, &c, (feed_opts){rates[i], 0.0, 1, 0}, ru);
        /* two frames of the rate (VFR: gaps up to 1/15 s) */
        double tol = rates[i] > 0 ? 2.0 / rates[i] : 0.1;
        if (tol < 0.05)
            tol = 0.05;
        CHECK(ru->n == 3);
        check_against_oracle(tr, &c, ru, tol, 1.0);
        for (int k = 0; k < ru->n; k++) {
            CHECK(ru->reps[k].warnings == 0);
            CHECK(ru->reps[k].set == 1);
            CHECK(ru->reps[k].foot == 2);
            CHECK(ru->reps[k].lost_s == 0.0);
        }
        if (ru->n != 3 || ru->reps[0].warnings)
            fprintf(stderr, "  (rate %g: %d reps, warnings %x)\n", rates[i], ru->n,
                    ru->n ? ru->reps[0].warnings : 0);
        CHECK(count_ev(ru, HD_EV_REP) == 3);
        CHECK(count_ev(ru, HD_EV_REP_PROVISIONAL) == 3);
        CHECK(count_ev(ru, HD_EV_SET_END) == 1);
        /* the state at the end */
        const hd_reps_state *e = &ru->end;
        CHECK(e->reps == 3 && e->reps_by_foot[2] == 3 && e->reps_by_foot[1] == 0);
        CHECK(e->set == 1 && e->reps_in_set == 3 && e->has_last);
        CHECK(e->last_rep.index == 3);
        if (ru->n == 3) {
            CHECK(e->rest_since_t == ru->reps[2].t_top);
            CHECK(memcmp(&e->last_rep, &ru->reps[2], sizeof(hd_rep)) == 0);
        }
        CHECK(ru->max_heel_err < 3.0); /* the live height follows the heel */
        /* one per rep (the final lowering to step level may add one: it is live) */
        int nb = 0;
        for (int k = 0; k < ru->nev; k++)
            nb +=
                ru->ev[k].kind == HD_EV_BELOW_STEP && ru->n == 3 && ru->ev[k].t < ru->reps[2].t_top;
        CHECK(nb == 3);
        free(ru);
    }
    free(tr);
}

/* With 1.5 mm of noise: within 0.15 s. t_bottom gets a wider bound per rep and a bound
 * on its mean error: it is where the speed, decelerating at ~34 mm/s^2 in a 4 s drop,
 * crosses 10 mm/s, so the ~2 mm/s of speed noise left after smoothing moves it by ~0.06
 * s rms (the definition, not the smoothing, is that sensitive), with a tail to ~0.25 s. */
static void test_noise(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    tb_err_sum = 0.0;
    tb_err_n = 0;
    trace *tr = tr_standard(4);
    /* a few single-frame outliers: in a top, in a hold, during a descent */
    tr->spike[tr->nspike++] = (span){4.0, 0, 35};
    tr->spike[tr->nspike++] = (span){9.5, 0, 30};
    tr->spike[tr->nspike++] = (span){16.0, 0, -40};
    const double rates[] = {30.0, 15.0, 60.0, 0.0};
    for (int i = 0; i < 4; i++) {
        for (uint64_t seed = 1; seed <= 3; seed++) {
            run *ru = malloc(sizeof(run));
            feed(tr, &c, (feed_opts){rates[i], 1.5, seed * 7919 + (uint64_t)i, 0}, ru);
            CHECK(ru->n == 4);
            check_against_oracle2(tr, &c, ru, 0.15, 0.3, 2.0);
            for (int k = 0; k < ru->n; k++)
                CHECK(ru->reps[k].warnings == 0);
            free(ru);
        }
    }
    CHECK(tb_err_n == 48 && tb_err_sum / tb_err_n < 0.08);
    fprintf(stderr, "  noise: mean |t_bottom error| %.3f s over %d reps\n", tb_err_sum / tb_err_n,
            tb_err_n);
    free(tr);
}

static void test_phases_events(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    trace *tr = tr_standard(3);
    run *ru = malloc(sizeof(run));
    feed(tr, &c, (feed_opts){30.0, 0.0, 1, 0}, ru);
    const hd_phase want[] = {
        HD_PHASE_REST,    HD_PHASE_TOP,     HD_PHASE_DESCENT, HD_PHASE_HOLD, HD_PHASE_RISE,
        HD_PHASE_TOP,     HD_PHASE_DESCENT, HD_PHASE_HOLD,    HD_PHASE_RISE, HD_PHASE_TOP,
        HD_PHASE_DESCENT, HD_PHASE_HOLD,    HD_PHASE_RISE,    HD_PHASE_TOP,  HD_PHASE_DESCENT,
        HD_PHASE_HOLD, /* down to step level at the end: not a rep */
    };
    int nw = (int)(sizeof(want) / sizeof(want[0]));
    CHECK(ru->nph == nw);
    for (int i = 0; i < nw && i < ru->nph; i++)
        CHECK(ru->ph[i] == want[i]);
    if (ru->nph != nw) {
        for (int i = 0; i < ru->nph; i++)
            fprintf(stderr, "  %s@%.2f", hd_phase_name(ru->ph[i]), ru->ph_t[i]);
        fprintf(stderr, "\n");
    }

    /* Events of the first rep, in order, each at its signal time. */
    const hd_event_kind order[] = {HD_EV_DESCENT_START, HD_EV_BELOW_STEP, HD_EV_BOTTOM,
                                   HD_EV_REP_PROVISIONAL, HD_EV_REP};
    int k = 0;
    for (int i = 0; i < ru->nev && k < 5; i++)
        if (ru->ev[i].kind == order[k])
            k++;
    CHECK(k == 5);
    const hd_rep *r1 = &ru->reps[0];
    for (int i = 0; i < ru->nev; i++) {
        const hd_event *e = &ru->ev[i];
        if (e->kind == HD_EV_DESCENT_START && e->t < 8.0)
            CHECK_NEAR(e->t, r1->t_descent_start, 0.02);
        if (e->kind == HD_EV_BOTTOM && e->t < 10.0)
            CHECK_NEAR(e->t, r1->t_bottom, 0.1);
        if (e->kind == HD_EV_REP_PROVISIONAL && e->rep.index == 1) {
            /* all but t_top is final at the provisional event */
            CHECK_NEAR(e->rep.descent_s, r1->descent_s, 1e-9);
            CHECK_NEAR(e->rep.hold_s, r1->hold_s, 1e-9);
            CHECK_NEAR(e->rep.depth_mm, r1->depth_mm, 1e-9);
            CHECK(e->t > r1->t_hold_end && e->t <= r1->t_top + 0.01);
        }
        if (e->kind == HD_EV_REP && e->rep.index == 1)
            CHECK_NEAR(e->rep.t_top, r1->t_top, 1e-9);
    }
    free(ru);
    free(tr);
}

static void test_classify(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    trace *tr = tr_standard(2);
    run *ru = malloc(sizeof(run));
    feed(tr, &c, (feed_opts){30.0, 0.0, 1, 0}, ru);
    CHECK(ru->n == 2);
    const hd_rep *p = &ru->reps[0];
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, 1.0, 0.0, 0) == HD_PHASE_REST);
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, 4.0, 60.0, 0) == HD_PHASE_TOP);
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, 4.0, 60.0, 1) == HD_PHASE_LOST);
    double mid = (p->t_descent_start + p->t_bottom) / 2;
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, mid, tr_y(tr, mid), 0) == HD_PHASE_DESCENT);
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, p->t_descent_start, 55, 0) == HD_PHASE_DESCENT);
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, p->t_bottom, -50, 0) == HD_PHASE_HOLD);
    mid = (p->t_bottom + p->t_hold_end) / 2;
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, mid, -50, 1) == HD_PHASE_LOST);
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, mid, -50, 0) == HD_PHASE_HOLD);
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, p->t_hold_end, -45, 0) == HD_PHASE_RISE);
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, p->t_top, 55, 0) == HD_PHASE_RISE);
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, p->t_top + 0.01, 58, 0) == HD_PHASE_TOP);
    const hd_rep *q = &ru->reps[1];
    mid = (q->t_hold_end + q->t_top) / 2;
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, mid, 0, 0) == HD_PHASE_RISE);
    CHECK(hd_reps_classify(ru->reps, ru->n, &c, q->t_top + 5.0, 0, 0) == HD_PHASE_REST);
    CHECK(hd_reps_classify(NULL, 0, &c, 3.0, 30.0, 0) == HD_PHASE_TOP);
    free(ru);
    free(tr);
}

/* One rep in a standard frame with the given descent/low/hold/rise; returns its
 * warnings (or 0xffff when the count is not 1). */
static unsigned one_rep(const hd_reps_cfg *c, double descent, double low, double hold, double rise,
                        double noise, run *ru, trace **out_tr)
{
    trace *tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0);
    tr_rep(tr, descent, low, hold, rise, 60.0, 2.0);
    tr_move(tr, 1.0, 0.0);
    tr_hold(tr, 2.0);
    feed(tr, c, (feed_opts){30.0, noise, 42, 0}, ru);
    if (out_tr)
        *out_tr = tr;
    else
        free(tr);
    return ru->n == 1 ? ru->reps[0].warnings : 0xffffu;
}

static void test_warn_timing(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    run *ru = malloc(sizeof(run));
    trace *tr;

    /* too_fast */
    CHECK(one_rep(&c, 1.5, -50, 1.0, 1.5, 0.0, ru, &tr) == HD_WARN_TOO_FAST);
    /* the speed window reaches 10 mm/s ~0.08 s late where a fast drop bends into a hold */
    check_against_oracle(tr, &c, ru, 0.1, 1.0);
    free(tr);
    CHECK(one_rep(&c, 1.5, -50, 1.0, 1.5, 1.5, ru, NULL) == HD_WARN_TOO_FAST);
    CHECK(one_rep(&c, 2.8, -50, 1.0, 1.5, 1.5, ru, NULL) == 0);

    /* no_hold by depth: never below the step */
    CHECK(one_rep(&c, 4.0, 2.0, 1.0, 1.5, 0.0, ru, &tr) == HD_WARN_NO_HOLD);
    CHECK(ru->reps[0].depth_mm < 0 && ru->reps[0].below_s == 0.0);
    check_against_oracle(tr, &c, ru, 0.07, 1.0);
    free(tr);
    CHECK(one_rep(&c, 4.0, 2.0, 1.0, 1.5, 1.5, ru, NULL) == HD_WARN_NO_HOLD);

    /* no_hold by a short hold: a sharp turnaround, where no moment is still for 0.2 s
     * and t_bottom falls back to the moment of the lowest point */
    CHECK(one_rep(&c, 2.5, -50, 0.0, 1.0, 0.0, ru, &tr) == HD_WARN_NO_HOLD);
    CHECK(ru->n == 1 && ru->reps[0].hold_s < c.min_hold_s);
    CHECK_NEAR(ru->reps[0].t_bottom, 5.0 + 2.5, 0.05);
    check_against_oracle(tr, &c, ru, 0.07, 1.0);
    free(tr);
    CHECK(one_rep(&c, 2.5, -50, 0.0, 1.0, 1.5, ru, NULL) == HD_WARN_NO_HOLD);

    /* long_hold */
    CHECK(one_rep(&c, 4.0, -50, 4.0, 1.5, 0.0, ru, &tr) == HD_WARN_LONG_HOLD);
    check_against_oracle(tr, &c, ru, 0.07, 1.0);
    free(tr);
    CHECK(one_rep(&c, 4.0, -50, 4.0, 1.5, 1.5, ru, NULL) == HD_WARN_LONG_HOLD);
    CHECK(one_rep(&c, 4.0, -50, 2.0, 1.5, 1.5, ru, NULL) == 0); /* hold_s ~2.5 */

    /* insertional variant: down to step level is the exercise; a short hold is not */
    hd_reps_cfg ci = c;
    ci.insertional = 1;
    CHECK(one_rep(&ci, 4.0, 2.0, 1.0, 1.5, 0.0, ru, NULL) == 0);
    CHECK(one_rep(&ci, 4.0, 2.0, 1.0, 1.5, 1.5, ru, NULL) == 0);
    CHECK(one_rep(&ci, 4.0, 0.0, 4.0, 1.5, 1.5, ru, NULL) == HD_WARN_LONG_HOLD);
    CHECK(one_rep(&ci, 2.5, -50.0, 0.0, 1.0, 0.0, ru, NULL) == HD_WARN_NO_HOLD);
    free(ru);
}

/* A rep whose hold at `low` mm lasts `before` s, then moves `mm` (up when positive) and
 * back over `half` s each way, and lasts `after` s more before the rise; the warnings of
 * the one rep found, or 0xffff when the count is not one. */
static unsigned wiggle_rep(const hd_reps_cfg *c, double low, double before, double mm,
                           double half, double after, double noise, run *ru)
{
    trace *tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0); /* the drop starts at 5.0 s */
    tr_move(tr, 4.0, low);
    tr_hold(tr, before);
    tr_move(tr, half, low + mm);
    tr_move(tr, half, low);
    if (after > 0)
        tr_hold(tr, after);
    tr_move(tr, 1.5, 60.0);
    tr_hold(tr, 2.0);
    tr_move(tr, 1.0, 0.0);
    tr_hold(tr, 2.0);
    feed(tr, c, (feed_opts){30.0, noise, 5, 0}, ru);
    free(tr);
    return ru->n == 1 ? ru->reps[0].warnings : 0xffffu;
}

/* A hold with a bump of `mm` up and back down, each way over `half` seconds (a hold of
 * 2.2 s in all: no long_hold). */
static unsigned bump_rep(const hd_reps_cfg *c, double mm, double half, double noise, run *ru)
{
    return wiggle_rep(c, -50.0, 0.8, mm, half, 1.4 - 2.0 * half, noise, ru);
}

static void test_warn_bounce(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    run *ru = malloc(sizeof(run));
    CHECK(bump_rep(&c, 12.0, 0.2, 0.0, ru) == HD_WARN_BOUNCE);
    CHECK(bump_rep(&c, 12.0, 0.2, 1.5, ru) == HD_WARN_BOUNCE);
    CHECK(bump_rep(&c, 12.0, 0.6, 0.0, ru) == 0); /* slow: 1.2 s up and down */
    CHECK(bump_rep(&c, 12.0, 0.6, 1.5, ru) == 0);
    CHECK(bump_rep(&c, 4.0, 0.2, 1.5, ru) == 0); /* small */
    free(ru);
}

/* A still hold that ends in a short dip below it right before the rise (a tracker
 * disturbed while the other foot is set down): no moment near the dip's lowest point is
 * still, so the hold is the bottom, and the dip is neither a bounce nor the end of a
 * hold of nothing. A dip of `dip` mm over `dur` s. */
static unsigned dip_rep(const hd_reps_cfg *c, double dip, double dur, double noise, run *ru)
{
    return wiggle_rep(c, -40.0, 2.0, -dip, dur / 2, 0.0, noise, ru);
}

static void test_held_bottom(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    run *ru = malloc(sizeof(run));
    for (int k = 0; k < 2; k++) {
        double noise = k ? 1.5 : 0.0;
        CHECK(dip_rep(&c, 20.0, 0.3, noise, ru) == 0);
        CHECK(ru->n == 1);
        /* as on a clean hold: t_bottom where the smoothed descent settles, t_hold_end
         * where the rise leaves the hold's band (the dip lies inside the hold) */
        CHECK_NEAR(ru->reps[0].t_bottom, 8.7, 0.15);
        CHECK_NEAR(ru->reps[0].hold_s, 2.8, 0.2);
        CHECK(ru->reps[0].depth_mm > 45.0); /* the depth is still the lowest point's */
    }
    /* a dip 80 mm under the hold (over 25 mm even after smoothing) is too far below it
     * to call the hold the bottom: the lowest point stands, as for a sharp turnaround */
    CHECK(dip_rep(&c, 80.0, 0.3, 0.0, ru) & HD_WARN_NO_HOLD);
    CHECK_NEAR(ru->reps[0].t_bottom, 11.15, 0.25);
    free(ru);
}

static void test_warn_bilateral(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    run *ru = malloc(sizeof(run));
    trace *tr = tr_standard(2);
    tr->off_default = 0; /* both feet always on the step */
    feed(tr, &c, (feed_opts){30.0, 1.5, 3, 0}, ru);
    CHECK(ru->n == 2);
    for (int k = 0; k < ru->n; k++)
        CHECK(ru->reps[k].warnings == HD_WARN_BILATERAL);

    tr->off_default = -1; /* the tracker cannot tell: no verdict */
    feed(tr, &c, (feed_opts){30.0, 1.5, 3, 0}, ru);
    CHECK(ru->n == 2);
    for (int k = 0; k < ru->n; k++)
        CHECK(ru->reps[k].warnings == 0);

    /* the second rep has the other foot off the step for part of its descent */
    tr->off_default = 0;
    tr_off(tr, 15.0, 16.0, 1);
    feed(tr, &c, (feed_opts){30.0, 1.5, 3, 0}, ru);
    CHECK(ru->n == 2);
    if (ru->n == 2) {
        CHECK(ru->reps[0].warnings == HD_WARN_BILATERAL);
        CHECK(ru->reps[1].warnings == 0);
    }
    free(tr);

    /* foot: majority over the descent */
    tr = tr_standard(1);
    tr->foot = 1;
    feed(tr, &c, (feed_opts){30.0, 0.0, 3, 0}, ru);
    CHECK(ru->n == 1 && ru->reps[0].foot == 1);
    free(tr);
    free(ru);
}

static void test_warn_partial(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    run *ru = malloc(sizeof(run));
    /* tops before each drop: 60, 60, 60, 40 (-> partial), then 60 */
    const double tops[] = {60, 60, 40, 60};
    trace *tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0);
    for (int i = 0; i < 4; i++)
        tr_rep(tr, 4.0, -50, 1.0, 1.5, tops[i], 2.0);
    tr_move(tr, 1.0, 0.0);
    tr_hold(tr, 2.0);
    feed(tr, &c, (feed_opts){30.0, 1.5, 11, 0}, ru);
    CHECK(ru->n == 4);
    for (int k = 0; k < ru->n; k++)
        CHECK(ru->reps[k].warnings == (k == 3 ? HD_WARN_PARTIAL : 0u));
    if (ru->n == 4)
        CHECK_NEAR(ru->reps[3].top_mm, 40.0, 2.5);
    free(tr);

    /* 50 mm is within 80% of the median (60): not partial */
    const double tops2[] = {60, 60, 50, 60};
    tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0);
    for (int i = 0; i < 4; i++)
        tr_rep(tr, 4.0, -50, 1.0, 1.5, tops2[i], 2.0);
    tr_move(tr, 1.0, 0.0);
    feed(tr, &c, (feed_opts){30.0, 1.5, 11, 0}, ru);
    CHECK(ru->n == 4);
    for (int k = 0; k < ru->n; k++)
        CHECK(ru->reps[k].warnings == 0);
    free(tr);

    /* The median is per set: a low first set does not make the second one partial. */
    tr = tr_new(0.0);
    tr_start(tr, 2.0, 35.0, 2.0);
    tr_rep(tr, 4.0, -50, 1.0, 1.5, 35.0, 2.0);
    tr_rep(tr, 4.0, -50, 1.0, 1.5, 35.0, 2.0);
    tr_move(tr, 1.0, 0.0); /* rest between the sets */
    tr_hold(tr, 12.0);
    tr_start(tr, 0.0, 70.0, 2.0);
    tr_rep(tr, 4.0, -50, 1.0, 1.5, 70.0, 2.0);
    tr_rep(tr, 4.0, -50, 1.0, 1.5, 70.0, 2.0);
    tr_move(tr, 1.0, 0.0);
    feed(tr, &c, (feed_opts){30.0, 1.5, 11, 0}, ru);
    CHECK(ru->n == 4);
    for (int k = 0; k < ru->n; k++) {
        CHECK(ru->reps[k].set == (k < 2 ? 1 : 2));
        CHECK(ru->reps[k].warnings == 0);
    }
    free(tr);
    free(ru);
}

static void test_warn_uncertain(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    run *ru = malloc(sizeof(run));
    /* standard rep: descent 5..9, hold 9..10.5 */
    trace *tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0);
    tr_rep(tr, 4.0, -50.0, 1.5, 1.5, 60.0, 2.0);
    tr_rep(tr, 4.0, -50.0, 1.5, 1.5, 60.0, 2.0);
    tr_move(tr, 1.0, 0.0);
    tr_hold(tr, 2.0);
    tr_lost(tr, 9.5, 10.0);  /* 0.5 s in the first hold */
    tr_lost(tr, 20.0, 20.2); /* 0.2 s in the second hold: within the allowance */
    for (int pass = 0; pass < 2; pass++) {
        feed(tr, &c, (feed_opts){30.0, pass ? 1.5 : 0.0, 8, 0}, ru);
        CHECK(ru->n == 2);
        if (ru->n != 2)
            continue;
        CHECK(ru->reps[0].warnings == HD_WARN_UNCERTAIN);
        CHECK_NEAR(ru->reps[0].lost_s, 0.5, 0.04);
        CHECK(ru->reps[1].warnings == 0);
        CHECK_NEAR(ru->reps[1].lost_s, 0.2, 0.04);
        if (pass == 0)
            check_against_oracle(tr, &c, ru, 0.07, 1.0);
    }
    /* lost for 0.6 s in the middle of the descent: still measured, bridged, uncertain */
    tr->nlost = 0;
    tr_lost(tr, 6.5, 7.1);
    feed(tr, &c, (feed_opts){30.0, 1.5, 8, 0}, ru);
    CHECK(ru->n == 2);
    if (ru->n == 2) {
        CHECK(ru->reps[0].warnings == HD_WARN_UNCERTAIN);
        CHECK(ru->reps[1].warnings == 0);
    }
    check_against_oracle2(tr, &c, ru, 0.15, 0.3, 2.0);
    /* lost through the bottom for 3 s: the rep is still reported, as uncertain */
    tr->nlost = 0;
    tr_lost(tr, 8.0, 11.0);
    feed(tr, &c, (feed_opts){30.0, 1.5, 8, 0}, ru);
    CHECK(ru->n == 2);
    if (ru->n == 2)
        CHECK(ru->reps[0].warnings & HD_WARN_UNCERTAIN);
    free(tr);
    free(ru);
}

/* Reps 1 and 2 with the given gap between rep 1's t_top and rep 2's t_descent_start. */
static void sets_case(double gap, int want_sets)
{
    hd_reps_cfg c;
    cfg_std(&c);
    /* with the standard shapes, t_top is 0.205 s before the end of the rise and
     * t_descent_start 0.547 s after the start of the descent */
    double stay = gap - 0.2053 - 0.5472;
    trace *tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0);
    tr_rep(tr, 4.0, -50.0, 1.0, 1.5, 60.0, stay);
    tr_rep(tr, 4.0, -50.0, 1.0, 1.5, 60.0, 2.0);
    tr_move(tr, 1.0, 0.0);
    tr_hold(tr, 2.0);
    ref rf[4];
    CHECK(oracle(tr, &c, rf, 4) == 2);
    CHECK_NEAR(rf[1].tds - rf[0].ttop, gap, 0.002);
    run *ru = malloc(sizeof(run));
    for (int noisy = 0; noisy < 2; noisy++) {
        feed(tr, &c, (feed_opts){30.0, noisy ? 1.5 : 0.0, 21, 0}, ru);
        CHECK(ru->n == 2);
        if (ru->n != 2)
            continue;
        CHECK(ru->reps[0].set == 1);
        CHECK(ru->reps[1].set == want_sets);
        CHECK(count_ev(ru, HD_EV_SET_END) == want_sets); /* live one + the one at finish */
        if (want_sets == 2) {
            /* the live SET_END comes before the next drop, at t_top + 8 s */
            int i = 0;
            while (i < ru->nev && ru->ev[i].kind != HD_EV_SET_END)
                i++;
            CHECK(i < ru->nev);
            if (i < ru->nev) {
                CHECK_NEAR(ru->ev[i].t, ru->reps[0].t_top + c.set_gap_s, 1e-9);
                int j = i;
                while (j < ru->nev && ru->ev[j].kind != HD_EV_DESCENT_START)
                    j++;
                CHECK(j < ru->nev && ru->ev[j].t > ru->ev[i].t);
            }
        }
    }
    free(ru);
    free(tr);
}

static void test_sets(void)
{
    sets_case(7.5, 1);
    sets_case(8.15, 2);
}

static void expect_no_reps(const char *what, trace *tr, feed_opts o)
{
    hd_reps_cfg c;
    cfg_std(&c);
    run *ru = malloc(sizeof(run));
    feed(tr, &c, o, ru);
    if (ru->n != 0 || count_ev(ru, HD_EV_REP_PROVISIONAL) != 0)
        fprintf(stderr, "  %s: %d reps\n", what, ru->n);
    CHECK(ru->n == 0);
    CHECK(count_ev(ru, HD_EV_REP_PROVISIONAL) == 0);
    CHECK(count_ev(ru, HD_EV_SET_END) == 0);
    free(ru);
    free(tr);
}

static void test_not_reps(void)
{
    trace *tr;

    tr = tr_new(0.0); /* standing flat */
    tr_hold(tr, 60.0);
    expect_no_reps("flat", tr, (feed_opts){30.0, 1.5, 1, 0});
    tr = tr_new(0.0); /* ... with a worse tracker */
    tr_hold(tr, 30.0);
    expect_no_reps("flat noisy", tr, (feed_opts){15.0, 3.0, 2, 0});

    tr = tr_new(0.0); /* shifting weight: +-8 mm */
    for (int i = 0; i < 10; i++) {
        tr_move(tr, 1.5, 8.0);
        tr_move(tr, 1.5, -8.0);
    }
    tr_move(tr, 1.0, 0.0);
    expect_no_reps("weight shift", tr, (feed_opts){30.0, 1.5, 3, 0});

    tr = tr_new(0.0); /* stepping off and on again: lost, then back at 0 */
    tr_hold(tr, 20.0);
    tr_lost(tr, 5.0, 9.0);
    tr_lost(tr, 12.0, 13.0);
    expect_no_reps("step off/on", tr, (feed_opts){30.0, 1.5, 4, 0});

    tr = tr_new(0.0); /* a long calf stretch that starts and ends flat */
    tr_hold(tr, 3.0);
    tr_move(tr, 2.0, -45.0);
    tr_hold(tr, 20.0);
    tr_move(tr, 2.0, 0.0);
    tr_hold(tr, 3.0);
    expect_no_reps("calf stretch", tr, (feed_opts){30.0, 1.5, 5, 0});

    tr = tr_new(0.0); /* walking past: lost, flickering noise, lost */
    tr_hold(tr, 12.0);
    tr_lost(tr, 0.0, 4.0);
    tr_lost(tr, 8.0, 12.0);
    expect_no_reps("walking past", tr, (feed_opts){30.0, 3.0, 6, 0.3});

    tr = tr_new(0.0); /* up on the toes and down again: a top, no drop from it */
    tr_start(tr, 2.0, 60.0, 3.0);
    tr_move(tr, 1.0, 0.0);
    tr_hold(tr, 3.0);
    expect_no_reps("up and down", tr, (feed_opts){30.0, 1.5, 7, 0});

    tr = tr_new(0.0); /* a top of 15 mm: below the threshold */
    tr_start(tr, 2.0, 15.0, 2.0);
    tr_rep(tr, 4.0, -50.0, 1.0, 1.5, 15.0, 2.0);
    tr_move(tr, 1.0, 0.0);
    expect_no_reps("low tops", tr, (feed_opts){30.0, 1.5, 8, 0});

    tr = tr_new(0.0); /* hovering at the threshold */
    tr_hold(tr, 1.0);
    tr_move(tr, 1.0, 20.0);
    tr_hold(tr, 20.0);
    tr_move(tr, 1.0, 0.0);
    expect_no_reps("at threshold", tr, (feed_opts){30.0, 1.5, 9, 0});
}

/* A caller that does not collect events (an offline analysis) gets the same reps. */
static void test_no_events(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    trace *tr = tr_standard(3);
    hd_reps *r = NULL;
    CHECK(hd_reps_create(&c, &r) == HD_OK);
    hd_reps_set_t0(r, 0);
    for (int k = 0; k / 30.0 <= tr->t; k++) {
        hd_reps_sample s = {(int64_t)llround(k / 30.0 * 1e6), tr_y(tr, k / 30.0), 1.0, 1, 2};
        CHECK(hd_reps_update(r, &s, NULL) == HD_OK);
    }
    CHECK(hd_reps_finish(r, NULL) == HD_OK);
    int n = 0;
    const hd_rep *list = hd_reps_list(r, &n);
    CHECK(n == 3 && list != NULL);
    for (int k = 0; k < n; k++)
        CHECK(list[k].warnings == 0 && list[k].index == k + 1);
    hd_reps_destroy(r);
    free(tr);
}

/* Frames missing altogether (no samples, not even lost ones): a short hole is just
 * uneven sampling, a hole of set_gap_s or more ends whatever was going on. */
static void test_time_holes(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    trace *tr = tr_standard(2);
    const double holes[][2] = {{9.3, 9.8}, {7.0, 27.0}};
    for (int h = 0; h < 2; h++) {
        hd_reps *r = NULL;
        CHECK(hd_reps_create(&c, &r) == HD_OK);
        /* the second trace: the first rep's drop continues after a 20 s hole */
        double shift = h ? 20.0 : 0.0;
        for (int k = 0; k / 30.0 <= tr->t + shift; k++) {
            double t = k / 30.0;
            if (t >= holes[h][0] && t < holes[h][1])
                continue;
            double tt = t >= holes[h][1] ? t - shift : t;
            hd_reps_sample s = {(int64_t)llround(t * 1e6), tr_y(tr, tt), 1.0, 1, 2};
            CHECK(hd_reps_update(r, &s, NULL) == HD_OK);
        }
        CHECK(hd_reps_finish(r, NULL) == HD_OK);
        int n = 0;
        const hd_rep *list = hd_reps_list(r, &n);
        if (h == 0) {
            CHECK(n == 2);
            if (n == 2)
                CHECK(list[0].warnings == 0 && list[0].lost_s == 0.0);
        } else {
            CHECK(n == 1); /* only the second rep: the first one's drop lost its top */
        }
        hd_reps_destroy(r);
    }
    free(tr);
}

/* The stream ends just after the heel is back at the top: the rep still counts. */
static void test_end_at_top(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    run *ru = malloc(sizeof(run));
    const double stays[] = {0.0, 0.05, 0.3, 1.0};
    for (int i = 0; i < 4; i++) {
        trace *tr = tr_new(0.0);
        tr_start(tr, 2.0, 60.0, 2.0);
        tr_rep(tr, 4.0, -50.0, 1.0, 1.5, 60.0, stays[i]);
        feed(tr, &c, (feed_opts){30.0, 1.5, 17, 0}, ru);
        CHECK(ru->n == 1);
        CHECK(count_ev(ru, HD_EV_REP) == 1 && count_ev(ru, HD_EV_SET_END) == 1);
        if (ru->n == 1) {
            CHECK(ru->reps[0].warnings == 0);
            CHECK(ru->reps[0].t_top <= tr->t + 1e-9);
        }
        free(tr);
    }
    /* ... but not when it ends on the way up */
    trace *tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0);
    tr_move(tr, 4.0, -50.0);
    tr_hold(tr, 1.0);
    tr_move(tr, 1.0, 10.0);
    feed(tr, &c, (feed_opts){30.0, 1.5, 17, 0}, ru);
    CHECK(ru->n == 0 && count_ev(ru, HD_EV_REP_PROVISIONAL) == 0);
    free(tr);
    free(ru);
}

/* Resting flat between sets is not a rep: the heel stays put for set_gap_s. */
static void test_rest_between_sets(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    run *ru = malloc(sizeof(run));
    trace *tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0);
    tr_rep(tr, 4.0, -50.0, 1.0, 1.5, 60.0, 1.0);
    tr_move(tr, 1.0, 0.0); /* down to step level, rest, and up again */
    tr_hold(tr, 12.0);
    tr_move(tr, 1.0, 60.0);
    tr_hold(tr, 2.0);
    tr_rep(tr, 4.0, -50.0, 1.0, 1.5, 60.0, 2.0);
    tr_move(tr, 1.0, 0.0);
    tr_hold(tr, 2.0);
    feed(tr, &c, (feed_opts){30.0, 1.5, 12, 0}, ru);
    CHECK(ru->n == 2);
    if (ru->n == 2) {
        CHECK(ru->reps[0].set == 1 && ru->reps[1].set == 2);
        CHECK(ru->reps[0].warnings == 0 && ru->reps[1].warnings == 0);
    }
    CHECK(count_ev(ru, HD_EV_SET_END) == 2);

    /* stepping off the step between sets (lost 20 s) */
    free(tr);
    tr = tr_new(0.0);
    tr_start(tr, 2.0, 60.0, 2.0);
    tr_rep(tr, 4.0, -50.0, 1.0, 1.5, 60.0, 1.0);
    tr_move(tr, 1.0, 0.0);
    tr_hold(tr, 25.0);
    tr_move(tr, 1.0, 60.0);
    tr_hold(tr, 2.0);
    tr_rep(tr, 4.0, -50.0, 1.0, 1.5, 60.0, 2.0);
    tr_move(tr, 1.0, 0.0);
    tr_lost(tr, 16.0, 36.0);
    feed(tr, &c, (feed_opts){30.0, 1.5, 13, 0}, ru);
    CHECK(ru->n == 2);
    if (ru->n == 2)
        CHECK(ru->reps[0].set == 1 && ru->reps[1].set == 2);
    free(tr);
    free(ru);
}

/* 30 minutes at 30 fps: sets of 12 reps with rests; memory must stay flat. */
static void test_long_session(void)
{
    hd_reps_cfg c;
    cfg_std(&c);
    trace *tr = tr_new(0.0);
    int want = 0, sets = 0;
    tr_hold(tr, 5.0);
    while (tr->t < 1800.0 - 180.0) {
        tr_move(tr, 1.0, 60.0);
        tr_hold(tr, 1.0);
        for (int i = 0; i < 12; i++) {
            tr_rep(tr, 3.5, -45.0, 0.8, 1.2, 60.0, 1.0);
            want++;
        }
        sets++;
        tr_move(tr, 1.0, 0.0);
        tr_hold(tr, 60.0);
    }
    run *ru = malloc(sizeof(run));
    feed(tr, &c, (feed_opts){30.0, 1.5, 99, 0}, ru);
    CHECK(ru->n == want);
    CHECK(ru->n > 0 && ru->reps[ru->n - 1].set == sets);
    int bad = 0;
    for (int k = 0; k < ru->n; k++)
        bad += ru->reps[k].warnings != 0;
    CHECK(bad == 0);
    /* about 20 s of signal at most (a rep and its tops), not 30 minutes */
    CHECK(ru->max_held < 1000);
    fprintf(stderr, "  long session: %d samples, %d reps in %d sets, max held %zu\n", ru->nsamples,
            ru->n, sets, ru->max_held);
    free(ru);
    free(tr);
}

int main(void)
{
    RUN(test_names);
    RUN(test_api_errors);
    RUN(test_oracle_closed_form);
    RUN(test_basic_rates);
    RUN(test_noise);
    RUN(test_phases_events);
    RUN(test_classify);
    RUN(test_warn_timing);
    RUN(test_warn_bounce);
    RUN(test_held_bottom);
    RUN(test_warn_bilateral);
    RUN(test_warn_partial);
    RUN(test_warn_uncertain);
    RUN(test_sets);
    RUN(test_not_reps);
    RUN(test_no_events);
    RUN(test_time_holes);
    RUN(test_end_at_top);
    RUN(test_rest_between_sets);
    RUN(test_long_session);
    return TEST_EXIT();
}
