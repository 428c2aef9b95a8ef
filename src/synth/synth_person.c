/* synth_person.c - the person's feet and legs: sizes, the shoe or foot outline, colours
 * and fabrics, and the foot kinematics of the heel drop.
 *
 * Kinematics (PROTOCOL.md, the generator brief): the toes stay flat on the tread; the
 * rear foot is rigid. With the heel up (theta > 0) it turns about the ball, which sits a
 * little inside the nosing; with the heel below step level (theta < 0) the sole rests on
 * the nosing corner (X = 0, Y = 0) and turns about it. heel_mm is the Y of the heel's
 * bottom point, r_heel from the ball along the sole. */
#include <math.h>
#include <string.h>

#include "synth/synth_priv.h"

/* ---- kinematics ------------------------------------------------------------------ */

void sy_step_pose(const sy_person *p, double spot, double h, sy_foot_pose *out, double *theta)
{
    double rh = p->r_heel, th;
    memset(out, 0, sizeof(*out));
    out->facing = 1;
    out->on_step = 1;
    out->present = 1;
    if (h >= 0) {
        double s = h / rh;
        if (s > 0.97)
            s = 0.97;
        th = asin(s);
        out->bx = spot;
        out->by = 0;
        out->rot_f = 0;
        out->rot_r = -th;
    } else {
        double arm = rh - spot; /* nosing corner to heel point */
        double s = -h / arm;
        if (s > 0.97)
            s = 0.97;
        th = -asin(s);
        double a = -th; /* the sole turns counter-clockwise about the corner */
        out->rot_r = a;
        out->bx = spot * cos(a);
        out->by = spot * sin(a);
        double lf = (0.86 - p->ball_frac) * p->L; /* ball to where the toes touch */
        double q = out->by / lf;
        if (q > 0.9)
            q = 0.9;
        out->rot_f = -asin(q);
    }
    if (theta)
        *theta = th;
}

void sy_foot_point(const sy_person *p, const sy_foot_pose *fp, double x, double h, double *wx,
                   double *wy)
{
    double s = x - p->ball_frac * p->L;
    double rot = s <= 0 ? fp->rot_r : fp->rot_f;
    double c = cos(rot), sn = sin(rot);
    double dx = s * c - h * sn, dy = s * sn + h * c;
    *wx = fp->bx + fp->facing * dx;
    *wy = fp->by + dy;
}

void sy_heel_point(const sy_person *p, const sy_foot_pose *fp, double *wx, double *wy,
                   double *theta)
{
    sy_foot_point(p, fp, p->ball_frac * p->L - p->r_heel, 0.0, wx, wy);
    if (theta)
        *theta = -fp->rot_r;
}

/* ---- outlines -------------------------------------------------------------------- */

static void ol_add(sy_outline *o, double x, double h)
{
    if (o->n < SY_OUTLINE_MAX) {
        o->x[o->n] = (float)x;
        o->h[o->n] = (float)h;
        o->n++;
    }
}

/* Catmull-Rom through cp[0..n-1] (open), k samples per span, first point included. */
static void ol_spline(sy_outline *o, const double (*cp)[2], int n, int k)
{
    for (int i = 0; i + 1 < n; i++) {
        const double *p0 = cp[i > 0 ? i - 1 : 0], *p1 = cp[i], *p2 = cp[i + 1];
        const double *p3 = cp[i + 2 < n ? i + 2 : n - 1];
        for (int j = 0; j < k; j++) {
            double t = (double)j / k, t2 = t * t, t3 = t2 * t;
            double x = 0.5 * (2 * p1[0] + (-p0[0] + p2[0]) * t +
                              (2 * p0[0] - 5 * p1[0] + 4 * p2[0] - p3[0]) * t2 +
                              (-p0[0] + 3 * p1[0] - 3 * p2[0] + p3[0]) * t3);
            double y = 0.5 * (2 * p1[1] + (-p0[1] + p2[1]) * t +
                              (2 * p0[1] - 5 * p1[1] + 4 * p2[1] - p3[1]) * t2 +
                              (-p0[1] + 3 * p1[1] - 3 * p2[1] + p3[1]) * t3);
            ol_add(o, x, y);
        }
    }
    ol_add(o, cp[n - 1][0], cp[n - 1][1]);
}

static void heel_arc(sy_outline *o, double hr, double back_x)
{
    /* from the back (back_x, hr) down round to the heel point (hr, 0) */
    for (int i = 1; i < 6; i++) {
        double a = SY_PI * 0.5 * i / 6.0;
        ol_add(o, back_x + (hr - back_x) * (1 - cos(a)), hr * (1 - sin(a)));
    }
}

static void build_shoe(sy_person *p, sy_rng *r, double toe_h)
{
    double L = p->L, ch = p->collar_h, hr = p->heel_round;
    double tip = toe_h * sy_range(r, 0.25, 0.45);
    double spring = sy_range(r, 0.84, 0.9);
    double back_bulge = sy_range(r, 0.0, 0.015) * L;
    sy_outline *o = &p->upper;
    o->n = 0;
    ol_add(o, hr, 0);
    double cp[][2] = {{spring * L, 0},
                      {0.95 * L, tip * 0.45},
                      {0.995 * L, tip},
                      {0.985 * L, tip + 0.35 * (toe_h - tip)},
                      {0.94 * L, 0.85 * toe_h},
                      {0.86 * L, toe_h},
                      {0.74 * L, toe_h + 3},
                      {0.62 * L, toe_h + 0.25 * (ch - toe_h)},
                      {0.5 * L, toe_h + 0.55 * (ch - toe_h)},
                      {0.4 * L, toe_h + 0.82 * (ch - toe_h)},
                      {0.32 * L, 0.97 * ch},
                      {0.22 * L, ch * sy_range(r, 0.8, 0.9)},
                      {0.12 * L, ch * 0.9},
                      {0.04 * L, ch * sy_range(r, 0.98, 1.06)},
                      {back_bulge * 0.3, ch * 0.85},
                      {-back_bulge, ch * 0.45},
                      {0.0, hr * 1.15}};
    ol_spline(o, cp, (int)(sizeof(cp) / sizeof(cp[0])), 4);
    heel_arc(o, hr, 0.0);
    p->ankle_x = sy_range(r, 0.2, 0.24) * L;
    p->ankle_h = ch * sy_range(r, 0.72, 0.82);
}

static void build_bare(sy_person *p, sy_rng *r, double toe_h, int bare)
{
    double L = p->L, hr = p->heel_round;
    double tip = toe_h * 0.45;
    sy_outline *o = &p->upper;
    o->n = 0;
    ol_add(o, hr, 0);
    double bump = bare ? 3.0 : 0.0;
    double cp[][2] = {{0.87 * L, 0},
                      {0.955 * L, tip * 0.4},
                      {0.997 * L, tip},
                      {0.975 * L, 0.8 * toe_h},
                      {0.93 * L, toe_h + bump},
                      {0.9 * L, toe_h - bump * 0.5},
                      {0.86 * L, toe_h + bump},
                      {0.76 * L, toe_h + 7},
                      {0.6 * L, toe_h + 20},
                      {0.46 * L, toe_h + 38},
                      {0.38 * L, 86},
                      {0.345 * L, 112},
                      {0.34 * L, 150},
                      {0.09 * L, 150},
                      {0.085 * L, 105},
                      {0.04 * L, 70},
                      {0.0, 38},
                      {0.0, hr * 1.1}};
    ol_spline(o, cp, (int)(sizeof(cp) / sizeof(cp[0])), 4);
    heel_arc(o, hr, 0.0);
    p->ankle_x = sy_range(r, 0.2, 0.24) * L;
    p->ankle_h = sy_range(r, 68, 85);
    p->collar_h = 150;
}

/* ---- colours and fabrics -------------------------------------------------------- */


static void skin_colour(sy_rng *r, float c[3])
{
    static const float tones[7][3] = {
        {0.96f, 0.83f, 0.75f}, {0.90f, 0.72f, 0.60f}, {0.78f, 0.57f, 0.43f}, {0.62f, 0.43f, 0.30f},
        {0.46f, 0.31f, 0.21f}, {0.32f, 0.20f, 0.14f}, {0.20f, 0.13f, 0.09f}};
    double t = sy_uni(r) * 6.0;
    int i = (int)t;
    if (i > 5)
        i = 5;
    double f = t - i;
    for (int k = 0; k < 3; k++)
        c[k] = (float)((tones[i][k] * (1 - f) + tones[i + 1][k] * f) * sy_range(r, 0.95, 1.05));
}

static void fab_set(sy_fab *f, sy_rng *r, int pattern, const float c0[3], const float c1[3],
                    double scale, double contrast, double gloss)
{
    memset(f, 0, sizeof(*f));
    f->pattern = pattern;
    for (int i = 0; i < 3; i++) {
        f->c0[i] = c0[i];
        f->c1[i] = c1[i];
    }
    f->scale = (float)scale;
    f->contrast = (float)contrast;
    f->gloss = (float)gloss;
    f->off = (float)sy_range(r, 0, 256);
}

static void darker(float d[3], const float s[3], float k)
{
    for (int i = 0; i < 3; i++)
        d[i] = s[i] * k;
}

/* A colour for shoes, socks or clothes. */
static void cloth_colour(sy_rng *r, float c[3])
{
    const double w[] = {2.5, 2.5, 2, 3, 1};
    switch (sy_pick(r, w, 5)) {
    case 0:
        sy_hsv(0, 0, sy_range(r, 0.85, 0.97), c);
        break; /* white */
    case 1:
        sy_hsv(0, 0, sy_range(r, 0.04, 0.14), c);
        break; /* black */
    case 2:
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0, 0.08), sy_range(r, 0.3, 0.7), c);
        break;
    case 3:
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.4, 0.9), sy_range(r, 0.3, 0.9), c);
        break;
    default:
        sy_hsv(sy_range(r, 20, 45), sy_range(r, 0.2, 0.5), sy_range(r, 0.3, 0.8), c);
        break;
    }
}

/* Low-contrast cases: pick a colour close to one of the scene's. */
static void near_colour(sy_rng *r, const sy_scene *sc, float c[3])
{
    const sy_mat *m;
    double u = sy_uni(r);
    if (u < 0.4 && sc->nbox > 0)
        m = &sc->mat[sc->box[0].mat[3]]; /* the tread */
    else if (u < 0.7)
        m = &sc->mat[sc->wall_mat];
    else
        m = &sc->mat[sc->floor_mat];
    for (int i = 0; i < 3; i++) {
        float v = m->c0[i] * (float)sy_range(r, 0.88, 1.12);
        c[i] = v > 1 ? 1 : v;
    }
}

void sy_person_generate(sy_person *p, sy_rng *r, const sy_scene *sc, int walker)
{
    memset(p, 0, sizeof(*p));
    p->L = sy_range(r, 230, 300);
    p->ball_frac = sy_range(r, 0.70, 0.74);
    p->width = p->L * sy_range(r, 0.36, 0.42);
    const double kw[] = {7, 1.6, 1.2};
    p->foot_kind = walker ? SY_FOOT_SHOE : sy_pick(r, kw, 3);
    double toe_h;
    float c0[3], c1[3], skin[3];
    skin_colour(r, skin);
    fab_set(&p->f_skin, r, SY_FAB_SKIN, skin, skin, 30, 0.15, sy_range(r, 0.0, 0.25));
    int low = !walker && sy_chance(r, 0.25);
    p->low_contrast = low;
    if (p->foot_kind == SY_FOOT_SHOE) {
        p->heel_round = sy_range(r, 16, 30);
        p->collar_h = sy_range(r, 80, 110);
        toe_h = sy_range(r, 36, 55);
        int style = sy_int(r, 4); /* 0 sneaker, 1 runner, 2 leather, 3 canvas */
        if (low)
            near_colour(r, sc, c0);
        else if (style == 2)
            sy_hsv(sy_range(r, 10, 35), sy_range(r, 0.3, 0.7), sy_range(r, 0.05, 0.35), c0);
        else
            cloth_colour(r, c0);
        darker(c1, c0, (float)sy_range(r, 0.6, 0.9));
        switch (style) {
        case 0:
            fab_set(&p->f_upper, r, SY_FAB_NOISE, c0, c1, sy_range(r, 4, 15), 0.4, 0.1);
            p->sole_t = sy_range(r, 18, 30);
            break;
        case 1:
            fab_set(&p->f_upper, r, SY_FAB_RIB, c0, c1, sy_range(r, 2, 5), 0.5, 0.05);
            p->sole_t = sy_range(r, 22, 34);
            break;
        case 2:
            fab_set(&p->f_upper, r, SY_FAB_PLAIN, c0, c1, 20, 0.2, sy_range(r, 0.4, 0.9));
            p->sole_t = sy_range(r, 9, 16);
            toe_h = sy_range(r, 32, 42);
            break;
        default:
            fab_set(&p->f_upper, r, SY_FAB_DENIM, c0, c1, sy_range(r, 1.5, 3), 0.3, 0.0);
            p->sole_t = sy_range(r, 12, 20);
            break;
        }
        /* sole: white, black, gum or matching */
        const double sw[] = {3, 2, 1, 1.5};
        switch (sy_pick(r, sw, 4)) {
        case 0:
            sy_hsv(0, 0, sy_range(r, 0.82, 0.96), c0);
            break;
        case 1:
            sy_hsv(0, 0, sy_range(r, 0.05, 0.18), c0);
            break;
        case 2:
            sy_hsv(sy_range(r, 25, 40), sy_range(r, 0.5, 0.8), sy_range(r, 0.45, 0.7), c0);
            break;
        default:
            darker(c0, p->f_upper.c0, (float)sy_range(r, 0.8, 1.1));
            break;
        }
        if (style == 2)
            sy_hsv(sy_range(r, 10, 35), sy_range(r, 0.2, 0.6), sy_range(r, 0.05, 0.25), c0);
        darker(c1, c0, 0.75f);
        fab_set(&p->f_sole, r, SY_FAB_NOISE, c0, c1, 3, 0.2, 0.0);
        /* a side stripe, logo band or toe cap */
        if (style != 2 && sy_chance(r, 0.6)) {
            cloth_colour(r, c0);
            darker(c1, c0, 0.8f);
            fab_set(&p->f_stripe, r, SY_FAB_PLAIN, c0, c1, 10, 0.1, 0.1);
            p->stripe.n = 1 + sy_int(r, 3); /* 1 swoosh band, 2 toe cap, 3 heel tab */
        }
        build_shoe(p, r, toe_h);
    } else {
        p->heel_round = sy_range(r, 24, 36);
        toe_h = sy_range(r, 26, 38);
        p->sole_t = 0;
        build_bare(p, r, toe_h, p->foot_kind == SY_FOOT_BARE);
        if (p->foot_kind == SY_FOOT_SOCK) {
            if (low)
                near_colour(r, sc, c0);
            else if (sy_chance(r, 0.4))
                sy_hsv(0, 0, sy_range(r, 0.85, 0.97), c0);
            else
                cloth_colour(r, c0);
            darker(c1, c0, 0.75f);
            fab_set(&p->f_upper, r, sy_chance(r, 0.25) ? SY_FAB_STRIPE_RING : SY_FAB_RIB, c0, c1,
                    sy_range(r, 2, 12), 0.35, 0.0);
            p->f_sole = p->f_upper;
            darker(p->f_sole.c0, p->f_upper.c0, 0.8f);
        } else {
            p->f_upper = p->f_skin;
            p->f_sole = p->f_skin;
        }
    }
    p->r_heel = p->ball_frac * p->L - p->heel_round;
    /* legs */
    p->shank_len = sy_range(r, 380, 460);
    p->thigh_len = sy_range(r, 400, 480);
    p->w_ankle = sy_range(r, 60, 90);
    p->w_calf = sy_range(r, 100, 140);
    p->w_knee = sy_range(r, 90, 112);
    p->w_thigh = sy_range(r, 130, 175);
    p->calf_at = sy_range(r, 0.55, 0.7);
    const double lw[] = {5, 1.5, 2, 1.2};
    p->legwear = sy_pick(r, lw, 4);
    switch (p->legwear) {
    case SY_LEGWEAR_LONG:
        p->hem_t = sy_range(r, -15, 25);
        p->looseness = sy_range(r, 8, 40);
        break;
    case SY_LEGWEAR_THREEQ:
        p->hem_t = p->shank_len * sy_range(r, 0.4, 0.7);
        p->looseness = sy_range(r, 8, 30);
        break;
    case SY_LEGWEAR_SHORTS:
        p->hem_t = p->shank_len + p->thigh_len * sy_range(r, 0.25, 0.6);
        p->looseness = sy_range(r, 10, 40);
        break;
    default:
        p->hem_t = sy_range(r, 20, 120); /* leggings end above the ankle */
        p->looseness = 0;
        break;
    }
    /* trousers */
    const double tw[] = {3, 3, 2, 1.2, 0.6};
    int tp = sy_pick(r, tw, 5);
    if (p->legwear == SY_LEGWEAR_LEGGINGS)
        tp = 1;
    switch (tp) {
    case 0: /* denim */
        sy_hsv(sy_range(r, 205, 230), sy_range(r, 0.3, 0.7), sy_range(r, 0.15, 0.6), c0);
        darker(c1, c0, 0.7f);
        fab_set(&p->f_trouser, r, SY_FAB_DENIM, c0, c1, sy_range(r, 1.5, 3), 0.5, 0);
        break;
    case 1: /* plain dark or coloured */
        cloth_colour(r, c0);
        if (p->legwear == SY_LEGWEAR_LEGGINGS && sy_chance(r, 0.7))
            sy_hsv(0, 0, sy_range(r, 0.03, 0.12), c0);
        darker(c1, c0, 0.8f);
        fab_set(&p->f_trouser, r, SY_FAB_NOISE, c0, c1, sy_range(r, 5, 30), 0.25,
                p->legwear == SY_LEGWEAR_LEGGINGS ? sy_range(r, 0.3, 0.8) : 0.05);
        break;
    case 2: /* sweatpants / tracksuit with side stripes */
        cloth_colour(r, c0);
        cloth_colour(r, c1);
        fab_set(&p->f_trouser, r, sy_chance(r, 0.5) ? SY_FAB_STRIPE_SIDE : SY_FAB_NOISE, c0, c1,
                sy_range(r, 10, 25), 0.3, 0.05);
        break;
    case 3: /* khaki / chinos */
        sy_hsv(sy_range(r, 30, 50), sy_range(r, 0.2, 0.45), sy_range(r, 0.4, 0.75), c0);
        darker(c1, c0, 0.8f);
        fab_set(&p->f_trouser, r, SY_FAB_NOISE, c0, c1, 10, 0.2, 0);
        break;
    default: /* check pattern */
        cloth_colour(r, c0);
        cloth_colour(r, c1);
        fab_set(&p->f_trouser, r, SY_FAB_CHECK, c0, c1, sy_range(r, 15, 40), 0.6, 0);
        break;
    }
    /* loose cloth folds; tight leggings hardly any */
    p->f_trouser.folds =
        (float)(p->legwear == SY_LEGWEAR_LEGGINGS ? sy_range(r, 0.0, 0.2) : sy_range(r, 0.3, 1.0));
    /* socks above the shoe */
    if (p->foot_kind == SY_FOOT_SHOE) {
        const double sw[] = {2, 3, 2, 1};
        int k = sy_pick(r, sw, 4);
        p->sock_top = k == 0 ? 0
                             : (k == 1 ? sy_range(r, 20, 60)
                                       : (k == 2 ? sy_range(r, 100, 180) : p->shank_len * 0.85));
        if (sy_chance(r, 0.45))
            sy_hsv(0, 0, sy_range(r, 0.85, 0.97), c0);
        else
            cloth_colour(r, c0);
        if (low && sy_chance(r, 0.5))
            near_colour(r, sc, c0);
        darker(c1, c0, 0.75f);
        fab_set(&p->f_sock, r, sy_chance(r, 0.2) ? SY_FAB_STRIPE_RING : SY_FAB_RIB, c0, c1,
                sy_range(r, 2, 10), 0.3, 0);
    } else if (p->foot_kind == SY_FOOT_SOCK) {
        p->sock_top = sy_range(r, 40, 160);
        p->f_sock = p->f_upper;
    } else {
        p->sock_top = 0;
    }
    p->far_dim = (float)sy_range(r, 0.65, 0.92);
}
