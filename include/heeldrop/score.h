/* score.h - compares analyses with the generator's truth (the accuracy scorer).
 *
 * A scorer collects clips: each clip is a truth summary and an analysis summary, and
 * optionally both per-frame traces. It computes per clip and over all clips:
 *
 * - rep matching: a true rep and a found rep match when their t_bottom differ by at
 *   most the tolerance (1.0 s). The matching is optimal and one to one: it has the most
 *   pairs possible and, among those, the smallest total |t_bottom difference|. Reps are
 *   taken in t_bottom order and matched without crossing (in one dimension an optimal
 *   matching never needs to cross), by dynamic programming over the two lists.
 * - counts: true, found, matched; exact when found == true (whatever the matching);
 *   rep precision matched/found and recall matched/true.
 * - mean absolute errors of descent_s, hold_s, below_s and depth_mm over matched reps
 *   (over all matched reps of all clips in the aggregate: rep-weighted, not clip-mean).
 * - per warning: TP/FP/FN over matched pairs; an unmatched found rep's warnings are FPs,
 *   an unmatched true rep's warnings are FNs; precision and recall (NaN when undefined).
 * - traces: each truth frame is paired with the analysis frame nearest in time, within
 *   half a frame (1/(2 fps), fps from the truth summary). Over frames where the truth says
 *   the heel is visible (visible == 1; when the truth has no visible column, frames with a
 *   finite true heel_mm): lost share = frames reported lost (confidence 0) or missing from
 *   the analysis trace / visible frames; heel error = |found heel_mm - true heel_mm| over
 *   the other visible frames, summarised as median and 90th percentile (linear
 *   interpolation between order statistics; the aggregate pools all frames).
 * - no-exercise clips (zero true reps): how many, and how many reps were found on them.
 *
 * Every undefined number is NaN (written as null in JSON, "n/a" in tables). A scorer is
 * used from one thread.
 */
#ifndef HEELDROP_SCORE_H
#define HEELDROP_SCORE_H

#include <stdint.h>

#include "heeldrop/reps.h"
#include "heeldrop/status.h"
#include "heeldrop/summary.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HD_SCORE_MATCH_TOL_S 1.0

typedef struct hd_score_warn {
    int tp, fp, fn;
    double precision;            /* tp / (tp + fp); NaN when tp + fp == 0 */
    double recall;               /* tp / (tp + fn); NaN when tp + fn == 0 */
} hd_score_warn;

/* The numbers of one clip, or of all clips together (the aggregate). */
typedef struct hd_score_result {
    char name[256];              /* clip name; "all" for the aggregate */
    int clips;                   /* 1 for a clip; the number of clips for the aggregate */
    int exact_clips;             /* clips whose found count equals the true count */
    double exact_share;          /* exact_clips / clips */
    int true_reps, found_reps, matched;
    double rep_precision;        /* matched / found; NaN when nothing was found */
    double rep_recall;           /* matched / true; NaN when there are no true reps */
    int no_exercise_clips;       /* clips with zero true reps */
    int no_exercise_reps;        /* reps found on those clips */
    /* Mean absolute errors over matched reps whose two values are both known (n_*). */
    double t_bottom_mae_s, descent_mae_s, hold_mae_s, below_mae_s, depth_mae_mm;
    int n_descent, n_hold, n_below, n_depth;
    int leg_mismatch;            /* matched pairs whose feet differ (both known) */
    hd_score_warn warn[HD_WARN_COUNT];   /* indexed by warning bit index */
    /* Traces. trace_clips: clips scored with traces (0: the numbers below are NaN/0). */
    int trace_clips;
    int64_t visible_frames;      /* truth frames with the heel visible */
    int64_t lost_frames;         /* ... that the analysis reported lost */
    int64_t missing_frames;      /* ... that had no analysis frame within half a frame
                                  * (counted in lost_frames too) */
    int64_t heel_frames;         /* visible frames compared for heel_mm */
    int64_t hidden_frames;       /* truth frames with the heel hidden (visible == 0) */
    int64_t hidden_tracked;      /* ... where the analysis nonetheless reported a heel */
    double lost_share;           /* lost_frames / visible_frames */
    double heel_median_mm, heel_p90_mm;
} hd_score_result;

typedef struct hd_score hd_score;

/* Creates an empty scorer. match_tol_s <= 0 means HD_SCORE_MATCH_TOL_S. On failure
 * *out is NULL. */
hd_status hd_score_create(double match_tol_s, hd_score **out);

/* Frees the scorer. NULL is fine. */
void hd_score_destroy(hd_score *sc);

/* Scores one clip and keeps its numbers. truth and analysis are borrowed for the call.
 * Traces are optional: pass both (with their row counts) or both NULL. The truth trace
 * should have the visible column. name is copied (truncated to 255 bytes).
 * HD_ERR_INVALID for bad arguments, HD_ERR_NOMEM. */
hd_status hd_score_add(hd_score *sc, const char *name, const hd_summary *truth,
                       const hd_summary *analysis, const hd_trace_row *truth_trace,
                       int64_t n_truth, const hd_trace_row *trace, int64_t n_trace);

/* Number of clips added so far. */
int hd_score_count(const hd_score *sc);

/* The numbers of clip i (0-based, in the order added); the pointer is valid until the
 * next hd_score_add() or hd_score_destroy(). NULL when i is out of range. */
const hd_score_result *hd_score_clip(const hd_score *sc, int i);

/* Computes the aggregate over all clips into *out. HD_ERR_NOMEM. */
hd_status hd_score_total(const hd_score *sc, hd_score_result *out);

/* Prints one line per clip and the aggregate block, for a person to read. */
void hd_score_print(const hd_score *sc, void *file /* FILE* */);

/* Pass/fail targets for the aggregate. */
typedef struct hd_score_targets {
    double exact_share_min;      /* 0.95 */
    double descent_mae_max_s;    /* 0.25 */
    double hold_mae_max_s;       /* 0.25 */
    double depth_mae_max_mm;     /* 8 */
    double heel_median_max_mm;   /* 4 */
    double lost_share_max;       /* 0.02 */
    double warn_precision_min;   /* 0.9, per warning */
    double warn_recall_min;      /* 0.9, per warning */
    int no_exercise_reps_max;    /* 0 */
} hd_score_targets;

void hd_score_targets_default(hd_score_targets *t);

/* Checks the aggregate against the targets and prints one line per target ("PASS",
 * "FAIL" or "n/a" with the reason) to file (may be NULL for silence). A metric that is
 * undefined although its data exists fails (for example descent MAE with true reps but
 * no match, heel error with visible frames all lost); a metric with no data at all
 * (no traces given, a warning that neither truth nor analysis raised) is "n/a".
 * Returns the number of failed targets. */
int hd_score_check(const hd_score_result *total, const hd_score_targets *t,
                   void *file /* FILE* */);

/* The per-clip and aggregate numbers as JSON text (caller frees with free()), with the
 * clips' unmatched t_bottom lists for debugging, and the target checks when targets is
 * not NULL. NULL on allocation failure. */
char *hd_score_to_json(const hd_score *sc, const hd_score_targets *targets);

/* Writes hd_score_to_json() to path atomically; HD_ERR_IO naming the path. */
hd_status hd_score_write_json(const hd_score *sc, const hd_score_targets *targets,
                              const char *path);

/* The optimal one-to-one matching described above, exposed for tests. t2f[i] receives
 * the found index matched to truth rep i or -1 (array of nt); f2t likewise (array of nf).
 * Either array may be NULL. Returns the number of pairs, or -1 when out of memory. */
int hd_score_match(const hd_rep *truth, int nt, const hd_rep *found, int nf, double tol_s,
                   int *t2f, int *f2t);

/* Median-style quantile q in [0, 1] of v (n values; sorted in place), by linear
 * interpolation between order statistics. NaN when n == 0. */
double hd_score_quantile(double *v, int64_t n, double q);

#ifdef __cplusplus
}
#endif
#endif
