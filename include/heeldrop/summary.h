/* summary.h - the analysis summary (JSON, CSV) and the per-frame trace.
 *
 * The JSON is a contract other tools read (issue 2, section 3): source, fps, frames,
 * duration_s, step_edge_px, mm_per_px, settings, reps[], totals. The CSV has one row
 * per rep with the rep fields of the JSON in the same order. Writers go through a
 * temporary file in the same folder and rename it into place, so a failure never
 * leaves a half-written file where a good one was expected.
 */
#ifndef HEELDROP_SUMMARY_H
#define HEELDROP_SUMMARY_H

#include <stdint.h>

#include "heeldrop/reps.h"
#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One "settings" entry: name and its value already formatted as text. is_number: 1 to
 * write the value as a JSON number, 2 as a boolean ("true"/"false"), 0 as a string. */
typedef struct hd_setting {
    char name[40];
    char value[256];
    int is_number;
} hd_setting;

/* One per-frame row of a trace. */
typedef struct hd_trace_row {
    double t;        /* seconds from the first frame */
    float heel_px;   /* NaN when lost */
    float heel_mm;   /* NaN when lost */
    float foot_deg;  /* NaN when lost */
    float conf;      /* 0 = lost */
    int8_t phase;    /* hd_phase */
    int8_t off_step; /* 1, 0, -1 */
    int8_t visible;  /* truth traces only: 1 when the heel is visible, else 0; -1 unknown */
    /* In memory only (not written to the CSV): image positions for drawing, NaN if lost. */
    float heel_x, heel_y, ankle_x, ankle_y;
} hd_trace_row;

typedef struct hd_summary {
    char source[1024];
    char kind[32];            /* "analysis", "truth" or "live" */
    char source_kind[16];     /* live sessions: "camera" or "file"; "" = not written */
    double fps;
    int64_t frames;
    double duration_s;
    int has_step_edge;
    double step_edge[4];      /* x0, y0, x1, y1 */
    double mm_per_px;
    int near_leg;             /* 0 unknown, 'L' near is left, 'R' near is right */
    int nsettings;
    hd_setting *settings;     /* owned */
    int nreps;
    hd_rep *reps;             /* owned */
    /* Extra diagnostics written under "tracking": share of frames lost, etc. */
    double lost_share;        /* share of frames with conf == 0 */
    double locked_s;          /* when the tracker first locked on (s from the first frame,
                               * the frame whose processing found the scene); <= 0: never
                               * or not known (not written) */
} hd_summary;

/* Label for a rep's foot under the summary's near_leg: "near"/"far" or "left"/"right". */
const char *hd_summary_leg_label(const hd_summary *s, int foot);

/* Frees what the summary owns (not the struct itself) and zeroes it. */
void hd_summary_clear(hd_summary *s);

/* Adds a setting (copies). */
hd_status hd_summary_add_setting(hd_summary *s, const char *name, const char *value,
                                 int is_number);

/* Writes the JSON summary to path atomically. Returns HD_ERR_IO with a message naming
 * the path when it cannot be written. */
hd_status hd_summary_write_json(const hd_summary *s, const char *path);

/* Returns the JSON text (caller frees with free()). */
char *hd_summary_to_json(const hd_summary *s);

/* Writes one row per rep, columns in JSON order (warnings joined with ';'). */
hd_status hd_summary_write_csv(const hd_summary *s, const char *path);

/* Reads a summary JSON written by HeelDrop (analysis or truth). Unknown fields are
 * ignored. On failure *s is cleared and HD_ERR_NOTFOUND / HD_ERR_FORMAT is returned. */
hd_status hd_summary_read_json(const char *path, hd_summary *s);

/* Writes a per-frame trace: header "t,heel_px,heel_mm,foot_deg,phase,confidence,off_step"
 * plus ",visible" when with_visible; one row per frame; lost values written empty. */
hd_status hd_trace_write_csv(const hd_trace_row *rows, int64_t n, int with_visible,
                             const char *path);

/* Reads a trace CSV written by hd_trace_write_csv(). *rows is malloc'ed. */
hd_status hd_trace_read_csv(const char *path, hd_trace_row **rows, int64_t *n);

/* Prints the per-rep table and totals for a person to read. */
void hd_summary_print_table(const hd_summary *s, void *file /* FILE* */);

#ifdef __cplusplus
}
#endif
#endif
