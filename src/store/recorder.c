/* recorder.c - the crash-safe session recording (see recorder.h).
 *
 * Shape: the live loop copies each picture into a slot of a small ring (never waiting for
 * the encoder); the recorder's thread converts, encodes (libx264 ultrafast/zerolatency:
 * one packet out per frame in, no lookahead) and muxes into Matroska through our own
 * AVIOContext. Every flush_ms of video time it closes the Matroska cluster
 * (av_write_frame(oc, NULL)) and pushes libavformat's buffer to the kernel, so what a
 * SIGKILL leaves is a header plus whole clusters plus at most a torn last one, which
 * demuxers read up to the tear. The trailer (cues, duration, segment size) is a bonus a
 * clean close adds, not something playback depends on.
 *
 * The AVIOContext's write callback is the file seam: it goes through opts->write_fn (the
 * fault tests' ENOSPC) and remembers errno, so a full disk is told apart from other
 * failures and stops the recording with a message instead of taking the session down.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "heeldrop/recorder.h"

#define REC_IO_BUF (64 * 1024)
#define REC_MAX_QUEUE 64

#if LIBAVFORMAT_VERSION_MAJOR >= 61
#define REC_WBUF const uint8_t
#else
#define REC_WBUF uint8_t
#endif

typedef struct rec_slot {
    uint8_t *data;          /* the picture, planes packed one after another */
    int64_t pts_us;
} rec_slot;

struct hd_recorder {
    char *path;
    int fd;
    hd_recorder_write_fn write_fn;
    void *write_ctx;
    int io_errno;           /* errno of the first failed write (encoder thread) */

    /* set at open, read-only afterwards */
    int width, height;
    hd_pixfmt format;
    enum AVPixelFormat src_fmt;
    size_t slot_size;
    int flush_ms;

    /* encoder thread state */
    AVFormatContext *oc;
    AVIOContext *pb;
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    int64_t first_pts_us;
    int64_t last_pts_ms;    /* in the file's 1/1000 time base */
    int64_t last_flush_ms;
    int header_done;

    /* the queue and everything get_stats() reads, under lock */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    int thread_started;
    int stop;
    rec_slot *slots;
    int nslots, head, count;
    int64_t last_queued_us;
    hd_recorder_stats stats;
};

static const AVRational rec_ms = {1, 1000};

static const char *rec_averr(int err, char *buf, size_t size)
{
    av_strerror(err, buf, size);
    return buf;
}

static void rec_quiet_libav(void)
{
    /* errors come back through the stats and hd_fail; HEELDROP_AVLOG=<level> shows
     * libav's own log for debugging */
    const char *env = getenv("HEELDROP_AVLOG");
    if (!env || !*env)
        av_log_set_level(AV_LOG_QUIET);
    else if (atoi(env) > 0)
        av_log_set_level(atoi(env));
}

/* Stops the recording (encoder thread or close): the first reason wins. */
static void rec_stop(hd_recorder *r, hd_recorder_state state, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void rec_stop(hd_recorder *r, hd_recorder_state state, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&r->lock);
    if (r->stats.state == HD_REC_RECORDING) {
        r->stats.state = state;
        va_start(ap, fmt);
        vsnprintf(r->stats.message, sizeof(r->stats.message), fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&r->lock);
}

/* A failed libav call: a full disk if the file said so, else a write or encoder error. */
static void rec_stop_av(hd_recorder *r, const char *what, int ret)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    if (r->io_errno == ENOSPC || r->io_errno == EDQUOT)
        rec_stop(r, HD_REC_DISK_FULL, "recording stopped: disk full (%s)", r->path);
    else if (r->io_errno)
        rec_stop(r, HD_REC_FAILED, "recording stopped: cannot write %s: %s", r->path,
                 strerror(r->io_errno));
    else
        rec_stop(r, HD_REC_FAILED, "recording stopped: %s %s failed: %s", what, r->path,
                 rec_averr(ret, eb, sizeof(eb)));
}

static ssize_t rec_libc_write(void *ctx, int fd, const void *buf, size_t n)
{
    (void)ctx;
    return write(fd, buf, n);
}

/* libavformat's output: every byte goes to the file through write_fn. */
static int rec_io_write(void *opaque, REC_WBUF *buf, int size)
{
    hd_recorder *r = opaque;
    size_t done = 0;

    if (r->io_errno)
        return AVERROR(r->io_errno);
    while (done < (size_t)size) {
        ssize_t n = r->write_fn(r->write_ctx, r->fd, buf + done, (size_t)size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r->io_errno = n < 0 && errno ? errno : EIO;
            break;
        }
        done += (size_t)n;
    }
    pthread_mutex_lock(&r->lock);
    r->stats.bytes += (int64_t)done;
    pthread_mutex_unlock(&r->lock);
    return r->io_errno ? AVERROR(r->io_errno) : size;
}

static int64_t rec_io_seek(void *opaque, int64_t offset, int whence)
{
    hd_recorder *r = opaque;
    struct stat sb;
    off_t pos;

    if (whence & AVSEEK_SIZE) {
        if (fstat(r->fd, &sb) != 0)
            return AVERROR(errno);
        return sb.st_size;
    }
    pos = lseek(r->fd, (off_t)offset, whence & ~AVSEEK_FORCE);
    return pos < 0 ? AVERROR(errno) : (int64_t)pos;
}

static size_t rec_slot_size(hd_pixfmt f, int w, int h)
{
    if (f == HD_PIX_YUV420P)
        return (size_t)w * h + 2 * (size_t)((w + 1) / 2) * ((h + 1) / 2);
    if (f == HD_PIX_BGR24)
        return (size_t)w * h * 3;
    return (size_t)w * h;
}

/* Copies f's planes into a slot, packed. */
static void rec_copy_in(const hd_recorder *r, uint8_t *dst, const hd_frame *f)
{
    int nplanes = r->format == HD_PIX_YUV420P ? 3 : 1;
    for (int p = 0; p < nplanes; p++) {
        int rows = p ? (r->height + 1) / 2 : r->height;
        int bytes = r->format == HD_PIX_BGR24 ? r->width * 3
                    : p                      ? (r->width + 1) / 2
                                             : r->width;
        const uint8_t *src = f->plane[p];
        for (int y = 0; y < rows; y++) {
            memcpy(dst, src, (size_t)bytes);
            dst += bytes;
            src += f->stride[p];
        }
    }
}

/* Fills the encoder's picture from a slot: a copy for YUV, swscale otherwise. */
static int rec_fill(hd_recorder *r, const uint8_t *data)
{
    const uint8_t *src[4] = {data, NULL, NULL, NULL};
    int stride[4] = {0};
    int ret = av_frame_make_writable(r->frame);

    if (ret < 0)
        return ret;
    if (r->format == HD_PIX_YUV420P) {
        int cw = (r->width + 1) / 2, ch = (r->height + 1) / 2;
        src[1] = data + (size_t)r->width * r->height;
        src[2] = src[1] + (size_t)cw * ch;
        stride[0] = r->width;
        stride[1] = stride[2] = cw;
        if (r->enc->pix_fmt == AV_PIX_FMT_YUV420P || r->enc->pix_fmt == AV_PIX_FMT_YUVJ420P) {
            /* MJPEG's "J" format is the same layout; the range flag is only a label here,
             * so limited-range camera YUV is stored as is (a slight contrast change) */
            av_image_copy(r->frame->data, r->frame->linesize, src, stride, AV_PIX_FMT_YUV420P,
                          r->width, r->height);
            return 0;
        }
    } else {
        stride[0] = r->format == HD_PIX_BGR24 ? r->width * 3 : r->width;
    }
    r->sws = sws_getCachedContext(r->sws, r->width, r->height, r->src_fmt, r->width, r->height,
                                  r->enc->pix_fmt, SWS_FAST_BILINEAR, NULL, NULL, NULL);
    if (!r->sws)
        return AVERROR(ENOMEM);
    sws_scale(r->sws, src, stride, 0, r->height, r->frame->data, r->frame->linesize);
    return 0;
}

/* Hands every packet the encoder has ready to the muxer. */
static int rec_drain(hd_recorder *r)
{
    int ret;
    for (;;) {
        ret = avcodec_receive_packet(r->enc, r->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return ret;
        if (r->pkt->duration <= 0)
            r->pkt->duration = 1;
        av_packet_rescale_ts(r->pkt, r->enc->time_base, r->st->time_base);
        r->pkt->stream_index = r->st->index;
        ret = av_write_frame(r->oc, r->pkt);
        av_packet_unref(r->pkt);
        if (ret < 0)
            return ret;
        pthread_mutex_lock(&r->lock);
        r->stats.frames_written++;
        pthread_mutex_unlock(&r->lock);
    }
}

/* Ends the Matroska cluster and pushes everything buffered to the kernel: from here on
 * the frames written so far survive the process. */
static int rec_flush(hd_recorder *r)
{
    int ret = av_write_frame(r->oc, NULL);
    if (ret < 0)
        return ret;
    avio_flush(r->pb);
    if (r->pb->error < 0)
        return r->pb->error;
    pthread_mutex_lock(&r->lock);
    r->stats.frames_flushed = r->stats.frames_written;
    r->stats.last_flush_s = r->last_pts_ms / 1000.0;
    pthread_mutex_unlock(&r->lock);
    r->last_flush_ms = r->last_pts_ms;
    return 0;
}

static void rec_update_cpu(hd_recorder *r)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return;
    pthread_mutex_lock(&r->lock);
    r->stats.encode_cpu_s = ts.tv_sec + ts.tv_nsec / 1e9;
    pthread_mutex_unlock(&r->lock);
}

static int rec_encode(hd_recorder *r, const rec_slot *s, int first)
{
    int64_t pts;
    int ret;

    if (first)
        r->first_pts_us = s->pts_us;
    pts = av_rescale_q_rnd(s->pts_us - r->first_pts_us, (AVRational){1, 1000000}, rec_ms,
                           AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
    if (!first && pts <= r->last_pts_ms)
        pts = r->last_pts_ms + 1; /* two frames within one millisecond */
    ret = rec_fill(r, s->data);
    if (ret < 0)
        return ret;
    r->frame->pts = pts;
    ret = avcodec_send_frame(r->enc, r->frame);
    if (ret < 0)
        return ret;
    r->last_pts_ms = pts;
    ret = rec_drain(r);
    if (ret < 0)
        return ret;
    if (first || pts - r->last_flush_ms >= r->flush_ms)
        ret = rec_flush(r);
    return ret;
}

static void *rec_thread(void *arg)
{
    hd_recorder *r = arg;
    int first = 1;

    for (;;) {
        rec_slot *s;
        int tail, ok, ret;

        pthread_mutex_lock(&r->lock);
        while (r->count == 0 && !r->stop)
            pthread_cond_wait(&r->cond, &r->lock);
        if (r->count == 0) {
            pthread_mutex_unlock(&r->lock);
            break;
        }
        tail = (r->head - r->count + r->nslots) % r->nslots;
        s = &r->slots[tail];
        ok = r->stats.state == HD_REC_RECORDING;
        pthread_mutex_unlock(&r->lock);

        if (ok) {
            ret = rec_encode(r, s, first);
            first = 0;
            if (ret < 0)
                rec_stop_av(r, "encoding", ret);
            rec_update_cpu(r);
        }
        pthread_mutex_lock(&r->lock);
        r->count--; /* the slot is free again */
        pthread_mutex_unlock(&r->lock);
    }
    rec_update_cpu(r);
    return NULL;
}

static const AVCodec *rec_find_codec(const char *name)
{
    if (!name || !*name || strcmp(name, "h264") == 0)
        return avcodec_find_encoder_by_name("libx264");
    if (strcmp(name, "mjpeg") == 0)
        return avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    return NULL;
}

static void rec_free(hd_recorder *r)
{
    if (!r)
        return;
    avformat_free_context(r->oc);
    if (r->pb) {
        av_freep(&r->pb->buffer);
        avio_context_free(&r->pb);
    }
    avcodec_free_context(&r->enc);
    av_frame_free(&r->frame);
    av_packet_free(&r->pkt);
    sws_freeContext(r->sws);
    if (r->fd >= 0)
        close(r->fd);
    if (r->slots) {
        for (int i = 0; i < r->nslots; i++)
            free(r->slots[i].data);
        free(r->slots);
    }
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    free(r->path);
    free(r);
}

static hd_status rec_check_opts(const char *path, const hd_recorder_opts *o)
{
    if (o->width <= 0 || o->height <= 0 || o->width % 2 || o->height % 2 || o->width > 8192 ||
        o->height > 8192)
        return hd_fail(HD_ERR_INVALID, "%s: bad recording size %dx%d (even, up to 8192)", path,
                       o->width, o->height);
    if (o->format != HD_PIX_YUV420P && o->format != HD_PIX_BGR24 && o->format != HD_PIX_GRAY8)
        return hd_fail(HD_ERR_INVALID, "%s: the recorder takes YUV420P, BGR/RGB24 or GRAY8 "
                                       "frames", path);
    if (o->fps < 0 || o->fps > 1000 || o->queue_frames < 0 || o->queue_frames > REC_MAX_QUEUE ||
        o->flush_ms < 0)
        return hd_fail(HD_ERR_INVALID, "%s: bad recorder options", path);
    if (!rec_find_codec(o->codec))
        return hd_fail(HD_ERR_INVALID, "%s: no encoder for '%s' recordings (h264 or mjpeg)",
                       path, o->codec ? o->codec : "h264");
    return HD_OK;
}

static hd_status rec_open_encoder(hd_recorder *r, const hd_recorder_opts *o)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    const AVCodec *codec = rec_find_codec(o->codec);
    AVRational rate = av_d2q(o->fps > 0 ? o->fps : 30.0, 100000);
    int ret;

    r->enc = avcodec_alloc_context3(codec);
    r->frame = av_frame_alloc();
    r->pkt = av_packet_alloc();
    if (!r->enc || !r->frame || !r->pkt)
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", r->path);
    r->enc->width = r->width;
    r->enc->height = r->height;
    r->enc->time_base = rec_ms;
    r->enc->framerate = rate;
    r->enc->thread_count = o->threads > 0 ? o->threads : 1;
    r->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER; /* Matroska keeps SPS/PPS in CodecPrivate */
    if (codec->id == AV_CODEC_ID_MJPEG) {
        r->enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
        r->enc->color_range = AVCOL_RANGE_JPEG;
        r->enc->flags |= AV_CODEC_FLAG_QSCALE;
        r->enc->global_quality = FF_QP2LAMBDA * 4;
    } else {
        r->enc->pix_fmt = AV_PIX_FMT_YUV420P;
        /* a keyframe every 2 s: review seeks fast, and a damaged stretch heals soon */
        r->enc->gop_size = (int)(2 * av_q2d(rate) + 0.5);
        av_opt_set(r->enc->priv_data, "preset", "ultrafast", 0);
        av_opt_set(r->enc->priv_data, "tune", "zerolatency", 0);
        av_opt_set_double(r->enc->priv_data, "crf", o->crf > 0 ? o->crf : 23, 0);
    }
    ret = avcodec_open2(r->enc, codec, NULL);
    if (ret < 0)
        return hd_fail(HD_ERR_INVALID, "%s: cannot start the %s encoder (%s)", r->path,
                       codec->name, rec_averr(ret, eb, sizeof(eb)));
    r->frame->format = r->enc->pix_fmt;
    r->frame->width = r->width;
    r->frame->height = r->height;
    r->frame->color_range = r->enc->color_range;
    if (av_frame_get_buffer(r->frame, 0) < 0)
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", r->path);
    return HD_OK;
}

static hd_status rec_open_muxer(hd_recorder *r, const hd_recorder_opts *o)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    AVDictionary *mux = NULL;
    uint8_t *buf;
    int ret;

    if (avformat_alloc_output_context2(&r->oc, av_guess_format("matroska", NULL, NULL), NULL,
                                       NULL) < 0)
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", r->path);
    buf = av_malloc(REC_IO_BUF);
    if (!buf)
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", r->path);
    r->pb = avio_alloc_context(buf, REC_IO_BUF, 1, r, NULL, rec_io_write, rec_io_seek);
    if (!r->pb) {
        av_free(buf);
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", r->path);
    }
    r->oc->pb = r->pb;
    r->oc->flags |= AVFMT_FLAG_CUSTOM_IO;
    r->st = avformat_new_stream(r->oc, NULL);
    if (!r->st)
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", r->path);
    r->st->time_base = rec_ms;
    r->st->avg_frame_rate = r->enc->framerate;
    if (avcodec_parameters_from_context(r->st->codecpar, r->enc) < 0)
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", r->path);
    /* clusters close on their own too, in case flushes are far apart */
    av_dict_set_int(&mux, "cluster_time_limit", o->flush_ms > 0 ? o->flush_ms : 1000, 0);
    av_dict_set_int(&mux, "cluster_size_limit", 4 << 20, 0);
    ret = avformat_write_header(r->oc, &mux);
    av_dict_free(&mux);
    if (ret >= 0) {
        avio_flush(r->pb);
        ret = r->pb->error;
    }
    if (ret < 0) {
        if (r->io_errno == ENOSPC || r->io_errno == EDQUOT)
            return hd_fail(HD_ERR_IO, "cannot record %s: disk full", r->path);
        return hd_fail(HD_ERR_IO, "cannot record %s: %s", r->path,
                       r->io_errno ? strerror(r->io_errno) : rec_averr(ret, eb, sizeof(eb)));
    }
    r->header_done = 1;
    return HD_OK;
}

hd_status hd_recorder_open(const char *path, const hd_recorder_opts *o, hd_recorder **out)
{
    hd_recorder *r;
    hd_status st;

    if (!out)
        return hd_fail(HD_ERR_INVALID, "hd_recorder_open: out is NULL");
    *out = NULL;
    if (!path || !*path || !o)
        return hd_fail(HD_ERR_INVALID, "hd_recorder_open: no path or options");
    st = rec_check_opts(path, o);
    if (st != HD_OK)
        return st;
    rec_quiet_libav();

    r = calloc(1, sizeof(*r));
    if (!r)
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", path);
    r->fd = -1;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    r->path = strdup(path);
    r->width = o->width;
    r->height = o->height;
    r->format = o->format;
    r->src_fmt = o->format == HD_PIX_YUV420P ? AV_PIX_FMT_YUV420P
                 : o->format == HD_PIX_GRAY8 ? AV_PIX_FMT_GRAY8
                 : o->rgb_order              ? AV_PIX_FMT_RGB24
                                             : AV_PIX_FMT_BGR24;
    r->slot_size = rec_slot_size(o->format, o->width, o->height);
    r->flush_ms = o->flush_ms > 0 ? o->flush_ms : 1000;
    r->write_fn = o->write_fn ? o->write_fn : rec_libc_write;
    r->write_ctx = o->write_ctx;
    r->nslots = o->queue_frames > 0 ? o->queue_frames : 8;
    r->slots = calloc((size_t)r->nslots, sizeof(*r->slots));
    if (!r->path || !r->slots) {
        st = hd_fail(HD_ERR_NOMEM, "out of memory opening %s", path);
        goto fail;
    }
    for (int i = 0; i < r->nslots; i++) {
        r->slots[i].data = malloc(r->slot_size);
        if (!r->slots[i].data) {
            st = hd_fail(HD_ERR_NOMEM, "out of memory opening %s", path);
            goto fail;
        }
    }
    st = rec_open_encoder(r, o);
    if (st != HD_OK)
        goto fail;

    /* O_EXCL: a recording never replaces a file, least of all an earlier recording.
     * 0600 and fchmod: health data stays private whatever the umask. */
    r->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (r->fd < 0) {
        st = hd_fail(HD_ERR_IO, "cannot record %s: %s", path, strerror(errno));
        goto fail;
    }
    if (fchmod(r->fd, 0600) != 0) {
        st = hd_fail(HD_ERR_IO, "cannot record %s: %s", path, strerror(errno));
        goto fail_unlink;
    }
    st = rec_open_muxer(r, o);
    if (st != HD_OK)
        goto fail_unlink;
    if (pthread_create(&r->thread, NULL, rec_thread, r) != 0) {
        st = hd_fail(HD_ERR_NOMEM, "cannot start the recorder thread for %s", path);
        goto fail_unlink;
    }
    r->thread_started = 1;
    *out = r;
    return HD_OK;

fail_unlink:
    unlink(path); /* only a file this call created (O_EXCL) */
fail:
    rec_free(r);
    return st;
}

hd_status hd_recorder_write(hd_recorder *r, const hd_frame *f)
{
    rec_slot *s;
    int slot;

    if (!r || !f)
        return hd_fail(HD_ERR_INVALID, "hd_recorder_write: NULL argument");
    if (f->width != r->width || f->height != r->height || f->format != r->format ||
        !f->plane[0] || (f->format == HD_PIX_YUV420P && (!f->plane[1] || !f->plane[2])))
        return hd_fail(HD_ERR_INVALID, "%s: frame is %dx%d format %d, the recording is %dx%d "
                       "format %d", r->path, f->width, f->height, (int)f->format, r->width,
                       r->height, (int)r->format);

    pthread_mutex_lock(&r->lock);
    if (r->stats.state != HD_REC_RECORDING) {
        hd_status st = hd_fail(HD_ERR_IO, "%s", r->stats.message);
        pthread_mutex_unlock(&r->lock);
        return st;
    }
    if (r->stats.frames_queued > 0 && f->pts_us <= r->last_queued_us) {
        int64_t last = r->last_queued_us;
        pthread_mutex_unlock(&r->lock);
        return hd_fail(HD_ERR_INVALID, "%s: frame times must increase (%lld us after %lld us)",
                       r->path, (long long)f->pts_us, (long long)last);
    }
    if (r->count == r->nslots) {
        r->stats.frames_dropped++;
        pthread_mutex_unlock(&r->lock);
        return HD_AGAIN;
    }
    slot = r->head;
    pthread_mutex_unlock(&r->lock);

    /* the slot at head is ours alone until count says otherwise (one producer) */
    s = &r->slots[slot];
    rec_copy_in(r, s->data, f);
    s->pts_us = f->pts_us;

    pthread_mutex_lock(&r->lock);
    r->head = (r->head + 1) % r->nslots;
    r->count++;
    r->stats.frames_queued++;
    r->last_queued_us = f->pts_us;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return HD_OK;
}

void hd_recorder_get_stats(hd_recorder *r, hd_recorder_stats *out)
{
    if (!r || !out)
        return;
    pthread_mutex_lock(&r->lock);
    *out = r->stats;
    pthread_mutex_unlock(&r->lock);
}

/* After the thread has ended: the encoder's tail, the trailer, fsync. */
static void rec_finish(hd_recorder *r)
{
    int ret;

    if (r->stats.state != HD_REC_RECORDING)
        return; /* a stopped recording already has all it will get; its tail is torn */
    ret = avcodec_send_frame(r->enc, NULL);
    if (ret >= 0 || ret == AVERROR_EOF)
        ret = rec_drain(r);
    if (ret >= 0)
        ret = av_write_trailer(r->oc);
    if (ret >= 0) {
        avio_flush(r->pb);
        ret = r->pb->error;
    }
    if (ret < 0) {
        rec_stop_av(r, "finishing", ret);
        return;
    }
    pthread_mutex_lock(&r->lock);
    r->stats.frames_flushed = r->stats.frames_written;
    r->stats.last_flush_s = r->last_pts_ms / 1000.0;
    pthread_mutex_unlock(&r->lock);
    if (fsync(r->fd) != 0 && errno != EINVAL)
        rec_stop(r, errno == ENOSPC ? HD_REC_DISK_FULL : HD_REC_FAILED,
                 "recording stopped: cannot write %s: %s", r->path, strerror(errno));
}

hd_status hd_recorder_close(hd_recorder *r, hd_recorder_stats *out_stats)
{
    hd_status st = HD_OK;

    if (!r)
        return HD_OK;
    if (r->thread_started) {
        pthread_mutex_lock(&r->lock);
        r->stop = 1;
        pthread_cond_signal(&r->cond);
        pthread_mutex_unlock(&r->lock);
        pthread_join(r->thread, NULL);
    }
    rec_finish(r);
    if (close(r->fd) != 0)
        rec_stop(r, HD_REC_FAILED, "recording stopped: cannot write %s: %s", r->path,
                 strerror(errno));
    r->fd = -1;
    pthread_mutex_lock(&r->lock);
    if (r->stats.state != HD_REC_RECORDING)
        st = hd_fail(HD_ERR_IO, "%s", r->stats.message);
    else
        r->stats.state = HD_REC_CLOSED;
    if (out_stats)
        *out_stats = r->stats;
    pthread_mutex_unlock(&r->lock);
    rec_free(r);
    return st;
}
