/* cmd_analyze.c - `heeldrop analyze VIDEO...`: every heel drop in saved videos measured.
 *
 * The pipeline is the live loop with a file as the source:
 *   source -> tracker -> rep engine -> summary (+ trace), then, if asked, a second pass over
 * the video that draws the results on it (annotate). Outputs are written to temporary
 * names and renamed into place, so a failure never leaves half a file.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/analysis.h"
#include "heeldrop/annotate.h"
#include "heeldrop/cli.h"
#include "heeldrop/log.h"
#include "heeldrop/options.h"
#include "heeldrop/paths.h"
#include "heeldrop/reps.h"
#include "heeldrop/source.h"
#include "heeldrop/source_prefetch.h"
#include "heeldrop/summary.h"
#include "heeldrop/tracker.h"

#define MAX_VIDEOS 256

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop analyze [options] VIDEO...\n"
               "\n"
               "Measures every heel drop in videos filmed from the side (any file FFmpeg\n"
               "reads) and prints a per-rep table and totals.\n"
               "\n"
               "options:\n");
    hd_settings_print_help(HD_CMD_ANALYZE, f);
    fprintf(f, "\nWith several videos, --json, --csv, --trace and --annotate name folders;\n"
               "each video's outputs go there as BASE.json, BASE.csv, BASE.trace.csv and\n"
               "BASE.annotated.mp4.\n"
               "\nexit codes: 0 ok, 2 bad options, 3 video not found or unreadable, 4 not a\n"
               "usable video, 5 no step or person found, 6 an output could not be written,\n"
               "8 tracker model missing or corrupt, 70 internal error.\n");
}

/* Output path for one video: the option itself for a single video, else DIR/BASE+suffix. */
static hd_status out_path(const char *opt, int multi, const char *video, const char *suffix,
                          char *buf, size_t size)
{
    if (!opt || !*opt) {
        buf[0] = '\0';
        return HD_OK;
    }
    if (!multi) {
        if (snprintf(buf, size, "%s", opt) >= (int)size)
            return hd_fail(HD_ERR_INVALID, "output path too long: %s", opt);
        return HD_OK;
    }
    const char *base = strrchr(video, '/');
    base = base ? base + 1 : video;
    const char *dot = strrchr(base, '.');
    int blen = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    if (snprintf(buf, size, "%s/%.*s%s", opt, blen, base, suffix) >= (int)size)
        return hd_fail(HD_ERR_INVALID, "output path too long in %s", opt);
    return HD_OK;
}

static hd_status check_dir(const char *opt)
{
    struct stat st;
    if (!opt || !*opt)
        return HD_OK;
    if (stat(opt, &st) != 0 || !S_ISDIR(st.st_mode))
        return hd_fail(HD_ERR_IO, "with several videos, %s must be an existing folder", opt);
    if (access(opt, W_OK) != 0)
        return hd_fail(HD_ERR_IO, "cannot write to folder %s: %s", opt, strerror(errno));
    return HD_OK;
}

int hd_cmd_analyze(int argc, char **argv)
{
    hd_settings s;
    const char *videos[MAX_VIDEOS];
    int nvid = 0;
    hd_status st;

    int code = hd_cli_settings("analyze", HD_CMD_ANALYZE, argc, argv, usage, &s, videos, MAX_VIDEOS, &nvid);
    if (code >= 0)
        return code;
    if (nvid == 0) {
        fprintf(stderr, "heeldrop analyze: no video given (usage: heeldrop analyze [options] "
                        "VIDEO...)\n");
        return 2;
    }
    hd_log_set_level(s.quiet ? HD_LOG_ERROR : s.verbose ? HD_LOG_DEBUG : HD_LOG_WARN);

    hd_tracker_cfg tc;
    st = hd_tracker_cfg_from_settings(&s, &tc);
    if (st < 0) {
        fprintf(stderr, "heeldrop analyze: %s\n", hd_last_error());
        return 2;
    }
    int multi = nvid > 1;
    const char *outs[4] = {s.json, s.csv, s.trace, s.annotate};
    for (int i = 0; i < 4; i++) {
        st = multi ? check_dir(outs[i]) : (outs[i] && *outs[i] ? hd_check_writable(outs[i]) : 0);
        if (st < 0) {
            fprintf(stderr, "heeldrop analyze: %s\n", hd_last_error());
            return hd_status_exit_code(st);
        }
    }
    /* The model is checked once, before any video, so a broken install fails fast. */
    {
        hd_tracker *probe = NULL;
        st = hd_tracker_create(&tc, &probe);
        hd_tracker_destroy(probe);
        if (st < 0) {
            fprintf(stderr, "heeldrop analyze: %s\n", hd_last_error());
            return hd_status_exit_code(st);
        }
    }

    int exit_code = 0;
    for (int v = 0; v < nvid; v++) {
        hd_analysis an;
        char pj[PATH_MAX], pc[PATH_MAX], pt[PATH_MAX], pa[PATH_MAX];
        memset(&an, 0, sizeof(an));

        st = out_path(s.json, multi, videos[v], ".json", pj, sizeof(pj));
        if (st == HD_OK)
            st = out_path(s.csv, multi, videos[v], ".csv", pc, sizeof(pc));
        if (st == HD_OK)
            st = out_path(s.trace, multi, videos[v], ".trace.csv", pt, sizeof(pt));
        if (st == HD_OK)
            st = out_path(s.annotate, multi, videos[v], ".annotated.mp4", pa, sizeof(pa));
        if (st == HD_OK)
            st = hd_analysis_run(videos[v], &s, &tc, !s.quiet && isatty(STDERR_FILENO), &an);
        hd_status ast = st;
        if (st == HD_OK || st == HD_ERR_NOSCENE) {
            /* A clip with no step found still gets its (empty) outputs: that is a result. */
            if (!s.quiet) {
                if (multi)
                    printf("== %s\n", videos[v]);
                hd_summary_print_table(&an.sum, stdout);
            }
            hd_status wst = HD_OK;
            if (pj[0])
                wst = hd_summary_write_json(&an.sum, pj);
            if (wst == HD_OK && pc[0])
                wst = hd_summary_write_csv(&an.sum, pc);
            if (wst == HD_OK && pt[0])
                wst = hd_trace_write_csv(an.rows, an.nrows, 0, pt);
            if (wst == HD_OK && pa[0]) {
                hd_annotate_input ai = {videos[v], &an.sum, an.rows, an.nrows, &an.scene,
                                        s.target_lo_s, s.target_hi_s};
                wst = hd_annotate_video(&ai, pa, s.quiet ? 0 : isatty(STDERR_FILENO));
            }
            if (wst < 0)
                ast = wst;
        }
        if (ast < 0) {
            fprintf(stderr, "heeldrop analyze: %s\n", hd_last_error());
            if (!exit_code)
                exit_code = hd_status_exit_code(ast);
        }
        hd_analysis_free(&an);
    }
    return exit_code;
}
