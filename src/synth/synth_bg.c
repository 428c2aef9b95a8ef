/* synth_bg.c - the static scene: material patterns, ray casting against boxes, the floor
 * and the wall, and the lighting of what a ray hits. Used once per clip to render the
 * background (supersampled), and per frame for a few truth rays. */
#include <math.h>
#include <string.h>

#include "synth/synth_priv.h"

static inline float clampf(float x, float a, float b)
{
    return x < a ? a : (x > b ? b : x);
}

static inline float mixf(float a, float b, float t)
{
    return a + (b - a) * t;
}

static inline float smooth01(float e0, float e1, float x)
{
    float t = clampf((x - e0) / (e1 - e0), 0.f, 1.f);
    return t * t * (3.f - 2.f * t);
}

/* Distance-to-gap shading for a 1-D period: 0 inside the gap, 1 away from it. */
static float gap_profile(double u, double period, double gap)
{
    double f = u / period - floor(u / period);
    double d = f * period; /* distance from the gap at the period start */
    double e = period - d;
    double m = d < e ? d : e;
    if (m < gap * 0.5)
        return 0.0f;
    return smooth01((float)(gap * 0.5), (float)(gap * 0.5 + 1.5), (float)m);
}

void sy_hsv(double h, double s, double v, float out[3])
{
    h = fmod(h, 360.0);
    if (h < 0)
        h += 360.0;
    double c = v * s, x = c * (1 - fabs(fmod(h / 60.0, 2.0) - 1)), m = v - c;
    double r = 0, g = 0, b = 0;
    if (h < 60) {
        r = c;
        g = x;
    } else if (h < 120) {
        r = x;
        g = c;
    } else if (h < 180) {
        g = c;
        b = x;
    } else if (h < 240) {
        g = x;
        b = c;
    } else if (h < 300) {
        r = x;
        b = c;
    } else {
        r = c;
        b = x;
    }
    out[0] = (float)(r + m);
    out[1] = (float)(g + m);
    out[2] = (float)(b + m);
}

void sy_mat_eval(const sy_mat *m, double a, double b, float rgb[3])
{
    double u = m->dir ? b : a, v = m->dir ? a : b; /* u runs along the pattern */
    float t = 0.0f, k = 1.0f;                      /* t: mix towards c1; k: brightness factor */
    uint32_t sd = m->seed;
    float sc = m->scale > 0.5f ? m->scale : 0.5f;
    switch (m->tex) {
    case SY_TEX_PAINT: {
        float n = sy_fbm(sd, (float)(a / 180.0), (float)(b / 180.0), 3);
        float f = sy_vnoise(sd + 9, (float)(a / 3.0), (float)(b / 3.0));
        t = clampf((n - 0.5f) * 2.0f * m->contrast + 0.0f, 0.f, 1.f) * 0.5f;
        k = 1.0f + (f - 0.5f) * 0.05f;
        break;
    }
    case SY_TEX_WOOD: {
        /* grain: rings warped by low-frequency noise, fine streaks along u */
        float warp = sy_fbm(sd, (float)(u / 400.0), (float)(v / 60.0), 3) * 6.0f;
        float ring = (float)(v / sc) + warp;
        float g = 0.5f + 0.5f * sinf(ring * 6.2831853f);
        float streak = sy_vnoise(sd + 3, (float)(u / 40.0), (float)(v / 0.8));
        t = clampf(g * g * m->contrast + (streak - 0.5f) * 0.3f * m->contrast, 0.f, 1.f);
        k = 0.93f + 0.12f * sy_vnoise(sd + 5, (float)(u / 300.0), (float)(v / 300.0));
        break;
    }
    case SY_TEX_PLANKS: {
        double pw = sc; /* plank width across v */
        double row = floor(v / pw);
        double off = sy_hashf(sd, (int)row, 1) * 1800.0;
        double len = 900.0 + sy_hashf(sd, (int)row, 2) * 900.0;
        double uu = u + off;
        double seg = floor(uu / len);
        float tone = sy_hashf(sd, (int)row, (int)seg + 11);
        float warp = sy_fbm(sd + (uint32_t)row, (float)(uu / 300.0), (float)(v / 25.0), 2) * 5;
        float g = 0.5f + 0.5f * sinf(((float)(v / 9.0) + warp) * 6.283f);
        t = clampf(tone * 0.7f + g * 0.3f * m->contrast, 0.f, 1.f);
        float gap = gap_profile(v, pw, m->grout) * gap_profile(uu, len, m->grout);
        k = 0.55f + 0.45f * gap;
        break;
    }
    case SY_TEX_TILES: {
        double tw = sc, th = m->dir == 2 ? sc * 0.5 : sc;
        float gp = gap_profile(a, tw, m->grout) * gap_profile(b, th, m->grout);
        float tone = sy_hashf(sd, (int)floor(a / tw), (int)floor(b / th));
        float fine = sy_vnoise(sd + 4, (float)(a / 6.0), (float)(b / 6.0));
        t = gp > 0.5f ? clampf(tone * m->contrast * 0.6f + (fine - 0.5f) * 0.2f, 0.f, 1.f) : 0.0f;
        /* grout takes the second colour */
        if (gp <= 0.999f) {
            float g[3];
            for (int i = 0; i < 3; i++)
                g[i] = m->c1[i];
            for (int i = 0; i < 3; i++) {
                float tc = mixf(m->c0[i], m->c0[i] * 0.85f + 0.15f * m->c1[i], t);
                rgb[i] = mixf(g[i], tc, gp);
            }
            return;
        }
        for (int i = 0; i < 3; i++)
            rgb[i] = mixf(m->c0[i], m->c0[i] * 0.85f + 0.15f * m->c1[i], t);
        return;
    }
    case SY_TEX_CARPET: {
        float n1 = sy_vnoise(sd, (float)(a / 2.0), (float)(b / 2.0));
        float n2 = sy_fbm(sd + 2, (float)(a / 60.0), (float)(b / 60.0), 2);
        t = clampf((n2 - 0.5f) * 1.5f * m->contrast + 0.5f * m->contrast * (n1 - 0.5f) + 0.2f, 0.f,
                   1.f);
        k = 0.9f + 0.2f * n1;
        break;
    }
    case SY_TEX_CONCRETE: {
        float n1 = sy_fbm(sd, (float)(a / 90.0), (float)(b / 90.0), 4);
        float n2 = sy_vnoise(sd + 7, (float)(a / 1.7), (float)(b / 1.7));
        float pit = sy_vnoise(sd + 8, (float)(a / 4.0), (float)(b / 4.0));
        t = clampf((n1 - 0.5f) * 2.0f * m->contrast + 0.3f, 0.f, 1.f);
        k = 0.92f + 0.16f * n2 - (pit > 0.93f ? 0.25f : 0.0f);
        break;
    }
    case SY_TEX_STRIPES: {
        double f = u / sc - floor(u / sc);
        float s = smooth01(0.45f, 0.5f, (float)f) - smooth01(0.95f, 1.0f, (float)f);
        t = clampf(s, 0.f, 1.f) * m->contrast;
        k = 0.97f + 0.06f * sy_vnoise(sd, (float)(a / 5.0), (float)(b / 5.0));
        break;
    }
    case SY_TEX_BRICK: {
        double bh = sc * 0.33, bl = sc;
        double row = floor(b / bh);
        double aa = a + (((long)row) & 1 ? bl * 0.5 : 0.0);
        float gp = gap_profile(b, bh, m->grout) * gap_profile(aa, bl, m->grout);
        float tone = sy_hashf(sd, (int)floor(aa / bl), (int)row);
        float n = sy_vnoise(sd + 1, (float)(a / 8.0), (float)(b / 8.0));
        for (int i = 0; i < 3; i++) {
            float br = m->c0[i] * (0.8f + 0.4f * tone * m->contrast) * (0.9f + 0.2f * n);
            rgb[i] = mixf(m->c1[i], br, gp);
        }
        return;
    }
    case SY_TEX_RUBBER: {
        double f = u / sc - floor(u / sc);
        float rib = 0.5f + 0.5f * cosf((float)f * 6.2831853f);
        float n = sy_vnoise(sd, (float)(a / 1.5), (float)(b / 1.5));
        t = clampf(rib * m->contrast, 0.f, 1.f);
        k = 0.92f + 0.16f * n;
        break;
    }
    case SY_TEX_PLASTIC:
    default: {
        float n = sy_vnoise(sd, (float)(a / 2.5), (float)(b / 2.5));
        float l = sy_fbm(sd + 1, (float)(a / 250.0), (float)(b / 250.0), 2);
        t = clampf((l - 0.5f) * m->contrast, 0.f, 1.f);
        k = 0.96f + 0.08f * n;
        break;
    }
    }
    for (int i = 0; i < 3; i++)
        rgb[i] = mixf(m->c0[i], m->c1[i], t) * k;
}

/* ---- ray casting ---------------------------------------------------------------- */

/* Slab test. face: 0 -x, 1 +x, 2 -y, 3 +y, 4 -z, 5 +z (the face the ray enters by). */
static int ray_box(const sy_box *bx, sy_v3 o, sy_v3 d, double *tn, int *face)
{
    double t0 = 1e-6, t1 = 1e30;
    int f = -1;
    const double oo[3] = {o.x, o.y, o.z}, dd[3] = {d.x, d.y, d.z};
    for (int k = 0; k < 3; k++) {
        if (fabs(dd[k]) < 1e-15) {
            if (oo[k] < bx->lo[k] || oo[k] > bx->hi[k])
                return 0;
            continue;
        }
        double inv = 1.0 / dd[k];
        double ta = (bx->lo[k] - oo[k]) * inv, tb = (bx->hi[k] - oo[k]) * inv;
        int fa = 2 * k;
        if (ta > tb) {
            double t = ta;
            ta = tb;
            tb = t;
            fa = 2 * k + 1;
        }
        if (ta > t0) {
            t0 = ta;
            f = fa;
        }
        if (tb < t1)
            t1 = tb;
        if (t0 > t1)
            return 0;
    }
    if (f < 0)
        return 0; /* the ray starts inside the box */
    *tn = t0;
    *face = f;
    return 1;
}

static const double face_n[6][3] = {{-1, 0, 0}, {1, 0, 0},  {0, -1, 0},
                                    {0, 1, 0},  {0, 0, -1}, {0, 0, 1}};

static void face_coords(int face, sy_v3 p, double *a, double *b)
{
    switch (face >> 1) {
    case 0:
        *a = p.z;
        *b = p.y;
        break; /* riser-like faces */
    case 1:
        *a = p.x;
        *b = p.z;
        break; /* treads, floor */
    default:
        *a = p.x;
        *b = p.y;
        break; /* side faces, wall */
    }
}

int sy_scene_cast(const sy_scene *sc, sy_v3 o, sy_v3 d, int skip_front, sy_hit *hit)
{
    double best = 1e30;
    int found = 0;
    for (int i = 0; i < sc->nbox; i++) {
        const sy_box *bx = &sc->box[i];
        double t;
        int f;
        if (!ray_box(bx, o, d, &t, &f) || t >= best)
            continue;
        int fr = bx->front && f == 4;
        if (skip_front && fr)
            continue; /* look behind the step's side faces (not through the whole box) */
        best = t;
        found = 1;
        hit->t = t;
        hit->box = i;
        hit->face = f;
        hit->front = fr;
        hit->mat = bx->mat[f];
        hit->bevel = bx->bevel;
    }
    /* the wall (Z = z_wall, facing the camera) and the floor (Y = y_floor) */
    if (d.z > 1e-12) {
        double t = (sc->z_wall - o.z) / d.z;
        if (t > 1e-6 && t < best) {
            best = t;
            found = 1;
            hit->t = t;
            hit->box = -1;
            hit->face = 4;
            hit->front = 0;
            hit->mat = sc->wall_mat;
            hit->bevel = 0;
        }
    }
    if (d.y < -1e-12) {
        double t = (sc->y_floor - o.y) / d.y;
        if (t > 1e-6 && t < best) {
            best = t;
            found = 1;
            hit->t = t;
            hit->box = -2;
            hit->face = 3;
            hit->front = 0;
            hit->mat = sc->floor_mat;
            hit->bevel = 0;
        }
    }
    if (!found)
        return 0;
    hit->p = sy_v3_make(o.x + d.x * hit->t, o.y + d.y * hit->t, o.z + d.z * hit->t);
    hit->n = sy_v3_make(face_n[hit->face][0], face_n[hit->face][1], face_n[hit->face][2]);
    face_coords(hit->face, hit->p, &hit->a, &hit->b);
    return 1;
}

int sy_scene_occluded(const sy_scene *sc, sy_v3 o, sy_v3 d, double tmax)
{
    for (int i = 0; i < sc->nbox; i++) {
        double t;
        int f;
        if (ray_box(&sc->box[i], o, d, &t, &f) && t < tmax)
            return 1;
    }
    if (d.y < -1e-12) {
        double t = (sc->y_floor - o.y) / d.y;
        if (t > 1e-6 && t < tmax)
            return 1;
    }
    if (d.z > 1e-12) {
        double t = (sc->z_wall - o.z) / d.z;
        if (t > 1e-6 && t < tmax)
            return 1;
    }
    return 0;
}

/* Decal lookup: the last decal of the plane containing (a, b); its edge distance. */
static int decal_at(const sy_scene *sc, int plane, double a, double b, double *edge)
{
    for (int i = sc->ndecal - 1; i >= 0; i--) {
        const sy_decal *dc = &sc->decal[i];
        if (dc->plane != plane)
            continue;
        int inside = 0;
        double best = 1e30;
        for (int k = 0, j = dc->n - 1; k < dc->n; j = k++) {
            double xi = dc->pt[k][0], yi = dc->pt[k][1], xj = dc->pt[j][0], yj = dc->pt[j][1];
            if (((yi > b) != (yj > b)) && (a < (xj - xi) * (b - yi) / (yj - yi) + xi))
                inside = !inside;
            double dx = xj - xi, dy = yj - yi, l2 = dx * dx + dy * dy;
            double t = l2 > 0 ? ((a - xi) * dx + (b - yi) * dy) / l2 : 0;
            t = t < 0 ? 0 : (t > 1 ? 1 : t);
            double ex = xi + t * dx - a, ey = yi + t * dy - b;
            double dd = ex * ex + ey * ey;
            if (dd < best)
                best = dd;
        }
        if (inside) {
            *edge = sqrt(best);
            return i;
        }
    }
    return -1;
}

static inline double dot3(sy_v3 a, sy_v3 b)
{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}

static sy_v3 norm3(sy_v3 a)
{
    double l = sqrt(dot3(a, a));
    if (l <= 0)
        return a;
    return sy_v3_make(a.x / l, a.y / l, a.z / l);
}

/* Fake ambient occlusion: darkening near the concave corners the scene has (floor-wall,
 * floor-step, tread-riser of the next step, under a nosing lip). Two short rays. */
static float ambient_occlusion(const sy_scene *sc, sy_v3 p, sy_v3 n, uint32_t sample)
{
    float occ = 0.0f;
    for (int k = 0; k < 2; k++) {
        float u1 = sy_hashf(sample, k, 1), u2 = sy_hashf(sample, k, 2);
        /* cosine-weighted direction around n */
        double r = sqrt(u1), phi = 2.0 * SY_PI * u2;
        sy_v3 t1 = fabs(n.x) < 0.9 ? sy_v3_make(1, 0, 0) : sy_v3_make(0, 1, 0);
        sy_v3 b1 = norm3(
            sy_v3_make(n.y * t1.z - n.z * t1.y, n.z * t1.x - n.x * t1.z, n.x * t1.y - n.y * t1.x));
        sy_v3 b2 =
            sy_v3_make(n.y * b1.z - n.z * b1.y, n.z * b1.x - n.x * b1.z, n.x * b1.y - n.y * b1.x);
        double cz = sqrt(1.0 - u1);
        sy_v3 d = sy_v3_make(b1.x * r * cos(phi) + b2.x * r * sin(phi) + n.x * cz,
                             b1.y * r * cos(phi) + b2.y * r * sin(phi) + n.y * cz,
                             b1.z * r * cos(phi) + b2.z * r * sin(phi) + n.z * cz);
        sy_v3 o = sy_v3_make(p.x + n.x * 0.5, p.y + n.y * 0.5, p.z + n.z * 0.5);
        if (sy_scene_occluded(sc, o, d, 160.0))
            occ += 0.5f;
    }
    return 1.0f - 0.55f * occ;
}

void sy_shade_static(const sy_scene *sc, const sy_hit *h, sy_v3 eye, uint32_t sample, float rgb[3],
                     float *keyshare)
{
    if (keyshare)
        *keyshare = 0.0f;
    int mat = h->mat;
    float relief = 0.0f;
    double edge = 1e9;
    sy_v3 n = h->n;
    if (h->box < 0) {
        int dc = decal_at(sc, h->box == -1 ? 0 : 1, h->a, h->b, &edge);
        if (dc >= 0) {
            mat = sc->decal[dc].mat;
            relief = sc->decal[dc].relief;
            if (relief > 0 && edge < sc->decal[dc].edge_mm) {
                /* a moulding: its edges turn towards up/down, lit differently */
                float e = (float)(edge / sc->decal[dc].edge_mm);
                relief *= (1.0f - e);
            } else {
                relief = 0;
            }
        }
    } else {
        const sy_box *bx = &sc->box[h->box];
        if (bx->strip_mm > 0) {
            if ((h->face == 3 && h->p.x - bx->lo[0] < bx->strip_mm) ||
                (h->face == 0 && bx->hi[1] - h->p.y < bx->strip_mm * 0.6))
                mat = bx->strip_mat;
        }
        if (bx->bevel) {
            double r = (bx->hi[1] - bx->lo[1]) * 0.5;
            if (h->face == 0) {
                double q = (h->p.y - (bx->hi[1] - r)) / r; /* 0..1 towards the top */
                if (q > 0)
                    n = norm3(sy_v3_make(-1.0 + q * 0.7, q * 1.2, 0));
                else
                    n = norm3(sy_v3_make(-1.0, q * 0.8, 0));
            } else if (h->face == 3) {
                double q = 1.0 - (h->p.x - bx->lo[0]) / r;
                if (q > 0)
                    n = norm3(sy_v3_make(-q * 1.2, 1.0 - q * 0.7, 0));
            }
        }
    }
    const sy_mat *m = &sc->mat[mat];
    if (m->emissive > 0) {
        float c[3];
        sy_mat_eval(m, h->a, h->b, c);
        for (int i = 0; i < 3; i++)
            rgb[i] = c[i] * m->emissive;
        return;
    }
    float alb[3];
    sy_mat_eval(m, h->a, h->b, alb);
    const sy_light *L = &sc->light;
    /* key light with a jittered shadow ray (soft shadows from supersampling) */
    double nl = dot3(n, L->key_dir);
    float key = 0.0f;
    if (nl > 0) {
        float j1 = sy_hashf(sample, 5, 1) - 0.5f, j2 = sy_hashf(sample, 5, 2) - 0.5f;
        sy_v3 ld =
            norm3(sy_v3_make(L->key_dir.x + j1 * L->shadow_soft, L->key_dir.y + j2 * L->shadow_soft,
                             L->key_dir.z + (j1 - j2) * 0.5 * L->shadow_soft));
        sy_v3 o = sy_v3_make(h->p.x + n.x * 0.5, h->p.y + n.y * 0.5, h->p.z + n.z * 0.5);
        key = sy_scene_occluded(sc, o, ld, 1e6) ? 0.0f : (float)nl;
    }
    float ao = ambient_occlusion(sc, h->p, n, sample);
    /* the lamp: soft inverse-square fall-off */
    sy_v3 lv = sy_v3_make(L->lamp_pos.x - h->p.x, L->lamp_pos.y - h->p.y, L->lamp_pos.z - h->p.z);
    double ld2 = dot3(lv, lv);
    double lcos = dot3(n, lv) / sqrt(ld2 > 1 ? ld2 : 1);
    float lamp = lcos > 0 ? (float)(lcos / (1.0 + ld2 / 1.0e6)) : 0.0f;
    /* a faint sheen on smooth materials seen at a grazing angle */
    sy_v3 vv = norm3(sy_v3_make(eye.x - h->p.x, eye.y - h->p.y, eye.z - h->p.z));
    double rdot = 2.0 * nl * dot3(n, vv) - dot3(L->key_dir, vv);
    float spec = 0.0f;
    if (m->tex == SY_TEX_PLASTIC || m->tex == SY_TEX_TILES || m->tex == SY_TEX_PAINT)
        spec = rdot > 0 && key > 0 ? (float)pow(rdot, 24.0) * 0.12f : 0.0f;
    float tot = 0, kp = 0;
    for (int i = 0; i < 3; i++) {
        float li = L->amb[i] * ao + L->key[i] * key + L->lamp[i] * lamp * ao;
        float c = alb[i] * li + spec * L->key[i];
        if (relief != 0.0f)
            c *= 1.0f + 0.35f * relief;
        rgb[i] = c;
        tot += li;
        kp += L->key[i] * key;
    }
    if (keyshare)
        *keyshare = tot > 1e-6f ? kp / tot : 0.0f;
}
