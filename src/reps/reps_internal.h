/* reps_internal.h - pieces shared by the rep engine's files (and its unit test); not a
 * public header. The engine is split in two stages:
 *
 *   reps_signal.c  raw samples -> outlier filter -> centred local regression (height and
 *                  speed) -> short lost gaps bridged; one smoothed sample per input sample
 *   reps.c         the excursion state machine, the PROTOCOL timings, warnings and sets
 */
#ifndef HEELDROP_REPS_INTERNAL_H
#define HEELDROP_REPS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "heeldrop/reps.h"

/* Slack for comparing a span of frame times with a duration: 6 frames at 30 fps are
 * exactly 0.2 s, but timestamps in whole microseconds (cameras) or in a file's time base
 * make that 0.199999 or 0.200001. Frames are at least 4 ms apart (240 fps). */
#define HD_REPS_T_EPS 1e-3

/* A double-ended buffer of fixed-size elements addressed by absolute index (the index a
 * sample got when it was pushed), so that dropping old elements keeps indices stable.
 * Memory follows the number of elements held, not the number ever pushed. */
typedef struct hd_deque {
    unsigned char *buf;
    size_t esz;   /* element size */
    size_t head;  /* slot of the oldest element */
    size_t len;   /* elements held */
    size_t cap;   /* slots allocated */
    int64_t base; /* absolute index of the oldest element */
} hd_deque;

void hd_deque_init(hd_deque *d, size_t esz);
void hd_deque_free(hd_deque *d);
/* i must be in [base, base + len). */
void *hd_deque_at(const hd_deque *d, int64_t i);
/* Absolute index one past the newest element. */
int64_t hd_deque_end(const hd_deque *d);
/* Appends a copy of *e. HD_ERR_NOMEM leaves the deque unchanged. */
hd_status hd_deque_push(hd_deque *d, const void *e);
/* Drops the elements with absolute index below i. */
void hd_deque_drop_before(hd_deque *d, int64_t i);

/* One smoothed sample, in the order the samples came. */
typedef struct hd_hsmp {
    double t;         /* seconds from t0 */
    double y;         /* smoothed height, mm (bridged across short gaps; NaN in a long gap) */
    double yl;        /* height smoothed over a wider window (+-smooth_s): for extremes */
    double v;         /* speed, mm/s (slope of the local regression or of the bridge) */
    double dur;       /* time to the next sample: what a lost sample counts as lost */
    signed char lost; /* the tracker lost the heel here (conf == 0) */
    signed char gap;  /* lost and not bridged: the gap was too long or never ended */
    signed char off_step;
    signed char foot;
} hd_hsmp;

/* One raw sample as the smoother keeps it. */
typedef struct hd_raw {
    double t;
    double y;    /* heel_mm as given */
    double yc;   /* after the outlier filter */
    int valid;   /* conf > 0 and a finite height */
    int cleaned; /* yc is set */
    int off_step;
    int foot;
} hd_raw;

typedef struct hd_smoother {
    double hp;           /* half-window of the height fit, s */
    double hs;           /* half-window of the speed fit, s (also the look-ahead) */
    double max_bridge_s; /* lost gaps at least this long are not bridged */
    hd_deque raw;        /* hd_raw */
    int64_t next_clean;  /* next raw sample for the outlier filter */
    int64_t next_out;    /* next raw sample to smooth */
    int have_valid;      /* lv_*: the last smoothed valid sample, start of a bridge */
    double lv_t, lv_y, lv_yl;
    int64_t bridge_to;        /* raw index that ends the current bridge, -1 when none */
    double bt_t, bt_y, bt_yl; /* its smoothed heights */
    double last_dur;
    double *fs, *fy; /* fit scratch */
    int fcap;
} hd_smoother;

hd_status hd_smoother_init(hd_smoother *sm, double smooth_s, double max_bridge_s);
void hd_smoother_free(hd_smoother *sm);
/* Adds a raw sample (time order is the caller's job). */
hd_status hd_smoother_push(hd_smoother *sm, double t, double y, int valid, int off_step, int foot);
/* Gives the next smoothed sample once the window around it is complete: 1 with *out set,
 * 0 when nothing is ready yet. With finishing set, windows are cut at the end of the data
 * and an unfinished gap is not bridged, so everything comes out. */
int hd_smoother_pull(hd_smoother *sm, int finishing, hd_hsmp *out);
/* Height at the newest raw sample from a one-sided fit (for the live overlay), NaN when
 * the newest sample is lost. */
double hd_smoother_edge(hd_smoother *sm);
/* Raw samples held. */
size_t hd_smoother_held(const hd_smoother *sm);

/* For tests: samples the engine holds (raw and smoothed history), to check that memory
 * stays flat over a long stream. */
size_t hd_reps_held_samples(const hd_reps *r);

#endif
