/* test_video_writer.c - the video writer, checked by reading its files back with the file
 * source: frame count, size, timestamps (constant and variable rate), where a moving
 * square ends up (also after a stored rotation), and that failures leave no file behind.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakes/clips.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------------- */

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Where the square's centre of frame i should be once the reader turned it upright. */
static void expected_centre(const clip_spec *c, int i, double *ex, double *ey)
{
    int sx, sy;
    double x, y;
    square_at(i, c->w, c->h, &sx, &sy);
    x = sx + (SQ - 1) / 2.0;
    y = sy + (SQ - 1) / 2.0;
    switch (c->rotation) {
    case 90: *ex = c->h - 1 - y; *ey = x; break;
    case 180: *ex = c->w - 1 - x; *ey = c->h - 1 - y; break;
    case 270: *ex = y; *ey = c->w - 1 - x; break;
    default: *ex = x; *ey = y; break;
    }
}

/* Writes a clip, reads it back and compares everything that should survive. */
static void roundtrip(const char *name, const clip_spec *c, int check_chroma)
{
    const char *path = tpath(name);
    clip_read *g = calloc(1, sizeof(*g));
    int before = hd_test_failures;
    int rw = c->rotation % 180 ? c->h : c->w;
    int rh = c->rotation % 180 ? c->w : c->h;
    hd_status st;

    st = write_clip(path, c);
    CHECK(st == HD_OK);
    if (st != HD_OK) {
        fprintf(stderr, "  write %s: %s\n", name, hd_last_error());
        goto done;
    }
    CHECK(dir_entries(tmpdir) == 1); /* no temporary file left next to it */
    st = read_clip(path, HD_PIX_YUV420P, g);
    CHECK(st == HD_OK);
    if (st != HD_OK) {
        fprintf(stderr, "  read %s: %s\n", name, hd_last_error());
        goto done;
    }
    CHECK(g->end == HD_EOF);
    CHECK(g->n == c->n);
    CHECK(g->w == rw && g->h == rh);
    CHECK(g->info.width == rw && g->info.height == rh);
    CHECK(g->info.rotation_deg == c->rotation);
    CHECK(g->fmt == HD_PIX_YUV420P);
    if (!c->pts) {
        CHECK_NEAR(g->info.fps, c->fps, 0.5);
        CHECK(g->info.frames >= c->n - 1 && g->info.frames <= c->n + 1);
        CHECK_NEAR(g->info.duration_s, c->n / c->fps, 0.1);
    }
    for (int i = 0; i < g->n && i < c->n; i++) {
        int64_t want = c->pts ? c->pts[i] - c->pts[0] : (int64_t)llround(i * 1e6 / c->fps);
        double ex, ey;
        expected_centre(c, i, &ex, &ey);
        CHECK(g->seq[i] == i);
        CHECK_NEAR((double)g->pts[i], (double)want, 1000);
        CHECK_NEAR(g->cx[i], ex, 2.0);
        CHECK_NEAR(g->cy[i], ey, 2.0);
        if (check_chroma) {
            CHECK_NEAR(g->u[i], 110, 15);
            CHECK_NEAR(g->v[i], 160, 15);
        }
        if (hd_test_failures - before > 10)
            break; /* one broken clip should not bury the log */
    }
done:
    if (hd_test_failures != before)
        fprintf(stderr, "  (in %s: %d frames read, codec %s)\n", name, g->n, g->info.codec);
    dir_clear(tmpdir);
    free(g);
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_h264_mp4(void)
{
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 30, .fps = 30};
    roundtrip("a.mp4", &c, 1);
}

static void test_mpeg4_avi(void)
{
    clip_spec c = {.codec = "mpeg4", .w = 320, .h = 240, .n = 30, .fps = 30};
    roundtrip("a.avi", &c, 1);
}

static void test_vp9_webm(void)
{
    clip_spec c = {.codec = "vp9", .w = 320, .h = 240, .n = 20, .fps = 30};
    roundtrip("a.webm", &c, 1);
}

static void test_mjpeg_mkv(void)
{
    clip_spec c = {.codec = "mjpeg", .w = 320, .h = 240, .n = 20, .fps = 25};
    roundtrip("a.mkv", &c, 1);
}

static void test_mpeg4_mov_60fps(void)
{
    clip_spec c = {.codec = "mpeg4", .w = 480, .h = 270, .n = 30, .fps = 60};
    roundtrip("a.mov", &c, 1);
}

static void test_bgr_input(void)
{
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 10, .fps = 30,
                   .fmt = HD_PIX_BGR24};
    roundtrip("bgr.mp4", &c, 0);
}

/* uneven gaps, as a phone camera under load produces; not starting at 0 */
static void vfr_times(int64_t *pts, int n)
{
    static const int64_t gaps[] = {33333, 16667, 66667, 33333, 100000, 16667, 41708, 25000};
    pts[0] = 5000000;
    for (int i = 1; i < n; i++)
        pts[i] = pts[i - 1] + gaps[i % 8];
}

static void test_vfr(void)
{
    int64_t pts[40];
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 40, .fps = 30, .pts = pts};
    vfr_times(pts, 40);
    roundtrip("vfr.mp4", &c, 0);
    roundtrip("vfr.mkv", &c, 0);
    c.codec = "vp9";
    c.n = 20;
    roundtrip("vfr.webm", &c, 0);
    c.codec = "mpeg4";
    roundtrip("vfr.mov", &c, 0);
}

static void test_rotation(void)
{
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 12, .fps = 30, .rotation = 90};
    roundtrip("rot90.mp4", &c, 1);
    c.rotation = 180;
    roundtrip("rot180.mp4", &c, 1);
    c.rotation = 270;
    c.codec = "mpeg4";
    roundtrip("rot270.mov", &c, 1);
    c.rotation = -90; /* the same as 270 */
    c.codec = "h264";
    {
        hd_source *src = NULL;
        CHECK(write_clip(tpath("neg.mp4"), &c) == HD_OK);
        CHECK(hd_source_open(&hd_source_file_ops, tpath("neg.mp4"), NULL, &src) == HD_OK);
        if (src)
            CHECK(hd_source_get_info(src)->rotation_deg == 270);
        hd_source_close(src);
        dir_clear(tmpdir);
    }
}

static void test_missing_folder(void)
{
    clip_spec c = {.codec = "h264", .w = 64, .h = 48, .n = 3, .fps = 30};
    const char *path = tpath("nope/out.mp4");
    hd_video_writer_opts o = {.width = 64, .height = 48, .fps = 30};
    hd_video_writer *w = (hd_video_writer *)&o;

    CHECK(hd_video_writer_open(path, &o, &w) == HD_ERR_IO);
    CHECK(w == NULL);
    CHECK(strstr(hd_last_error(), path) != NULL);
    CHECK(write_clip(path, &c) == HD_ERR_IO);
    CHECK(access(tpath("nope"), F_OK) != 0);
    CHECK(dir_entries(tmpdir) == 0);

    /* a folder where the file should go */
    mkdir(tpath("taken.mp4"), 0755);
    CHECK(hd_video_writer_open(tpath("taken.mp4"), &o, &w) == HD_ERR_IO);
    CHECK(strstr(hd_last_error(), "directory") != NULL);
    CHECK(dir_entries(tmpdir) == 1);
    dir_clear(tmpdir);
}

static void test_bad_arguments(void)
{
    hd_video_writer_opts o = {.width = 64, .height = 48, .fps = 30};
    hd_video_writer *w = NULL;
    uint8_t y[64 * 48], uv[32 * 24];
    hd_frame f = {.plane = {y, uv, uv}, .stride = {64, 32, 32}, .width = 64, .height = 48,
                  .format = HD_PIX_YUV420P};

    memset(y, 100, sizeof(y));
    memset(uv, 128, sizeof(uv));
    CHECK(hd_video_writer_open(tpath("x.unknownext"), &o, &w) == HD_ERR_INVALID);
    CHECK(w == NULL);
    o.codec = "h264";
    CHECK(hd_video_writer_open(tpath("x.webm"), &o, &w) == HD_ERR_INVALID); /* no H.264 */
    o.codec = "no-such-codec";
    CHECK(hd_video_writer_open(tpath("x.mkv"), &o, &w) == HD_ERR_INVALID);
    o.codec = NULL;
    o.width = 63;
    CHECK(hd_video_writer_open(tpath("x.mp4"), &o, &w) == HD_ERR_INVALID); /* odd for x264 */
    o.width = 64;
    o.rotation_deg = 45;
    CHECK(hd_video_writer_open(tpath("x.mp4"), &o, &w) == HD_ERR_INVALID);
    o.rotation_deg = 0;
    CHECK(dir_entries(tmpdir) == 0);

    /* a rejected frame does not spoil the file */
    CHECK(hd_video_writer_open(tpath("x.mp4"), &o, &w) == HD_OK);
    CHECK(hd_video_writer_write(w, &f) == HD_OK);
    CHECK(hd_video_writer_write(w, &f) == HD_ERR_INVALID); /* same time again */
    f.pts_us = 40000;
    f.width = 32;
    CHECK(hd_video_writer_write(w, &f) == HD_ERR_INVALID); /* wrong size */
    f.width = 64;
    f.format = HD_PIX_GRAY8;
    CHECK(hd_video_writer_write(w, &f) == HD_ERR_INVALID);
    f.format = HD_PIX_YUV420P;
    CHECK(hd_video_writer_write(w, &f) == HD_OK);
    CHECK(hd_video_writer_close(w) == HD_OK);
    CHECK(dir_entries(tmpdir) == 1);
    CHECK(access(tpath("x.mp4"), R_OK) == 0);
    dir_clear(tmpdir);

    /* no frames: nothing is kept */
    CHECK(hd_video_writer_open(tpath("empty.mkv"), &o, &w) == HD_OK);
    CHECK(hd_video_writer_close(w) == HD_ERR_INVALID);
    CHECK(dir_entries(tmpdir) == 0);

    CHECK(hd_video_writer_close(NULL) == HD_ERR_INVALID);
    hd_video_writer_abort(NULL);
}

static void test_abort_removes(void)
{
    hd_video_writer_opts o = {.width = 64, .height = 48, .fps = 30, .codec = "mjpeg"};
    hd_video_writer *w = NULL;
    uint8_t y[64 * 48], uv[32 * 24];
    hd_frame f = {.plane = {y, uv, uv}, .stride = {64, 32, 32}, .width = 64, .height = 48,
                  .format = HD_PIX_YUV420P};

    memset(y, 100, sizeof(y));
    memset(uv, 128, sizeof(uv));
    /* an existing file is left alone until close() succeeds */
    FILE *old = fopen(tpath("keep.avi"), "w");
    fputs("old", old);
    fclose(old);
    CHECK(hd_video_writer_open(tpath("keep.avi"), &o, &w) == HD_OK);
    for (int i = 0; i < 5; i++) {
        f.pts_us = i * 33333;
        CHECK(hd_video_writer_write(w, &f) == HD_OK);
    }
    CHECK(dir_entries(tmpdir) == 2);
    hd_video_writer_abort(w);
    CHECK(dir_entries(tmpdir) == 1);
    {
        struct stat sb;
        CHECK(stat(tpath("keep.avi"), &sb) == 0 && sb.st_size == 3);
    }
    dir_clear(tmpdir);
}

/* A full disk, simulated with a file size limit: the error names the file and nothing
 * is left behind. */
static void test_full_disk(void)
{
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 40, .fps = 30, .noise = 30};
    struct rlimit old, lim;
    const char *path = tpath("full.mp4");
    hd_status st;

    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 64 * 1024;
    signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    st = write_clip(path, &c);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    CHECK(st == HD_ERR_IO);
    CHECK(strstr(hd_last_error(), path) != NULL);
    if (getenv("HD_TEST_VERBOSE") || st != HD_ERR_IO)
        fprintf(stderr, "  full disk gave %d: %s\n", st, hd_last_error());
    CHECK(dir_entries(tmpdir) == 0);
    dir_clear(tmpdir);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/hd_test_vw_XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_h264_mp4);
    RUN(test_mpeg4_avi);
    RUN(test_vp9_webm);
    RUN(test_mjpeg_mkv);
    RUN(test_mpeg4_mov_60fps);
    RUN(test_bgr_input);
    RUN(test_vfr);
    RUN(test_rotation);
    RUN(test_missing_folder);
    RUN(test_bad_arguments);
    RUN(test_abort_removes);
    RUN(test_full_disk);
    dir_clear(tmpdir);
    rmdir(tmpdir);
    return TEST_EXIT();
}
