/* test_source_file.c - the "file" frame source on real files made by the video writer:
 * stream information, pixel formats (zero-copy 4:2:0, converted, grey, rotated), files
 * without timestamps, realtime pacing, and every way a file can be wrong: missing, a
 * folder, unreadable, not a video, empty, truncated, damaged in the middle, undecodable.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libavformat/avformat.h>

#include "fakes/clips.h"
#include "test.h"

/* ---- helpers (the clip maker is in tests/fakes/clips.c) ------------------------------ */

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Opening must fail with want, *out NULL, and a message holding path and what. */
static void expect_open_fail(const char *path, hd_status want, const char *what)
{
    hd_source *src = (hd_source *)&want; /* must be overwritten with NULL */
    hd_status st = hd_source_open(&hd_source_file_ops, path, NULL, &src);
    CHECK(st == want);
    CHECK(src == NULL);
    CHECK(strstr(hd_last_error(), path) != NULL);
    CHECK(strstr(hd_last_error(), what) != NULL);
    if (st != want || !strstr(hd_last_error(), what))
        fprintf(stderr, "  %s: got %d \"%s\"\n", path, st, hd_last_error());
}

/* Packets of the video stream whose bytes all lie before cut: the frames a truncated
 * copy can still decode. */
static int packets_before(const char *path, int64_t cut, int margin)
{
    AVFormatContext *fc = NULL;
    AVPacket *pkt = av_packet_alloc();
    int n = 0;
    if (avformat_open_input(&fc, path, NULL, NULL) == 0) {
        avformat_find_stream_info(fc, NULL);
        while (av_read_frame(fc, pkt) >= 0) {
            if (pkt->pos >= 0 && pkt->pos + pkt->size + margin <= cut)
                n++;
            av_packet_unref(pkt);
        }
        avformat_close_input(&fc);
    }
    av_packet_free(&pkt);
    return n;
}

static void expected_square(const clip_spec *c, int i, double *ex, double *ey)
{
    int sx, sy;
    square_at(i, c->w, c->h, &sx, &sy);
    *ex = sx + (SQ - 1) / 2.0;
    *ey = sy + (SQ - 1) / 2.0;
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_info_and_frames(void)
{
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 30, .fps = 30};
    clip_read *g = calloc(1, sizeof(*g));

    CHECK(write_clip(tpath("a.mp4"), &c) == HD_OK);
    CHECK(read_clip(tpath("a.mp4"), HD_PIX_NONE, g) == HD_OK);
    CHECK(g->info.width == 320 && g->info.height == 240);
    CHECK_NEAR(g->info.fps, 30, 0.01);
    CHECK(g->info.frames == 30);
    CHECK_NEAR(g->info.duration_s, 1.0, 0.05);
    CHECK(g->info.rotation_deg == 0);
    CHECK(strcmp(g->info.codec, "h264") == 0);
    CHECK(g->n == 30);
    CHECK(g->end == HD_EOF);
    CHECK(g->fmt == HD_PIX_YUV420P);
    for (int i = 0; i < g->n && i < 30; i++) {
        double ex, ey;
        expected_square(&c, i, &ex, &ey);
        CHECK(g->seq[i] == i);
        CHECK_NEAR((double)g->pts[i], i * 1e6 / 30, 1000);
        CHECK_NEAR(g->cx[i], ex, 2);
        CHECK_NEAR(g->cy[i], ey, 2);
        CHECK_NEAR(g->u[i], 110, 15);
        CHECK_NEAR(g->v[i], 160, 15);
    }
    dir_clear(tmpdir);
    free(g);
}

static void test_gray8(void)
{
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 8, .fps = 30};
    hd_source_opts so = {.want_format = HD_PIX_GRAY8};
    hd_source *src = NULL;
    hd_frame f;

    CHECK(write_clip(tpath("g.mp4"), &c) == HD_OK);
    CHECK(hd_source_open(&hd_source_file_ops, tpath("g.mp4"), &so, &src) == HD_OK);
    for (int i = 0; src && hd_source_acquire(src, &f) == HD_OK; i++) {
        double cx, cy, ex, ey;
        int u, v;
        CHECK(f.format == HD_PIX_GRAY8);
        CHECK(f.plane[0] != NULL && f.plane[1] == NULL && f.plane[2] == NULL);
        CHECK(f.width == 320 && f.height == 240 && f.stride[0] >= 320);
        measure(&f, &cx, &cy, &u, &v);
        expected_square(&c, i, &ex, &ey);
        CHECK_NEAR(cx, ex, 2);
        CHECK_NEAR(cy, ey, 2);
        hd_source_release(src, &f);
        CHECK(f.plane[0] == NULL); /* release clears the borrowed frame */
    }
    hd_source_close(src);

    /* grey and rotated: only the luma plane is turned */
    c.rotation = 90;
    CHECK(write_clip(tpath("g90.mp4"), &c) == HD_OK);
    src = NULL;
    CHECK(hd_source_open(&hd_source_file_ops, tpath("g90.mp4"), &so, &src) == HD_OK);
    if (src && hd_source_acquire(src, &f) == HD_OK) {
        double cx, cy, ex, ey;
        int u, v;
        CHECK(f.format == HD_PIX_GRAY8 && f.width == 240 && f.height == 320);
        measure(&f, &cx, &cy, &u, &v);
        expected_square(&c, 0, &ex, &ey);
        CHECK_NEAR(cx, 240 - 1 - ey, 2);
        CHECK_NEAR(cy, ex, 2);
        hd_source_release(src, &f);
    }
    hd_source_close(src);
    dir_clear(tmpdir);
}

/* PNG frames decode to RGB: the swscale path, plain and rotated. */
static void test_converted_formats(void)
{
    clip_spec c = {.codec = "png", .w = 320, .h = 240, .n = 6, .fps = 30};
    clip_read *g = calloc(1, sizeof(*g));
    hd_status st;

    st = write_clip(tpath("p.mkv"), &c);
    CHECK(st == HD_OK);
    if (st != HD_OK)
        fprintf(stderr, "  png: %s\n", hd_last_error());
    CHECK(read_clip(tpath("p.mkv"), HD_PIX_YUV420P, g) == HD_OK);
    CHECK(strcmp(g->info.codec, "png") == 0);
    CHECK(g->n == 6 && g->end == HD_EOF && g->fmt == HD_PIX_YUV420P);
    for (int i = 0; i < g->n && i < 6; i++) {
        double ex, ey;
        expected_square(&c, i, &ex, &ey);
        CHECK_NEAR(g->cx[i], ex, 1.5);
        CHECK_NEAR(g->cy[i], ey, 1.5);
        CHECK_NEAR(g->u[i], 110, 15);
        CHECK_NEAR(g->v[i], 160, 15);
    }
    CHECK(read_clip(tpath("p.mkv"), HD_PIX_GRAY8, g) == HD_OK);
    CHECK(g->n == 6 && g->fmt == HD_PIX_GRAY8);
    CHECK_NEAR(g->cx[5], 8 + 30 + 15.5, 1.5);

    c.rotation = 270;
    CHECK(write_clip(tpath("p270.mov"), &c) == HD_OK);
    CHECK(read_clip(tpath("p270.mov"), HD_PIX_YUV420P, g) == HD_OK);
    CHECK(g->info.rotation_deg == 270 && g->w == 240 && g->h == 320);
    CHECK(g->n == 6);
    for (int i = 0; i < g->n && i < 6; i++) {
        double ex, ey;
        expected_square(&c, i, &ex, &ey);
        CHECK_NEAR(g->cx[i], ey, 1.5);
        CHECK_NEAR(g->cy[i], 320 - 1 - ex, 1.5);
        CHECK_NEAR(g->u[i], 110, 15);
        CHECK_NEAR(g->v[i], 160, 15);
    }
    dir_clear(tmpdir);
    free(g);
}

/* Raw elementary streams carry no timestamps: time must still move forward evenly. */
static void test_no_timestamps(void)
{
    static const struct {
        const char *name, *codec, *container;
    } raw[] = {{"r.h264", "h264", "h264"}, {"r.mjpeg", "mjpeg", "mjpeg"}};
    clip_spec c = {.w = 320, .h = 240, .n = 20, .fps = 25};
    clip_read *g = calloc(1, sizeof(*g));

    for (size_t k = 0; k < sizeof(raw) / sizeof(raw[0]); k++) {
        c.codec = raw[k].codec;
        c.container = raw[k].container;
        CHECK(write_clip(tpath(raw[k].name), &c) == HD_OK);
        CHECK(read_clip(tpath(raw[k].name), HD_PIX_YUV420P, g) == HD_OK);
        CHECK(g->n == 20);
        CHECK(g->end == HD_EOF);
        CHECK(g->pts[0] == 0);
        for (int i = 1; i < g->n && i < 20; i++) {
            double ex, ey;
            CHECK(g->pts[i] > g->pts[i - 1]);
            CHECK(g->pts[i] - g->pts[i - 1] >= 10000 && g->pts[i] - g->pts[i - 1] <= 100000);
            expected_square(&c, i, &ex, &ey);
            CHECK_NEAR(g->cx[i], ex, 2);
        }
    }
    dir_clear(tmpdir);
    free(g);
}

static void test_missing_and_directory(void)
{
    char sub[1024];
    expect_open_fail(tpath("nothing-here.mp4"), HD_ERR_NOTFOUND, "video not found");
    write_text(tpath("plain"), "x");
    expect_open_fail(tpath("plain/inside.mp4"), HD_ERR_NOTFOUND, "video not found");
    snprintf(sub, sizeof(sub), "%s/folder.mp4", tmpdir);
    mkdir(sub, 0755);
    {
        hd_source *src = NULL;
        hd_status st = hd_source_open(&hd_source_file_ops, sub, NULL, &src);
        CHECK(st == HD_ERR_FORMAT || st == HD_ERR_IO);
        CHECK(src == NULL);
        CHECK(strstr(hd_last_error(), "is a directory") != NULL);
    }
    dir_clear(tmpdir);
}

static void test_not_a_video(void)
{
    static const unsigned char wav_head[44] = {
        'R', 'I', 'F', 'F', 0x64, 0x1f, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',
        16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0,
        'd', 'a', 't', 'a', 0x40, 0x1f, 0, 0};
    unsigned char junk[8000];
    FILE *f;

    write_text(tpath("notes.txt"), "Heel drops: 3 x 15, slow lowering.\nNo video here.\n");
    expect_open_fail(tpath("notes.txt"), HD_ERR_FORMAT, "is not a video file");
    write_text(tpath("fake.mp4"), "this is text pretending to be an mp4 file\n");
    expect_open_fail(tpath("fake.mp4"), HD_ERR_FORMAT, "is not a video file");
    write_text(tpath("zero.mp4"), "");
    expect_open_fail(tpath("zero.mp4"), HD_ERR_FORMAT, "not a video file");

    /* audio only: a real media file, still no video stream */
    memset(junk, 0, sizeof(junk));
    f = fopen(tpath("tone.wav"), "wb");
    fwrite(wav_head, 1, sizeof(wav_head), f);
    fwrite(junk, 1, sizeof(junk), f);
    fclose(f);
    expect_open_fail(tpath("tone.wav"), HD_ERR_FORMAT, "no video stream");

    /* random bytes */
    srand(7);
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char)rand();
    f = fopen(tpath("noise.mkv"), "wb");
    fwrite(junk, 1, sizeof(junk), f);
    fclose(f);
    expect_open_fail(tpath("noise.mkv"), HD_ERR_FORMAT, "not a video file");
    dir_clear(tmpdir);
}

static void permission_check(const char *path)
{
    expect_open_fail(path, HD_ERR_IO, "Permission denied");
    CHECK(strstr(hd_last_error(), "cannot read") != NULL);
}

static void test_permission_denied(void)
{
    clip_spec c = {.codec = "mjpeg", .w = 64, .h = 48, .n = 2, .fps = 30};
    const char *path = tpath("locked.avi");
    pid_t pid;
    int status = 0;

    CHECK(write_clip(path, &c) == HD_OK);
    CHECK(chmod(path, 0) == 0);
    if (geteuid() != 0) {
        permission_check(path);
        goto done;
    }
    /* root reads a 0000 file anyway: check as an ordinary user in a child process */
    chmod(tmpdir, 0755);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(77);
        permission_check(path);
        _exit(hd_test_failures ? 1 : 0);
    }
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        fprintf(stderr, "  (permission check skipped: cannot drop root here)\n");
    else
        CHECK(WEXITSTATUS(status) == 0);
    chmod(tmpdir, 0700);
done:
    dir_clear(tmpdir);
}

/* Reads everything; returns frames delivered, and checks the stream ends cleanly. */
static int read_damaged(const char *path, const clip_spec *c, int good, hd_status *end)
{
    hd_source *src = NULL;
    hd_frame f;
    int n = 0, calls = 0;
    int64_t last = -1;
    hd_status st = hd_source_open(&hd_source_file_ops, path, NULL, &src);

    *end = st;
    if (st != HD_OK)
        return 0;
    while (calls++ < 1000 && (st = hd_source_acquire(src, &f)) == HD_OK) {
        CHECK(f.seq == n);
        CHECK(f.pts_us > last);
        last = f.pts_us;
        if (n < good - 4) { /* the last few in display order may be gone with the cut */
            double cx, cy, ex, ey;
            int u, v;
            measure(&f, &cx, &cy, &u, &v);
            expected_square(c, n, &ex, &ey);
            CHECK_NEAR(cx, ex, 3);
            CHECK_NEAR(cy, ey, 3);
        }
        n++;
        hd_source_release(src, &f);
    }
    *end = st;
    CHECK(calls < 1000);
    CHECK(st == HD_EOF || st == HD_ERR_FORMAT);
    if (st == HD_ERR_FORMAT)
        CHECK(strstr(hd_last_error(), path) != NULL);
    CHECK(hd_source_acquire(src, &f) == st);
    hd_source_close(src);
    return n;
}

static void test_truncated(void)
{
    static const char *const names[] = {"t.mp4", "t.mkv", "t.avi"};
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 60, .fps = 30, .noise = 12};

    for (size_t k = 0; k < 3; k++) {
        const char *path = tpath(names[k]);
        long size, cut;
        int good, n;
        hd_status end;

        c.codec = k == 2 ? "mpeg4" : "h264";
        CHECK(write_clip(path, &c) == HD_OK);
        size = file_size(path);
        cut = size * 4 / 10;
        good = packets_before(path, cut, 16);
        CHECK(truncate(path, cut) == 0);
        n = read_damaged(path, &c, good, &end);
        CHECK(good >= 15);
        CHECK(n >= good);    /* every complete frame before the cut arrives */
        CHECK(n <= good + 2); /* and nothing made up after it */
        if (getenv("HD_TEST_VERBOSE") || n < good || n > good + 2)
            fprintf(stderr, "  %s: %d frames, %d complete before the cut, end %d\n",
                    names[k], n, good, end);
    }
    dir_clear(tmpdir);
}

static void test_corrupt_middle(void)
{
    static const char *const names[] = {"c.mp4", "c.mkv"};
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 60, .fps = 30, .noise = 12};

    for (size_t k = 0; k < 2; k++) {
        const char *path = tpath(names[k]);
        long size = 0, from;
        int good, n;
        hd_status end;
        FILE *f;

        CHECK(write_clip(path, &c) == HD_OK);
        size = file_size(path);
        from = size * 45 / 100;
        good = packets_before(path, from, 16);
        f = fopen(path, "r+b");
        if (!f)
            continue;
        fseek(f, from, SEEK_SET);
        srand(11);
        for (long i = from; i < size * 55 / 100; i++)
            fputc(rand() & 0xff, f);
        fclose(f);
        n = read_damaged(path, &c, good, &end);
        CHECK(n >= good);
        CHECK(n <= 60);
        if (getenv("HD_TEST_VERBOSE"))
            fprintf(stderr, "  %s: %d frames, %d before the damage, end %d\n", names[k], n,
                    good, end);
    }
    dir_clear(tmpdir);
}

static long find_tag(const unsigned char *buf, long size, const char *tag)
{
    for (long i = 0; i + 4 <= size; i++) {
        if (memcmp(buf + i, tag, 4) == 0)
            return i;
    }
    return -1;
}

static unsigned char *slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    *size = file_size(path);
    if (!f || *size <= 0) {
        if (f)
            fclose(f);
        return NULL;
    }
    buf = malloc((size_t)*size);
    if (fread(buf, 1, (size_t)*size, f) != (size_t)*size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static void spit(const char *path, const unsigned char *buf, long size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(buf, 1, (size_t)size, f);
    fclose(f);
}

/* A container that opens but whose pictures are all zeros: the first acquire says so. */
static void test_no_decodable_frames(void)
{
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = 10, .fps = 30};
    const char *path = tpath("z.mp4");
    hd_source *src = NULL;
    unsigned char *buf;
    long size, mdat;
    hd_frame f;

    CHECK(write_clip(path, &c) == HD_OK);
    buf = slurp(path, &size);
    CHECK(buf != NULL);
    if (!buf)
        return;
    mdat = find_tag(buf, size, "mdat");
    CHECK(mdat > 0);
    if (mdat > 0)
        memset(buf + mdat + 4, 0, (size_t)(size - mdat - 4));
    spit(path, buf, size);
    CHECK(hd_source_open(&hd_source_file_ops, path, NULL, &src) == HD_OK);
    if (src) {
        CHECK(hd_source_acquire(src, &f) == HD_ERR_FORMAT);
        CHECK(strstr(hd_last_error(), "no video frames could be decoded") != NULL);
        CHECK(strstr(hd_last_error(), path) != NULL);
        CHECK(hd_source_acquire(src, &f) == HD_ERR_FORMAT);
        hd_source_close(src);
    }

    /* a phone recording cut before its index was written: no moov box at all */
    CHECK(write_clip(path, &c) == HD_OK);
    free(buf);
    buf = slurp(path, &size);
    if (buf) {
        /* drop the whole box (libavformat finds a moov merely renamed to "free") */
        long moov = find_tag(buf, size, "moov") - 4;
        CHECK(moov > 0);
        if (moov > 0) {
            long len = (long)buf[moov] << 24 | buf[moov + 1] << 16 | buf[moov + 2] << 8 |
                       buf[moov + 3];
            CHECK(len > 8 && moov + len <= size);
            if (len > 8 && moov + len <= size) {
                memmove(buf + moov, buf + moov + len, (size_t)(size - moov - len));
                size -= len;
            }
        }
        spit(path, buf, size);
        expect_open_fail(path, HD_ERR_FORMAT, "damaged or truncated");
    }
    free(buf);
    dir_clear(tmpdir);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Realtime pacing keeps the file's own timing, including a long gap (HD_AGAIN). */
static void test_realtime(void)
{
    int64_t pts[6] = {0, 40000, 80000, 400000, 440000, 480000};
    clip_spec c = {.codec = "h264", .w = 64, .h = 48, .n = 6, .fps = 25, .pts = pts};
    hd_source_opts so = {.realtime = 1};
    hd_source *src = NULL;
    hd_frame f;
    hd_status st;
    int n = 0, again = 0;
    double t0;

    CHECK(write_clip(tpath("rt.mkv"), &c) == HD_OK);
    CHECK(hd_source_open(&hd_source_file_ops, tpath("rt.mkv"), &so, &src) == HD_OK);
    t0 = now_s();
    while (src && (st = hd_source_acquire(src, &f)) != HD_EOF && st >= 0) {
        if (st == HD_AGAIN) {
            again++;
            continue;
        }
        /* never early; late only by scheduling noise (loose for busy test machines) */
        CHECK(now_s() - t0 >= f.pts_us / 1e6 - 0.005);
        CHECK(now_s() - t0 <= f.pts_us / 1e6 + 0.15);
        n = (int)f.seq + 1; /* a frame late by more than a period on a busy machine is dropped */
        hd_source_release(src, &f);
    }
    CHECK(n == 6);
    CHECK(again >= 1);
    hd_source_close(src);
    dir_clear(tmpdir);
}

/* Realtime, a consumer that falls behind: frames whose time has passed by more than a frame
 * period are dropped (seq skips them), so what arrives is never more than a period late. */
static void test_realtime_drops_late(void)
{
    clip_spec c = {.codec = "h264", .w = 64, .h = 48, .n = 20, .fps = 25};
    hd_source_opts so = {.realtime = 1};
    hd_source *src = NULL;
    hd_frame f;
    hd_status st;
    int got = 0;
    int64_t last_seq = -1, gaps = 0;
    double t0 = 0;

    CHECK(write_clip(tpath("rtlate.mkv"), &c) == HD_OK);
    CHECK(hd_source_open(&hd_source_file_ops, tpath("rtlate.mkv"), &so, &src) == HD_OK);
    while (src && (st = hd_source_acquire(src, &f)) != HD_EOF && st >= 0) {
        if (st == HD_AGAIN)
            continue;
        if (got == 0)
            t0 = now_s();
        else
            CHECK(now_s() - t0 <= f.pts_us / 1e6 + 0.040 + 0.02); /* a period + noise */
        gaps += f.seq - last_seq - 1;
        last_seq = f.seq;
        got++;
        hd_source_release(src, &f);
        if (got == 2)
            usleep(200000); /* five frame periods behind */
    }
    CHECK(gaps >= 3);
    CHECK(got + gaps == 20);
    hd_source_close(src);
    dir_clear(tmpdir);
}

/* A caller that forgets release, and closes with a frame out, leaks nothing (valgrind). */
static void test_careless_caller(void)
{
    clip_spec c = {.codec = "h264", .w = 64, .h = 48, .n = 5, .fps = 30};
    hd_source *src = NULL;
    hd_frame f;
    hd_source_opts bad = {.want_format = HD_PIX_BGR24};

    CHECK(write_clip(tpath("cc.mp4"), &c) == HD_OK);
    CHECK(hd_source_open(&hd_source_file_ops, tpath("cc.mp4"), NULL, &src) == HD_OK);
    CHECK(src && hd_source_acquire(src, &f) == HD_OK);
    CHECK(src && hd_source_acquire(src, &f) == HD_OK);
    CHECK(f.seq == 1);
    hd_source_close(src);

    src = (hd_source *)&c;
    CHECK(hd_source_open(&hd_source_file_ops, tpath("cc.mp4"), &bad, &src) == HD_ERR_INVALID);
    CHECK(src == NULL);
    CHECK(hd_source_open(&hd_source_file_ops, NULL, NULL, &src) == HD_ERR_INVALID);
    CHECK(hd_source_open(NULL, tpath("cc.mp4"), NULL, &src) == HD_ERR_INVALID);
    CHECK(hd_source_open(&hd_source_file_ops, tpath("cc.mp4"), NULL, NULL) == HD_ERR_INVALID);
    CHECK(hd_source_get_info(NULL) == NULL);
    hd_source_close(NULL);
    dir_clear(tmpdir);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/hd_test_src_XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_info_and_frames);
    RUN(test_gray8);
    RUN(test_converted_formats);
    RUN(test_no_timestamps);
    RUN(test_missing_and_directory);
    RUN(test_not_a_video);
    RUN(test_permission_denied);
    RUN(test_truncated);
    RUN(test_corrupt_middle);
    RUN(test_no_decodable_frames);
    RUN(test_realtime);
    RUN(test_realtime_drops_late);
    RUN(test_careless_caller);
    dir_clear(tmpdir);
    rmdir(tmpdir);
    return TEST_EXIT();
}
