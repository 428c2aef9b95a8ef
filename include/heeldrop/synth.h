/* synth.h - generated side-view heel-drop clips with exact ground truth.
 *
 * A clip is made from a seed: a random stair or step platform, room, light, camera and
 * person, and a scenario (reps with and without faults, rests, or no exercise at all).
 * Every frame's truth is known from the geometry: the working heel's height above the
 * tread (heel_mm), its image position, whether it can be seen, whether a foot is off the
 * step. The truth reps are NOT taken from the scenario: the per-frame heel signal is fed
 * through the rep engine (reps.h) exactly as an analysis would feed it.
 *
 * Everything is deterministic from the options: the same options give the same frames
 * and the same truth on every machine. A generator object is used from one thread;
 * separate objects may be used from separate threads.
 */
#ifndef HEELDROP_SYNTH_H
#define HEELDROP_SYNTH_H

#include <stdint.h>

#include "heeldrop/frame.h"
#include "heeldrop/reps.h"
#include "heeldrop/status.h"
#include "heeldrop/summary.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HD_WARN_COUNT_SYNTH HD_WARN_COUNT

typedef enum hd_synth_kind {
    HD_SYNTH_MIXED = 0,     /* decided by the seed: about 1 seed in 6 is no-exercise */
    HD_SYNTH_EXERCISE = 1,  /* sets of reps, good ones and every kind of fault */
    HD_SYNTH_NOEXERCISE = 2 /* standing, stepping off and on, walking past, a stretch */
} hd_synth_kind;

typedef struct hd_synth_opts {
    uint64_t seed;
    hd_synth_kind kind;
    /* NULL or "": a random scenario of the kind. Named scenarios: "good3" (three good
     * reps), "sample" (the bundled sample: about six reps, one or two faults), "stand",
     * "stepoff", "walk", "stretch" (no exercise). */
    const char *scenario;
    double duration_s;     /* 0: the scenario's own length (20-90 s) */
    int width, height;     /* displayed (upright) size; 0: random */
    double fps;            /* 0: random (15, 24, 25, 30, 50, 60) */
    const char *codec;     /* "h264", "mpeg4", "vp9"; NULL: random */
    const char *container; /* "mp4", "mkv", "mov", "avi", "webm"; NULL: fits the codec */
    int crf;               /* 0: random 18-34 */
    int rotation_deg;      /* -1: random (mostly 0, some 90 or 270); else 0/90/180/270 */
    int vfr;               /* -1: random; 0: constant rate; 1: jittered timestamps */
} hd_synth_opts;

/* What was decided for a clip. */
typedef struct hd_synth_info {
    int width, height;               /* upright frame size (what a correct reader shows) */
    int stored_width, stored_height; /* size of the encoded frames */
    int rotation_deg;                /* display rotation stored in the file */
    double fps;                      /* nominal rate */
    int vfr;                         /* 1: jittered timestamps */
    int64_t frames;
    double duration_s;
    char codec[16];
    char container[8]; /* file extension */
    int crf;
    hd_synth_kind kind; /* EXERCISE or NOEXERCISE after the draw */
    char scenario[32];
    double step_edge[4]; /* tread-top line at the working foot's depth (px) */
    double mm_per_px;    /* at the working foot's depth */
    int first_foot;      /* hd_foot of the first set's working foot */
    double camera_mm;    /* camera to near foot distance */
    double hfov_deg;
    int truth_reps;                    /* after hd_synth_truth_build(): reps the engine found */
    int truth_warnings[HD_WARN_COUNT]; /* ... and how many carry each warning */
} hd_synth_info;

/* One frame's ground truth. Heel values are true even when the heel is hidden. */
typedef struct hd_synth_truth {
    int64_t pts_us;
    double t;              /* seconds from the first frame */
    int present;           /* 0: no working heel in the scene (nobody there) */
    double heel_mm;        /* working heel bottom above the tread plane */
    double heel_px;        /* the same in upright-image pixels, up positive */
    double foot_deg;       /* rear-foot angle to the tread, heel up positive */
    double heel_x, heel_y; /* image position of the heel bottom point */
    double ball_x, ball_y; /* image position of the ball on the sole */
    int visible;           /* 1: heel in frame and not covered */
    int off_step;          /* 1: a foot is off the step */
    int foot;              /* hd_foot: 1 near, 2 far */
    int pivot;             /* 1: rotating about the ball, -1: about the nosing, 0: neither */
    double r_heel_mm;      /* ball to heel bottom point along the sole */
    double ball_in_mm;     /* ball x inside the nosing */
} hd_synth_truth;

/* A generated clip (opaque). */
typedef struct hd_synth hd_synth;

/* Fills o with "everything random" for seed 0. */
void hd_synth_opts_default(hd_synth_opts *o);

/* Builds the clip's scene and scenario (no pixels yet). o is copied (strings too).
 * Returns HD_ERR_INVALID with a message for impossible options; on failure *out is NULL. */
hd_status hd_synth_create(const hd_synth_opts *o, hd_synth **out);

/* The clip's decisions (never NULL; owned by s). */
const hd_synth_info *hd_synth_get_info(const hd_synth *s);

/* The truth of frame i (0 <= i < frames). */
hd_status hd_synth_truth_at(hd_synth *s, int64_t i, hd_synth_truth *t);

/* Renders frame i as an upright HD_PIX_YUV420P frame. The pixels belong to s and stay
 * valid until the next render or destroy. Frames may be rendered in any order. */
hd_status hd_synth_render(hd_synth *s, int64_t i, hd_frame *out);

/* The same frame as stored in the file (rotated when rotation_deg != 0). */
hd_status hd_synth_render_stored(hd_synth *s, int64_t i, hd_frame *out);

/* Builds the truth: per-frame rows (malloc'ed, frames entries, caller frees) and the
 * summary (kind "truth", reps from the rep engine, settings describing the clip; clear
 * it with hd_summary_clear). source names the video file. */
hd_status hd_synth_truth_build(hd_synth *s, const char *source, hd_summary *sum,
                               hd_trace_row **rows);

/* Writes dir/name.<ext> (unless video is 0), dir/name.truth.csv and dir/name.truth.json.
 * HD_ERR_IO when the folder cannot be written. */
hd_status hd_synth_write(hd_synth *s, const char *dir, const char *name, int video);

/* Frees s. NULL is fine. */
void hd_synth_destroy(hd_synth *s);

/* The kind a seed stands for under HD_SYNTH_MIXED. */
hd_synth_kind hd_synth_kind_for_seed(uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
