/* cmd_review.c - `heeldrop review [SESSION|VIDEO]`: a recorded session, or any video with
 * its analysis, in the SDL2 window: the overlay, the rep list, play/pause, frame steps,
 * slow motion, jump to a rep, and a heel-height timeline that seeks when clicked.
 *
 * What it opens:
 *   no argument        the latest session under <data>/sessions/ (the highest id)
 *   an existing folder a session folder (summary.json, trace.csv, video.mkv)
 *   a session id       <data>/sessions/<id>/
 *   a video file       analysed first with hd_analysis_run() (what `analyze` computes)
 *
 * Test hook: HEELDROP_REVIEW_SCRIPT="seek=12.5;shot=a.png;rep=3;step=-2;speed=0.5;
 * play=1.0;shot=b.png" runs those actions instead of waiting for input, then quits: the
 * review tests drive the real command with it under SDL's dummy driver.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
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
#include "heeldrop/cli.h"
#include "heeldrop/db.h"
#include "heeldrop/log.h"
#include "heeldrop/options.h"
#include "heeldrop/source.h"
#include "heeldrop/summary.h"
#include "heeldrop/ui.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop review [options] [SESSION|VIDEO]\n"
               "\n"
               "Opens a recorded session (an id under the data folder's sessions/, or a session\n"
               "folder), or any video with its analysis, in a window: the video with the\n"
               "overlay, the rep list, and the heel height over the whole session.\n"
               "With no argument: the latest session.\n"
               "\n"
               "keys: Space play/pause, Left/Right or , . one frame, Up/Down speed (1, 0.5,\n"
               "0.25x), 1-9 (or digits typed quickly) go to rep N, PageUp/PageDown previous/\n"
               "next rep, Home/End, S screenshot, F full screen, Q or Esc quit. Click a rep in\n"
               "the list to go to it; click or drag on the timeline to seek.\n"
               "\n"
               "options:\n");
    hd_settings_print_help(HD_CMD_REVIEW, f);
    fprintf(f, "\nexit codes: 0 ok, 2 bad options, 3 session or video not found, 4 not a\n"
               "usable video or session, 7 no display for the window, 70 internal error.\n");
}

typedef struct review {
    hd_settings s;
    hd_reps_cfg rc;
    char dir[PATH_MAX];        /* the session folder ("" for a video) */
    char video[PATH_MAX + 32]; /* "" when the session has no video */
    char title[256];
    hd_summary sum;
    hd_analysis an; /* for a video: the analysis (owns rows) */
    int own_an;
    hd_trace_row *rows; /* per-frame trace (may be NULL) */
    int64_t nrows;
    int rows_owned; /* rows from hd_trace_read_csv (free) */
    hd_scene scene;
    double *tl_t;
    float *tl_mm;
    double duration;
    double period; /* frame period, seconds */

    hd_source *src;
    hd_frame cur;
    int have_cur;
    double t; /* the moment shown */
    int playing;
    double speed;
    double play_t0; /* t when playback (re)started ... */
    double wall0;   /* ... at this wall time */
    int at_end;
    int shots;
    hd_near_leg near_leg;
} review;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The latest session folder: the highest id with a summary.json. */
static hd_status latest_session(char *out, size_t size)
{
    char data[PATH_MAX], sessions[PATH_MAX + 16];
    hd_status st = hd_user_data_dir(data, sizeof(data));
    if (st != HD_OK)
        return st;
    snprintf(sessions, sizeof(sessions), "%s/sessions", data);
    DIR *d = opendir(sessions);
    if (!d)
        return hd_fail(HD_ERR_NOTFOUND,
                       "no sessions yet in %s (run 'heeldrop live', or "
                       "'heeldrop review VIDEO')",
                       sessions);
    char best[256] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(best))
            continue;
        char sj[PATH_MAX + 300];
        snprintf(sj, sizeof(sj), "%s/%s/summary.json", sessions, e->d_name);
        if (!is_file(sj))
            continue;
        /* ids are "YYYYMMDD-HHMMSS[-N]": later sorts higher, and -N after the plain id */
        if (!best[0] || strcmp(e->d_name, best) > 0 ||
            (strncmp(e->d_name, best, 15) == 0 && strlen(e->d_name) > strlen(best)))
            snprintf(best, sizeof(best), "%s", e->d_name);
    }
    closedir(d);
    if (!best[0])
        return hd_fail(HD_ERR_NOTFOUND,
                       "no sessions yet in %s (run 'heeldrop live', or "
                       "'heeldrop review VIDEO')",
                       sessions);
    if (snprintf(out, size, "%s/%s", sessions, best) >= (int)size)
        return hd_fail(HD_ERR_INVALID, "session path too long");
    return HD_OK;
}

static hd_status load_session(review *rv, const char *dir)
{
    char p[PATH_MAX + 32];
    snprintf(rv->dir, sizeof(rv->dir), "%s", dir);
    const char *base = strrchr(dir, '/');
    snprintf(rv->title, sizeof(rv->title), "Session %.200s", base && base[1] ? base + 1 : dir);
    snprintf(p, sizeof(p), "%s/summary.json", dir);
    if (!is_file(p))
        return hd_fail(HD_ERR_NOTFOUND, "%s is not a session folder (no summary.json)", dir);
    hd_status st = hd_summary_read_json(p, &rv->sum);
    if (st != HD_OK)
        return st;
    snprintf(p, sizeof(p), "%s/trace.csv", dir);
    if (is_file(p)) {
        st = hd_trace_read_csv(p, &rv->rows, &rv->nrows);
        if (st != HD_OK)
            HD_LOG(HD_LOG_WARN, "%s", hd_last_error()); /* the reps can still be reviewed */
        else
            rv->rows_owned = 1;
    }
    snprintf(p, sizeof(p), "%s/video.mkv", dir);
    if (is_file(p))
        snprintf(rv->video, sizeof(rv->video), "%s", p);
    memset(&rv->scene, 0, sizeof(rv->scene));
    if (rv->sum.has_step_edge) {
        rv->scene.valid = 1;
        memcpy(rv->scene.step_edge, rv->sum.step_edge, sizeof(rv->scene.step_edge));
        rv->scene.mm_per_px = rv->sum.mm_per_px;
    }
    return HD_OK;
}

static hd_status load_video(review *rv, const char *path)
{
    hd_tracker_cfg tc;
    hd_status st = hd_tracker_cfg_from_settings(&rv->s, &tc);
    if (st != HD_OK)
        return st;
    fprintf(stderr, "heeldrop review: analysing %s ...\n", path);
    st = hd_analysis_run(path, &rv->s, &tc, !rv->s.quiet, &rv->an);
    rv->own_an = 1;
    if (st != HD_OK && st != HD_ERR_NOSCENE)
        return st;
    rv->sum = rv->an.sum; /* borrowed view of the analysis' summary */
    rv->rows = rv->an.rows;
    rv->nrows = rv->an.nrows;
    rv->scene = rv->an.scene;
    snprintf(rv->video, sizeof(rv->video), "%s", path);
    const char *base = strrchr(path, '/');
    snprintf(rv->title, sizeof(rv->title), "%.200s", base ? base + 1 : path);
    return HD_OK;
}

/* ---- playback ------------------------------------------------------------------------ */

static void drop_cur(review *rv)
{
    if (rv->have_cur)
        hd_source_release(rv->src, &rv->cur);
    rv->have_cur = 0;
}

/* The next frame in decode order; at the end the last one stays. */
static int next_frame(review *rv)
{
    if (!rv->src)
        return 0;
    hd_frame f;
    drop_cur(rv);
    hd_status st = hd_source_acquire(rv->src, &f);
    if (st != HD_OK) {
        rv->at_end = 1;
        /* Show the last frame again rather than nothing. */
        if (hd_source_file_seek(rv->src, (int64_t)(rv->t * 1e6)) == HD_OK &&
            hd_source_acquire(rv->src, &f) == HD_OK) {
            rv->cur = f;
            rv->have_cur = 1;
        }
        return 0;
    }
    rv->cur = f;
    rv->have_cur = 1;
    rv->t = f.pts_us / 1e6;
    return 1;
}

static void seek_to(review *rv, double t)
{
    if (t < 0)
        t = 0;
    if (rv->duration > 0 && t > rv->duration)
        t = rv->duration;
    rv->at_end = 0;
    rv->play_t0 = t;
    rv->wall0 = wall_now();
    if (!rv->src) {
        rv->t = t;
        return;
    }
    drop_cur(rv);
    if (hd_source_file_seek(rv->src, (int64_t)llround(t * 1e6)) != HD_OK) {
        HD_LOG(HD_LOG_WARN, "%s", hd_last_error());
        rv->t = t;
        return;
    }
    next_frame(rv);
    rv->play_t0 = rv->t;
}

static void set_playing(review *rv, int on)
{
    if (on && rv->at_end)
        seek_to(rv, 0);
    rv->playing = on;
    rv->play_t0 = rv->t;
    rv->wall0 = wall_now();
}

static void step(review *rv, int n)
{
    set_playing(rv, 0);
    if (n > 0 && rv->src) {
        for (int i = 0; i < n; i++)
            if (!next_frame(rv))
                break;
    } else {
        seek_to(rv, rv->t + n * rv->period);
    }
}

static void set_speed(review *rv, int dir)
{
    static const double speeds[3] = {0.25, 0.5, 1.0};
    int i = 0;
    while (i < 2 && speeds[i] < rv->speed - 1e-9)
        i++;
    i += dir;
    i = i < 0 ? 0 : i > 2 ? 2 : i;
    rv->speed = speeds[i];
    rv->play_t0 = rv->t;
    rv->wall0 = wall_now();
}

/* Go to rep n (1-based): a little before its descent starts. */
static void go_rep(review *rv, int n)
{
    if (n < 1 || n > rv->sum.nreps)
        return;
    set_playing(rv, 0);
    seek_to(rv, rv->sum.reps[n - 1].t_descent_start - 0.5);
}

static void advance(review *rv)
{
    if (!rv->playing)
        return;
    double target = rv->play_t0 + (wall_now() - rv->wall0) * rv->speed;
    if (!rv->src) {
        rv->t = target;
        if (rv->t >= rv->duration) {
            rv->t = rv->duration;
            rv->playing = 0;
            rv->at_end = 1;
        }
        return;
    }
    /* Never show the past: skip to the newest frame that is due. */
    while (rv->t + rv->period * 0.5 <= target) {
        if (!next_frame(rv)) {
            rv->playing = 0;
            break;
        }
    }
}

static void screenshot(review *rv, hd_ui *ui, const char *given)
{
    char path[PATH_MAX + 32];
    if (given) {
        snprintf(path, sizeof(path), "%s", given);
    } else {
        const char *d = rv->dir[0] ? rv->dir : ".";
        for (int n = ++rv->shots;; n++) {
            snprintf(path, sizeof(path), "%s/%s-%03d.png", d, rv->dir[0] ? "shot" : "review", n);
            if (!is_file(path)) {
                rv->shots = n;
                break;
            }
        }
    }
    if (hd_ui_screenshot(ui, path) == HD_OK)
        fprintf(stderr, "heeldrop review: screenshot %s\n", path);
    else
        fprintf(stderr, "heeldrop review: %s\n", hd_last_error());
}

/* ---- the picture at rv->t ----------------------------------------------------------------- */

static int64_t row_at(const review *rv, double t)
{
    if (!rv->rows || rv->nrows == 0)
        return -1;
    int64_t lo = 0, hi = rv->nrows - 1;
    while (lo < hi) {
        int64_t mid = (lo + hi + 1) / 2;
        if (rv->rows[mid].t <= t + 1e-6)
            lo = mid;
        else
            hi = mid - 1;
    }
    return fabs(rv->rows[lo].t - t) <= rv->period ? lo : -1;
}

static hd_status draw(review *rv, hd_ui *ui)
{
    hd_reps_state st;
    hd_coach_out co;
    hd_marks marks;
    int cur_rep = -1;
    hd_review_state_at(rv->sum.reps, rv->sum.nreps, &rv->rc, rv->t, 4.0, &st, &co, &cur_rep);
    hd_review_view v;
    memset(&v, 0, sizeof(v));
    v.live.frame = rv->have_cur ? &rv->cur : NULL;
    v.live.scene = &rv->scene;
    v.live.reps = &st;
    v.live.reps_cfg = &rv->rc;
    v.live.coach = &co;
    v.live.near_leg = rv->near_leg;
    int64_t ri = row_at(rv, rv->t);
    if (ri >= 0) {
        const hd_trace_row *r = &rv->rows[ri];
        memset(&marks, 0, sizeof(marks));
        marks.conf = r->conf;
        marks.heel_mm = r->heel_mm;
        if (!isnan(r->heel_x) && !isnan(r->ankle_x) && r->conf > 0) {
            marks.heel_x = r->heel_x;
            marks.heel_y = r->heel_y;
            marks.ankle_x = r->ankle_x;
            marks.ankle_y = r->ankle_y;
            v.live.marks = &marks;
        }
        st.heel_mm = r->heel_mm;
    }
    if (!rv->video[0])
        v.live.notices[0] = "This session was recorded without video";
    v.reps = rv->sum.reps;
    v.nreps = rv->sum.nreps;
    v.current_rep = cur_rep;
    v.tl_t = rv->tl_t;
    v.tl_heel_mm = rv->tl_mm;
    v.tl_n = (int)rv->nrows;
    v.t = rv->t;
    v.duration_s = rv->duration;
    v.playing = rv->playing;
    v.speed = rv->speed;
    v.title = rv->title;
    static const char *const nf[3] = {"?", "near", "far"};
    static const char *const lr[3] = {"?", "left", "right"};
    static const char *const rl[3] = {"?", "right", "left"};
    const char *const *names = rv->near_leg == HD_NEAR_LEFT    ? lr
                               : rv->near_leg == HD_NEAR_RIGHT ? rl
                                                               : nf;
    for (int i = 0; i < 3; i++)
        v.leg_names[i] = names[i];
    return hd_ui_present_review(ui, &v);
}

/* ---- input and the test script ------------------------------------------------------------ */

/* Runs one script action ("seek=12.5"). Returns 0, or -1 for a bad action. */
static int script_action(review *rv, hd_ui *ui, const char *a)
{
    const char *eq = strchr(a, '=');
    if (!eq)
        return -1;
    size_t k = (size_t)(eq - a);
    const char *val = eq + 1;
    char *end;
    double x = strtod(val, &end);
    int num = end != val && *end == '\0';
    if (k == 4 && strncmp(a, "seek", 4) == 0 && num) {
        set_playing(rv, 0);
        seek_to(rv, x);
    } else if (k == 3 && strncmp(a, "rep", 3) == 0 && num) {
        go_rep(rv, (int)x);
    } else if (k == 4 && strncmp(a, "step", 4) == 0 && num) {
        step(rv, (int)x);
    } else if (k == 5 && strncmp(a, "speed", 5) == 0 && num) {
        rv->speed = x == 0.25 || x == 0.5 ? x : 1.0;
    } else if (k == 4 && strncmp(a, "play", 4) == 0 && num) {
        set_playing(rv, 1);
        double until = wall_now() + x;
        while (wall_now() < until && rv->playing) {
            advance(rv);
            draw(rv, ui);
            struct timespec ts = {0, 5000000};
            nanosleep(&ts, NULL);
        }
        set_playing(rv, 0);
    } else if (k == 4 && strncmp(a, "shot", 4) == 0 && *val) {
        draw(rv, ui);
        screenshot(rv, ui, val);
    } else {
        return -1;
    }
    return 0;
}

static int run_script(review *rv, hd_ui *ui, const char *script)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", script);
    char *save = NULL;
    for (char *a = strtok_r(buf, ";", &save); a; a = strtok_r(NULL, ";", &save)) {
        if (script_action(rv, ui, a) != 0) {
            fprintf(stderr, "heeldrop review: bad HEELDROP_REVIEW_SCRIPT action '%s'\n", a);
            return 2;
        }
    }
    return 0;
}

static int interactive(review *rv, hd_ui *ui)
{
    int digits = 0;
    double digit_t = 0;
    for (;;) {
        hd_ui_event ev;
        while (hd_ui_poll(ui, &ev)) {
            switch (ev.kind) {
            case HD_UI_QUIT:
                return 0;
            case HD_UI_PAUSE:
                set_playing(rv, !rv->playing);
                break;
            case HD_UI_SCREENSHOT:
                screenshot(rv, ui, NULL);
                break;
            case HD_UI_NEAR_LEFT:
                rv->near_leg = HD_NEAR_LEFT;
                break;
            case HD_UI_NEAR_RIGHT:
                rv->near_leg = HD_NEAR_RIGHT;
                break;
            case HD_UI_SEEK:
                set_playing(rv, 0);
                seek_to(rv, ev.t);
                break;
            case HD_UI_PICK_REP:
                go_rep(rv, ev.rep + 1);
                break;
            case HD_UI_KEY: {
                int key = ev.key;
                if (key >= '0' && key <= '9') {
                    /* Digits typed within 0.8 s of each other make one number. */
                    double now = wall_now();
                    digits = now - digit_t < 0.8 ? digits * 10 + (key - '0') : key - '0';
                    digit_t = now;
                    go_rep(rv, digits);
                } else if (key == ',' || key == 0x40000050 /* SDLK_LEFT */) {
                    step(rv, -1);
                } else if (key == '.' || key == 0x4000004F /* SDLK_RIGHT */) {
                    step(rv, 1);
                } else if (key == ']' || key == 0x40000052 /* SDLK_UP */) {
                    set_speed(rv, 1);
                } else if (key == '[' || key == 0x40000051 /* SDLK_DOWN */) {
                    set_speed(rv, -1);
                } else if (key == 0x4000004B /* SDLK_PAGEUP */ ||
                           key == 0x4000004E /* SDLK_PAGEDOWN */) {
                    int cur = -1;
                    for (int i = 0; i < rv->sum.nreps; i++)
                        if (rv->sum.reps[i].t_descent_start <= rv->t + 0.6)
                            cur = i;
                    go_rep(rv, key == 0x4000004B ? cur : cur + 2);
                } else if (key == 0x4000004A /* SDLK_HOME */) {
                    set_playing(rv, 0);
                    seek_to(rv, 0);
                } else if (key == 0x4000004D /* SDLK_END */) {
                    set_playing(rv, 0);
                    seek_to(rv, rv->duration);
                }
                break;
            }
            default:
                break;
            }
        }
        advance(rv);
        if (draw(rv, ui) != HD_OK)
            HD_LOG(HD_LOG_WARN, "%s", hd_last_error());
        /* About 100 redraws a second at most; frames come when due. */
        struct timespec ts = {0, rv->playing ? 4000000 : 15000000};
        nanosleep(&ts, NULL);
    }
}

static void review_free(review *rv)
{
    drop_cur(rv);
    hd_source_close(rv->src);
    free(rv->tl_t);
    free(rv->tl_mm);
    if (rv->rows_owned)
        free(rv->rows);
    if (rv->own_an)
        hd_analysis_free(&rv->an);
    else
        hd_summary_clear(&rv->sum);
}

int hd_cmd_review(int argc, char **argv)
{
    static review rv_store;
    review *rv = &rv_store;
    memset(rv, 0, sizeof(*rv));
    const char *pos[2];
    int npos = 0;
    int code = hd_cli_settings("review", HD_CMD_REVIEW, argc, argv, usage, &rv->s, pos, 2, &npos);
    if (code >= 0)
        return code;
    hd_status st = HD_OK;
    if (npos > 1) {
        fprintf(stderr, "heeldrop review: one session or video at a time (usage: heeldrop "
                        "review [SESSION|VIDEO])\n");
        return 2;
    }
    hd_log_set_level(rv->s.quiet ? HD_LOG_ERROR : rv->s.verbose ? HD_LOG_DEBUG : HD_LOG_WARN);
    hd_reps_cfg_from_settings(&rv->s, &rv->rc);

    /* What to open. */
    char path[PATH_MAX];
    if (npos == 0) {
        st = latest_session(path, sizeof(path));
    } else if (is_dir(pos[0])) {
        snprintf(path, sizeof(path), "%s", pos[0]);
    } else if (is_file(pos[0])) {
        snprintf(path, sizeof(path), "%s", pos[0]);
    } else {
        char data[PATH_MAX];
        st = strchr(pos[0], '/') ? HD_ERR_NOTFOUND : hd_user_data_dir(data, sizeof(data));
        if (st == HD_OK &&
            snprintf(path, sizeof(path), "%s/sessions/%s", data, pos[0]) < (int)sizeof(path) &&
            is_dir(path))
            st = HD_OK;
        else
            st = hd_fail(HD_ERR_NOTFOUND, "%s: no such video, folder or session id", pos[0]);
    }
    if (st == HD_OK)
        st = is_dir(path) ? load_session(rv, path) : load_video(rv, path);
    if (st < 0) {
        fprintf(stderr, "heeldrop review: %s\n", hd_last_error());
        int code = hd_status_exit_code(st);
        review_free(rv);
        return code;
    }
    if (rv->sum.near_leg == 'L' || (rv->s.near_leg && strcmp(rv->s.near_leg, "left") == 0))
        rv->near_leg = HD_NEAR_LEFT;
    else if (rv->sum.near_leg == 'R' || (rv->s.near_leg && strcmp(rv->s.near_leg, "right") == 0))
        rv->near_leg = HD_NEAR_RIGHT;

    /* The video, if any. */
    rv->period = rv->sum.fps > 0 ? 1.0 / rv->sum.fps : 1.0 / 30.0;
    rv->duration = rv->sum.duration_s;
    if (rv->video[0]) {
        st = hd_source_open(&hd_source_file_ops, rv->video, NULL, &rv->src);
        if (st != HD_OK) {
            /* A crashed session's video may be cut short or damaged: review the rest. */
            fprintf(stderr, "heeldrop review: %s (showing the reps without video)\n",
                    hd_last_error());
            rv->src = NULL;
            rv->video[0] = '\0';
        } else {
            const hd_source_info *in = hd_source_get_info(rv->src);
            if (in->fps > 0)
                rv->period = 1.0 / in->fps;
            if (in->duration_s > rv->duration)
                rv->duration = in->duration_s;
        }
    }
    /* The timeline's samples. */
    if (rv->nrows > 0) {
        rv->tl_t = malloc((size_t)rv->nrows * sizeof(double));
        rv->tl_mm = malloc((size_t)rv->nrows * sizeof(float));
        if (!rv->tl_t || !rv->tl_mm) {
            fprintf(stderr, "heeldrop review: out of memory\n");
            review_free(rv);
            return 70;
        }
        for (int64_t i = 0; i < rv->nrows; i++) {
            rv->tl_t[i] = rv->rows[i].t;
            rv->tl_mm[i] = rv->rows[i].conf > 0 ? rv->rows[i].heel_mm : NAN;
        }
        if (rv->rows[rv->nrows - 1].t > rv->duration)
            rv->duration = rv->rows[rv->nrows - 1].t;
    }
    for (int i = 0; i < rv->sum.nreps; i++)
        if (rv->sum.reps[i].t_top > rv->duration)
            rv->duration = rv->sum.reps[i].t_top;

    hd_ui_cfg uc;
    hd_ui_cfg_default(&uc);
    uc.fullscreen = rv->s.fullscreen;
    uc.audio = 0; /* review is silent: the cues belong to live mode */
    uc.title = "HeelDrop review";
    const char *script = getenv("HEELDROP_REVIEW_SCRIPT");
    if (script && *script) {
        uc.software = 1;
        uc.width = 960;
        uc.height = 540;
    }
    hd_ui *ui = NULL;
    st = hd_ui_create(&uc, &ui);
    if (st != HD_OK) {
        fprintf(stderr, "heeldrop review: %s\n", hd_last_error());
        review_free(rv);
        return hd_status_exit_code(st);
    }
    rv->speed = 1.0;
    seek_to(rv, 0);
    if (script && *script) {
        code = run_script(rv, ui, script);
    } else {
        set_playing(rv, 0);
        code = interactive(rv, ui);
    }
    hd_ui_destroy(ui);
    review_free(rv);
    return code;
}
