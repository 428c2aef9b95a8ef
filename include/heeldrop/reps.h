/* reps.h - the rep engine: heel-height samples in, reps, sets and warnings out.
 *
 * Pure C, no OpenCV, no clock: time comes from the samples' pts_us. Implements the
 * numeric definitions of ../shared/PROTOCOL.md section 3 (rep, t_descent_start,
 * t_bottom, t_hold_end, t_top, descent_s, hold_s, below_s, depth_mm, set, warnings).
 *
 * Feed one sample per frame with hd_reps_update(), in time order. Reps are reported
 * through the events array once their t_top is known, which needs the next top's
 * height: so a rep is final when the heel leaves that top again, or at hd_reps_finish().
 * A "provisional" event comes earlier, as soon as the heel is back above the top
 * threshold, with descent/hold/depth already known, for live feedback.
 *
 * The engine smooths the heel signal with a centred window, so it reasons about a moment
 * about smooth_s (plus three frames) after the sample arrives; every event carries the
 * signal time it refers to. A lost gap shorter than set_gap_s is bridged for timing (its
 * time counts as lost); a longer one ends whatever was going on. An excursion in which
 * the heel stays put (or lost) for set_gap_s is rest, not a rep. Memory does not grow
 * with the stream beyond the list of reps. Not thread-safe: one thread per engine.
 */
#ifndef HEELDROP_REPS_H
#define HEELDROP_REPS_H

#include <stdint.h>

#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Warning bits, in the order they are reported. */
enum {
    HD_WARN_TOO_FAST = 1 << 0,
    HD_WARN_NO_HOLD = 1 << 1,
    HD_WARN_LONG_HOLD = 1 << 2,
    HD_WARN_BOUNCE = 1 << 3,
    HD_WARN_BILATERAL = 1 << 4,
    HD_WARN_PARTIAL = 1 << 5,
    HD_WARN_UNCERTAIN = 1 << 6
};
#define HD_WARN_COUNT 7

/* The warning's name as used in outputs ("too_fast", ...) for bit index i (0..6). */
const char *hd_warn_name(int i);
/* Bit index for a name, or -1. */
int hd_warn_index(const char *name);

typedef struct hd_reps_cfg {
    double top_mm;           /* a top is at least this high (20) */
    double near_mm;          /* "within" tolerance for the timing rules (5) */
    double still_mm_s;       /* speed under which the heel is still (10) */
    double still_s;          /* ... for at least this long (0.2) */
    double set_gap_s;        /* a gap this long starts a new set (8.0) */
    double too_fast_s;       /* descent_s under this: too_fast (2.0) */
    double target_lo_s;      /* descent target window shown to the user (3.0) */
    double target_hi_s;      /* (6.0) */
    double min_hold_s;       /* hold_s under this: no_hold (0.3) */
    double long_hold_s;      /* hold_s over this: long_hold (3.0) */
    double bounce_mm;        /* bounce: rise and fall of at least this (8) */
    double bounce_s;         /* ... within this time (0.5) */
    double partial_frac;     /* top under this share of the set's median top: partial (0.8) */
    double uncertain_s;      /* lost for longer than this within a rep: uncertain (0.3) */
    double smooth_s;         /* smoothing window of the heel signal (tracker's choice) */
    int insertional;         /* 1: insertional variant (drop stops at step level) */
} hd_reps_cfg;

/* One heel sample (one frame). */
typedef struct hd_reps_sample {
    int64_t pts_us;
    double heel_mm;          /* ignored when conf == 0 */
    double conf;             /* 0: heel lost at this frame */
    int off_step;            /* 1: a foot seen off the step, 0: not, -1: unknown */
    int foot;                /* hd_foot of the tracker: 0 unknown, 1 near, 2 far */
} hd_reps_sample;

typedef enum hd_phase {
    HD_PHASE_REST = 0,
    HD_PHASE_TOP = 1,
    HD_PHASE_DESCENT = 2,
    HD_PHASE_HOLD = 3,
    HD_PHASE_RISE = 4,
    HD_PHASE_LOST = 5
} hd_phase;

/* "rest", "top", "descent", "hold", "rise", "lost". */
const char *hd_phase_name(hd_phase p);

typedef struct hd_rep {
    int index;               /* 1-based, in order found */
    int foot;                /* hd_foot: which foot did the drop (majority over the descent) */
    double t_descent_start, t_bottom, t_hold_end, t_top;  /* seconds from the first frame */
    double descent_s, hold_s, rise_s, below_s;
    double depth_mm;         /* -min(heel_mm) over the rep */
    double top_mm;           /* height of the top before the drop */
    double lost_s;           /* time lost within the rep */
    int set;                 /* 1-based set number */
    unsigned warnings;       /* HD_WARN_* bits */
} hd_rep;

typedef enum hd_event_kind {
    HD_EV_DESCENT_START = 1, /* a drop began (live: start the tempo gauge); t = its
                              * t_descent_start. Sent once the drop is certain (3 mm below
                              * top_mm); it may turn out to be no rep (stepping down). */
    HD_EV_BELOW_STEP = 2,    /* the heel went below step level during a drop; t = crossing */
    HD_EV_BOTTOM = 3,        /* the heel settled at the bottom (hold starts); t = when it
                              * settled. Live estimate: may come again if it sinks further */
    HD_EV_REP_PROVISIONAL = 4, /* back above the top threshold: rep known but t_top/partial
                                * not final; t = when the heel crossed top_mm */
    HD_EV_REP = 5,           /* a final rep; t = its t_top. Its partial flag is as of now: the
                              * set's later reps can change it (see hd_reps_list) */
    HD_EV_SET_END = 6        /* a set ended: t = the last rep's t_top + set_gap_s, once the
                              * next drop can no longer start within the gap; also sent by
                              * hd_reps_finish() for the last set (t = the last sample) */
} hd_event_kind;

typedef struct hd_event {
    hd_event_kind kind;
    double t;                /* seconds, when it happened in the signal */
    hd_rep rep;              /* for HD_EV_REP and HD_EV_REP_PROVISIONAL */
} hd_event;

#define HD_REPS_MAX_EVENTS 16

typedef struct hd_reps_events {
    int count;
    hd_event ev[HD_REPS_MAX_EVENTS];
} hd_reps_events;

/* What the overlay shows now. */
typedef struct hd_reps_state {
    hd_phase phase;          /* lost when the latest sample is; otherwise the engine's phase,
                              * which lags the latest sample by about smooth_s */
    double t;                /* time of the latest sample */
    double heel_mm;          /* smoothed latest heel height (NaN when lost) */
    double phase_start_t;    /* when the current phase began */
    int reps;                /* final + provisional reps so far */
    int reps_by_foot[3];     /* indexed by hd_foot */
    int set;                 /* current set number (1-based, 0 before the first rep); after
                              * a SET_END it stays the finished set's until the next rep */
    int reps_in_set;
    double rest_since_t;     /* t_top of the last rep, or -1 */
    int has_last;            /* last_rep is valid */
    hd_rep last_rep;         /* the latest (provisional or final) rep */
} hd_reps_state;

typedef struct hd_reps hd_reps;

void hd_reps_cfg_default(hd_reps_cfg *cfg);

/* Creates an engine. cfg is copied. On failure *out is NULL. */
hd_status hd_reps_create(const hd_reps_cfg *cfg, hd_reps **out);

/* Adds a sample. ev (may be NULL) receives the events this sample caused; it is
 * cleared first. Samples must come in time order; the first sample is t = 0 unless
 * hd_reps_set_t0() said otherwise. A sample whose pts_us is not after the previous one
 * is ignored with HD_ERR_INVALID (the engine stays usable); so is a sample after
 * hd_reps_finish(). If more than HD_REPS_MAX_EVENTS events are due, the rest come with
 * the next call. s is borrowed for the call. */
hd_status hd_reps_update(hd_reps *r, const hd_reps_sample *s, hd_reps_events *ev);

/* Sets the timestamp that counts as t = 0 (default: the first sample's). Call it before
 * the first sample. */
void hd_reps_set_t0(hd_reps *r, int64_t t0_us);

/* End of stream: runs the samples still inside the smoothing window, finalizes the last
 * rep if the heel came back up, and ends the last set. Returns HD_AGAIN when more events
 * are waiting than ev holds: call it again to get the rest (further calls do nothing
 * else). */
hd_status hd_reps_finish(hd_reps *r, hd_reps_events *ev);

/* Current phase for this frame, counts, last rep. */
const hd_reps_state *hd_reps_state_get(const hd_reps *r);

/* Phase of the most recent sample (what a per-frame trace records). */
hd_phase hd_reps_phase(const hd_reps *r);

/* Frees the engine. NULL is fine. */
void hd_reps_destroy(hd_reps *r);

/* The phase of one moment judged after the fact from final reps (what the per-frame
 * trace of an analysis records): lost when lost is set, descent/hold/rise inside a rep,
 * top when heel_mm >= cfg->top_mm outside reps, rest otherwise. reps sorted by time. */
hd_phase hd_reps_classify(const hd_rep *reps, int n, const hd_reps_cfg *cfg, double t,
                          double heel_mm, int lost);

/* All final reps so far (count in *n; the array belongs to the engine and is valid until
 * the next update/finish/destroy). Set numbers and `partial` are recomputed over each
 * set when it grows, so read this after hd_reps_finish() for the final list. */
const hd_rep *hd_reps_list(const hd_reps *r, int *n);

#ifdef __cplusplus
}
#endif
#endif
