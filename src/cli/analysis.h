/* analysis.h - what the commands share: reading their settings, and the offline pipeline
 * (source -> tracker -> rep engine -> summary and per-frame trace) used by `analyze` and
 * `review`. Private to src/cli.
 */
#ifndef HD_CLI_ANALYSIS_H
#define HD_CLI_ANALYSIS_H

#include <stdint.h>
#include <stdio.h>

#include "heeldrop/options.h"
#include "heeldrop/reps.h"
#include "heeldrop/status.h"
#include "heeldrop/summary.h"
#include "heeldrop/tracker.h"

/* The result of analysing one video. Owned by the caller; free with hd_analysis_free(). */
typedef struct hd_analysis {
    hd_summary sum;          /* reps, geometry, settings, like `analyze --json` */
    hd_trace_row *rows;      /* one per frame, phase filled (malloc'ed) */
    int64_t nrows, cap;
    hd_scene scene;          /* what the tracker settled on (scene.valid 0: none) */
} hd_analysis;

/* Reads a command's settings: defaults, the config file, then argv (positional arguments
 * into pos, at most max_pos, count in *npos). Returns -1 when the command should go on;
 * otherwise the exit code to return: 0 after printing usage() for --help, 2 after one
 * "heeldrop NAME: ..." line on stderr for a bad config line or option. */
int hd_cli_settings(const char *name, unsigned command, int argc, char **argv,
                    void (*usage)(FILE *), hd_settings *s, const char **pos, int max_pos,
                    int *npos);

/* Parses "x0,y0,x1,y1" (the --step-edge option). HD_ERR_INVALID with a message. */
hd_status hd_parse_step_edge(const char *s, double e[4]);

/* The rep engine's configuration from the settings (thresholds of PROTOCOL.md 3). */
void hd_reps_cfg_from_settings(const hd_settings *s, hd_reps_cfg *rc);

/* The tracker's configuration from the settings: shoe length (checked: 100-400 mm), model
 * file, step-edge override. HD_ERR_INVALID with a message for a bad value. */
hd_status hd_tracker_cfg_from_settings(const hd_settings *s, hd_tracker_cfg *tc);

/* Adds the settings that judged the reps (options with in_summary for command) to sum. */
void hd_summary_add_settings(hd_summary *sum, const hd_settings *s, unsigned command);

/* Appends a row to a's trace. HD_ERR_NOMEM. */
hd_status hd_analysis_push_row(hd_analysis *a, const hd_trace_row *r);

/* Analyses one video file with settings s and tracker configuration tc (both borrowed).
 * show_progress draws a progress line on stderr. out is zeroed first and filled; on
 * HD_OK or HD_ERR_NOSCENE (no step found: every frame lost, zero reps, still a result)
 * it holds the result; on other failures hd_last_error() says why and out is empty.
 * Always call hd_analysis_free(out) afterwards. */
hd_status hd_analysis_run(const char *video, const hd_settings *s, const hd_tracker_cfg *tc,
                          int show_progress, hd_analysis *out);

/* Frees what out holds (not out itself). */
void hd_analysis_free(hd_analysis *a);

#endif
