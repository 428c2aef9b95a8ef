/* frame.h - a video frame as HeelDrop passes it between stages.
 *
 * A frame is borrowed: the source that filled it owns the pixels until the frame is
 * given back with hd_source_release(). Code that keeps pixels longer copies them.
 * Planes: HD_PIX_GRAY8 uses plane 0 only; HD_PIX_YUV420P uses planes 0 (Y, full size),
 * 1 (U) and 2 (V) at half width and height (rounded up); HD_PIX_BGR24 uses plane 0
 * with 3 bytes per pixel. Plane 0 of GRAY8 and YUV420P is the luma the tracker reads.
 */
#ifndef HEELDROP_FRAME_H
#define HEELDROP_FRAME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hd_pixfmt {
    HD_PIX_NONE = 0,
    HD_PIX_GRAY8 = 1,
    HD_PIX_YUV420P = 2,
    HD_PIX_BGR24 = 3
} hd_pixfmt;

typedef struct hd_frame {
    const uint8_t *plane[3]; /* borrowed pixel planes */
    int stride[3];           /* bytes per row of each plane */
    int width, height;       /* in pixels, after any rotation the source applied */
    hd_pixfmt format;
    int64_t pts_us;          /* presentation time in microseconds, 0 = first frame */
    int64_t seq;             /* 0, 1, 2 ... in decode order; gaps mean dropped frames */
    void *opaque;            /* the source's bookkeeping; do not touch */
} hd_frame;

#ifdef __cplusplus
}
#endif
#endif
