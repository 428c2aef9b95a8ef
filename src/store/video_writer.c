/* video_writer.c - encodes frames into a video file with libavformat/libavcodec.
 *
 * The file is written as "<dir>/.<stem>.tmpXXXXXX<ext>" (the real extension stays last so
 * that libavformat and anyone looking at the folder can tell what it is) and renamed into
 * place only when the trailer is written and the data is on disk. Frame times come from
 * each frame's pts_us in a 1/90000 time base (1/1000 for MPEG-4 part 2, whose headers
 * cannot hold more; the frame period for AVI, which has no timestamps of its own), so a
 * variable frame rate survives the trip.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
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
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "heeldrop/video_writer.h"

#define VW_TMP_TRIES 100

struct hd_video_writer {
    char *path;                 /* the final name */
    char *tmp_path;             /* where the data goes until close() */
    AVFormatContext *oc;
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;             /* the encoder's picture, reused */
    AVPacket *pkt;              /* reused for every encoded packet */
    struct SwsContext *sws;     /* created on the first frame that needs converting */
    int width, height;
    int64_t frame_dur;          /* nominal frame period in the encoder's time base */
    int64_t nframes;
    int64_t first_pts_us;
    int64_t last_pts_us;
    int64_t last_pts;           /* in the encoder's time base */
    hd_status failed;           /* sticky: once a write fails, the file is not kept */
    char fail_msg[1024];        /* what went wrong, repeated by later calls */
};

static const AVRational vw_us = {1, 1000000};

static void vw_quiet_libav(void)
{
    /* x264 and the muxers print to stderr on their own; errors come back through
     * hd_fail instead. HEELDROP_AVLOG=<level> brings libav's log back for debugging. */
    const char *env = getenv("HEELDROP_AVLOG");
    if (!env || !*env)
        av_log_set_level(AV_LOG_QUIET);
    else if (atoi(env) > 0)
        av_log_set_level(atoi(env));
}

static const char *vw_err(int err, char *buf, size_t size)
{
    av_strerror(err, buf, size);
    return buf;
}

/* Records a write failure once; the writer refuses further frames and close() removes
 * the temporary file. */
static hd_status vw_fail(hd_video_writer *w, hd_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static hd_status vw_fail(hd_video_writer *w, hd_status st, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (w && !w->failed) {
        w->failed = st;
        snprintf(w->fail_msg, sizeof(w->fail_msg), "%s", msg);
    }
    return hd_fail(st, "%s", msg);
}

/* Creates "<dir>/.<stem>.tmpXXXXXX<ext>" exclusively, so two writers never share it. The
 * file is made with open(0666) rather than mkstemp(0600) so that the umask decides the
 * final permissions, as for any other output. */
static hd_status vw_make_tmp(const char *path, char **out)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *ext = strrchr(base, '.');
    size_t dir_len = (size_t)(base - path);
    size_t stem_len;
    size_t size = strlen(path) + 32;
    struct timespec ts;
    char *tmp;

    *out = NULL;
    if (ext == base) /* ".hidden" has no extension */
        ext = NULL;
    stem_len = ext ? (size_t)(ext - base) : strlen(base);
    tmp = malloc(size);
    if (!tmp)
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", path);
    clock_gettime(CLOCK_REALTIME, &ts);
    for (unsigned i = 0; i < VW_TMP_TRIES; i++) {
        unsigned tag = ((unsigned)ts.tv_nsec ^ ((unsigned)getpid() << 12)) + i * 2654435761u;
        int fd;
        snprintf(tmp, size, "%.*s.%.*s.tmp%06x%s", (int)dir_len, path, (int)stem_len, base,
                 tag & 0xffffffu, ext ? ext : "");
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            close(fd);
            *out = tmp;
            return HD_OK;
        }
        if (errno != EEXIST) {
            hd_status st = hd_fail(HD_ERR_IO, "cannot write %s: %s", path, strerror(errno));
            free(tmp);
            return st;
        }
    }
    free(tmp);
    return hd_fail(HD_ERR_IO, "cannot write %s: no free temporary name", path);
}

static const AVCodec *vw_find_encoder(const char *name)
{
    /* HeelDrop's codec names are format names; these are the encoders behind them */
    static const struct {
        const char *name, *encoder;
    } map[] = {{"h264", "libx264"}, {"vp9", "libvpx-vp9"}, {"mpeg4", "mpeg4"}, {"mjpeg", "mjpeg"}};
    const AVCodecDescriptor *desc;
    const AVCodec *c;

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(name, map[i].name) == 0 && (c = avcodec_find_encoder_by_name(map[i].encoder)))
            return c;
    }
    c = avcodec_find_encoder_by_name(name);
    if (c)
        return c;
    desc = avcodec_descriptor_get_by_name(name);
    return desc ? avcodec_find_encoder(desc->id) : NULL;
}

/* 4:2:0 YUV unless the encoder cannot take it (then its closest format). MJPEG wants the
 * full-range "J" variant. */
static enum AVPixelFormat vw_pick_pix_fmt(const AVCodec *codec)
{
    const enum AVPixelFormat *fmts = NULL;

    if (codec->id == AV_CODEC_ID_MJPEG)
        return AV_PIX_FMT_YUVJ420P;
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100)
    if (avcodec_get_supported_config(NULL, codec, AV_CODEC_CONFIG_PIX_FORMAT, 0,
                                     (const void **)&fmts, NULL) < 0)
        fmts = NULL;
#else
    fmts = codec->pix_fmts;
#endif
    if (!fmts)
        return AV_PIX_FMT_YUV420P;
    for (const enum AVPixelFormat *f = fmts; *f != AV_PIX_FMT_NONE; f++) {
        if (*f == AV_PIX_FMT_YUV420P)
            return AV_PIX_FMT_YUV420P;
    }
    return avcodec_find_best_pix_fmt_of_list(fmts, AV_PIX_FMT_YUV420P, 0, NULL);
}

/* Quality settings: crf for x264 and VP9, else a bitrate when given, else a fixed
 * quantiser (MPEG-4 part 2 and MJPEG would otherwise use a low default bitrate). */
static void vw_set_quality(AVCodecContext *enc, const AVCodec *codec,
                           const hd_video_writer_opts *o)
{
    if (strcmp(codec->name, "libx264") == 0) {
        av_opt_set(enc->priv_data, "preset", o->preset ? o->preset : "veryfast", 0);
        if (o->crf > 0)
            av_opt_set_double(enc->priv_data, "crf", o->crf, 0);
        else if (o->bitrate_kbps > 0)
            enc->bit_rate = (int64_t)o->bitrate_kbps * 1000;
    } else if (strcmp(codec->name, "libvpx-vp9") == 0) {
        /* libvpx's defaults encode at a few frames per second; these keep it usable */
        av_opt_set(enc->priv_data, "deadline", "good", 0);
        av_opt_set_int(enc->priv_data, "cpu-used", 5, 0);
        av_opt_set_int(enc->priv_data, "row-mt", 1, 0);
        if (o->bitrate_kbps > 0 && o->crf <= 0) {
            enc->bit_rate = (int64_t)o->bitrate_kbps * 1000;
        } else {
            enc->bit_rate = 0; /* constant quality */
            av_opt_set_int(enc->priv_data, "crf", o->crf > 0 ? o->crf : 32, 0);
        }
    } else if (o->bitrate_kbps > 0) {
        enc->bit_rate = (int64_t)o->bitrate_kbps * 1000;
    } else {
        int q = o->crf > 0 ? o->crf / 6 : 3;
        q = q < 2 ? 2 : q > 31 ? 31 : q;
        enc->flags |= AV_CODEC_FLAG_QSCALE;
        enc->global_quality = FF_QP2LAMBDA * q;
    }
}

static hd_status vw_nomem(const char *path)
{
    return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", path);
}

static hd_status vw_set_rotation(hd_video_writer *w, int deg)
{
    int32_t *m;
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 30, 100)
    AVPacketSideData *sd = av_packet_side_data_new(&w->st->codecpar->coded_side_data,
                                                   &w->st->codecpar->nb_coded_side_data,
                                                   AV_PKT_DATA_DISPLAYMATRIX,
                                                   9 * sizeof(int32_t), 0);
    m = sd ? (int32_t *)sd->data : NULL;
#else
    m = (int32_t *)av_stream_new_side_data(w->st, AV_PKT_DATA_DISPLAYMATRIX,
                                           9 * sizeof(int32_t));
#endif
    if (!m)
        return hd_fail(HD_ERR_NOMEM, "out of memory opening %s", w->path);
    /* rotation_deg is the clockwise turn a player applies, as in a phone's "rotate 90"
     * tag; av_display_rotation_get() reads this matrix back as -deg (counter-clockwise),
     * which is what ffprobe prints */
    av_display_rotation_set(m, (double)deg);
    return HD_OK;
}

static void vw_free(hd_video_writer *w)
{
    if (!w)
        return;
    if (w->oc && w->oc->pb && !(w->oc->oformat->flags & AVFMT_NOFILE))
        avio_closep(&w->oc->pb);
    avformat_free_context(w->oc);
    avcodec_free_context(&w->enc);
    av_frame_free(&w->frame);
    av_packet_free(&w->pkt);
    sws_freeContext(w->sws);
    free(w->path);
    free(w->tmp_path);
    free(w);
}

void hd_video_writer_abort(hd_video_writer *w)
{
    if (!w)
        return;
    if (w->tmp_path)
        unlink(w->tmp_path);
    vw_free(w);
}

hd_status hd_video_writer_open(const char *path, const hd_video_writer_opts *opts,
                               hd_video_writer **out)
{
    char errbuf[AV_ERROR_MAX_STRING_SIZE];
    const char *codec_name;
    const AVOutputFormat *ofmt;
    const AVCodec *codec;
    AVDictionary *mux_opts = NULL;
    AVRational rate, tb;
    hd_video_writer *w = NULL;
    char *url = NULL;
    struct stat sb;
    hd_status st;
    int rot, ret;

    if (!out)
        return hd_fail(HD_ERR_INVALID, "hd_video_writer_open: out is NULL");
    *out = NULL;
    if (!path || !*path || !opts)
        return hd_fail(HD_ERR_INVALID, "hd_video_writer_open: no path or options");
    if (opts->width <= 0 || opts->height <= 0)
        return hd_fail(HD_ERR_INVALID, "%s: bad video size %dx%d", path, opts->width,
                       opts->height);
    rot = ((opts->rotation_deg % 360) + 360) % 360;
    if (rot % 90)
        return hd_fail(HD_ERR_INVALID, "%s: rotation must be 0, 90, 180 or 270 (got %d)", path,
                       opts->rotation_deg);
    vw_quiet_libav();

    ofmt = opts->container ? av_guess_format(opts->container, NULL, NULL)
                           : av_guess_format(NULL, path, NULL);
    if (!ofmt && opts->container) {
        /* a file extension ("mkv") rather than a muxer name ("matroska") */
        char ext[64];
        snprintf(ext, sizeof(ext), "x.%s", opts->container);
        ofmt = av_guess_format(NULL, ext, NULL);
    }
    if (!ofmt && opts->container)
        return hd_fail(HD_ERR_INVALID, "%s: unknown container %s", path, opts->container);
    if (!ofmt)
        return hd_fail(HD_ERR_INVALID, "%s: cannot tell the container from the name "
                                       "(use .mp4, .mkv, .mov, .avi or .webm)", path);
    codec_name = opts->codec ? opts->codec : "h264";
    codec = vw_find_encoder(codec_name);
    if (!codec)
        return hd_fail(HD_ERR_INVALID, "%s: no encoder for %s video", path, codec_name);
    if (codec->id == AV_CODEC_ID_H264 && (opts->width % 2 || opts->height % 2))
        return hd_fail(HD_ERR_INVALID, "%s: H.264 needs an even frame size, not %dx%d", path,
                       opts->width, opts->height);

    /* found now rather than by rename() after the whole video was encoded */
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return hd_fail(HD_ERR_IO, "cannot write %s: it is a directory", path);

    w = calloc(1, sizeof(*w));
    if (!w || !(w->path = strdup(path))) {
        st = vw_nomem(path);
        goto fail;
    }
    w->width = opts->width;
    w->height = opts->height;
    st = vw_make_tmp(path, &w->tmp_path);
    if (st != HD_OK)
        goto fail;

    /* "file:" keeps a colon in the name from being read as a protocol */
    url = malloc(strlen(w->tmp_path) + 6);
    if (!url) {
        st = vw_nomem(path);
        goto fail;
    }
    memcpy(url, "file:", 5);
    strcpy(url + 5, w->tmp_path);
    ret = avformat_alloc_output_context2(&w->oc, ofmt, NULL, url);
    if (ret < 0) {
        st = vw_nomem(path);
        goto fail;
    }

    rate = av_d2q(opts->fps > 0 ? opts->fps : 30.0, 100000);
    if (strcmp(ofmt->name, "avi") == 0)
        tb = av_inv_q(rate); /* AVI only knows frame numbers */
    else if (codec->id == AV_CODEC_ID_MPEG4)
        tb = (AVRational){1, 1000}; /* 16-bit time resolution in its headers */
    else
        tb = (AVRational){1, 90000};

    w->enc = avcodec_alloc_context3(codec);
    w->frame = av_frame_alloc();
    w->pkt = av_packet_alloc();
    if (!w->enc || !w->frame || !w->pkt) {
        st = vw_nomem(path);
        goto fail;
    }
    w->enc->width = opts->width;
    w->enc->height = opts->height;
    w->enc->pix_fmt = vw_pick_pix_fmt(codec);
    if (w->enc->pix_fmt == AV_PIX_FMT_YUVJ420P)
        w->enc->color_range = AVCOL_RANGE_JPEG;
    w->enc->time_base = tb;
    w->enc->framerate = rate;
    w->enc->thread_count = opts->threads > 0 ? opts->threads : 0;
    if (opts->gop > 0)
        w->enc->gop_size = opts->gop;
    if (ofmt->flags & AVFMT_GLOBALHEADER)
        w->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    vw_set_quality(w->enc, codec, opts);
    ret = avcodec_open2(w->enc, codec, NULL);
    if (ret < 0) {
        st = hd_fail(ret == AVERROR(ENOMEM) ? HD_ERR_NOMEM : HD_ERR_INVALID,
                     "%s: cannot start the %s encoder (%s)", path, codec->name,
                     vw_err(ret, errbuf, sizeof(errbuf)));
        goto fail;
    }
    w->frame_dur = av_rescale_q(1, av_inv_q(rate), tb);
    if (w->frame_dur < 1)
        w->frame_dur = 1;

    w->frame->format = w->enc->pix_fmt;
    w->frame->width = opts->width;
    w->frame->height = opts->height;
    w->frame->color_range = w->enc->color_range;
    ret = av_frame_get_buffer(w->frame, 0);
    if (ret < 0) {
        st = vw_nomem(path);
        goto fail;
    }

    w->st = avformat_new_stream(w->oc, NULL);
    if (!w->st) {
        st = vw_nomem(path);
        goto fail;
    }
    w->st->time_base = tb;
    w->st->avg_frame_rate = rate;
    ret = avcodec_parameters_from_context(w->st->codecpar, w->enc);
    if (ret < 0) {
        st = vw_nomem(path);
        goto fail;
    }
    if (rot) {
        st = vw_set_rotation(w, rot);
        if (st != HD_OK)
            goto fail;
    }

    if (!(ofmt->flags & AVFMT_NOFILE)) {
        ret = avio_open(&w->oc->pb, url, AVIO_FLAG_WRITE);
        if (ret < 0) {
            st = hd_fail(HD_ERR_IO, "cannot write %s: %s", path,
                         vw_err(ret, errbuf, sizeof(errbuf)));
            goto fail;
        }
    }
    /* index first: a copy cut short later (an interrupted transfer) still plays up to
     * the cut, and players can start before they have read the whole file */
    if (strcmp(ofmt->name, "mp4") == 0 || strcmp(ofmt->name, "mov") == 0)
        av_dict_set(&mux_opts, "movflags", "+faststart", 0);
    ret = avformat_write_header(w->oc, &mux_opts);
    av_dict_free(&mux_opts);
    if (ret < 0) {
        /* query_codec is too strict to ask first (it refuses PNG in Matroska, which
         * works), but it explains a refusal well */
        if (avformat_query_codec(ofmt, codec->id, FF_COMPLIANCE_NORMAL) == 0)
            st = hd_fail(HD_ERR_INVALID, "%s: %s files cannot hold %s video", path,
                         ofmt->name, codec_name);
        else
            st = hd_fail(ret == AVERROR(EINVAL) ? HD_ERR_INVALID : HD_ERR_IO,
                         "cannot write %s: %s", path, vw_err(ret, errbuf, sizeof(errbuf)));
        goto fail;
    }
    free(url);
    *out = w;
    return HD_OK;

fail:
    free(url);
    hd_video_writer_abort(w);
    return st;
}

/* Takes every packet the encoder has ready and hands it to the muxer. */
static hd_status vw_drain(hd_video_writer *w)
{
    char errbuf[AV_ERROR_MAX_STRING_SIZE];
    int ret;

    for (;;) {
        ret = avcodec_receive_packet(w->enc, w->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return HD_OK;
        if (ret < 0)
            return vw_fail(w, HD_ERR_INTERNAL, "encoding %s failed: %s", w->path,
                           vw_err(ret, errbuf, sizeof(errbuf)));
        if (w->pkt->duration <= 0)
            w->pkt->duration = w->frame_dur;
        av_packet_rescale_ts(w->pkt, w->enc->time_base, w->st->time_base);
        w->pkt->stream_index = w->st->index;
        ret = av_interleaved_write_frame(w->oc, w->pkt);
        av_packet_unref(w->pkt);
        if (ret < 0)
            return vw_fail(w, HD_ERR_IO, "cannot write %s: %s", w->path,
                           vw_err(ret, errbuf, sizeof(errbuf)));
    }
}

/* Puts f's pixels into the encoder's picture: a plain copy when the formats match. */
static hd_status vw_fill(hd_video_writer *w, const hd_frame *f)
{
    enum AVPixelFormat src_fmt = f->format == HD_PIX_BGR24 ? AV_PIX_FMT_BGR24
                                                           : AV_PIX_FMT_YUV420P;
    const uint8_t *src[4] = {f->plane[0], f->plane[1], f->plane[2], NULL};
    int src_stride[4] = {f->stride[0], f->stride[1], f->stride[2], 0};

    if (src_fmt == w->enc->pix_fmt) {
        av_image_copy(w->frame->data, w->frame->linesize, src, src_stride, src_fmt, w->width,
                      w->height);
        return HD_OK;
    }
    /* same size both ways: swscale only converts, and keeps one context for the run */
    w->sws = sws_getCachedContext(w->sws, w->width, w->height, src_fmt, w->width, w->height,
                                  w->enc->pix_fmt, SWS_BILINEAR, NULL, NULL, NULL);
    if (!w->sws)
        return vw_fail(w, HD_ERR_INTERNAL, "%s: cannot convert frames for the encoder",
                       w->path);
    sws_scale(w->sws, src, src_stride, 0, w->height, w->frame->data, w->frame->linesize);
    return HD_OK;
}

hd_status hd_video_writer_write(hd_video_writer *w, const hd_frame *f)
{
    char errbuf[AV_ERROR_MAX_STRING_SIZE];
    int64_t pts;
    hd_status st;
    int ret;

    if (!w || !f)
        return hd_fail(HD_ERR_INVALID, "hd_video_writer_write: NULL argument");
    if (w->failed)
        return hd_fail(w->failed, "%s", w->fail_msg);
    if (f->width != w->width || f->height != w->height)
        return hd_fail(HD_ERR_INVALID, "%s: frame is %dx%d, the video is %dx%d", w->path,
                       f->width, f->height, w->width, w->height);
    if (f->format != HD_PIX_YUV420P && f->format != HD_PIX_BGR24)
        return hd_fail(HD_ERR_INVALID, "%s: frames must be YUV420P or BGR24", w->path);
    if (!f->plane[0] || (f->format == HD_PIX_YUV420P && (!f->plane[1] || !f->plane[2])))
        return hd_fail(HD_ERR_INVALID, "%s: frame has missing planes", w->path);
    if (w->nframes > 0 && f->pts_us <= w->last_pts_us)
        return hd_fail(HD_ERR_INVALID, "%s: frame times must increase (%lld us after %lld us)",
                       w->path, (long long)f->pts_us, (long long)w->last_pts_us);

    /* the file starts at 0 whatever the first frame's time; rounding into a coarse time
     * base (AVI) must not make two frames share a timestamp */
    if (w->nframes == 0)
        w->first_pts_us = f->pts_us;
    pts = av_rescale_q_rnd(f->pts_us - w->first_pts_us, vw_us, w->enc->time_base,
                           AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
    if (w->nframes > 0 && pts <= w->last_pts)
        pts = w->last_pts + 1;

    /* the encoder may still hold the previous picture; this only copies when it does */
    ret = av_frame_make_writable(w->frame);
    if (ret < 0)
        return vw_fail(w, HD_ERR_NOMEM, "out of memory writing %s", w->path);
    st = vw_fill(w, f);
    if (st != HD_OK)
        return st;
    w->frame->pts = pts;
    ret = avcodec_send_frame(w->enc, w->frame);
    if (ret < 0)
        return vw_fail(w, HD_ERR_INTERNAL, "encoding %s failed: %s", w->path,
                       vw_err(ret, errbuf, sizeof(errbuf)));
    w->nframes++;
    w->last_pts = pts;
    w->last_pts_us = f->pts_us;
    return vw_drain(w);
}

/* Closes the file and makes sure its data reached the disk before it gets its name. */
static hd_status vw_finish_file(hd_video_writer *w)
{
    char errbuf[AV_ERROR_MAX_STRING_SIZE];
    int ret, fd;

    if (w->oc->pb && !(w->oc->oformat->flags & AVFMT_NOFILE)) {
        ret = avio_closep(&w->oc->pb);
        if (ret < 0)
            return vw_fail(w, HD_ERR_IO, "cannot write %s: %s", w->path,
                           vw_err(ret, errbuf, sizeof(errbuf)));
    }
    fd = open(w->tmp_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        hd_status st = vw_fail(w, HD_ERR_IO, "cannot write %s: %s", w->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return st;
    }
    close(fd);
    if (rename(w->tmp_path, w->path) != 0)
        return vw_fail(w, HD_ERR_IO, "cannot write %s: %s", w->path, strerror(errno));
    return HD_OK;
}

hd_status hd_video_writer_close(hd_video_writer *w)
{
    char errbuf[AV_ERROR_MAX_STRING_SIZE];
    hd_status st;
    int ret;

    if (!w)
        return hd_fail(HD_ERR_INVALID, "hd_video_writer_close: NULL writer");
    if (w->failed) {
        st = hd_fail(w->failed, "%s", w->fail_msg);
        goto fail;
    }
    if (w->nframes == 0) {
        st = hd_fail(HD_ERR_INVALID, "%s: no frames were written", w->path);
        goto fail;
    }
    ret = avcodec_send_frame(w->enc, NULL); /* flush: B-frames and lookahead come out */
    if (ret < 0 && ret != AVERROR_EOF) {
        st = vw_fail(w, HD_ERR_INTERNAL, "encoding %s failed: %s", w->path,
                     vw_err(ret, errbuf, sizeof(errbuf)));
        goto fail;
    }
    st = vw_drain(w);
    if (st != HD_OK)
        goto fail;
    ret = av_write_trailer(w->oc);
    if (ret < 0) {
        st = vw_fail(w, HD_ERR_IO, "cannot write %s: %s", w->path,
                     vw_err(ret, errbuf, sizeof(errbuf)));
        goto fail;
    }
    st = vw_finish_file(w);
    if (st != HD_OK)
        goto fail;
    vw_free(w);
    return HD_OK;

fail:
    hd_video_writer_abort(w);
    return st;
}
