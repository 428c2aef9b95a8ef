/* test_source_prefetch.c - the reader thread (source_prefetch.c) over real files: every
 * frame comes out in order with the same pixels, timestamps and end status as from the file
 * source itself, whether the ring keeps the decoder's buffers (4:2:0 and grey, no copy) or
 * copies them (a rotated file); a kept frame's pixels stay intact while the reader decodes
 * further frames; and closing with a frame out or the ring full loses nothing (ASan/LSan).
 */
#define _GNU_SOURCE

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/source_keep.h"
#include "fakes/clips.h"
#include "heeldrop/source_prefetch.h"
#include "test.h"

#define NF 60

typedef struct seen {
    int n;
    uint64_t sum[NF + 8]; /* FNV-1a over each plane's visible bytes */
    int64_t pts[NF + 8], seq[NF + 8];
    hd_status end;
} seen;

static uint64_t frame_hash(const hd_frame *f)
{
    uint64_t h = 1469598103934665603ull;
    int planes = f->format == HD_PIX_YUV420P ? 3 : 1;
    for (int p = 0; p < planes; p++) {
        int w = p ? (f->width + 1) / 2 : f->width;
        int ht = p ? (f->height + 1) / 2 : f->height;
        for (int y = 0; y < ht; y++) {
            const uint8_t *r = f->plane[p] + (size_t)y * f->stride[p];
            for (int x = 0; x < w; x++)
                h = (h ^ r[x]) * 1099511628211ull;
        }
    }
    return h;
}

static void nap_ms(int ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Reads the whole file, directly or through the prefetch wrapper; with slow_ms the
 * consumer sleeps while holding each of the first frames, so that the reader fills the
 * ring and the decoder reuses whatever buffers are free meanwhile. */
static void read_all(const char *path, hd_pixfmt want, int ahead, int slow_ms, seen *s)
{
    hd_source_opts so = {.want_format = want};
    hd_source *src = NULL, *pf = NULL;
    hd_frame f;

    memset(s, 0, sizeof(*s));
    s->end = hd_source_open(&hd_source_file_ops, path, &so, &src);
    CHECK(s->end == HD_OK);
    if (s->end != HD_OK)
        return;
    if (ahead) {
        CHECK(hd_source_prefetch(src, &pf) == HD_OK);
        if (!pf) {
            hd_source_close(src);
            return;
        }
        CHECK(hd_source_get_info(pf)->width == hd_source_get_info(src)->width);
        src = pf;
    }
    for (;;) {
        hd_status st = hd_source_acquire(src, &f);
        if (st != HD_OK) {
            s->end = st;
            break;
        }
        CHECK(f.format == want);
        CHECK(f.opaque == NULL || !ahead); /* the wrapper's frames carry no inner handle */
        if (s->n < NF + 8) {
            uint64_t before = frame_hash(&f);
            if (slow_ms && s->n < 12)
                nap_ms(slow_ms);
            CHECK(frame_hash(&f) == before); /* nothing wrote into a frame still out */
            s->sum[s->n] = before;
            s->pts[s->n] = f.pts_us;
            s->seq[s->n] = f.seq;
        }
        s->n++;
        hd_source_release(src, &f);
    }
    hd_source_close(src);
}

static void same_frames(const char *path, hd_pixfmt want)
{
    seen direct, ahead, slow;
    read_all(path, want, 0, 0, &direct);
    read_all(path, want, 1, 0, &ahead);
    read_all(path, want, 1, 15, &slow);
    CHECK(direct.n == NF && direct.end == HD_EOF);
    CHECK(ahead.n == direct.n && ahead.end == direct.end);
    CHECK(slow.n == direct.n && slow.end == direct.end);
    for (int i = 0; i < direct.n && i < ahead.n && i < slow.n && i < NF; i++) {
        CHECK(ahead.sum[i] == direct.sum[i] && slow.sum[i] == direct.sum[i]);
        CHECK(ahead.pts[i] == direct.pts[i] && slow.pts[i] == direct.pts[i]);
        CHECK(ahead.seq[i] == direct.seq[i] && slow.seq[i] == direct.seq[i]);
        if (ahead.sum[i] != direct.sum[i] || slow.sum[i] != direct.sum[i]) {
            fprintf(stderr, "  %s format %d: frame %d differs\n", path, want, i);
            break;
        }
    }
}

/* Grey from a 4:2:0 file: the ring keeps the decoder's luma buffers. */
static void test_gray_kept(void)
{
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = NF, .fps = 30, .noise = 6};
    CHECK(write_clip(tpath("k.mp4"), &c) == HD_OK);
    same_frames(tpath("k.mp4"), HD_PIX_GRAY8);
}

/* 4:2:0 with chroma: all three planes kept. */
static void test_yuv_kept(void)
{
    same_frames(tpath("k.mp4"), HD_PIX_YUV420P);
}

/* A rotated file: the source turns frames into its own buffer, which the next frame
 * overwrites, so the ring must copy them (and say so: keep refuses). */
static void test_rotated_copied(void)
{
    clip_spec c = {.codec = "h264", .w = 320, .h = 240, .n = NF, .fps = 30, .rotation = 90,
                   .noise = 6};
    hd_source_opts so = {.want_format = HD_PIX_GRAY8};
    hd_source *src = NULL;
    hd_frame f;
    hd_frame_keep k;

    CHECK(write_clip(tpath("r.mp4"), &c) == HD_OK);
    same_frames(tpath("r.mp4"), HD_PIX_GRAY8);
    CHECK(hd_source_open(&hd_source_file_ops, tpath("r.mp4"), &so, &src) == HD_OK);
    if (src && hd_source_acquire(src, &f) == HD_OK) {
        CHECK(f.width == 240 && f.height == 320);
        CHECK(hd_source_file_keep(src, &f, &k) == HD_ERR_INVALID);
        CHECK(k.ref[0] == NULL);
        hd_source_release(src, &f);
    }
    hd_source_close(src);
}

/* keep refuses what it cannot keep: a released frame, another source's frame. */
static void test_keep_contract(void)
{
    hd_source_opts so = {.want_format = HD_PIX_GRAY8};
    hd_source *src = NULL;
    hd_frame f, copy;
    hd_frame_keep k;

    CHECK(hd_source_open(&hd_source_file_ops, tpath("k.mp4"), &so, &src) == HD_OK);
    if (src && hd_source_acquire(src, &f) == HD_OK) {
        uint64_t h = frame_hash(&f);
        copy = f;
        CHECK(hd_source_file_keep(src, &f, &k) == HD_OK);
        CHECK(k.ref[0] != NULL && k.ref[1] == NULL);
        hd_source_release(src, &f);
        /* decode on: the kept bytes must not be reused */
        for (int i = 0; i < 10 && hd_source_acquire(src, &f) == HD_OK; i++)
            hd_source_release(src, &f);
        CHECK(frame_hash(&copy) == h);
        hd_source_file_unkeep(&k);
        CHECK(k.ref[0] == NULL);
        hd_source_file_unkeep(&k); /* twice is harmless */
        CHECK(hd_source_file_keep(src, &copy, &k) == HD_ERR_INVALID); /* not out any more */
    }
    hd_source_close(src);
    CHECK(hd_source_file_keep(NULL, &f, &k) == HD_ERR_INVALID);
}

/* Closing early: with a frame out, and with the ring full; the kept buffers outlive
 * nothing (LeakSanitizer in the ASan build). */
static void test_close_early(void)
{
    hd_source_opts so = {.want_format = HD_PIX_GRAY8};
    for (int mode = 0; mode < 2; mode++) {
        hd_source *src = NULL, *pf = NULL;
        hd_frame f;
        CHECK(hd_source_open(&hd_source_file_ops, tpath("k.mp4"), &so, &src) == HD_OK);
        if (!src)
            continue;
        CHECK(hd_source_prefetch(src, &pf) == HD_OK);
        if (!pf) {
            hd_source_close(src);
            continue;
        }
        CHECK(hd_source_acquire(pf, &f) == HD_OK);
        if (mode == 1) {
            hd_source_release(pf, &f);
            nap_ms(100); /* the reader fills the ring and waits */
        }
        hd_source_close(pf);
    }
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/hd_test_pf_XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_gray_kept);
    RUN(test_yuv_kept);
    RUN(test_rotated_copied);
    RUN(test_keep_contract);
    RUN(test_close_early);
    dir_clear(tmpdir);
    rmdir(tmpdir);
    return TEST_EXIT();
}
