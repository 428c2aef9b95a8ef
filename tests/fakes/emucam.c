/* emucam.c - the emulated V4L2 camera (see emucam.h).
 *
 * One device instance at a time: an unplug ends it (every descriptor opened on it is dead
 * from then on: its generation no longer matches) and a replug starts a fresh one. The
 * buffer queue follows videobuf2: REQBUFS makes the owner, QBUF puts a dequeued buffer on
 * the incoming queue, frames fill incoming buffers in order and move them to the done
 * queue, DQBUF takes the oldest done buffer, STREAMOFF returns every buffer to the user.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <linux/videodev2.h>

#include "emucam.h"
#include "heeldrop/source.h"

#define EC_MAX_FDS 64
#define EC_MAX_BUFS 16
#define EC_MAX_MAPS 64
#define EC_MAX_FORMATS 4
#define EC_MAX_SIZES 8
#define EC_MAX_RATES 8
#define EC_MAX_FAULTS 16

enum { BUF_USER = 0, BUF_QUEUED, BUF_DONE };
enum { FAULT_ERRNO = 0, FAULT_UNPLUG, FAULT_STALL };

typedef struct ec_fault {
    int op, countdown, persistent, kind, err, active;
    double arg; /* replug delay or stall length */
} ec_fault;

typedef struct ec_pic {
    uint8_t *mem; /* planar 4:2:0, tightly packed */
    size_t cap;
    int w, h;
    int64_t pts_us; /* content time */
} ec_pic;

typedef struct ec_buf {
    int state;
    uint32_t bytesused, sequence;
    int64_t ts_ns;
} ec_buf;

struct emucam {
    pthread_mutex_t mu;
    hd_v4l2_dev_ops ops;
    char path[256], source[1024], driver[16], card[32];
    emucam_cfg cfg;
    uint32_t formats[EC_MAX_FORMATS];
    int nformats;
    int sizes[EC_MAX_SIZES][2];
    int nsizes;
    double rates[EC_MAX_RATES];
    int nrates;

    /* the device instance */
    int plugged, generation;
    int64_t replug_at_ns; /* 0: no replug pending */
    struct {
        int fd, gen;
        int nonblock;
    } fds[EC_MAX_FDS];

    /* format */
    uint32_t fourcc;
    int w, h;
    double fps;

    /* queue */
    int owner; /* fd owning the buffers, -1 none */
    unsigned nbuf;
    size_t buf_len;    /* sizeimage */
    size_t buf_stride; /* page-aligned spacing in the memfd */
    int memfd;
    ec_buf bufs[EC_MAX_BUFS];
    unsigned incoming[EC_MAX_BUFS], nin; /* FIFO of queued buffers */
    unsigned done[EC_MAX_BUFS], ndone;   /* FIFO of filled buffers */
    uint8_t *bufmem;                     /* our own mapping of the memfd, to fill frames */
    size_t bufmem_len;
    int streaming;
    int64_t t0_ns, period_ns, next_frame;
    int64_t first_streamon_ns;
    int64_t stall_start_ns, stall_end_ns; /* active stall window, 0 none */
    int timed_unplug_done, timed_stall_done;

    struct {
        void *addr;
        size_t len;
    } maps[EC_MAX_MAPS];

    ec_fault faults[EC_MAX_FAULTS];
    int nfaults;

    /* content */
    hd_source *file;
    ec_pic pic[2]; /* file frames: pic[cur_pic] showing, the other one next */
    int cur_pic, have_cur, have_next, file_done;
    int64_t file_base_us; /* content time at which the current pass over the file began */
    int64_t file_last_pts;
    uint8_t *img[3]; /* the frame at the negotiated size, planar 4:2:0 */
    int img_w, img_h;
    struct SwsContext *sws;
    AVCodecContext *enc;
    AVFrame *avf;
    AVPacket *pkt;

    emucam_counters c;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time of the calling thread: the frames are made inside heeldrop's own calls, so
 * this is the CPU the fake takes from it (benchmarks subtract it), whatever the load. */
static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
    struct timespec ts;
    if (ns <= 0)
        return;
    ts.tv_sec = ns / 1000000000;
    ts.tv_nsec = (long)(ns % 1000000000);
    nanosleep(&ts, NULL);
}

static int fail_errno(int err)
{
    errno = err;
    return -1;
}

/* ---- configuration ---- */

void emucam_cfg_default(emucam_cfg *c)
{
    memset(c, 0, sizeof(*c));
    c->path = "/dev/video0";
    c->source = "scene";
    c->formats = "MJPG,YUYV";
    c->sizes = "1280x720,640x480,320x240";
    c->rates = "30,15";
    c->driver = "heeldrop-emucam";
    c->card = "HeelDrop emulated camera";
    c->loop = 1;
    c->mjpeg_quality = 3;
    c->unplug_at_s = -1;
    c->replug_after_s = 2;
    c->stall_at_s = -1;
    c->stall_for_s = 2;
}

static hd_status env_double(const char *name, double *out)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v)
        return HD_OK;
    *out = strtod(v, &end);
    if (*end || !isfinite(*out))
        return hd_fail(HD_ERR_INVALID, "%s=%s: not a number", name, v);
    return HD_OK;
}

static hd_status env_int(const char *name, int *out)
{
    const char *v = getenv(name);
    char *end;
    long x;
    if (!v || !*v)
        return HD_OK;
    x = strtol(v, &end, 10);
    if (*end)
        return hd_fail(HD_ERR_INVALID, "%s=%s: not an integer", name, v);
    *out = (int)x;
    return HD_OK;
}

hd_status emucam_cfg_from_env(emucam_cfg *c)
{
    const char *v;
    hd_status st = HD_OK;
#define ENV_STR(name, field)                                                                       \
    if ((v = getenv(name)) && *v)                                                                  \
    c->field = v
    ENV_STR("HD_EMUCAM_DEVICE", path);
    ENV_STR("HD_EMUCAM_SOURCE", source);
    ENV_STR("HD_EMUCAM_FORMATS", formats);
    ENV_STR("HD_EMUCAM_SIZES", sizes);
    ENV_STR("HD_EMUCAM_FPS", rates);
    ENV_STR("HD_EMUCAM_DRIVER", driver);
    ENV_STR("HD_EMUCAM_CARD", card);
    ENV_STR("HD_EMUCAM_FAULTS", faults);
#undef ENV_STR
    if (st == HD_OK)
        st = env_int("HD_EMUCAM_IGNORE_SIZE", &c->ignore_size);
    if (st == HD_OK)
        st = env_int("HD_EMUCAM_IGNORE_FPS", &c->ignore_rate);
    if (st == HD_OK)
        st = env_int("HD_EMUCAM_LOOP", &c->loop);
    if (st == HD_OK)
        st = env_int("HD_EMUCAM_MJPEG_QUALITY", &c->mjpeg_quality);
    if (st == HD_OK)
        st = env_int("HD_EMUCAM_MJPEG_NO_DHT", &c->mjpeg_no_dht);
    if (st == HD_OK)
        st = env_double("HD_EMUCAM_UNPLUG_AT_S", &c->unplug_at_s);
    if (st == HD_OK)
        st = env_double("HD_EMUCAM_REPLUG_AFTER_S", &c->replug_after_s);
    if (st == HD_OK)
        st = env_double("HD_EMUCAM_STALL_AT_S", &c->stall_at_s);
    if (st == HD_OK)
        st = env_double("HD_EMUCAM_STALL_FOR_S", &c->stall_for_s);
    return st;
}

static uint32_t parse_fourcc(const char *s, size_t n)
{
    char b[4] = {' ', ' ', ' ', ' '};
    if (n == 0 || n > 4)
        return 0;
    memcpy(b, s, n);
    return v4l2_fourcc(b[0], b[1], b[2], b[3]);
}

static hd_status parse_lists(emucam *cam, const emucam_cfg *c)
{
    const char *s;
    cam->nformats = 0;
    for (s = c->formats; *s;) {
        size_t n = strcspn(s, ",");
        uint32_t f = parse_fourcc(s, n);
        if (f != V4L2_PIX_FMT_MJPEG && f != V4L2_PIX_FMT_YUYV && f != V4L2_PIX_FMT_YUV420)
            return hd_fail(HD_ERR_INVALID, "emucam formats '%s': MJPG, YUYV or YU12", c->formats);
        if (cam->nformats == EC_MAX_FORMATS)
            return hd_fail(HD_ERR_INVALID, "emucam formats '%s': too many", c->formats);
        cam->formats[cam->nformats++] = f;
        s += n;
        if (*s == ',')
            s++;
    }
    cam->nsizes = 0;
    for (s = c->sizes; *s;) {
        int w, h, used = 0;
        if (sscanf(s, "%dx%d%n", &w, &h, &used) != 2 || w < 16 || h < 16 || w > 4096 || h > 4096 ||
            (w & 1) || (h & 1) || cam->nsizes == EC_MAX_SIZES)
            return hd_fail(HD_ERR_INVALID,
                           "emucam sizes '%s': even WxH from 16x16 to "
                           "4096x4096, up to 8",
                           c->sizes);
        cam->sizes[cam->nsizes][0] = w;
        cam->sizes[cam->nsizes][1] = h;
        cam->nsizes++;
        s += used;
        if (*s == ',')
            s++;
        else if (*s)
            return hd_fail(HD_ERR_INVALID, "emucam sizes '%s': separate with commas", c->sizes);
    }
    cam->nrates = 0;
    for (s = c->rates; *s;) {
        char *end;
        double r = strtod(s, &end);
        if (end == s || !(r >= 1 && r <= 240) || cam->nrates == EC_MAX_RATES)
            return hd_fail(HD_ERR_INVALID, "emucam rates '%s': 1 to 240 fps, up to 8", c->rates);
        cam->rates[cam->nrates++] = r;
        s = end;
        if (*s == ',')
            s++;
        else if (*s)
            return hd_fail(HD_ERR_INVALID, "emucam rates '%s': separate with commas", c->rates);
    }
    if (!cam->nformats || !cam->nsizes || !cam->nrates)
        return hd_fail(HD_ERR_INVALID, "emucam needs at least one format, size and rate");
    return HD_OK;
}

/* ---- formats ---- */

static size_t size_image(uint32_t f, int w, int h)
{
    if (f == V4L2_PIX_FMT_YUV420)
        return (size_t)w * h * 3 / 2;
    return (size_t)w * h * 2; /* YUYV; MJPEG's worst case */
}

static int bytes_per_line(uint32_t f, int w)
{
    return f == V4L2_PIX_FMT_YUYV ? w * 2 : f == V4L2_PIX_FMT_YUV420 ? w : 0;
}

static int has_format(const emucam *cam, uint32_t f)
{
    for (int i = 0; i < cam->nformats; i++)
        if (cam->formats[i] == f)
            return 1;
    return 0;
}

static int size_index(const emucam *cam, int w, int h)
{
    for (int i = 0; i < cam->nsizes; i++)
        if (cam->sizes[i][0] == w && cam->sizes[i][1] == h)
            return i;
    return -1;
}

static void fill_pix(const emucam *cam, struct v4l2_pix_format *p, uint32_t f, int w, int h)
{
    memset(p, 0, sizeof(*p));
    p->width = (unsigned)w;
    p->height = (unsigned)h;
    p->pixelformat = f;
    p->field = V4L2_FIELD_NONE;
    p->bytesperline = (unsigned)bytes_per_line(f, w);
    p->sizeimage = (unsigned)size_image(f, w, h);
    p->colorspace = f == V4L2_PIX_FMT_MJPEG ? V4L2_COLORSPACE_JPEG : V4L2_COLORSPACE_SRGB;
    (void)cam;
}

static double nearest_rate(const emucam *cam, double want)
{
    double best = cam->rates[0];
    for (int i = 1; i < cam->nrates; i++)
        if (fabs(cam->rates[i] - want) < fabs(best - want))
            best = cam->rates[i];
    return best;
}

static void rate_fract(double fps, struct v4l2_fract *f)
{
    unsigned num = 1000, den = (unsigned)lround(fps * 1000.0);
    unsigned a = num, b = den;
    while (b) {
        unsigned t = a % b;
        a = b;
        b = t;
    }
    f->numerator = num / a;
    f->denominator = den / a;
}

static void device_defaults(emucam *cam)
{
    cam->fourcc = cam->formats[0];
    cam->w = cam->sizes[0][0];
    cam->h = cam->sizes[0][1];
    cam->fps = cam->rates[0];
}

/* ---- content ---- */

void emucam_scene_pixel(int w, int h, int64_t n, int x, int y, uint8_t *Y, uint8_t *U, uint8_t *V)
{
    int bw = w / 8 > 2 ? w / 8 : 2, bh = h / 6 > 2 ? h / 6 : 2;
    int span = w - bw > 1 ? w - bw : 1;
    int bx = (int)((n * 4) % span), by = h / 3;
    int cx = x / 2, cy = y / 2;
    /* a smooth ramp with a bright box sliding along it: easy on a JPEG encoder, and the
     * frame number can be read back from the box position */
    *Y = (uint8_t)(40 + (x * 160) / w);
    if (x >= bx && x < bx + bw && y >= by && y < by + bh)
        *Y = 235;
    *U = (uint8_t)(96 + (cx * 2 * 64) / w);
    *V = (uint8_t)(96 + (cy * 2 * 64) / h);
}

static hd_status img_alloc(emucam *cam)
{
    size_t ys = (size_t)cam->w * cam->h, cs = ys / 4;
    if (cam->img_w == cam->w && cam->img_h == cam->h && cam->img[0])
        return HD_OK;
    free(cam->img[0]);
    cam->img[0] = malloc(ys + 2 * cs);
    if (!cam->img[0])
        return hd_fail(HD_ERR_NOMEM, "emucam: out of memory");
    cam->img[1] = cam->img[0] + ys;
    cam->img[2] = cam->img[1] + cs;
    cam->img_w = cam->w;
    cam->img_h = cam->h;
    return HD_OK;
}

/* The same pixels as emucam_scene_pixel, a row at a time: the ramp row is made once and
 * the box drawn over it (a 1280x720 frame costs about a millisecond). */
static void render_scene(emucam *cam, int64_t n)
{
    int w = cam->w, h = cam->h, cw = w / 2, ch = h / 2;
    uint8_t Y, U, V;
    uint8_t *ramp = cam->img[0]; /* row 0 doubles as the template */
    int bx0 = -1, bx1 = -1;
    for (int x = 0; x < w; x++) {
        emucam_scene_pixel(w, h, n, x, 0, &Y, &U, &V);
        ramp[x] = Y;
    }
    /* the box's columns, from a row that crosses it */
    for (int x = 0; x < w; x++) {
        emucam_scene_pixel(w, h, n, x, h / 3, &Y, &U, &V);
        if (Y == 235 && ramp[x] != 235) {
            if (bx0 < 0)
                bx0 = x;
            bx1 = x + 1;
        }
    }
    for (int y = 1; y < h; y++)
        memcpy(cam->img[0] + (size_t)y * w, ramp, (size_t)w);
    if (bx0 >= 0)
        for (int y = 0; y < h; y++) {
            emucam_scene_pixel(w, h, n, bx0, y, &Y, &U, &V);
            if (Y == 235)
                memset(cam->img[0] + (size_t)y * w + bx0, 235, (size_t)(bx1 - bx0));
        }
    for (int x = 0; x < cw; x++) {
        emucam_scene_pixel(w, h, n, 2 * x, 0, &Y, &U, &V);
        cam->img[1][x] = U;
    }
    for (int y = 1; y < ch; y++)
        memcpy(cam->img[1] + (size_t)y * cw, cam->img[1], (size_t)cw);
    for (int y = 0; y < ch; y++) {
        emucam_scene_pixel(w, h, n, 0, 2 * y, &Y, &U, &V);
        memset(cam->img[2] + (size_t)y * cw, V, (size_t)cw);
    }
}

/* A decoded file frame copied out of the file source (which lends one frame at a time), so
 * that the frame showing and the next one can both be kept. */
static hd_status copy_frame(ec_pic *dst, const hd_frame *f)
{
    int cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
    size_t need = (size_t)f->width * f->height + 2 * (size_t)cw * ch;
    if (need > dst->cap) {
        uint8_t *m = realloc(dst->mem, need);
        if (!m)
            return hd_fail(HD_ERR_NOMEM, "emucam: out of memory");
        dst->mem = m;
        dst->cap = need;
    }
    dst->w = f->width;
    dst->h = f->height;
    dst->pts_us = f->pts_us;
    for (int y = 0; y < f->height; y++)
        memcpy(dst->mem + (size_t)y * f->width, f->plane[0] + (size_t)y * f->stride[0],
               (size_t)f->width);
    for (int k = 1; k < 3; k++) {
        uint8_t *o = dst->mem + (size_t)f->width * f->height + (size_t)(k - 1) * cw * ch;
        for (int y = 0; y < ch; y++)
            memcpy(o + (size_t)y * cw, f->plane[k] + (size_t)y * f->stride[k], (size_t)cw);
    }
    return HD_OK;
}

/* Makes pic[cur] the file frame showing at content time t_us: the last one whose time has
 * come (the first one before that). Loops the file at its end, or freezes. */
static hd_status file_seek_to(emucam *cam, int64_t t_us)
{
    hd_status st;
    for (int guard = 0; guard < 1000000; guard++) {
        hd_frame f;
        if (!cam->have_next && !cam->file_done) {
            if (!cam->file) {
                hd_source_opts so = {.want_format = HD_PIX_YUV420P};
                st = hd_source_open(&hd_source_file_ops, cam->source, &so, &cam->file);
                if (st != HD_OK)
                    return st;
            }
            st = hd_source_acquire(cam->file, &f);
            if (st == HD_EOF) {
                double fps = cam->file->info.fps > 0 ? cam->file->info.fps : 30;
                if (!cam->have_cur)
                    return hd_fail(HD_ERR_FORMAT, "emucam: %s has no frames", cam->source);
                hd_source_close(cam->file);
                cam->file = NULL;
                if (!cam->cfg.loop) {
                    cam->file_done = 1;
                    return HD_OK;
                }
                /* the next pass starts one frame period after the last frame */
                cam->file_base_us += cam->file_last_pts + (int64_t)(1e6 / fps);
                cam->file_last_pts = 0;
                continue;
            }
            if (st != HD_OK)
                return st;
            st = copy_frame(&cam->pic[!cam->cur_pic], &f);
            cam->file_last_pts = f.pts_us;
            hd_source_release(cam->file, &f);
            if (st != HD_OK)
                return st;
            cam->pic[!cam->cur_pic].pts_us += cam->file_base_us;
            cam->have_next = 1;
        }
        if (!cam->have_next)
            return HD_OK; /* frozen on the last frame */
        /* due within half a camera period counts as due: file and camera clocks are
         * rounded differently (a 30 fps file's 66666 us is the camera's 66667 us) */
        if (cam->have_cur && cam->pic[!cam->cur_pic].pts_us > t_us + cam->period_ns / 2000)
            return HD_OK;
        cam->cur_pic = !cam->cur_pic;
        cam->have_cur = 1;
        cam->have_next = 0;
    }
    return HD_OK;
}

static hd_status render_file(emucam *cam, int64_t t_us)
{
    hd_status st = file_seek_to(cam, t_us);
    const ec_pic *pc = &cam->pic[cam->cur_pic];
    int cw, ch;
    const uint8_t *src[4];
    int ss[4];
    uint8_t *dst[4];
    int ds[4];
    if (st != HD_OK)
        return st;
    cw = (pc->w + 1) / 2;
    ch = (pc->h + 1) / 2;
    cam->sws = sws_getCachedContext(cam->sws, pc->w, pc->h, AV_PIX_FMT_YUV420P, cam->w, cam->h,
                                    AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
    if (!cam->sws)
        return hd_fail(HD_ERR_INTERNAL, "emucam: no scaler");
    src[0] = pc->mem;
    src[1] = pc->mem + (size_t)pc->w * pc->h;
    src[2] = src[1] + (size_t)cw * ch;
    ss[0] = pc->w;
    ss[1] = ss[2] = cw;
    for (int i = 0; i < 3; i++) {
        dst[i] = cam->img[i];
        ds[i] = i ? cam->w / 2 : cam->w;
    }
    src[3] = NULL;
    ss[3] = 0;
    dst[3] = NULL;
    ds[3] = 0;
    sws_scale(cam->sws, src, ss, 0, pc->h, dst, ds);
    return HD_OK;
}

static void enc_free(emucam *cam)
{
    avcodec_free_context(&cam->enc);
    av_frame_free(&cam->avf);
    av_packet_free(&cam->pkt);
}

static hd_status enc_open(emucam *cam)
{
    const AVCodec *codec;
    if (cam->enc && cam->enc->width == cam->w && cam->enc->height == cam->h)
        return HD_OK;
    enc_free(cam);
    codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec)
        return hd_fail(HD_ERR_INTERNAL, "emucam: no MJPEG encoder in libavcodec");
    cam->enc = avcodec_alloc_context3(codec);
    cam->avf = av_frame_alloc();
    cam->pkt = av_packet_alloc();
    if (!cam->enc || !cam->avf || !cam->pkt)
        goto nomem;
    cam->enc->width = cam->w;
    cam->enc->height = cam->h;
    cam->enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
    cam->enc->color_range = AVCOL_RANGE_JPEG;
    cam->enc->time_base = (AVRational){1, 1000};
    cam->enc->flags |= AV_CODEC_FLAG_QSCALE;
    cam->enc->global_quality = FF_QP2LAMBDA * cam->cfg.mjpeg_quality;
    if (cam->cfg.mjpeg_no_dht)
        av_opt_set(cam->enc->priv_data, "huffman", "default", 0); /* the standard tables */
    if (avcodec_open2(cam->enc, codec, NULL) < 0) {
        enc_free(cam);
        return hd_fail(HD_ERR_INTERNAL, "emucam: MJPEG encoder would not open");
    }
    return HD_OK;
nomem:
    enc_free(cam);
    return hd_fail(HD_ERR_NOMEM, "emucam: out of memory");
}

/* Copies a JPEG leaving out its Huffman tables (DHT segments), as many webcams send their
 * MJPEG: the decoder must supply the standard tables (the encoder is told to use them).
 * Markers before the scan are walked by their lengths; the scan and EOI are copied whole. */
static size_t copy_without_dht(uint8_t *dst, const uint8_t *src, size_t n)
{
    size_t i = 2, o = 2;
    if (n < 4 || src[0] != 0xff || src[1] != 0xd8) {
        memcpy(dst, src, n);
        return n;
    }
    dst[0] = 0xff;
    dst[1] = 0xd8;
    while (i + 4 <= n && src[i] == 0xff) {
        uint8_t m = src[i + 1];
        size_t len = ((size_t)src[i + 2] << 8) | src[i + 3];
        if (m == 0xda || i + 2 + len > n) /* start of scan: the rest as it is */
            break;
        if (m != 0xc4) {
            memcpy(dst + o, src + i, len + 2);
            o += len + 2;
        }
        i += len + 2;
    }
    memcpy(dst + o, src + i, n - i);
    return o + (n - i);
}

/* Packs the current picture into buffer memory; returns the bytes used (0 on failure). */
static size_t pack(emucam *cam, uint8_t *dst, size_t cap, int64_t n)
{
    int w = cam->w, h = cam->h, cw = w / 2;
    if (cam->fourcc == V4L2_PIX_FMT_YUYV) {
        for (int y = 0; y < h; y++) {
            const uint8_t *yr = cam->img[0] + (size_t)y * w;
            const uint8_t *ur = cam->img[1] + (size_t)(y / 2) * cw;
            const uint8_t *vr = cam->img[2] + (size_t)(y / 2) * cw;
            uint8_t *o = dst + (size_t)y * w * 2;
            for (int x = 0; x < cw; x++) {
                o[4 * x] = yr[2 * x];
                o[4 * x + 1] = ur[x];
                o[4 * x + 2] = yr[2 * x + 1];
                o[4 * x + 3] = vr[x];
            }
        }
        return (size_t)w * h * 2;
    }
    if (cam->fourcc == V4L2_PIX_FMT_YUV420) {
        size_t ys = (size_t)w * h;
        memcpy(dst, cam->img[0], ys + ys / 2);
        return ys + ys / 2;
    }
    /* MJPEG */
    {
        size_t used = 0;
        if (enc_open(cam) != HD_OK)
            return 0;
        cam->avf->format = AV_PIX_FMT_YUVJ420P;
        cam->avf->width = w;
        cam->avf->height = h;
        cam->avf->data[0] = cam->img[0];
        cam->avf->data[1] = cam->img[1];
        cam->avf->data[2] = cam->img[2];
        cam->avf->linesize[0] = w;
        cam->avf->linesize[1] = cam->avf->linesize[2] = cw;
        cam->avf->pts = n;
        cam->avf->quality = cam->enc->global_quality;
        if (avcodec_send_frame(cam->enc, cam->avf) < 0)
            return 0;
        if (avcodec_receive_packet(cam->enc, cam->pkt) == 0) {
            if ((size_t)cam->pkt->size <= cap) {
                if (cam->cfg.mjpeg_no_dht)
                    used = copy_without_dht(dst, cam->pkt->data, (size_t)cam->pkt->size);
                else {
                    memcpy(dst, cam->pkt->data, (size_t)cam->pkt->size);
                    used = (size_t)cam->pkt->size;
                }
            }
            av_packet_unref(cam->pkt);
        }
        return used;
    }
}

/* ---- the frame clock ---- */

static void do_unplug(emucam *cam, double replug_after_s, int64_t now);

/* Fills the oldest queued buffer with frame n due at due_ns, or drops the frame. */
static void produce(emucam *cam, int64_t n, int64_t due_ns)
{
    unsigned idx;
    ec_buf *b;
    size_t used = 0;
    int64_t t0 = thread_cpu_ns(), content_ns;

    if (cam->nin == 0) {
        cam->c.frames_dropped++;
        return;
    }
    idx = cam->incoming[0];
    memmove(cam->incoming, cam->incoming + 1, (cam->nin - 1) * sizeof(unsigned));
    cam->nin--;
    b = &cam->bufs[idx];
    /* what the scene shows follows the clock since the first STREAMON, not the frame count:
     * after a stall or a reconnect the world has moved on, as in front of a real camera */
    content_ns = due_ns - cam->first_streamon_ns;
    if (img_alloc(cam) == HD_OK) {
        hd_status st = HD_OK;
        if (!strcmp(cam->source, "scene"))
            render_scene(cam, llround((double)content_ns * cam->fps / 1e9));
        else
            st = render_file(cam, content_ns / 1000);
        if (st == HD_OK)
            used = pack(cam, cam->bufmem + (size_t)idx * cam->buf_stride, cam->buf_len, n);
        else
            fprintf(stderr, "emucam: %s\n", hd_last_error());
    }
    b->state = BUF_DONE;
    b->bytesused = (uint32_t)used;
    b->sequence = (uint32_t)n;
    b->ts_ns = due_ns;
    cam->done[cam->ndone++] = idx;
    cam->c.frames_made++;
    cam->c.work_ns += thread_cpu_ns() - t0;
}

/* Catches the device up with the clock: timed faults, a replug, the frames now due. */
static void advance(emucam *cam)
{
    int64_t now = now_ns();
    if (!cam->plugged) {
        if (cam->replug_at_ns && now >= cam->replug_at_ns)
            emucam_replug(cam);
        return;
    }
    if (cam->first_streamon_ns) {
        double since = (now - cam->first_streamon_ns) / 1e9;
        if (cam->cfg.unplug_at_s >= 0 && !cam->timed_unplug_done && since >= cam->cfg.unplug_at_s) {
            cam->timed_unplug_done = 1;
            do_unplug(cam, cam->cfg.replug_after_s, now);
            return;
        }
        if (cam->cfg.stall_at_s >= 0 && !cam->timed_stall_done && since >= cam->cfg.stall_at_s &&
            cam->streaming) {
            cam->timed_stall_done = 1;
            cam->stall_start_ns = cam->first_streamon_ns + (int64_t)(cam->cfg.stall_at_s * 1e9);
            cam->stall_end_ns = cam->stall_start_ns + (int64_t)(cam->cfg.stall_for_s * 1e9);
            cam->c.stalls++;
        }
    }
    if (!cam->streaming)
        return;
    for (int guard = 0; guard < 1000000; guard++) {
        int64_t due = cam->t0_ns + cam->next_frame * cam->period_ns;
        if (cam->stall_end_ns && due >= cam->stall_start_ns) {
            if (now < cam->stall_end_ns)
                break;
            /* the sensor starts again: frames resume one period after the stall */
            cam->t0_ns += cam->stall_end_ns - cam->stall_start_ns;
            cam->stall_start_ns = cam->stall_end_ns = 0;
            continue;
        }
        if (due > now)
            break;
        produce(cam, cam->next_frame, due);
        cam->next_frame++;
    }
    cam->c.sequence = cam->next_frame;
}

/* ns until something may change (the next frame, a stall end, a replug); -1: nothing. */
static int64_t next_event_ns(emucam *cam)
{
    int64_t now = now_ns(), due;
    if (!cam->plugged)
        return cam->replug_at_ns ? cam->replug_at_ns - now : -1;
    if (!cam->streaming)
        return -1;
    due = cam->t0_ns + cam->next_frame * cam->period_ns;
    if (cam->stall_end_ns && due >= cam->stall_start_ns)
        due = cam->stall_end_ns;
    if (cam->cfg.unplug_at_s >= 0 && !cam->timed_unplug_done && cam->first_streamon_ns) {
        int64_t u = cam->first_streamon_ns + (int64_t)(cam->cfg.unplug_at_s * 1e9);
        if (u < due)
            due = u;
    }
    return due > now ? due - now : 0;
}

/* ---- descriptors, buffers, unplug ---- */

static int fd_slot(const emucam *cam, int fd)
{
    if (fd < 0)
        return -1;
    for (int i = 0; i < EC_MAX_FDS; i++)
        if (cam->fds[i].fd == fd)
            return i;
    return -1;
}

static void free_buffers(emucam *cam)
{
    if (cam->bufmem) {
        munmap(cam->bufmem, cam->bufmem_len);
        cam->bufmem = NULL;
        cam->bufmem_len = 0;
    }
    if (cam->memfd >= 0)
        close(cam->memfd); /* the user's mappings keep their pages, like the kernel's */
    cam->memfd = -1;
    cam->nbuf = 0;
    cam->nin = cam->ndone = 0;
    cam->owner = -1;
    cam->streaming = 0;
    memset(cam->bufs, 0, sizeof(cam->bufs));
}

static void do_unplug(emucam *cam, double replug_after_s, int64_t now)
{
    if (!cam->plugged)
        return;
    cam->plugged = 0;
    cam->generation++;
    free_buffers(cam);
    cam->stall_start_ns = cam->stall_end_ns = 0;
    cam->replug_at_ns = replug_after_s >= 0 ? now + (int64_t)(replug_after_s * 1e9) : 0;
    cam->c.unplugs++;
}

void emucam_unplug(emucam *cam, double replug_after_s)
{
    pthread_mutex_lock(&cam->mu);
    do_unplug(cam, replug_after_s, now_ns());
    pthread_mutex_unlock(&cam->mu);
}

void emucam_replug(emucam *cam)
{
    pthread_mutex_lock(&cam->mu);
    if (!cam->plugged) {
        cam->plugged = 1;
        cam->replug_at_ns = 0;
        device_defaults(cam);
        cam->c.replugs++;
    }
    pthread_mutex_unlock(&cam->mu);
}

/* Applies the faults armed for op. Returns -1 with errno when the call must fail. */
static int check_faults(emucam *cam, emucam_op op)
{
    int64_t now = now_ns();
    for (int i = 0; i < cam->nfaults; i++) {
        ec_fault *f = &cam->faults[i];
        if (!f->active || (f->op != (int)op && !(f->op == EMUCAM_OP_IOCTL &&
                                                 (op == EMUCAM_OP_DQBUF || op == EMUCAM_OP_QBUF))))
            continue;
        if (f->countdown > 1) {
            f->countdown--;
            continue;
        }
        if (!f->persistent)
            f->active = 0;
        cam->c.faults_fired++;
        if (f->kind == FAULT_UNPLUG) {
            do_unplug(cam, f->arg, now);
            continue;
        }
        if (f->kind == FAULT_STALL) {
            if (!cam->stall_end_ns) {
                cam->stall_start_ns = now;
                cam->stall_end_ns = now + (int64_t)(f->arg * 1e9);
                cam->c.stalls++;
            }
            continue;
        }
        return fail_errno(f->err);
    }
    return 0;
}

static void add_fault(emucam *cam, emucam_op op, int nth, int kind, int err, int persistent,
                      double arg)
{
    pthread_mutex_lock(&cam->mu);
    if (cam->nfaults < EC_MAX_FAULTS && op >= 0 && op < EMUCAM_OP_COUNT) {
        ec_fault *f = &cam->faults[cam->nfaults++];
        f->op = (int)op;
        f->countdown = nth < 1 ? 1 : nth;
        f->kind = kind;
        f->err = err;
        f->persistent = persistent;
        f->arg = arg;
        f->active = 1;
    }
    pthread_mutex_unlock(&cam->mu);
}

void emucam_fail_call(emucam *cam, emucam_op op, int nth, int err, int persistent)
{
    add_fault(cam, op, nth, FAULT_ERRNO, err, persistent, 0);
}

void emucam_unplug_at_call(emucam *cam, emucam_op op, int nth, double replug_after_s)
{
    add_fault(cam, op, nth, FAULT_UNPLUG, 0, 0, replug_after_s);
}

void emucam_stall_at_call(emucam *cam, emucam_op op, int nth, double for_s)
{
    add_fault(cam, op, nth, FAULT_STALL, 0, 0, for_s);
}

hd_status emucam_add_faults(emucam *cam, const char *spec)
{
    static const char *ops[] = {"ioctl", "dqbuf", "qbuf", "poll", "open", "mmap"};
    /* pass 0 checks the whole spec, pass 1 arms it: a bad item arms nothing */
    for (int pass = 0; pass < 2; pass++) {
        const char *s = spec;
        while (s && *s) {
            char item[96], *parts[4] = {0};
            size_t n = strcspn(s, ",");
            int np = 0, op = -1, nth;
            char *save = NULL, *tok;
            if (n >= sizeof(item))
                return hd_fail(HD_ERR_INVALID, "emucam fault '%.*s' too long", (int)n, s);
            memcpy(item, s, n);
            item[n] = '\0';
            for (tok = strtok_r(item, ":", &save); tok && np < 4; tok = strtok_r(NULL, ":", &save))
                parts[np++] = tok;
            for (int i = 0; i < EMUCAM_OP_COUNT; i++)
                if (parts[0] && !strcmp(parts[0], ops[i]))
                    op = i;
            nth = parts[2] ? atoi(parts[2]) : 0;
            if (np < 3 || op < 0 || nth < 1 || (np == 4 && strcmp(parts[3], "always")))
                return hd_fail(HD_ERR_INVALID,
                               "emucam fault '%s': want op:what:n[:always] with op "
                               "ioctl|dqbuf|qbuf|poll|open|mmap",
                               item);
            if (!strcmp(parts[1], "unplug")) {
                if (pass)
                    emucam_unplug_at_call(cam, (emucam_op)op, nth, cam->cfg.replug_after_s);
            } else if (!strcmp(parts[1], "stall")) {
                if (pass)
                    emucam_stall_at_call(cam, (emucam_op)op, nth, cam->cfg.stall_for_s);
            } else {
                int err = !strcmp(parts[1], "EAGAIN")   ? EAGAIN
                          : !strcmp(parts[1], "EINTR")  ? EINTR
                          : !strcmp(parts[1], "EIO")    ? EIO
                          : !strcmp(parts[1], "ENODEV") ? ENODEV
                                                        : 0;
                if (!err)
                    return hd_fail(HD_ERR_INVALID,
                                   "emucam fault '%s': what is EAGAIN, EINTR, EIO, "
                                   "ENODEV, unplug or stall",
                                   item);
                if (pass)
                    emucam_fail_call(cam, (emucam_op)op, nth, err, np == 4);
            }
            s += n;
            if (*s == ',')
                s++;
        }
    }
    return HD_OK;
}

/* ---- the calls ---- */

int emucam_is_fd(emucam *cam, int fd)
{
    int r;
    pthread_mutex_lock(&cam->mu);
    r = fd_slot(cam, fd) >= 0;
    pthread_mutex_unlock(&cam->mu);
    return r;
}

const char *emucam_path(const emucam *cam)
{
    return cam->path;
}

int emucam_open(emucam *cam, const char *path, int flags)
{
    int slot = -1, fd, r = -1;
    if (!path || strcmp(path, cam->path))
        return fail_errno(ENOENT);
    pthread_mutex_lock(&cam->mu);
    advance(cam);
    if (check_faults(cam, EMUCAM_OP_OPEN) == -1)
        goto out;
    if (!cam->plugged) {
        errno = ENOENT; /* the device node is gone */
        goto out;
    }
    for (int i = 0; i < EC_MAX_FDS; i++)
        if (cam->fds[i].fd < 0) {
            slot = i;
            break;
        }
    if (slot < 0) {
        errno = EMFILE;
        goto out;
    }
    /* a real descriptor, so that fstat/close by libraries behave */
    fd = memfd_create("emucam-fd", MFD_CLOEXEC);
    if (fd < 0)
        goto out;
    cam->fds[slot].fd = fd;
    cam->fds[slot].gen = cam->generation;
    cam->fds[slot].nonblock = (flags & O_NONBLOCK) != 0;
    cam->c.opens++;
    cam->c.open_fds++;
    r = fd;
out:
    pthread_mutex_unlock(&cam->mu);
    return r;
}

int emucam_close(emucam *cam, int fd)
{
    int slot, r = 0;
    pthread_mutex_lock(&cam->mu);
    slot = fd_slot(cam, fd);
    if (slot < 0) {
        pthread_mutex_unlock(&cam->mu);
        return fail_errno(EBADF);
    }
    if (cam->fds[slot].gen == cam->generation && cam->owner == fd)
        free_buffers(cam); /* closing the owner releases the queue (vb2_fop_release) */
    cam->fds[slot].fd = -1;
    cam->c.closes++;
    cam->c.open_fds--;
    close(fd);
    pthread_mutex_unlock(&cam->mu);
    return r;
}

static int do_reqbufs(emucam *cam, int fd, struct v4l2_requestbuffers *rb)
{
    unsigned count;
    size_t stride, total;
    long page = sysconf(_SC_PAGESIZE);
    if (rb->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
        return fail_errno(EINVAL);
    if (rb->memory != V4L2_MEMORY_MMAP)
        return fail_errno(EINVAL);
    if (cam->owner >= 0 && cam->owner != fd)
        return fail_errno(EBUSY);
    if (cam->streaming)
        return fail_errno(EBUSY);
    if (cam->nbuf) {
        if (cam->c.mappings > 0)
            return fail_errno(EBUSY); /* vb2: buffers in use (mapped) */
        free_buffers(cam);
    }
    memset(rb->reserved, 0, sizeof(rb->reserved));
    rb->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
    if (rb->count == 0)
        return 0;
    count = rb->count < 2 ? 2 : rb->count > EC_MAX_BUFS ? EC_MAX_BUFS : rb->count;
    cam->buf_len = size_image(cam->fourcc, cam->w, cam->h);
    stride = (cam->buf_len + (size_t)page - 1) / (size_t)page * (size_t)page;
    total = stride * count;
    cam->memfd = memfd_create("emucam-buffers", MFD_CLOEXEC);
    if (cam->memfd < 0)
        return fail_errno(ENOMEM);
    if (ftruncate(cam->memfd, (off_t)total) == -1) {
        free_buffers(cam);
        return fail_errno(ENOMEM);
    }
    cam->bufmem = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, cam->memfd, 0);
    if (cam->bufmem == MAP_FAILED) {
        cam->bufmem = NULL;
        free_buffers(cam);
        return fail_errno(ENOMEM);
    }
    cam->bufmem_len = total;
    cam->buf_stride = stride;
    cam->nbuf = count;
    cam->owner = fd;
    rb->count = count;
    return 0;
}

static void fill_buffer(const emucam *cam, unsigned i, struct v4l2_buffer *b)
{
    const ec_buf *eb = &cam->bufs[i];
    memset(b, 0, sizeof(*b));
    b->index = i;
    b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b->memory = V4L2_MEMORY_MMAP;
    b->m.offset = (uint32_t)(i * cam->buf_stride);
    b->length = (uint32_t)cam->buf_len;
    b->field = V4L2_FIELD_NONE;
    b->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | V4L2_BUF_FLAG_TSTAMP_SRC_SOE;
    if (eb->state == BUF_QUEUED)
        b->flags |= V4L2_BUF_FLAG_QUEUED;
    if (eb->state == BUF_DONE)
        b->flags |= V4L2_BUF_FLAG_DONE;
    if (cam->c.mappings > 0)
        b->flags |= V4L2_BUF_FLAG_MAPPED;
    b->bytesused = eb->bytesused;
    b->sequence = eb->sequence;
    b->timestamp.tv_sec = eb->ts_ns / 1000000000;
    b->timestamp.tv_usec = (eb->ts_ns % 1000000000) / 1000;
}

static int check_buffer_arg(emucam *cam, int fd, struct v4l2_buffer *b)
{
    if (b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || b->memory != V4L2_MEMORY_MMAP)
        return fail_errno(EINVAL);
    if (cam->owner != fd)
        return fail_errno(cam->owner < 0 ? EINVAL : EBUSY);
    return 0;
}

/* DQBUF: the oldest filled buffer. Blocking descriptors wait for the next frame. */
static int do_dqbuf(emucam *cam, int slot, struct v4l2_buffer *b)
{
    int fd = cam->fds[slot].fd;
    unsigned idx;
    if (check_buffer_arg(cam, fd, b) == -1)
        return -1;
    for (;;) {
        int64_t wait;
        if (cam->fds[slot].gen != cam->generation || !cam->plugged)
            return fail_errno(ENODEV);
        if (!cam->streaming)
            return fail_errno(EINVAL);
        if (cam->ndone)
            break;
        if (cam->fds[slot].nonblock)
            return fail_errno(EAGAIN);
        if (cam->nin == 0)
            return fail_errno(EINVAL); /* would wait forever: vb2 says so too */
        wait = next_event_ns(cam);
        pthread_mutex_unlock(&cam->mu);
        sleep_ns(wait > 0 ? wait : 1000000);
        pthread_mutex_lock(&cam->mu);
        advance(cam);
    }
    idx = cam->done[0];
    memmove(cam->done, cam->done + 1, (cam->ndone - 1) * sizeof(unsigned));
    cam->ndone--;
    cam->bufs[idx].state = BUF_USER;
    fill_buffer(cam, idx, b);
    return 0;
}

static int do_ioctl(emucam *cam, int slot, unsigned long req, void *arg)
{
    int fd = cam->fds[slot].fd;
    if (!arg)
        return fail_errno(EFAULT);
    switch (req) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *cap = arg;
        memset(cap, 0, sizeof(*cap));
        memcpy(cap->driver, cam->driver, sizeof(cap->driver));
        memcpy(cap->card, cam->card, sizeof(cap->card));
        snprintf((char *)cap->bus_info, sizeof(cap->bus_info), "platform:emucam");
        cap->version = (6u << 16) | (1u << 8);
        cap->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
        cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *d = arg;
        uint32_t i = d->index, type = d->type;
        if (type != V4L2_BUF_TYPE_VIDEO_CAPTURE || i >= (uint32_t)cam->nformats)
            return fail_errno(EINVAL);
        memset(d, 0, sizeof(*d));
        d->index = i;
        d->type = type;
        d->pixelformat = cam->formats[i];
        if (d->pixelformat == V4L2_PIX_FMT_MJPEG) {
            d->flags = V4L2_FMT_FLAG_COMPRESSED;
            snprintf((char *)d->description, sizeof(d->description), "Motion-JPEG");
        } else if (d->pixelformat == V4L2_PIX_FMT_YUYV) {
            snprintf((char *)d->description, sizeof(d->description), "YUYV 4:2:2");
        } else {
            snprintf((char *)d->description, sizeof(d->description), "Planar YUV 4:2:0");
        }
        return 0;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
        struct v4l2_frmsizeenum *s = arg;
        if (!has_format(cam, s->pixel_format) || s->index >= (uint32_t)cam->nsizes)
            return fail_errno(EINVAL);
        s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
        s->discrete.width = (unsigned)cam->sizes[s->index][0];
        s->discrete.height = (unsigned)cam->sizes[s->index][1];
        memset(s->reserved, 0, sizeof(s->reserved));
        return 0;
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
        struct v4l2_frmivalenum *iv = arg;
        if (!has_format(cam, iv->pixel_format) ||
            size_index(cam, (int)iv->width, (int)iv->height) < 0 ||
            iv->index >= (uint32_t)cam->nrates)
            return fail_errno(EINVAL);
        iv->type = V4L2_FRMIVAL_TYPE_DISCRETE;
        rate_fract(cam->rates[iv->index], &iv->discrete);
        memset(iv->reserved, 0, sizeof(iv->reserved));
        return 0;
    }
    case VIDIOC_G_FMT: {
        struct v4l2_format *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
            return fail_errno(EINVAL);
        fill_pix(cam, &f->fmt.pix, cam->fourcc, cam->w, cam->h);
        return 0;
    }
    case VIDIOC_TRY_FMT:
    case VIDIOC_S_FMT: {
        struct v4l2_format *f = arg;
        uint32_t pf;
        int w, h, best = 0;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
            return fail_errno(EINVAL);
        if (req == VIDIOC_S_FMT && (cam->streaming || (cam->nbuf && cam->owner != -1)))
            return fail_errno(EBUSY);
        pf = has_format(cam, f->fmt.pix.pixelformat) ? f->fmt.pix.pixelformat : cam->formats[0];
        if (cam->cfg.ignore_size) {
            w = cam->w;
            h = cam->h;
        } else {
            long bd = -1;
            for (int i = 0; i < cam->nsizes; i++) {
                long d = labs((long)cam->sizes[i][0] - (long)f->fmt.pix.width) +
                         labs((long)cam->sizes[i][1] - (long)f->fmt.pix.height);
                if (bd < 0 || d < bd) {
                    bd = d;
                    best = i;
                }
            }
            w = cam->sizes[best][0];
            h = cam->sizes[best][1];
        }
        fill_pix(cam, &f->fmt.pix, pf, w, h);
        if (req == VIDIOC_S_FMT) {
            cam->fourcc = pf;
            cam->w = w;
            cam->h = h;
        }
        return 0;
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
        struct v4l2_streamparm *p = arg;
        if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
            return fail_errno(EINVAL);
        if (req == VIDIOC_S_PARM && !cam->cfg.ignore_rate) {
            struct v4l2_fract *t = &p->parm.capture.timeperframe;
            if (cam->streaming)
                return fail_errno(EBUSY);
            if (t->numerator && t->denominator)
                cam->fps = nearest_rate(cam, (double)t->denominator / t->numerator);
        }
        memset(&p->parm, 0, sizeof(p->parm));
        p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
        rate_fract(cam->fps, &p->parm.capture.timeperframe);
        return 0;
    }
    case VIDIOC_REQBUFS:
        return do_reqbufs(cam, fd, arg);
    case VIDIOC_QUERYBUF: {
        struct v4l2_buffer *b = arg;
        if (b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
            return fail_errno(EINVAL);
        if (b->index >= cam->nbuf)
            return fail_errno(EINVAL);
        fill_buffer(cam, b->index, b);
        return 0;
    }
    case VIDIOC_QBUF: {
        struct v4l2_buffer *b = arg;
        unsigned i = b->index;
        if (check_buffer_arg(cam, fd, b) == -1)
            return -1;
        if (i >= cam->nbuf)
            return fail_errno(EINVAL);
        if (cam->bufs[i].state != BUF_USER) {
            cam->c.double_qbuf++;
            return fail_errno(EINVAL); /* vb2: "buffer is not in dequeued state" */
        }
        cam->bufs[i].state = BUF_QUEUED;
        cam->bufs[i].bytesused = 0;
        cam->incoming[cam->nin++] = i;
        fill_buffer(cam, i, b);
        return 0;
    }
    case VIDIOC_DQBUF:
        return do_dqbuf(cam, slot, arg);
    case VIDIOC_STREAMON:
    case VIDIOC_STREAMOFF: {
        const int *type = arg;
        if (*type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
            return fail_errno(EINVAL);
        if (cam->owner != fd)
            return fail_errno(cam->owner < 0 ? EINVAL : EBUSY);
        if (req == VIDIOC_STREAMON) {
            if (cam->streaming)
                return 0;
            cam->streaming = 1;
            cam->period_ns = (int64_t)llround(1e9 / cam->fps);
            /* like a sensor, the first frame takes one exposure to arrive */
            cam->t0_ns = now_ns() + cam->period_ns;
            cam->next_frame = 0;
            if (!cam->first_streamon_ns)
                cam->first_streamon_ns = cam->t0_ns;
            return 0;
        }
        cam->streaming = 0;
        cam->stall_start_ns = cam->stall_end_ns = 0;
        for (unsigned i = 0; i < cam->nbuf; i++)
            cam->bufs[i].state = BUF_USER;
        cam->nin = cam->ndone = 0;
        return 0;
    }
    case VIDIOC_ENUMINPUT: {
        struct v4l2_input *in = arg;
        uint32_t i = in->index;
        if (i != 0)
            return fail_errno(EINVAL);
        memset(in, 0, sizeof(*in));
        snprintf((char *)in->name, sizeof(in->name), "Camera 1");
        in->type = V4L2_INPUT_TYPE_CAMERA;
        return 0;
    }
    case VIDIOC_G_INPUT:
        *(int *)arg = 0;
        return 0;
    case VIDIOC_S_INPUT:
        return *(int *)arg == 0 ? 0 : fail_errno(EINVAL);
    case VIDIOC_QUERYCTRL:
    case VIDIOC_QUERY_EXT_CTRL:
    case VIDIOC_QUERYMENU:
    case VIDIOC_G_CTRL:
    case VIDIOC_S_CTRL:
    case VIDIOC_G_EXT_CTRLS:
    case VIDIOC_S_EXT_CTRLS:
    case VIDIOC_TRY_EXT_CTRLS:
        return fail_errno(EINVAL); /* no controls */
    default:
        return fail_errno(ENOTTY);
    }
}

int emucam_ioctl(emucam *cam, int fd, unsigned long req, void *arg)
{
    int slot, r;
    emucam_op op = req == VIDIOC_DQBUF  ? EMUCAM_OP_DQBUF
                   : req == VIDIOC_QBUF ? EMUCAM_OP_QBUF
                                        : EMUCAM_OP_IOCTL;
    pthread_mutex_lock(&cam->mu);
    slot = fd_slot(cam, fd);
    if (slot < 0) {
        pthread_mutex_unlock(&cam->mu);
        return fail_errno(EBADF);
    }
    advance(cam);
    r = check_faults(cam, op);
    if (r == 0) {
        if (cam->fds[slot].gen != cam->generation || !cam->plugged)
            r = fail_errno(ENODEV);
        else
            r = do_ioctl(cam, slot, req, arg);
    }
    {
        int saved = errno;
        pthread_mutex_unlock(&cam->mu);
        errno = saved;
    }
    return r;
}

void *emucam_mmap(emucam *cam, void *addr, size_t len, int prot, int flags, int fd, int64_t offset)
{
    int slot, k;
    void *p = MAP_FAILED;
    unsigned i;
    pthread_mutex_lock(&cam->mu);
    slot = fd_slot(cam, fd);
    if (slot < 0) {
        errno = EBADF;
        goto out;
    }
    advance(cam);
    if (check_faults(cam, EMUCAM_OP_MMAP) == -1)
        goto out;
    if (cam->fds[slot].gen != cam->generation || !cam->plugged) {
        errno = ENODEV;
        goto out;
    }
    if (!(flags & MAP_SHARED) || cam->owner < 0 || !cam->nbuf || len == 0 || offset < 0 ||
        cam->buf_stride == 0 || (size_t)offset % cam->buf_stride) {
        errno = EINVAL;
        goto out;
    }
    i = (unsigned)((size_t)offset / cam->buf_stride);
    if (i >= cam->nbuf || len > cam->buf_stride) {
        errno = EINVAL;
        goto out;
    }
    for (k = 0; k < EC_MAX_MAPS && cam->maps[k].addr; k++) {
    }
    if (k == EC_MAX_MAPS) {
        errno = ENOMEM;
        goto out;
    }
    p = mmap(addr, len, prot, flags, cam->memfd, (off_t)offset);
    if (p == MAP_FAILED)
        goto out;
    cam->maps[k].addr = p;
    cam->maps[k].len = len;
    cam->c.maps++;
    cam->c.mappings++;
out : {
    int saved = errno;
    pthread_mutex_unlock(&cam->mu);
    errno = saved;
}
    return p;
}

int emucam_munmap(emucam *cam, void *addr, size_t len, int *ret)
{
    int mine = 0;
    pthread_mutex_lock(&cam->mu);
    for (int k = 0; k < EC_MAX_MAPS; k++)
        if (cam->maps[k].addr && cam->maps[k].addr == addr) {
            *ret = munmap(addr, len ? len : cam->maps[k].len);
            cam->maps[k].addr = NULL;
            cam->c.unmaps++;
            cam->c.mappings--;
            mine = 1;
            break;
        }
    pthread_mutex_unlock(&cam->mu);
    return mine;
}

/* revents for one of our descriptors (lock held, after advance) */
static short fd_events(emucam *cam, int slot, short events)
{
    int fd = cam->fds[slot].fd;
    if (cam->fds[slot].gen != cam->generation || !cam->plugged)
        return POLLERR | POLLHUP;
    if (cam->owner != fd || !cam->streaming)
        return POLLERR; /* vb2: polling a queue that is not streaming */
    if (cam->ndone)
        return (short)(events & (POLLIN | POLLRDNORM));
    return 0;
}

int emucam_poll(emucam *cam, struct pollfd *fds, unsigned long nfds, int timeout_ms)
{
    int64_t deadline = timeout_ms >= 0 ? now_ns() + (int64_t)timeout_ms * 1000000 : -1;
    for (;;) {
        int ready = 0;
        int64_t wait;
        pthread_mutex_lock(&cam->mu);
        advance(cam);
        if (check_faults(cam, EMUCAM_OP_POLL) == -1) {
            int saved = errno;
            pthread_mutex_unlock(&cam->mu);
            errno = saved;
            return -1;
        }
        for (unsigned long i = 0; i < nfds; i++) {
            int slot = fd_slot(cam, fds[i].fd);
            fds[i].revents = 0;
            if (slot >= 0)
                fds[i].revents = fd_events(cam, slot, fds[i].events);
            if (fds[i].revents)
                ready++;
        }
        wait = next_event_ns(cam);
        pthread_mutex_unlock(&cam->mu);
        if (ready)
            return ready;
        if (deadline >= 0) {
            int64_t left = deadline - now_ns();
            if (left <= 0)
                return 0;
            if (wait < 0 || wait > left)
                wait = left;
        } else if (wait < 0) {
            wait = 10000000; /* nothing scheduled: look again in 10 ms */
        }
        sleep_ns(wait > 0 ? wait : 100000);
    }
}

void emucam_get_counters(emucam *cam, emucam_counters *out)
{
    pthread_mutex_lock(&cam->mu);
    advance(cam);
    *out = cam->c;
    out->streaming = cam->streaming;
    out->plugged = cam->plugged;
    out->fourcc = cam->fourcc;
    out->width = cam->w;
    out->height = cam->h;
    out->fps = cam->fps;
    pthread_mutex_unlock(&cam->mu);
}

/* ---- the ops table ---- */

static int op_open(void *ctx, const char *path, int flags)
{
    return emucam_open(ctx, path, flags);
}

static int op_close(void *ctx, int fd)
{
    return emucam_close(ctx, fd);
}

static int op_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
    return emucam_ioctl(ctx, fd, req, arg);
}

static void *op_mmap(void *ctx, void *addr, size_t len, int prot, int flags, int fd, int64_t off)
{
    return emucam_mmap(ctx, addr, len, prot, flags, fd, off);
}

static int op_munmap(void *ctx, void *addr, size_t len)
{
    int r;
    if (emucam_munmap(ctx, addr, len, &r))
        return r;
    return munmap(addr, len);
}

static int op_poll(void *ctx, struct pollfd *fds, unsigned long nfds, int timeout_ms)
{
    return emucam_poll(ctx, fds, nfds, timeout_ms);
}

const hd_v4l2_dev_ops *emucam_dev_ops(emucam *cam)
{
    return &cam->ops;
}

hd_status emucam_create(const emucam_cfg *c, emucam **out)
{
    emucam *cam;
    pthread_mutexattr_t at;
    hd_status st;

    *out = NULL;
    cam = calloc(1, sizeof(*cam));
    if (!cam)
        return hd_fail(HD_ERR_NOMEM, "emucam: out of memory");
    cam->cfg = *c;
    snprintf(cam->path, sizeof(cam->path), "%s", c->path ? c->path : "/dev/video0");
    snprintf(cam->source, sizeof(cam->source), "%s", c->source ? c->source : "scene");
    snprintf(cam->driver, sizeof(cam->driver), "%s", c->driver ? c->driver : "heeldrop-emucam");
    snprintf(cam->card, sizeof(cam->card), "%s", c->card ? c->card : "emulated camera");
    cam->cfg.path = cam->path;
    cam->cfg.source = cam->source;
    cam->cfg.driver = cam->driver;
    cam->cfg.card = cam->card;
    if (cam->cfg.mjpeg_quality < 2 || cam->cfg.mjpeg_quality > 31)
        cam->cfg.mjpeg_quality = 3;
    cam->memfd = -1;
    cam->owner = -1;
    cam->plugged = 1;
    for (int i = 0; i < EC_MAX_FDS; i++)
        cam->fds[i].fd = -1;
    st = parse_lists(cam, c);
    if (st != HD_OK) {
        free(cam);
        return st;
    }
    cam->cfg.formats = cam->cfg.sizes = cam->cfg.rates = cam->cfg.faults = NULL;
    device_defaults(cam);
    pthread_mutexattr_init(&at);
    pthread_mutexattr_settype(&at, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&cam->mu, &at);
    pthread_mutexattr_destroy(&at);
    cam->ops = (hd_v4l2_dev_ops){.name = "emucam",
                                 .ctx = cam,
                                 .open = op_open,
                                 .close = op_close,
                                 .ioctl = op_ioctl,
                                 .mmap = op_mmap,
                                 .munmap = op_munmap,
                                 .poll = op_poll};
    if (c->faults && *c->faults) {
        st = emucam_add_faults(cam, c->faults);
        if (st != HD_OK) {
            emucam_destroy(cam);
            return st;
        }
    }
    av_log_set_level(AV_LOG_ERROR);
    *out = cam;
    return HD_OK;
}

void emucam_destroy(emucam *cam)
{
    if (!cam)
        return;
    pthread_mutex_lock(&cam->mu);
    for (int i = 0; i < EC_MAX_FDS; i++)
        if (cam->fds[i].fd >= 0) {
            close(cam->fds[i].fd);
            cam->fds[i].fd = -1;
        }
    free_buffers(cam);
    hd_source_close(cam->file);
    free(cam->pic[0].mem);
    free(cam->pic[1].mem);
    sws_freeContext(cam->sws);
    enc_free(cam);
    free(cam->img[0]);
    pthread_mutex_unlock(&cam->mu);
    pthread_mutex_destroy(&cam->mu);
    free(cam);
}
