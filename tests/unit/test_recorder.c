/* test_recorder.c - the crash-safe recorder in one process: a clean recording read back
 * with the file source (count, order, timing, mode 0600), colour order of BGR/RGB input,
 * MJPEG, refusal to replace a file, bad arguments, dropping when the queue is full, and a
 * disk that fills up (ENOSPC injected through the write seam).
 *
 * Also a measuring tool (not run by CTest): test_recorder --bench W H FPS SECONDS [CODEC]
 * records that much paced synthetic video, test_recorder --bench-file VIDEO [CODEC] [rgb] a video
 * file's frames at their own pace; both print the encoder thread's CPU share.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <time.h>

#include "test.h"
#include "unit/test_recorder_common.c"

static char tmpdir[256];

static const char *tpath(const char *name)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
    return buf[i];
}

static hd_recorder_opts base_opts(int w, int h)
{
    hd_recorder_opts o;
    memset(&o, 0, sizeof(o));
    o.width = w;
    o.height = h;
    o.fps = 30;
    o.format = HD_PIX_YUV420P;
    return o;
}

static int put_dropped; /* HD_AGAIN answers seen by put() */

/* Queues a frame, waiting a little when the queue is full (tests want every frame). */
static hd_status put(hd_recorder *r, const hd_frame *f)
{
    for (int tries = 0; tries < 2000; tries++) {
        hd_status st = hd_recorder_write(r, f);
        if (st != HD_AGAIN)
            return st;
        put_dropped++;
        usleep(1000);
    }
    return HD_AGAIN;
}

static void test_roundtrip(void)
{
    const char *path = tpath("clean.mkv");
    hd_recorder_opts o = base_opts(320, 240);
    hd_recorder_stats s;
    hd_recorder *r = NULL;
    rt_decoded d;
    rt_pic p;
    int n = 75;

    rt_pic_init(&p, 320, 240);
    put_dropped = 0;
    CHECK(hd_recorder_open(path, &o, &r) == HD_OK);
    if (!r)
        return;
    CHECK(rt_mode(path) == 0600);
    for (int k = 0; k < n; k++) {
        rt_pic_fill(&p, k, 0);
        hd_frame f = rt_frame(&p, 5000000 + (int64_t)k * 33333, k); /* starts at 5 s */
        CHECK(put(r, &f) == HD_OK);
    }
    CHECK(hd_recorder_close(r, &s) == HD_OK);
    CHECK(s.state == HD_REC_CLOSED);
    CHECK(s.frames_queued == n);
    CHECK(s.frames_written == n);
    CHECK(s.frames_flushed == n);
    CHECK(s.frames_dropped == put_dropped);
    CHECK(s.bytes > 1000);
    CHECK(s.message[0] == '\0');
    CHECK(rt_mode(path) == 0600);
    CHECK(rt_decode(path, 33333, 1, &d) == HD_OK);
    CHECK(d.frames == n);
    CHECK(d.order_errors == 0);
    CHECK(d.pts_errors == 0);
    CHECK(d.end == HD_EOF);
    rt_pic_free(&p);
}

/* A red picture given as B,G,R and as R,G,B (rgb_order) must both come out red. */
static void check_red(const char *name, int rgb_order, const char *codec)
{
    const char *path = tpath(name);
    hd_recorder_opts o = base_opts(64, 48);
    hd_recorder *r = NULL;
    hd_source *src = NULL;
    uint8_t *px = malloc(64 * 48 * 3);
    hd_frame f, g;

    o.format = HD_PIX_BGR24;
    o.rgb_order = rgb_order;
    o.codec = codec;
    for (int i = 0; i < 64 * 48; i++) {
        px[3 * i + 0] = rgb_order ? 220 : 20;
        px[3 * i + 1] = 20;
        px[3 * i + 2] = rgb_order ? 20 : 220;
    }
    memset(&f, 0, sizeof(f));
    f.plane[0] = px;
    f.stride[0] = 64 * 3;
    f.width = 64;
    f.height = 48;
    f.format = HD_PIX_BGR24;
    CHECK(hd_recorder_open(path, &o, &r) == HD_OK);
    for (int k = 0; r && k < 5; k++) {
        f.pts_us = k * 40000;
        CHECK(put(r, &f) == HD_OK);
    }
    CHECK(hd_recorder_close(r, NULL) == HD_OK);
    CHECK(hd_source_open(&hd_source_file_ops, path, NULL, &src) == HD_OK);
    if (src && hd_source_acquire(src, &g) == HD_OK) {
        int u = g.plane[1][g.stride[1] * 12 + 16], v = g.plane[2][g.stride[2] * 12 + 16];
        if (!(v > 190 && u < 128))
            fprintf(stderr, "%s: U %d V %d\n", name, u, v);
        CHECK(v > 190);
        CHECK(u < 128);
        hd_source_release(src, &g);
    } else {
        CHECK(!"no frame decoded");
    }
    hd_source_close(src);
    free(px);
}

static void test_colour_order(void)
{
    check_red("bgr.mkv", 0, NULL);
    check_red("rgb.mkv", 1, NULL);
    check_red("mjpeg.mkv", 0, "mjpeg");
}

static void test_refuses_existing_and_bad_args(void)
{
    const char *path = tpath("existing.mkv");
    hd_recorder_opts o = base_opts(320, 240);
    hd_recorder *r = (hd_recorder *)1;
    FILE *fp = fopen(path, "w");
    char buf[16] = {0};

    fputs("precious", fp);
    fclose(fp);
    CHECK(hd_recorder_open(path, &o, &r) == HD_ERR_IO);
    CHECK(r == NULL);
    CHECK(strstr(hd_last_error(), "exists") != NULL);
    fp = fopen(path, "r");
    CHECK(fp && fread(buf, 1, 15, fp) == 8 && strcmp(buf, "precious") == 0);
    if (fp)
        fclose(fp);

    o.width = 321;
    CHECK(hd_recorder_open(tpath("odd.mkv"), &o, &r) == HD_ERR_INVALID);
    CHECK(access(tpath("odd.mkv"), F_OK) != 0);
    o = base_opts(320, 240);
    o.codec = "theora-from-the-future";
    CHECK(hd_recorder_open(tpath("codec.mkv"), &o, &r) == HD_ERR_INVALID);
    o = base_opts(320, 240);
    CHECK(hd_recorder_open(tpath("no/such/dir.mkv"), &o, &r) == HD_ERR_IO);
    CHECK(r == NULL);

    /* wrong frames are refused without stopping the recording */
    rt_pic p;
    rt_pic_init(&p, 320, 240);
    rt_pic_fill(&p, 0, 0);
    CHECK(hd_recorder_open(tpath("badframes.mkv"), &o, &r) == HD_OK);
    if (r) {
        hd_frame f = rt_frame(&p, 1000, 0);
        CHECK(hd_recorder_write(r, &f) == HD_OK);
        CHECK(hd_recorder_write(r, &f) == HD_ERR_INVALID); /* same time again */
        f.pts_us = 40000;
        f.width = 160;
        CHECK(hd_recorder_write(r, &f) == HD_ERR_INVALID);
        f.width = 320;
        CHECK(put(r, &f) == HD_OK);
        CHECK(hd_recorder_close(r, NULL) == HD_OK);
    }
    rt_pic_free(&p);
}

/* A one-slot queue fed as fast as possible at 1280x720 must drop rather than wait. */
static void test_drops_when_full(void)
{
    hd_recorder_opts o = base_opts(1280, 720);
    hd_recorder_stats s;
    hd_recorder *r = NULL;
    int again = 0, n = 120;
    rt_pic p;
    struct timespec t0, t1;
    double worst = 0;

    o.queue_frames = 1;
    rt_pic_init(&p, 1280, 720);
    rt_pic_fill(&p, 3, 1);
    CHECK(hd_recorder_open(tpath("drops.mkv"), &o, &r) == HD_OK);
    if (!r)
        return;
    for (int k = 0; k < n; k++) {
        hd_frame f = rt_frame(&p, (int64_t)k * 33333, k);
        hd_status st;
        /* CPU time of this thread: a copy costs well under a millisecond, an encode of a
         * 720p frame tens; preemption on a busy machine does not count */
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        st = hd_recorder_write(r, &f);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        worst = dt > worst ? dt : worst;
        CHECK(st == HD_OK || st == HD_AGAIN);
        again += st == HD_AGAIN;
    }
    CHECK(hd_recorder_close(r, &s) == HD_OK);
    fprintf(stderr, "  drops: %d of %d dropped, most CPU in one write %.2f ms\n", again, n,
            worst * 1e3);
    CHECK(again > 0);
    CHECK(s.frames_dropped == again);
    CHECK(s.frames_queued + s.frames_dropped == n);
    CHECK(s.frames_written == s.frames_queued);
    CHECK(worst < 0.02); /* a copy of one frame, never an encode */
    rt_pic_free(&p);
}

/* A disk that stalls (each write takes 150 ms): the live loop's writes stay instant, the
 * backlog turns into counted drops, and what was accepted is all in the file. */
static ssize_t slow_write(void *ctx, int fd, const void *buf, size_t n)
{
    (void)ctx;
    usleep(150000);
    return write(fd, buf, n);
}

static void test_slow_disk(void)
{
    const char *path = tpath("slow.mkv");
    hd_recorder_opts o = base_opts(320, 240);
    hd_recorder_stats s;
    hd_recorder *r = NULL;
    struct timespec t0, t1, tp;
    double worst = 0;
    rt_decoded d;
    rt_pic p;
    int n = 90;

    o.write_fn = slow_write;
    o.flush_ms = 100;    /* many flushes, each a stalled write */
    o.queue_frames = 2;  /* a short queue, so that the stalls overflow it */
    rt_pic_init(&p, 320, 240);
    rt_pic_fill(&p, 0, 1);
    CHECK(hd_recorder_open(path, &o, &r) == HD_OK);
    if (!r)
        return;
    clock_gettime(CLOCK_MONOTONIC, &tp);
    for (int k = 0; k < n; k++) {
        hd_frame f = rt_frame(&p, (int64_t)k * 33333, k);
        hd_status st;
        long long ns;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = hd_recorder_write(r, &f);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        worst = dt > worst ? dt : worst;
        CHECK(st == HD_OK || st == HD_AGAIN);
        ns = tp.tv_nsec + (long long)(k + 1) * 33333333LL; /* 30 fps, like a camera */
        t0.tv_sec = tp.tv_sec + ns / 1000000000;
        t0.tv_nsec = ns % 1000000000;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t0, NULL);
    }
    CHECK(hd_recorder_close(r, &s) == HD_OK);
    fprintf(stderr, "  slow disk: %lld of %d dropped, slowest write %.2f ms\n",
            (long long)s.frames_dropped, n, worst * 1e3);
    CHECK(worst < 0.1); /* well under one 150 ms stall: it never waited for the disk */
    CHECK(s.frames_dropped > 0);
    CHECK(s.frames_queued + s.frames_dropped == n);
    CHECK(rt_decode(path, 33333, 0, &d) == HD_OK);
    CHECK(d.frames == s.frames_queued);
    rt_pic_free(&p);
}

/* ---- the disk fills up (injected) ---------------------------------------------------- */

typedef struct budget {
    size_t left;
    int calls_after;    /* writes tried after the disk was full */
} budget;

static ssize_t budget_write(void *ctx, int fd, const void *buf, size_t n)
{
    budget *b = ctx;
    if (b->left == 0) {
        b->calls_after++;
        errno = ENOSPC;
        return -1;
    }
    if (n > b->left)
        n = b->left; /* a short write first, as the kernel does */
    n = (size_t)write(fd, buf, n);
    b->left -= n;
    return (ssize_t)n;
}

static void test_disk_full_injected(void)
{
    const char *path = tpath("full.mkv");
    hd_recorder_opts o = base_opts(320, 240);
    budget b = {1500 * 1024, 0};
    hd_recorder_stats s, mid;
    hd_recorder *r = NULL;
    hd_status st = HD_OK;
    rt_decoded d;
    rt_pic p;
    int k;

    o.write_fn = budget_write;
    o.write_ctx = &b;
    o.crf = 10; /* big frames */
    rt_pic_init(&p, 320, 240);
    CHECK(hd_recorder_open(path, &o, &r) == HD_OK);
    if (!r)
        return;
    for (k = 0; k < 3000; k++) {
        rt_pic_fill(&p, k, 1);
        hd_frame f = rt_frame(&p, (int64_t)k * 33333, k);
        st = put(r, &f);
        if (st != HD_OK)
            break;
    }
    CHECK(st == HD_ERR_IO);
    CHECK(strstr(hd_last_error(), "disk full") != NULL);
    hd_recorder_get_stats(r, &mid);
    CHECK(mid.state == HD_REC_DISK_FULL);
    CHECK(strstr(mid.message, "recording stopped: disk full") != NULL);
    CHECK(mid.frames_flushed >= 30);
    CHECK(hd_recorder_close(r, &s) == HD_ERR_IO);
    CHECK(s.state == HD_REC_DISK_FULL);
    CHECK(b.calls_after <= 2); /* it stopped trying */
    CHECK(rt_decode(path, 33333, 0, &d) == HD_OK);
    fprintf(stderr, "  injected ENOSPC after %lld bytes: %lld flushed, %lld written, "
            "%d decoded\n", (long long)s.bytes, (long long)s.frames_flushed,
            (long long)s.frames_written, d.frames);
    CHECK(d.frames >= s.frames_flushed);
    CHECK(d.frames <= s.frames_written);
    CHECK(d.pts_errors == 0);
    rt_pic_free(&p);
}

/* ---- measuring ------------------------------------------------------------------------ */

static int bench(int w, int h, double fps, double seconds, const char *codec)
{
    hd_recorder_opts o = base_opts(w, h);
    hd_recorder_stats s;
    hd_recorder *r = NULL;
    int n = (int)(seconds * fps);
    rt_pic p;
    struct timespec t0, t;

    o.fps = fps;
    o.codec = codec;
    rt_pic_init(&p, w, h);
    if (hd_recorder_open(tpath("bench.mkv"), &o, &r) != HD_OK) {
        fprintf(stderr, "%s\n", hd_last_error());
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int k = 0; k < n; k++) {
        /* camera-like: the bar moves, light noise on top */
        rt_pic_fill(&p, k, 1);
        hd_frame f = rt_frame(&p, (int64_t)(k * 1e6 / fps), k);
        hd_recorder_write(r, &f);
        t = t0;
        long long ns = t.tv_nsec + (long long)((k + 1) * 1e9 / fps);
        t.tv_sec += ns / 1000000000;
        t.tv_nsec = ns % 1000000000;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
    }
    hd_recorder_close(r, &s);
    printf("%dx%d %.0f fps %s, %.0f s: encoder thread %.2f s CPU = %.1f%% of one core; "
           "%lld written, %lld dropped, %.2f MB/min\n", w, h, fps, codec ? codec : "h264",
           seconds, s.encode_cpu_s, 100 * s.encode_cpu_s / seconds,
           (long long)s.frames_written, (long long)s.frames_dropped,
           s.bytes / 1e6 / (seconds / 60));
    rt_pic_free(&p);
    return 0;
}

/* Records a video file's frames (decoded as YUV420P) at their own pace: camera-like
 * content, so that the encoder's cost is what a session would see. */
/* A rough BT.601 conversion (the bench only needs plausible RGB pictures). */
static void yuv_to_rgb(const hd_frame *f, uint8_t *out)
{
    for (int y = 0; y < f->height; y++) {
        const uint8_t *py = f->plane[0] + (size_t)y * f->stride[0];
        const uint8_t *pu = f->plane[1] + (size_t)(y / 2) * f->stride[1];
        const uint8_t *pv = f->plane[2] + (size_t)(y / 2) * f->stride[2];
        uint8_t *o = out + (size_t)y * f->width * 3;
        for (int x = 0; x < f->width; x++) {
            int c = py[x] - 16, d = pu[x / 2] - 128, e = pv[x / 2] - 128;
            int r = (298 * c + 409 * e + 128) >> 8, g = (298 * c - 100 * d - 208 * e + 128) >> 8;
            int b = (298 * c + 516 * d + 128) >> 8;
            o[3 * x] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
            o[3 * x + 1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
            o[3 * x + 2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
        }
    }
}

static int bench_file(const char *video, const char *codec, int rgb)
{
    uint8_t *rgbbuf = NULL;
    hd_source *src = NULL;
    hd_recorder *r = NULL;
    hd_recorder_stats s;
    hd_recorder_opts o;
    struct timespec t0, t;
    hd_frame f;
    double secs = 0;

    if (hd_source_open(&hd_source_file_ops, video, NULL, &src) != HD_OK) {
        fprintf(stderr, "%s\n", hd_last_error());
        return 1;
    }
    o = base_opts(src->info.width, src->info.height);
    o.fps = src->info.fps > 0 ? src->info.fps : 30;
    o.codec = codec;
    if (rgb) {
        /* the overlay's RGB24 pictures: converted on the encoder thread */
        o.format = HD_PIX_BGR24;
        o.rgb_order = 1;
        rgbbuf = malloc((size_t)o.width * o.height * 3);
    }
    if (hd_recorder_open(tpath("bench.mkv"), &o, &r) != HD_OK) {
        fprintf(stderr, "%s\n", hd_last_error());
        hd_source_close(src);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (hd_source_acquire(src, &f) == HD_OK) {
        long long ns;
        t = t0;
        ns = t.tv_nsec + f.pts_us * 1000LL;
        t.tv_sec += ns / 1000000000;
        t.tv_nsec = ns % 1000000000;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
        if (rgbbuf) {
            hd_frame g = f;
            yuv_to_rgb(&f, rgbbuf);
            g.plane[0] = rgbbuf;
            g.plane[1] = g.plane[2] = NULL;
            g.stride[0] = f.width * 3;
            g.format = HD_PIX_BGR24;
            hd_recorder_write(r, &g);
        } else {
            hd_recorder_write(r, &f);
        }
        secs = f.pts_us / 1e6;
        hd_source_release(src, &f);
    }
    hd_source_close(src);
    hd_recorder_close(r, &s);
    free(rgbbuf);
    printf("%s %dx%d %.0f fps %s%s, %.1f s: encoder thread %.2f s CPU = %.1f%% of one core; "
           "%lld written, %lld dropped, %.1f MB/min\n", video, o.width, o.height, o.fps,
           codec ? codec : "h264", rgb ? " from RGB24" : "", secs, s.encode_cpu_s,
           100 * s.encode_cpu_s / secs,
           (long long)s.frames_written, (long long)s.frames_dropped,
           s.bytes / 1e6 / (secs / 60));
    return 0;
}

int main(int argc, char **argv)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/hd_rec_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    if (argc >= 3 && strcmp(argv[1], "--bench-file") == 0) {
        const char *codec = argc > 3 && strcmp(argv[3], "rgb") != 0 ? argv[3] : NULL;
        int rgb = (argc > 3 && strcmp(argv[3], "rgb") == 0) ||
                  (argc > 4 && strcmp(argv[4], "rgb") == 0);
        int rc = bench_file(argv[2], codec, rgb);
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        return system(cmd) == 0 ? rc : 1;
    }
    if (argc >= 6 && strcmp(argv[1], "--bench") == 0) {
        int rc = bench(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), atof(argv[5]),
                       argc > 6 ? argv[6] : NULL);
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        return system(cmd) == 0 ? rc : 1;
    }
    RUN(test_roundtrip);
    RUN(test_colour_order);
    RUN(test_refuses_existing_and_bad_args);
    RUN(test_drops_when_full);
    RUN(test_slow_disk);
    RUN(test_disk_full_injected);
    if (!hd_test_failures) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            return 1;
    } else {
        fprintf(stderr, "files kept in %s\n", tmpdir);
    }
    return TEST_EXIT();
}
