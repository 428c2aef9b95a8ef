/* test_recorder_common.c - helpers shared by the recorder tests (included by each). Frames
 * carry their index in a bright bar's position so that order and content can be checked
 * after decoding; "noisy" frames defeat compression so that a small disk fills fast. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heeldrop/recorder.h"
#include "heeldrop/source.h"

#if defined(__GNUC__)
#define RT_MAYBE __attribute__((unused))
#else
#define RT_MAYBE
#endif

typedef struct rt_pic {
    int w, h;
    uint8_t *y, *u, *v;
    uint32_t rng;
} rt_pic;

RT_MAYBE static void rt_pic_init(rt_pic *p, int w, int h)
{
    p->w = w;
    p->h = h;
    p->y = malloc((size_t)w * h);
    p->u = malloc((size_t)(w / 2) * (h / 2));
    p->v = malloc((size_t)(w / 2) * (h / 2));
    p->rng = 12345u;
}

RT_MAYBE static void rt_pic_free(rt_pic *p)
{
    free(p->y);
    free(p->u);
    free(p->v);
}

/* Frame k: dark grey, a white vertical bar at x = (8 k) mod w, optional noise. */
RT_MAYBE static void rt_pic_fill(rt_pic *p, int k, int noisy)
{
    int bar = (8 * k) % p->w;
    for (int yy = 0; yy < p->h; yy++) {
        uint8_t *row = p->y + (size_t)yy * p->w;
        for (int x = 0; x < p->w; x++) {
            int val = (x >= bar && x < bar + 8) ? 230 : 40;
            if (noisy) {
                p->rng ^= p->rng << 13;
                p->rng ^= p->rng >> 17;
                p->rng ^= p->rng << 5;
                val += (int)(p->rng % 60) - 30;
            }
            row[x] = (uint8_t)(val < 16 ? 16 : val > 235 ? 235 : val);
        }
    }
    memset(p->u, 128, (size_t)(p->w / 2) * (p->h / 2));
    memset(p->v, 128, (size_t)(p->w / 2) * (p->h / 2));
}

RT_MAYBE static hd_frame rt_frame(const rt_pic *p, int64_t pts_us, int64_t seq)
{
    hd_frame f;
    memset(&f, 0, sizeof(f));
    f.plane[0] = p->y;
    f.plane[1] = p->u;
    f.plane[2] = p->v;
    f.stride[0] = p->w;
    f.stride[1] = f.stride[2] = p->w / 2;
    f.width = p->w;
    f.height = p->h;
    f.format = HD_PIX_YUV420P;
    f.pts_us = pts_us;
    f.seq = seq;
    return f;
}

/* Where the bar of a decoded frame is (the brightest 8-column run in the middle row). */
RT_MAYBE static int rt_bar_x(const hd_frame *f)
{
    const uint8_t *row = f->plane[0] + (size_t)(f->height / 2) * f->stride[0];
    int best = -1, best_sum = -1;
    for (int x = 0; x + 8 <= f->width; x++) {
        int s = 0;
        for (int i = 0; i < 8; i++)
            s += row[x + i];
        if (s > best_sum) {
            best_sum = s;
            best = x;
        }
    }
    return best;
}

typedef struct rt_decoded {
    int frames;
    int64_t last_pts_us;
    int order_errors;   /* frames whose bar is not where frame number i put it */
    int pts_errors;     /* frames not at i * period (+- 2 ms) */
    hd_status end;      /* HD_EOF for a clean end; an error for a torn tail */
} rt_decoded;

/* Decodes path with the project's file source; checks order and timing against frames
 * written at period_us with rt_pic_fill (noise-free ones only: noisy ones skip the bar
 * check). Returns the source's open status. */
RT_MAYBE static hd_status rt_decode(const char *path, int64_t period_us, int check_bar,
                                    rt_decoded *d)
{
    hd_source *src = NULL;
    hd_frame f;
    hd_status st;

    memset(d, 0, sizeof(*d));
    st = hd_source_open(&hd_source_file_ops, path, NULL, &src);
    if (st != HD_OK)
        return st;
    for (;;) {
        st = hd_source_acquire(src, &f);
        if (st != HD_OK)
            break;
        if (check_bar) {
            int want = (8 * d->frames) % f.width;
            int got = rt_bar_x(&f);
            if (got < want - 2 || got > want + 2)
                d->order_errors++;
        }
        if (llabs(f.pts_us - d->frames * period_us) > 2000)
            d->pts_errors++;
        d->last_pts_us = f.pts_us;
        d->frames++;
        hd_source_release(src, &f);
    }
    d->end = st;
    hd_source_close(src);
    return HD_OK;
}

RT_MAYBE static int rt_mode(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int)(sb.st_mode & 0777) : -1;
}
