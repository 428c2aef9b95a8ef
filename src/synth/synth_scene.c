/* synth_scene.c - the camera, the random step/stair, room and light of a clip, and the
 * per-clip "look" (exposure, noise, blur, colour). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "synth/synth_priv.h"

/* ---- camera -------------------------------------------------------------------- */

int sy_project(const sy_cam *c, sy_v3 p, double *u, double *v)
{
    double dx = p.x - c->pos.x, dy = p.y - c->pos.y, dz = p.z - c->pos.z;
    double xc = c->r[0] * dx + c->r[1] * dy + c->r[2] * dz;
    double yc = c->r[3] * dx + c->r[4] * dy + c->r[5] * dz;
    double zc = c->r[6] * dx + c->r[7] * dy + c->r[8] * dz;
    if (zc < 1.0) {
        *u = *v = NAN;
        return 0;
    }
    double uu = c->cx + c->fx * xc / zc;
    *v = c->cy - c->fy * yc / zc;
    *u = c->mirror ? c->w - uu : uu;
    return 1;
}

sy_v3 sy_ray_dir(const sy_cam *c, double u, double v)
{
    if (c->mirror)
        u = c->w - u;
    double xc = (u - c->cx) / c->fx, yc = -(v - c->cy) / c->fy;
    return sy_v3_make(c->r[0] * xc + c->r[3] * yc + c->r[6], c->r[1] * xc + c->r[4] * yc + c->r[7],
                      c->r[2] * xc + c->r[5] * yc + c->r[8]);
}

sy_cam sy_cam_scaled(const sy_cam *c, int w, int h)
{
    sy_cam o = *c;
    double sx = (double)w / c->w, sy = (double)h / c->h;
    o.w = w;
    o.h = h;
    o.fx *= sx;
    o.cx *= sx;
    o.fy *= sy;
    o.cy *= sy;
    return o;
}

void sy_unproject_z(const sy_cam *c, double u, double v, double z, double *x, double *y)
{
    sy_v3 d = sy_ray_dir(c, u, v);
    double t = (z - c->pos.z) / d.z;
    *x = c->pos.x + t * d.x;
    *y = c->pos.y + t * d.y;
}

/* Orientation from yaw (about +Y, positive turns towards +X), pitch (up positive) and
 * roll (about the optical axis). */
static void cam_orient(sy_cam *c, double yaw, double pitch, double roll)
{
    double fw[3] = {cos(pitch) * sin(yaw), sin(pitch), cos(pitch) * cos(yaw)};
    double rt[3] = {cos(yaw), 0.0, -sin(yaw)};
    double up[3] = {fw[1] * rt[2] - fw[2] * rt[1], fw[2] * rt[0] - fw[0] * rt[2],
                    fw[0] * rt[1] - fw[1] * rt[0]};
    double cr = cos(roll), sr = sin(roll);
    for (int i = 0; i < 3; i++) {
        double r2 = rt[i] * cr + up[i] * sr, u2 = up[i] * cr - rt[i] * sr;
        c->r[i] = r2;
        c->r[3 + i] = u2;
        c->r[6 + i] = fw[i];
    }
}

/* ---- colours ----------------------------------------------------------------------- */


static void tone(float dst[3], const float src[3], float k)
{
    for (int i = 0; i < 3; i++) {
        float v = src[i] * k;
        dst[i] = v > 1.0f ? 1.0f : v;
    }
}

static void wall_colour(sy_rng *r, float c[3])
{
    const double w[] = {5, 3, 2, 2, 1.5};
    switch (sy_pick(r, w, 5)) {
    case 0:
        sy_hsv(sy_range(r, 20, 220), sy_range(r, 0.0, 0.06), sy_range(r, 0.82, 0.95), c);
        break;
    case 1:
        sy_hsv(sy_range(r, 25, 55), sy_range(r, 0.1, 0.3), sy_range(r, 0.7, 0.9), c);
        break;
    case 2:
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.0, 0.05), sy_range(r, 0.35, 0.75), c);
        break;
    case 3:
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.12, 0.35), sy_range(r, 0.6, 0.88), c);
        break;
    default:
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.3, 0.7), sy_range(r, 0.2, 0.5), c);
        break;
    }
}

static void wood_colour(sy_rng *r, float c[3])
{
    const double w[] = {4, 2, 1.5, 1};
    switch (sy_pick(r, w, 4)) {
    case 0:
        sy_hsv(sy_range(r, 22, 38), sy_range(r, 0.35, 0.6), sy_range(r, 0.45, 0.75), c);
        break;
    case 1:
        sy_hsv(sy_range(r, 15, 30), sy_range(r, 0.45, 0.7), sy_range(r, 0.18, 0.4), c);
        break;
    case 2:
        sy_hsv(sy_range(r, 35, 48), sy_range(r, 0.2, 0.4), sy_range(r, 0.7, 0.88), c);
        break;
    default:
        sy_hsv(sy_range(r, 0, 40), sy_range(r, 0.05, 0.2), sy_range(r, 0.35, 0.6), c);
        break;
    }
}

static void grey(sy_rng *r, float c[3], double lo, double hi)
{
    sy_hsv(sy_range(r, 0, 360), sy_range(r, 0, 0.06), sy_range(r, lo, hi), c);
}

/* ---- materials --------------------------------------------------------------------- */

static int mat_add(sy_scene *sc, sy_rng *r, int tex, const float c0[3], const float c1[3],
                   double scale, double contrast, double grout, int dir)
{
    if (sc->nmat >= SY_MAX_MATS)
        return sc->nmat - 1;
    sy_mat *m = &sc->mat[sc->nmat];
    memset(m, 0, sizeof(*m));
    m->tex = tex;
    for (int i = 0; i < 3; i++) {
        m->c0[i] = c0[i];
        m->c1[i] = c1[i];
    }
    m->scale = (float)scale;
    m->contrast = (float)contrast;
    m->grout = (float)grout;
    m->dir = dir;
    m->seed = (uint32_t)sy_next(r);
    return sc->nmat++;
}

static int mat_wood(sy_scene *sc, sy_rng *r, int dir)
{
    float c0[3], c1[3];
    wood_colour(r, c0);
    tone(c1, c0, (float)sy_range(r, 0.55, 0.8));
    return mat_add(sc, r, SY_TEX_WOOD, c0, c1, sy_range(r, 6, 16), sy_range(r, 0.3, 0.8), 0, dir);
}

static int mat_paint(sy_scene *sc, sy_rng *r, const float c[3])
{
    float c1[3];
    tone(c1, c, 0.93f);
    return mat_add(sc, r, SY_TEX_PAINT, c, c1, 100, sy_range(r, 0.1, 0.5), 0, 0);
}

static int mat_carpet(sy_scene *sc, sy_rng *r)
{
    float c0[3], c1[3];
    if (sy_chance(r, 0.5))
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.05, 0.25), sy_range(r, 0.3, 0.7), c0);
    else
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.3, 0.6), sy_range(r, 0.2, 0.5), c0);
    tone(c1, c0, 0.7f);
    return mat_add(sc, r, SY_TEX_CARPET, c0, c1, 3, sy_range(r, 0.3, 0.8), 0, 0);
}

static int mat_concrete(sy_scene *sc, sy_rng *r)
{
    float c0[3], c1[3];
    grey(r, c0, 0.4, 0.72);
    tone(c1, c0, 0.78f);
    return mat_add(sc, r, SY_TEX_CONCRETE, c0, c1, 80, sy_range(r, 0.2, 0.6), 0, 0);
}

static int mat_tiles(sy_scene *sc, sy_rng *r, int big)
{
    float c0[3], c1[3];
    if (sy_chance(r, 0.5))
        grey(r, c0, 0.5, 0.95);
    else
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.05, 0.35), sy_range(r, 0.3, 0.9), c0);
    grey(r, c1, 0.3, 0.85);
    double size = big ? sy_range(r, 250, 600) : sy_range(r, 100, 200);
    int m = mat_add(sc, r, SY_TEX_TILES, c0, c1, size, sy_range(r, 0.1, 0.6), sy_range(r, 2, 6),
                    sy_chance(r, 0.3) ? 2 : 0);
    return m;
}

static int mat_floor(sy_scene *sc, sy_rng *r, char *desc)
{
    const double w[] = {4, 2.5, 2, 1.5, 1};
    float c0[3], c1[3];
    switch (sy_pick(r, w, 5)) {
    case 0:
        strcpy(desc, "planks");
        wood_colour(r, c0);
        tone(c1, c0, (float)sy_range(r, 0.55, 0.85));
        return mat_add(sc, r, SY_TEX_PLANKS, c0, c1, sy_range(r, 90, 200), sy_range(r, 0.3, 0.9),
                       sy_range(r, 1, 4), sy_int(r, 2));
    case 1:
        strcpy(desc, "tiles");
        return mat_tiles(sc, r, 1);
    case 2:
        strcpy(desc, "carpet");
        return mat_carpet(sc, r);
    case 3:
        strcpy(desc, "concrete");
        return mat_concrete(sc, r);
    default:
        strcpy(desc, "vinyl");
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.0, 0.3), sy_range(r, 0.2, 0.8), c0);
        tone(c1, c0, 0.85f);
        return mat_add(sc, r, SY_TEX_PLASTIC, c0, c1, 10, sy_range(r, 0.1, 0.5), 0, 0);
    }
}

static int mat_wall(sy_scene *sc, sy_rng *r, char *desc)
{
    const double w[] = {6, 1.5, 1.2, 1, 1, 0.8};
    float c0[3], c1[3];
    switch (sy_pick(r, w, 6)) {
    case 0:
        strcpy(desc, "paint");
        wall_colour(r, c0);
        return mat_paint(sc, r, c0);
    case 1:
        strcpy(desc, "stripes");
        wall_colour(r, c0);
        if (sy_chance(r, 0.5))
            tone(c1, c0, (float)sy_range(r, 0.6, 0.9));
        else
            wall_colour(r, c1);
        return mat_add(sc, r, SY_TEX_STRIPES, c0, c1, sy_range(r, 40, 250), sy_range(r, 0.4, 1), 0,
                       sy_chance(r, 0.75) ? 1 : 0);
    case 2:
        strcpy(desc, "tiles");
        return mat_tiles(sc, r, 0);
    case 3:
        strcpy(desc, "panelling");
        wood_colour(r, c0);
        tone(c1, c0, 0.7f);
        return mat_add(sc, r, SY_TEX_PLANKS, c0, c1, sy_range(r, 80, 180), sy_range(r, 0.3, 0.8),
                       sy_range(r, 2, 5), 1);
    case 4:
        strcpy(desc, "brick");
        if (sy_chance(r, 0.6))
            sy_hsv(sy_range(r, 5, 25), sy_range(r, 0.4, 0.7), sy_range(r, 0.35, 0.6), c0);
        else
            grey(r, c0, 0.8, 0.95);
        grey(r, c1, 0.55, 0.85);
        return mat_add(sc, r, SY_TEX_BRICK, c0, c1, sy_range(r, 200, 240), sy_range(r, 0.3, 1),
                       sy_range(r, 6, 12), 0);
    default:
        strcpy(desc, "concrete");
        return mat_concrete(sc, r);
    }
}

/* ---- geometry helpers -------------------------------------------------------------- */

static sy_box *box_add(sy_scene *sc, double x0, double y0, double z0, double x1, double y1,
                       double z1, int mat_all)
{
    if (sc->nbox >= SY_MAX_BOXES)
        return &sc->box[SY_MAX_BOXES - 1];
    sy_box *b = &sc->box[sc->nbox++];
    memset(b, 0, sizeof(*b));
    b->lo[0] = x0;
    b->lo[1] = y0;
    b->lo[2] = z0;
    b->hi[0] = x1;
    b->hi[1] = y1;
    b->hi[2] = z1;
    for (int i = 0; i < 6; i++)
        b->mat[i] = mat_all;
    return b;
}

static sy_decal *decal_rect(sy_scene *sc, int plane, double a0, double b0, double a1, double b1,
                            int mat)
{
    if (sc->ndecal >= SY_MAX_DECALS)
        return NULL;
    sy_decal *d = &sc->decal[sc->ndecal++];
    memset(d, 0, sizeof(*d));
    d->plane = plane;
    d->n = 4;
    d->pt[0][0] = a0;
    d->pt[0][1] = b0;
    d->pt[1][0] = a1;
    d->pt[1][1] = b0;
    d->pt[2][0] = a1;
    d->pt[2][1] = b1;
    d->pt[3][0] = a0;
    d->pt[3][1] = b1;
    d->mat = mat;
    return d;
}

/* ---- the step -------------------------------------------------------------------- */

static void make_platform(sy_scene *sc, sy_rng *r)
{
    float c0[3], c1[3];
    sc->tread = sy_range(r, 280, 320);
    sc->riser = sy_range(r, 150, 200);
    sc->n_below = 0;
    sc->n_above = 0;
    sc->y_floor = -sc->riser;
    double len = sy_range(r, 700, 1050);
    sc->z_back = sc->z_side + len;
    /* top mat */
    grey(r, c0, 0.06, 0.22);
    tone(c1, c0, 1.6f);
    int top =
        mat_add(sc, r, SY_TEX_RUBBER, c0, c1, sy_range(r, 6, 14), sy_range(r, 0.2, 0.7), 0, 1);
    if (sy_chance(r, 0.45))
        grey(r, c0, 0.08, 0.75);
    else
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.3, 0.8), sy_range(r, 0.25, 0.7), c0);
    tone(c1, c0, 0.85f);
    int side = mat_add(sc, r, SY_TEX_PLASTIC, c0, c1, 10, 0.3, 0, 0);
    double shell = sy_chance(r, 0.5) ? sc->riser : sy_range(r, 45, 70);
    sy_box *b = box_add(sc, 0, -shell, sc->z_side, sc->tread, 0, sc->z_back, side);
    b->mat[3] = top;
    b->front = 1;
    b->bevel = sy_chance(r, 0.5);
    if (shell < sc->riser) {
        /* riser blocks under the shell, inset */
        if (sy_chance(r, 0.5))
            grey(r, c0, 0.05, 0.3);
        else
            sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.3, 0.8), sy_range(r, 0.2, 0.6), c0);
        tone(c1, c0, 0.85f);
        int rm = mat_add(sc, r, SY_TEX_PLASTIC, c0, c1, 10, 0.3, 0, 0);
        double in = sy_range(r, 15, 45), bl = sy_range(r, 120, 260);
        sy_box *rb = box_add(sc, in, sc->y_floor, sc->z_side + in, sc->tread - in, -shell,
                             sc->z_side + in + bl, rm);
        rb->front = 1;
        rb = box_add(sc, in, sc->y_floor, sc->z_back - in - bl, sc->tread - in, -shell,
                     sc->z_back - in, rm);
        rb->front = 1;
    }
    strcpy(sc->desc_step, "platform");
}

/* A solid stair (concrete, tiles, carpet or paint) or a single block. */
static void make_solid(sy_scene *sc, sy_rng *r, int block)
{
    float c0[3];
    sc->tread = sy_range(r, 250, 320);
    sc->riser = sy_range(r, 150, 200);
    sc->n_below = block ? 0 : sy_int(r, 3);
    sc->n_above = block ? (sy_chance(r, 0.3) ? 1 : 0) : sy_int(r, 3);
    sc->y_floor = -(sc->n_below + 1) * sc->riser;
    sc->z_back = sc->z_side + sy_range(r, 700, 1200);
    int treadm, riserm, sidem, strip = -1;
    const double w[] = {3, 2, 2, 1.5, 1.5};
    int kind = block ? 5 : sy_pick(r, w, 5);
    switch (kind) {
    case 0:
        strcpy(sc->desc_step, "concrete stair");
        treadm = riserm = mat_concrete(sc, r);
        sidem = sy_chance(r, 0.5) ? treadm : mat_concrete(sc, r);
        break;
    case 1:
        strcpy(sc->desc_step, "tiled stair");
        treadm = mat_tiles(sc, r, 1);
        riserm = sy_chance(r, 0.5) ? treadm : mat_tiles(sc, r, 0);
        wall_colour(r, c0);
        sidem = mat_paint(sc, r, c0);
        break;
    case 2:
        strcpy(sc->desc_step, "carpeted stair");
        treadm = riserm = mat_carpet(sc, r);
        wall_colour(r, c0);
        sidem = sy_chance(r, 0.5) ? treadm : mat_paint(sc, r, c0);
        break;
    case 3:
        strcpy(sc->desc_step, "painted stair");
        if (sy_chance(r, 0.5))
            grey(r, c0, 0.3, 0.9);
        else
            sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.2, 0.6), sy_range(r, 0.25, 0.7), c0);
        treadm = riserm = mat_paint(sc, r, c0);
        sidem = sy_chance(r, 0.5) ? treadm : mat_concrete(sc, r);
        break;
    case 4:
        strcpy(sc->desc_step, "stone stair");
        sy_hsv(sy_range(r, 0, 60), sy_range(r, 0.0, 0.25), sy_range(r, 0.35, 0.8), c0);
        {
            float c1[3];
            tone(c1, c0, 0.6f);
            treadm = riserm =
                mat_add(sc, r, SY_TEX_CONCRETE, c0, c1, 30, sy_range(r, 0.5, 1.0), 0, 0);
        }
        sidem = treadm;
        break;
    default:
        if (sy_chance(r, 0.5)) {
            strcpy(sc->desc_step, "wooden box");
            treadm = mat_wood(sc, r, 0);
            sidem = riserm = sy_chance(r, 0.5) ? treadm : mat_wood(sc, r, 0);
        } else {
            strcpy(sc->desc_step, "brick step");
            float c1[3];
            sy_hsv(sy_range(r, 5, 25), sy_range(r, 0.4, 0.7), sy_range(r, 0.3, 0.6), c0);
            grey(r, c1, 0.5, 0.8);
            sidem = riserm = mat_add(sc, r, SY_TEX_BRICK, c0, c1, 220, 0.6, 9, 0);
            treadm = sy_chance(r, 0.5) ? mat_concrete(sc, r) : sidem;
        }
        break;
    }
    if (sy_chance(r, 0.3)) {
        float c1[3];
        if (sy_chance(r, 0.5))
            sy_hsv(sy_range(r, 40, 60), sy_range(r, 0.6, 0.9), sy_range(r, 0.7, 0.95), c0);
        else
            grey(r, c0, 0.1, 0.8);
        tone(c1, c0, 0.8f);
        strip = mat_add(sc, r, SY_TEX_RUBBER, c0, c1, 5, 0.4, 0, 1);
    }
    double xend = (sc->n_above + 1) * sc->tread + 3000;
    for (int k = -sc->n_below; k <= sc->n_above; k++) {
        double top = k * sc->riser;
        double x0 = k * sc->tread;
        if (block && k > 0)
            x0 = sc->tread + sy_range(r, 0, 60);
        sy_box *b = box_add(sc, x0, sc->y_floor, sc->z_side, xend, top, sc->z_back, treadm);
        b->mat[0] = riserm;
        b->mat[4] = sidem;
        b->front = 1;
        if (strip >= 0) {
            b->strip_mm = sy_range(r, 30, 60);
            b->strip_mat = strip;
        }
        if (kind == 2)
            b->bevel = 1;
    }
}

/* A wooden stair: tread boards with a nosing lip, set-back risers, a cut stringer. */
static void make_wood(sy_scene *sc, sy_rng *r)
{
    float c0[3];
    sc->tread = sy_range(r, 250, 300);
    sc->riser = sy_range(r, 160, 200);
    sc->lip = sy_range(r, 15, 30);
    sc->board_t = sy_range(r, 25, 40);
    sc->n_below = 1 + sy_int(r, 3);
    sc->n_above = sy_int(r, 3);
    sc->y_floor = -(sc->n_below + 1) * sc->riser;
    sc->z_back = sc->z_side + sy_range(r, 750, 1000);
    int treadm = mat_wood(sc, r, 0);
    int riserm, stringm;
    if (sy_chance(r, 0.5)) {
        grey(r, c0, 0.8, 0.95);
        riserm = mat_paint(sc, r, c0);
    } else {
        riserm = sy_chance(r, 0.5) ? treadm : mat_wood(sc, r, 1);
    }
    stringm = sy_chance(r, 0.5) ? riserm : mat_wood(sc, r, 0);
    double sd = sy_range(r, 180, 300);
    int open = sy_chance(r, 0.4);
    strcpy(sc->desc_step, open ? "open wooden stair" : "wooden stair");
    double xend_top = (sc->n_above + 1) * sc->tread + 3000;
    for (int k = -sc->n_below; k <= sc->n_above; k++) {
        double top = k * sc->riser, x0 = k * sc->tread;
        double x1 = k == sc->n_above ? xend_top : (k + 1) * sc->tread + sc->lip;
        sy_box *b = box_add(sc, x0, top - sc->board_t, sc->z_side - sy_range(r, 0, 15), x1, top,
                            sc->z_back, treadm);
        b->front = 1;
        b->bevel = 1;
        /* riser board under the nosing, set back by the lip */
        double ry0 = k == -sc->n_below ? sc->y_floor : top - sc->riser;
        if (!open) {
            sy_box *rb = box_add(sc, x0 + sc->lip, ry0, sc->z_side + 20, x0 + sc->lip + 20,
                                 top - sc->board_t, sc->z_back, riserm);
            (void)rb;
        }
        /* stringer piece at the side: a sawtooth band under the treads */
        double sy0 = top - sc->board_t - sd;
        if (sy0 < sc->y_floor)
            sy0 = sc->y_floor;
        sy_box *sb = box_add(sc, x0 + sc->lip, sy0, sc->z_side, x1 - sc->lip * 0.0 + 0.0,
                             top - sc->board_t, sc->z_side + 40, stringm);
        sb->front = 1;
        if (k == sc->n_above)
            sb->hi[0] = xend_top;
        /* a landing/floor under the topmost step */
        if (k == sc->n_above) {
            sy_box *lb = box_add(sc, x0 + sc->lip + 20, sc->y_floor, sc->z_side + 40, xend_top,
                                 top - sc->board_t, sc->z_back, stringm);
            lb->front = 0;
        }
    }
}

/* ---- room ------------------------------------------------------------------------- */

static void make_room(sy_scene *sc, sy_rng *r)
{
    float c0[3], c1[3];
    int stair = sc->step_kind == SY_STEP_SOLID || sc->step_kind == SY_STEP_WOOD;
    if (stair && sy_chance(r, 0.7))
        sc->z_wall = sc->z_back + sy_range(r, 0, 20);
    else
        sc->z_wall = sc->z_back + sy_range(r, 150, 2500);
    sc->wall_mat = mat_wall(sc, r, sc->desc_wall);
    sc->floor_mat = mat_floor(sc, r, sc->desc_floor);
    double yf = sc->y_floor;
    /* skirting board */
    if (sy_chance(r, 0.75)) {
        if (sy_chance(r, 0.5))
            grey(r, c0, 0.8, 0.95);
        else
            wood_colour(r, c0);
        int sm = mat_paint(sc, r, c0);
        double h = sy_range(r, 50, 150);
        sy_decal *d = decal_rect(sc, 0, -9000, yf, 9000, yf + h, sm);
        if (d) {
            d->relief = 0.5f;
            d->edge_mm = 6;
        }
        if (stair && sc->z_wall - sc->z_back < 30 && d) {
            /* the wall-side stringer follows the pitch of the nosings (Y = X * k) */
            double k = sc->riser / sc->tread, top = sy_range(r, 50, 90);
            double hh = sy_range(r, 180, 280);
            double xb = (sc->n_above + 1) * sc->tread, yb = xb * k + top;
            double pts[8][2] = {{-9000, yf},
                                {-9000, yf + h},
                                {(yf + h - top) / k, yf + h},
                                {xb, yb},
                                {9000, yb},
                                {9000, yb - hh},
                                {xb, yb - hh},
                                {(yf + hh - top) / k, yf}};
            d->n = 8;
            for (int i = 0; i < 8; i++) {
                d->pt[i][0] = pts[i][0];
                d->pt[i][1] = pts[i][1];
            }
        }
    }
    /* vertical and horizontal distractors on the wall */
    int nd = sy_int(r, 5);
    for (int i = 0; i < nd; i++) {
        const double w[] = {2, 1.5, 1.5, 1, 1, 1.2, 0.8};
        double x = sy_range(r, -1500, 1500);
        switch (sy_pick(r, w, 7)) {
        case 0: { /* door frame with a door */
            if (sy_chance(r, 0.6))
                grey(r, c0, 0.75, 0.95);
            else
                wood_colour(r, c0);
            int fm = mat_paint(sc, r, c0);
            double fw = sy_range(r, 50, 90), dw = sy_range(r, 700, 900);
            sy_decal *d = decal_rect(sc, 0, x, yf, x + fw, yf + 2200, fm);
            if (d) {
                d->relief = 0.6f;
                d->edge_mm = 8;
            }
            if (sy_chance(r, 0.7)) {
                int dm = sy_chance(r, 0.5) ? mat_wood(sc, r, 1) : mat_paint(sc, r, c0);
                decal_rect(sc, 0, x + fw, yf, x + fw + dw, yf + 2100, dm);
            }
            d = decal_rect(sc, 0, x + fw + dw, yf, x + 2 * fw + dw, yf + 2200, fm);
            if (d) {
                d->relief = 0.6f;
                d->edge_mm = 8;
            }
            break;
        }
        case 1: { /* dado / chair rail or a shelf edge */
            wood_colour(r, c0);
            int m = sy_chance(r, 0.5) ? mat_paint(sc, r, c0) : mat_wood(sc, r, 0);
            double y = yf + sy_range(r, 250, 1000), h = sy_range(r, 15, 60);
            sy_decal *d =
                decal_rect(sc, 0, sy_chance(r, 0.5) ? -9000 : x, y,
                           sy_chance(r, 0.5) ? 9000 : x + sy_range(r, 400, 1500), y + h, m);
            if (d) {
                d->relief = 0.5f;
                d->edge_mm = 5;
            }
            break;
        }
        case 2: { /* power socket or switch */
            grey(r, c0, 0.8, 0.97);
            int m = mat_paint(sc, r, c0);
            double y = yf + sy_range(r, 200, 450), s = sy_range(r, 70, 90);
            sy_decal *d = decal_rect(sc, 0, x, y, x + s, y + s, m);
            if (d) {
                d->relief = 0.7f;
                d->edge_mm = 4;
            }
            break;
        }
        case 3: { /* radiator */
            grey(r, c0, 0.8, 0.97);
            tone(c1, c0, 0.75f);
            int m = mat_add(sc, r, SY_TEX_STRIPES, c0, c1, sy_range(r, 40, 70), 0.7, 0, 0);
            double y = yf + sy_range(r, 100, 200);
            decal_rect(sc, 0, x, y, x + sy_range(r, 400, 1200), y + sy_range(r, 300, 600), m);
            break;
        }
        case 4: { /* picture or poster */
            sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.1, 0.8), sy_range(r, 0.2, 0.9), c0);
            sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.1, 0.8), sy_range(r, 0.2, 0.9), c1);
            int m = mat_add(sc, r, SY_TEX_CONCRETE, c0, c1, 60, 1.0, 0, 0);
            double y = yf + sy_range(r, 400, 1200);
            sy_decal *d =
                decal_rect(sc, 0, x, y, x + sy_range(r, 200, 600), y + sy_range(r, 200, 500), m);
            if (d) {
                d->relief = 0.4f;
                d->edge_mm = 10;
            }
            break;
        }
        case 5: { /* cable or pipe: a thin vertical or diagonal line */
            grey(r, c0, 0.05, 0.95);
            int m = mat_paint(sc, r, c0);
            double wdt = sy_range(r, 5, 25);
            sy_decal *d = decal_rect(sc, 0, x, yf, x + wdt, yf + 3000, m);
            if (d && sy_chance(r, 0.4)) {
                double s = sy_range(r, -0.5, 0.5);
                d->pt[2][0] += s * 3000;
                d->pt[3][0] += s * 3000;
            }
            break;
        }
        default: { /* bright window */
            float c[3] = {1, 1, 1};
            int m = mat_add(sc, r, SY_TEX_PAINT, c, c, 100, 0.1, 0, 0);
            sc->mat[m].emissive = (float)sy_range(r, 1.3, 2.5);
            double y = yf + sy_range(r, 500, 1000);
            decal_rect(sc, 0, x, y, x + sy_range(r, 500, 1200), y + 1500, m);
            break;
        }
        }
    }
    /* rug or mat on the floor */
    if (sy_chance(r, 0.3)) {
        sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.1, 0.7), sy_range(r, 0.15, 0.8), c0);
        tone(c1, c0, 0.6f);
        int m = mat_add(sc, r, sy_chance(r, 0.5) ? SY_TEX_CARPET : SY_TEX_STRIPES, c0, c1,
                        sy_range(r, 20, 80), 0.6, 0, 0);
        double x = sy_range(r, -1500, 300), z = sy_range(r, sc->z_side - 600, sc->z_side + 200);
        decal_rect(sc, 1, x, z, x + sy_range(r, 500, 1500), z + sy_range(r, 400, 1200), m);
    }
    /* things standing behind the person: legs of furniture, a basket, a box */
    int no = sy_int(r, 3);
    for (int i = 0; i < no; i++) {
        double z = sy_range(r, sc->z_back + 50, sc->z_wall - 30);
        if (z < sc->z_back + 50)
            continue;
        double x = sy_range(r, -1600, 1600);
        if (sy_chance(r, 0.6)) {
            int m = sy_chance(r, 0.5) ? mat_wood(sc, r, 1) : mat_concrete(sc, r);
            double s = sy_range(r, 25, 50), h = sy_range(r, 400, 800);
            box_add(sc, x, yf, z, x + s, yf + h, z + s, m);
            if (sy_chance(r, 0.6))
                box_add(sc, x + sy_range(r, 400, 900), yf, z, x + sy_range(r, 400, 900) + s, yf + h,
                        z + s, m);
        } else {
            sy_hsv(sy_range(r, 0, 360), sy_range(r, 0.1, 0.7), sy_range(r, 0.2, 0.9), c0);
            int m = mat_paint(sc, r, c0);
            double s = sy_range(r, 200, 500);
            box_add(sc, x, yf, z, x + s, yf + sy_range(r, 150, 450), z + s * 0.7, m);
        }
    }
}

static void make_light(sy_scene *sc, sy_rng *r)
{
    sy_light *L = &sc->light;
    float tint[3];
    const double w[] = {3, 2, 2};
    int kind = sy_pick(r, w, 3);
    switch (kind) {
    case 0: /* neutral / daylight */
        tint[0] = (float)sy_range(r, 0.92, 1.0);
        tint[1] = 1.0f;
        tint[2] = (float)sy_range(r, 0.95, 1.08);
        strcpy(sc->desc_light, "daylight");
        break;
    case 1: /* warm lamp */
        tint[0] = 1.0f;
        tint[1] = (float)sy_range(r, 0.78, 0.9);
        tint[2] = (float)sy_range(r, 0.5, 0.72);
        strcpy(sc->desc_light, "warm");
        break;
    default: /* cool / fluorescent */
        tint[0] = (float)sy_range(r, 0.85, 0.95);
        tint[1] = (float)sy_range(r, 0.95, 1.02);
        tint[2] = 1.0f;
        strcpy(sc->desc_light, "cool");
        break;
    }
    double lx = sy_range(r, -1.0, 1.0), ly = sy_range(r, 0.4, 1.6), lz = sy_range(r, -1.2, 0.3);
    double l = sqrt(lx * lx + ly * ly + lz * lz);
    L->key_dir = sy_v3_make(lx / l, ly / l, lz / l);
    double key = sy_range(r, 0.25, 0.85), amb = sy_range(r, 0.3, 0.7);
    double lamp = sy_chance(r, 0.6) ? sy_range(r, 0.2, 0.9) : 0.0;
    for (int i = 0; i < 3; i++) {
        L->key[i] = (float)key * tint[i];
        L->amb[i] = (float)amb * (0.7f * tint[i] + 0.3f);
        L->lamp[i] = (float)lamp * tint[i];
    }
    L->lamp_pos =
        sy_v3_make(sy_range(r, -1500, 1500), sy_range(r, 500, 1800), sy_range(r, -1200, 800));
    L->shadow_soft = (float)sy_range(r, 0.05, 0.5);
}

void sy_scene_generate(hd_synth *s, sy_rng *r)
{
    sy_scene *sc = &s->scene;
    memset(sc, 0, sizeof(*sc));
    const double w[] = {3, 3, 2.5, 1.2};
    sc->step_kind = sy_pick(r, w, 4);
    sc->z_side = -sy_range(r, 60, 300);
    switch (sc->step_kind) {
    case SY_STEP_PLATFORM:
        make_platform(sc, r);
        break;
    case SY_STEP_SOLID:
        make_solid(sc, r, 0);
        break;
    case SY_STEP_WOOD:
        make_wood(sc, r);
        break;
    default:
        make_solid(sc, r, 1);
        break;
    }
    make_room(sc, r);
    make_light(sc, r);
}

/* ---- camera placement ---------------------------------------------------------- */

/* Points that must be in the picture: the exerciser's feet while on the step or lifted. */
typedef struct key_pts {
    int n, cap;
    sy_v3 *p;
} key_pts;

static void keys_add(key_pts *k, sy_v3 p)
{
    if (k->n < k->cap)
        k->p[k->n++] = p;
}

static void collect_keys(hd_synth *s, key_pts *k, double *hip_min)
{
    const sy_person *P = &s->scene.person;
    double dur = s->script.duration;
    *hip_min = 1e9;
    for (double t = 0; t <= dur; t += 0.1) {
        sy_state st;
        sy_state_eval(s, t, &st);
        for (int f = 0; f < 2; f++) {
            const sy_foot_pose *fp = &st.foot[f];
            if (!fp->present)
                continue;
            /* skip feet standing on the level below or walking away */
            if (!fp->on_step && fp->by < -20)
                continue;
            for (int i = 0; i < P->upper.n; i += 3) {
                double wx, wy;
                sy_foot_point(P, fp, P->upper.x[i], P->upper.h[i], &wx, &wy);
                keys_add(k, sy_v3_make(wx, wy, s->script.me.z[f]));
                keys_add(k, sy_v3_make(wx, wy, s->script.me.z[f] + P->width * 0.5));
            }
            /* the heel itself, with room below it */
            double hx, hy;
            sy_heel_point(P, fp, &hx, &hy, NULL);
            keys_add(k, sy_v3_make(hx, hy - 15, s->script.me.z[f]));
            keys_add(k, sy_v3_make(hx - 15, hy, s->script.me.z[f]));
            if (st.hip[f].y < *hip_min)
                *hip_min = st.hip[f].y;
        }
    }
}

static double frame_violation(const sy_cam *c, const key_pts *k, double margin, double hip_min,
                              double z_near, double xmid, int ignore_bottom)
{
    double viol = 0;
    for (int i = 0; i < k->n; i++) {
        double u, v;
        if (!sy_project(c, k->p[i], &u, &v))
            return 1e9;
        double mx = margin * c->w, my = margin * c->h;
        if (u < mx)
            viol += mx - u;
        if (u > c->w - mx)
            viol += u - (c->w - mx);
        if (v < my)
            viol += my - v;
        if (!ignore_bottom && v > c->h - my)
            viol += v - (c->h - my);
    }
    viol *= 10.0; /* the feet matter more than hiding the hips */
    /* the hips should stay above the picture (we draw legs, not bodies) */
    double u, v;
    if (sy_project(c, sy_v3_make(xmid, hip_min - 60, z_near), &u, &v) && v > 0)
        viol += v * 0.5;
    return viol;
}

static void cam_setup(sy_cam *c, int w, int h, double hfov, double px_off, sy_v3 pos, sy_v3 tgt,
                      double dpitch, double dyaw, double roll)
{
    c->w = w;
    c->h = h;
    c->fx = c->fy = (w * 0.5) / tan(hfov * 0.5);
    c->cx = w * 0.5 + px_off;
    c->cy = h * 0.5 - px_off * 0.5;
    c->pos = pos;
    double dx = tgt.x - pos.x, dy = tgt.y - pos.y, dz = tgt.z - pos.z;
    double yaw = atan2(dx, dz), pitch = atan2(dy, sqrt(dx * dx + dz * dz));
    cam_orient(c, yaw + dyaw, pitch + dpitch, roll);
}

int sy_camera_choose(hd_synth *s, sy_rng *r)
{
    key_pts k = {0, 40000, NULL};
    sy_v3 buf[40000];
    k.p = buf;
    double hip_min;
    collect_keys(s, &k, &hip_min);
    const sy_person *P = &s->scene.person;
    double xmid = s->script.me.spot[0] - 0.35 * P->L;
    double zmid = 0.5 * (s->script.me.z[0] + s->script.me.z[1]);
    int w = s->info.width, h = s->info.height;
    int portrait = h > w;
    double best = 1e30;
    sy_cam bestc;
    memset(&bestc, 0, sizeof(bestc));
    double best_d = 0, best_fov = 0;
    for (int attempt = 0; attempt < 400; attempt++) {
        double shrink = attempt < 150 ? 1.0 : (attempt < 300 ? 0.5 : 0.15);
        double hfov = sy_range(r, 50, 80) * SY_PI / 180.0;
        double D = sy_range(r, 800, 1500);
        if (portrait) {
            /* a phone on its side sees a tall picture: closer and narrower */
            hfov = sy_range(r, 42, 62) * SY_PI / 180.0;
            D = sy_range(r, 650, 1000);
        }
        double cam_y = sy_range(r, -80, 250);
        double yaw0 = sy_range(r, -8, 8) * SY_PI / 180.0 * shrink;
        sy_v3 pos = sy_v3_make(xmid + D * tan(yaw0), cam_y, s->script.me.z[0] - D);
        double vis_w = 2.0 * D * tan(hfov * 0.5);
        sy_v3 tgt = sy_v3_make(xmid + sy_range(r, -0.14, 0.14) * vis_w * shrink,
                               sy_range(r, 30, 160), zmid);
        double dpitch = sy_range(r, -10, 10) * SY_PI / 180.0 * shrink;
        double roll = sy_range(r, -5, 5) * SY_PI / 180.0;
        double px_off = sy_range(r, -0.02, 0.02) * w;
        sy_cam c;
        cam_setup(&c, w, h, hfov, px_off, pos, tgt, dpitch, 0.0, roll);
        c.mirror = s->script.mirror;
        double v = frame_violation(&c, &k, 0.03, hip_min, s->script.me.z[0], xmid, 0);
        if (v < best) {
            best = v;
            bestc = c;
            best_d = D;
            best_fov = hfov;
        }
        if (v <= 0)
            break;
    }
    s->cam = bestc;
    s->info.camera_mm = best_d;
    s->info.hfov_deg = best_fov * 180.0 / SY_PI;
    /* Heel-out-of-frame clips: tilt until the bottom edge cuts at the planned height. */
    if (s->script.edge_cut_y > -1e8) {
        int wk = (int)sy_track_eval(&s->script.work, 0) & 1;
        sy_v3 pc = sy_v3_make(s->script.edge_cut_x, s->script.edge_cut_y, s->script.me.z[wk]);
        double yaw = atan2(s->cam.r[6], s->cam.r[8]), pitch = asin(s->cam.r[7]);
        double lo = -0.6, hi = 0.6;
        /* v grows with the pitch: bisect for v = h */
        for (int it = 0; it < 60; it++) {
            double mid = 0.5 * (lo + hi), u, v;
            sy_cam t = s->cam;
            cam_orient(&t, yaw, pitch + mid, 0.0);
            sy_project(&t, pc, &u, &v);
            if (!(v == v) || v > h)
                hi = mid;
            else
                lo = mid;
        }
        cam_orient(&s->cam, yaw, pitch + 0.5 * (lo + hi), 0.0);
    }
    return 0;
}

/* ---- look ------------------------------------------------------------------------ */

void sy_look_choose(hd_synth *s, sy_rng *r)
{
    sy_look *lk = &s->look;
    memset(lk, 0, sizeof(*lk));
    int w = s->info.width;
    /* webcams often upscale a smaller sensor mode; big frames render below full size */
    const double sc_small[] = {5, 2, 1.2}, sc_big[] = {1.2, 3, 0.8};
    const double scales[] = {1.0, 0.75, 0.5};
    double npx = (double)w * s->info.height;
    lk->render_scale = scales[sy_pick(r, npx >= 800000 ? sc_big : sc_small, 3)];
    if (npx >= 1800000 && lk->render_scale > 0.75)
        lk->render_scale = sy_chance(r, 0.5) ? 0.75 : 0.5;
    if (w <= 400 && lk->render_scale < 0.75)
        lk->render_scale = 0.75;
    double b = sy_uni(r);
    lk->blur =
        b < 0.35 ? 0.0f : (b < 0.7 ? (float)sy_range(r, 0.2, 1.0) : -(float)sy_range(r, 0.2, 0.9));
    lk->vignette = (float)(sy_chance(r, 0.6) ? sy_range(r, 0.05, 0.45) : 0.0);
    /* dim rooms: low exposure target and strong noise; daylight: bright and clean */
    double dim = sy_uni(r);
    lk->target_luma = (float)(0.22 + 0.45 * dim + sy_range(r, -0.05, 0.05));
    lk->noise_y = (float)(sy_range(r, 0.4, 1.2) + (1.0 - dim) * sy_range(r, 0.3, 3.0));
    lk->noise_c = lk->noise_y * (float)sy_range(r, 0.4, 1.2);
    /* webcams denoise over time: part of the grain stays put from frame to frame */
    lk->noise_static = (float)sy_range(r, 0.2, 0.6);
    for (int i = 0; i < 3; i++)
        lk->wb[i] = (float)sy_range(r, 0.93, 1.07);
    lk->ae_tau = (float)sy_range(r, 0.3, 2.0);
    lk->ae_amount = (float)(sy_chance(r, 0.7) ? sy_range(r, 0.3, 0.9) : 0.0);
    lk->shutter_s = (float)(1.0 / (dim > 0.6 ? sy_range(r, 150, 1000) : sy_range(r, 30, 120)));
    lk->gamma = (float)sy_range(r, 0.85, 1.15);
    lk->sat = (float)sy_range(r, 0.75, 1.2);
    lk->exposure = 1.0f;
    /* fluorescent light flickers at twice the mains frequency; a short exposure catches it,
     * and the frame rate folds it down to a slow beat */
    if (!strcmp(s->scene.desc_light, "cool") && sy_chance(r, 0.5)) {
        double f = sy_chance(r, 0.5) ? 100.0 : 120.0, fps = s->info.fps;
        double k = floor(f / fps + 0.5);
        lk->flicker = (float)sy_range(r, 0.01, 0.035);
        lk->flicker_hz = (float)fabs(f - k * fps);
    }
}
