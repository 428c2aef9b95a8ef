/* test_source_v4l2_preload.c - the camera backend through the REAL libv4l2, run by
 * tests/integration/v4l2_preload.sh under LD_PRELOAD=libhd_emucam.so.
 *
 * usage: test_v4l2_preload_capture yuyv|mjpeg|unplug|file [device [WxH]]
 *   yuyv, mjpeg: the camera offers only that format (HD_EMUCAM_FORMATS set by the script);
 *                libv4l2 converts it to YUV 4:2:0 and the pixels must be the scene's
 *                (exact for YUYV, within JPEG error for MJPEG).
 *   unplug:      the camera goes away and comes back (HD_EMUCAM_UNPLUG_AT_S and
 *                HD_EMUCAM_REPLUG_AFTER_S set): lost is reported, then frames again, with
 *                pts and seq still increasing.
 *   file:        frames from a video file: they must change over time.
 *   stall:       the camera stops sending frames for a while (HD_EMUCAM_STALL_AT_S and
 *                HD_EMUCAM_STALL_FOR_S set): shown as lost, counted once, frames resume
 *                without a reconnect.
 * In every mode the driver name must be the fake's ("heeldrop-emucam"): a run that
 * reached no camera, or a real one, fails. Exit 0 pass, 1 fail.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emucam.h"
#include "heeldrop/source_v4l2.h"
#include "test.h"

#define MAX_LAT 1024

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The box of the scene sits at x = (n * 4) % span on row h / 3: read n back from it. */
static int64_t scene_frame(const hd_frame *f)
{
    int y = f->height / 3 + 2;
    const uint8_t *row = f->plane[0] + (size_t)y * f->stride[0];
    for (int x = 0; x < f->width; x++)
        if (row[x] > 220) {
            /* JPEG blurs the edge by a pixel: round to the grid of 4 */
            return (x + 1) / 4;
        }
    return -1;
}

/* Mean and max absolute difference between a frame and the scene's frame n. */
static void compare_scene(const hd_frame *f, int64_t n, double *mean_y, double *mean_c, int *max_y,
                          int *max_c)
{
    double sy = 0, sc = 0;
    int my = 0, mc = 0;
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            uint8_t Y, U, V;
            int d;
            emucam_scene_pixel(f->width, f->height, n, x, y, &Y, &U, &V);
            d = abs(f->plane[0][(size_t)y * f->stride[0] + x] - Y);
            sy += d;
            my = d > my ? d : my;
            if (!(x & 1) && !(y & 1)) {
                int du = abs(f->plane[1][(size_t)(y / 2) * f->stride[1] + x / 2] - U);
                int dv = abs(f->plane[2][(size_t)(y / 2) * f->stride[2] + x / 2] - V);
                sc += du + dv;
                mc = du > mc ? du : mc;
                mc = dv > mc ? dv : mc;
            }
        }
    *mean_y = sy / ((double)f->width * f->height);
    *mean_c = sc / (2.0 * (f->width / 2) * (f->height / 2));
    *max_y = my;
    *max_c = mc;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "yuyv";
    const char *dev = argc > 2 ? argv[2] : "/dev/video0";
    hd_source_opts so = {.want_format = HD_PIX_YUV420P, .width = 320, .height = 240, .fps = 30};
    int want_w = 320, want_h = 240;
    hd_source *src = NULL;
    hd_v4l2_stats st;
    hd_status s;
    char path[32];
    int got = 0, checked = 0, saw_lost = 0, frames_after = 0, changed = 0;
    int64_t last_pts = -1, last_seq = -1;
    double t_end;
    uint64_t first_sum = 0;
    double lat[MAX_LAT];
    int nlat = 0;

    if (argc > 3 && sscanf(argv[3], "%dx%d", &want_w, &want_h) != 2) {
        fprintf(stderr, "bad size %s\n", argv[3]);
        return 2;
    }
    so.width = want_w;
    so.height = want_h;
    /* discovery through libv4l2 finds the preloaded device */
    s = hd_v4l2_find_camera(path, sizeof(path));
    CHECK(s == HD_OK);
    CHECK(s == HD_OK && !strcmp(path, dev));

    s = hd_source_open(&hd_source_v4l2_ops, dev, &so, &src);
    if (s != HD_OK) {
        fprintf(stderr, "open: %s\n", hd_last_error());
        return 1;
    }
    hd_source_v4l2_stats(src, &st);
    fprintf(stderr, "driver '%s' card '%s' %dx%d %s %.3g fps\n", st.driver, st.card, st.width,
            st.height, st.fourcc_str, st.fps);
    CHECK(!strcmp(st.driver, "heeldrop-emucam"));
    CHECK(!strcmp(st.fourcc_str, "YU12")); /* libv4l2 did the conversion, not the backend */
    CHECK(st.width == want_w && st.height == want_h);

    t_end = now_s() + (!strcmp(mode, "unplug") || !strcmp(mode, "stall") ? 5.0 : 1.5);
    while (now_s() < t_end) {
        hd_frame f;
        s = hd_source_acquire(src, &f);
        hd_source_v4l2_stats(src, &st);
        if (st.lost)
            saw_lost = 1;
        if (s == HD_AGAIN)
            continue;
        if (s != HD_OK) {
            fprintf(stderr, "acquire: %s\n", hd_last_error());
            CHECK(s == HD_OK);
            break;
        }
        got++;
        if (st.mono_origin_us && nlat < MAX_LAT) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            lat[nlat++] = (double)((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 -
                                   (st.mono_origin_us + f.pts_us)) / 1000.0;
        }
        CHECK(f.format == HD_PIX_YUV420P && f.width == want_w && f.height == want_h);
        CHECK(f.pts_us > last_pts && f.seq > last_seq);
        last_pts = f.pts_us;
        last_seq = f.seq;
        if (saw_lost)
            frames_after++;
        if (!strcmp(mode, "yuyv") || !strcmp(mode, "mjpeg")) {
            int64_t n = scene_frame(&f);
            double my, mc;
            int xy, xc;
            CHECK(n >= 0);
            if (n >= 0 && checked < 5) {
                compare_scene(&f, n, &my, &mc, &xy, &xc);
                if (!strcmp(mode, "yuyv")) {
                    CHECK(xy == 0 && xc == 0); /* YUYV -> 4:2:0 is exact for this scene */
                } else {
                    CHECK(my < 2.0 && mc < 2.0); /* JPEG: small mean error */
                }
                if (checked == 0)
                    fprintf(stderr, "frame %lld: mean |dY| %.3f |dC| %.3f, max %d %d\n",
                            (long long)n, my, mc, xy, xc);
                checked++;
            }
        }
        if (!strcmp(mode, "file")) {
            uint64_t sum = 0;
            for (int y = 0; y < f.height; y += 4)
                for (int x = 0; x < f.width; x += 4)
                    sum += f.plane[0][(size_t)y * f.stride[0] + x];
            if (got == 1)
                first_sum = sum;
            else if (sum != first_sum)
                changed = 1;
        }
        hd_source_release(src, &f);
    }
    hd_source_v4l2_stats(src, &st);
    fprintf(stderr,
            "%s: %d frames, dropped %lld skipped %lld reconnects %lld lost seen %d, "
            "after %d\n",
            mode, got, (long long)st.dropped, (long long)st.skipped, (long long)st.reconnects,
            saw_lost, frames_after);
    CHECK(got >= 10);
    /* the frame's age when acquire() handed it out: capture timestamp to now */
    CHECK(nlat == got);
    if (nlat) {
        qsort(lat, (size_t)nlat, sizeof(lat[0]), cmp_double);
        fprintf(stderr, "age at acquire: median %.1f ms, p99 %.1f ms, max %.1f ms\n",
                lat[nlat / 2], lat[(nlat * 99) / 100], lat[nlat - 1]);
        CHECK(lat[0] >= 0); /* never before it was captured */
    }
    if (!strcmp(mode, "yuyv") || !strcmp(mode, "mjpeg"))
        CHECK(checked >= 5);
    if (!strcmp(mode, "unplug")) {
        CHECK(saw_lost);
        CHECK(st.reconnects >= 1);
        CHECK(frames_after >= 10);
        CHECK(!st.lost);
    }
    if (!strcmp(mode, "file"))
        CHECK(changed);
    if (!strcmp(mode, "stall")) {
        CHECK(saw_lost);
        CHECK(st.stalls == 1 && st.reconnects == 0);
        CHECK(frames_after >= 10);
        CHECK(!st.lost);
    }
    hd_source_close(src);
    return TEST_EXIT();
}
