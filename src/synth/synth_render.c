/* synth_render.c - draws a frame: the prerendered background, soft contact shadows,
 * legs and feet, the step's side faces in front of them, things passing in front, then
 * the camera: exposure and light changes, vignetting, blur or sharpening, sensor noise,
 * YUV 4:2:0.
 *
 * The static scene is ray traced once per clip (supersampled) into two layers: what is
 * behind the person (bg_back) and the step side faces in front of the person (fg, with
 * coverage). Per frame only the region the moving things cover is redrawn. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth/synth_priv.h"
#include "synth/synth_raster.h"

#define SY_GN 65536
#define SY_MAX_PLANES 24

struct sy_canvas {
    int w, h;       /* internal render size */
    sy_cam cam;     /* camera at the internal size */
    sy_img frame;   /* working image */
    float *bg_back; /* background without the front faces */
    float *bg_full; /* background with them */
    float *fg;      /* front faces: premultiplied rgb + coverage */
    float *acc;     /* motion-blur accumulator */
    float *tmp;     /* blur scratch */
    float *vign;    /* per output pixel gain */
    float *gauss;   /* N(0, 1) values, SY_GN + a row's worth */
    float *blr;     /* blurred (or sharpened) frame, when the look asks */
    float tone_k;   /* tone curve y = x + k x (1 - x) */
    int *sx0;       /* output column -> internal column (scaled frames) */
    float *swx;     /* ... and its weight */
    float *row;     /* one vertically interpolated internal row */
    sy_raster ra;
    int dirty[4]; /* region that differs from bg_full */
    /* cast shadows: the surfaces that can receive one, which of them each pixel shows,
     * how much of its light is the key light, and a scratch coverage mask */
    int nplanes;
    struct sy_plane {
        int axis;   /* 0 X, 1 Y, 2 Z */
        double val; /* the plane is axis = val */
        int sign;   /* its outward normal along the axis */
    } plane[SY_MAX_PLANES];
    uint8_t *rid; /* receiver plane + 1 per pixel (0: none) */
    float *kshare;
    int w2, h2; /* shadows are drawn at half size (they are soft anyway) */
    uint8_t *rid2;
    float *mask2, *colsum;
    /* the person is drawn front to back ("under"): colour so far and light still let
     * through, so hidden pixels are never shaded */
    float *ucol, *utrans;
    int *fg_lo, *fg_hi; /* per row, the columns holding front faces */
    /* draw list */
    int nitems, cap_items;
    struct sy_item *items;
    int npts, cap_pts;
    double *pts;
};

static void blur3_rect(sy_canvas *cv, const float *src, float *dst, float k, const int r[4]);

/* ---- shading ---------------------------------------------------------------------- */

enum { SH_SHADOW = 0, SH_FOOT, SH_LEG, SH_TROUSER, SH_OCC, SH_CAST };

#define SY_PROF_N 256
#define SY_PROF_A0 (-64.0)
#define SY_PROF_STEP 8.0

typedef struct sy_shade {
    int kind;
    const hd_synth *s;
    const sy_cam *cam;
    const sy_person *P;
    double z;    /* plane depth */
    double mmpx; /* mm per pixel at the plane */
    float dim;   /* brightness factor */
    /* foot */
    sy_foot_pose fp;
    double cr, sr, cf, sf; /* cos, sin of the rear and front foot angles */
    int top;               /* back slice: the top of the shoe */
    /* leg: ankle, knee, hip in the plane */
    double ax, ay, kx, ky, hx, hy;
    int back_sign;
    double loose;
    double ux, uy, vx, vy;                        /* unit axes of shank and thigh */
    float lut_s[33][3], lut_t[33][3];             /* light by position across the leg */
    float prof_hw[SY_PROF_N], prof_co[SY_PROF_N]; /* half width, centre offset */
    /* shadow */
    double gy, gx0, gz0, grx, grz, gstr;
    /* occluder */
    const sy_occ *occ;
    double ox, oy;
    /* cast shadow: receiver plane and the canvas */
    int plane;
    struct sy_canvas *cv;
    /* front-to-back drawing: transmittance left at each pixel (NULL: blend over) */
    float *trans;
    int tw;
} sy_shade;

typedef struct sy_item {
    int first, n; /* points in the pool */
    int layer;    /* 0 behind the step's side faces, 1 in front */
    sy_shade sh;
} sy_item;

static inline float clampf(float x, float a, float b)
{
    return x < a ? a : (x > b ? b : x);
}

static inline float sstep(float e0, float e1, float x)
{
    float t = clampf((x - e0) / (e1 - e0), 0.f, 1.f);
    return t * t * (3.f - 2.f * t);
}

/* Soft 0..1 edge: 1 when x < edge, over about one pixel (w in the same units). */
static inline float below(float x, float edge, float w)
{
    return clampf((edge - x) / w + 0.5f, 0.f, 1.f);
}

/* 0.5 + 0.5 sin(2 pi x), from a table (patterns need many of these per pixel). */
/* About 0.5 + 0.5 sin(2 pi x), from parabolas: patterns need many of these per pixel and
 * no more accuracy (and no shared table between threads). */
static inline float wave(double x)
{
    float f = (float)(x - floor(x));
    float v = f < 0.5f ? 16.0f * f * (0.5f - f) : -16.0f * (f - 0.5f) * (1.0f - f);
    return 0.5f + 0.5f * v;
}

static void fab_eval(const sy_fab *f, const sy_noise *nz, double a, double c, float rgb[3])
{
    float t = 0, k = 1;
    float sc = f->scale > 0.5f ? f->scale : 0.5f;
    switch (f->pattern) {
    case SY_FAB_PLAIN:
        k = 0.97f + 0.06f * sy_noise_at(nz, (float)(a / 8.0) + f->off, (float)(c / 8.0));
        break;
    case SY_FAB_NOISE:
        t = (sy_noise_at(nz, (float)(a / sc) + f->off, (float)(c / sc)) - 0.5f) * 2.f * f->contrast;
        t = clampf(t + 0.3f * f->contrast, 0.f, 1.f);
        break;
    case SY_FAB_DENIM: {
        float tw = wave((a + c) / sc);
        float n = sy_noise_at(nz, (float)(a / 40.0) + f->off, (float)(c / 25.0));
        t = clampf(tw * 0.35f * f->contrast + (n - 0.5f) * 0.9f, 0.f, 1.f);
        k = 0.9f + 0.2f * sy_noise_at(nz, (float)(a / 3.0), (float)(c / 3.0) + f->off);
        break;
    }
    case SY_FAB_STRIPE_RING: {
        double ph = a / (sc * 3.0) - floor(a / (sc * 3.0));
        t = ph < 0.5 ? 1.0f : 0.0f;
        t *= f->contrast * 1.5f;
        t = clampf(t, 0.f, 1.f);
        break;
    }
    case SY_FAB_STRIPE_SIDE:
        t = fabs(c) < sc * 0.6 ? 1.0f : 0.0f;
        k = 0.95f + 0.1f * sy_noise_at(nz, (float)(a / 12.0) + f->off, (float)(c / 12.0));
        break;
    case SY_FAB_RIB: {
        float rib = wave(c / sc);
        t = clampf(rib * f->contrast, 0.f, 1.f);
        break;
    }
    case SY_FAB_CHECK: {
        int ia = (int)floor(a / sc), ic = (int)floor(c / sc);
        t = ((ia + ic) & 1) ? f->contrast : 0.0f;
        break;
    }
    case SY_FAB_SKIN:
    default: {
        float n = sy_noise_at(nz, (float)(a / 20.0) + f->off, (float)(c / 20.0));
        k = 0.94f + 0.12f * n;
        break;
    }
    }
    for (int i = 0; i < 3; i++)
        rgb[i] = (f->c0[i] + (f->c1[i] - f->c0[i]) * t) * k;
    if (f->folds > 0) {
        /* folds: long soft streaks along the leg, slanting a little */
        float fo = sy_noise_at(nz, (float)(a / 90.0) + f->off * 0.5f,
                               (float)((c + 0.3 * a) / 22.0) + 40.0f);
        float kf = 1.0f - f->folds * 0.35f * (fo - 0.45f) * (fo - 0.45f) * 4.0f;
        rgb[0] *= kf;
        rgb[1] *= kf;
        rgb[2] *= kf;
    }
}

/* Light arriving at a surface with normal n (world), for moving things. */
static void light_at(const sy_scene *sc, double nx, double ny, double nz, float spec_k,
                     float out[3], float *spec)
{
    const sy_light *L = &sc->light;
    double nl = nx * L->key_dir.x + ny * L->key_dir.y + nz * L->key_dir.z;
    float d = nl > 0 ? (float)nl : 0.0f;
    /* the lamp seen from roughly the feet */
    double lx = L->lamp_pos.x, ly = L->lamp_pos.y - 100, lz = L->lamp_pos.z;
    double ll = sqrt(lx * lx + ly * ly + lz * lz);
    double lc = (nx * lx + ny * ly + nz * lz) / (ll > 1 ? ll : 1);
    float lamp = lc > 0 ? (float)(lc / (1.0 + ll * ll / 1.0e6)) : 0.0f;
    for (int i = 0; i < 3; i++)
        out[i] = L->amb[i] * 0.85f + L->key[i] * d + L->lamp[i] * lamp;
    /* specular towards the camera (at -Z): reflect the key light */
    if (spec_k > 0) {
        double rz = 2.0 * nl * nz - L->key_dir.z; /* z of the reflected light */
        float q = (float)(-rz), q2 = q * q, q4 = q2 * q2;
        *spec = rz < 0 ? spec_k * q4 * q4 * q4 : 0.0f;
    } else {
        *spec = 0;
    }
}

/* World (X, Y) of pixel (u, v) on the plane Z = z (per row: incremental, in float, which
 * is ample for millimetres and halves the cost of the per-pixel division). */
typedef struct rowmap {
    float ox, oy, oz; /* camera position */
    float dx, dy, dz; /* ray at x0 */
    float sx, sy, sz; /* ray step per pixel */
} rowmap;

static void rowmap_init(rowmap *m, const sy_cam *c, int y, int x0)
{
    sy_v3 d0 = sy_ray_dir(c, x0 + 0.5, y + 0.5);
    sy_v3 d1 = sy_ray_dir(c, x0 + 1.5, y + 0.5);
    m->ox = (float)c->pos.x;
    m->oy = (float)c->pos.y;
    m->oz = (float)c->pos.z;
    m->dx = (float)d0.x;
    m->dy = (float)d0.y;
    m->dz = (float)d0.z;
    m->sx = (float)(d1.x - d0.x);
    m->sy = (float)(d1.y - d0.y);
    m->sz = (float)(d1.z - d0.z);
}

static inline void rowmap_z(const rowmap *m, int i, double z, double *X, double *Y)
{
    float fi = (float)i;
    float t = ((float)z - m->oz) / (m->dz + m->sz * fi);
    *X = m->ox + t * (m->dx + m->sx * fi);
    *Y = m->oy + t * (m->dy + m->sy * fi);
}

static inline void blend(float *dst, const float c[3], float a)
{
    dst[0] += (c[0] - dst[0]) * a;
    dst[1] += (c[1] - dst[1]) * a;
    dst[2] += (c[2] - dst[2]) * a;
}

/* Transmittance of pixel x0 + i of row y in front-to-back mode (NULL otherwise). */
static inline float *trans_row(const sy_shade *sh, int y, int x0)
{
    return sh->trans ? sh->trans + (size_t)y * sh->tw + x0 : NULL;
}

/* Adds colour c with opacity a: over the pixel, or under what is already in front. */
static inline void put(float *dst, float *t, const float c[3], float a)
{
    if (!t) {
        blend(dst, c, a);
        return;
    }
    float k = *t * a;
    dst[0] += c[0] * k;
    dst[1] += c[1] * k;
    dst[2] += c[2] * k;
    *t *= 1.0f - a;
}

/* -- foot -- */

/* Sole bottom height at x along the foot (0 except round the heel and toe). */
static double sole_bottom(const sy_person *P, double x)
{
    double hr = P->heel_round;
    if (x < hr) {
        double d = hr - x;
        return hr - sqrt(fmax(0.0, hr * hr - d * d));
    }
    double s0 = 0.86 * P->L;
    if (x > s0) {
        double q = (x - s0) / (P->L - s0);
        return q * q * 18.0;
    }
    return 0.0;
}

static void foot_local(const sy_shade *sh, double X, double Y, double *x, double *h)
{
    const sy_person *P = sh->P;
    const sy_foot_pose *fp = &sh->fp;
    double dx = (X - fp->bx) * fp->facing, dy = Y - fp->by;
    double s = dx * sh->cr + dy * sh->sr, hh = -dx * sh->sr + dy * sh->cr;
    if (s > 0) {
        double s2 = dx * sh->cf + dy * sh->sf;
        if (s2 > 0) {
            s = s2;
            hh = -dx * sh->sf + dy * sh->cf;
        }
    }
    *x = s + P->ball_frac * P->L;
    *h = hh;
}

static void span_foot(void *ctx, int y, int x0, int n, const float *cov, float *dst)
{
    const sy_shade *sh = ctx;
    const sy_person *P = sh->P;
    const hd_synth *s = sh->s;
    const sy_noise *nz = s->noise;
    rowmap m;
    rowmap_init(&m, sh->cam, y, x0);
    float px = (float)sh->mmpx;
    double L = P->L;
    int shoe = P->foot_kind == SY_FOOT_SHOE;
    float *tr = trans_row(sh, y, x0);
    for (int i = 0; i < n; i++, dst += 3) {
        if (cov[i] <= 0 || (tr && tr[i] < 2e-3f))
            continue;
        double X, Y, x, h;
        rowmap_z(&m, i, sh->z, &X, &Y);
        foot_local(sh, X, Y, &x, &h);
        float alb[3], c2[3];
        fab_eval(&P->f_upper, nz, x, h, alb);
        float alpha = 1.0f;
        if (shoe) {
            double sb = sole_bottom(P, x);
            double st = sb + P->sole_t * (x < 0.3 * L ? 1.15 : (x > 0.8 * L ? 0.8 : 1.0));
            if (P->stripe.n > 0) {
                float in = 0;
                switch (P->stripe.n) {
                case 1: { /* a swoosh band rising towards the heel */
                    double mid = st + 12 + (0.75 * L - x) * 0.12;
                    in = below((float)fabs(h - mid), 7.0f, px) * (x > 0.15 * L && x < 0.78 * L);
                    break;
                }
                case 2: /* toe cap */
                    in = below((float)(0.8 * L - x), 0.0f, px);
                    break;
                default: /* heel tab */
                    in = below((float)x, (float)(0.13 * L), px) *
                         below((float)(P->collar_h * 0.55 - h), 0.0f, px);
                    break;
                }
                if (in > 0) {
                    fab_eval(&P->f_stripe, nz, x, h, c2);
                    blend(alb, c2, in);
                }
            }
            float so = below((float)h, (float)st, px);
            if (so > 0) {
                fab_eval(&P->f_sole, nz, x, h, c2);
                /* tread grooves on the sole's side */
                float g = 0.86f + 0.14f * wave(x / 37.7);
                c2[0] *= g;
                c2[1] *= g;
                c2[2] *= g;
                blend(alb, c2, so);
            }
        } else {
            if (P->foot_kind == SY_FOOT_SOCK) {
                /* skin above the sock top */
                double top = P->ankle_h + P->sock_top;
                float sk = below((float)(top - h), 0.0f, px);
                if (sk > 0) {
                    fab_eval(&P->f_skin, nz, x, h, c2);
                    blend(alb, c2, sk);
                }
            } else if (x > 0.9 * L && h > 8 && h < 30) {
                /* toenail hint */
                alb[0] = alb[0] * 0.85f + 0.15f * 0.95f;
                alb[1] = alb[1] * 0.85f + 0.15f * 0.8f;
                alb[2] = alb[2] * 0.85f + 0.15f * 0.78f;
            }
            alpha = 1.0f - sstep(95.0f, 140.0f, (float)h);
        }
        /* normal: the side faces the camera, turning up near the top edge, down near
         * the sole, back at the heel */
        double nx = 0, ny = 0, nzz = -1;
        double topband = h / (shoe ? P->collar_h : 120.0);
        if (sh->top) {
            ny = 1.0;
            nzz = -0.35;
        } else {
            ny = (topband - 0.45) * 0.8;
            if (x < 0.12 * L)
                nx = -(0.12 * L - x) / (0.12 * L) * 0.8 * sh->fp.facing;
            if (x > 0.9 * L)
                nx = (x - 0.9 * L) / (0.1 * L) * 0.8 * sh->fp.facing;
        }
        double nl = sqrt(nx * nx + ny * ny + nzz * nzz);
        float li[3], spec;
        float gloss = P->f_upper.gloss;
        light_at(&s->scene, nx / nl, ny / nl, nzz / nl, gloss * 0.6f, li, &spec);
        /* contact darkening right above the tread */
        float ao = 1.0f - 0.25f * (1.0f - sstep(0.0f, 12.0f, (float)(Y + 2.0)));
        float col[3];
        for (int k = 0; k < 3; k++)
            col[k] = (alb[k] * li[k] * ao + spec * s->scene.light.key[k]) * sh->dim;
        put(dst, tr ? tr + i : NULL, col, cov[i] * alpha);
    }
}

/* -- legs -- */

/* Front and back half-widths of the leg at distance a from the ankle along the leg. */
static void leg_profile(const sy_person *P, double a, double *wf, double *wb)
{
    double L1 = P->shank_len;
    if (a <= 0) {
        *wf = *wb = 0.5 * P->w_ankle;
        return;
    }
    if (a <= L1) {
        double ca = P->calf_at * L1;
        if (a < ca) {
            double q = a / ca;
            q = q * q * (3 - 2 * q);
            double tot = P->w_ankle + (P->w_calf - P->w_ankle) * q;
            double fb = 0.5 + 0.08 * q; /* the calf bulges backwards */
            *wb = tot * fb;
            *wf = tot * (1 - fb);
        } else {
            double q = (a - ca) / (L1 - ca);
            q = q * q * (3 - 2 * q);
            double tot = P->w_calf + (P->w_knee - P->w_calf) * q;
            double fb = 0.58 - 0.08 * q;
            *wb = tot * fb;
            *wf = tot * (1 - fb);
        }
        return;
    }
    double q = (a - L1) / P->thigh_len;
    if (q > 1)
        q = 1;
    double tot = P->w_knee * 1.1 + (P->w_thigh - P->w_knee * 1.1) * sqrt(q);
    *wf = *wb = 0.5 * tot;
}

/* Leg coordinates of a plane point: a along the leg from the ankle, c across (positive
 * towards the back of the leg); *thigh set when on the thigh. */
static inline void leg_coords(const sy_shade *sh, double X, double Y, double *a, double *c,
                              int *thigh)
{
    double L1 = sh->P->shank_len;
    double dx = X - sh->ax, dy = Y - sh->ay;
    double as = dx * sh->ux + dy * sh->uy;
    double cs = (-sh->uy * dx + sh->ux * dy) * sh->back_sign;
    *thigh = 0;
    if (as <= L1) {
        *a = as;
        *c = cs;
        return;
    }
    dx = X - sh->kx;
    dy = Y - sh->ky;
    double at = dx * sh->vx + dy * sh->vy;
    if (at < 0 && as < L1 + 60) {
        *a = as;
        *c = cs;
        return;
    }
    *thigh = 1;
    *a = L1 + (at > 0 ? at : 0);
    *c = (-sh->vy * dx + sh->vx * dy) * sh->back_sign;
}

static void span_leg(void *ctx, int y, int x0, int n, const float *cov, float *dst)
{
    const sy_shade *sh = ctx;
    const sy_person *P = sh->P;
    const hd_synth *s = sh->s;
    const sy_noise *nz = s->noise;
    rowmap m;
    rowmap_init(&m, sh->cam, y, x0);
    float px = (float)sh->mmpx;
    int trouser = sh->kind == SH_TROUSER;
    /* where the sock ends, measured along the leg from the ankle joint */
    double sock_end =
        P->foot_kind == SY_FOOT_SHOE ? (P->collar_h - P->ankle_h) + P->sock_top : P->sock_top;
    int leggings = P->legwear == SY_LEGWEAR_LEGGINGS;
    const float *key = s->scene.light.key;
    float gloss = trouser || leggings ? P->f_trouser.gloss : P->f_skin.gloss;
    float *tr = trans_row(sh, y, x0);
    for (int i = 0; i < n; i++, dst += 3) {
        if (cov[i] <= 0 || (tr && tr[i] < 2e-3f))
            continue;
        double X, Y, a, c;
        int th;
        rowmap_z(&m, i, sh->z, &X, &Y);
        leg_coords(sh, X, Y, &a, &c, &th);
        double q = (a - SY_PROF_A0) / SY_PROF_STEP;
        int qi = q < 0 ? 0 : (q > SY_PROF_N - 1 ? SY_PROF_N - 1 : (int)q);
        float hw = sh->prof_hw[qi], co = sh->prof_co[qi];
        float u = ((float)c - co) / hw;
        u = u > 1 ? 1 : (u < -1 ? -1 : u);
        float alb[3], c2[3];
        if (trouser) {
            fab_eval(&P->f_trouser, nz, a, c, alb);
        } else {
            fab_eval(&P->f_skin, nz, a, c, alb);
            if (sock_end > 0 && a < sock_end + px) {
                float sk = below((float)a, (float)sock_end, px);
                if (sk > 0) {
                    fab_eval(&P->f_sock, nz, a, c, c2);
                    blend(alb, c2, sk);
                }
            }
            if (leggings && a > P->hem_t - px) {
                float lg = below((float)(P->hem_t - a), 0.0f, px);
                if (lg > 0) {
                    fab_eval(&P->f_trouser, nz, a, c, c2);
                    blend(alb, c2, lg);
                }
            }
        }
        float lq = (u + 1.0f) * 16.0f;
        int li = (int)lq;
        if (li > 31)
            li = 31;
        float lw = lq - (float)li;
        const float(*lut)[3] = th ? sh->lut_t : sh->lut_s;
        float col[3];
        for (int k = 0; k < 3; k++) {
            float l = lut[li][k] + (lut[li + 1][k] - lut[li][k]) * lw;
            col[k] = alb[k] * l * sh->dim;
        }
        if (gloss > 0) {
            /* a sheen band along the leg where the key light reflects to the camera */
            float sp = gloss * 0.25f * (1.0f - fabsf(u + 0.3f) * 2.5f);
            if (sp > 0)
                for (int k = 0; k < 3; k++)
                    col[k] += sp * key[k] * sh->dim;
        }
        put(dst, tr ? tr + i : NULL, col, cov[i]);
    }
}

/* Light by position across the leg (u = -1 .. 1) for a leg part with axis (ux, uy). */
static void leg_light_lut(const hd_synth *s, double ux, double uy, int back_sign, float lut[33][3])
{
    double nxp = -uy, nyp = ux;
    for (int i = 0; i <= 32; i++) {
        double u = i / 16.0 - 1.0;
        double w = sqrt(fmax(0.0, 1.0 - u * u));
        double nx = nxp * u * back_sign, ny = nyp * u * back_sign, nz = -w;
        float li[3], spec;
        light_at(&s->scene, nx, ny, nz, 0.0f, li, &spec);
        float edge = 0.82f + 0.18f * (float)w; /* a little darker at the silhouette */
        for (int k = 0; k < 3; k++)
            lut[i][k] = li[k] * edge;
    }
}

static void leg_prepare(sy_shade *sh)
{
    double ux = sh->kx - sh->ax, uy = sh->ky - sh->ay, l = sqrt(ux * ux + uy * uy);
    if (l < 1e-6) {
        ux = 0;
        uy = 1;
        l = 1;
    }
    sh->ux = ux / l;
    sh->uy = uy / l;
    double vx = sh->hx - sh->kx, vy = sh->hy - sh->ky, lv = sqrt(vx * vx + vy * vy);
    if (lv < 1e-6) {
        sh->vx = sh->ux;
        sh->vy = sh->uy;
    } else {
        sh->vx = vx / lv;
        sh->vy = vy / lv;
    }
    leg_light_lut(sh->s, sh->ux, sh->uy, sh->back_sign, sh->lut_s);
    leg_light_lut(sh->s, sh->vx, sh->vy, sh->back_sign, sh->lut_t);
    for (int i = 0; i < SY_PROF_N; i++) {
        double wf, wb;
        leg_profile(sh->P, SY_PROF_A0 + (i + 0.5) * SY_PROF_STEP, &wf, &wb);
        wf += sh->loose;
        wb += sh->loose;
        sh->prof_hw[i] = (float)(0.5 * (wf + wb));
        sh->prof_co[i] = (float)(0.5 * (wb - wf));
    }
}

/* -- soft contact shadow on a horizontal plane -- */

static void span_shadow(void *ctx, int y, int x0, int n, const float *cov, float *dst)
{
    const sy_shade *sh = ctx;
    const sy_cam *c = sh->cam;
    for (int i = 0; i < n; i++, dst += 3) {
        if (cov[i] <= 0)
            continue;
        sy_v3 d = sy_ray_dir(c, x0 + i + 0.5, y + 0.5);
        if (d.y >= -1e-9)
            continue;
        double t = (sh->gy - c->pos.y) / d.y;
        double X = c->pos.x + t * d.x, Z = c->pos.z + t * d.z;
        double ex = (X - sh->gx0) / sh->grx, ez = (Z - sh->gz0) / sh->grz;
        double r = sqrt(ex * ex + ez * ez);
        float a = (float)sh->gstr * (1.0f - sstep(0.35f, 1.0f, (float)r)) * cov[i];
        dst[0] *= 1.0f - a;
        dst[1] *= 1.0f - a;
        dst[2] *= 1.0f - a;
    }
}

/* -- cast shadows: coverage into the mask, only on pixels of the receiving plane -- */

static void span_cast(void *ctx, int y, int x0, int n, const float *cov, float *dst)
{
    const sy_shade *sh = ctx;
    sy_canvas *cv = sh->cv;
    (void)dst;
    size_t o = (size_t)y * cv->w2 + x0;
    const uint8_t *id = cv->rid2 + o;
    float *m = cv->mask2 + o;
    uint8_t want = (uint8_t)(sh->plane + 1);
    for (int i = 0; i < n; i++)
        if (id[i] == want && cov[i] > m[i])
            m[i] = cov[i];
}

/* -- occluders -- */

static void span_occ(void *ctx, int y, int x0, int n, const float *cov, float *dst)
{
    const sy_shade *sh = ctx;
    const sy_occ *o = sh->occ;
    const hd_synth *s = sh->s;
    rowmap m;
    rowmap_init(&m, sh->cam, y, x0);
    for (int i = 0; i < n; i++, dst += 3) {
        if (cov[i] <= 0)
            continue;
        double X, Y;
        rowmap_z(&m, i, sh->z, &X, &Y);
        double a = X - sh->ox, b = Y - sh->oy;
        float alb[3];
        fab_eval(&o->fab, s->noise, b, a, alb);
        if (o->kind == SY_OCC_BOX && fabs(a) < 25) { /* tape */
            alb[0] = alb[0] * 0.6f + 0.3f;
            alb[1] = alb[1] * 0.6f + 0.28f;
            alb[2] = alb[2] * 0.6f + 0.22f;
        }
        double ny = b / (o->h * 0.5) * (o->kind == SY_OCC_BOX ? 0.1 : 0.5);
        double nx = a / (o->w * 0.5) * (o->kind == SY_OCC_BOX ? 0.1 : 0.6);
        double nl = sqrt(nx * nx + ny * ny + 1.0);
        float li[3], spec;
        light_at(&s->scene, nx / nl, ny / nl, -1.0 / nl, 0.0f, li, &spec);
        float col[3];
        for (int k = 0; k < 3; k++)
            col[k] = alb[k] * li[k];
        blend(dst, col, cov[i]);
    }
}

/* ---- draw list ------------------------------------------------------------------------ */

static int pts_reserve(sy_canvas *cv, int n)
{
    if (cv->npts + n > cv->cap_pts) {
        int cap = cv->cap_pts ? cv->cap_pts * 2 : 4096;
        while (cap < cv->npts + n)
            cap *= 2;
        double *p = realloc(cv->pts, (size_t)cap * 2 * sizeof(double));
        if (!p)
            return -1;
        cv->pts = p;
        cv->cap_pts = cap;
    }
    return 0;
}

static sy_item *item_new(sy_canvas *cv, int layer, const sy_shade *sh)
{
    if (cv->nitems == cv->cap_items) {
        int cap = cv->cap_items ? cv->cap_items * 2 : 64;
        sy_item *it = realloc(cv->items, (size_t)cap * sizeof(*it));
        if (!it)
            return NULL;
        cv->items = it;
        cv->cap_items = cap;
    }
    sy_item *it = &cv->items[cv->nitems++];
    it->first = cv->npts;
    it->n = 0;
    it->layer = layer;
    it->sh = *sh;
    return it;
}

static void item_pt(sy_canvas *cv, sy_item *it, const sy_cam *c, double X, double Y, double Z)
{
    if (pts_reserve(cv, 1))
        return;
    double u, v;
    sy_project(c, sy_v3_make(X, Y, Z), &u, &v);
    cv->pts[2 * cv->npts] = u;
    cv->pts[2 * cv->npts + 1] = v;
    cv->npts++;
    it->n++;
}

static double mm_per_px(const sy_cam *c, double x, double y, double z)
{
    double dx = x - c->pos.x, dy = y - c->pos.y, dz = z - c->pos.z;
    double zc = c->r[6] * dx + c->r[7] * dy + c->r[8] * dz;
    return zc / c->fx;
}

static void add_foot(sy_canvas *cv, const hd_synth *s, const sy_person *P, const sy_foot_pose *fp,
                     double z, int top, float dim, int layer)
{
    sy_shade sh;
    memset(&sh, 0, sizeof(sh));
    sh.kind = SH_FOOT;
    sh.s = s;
    sh.cam = &cv->cam;
    sh.P = P;
    sh.z = z;
    sh.fp = *fp;
    sh.cr = cos(fp->rot_r);
    sh.sr = sin(fp->rot_r);
    sh.cf = cos(fp->rot_f);
    sh.sf = sin(fp->rot_f);
    sh.top = top;
    sh.dim = dim * (top ? 0.92f : 1.0f);
    sh.mmpx = mm_per_px(&cv->cam, fp->bx, fp->by, z);
    sy_item *it = item_new(cv, layer, &sh);
    if (!it)
        return;
    for (int i = 0; i < P->upper.n; i++) {
        double wx, wy;
        sy_foot_point(P, fp, P->upper.x[i], P->upper.h[i], &wx, &wy);
        item_pt(cv, it, &cv->cam, wx, wy, z);
    }
}

/* A leg band: the shank (a from a0 to the knee) and the thigh, as polygons; kind SH_LEG
 * or SH_TROUSER. a0/a1 limit it along the leg (mm from the ankle). */
static void add_leg(sy_canvas *cv, const hd_synth *s, const sy_person *P, sy_v3 ank, sy_v3 kn,
                    sy_v3 hip, int facing, double a0, double a1, int kind, double loose, float dim,
                    int layer)
{
    sy_shade sh;
    memset(&sh, 0, sizeof(sh));
    sh.kind = kind;
    sh.s = s;
    sh.cam = &cv->cam;
    sh.P = P;
    sh.z = ank.z;
    sh.ax = ank.x;
    sh.ay = ank.y;
    sh.kx = kn.x;
    sh.ky = kn.y;
    sh.hx = hip.x;
    sh.hy = hip.y;
    sh.back_sign = facing > 0 ? 1 : -1;
    sh.loose = loose;
    sh.dim = dim;
    sh.mmpx = mm_per_px(&cv->cam, kn.x, kn.y, ank.z);
    leg_prepare(&sh);
    double L1 = P->shank_len;
    /* shank */
    double ux = kn.x - ank.x, uy = kn.y - ank.y, l = sqrt(ux * ux + uy * uy);
    ux /= l;
    uy /= l;
    double bx = -uy * sh.back_sign, by = ux * sh.back_sign; /* towards the back */
    double vx = hip.x - kn.x, vy = hip.y - kn.y, lv = sqrt(vx * vx + vy * vy);
    if (lv < 1e-6) {
        vx = ux;
        vy = uy;
    } else {
        vx /= lv;
        vy /= lv;
    }
    double cx2 = -vy * sh.back_sign, cy2 = vx * sh.back_sign;
    const int NS = 9;
    if (a0 < L1 + 40) {
        sy_item *it = item_new(cv, layer, &sh);
        if (!it)
            return;
        double e0 = a0, e1 = a1 < L1 + 30 ? a1 : L1 + 30;
        double fr[NS][2], bk[NS][2];
        for (int i = 0; i < NS; i++) {
            double a = e0 + (e1 - e0) * i / (NS - 1), wf, wb;
            leg_profile(P, a < L1 ? a : L1, &wf, &wb);
            wf += loose;
            wb += loose;
            double px = ank.x + ux * a, py = ank.y + uy * a;
            fr[i][0] = px - bx * wf;
            fr[i][1] = py - by * wf;
            bk[i][0] = px + bx * wb;
            bk[i][1] = py + by * wb;
        }
        if (kind == SH_TROUSER && a0 > -30 && a0 < L1) {
            /* the hem hangs lower at the back than at the front */
            fr[0][0] += ux * 10;
            fr[0][1] += uy * 10;
            bk[0][0] -= ux * 10;
            bk[0][1] -= uy * 10;
        }
        for (int i = 0; i < NS; i++)
            item_pt(cv, it, &cv->cam, fr[i][0], fr[i][1], ank.z);
        for (int i = NS - 1; i >= 0; i--)
            item_pt(cv, it, &cv->cam, bk[i][0], bk[i][1], ank.z);
    }
    if (a1 > L1 - 10) {
        /* knee disc and thigh */
        double wf, wb;
        leg_profile(P, L1, &wf, &wb);
        double rk = 0.5 * (wf + wb) + loose;
        if (a0 < L1) {
            sy_item *it = item_new(cv, layer, &sh);
            if (!it)
                return;
            for (int i = 0; i < 16; i++) {
                double ang = 2 * SY_PI * i / 16;
                item_pt(cv, it, &cv->cam, kn.x + rk * cos(ang), kn.y + rk * sin(ang), ank.z);
            }
        }
        sy_item *it = item_new(cv, layer, &sh);
        if (!it)
            return;
        double t0 = a0 > L1 ? a0 - L1 : 0.0;
        double t1 = P->thigh_len + 600.0;
        double fr[NS][2], bk[NS][2];
        for (int i = 0; i < NS; i++) {
            double t = t0 + (t1 - t0) * i / (NS - 1);
            leg_profile(P, L1 + t, &wf, &wb);
            wf += loose;
            wb += loose;
            double px = kn.x + vx * t, py = kn.y + vy * t;
            fr[i][0] = px - cx2 * wf;
            fr[i][1] = py - cy2 * wf;
            bk[i][0] = px + cx2 * wb;
            bk[i][1] = py + cy2 * wb;
        }
        for (int i = 0; i < NS; i++)
            item_pt(cv, it, &cv->cam, fr[i][0], fr[i][1], ank.z);
        for (int i = NS - 1; i >= 0; i--)
            item_pt(cv, it, &cv->cam, bk[i][0], bk[i][1], ank.z);
    }
}

static void add_shadow(sy_canvas *cv, const hd_synth *s, double gy, double x0, double x1, double z0,
                       double z1, double str)
{
    sy_shade sh;
    memset(&sh, 0, sizeof(sh));
    sh.kind = SH_SHADOW;
    sh.s = s;
    sh.cam = &cv->cam;
    sh.gy = gy;
    sh.gx0 = 0.5 * (x0 + x1);
    sh.gz0 = 0.5 * (z0 + z1);
    sh.grx = 0.5 * fabs(x1 - x0) + 10;
    sh.grz = 0.5 * fabs(z1 - z0) + 10;
    sh.gstr = str;
    sy_item *it = item_new(cv, 0, &sh);
    if (!it)
        return;
    for (int i = 0; i < 20; i++) {
        double a = 2 * SY_PI * i / 20;
        item_pt(cv, it, &cv->cam, sh.gx0 + sh.grx * cos(a), gy, sh.gz0 + sh.grz * sin(a));
    }
}

/* One person's legs and feet (far leg first). */
static void add_person(sy_canvas *cv, const hd_synth *s, const sy_person *P,
                       const sy_person_track *pt, const sy_foot_pose foot[2], const sy_v3 hip[2],
                       const sy_v3 knee[2], const sy_v3 ankle[2], int layer)
{
    const sy_scene *sc = &s->scene;
    /* contact shadows first: under the forefoot on the tread, a blur under hanging heels */
    for (int f = 0; f < 2; f++) {
        const sy_foot_pose *fp = &foot[f];
        double z = pt->z[f];
        double hx, hy, tx, ty;
        sy_heel_point(P, fp, &hx, &hy, NULL);
        sy_foot_point(P, fp, P->L, 0, &tx, &ty);
        double str = 0.25 + 0.25 * sc->light.amb[1];
        if (fp->on_step) {
            double x0 = hx > 0 ? hx : 0;
            add_shadow(cv, s, 0.0, x0 - 10, tx + 15, z - 20, z + P->width, str);
            double below = hy + sc->riser;
            if (hx < -20)
                add_shadow(cv, s, -sc->riser, hx - 40 - below * 0.2, -5, z - 30 - below * 0.2,
                           z + P->width + below * 0.2, str * 0.5 * 120.0 / (below + 120.0));
        } else if (fp->by > -sc->riser - 5 && fp->by < -sc->riser + 5) {
            add_shadow(cv, s, -sc->riser, hx - 10, tx + 10, z - 20, z + P->width, str);
        } else if (fabs(fp->by - sc->y_floor) < 5) {
            add_shadow(cv, s, sc->y_floor, hx - 10, tx + 10, z - 20, z + P->width, str);
        }
    }
    for (int k = 0; k < 2; k++) {
        int f = 1 - k; /* far leg first */
        float dim = f == 1 ? P->far_dim : 1.0f;
        double z = pt->z[f];
        sy_v3 an = ankle[f], kn = knee[f], hp = hip[f];
        an.z = kn.z = hp.z = z;
        add_foot(cv, s, P, &foot[f], z + P->width * 0.55, 1, dim * 0.9f, layer);
        double top = 1e9;
        int trousers = P->legwear != SY_LEGWEAR_LEGGINGS;
        if (trousers)
            top = P->hem_t + 30;
        add_leg(cv, s, P, an, kn, hp, pt->facing, -45, top, SH_LEG, 0.0, dim, layer);
        add_foot(cv, s, P, &foot[f], z, 0, dim, layer);
        if (trousers)
            add_leg(cv, s, P, an, kn, hp, pt->facing, P->hem_t, 1e9, SH_TROUSER, P->looseness, dim,
                    layer);
    }
}

static void occ_pos(const sy_occ *o, double t, double *x, double *y)
{
    double u;
    if (t <= o->tm0) {
        u = (t - o->t0) / (o->tm0 - o->t0 > 1e-9 ? o->tm0 - o->t0 : 1e-9);
        u = o->kind == SY_OCC_TOWEL ? sy_ease(SY_EASE_SMOOTH, NULL, u) : u;
        *x = o->p0[0] + (o->pm[0] - o->p0[0]) * u;
        *y = o->p0[1] + (o->pm[1] - o->p0[1]) * u;
    } else if (t <= o->tm1) {
        *x = o->pm[0];
        *y = o->pm[1];
    } else {
        u = (t - o->tm1) / (o->t1 - o->tm1 > 1e-9 ? o->t1 - o->tm1 : 1e-9);
        u = o->kind == SY_OCC_TOWEL ? sy_ease(SY_EASE_SMOOTH, NULL, u) : u;
        *x = o->pm[0] + (o->p1[0] - o->pm[0]) * u;
        *y = o->pm[1] + (o->p1[1] - o->pm[1]) * u;
    }
}

/* The outline of an occluder at time t in world (X, Y) at its depth; returns points. */
static int occ_outline(const sy_occ *o, double t, double (*pt)[2], int max)
{
    if (t < o->t0 || t > o->t1)
        return 0;
    double cx, cy;
    occ_pos(o, t, &cx, &cy);
    double hw = o->w * 0.5, hh = o->h * 0.5;
    int n = 0;
    switch (o->kind) {
    case SY_OCC_TOWEL: {
        /* hanging cloth: straight top, wavy sides and bottom */
        double ph = (o->seed % 1000) * 0.01 + t * 2.0;
        for (int i = 0; i <= 8 && n < max; i++) {
            double u = (double)i / 8;
            pt[n][0] = cx - hw + u * o->w;
            pt[n][1] = cy - hh + 12 * sin(ph + u * 7.0);
            n++;
        }
        pt[n][0] = cx + hw + 8 * sin(ph);
        pt[n][1] = cy + hh;
        n++;
        pt[n][0] = cx - hw - 8 * sin(ph * 1.3);
        pt[n][1] = cy + hh;
        n++;
        break;
    }
    default: {
        double r = o->kind == SY_OCC_BAG ? 40 : 4;
        for (int c = 0; c < 4 && n < max - 4; c++) {
            double ccx = c == 0 || c == 3 ? cx + hw - r : cx - hw + r;
            double ccy = c < 2 ? cy + hh - r : cy - hh + r;
            for (int i = 0; i < 4; i++) {
                double a = (c * 90 + i * 30) * SY_PI / 180.0;
                pt[n][0] = ccx + r * cos(a);
                pt[n][1] = ccy + r * sin(a);
                n++;
            }
        }
        break;
    }
    }
    return n;
}

static void add_occluders(sy_canvas *cv, const hd_synth *s, double t)
{
    const sy_script *sc = &s->script;
    for (int i = 0; i < sc->nocc; i++) {
        const sy_occ *o = &sc->occ[i];
        double pt[24][2];
        int n = occ_outline(o, t, pt, 20);
        if (n < 3)
            continue;
        sy_shade sh;
        memset(&sh, 0, sizeof(sh));
        sh.kind = SH_OCC;
        sh.s = s;
        sh.cam = &cv->cam;
        sh.z = o->z;
        sh.occ = o;
        occ_pos(o, t, &sh.ox, &sh.oy);
        sy_item *it = item_new(cv, 1, &sh);
        if (!it)
            return;
        for (int k = 0; k < n; k++)
            item_pt(cv, it, &cv->cam, pt[k][0], pt[k][1], o->z);
        if (o->kind == SY_OCC_BAG) {
            /* the strap, going up out of the picture */
            sy_item *st = item_new(cv, 1, &sh);
            if (!st)
                return;
            double x0 = sh.ox - o->w * 0.25, y0 = sh.oy + o->h * 0.5 - 10;
            item_pt(cv, st, &cv->cam, x0, y0, o->z);
            item_pt(cv, st, &cv->cam, x0 + 30, y0, o->z);
            item_pt(cv, st, &cv->cam, x0 + 130, y0 + 1500, o->z);
            item_pt(cv, st, &cv->cam, x0 + 100, y0 + 1500, o->z);
        }
    }
}

/* ---- cast shadows ---------------------------------------------------------------- */

static int plane_find(sy_canvas *cv, int axis, double val, int sign, int add)
{
    for (int i = 0; i < cv->nplanes; i++)
        if (cv->plane[i].axis == axis && cv->plane[i].sign == sign &&
            fabs(cv->plane[i].val - val) < 0.5)
            return i;
    if (!add || cv->nplanes >= SY_MAX_PLANES)
        return -1;
    cv->plane[cv->nplanes].axis = axis;
    cv->plane[cv->nplanes].val = val;
    cv->plane[cv->nplanes].sign = sign;
    return cv->nplanes++;
}

/* The surfaces a person's shadow can fall on: the wall, the floor, the tops and the
 * ends (risers) of the stair's boxes. */
static void planes_build(sy_canvas *cv, const sy_scene *sc)
{
    cv->nplanes = 0;
    plane_find(cv, 2, sc->z_wall, -1, 1);
    plane_find(cv, 1, sc->y_floor, 1, 1);
    for (int i = 0; i < sc->nbox; i++) {
        const sy_box *b = &sc->box[i];
        plane_find(cv, 1, b->hi[1], 1, 1);
        plane_find(cv, 0, b->lo[0], -1, 1);
        plane_find(cv, 0, b->hi[0], 1, 1);
    }
}

/* Receiver plane of a ray hit (-1: none). */
static int plane_of_hit(sy_canvas *cv, const sy_scene *sc, const sy_hit *h)
{
    if (h->box == -1)
        return plane_find(cv, 2, sc->z_wall, -1, 0);
    if (h->box == -2)
        return plane_find(cv, 1, sc->y_floor, 1, 0);
    const sy_box *b = &sc->box[h->box];
    int axis = h->face >> 1, sign = (h->face & 1) ? 1 : -1;
    if (axis == 2 || (axis == 1 && sign < 0))
        return -1;
    double val = sign > 0 ? b->hi[axis] : b->lo[axis];
    return plane_find(cv, axis, val, sign, 0);
}

static double v3_get(sy_v3 p, int axis)
{
    return axis == 0 ? p.x : (axis == 1 ? p.y : p.z);
}

/* 2-D convex hull (monotone chain) of n points; returns the hull size, points in order. */
static int hull2(double (*p)[2], int n, int *idx)
{
    /* insertion sort by x then y (n is small) */
    for (int i = 0; i < n; i++)
        idx[i] = i;
    for (int i = 1; i < n; i++) {
        int k = idx[i], j = i - 1;
        while (j >= 0 &&
               (p[idx[j]][0] > p[k][0] || (p[idx[j]][0] == p[k][0] && p[idx[j]][1] > p[k][1]))) {
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = k;
    }
    int h[2 * 160], m = 0;
    for (int pass = 0; pass < 2; pass++) {
        int start = m;
        for (int q = 0; q < n; q++) {
            int i = pass == 0 ? idx[q] : idx[n - 1 - q];
            while (m >= start + 2) {
                double *a = p[h[m - 2]], *b = p[h[m - 1]];
                double cr = (b[0] - a[0]) * (p[i][1] - a[1]) - (b[1] - a[1]) * (p[i][0] - a[0]);
                if (cr > 0)
                    break;
                m--;
            }
            h[m++] = i;
        }
        m--; /* the last point is the first of the other pass */
    }
    for (int i = 0; i < m; i++)
        idx[i] = h[i];
    return m;
}

/* Shadow of a convex-ish caster (3-D points) on every lit receiving plane. */
static void add_caster(sy_canvas *cv, const hd_synth *s, const sy_v3 *pt, int n)
{
    const sy_light *L = &s->scene.light;
    sy_v3 ld = L->key_dir;
    if (n > 160)
        n = 160;
    for (int p = 0; p < cv->nplanes; p++) {
        const struct sy_plane *pl = &cv->plane[p];
        double la = v3_get(ld, pl->axis);
        if (pl->sign * la < 0.05)
            continue; /* the surface does not face the light */
        double proj[160][2];
        sy_v3 w3[160];
        double tsum = 0;
        int ok = 1;
        for (int i = 0; i < n && ok; i++) {
            double d = v3_get(pt[i], pl->axis) - pl->val;
            if (d * pl->sign <= 1.0) {
                ok = 0; /* part of the caster is behind the surface */
                break;
            }
            double t = d / la;
            sy_v3 q = sy_v3_make(pt[i].x - ld.x * t, pt[i].y - ld.y * t, pt[i].z - ld.z * t);
            w3[i] = q;
            tsum += t;
            /* plane coordinates: the two other axes */
            int a0 = pl->axis == 0 ? 1 : 0, a1 = pl->axis == 2 ? 1 : 2;
            proj[i][0] = v3_get(q, a0);
            proj[i][1] = v3_get(q, a1);
        }
        if (!ok)
            continue;
        int idx[320];
        int m = hull2(proj, n, idx);
        if (m < 3)
            continue;
        sy_shade sh;
        memset(&sh, 0, sizeof(sh));
        sh.kind = SH_CAST;
        sh.s = s;
        sh.cam = &cv->cam;
        sh.plane = p;
        sh.cv = cv;
        /* penumbra: the light's angular size over the caster-receiver distance */
        double mm = mm_per_px(&cv->cam, w3[0].x, w3[0].y, w3[0].z);
        sh.gstr = (tsum / n) * L->shadow_soft * 0.5 / (mm > 0.05 ? mm : 0.05) + 1.0;
        sy_item *it = item_new(cv, 0, &sh);
        if (!it)
            return;
        for (int k = 0; k < m; k++)
            item_pt(cv, it, &cv->cam, w3[idx[k]].x, w3[idx[k]].y, w3[idx[k]].z);
    }
}

/* The shadow casters of one person: each foot (both sides of it), each shank, each thigh. */
static void add_person_casters(sy_canvas *cv, const hd_synth *s, const sy_person *P,
                               const sy_person_track *pt, const sy_foot_pose foot[2],
                               const sy_v3 hip[2], const sy_v3 knee[2], const sy_v3 ankle[2])
{
    for (int f = 0; f < 2; f++) {
        sy_v3 q[2 * SY_OUTLINE_MAX];
        int n = 0;
        double z0 = pt->z[f], z1 = pt->z[f] + P->width;
        for (int i = 0; i < P->upper.n; i += 2) {
            double wx, wy;
            sy_foot_point(P, &foot[f], P->upper.x[i], P->upper.h[i], &wx, &wy);
            q[n++] = sy_v3_make(wx, wy, z0);
            q[n++] = sy_v3_make(wx, wy, z1);
        }
        add_caster(cv, s, q, n);
        /* shank and thigh as boxes around their axes */
        sy_v3 segs[2][2] = {{ankle[f], knee[f]}, {knee[f], hip[f]}};
        double wd[2][2] = {{P->w_ankle, P->w_calf}, {P->w_knee, P->w_thigh}};
        for (int k = 0; k < 2; k++) {
            sy_v3 a = segs[k][0], b = segs[k][1];
            double ux = b.x - a.x, uy = b.y - a.y, l = sqrt(ux * ux + uy * uy);
            if (l < 1e-6)
                continue;
            ux /= l;
            uy /= l;
            if (k == 1) { /* the thigh goes on up, out of the picture */
                b.x += ux * 300;
                b.y += uy * 300;
            }
            double r0 = 0.5 * wd[k][0] + P->looseness * 0.5,
                   r1 = 0.5 * wd[k][1] + P->looseness * 0.5;
            double zc = pt->z[f] + 0.5 * P->width;
            n = 0;
            for (int e = 0; e < 2; e++) {
                sy_v3 c = e ? b : a;
                double r = e ? r1 : r0;
                for (int sd = -1; sd <= 1; sd += 2) {
                    q[n++] = sy_v3_make(c.x - uy * r * sd, c.y + ux * r * sd, zc - r);
                    q[n++] = sy_v3_make(c.x - uy * r * sd, c.y + ux * r * sd, zc + r);
                }
            }
            add_caster(cv, s, q, n);
        }
    }
}

/* Draws the cast shadows (items of kind SH_CAST), plane by plane: coverage into a half-size
 * mask, a box blur for the penumbra, then the key light taken away where the plane shows. */
static void draw_cast(sy_canvas *cv)
{
    int w2 = cv->w2, h2 = cv->h2;
    sy_img img2 = {w2, h2, cv->tmp}; /* only its size is used: span_cast writes the mask */
    for (int p = 0; p < cv->nplanes; p++) {
        double bb[4] = {1e30, 1e30, -1e30, -1e30};
        double rad = 1;
        int any = 0;
        for (int i = 0; i < cv->nitems; i++) {
            sy_item *it = &cv->items[i];
            if (it->sh.kind != SH_CAST || it->sh.plane != p)
                continue;
            for (int k = 0; k < it->n; k++) {
                double x = cv->pts[2 * (it->first + k)], y = cv->pts[2 * (it->first + k) + 1];
                if (!(x == x))
                    continue;
                bb[0] = x < bb[0] ? x : bb[0];
                bb[1] = y < bb[1] ? y : bb[1];
                bb[2] = x > bb[2] ? x : bb[2];
                bb[3] = y > bb[3] ? y : bb[3];
            }
            if (it->sh.gstr > rad)
                rad = it->sh.gstr;
            any = 1;
        }
        if (!any)
            continue;
        int r = (int)(rad * 0.5 + 0.5);
        r = r < 1 ? 1 : (r > 10 ? 10 : r);
        int x0 = (int)floor(bb[0] * 0.5) - r - 1, y0 = (int)floor(bb[1] * 0.5) - r - 1;
        int x1 = (int)ceil(bb[2] * 0.5) + r + 1, y1 = (int)ceil(bb[3] * 0.5) + r + 1;
        x0 = x0 < 0 ? 0 : x0;
        y0 = y0 < 0 ? 0 : y0;
        x1 = x1 > w2 ? w2 : x1;
        y1 = y1 > h2 ? h2 : y1;
        if (x1 <= x0 || y1 <= y0)
            continue;
        for (int i = 0; i < cv->nitems; i++) {
            sy_item *it = &cv->items[i];
            if (it->sh.kind != SH_CAST || it->sh.plane != p)
                continue;
            double half[2 * 400];
            int n = it->n < 400 ? it->n : 400;
            for (int k = 0; k < 2 * n; k++)
                half[k] = cv->pts[2 * it->first + k] * 0.5;
            sy_fill_poly(&cv->ra, &img2, half, n, span_cast, &it->sh);
        }
        /* box blur: horizontal into tmp, vertical back into the mask with column sums */
        float *tmp = cv->tmp, *cs = cv->colsum;
        float inv = 1.0f / (2 * r + 1);
        for (int y = y0; y < y1; y++) {
            const float *m = cv->mask2 + (size_t)y * w2;
            float *t = tmp + (size_t)y * w2;
            float acc = 0;
            for (int x = x0; x <= x0 + r && x < x1; x++)
                acc += m[x];
            for (int x = x0; x < x1; x++) {
                t[x] = acc * inv;
                int xa = x - r, xb = x + r + 1;
                acc += (xb < x1 ? m[xb] : 0.0f) - (xa >= x0 ? m[xa] : 0.0f);
            }
        }
        for (int x = x0; x < x1; x++)
            cs[x] = 0;
        for (int y = y0; y <= y0 + r && y < y1; y++)
            for (int x = x0; x < x1; x++)
                cs[x] += tmp[(size_t)y * w2 + x];
        for (int y = y0; y < y1; y++) {
            float *m = cv->mask2 + (size_t)y * w2;
            const float *add = y + r + 1 < y1 ? tmp + (size_t)(y + r + 1) * w2 : NULL;
            const float *sub = y - r >= y0 ? tmp + (size_t)(y - r) * w2 : NULL;
            for (int x = x0; x < x1; x++) {
                m[x] = cs[x] * inv;
                cs[x] += (add ? add[x] : 0.0f) - (sub ? sub[x] : 0.0f);
            }
        }
        /* apply at full size where this plane shows; clear the mask */
        uint8_t want = (uint8_t)(p + 1);
        int fx0 = x0 * 2, fx1 = x1 * 2 < cv->w ? x1 * 2 : cv->w;
        int fy0 = y0 * 2, fy1 = y1 * 2 < cv->h ? y1 * 2 : cv->h;
        for (int y = fy0; y < fy1; y++) {
            size_t o = (size_t)y * cv->w;
            const float *m = cv->mask2 + (size_t)(y >> 1) * w2;
            float *d = cv->frame.px + (o + fx0) * 3;
            for (int x = fx0; x < fx1; x++, d += 3) {
                float mv = m[x >> 1];
                if (mv > 1e-3f && cv->rid[o + x] == want) {
                    float k = 1.0f - 0.92f * cv->kshare[o + x] * mv;
                    d[0] *= k;
                    d[1] *= k;
                    d[2] *= k;
                }
            }
        }
        for (int y = y0; y < y1; y++)
            memset(cv->mask2 + (size_t)y * w2 + x0, 0, (size_t)(x1 - x0) * sizeof(float));
    }
}

/* Builds the draw list for time t. */
static void build_items(sy_canvas *cv, const hd_synth *s, double t)
{
    sy_state st;
    sy_state_eval(s, t, &st);
    if (s->script.me.present)
        add_person_casters(cv, s, &s->scene.person, &s->script.me, st.foot, st.hip, st.knee,
                           st.ankle);
    if (s->script.walker.present)
        add_person_casters(cv, s, &s->scene.walker, &s->script.walker, st.wfoot, st.whip, st.wknee,
                           st.wankle);
    if (s->script.me.present)
        add_person(cv, s, &s->scene.person, &s->script.me, st.foot, st.hip, st.knee, st.ankle, 0);
    if (s->script.walker.present)
        add_person(cv, s, &s->scene.walker, &s->script.walker, st.wfoot, st.whip, st.wknee,
                   st.wankle, 1);
    add_occluders(cv, s, t);
}

/* ---- the canvas ------------------------------------------------------------------- */

void sy_canvas_destroy(sy_canvas *cv)
{
    if (!cv)
        return;
    free(cv->frame.px);
    free(cv->bg_back);
    free(cv->bg_full);
    free(cv->fg);
    free(cv->acc);
    free(cv->tmp);
    free(cv->gauss);
    free(cv->rid);
    free(cv->kshare);
    free(cv->rid2);
    free(cv->mask2);
    free(cv->colsum);
    free(cv->ucol);
    free(cv->fg_lo);
    free(cv->fg_hi);
    free(cv->utrans);
    free(cv->blr);
    free(cv->vign);
    free(cv->sx0);
    free(cv->swx);
    free(cv->row);
    free(cv->items);
    free(cv->pts);
    sy_raster_free(&cv->ra);
    free(cv);
}

/* Ray traces the static scene, supersampled, into bg_back / fg / bg_full. */
static void render_background(sy_canvas *cv, hd_synth *s)
{
    const sy_scene *sc = &s->scene;
    int w = cv->w, h = cv->h;
    int ss = w * h <= 400000 ? 3 : 2;
    uint32_t seed = (uint32_t)sy_mix64(s->seed ^ 0xb9ULL);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            float back[3] = {0, 0, 0}, front[3] = {0, 0, 0};
            float fcov = 0, ks = 0;
            int nb = 0, pid = -1;
            for (int j = 0; j < ss; j++) {
                for (int i = 0; i < ss; i++) {
                    /* jittered grid */
                    uint32_t sm = seed ^ (uint32_t)(y * 7919 + x * 104729 + (j * ss + i) * 31);
                    double jx = (i + 0.25 + 0.5 * sy_hashf(sm, 1, 2)) / ss;
                    double jy = (j + 0.25 + 0.5 * sy_hashf(sm, 3, 4)) / ss;
                    sy_v3 d = sy_ray_dir(&cv->cam, x + jx, y + jy);
                    sy_hit hit;
                    float c[3];
                    if (!sy_scene_cast(sc, cv->cam.pos, d, 0, &hit))
                        continue;
                    if (hit.front) {
                        sy_shade_static(sc, &hit, cv->cam.pos, sm, c, NULL);
                        for (int k = 0; k < 3; k++)
                            front[k] += c[k];
                        fcov += 1;
                        if (!sy_scene_cast(sc, cv->cam.pos, d, 1, &hit))
                            continue;
                    }
                    float kk;
                    sy_shade_static(sc, &hit, cv->cam.pos, sm ^ 0x5555U, c, &kk);
                    ks += kk;
                    if (i == ss / 2 && j == ss / 2)
                        pid = plane_of_hit(cv, sc, &hit);
                    for (int k = 0; k < 3; k++)
                        back[k] += c[k];
                    nb++;
                }
            }
            size_t o = (size_t)y * w + x;
            float n = (float)(ss * ss);
            for (int k = 0; k < 3; k++) {
                float b = nb ? back[k] / nb : 0.0f;
                cv->bg_back[o * 3 + k] = b;
                cv->fg[o * 4 + k] = front[k] / n;
                cv->bg_full[o * 3 + k] = b * (1.0f - fcov / n) + front[k] / n;
            }
            cv->fg[o * 4 + 3] = fcov / n;
            cv->kshare[o] = nb ? ks / nb : 0.0f;
            cv->rid[o] = (uint8_t)(pid >= 0 ? pid + 1 : 0);
        }
    }
}

static int canvas_create(hd_synth *s)
{
    sy_canvas *cv = calloc(1, sizeof(*cv));
    if (!cv)
        return -1;
    int W = s->info.width, H = s->info.height;
    int w = (int)lround(W * s->look.render_scale), h = (int)lround(H * s->look.render_scale);
    if (w < 16)
        w = 16;
    if (h < 16)
        h = 16;
    cv->w = w;
    cv->h = h;
    cv->cam = sy_cam_scaled(&s->cam, w, h);
    size_t n = (size_t)w * h;
    cv->frame.w = w;
    cv->frame.h = h;
    cv->frame.px = malloc(n * 3 * sizeof(float));
    cv->bg_back = malloc(n * 3 * sizeof(float));
    cv->bg_full = malloc(n * 3 * sizeof(float));
    cv->fg = malloc(n * 4 * sizeof(float));
    cv->acc = malloc(n * 3 * sizeof(float));
    cv->tmp = malloc(n * 3 * sizeof(float));
    cv->vign = malloc((size_t)W * H * sizeof(float));
    if (!cv->frame.px || !cv->bg_back || !cv->bg_full || !cv->fg || !cv->acc || !cv->tmp ||
        !cv->vign) {
        sy_canvas_destroy(cv);
        return -1;
    }
    cv->rid = calloc(n, 1);
    cv->kshare = calloc(n, sizeof(float));
    cv->w2 = (w + 1) / 2;
    cv->h2 = (h + 1) / 2;
    cv->rid2 = calloc((size_t)cv->w2 * cv->h2, 1);
    cv->mask2 = calloc((size_t)cv->w2 * cv->h2, sizeof(float));
    cv->colsum = calloc((size_t)cv->w2, sizeof(float));
    cv->ucol = malloc(n * 3 * sizeof(float));
    cv->fg_lo = malloc((size_t)h * sizeof(int));
    cv->fg_hi = malloc((size_t)h * sizeof(int));
    cv->utrans = malloc(n * sizeof(float));
    if (!cv->rid || !cv->kshare || !cv->rid2 || !cv->mask2 || !cv->colsum || !cv->ucol ||
        !cv->utrans || !cv->fg_lo || !cv->fg_hi) {
        sy_canvas_destroy(cv);
        return -1;
    }
    planes_build(cv, &s->scene);
    sy_raster_init(&cv->ra, w, h);
    render_background(cv, s);
    for (int y = 0; y < h; y++) {
        int lo = w, hi = 0;
        for (int x = 0; x < w; x++)
            if (cv->fg[((size_t)y * w + x) * 4 + 3] > 0) {
                lo = x < lo ? x : lo;
                hi = x + 1;
            }
        cv->fg_lo[y] = lo;
        cv->fg_hi[y] = hi;
    }
    for (int y = 0; y < cv->h2; y++)
        for (int x = 0; x < cv->w2; x++) {
            int fx = 2 * x < w ? 2 * x : w - 1, fy = 2 * y < h ? 2 * y : h - 1;
            cv->rid2[(size_t)y * cv->w2 + x] = cv->rid[(size_t)fy * w + fx];
        }
    memcpy(cv->frame.px, cv->bg_full, n * 3 * sizeof(float));
    if (fabsf(s->look.blur) > 0.05f) {
        cv->blr = malloc(n * 3 * sizeof(float));
        if (!cv->blr) {
            sy_canvas_destroy(cv);
            return -1;
        }
        int all[4] = {0, 0, w, h};
        blur3_rect(cv, cv->frame.px, cv->blr, s->look.blur, all);
    }
    cv->dirty[0] = cv->dirty[1] = 0;
    cv->dirty[2] = cv->dirty[3] = 0;
    /* exposure: bring the background's mean luma to the target */
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        const float *p = cv->bg_full + i * 3;
        double yv = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        sum += yv > 1.5 ? 1.5 : yv;
    }
    double mean = sum / (double)n;
    double ex = s->look.target_luma / (mean > 0.02 ? mean : 0.02);
    s->look.exposure = (float)(ex < 0.3 ? 0.3 : (ex > 5 ? 5 : ex));
    /* vignetting */
    double cx = W * 0.5, cy = H * 0.5, rr = cx * cx + cy * cy;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
            double q = (dx * dx + dy * dy) / rr;
            cv->vign[(size_t)y * W + x] = (float)(1.0 - s->look.vignette * q * q);
        }
    }
    sy_rng r;
    sy_rng_seed(&r, s->seed ^ 0x6e6f697365ULL);
    size_t gn = SY_GN + (size_t)(W > w ? W : w) + 8;
    cv->gauss = malloc(gn * sizeof(float));
    if (!cv->gauss) {
        sy_canvas_destroy(cv);
        return -1;
    }
    for (size_t i = 0; i < SY_GN; i++)
        cv->gauss[i] = (float)sy_normal(&r);
    for (size_t i = SY_GN; i < gn; i++)
        cv->gauss[i] = cv->gauss[i - SY_GN];
    double tk = (1.0 - s->look.gamma) * 1.4;
    cv->tone_k = (float)(tk < -0.3 ? -0.3 : (tk > 0.3 ? 0.3 : tk));
    cv->sx0 = malloc((size_t)W * sizeof(int));
    cv->swx = malloc((size_t)W * sizeof(float));
    cv->row = malloc((size_t)w * 3 * sizeof(float));
    if (!cv->sx0 || !cv->swx || !cv->row) {
        sy_canvas_destroy(cv);
        return -1;
    }
    for (int x = 0; x < W; x++) {
        double fx = (x + 0.5) * (double)w / W - 0.5;
        int x0 = (int)floor(fx);
        float wx = (float)(fx - x0);
        if (x0 < 0) {
            x0 = 0;
            wx = 0;
        }
        if (x0 >= w - 1) {
            x0 = w - 2 >= 0 ? w - 2 : 0;
            wx = 1;
        }
        cv->sx0[x] = x0;
        cv->swx[x] = wx;
    }
    s->cv = cv;
    return 0;
}

/* ---- per frame ------------------------------------------------------------------- */

static void copy_rect(float *dst, const float *src, int w, const int r[4])
{
    for (int y = r[1]; y < r[3]; y++)
        memcpy(dst + ((size_t)y * w + r[0]) * 3, src + ((size_t)y * w + r[0]) * 3,
               (size_t)(r[2] - r[0]) * 3 * sizeof(float));
}

/* Copies bg_full back over old minus cur (up to four rectangles). */
static void restore_outside(sy_canvas *cv, const int old[4], const int cur[4])
{
    if (old[2] <= old[0] || old[3] <= old[1])
        return;
    if (cur[2] <= cur[0] || cur[3] <= cur[1] || cur[0] >= old[2] || cur[2] <= old[0] ||
        cur[1] >= old[3] || cur[3] <= old[1]) {
        copy_rect(cv->frame.px, cv->bg_full, cv->w, old);
        return;
    }
    int iy0 = cur[1] > old[1] ? cur[1] : old[1], iy1 = cur[3] < old[3] ? cur[3] : old[3];
    int ix0 = cur[0] > old[0] ? cur[0] : old[0], ix1 = cur[2] < old[2] ? cur[2] : old[2];
    int parts[4][4] = {{old[0], old[1], old[2], iy0}, /* above */
                       {old[0], iy1, old[2], old[3]}, /* below */
                       {old[0], iy0, ix0, iy1},       /* left */
                       {ix1, iy0, old[2], iy1}};      /* right */
    for (int i = 0; i < 4; i++)
        if (parts[i][2] > parts[i][0] && parts[i][3] > parts[i][1])
            copy_rect(cv->frame.px, cv->bg_full, cv->w, parts[i]);
}

static void fg_over(sy_canvas *cv, const int r[4])
{
    for (int y = r[1]; y < r[3]; y++) {
        /* only the columns where this row has front faces */
        int xa = r[0] > cv->fg_lo[y] ? r[0] : cv->fg_lo[y];
        int xb = r[2] < cv->fg_hi[y] ? r[2] : cv->fg_hi[y];
        if (xb <= xa)
            continue;
        float *d = cv->frame.px + ((size_t)y * cv->w + xa) * 3;
        const float *f = cv->fg + ((size_t)y * cv->w + xa) * 4;
        for (int x = xa; x < xb; x++, d += 3, f += 4) {
            float a = f[3];
            if (a <= 0)
                continue;
            d[0] = d[0] * (1 - a) + f[0];
            d[1] = d[1] * (1 - a) + f[1];
            d[2] = d[2] * (1 - a) + f[2];
        }
    }
}

static void items_bbox(const sy_canvas *cv, int r[4])
{
    double x0 = 1e30, y0 = 1e30, x1 = -1e30, y1 = -1e30;
    for (int i = 0; i < cv->npts; i++) {
        double x = cv->pts[2 * i], y = cv->pts[2 * i + 1];
        if (!(x == x))
            continue;
        if (x < x0)
            x0 = x;
        if (x > x1)
            x1 = x;
        if (y < y0)
            y0 = y;
        if (y > y1)
            y1 = y;
    }
    r[0] = (int)floor(x0) - 1;
    r[1] = (int)floor(y0) - 1;
    r[2] = (int)ceil(x1) + 1;
    r[3] = (int)ceil(y1) + 1;
    if (r[0] < 0)
        r[0] = 0;
    if (r[1] < 0)
        r[1] = 0;
    if (r[2] > cv->w)
        r[2] = cv->w;
    if (r[3] > cv->h)
        r[3] = cv->h;
    if (r[2] <= r[0] || r[3] <= r[1])
        r[0] = r[1] = r[2] = r[3] = 0;
}

static const sy_span_fn span_fns[] = {span_shadow, span_foot, span_leg,
                                      span_leg,    span_occ,  span_cast};

/* Items of a layer in order, blended over the frame (shadows first, then the rest). */
static void draw_items(sy_canvas *cv, int layer)
{
    for (int i = 0; i < cv->nitems; i++) {
        sy_item *it = &cv->items[i];
        if (it->layer != layer || it->sh.kind == SH_CAST)
            continue;
        if (layer == 0 && it->sh.kind != SH_SHADOW)
            continue; /* the person's parts go through draw_person */
        sy_fill_poly(&cv->ra, &cv->frame, cv->pts + 2 * it->first, it->n, span_fns[it->sh.kind],
                     &it->sh);
    }
}

/* The person's parts of layer 0, front to back: each pixel's colour adds up under what is
 * already in front of it until nothing more shows, then goes over the background. */
static void draw_person(sy_canvas *cv, const int reg[4])
{
    int w = cv->w;
    /* only the box the person's parts cover */
    double bx0 = 1e30, by0 = 1e30, bx1 = -1e30, by1 = -1e30;
    for (int i = 0; i < cv->nitems; i++) {
        const sy_item *it = &cv->items[i];
        if (it->layer != 0 || it->sh.kind == SH_CAST || it->sh.kind == SH_SHADOW)
            continue;
        for (int k = 0; k < it->n; k++) {
            double x = cv->pts[2 * (it->first + k)], y = cv->pts[2 * (it->first + k) + 1];
            if (!(x == x))
                continue;
            bx0 = x < bx0 ? x : bx0;
            by0 = y < by0 ? y : by0;
            bx1 = x > bx1 ? x : bx1;
            by1 = y > by1 ? y : by1;
        }
    }
    int r[4] = {(int)floor(bx0) - 1, (int)floor(by0) - 1, (int)ceil(bx1) + 1, (int)ceil(by1) + 1};
    r[0] = r[0] > reg[0] ? r[0] : reg[0];
    r[1] = r[1] > reg[1] ? r[1] : reg[1];
    r[2] = r[2] < reg[2] ? r[2] : reg[2];
    r[3] = r[3] < reg[3] ? r[3] : reg[3];
    if (r[2] <= r[0] || r[3] <= r[1])
        return;
    for (int y = r[1]; y < r[3]; y++) {
        memset(cv->ucol + ((size_t)y * w + r[0]) * 3, 0, (size_t)(r[2] - r[0]) * 3 * sizeof(float));
        float *t = cv->utrans + (size_t)y * w;
        for (int x = r[0]; x < r[2]; x++)
            t[x] = 1.0f;
    }
    sy_img uimg = {w, cv->h, cv->ucol};
    for (int i = cv->nitems - 1; i >= 0; i--) {
        sy_item *it = &cv->items[i];
        if (it->layer != 0 || it->sh.kind == SH_CAST || it->sh.kind == SH_SHADOW)
            continue;
        it->sh.trans = cv->utrans;
        it->sh.tw = w;
        sy_fill_poly(&cv->ra, &uimg, cv->pts + 2 * it->first, it->n, span_fns[it->sh.kind],
                     &it->sh);
        it->sh.trans = NULL;
    }
    for (int y = r[1]; y < r[3]; y++) {
        size_t o = (size_t)y * w + r[0];
        float *d = cv->frame.px + o * 3;
        const float *c = cv->ucol + o * 3, *t = cv->utrans + o;
        for (int x = 0; x < r[2] - r[0]; x++, d += 3, c += 3) {
            float k = t[x];
            d[0] = c[0] + d[0] * k;
            d[1] = c[1] + d[1] * k;
            d[2] = c[2] + d[2] * k;
        }
    }
}

static void rect_union(int a[4], const int b[4])
{
    if (b[2] <= b[0] || b[3] <= b[1])
        return;
    if (a[2] <= a[0] || a[3] <= a[1]) {
        memcpy(a, b, 4 * sizeof(int));
        return;
    }
    if (b[0] < a[0])
        a[0] = b[0];
    if (b[1] < a[1])
        a[1] = b[1];
    if (b[2] > a[2])
        a[2] = b[2];
    if (b[3] > a[3])
        a[3] = b[3];
}

/* Speed of the working heel in pixels over the shutter time. */
static double heel_motion_px(const hd_synth *s, double t)
{
    double dt = s->look.shutter_s;
    sy_state a, b;
    sy_state_eval(s, t - dt * 0.5, &a);
    sy_state_eval(s, t + dt * 0.5, &b);
    if (!s->script.me.present)
        return 0;
    double ax, ay, bx, by, u0, v0, u1, v1;
    int w = a.work;
    sy_heel_point(&s->scene.person, &a.foot[w], &ax, &ay, NULL);
    sy_heel_point(&s->scene.person, &b.foot[w], &bx, &by, NULL);
    sy_project(&s->cv->cam, sy_v3_make(ax, ay, s->script.me.z[w]), &u0, &v0);
    sy_project(&s->cv->cam, sy_v3_make(bx, by, s->script.me.z[w]), &u1, &v1);
    double d = hypot(u1 - u0, v1 - v0);
    return d == d ? d : 0;
}

/* Separable [a, 1-2a, a] filter of src into dst over rectangle r (negative k sharpens).
 * Reads one pixel around r; tmp holds the horizontal pass. */
static void blur3_rect(sy_canvas *cv, const float *src, float *dst, float k, const int r[4])
{
    int w = cv->w, h = cv->h;
    float a = k * 0.25f, b = 1.0f - 2.0f * a;
    int x0 = r[0], x1 = r[2], y0 = r[1] > 0 ? r[1] - 1 : 0, y1 = r[3] < h ? r[3] + 1 : h;
    float *tmp = cv->tmp;
    for (int y = y0; y < y1; y++) {
        const float *s = src + (size_t)y * w * 3;
        float *d = tmp + (size_t)y * w * 3;
        for (int x = x0; x < x1; x++) {
            int xl = x > 0 ? x - 1 : 0, xr = x < w - 1 ? x + 1 : w - 1;
            for (int c = 0; c < 3; c++)
                d[x * 3 + c] = a * (s[xl * 3 + c] + s[xr * 3 + c]) + b * s[x * 3 + c];
        }
    }
    for (int y = r[1]; y < r[3]; y++) {
        const float *u = tmp + (size_t)(y > 0 ? y - 1 : 0) * w * 3;
        const float *m = tmp + (size_t)y * w * 3;
        const float *l = tmp + (size_t)(y < h - 1 ? y + 1 : h - 1) * w * 3;
        float *d = dst + (size_t)y * w * 3;
        for (int i = x0 * 3; i < x1 * 3; i++)
            d[i] = a * (u[i] + l[i]) + b * m[i];
    }
}

static inline uint32_t xs32(uint32_t *st)
{
    uint32_t x = *st;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *st = x;
    return x;
}

/* The per-pixel camera response runs on 4 pixels at a time with the compiler's vector
 * extensions (GCC and Clang), so it is fast at the default -O2 too. */
typedef float sy_v4f __attribute__((vector_size(16)));
typedef int32_t sy_v4i __attribute__((vector_size(16)));

static inline sy_v4f v4_load(const float *p)
{
    sy_v4f v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline void v4_store(float *p, sy_v4f v)
{
    memcpy(p, &v, sizeof(v));
}

static inline sy_v4f v4_set(float x)
{
    sy_v4f v = {x, x, x, x};
    return v;
}

static inline sy_v4f v4_abs(sy_v4f x)
{
    sy_v4i m = {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff};
    sy_v4i b;
    memcpy(&b, &x, sizeof(b));
    b &= m;
    memcpy(&x, &b, sizeof(x));
    return x;
}

/* x clamped to [0, hi] without branches. */
static inline sy_v4f v4_clamp(sy_v4f x, sy_v4f hi)
{
    const sy_v4f half = v4_set(0.5f);
    x = half * (x + v4_abs(x));
    sy_v4f d = hi - x;
    return hi - half * (d + v4_abs(d));
}

static inline float clamp_hi(float x, float hi)
{
    return x < 0.0f ? 0.0f : (x > hi ? hi : x);
}

static inline void v4_bytes(uint8_t *dst, sy_v4f v)
{
    sy_v4i q = __builtin_convertvector(v, sy_v4i);
    for (int i = 0; i < 4; i++)
        dst[i] = (uint8_t)q[i];
}

/* Per-pixel camera response on planar rows: gain, saturation, tone curve, luma with
 * noise (shot noise grows with the signal, read noise stays). */
static void respond_row(float *R, float *G, float *B, const float *vg, const float *gn,
                        const float *gs, uint8_t *yrow, int n, float g0, float g1, float g2,
                        float sat, float tk, float ny, float fs)
{
    const float ft = sqrtf(1.0f - fs * fs);
    int x = 0;
    const sy_v4f one = v4_set(1.0f), c255 = v4_set(255.0f);
    const sy_v4f kr = v4_set(0.299f), kg = v4_set(0.587f), kb = v4_set(0.114f);
    for (; x + 4 <= n; x += 4) {
        sy_v4f k = v4_load(vg + x);
        sy_v4f r = v4_load(R + x) * (k * g0), g = v4_load(G + x) * (k * g1);
        sy_v4f b = v4_load(B + x) * (k * g2);
        sy_v4f lum = kr * r + kg * g + kb * b;
        r = v4_clamp(lum + (r - lum) * sat, one);
        g = v4_clamp(lum + (g - lum) * sat, one);
        b = v4_clamp(lum + (b - lum) * sat, one);
        r += tk * r * (one - r);
        g += tk * g * (one - g);
        b += tk * b * (one - b);
        v4_store(R + x, r);
        v4_store(G + x, g);
        v4_store(B + x, b);
        sy_v4f lv = kr * r + kg * g + kb * b;
        sy_v4f sd = 0.592f + (0.939f - 0.246f * lv) * lv; /* ~ sqrt(0.35 + 1.3 lv) */
        sy_v4f nz = ft * v4_load(gn + x) + fs * v4_load(gs + x);
        sy_v4f Y = 16.5f + 219.0f * lv + ny * sd * nz;
        v4_bytes(yrow + x, v4_clamp(Y, c255));
    }
    for (; x < n; x++) {
        float k = vg[x];
        float r = R[x] * g0 * k, g = G[x] * g1 * k, b = B[x] * g2 * k;
        float lum = 0.299f * r + 0.587f * g + 0.114f * b;
        r = clamp_hi(lum + (r - lum) * sat, 1.0f);
        g = clamp_hi(lum + (g - lum) * sat, 1.0f);
        b = clamp_hi(lum + (b - lum) * sat, 1.0f);
        r += tk * r * (1.0f - r);
        g += tk * g * (1.0f - g);
        b += tk * b * (1.0f - b);
        R[x] = r;
        G[x] = g;
        B[x] = b;
        float lv = 0.299f * r + 0.587f * g + 0.114f * b;
        float sd = 0.592f + (0.939f - 0.246f * lv) * lv;
        float Y = 16.5f + 219.0f * lv + ny * sd * (ft * gn[x] + fs * gs[x]);
        yrow[x] = (uint8_t)(int)clamp_hi(Y, 255.0f);
    }
}

/* Chroma of a 2x2 block of toned rgb, with noise. */
static void chroma_row(const float *R0, const float *G0, const float *B0, const float *R1,
                       const float *G1, const float *B1, const float *gu, const float *gv,
                       uint8_t *ur, uint8_t *vr, int cw, float nc)
{
    for (int c = 0; c < cw; c++) {
        int a = 2 * c, b = 2 * c + 1;
        float rr = 0.25f * (R0[a] + R0[b] + R1[a] + R1[b]);
        float gg = 0.25f * (G0[a] + G0[b] + G1[a] + G1[b]);
        float bb = 0.25f * (B0[a] + B0[b] + B1[a] + B1[b]);
        float U = 128.5f + 224.0f * (-0.168736f * rr - 0.331264f * gg + 0.5f * bb) + nc * gu[c];
        float V = 128.5f + 224.0f * (0.5f * rr - 0.418688f * gg - 0.081312f * bb) + nc * gv[c];
        ur[c] = (uint8_t)(int)clamp_hi(U, 255.0f);
        vr[c] = (uint8_t)(int)clamp_hi(V, 255.0f);
    }
}

/* Camera response and YUV 4:2:0 with noise, from img (internal size) to s->yuv. */
static void finish_frame(hd_synth *s, const float *img, double t, int64_t idx)
{
    sy_canvas *cv = s->cv;
    const sy_look *lk = &s->look;
    int W = s->info.width, H = s->info.height, w = cv->w, h = cv->h;
    int cw = (W + 1) / 2;
    uint8_t *Yp = s->yuv, *Up = Yp + (size_t)W * H;
    uint8_t *Vp = Up + (size_t)cw * ((H + 1) / 2);
    /* light change and auto-exposure catching up */
    double g = 1.0;
    if (s->script.gain.n) {
        double gs = sy_track_eval(&s->script.gain, t);
        double gl = sy_track_eval(&s->script.gain, t - lk->ae_tau);
        g = gs * pow(gl, -lk->ae_amount);
    }
    if (lk->flicker > 0)
        g *= 1.0 + lk->flicker * sin(2.0 * SY_PI * lk->flicker_hz * t);
    float g0 = (float)(lk->exposure * g * lk->wb[0]), g1 = (float)(lk->exposure * g * lk->wb[1]);
    float g2 = (float)(lk->exposure * g * lk->wb[2]);
    int scaled = w != W || h != H;
    uint32_t st = (uint32_t)sy_mix64(s->seed * 1000003ULL + (uint64_t)idx) | 1U;
    /* planar rows: [row parity][channel][W + 1] */
    size_t pw = (size_t)W + 2;
    float *pl = cv->tmp;
    for (int y = 0; y < H; y++) {
        float *R = pl + (size_t)(y & 1) * 3 * pw, *G = R + pw, *B = G + pw;
        const float *src;
        if (scaled) {
            double fy = (y + 0.5) * (double)h / H - 0.5;
            int y0 = (int)floor(fy);
            float wy = (float)(fy - y0);
            if (y0 < 0) {
                y0 = 0;
                wy = 0;
            }
            if (y0 >= h - 1) {
                y0 = h - 2 >= 0 ? h - 2 : 0;
                wy = 1;
            }
            const float *ra = img + (size_t)y0 * w * 3, *rb = ra + (size_t)w * 3;
            float *rw = cv->row;
            for (int i = 0; i < w * 3; i++)
                rw[i] = ra[i] + (rb[i] - ra[i]) * wy;
            for (int x = 0; x < W; x++) {
                const float *q = rw + cv->sx0[x] * 3;
                float wx = cv->swx[x];
                R[x] = q[0] + (q[3] - q[0]) * wx;
                G[x] = q[1] + (q[4] - q[1]) * wx;
                B[x] = q[2] + (q[5] - q[2]) * wx;
            }
        } else {
            src = img + (size_t)y * w * 3;
            for (int x = 0; x < W; x++) {
                R[x] = src[3 * x];
                G[x] = src[3 * x + 1];
                B[x] = src[3 * x + 2];
            }
        }
        R[W] = R[W - 1];
        G[W] = G[W - 1];
        B[W] = B[W - 1];
        uint32_t srow = (uint32_t)sy_mix64(s->seed + 77ULL * (uint64_t)y) | 1U;
        respond_row(R, G, B, cv->vign + (size_t)y * W, cv->gauss + (xs32(&st) >> 16),
                    cv->gauss + (xs32(&srow) >> 16), Yp + (size_t)y * W, W, g0, g1, g2, lk->sat,
                    cv->tone_k, lk->noise_y, lk->noise_static);
        if ((y & 1) || y == H - 1) {
            float *R0 = pl, *G0 = R0 + pw, *B0 = G0 + pw;
            int cy = y / 2;
            chroma_row(R0, G0, B0, R, G, B, cv->gauss + (xs32(&st) >> 16),
                       cv->gauss + (xs32(&st) >> 16), Up + (size_t)cy * cw, Vp + (size_t)cy * cw,
                       cw, lk->noise_c);
        }
    }
}

int sy_render_frame(hd_synth *s, int64_t idx)
{
    if (!s->cv && canvas_create(s))
        return -1;
    sy_canvas *cv = s->cv;
    double t = s->pts[idx] / 1e6;
    /* motion blur: several instants over the exposure when the heel moves fast */
    double mv = heel_motion_px(s, t);
    int nsub = mv > 1.2 ? (mv > 4 ? 4 : (mv > 2.4 ? 3 : 2)) : 1;
    int reg[4] = {0, 0, 0, 0};
    /* the union of all sub-frames' boxes */
    for (int k = 0; k < nsub; k++) {
        double tk = nsub > 1 ? t + s->look.shutter_s * ((k + 0.5) / nsub - 0.5) : t;
        cv->nitems = cv->npts = 0;
        build_items(cv, s, tk);
        int r[4];
        items_bbox(cv, r);
        rect_union(reg, r);
    }
    /* restore what the last frame drew outside this frame's region */
    restore_outside(cv, cv->dirty, reg);
    for (int k = 0; k < nsub; k++) {
        double tk = nsub > 1 ? t + s->look.shutter_s * ((k + 0.5) / nsub - 0.5) : t;
        cv->nitems = cv->npts = 0;
        build_items(cv, s, tk);
        if (reg[2] > reg[0]) {
            copy_rect(cv->frame.px, cv->bg_back, cv->w, reg);
            draw_cast(cv);
            draw_items(cv, 0);
            draw_person(cv, reg);
            fg_over(cv, reg);
            draw_items(cv, 1);
        }
        if (nsub > 1 && reg[2] > reg[0]) {
            for (int y = reg[1]; y < reg[3]; y++) {
                float *a = cv->acc + ((size_t)y * cv->w + reg[0]) * 3;
                const float *f = cv->frame.px + ((size_t)y * cv->w + reg[0]) * 3;
                int nn = (reg[2] - reg[0]) * 3;
                if (k == 0)
                    memcpy(a, f, (size_t)nn * sizeof(float));
                else
                    for (int i = 0; i < nn; i++)
                        a[i] += f[i];
            }
        }
    }
    if (nsub > 1 && reg[2] > reg[0]) {
        float inv = 1.0f / nsub;
        for (int y = reg[1]; y < reg[3]; y++) {
            const float *a = cv->acc + ((size_t)y * cv->w + reg[0]) * 3;
            float *f = cv->frame.px + ((size_t)y * cv->w + reg[0]) * 3;
            int nn = (reg[2] - reg[0]) * 3;
            for (int i = 0; i < nn; i++)
                f[i] = a[i] * inv;
        }
    }
    int old[4];
    memcpy(old, cv->dirty, sizeof(old));
    memcpy(cv->dirty, reg, sizeof(reg));
    const float *img = cv->frame.px;
    if (cv->blr) {
        /* the background was blurred once; redo only where things changed */
        int br[4];
        memcpy(br, old, sizeof(br));
        rect_union(br, reg);
        if (br[2] > br[0]) {
            br[0] = br[0] > 0 ? br[0] - 1 : 0;
            br[1] = br[1] > 0 ? br[1] - 1 : 0;
            br[2] = br[2] < cv->w ? br[2] + 1 : cv->w;
            br[3] = br[3] < cv->h ? br[3] + 1 : cv->h;
            blur3_rect(cv, cv->frame.px, cv->blr, s->look.blur, br);
        }
        img = cv->blr;
    }
    finish_frame(s, img, t, idx);
    return 0;
}

/* ---- what covers the heel (truth) ---------------------------------------------- */

/* 1 when image point (hu, hv) (output pixels) is hidden by something in front of the
 * working foot: the other leg when it is nearer, occluders, a walker, the step's side
 * faces. */
int sy_cover_test(const hd_synth *s, const sy_state *st, double hu, double hv, int work,
                  double margin_px)
{
    const sy_cam *c = &s->cam;
    const sy_person *P = &s->scene.person;
    double zw = s->script.me.z[work];
    /* the step's side faces */
    sy_v3 d = sy_ray_dir(c, hu, hv);
    sy_hit hit;
    if (sy_scene_cast(&s->scene, c->pos, d, 0, &hit) && hit.front && hit.p.z < zw - 1.0)
        return 1;
    /* the near leg and foot, when the far foot works */
    if (work == 1 && s->script.me.present) {
        double pts[SY_OUTLINE_MAX * 2];
        const sy_foot_pose *fp = &st->foot[0];
        int n = 0;
        for (int i = 0; i < P->upper.n; i++) {
            double wx, wy;
            sy_foot_point(P, fp, P->upper.x[i], P->upper.h[i], &wx, &wy);
            sy_project(c, sy_v3_make(wx, wy, s->script.me.z[0]), &pts[2 * n], &pts[2 * n + 1]);
            n++;
        }
        if (sy_poly_covers(pts, n, hu, hv, margin_px))
            return 1;
        /* the near shank as a quad */
        double q[8];
        sy_v3 a = st->ankle[0], k = st->knee[0];
        double ux = k.x - a.x, uy = k.y - a.y, l = sqrt(ux * ux + uy * uy);
        if (l > 1e-6) {
            ux /= l;
            uy /= l;
            double hw0 = 0.5 * P->w_ankle + P->looseness, hw1 = 0.5 * P->w_calf + P->looseness;
            double ex[4][2] = {{a.x - uy * hw0, a.y + ux * hw0},
                               {a.x + uy * hw0, a.y - ux * hw0},
                               {k.x + uy * hw1, k.y - ux * hw1},
                               {k.x - uy * hw1, k.y + ux * hw1}};
            for (int i = 0; i < 4; i++)
                sy_project(
                    c,
                    sy_v3_make(ex[i][0] - ux * 40, ex[i][1] - uy * 40 * (i < 2), s->script.me.z[0]),
                    &q[2 * i], &q[2 * i + 1]);
            if (sy_poly_covers(q, 4, hu, hv, margin_px))
                return 1;
        }
    }
    /* occluders and a walker in front */
    for (int i = 0; i < s->script.nocc; i++) {
        const sy_occ *o = &s->script.occ[i];
        double pt[24][2], pp[48];
        int n = occ_outline(o, st->t, pt, 20);
        if (n < 3)
            continue;
        for (int k = 0; k < n; k++)
            sy_project(c, sy_v3_make(pt[k][0], pt[k][1], o->z), &pp[2 * k], &pp[2 * k + 1]);
        if (sy_poly_covers(pp, n, hu, hv, margin_px))
            return 1;
    }
    return 0;
}
