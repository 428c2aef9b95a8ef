/* source_v4l2.c - the "v4l2" frame source: a camera through libv4l2 (or an emulated one).
 *
 * Every device call goes through p->ops (hd_v4l2_dev_ops): libv4l2 in production, the
 * emulated camera in tests. The device is driven in the plain V4L2 way: S_FMT YUV420 (so
 * libv4l2 converts MJPEG or YUYV), S_PARM, REQBUFS 4 mmap buffers, QBUF them, STREAMON,
 * then poll + DQBUF. A device that refuses YUV420 and offers YUYV (no libv4l2 in between)
 * is converted here.
 *
 * The state machine is small: streaming, or lost (device closed, retried about once a
 * second). Losing the device never fails acquire(): it returns HD_AGAIN and the stats say
 * lost, so the session goes on with what it has.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <libv4l2.h>
#include <linux/videodev2.h>

#include "heeldrop/log.h"
#include "heeldrop/source_v4l2.h"

#define V4L2_WANT_BUFFERS 4
#define V4L2_MAX_BUFFERS 16
#define V4L2_RETRY_US 1000000   /* reopen attempts while lost */
#define V4L2_STALL_US 1000000   /* no frame this long: stalled (shown as lost) */
#define V4L2_RESTART_US 3000000 /* stalled this long: close and reopen the device */
#define V4L2_MAX_ERROR_RUN 30   /* failed dequeues in a row before the device is lost */
#define V4L2_MAX_EINTR 8

/* ---- the default device calls: libv4l2 plus libc's poll() ---- */

static int lv_open(void *ctx, const char *path, int flags)
{
    (void)ctx;
    return v4l2_open(path, flags);
}

static int lv_close(void *ctx, int fd)
{
    (void)ctx;
    return v4l2_close(fd);
}

static int lv_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
    (void)ctx;
    return v4l2_ioctl(fd, request, arg);
}

static void *lv_mmap(void *ctx, void *addr, size_t len, int prot, int flags, int fd, int64_t offset)
{
    (void)ctx;
    return v4l2_mmap(addr, len, prot, flags, fd, offset);
}

static int lv_munmap(void *ctx, void *addr, size_t len)
{
    (void)ctx;
    return v4l2_munmap(addr, len);
}

static int lv_poll(void *ctx, struct pollfd *fds, unsigned long nfds, int timeout_ms)
{
    (void)ctx;
    return poll(fds, (nfds_t)nfds, timeout_ms);
}

const hd_v4l2_dev_ops hd_v4l2_libv4l2_ops = {
    .name = "libv4l2",
    .ctx = NULL,
    .open = lv_open,
    .close = lv_close,
    .ioctl = lv_ioctl,
    .mmap = lv_mmap,
    .munmap = lv_munmap,
    .poll = lv_poll,
};

/* ---- state ---- */

typedef struct v4l2_buf {
    void *start;
    size_t len;
} v4l2_buf;

typedef struct v4l2_priv {
    const hd_v4l2_dev_ops *ops;
    char path[256];
    int fd;         /* -1 while closed */
    hd_pixfmt want; /* YUV420P or GRAY8 */

    /* the negotiated stream */
    uint32_t fourcc; /* YUV420 or YUYV */
    int width, height, bpl;
    int64_t period_us; /* from the rate we got, else the rate we asked */
    v4l2_buf bufs[V4L2_MAX_BUFFERS];
    unsigned nbuf;
    int streaming;
    int held;      /* buffer lent to the caller, -1 none */
    uint8_t *conv; /* YUYV converted to 4:2:0 */
    size_t conv_size;

    /* timing across streams (a reconnect starts a new stream) */
    int have_first; /* a frame was delivered */
    int64_t last_pts, last_seq;
    int have_mono;      /* mono_off is known */
    int64_t mono_off;   /* pts = monotonic timestamp + mono_off */
    int stream_first;   /* the current stream has produced a buffer */
    int64_t stream_off; /* pts = timestamp + stream_off */
    int64_t seq_off;    /* seq = sequence + seq_off */
    uint32_t last_hw_seq;

    /* health */
    int lost;
    int64_t next_retry_us;
    int64_t last_frame_us; /* our clock: last frame or stream start (stall detection) */
    int error_run;

    hd_v4l2_stats st;
} v4l2_priv;

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_us(int64_t us)
{
    struct timespec ts;
    if (us <= 0)
        return;
    ts.tv_sec = us / 1000000;
    ts.tv_nsec = (long)(us % 1000000) * 1000;
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

const char *hd_v4l2_fourcc_str(uint32_t f, char *buf)
{
    for (int i = 0; i < 4; i++) {
        char c = (char)((f >> (8 * i)) & 0xff);
        buf[i] = (c >= 32 && c < 127) ? c : '?';
    }
    buf[4] = '\0';
    /* fourccs are padded with spaces ("Y8  "): drop them */
    for (int i = 3; i > 0 && buf[i] == ' '; i--)
        buf[i] = '\0';
    return buf;
}

/* ioctl that retries an interrupted call (a signal is not a device failure). */
static int xioctl(v4l2_priv *p, unsigned long req, void *arg)
{
    int r, tries = 0;
    do {
        r = p->ops->ioctl(p->ops->ctx, p->fd, req, arg);
    } while (r == -1 && errno == EINTR && ++tries < V4L2_MAX_EINTR);
    return r;
}

/* ---- opening and closing the device ---- */

/* Releases buffers, stops the stream and closes the device; safe on a dead device (every
 * call may fail with ENODEV: the memory and the descriptor are released anyway). */
static void dev_stop(v4l2_priv *p)
{
    int saved = errno;
    if (p->fd >= 0 && p->streaming) {
        enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        xioctl(p, VIDIOC_STREAMOFF, &t);
    }
    p->streaming = 0;
    p->held = -1;
    for (unsigned i = 0; i < p->nbuf; i++) {
        if (p->bufs[i].start && p->bufs[i].start != MAP_FAILED)
            p->ops->munmap(p->ops->ctx, p->bufs[i].start, p->bufs[i].len);
        p->bufs[i].start = NULL;
    }
    if (p->fd >= 0 && p->nbuf) {
        struct v4l2_requestbuffers rb = {
            .count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
        xioctl(p, VIDIOC_REQBUFS, &rb);
    }
    p->nbuf = 0;
    if (p->fd >= 0)
        p->ops->close(p->ops->ctx, p->fd);
    p->fd = -1;
    errno = saved;
}

static hd_status open_error(const char *path, int err)
{
    switch (err) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
        return hd_fail(HD_ERR_DEVICE,
                       "camera %s not found (is it plugged in? 'heeldrop devices' "
                       "lists the cameras)",
                       path);
    case EACCES:
    case EPERM:
        return hd_fail(HD_ERR_DEVICE,
                       "camera %s: permission denied (add yourself to the "
                       "'video' group)",
                       path);
    case EBUSY:
        return hd_fail(HD_ERR_DEVICE, "camera %s is busy (another program is using it)", path);
    default:
        return hd_fail(HD_ERR_DEVICE, "camera %s: %s", path, strerror(err));
    }
}

static hd_status dev_fail(v4l2_priv *p, const char *what)
{
    int err = errno;
    hd_status st;
    if (err == ENODEV)
        st = hd_fail(HD_ERR_DEVICE, "camera %s went away during %s", p->path, what);
    else if (err == EBUSY)
        st = hd_fail(HD_ERR_DEVICE, "camera %s is busy (another program is using it): %s", p->path,
                     what);
    else
        st = hd_fail(HD_ERR_DEVICE, "camera %s: %s failed: %s", p->path, what, strerror(err));
    dev_stop(p);
    return st;
}

/* Sets the format: YUV420 first (libv4l2 converts to it), YUYV when that is refused. */
static hd_status dev_set_format(v4l2_priv *p)
{
    static const uint32_t tries[] = {V4L2_PIX_FMT_YUV420, V4L2_PIX_FMT_YUYV};
    struct v4l2_format f;
    for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
        memset(&f, 0, sizeof(f));
        f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        f.fmt.pix.width = (unsigned)p->st.req_width;
        f.fmt.pix.height = (unsigned)p->st.req_height;
        f.fmt.pix.pixelformat = tries[i];
        f.fmt.pix.field = V4L2_FIELD_NONE;
        if (xioctl(p, VIDIOC_S_FMT, &f) == -1) {
            if (errno == EINVAL)
                continue;
            return dev_fail(p, "setting the format (S_FMT)");
        }
        if (f.fmt.pix.pixelformat == V4L2_PIX_FMT_YUV420 ||
            f.fmt.pix.pixelformat == V4L2_PIX_FMT_YUYV)
            break;
    }
    if (f.fmt.pix.pixelformat != V4L2_PIX_FMT_YUV420 &&
        f.fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV) {
        char fc[8];
        hd_status st = hd_fail(HD_ERR_DEVICE,
                               "camera %s offers no format HeelDrop can read (it gives %s; "
                               "YUV 4:2:0 or YUYV is needed, normally through libv4l2)",
                               p->path, hd_v4l2_fourcc_str(f.fmt.pix.pixelformat, fc));
        dev_stop(p);
        return st;
    }
    if (f.fmt.pix.width < 16 || f.fmt.pix.height < 16 || f.fmt.pix.width > 8192 ||
        f.fmt.pix.height > 8192) {
        hd_status st = hd_fail(HD_ERR_DEVICE, "camera %s gives an unusable size %ux%u", p->path,
                               f.fmt.pix.width, f.fmt.pix.height);
        dev_stop(p);
        return st;
    }
    p->fourcc = f.fmt.pix.pixelformat;
    p->width = (int)f.fmt.pix.width;
    p->height = (int)f.fmt.pix.height;
    if (p->fourcc == V4L2_PIX_FMT_YUYV)
        p->bpl = f.fmt.pix.bytesperline >= f.fmt.pix.width * 2 ? (int)f.fmt.pix.bytesperline
                                                               : p->width * 2;
    else
        p->bpl = f.fmt.pix.bytesperline >= f.fmt.pix.width ? (int)f.fmt.pix.bytesperline : p->width;
    return HD_OK;
}

/* Asks for the frame rate and reads back what the driver settled on (0: it won't say). */
static double dev_set_rate(v4l2_priv *p)
{
    struct v4l2_streamparm parm;
    memset(&parm, 0, sizeof(parm));
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    parm.parm.capture.timeperframe.numerator = 1000;
    parm.parm.capture.timeperframe.denominator = (unsigned)(p->st.req_fps * 1000.0 + 0.5);
    if (xioctl(p, VIDIOC_S_PARM, &parm) == -1)
        HD_LOG(HD_LOG_DEBUG, "camera %s: S_PARM: %s", p->path, strerror(errno));
    memset(&parm, 0, sizeof(parm));
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(p, VIDIOC_G_PARM, &parm) == -1)
        return 0;
    if (!(parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME) ||
        !parm.parm.capture.timeperframe.numerator || !parm.parm.capture.timeperframe.denominator)
        return 0;
    return (double)parm.parm.capture.timeperframe.denominator /
           parm.parm.capture.timeperframe.numerator;
}

static hd_status dev_map_buffers(v4l2_priv *p)
{
    struct v4l2_requestbuffers rb = {.count = V4L2_WANT_BUFFERS,
                                     .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
                                     .memory = V4L2_MEMORY_MMAP};
    if (xioctl(p, VIDIOC_REQBUFS, &rb) == -1)
        return dev_fail(p, "asking for buffers (REQBUFS)");
    if (rb.count < 2) {
        hd_status st = hd_fail(HD_ERR_DEVICE, "camera %s gave %u buffers (2 or more needed)",
                               p->path, rb.count);
        p->nbuf = rb.count;
        dev_stop(p);
        return st;
    }
    p->nbuf = rb.count < V4L2_MAX_BUFFERS ? rb.count : V4L2_MAX_BUFFERS;
    for (unsigned i = 0; i < p->nbuf; i++) {
        struct v4l2_buffer b = {
            .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
        if (xioctl(p, VIDIOC_QUERYBUF, &b) == -1)
            return dev_fail(p, "querying a buffer (QUERYBUF)");
        p->bufs[i].len = b.length;
        p->bufs[i].start = p->ops->mmap(p->ops->ctx, NULL, b.length, PROT_READ | PROT_WRITE,
                                        MAP_SHARED, p->fd, (int64_t)b.m.offset);
        if (p->bufs[i].start == MAP_FAILED) {
            p->bufs[i].start = NULL;
            return dev_fail(p, "mapping a buffer (mmap)");
        }
    }
    for (unsigned i = 0; i < p->nbuf; i++) {
        struct v4l2_buffer b = {
            .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
        if (xioctl(p, VIDIOC_QBUF, &b) == -1)
            return dev_fail(p, "queueing a buffer (QBUF)");
    }
    return HD_OK;
}

static void note_adjustment(v4l2_priv *p, int first)
{
    hd_v4l2_stats *s = &p->st;
    int size_diff = s->width != s->req_width || s->height != s->req_height;
    int rate_diff = s->fps > 0 && (s->fps < s->req_fps * 0.98 || s->fps > s->req_fps * 1.02);
    s->adjusted = size_diff || rate_diff;
    s->adjust_note[0] = '\0';
    if (!s->adjusted)
        return;
    snprintf(s->adjust_note, sizeof(s->adjust_note),
             "asked %dx%d at %g fps, camera gives %dx%d at %g fps", s->req_width, s->req_height,
             s->req_fps, s->width, s->height, s->fps > 0 ? s->fps : s->req_fps);
    if (first)
        HD_LOG(HD_LOG_WARN, "camera %s: %s", p->path, s->adjust_note);
}

/* Opens the device and starts streaming. On failure everything is released and the
 * message says why (HD_ERR_DEVICE). */
static hd_status dev_start(v4l2_priv *p, int first)
{
    struct v4l2_capability cap;
    unsigned caps;
    hd_status st;
    char fc[8];

    p->fd = p->ops->open(p->ops->ctx, p->path, O_RDWR | O_NONBLOCK);
    if (p->fd < 0) {
        p->fd = -1;
        return open_error(p->path, errno);
    }
    memset(&cap, 0, sizeof(cap));
    if (xioctl(p, VIDIOC_QUERYCAP, &cap) == -1) {
        if (errno == ENOTTY || errno == EINVAL) {
            dev_stop(p);
            return hd_fail(HD_ERR_DEVICE, "%s is not a video device", p->path);
        }
        return dev_fail(p, "asking what it is (QUERYCAP)");
    }
    caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING)) {
        dev_stop(p);
        return hd_fail(HD_ERR_DEVICE, "%s (%.32s) is not a streaming video capture device", p->path,
                       (const char *)cap.card);
    }
    snprintf(p->st.driver, sizeof(p->st.driver), "%.31s", (const char *)cap.driver);
    snprintf(p->st.card, sizeof(p->st.card), "%.32s", (const char *)cap.card);

    if ((st = dev_set_format(p)) != HD_OK)
        return st;
    p->st.fps = dev_set_rate(p);
    p->period_us = (int64_t)(1e6 / (p->st.fps > 0 ? p->st.fps : p->st.req_fps) + 0.5);

    if ((st = dev_map_buffers(p)) != HD_OK)
        return st;
    {
        enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(p, VIDIOC_STREAMON, &t) == -1)
            return dev_fail(p, "starting the stream (STREAMON)");
    }
    p->streaming = 1;
    p->held = -1;
    p->stream_first = 0;
    p->error_run = 0;
    p->last_frame_us = mono_us();

    if (p->fourcc == V4L2_PIX_FMT_YUYV) {
        size_t need =
            (size_t)p->width * p->height + 2 * (size_t)((p->width + 1) / 2) * ((p->height + 1) / 2);
        if (need > p->conv_size) {
            uint8_t *c = realloc(p->conv, need);
            if (!c) {
                dev_stop(p);
                return hd_fail(HD_ERR_NOMEM, "out of memory for camera frames");
            }
            p->conv = c;
            p->conv_size = need;
        }
    }
    p->st.width = p->width;
    p->st.height = p->height;
    p->st.fourcc = p->fourcc;
    hd_v4l2_fourcc_str(p->fourcc, p->st.fourcc_str);
    note_adjustment(p, first);
    HD_LOG(HD_LOG_INFO, "camera %s (%s, %s): %dx%d %s at %g fps, %u buffers", p->path, p->st.card,
           p->st.driver, p->width, p->height, hd_v4l2_fourcc_str(p->fourcc, fc), p->st.fps,
           p->nbuf);
    return HD_OK;
}

static void fill_info(hd_source *src, v4l2_priv *p)
{
    src->info.width = p->width;
    src->info.height = p->height;
    src->info.fps = p->st.fps > 0 ? p->st.fps : p->st.req_fps;
    src->info.frames = 0;
    src->info.duration_s = 0;
    src->info.rotation_deg = 0;
    snprintf(src->info.codec, sizeof(src->info.codec), "v4l2 %s", p->st.fourcc_str);
}

static hd_status v4l2_open_src(hd_source *src, const char *uri, const hd_source_opts *o)
{
    v4l2_priv *p = src->priv;
    hd_status st;

    if (strlen(uri) >= sizeof(p->path))
        return hd_fail(HD_ERR_INVALID, "camera path too long: %.40s...", uri);
    if (o->want_format != HD_PIX_NONE && o->want_format != HD_PIX_YUV420P &&
        o->want_format != HD_PIX_GRAY8)
        return hd_fail(HD_ERR_INVALID, "camera source: only YUV420P or GRAY8 frames");
    if (o->width < 0 || o->height < 0 || o->fps < 0 || o->fps > 1000 ||
        (o->width == 0) != (o->height == 0))
        return hd_fail(HD_ERR_INVALID, "camera source: bad size %dx%d or rate %g", o->width,
                       o->height, o->fps);
    snprintf(p->path, sizeof(p->path), "%s", uri);
    p->ops = o->dev_ops ? o->dev_ops : &hd_v4l2_libv4l2_ops;
    p->fd = -1;
    p->held = -1;
    p->want = o->want_format == HD_PIX_GRAY8 ? HD_PIX_GRAY8 : HD_PIX_YUV420P;
    p->st.req_width = o->width ? o->width : 1280;
    p->st.req_height = o->height ? o->height : 720;
    p->st.req_fps = o->fps > 0 ? o->fps : 30.0;
    p->st.req_fourcc = V4L2_PIX_FMT_YUV420;

    st = dev_start(p, 1);
    if (st != HD_OK) {
        free(p->conv);
        p->conv = NULL;
        return st;
    }
    fill_info(src, p);
    return HD_OK;
}

/* The device failed: release everything and retry about once a second from now on. */
static void go_lost(v4l2_priv *p, const char *why)
{
    HD_LOG(HD_LOG_WARN, "camera %s lost (%s): retrying every second", p->path, why);
    dev_stop(p);
    p->lost = 1;
    p->st.stalled = 0;
    p->next_retry_us = mono_us() + V4L2_RETRY_US;
}

/* While lost: sleep about a frame period, reopen when it is time. Always HD_AGAIN. */
static hd_status lost_step(hd_source *src, v4l2_priv *p)
{
    int64_t now = mono_us();
    if (now >= p->next_retry_us) {
        if (dev_start(p, 0) == HD_OK) {
            p->lost = 0;
            p->st.reconnects++;
            fill_info(src, p);
            HD_LOG(HD_LOG_WARN, "camera %s is back: %dx%d at %g fps", p->path, p->width, p->height,
                   p->st.fps);
            return HD_AGAIN;
        }
        HD_LOG(HD_LOG_DEBUG, "camera %s: reopen failed: %s", p->path, hd_last_error());
        p->next_retry_us = now + V4L2_RETRY_US;
    }
    {
        int64_t wait = p->next_retry_us - now;
        if (wait > p->period_us)
            wait = p->period_us;
        sleep_us(wait);
    }
    return HD_AGAIN;
}

static void requeue(v4l2_priv *p, unsigned index)
{
    struct v4l2_buffer b = {
        .index = index, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    if (xioctl(p, VIDIOC_QBUF, &b) == -1 && errno != ENODEV) {
        p->st.errors++;
        HD_LOG(HD_LOG_DEBUG, "camera %s: QBUF %u: %s", p->path, index, strerror(errno));
    }
}

/* YUYV (packed 4:2:2) to planar 4:2:0: luma copied, chroma of each row pair averaged. */
static void yuyv_to_i420(const uint8_t *src, int sstride, int w, int h, uint8_t *y, uint8_t *u,
                         uint8_t *v)
{
    int cw = (w + 1) / 2;
    for (int r = 0; r < h; r++) {
        const uint8_t *s = src + (size_t)r * sstride;
        uint8_t *yr = y + (size_t)r * w;
        for (int x = 0; x < w; x++)
            yr[x] = s[2 * x];
    }
    for (int r = 0; r < (h + 1) / 2; r++) {
        const uint8_t *s0 = src + (size_t)(2 * r) * sstride;
        const uint8_t *s1 = (2 * r + 1 < h) ? s0 + sstride : s0;
        uint8_t *ur = u + (size_t)r * cw, *vr = v + (size_t)r * cw;
        for (int x = 0; x < w / 2; x++) {
            ur[x] = (uint8_t)((s0[4 * x + 1] + s1[4 * x + 1] + 1) / 2);
            vr[x] = (uint8_t)((s0[4 * x + 3] + s1[4 * x + 3] + 1) / 2);
        }
        if (w & 1) { /* an odd last column has no pair; reuse the previous chroma */
            ur[cw - 1] = cw > 1 ? ur[cw - 2] : 128;
            vr[cw - 1] = cw > 1 ? vr[cw - 2] : 128;
        }
    }
}

/* Anchors a new stream (the first open or a reconnect) on its first buffer so that pts_us
 * and seq continue after what was delivered. A monotonic clock is shared by every stream of
 * the device, so a gap in it (an unplug) is real time and is kept. */
static void anchor(v4l2_priv *p, const struct v4l2_buffer *b)
{
    int64_t ts = (int64_t)b->timestamp.tv_sec * 1000000 + b->timestamp.tv_usec;
    int mono = (b->flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
    int64_t want0 = p->have_first ? p->last_pts + p->period_us : 0;

    if (mono && p->have_mono && ts + p->mono_off >= want0) {
        p->stream_off = p->mono_off;
    } else {
        p->stream_off = want0 - ts;
        if (mono) {
            p->have_mono = 1;
            p->mono_off = p->stream_off;
        }
    }
    p->seq_off = (p->have_first ? p->last_seq + 1 : 0) - (int64_t)b->sequence;
    p->stream_first = 1;
}

/* pts_us and seq of a buffer of the anchored stream. */
static void stamp(v4l2_priv *p, const struct v4l2_buffer *b, hd_frame *out)
{
    int64_t ts = (int64_t)b->timestamp.tv_sec * 1000000 + b->timestamp.tv_usec;
    out->pts_us = ts + p->stream_off;
    if (p->have_first && out->pts_us <= p->last_pts)
        out->pts_us = p->last_pts + 1; /* a driver that repeats a timestamp: time moves on */
    out->seq = (int64_t)b->sequence + p->seq_off;
    if (p->have_first && out->seq <= p->last_seq)
        out->seq = p->last_seq + 1;
    p->have_first = 1;
    p->last_pts = out->pts_us;
    p->last_seq = out->seq;
}

static void lend(v4l2_priv *p, const struct v4l2_buffer *b, hd_frame *out)
{
    const uint8_t *base = p->bufs[b->index].start;
    int w = p->width, h = p->height;

    out->width = w;
    out->height = h;
    if (p->fourcc == V4L2_PIX_FMT_YUYV) {
        uint8_t *y = p->conv, *u = y + (size_t)w * h;
        uint8_t *v = u + (size_t)((w + 1) / 2) * ((h + 1) / 2);
        yuyv_to_i420(base, p->bpl, w, h, y, u, v);
        out->plane[0] = y;
        out->plane[1] = u;
        out->plane[2] = v;
        out->stride[0] = w;
        out->stride[1] = out->stride[2] = (w + 1) / 2;
        requeue(p, b->index); /* the pixels are copied: the buffer can go back at once */
    } else {
        int cs = p->bpl / 2;
        out->plane[0] = base;
        out->plane[1] = base + (size_t)p->bpl * h;
        out->plane[2] = out->plane[1] + (size_t)cs * ((h + 1) / 2);
        out->stride[0] = p->bpl;
        out->stride[1] = out->stride[2] = cs;
        p->held = (int)b->index;
    }
    out->format = p->want;
    if (p->want == HD_PIX_GRAY8) {
        out->plane[1] = out->plane[2] = NULL;
        out->stride[1] = out->stride[2] = 0;
    }
    out->opaque = p;
}

static hd_status on_timeout(v4l2_priv *p)
{
    int64_t quiet = mono_us() - p->last_frame_us;
    if (quiet >= V4L2_STALL_US && !p->st.stalled) {
        p->st.stalled = 1;
        p->st.stalls++;
        HD_LOG(HD_LOG_WARN, "camera %s: no frame for %.1f s", p->path, quiet / 1e6);
    }
    if (quiet >= V4L2_RESTART_US)
        go_lost(p, "no frames: restarting it");
    return HD_AGAIN;
}

static hd_status v4l2_acquire(hd_source *src, hd_frame *out)
{
    v4l2_priv *p = src->priv;
    struct v4l2_buffer newest, b;
    int have = 0, eintr = 0;
    struct pollfd pfd;
    int timeout_ms, r;

    if (p->held >= 0) { /* the caller forgot to release: take it back */
        requeue(p, (unsigned)p->held);
        p->held = -1;
    }
    if (p->lost)
        return lost_step(src, p);

    timeout_ms = (int)((p->period_us + 999) / 1000);
    pfd.fd = p->fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    r = p->ops->poll(p->ops->ctx, &pfd, 1, timeout_ms);
    if (r == -1) {
        if (errno == EINTR || errno == EAGAIN)
            return HD_AGAIN;
        go_lost(p, strerror(errno));
        return HD_AGAIN;
    }
    if (r == 0)
        return on_timeout(p);
    if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
        go_lost(p, pfd.revents & POLLHUP ? "hung up" : "device error");
        return HD_AGAIN;
    }

    /* take every ready buffer; keep the newest, give the older ones back */
    for (;;) {
        memset(&b, 0, sizeof(b));
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b.memory = V4L2_MEMORY_MMAP;
        if (p->ops->ioctl(p->ops->ctx, p->fd, VIDIOC_DQBUF, &b) == -1) {
            int err = errno;
            if (err == EAGAIN)
                break;
            if (err == EINTR && ++eintr < V4L2_MAX_EINTR)
                continue;
            if (err == ENODEV) {
                if (have)
                    requeue(p, newest.index);
                go_lost(p, "unplugged");
                return HD_AGAIN;
            }
            p->st.errors++;
            if (++p->error_run >= V4L2_MAX_ERROR_RUN) {
                if (have)
                    requeue(p, newest.index);
                go_lost(p, strerror(err));
                return HD_AGAIN;
            }
            HD_LOG(HD_LOG_DEBUG, "camera %s: DQBUF: %s", p->path, strerror(err));
            break;
        }
        if (b.index >= p->nbuf) {
            p->st.errors++;
            continue;
        }
        if (b.flags & V4L2_BUF_FLAG_ERROR) { /* a damaged frame: not a picture */
            p->st.errors++;
            requeue(p, b.index);
            continue;
        }
        if (!p->stream_first) {
            anchor(p, &b);
        } else {
            uint32_t gap = b.sequence - p->last_hw_seq - 1;
            if (b.sequence != p->last_hw_seq && gap < 1000000)
                p->st.dropped += gap;
        }
        p->last_hw_seq = b.sequence;
        if (have) {
            requeue(p, newest.index);
            p->st.skipped++;
        }
        newest = b;
        have = 1;
    }
    if (!have)
        return HD_AGAIN;
    p->error_run = 0;
    p->last_frame_us = mono_us();
    p->st.stalled = 0;
    lend(p, &newest, out);
    stamp(p, &newest, out);
    p->st.delivered++;
    return HD_OK;
}

static void v4l2_release(hd_source *src, hd_frame *frame)
{
    v4l2_priv *p = src->priv;
    if (!frame || frame->opaque != p)
        return;
    if (p->held >= 0 && !p->lost && p->fd >= 0)
        requeue(p, (unsigned)p->held);
    p->held = -1;
}

static void v4l2_close_src(hd_source *src)
{
    v4l2_priv *p = src->priv;
    dev_stop(p);
    free(p->conv);
    p->conv = NULL;
}

void hd_source_v4l2_stats(const hd_source *src, hd_v4l2_stats *out)
{
    if (!out)
        return;
    if (!src || src->ops != &hd_source_v4l2_ops || !src->priv) {
        memset(out, 0, sizeof(*out));
        return;
    }
    {
        const v4l2_priv *p = src->priv;
        *out = p->st;
        out->lost = p->lost || p->st.stalled;
        out->mono_origin_us = p->have_mono ? -p->mono_off : 0;
    }
}

const hd_source_ops hd_source_v4l2_ops = {
    .name = "v4l2",
    .priv_size = sizeof(v4l2_priv),
    .open = v4l2_open_src,
    .acquire = v4l2_acquire,
    .release = v4l2_release,
    .close = v4l2_close_src,
};
