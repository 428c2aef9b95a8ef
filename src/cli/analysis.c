/* analysis.c - the offline pipeline: source -> tracker -> rep engine -> summary + trace.
 *
 * The same path as the live loop with a file as the source (decoded ahead in a reader
 * thread); `analyze` prints and writes its result, `review` shows it.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/analysis.h"
#include "heeldrop/source.h"
#include "heeldrop/source_prefetch.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int hd_cli_settings(const char *name, unsigned command, int argc, char **argv,
                    void (*usage)(FILE *), hd_settings *s, const char **pos, int max_pos,
                    int *npos)
{
    int help = 0;
    hd_settings_default(s);
    hd_status st = hd_settings_load_config(s, command);
    if (st == HD_OK)
        st = hd_settings_parse(s, command, argc, argv, 1, pos, max_pos, npos, &help);
    if (st < 0) {
        fprintf(stderr, "heeldrop %s: %s\n", name, hd_last_error());
        return 2;
    }
    if (help) {
        usage(stdout);
        return 0;
    }
    return -1;
}

hd_status hd_parse_step_edge(const char *s, double e[4])
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

void hd_reps_cfg_from_settings(const hd_settings *s, hd_reps_cfg *rc)
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

hd_status hd_tracker_cfg_from_settings(const hd_settings *s, hd_tracker_cfg *tc)
{
    hd_tracker_cfg_default(tc);
    if (!(s->shoe_mm >= 100 && s->shoe_mm <= 400))
        return hd_fail(HD_ERR_INVALID, "--shoe-mm must be between 100 and 400, not %g",
                       s->shoe_mm);
    tc->shoe_mm = s->shoe_mm;
    tc->model_path = s->model && *s->model ? s->model : NULL;
    if (s->step_edge && *s->step_edge) {
        hd_status st = hd_parse_step_edge(s->step_edge, tc->step_edge);
        if (st < 0)
            return st;
        tc->has_step_edge = 1;
    }
    return HD_OK;
}

void hd_summary_add_settings(hd_summary *sum, const hd_settings *s, unsigned command)
{
    for (const hd_option *o = hd_options; o->name; o++) {
        if (!o->in_summary || !(o->commands & command))
            continue;
        char v[256];
        hd_settings_format(s, o, v, sizeof(v));
        hd_summary_add_setting(sum, o->name, v,
                               o->type == HD_OPT_DOUBLE || o->type == HD_OPT_INT ? 1
                               : o->type == HD_OPT_FLAG                         ? 2
                                                                                : 0);
    }
}

hd_status hd_analysis_push_row(hd_analysis *a, const hd_trace_row *r)
{
    if (a->nrows == a->cap) {
        int64_t cap = a->cap ? a->cap * 2 : 4096;
        hd_trace_row *p = realloc(a->rows, (size_t)cap * sizeof(*p));
        if (!p)
            return hd_fail(HD_ERR_NOMEM, "out of memory");
        a->rows = p;
        a->cap = cap;
    }
    a->rows[a->nrows++] = *r;
    return HD_OK;
}

void hd_analysis_free(hd_analysis *a)
{
    if (!a)
        return;
    free(a->rows);
    hd_summary_clear(&a->sum);
    memset(a, 0, sizeof(*a));
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
static hd_status drain(hd_tracker *trk, hd_reps *reps, hd_analysis *a, int64_t *lost,
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
        st = hd_analysis_push_row(a, &r);
        if (st < 0)
            return st;
        *last_t = r.t;
    }
    return HD_OK;
}

hd_status hd_analysis_run(const char *video, const hd_settings *s, const hd_tracker_cfg *tc,
                          int show, hd_analysis *a)
{
    hd_source *src = NULL;
    hd_tracker *trk = NULL;
    hd_reps *reps = NULL;
    hd_reps_cfg rc;
    hd_status st;
    hd_frame fr;
    int64_t frames = 0, lost = 0;
    double last_t = 0, last_draw = 0, locked_s = -1;
    int64_t first_pts = -1;
    const char *name = strrchr(video, '/') ? strrchr(video, '/') + 1 : video;
    hd_summary *sum = &a->sum;
    hd_scene *scene = &a->scene;

    memset(a, 0, sizeof(*a));
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
    hd_reps_cfg_from_settings(s, &rc);
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
        if (first_pts < 0)
            first_pts = fr.pts_us;
        int64_t fr_pts = fr.pts_us;
        st = hd_tracker_process(trk, &fr);
        hd_source_release(src, &fr);
        if (st < 0)
            goto fail;
        frames++;
        if (locked_s < 0) {
            hd_tracker_scene(trk, scene);
            if (scene->valid)
                locked_s = (fr_pts - first_pts) / 1e6;
        }
        st = drain(trk, reps, a, &lost, &last_t);
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
    st = drain(trk, reps, a, &lost, &last_t);
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
    sum->locked_s = locked_s;
    if (n > 0) {
        sum->reps = malloc((size_t)n * sizeof(hd_rep));
        if (!sum->reps) {
            st = hd_fail(HD_ERR_NOMEM, "out of memory");
            goto fail;
        }
        memcpy(sum->reps, list, (size_t)n * sizeof(hd_rep));
        sum->nreps = n;
    }
    for (int64_t i = 0; i < a->nrows; i++) {
        hd_trace_row *r = &a->rows[i];
        r->phase = (int8_t)hd_reps_classify(sum->reps, sum->nreps, &rc, r->t, r->heel_mm,
                                            r->conf <= 0);
    }
    hd_summary_add_settings(sum, s, HD_CMD_ANALYZE);
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
    hd_analysis_free(a);
    return st;
}
