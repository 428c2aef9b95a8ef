/* synth_raster.c - exact-coverage polygon filling (see synth_raster.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth/synth_raster.h"

void sy_raster_init(sy_raster *ra, int w, int h)
{
    memset(ra, 0, sizeof(*ra));
    ra->clip[0] = 0;
    ra->clip[1] = 0;
    ra->clip[2] = w;
    ra->clip[3] = h;
    sy_raster_dirty_reset(ra);
}

void sy_raster_free(sy_raster *ra)
{
    free(ra->acc);
    free(ra->cov);
    memset(ra, 0, sizeof(*ra));
}

void sy_raster_dirty_reset(sy_raster *ra)
{
    ra->dirty[0] = ra->dirty[1] = 1 << 30;
    ra->dirty[2] = ra->dirty[3] = -(1 << 30);
}

/* Adds one row-piece of an edge: x from xs to xe while y covers d (signed) of the row. */
static void acc_piece(float *row, double xs, double xe, double d)
{
    double xl = xs < xe ? xs : xe, xr = xs < xe ? xe : xs;
    int cl = (int)floor(xl), cr = (int)floor(xr);
    if (cl == cr || xr - xl < 1e-9) {
        double a = d * ((double)(cl + 1) - 0.5 * (xl + xr));
        row[cl] += (float)a;
        row[cl + 1] += (float)(d - a);
        return;
    }
    double k = d / (xr - xl);
    for (int c = cl; c <= cr; c++) {
        double p = xl > c ? xl : c, q = xr < c + 1 ? xr : c + 1;
        if (q <= p)
            continue;
        double dk = k * (q - p);
        double a = dk * ((double)(c + 1) - 0.5 * (p + q));
        row[c] += (float)a;
        row[c + 1] += (float)(dk - a);
    }
}

/* Accumulates a segment whose x is already within [0, bw] and y within [0, bh]. */
static void acc_seg(float *acc, int stride, double x0, double y0, double x1, double y1)
{
    if (y0 == y1)
        return;
    double dir = 1.0;
    if (y0 > y1) {
        double t = x0;
        x0 = x1;
        x1 = t;
        t = y0;
        y0 = y1;
        y1 = t;
        dir = -1.0;
    }
    double dxdy = (x1 - x0) / (y1 - y0);
    double xlo = x0 < x1 ? x0 : x1, xhi = x0 < x1 ? x1 : x0;
    int r0 = (int)floor(y0), r1 = (int)ceil(y1);
    for (int r = r0; r < r1; r++) {
        double ys = y0 > r ? y0 : r, ye = y1 < r + 1 ? y1 : r + 1;
        if (ye <= ys)
            continue;
        double xs = x0 + (ys - y0) * dxdy, xe = x0 + (ye - y0) * dxdy;
        /* rounding must not take x outside the segment (and the row buffer) */
        xs = xs < xlo ? xlo : (xs > xhi ? xhi : xs);
        xe = xe < xlo ? xlo : (xe > xhi ? xhi : xe);
        acc_piece(acc + (size_t)r * stride, xs, xe, (ye - ys) * dir);
    }
}

/* Clips a segment to y in [0, bh], splits it at x = 0 and x = bw and clamps x. */
static void acc_edge(float *acc, int stride, int bw, int bh, double x0, double y0, double x1,
                     double y1)
{
    if ((y0 <= 0 && y1 <= 0) || (y0 >= bh && y1 >= bh) || y0 == y1)
        return;
    /* clip in y */
    double ya = y0, yb = y1, xa = x0, xb = x1;
    if (ya > yb) {
        double t = ya;
        ya = yb;
        yb = t;
        t = xa;
        xa = xb;
        xb = t;
    }
    double k = (xb - xa) / (yb - ya);
    if (ya < 0) {
        xa += (0 - ya) * k;
        ya = 0;
    }
    if (yb > bh) {
        xb -= (yb - bh) * k;
        yb = bh;
    }
    /* restore the direction */
    double sx0, sy0, sx1, sy1;
    if (y0 <= y1) {
        sx0 = xa;
        sy0 = ya;
        sx1 = xb;
        sy1 = yb;
    } else {
        sx0 = xb;
        sy0 = yb;
        sx1 = xa;
        sy1 = ya;
    }
    /* split at the vertical clip lines */
    double ts[4];
    int nt = 0;
    ts[nt++] = 0.0;
    double dx = sx1 - sx0;
    if (fabs(dx) > 1e-12) {
        double t0 = (0 - sx0) / dx, t1 = (bw - sx0) / dx;
        if (t0 > t1) {
            double t = t0;
            t0 = t1;
            t1 = t;
        }
        if (t0 > 0 && t0 < 1)
            ts[nt++] = t0;
        if (t1 > 0 && t1 < 1)
            ts[nt++] = t1;
    }
    ts[nt++] = 1.0;
    for (int i = 0; i + 1 < nt; i++) {
        double ta = ts[i], tb = ts[i + 1];
        double ax = sx0 + dx * ta, ay = sy0 + (sy1 - sy0) * ta;
        double bx = sx0 + dx * tb, by = sy0 + (sy1 - sy0) * tb;
        if (ax < 0)
            ax = 0;
        if (ax > bw)
            ax = bw;
        if (bx < 0)
            bx = 0;
        if (bx > bw)
            bx = bw;
        acc_seg(acc, stride, ax, ay, bx, by);
    }
}

int sy_fill_poly(sy_raster *ra, sy_img *img, const double *xy, int n, sy_span_fn fn, void *ctx)
{
    if (n < 3)
        return 0;
    double minx = xy[0], maxx = xy[0], miny = xy[1], maxy = xy[1];
    for (int i = 1; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (!(x == x) || !(y == y))
            return 0; /* NaN: a point behind the camera, skip the shape */
        if (x < minx)
            minx = x;
        if (x > maxx)
            maxx = x;
        if (y < miny)
            miny = y;
        if (y > maxy)
            maxy = y;
    }
    int X0 = (int)floor(minx), Y0 = (int)floor(miny);
    int X1 = (int)ceil(maxx), Y1 = (int)ceil(maxy);
    int cx0 = ra->clip[0] > 0 ? ra->clip[0] : 0, cy0 = ra->clip[1] > 0 ? ra->clip[1] : 0;
    int cx1 = ra->clip[2] < img->w ? ra->clip[2] : img->w;
    int cy1 = ra->clip[3] < img->h ? ra->clip[3] : img->h;
    if (X0 < cx0)
        X0 = cx0;
    if (Y0 < cy0)
        Y0 = cy0;
    if (X1 > cx1)
        X1 = cx1;
    if (Y1 > cy1)
        Y1 = cy1;
    if (X1 <= X0 || Y1 <= Y0)
        return 0;
    int bw = X1 - X0, bh = Y1 - Y0, stride = bw + 2;
    size_t need = (size_t)stride * (size_t)bh;
    if (need > ra->cap) {
        float *a = realloc(ra->acc, need * sizeof(float));
        if (!a)
            return -1;
        ra->acc = a;
        ra->cap = need;
    }
    if ((size_t)stride > ra->cov_cap) {
        float *c = realloc(ra->cov, (size_t)stride * sizeof(float));
        if (!c)
            return -1;
        ra->cov = c;
        ra->cov_cap = (size_t)stride;
    }
    memset(ra->acc, 0, need * sizeof(float));
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        acc_edge(ra->acc, stride, bw, bh, xy[2 * i] - X0, xy[2 * i + 1] - Y0, xy[2 * j] - X0,
                 xy[2 * j + 1] - Y0);
    }
    float *cov = ra->cov;
    int any = 0;
    for (int r = 0; r < bh; r++) {
        const float *row = ra->acc + (size_t)r * stride;
        float s = 0;
        int first = -1, last = -1;
        for (int x = 0; x < bw; x++) {
            s += row[x];
            float c = fabsf(s);
            if (c > 1.0f)
                c = 1.0f;
            if (c < 1e-4f)
                c = 0.0f;
            else {
                if (first < 0)
                    first = x;
                last = x;
            }
            cov[x] = c;
        }
        if (first < 0)
            continue;
        any = 1;
        int y = Y0 + r;
        fn(ctx, y, X0 + first, last - first + 1, cov + first,
           img->px + ((size_t)y * img->w + X0 + first) * 3);
    }
    if (any) {
        if (X0 < ra->dirty[0])
            ra->dirty[0] = X0;
        if (Y0 < ra->dirty[1])
            ra->dirty[1] = Y0;
        if (X1 > ra->dirty[2])
            ra->dirty[2] = X1;
        if (Y1 > ra->dirty[3])
            ra->dirty[3] = Y1;
    }
    return 0;
}

static double seg_dist2(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay;
    double l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    if (t < 0)
        t = 0;
    if (t > 1)
        t = 1;
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
}

int sy_poly_covers(const double *xy, int n, double px, double py, double margin)
{
    int inside = 0;
    double best = 1e300;
    for (int i = 0, j = n - 1; i < n; j = i++) {
        double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
        if (!(xi == xi) || !(xj == xj))
            return 0;
        if (((yi > py) != (yj > py)) && (px < (xj - xi) * (py - yi) / (yj - yi) + xi))
            inside = !inside;
        double d = seg_dist2(px, py, xi, yi, xj, yj);
        if (d < best)
            best = d;
    }
    return inside || best <= margin * margin;
}
