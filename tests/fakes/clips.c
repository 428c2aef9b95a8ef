/* clips.c - the test clip maker shared by the capture tests (see clips.h). */
#define _GNU_SOURCE

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakes/clips.h"

char tmpdir[512];

const char *tpath(const char *name)
{
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof(buf[0]), "%s/%s", tmpdir, name);
    return b;
}

void dir_clear(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat sb;
    char p[1024];
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
            rmdir(p);
        else
            unlink(p);
    }
    closedir(d);
}

void square_at(int i, int w, int h, int *x, int *y)
{
    int mx = w - SQ - 16 > 0 ? w - SQ - 16 : 1;
    int my = h - SQ - 16 > 0 ? h - SQ - 16 : 1;
    *x = 8 + (6 * i) % mx;
    *y = 8 + (3 * i) % my;
}

hd_status write_clip(const char *path, const clip_spec *c)
{
    hd_video_writer_opts o = {0};
    hd_video_writer *w = NULL;
    hd_frame f = {0};
    int cw = (c->w + 1) / 2, ch = (c->h + 1) / 2;
    uint8_t *y = malloc((size_t)c->w * c->h * 3), *u = malloc((size_t)cw * ch),
            *v = malloc((size_t)cw * ch);
    unsigned seed = 1;
    hd_status st;

    o.width = c->w;
    o.height = c->h;
    o.fps = c->fps;
    o.codec = c->codec;
    o.container = c->container;
    o.rotation_deg = c->rotation;
    o.gop = 12;
    st = hd_video_writer_open(path, &o, &w);
    if (st != HD_OK)
        goto done;
    for (int i = 0; i < c->n; i++) {
        int sx, sy;
        square_at(i, c->w, c->h, &sx, &sy);
        if (c->fmt == HD_PIX_BGR24) {
            for (int r = 0; r < c->h; r++) {
                for (int k = 0; k < c->w; k++) {
                    int in = k >= sx && k < sx + SQ && r >= sy && r < sy + SQ;
                    uint8_t *px = y + ((size_t)r * c->w + k) * 3;
                    px[0] = px[1] = px[2] = in ? 230 : 40;
                }
            }
            f.plane[0] = y;
            f.stride[0] = c->w * 3;
            f.plane[1] = f.plane[2] = NULL;
        } else {
            for (int r = 0; r < c->h; r++) {
                for (int k = 0; k < c->w; k++) {
                    int in = k >= sx && k < sx + SQ && r >= sy && r < sy + SQ;
                    int bg = 40;
                    if (c->noise) {
                        seed = seed * 1103515245u + 12345u;
                        bg += (int)((seed >> 16) % (2 * c->noise + 1)) - c->noise;
                    }
                    y[(size_t)r * c->w + k] = (uint8_t)(in ? 180 : bg);
                }
            }
            for (int r = 0; r < ch; r++) {
                for (int k = 0; k < cw; k++) {
                    int in = 2 * k >= sx && 2 * k < sx + SQ && 2 * r >= sy && 2 * r < sy + SQ;
                    u[(size_t)r * cw + k] = (uint8_t)(in ? 110 : 128);
                    v[(size_t)r * cw + k] = (uint8_t)(in ? 160 : 128);
                }
            }
            f.plane[0] = y;
            f.plane[1] = u;
            f.plane[2] = v;
            f.stride[0] = c->w;
            f.stride[1] = f.stride[2] = cw;
        }
        f.width = c->w;
        f.height = c->h;
        f.format = c->fmt ? c->fmt : HD_PIX_YUV420P;
        f.pts_us = c->pts ? c->pts[i] : (int64_t)llround(i * 1e6 / c->fps);
        st = hd_video_writer_write(w, &f);
        if (st != HD_OK) {
            hd_video_writer_abort(w);
            goto done;
        }
    }
    st = hd_video_writer_close(w);
done:
    free(y);
    free(u);
    free(v);
    return st;
}

void measure(const hd_frame *f, double *cx, double *cy, int *u, int *v)
{
    double sx = 0, sy = 0;
    long n = 0;
    for (int r = 0; r < f->height; r++) {
        const uint8_t *row = f->plane[0] + (size_t)r * f->stride[0];
        for (int k = 0; k < f->width; k++) {
            if (row[k] > 128) {
                sx += k;
                sy += r;
                n++;
            }
        }
    }
    *cx = n ? sx / n : -1;
    *cy = n ? sy / n : -1;
    *u = *v = -1;
    if (n && f->format == HD_PIX_YUV420P) {
        int px = (int)(*cx / 2), py = (int)(*cy / 2);
        *u = f->plane[1][(size_t)py * f->stride[1] + px];
        *v = f->plane[2][(size_t)py * f->stride[2] + px];
    }
}

hd_status read_clip(const char *path, hd_pixfmt want, clip_read *g)
{
    hd_source_opts so = {.want_format = want};
    hd_source *src = NULL;
    hd_frame f;
    hd_status st;

    memset(g, 0, sizeof(*g));
    st = hd_source_open(&hd_source_file_ops, path, &so, &src);
    if (st != HD_OK)
        return st;
    g->info = *hd_source_get_info(src);
    for (;;) {
        st = hd_source_acquire(src, &f);
        if (st != HD_OK)
            break;
        if (g->n < MAXF) {
            g->pts[g->n] = f.pts_us;
            g->seq[g->n] = f.seq;
            g->w = f.width;
            g->h = f.height;
            g->fmt = f.format;
            measure(&f, &g->cx[g->n], &g->cy[g->n], &g->u[g->n], &g->v[g->n]);
        }
        g->n++;
        hd_source_release(src, &f);
    }
    g->end = st;
    /* the end is sticky: asking again gives the same answer (callers CHECK the return) */
    hd_status again = hd_source_acquire(src, &f);
    hd_source_close(src);
    if (again != st)
        return hd_fail(HD_ERR_INTERNAL, "%s: the end of the stream is not sticky", path);
    return HD_OK;
}
