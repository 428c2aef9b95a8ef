/* synth_raster.h - anti-aliased polygon filling with exact area coverage.
 *
 * A polygon's edges are accumulated as signed areas into a scratch row buffer; a prefix
 * sum along each row then gives, for every pixel, the exact share of its square the
 * polygon covers (the method of font rasterizers). A span callback shades and blends the
 * covered pixels of each row. */
#ifndef HEELDROP_SYNTH_RASTER_H
#define HEELDROP_SYNTH_RASTER_H

#include <stddef.h>

/* A float RGB image, 3 floats per pixel, rows of w pixels. */
typedef struct sy_img {
    int w, h;
    float *px;
} sy_img;

/* Shades and blends one row span: pixels x0 .. x0+n-1 of row y, coverage cov[0..n-1]
 * (0..1), dst points at pixel x0 of the row in the image. */
typedef void (*sy_span_fn)(void *ctx, int y, int x0, int n, const float *cov, float *dst);

typedef struct sy_raster {
    float *acc;
    float *cov;
    size_t cap, cov_cap;
    int clip[4];  /* x0, y0, x1, y1: drawing is limited to this rectangle */
    int dirty[4]; /* union of the boxes drawn since the last reset */
} sy_raster;

void sy_raster_init(sy_raster *ra, int w, int h);
void sy_raster_free(sy_raster *ra);
void sy_raster_dirty_reset(sy_raster *ra);

/* Fills polygon xy[2n] (pixel coordinates) on img. Returns 0, or -1 out of memory. */
int sy_fill_poly(sy_raster *ra, sy_img *img, const double *xy, int n, sy_span_fn fn, void *ctx);

/* 1 when (px, py) is inside the polygon or within margin pixels of its outline. */
int sy_poly_covers(const double *xy, int n, double px, double py, double margin);

#endif
