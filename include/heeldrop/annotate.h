/* annotate.h - draws an analysis onto its video (`analyze --annotate`).
 *
 * A second pass over the video: each frame gets the step line, the pivot, the heel and
 * ankle markers, a scrolling heel-height trace with the step level, the phase, the rep
 * count and the last rep's verdict or warnings. Uses OpenCV drawing (annotate_cv.cpp)
 * and the video writer. */
#ifndef HEELDROP_ANNOTATE_H
#define HEELDROP_ANNOTATE_H

#include <stdint.h>

#include "heeldrop/status.h"
#include "heeldrop/summary.h"
#include "heeldrop/tracker.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hd_annotate_input {
    const char *video;           /* the analysed video */
    const hd_summary *summary;   /* its reps */
    const hd_trace_row *trace;   /* one row per frame, in order */
    int64_t ntrace;
    const hd_scene *scene;       /* step line and pivot */
    double target_lo_s, target_hi_s;
} hd_annotate_input;

/* Writes the annotated video to out_path (H.264 MP4), atomically. Per-frame heel and ankle
 * positions are recomputed from the trace and the scene. progress: print progress. */
hd_status hd_annotate_video(const hd_annotate_input *in, const char *out_path, int progress);

#ifdef __cplusplus
}
#endif
#endif
