/* video_writer.h - encodes frames into a video file with libavformat/libavcodec.
 *
 * Used by `analyze --annotate` and by the clip generator. The file is written under a
 * temporary name in the destination folder and renamed into place by
 * hd_video_writer_close() when everything succeeded; hd_video_writer_abort() removes it.
 */
#ifndef HEELDROP_VIDEO_WRITER_H
#define HEELDROP_VIDEO_WRITER_H

#include <stdint.h>

#include "heeldrop/frame.h"
#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hd_video_writer hd_video_writer;

typedef struct hd_video_writer_opts {
    int width, height;       /* frame size (even numbers for H.264) */
    double fps;              /* nominal rate; pts_us decides each frame's real time */
    const char *codec;       /* "h264" (libx264, default), "mpeg4", "vp9", "mjpeg", ... */
    const char *container;   /* NULL: from the file name (mp4, mkv, avi, mov, webm) */
    int crf;                 /* quality for x264/vp9 (0 = codec default, 23 typical) */
    int bitrate_kbps;        /* for codecs without crf (0 = default) */
    int gop;                 /* keyframe interval in frames (0 = codec default) */
    const char *preset;      /* x264 preset (NULL = "veryfast") */
    int rotation_deg;        /* display-matrix rotation to store (0, 90, 180, 270) */
    int threads;             /* encoder threads (0 = auto) */
} hd_video_writer_opts;

/* Opens path for writing. The frames given to write() must have the size in opts and
 * format HD_PIX_YUV420P or HD_PIX_BGR24 (converted as needed). On failure *out is NULL
 * and nothing is left on disk. */
hd_status hd_video_writer_open(const char *path, const hd_video_writer_opts *opts,
                               hd_video_writer **out);

/* Encodes one frame at f->pts_us (must increase). f is borrowed for the call. */
hd_status hd_video_writer_write(hd_video_writer *w, const hd_frame *f);

/* Flushes the encoder, writes the trailer, renames the file into place and frees w.
 * On failure the temporary file is removed. */
hd_status hd_video_writer_close(hd_video_writer *w);

/* Frees w and removes the temporary file. NULL is fine. */
void hd_video_writer_abort(hd_video_writer *w);

#ifdef __cplusplus
}
#endif
#endif
