/* emucam.h - an emulated V4L2 camera for tests (in process, or preloaded under libv4l2).
 *
 * It speaks the V4L2 protocol strictly: QUERYCAP, ENUM_FMT, ENUM_FRAMESIZES,
 * ENUM_FRAMEINTERVALS, G/S/TRY_FMT, G/S_PARM, REQBUFS, QUERYBUF, QBUF, DQBUF, STREAMON/OFF,
 * with the errno values a kernel driver (videobuf2) gives: EINVAL for a bad type, index or
 * a buffer queued twice, EBUSY for a format change while buffers exist or a second owner,
 * ENODEV after an unplug, ENOTTY for ioctls it does not know. Buffers live in a memfd and
 * are really mmap'ed, so mappings outlive a close like the kernel's do.
 *
 * Frames: from a video file (decoded with the file source, scaled to the negotiated size,
 * looped) or a generated scene (emucam_scene_pixel gives every pixel), packed as YUYV,
 * YUV420 or MJPEG (libavcodec). Frame n is due at t0 + n/fps on CLOCK_MONOTONIC (t0 =
 * STREAMON), is stamped with that time (V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC) and sequence n.
 * Frames are produced lazily when the user calls in, but exactly as a driver would have
 * produced them in real time: into the buffers queued at that moment, dropped (sequence
 * still advancing) when none was queued. poll() blocks until the next frame is due.
 *
 * Faults: errno on the n-th call of an operation (once or from then on), an unplug (calls
 * fail with ENODEV, poll says POLLERR|POLLHUP, open says ENOENT) with a replug after a delay,
 * a stall (no frames for a while: poll times out), at a call count or at a time.
 *
 * Thread safety: every entry point takes the camera's (recursive) lock; waits happen
 * outside it.
 */
#ifndef HEELDROP_TESTS_EMUCAM_H
#define HEELDROP_TESTS_EMUCAM_H

#include <stddef.h>
#include <stdint.h>

#include "heeldrop/source_v4l2.h"
#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct emucam emucam;

typedef struct emucam_cfg {
    const char *path;      /* the device path it answers to (default "/dev/video0") */
    const char *source;    /* "scene" (default) or a video file */
    const char *formats;   /* fourccs in order of preference: "MJPG,YUYV" (default); YU12 too */
    const char *sizes;     /* "1280x720,640x480,320x240" (default) */
    const char *rates;     /* "30,15" (default) */
    const char *driver;    /* QUERYCAP driver (default "heeldrop-emucam") */
    const char *card;      /* QUERYCAP card (default "HeelDrop emulated camera") */
    int ignore_size;       /* 1: S_FMT keeps the current size whatever is asked */
    int ignore_rate;       /* 1: S_PARM keeps the current rate */
    int loop;              /* file source: 1 loop (default), 0 freeze on the last frame */
    int mjpeg_quality;     /* MJPEG qscale 2 (best) .. 31 (default 3) */
    int mjpeg_no_dht;      /* 1: MJPEG frames without Huffman tables, like many webcams */
    double unplug_at_s;    /* seconds after the first STREAMON; < 0 never (default) */
    double replug_after_s; /* after an unplug; < 0 never (default 2) */
    double stall_at_s;     /* seconds after the first STREAMON; < 0 never (default) */
    double stall_for_s;    /* default 2 */
    const char *faults;    /* "op:what:n[:always],..." (see emucam_add_faults); NULL none */
} emucam_cfg;

/* Fills c with the defaults above. */
void emucam_cfg_default(emucam_cfg *c);

/* Fills c from the HD_EMUCAM_* environment (docs/capture.md) on top of the defaults. The
 * strings point into the environment. HD_ERR_INVALID with a message for a bad value. */
hd_status emucam_cfg_from_env(emucam_cfg *c);

/* Creates a camera (plugged in, not streaming). c is copied. The video file, if any, is
 * opened at the first frame. HD_ERR_INVALID for a bad configuration. */
hd_status emucam_create(const emucam_cfg *c, emucam **out);

/* Destroys the camera: closes what the user left open, unmaps nothing (the user's mappings
 * stay valid memory). NULL is fine. */
void emucam_destroy(emucam *cam);

/* The ops table to give hd_source_opts.dev_ops (owned by cam). */
const hd_v4l2_dev_ops *emucam_dev_ops(emucam *cam);

/* The raw calls (libc conventions: -1 / MAP_FAILED and errno). open answers only for the
 * configured path (ENOENT otherwise). */
int emucam_open(emucam *cam, const char *path, int flags);
int emucam_close(emucam *cam, int fd);
int emucam_ioctl(emucam *cam, int fd, unsigned long request, void *arg);
void *emucam_mmap(emucam *cam, void *addr, size_t len, int prot, int flags, int fd, int64_t offset);
/* 1 and *ret set when addr..len is one of the camera's mappings, else 0 (not ours). */
int emucam_munmap(emucam *cam, void *addr, size_t len, int *ret);
/* fds may mix the camera's descriptors with others: only the camera's are looked at
 * (others get revents 0); blocks until one is ready or timeout_ms (-1 forever). */
int emucam_poll(emucam *cam, struct pollfd *fds, unsigned long nfds, int timeout_ms);
/* 1 when fd is one of the camera's open descriptors. */
int emucam_is_fd(emucam *cam, int fd);
/* The path the camera answers to. */
const char *emucam_path(const emucam *cam);

typedef enum emucam_op {
    EMUCAM_OP_IOCTL = 0, /* any ioctl */
    EMUCAM_OP_DQBUF,
    EMUCAM_OP_QBUF,
    EMUCAM_OP_POLL,
    EMUCAM_OP_OPEN,
    EMUCAM_OP_MMAP,
    EMUCAM_OP_COUNT
} emucam_op;

/* The nth call of op from now (1 = the next one) fails with err (EAGAIN, EINTR, EIO ...);
 * persistent: every call from then on. */
void emucam_fail_call(emucam *cam, emucam_op op, int nth, int err, int persistent);
/* The nth call of op from now unplugs the camera first (replug after replug_after_s; < 0
 * never). */
void emucam_unplug_at_call(emucam *cam, emucam_op op, int nth, double replug_after_s);
/* The nth call of op from now starts a stall of for_s seconds. */
void emucam_stall_at_call(emucam *cam, emucam_op op, int nth, double for_s);
/* Unplugs now (replug after replug_after_s seconds; < 0 never). */
void emucam_unplug(emucam *cam, double replug_after_s);
/* Plugs back in now (a fresh device: default format, no buffers). */
void emucam_replug(emucam *cam);
/* Parses "op:what:n[:always]" items separated by commas: op is ioctl, dqbuf, qbuf, poll,
 * open, mmap; what is EAGAIN, EINTR, EIO, ENODEV, unplug or stall (stall lasts
 * cfg.stall_for_s, unplug replugs after cfg.replug_after_s). HD_ERR_INVALID when bad. */
hd_status emucam_add_faults(emucam *cam, const char *spec);

typedef struct emucam_counters {
    int open_fds; /* descriptors open now */
    int mappings; /* buffer mappings alive now */
    int64_t opens, closes, maps, unmaps;
    int64_t frames_made;    /* frames put into a buffer */
    int64_t frames_dropped; /* frames due with no buffer queued */
    int64_t sequence;       /* the next frame's sequence number */
    int64_t unplugs, replugs, stalls;
    int64_t faults_fired;
    int64_t double_qbuf; /* QBUF of a buffer already queued (rejected) */
    int64_t work_ns;     /* CPU time (of the calling thread) spent making frames */
    int streaming;
    int plugged;
    uint32_t fourcc; /* current format */
    int width, height;
    double fps;
} emucam_counters;

void emucam_get_counters(emucam *cam, emucam_counters *out);

/* The generated scene's pixel (x, y) of frame n at size w x h: full-range Y, U, V. U and V
 * are constant over each 2x2 block, so any 4:2:0 conversion reproduces them exactly. */
void emucam_scene_pixel(int w, int h, int64_t n, int x, int y, uint8_t *Y, uint8_t *U, uint8_t *V);

#ifdef __cplusplus
}
#endif
#endif
