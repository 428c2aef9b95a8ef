/* test_emucam.c - the emulated camera speaks V4L2 the way a kernel driver does: the
 * answers and errno values the backend (and libv4l2) rely on. */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/videodev2.h>

#include "emucam.h"
#include "test.h"

static emucam *make(const char *formats, const char *sizes, const char *rates)
{
    emucam_cfg c;
    emucam *cam = NULL;
    emucam_cfg_default(&c);
    if (formats)
        c.formats = formats;
    if (sizes)
        c.sizes = sizes;
    if (rates)
        c.rates = rates;
    if (emucam_create(&c, &cam) != HD_OK)
        fprintf(stderr, "emucam_create: %s\n", hd_last_error());
    return cam;
}

static void test_querycap_and_enum(void)
{
    emucam *cam = make("MJPG,YUYV", "640x480,320x240", "30,15");
    struct v4l2_capability cap;
    struct v4l2_fmtdesc fd;
    struct v4l2_frmsizeenum fs;
    struct v4l2_frmivalenum iv;
    int fd_, n;

    CHECK(emucam_open(cam, "/dev/video1", O_RDWR) == -1 && errno == ENOENT);
    fd_ = emucam_open(cam, "/dev/video0", O_RDWR | O_NONBLOCK);
    CHECK(fd_ >= 0);
    memset(&cap, 0, sizeof(cap));
    CHECK(emucam_ioctl(cam, fd_, VIDIOC_QUERYCAP, &cap) == 0);
    CHECK(!strcmp((char *)cap.driver, "heeldrop-emucam"));
    CHECK(cap.device_caps == (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING));
    CHECK(cap.capabilities & V4L2_CAP_DEVICE_CAPS);

    for (n = 0;; n++) {
        memset(&fd, 0, sizeof(fd));
        fd.index = (unsigned)n;
        fd.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (emucam_ioctl(cam, fd_, VIDIOC_ENUM_FMT, &fd) == -1)
            break;
    }
    CHECK(n == 2 && errno == EINVAL);
    memset(&fd, 0, sizeof(fd));
    fd.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
    CHECK(emucam_ioctl(cam, fd_, VIDIOC_ENUM_FMT, &fd) == -1 && errno == EINVAL);

    memset(&fs, 0, sizeof(fs));
    fs.pixel_format = V4L2_PIX_FMT_YUYV;
    fs.index = 1;
    CHECK(emucam_ioctl(cam, fd_, VIDIOC_ENUM_FRAMESIZES, &fs) == 0);
    CHECK(fs.type == V4L2_FRMSIZE_TYPE_DISCRETE && fs.discrete.width == 320);
    fs.index = 2;
    CHECK(emucam_ioctl(cam, fd_, VIDIOC_ENUM_FRAMESIZES, &fs) == -1 && errno == EINVAL);
    fs.index = 0;
    fs.pixel_format = V4L2_PIX_FMT_RGB24;
    CHECK(emucam_ioctl(cam, fd_, VIDIOC_ENUM_FRAMESIZES, &fs) == -1 && errno == EINVAL);

    memset(&iv, 0, sizeof(iv));
    iv.pixel_format = V4L2_PIX_FMT_MJPEG;
    iv.width = 640;
    iv.height = 480;
    iv.index = 1;
    CHECK(emucam_ioctl(cam, fd_, VIDIOC_ENUM_FRAMEINTERVALS, &iv) == 0);
    CHECK(iv.discrete.numerator == 1 && iv.discrete.denominator == 15);
    iv.width = 641;
    CHECK(emucam_ioctl(cam, fd_, VIDIOC_ENUM_FRAMEINTERVALS, &iv) == -1 && errno == EINVAL);

    /* an ioctl a camera does not know */
    {
        v4l2_std_id std;
        CHECK(emucam_ioctl(cam, fd_, VIDIOC_G_STD, &std) == -1 && errno == ENOTTY);
    }
    CHECK(emucam_ioctl(cam, 12345, VIDIOC_QUERYCAP, &cap) == -1 && errno == EBADF);
    CHECK(emucam_close(cam, fd_) == 0);
    emucam_destroy(cam);
}

static void test_format_negotiation(void)
{
    emucam *cam = make("YUYV,MJPG", "640x480,320x240", "30,15");
    struct v4l2_format f;
    struct v4l2_streamparm parm;
    int fd = emucam_open(cam, "/dev/video0", O_RDWR);

    memset(&f, 0, sizeof(f));
    f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    f.fmt.pix.width = 330;
    f.fmt.pix.height = 250;
    f.fmt.pix.pixelformat = V4L2_PIX_FMT_RGB24; /* not offered: the driver picks its own */
    CHECK(emucam_ioctl(cam, fd, VIDIOC_TRY_FMT, &f) == 0);
    CHECK(f.fmt.pix.pixelformat == V4L2_PIX_FMT_YUYV && f.fmt.pix.width == 320);
    CHECK(f.fmt.pix.bytesperline == 640 && f.fmt.pix.sizeimage == 320 * 240 * 2);
    memset(&f, 0, sizeof(f));
    f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    CHECK(emucam_ioctl(cam, fd, VIDIOC_G_FMT, &f) == 0);
    CHECK(f.fmt.pix.width == 640); /* TRY_FMT changed nothing */

    f.fmt.pix.width = 320;
    f.fmt.pix.height = 240;
    f.fmt.pix.pixelformat = V4L2_PIX_FMT_MJPEG;
    CHECK(emucam_ioctl(cam, fd, VIDIOC_S_FMT, &f) == 0);
    CHECK(f.fmt.pix.pixelformat == V4L2_PIX_FMT_MJPEG && f.fmt.pix.width == 320);

    memset(&parm, 0, sizeof(parm));
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    parm.parm.capture.timeperframe.numerator = 1;
    parm.parm.capture.timeperframe.denominator = 20; /* nearest offered: 15 */
    CHECK(emucam_ioctl(cam, fd, VIDIOC_S_PARM, &parm) == 0);
    CHECK(parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME);
    CHECK(parm.parm.capture.timeperframe.denominator == 15);
    emucam_close(cam, fd);
    emucam_destroy(cam);
}

static void test_buffers_strict(void)
{
    emucam *cam = make("YUYV", "320x240", "30");
    struct v4l2_requestbuffers rb = {
        .count = 4, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_USERPTR};
    struct v4l2_buffer b;
    struct v4l2_format f;
    enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    int fd = emucam_open(cam, "/dev/video0", O_RDWR | O_NONBLOCK);
    int fd2 = emucam_open(cam, "/dev/video0", O_RDWR | O_NONBLOCK);
    void *maps[4];
    size_t lens[4];
    struct pollfd pfd;
    emucam_counters c;

    CHECK(emucam_ioctl(cam, fd, VIDIOC_REQBUFS, &rb) == -1 && errno == EINVAL);
    rb.memory = V4L2_MEMORY_MMAP;
    CHECK(emucam_ioctl(cam, fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count == 4);
    /* a second user may not take the queue, nor change the format under it */
    CHECK(emucam_ioctl(cam, fd2, VIDIOC_REQBUFS, &rb) == -1 && errno == EBUSY);
    memset(&f, 0, sizeof(f));
    f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    emucam_ioctl(cam, fd, VIDIOC_G_FMT, &f);
    CHECK(emucam_ioctl(cam, fd2, VIDIOC_S_FMT, &f) == -1 && errno == EBUSY);

    for (unsigned i = 0; i < 4; i++) {
        memset(&b, 0, sizeof(b));
        b.index = i;
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b.memory = V4L2_MEMORY_MMAP;
        CHECK(emucam_ioctl(cam, fd, VIDIOC_QUERYBUF, &b) == 0);
        lens[i] = b.length;
        maps[i] = emucam_mmap(cam, NULL, b.length, PROT_READ, MAP_PRIVATE, fd, b.m.offset);
        CHECK(maps[i] == MAP_FAILED && errno == EINVAL); /* vb2 wants MAP_SHARED */
        maps[i] =
            emucam_mmap(cam, NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b.m.offset);
        CHECK(maps[i] != MAP_FAILED);
        CHECK(emucam_ioctl(cam, fd, VIDIOC_QBUF, &b) == 0);
    }
    memset(&b, 0, sizeof(b));
    b.index = 2;
    b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b.memory = V4L2_MEMORY_MMAP;
    CHECK(emucam_ioctl(cam, fd, VIDIOC_QBUF, &b) == -1 && errno == EINVAL); /* double QBUF */
    b.index = 9;
    CHECK(emucam_ioctl(cam, fd, VIDIOC_QBUF, &b) == -1 && errno == EINVAL);

    /* not streaming: poll says error, DQBUF says EINVAL */
    pfd.fd = fd;
    pfd.events = POLLIN;
    CHECK(emucam_poll(cam, &pfd, 1, 0) == 1 && (pfd.revents & POLLERR));
    CHECK(emucam_ioctl(cam, fd, VIDIOC_DQBUF, &b) == -1 && errno == EINVAL);

    CHECK(emucam_ioctl(cam, fd, VIDIOC_STREAMON, &t) == 0);
    CHECK(emucam_ioctl(cam, fd, VIDIOC_DQBUF, &b) == -1 && errno == EAGAIN);
    CHECK(emucam_poll(cam, &pfd, 1, 200) == 1 && (pfd.revents & POLLIN));
    CHECK(emucam_ioctl(cam, fd, VIDIOC_DQBUF, &b) == 0);
    CHECK(b.sequence == 0 && b.bytesused == 320 * 240 * 2);
    CHECK((b.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC);
    /* the frame is in the mapping: YUYV of the scene's frame 0 */
    {
        uint8_t Y, U, V;
        const uint8_t *px = maps[b.index];
        emucam_scene_pixel(320, 240, 0, 10, 20, &Y, &U, &V);
        CHECK(px[20 * 640 + 20] == Y && px[20 * 640 + 21] == U && px[20 * 640 + 23] == V);
    }
    CHECK(emucam_ioctl(cam, fd, VIDIOC_S_FMT, &f) == -1 && errno == EBUSY);
    CHECK(emucam_ioctl(cam, fd, VIDIOC_STREAMOFF, &t) == 0);
    /* buffers still mapped: they may not be freed */
    rb.count = 0;
    CHECK(emucam_ioctl(cam, fd, VIDIOC_REQBUFS, &rb) == -1 && errno == EBUSY);
    for (unsigned i = 0; i < 4; i++) {
        int r = -1;
        CHECK(emucam_munmap(cam, maps[i], lens[i], &r) == 1 && r == 0);
    }
    CHECK(emucam_ioctl(cam, fd, VIDIOC_REQBUFS, &rb) == 0);
    emucam_close(cam, fd);
    emucam_close(cam, fd2);
    emucam_get_counters(cam, &c);
    CHECK(c.open_fds == 0 && c.mappings == 0 && c.double_qbuf == 1);
    emucam_destroy(cam);
}

static void test_unplug_errors(void)
{
    emucam *cam = make("YUYV", "320x240", "30");
    struct v4l2_capability cap;
    struct pollfd pfd;
    int fd = emucam_open(cam, "/dev/video0", O_RDWR | O_NONBLOCK);
    emucam_unplug(cam, 0.2);
    CHECK(emucam_ioctl(cam, fd, VIDIOC_QUERYCAP, &cap) == -1 && errno == ENODEV);
    pfd.fd = fd;
    pfd.events = POLLIN;
    CHECK(emucam_poll(cam, &pfd, 1, 0) == 1 && (pfd.revents & POLLHUP) && (pfd.revents & POLLERR));
    CHECK(emucam_open(cam, "/dev/video0", O_RDWR) == -1 && errno == ENOENT);
    {
        struct timespec ts = {0, 300000000};
        nanosleep(&ts, NULL);
    }
    /* back: a new descriptor works, the old one stays dead */
    {
        int fd2 = emucam_open(cam, "/dev/video0", O_RDWR);
        CHECK(fd2 >= 0);
        CHECK(emucam_ioctl(cam, fd2, VIDIOC_QUERYCAP, &cap) == 0);
        CHECK(emucam_ioctl(cam, fd, VIDIOC_QUERYCAP, &cap) == -1 && errno == ENODEV);
        emucam_close(cam, fd2);
    }
    CHECK(emucam_close(cam, fd) == 0);
    emucam_destroy(cam);
}

static void test_fault_spec(void)
{
    emucam *cam = make(NULL, NULL, NULL);
    struct v4l2_capability cap;
    int fd = emucam_open(cam, "/dev/video0", O_RDWR);
    CHECK(emucam_add_faults(cam, "ioctl:EIO:2,bogus:EIO:1") == HD_ERR_INVALID);
    CHECK(emucam_add_faults(cam, "ioctl:EIO:2") == HD_OK);
    CHECK(emucam_ioctl(cam, fd, VIDIOC_QUERYCAP, &cap) == 0);
    CHECK(emucam_ioctl(cam, fd, VIDIOC_QUERYCAP, &cap) == -1 && errno == EIO);
    CHECK(emucam_ioctl(cam, fd, VIDIOC_QUERYCAP, &cap) == 0); /* once */
    emucam_close(cam, fd);
    emucam_destroy(cam);
}

/* Streams one frame and returns 1 when its JPEG has Huffman tables before the scan. */
static int first_frame_has_dht(int no_dht, int *is_jpeg)
{
    emucam_cfg cfg;
    emucam *cam = NULL;
    struct v4l2_requestbuffers rb = {
        .count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    struct v4l2_buffer b;
    enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    struct pollfd pfd;
    void *map[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    int fd, has = 0;

    emucam_cfg_default(&cfg);
    cfg.formats = "MJPG";
    cfg.sizes = "320x240";
    cfg.mjpeg_no_dht = no_dht;
    *is_jpeg = 0;
    if (emucam_create(&cfg, &cam) != HD_OK)
        return -1;
    fd = emucam_open(cam, "/dev/video0", O_RDWR | O_NONBLOCK);
    CHECK(emucam_ioctl(cam, fd, VIDIOC_REQBUFS, &rb) == 0);
    for (unsigned i = 0; i < 2; i++) {
        memset(&b, 0, sizeof(b));
        b.index = i;
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b.memory = V4L2_MEMORY_MMAP;
        CHECK(emucam_ioctl(cam, fd, VIDIOC_QUERYBUF, &b) == 0);
        len[i] = b.length;
        map[i] = emucam_mmap(cam, NULL, b.length, PROT_READ, MAP_SHARED, fd, b.m.offset);
        CHECK(emucam_ioctl(cam, fd, VIDIOC_QBUF, &b) == 0);
    }
    CHECK(emucam_ioctl(cam, fd, VIDIOC_STREAMON, &t) == 0);
    pfd.fd = fd;
    pfd.events = POLLIN;
    CHECK(emucam_poll(cam, &pfd, 1, 500) == 1);
    memset(&b, 0, sizeof(b));
    b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b.memory = V4L2_MEMORY_MMAP;
    if (emucam_ioctl(cam, fd, VIDIOC_DQBUF, &b) == 0 && map[b.index] != MAP_FAILED) {
        const uint8_t *j = map[b.index];
        size_t i = 2;
        *is_jpeg = b.bytesused > 4 && j[0] == 0xff && j[1] == 0xd8 && j[b.bytesused - 2] == 0xff &&
                   j[b.bytesused - 1] == 0xd9;
        while (i + 4 <= b.bytesused && j[i] == 0xff && j[i + 1] != 0xda) {
            if (j[i + 1] == 0xc4)
                has = 1;
            i += 2 + (((size_t)j[i + 2] << 8) | j[i + 3]);
        }
    }
    for (unsigned i = 0; i < 2; i++) {
        int r;
        if (map[i] && map[i] != MAP_FAILED)
            emucam_munmap(cam, map[i], len[i], &r);
    }
    emucam_close(cam, fd);
    emucam_destroy(cam);
    return has;
}

static void test_mjpeg_tables(void)
{
    int jpeg = 0;
    CHECK(first_frame_has_dht(0, &jpeg) == 1 && jpeg);
    CHECK(first_frame_has_dht(1, &jpeg) == 0 && jpeg); /* a webcam's table-less MJPEG */
}

int main(void)
{
    RUN(test_querycap_and_enum);
    RUN(test_format_negotiation);
    RUN(test_buffers_strict);
    RUN(test_unplug_errors);
    RUN(test_fault_spec);
    RUN(test_mjpeg_tables);
    return TEST_EXIT();
}
