/* source.h - a frame source: a video file, a camera, or a generated scene.
 *
 * A source is a table of functions (hd_source_ops) plus private state. Open one with
 * hd_source_open(); take frames with hd_source_acquire() and give each back with
 * hd_source_release() before the next acquire (one frame is out at a time). A source
 * is used from one thread.
 */
#ifndef HEELDROP_SOURCE_H
#define HEELDROP_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "heeldrop/frame.h"
#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hd_source hd_source;
struct hd_v4l2_dev_ops;

typedef struct hd_source_opts {
    hd_pixfmt want_format; /* HD_PIX_YUV420P (default when NONE) or HD_PIX_GRAY8 */
    int width, height;     /* requested size for cameras; 0 = default */
    double fps;            /* requested rate for cameras; 0 = default */
    int realtime;          /* file sources: deliver frames at the file's own pace; a frame
                            * already late by more than a frame period when it is taken is
                            * dropped, as a camera would (seq skips it) */
    /* cameras: the device calls to use (source_v4l2.h); NULL = libv4l2. Borrowed: must
     * outlive the source. */
    const struct hd_v4l2_dev_ops *dev_ops;
} hd_source_opts;

/* What a source knows about its stream once open. Values a source cannot know are 0. */
typedef struct hd_source_info {
    int width, height;      /* frame size as delivered (after rotation) */
    double fps;             /* nominal or average frame rate */
    int64_t frames;         /* frame count if known in advance, else 0 */
    double duration_s;      /* duration if known in advance, else 0 */
    int rotation_deg;       /* rotation applied from the file's display matrix: 0/90/180/270 */
    char codec[32];         /* codec or pixel format name, for messages */
} hd_source_info;

typedef struct hd_source_ops {
    const char *name;  /* "file", "v4l2", "synth" */
    size_t priv_size;  /* backend state, zeroed by the core */
    hd_status (*open)(hd_source *src, const char *uri, const hd_source_opts *o);
    hd_status (*acquire)(hd_source *src, hd_frame *out); /* HD_OK, HD_AGAIN, HD_EOF, < 0 */
    void (*release)(hd_source *src, hd_frame *frame);
    void (*close)(hd_source *src);
} hd_source_ops;

struct hd_source {
    const hd_source_ops *ops;
    void *priv;            /* priv_size bytes, zeroed */
    hd_source_info info;   /* filled by open */
};

/* The file backend (libavformat/libavcodec): any file FFmpeg reads. */
extern const hd_source_ops hd_source_file_ops;

/* File backend only: positions the source so that the next hd_source_acquire() returns
 * the first frame at or after pts_us (within half a frame; the last frame for a time past
 * the end; 0 for a negative time). Decodes from the keyframe before it, so a seek costs up
 * to one keyframe interval of decoding. A frame still out is taken back (its pixels become
 * invalid). The delivered frame's seq is its frame index at the nominal rate. Returns
 * HD_OK, HD_ERR_INVALID for another backend, HD_ERR_FORMAT when the file cannot seek or
 * decode there (message set). Realtime pacing restarts from the new position. */
hd_status hd_source_file_seek(hd_source *src, int64_t pts_us);

/* Opens a source with the given backend. uri is a path for "file". opts may be NULL.
 * On success *out is a new source; on failure *out is NULL and hd_last_error() says
 * why (HD_ERR_NOTFOUND, HD_ERR_IO for permissions, HD_ERR_FORMAT for a non-video or a
 * corrupt file). */
hd_status hd_source_open(const hd_source_ops *ops, const char *uri, const hd_source_opts *opts,
                         hd_source **out);

/* Takes the next frame. Returns HD_OK with *out filled (borrowed until release), HD_AGAIN
 * when no frame is ready yet (cameras), HD_EOF at the end of a file, or a failure
 * (HD_ERR_FORMAT for a stream that turns out to be corrupt, with the frames before it
 * already delivered). */
hd_status hd_source_acquire(hd_source *src, hd_frame *out);

/* Gives a frame back. */
void hd_source_release(hd_source *src, hd_frame *frame);

/* Closes the source and frees it. NULL is fine. */
void hd_source_close(hd_source *src);

/* The stream information (never NULL for an open source). */
const hd_source_info *hd_source_get_info(const hd_source *src);

#ifdef __cplusplus
}
#endif
#endif
