/* test_ui_seek.c - hd_source_file_seek() (the review window's seeking): a seek lands on the
 * frame that sequential decoding gives at that time, with the same pixels, forwards and
 * backwards; past the end gives the last frame. */
#include <stdint.h>
#include <string.h>

#include "heeldrop/source.h"
#include "test.h"

#ifndef HD_SRC_DIR
#define HD_SRC_DIR "."
#endif
#define SAMPLE HD_SRC_DIR "/assets/sample.mp4"

static uint64_t checksum(const hd_frame *f)
{
    uint64_t h = 1469598103934665603ull;
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++)
            h = (h ^ f->plane[0][(size_t)y * f->stride[0] + x]) * 1099511628211ull;
    return h;
}

/* Sequential decoding: checksum and pts of frame index i. */
static int sequential(int64_t i, uint64_t *sum, int64_t *pts)
{
    hd_source *s = NULL;
    if (hd_source_open(&hd_source_file_ops, SAMPLE, NULL, &s) != HD_OK)
        return -1;
    hd_frame f;
    int ok = -1;
    while (hd_source_acquire(s, &f) == HD_OK) {
        if (f.seq == i) {
            *sum = checksum(&f);
            *pts = f.pts_us;
            ok = 0;
        }
        hd_source_release(s, &f);
        if (ok == 0)
            break;
    }
    hd_source_close(s);
    return ok;
}

static void expect_at(hd_source *s, int64_t t_us, int64_t want_seq)
{
    uint64_t sum = 0;
    int64_t pts = -1;
    CHECK(sequential(want_seq, &sum, &pts) == 0);
    CHECK(hd_source_file_seek(s, t_us) == HD_OK);
    hd_frame f;
    CHECK(hd_source_acquire(s, &f) == HD_OK);
    CHECK(f.seq == want_seq);
    CHECK(f.pts_us == pts);
    CHECK(checksum(&f) == sum);
    hd_source_release(s, &f);
    /* Decoding goes on from there. */
    CHECK(hd_source_acquire(s, &f) == HD_OK);
    CHECK(f.seq == want_seq + 1);
    CHECK(f.pts_us > pts);
    hd_source_release(s, &f);
}

static void test_seek(void)
{
    hd_source *s = NULL;
    CHECK(hd_source_open(&hd_source_file_ops, SAMPLE, NULL, &s) == HD_OK);
    if (!s)
        return;
    expect_at(s, 10000000, 300);     /* forwards, before any frame was read */
    expect_at(s, 2000000, 60);       /* backwards */
    expect_at(s, 2010000, 60);       /* within half a frame: that frame */
    expect_at(s, 2020000, 61);       /* past half a frame: the next */
    expect_at(s, 0, 0);              /* the start */
    expect_at(s, 20000000 - 1, 600); /* a frame out is taken back */
    /* Past the end: the last frame (1076 frames). */
    CHECK(hd_source_file_seek(s, 99000000) == HD_OK);
    hd_frame f;
    CHECK(hd_source_acquire(s, &f) == HD_OK);
    CHECK(f.seq == 1075);
    hd_source_release(s, &f);
    CHECK(hd_source_acquire(s, &f) == HD_EOF);
    /* After the end, seeking back works again. */
    expect_at(s, 5000000, 150);
    hd_source_close(s);
}

static void test_not_a_file(void)
{
    hd_source fake;
    memset(&fake, 0, sizeof(fake));
    CHECK(hd_source_file_seek(&fake, 0) == HD_ERR_INVALID);
    CHECK(hd_source_file_seek(NULL, 0) == HD_ERR_INVALID);
}

int main(void)
{
    RUN(test_seek);
    RUN(test_not_a_file);
    return TEST_EXIT();
}
