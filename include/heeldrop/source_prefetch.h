/* source_prefetch.h - reading ahead in a thread of its own.
 *
 * hd_source_prefetch() wraps an open source so that its frames are decoded by a reader
 * thread a few frames ahead of the caller, while the caller tracks the previous ones: on
 * two cores, decoding and tracking overlap. The wrapper keeps a small ring of frames: a
 * file source's frames stay in the decoder's own reference-counted buffers (no copy), other
 * frames are copied into the ring. Frames are borrowed from it exactly as from any source
 * (acquire, release before the next acquire; acquire/release/close from one thread, the
 * reader thread is internal). It takes ownership of inner, which must not be used by the
 * caller afterwards; hd_source_close() on the wrapper closes both.
 */
#ifndef HEELDROP_SOURCE_PREFETCH_H
#define HEELDROP_SOURCE_PREFETCH_H

#include "heeldrop/source.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const hd_source_ops hd_source_prefetch_ops;

/* Starts the reader thread on inner. On failure *out is NULL and inner is left open (the
 * caller still owns it). */
hd_status hd_source_prefetch(hd_source *inner, hd_source **out);

#ifdef __cplusplus
}
#endif
#endif
