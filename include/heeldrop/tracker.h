/* tracker.h - the side-view heel/ankle landmark tracker.
 *
 * Finds the step edge, the working foot and its pivot on the step edge, and measures
 * per frame the heel height above the step surface in pixels and millimetres and the
 * foot's angle. Plain C API; the implementation uses OpenCV inside tracker_cv.cpp.
 *
 * The tracker needs a few seconds of video to calibrate (find the step edge and the
 * moving foot). It therefore has an output queue: hd_tracker_process() takes a frame,
 * and hd_tracker_next() hands out the marks of earlier frames, in frame order, once
 * they are known. Every processed frame gets exactly one hd_marks, eventually: call
 * hd_tracker_finish() at the end of the stream to flush the queue. During live use the
 * delay is at most the calibration window (cfg.calib_max_s); once calibrated, marks
 * come out in the same call as their frame. One exception: after the tracker threw away a
 * model that followed something other than the foot (the static-lock check, see
 * docs/architecture.md), the next calibration is made mid-set and its marks are held
 * back for up to 10 s more while step level is decided.
 *
 * A tracker is used from one thread.
 */
#ifndef HEELDROP_TRACKER_H
#define HEELDROP_TRACKER_H

#include <stdint.h>

#include "heeldrop/frame.h"
#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hd_tracker hd_tracker;

typedef struct hd_tracker_cfg {
    double shoe_mm;          /* working shoe length, the scale reference (default 270) */
    int has_step_edge;       /* 1: use step_edge below instead of finding it */
    double step_edge[4];     /* x0, y0, x1, y1 in frame pixels (user override) */
    const char *model_path;  /* tracker parameter file (models/tracker.json); NULL = default */
    double calib_max_s;      /* longest calibration window before giving up for now (6) */
} hd_tracker_cfg;

/* Which foot the tracker believes is working. */
typedef enum hd_foot {
    HD_FOOT_UNKNOWN = 0,
    HD_FOOT_NEAR = 1,
    HD_FOOT_FAR = 2
} hd_foot;

/* Per-frame landmarks. All pixel coordinates are in the frame as delivered. */
typedef struct hd_marks {
    int64_t pts_us;          /* the frame's timestamp */
    int64_t seq;             /* the frame's sequence number */
    float conf;              /* 0 = heel not found (lost); else 0 < conf <= 1 */
    float heel_px;           /* signed heel height above the step surface, px, up positive */
    float heel_mm;           /* the same in millimetres */
    float foot_deg;          /* foot angle to the step surface, heel up positive */
    float heel_x, heel_y;    /* bottom of the heel */
    float ankle_x, ankle_y;  /* ankle (lateral malleolus), estimated on the rigid foot */
    float pivot_x, pivot_y;  /* where the forefoot pivots on the step edge */
    float mm_per_px;         /* scale used for this frame (0 when unknown) */
    int off_step;            /* 1: a foot is seen off the step, 0: both on it, -1 unknown */
    hd_foot foot;            /* working foot: always HD_FOOT_NEAR for now (the feet are
                              * not told apart; docs/user-guide.md, "Filming") */
    int calibrated;          /* 1 when the step edge and foot were found */
    int setup_hint;          /* HD_HINT_* explaining why nothing is tracked yet */
} hd_marks;

enum {
    HD_HINT_NONE = 0,
    HD_HINT_CALIBRATING = 1,   /* still looking: keep moving as usual */
    HD_HINT_NO_STEP = 2,       /* no step edge found */
    HD_HINT_NO_FOOT = 3,       /* step found but no moving foot on it */
    HD_HINT_TOO_DARK = 4,      /* image too dark or flat */
    HD_HINT_AT_EDGE = 5,       /* the foot is at the edge of the picture */
    HD_HINT_OCCLUDED = 6       /* calibrated, but the heel is hidden now */
};

/* The scene geometry the tracker settled on, for summaries and overlays. */
typedef struct hd_scene {
    int valid;               /* 0 until calibrated */
    double step_edge[4];     /* x0, y0, x1, y1 in frame pixels */
    double pivot_x, pivot_y; /* forefoot pivot on the step edge */
    int heel_side;           /* +1: heel hangs towards +x from the pivot, -1: towards -x */
    double mm_per_px;        /* scale of the working foot */
    double shoe_px;          /* working shoe length in pixels */
} hd_scene;

/* Fills cfg with defaults. */
void hd_tracker_cfg_default(hd_tracker_cfg *cfg);

/* Creates a tracker. Loads cfg->model_path (HD_ERR_MODEL with a message when the file
 * is missing or corrupt). cfg is copied. On failure *out is NULL. */
hd_status hd_tracker_create(const hd_tracker_cfg *cfg, hd_tracker **out);

/* Takes one frame (borrowed for the call only: pixels are copied or measured, never
 * kept). Frames must come in timestamp order. Returns HD_OK or a failure. */
hd_status hd_tracker_process(hd_tracker *t, const hd_frame *f);

/* Pops the marks of the oldest frame whose result is known: HD_OK with *out filled,
 * or HD_AGAIN when none is ready. */
hd_status hd_tracker_next(hd_tracker *t, hd_marks *out);

/* End of stream: decides with what it has, so that hd_tracker_next() then returns
 * every remaining frame's marks. */
hd_status hd_tracker_finish(hd_tracker *t);

/* Forgets the calibration and starts looking again (the C key in live mode). */
void hd_tracker_recalibrate(hd_tracker *t);

/* The current scene geometry (scene->valid is 0 before calibration). */
void hd_tracker_scene(const hd_tracker *t, hd_scene *scene);

/* Frees the tracker. NULL is fine. */
void hd_tracker_destroy(hd_tracker *t);

#ifdef __cplusplus
}
#endif
#endif
