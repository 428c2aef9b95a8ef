/* source_file.c - the "file" frame source: libavformat demuxes, libavcodec decodes.
 *
 * Hot path: one AVPacket and one AVFrame are reused for the whole file. When the decoder
 * already outputs 4:2:0 planar YUV at the stream's size, its planes are lent to the caller
 * as they are and the AVFrame stays referenced until release (or longer: the prefetch
 * ring takes its own reference on those buffers with hd_source_file_keep(), source_keep.h,
 * instead of copying the frame). Other pixel formats (and a mid-stream size change) go
 * through one swscale context into a buffer allocated on first use; a rotated phone video
 * is turned upright into a second buffer allocated at open.
 *
 * Errors are classified before libavformat sees the path (stat/access), so "not found",
 * "permission denied" and "not a video" each get their own status and message.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
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
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "capture/source_keep.h"
#include "heeldrop/source.h"

/* Decode errors in a row, with no frame in between, after which the stream is called
 * corrupt. The file is finite so the loop ends anyway; this only stops a garbage file
 * from being read to its end one failing packet at a time. */
#define FILE_MAX_BAD_RUN 1000

/* In realtime mode a frame due further away than this is not waited for in one call:
 * acquire() sleeps a bit and returns HD_AGAIN so the caller can keep its window alive. */
#define FILE_RT_MAX_WAIT_US 100000
#define FILE_RT_NAP_US 50000

typedef struct file_priv {
    char *path;               /* as given, for messages */
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;            /* reused for every read */
    AVFrame *frame;           /* reused for every decoded frame */
    int vidx;                 /* the video stream's index */
    AVRational tb;            /* its time base */
    hd_pixfmt want;           /* HD_PIX_YUV420P or HD_PIX_GRAY8 */
    int rotation;             /* clockwise degrees to turn decoded frames upright */
    int base_w, base_h;       /* decoded size (before rotation) the buffers are made for */
    int64_t period_us;        /* nominal frame period, for missing timestamps */

    struct SwsContext *sws;   /* only for pixel formats other than 4:2:0 */
    uint8_t *conv[4];         /* converted frame, base size; conv[0] owns the block */
    int conv_stride[4];
    uint8_t *rot[4];          /* rotated frame; rot[0] owns the block */
    int rot_stride[4];

    int pkt_pending;          /* pkt holds a packet the decoder asked us to resend */
    int draining;             /* the demuxer is done; the decoder is being flushed */
    int read_err;             /* how the demuxer ended (AVERROR_EOF when cleanly) */
    int bad_run;              /* decode errors since the last good frame */
    int frame_ready;          /* frame holds a decoded picture not yet lent out */
    int frame_out;            /* frame is lent to the caller */
    int lent_direct;          /* ... with planes in the decoder's own buffers (keepable) */
    int64_t ready_pts_us;     /* timestamp of the ready frame */

    int64_t seq;              /* frames delivered so far */
    int64_t last_pts_us;      /* timestamp of the last delivered frame */
    int have_base;            /* ts_base_us is known */
    int64_t ts_base_us;       /* stream time of t = 0 */

    int realtime;
    int rt_started;
    int64_t rt_t0_us;         /* monotonic time at which pts 0 is due */

    hd_status final_st;       /* sticky end status once reached (0 = still going) */
    char final_msg[512];      /* its message, recorded again on each later call */
} file_priv;

static const AVRational file_us = {1, 1000000};

static void file_quiet_libav(void)
{
    /* libav prints to stderr on its own; HeelDrop reports through hd_fail instead.
     * HEELDROP_AVLOG=<level> (e.g. 32 for info, 48 for debug) brings the log back. */
    const char *env = getenv("HEELDROP_AVLOG");
    if (!env || !*env)
        av_log_set_level(AV_LOG_QUIET);
    else if (atoi(env) > 0)
        av_log_set_level(atoi(env));
}

static int64_t file_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void file_sleep_us(int64_t us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void file_cleanup(file_priv *p)
{
    av_frame_free(&p->frame);
    av_packet_free(&p->pkt);
    avcodec_free_context(&p->dec);
    avformat_close_input(&p->fmt);
    sws_freeContext(p->sws);
    p->sws = NULL;
    av_freep(&p->conv[0]);
    av_freep(&p->rot[0]);
    free(p->path);
    p->path = NULL;
}

/* ---- open ---------------------------------------------------------------------------- */

static hd_status file_nomem(const char *path)
{
    return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", path);
}

static hd_status file_decoder_fail(const char *path, const AVCodec *codec, int err)
{
    char errbuf[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(err, errbuf, sizeof(errbuf));
    return hd_fail(err == AVERROR(ENOMEM) ? HD_ERR_NOMEM : HD_ERR_FORMAT,
                   "%s: cannot start the %s decoder (%s)", path, codec->name, errbuf);
}

/* Checks the path itself so that each common mistake gets its own status and message. */
static hd_status file_check_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return hd_fail(HD_ERR_NOTFOUND, "video not found: %s", path);
        return hd_fail(HD_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return hd_fail(HD_ERR_FORMAT, "%s is a directory, not a video file", path);
    if (access(path, R_OK) != 0)
        return hd_fail(HD_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    if (S_ISREG(sb.st_mode) && sb.st_size == 0)
        return hd_fail(HD_ERR_FORMAT, "%s is not a video file (it is empty)", path);
    return HD_OK;
}

/* avformat_open_input() failed. Tells a damaged file of a known container (a phone
 * recording cut short before its index was written) from a file that is no video at all,
 * by probing its first bytes without the help of the file name. */
static hd_status file_open_error(const char *path, int err)
{
    unsigned char buf[4096 + AVPROBE_PADDING_SIZE];
    char errbuf[AV_ERROR_MAX_STRING_SIZE];
    const AVInputFormat *ifmt = NULL;
    AVProbeData pd = {.filename = "", .buf = buf};
    int score = 0;
    FILE *f;

    if (err == AVERROR(EACCES) || err == AVERROR(EPERM) || err == AVERROR(EIO))
        return hd_fail(HD_ERR_IO, "cannot read %s: %s", path, strerror(AVUNERROR(err)));
    if (err == AVERROR(ENOENT))
        return hd_fail(HD_ERR_NOTFOUND, "video not found: %s", path);
    if (err == AVERROR(ENOMEM))
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", path);

    memset(buf, 0, sizeof(buf));
    f = fopen(path, "rb");
    if (f) {
        pd.buf_size = (int)fread(buf, 1, sizeof(buf) - AVPROBE_PADDING_SIZE, f);
        fclose(f);
        ifmt = av_probe_input_format3(&pd, 1, &score);
    }
    if (ifmt && score >= AVPROBE_SCORE_MAX / 2) {
        av_strerror(err, errbuf, sizeof(errbuf));
        return hd_fail(HD_ERR_FORMAT, "%s: damaged or truncated %s file (%s)", path,
                       ifmt->long_name ? ifmt->long_name : ifmt->name, errbuf);
    }
    return hd_fail(HD_ERR_FORMAT, "%s is not a video file (no video stream)", path);
}

/* The video stream to decode: libavformat's choice unless that is cover art. */
static int file_pick_stream(AVFormatContext *fmt)
{
    int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (idx >= 0 && !(fmt->streams[idx]->disposition & AV_DISPOSITION_ATTACHED_PIC))
        return idx;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            return (int)i;
    }
    return -1;
}

/* Clockwise degrees (0/90/180/270) to turn the stream upright, from its display matrix. */
static int file_stream_rotation(const AVStream *st)
{
    const int32_t *m = NULL;
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 30, 100)
    const AVPacketSideData *sd =
        av_packet_side_data_get(st->codecpar->coded_side_data, st->codecpar->nb_coded_side_data,
                                AV_PKT_DATA_DISPLAYMATRIX);
    if (sd && sd->size >= 9 * sizeof(int32_t))
        m = (const int32_t *)sd->data;
#else
    size_t size = 0;
    const uint8_t *sd = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (sd && size >= 9 * sizeof(int32_t))
        m = (const int32_t *)sd;
#endif
    double a;
    long deg;
    if (!m)
        return 0;
    a = av_display_rotation_get(m);
    if (isnan(a))
        return 0;
    /* the matrix turns counter-clockwise; a phone's "rotate 90" is a clockwise turn */
    deg = lrint(-a);
    deg = ((deg % 360) + 360) % 360;
    return (int)(((deg + 45) / 90) % 4) * 90;
}

static void file_fill_info(hd_source *src, const AVStream *st, const AVCodecContext *dec)
{
    file_priv *p = src->priv;
    hd_source_info *info = &src->info;
    AVRational r = st->avg_frame_rate;
    double fps = 0;

    if (r.num <= 0 || r.den <= 0)
        r = st->r_frame_rate;
    if (r.num > 0 && r.den > 0)
        fps = av_q2d(r);
    if (!(fps > 0.1 && fps < 1000))
        fps = 0;

    info->width = p->rotation % 180 ? p->base_h : p->base_w;
    info->height = p->rotation % 180 ? p->base_w : p->base_h;
    info->fps = fps;
    info->rotation_deg = p->rotation;
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        info->duration_s = (double)st->duration * av_q2d(st->time_base);
    else if (p->fmt->duration != AV_NOPTS_VALUE && p->fmt->duration > 0)
        info->duration_s = (double)p->fmt->duration / AV_TIME_BASE;
    if (st->nb_frames > 0)
        info->frames = st->nb_frames;
    else if (info->duration_s > 0 && fps > 0)
        info->frames = llround(info->duration_s * fps);
    snprintf(info->codec, sizeof(info->codec), "%s", avcodec_get_name(dec->codec_id));

    p->period_us = fps > 0 ? llround(1e6 / fps) : 33333;
}

static hd_status file_open(hd_source *src, const char *uri, const hd_source_opts *o)
{
    file_priv *p = src->priv;
    AVDictionary *fmt_opts = NULL;
    const AVCodec *codec;
    AVStream *st;
    char *url = NULL;
    hd_status rc;
    int ret;

    if (o->want_format != HD_PIX_NONE && o->want_format != HD_PIX_YUV420P &&
        o->want_format != HD_PIX_GRAY8)
        return hd_fail(HD_ERR_INVALID, "file source: frames come as YUV420P or GRAY8 only");
    rc = file_check_path(uri);
    if (rc != HD_OK)
        return rc;
    file_quiet_libav();

    p->want = o->want_format == HD_PIX_GRAY8 ? HD_PIX_GRAY8 : HD_PIX_YUV420P;
    p->realtime = o->realtime;
    p->path = strdup(uri);
    /* "file:" keeps a name with a colon from being read as a protocol, and the whitelist
     * keeps a playlist inside a file from reaching out to the network */
    url = malloc(strlen(uri) + 6);
    if (!p->path || !url) {
        rc = file_nomem(uri);
        goto fail;
    }
    memcpy(url, "file:", 5);
    strcpy(url + 5, uri);
    av_dict_set(&fmt_opts, "protocol_whitelist", "file", 0);

    ret = avformat_open_input(&p->fmt, url, NULL, &fmt_opts);
    av_dict_free(&fmt_opts);
    free(url);
    url = NULL;
    if (ret < 0) {
        rc = file_open_error(uri, ret);
        goto fail;
    }
    /* a failure here still leaves usable streams in many files, as in ffmpeg itself */
    (void)avformat_find_stream_info(p->fmt, NULL);

    p->vidx = file_pick_stream(p->fmt);
    /* the tty demuxer turns any .txt file into an "ANSI art" video: not a video here */
    if (p->vidx < 0 || p->fmt->streams[p->vidx]->codecpar->codec_id == AV_CODEC_ID_ANSI) {
        rc = hd_fail(HD_ERR_FORMAT, "%s is not a video file (no video stream)", uri);
        goto fail;
    }
    st = p->fmt->streams[p->vidx];
    for (unsigned i = 0; i < p->fmt->nb_streams; i++) {
        if ((int)i != p->vidx)
            p->fmt->streams[i]->discard = AVDISCARD_ALL; /* audio is never read */
    }
    p->tb = st->time_base;

    codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        rc = hd_fail(HD_ERR_FORMAT, "%s: no decoder for its %s video", uri,
                     avcodec_get_name(st->codecpar->codec_id));
        goto fail;
    }
    p->dec = avcodec_alloc_context3(codec);
    if (!p->dec) {
        rc = file_nomem(uri);
        goto fail;
    }
    ret = avcodec_parameters_to_context(p->dec, st->codecpar);
    if (ret < 0) {
        rc = file_decoder_fail(uri, codec, ret);
        goto fail;
    }
    p->dec->pkt_timebase = st->time_base;
    p->dec->thread_count = 0; /* one per core, as ffmpeg does */
    p->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    ret = avcodec_open2(p->dec, codec, NULL);
    if (ret < 0) {
        rc = file_decoder_fail(uri, codec, ret);
        goto fail;
    }

    p->base_w = st->codecpar->width;
    p->base_h = st->codecpar->height;
    if (p->base_w <= 0 || p->base_h <= 0) {
        rc = hd_fail(HD_ERR_FORMAT, "%s: the video has no frame size", uri);
        goto fail;
    }
    p->rotation = file_stream_rotation(st);
    file_fill_info(src, st, p->dec);

    p->pkt = av_packet_alloc();
    p->frame = av_frame_alloc();
    if (!p->pkt || !p->frame) {
        rc = file_nomem(uri);
        goto fail;
    }
    if (p->rotation) {
        ret = av_image_alloc(p->rot, p->rot_stride, src->info.width, src->info.height,
                             p->want == HD_PIX_GRAY8 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_YUV420P,
                             32);
        if (ret < 0) {
            rc = file_nomem(uri);
            goto fail;
        }
    }
    return HD_OK;

fail:
    free(url);
    file_cleanup(p);
    return rc;
}

/* ---- decoding ------------------------------------------------------------------------ */

/* Records the end of the stream once; later calls return the same status and message. */
static hd_status file_end(file_priv *p, hd_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static hd_status file_end(file_priv *p, hd_status st, const char *fmt, ...)
{
    va_list ap;
    p->final_st = st;
    p->final_msg[0] = '\0';
    if (fmt) {
        va_start(ap, fmt);
        vsnprintf(p->final_msg, sizeof(p->final_msg), fmt, ap);
        va_end(ap);
    }
    return st < 0 ? hd_fail(st, "%s", p->final_msg) : st;
}

/* The decoder has given everything it had: say how the stream ended. */
static hd_status file_finish(file_priv *p)
{
    char errbuf[AV_ERROR_MAX_STRING_SIZE];
    int err = p->read_err;

    if (p->seq == 0)
        return file_end(p, HD_ERR_FORMAT, "%s: no video frames could be decoded", p->path);
    if (err == AVERROR_EOF || err == 0)
        return file_end(p, HD_EOF, NULL);
    av_strerror(err, errbuf, sizeof(errbuf));
    if (err == AVERROR(EIO) || err == AVERROR(EACCES) || err == AVERROR(ENXIO))
        return file_end(p, HD_ERR_IO, "cannot read %s after frame %lld: %s", p->path,
                        (long long)p->seq, errbuf);
    return file_end(p, HD_ERR_FORMAT, "%s: the video is damaged after frame %lld (%s)",
                    p->path, (long long)p->seq, errbuf);
}

/* Runs demuxer and decoder until p->frame holds the next picture. */
static hd_status file_decode(file_priv *p)
{
    int ret;

    for (;;) {
        ret = avcodec_receive_frame(p->dec, p->frame);
        if (ret >= 0) {
            p->bad_run = 0;
            return HD_OK;
        }
        if (ret == AVERROR_EOF)
            return file_finish(p);
        if (ret != AVERROR(EAGAIN)) {
            /* a damaged picture: skip it like ffmpeg does, but not forever */
            if (++p->bad_run > FILE_MAX_BAD_RUN)
                goto corrupt;
            continue;
        }
        if (p->draining) /* EAGAIN after the flush packet would be a libavcodec bug */
            return file_finish(p);

        if (!p->pkt_pending) {
            ret = av_read_frame(p->fmt, p->pkt);
            if (ret < 0) {
                p->read_err = ret;
                p->draining = 1;
                avcodec_send_packet(p->dec, NULL);
                continue;
            }
            /* an empty packet (AVI pads gaps with them) would read as "flush" */
            if (p->pkt->stream_index != p->vidx ||
                (p->pkt->size == 0 && p->pkt->side_data_elems == 0)) {
                av_packet_unref(p->pkt);
                continue;
            }
        }
        ret = avcodec_send_packet(p->dec, p->pkt);
        if (ret == AVERROR(EAGAIN) && !p->pkt_pending) {
            p->pkt_pending = 1; /* take a frame out first, then resend */
            continue;
        }
        p->pkt_pending = 0;
        av_packet_unref(p->pkt);
        if (ret < 0 && ret != AVERROR_EOF && ++p->bad_run > FILE_MAX_BAD_RUN)
            goto corrupt;
    }

corrupt:
    if (p->seq == 0)
        return file_end(p, HD_ERR_FORMAT, "%s: no video frames could be decoded", p->path);
    return file_end(p, HD_ERR_FORMAT, "%s: the video is damaged after frame %lld", p->path,
                    (long long)p->seq);
}

/* Real timestamps relative to the first frame; a missing or non-increasing one becomes
 * the previous one plus a frame period, so time always moves forward. */
static int64_t file_frame_pts(file_priv *p, const AVFrame *f)
{
    int64_t guess = p->seq == 0 ? 0 : p->last_pts_us + p->period_us;
    int64_t ts = f->best_effort_timestamp;
    int64_t t, pts;

    if (ts == AV_NOPTS_VALUE)
        return guess;
    t = av_rescale_q(ts, p->tb, file_us);
    if (!p->have_base) {
        p->ts_base_us = t - guess;
        p->have_base = 1;
    }
    pts = t - p->ts_base_us;
    if (p->seq > 0 && pts <= p->last_pts_us)
        return guess;
    return pts;
}

/* ---- pixels -------------------------------------------------------------------------- */

/* Turns a w x h plane clockwise by deg into dst. 90 and 270 go in tiles so that the
 * column-wise reads stay in cache. */
static void file_rotate_plane(const uint8_t *src, int ss, int w, int h, uint8_t *dst, int ds,
                              int deg)
{
    enum { TILE = 32 };
    int dw = deg == 180 ? w : h;
    int dh = deg == 180 ? h : w;

    if (deg == 180) {
        for (int r = 0; r < dh; r++) {
            const uint8_t *s = src + (ptrdiff_t)(h - 1 - r) * ss + (w - 1);
            uint8_t *d = dst + (ptrdiff_t)r * ds;
            for (int c = 0; c < dw; c++)
                d[c] = s[-c];
        }
        return;
    }
    for (int r0 = 0; r0 < dh; r0 += TILE) {
        int r1 = r0 + TILE < dh ? r0 + TILE : dh;
        for (int c0 = 0; c0 < dw; c0 += TILE) {
            int c1 = c0 + TILE < dw ? c0 + TILE : dw;
            for (int r = r0; r < r1; r++) {
                uint8_t *d = dst + (ptrdiff_t)r * ds;
                if (deg == 90) { /* dst(r, c) = src(h - 1 - c, r) */
                    for (int c = c0; c < c1; c++)
                        d[c] = src[(ptrdiff_t)(h - 1 - c) * ss + r];
                } else { /* 270: dst(r, c) = src(c, w - 1 - r) */
                    for (int c = c0; c < c1; c++)
                        d[c] = src[(ptrdiff_t)c * ss + (w - 1 - r)];
                }
            }
        }
    }
}

/* Converts an unusual pixel format (or size) into the base-size buffer. */
static hd_status file_convert(file_priv *p, const AVFrame *f, uint8_t *const **planes,
                              const int **strides)
{
    enum AVPixelFormat dst = p->want == HD_PIX_GRAY8 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_YUV420P;
    int ret;

    p->sws = sws_getCachedContext(p->sws, f->width, f->height, f->format, p->base_w, p->base_h,
                                  dst, SWS_BILINEAR, NULL, NULL, NULL);
    if (!p->sws) {
        const char *name = av_get_pix_fmt_name(f->format);
        return hd_fail(HD_ERR_FORMAT, "%s: cannot convert its %s pixels", p->path,
                       name ? name : "unknown");
    }
    if (!p->conv[0]) {
        ret = av_image_alloc(p->conv, p->conv_stride, p->base_w, p->base_h, dst, 32);
        if (ret < 0)
            return hd_fail(HD_ERR_NOMEM, "out of memory decoding %s", p->path);
    }
    sws_scale(p->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, p->conv,
              p->conv_stride);
    *planes = p->conv;
    *strides = p->conv_stride;
    return HD_OK;
}

/* Points out at the ready frame's pixels: the decoder's own planes when they are already
 * 4:2:0 at the expected size, else converted and/or rotated copies. */
static hd_status file_lend(hd_source *src, hd_frame *out)
{
    file_priv *p = src->priv;
    const AVFrame *f = p->frame;
    uint8_t *const *planes = f->data;
    const int *strides = f->linesize;
    int nplanes = p->want == HD_PIX_GRAY8 ? 1 : 3;
    int direct = (f->format == AV_PIX_FMT_YUV420P || f->format == AV_PIX_FMT_YUVJ420P) &&
                 f->width == p->base_w && f->height == p->base_h && f->linesize[0] > 0 &&
                 f->linesize[1] > 0 && f->linesize[2] > 0;
    hd_status st;

    if (!direct) {
        st = file_convert(p, f, &planes, &strides);
        if (st != HD_OK)
            return st;
    }
    if (p->rotation) {
        for (int i = 0; i < nplanes; i++) {
            int w = i ? (p->base_w + 1) / 2 : p->base_w;
            int h = i ? (p->base_h + 1) / 2 : p->base_h;
            file_rotate_plane(planes[i], strides[i], w, h, p->rot[i], p->rot_stride[i],
                              p->rotation);
        }
        planes = p->rot;
        strides = p->rot_stride;
    }
    for (int i = 0; i < nplanes; i++) {
        out->plane[i] = planes[i];
        out->stride[i] = strides[i];
    }
    p->lent_direct = direct && !p->rotation;
    out->width = src->info.width;
    out->height = src->info.height;
    out->format = p->want;
    out->pts_us = p->ready_pts_us;
    out->seq = p->seq;
    out->opaque = p;
    return HD_OK;
}

/* Realtime mode: HD_OK when the ready frame is due (after sleeping at most
 * FILE_RT_MAX_WAIT_US), HD_AGAIN after a short nap when it is further away. */
static hd_status file_pace(file_priv *p)
{
    int64_t now = file_now_us();
    int64_t wait;

    if (!p->rt_started) {
        p->rt_t0_us = now - p->ready_pts_us;
        p->rt_started = 1;
    }
    wait = p->rt_t0_us + p->ready_pts_us - now;
    if (wait > FILE_RT_MAX_WAIT_US) {
        file_sleep_us(FILE_RT_NAP_US);
        return HD_AGAIN;
    }
    if (wait > 0)
        file_sleep_us(wait);
    return HD_OK;
}

/* Realtime mode: a frame whose time passed more than one frame period ago is dropped, as a
 * camera drops what nobody took in time, and decoding goes on to a frame that is still
 * due. A dropped frame keeps its seq number, so the consumer sees the gap. */
static hd_status file_skip_late(file_priv *p, double fps)
{
    int64_t period = (int64_t)(1e6 / (fps > 0 ? fps : 30.0));
    while (p->rt_started && file_now_us() - (p->rt_t0_us + p->ready_pts_us) > period) {
        av_frame_unref(p->frame);
        p->frame_ready = 0;
        p->seq++;
        hd_status st = file_decode(p);
        if (st != HD_OK)
            return st;
        p->ready_pts_us = file_frame_pts(p, p->frame);
        p->frame_ready = 1;
    }
    return HD_OK;
}

static hd_status file_acquire(hd_source *src, hd_frame *out)
{
    file_priv *p = src->priv;
    hd_status st;

    if (p->final_st)
        return p->final_st < 0 ? hd_fail(p->final_st, "%s", p->final_msg) : p->final_st;
    if (p->frame_out) { /* the caller skipped release: take the frame back ourselves */
        av_frame_unref(p->frame);
        p->frame_out = 0;
    }
    if (!p->frame_ready) {
        st = file_decode(p);
        if (st != HD_OK)
            return st;
        p->ready_pts_us = file_frame_pts(p, p->frame);
        p->frame_ready = 1;
    }
    if (p->realtime) {
        st = file_skip_late(p, src->info.fps);
        if (st == HD_OK)
            st = file_pace(p);
        if (st != HD_OK)
            return st;
    }
    p->frame_ready = 0;
    st = file_lend(src, out);
    if (st != HD_OK) {
        av_frame_unref(p->frame);
        memset(out, 0, sizeof(*out));
        return st;
    }
    p->frame_out = 1;
    p->last_pts_us = p->ready_pts_us;
    p->seq++;
    return HD_OK;
}

static void file_release(hd_source *src, hd_frame *frame)
{
    file_priv *p = src->priv;
    if (frame->opaque != p || !p->frame_out)
        return;
    av_frame_unref(p->frame);
    p->frame_out = 0;
}

static void file_close(hd_source *src)
{
    file_cleanup(src->priv);
}

/* ---- keeping a lent frame (the prefetch ring, source_keep.h) -------------------------- */

hd_status hd_source_file_keep(hd_source *src, const hd_frame *f, hd_frame_keep *k)
{
    memset(k, 0, sizeof(*k));
    if (!src || !f || src->ops != &hd_source_file_ops)
        return HD_ERR_INVALID;
    file_priv *p = src->priv;
    if (f->opaque != p || !p->frame_out || !p->lent_direct)
        return HD_ERR_INVALID;
    int nplanes = p->want == HD_PIX_GRAY8 ? 1 : 3;
    for (int i = 0; i < nplanes; i++) {
        /* the buffer whose bytes hold plane i (several planes may share one) */
        AVBufferRef *b = av_frame_get_plane_buffer(p->frame, i);
        if (!b || f->plane[i] != p->frame->data[i]) {
            hd_source_file_unkeep(k);
            return HD_ERR_INVALID;
        }
        k->ref[i] = av_buffer_ref(b);
        if (!k->ref[i]) {
            hd_source_file_unkeep(k);
            return HD_ERR_NOMEM;
        }
    }
    return HD_OK;
}

void hd_source_file_unkeep(hd_frame_keep *k)
{
    if (!k)
        return;
    for (int i = 0; i < 3; i++) {
        AVBufferRef *b = k->ref[i];
        av_buffer_unref(&b);
        k->ref[i] = NULL;
    }
}

/* ---- seeking (the review window) ------------------------------------------------------ */

/* Back to a clean decoder state after a seek in the demuxer. */
static void file_reset_decoder(file_priv *p)
{
    avcodec_flush_buffers(p->dec);
    av_packet_unref(p->pkt);
    p->pkt_pending = 0;
    p->draining = 0;
    p->read_err = 0;
    p->bad_run = 0;
    p->frame_ready = 0;
    p->final_st = HD_OK;
    p->final_msg[0] = '\0';
    p->rt_started = 0;
}

/* Demuxer to the keyframe at or before pts_us, then decode up to the first frame at or
 * after it (within half a frame). *last gets the last frame time seen, for a target past
 * the end. */
static hd_status file_seek_to(file_priv *p, int64_t pts_us, int64_t *last)
{
    int64_t ts = av_rescale_q(pts_us + p->ts_base_us, file_us, p->tb);
    int ret = av_seek_frame(p->fmt, p->vidx, ts, AVSEEK_FLAG_BACKWARD);
    if (ret < 0)
        ret = av_seek_frame(p->fmt, p->vidx, ts, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_ANY);
    if (ret < 0) {
        char errbuf[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(ret, errbuf, sizeof(errbuf));
        return hd_fail(HD_ERR_FORMAT, "%s: cannot seek to %.3f s: %s", p->path,
                       pts_us / 1e6, errbuf);
    }
    file_reset_decoder(p);
    int64_t keep_seq = p->seq;
    if (p->seq == 0)
        p->seq = 1; /* so that an end of file here is not "no frames could be decoded" */
    *last = INT64_MIN;
    for (;;) {
        hd_status st = file_decode(p);
        if (st != HD_OK) {
            p->seq = keep_seq;
            return st;
        }
        int64_t t = p->frame->best_effort_timestamp;
        int64_t pts = t == AV_NOPTS_VALUE ? (*last == INT64_MIN ? 0 : *last + p->period_us)
                                          : av_rescale_q(t, p->tb, file_us) - p->ts_base_us;
        *last = pts;
        if (pts + p->period_us / 2 >= pts_us) {
            p->ready_pts_us = pts;
            p->frame_ready = 1;
            p->last_pts_us = pts - 1;
            p->seq = p->period_us > 0 ? (pts + p->period_us / 2) / p->period_us : keep_seq;
            return HD_OK;
        }
        av_frame_unref(p->frame);
    }
}

hd_status hd_source_file_seek(hd_source *src, int64_t pts_us)
{
    if (!src || src->ops != &hd_source_file_ops)
        return hd_fail(HD_ERR_INVALID, "seek: not a file source");
    file_priv *p = src->priv;
    if (p->frame_out) {
        av_frame_unref(p->frame);
        p->frame_out = 0;
    }
    if (!p->have_base && !p->frame_ready && !p->final_st) {
        /* t = 0 is the first frame's time: decode it to know where that is. */
        hd_status st = file_decode(p);
        if (st != HD_OK)
            return st;
        p->ready_pts_us = file_frame_pts(p, p->frame);
        p->frame_ready = 1;
    }
    if (pts_us < 0)
        pts_us = 0;
    if (p->frame_ready && !p->final_st && p->ready_pts_us <= pts_us &&
        pts_us <= p->ready_pts_us + p->period_us / 2)
        return HD_OK; /* already there */
    if (p->frame_ready)
        av_frame_unref(p->frame);
    p->frame_ready = 0;
    int64_t last;
    hd_status st = file_seek_to(p, pts_us, &last);
    if (st == HD_EOF && last != INT64_MIN)
        st = file_seek_to(p, last, &last); /* past the end: the last frame */
    return st;
}

const hd_source_ops hd_source_file_ops = {
    .name = "file",
    .priv_size = sizeof(file_priv),
    .open = file_open,
    .acquire = file_acquire,
    .release = file_release,
    .close = file_close,
};
