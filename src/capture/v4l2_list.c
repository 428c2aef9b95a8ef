/* v4l2_list.c - finding cameras and describing what they offer (for `heeldrop devices`).
 *
 * Everything goes through an hd_v4l2_dev_ops table, so an emulated camera (in process or
 * preloaded under libv4l2) is found and described exactly like a real one.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <linux/videodev2.h>

#include "heeldrop/source_v4l2.h"

#define V4L2_MAX_NODES 64

static int xioctl(const hd_v4l2_dev_ops *ops, int fd, unsigned long req, void *arg)
{
    int r, tries = 0;
    do {
        r = ops->ioctl(ops->ctx, fd, req, arg);
    } while (r == -1 && errno == EINTR && ++tries < 8);
    return r;
}

/* 1: fd is a video capture device (cap filled). */
static int is_capture(const hd_v4l2_dev_ops *ops, int fd, struct v4l2_capability *cap)
{
    unsigned caps;
    memset(cap, 0, sizeof(*cap));
    if (xioctl(ops, fd, VIDIOC_QUERYCAP, cap) == -1)
        return 0;
    caps = (cap->capabilities & V4L2_CAP_DEVICE_CAPS) ? cap->device_caps : cap->capabilities;
    return (caps & V4L2_CAP_VIDEO_CAPTURE) != 0;
}

hd_status hd_v4l2_find_camera_with(const hd_v4l2_dev_ops *ops, char *path, size_t n)
{
    int nodes = 0, denied = 0;
    char p[32];

    if (!ops)
        ops = &hd_v4l2_libv4l2_ops;
    if (!path || n == 0)
        return hd_fail(HD_ERR_INVALID, "hd_v4l2_find_camera: no room for the path");
    for (int i = 0; i < V4L2_MAX_NODES; i++) {
        struct v4l2_capability cap;
        int fd, ok;
        snprintf(p, sizeof(p), "/dev/video%d", i);
        fd = ops->open(ops->ctx, p, O_RDWR | O_NONBLOCK);
        if (fd < 0) {
            if (errno == EACCES || errno == EPERM) {
                nodes++;
                denied++;
            } else if (errno != ENOENT && errno != ENODEV && errno != ENXIO) {
                nodes++;
            }
            continue;
        }
        nodes++;
        ok = is_capture(ops, fd, &cap);
        ops->close(ops->ctx, fd);
        if (ok) {
            if (strlen(p) >= n)
                return hd_fail(HD_ERR_INVALID, "hd_v4l2_find_camera: path buffer too small");
            memcpy(path, p, strlen(p) + 1);
            return HD_OK;
        }
    }
    path[0] = '\0';
    if (denied)
        return hd_fail(HD_ERR_NOTFOUND,
                       "no camera found: looked for a video capture device at /dev/video0 to "
                       "/dev/video%d and may not open %d of them (join the 'video' group); to "
                       "use a saved video run 'heeldrop analyze FILE' or "
                       "'heeldrop live --source FILE'",
                       V4L2_MAX_NODES - 1, denied);
    if (nodes)
        return hd_fail(HD_ERR_NOTFOUND,
                       "no camera found: looked for a video capture device at /dev/video0 to "
                       "/dev/video%d; %d device(s) there, none captures video; to use a saved "
                       "video run 'heeldrop analyze FILE' or 'heeldrop live --source FILE'",
                       V4L2_MAX_NODES - 1, nodes);
    return hd_fail(HD_ERR_NOTFOUND,
                   "no camera found: looked for a video capture device at /dev/video0 to "
                   "/dev/video%d and there is none; to use a saved video run "
                   "'heeldrop analyze FILE' or 'heeldrop live --source FILE'",
                   V4L2_MAX_NODES - 1);
}

hd_status hd_v4l2_find_camera(char *path, size_t n)
{
    return hd_v4l2_find_camera_with(NULL, path, n);
}

static void print_rate(FILE *out, const struct v4l2_fract *f, int *first)
{
    if (!f->numerator)
        return;
    fprintf(out, "%s%g", *first ? "" : ", ", (double)f->denominator / f->numerator);
    *first = 0;
}

static void describe_intervals(const hd_v4l2_dev_ops *ops, int fd, uint32_t fourcc, uint32_t w,
                               uint32_t h, FILE *out)
{
    struct v4l2_frmivalenum iv;
    int first = 1;
    for (uint32_t i = 0; i < 64; i++) {
        memset(&iv, 0, sizeof(iv));
        iv.index = i;
        iv.pixel_format = fourcc;
        iv.width = w;
        iv.height = h;
        if (xioctl(ops, fd, VIDIOC_ENUM_FRAMEINTERVALS, &iv) == -1)
            break;
        if (iv.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
            print_rate(out, &iv.discrete, &first);
            continue;
        }
        /* a range: the fastest and slowest rates */
        if (iv.stepwise.min.numerator && iv.stepwise.max.numerator)
            fprintf(out, "%s%g to %g", first ? "" : ", ",
                    (double)iv.stepwise.max.denominator / iv.stepwise.max.numerator,
                    (double)iv.stepwise.min.denominator / iv.stepwise.min.numerator);
        first = 0;
        break;
    }
    fprintf(out, first ? "rate not listed\n" : " fps\n");
}

static void describe_sizes(const hd_v4l2_dev_ops *ops, int fd, uint32_t fourcc, FILE *out)
{
    struct v4l2_frmsizeenum fs;
    int any = 0;
    for (uint32_t i = 0; i < 256; i++) {
        char sz[32];
        memset(&fs, 0, sizeof(fs));
        fs.index = i;
        fs.pixel_format = fourcc;
        if (xioctl(ops, fd, VIDIOC_ENUM_FRAMESIZES, &fs) == -1)
            break;
        any = 1;
        if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
            snprintf(sz, sizeof(sz), "%ux%u", fs.discrete.width, fs.discrete.height);
            fprintf(out, "      %-11s ", sz);
            describe_intervals(ops, fd, fourcc, fs.discrete.width, fs.discrete.height, out);
            continue;
        }
        fprintf(out,
                "      %ux%u to %ux%u in steps of %ux%u; at the largest: ", fs.stepwise.min_width,
                fs.stepwise.min_height, fs.stepwise.max_width, fs.stepwise.max_height,
                fs.stepwise.step_width, fs.stepwise.step_height);
        describe_intervals(ops, fd, fourcc, fs.stepwise.max_width, fs.stepwise.max_height, out);
        break;
    }
    if (!any)
        fprintf(out, "      (sizes not listed)\n");
}

hd_status hd_v4l2_describe(const hd_v4l2_dev_ops *ops, const char *path, FILE *out)
{
    struct v4l2_capability cap;
    int fd;

    if (!ops)
        ops = &hd_v4l2_libv4l2_ops;
    if (!path || !out)
        return hd_fail(HD_ERR_INVALID, "hd_v4l2_describe: NULL argument");
    fd = ops->open(ops->ctx, path, O_RDWR | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        if (err == EACCES || err == EPERM)
            return hd_fail(HD_ERR_IO, "camera %s: permission denied (join the 'video' group)",
                           path);
        if (err == ENOENT || err == ENODEV || err == ENXIO)
            return hd_fail(HD_ERR_NOTFOUND, "camera %s not found", path);
        return hd_fail(HD_ERR_DEVICE, "camera %s: %s", path, strerror(err));
    }
    if (!is_capture(ops, fd, &cap)) {
        ops->close(ops->ctx, fd);
        return hd_fail(HD_ERR_NOTFOUND, "%s is not a video capture device", path);
    }
    fprintf(out, "%s: %.32s\n", path, (const char *)cap.card);
    fprintf(out, "  driver %.16s, bus %.32s\n", (const char *)cap.driver,
            (const char *)cap.bus_info);
    for (uint32_t i = 0; i < 64; i++) {
        struct v4l2_fmtdesc fd_;
        char fc[8];
        memset(&fd_, 0, sizeof(fd_));
        fd_.index = i;
        fd_.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(ops, fd, VIDIOC_ENUM_FMT, &fd_) == -1)
            break;
        fprintf(out, "    %-4s  %.32s%s%s\n", hd_v4l2_fourcc_str(fd_.pixelformat, fc),
                (const char *)fd_.description,
                (fd_.flags & V4L2_FMT_FLAG_COMPRESSED) ? " (compressed)" : "",
                (fd_.flags & V4L2_FMT_FLAG_EMULATED) ? " (converted by libv4l2)" : "");
        describe_sizes(ops, fd, fd_.pixelformat, out);
    }
    ops->close(ops->ctx, fd);
    return HD_OK;
}
