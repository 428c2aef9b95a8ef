/* test_recorder_fullfs.c - a real full disk: the test mounts a 2 MB tmpfs (needs root and
 * mount permission; exits 77 otherwise), puts another file on it, and records noisy video
 * until the disk is full. The recording must stop with "disk full" in its state and
 * message, the process keep running, the video play up to the last flush, and the other
 * file stay intact.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <sys/mount.h>

#include "test.h"
#include "unit/test_recorder_common.c"

static int check_other(const char *path, const char *want)
{
    char buf[256] = {0};
    FILE *f = fopen(path, "r");
    size_t n;
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    return n == strlen(want) && memcmp(buf, want, n) == 0;
}

int main(void)
{
    static const char other_text[] = "{\"kind\": \"live\", \"reps\": []}\n";
    char dir[] = "/tmp/hd_recfull_XXXXXX";
    char path[256], other[256];
    hd_recorder_opts o;
    hd_recorder_stats s, mid;
    hd_recorder *r = NULL;
    hd_status st = HD_OK;
    rt_decoded d;
    rt_pic p;
    FILE *f;

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0700") != 0) {
        fprintf(stderr, "skip: cannot mount a tmpfs here (%s)\n", strerror(errno));
        rmdir(dir);
        return 77;
    }
    snprintf(path, sizeof(path), "%s/video.mkv", dir);
    snprintf(other, sizeof(other), "%s/summary.json", dir);
    f = fopen(other, "w");
    CHECK(f && fputs(other_text, f) >= 0 && fclose(f) == 0);

    memset(&o, 0, sizeof(o));
    o.width = 320;
    o.height = 240;
    o.fps = 30;
    o.crf = 8;
    o.format = HD_PIX_YUV420P;
    rt_pic_init(&p, 320, 240);
    CHECK(hd_recorder_open(path, &o, &r) == HD_OK);
    for (int k = 0; r && k < 5000; k++) {
        rt_pic_fill(&p, k, 1);
        hd_frame fr = rt_frame(&p, (int64_t)k * 33333, k);
        do {
            st = hd_recorder_write(r, &fr);
            if (st == HD_AGAIN)
                usleep(2000);
        } while (st == HD_AGAIN);
        if (st != HD_OK)
            break;
    }
    CHECK(st == HD_ERR_IO);
    CHECK(strstr(hd_last_error(), "disk full") != NULL);
    if (r) {
        hd_recorder_get_stats(r, &mid);
        CHECK(mid.state == HD_REC_DISK_FULL);
        fprintf(stderr, "state message: %s\n", mid.message);
        CHECK(hd_recorder_close(r, &s) == HD_ERR_IO);
        CHECK(s.state == HD_REC_DISK_FULL);
        CHECK(rt_decode(path, 33333, 0, &d) == HD_OK);
        fprintf(stderr, "disk full after %lld bytes: %lld flushed, %lld written, %d decoded "
                "(%.2f s)\n", (long long)s.bytes, (long long)s.frames_flushed,
                (long long)s.frames_written, d.frames, d.last_pts_us / 1e6);
        CHECK(s.frames_flushed > 10);
        CHECK(d.frames >= s.frames_flushed);
        CHECK(d.frames <= s.frames_written);
        CHECK(d.pts_errors == 0);
    }
    CHECK(check_other(other, other_text));
    CHECK(rt_mode(path) == 0600);
    rt_pic_free(&p);
    if (umount2(dir, MNT_DETACH) != 0)
        perror("umount");
    rmdir(dir);
    return TEST_EXIT();
}
