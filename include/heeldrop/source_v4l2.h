/* source_v4l2.h - the camera frame source (Video4Linux2 through libv4l2).
 *
 * Open a camera with hd_source_open(&hd_source_v4l2_ops, "/dev/video0", &opts, &src). The
 * backend reaches the kernel only through an hd_v4l2_dev_ops table: libv4l2 (v4l2_open,
 * v4l2_ioctl, v4l2_mmap ... plus poll()) by default, or an emulated camera in tests
 * (opts.dev_ops). It asks for opts.width x opts.height at opts.fps in YUV 4:2:0 so that
 * libv4l2 converts the camera's MJPEG or YUYV, streams through 4 or more mmap buffers and
 * hands out HD_PIX_YUV420P frames (borrowed until hd_source_release()).
 *
 * Timing: pts_us comes from the buffers' capture timestamps, relative to the first frame
 * (never the wall clock); seq from the buffers' sequence numbers, so a gap is a frame the
 * camera dropped. acquire() waits at most about one frame period and returns HD_AGAIN when
 * nothing came. When several frames are ready it hands out the newest and gives the older
 * ones back (counted as skipped): the caller never sees the past.
 *
 * Unplug: a camera that goes away (ENODEV, POLLERR/POLLHUP) or stops sending frames does
 * not end the session. The backend releases every buffer and the device, reports "lost"
 * (acquire returns HD_AGAIN, hd_source_v4l2_stats says lost = 1) and tries to reopen the
 * same path about once a second; when it is back it negotiates again and streams on with
 * pts_us and seq still increasing. The frame size after a reconnect is the one negotiated
 * again (normally the same; check hd_source_get_info() when it matters).
 *
 * Threading: a source is used from one thread. The functions below that take no source
 * may be called from any thread.
 */
#ifndef HEELDROP_SOURCE_V4L2_H
#define HEELDROP_SOURCE_V4L2_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "heeldrop/source.h"
#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pollfd;

/* The device calls of the backend. Each function has the meaning (arguments, return value,
 * errno) of the libc call of the same name, with ctx passed first. The table and ctx are
 * borrowed: they must outlive every source and call that uses them. */
typedef struct hd_v4l2_dev_ops {
    const char *name;                                    /* "libv4l2", "emucam", for messages */
    void *ctx;                                           /* passed to every function */
    int (*open)(void *ctx, const char *path, int flags); /* fd, or -1 and errno */
    int (*close)(void *ctx, int fd);                     /* 0, or -1 and errno */
    int (*ioctl)(void *ctx, int fd, unsigned long request, void *arg);
    void *(*mmap)(void *ctx, void *addr, size_t len, int prot, int flags, int fd,
                  int64_t offset); /* MAP_FAILED and errno */
    int (*munmap)(void *ctx, void *addr, size_t len);
    int (*poll)(void *ctx, struct pollfd *fds, unsigned long nfds, int timeout_ms);
} hd_v4l2_dev_ops;

/* libv4l2's functions plus libc's poll(): what a NULL dev_ops means. */
extern const hd_v4l2_dev_ops hd_v4l2_libv4l2_ops;

/* The V4L2 backend. uri is the device path ("/dev/video0"). In hd_source_opts:
 * width/height (0: 1280x720), fps (0: 30), want_format (YUV420P or NONE; GRAY8 gives the
 * same frames with plane 0 only, no copy), dev_ops (NULL: libv4l2). Every failure of open() is a
 * camera problem and returns HD_ERR_DEVICE (exit code 7) with a message naming the device and the
 * cause: no such device, permission, not a capture device, busy, no format HeelDrop can read,
 * streaming refused. */
extern const hd_source_ops hd_source_v4l2_ops;

/* What the camera was asked for, what it gave, and how the stream is going. */
typedef struct hd_v4l2_stats {
    int req_width, req_height; /* asked for */
    double req_fps;
    uint32_t req_fourcc;       /* always V4L2_PIX_FMT_YUV420 ("YU12") */
    int width, height;         /* what the camera gave (0 before the first negotiation) */
    double fps;                /* from G_PARM after S_PARM (0 when the driver won't say) */
    uint32_t fourcc;           /* the format the buffers arrive in ("YU12" via libv4l2) */
    char fourcc_str[8];        /* the same as text */
    int adjusted;              /* 1: size or rate differ from what was asked */
    char adjust_note[160];     /* e.g. "asked 1920x1080 at 60 fps, camera gives 1280x720 at
                                  30 fps"; "" when not adjusted */
    char driver[32], card[64]; /* from QUERYCAP */
    int64_t delivered;         /* frames handed out by acquire() */
    int64_t dropped;           /* sequence gaps: frames the camera lost */
    int64_t skipped;           /* frames given back unseen because a newer one was ready */
    int lost;                  /* 1 now: unplugged, failed or stalled (no picture) */
    int stalled;               /* 1 now: open but no frame for about a second */
    int64_t reconnects;        /* times the camera came back after being lost */
    int64_t stalls;            /* times frames stopped for about a second */
    int64_t errors;            /* transient errors (EIO, bad buffers) survived */
    /* CLOCK_MONOTONIC time (us) of pts_us 0 when the camera stamps frames on the monotonic
     * clock (UVC does), else 0: clock_gettime(CLOCK_MONOTONIC) - (mono_origin_us + pts_us)
     * is how old a frame is (latency from capture). */
    int64_t mono_origin_us;
} hd_v4l2_stats;

/* Copies the statistics of a source opened with hd_source_v4l2_ops into *out. For any
 * other source (or NULL) *out is zeroed. Cheap; call it every frame if you like. */
void hd_source_v4l2_stats(const hd_source *src, hd_v4l2_stats *out);

/* Finds the first video capture device among /dev/video0 .. /dev/video63, opening each
 * through ops (NULL: libv4l2) and asking QUERYCAP. On HD_OK path holds it (n bytes, 32 is
 * plenty). None: HD_ERR_NOTFOUND with a message naming what was looked for and pointing
 * to `heeldrop analyze FILE` and `heeldrop live --source FILE`. hd_status_exit_code()
 * would say 3 (input not found): commands exit 7 instead, 7 being the code of every camera
 * problem (`heeldrop devices` does). */
hd_status hd_v4l2_find_camera(char *path, size_t n);
hd_status hd_v4l2_find_camera_with(const hd_v4l2_dev_ops *ops, char *path, size_t n);

/* Writes a readable description of the capture device at path to out: driver, card,
 * bus, and every format with its frame sizes and frame rates (ENUM_FMT, ENUM_FRAMESIZES,
 * ENUM_FRAMEINTERVALS). ops NULL: libv4l2 (whose converted formats are marked
 * "emulated"). Returns HD_OK, HD_ERR_NOTFOUND (no device, or not a capture device),
 * HD_ERR_IO (permission) or HD_ERR_DEVICE, message set. */
hd_status hd_v4l2_describe(const hd_v4l2_dev_ops *ops, const char *path, FILE *out);

/* "YUYV", "MJPG" ... for a fourcc; buf holds at least 5 bytes. Returns buf. */
const char *hd_v4l2_fourcc_str(uint32_t fourcc, char *buf);

#ifdef __cplusplus
}
#endif
#endif
