/* test_recorder_crash.c - a recording survives SIGKILL.
 *
 * A child process records 1280x720 frames at 30 fps in real time and, after every frame,
 * tells the parent through a pipe how many frames it has queued and how many the recorder
 * says are flushed to the file. After about 4 s the parent kills it with SIGKILL, then
 * decodes the file with the project's file source. It must hold every frame reported
 * flushed, nothing that was never queued, in order and at the right times, and lose at
 * most the last ~2 s before the kill.
 */
#define _GNU_SOURCE

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "test.h"
#include "unit/test_recorder_common.c"

#define W 1280
#define H 720
#define FPS 30
#define KILL_AFTER 125 /* frames queued */

static void child(const char *path, int fd)
{
    hd_recorder_opts o;
    hd_recorder *r = NULL;
    hd_recorder_stats s;
    struct timespec t0, t;
    rt_pic p;

    memset(&o, 0, sizeof(o));
    o.width = W;
    o.height = H;
    o.fps = FPS;
    o.format = HD_PIX_YUV420P;
    o.queue_frames = 32; /* about 1 s: rides out a busy machine (sanitizer builds) */
    if (hd_recorder_open(path, &o, &r) != HD_OK) {
        fprintf(stderr, "child: %s\n", hd_last_error());
        _exit(3);
    }
    rt_pic_init(&p, W, H);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int k = 0;; k++) {
        char line[64];
        rt_pic_fill(&p, k, 0);
        hd_frame f = rt_frame(&p, (int64_t)k * 1000000 / FPS, k);
        hd_recorder_write(r, &f); /* a drop (HD_AGAIN) is counted and reported */
        hd_recorder_get_stats(r, &s);
        int len = snprintf(line, sizeof(line), "%lld %lld %lld\n", (long long)s.frames_queued,
                           (long long)s.frames_flushed, (long long)s.frames_dropped);
        if (write(fd, line, (size_t)len) != len)
            _exit(5);
        t = t0;
        long long ns = t.tv_nsec + (long long)(k + 1) * 1000000000LL / FPS;
        t.tv_sec += ns / 1000000000;
        t.tv_nsec = ns % 1000000000;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
    }
}

int main(void)
{
    char dir[] = "/tmp/hd_reccrash_XXXXXX";
    char path[256];
    int pfd[2];
    pid_t pid;
    FILE *in;
    long long queued = 0, flushed = 0, dropped = 0;
    int status;
    rt_decoded d;

    if (!mkdtemp(dir) || pipe(pfd) != 0) {
        perror("setup");
        return 1;
    }
    snprintf(path, sizeof(path), "%s/video.mkv", dir);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        close(pfd[0]);
        child(path, pfd[1]);
        _exit(0);
    }
    close(pfd[1]);
    in = fdopen(pfd[0], "r");
    while (queued < KILL_AFTER && fscanf(in, "%lld %lld %lld", &queued, &flushed, &dropped) == 3)
        ;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fclose(in);
    if (!WIFSIGNALED(status))
        fprintf(stderr, "the child ended by itself (exit %d) before the kill\n",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK(queued >= KILL_AFTER);

    CHECK(rt_mode(path) == 0600);
    /* frame i of the file is frame i of the child unless the child dropped some (a very
     * busy machine): then only the counts are checked */
    CHECK(rt_decode(path, 1000000 / FPS, dropped == 0, &d) == HD_OK);
    fprintf(stderr, "killed after %lld frames queued (%.2f s), %lld reported flushed, %lld "
            "dropped; decoded %d frames up to %.2f s (%s)\n", queued,
            (queued + dropped) / (double)FPS, flushed, dropped, d.frames, d.last_pts_us / 1e6,
            hd_status_str(d.end));
    CHECK(d.frames >= flushed);          /* everything flushed survived */
    CHECK(d.frames <= queued + 1);       /* one more may have been queued after the report */
    CHECK(d.frames >= queued - 2 * FPS); /* at most ~2 s lost */
    CHECK(d.order_errors == 0);
    CHECK(dropped > 0 || d.pts_errors == 0);
    if (!hd_test_failures) {
        unlink(path);
        rmdir(dir);
    } else {
        fprintf(stderr, "file kept: %s\n", path);
    }
    return TEST_EXIT();
}
