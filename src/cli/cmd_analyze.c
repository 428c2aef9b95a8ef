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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parses "x0,y0,x1,y1". */
static hd_status parse_edge(const char *s, double e[4])
{
    char *end;
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        errno = 0;
        e[i] = strtod(p, &end);
        if (errno || end == p || !isfinite(e[i]) || e[i] < 0)
            return hd_fail(HD_ERR_INVALID, "--step-edge needs x0,y0,x1,y1 in pixels, not '%s'",
                           s);
        p = end;
        if (i < 3) {
            if (*p != ',')
                return hd_fail(HD_ERR_INVALID,
                               "--step-edge needs x0,y0,x1,y1 in pixels, not '%s'", s);
            p++;
        }
    }
    if (*p)
        return hd_fail(HD_ERR_INVALID, "--step-edge needs x0,y0,x1,y1 in pixels, not '%s'", s);
    if (fabs(e[2] - e[0]) < 10)
        return hd_fail(HD_ERR_INVALID, "--step-edge: the line must span at least 10 px across");
    return HD_OK;
}

static void reps_cfg_from(const hd_settings *s, hd_reps_cfg *rc)
{
    hd_reps_cfg_default(rc);
    rc->top_mm = s->top_mm;
    rc->too_fast_s = s->too_fast_s;
    rc->target_lo_s = s->target_lo_s;
    rc->target_hi_s = s->target_hi_s;
    rc->min_hold_s = s->min_hold_s;
    rc->long_hold_s = s->long_hold_s;
    rc->bounce_mm = s->bounce_mm;
    rc->partial_frac = s->partial_frac;
    rc->uncertain_s = s->uncertain_s;
    rc->set_gap_s = s->set_gap_s;
    rc->insertional = s->insertional;
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

struct trace_buf {
    hd_trace_row *rows;
    int64_t n, cap;
};

static hd_status trace_push(struct trace_buf *tb, const hd_trace_row *r)
{
    if (tb->n == tb->cap) {
        int64_t cap = tb->cap ? tb->cap * 2 : 4096;
        hd_trace_row *p = realloc(tb->rows, (size_t)cap * sizeof(*p));
        if (!p)
            return hd_fail(HD_ERR_NOMEM, "out of memory");
        tb->rows = p;
        tb->cap = cap;
    }
    tb->rows[tb->n++] = *r;
    return HD_OK;
}

static void progress(const char *name, double t, double dur, int done)
{
    if (dur > 0)
        fprintf(stderr, "\r%-40.40s %3d%% %7.1f s", name, done ? 100 : (int)(100 * t / dur), t);
    else
        fprintf(stderr, "\r%-40.40s %7.1f s", name, t);
    if (done)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Moves every mark the tracker has ready into the rep engine and the trace. */
static hd_status drain(hd_tracker *trk, hd_reps *reps, struct trace_buf *tb, int64_t *lost,
                       double *last_t)
{
    hd_marks mk;
    while (hd_tracker_next(trk, &mk) == HD_OK) {
        hd_reps_sample smp = {mk.pts_us, mk.heel_mm, mk.conf, mk.off_step, (int)mk.foot};
        if (mk.conf <= 0)
            (*lost)++;
        hd_status st = hd_reps_update(reps, &smp, NULL);
        if (st < 0)
            return st;
        hd_trace_row r = {mk.pts_us / 1e6, mk.heel_px, mk.heel_mm, mk.foot_deg, mk.conf, 0,
                          (int8_t)mk.off_step, -1, mk.heel_x, mk.heel_y, mk.ankle_x,
                          mk.ankle_y};
        st = trace_push(tb, &r);
        if (st < 0)
            return st;
        *last_t = r.t;
    }
    return HD_OK;
}

/* Analyses one video. Fills sum (reps, geometry, settings) and the trace. */
static hd_status analyze_one(const char *video, const hd_settings *s, const hd_tracker_cfg *tc,
                             hd_summary *sum, struct trace_buf *tb, hd_scene *scene)
{
    hd_source *src = NULL;
    hd_tracker *trk = NULL;
    hd_reps *reps = NULL;
    hd_reps_cfg rc;
    hd_status st;
    hd_frame fr;
    int64_t frames = 0, lost = 0;
    double last_t = 0, last_draw = 0;
    int show = !s->quiet && isatty(STDERR_FILENO);
    const char *name = strrchr(video, '/') ? strrchr(video, '/') + 1 : video;

    hd_source_opts so = {.want_format = HD_PIX_GRAY8};
    st = hd_source_open(&hd_source_file_ops, video, &so, &src);
    if (st == HD_ERR_IO)
        st = HD_ERR_NOTFOUND; /* an unreadable input is exit 3, like a missing one */
    if (st < 0)
        goto fail;
    {
        /* decode in a reader thread while this one tracks: the two overlap on two cores */
        hd_source *ahead = NULL;
        st = hd_source_prefetch(src, &ahead);
        if (st < 0)
            goto fail;
        src = ahead;
    }
    const hd_source_info *info = hd_source_get_info(src);
    st = hd_tracker_create(tc, &trk);
    if (st < 0)
        goto fail;
    reps_cfg_from(s, &rc);
    st = hd_reps_create(&rc, &reps);
    if (st < 0)
        goto fail;
    hd_reps_set_t0(reps, 0);

    for (;;) {
        st = hd_source_acquire(src, &fr);
        if (st == HD_AGAIN)
            continue;
        if (st == HD_EOF)
            break;
        if (st == HD_ERR_IO)
            st = HD_ERR_NOTFOUND; /* the input could not be read: exit 3, not 6 */
        if (st < 0)
            goto fail;
        st = hd_tracker_process(trk, &fr);
        hd_source_release(src, &fr);
        if (st < 0)
            goto fail;
        frames++;
        st = drain(trk, reps, tb, &lost, &last_t);
        if (st < 0)
            goto fail;
        if (show && now_s() - last_draw > 0.25) {
            last_draw = now_s();
            progress(name, last_t, info->duration_s, 0);
        }
    }
    st = hd_tracker_finish(trk);
    if (st < 0)
        goto fail;
    st = drain(trk, reps, tb, &lost, &last_t);
    if (st < 0)
        goto fail;
    st = hd_reps_finish(reps, NULL);
    if (st < 0)
        goto fail;
    if (show)
        progress(name, last_t, info->duration_s, 1);
    if (frames == 0) {
        st = hd_fail(HD_ERR_FORMAT, "%s: no video frames could be decoded", video);
        goto fail;
    }

    hd_tracker_scene(trk, scene);
    if (!scene->valid) {
        st = hd_fail(HD_ERR_NOSCENE,
                     "%s: no step edge with a moving foot on it was found; film the feet "
                     "from the side with the step edge in view (or give --step-edge)",
                     video);
        /* still a result: every frame lost, zero reps; the caller decides */
    }

    int n = 0;
    const hd_rep *list = hd_reps_list(reps, &n);
    snprintf(sum->source, sizeof(sum->source), "%s", video);
    snprintf(sum->kind, sizeof(sum->kind), "analysis");
    sum->frames = frames;
    sum->duration_s = frames > 1 ? last_t + (info->fps > 0 ? 1.0 / info->fps : 0) : 0;
    sum->fps = info->fps > 0 ? info->fps : (last_t > 0 ? (frames - 1) / last_t : 0);
    sum->has_step_edge = scene->valid;
    memcpy(sum->step_edge, scene->step_edge, sizeof(sum->step_edge));
    sum->mm_per_px = scene->valid ? scene->mm_per_px : 0;
    sum->near_leg = !strcmp(s->near_leg, "left") ? 'L' : !strcmp(s->near_leg, "right") ? 'R' : 0;
    sum->lost_share = frames ? (double)lost / frames : 0;
    if (n > 0) {
        sum->reps = malloc((size_t)n * sizeof(hd_rep));
        if (!sum->reps) {
            st = hd_fail(HD_ERR_NOMEM, "out of memory");
            goto fail;
        }
        memcpy(sum->reps, list, (size_t)n * sizeof(hd_rep));
        sum->nreps = n;
    }
    for (int64_t i = 0; i < tb->n; i++) {
        hd_trace_row *r = &tb->rows[i];
        r->phase = (int8_t)hd_reps_classify(sum->reps, sum->nreps, &rc, r->t, r->heel_mm,
                                            r->conf <= 0);
    }
    for (const hd_option *o = hd_options; o->name; o++) {
        if (!o->in_summary || !(o->commands & HD_CMD_ANALYZE))
            continue;
        char v[256];
        hd_settings_format(s, o, v, sizeof(v));
        hd_summary_add_setting(sum, o->name, v,
                               o->type == HD_OPT_DOUBLE || o->type == HD_OPT_INT ? 1
                               : o->type == HD_OPT_FLAG                         ? 2
                                                                                : 0);
    }
    hd_source_close(src);
    hd_tracker_destroy(trk);
    hd_reps_destroy(reps);
    return scene->valid ? HD_OK : HD_ERR_NOSCENE;

fail:
    if (show)
        fputc('\n', stderr);
    hd_source_close(src);
    hd_tracker_destroy(trk);
    hd_reps_destroy(reps);
    return st;
}

int hd_cmd_analyze(int argc, char **argv)
{
    hd_settings s;
    const char *videos[MAX_VIDEOS];
    int nvid = 0, help = 0;
    hd_status st;

    hd_settings_default(&s);
    st = hd_settings_load_config(&s, HD_CMD_ANALYZE);
    if (st == HD_OK)
        st = hd_settings_parse(&s, HD_CMD_ANALYZE, argc, argv, 1, videos, MAX_VIDEOS, &nvid,
                               &help);
    if (st < 0) {
        fprintf(stderr, "heeldrop analyze: %s\n", hd_last_error());
        return 2;
    }
    if (help) {
        usage(stdout);
        return 0;
    }
    if (nvid == 0) {
        fprintf(stderr, "heeldrop analyze: no video given (usage: heeldrop analyze [options] "
                        "VIDEO...)\n");
        return 2;
    }
    hd_log_set_level(s.quiet ? HD_LOG_ERROR : s.verbose ? HD_LOG_DEBUG : HD_LOG_WARN);

    hd_tracker_cfg tc;
    hd_tracker_cfg_default(&tc);
    tc.shoe_mm = s.shoe_mm;
    tc.model_path = s.model && *s.model ? s.model : NULL;
    if (!(s.shoe_mm >= 100 && s.shoe_mm <= 400)) {
        fprintf(stderr, "heeldrop analyze: --shoe-mm must be between 100 and 400, not %g\n",
                s.shoe_mm);
        return 2;
    }
    if (s.step_edge && *s.step_edge) {
        st = parse_edge(s.step_edge, tc.step_edge);
        if (st < 0) {
            fprintf(stderr, "heeldrop analyze: %s\n", hd_last_error());
            return 2;
        }
        tc.has_step_edge = 1;
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
        hd_summary sum;
        struct trace_buf tb = {0};
        hd_scene scene;
        char pj[PATH_MAX], pc[PATH_MAX], pt[PATH_MAX], pa[PATH_MAX];
        memset(&sum, 0, sizeof(sum));

        st = out_path(s.json, multi, videos[v], ".json", pj, sizeof(pj));
        if (st == HD_OK)
            st = out_path(s.csv, multi, videos[v], ".csv", pc, sizeof(pc));
        if (st == HD_OK)
            st = out_path(s.trace, multi, videos[v], ".trace.csv", pt, sizeof(pt));
        if (st == HD_OK)
            st = out_path(s.annotate, multi, videos[v], ".annotated.mp4", pa, sizeof(pa));
        if (st == HD_OK)
            st = analyze_one(videos[v], &s, &tc, &sum, &tb, &scene);
        hd_status ast = st;
        if (st == HD_OK || st == HD_ERR_NOSCENE) {
            /* A clip with no step found still gets its (empty) outputs: that is a result. */
            if (!s.quiet) {
                if (multi)
                    printf("== %s\n", videos[v]);
                hd_summary_print_table(&sum, stdout);
            }
            hd_status wst = HD_OK;
            if (pj[0])
                wst = hd_summary_write_json(&sum, pj);
            if (wst == HD_OK && pc[0])
                wst = hd_summary_write_csv(&sum, pc);
            if (wst == HD_OK && pt[0])
                wst = hd_trace_write_csv(tb.rows, tb.n, 0, pt);
            if (wst == HD_OK && pa[0]) {
                hd_annotate_input ai = {videos[v], &sum, tb.rows, tb.n, &scene,
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
        free(tb.rows);
        hd_summary_clear(&sum);
    }
    return exit_code;
}
