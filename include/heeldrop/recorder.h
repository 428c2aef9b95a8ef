/* recorder.h - the crash-safe session recording (Matroska, libavformat/libavcodec).
 *
 * Unlike hd_video_writer (which writes a temporary file and renames it at the end), the
 * recorder writes the session's video.mkv in place and pushes it to the kernel every
 * second (a closed Matroska cluster per flush), so a process killed with SIGKILL leaves a
 * file that plays up to its last second or so. The file is private (mode 0600) and never
 * replaces an existing file.
 *
 * Frames are encoded on the recorder's own thread. hd_recorder_write() only copies the
 * picture into a small bounded queue: when the encoder falls behind, the frame is dropped
 * and counted rather than making the live loop wait. A full disk (ENOSPC) stops the
 * recording: the file stays playable up to the last flushed second, later writes return
 * HD_ERR_IO, and hd_recorder_get_stats() reports HD_REC_DISK_FULL with a message the loop
 * can show ("recording stopped: disk full").
 *
 * Threading: one thread (the live loop) calls open, write and close;
 * hd_recorder_get_stats() may be called from any thread.
 */
#ifndef HEELDROP_RECORDER_H
#define HEELDROP_RECORDER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "heeldrop/frame.h"
#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hd_recorder hd_recorder;

/* Writes n bytes to fd like write(2): returns the number written (may be short) or -1 with
 * errno set. The seam for fault tests (inject ENOSPC); called on the encoder thread. */
typedef ssize_t (*hd_recorder_write_fn)(void *ctx, int fd, const void *buf, size_t n);

typedef struct hd_recorder_opts {
    int width, height;      /* frame size; even numbers (4:2:0 video) */
    double fps;             /* nominal rate (0 = 30); each frame's pts_us decides its time */
    hd_pixfmt format;       /* HD_PIX_YUV420P, HD_PIX_BGR24 or HD_PIX_GRAY8 */
    int rgb_order;          /* with HD_PIX_BGR24: bytes are R,G,B (SDL RGB24 surfaces) */
    const char *codec;      /* "h264" (libx264 ultrafast/zerolatency, default) or "mjpeg" */
    int crf;                /* x264 quality (0 = 23); MJPEG uses a fixed quantiser */
    int threads;            /* encoder threads (0 = 1: the tracker needs the other core) */
    int queue_frames;       /* frames waiting for the encoder (0 = 8: ~0.27 s at 30 fps) */
    int flush_ms;           /* video time between flushes to the file (0 = 1000) */
    hd_recorder_write_fn write_fn; /* NULL = write(2); for fault tests */
    void *write_ctx;        /* passed to write_fn */
} hd_recorder_opts;

typedef enum hd_recorder_state {
    HD_REC_RECORDING = 0,   /* running normally */
    HD_REC_DISK_FULL = 1,   /* stopped: ENOSPC (or EDQUOT); file playable up to there */
    HD_REC_FAILED = 2,      /* stopped: another write or encoder error */
    HD_REC_CLOSED = 3       /* hd_recorder_close() finished the file */
} hd_recorder_state;

typedef struct hd_recorder_stats {
    hd_recorder_state state;
    int64_t frames_queued;  /* accepted by hd_recorder_write() */
    int64_t frames_dropped; /* refused because the queue was full */
    int64_t frames_written; /* encoded and handed to the muxer */
    int64_t frames_flushed; /* known to be in the file (survive a SIGKILL) */
    int64_t bytes;          /* bytes written to the file */
    double encode_cpu_s;    /* CPU time of the encoder thread (conversion + encoding) */
    double last_flush_s;    /* video time of the last flushed frame (seconds from start) */
    char message[256];      /* "" while recording; why it stopped otherwise */
} hd_recorder_stats;

/* Creates path (must not exist; mode 0600) and starts the encoder thread. o is borrowed
 * for the call. Returns HD_OK with *out set, or HD_ERR_INVALID (bad size, format or
 * codec), HD_ERR_IO (path exists, folder missing or unwritable; nothing is left on
 * disk), HD_ERR_NOMEM. On failure *out is NULL. */
hd_status hd_recorder_open(const char *path, const hd_recorder_opts *o, hd_recorder **out);

/* Queues one frame for encoding; f is borrowed for the call (its pixels are copied).
 * f->pts_us must increase from frame to frame; the file starts at the first frame's time.
 * Returns HD_OK when queued, HD_AGAIN when the queue was full and the frame was dropped
 * (counted in frames_dropped; not an error), HD_ERR_INVALID for a frame of the wrong
 * size or format or a time that does not increase, or HD_ERR_IO once the recording has
 * stopped (disk full, write error: the message says which). Never waits for the
 * encoder. */
hd_status hd_recorder_write(hd_recorder *r, const hd_frame *f);

/* Copies the current counters and state into *out. Any thread; r must be open. */
void hd_recorder_get_stats(hd_recorder *r, hd_recorder_stats *out);

/* Encodes what is queued, finishes the file (Matroska index and duration), syncs it to
 * disk, closes it and frees r. If out_stats is not NULL it receives the final counters.
 * Returns HD_OK, or the status of the failure that stopped the recording (HD_ERR_IO for
 * a full disk: the file is still there and plays up to the last flush). r is freed in
 * every case; NULL returns HD_OK. */
hd_status hd_recorder_close(hd_recorder *r, hd_recorder_stats *out_stats);

#ifdef __cplusplus
}
#endif
#endif
