/* synth_scenario.c - writes the scenario of a clip: rests, sets of reps with and without
 * faults, stepping off and on, someone walking past, a long calf stretch.
 *
 * The faults are planned so that the rules of PROTOCOL.md section 3 see them; the truth
 * itself is whatever the rep engine finds in the rendered heel signal. */
#include <math.h>
#include <string.h>

#include "synth/synth_priv.h"

typedef struct gen {
    hd_synth *s;
    sy_rng *r;
    sy_script *sc;
    sy_person_track *me;
    const sy_person *P;
    double t;    /* end of what is written so far */
    double h[2]; /* heel heights at t */
    double rest; /* standing heel level */
    double tmax; /* time budget */
    int work;
    int edge_cut; /* the frame's bottom edge cuts deep heels */
    double cut_y;
    int nocc;
    int fast_turn; /* the last rep turned straight round: the next rise starts fast */
} gen;

enum { F_FAST = 0, F_NOHOLD, F_LONG, F_BOUNCE, F_BILAT, F_PARTIAL, F_UNCERT };

typedef struct rep_plan {
    int foot;
    double top, bottom;
    double rise_s, top_s, desc_s, hold_s, back_s, lift_s;
    int desc_shape;
    double desc_ramp, desc_ramp_end;
    unsigned faults; /* 1 << F_* */
    int nb;
    double b_amp, b_dur;
    sy_place air;
} rep_plan;

/* Both feet move from their current height to v0/v1 over dur. */
static void g_move2(gen *g, double dur, double to0, double to1, int shape, double p0)
{
    sy_person_track *me = g->me;
    double vv[2] = {to0, to1};
    for (int f = 0; f < 2; f++) {
        int sh = fabs(vv[f] - g->h[f]) < 1e-9 ? SY_EASE_HOLD : shape;
        sy_track_add(&me->h[f], g->t, g->t + dur, g->h[f], vv[f], sh);
        sy_track_last(&me->h[f])->p[0] = p0;
        g->h[f] = vv[f];
    }
    g->t += dur;
}

static void g_move(gen *g, double dur, double to, int shape, double p0)
{
    g_move2(g, dur, to, to, shape, p0);
}

static void g_hold(gen *g, double dur)
{
    g_move2(g, dur, g->h[0], g->h[1], SY_EASE_HOLD, 0);
}

static void g_set_work(gen *g, int foot)
{
    sy_track_add(&g->sc->work, g->t, g->t, foot, foot, SY_EASE_HOLD);
    g->work = foot;
}

/* Standing on the step: small weight shifts, heels near the rest level, never near a top.
 * still: the working heel stays put (within 2 mm) and only the other foot shifts, which is
 * what the rep engine needs to see between sets to call the pause rest, not a rep. */
static void g_rest_ex(gen *g, double dur, int still)
{
    double end = g->t + dur;
    sy_rng *r = g->r;
    if (fabs(g->h[0] - g->rest) > 0.5 || fabs(g->h[1] - g->rest) > 0.5)
        g_move(g, fmin(0.8, dur * 0.5), g->rest, SY_EASE_SMOOTH, 0);
    while (g->t < end - 0.2) {
        double left = end - g->t;
        double u = sy_uni(r);
        if (u < 0.45 || left < 2.5) {
            g_hold(g, fmin(left, sy_range(r, 0.8, 4.0)));
        } else if (u < 0.8 || still) {
            /* shift the weight: one heel comes up a little, the other settles */
            int f = still ? 1 - g->work : sy_int(r, 2);
            double up = g->rest + sy_range(r, 3, 13), dn = g->rest - sy_range(r, 0, 5);
            if (still)
                dn = g->rest - sy_range(r, 0, 1.5);
            double a = sy_range(r, 0.5, 1.1), hold = sy_range(r, 0.4, 1.8);
            double to0 = f == 0 ? up : dn, to1 = f == 0 ? dn : up;
            if (a * 2 + hold > left) {
                g_hold(g, left);
                break;
            }
            g_move2(g, a, to0, to1, SY_EASE_SMOOTH, 0);
            g_hold(g, hold);
            g_move(g, a, g->rest, SY_EASE_SMOOTH, 0);
        } else {
            /* let both heels sink a little and come back */
            double dn = g->rest - sy_range(r, 4, 14), a = sy_range(r, 0.8, 1.5);
            double hold = sy_range(r, 0.5, 2.0);
            if (a * 2 + hold > left) {
                g_hold(g, left);
                break;
            }
            g_move(g, a, dn, SY_EASE_SMOOTH, 0);
            g_hold(g, hold);
            g_move(g, a, g->rest, SY_EASE_SMOOTH, 0);
        }
    }
    if (g->t < end)
        g_hold(g, end - g->t);
}

static void g_rest(gen *g, double dur)
{
    g_rest_ex(g, dur, 0);
}

static sy_place place_step(void)
{
    sy_place p;
    memset(&p, 0, sizeof(p));
    p.kind = SY_PLACE_STEP;
    return p;
}

static sy_place place_lower(gen *g)
{
    sy_place p;
    memset(&p, 0, sizeof(p));
    p.kind = SY_PLACE_LOWER;
    double L = g->P->L;
    if (g->s->scene.n_below > 0)
        p.pos = -(1.0 - g->P->ball_frac) * L - sy_range(g->r, 10, 40);
    else
        p.pos = -(1.0 - g->P->ball_frac) * L - sy_range(g->r, 40, 300);
    return p;
}

/* Steps both feet down backwards to the level below (or up onto the step). */
static void g_step_feet(gen *g, int down)
{
    sy_rng *r = g->r;
    int first = sy_int(r, 2);
    double dl = sy_range(r, 0, 60);
    for (int k = 0; k < 2; k++) {
        int f = k == 0 ? first : 1 - first;
        double sw = sy_range(r, 0.55, 1.0);
        sy_place to = down ? place_lower(g) : place_step();
        if (down)
            to.pos -= k * dl;
        sy_fplan_add(&g->me->plan[f], g->t, g->t + sw, to, sy_range(r, 5, 15));
        g_hold(g, sw + sy_range(r, 0.1, 0.5));
    }
}

/* ---- reps ---------------------------------------------------------------------------- */

typedef struct set_plan {
    int foot_mode; /* 0 near, 1 far, 2 alternating per rep */
    double top, bottom, tempo;
    double reach_k;
    int nreps;
} set_plan;

/* A rep without faults: the set's tempo and heights with small variations. */
static void rep_base(gen *g, const set_plan *sp, int idx, rep_plan *rp)
{
    sy_rng *r = g->r;
    memset(rp, 0, sizeof(*rp));
    rp->foot = sp->foot_mode == 2 ? (idx & 1) : sp->foot_mode;
    rp->top = sp->top * sy_range(r, 0.96, 1.04);
    rp->bottom = sp->bottom * sy_range(r, 0.88, 1.08);
    if (g->edge_cut && rp->bottom < g->cut_y + 8)
        rp->bottom = g->cut_y + 8 + sy_range(r, 0, 4);
    rp->rise_s = sy_range(r, 0.7, 1.5);
    rp->top_s = sy_range(r, 0.3, 1.2);
    rp->lift_s = sy_range(r, 0.3, 0.6);
    rp->back_s = sy_range(r, 0.3, 0.6);
    rp->desc_s = sp->tempo * sy_range(r, 0.9, 1.1);
    if (rp->desc_s < 3.0)
        rp->desc_s = 3.0 + sy_range(r, 0, 0.3);
    const double sw[] = {6, 2, 1.5};
    int shp = sy_pick(r, sw, 3);
    rp->desc_shape = shp == 0 ? SY_EASE_TRAP : (shp == 1 ? SY_EASE_SMOOTH : SY_EASE_MINJERK);
    if (rp->desc_shape != SY_EASE_TRAP && rp->desc_s < 3.8)
        rp->desc_s = 3.8 + sy_range(r, 0, 0.8);
    /* speed ramps in seconds, as a share of the descent */
    rp->desc_ramp = sy_range(r, 0.3, 0.9) / rp->desc_s;
    rp->desc_ramp_end = sy_range(r, 0.25, 0.6) / rp->desc_s;
    rp->hold_s = sy_range(r, 0.6, 2.0); /* total for now; apply_faults splits it */
    /* where the other foot goes when lifted: knee flexion turns the shank back about the
     * knee by alpha, so the foot goes up and back towards the heels, toes down. A lifted
     * near foot (far foot working) goes higher so that it does not hide the working heel. */
    double sl = g->P->shank_len;
    double amin = rp->foot == 1 ? 50.0 : 30.0, amax = rp->foot == 1 ? 66.0 : 62.0;
    double al = sy_range(r, amin, amax) * SY_PI / 180.0;
    rp->air.kind = SY_PLACE_AIR;
    rp->air.up = sl * (1.0 - cos(al)) * sy_range(r, 0.85, 1.0);
    rp->air.pos = sl * sin(al) * sy_range(r, 0.8, 1.0);
    rp->air.rot = al * sy_range(r, 0.5, 0.9);
    rp->air.rear = sy_range(r, -0.05, 0.1);
}

/* Turns a planned rep into one with the given faults (1 << F_*). */
static void rep_faults(gen *g, const set_plan *sp, rep_plan *rp, unsigned f)
{
    sy_rng *r = g->r;
    double hold_total = rp->hold_s;
    rp->faults = f;
    if (f & (1u << F_FAST)) {
        rp->desc_s = sy_range(r, 0.6, 1.8);
        rp->desc_shape = sy_chance(r, 0.5) ? SY_EASE_SMOOTH : SY_EASE_TRAP;
        rp->desc_ramp = sy_range(r, 0.15, 0.35);
        rp->desc_ramp_end = sy_range(r, 0.15, 0.3);
    }
    if (f & (1u << F_PARTIAL)) {
        rp->top = sp->top * sy_range(r, 0.45, 0.70);
        if (rp->top < 26)
            rp->top = 26 + sy_range(r, 0, 4);
    }
    if (f & (1u << F_LONG))
        hold_total = sy_range(r, 3.6, 6.0);
    if (f & (1u << F_BOUNCE)) {
        rp->nb = 2 + sy_int(r, 2);
        rp->b_amp = sy_range(r, 11, 20);
        rp->b_dur = sy_range(r, 0.22, 0.4);
        double need = 0.35 + rp->nb * rp->b_dur + 0.4;
        if (!(f & (1u << F_LONG))) /* room for the bounces, short of a long hold */
            hold_total = need + rp->back_s + sy_range(r, 0, 0.25);
    }
    if (f & (1u << F_NOHOLD)) {
        if (sy_chance(r, 0.65) && !g->edge_cut) {
            /* turn straight round: a short stop of the descent, the rise starts at once */
            hold_total = sy_range(r, 0.0, 0.08);
            rp->desc_shape = SY_EASE_TRAP;
            rp->desc_ramp_end = sy_range(r, 0.08, 0.18) / rp->desc_s;
            rp->nb = -1; /* marks the turnaround for g_rep */
        } else {
            rp->bottom = sy_range(r, 3, 12); /* never below the step */
            if (!(f & (1u << F_LONG)))
                hold_total = sy_range(r, 0.3, 1.2);
        }
    }
    if ((f & (1u << F_UNCERT)) && g->edge_cut) {
        /* below the picture's edge for about a second */
        rp->bottom = g->cut_y - sy_range(r, 8, 18);
        hold_total = sy_range(r, 0.2, 0.6);
    }
    if (f & (1u << F_BILAT))
        rp->back_s = 0;
    rp->hold_s = hold_total - rp->back_s;
    if (rp->hold_s < 0)
        rp->hold_s = 0;
}

static double rep_time(const rep_plan *rp)
{
    double top = rp->top_s > rp->lift_s + 0.2 ? rp->top_s : rp->lift_s + 0.2;
    return rp->rise_s + top + rp->desc_s + rp->hold_s + rp->back_s;
}


static void occ_fab(sy_fab *f, int pattern, const float c0[3], const float c1[3], double scale,
                    double contrast)
{
    memset(f, 0, sizeof(*f));
    f->pattern = pattern;
    for (int i = 0; i < 3; i++) {
        f->c0[i] = c0[i];
        f->c1[i] = c1[i];
    }
    f->scale = (float)scale;
    f->contrast = (float)contrast;
    f->off = (float)(fmod(c0[0] * 977.0, 256.0));
}

/* Occluder request: covers the working heel over [tc0, tc1]. */
static void g_occluder(gen *g, double tc0, double tc1, int cover)
{
    if (g->sc->nocc >= SY_MAX_OCC)
        return;
    sy_occ *o = &g->sc->occ[g->sc->nocc++];
    memset(o, 0, sizeof(*o));
    sy_rng *r = g->r;
    o->kind = sy_int(r, 3);
    float c0[3], c1[3];
    double h = sy_range(r, 0, 360);
    switch (o->kind) {
    case SY_OCC_TOWEL:
        sy_hsv(h, sy_range(r, 0.1, 0.8), sy_range(r, 0.4, 0.95), c0);
        sy_hsv(h + sy_range(r, 0, 180), sy_range(r, 0.0, 0.6), sy_range(r, 0.3, 0.95), c1);
        occ_fab(&o->fab, sy_chance(r, 0.5) ? SY_FAB_STRIPE_RING : SY_FAB_NOISE, c0, c1,
                sy_range(r, 8, 30), sy_range(r, 0.3, 0.9));
        break;
    case SY_OCC_BAG:
        sy_hsv(h, sy_range(r, 0.0, 0.7), sy_range(r, 0.08, 0.7), c0);
        sy_hsv(h, sy_range(r, 0.0, 0.5), sy_range(r, 0.05, 0.5), c1);
        occ_fab(&o->fab, SY_FAB_NOISE, c0, c1, sy_range(r, 3, 10), 0.4);
        break;
    default:
        sy_hsv(sy_range(r, 26, 38), sy_range(r, 0.35, 0.6), sy_range(r, 0.45, 0.75), c0);
        sy_hsv(sy_range(r, 26, 38), sy_range(r, 0.35, 0.6), sy_range(r, 0.35, 0.6), c1);
        occ_fab(&o->fab, SY_FAB_NOISE, c0, c1, 40, 0.3);
        break;
    }
    o->tc0 = tc0;
    o->tc1 = tc1;
    o->cover = cover;
    o->seed = (uint32_t)sy_next(g->r);
}

/* The rise on two feet to a top; straight out of a turnaround it starts at full speed. */
static void g_rise(gen *g, double dur, double top)
{
    if (g->fast_turn) {
        g_move(g, dur, top, SY_EASE_TRAP, sy_range(g->r, 0.06, 0.14) / dur);
        for (int f = 0; f < 2; f++)
            sy_track_last(&g->me->h[f])->p[1] = 0.35;
        g->fast_turn = 0;
    } else {
        g_move(g, dur, top, SY_EASE_MINJERK, 0);
    }
}

/* One rep, starting at the current heel height (rest or the last rep's bottom). */
static void g_rep(gen *g, const rep_plan *rp)
{
    sy_rng *r = g->r;
    int w = rp->foot, o = 1 - w;
    int bil = (rp->faults >> F_BILAT) & 1;
    double t_r0 = g->t;
    g_set_work(g, w);
    g_rise(g, rp->rise_s, rp->top);
    double t_top = g->t;
    double t_desc;
    double lift_end = t_top;
    if (!bil) {
        double ls = t_top + sy_range(r, -0.15, 0.15);
        if (ls < t_r0 + 0.3)
            ls = t_r0 + 0.3;
        lift_end = ls + rp->lift_s;
        sy_fplan_add(&g->me->plan[o], ls, lift_end, rp->air, sy_range(r, 15, 40));
        t_desc = fmax(t_top + rp->top_s, lift_end + sy_range(r, 0.05, 0.3));
    } else {
        t_desc = t_top + rp->top_s;
    }
    g_hold(g, t_desc - g->t);
    if (g->sc->nplan < 128) {
        g->sc->plan_t[g->sc->nplan] = t_desc;
        g->sc->plan_f[g->sc->nplan++] = rp->faults;
    }
    for (int f = 0; f < 2; f++) {
        sy_track_add(&g->me->h[f], g->t, g->t + rp->desc_s, g->h[f], rp->bottom, rp->desc_shape);
        sy_track_last(&g->me->h[f])->p[0] = rp->desc_ramp;
        sy_track_last(&g->me->h[f])->p[1] = rp->desc_ramp_end;
    }
    g->h[0] = g->h[1] = rp->bottom;
    g->t += rp->desc_s;
    double t_bot = g->t;
    g->fast_turn = rp->nb < 0;
    if (rp->nb > 0) {
        double start = sy_range(r, 0.3, 0.45); /* both feet bounce together */
        for (int f = 0; f < 2; f++) {
            sy_track_add(&g->me->h[f], g->t, g->t + rp->hold_s, rp->bottom, rp->bottom,
                         SY_EASE_BOUNCE);
            sy_seg *sg = sy_track_last(&g->me->h[f]);
            sg->p[0] = rp->nb;
            sg->p[1] = rp->b_amp;
            sg->p[2] = start;
            sg->p[3] = rp->b_dur;
        }
        g->t += rp->hold_s;
    } else if (rp->hold_s > 0) {
        g_hold(g, rp->hold_s);
    }
    if (!bil) {
        double b0 = g->t, b1 = g->t + rp->back_s;
        if ((rp->faults >> F_NOHOLD) & 1 && rp->bottom < 0) {
            /* the foot comes back while still going down: no time at the bottom */
            b1 = t_bot + 0.03;
            b0 = b1 - rp->back_s;
            if (b0 < lift_end + 0.05)
                b0 = lift_end + 0.05;
            if (b1 < b0 + 0.2)
                b1 = b0 + 0.2;
        }
        sy_place st = place_step();
        sy_fplan_add(&g->me->plan[o], b0, b1, st, sy_range(r, 10, 30));
        if (b1 > g->t)
            g_hold(g, b1 - g->t);
    }
    if ((rp->faults >> F_UNCERT) & 1 && !g->edge_cut) {
        double span = sy_range(r, 0.6, 1.4);
        double mid = sy_range(r, t_bot - 0.4 * rp->desc_s, g->t + 0.3);
        if (mid - span * 0.5 < t_desc + 0.2)
            mid = t_desc + 0.2 + span * 0.5;
        g_occluder(g, mid - span * 0.5, mid + span * 0.5, 1);
    }
}

static void g_set(gen *g, set_plan *sp, rep_plan *reps, int n, double end_reserve)
{
    sy_rng *r = g->r;
    sy_track_add(&g->me->reach_k, g->t, g->t + 1.0, sy_track_endv(&g->me->reach_k), sp->reach_k,
                 SY_EASE_SMOOTH);
    int done = 0;
    for (int i = 0; i < n; i++) {
        /* a forced clip length may not hold every planned rep */
        if (done >= 2 && g->t + rep_time(&reps[i]) + end_reserve > g->tmax &&
            g->s->opts.duration_s > 0)
            break;
        g_rep(g, &reps[i]);
        for (int k = 0; k < HD_WARN_COUNT; k++)
            if ((reps[i].faults >> k) & 1)
                g->sc->planned_faults[k]++;
        done++;
    }
    /* final rise on two feet, then back down to standing */
    g_rise(g, sy_range(r, 0.7, 1.4), sp->top * sy_range(r, 0.95, 1.05));
    g_hold(g, sy_range(r, 0.3, 1.0));
    g_move(g, sy_range(r, 0.8, 2.0), g->rest, SY_EASE_SMOOTH, 0);
    g->sc->planned_reps += done;
}

static void new_set(gen *g, set_plan *sp, int foot_mode)
{
    sy_rng *r = g->r;
    memset(sp, 0, sizeof(*sp));
    sp->foot_mode = foot_mode;
    sp->top = sy_range(r, 60, 110);
    sp->bottom = g->edge_cut ? g->cut_y + sy_range(r, 8, 20) : -sy_range(r, 20, 90);
    sp->tempo = sy_range(r, 3.0, 6.0);
    /* knee straight (gastrocnemius) or bent about 45 deg (soleus); reach_k scales the
     * hip-to-ankle distance of the clip's usual stance */
    sp->reach_k = sy_chance(r, 0.2) ? sy_range(r, 0.93, 0.95) : 1.0;
    sp->nreps = 3 + sy_int(r, 9);
}

/* ---- whole scenarios --------------------------------------------------------------- */

/* Whether fault k may join a rep that already has faults f (idx_in_set, set size n,
 * partial reps already in the set np). */
static int fault_fits(unsigned f, int k, int n, int np)
{
    unsigned b = 1u << k;
    if (f & b)
        return 0;
    int cnt = 0;
    for (int i = 0; i < HD_WARN_COUNT; i++)
        cnt += (f >> i) & 1;
    if (cnt >= 3)
        return 0;
    unsigned hold_kinds = (1u << F_LONG) | (1u << F_BOUNCE);
    if (k == F_NOHOLD && (f & hold_kinds))
        return 0;
    if ((b & hold_kinds) && (f & (1u << F_NOHOLD)))
        return 0;
    /* partial is measured against the set's median top: most reps must be full */
    if (k == F_PARTIAL && (np + 1) * 2 >= n)
        return 0;
    return 1;
}

#define SY_MAX_PLAN 96

static void g_exercise(gen *g, int sample)
{
    sy_rng *r = g->r;
    sy_script *sc = g->sc;
    strcpy(sc->name, sample ? "sample" : "exercise");
    int foot = sy_int(r, 2);
    g_set_work(g, foot);
    if (!sample && sy_chance(r, 0.35)) {
        /* start standing below, then step on */
        sy_place low = place_lower(g);
        g->me->plan[0].start = low;
        g->me->plan[1].start = low;
        g->me->plan[1].start.pos -= sy_range(r, 0, 50);
        g_hold(g, sy_range(r, 0.5, 2.0));
        g_step_feet(g, 0);
    }
    g_rest(g, sample ? 1.0 : sy_range(r, 1.0, 3.5));
    const double end_reserve = 7.0;
    /* plan the sets and their reps (without faults) within the time budget */
    set_plan sets[SY_MAX_SETS];
    rep_plan reps[SY_MAX_PLAN];
    int set_of[SY_MAX_PLAN], first[SY_MAX_SETS + 1];
    double rests[SY_MAX_SETS];
    int nsets = 0, nreps = 0;
    double t = g->t;
    while (nsets < SY_MAX_SETS && nreps < SY_MAX_PLAN) {
        set_plan *sp = &sets[nsets];
        int mode =
            g->edge_cut ? foot : (sy_chance(r, 0.1) ? 2 : (nsets == 0 ? foot : sy_int(r, 2)));
        new_set(g, sp, mode);
        if (sample) {
            sp->nreps = 6;
            sp->foot_mode = foot;
        }
        first[nsets] = nreps;
        int n = 0;
        while (n < 15 && nreps < SY_MAX_PLAN) {
            /* after the set's planned size, go on only when no other set would fit */
            double rest_next = 8.5 + 3 * 8.0 + 5.0;
            if (n >= sp->nreps && (sample || t + 5.0 + rest_next + end_reserve <= g->tmax))
                break;
            rep_base(g, sp, n, &reps[nreps]);
            if (sample) {
                /* the bundled sample: six brisk reps in about half a minute */
                rep_plan *rp = &reps[nreps];
                rp->rise_s = sy_range(r, 0.7, 0.9);
                rp->top_s = sy_range(r, 0.3, 0.5);
                rp->lift_s = sy_range(r, 0.3, 0.4);
                rp->back_s = sy_range(r, 0.3, 0.4);
                rp->hold_s = sy_range(r, 0.7, 1.1);
                rp->desc_s = sy_range(r, 3.1, 3.5);
                rp->desc_shape = SY_EASE_TRAP;
                rp->desc_ramp = sy_range(r, 0.3, 0.5) / rp->desc_s;
                rp->desc_ramp_end = sy_range(r, 0.25, 0.4) / rp->desc_s;
            }
            double need = rep_time(&reps[nreps]);
            if (n >= 3 && t + need + 5.0 + end_reserve > g->tmax && !sample)
                break;
            set_of[nreps++] = nsets;
            t += need;
            n++;
        }
        sp->nreps = n;
        t += 5.0; /* final rise and lowering */
        rests[nsets] = sy_range(r, 8.5, 18.0);
        nsets++;
        if (sample || t + rests[nsets - 1] + 3 * 8.0 + 5.0 + end_reserve > g->tmax)
            break;
        t += rests[nsets - 1];
    }
    first[nsets] = nreps;
    /* deal the faults: every kind about once per clip (more in messy clips), so that a
     * batch of clips has plenty of each warning; clean clips get few */
    int deck[64], nd = 0;
    double u = sy_uni(r);
    if (sample) {
        deck[nd++] = sy_int(r, HD_WARN_COUNT);
        if (sy_chance(r, 0.5))
            deck[nd++] = sy_int(r, HD_WARN_COUNT);
    } else if (u < 0.12) {
        int k = sy_int(r, 3);
        for (int i = 0; i < k; i++)
            deck[nd++] = sy_int(r, HD_WARN_COUNT);
    } else {
        /* the kinds the engine sees less readily get more extra cards */
        const double xw[HD_WARN_COUNT] = {0.9, 1.0, 0.7, 2.2, 1.5, 1.2, 0.8};
        for (int k = 0; k < HD_WARN_COUNT; k++)
            deck[nd++] = k;
        int extra = u < 0.7 ? 1 + sy_int(r, 2) : 2 + sy_int(r, 4);
        for (int i = 0; i < extra; i++)
            deck[nd++] = sy_pick(r, xw, HD_WARN_COUNT);
    }
    for (int i = nd - 1; i > 0; i--) {
        int j = sy_int(r, i + 1), tmp = deck[i];
        deck[i] = deck[j];
        deck[j] = tmp;
    }
    unsigned fl[SY_MAX_PLAN];
    memset(fl, 0, sizeof(fl));
    for (int c = 0; c < nd && nreps > 0; c++) {
        for (int tries = 0; tries < 30; tries++) {
            int i = sy_int(r, nreps), st = set_of[i];
            int np = 0;
            for (int j = first[st]; j < first[st + 1]; j++)
                np += (fl[j] >> F_PARTIAL) & 1;
            if (fault_fits(fl[i], deck[c], sets[st].nreps, np)) {
                fl[i] |= 1u << deck[c];
                break;
            }
        }
    }
    for (int i = 0; i < nreps; i++)
        rep_faults(g, &sets[set_of[i]], &reps[i], fl[i]);
    /* write it all */
    for (int k = 0; k < nsets; k++) {
        sc->set_foot[sc->nsets++] = sets[k].foot_mode;
        g_set(g, &sets[k], reps + first[k], first[k + 1] - first[k], end_reserve);
        if (k + 1 < nsets) {
            g_rest_ex(g, rests[k], 1);
            g_set_work(g, sets[k + 1].foot_mode & 1);
        }
    }
    if (sample) {
        g_rest(g, 1.5);
        return;
    }
    g_rest(g, sy_range(r, 0.8, 2.5));
    g_step_feet(g, 1);
    g_hold(g, sy_range(r, 0.8, 2.0));
}

static void g_stand(gen *g)
{
    strcpy(g->sc->name, "stand");
    g_rest(g, g->tmax);
}

static void g_stepoff(gen *g)
{
    sy_rng *r = g->r;
    strcpy(g->sc->name, "stepoff");
    g_rest(g, sy_range(r, 2, 6));
    while (g->t < g->tmax - 10) {
        g_step_feet(g, 1);
        g_hold(g, sy_range(r, 2, 8));
        g_step_feet(g, 0);
        g_rest(g, sy_range(r, 2, 8));
    }
    if (g->t < g->tmax)
        g_rest(g, g->tmax - g->t);
}

static void g_stretch(gen *g)
{
    sy_rng *r = g->r;
    strcpy(g->sc->name, "stretch");
    g_rest(g, sy_range(r, 3, 8));
    double depth = -sy_range(r, 30, 60);
    g_move(g, sy_range(r, 2, 4), depth, SY_EASE_SMOOTH, 0);
    g_hold(g, sy_range(r, 10, 30));
    g_move(g, sy_range(r, 2, 4), g->rest, SY_EASE_SMOOTH, 0);
    if (g->t < g->tmax)
        g_rest(g, fmax(2.0, g->tmax - g->t));
}

/* Someone walks past in front of the stairs; nobody uses the step. */
static void g_walk(gen *g)
{
    sy_rng *r = g->r;
    sy_script *sc = g->sc;
    hd_synth *s = g->s;
    strcpy(sc->name, "walk");
    sc->me.present = 0;
    sy_person_track *wk = &sc->walker;
    wk->present = 1;
    wk->z[0] = s->scene.z_side - sy_range(r, 150, 500);
    wk->z[1] = wk->z[0] + sy_range(r, 150, 220);
    wk->reach = (s->scene.walker.thigh_len + s->scene.walker.shank_len) * 0.95;
    wk->pelvis_abs = 1;
    double far = 3500;
    int dir = sy_chance(r, 0.5) ? 1 : -1;
    double x = -dir * far;
    double t = sy_range(r, 1.0, 5.0);
    wk->facing = dir;
    sy_track_add(&wk->pelvis_dx, 0, t, x, x, SY_EASE_HOLD);
    for (int f = 0; f < 2; f++) {
        wk->plan[f].start.kind = SY_PLACE_FLOOR;
        wk->plan[f].start.pos = x - dir * 100 * f;
        sy_track_add(&wk->h[f], 0, 1, 0, 0, SY_EASE_HOLD);
    }
    while (t < g->tmax - 4) {
        double v = sy_range(r, 700, 1400), step = sy_range(r, 550, 750);
        double dist = 2 * far, dur = dist / v;
        double T = 2 * step / v; /* gait cycle */
        /* each foot swings once per cycle, shifted by half a cycle */
        for (int f = 0; f < 2; f++) {
            double pos = x + dir * (f == 0 ? 0.3 : -0.2) * step;
            double ts = t + (f == 0 ? 0.0 : 0.5 * T);
            while (ts < t + dur) {
                sy_place to;
                memset(&to, 0, sizeof(to));
                to.kind = SY_PLACE_FLOOR;
                double sw = 0.4 * T;
                to.pos = x + dir * v * (ts + sw - t) + dir * 0.35 * step;
                sy_fplan_add(&wk->plan[f], ts, ts + sw, to, sy_range(r, 30, 70));
                pos = to.pos;
                ts += T;
            }
            (void)pos;
        }
        sy_track_add(&wk->pelvis_dx, t, t + dur, x, x + dir * dist, SY_EASE_LINEAR);
        x += dir * dist;
        t += dur + sy_range(r, 1.0, 6.0);
        sy_track_add(&wk->pelvis_dx, sy_track_end(&wk->pelvis_dx), t, x, x, SY_EASE_HOLD);
        /* the next pass starts again from the first side (one facing per clip): feet
         * and pelvis jump there together while out of sight */
        x = -dir * far;
        sy_track_add(&wk->pelvis_dx, t, t, x, x, SY_EASE_HOLD);
        for (int f = 0; f < 2; f++) {
            sy_place to;
            memset(&to, 0, sizeof(to));
            to.kind = SY_PLACE_FLOOR;
            to.pos = x - dir * 100 * f;
            sy_fplan_add(&wk->plan[f], t, t, to, 0);
        }
        t += 0.5;
    }
    g->t = g->tmax;
}

int sy_script_generate(hd_synth *s, sy_rng *r)
{
    sy_script *sc = &s->script;
    memset(sc, 0, sizeof(*sc));
    sc->edge_cut_y = -1e9;
    sc->mirror = sy_int(r, 2);
    gen g;
    memset(&g, 0, sizeof(g));
    g.s = s;
    g.r = r;
    g.sc = sc;
    g.me = &sc->me;
    g.P = &s->scene.person;
    sy_person_track *me = &sc->me;
    me->present = 1;
    me->facing = 1;
    me->z[0] = 0.0;
    me->z[1] = sy_range(r, 120, 250);
    me->spot[0] = sy_range(r, 0, 25);
    me->spot[1] = sy_range(r, 0, 25);
    me->reach = (g.P->thigh_len + g.P->shank_len) * sy_range(r, 0.993, 0.999);
    me->lean = sy_range(r, -20, 50);
    me->sway_amp = sy_range(r, 3, 15);
    me->heel_sway = sy_range(r, 0.3, 1.2);
    me->sway_seed = (uint32_t)sy_next(r);
    sy_track_add(&me->reach_k, 0, 0, 1, 1, SY_EASE_HOLD);
    g.rest = sy_range(r, -6, 3);
    g.h[0] = g.h[1] = g.rest;
    const hd_synth_opts *o = &s->opts;
    const char *name = o->scenario && o->scenario[0] ? o->scenario : NULL;
    int kind = s->info.kind;
    double dur = o->duration_s > 0
                     ? o->duration_s
                     : (sy_chance(r, 0.2) ? sy_range(r, 20, 50) : sy_range(r, 55, 90));
    if (name && !strcmp(name, "sample") && o->duration_s <= 0)
        dur = 30;
    if (name && !strcmp(name, "good3") && o->duration_s <= 0)
        dur = 30;
    g.tmax = dur;
    for (int f = 0; f < 2; f++)
        me->plan[f].start = place_step();
    if (kind == HD_SYNTH_EXERCISE && !name && sy_chance(r, 0.12)) {
        g.edge_cut = 1;
        g.cut_y = -sy_range(r, 30, 60);
    }
    if (name && !strcmp(name, "good3")) {
        strcpy(sc->name, "good3");
        g_set_work(&g, 0);
        g_rest(&g, 3.0);
        set_plan sp;
        rep_plan rp[3];
        new_set(&g, &sp, 0);
        sp.nreps = 3;
        sp.tempo = 4.0;
        sp.reach_k = 1.0;
        for (int i = 0; i < 3; i++) {
            rep_base(&g, &sp, i, &rp[i]);
            rep_faults(&g, &sp, &rp[i], 0);
        }
        sc->set_foot[sc->nsets++] = 0;
        g.tmax = 1e9;
        g_set(&g, &sp, rp, 3, 0);
        g_rest(&g, 3.0);
    } else if (name && !strcmp(name, "sample")) {
        g_exercise(&g, 1);
    } else if (kind == HD_SYNTH_NOEXERCISE || (name && strcmp(name, "exercise"))) {
        int which;
        if (name && !strcmp(name, "stand"))
            which = 0;
        else if (name && !strcmp(name, "stepoff"))
            which = 1;
        else if (name && !strcmp(name, "walk"))
            which = 2;
        else if (name && !strcmp(name, "stretch"))
            which = 3;
        else if (name)
            return -1;
        else
            which = sy_int(r, 4);
        g_set_work(&g, sy_int(r, 2));
        switch (which) {
        case 0:
            g_stand(&g);
            break;
        case 1:
            g_stepoff(&g);
            break;
        case 2:
            g_walk(&g);
            break;
        default:
            g_stretch(&g);
            break;
        }
        s->info.kind = HD_SYNTH_NOEXERCISE;
    } else {
        g_exercise(&g, 0);
        s->info.kind = HD_SYNTH_EXERCISE;
    }
    sc->duration = o->duration_s > 0 ? o->duration_s : g.t;
    if (g.t < sc->duration)
        g_hold(&g, sc->duration - g.t);
    /* the working foot for the frame-edge cut */
    if (g.edge_cut) {
        int wk = (int)sy_track_eval(&sc->work, sc->duration * 0.5) & 1;
        sy_foot_pose fp;
        sy_step_pose(g.P, me->spot[wk], g.cut_y, &fp, NULL);
        double hx, hy;
        sy_heel_point(g.P, &fp, &hx, &hy, NULL);
        sc->edge_cut_x = hx;
        sc->edge_cut_y = hy;
    }
    /* a lamp switched on or off */
    if (sy_chance(r, 0.25) && sc->duration > 6) {
        double t0 = sy_range(r, 2, sc->duration - 3), d = sy_range(r, 0.2, 2.0);
        double k = sy_range(r, 1.3, 1.6);
        if (sy_chance(r, 0.5))
            k = 1.0 / k;
        sy_track_add(&sc->gain, 0, t0, 1, 1, SY_EASE_HOLD);
        sy_track_add(&sc->gain, t0, t0 + d, 1, k, SY_EASE_SMOOTH);
    }
    /* a passing distractor that does not hide the heel */
    if (sy_chance(r, 0.2) && sc->duration > 8)
        g_occluder(&g, sy_range(r, 2, sc->duration - 4), 0, 0);
    return 0;
}

/* ---- occluder placement ---------------------------------------------------------- */

void sy_script_place_occluders(hd_synth *s, sy_rng *r)
{
    sy_script *sc = &s->script;
    const sy_cam *c = &s->cam;
    for (int i = 0; i < sc->nocc; i++) {
        sy_occ *o = &sc->occ[i];
        o->z = s->scene.z_side - sy_range(r, 40, 260);
        if (o->z < c->pos.z + 300)
            o->z = c->pos.z + 300;
        /* line of sight to the working heel over the cover interval */
        double ymin = 1e9, ymax = -1e9, xs = 0;
        int n = 0;
        double tc0 = o->tc0, tc1 = o->cover ? o->tc1 : o->tc0 + 1.0;
        for (double t = tc0; t <= tc1 + 1e-9; t += 0.05) {
            sy_state st;
            sy_state_eval(s, t, &st);
            int w = st.work;
            double hx, hy;
            sy_heel_point(&s->scene.person, &st.foot[w], &hx, &hy, NULL);
            double k = (o->z - c->pos.z) / (sc->me.z[w] - c->pos.z);
            double lx = c->pos.x + (hx - c->pos.x) * k, ly = c->pos.y + (hy - c->pos.y) * k;
            xs += lx;
            n++;
            if (ly < ymin)
                ymin = ly;
            if (ly > ymax)
                ymax = ly;
        }
        xs /= n > 0 ? n : 1;
        double cover = tc1 - tc0;
        switch (o->kind) {
        case SY_OCC_TOWEL: {
            o->w = sy_range(r, 250, 420);
            o->h = sy_range(r, 500, 800);
            double bottom = ymin - sy_range(r, 30, 80);
            double cy = bottom + o->h * 0.5;
            if (!o->cover)
                cy += (ymax - ymin) + sy_range(r, 150, 250);
            o->pm[0] = xs + sy_range(r, -0.2, 0.2) * o->w;
            o->pm[1] = cy;
            o->p0[0] = o->pm[0] + sy_range(r, -100, 100);
            o->p0[1] = cy + 1200;
            o->p1[0] = o->pm[0] + sy_range(r, -100, 100);
            o->p1[1] = cy + 1200;
            o->t0 = tc0 - sy_range(r, 0.35, 0.6);
            o->tm0 = tc0 + 0.05;
            o->tm1 = tc1 - 0.05;
            if (o->tm1 < o->tm0)
                o->tm1 = o->tm0;
            o->t1 = tc1 + sy_range(r, 0.35, 0.6);
            break;
        }
        default: {
            o->w = o->kind == SY_OCC_BAG ? sy_range(r, 300, 450) : sy_range(r, 320, 500);
            o->h = o->kind == SY_OCC_BAG ? sy_range(r, 250, 380) : sy_range(r, 250, 400);
            if (o->h < (ymax - ymin) + 120)
                o->h = (ymax - ymin) + 120;
            double cy = 0.5 * (ymin + ymax) + sy_range(r, -0.15, 0.15) * o->h;
            if (!o->cover)
                cy = ymax + o->h * 0.5 + sy_range(r, 120, 300);
            double v = (o->w + 30) / (cover > 0.3 ? cover : 0.3);
            double dir = sy_chance(r, 0.5) ? 1 : -1;
            double tm = 0.5 * (tc0 + tc1);
            double run = 3.0;
            o->pm[0] = xs;
            o->pm[1] = cy;
            o->p0[0] = xs - dir * v * run;
            o->p0[1] = cy + sy_range(r, -20, 20);
            o->p1[0] = xs + dir * v * run;
            o->p1[1] = cy + sy_range(r, -20, 20);
            o->t0 = tm - run;
            o->tm0 = o->tm1 = tm;
            o->t1 = tm + run;
            break;
        }
        }
    }
}
