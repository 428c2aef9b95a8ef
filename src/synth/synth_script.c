/* synth_script.c - the scenario: what the person does over time.
 *
 * The scenario is a set of tracks (heel height per foot, working foot, light gain) and
 * foot plans (where each foot stands, and swings between places). sy_state_eval() turns
 * them into poses at any time t: feet, then pelvis (from the supporting feet), then knees
 * by two-bone inverse kinematics. Rep times are never written from here into the truth:
 * the truth reps come from the rep engine fed with the heel signal. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth/synth_priv.h"

/* ---- tracks ------------------------------------------------------------------------- */

void sy_track_free(sy_track *t)
{
    free(t->seg);
    memset(t, 0, sizeof(*t));
}

int sy_track_add(sy_track *t, double t0, double t1, double v0, double v1, int shape)
{
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 32;
        sy_seg *s = realloc(t->seg, (size_t)cap * sizeof(*s));
        if (!s)
            return -1;
        t->seg = s;
        t->cap = cap;
    }
    sy_seg *s = &t->seg[t->n++];
    memset(s, 0, sizeof(*s));
    s->t0 = t0;
    s->t1 = t1 > t0 ? t1 : t0 + 1e-6;
    s->v0 = v0;
    s->v1 = v1;
    s->shape = shape;
    return 0;
}

sy_seg *sy_track_last(sy_track *t)
{
    return t->n ? &t->seg[t->n - 1] : NULL;
}

double sy_track_end(const sy_track *t)
{
    return t->n ? t->seg[t->n - 1].t1 : 0.0;
}

double sy_track_endv(const sy_track *t)
{
    return t->n ? t->seg[t->n - 1].v1 : 0.0;
}

/* Integral of smoothstep from 0 to x (x in 0..1). */
static double smooth_int(double x)
{
    return x * x * x - 0.5 * x * x * x * x;
}

double sy_ease(int shape, const double *p, double u)
{
    if (u <= 0)
        return 0;
    if (u >= 1)
        return 1;
    switch (shape) {
    case SY_EASE_LINEAR:
        return u;
    case SY_EASE_SMOOTH:
        return u * u * (3 - 2 * u);
    case SY_EASE_MINJERK:
        return u * u * u * (10 + u * (-15 + 6 * u));
    case SY_EASE_TRAP: {
        /* constant speed with smooth speed ramps: share p[0] at the start, p[1] at the
         * end (p[1] == 0: the same as the start) */
        double r0 = p[0] > 0.01 ? (p[0] < 0.5 ? p[0] : 0.5) : 0.01;
        double r1 = p[1] > 0.0 ? (p[1] > 0.01 ? (p[1] < 0.5 ? p[1] : 0.5) : 0.01) : r0;
        double vmax = 1.0 / (1.0 - 0.5 * (r0 + r1));
        if (u < r0)
            return vmax * r0 * smooth_int(u / r0);
        if (u > 1 - r1)
            return 1.0 - vmax * r1 * smooth_int((1 - u) / r1);
        return vmax * (0.5 * r0 + (u - r0));
    }
    default:
        return u;
    }
}

double sy_track_eval(const sy_track *tr, double t)
{
    if (!tr->n)
        return 0.0;
    if (t <= tr->seg[0].t0)
        return tr->seg[0].v0;
    int lo = 0, hi = tr->n - 1;
    while (lo < hi) { /* last segment with t0 <= t */
        int mid = (lo + hi + 1) / 2;
        if (tr->seg[mid].t0 <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    const sy_seg *s = &tr->seg[lo];
    if (t >= s->t1)
        return s->v1;
    double u = (t - s->t0) / (s->t1 - s->t0);
    if (s->shape == SY_EASE_HOLD)
        return s->v0;
    if (s->shape == SY_EASE_BOUNCE) {
        /* p: bounces, amplitude, start offset (s), duration of each (s) */
        double v = s->v0, tt = t - s->t0 - s->p[2];
        int nb = (int)s->p[0];
        if (tt > 0 && tt < nb * s->p[3]) {
            double ph = fmod(tt, s->p[3]) / s->p[3];
            double sn = sin(SY_PI * ph);
            v += s->p[1] * sn * sn;
        }
        return v;
    }
    return s->v0 + (s->v1 - s->v0) * sy_ease(s->shape, s->p, u);
}

/* ---- foot plans ------------------------------------------------------------------- */

void sy_fplan_free(sy_fplan *p)
{
    free(p->st);
    memset(p, 0, sizeof(*p));
}

int sy_fplan_add(sy_fplan *p, double t0, double t1, sy_place to, double arc)
{
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 16;
        sy_fstep *s = realloc(p->st, (size_t)cap * sizeof(*s));
        if (!s)
            return -1;
        p->st = s;
        p->cap = cap;
    }
    sy_fstep *s = &p->st[p->n++];
    s->t0 = t0;
    s->t1 = t1;
    s->to = to;
    s->arc = arc;
    return 0;
}

void sy_script_free(sy_script *sc)
{
    sy_person_track *pt[2] = {&sc->me, &sc->walker};
    for (int k = 0; k < 2; k++) {
        for (int f = 0; f < 2; f++) {
            sy_track_free(&pt[k]->h[f]);
            sy_fplan_free(&pt[k]->plan[f]);
        }
        sy_track_free(&pt[k]->pelvis_dx);
        sy_track_free(&pt[k]->reach_k);
    }
    sy_track_free(&sc->work);
    sy_track_free(&sc->gain);
}

/* ---- state evaluation ----------------------------------------------------------- */

static void place_pose(const hd_synth *s, const sy_person *P, const sy_person_track *pt, int f,
                       const sy_place *pl, double h, sy_foot_pose *out)
{
    switch (pl->kind) {
    case SY_PLACE_STEP:
        sy_step_pose(P, pt->spot[f], h, out, NULL);
        break;
    case SY_PLACE_AIR:
        sy_step_pose(P, pt->spot[f], 0.0, out, NULL);
        out->bx -= pl->pos;
        out->by += pl->up;
        out->rot_f = -pl->rot;
        out->rot_r = -pl->rot - pl->rear;
        out->on_step = 0;
        break;
    case SY_PLACE_LOWER:
        memset(out, 0, sizeof(*out));
        out->present = 1;
        out->bx = pl->pos;
        out->by = -s->scene.riser;
        break;
    default:
        memset(out, 0, sizeof(*out));
        out->present = 1;
        out->bx = pl->pos;
        out->by = s->scene.y_floor;
        break;
    }
    out->facing = pt->facing;
}

/* Pose of foot f at time t; *weight: how much it carries the body (0..1). */
static void foot_eval(const hd_synth *s, const sy_person *P, const sy_person_track *pt, int f,
                      double t, sy_foot_pose *out, double *weight)
{
    const sy_fplan *pl = &pt->plan[f];
    double h = sy_track_eval(&pt->h[f], t);
    if (pt->sway_amp > 0)
        h += pt->heel_sway * sy_noise1(pt->sway_seed + 17U * (uint32_t)(f + 1), t * 0.45);
    sy_place cur = pl->start;
    for (int i = 0; i < pl->n; i++) {
        const sy_fstep *st = &pl->st[i];
        if (t >= st->t1) {
            cur = st->to;
            continue;
        }
        if (t > st->t0) {
            /* swinging from cur to st->to */
            double u = (t - st->t0) / (st->t1 - st->t0);
            double e = sy_ease(SY_EASE_MINJERK, NULL, u), ex = e, ey = e;
            sy_foot_pose a, b;
            place_pose(s, P, pt, f, &cur, h, &a);
            place_pose(s, P, pt, f, &st->to, h, &b);
            double toe = -0.25 * sin(SY_PI * u) * (st->arc > 0 ? 1 : 0);
            if (cur.kind != SY_PLACE_AIR && st->to.kind != SY_PLACE_AIR &&
                fabs(b.by - a.by) > 20.0) {
                /* stepping up or down a level: up goes up first, down goes back first,
                 * toes raised so the heel stays below the ball (no heel "top") */
                double fast = 1.0 - (1.0 - u) * (1.0 - u) * (1.0 - u), slow = u * u * u;
                fast = fast * fast * (3 - 2 * fast);
                ex = b.by > a.by ? slow * 0.6 + e * 0.4 : fast;
                ey = b.by > a.by ? fast : slow * 0.6 + e * 0.4;
                toe = 0.22 * sin(SY_PI * u);
            }
            *out = a;
            out->bx = a.bx + (b.bx - a.bx) * ex;
            out->by = a.by + (b.by - a.by) * ey + st->arc * sin(SY_PI * u);
            out->rot_f = a.rot_f + (b.rot_f - a.rot_f) * e + toe;
            out->rot_r = a.rot_r + (b.rot_r - a.rot_r) * e + toe * 0.6;
            out->on_step = 0;
            double w = 0;
            if (cur.kind != SY_PLACE_AIR && u < 0.25)
                w += 1.0 - u / 0.25;
            if (st->to.kind != SY_PLACE_AIR && u > 0.75)
                w += (u - 0.75) / 0.25;
            *weight = w;
            return;
        }
        break;
    }
    place_pose(s, P, pt, f, &cur, h, out);
    *weight = cur.kind == SY_PLACE_AIR ? 0.0 : 1.0;
}

/* Knee by two-bone IK in the leg's plane, bending towards the toes. */
static sy_v3 solve_knee(sy_v3 hip, sy_v3 ank, double l1, double l2, int facing)
{
    double dx = hip.x - ank.x, dy = hip.y - ank.y;
    double d = sqrt(dx * dx + dy * dy);
    if (d < 1e-6)
        return sy_v3_make(ank.x, ank.y + l2, ank.z);
    double ux = dx / d, uy = dy / d;
    if (d >= l1 + l2 - 1e-6)
        return sy_v3_make(ank.x + ux * l2, ank.y + uy * l2, ank.z);
    double ca = (l2 * l2 + d * d - l1 * l1) / (2 * l2 * d);
    if (ca > 1)
        ca = 1;
    if (ca < -1)
        ca = -1;
    double a = acos(ca);
    /* rotate (ux, uy) so the knee goes forward (towards facing) */
    double sgn = facing > 0 ? -1.0 : 1.0;
    double c = cos(a), sn = sin(a) * sgn;
    double kx = ux * c - uy * sn, ky = ux * sn + uy * c;
    return sy_v3_make(ank.x + kx * l2, ank.y + ky * l2, ank.z);
}

static void person_eval(const hd_synth *s, const sy_person *P, const sy_person_track *pt, double t,
                        sy_foot_pose foot[2], sy_v3 hip[2], sy_v3 knee[2], sy_v3 ankle[2])
{
    double w[2], ax[2], ay[2];
    for (int f = 0; f < 2; f++) {
        foot_eval(s, P, pt, f, t, &foot[f], &w[f]);
        foot[f].present = pt->present;
        sy_foot_point(P, &foot[f], P->ankle_x, P->ankle_h, &ax[f], &ay[f]);
        ankle[f] = sy_v3_make(ax[f], ay[f], pt->z[f]);
    }
    double reach = pt->reach * (pt->reach_k.n ? sy_track_eval(&pt->reach_k, t) : 1.0);
    double wsum = w[0] + w[1];
    double px;
    if (pt->pelvis_abs) {
        px = sy_track_eval(&pt->pelvis_dx, t);
    } else {
        if (wsum > 1e-6)
            px = (w[0] * foot[0].bx + w[1] * foot[1].bx) / wsum;
        else
            px = 0.5 * (foot[0].bx + foot[1].bx);
        px += pt->lean * pt->facing + sy_track_eval(&pt->pelvis_dx, t);
        px += pt->sway_amp * sy_noise1(pt->sway_seed, t * 0.3);
    }
    /* pelvis height: a soft minimum over the supporting legs' reach */
    double tg[2], m = 1e30;
    for (int f = 0; f < 2; f++) {
        double dx = px - ax[f];
        double q = reach * reach - dx * dx;
        if (q < 0.25 * reach * reach)
            q = 0.25 * reach * reach;
        tg[f] = ay[f] + sqrt(q);
        if (tg[f] < m)
            m = tg[f];
    }
    double ww[2] = {w[0], w[1]};
    if (wsum < 1e-6) {
        ww[0] = ww[1] = 1.0;
        wsum = 2.0;
    }
    const double k = 12.0;
    double acc = 0;
    for (int f = 0; f < 2; f++)
        acc += ww[f] * exp(-(tg[f] - m) / k);
    double py = m - k * log(acc / wsum);
    if (pt->pelvis_abs) {
        /* a walker: the pelvis keeps its height with a small bob; a trailing leg that
         * cannot reach is drawn straight */
        py = s->scene.y_floor + P->ankle_h + reach * 0.985 + 12.0 * cos(px / 180.0);
    }
    for (int f = 0; f < 2; f++) {
        hip[f] = sy_v3_make(px, py, pt->z[f]);
        knee[f] = solve_knee(hip[f], ankle[f], P->thigh_len, P->shank_len, pt->facing);
    }
}

void sy_state_eval(const hd_synth *s, double t, sy_state *st)
{
    memset(st, 0, sizeof(*st));
    st->t = t;
    const sy_script *sc = &s->script;
    if (sc->me.present)
        person_eval(s, &s->scene.person, &sc->me, t, st->foot, st->hip, st->knee, st->ankle);
    if (sc->walker.present)
        person_eval(s, &s->scene.walker, &sc->walker, t, st->wfoot, st->whip, st->wknee,
                    st->wankle);
    st->work = ((int)lround(sy_track_eval(&sc->work, t))) & 1;
    st->gain = sc->gain.n ? sy_track_eval(&sc->gain, t) : 1.0;
}
