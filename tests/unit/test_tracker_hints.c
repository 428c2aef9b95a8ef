/* test_tracker_hints.c - the tracker's contract on frames made here (no clip files):
 * every frame gets exactly one hd_marks, in order; nothing is invented on frames with no
 * foot (confidence 0, not calibrated); the setup hint says why (too dark, no foot);
 * hd_tracker_recalibrate() starts over; a corrupt model file is a clear error. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heeldrop/tracker.h"
#include "test.h"

#define W 320
#define H 240

static uint8_t g_pix[W * H];

/* Feeds n frames at 30 fps filled by fill(k), collects all marks (finish at the end). */
static int run(hd_tracker *t, int n, void (*fill)(int k), hd_marks *out, int max_out)
{
    int got = 0;
    hd_marks m;
    for (int k = 0; k < n; k++) {
        fill(k);
        hd_frame f;
        memset(&f, 0, sizeof(f));
        f.plane[0] = g_pix;
        f.stride[0] = W;
        f.width = W;
        f.height = H;
        f.format = HD_PIX_GRAY8;
        f.pts_us = (int64_t)k * 33333;
        f.seq = k;
        CHECK(hd_tracker_process(t, &f) == HD_OK);
        while (hd_tracker_next(t, &m) == HD_OK)
            if (got < max_out)
                out[got++] = m;
    }
    CHECK(hd_tracker_finish(t) == HD_OK);
    while (hd_tracker_next(t, &m) == HD_OK)
        if (got < max_out)
            out[got++] = m;
    return got;
}

static void fill_dark(int k)
{
    for (int i = 0; i < W * H; i++)
        g_pix[i] = (uint8_t)(4 + ((i * 7 + k) % 5));
}

/* a lit room: a textured wall and a step, nothing moves */
static void fill_still(int k)
{
    (void)k;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            g_pix[y * W + x] = (uint8_t)(y > 160 && x < 200 ? 60 + (x * 3 + y) % 20
                                                            : 150 + ((x / 8 + y / 8) % 2) * 40);
}

static hd_tracker *make(void)
{
    hd_tracker_cfg cfg;
    hd_tracker_cfg_default(&cfg);
    hd_tracker *t = NULL;
    CHECK(hd_tracker_create(&cfg, &t) == HD_OK);
    return t;
}

static void test_dark(void)
{
    static hd_marks ms[200];
    hd_tracker *t = make();
    if (!t)
        return;
    int n = run(t, 150, fill_dark, ms, 200);
    CHECK(n == 150);
    int dark = 0;
    for (int k = 0; k < n; k++) {
        CHECK(ms[k].seq == k);
        CHECK(ms[k].conf == 0);
        CHECK(!ms[k].calibrated);
        dark += ms[k].setup_hint == HD_HINT_TOO_DARK;
    }
    /* the hint is known from the first calibration attempt on */
    CHECK(dark >= n / 2);
    hd_tracker_destroy(t);
}

static void test_still(void)
{
    static hd_marks ms[200];
    hd_tracker *t = make();
    if (!t)
        return;
    int n = run(t, 150, fill_still, ms, 200);
    CHECK(n == 150);
    int nofoot = 0;
    for (int k = 0; k < n; k++) {
        CHECK(ms[k].conf == 0);
        CHECK(!ms[k].calibrated);
        CHECK(ms[k].setup_hint != HD_HINT_TOO_DARK && ms[k].setup_hint != HD_HINT_NONE);
        nofoot += ms[k].setup_hint == HD_HINT_NO_FOOT;
    }
    CHECK(nofoot >= n / 2);
    hd_scene sc;
    hd_tracker_scene(t, &sc);
    CHECK(!sc.valid);
    hd_tracker_destroy(t);
}

static void test_recalibrate(void)
{
    static hd_marks ms[100];
    hd_tracker *t = make();
    if (!t)
        return;
    int n = run(t, 40, fill_still, ms, 100);
    CHECK(n == 40);
    hd_tracker_recalibrate(t);
    /* after starting over, frames still come out one for one */
    n = run(t, 40, fill_still, ms, 100);
    CHECK(n == 40);
    hd_tracker_destroy(t);
}

static void test_bad_model(void)
{
    char path[] = "/tmp/hd-tracker-model-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    fputs("{\"format\": \"heeldrop-tracker\", \"radii\": \"many\"", f);
    fclose(f);
    hd_tracker_cfg cfg;
    hd_tracker_cfg_default(&cfg);
    cfg.model_path = path;
    hd_tracker *t = (hd_tracker *)1;
    CHECK(hd_tracker_create(&cfg, &t) == HD_ERR_MODEL);
    CHECK(t == NULL);
    CHECK(strstr(hd_last_error(), "corrupt") != NULL);
    remove(path);
    cfg.model_path = "/nonexistent/tracker.json";
    CHECK(hd_tracker_create(&cfg, &t) == HD_ERR_MODEL);
}

int main(void)
{
    RUN(test_dark);
    RUN(test_still);
    RUN(test_recalibrate);
    RUN(test_bad_model);
    return TEST_EXIT();
}
