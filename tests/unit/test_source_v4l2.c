/* test_source_v4l2.c - the V4L2 backend against the in-process emulated camera: format and
 * rate negotiation, timestamps from the source, dropped and skipped frames, skip to the
 * newest, EAGAIN, EINTR, EIO, a stall, an unplug with reconnect (no leaked buffer or
 * descriptor), no camera, the device description, frames from a video file. */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clips.h"
#include "emucam.h"
#include "heeldrop/log.h"
#include "heeldrop/source_v4l2.h"
#include "test.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static emucam *make(const char *formats, const char *sizes, const char *rates, int ignore_size,
                    int ignore_rate)
{
    emucam_cfg c;
    emucam *cam = NULL;
    emucam_cfg_default(&c);
    c.formats = formats;
    c.sizes = sizes;
    c.rates = rates;
    c.ignore_size = ignore_size;
    c.ignore_rate = ignore_rate;
    if (emucam_create(&c, &cam) != HD_OK)
        fprintf(stderr, "emucam_create: %s\n", hd_last_error());
    return cam;
}

/* Opens the backend on the emulated camera. On failure it counts a failed check, frees
 * the camera and returns NULL, so a test just returns. */
static hd_source *open_cam(emucam *cam, int w, int h, double fps)
{
    hd_source_opts so = {.want_format = HD_PIX_YUV420P,
                         .width = w,
                         .height = h,
                         .fps = fps,
                         .dev_ops = emucam_dev_ops(cam)};
    hd_source *src = NULL;
    if (hd_source_open(&hd_source_v4l2_ops, "/dev/video0", &so, &src) != HD_OK) {
        fprintf(stderr, "open: %s\n", hd_last_error());
        CHECK(src != NULL);
        emucam_destroy(cam);
    }
    return src;
}

/* Acquires until a frame comes or max_s passes. */
static hd_status get_frame(hd_source *src, hd_frame *f, double max_s)
{
    double end = now_s() + max_s;
    hd_status st;
    do {
        st = hd_source_acquire(src, f);
    } while (st == HD_AGAIN && now_s() < end);
    return st;
}

static void check_no_leak(emucam *cam)
{
    emucam_counters c;
    emucam_get_counters(cam, &c);
    CHECK(c.open_fds == 0);
    CHECK(c.mappings == 0);
    CHECK(c.maps == c.unmaps);
    CHECK(c.opens == c.closes);
    CHECK(c.double_qbuf == 0); /* the backend never queues a buffer twice */
}

/* Every pixel of a delivered frame equals the scene's frame n. */
static int scene_exact(const hd_frame *f, int64_t n)
{
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            uint8_t Y, U, V;
            emucam_scene_pixel(f->width, f->height, n, x, y, &Y, &U, &V);
            if (f->plane[0][(size_t)y * f->stride[0] + x] != Y)
                return 0;
            if (!(x & 1) && !(y & 1) &&
                (f->plane[1][(size_t)(y / 2) * f->stride[1] + x / 2] != U ||
                 f->plane[2][(size_t)(y / 2) * f->stride[2] + x / 2] != V))
                return 0;
        }
    return 1;
}

static void test_negotiation(void)
{
    static const char *formats[] = {"YUYV", "YU12"};
    for (int k = 0; k < 2; k++) {
        emucam *cam = make(formats[k], "640x480,320x240", "30,15", 0, 0);
        hd_source *src = open_cam(cam, 320, 240, 15);
        hd_v4l2_stats st;
        hd_frame f;
        if (!src)
            continue;
        hd_source_v4l2_stats(src, &st);
        CHECK(st.width == 320 && st.height == 240);
        CHECK(st.fps == 15 && st.req_fps == 15);
        CHECK(!st.adjusted && st.adjust_note[0] == '\0');
        CHECK(!strcmp(st.driver, "heeldrop-emucam"));
        CHECK(!strcmp(st.fourcc_str, formats[k]));
        CHECK(hd_source_get_info(src)->width == 320 && hd_source_get_info(src)->fps == 15);
        for (int i = 0; i < 3; i++) {
            CHECK(get_frame(src, &f, 1.0) == HD_OK);
            CHECK(f.format == HD_PIX_YUV420P && f.width == 320 && f.height == 240);
            /* sequence numbers start at 0 with the stream: seq is the scene's frame */
            CHECK(scene_exact(&f, f.seq));
            hd_source_release(src, &f);
        }
        hd_source_close(src);
        check_no_leak(cam);
        emucam_destroy(cam);
    }
}

static void test_camera_ignores_request(void)
{
    emucam *cam = make("YUYV", "640x480,320x240", "30,15", 1, 1);
    hd_source *src = open_cam(cam, 320, 240, 15);
    hd_v4l2_stats st;
    hd_frame f;
    if (!src)
        return;
    hd_source_v4l2_stats(src, &st);
    CHECK(st.req_width == 320 && st.req_height == 240 && st.req_fps == 15);
    CHECK(st.width == 640 && st.height == 480 && st.fps == 30);
    CHECK(st.adjusted);
    CHECK(strstr(st.adjust_note, "asked 320x240 at 15 fps") != NULL);
    CHECK(strstr(st.adjust_note, "camera gives 640x480 at 30 fps") != NULL);
    CHECK(get_frame(src, &f, 1.0) == HD_OK && f.width == 640 && f.height == 480);
    hd_source_release(src, &f);
    hd_source_close(src);
    check_no_leak(cam);
    emucam_destroy(cam);
}

/* Defaults (1280x720 at 30), GRAY8 frames, and a camera with nothing readable. */
static void test_defaults_gray_unreadable(void)
{
    emucam *cam = make("YUYV", "1280x720,640x480", "30,15", 0, 0);
    hd_source_opts so = {.want_format = HD_PIX_GRAY8, .dev_ops = emucam_dev_ops(cam)};
    hd_source *src = NULL;
    hd_v4l2_stats st;
    hd_frame f;
    hd_status s;

    CHECK(hd_source_open(&hd_source_v4l2_ops, "/dev/video0", &so, &src) == HD_OK);
    if (src) {
        hd_source_v4l2_stats(src, &st);
        CHECK(st.req_width == 1280 && st.req_height == 720 && st.req_fps == 30);
        CHECK(get_frame(src, &f, 1.0) == HD_OK);
        CHECK(f.format == HD_PIX_GRAY8 && f.plane[0] && !f.plane[1] && f.width == 1280);
        hd_source_release(src, &f);
        hd_source_close(src);
    }
    check_no_leak(cam);
    emucam_destroy(cam);

    /* MJPEG only and no libv4l2 in between: nothing the backend can read */
    cam = make("MJPG", "640x480", "30", 0, 0);
    so.dev_ops = emucam_dev_ops(cam);
    src = NULL;
    s = hd_source_open(&hd_source_v4l2_ops, "/dev/video0", &so, &src);
    CHECK(s == HD_ERR_DEVICE && src == NULL);
    CHECK(strstr(hd_last_error(), "offers no format HeelDrop can read (it gives MJPG") != NULL);
    check_no_leak(cam);
    emucam_destroy(cam);

    /* bad options are the caller's mistake, not the camera's */
    so.width = 640;
    so.height = 0;
    CHECK(hd_source_open(&hd_source_v4l2_ops, "/dev/video0", &so, &src) == HD_ERR_INVALID);
}

/* A slow consumer: frames are dequeued late, yet pts are the camera's times (multiples of
 * the frame period, matching the sequence), and the newest ready frame is the one handed
 * out while the older ones are given back. */
static void test_timestamps_skip_drop(void)
{
    emucam *cam = make("YU12", "320x240", "30", 0, 0);
    hd_source *src = open_cam(cam, 320, 240, 30);
    const double period = 1e6 / 30;
    hd_v4l2_stats st;
    emucam_counters c;
    hd_frame f;
    int64_t first_pts = -1, prev_pts = -1, prev_seq = -1;
    int n = 0, bad_pts = 0;
    if (!src)
        return;
    CHECK(get_frame(src, &f, 1.0) == HD_OK);
    first_pts = f.pts_us;
    CHECK(first_pts == 0 && f.seq == 0);
    prev_pts = f.pts_us;
    prev_seq = f.seq;
    hd_source_release(src, &f);
    for (int round = 0; round < 6; round++) {
        /* 150 ms is 4.5 frame periods: a dequeue-time stamp would not be on the grid */
        nap(0.150);
        if (get_frame(src, &f, 1.0) != HD_OK) {
            CHECK(0);
            break;
        }
        n++;
        if (llabs(f.pts_us - llround(f.seq * period)) > 1)
            bad_pts++;
        CHECK(f.pts_us > prev_pts && f.seq > prev_seq);
        /* the newest: 150 ms of frames were ready, this is at least 3 frames on */
        CHECK(f.seq - prev_seq >= 3);
        /* and young: the oldest ready frame was over 100 ms old, the newest is not */
        hd_source_v4l2_stats(src, &st);
        CHECK(st.mono_origin_us > 0);
        CHECK(now_s() * 1e6 - (double)(st.mono_origin_us + f.pts_us) < 100000);
        CHECK(scene_exact(&f, f.seq));
        prev_pts = f.pts_us;
        prev_seq = f.seq;
        hd_source_release(src, &f);
    }
    CHECK(bad_pts == 0);
    /* a long stall of the consumer: the 4 buffers fill, later frames are dropped */
    nap(0.400);
    CHECK(get_frame(src, &f, 1.0) == HD_OK);
    hd_source_release(src, &f);
    CHECK(get_frame(src, &f, 1.0) == HD_OK);
    hd_source_release(src, &f);
    hd_source_v4l2_stats(src, &st);
    emucam_get_counters(cam, &c);
    fprintf(stderr, "  delivered %lld skipped %lld dropped %lld (camera dropped %lld)\n",
            (long long)st.delivered, (long long)st.skipped, (long long)st.dropped,
            (long long)c.frames_dropped);
    CHECK(st.delivered == n + 3);
    CHECK(st.skipped >= 3 * 6 / 2);
    CHECK(st.dropped >= 3);
    CHECK(st.dropped <= c.frames_dropped && st.dropped >= c.frames_dropped - 3);
    /* every frame the camera made is accounted for: delivered, skipped or still queued */
    CHECK(st.delivered + st.skipped <= c.frames_made);
    CHECK(c.frames_made - (st.delivered + st.skipped) <= 4);
    hd_source_close(src);
    check_no_leak(cam);
    emucam_destroy(cam);
}

static void test_transient_errors(void)
{
    emucam *cam = make("YUYV", "320x240", "30", 0, 0);
    hd_source *src = open_cam(cam, 320, 240, 30);
    hd_v4l2_stats st;
    hd_frame f;
    hd_status s;
    if (!src)
        return;
    CHECK(get_frame(src, &f, 1.0) == HD_OK);
    hd_source_release(src, &f);

    /* EAGAIN from DQBUF after poll said ready: nothing this time, no error */
    emucam_fail_call(cam, EMUCAM_OP_DQBUF, 1, EAGAIN, 0);
    s = HD_AGAIN;
    for (int i = 0; i < 20 && s == HD_AGAIN; i++)
        s = hd_source_acquire(src, &f);
    CHECK(s == HD_OK);
    hd_source_release(src, &f);
    /* EINTR in poll: HD_AGAIN; EINTR in DQBUF: retried inside the same call */
    emucam_fail_call(cam, EMUCAM_OP_POLL, 1, EINTR, 0);
    CHECK(hd_source_acquire(src, &f) == HD_AGAIN);
    emucam_fail_call(cam, EMUCAM_OP_DQBUF, 1, EINTR, 0);
    CHECK(get_frame(src, &f, 1.0) == HD_OK);
    hd_source_release(src, &f);
    /* one EIO: counted, survived */
    emucam_fail_call(cam, EMUCAM_OP_DQBUF, 1, EIO, 0);
    CHECK(get_frame(src, &f, 1.0) == HD_OK);
    hd_source_release(src, &f);
    hd_source_v4l2_stats(src, &st);
    CHECK(st.errors == 1);
    CHECK(!st.lost && st.reconnects == 0);
    {
        emucam_counters c;
        emucam_get_counters(cam, &c);
        CHECK(c.faults_fired == 4);
    }
    hd_source_close(src);
    check_no_leak(cam);
    emucam_destroy(cam);
}

/* A stall: no frame for longer than a second is shown as lost, then frames resume. */
static void test_stall(void)
{
    emucam *cam = make("YUYV", "320x240", "30", 0, 0);
    hd_source *src = open_cam(cam, 320, 240, 30);
    hd_v4l2_stats st;
    hd_frame f;
    int64_t before;
    int saw_lost = 0, timeouts = 0;
    double t_end;
    if (!src)
        return;
    CHECK(get_frame(src, &f, 1.0) == HD_OK);
    before = f.pts_us;
    hd_source_release(src, &f);
    emucam_stall_at_call(cam, EMUCAM_OP_POLL, 1, 1.6);
    t_end = now_s() + 4.0;
    for (;;) {
        hd_status s = hd_source_acquire(src, &f);
        hd_source_v4l2_stats(src, &st);
        if (st.lost)
            saw_lost = 1;
        if (s == HD_OK)
            break;
        timeouts++;
        if (now_s() > t_end)
            break;
    }
    CHECK(saw_lost);
    CHECK(timeouts >= 30); /* each call waited about one period, not more */
    CHECK(st.stalls == 1);
    CHECK(f.pts_us - before >= 1500000 && f.pts_us - before < 2500000);
    hd_source_release(src, &f);
    hd_source_v4l2_stats(src, &st);
    CHECK(!st.lost && !st.stalled && st.reconnects == 0);
    hd_source_close(src);
    check_no_leak(cam);
    emucam_destroy(cam);
}

/* Unplugged mid-session: lost (everything released), reopened when back, time goes on. */
static void test_unplug_reconnect(void)
{
    emucam *cam = make("YUYV", "320x240", "30", 0, 0);
    hd_source *src = open_cam(cam, 320, 240, 30);
    hd_v4l2_stats st;
    emucam_counters c;
    hd_frame f;
    int64_t last_pts = -1, last_seq = -1;
    int saw_lost = 0, released = 0, after = 0;
    double t_unplug, t_end;
    if (!src)
        return;
    for (int i = 0; i < 5; i++) {
        CHECK(get_frame(src, &f, 1.0) == HD_OK);
        last_pts = f.pts_us;
        last_seq = f.seq;
        hd_source_release(src, &f);
    }
    emucam_unplug(cam, 1.2);
    t_unplug = now_s();
    t_end = t_unplug + 5.0;
    while (now_s() < t_end && after < 5) {
        hd_status s = hd_source_acquire(src, &f);
        CHECK(s == HD_OK || s == HD_AGAIN);
        hd_source_v4l2_stats(src, &st);
        if (st.lost && !saw_lost) {
            saw_lost = 1;
            emucam_get_counters(cam, &c);
            /* lost means released: no descriptor, no mapping left on the dead device */
            released = c.open_fds == 0 && c.mappings == 0;
        }
        if (s == HD_OK) {
            CHECK(saw_lost);
            CHECK(f.pts_us > last_pts && f.seq > last_seq);
            if (after == 0) {
                /* the monotonic clock carries the real gap (>= the 1.2 s unplugged) */
                CHECK(f.pts_us - last_pts >= 1100000);
                CHECK(f.seq == last_seq + 1);
                /* and the picture is the one of that moment, not a replay from the start */
                CHECK(scene_exact(&f, llround(f.pts_us * 30 / 1e6)));
            }
            last_pts = f.pts_us;
            last_seq = f.seq;
            after++;
            hd_source_release(src, &f);
        }
    }
    CHECK(saw_lost && released);
    CHECK(after >= 5);
    hd_source_v4l2_stats(src, &st);
    CHECK(st.reconnects == 1 && !st.lost);
    emucam_get_counters(cam, &c);
    CHECK(c.unplugs == 1 && c.replugs == 1);
    hd_source_close(src);
    check_no_leak(cam);
    emucam_destroy(cam);
}

/* Unplugged at a DQBUF and never back: acquire keeps saying HD_AGAIN, close cleans up. */
static void test_unplug_for_good(void)
{
    emucam *cam = make("YUYV", "320x240", "30", 0, 0);
    hd_source *src = open_cam(cam, 320, 240, 30);
    hd_v4l2_stats st;
    hd_frame f;
    if (!src)
        return;
    CHECK(get_frame(src, &f, 1.0) == HD_OK);
    hd_source_release(src, &f);
    emucam_unplug_at_call(cam, EMUCAM_OP_DQBUF, 1, -1);
    for (int i = 0; i < 40; i++)
        CHECK(hd_source_acquire(src, &f) == HD_AGAIN);
    hd_source_v4l2_stats(src, &st);
    CHECK(st.lost && st.reconnects == 0);
    hd_source_close(src);
    check_no_leak(cam);
    emucam_destroy(cam);
}

/* A persistent EIO: after a run of failures the device is restarted. */
static void test_persistent_eio(void)
{
    emucam *cam = make("YUYV", "320x240", "30", 0, 0);
    hd_source *src = open_cam(cam, 320, 240, 30);
    hd_v4l2_stats st;
    hd_frame f;
    double end;
    if (!src)
        return;
    emucam_fail_call(cam, EMUCAM_OP_DQBUF, 1, EIO, 1);
    end = now_s() + 2.5;
    while (now_s() < end) {
        if (hd_source_acquire(src, &f) == HD_OK)
            hd_source_release(src, &f);
        hd_source_v4l2_stats(src, &st);
        if (st.lost)
            break;
    }
    CHECK(st.lost);
    CHECK(st.errors >= 10);
    hd_source_close(src);
    check_no_leak(cam);
    emucam_destroy(cam);
}

static void test_no_camera(void)
{
    emucam_cfg cfg;
    emucam *cam = NULL;
    char path[32] = "x";
    hd_source *src = NULL;
    hd_source_opts so = {0};
    hd_status s;

    emucam_cfg_default(&cfg);
    cfg.path = "/dev/video3";
    CHECK(emucam_create(&cfg, &cam) == HD_OK);
    CHECK(hd_v4l2_find_camera_with(emucam_dev_ops(cam), path, sizeof(path)) == HD_OK);
    CHECK(!strcmp(path, "/dev/video3"));
    emucam_unplug(cam, -1);
    s = hd_v4l2_find_camera_with(emucam_dev_ops(cam), path, sizeof(path));
    CHECK(s == HD_ERR_NOTFOUND);
    CHECK(path[0] == '\0');
    CHECK(strstr(hd_last_error(), "/dev/video0") != NULL);
    CHECK(strstr(hd_last_error(), "heeldrop analyze FILE") != NULL);
    CHECK(strstr(hd_last_error(), "heeldrop live --source FILE") != NULL);
    so.dev_ops = emucam_dev_ops(cam);
    s = hd_source_open(&hd_source_v4l2_ops, "/dev/video3", &so, &src);
    CHECK(s == HD_ERR_DEVICE && src == NULL);
    CHECK(strstr(hd_last_error(), "/dev/video3") && strstr(hd_last_error(), "not found"));
    check_no_leak(cam);
    emucam_destroy(cam);
}

static void test_describe(void)
{
    emucam *cam = make("MJPG,YUYV", "1280x720,640x480", "30,15", 0, 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    CHECK(hd_v4l2_describe(emucam_dev_ops(cam), "/dev/video0", m) == HD_OK);
    fclose(m);
    CHECK(buf && strstr(buf, "HeelDrop emulated camera"));
    CHECK(buf && strstr(buf, "driver heeldrop-emucam"));
    CHECK(buf && strstr(buf, "MJPG  Motion-JPEG (compressed)"));
    CHECK(buf && strstr(buf, "YUYV  YUYV 4:2:2"));
    CHECK(buf && strstr(buf, "1280x720    30, 15 fps"));
    CHECK(hd_v4l2_describe(emucam_dev_ops(cam), "/dev/video1", stdout) == HD_ERR_NOTFOUND);
    free(buf);
    check_no_leak(cam);
    emucam_destroy(cam);
}

/* Frames from a video file, at the camera's size and pace. */
static void test_file_source(void)
{
    clip_spec cs = {.codec = "mpeg4",
                    .container = "mp4",
                    .w = 320,
                    .h = 240,
                    .n = 30,
                    .fps = 30,
                    .fmt = HD_PIX_YUV420P};
    const char *clip = tpath("cam.mp4");
    emucam_cfg cfg;
    emucam *cam = NULL;
    hd_source *src;
    int good = 0, frames = 0;
    CHECK(write_clip(clip, &cs) == HD_OK);
    emucam_cfg_default(&cfg);
    cfg.source = clip;
    cfg.formats = "YUYV";
    cfg.sizes = "320x240";
    cfg.rates = "30";
    CHECK(emucam_create(&cfg, &cam) == HD_OK);
    src = open_cam(cam, 320, 240, 30);
    if (!src)
        return;
    for (int i = 0; i < 45; i++) {
        hd_frame f;
        double cx, cy;
        int u, v, x, y;
        if (get_frame(src, &f, 1.0) != HD_OK)
            break;
        frames++;
        measure(&f, &cx, &cy, &u, &v);
        square_at((int)(f.seq % 30), 320, 240, &x, &y); /* the clip loops after 30 frames */
        if (cx >= 0 && fabs(cx - (x + SQ / 2.0 - 0.5)) < 2.5 &&
            fabs(cy - (y + SQ / 2.0 - 0.5)) < 2.5)
            good++;
        else
            fprintf(stderr, "  frame %lld: square at %.1f,%.1f, expected %d,%d\n", (long long)f.seq,
                    cx, cy, x + SQ / 2, y + SQ / 2);
        hd_source_release(src, &f);
    }
    CHECK(frames == 45);
    CHECK(good >= frames - 1);
    hd_source_close(src);
    check_no_leak(cam);
    emucam_destroy(cam);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/hd-v4l2-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    hd_log_set_level(HD_LOG_ERROR);
    RUN(test_negotiation);
    RUN(test_camera_ignores_request);
    RUN(test_defaults_gray_unreadable);
    RUN(test_timestamps_skip_drop);
    RUN(test_transient_errors);
    RUN(test_stall);
    RUN(test_unplug_reconnect);
    RUN(test_unplug_for_good);
    RUN(test_persistent_eio);
    RUN(test_no_camera);
    RUN(test_describe);
    RUN(test_file_source);
    dir_clear(tmpdir);
    rmdir(tmpdir);
    return TEST_EXIT();
}
