/* emucam_shim.c - libhd_emucam.so: the emulated camera under the real libv4l2 (LD_PRELOAD).
 *
 * libv4l2 and libv4lconvert reach the kernel through libc's syscall() function
 * (SYS_openat, SYS_ioctl, SYS_mmap, SYS_munmap, SYS_close, SYS_read), not through open()
 * or ioctl(), so this library interposes syscall() and answers those calls for one device
 * path (HD_EMUCAM_DEVICE, default /dev/video0) and the descriptors opened on it; every
 * other call goes to the real syscall(). poll() is interposed too, for the program's own
 * wait on the camera. Everything else about the camera comes from HD_EMUCAM_* variables
 * (docs/capture.md). Only syscall, poll and __poll_chk are exported (version script).
 *
 * HD_EMUCAM_STATS=FILE writes the camera's counters there at exit (key=value lines), so a
 * test can check that every buffer was unmapped and every descriptor closed.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "emucam.h"

/* the library is built with hidden visibility: these three are its whole interface */
#define SHIM_EXPORT __attribute__((visibility("default")))

typedef long (*syscall_fn)(long, ...);
typedef int (*poll_fn)(struct pollfd *, nfds_t, int);

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static emucam *g_cam;
static syscall_fn g_syscall;
static poll_fn g_poll;

static void shim_write_stats(void)
{
    const char *path = getenv("HD_EMUCAM_STATS");
    emucam_counters c;
    FILE *f;
    if (!g_cam || !path || !*path)
        return;
    emucam_get_counters(g_cam, &c);
    f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f,
            "open_fds=%d\nmappings=%d\nopens=%lld\ncloses=%lld\nmaps=%lld\nunmaps=%lld\n"
            "frames_made=%lld\nframes_dropped=%lld\nunplugs=%lld\nreplugs=%lld\n"
            "stalls=%lld\nfaults_fired=%lld\ndouble_qbuf=%lld\nwork_ms=%.1f\n"
            "width=%d\nheight=%d\nfps=%g\npid=%d\n",
            c.open_fds, c.mappings, (long long)c.opens, (long long)c.closes, (long long)c.maps,
            (long long)c.unmaps, (long long)c.frames_made, (long long)c.frames_dropped,
            (long long)c.unplugs, (long long)c.replugs, (long long)c.stalls,
            (long long)c.faults_fired, (long long)c.double_qbuf, c.work_ns / 1e6, c.width, c.height,
            c.fps, (int)getpid());
    fclose(f);
}

static void shim_init(void)
{
    emucam_cfg cfg;
    g_syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
    g_poll = (poll_fn)dlsym(RTLD_NEXT, "poll");
    emucam_cfg_default(&cfg);
    if (emucam_cfg_from_env(&cfg) != HD_OK || emucam_create(&cfg, &g_cam) != HD_OK) {
        fprintf(stderr, "libhd_emucam: %s (no emulated camera)\n", hd_last_error());
        g_cam = NULL;
        return;
    }
    if (getenv("HD_EMUCAM_STATS"))
        atexit(shim_write_stats);
}

static emucam *cam(void)
{
    pthread_once(&g_once, shim_init);
    return g_cam;
}

SHIM_EXPORT long syscall(long n, ...)
{
    va_list ap;
    long a[6];
    emucam *c;

    va_start(ap, n);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    c = cam();
    if (c) {
        switch (n) {
        case SYS_openat:
            if (a[1] && !strcmp((const char *)a[1], emucam_path(c)))
                return emucam_open(c, (const char *)a[1], (int)a[2]);
            break;
#ifdef SYS_open
        case SYS_open:
            if (a[0] && !strcmp((const char *)a[0], emucam_path(c)))
                return emucam_open(c, (const char *)a[0], (int)a[1]);
            break;
#endif
        case SYS_close:
            if (emucam_is_fd(c, (int)a[0]))
                return emucam_close(c, (int)a[0]);
            break;
        case SYS_ioctl:
            if (emucam_is_fd(c, (int)a[0]))
                return emucam_ioctl(c, (int)a[0], (unsigned long)a[1], (void *)a[2]);
            break;
        case SYS_mmap:
            if (emucam_is_fd(c, (int)a[4]))
                return (long)emucam_mmap(c, (void *)a[0], (size_t)a[1], (int)a[2], (int)a[3],
                                         (int)a[4], (int64_t)a[5]);
            break;
        case SYS_munmap: {
            int r;
            if (emucam_munmap(c, (void *)a[0], (size_t)a[1], &r))
                return r;
            break;
        }
        case SYS_read:
        case SYS_write:
            if (emucam_is_fd(c, (int)a[0])) {
                errno = EINVAL; /* no read/write I/O: only streaming (no V4L2_CAP_READWRITE) */
                return -1;
            }
            break;
        default:
            break;
        }
    }
    if (!g_syscall) {
        errno = ENOSYS;
        return -1;
    }
    return g_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int64_t shim_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() over a mix of camera and other descriptors: the camera's are answered by the
 * emulated camera, the others by the real poll() in short slices. */
SHIM_EXPORT int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    emucam *c = cam();
    int ours = 0, others = 0;
    int64_t deadline;
    if (!g_poll) {
        errno = ENOSYS;
        return -1;
    }
    if (c)
        for (nfds_t i = 0; i < nfds; i++) {
            if (emucam_is_fd(c, fds[i].fd))
                ours++;
            else if (fds[i].fd >= 0)
                others++;
        }
    if (!ours)
        return g_poll(fds, nfds, timeout_ms);
    if (!others)
        return emucam_poll(c, fds, nfds, timeout_ms);
    deadline = timeout_ms >= 0 ? shim_now_ms() + timeout_ms : -1;
    for (;;) {
        struct pollfd tmp[64];
        int n = 0, left;
        nfds_t cnt = nfds < 64 ? nfds : 64;
        int r = emucam_poll(c, fds, cnt, 0);
        if (r < 0)
            return r;
        for (nfds_t i = 0; i < cnt; i++) {
            tmp[i] = fds[i];
            if (emucam_is_fd(c, fds[i].fd))
                tmp[i].fd = -1; /* the real poll ignores negative descriptors */
        }
        left = deadline < 0 ? 5 : (int)(deadline - shim_now_ms());
        if (left < 0)
            left = 0;
        n = g_poll(tmp, cnt, r > 0 ? 0 : (left < 5 ? left : 5));
        if (n < 0)
            return n;
        for (nfds_t i = 0; i < cnt; i++)
            if (!emucam_is_fd(c, fds[i].fd))
                fds[i].revents = tmp[i].revents;
        if (r + n > 0)
            return r + n;
        if (deadline >= 0 && shim_now_ms() >= deadline)
            return 0;
    }
}

int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout_ms, size_t fdslen);
SHIM_EXPORT int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout_ms, size_t fdslen)
{
    if (fdslen / sizeof(*fds) < nfds)
        abort(); /* what glibc's check does: a buffer overflow in the caller */
    return poll(fds, nfds, timeout_ms);
}
