/* source_keep.h - keeping a decoded frame's pixels past hd_source_release() (capture only).
 *
 * The prefetch reader (source_prefetch.c) hands frames to another thread a few frames
 * later. Instead of copying every frame's planes it can take a reference on the decoder's
 * own buffers: the file source lends frames out of libavcodec's reference-counted buffers,
 * and a reference keeps those bytes unchanged and alive after the frame is released. Only
 * the planes of the source's format are kept (GRAY8: the luma plane only, so the chroma
 * buffers go straight back to the decoder's pool).
 */
#ifndef HEELDROP_CAPTURE_SOURCE_KEEP_H
#define HEELDROP_CAPTURE_SOURCE_KEEP_H

#include "heeldrop/source.h"

#ifdef __cplusplus
extern "C" {
#endif

/* References on up to three buffers (libavutil AVBufferRef *, opaque here). Zeroed = none. */
typedef struct hd_frame_keep {
    void *ref[3];
} hd_frame_keep;

/* Takes references on the buffers that hold frame f's planes. f must be the frame src lent
 * with its last hd_source_acquire() and not yet released; src must be a file source.
 * Returns HD_OK when f's plane pointers now stay valid until hd_source_file_unkeep(k), even
 * after hd_source_release(src, f) and after later frames are decoded. Returns
 * HD_ERR_INVALID (no message set) when the pixels cannot be kept that way: another backend,
 * or planes that are the source's own converted or rotated copies, which the next frame
 * overwrites; HD_ERR_NOMEM when a reference cannot be allocated. On any failure *k is
 * zeroed and the caller copies the pixels instead. Called from the thread that uses src. */
hd_status hd_source_file_keep(hd_source *src, const hd_frame *f, hd_frame_keep *k);

/* Drops the references of k (a zeroed k is fine) and zeroes it. May be called from any
 * thread, also while the source decodes in another thread or after it was closed. */
void hd_source_file_unkeep(hd_frame_keep *k);

#ifdef __cplusplus
}
#endif
#endif
