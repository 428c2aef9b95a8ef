/* cmd_live.c - `heeldrop live`: coach heel drops as they happen.
 *
 * The live loop is the offline pipeline with a camera (or a saved video played at its own
 * pace) as the source, and a window, sounds and a session store at the end:
 *
 *   source -> tracker -> rep engine -> coach -> window + sounds
 *                                   \-> session (database row per rep, video, summaries)
 *
 * Frames that arrive late are dropped rather than queued (the camera backend hands out its
 * newest frame; a file played live skips frames whose time has passed), and a frame older
 * than HD_LIVE_MAX_AGE_US is never shown, so the window never shows the past. Reps are
 * committed to the database as they end; SIGINT, SIGTERM, Q and the end of a file end the
 * session cleanly and write its summary.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/analysis.h"
#include "cli/live_store.h"
#include "heeldrop/cli.h"
#include "heeldrop/coach.h"
#include "heeldrop/log.h"
#include "heeldrop/options.h"
#include "heeldrop/programme.h"
#include "heeldrop/source.h"
#include "heeldrop/source_v4l2.h"
#include "heeldrop/summary.h"
#include "heeldrop/tracker.h"
#include "heeldrop/ui.h"

#define HD_LIVE_MAX_AGE_US 100000 /* never show a frame older than this */
#define HD_LIVE_EXIT_CAMERA 7

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop live [options]\n"
               "\n"
               "Coaches eccentric heel drops as they happen: put the camera beside the step,\n"
               "level with it, looking at your feet from the side. The window shows the\n"
               "count, a tempo gauge while you lower, a hold timer at the bottom and each\n"
               "rep's verdict; a soft tick sounds every second of the descent.\n"
               "\n"
               "keys: Space pause, C recalibrate, L/R the near leg is left/right, M mute,\n"
               "      S screenshot, F or F11 full screen, Q or Esc quit; drag the step line\n"
               "      with the mouse if it is in the wrong place.\n"
               "\n"
               "options:\n");
    hd_settings_print_help(HD_CMD_LIVE, f);
    fprintf(f, "\nEvery session is kept in $XDG_DATA_HOME/heeldrop/sessions/<id>/ (default\n"
               "~/.local/share/heeldrop): video.mkv, summary.json, reps.csv, trace.csv, and\n"
               "its reps in heeldrop.db ('heeldrop history', 'heeldrop review').\n"
               "\nexit codes: 0 ok, 2 bad options, 3 video not found, 4 not a usable video,\n"
               "6 the session could not be stored, 7 no camera or no window, 8 tracker model\n"
               "missing or corrupt, 70 internal error.\n");
}

static hd_status parse_size(const char *s, int *w, int *h)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return hd_fail(HD_ERR_INVALID, "--size needs WxH (e.g. 1280x720), not '%s'", s);
    const char *p = end + 1;
    long b = strtol(p, &end, 10);
    if (end == p || *end || a < 160 || b < 120 || a > 7680 || b > 4320)
        return hd_fail(HD_ERR_INVALID, "--size needs WxH between 160x120 and 7680x4320, not '%s'",
                       s);
    *w = (int)a;
    *h = (int)b;
    return HD_OK;
}

/* Everything one live session holds. */
typedef struct live {
    hd_settings s;
    hd_tracker_cfg tc;
    hd_reps_cfg rc;
    int is_camera;
    char where[PATH_MAX];          /* device path or file */
    hd_source *src;
    hd_tracker *trk;
    hd_reps *reps;
    hd_coach *coach;
    hd_ui *ui;
    hd_live_store store;
    int store_open;

    hd_ui_trace trace;
    hd_marks marks;                /* the latest marks out of the tracker */
    int have_marks;
    hd_coach_out co;
    hd_scene scene;
    hd_near_leg near_leg;
    hd_ui_target target;
    int target_per_leg;
    int paused;
    int shots;

    int64_t first_pts_us;          /* -1 until the first frame */
    double locked_s;               /* when the tracker first locked on, -1 not yet */
    int64_t present_us;            /* recent time to draw and show a frame (running mean) */
    const char *keys_next;         /* HEELDROP_KEYS still to press */
    char adjust_note[200];         /* what the camera gave instead of what was asked */
    hd_target plan;                /* today's target from the programme (has_plan 0: none) */
    int64_t file_t0_mono_us;       /* when the stream's t = 0 was (monotonic clock) */
    int64_t frames, late_dropped, stale, lost_frames;
    int64_t frames_in, last_seq;   /* frames taken from the source, the last one's seq */
    double last_t;
    uint8_t *rgb;                  /* overlay recording buffer */
    size_t rgb_size;
    FILE *latency_log;             /* HEELDROP_LATENCY_LOG: one row per presented frame */
} live;

static const char *leg_label(const live *L, int foot)
{
    int far = foot == HD_FOOT_FAR;
    if (L->near_leg == HD_NEAR_LEFT)
        return far ? "right" : "left";
    if (L->near_leg == HD_NEAR_RIGHT)
        return far ? "left" : "right";
    return far ? "far" : "near";
}

/* Feeds every mark the tracker has ready to the rep engine, the coach, the store and the
 * trace; plays the sounds the coach asks for. */
static hd_status drain(live *L)
{
    hd_marks mk;
    while (hd_tracker_next(L->trk, &mk) == HD_OK) {
        hd_reps_sample smp = {mk.pts_us, mk.heel_mm, mk.conf, mk.off_step, (int)mk.foot};
        hd_reps_events ev;
        hd_status st = hd_reps_update(L->reps, &smp, &ev);
        if (st < 0 && st != HD_ERR_INVALID)
            return st;
        if (st == HD_ERR_INVALID)
            ev.count = 0; /* a repeated timestamp: ignored by the engine */
        const hd_reps_state *rs = hd_reps_state_get(L->reps);
        double t = (mk.pts_us - L->first_pts_us) / 1e6;
        hd_coach_update(L->coach, t, rs, &ev, &L->co);
        if (L->co.sounds)
            hd_ui_play(L->ui, L->co.sounds);
        for (int i = 0; i < ev.count; i++)
            if (ev.ev[i].kind == HD_EV_REP)
                hd_live_store_rep(&L->store, &ev.ev[i].rep, leg_label(L, ev.ev[i].rep.foot));
        if (mk.conf <= 0)
            L->lost_frames++;
        hd_ui_trace_push(&L->trace, t, rs->heel_mm, mk.conf <= 0 || !isfinite(rs->heel_mm));
        hd_trace_row r = {t, mk.heel_px, mk.heel_mm, mk.foot_deg, mk.conf,
                          (int8_t)hd_reps_phase(L->reps), (int8_t)mk.off_step, -1,
                          mk.heel_x, mk.heel_y, mk.ankle_x, mk.ankle_y};
        st = hd_live_store_row(&L->store, &r);
        if (st < 0)
            return st;
        L->marks = mk;
        L->have_marks = 1;
        L->last_t = t;
    }
    return HD_OK;
}

/* The programme's target for today, for the overlay. */
static void load_target(live *L)
{
    hd_target tg;
    hd_db *db = L->store.db;
    memset(&L->target, 0, sizeof(L->target));
    memset(&L->plan, 0, sizeof(L->plan));
    if (!db || hd_programme_today(db, hd_now(), &tg) < 0 || !tg.has_plan)
        return;
    L->plan = tg;
    int legs = !strcmp(tg.legs, "both") ? 2 : 1;
    L->target_per_leg = hd_target_reps_per_leg(&tg);
    L->target.valid = 1;
    L->target.sets = tg.sets * (tg.knee_straight + tg.knee_bent);
    L->target.reps = tg.reps_per_set;
    L->target.knee = L->s.knee && *L->s.knee ? L->s.knee
                     : tg.knee_straight       ? "straight"
                                              : "bent";
    L->target.total = L->target_per_leg * legs;
    L->target.done = tg.reps_today_left + tg.reps_today_right + tg.reps_today_other;
}

static void present(live *L, const hd_frame *f, int camera_lost, int64_t dropped)
{
    hd_view v;
    memset(&v, 0, sizeof(v));
    v.frame = f;
    v.marks = L->have_marks ? &L->marks : NULL;
    hd_tracker_scene(L->trk, &L->scene);
    v.scene = &L->scene;
    v.reps = hd_reps_state_get(L->reps);
    v.reps_cfg = &L->rc;
    v.coach = &L->co;
    v.trace = &L->trace;
    v.near_leg = L->near_leg;
    v.target = L->target;
    if (v.target.valid)
        v.target.done += v.reps ? v.reps->reps : 0;
    v.camera_lost = camera_lost;
    v.paused = L->paused;
    v.dropped = dropped;
    v.recording = L->store.record && !L->store.rec_stopped;
    if (!L->scene.valid)
        v.setup_hint = L->have_marks && L->marks.setup_hint ? L->marks.setup_hint
                                                            : HD_HINT_CALIBRATING;
    else
        v.setup_hint = L->have_marks && L->marks.setup_hint == HD_HINT_OCCLUDED
                           ? HD_HINT_OCCLUDED
                           : HD_HINT_NONE;
    int n = 0;
    if (L->store.notice[0])
        v.notices[n++] = L->store.notice;
    if (L->adjust_note[0] && L->last_t < 10.0)
        v.notices[n++] = L->adjust_note;
    if (hd_ui_present(L->ui, &v) < 0)
        HD_LOG(HD_LOG_WARN, "window: %s", hd_last_error());
}

/* HEELDROP_KEYS="T:K,T:K,...": key K (one character) is pressed once the session's stream
 * time reaches T seconds; keys left when the session ends are pressed at the prompts after
 * it. For scripted runs and tests of the window's keys. */
static void script_keys(live *L, double t, int ending)
{
    const char *p = L->keys_next;
    while (p && *p) {
        char *end;
        double at = strtod(p, &end);
        if (end == p || *end != ':' || !end[1])
            break;
        if (!ending && at > t)
            return;
        hd_ui_push_key(L->ui, (unsigned char)end[1]);
        p = end + 2;
        if (*p == ',')
            p++;
        L->keys_next = p;
        if (ending)
            return; /* one key per prompt */
    }
    L->keys_next = NULL;
}

/* Handles the window's input. Returns 1 when the user asked to quit. */
static int handle_input(live *L)
{
    hd_ui_event ev;
    while (hd_ui_poll(L->ui, &ev)) {
        switch (ev.kind) {
        case HD_UI_QUIT:
            return 1;
        case HD_UI_PAUSE:
            L->paused = !L->paused;
            if (L->paused)
                hd_coach_reset(L->coach);
            break;
        case HD_UI_RECALIBRATE:
            hd_tracker_recalibrate(L->trk);
            hd_coach_reset(L->coach);
            L->have_marks = 0;
            break;
        case HD_UI_NEAR_LEFT:
            L->near_leg = HD_NEAR_LEFT;
            L->s.near_leg = "left";
            break;
        case HD_UI_NEAR_RIGHT:
            L->near_leg = HD_NEAR_RIGHT;
            L->s.near_leg = "right";
            break;
        case HD_UI_SCREENSHOT: {
            char path[PATH_MAX + 32];
            snprintf(path, sizeof(path), "%s/shot-%03d.png", L->store.dir, ++L->shots);
            if (hd_ui_screenshot(L->ui, path) == HD_OK) {
                (void)chmod(path, 0600);
                HD_LOG(HD_LOG_INFO, "screenshot %s", path);
            }
            else
                HD_LOG(HD_LOG_WARN, "screenshot: %s", hd_last_error());
            break;
        }
        case HD_UI_STEP_EDGE: {
            /* A new tracker with the user's edge; the reps so far stay in the engine. */
            hd_tracker *nt = NULL;
            hd_tracker_cfg tc = L->tc;
            memcpy(tc.step_edge, ev.step_edge, sizeof(tc.step_edge));
            tc.has_step_edge = 1;
            if (hd_tracker_create(&tc, &nt) == HD_OK) {
                hd_tracker_finish(L->trk);
                drain(L);
                hd_tracker_destroy(L->trk);
                L->trk = nt;
                L->tc = tc;
                L->have_marks = 0;
                hd_coach_reset(L->coach);
            }
            break;
        }
        default:
            break;
        }
    }
    return 0;
}

/* The frame's capture time on the monotonic clock, for latency: a camera's buffers carry
 * it (V4L2 monotonic timestamps); for a file played live, t = 0 is the moment its first
 * frame arrived and later frames are placed by their own timestamps, never by when they
 * were dequeued. */
static int64_t capture_mono_us(const live *L, const hd_frame *f, const hd_v4l2_stats *vs)
{
    if (L->is_camera && vs->mono_origin_us > 0)
        return vs->mono_origin_us + f->pts_us; /* the camera's own capture clock */
    return L->file_t0_mono_us + (f->pts_us - L->first_pts_us);
}

static void record_frame(live *L, const hd_frame *f)
{
    if (!L->store.record || L->store.rec_stopped)
        return;
    if (!L->store.overlay) {
        hd_live_store_frame(&L->store, f);
        return;
    }
    int w = 0, h = 0;
    hd_ui_output_size(L->ui, &w, &h);
    size_t need = (size_t)w * 3 * h;
    if (need == 0)
        return;
    if (need > L->rgb_size) {
        uint8_t *p = realloc(L->rgb, need);
        if (!p)
            return;
        L->rgb = p;
        L->rgb_size = need;
    }
    if (hd_ui_read_rgb(L->ui, L->rgb, w * 3) != HD_OK)
        return;
    hd_frame g;
    memset(&g, 0, sizeof(g));
    g.plane[0] = L->rgb;
    g.stride[0] = w * 3;
    g.width = w;
    g.height = h;
    g.format = HD_PIX_BGR24;
    g.pts_us = f->pts_us;
    g.seq = f->seq;
    hd_live_store_frame(&L->store, &g);
}

/* Checks the source options and finds the camera. A file is opened here (its clock starts
 * at the first frame); a camera only in open_camera(), once everything else is ready, so
 * that no frame is lost while the window and the tracker start. */
static hd_status prepare_source(live *L, hd_source_opts *so)
{
    memset(so, 0, sizeof(*so));
    so->want_format = HD_PIX_YUV420P;
    if (L->s.source && *L->s.source) {
        so->realtime = 1;
        snprintf(L->where, sizeof(L->where), "%s", L->s.source);
        hd_status st = hd_source_open(&hd_source_file_ops, L->where, so, &L->src);
        if (st == HD_ERR_IO)
            st = HD_ERR_NOTFOUND;
        return st;
    }
    L->is_camera = 1;
    if (parse_size(L->s.size, &so->width, &so->height) < 0)
        return HD_ERR_INVALID;
    if (!(L->s.fps >= 1 && L->s.fps <= 240))
        return hd_fail(HD_ERR_INVALID, "--fps must be between 1 and 240, not %g", L->s.fps);
    so->fps = L->s.fps;
    if (L->s.device && *L->s.device) {
        snprintf(L->where, sizeof(L->where), "%s", L->s.device);
        return HD_OK;
    }
    if (hd_v4l2_find_camera(L->where, sizeof(L->where)) < 0)
        return HD_ERR_DEVICE;
    return HD_OK;
}

static hd_status open_camera(live *L, const hd_source_opts *so)
{
    if (!L->is_camera)
        return HD_OK;
    if (hd_source_open(&hd_source_v4l2_ops, L->where, so, &L->src) < 0)
        return HD_ERR_DEVICE;
    /* the backend logs it when the camera gives another size or rate; the window says it
     * too, for the first seconds */
    hd_v4l2_stats vs;
    hd_source_v4l2_stats(L->src, &vs);
    if (vs.adjusted)
        snprintf(L->adjust_note, sizeof(L->adjust_note), "Camera: %s", vs.adjust_note);
    return HD_OK;
}

/* Shows the view with only these lines (no picture) for a moment, and handles window
 * input. Returns the digit pressed ('0'..'9'), 'q' for Q/Esc/close, or 0. */
static int show_message(live *L, const char *l1, const char *l2, int wait_ms)
{
    hd_view v;
    memset(&v, 0, sizeof(v));
    v.reps = hd_reps_state_get(L->reps);
    v.reps_cfg = &L->rc;
    v.near_leg = L->near_leg;
    v.notices[0] = l1;
    v.notices[1] = l2;
    int64_t end = mono_us() + (int64_t)wait_ms * 1000;
    script_keys(L, 0, 1);
    do {
        hd_ui_event ev;
        hd_ui_present(L->ui, &v);
        while (hd_ui_poll(L->ui, &ev)) {
            if (ev.kind == HD_UI_QUIT)
                return 'q';
            if (ev.kind == HD_UI_KEY && ev.key >= '0' && ev.key <= '9')
                return ev.key;
        }
        struct timespec nap = {0, 50 * 1000000L};
        nanosleep(&nap, NULL);
    } while (mono_us() < end && !stop_signal);
    return 0;
}

/* After a session the user quit from the window: asks for the pain 0-10 (digits; 1 then 0
 * for 10; Esc skips), logs it with the session and shows the advice for the next one. */
static void ask_pain(live *L)
{
    int k = show_message(L, "How much pain do you feel now, 0-10? Press a number (1 then 0 "
                            "for 10).", "Esc skips; 'heeldrop pain N' logs it later.",
                         60000);
    if (k < '0' || k > '9')
        return;
    int value = k - '0';
    if (value == 1 && show_message(L, "Pain 1 (press 0 for 10)", "", 1000) == '0')
        value = 10;
    hd_db *db = NULL;
    if (hd_db_open(NULL, &db) < 0 ||
        hd_db_pain_add(db, (int64_t)hd_now(), value, 0, L->store.session_id, NULL, NULL) < 0) {
        fprintf(stderr, "heeldrop live: the pain rating was not saved: %s (use 'heeldrop pain "
                        "%d')\n", hd_last_error(), value);
        hd_db_close(db);
        return;
    }
    char l1[64], l2[300] = "";
    snprintf(l1, sizeof(l1), "Pain %d/10 saved.", value);
    hd_target tg;
    if (hd_programme_today(db, hd_now(), &tg) == HD_OK && tg.has_plan)
        snprintf(l2, sizeof(l2), "Next session: %s. %s", hd_advice_name(tg.advice.kind),
                 tg.advice.reason);
    hd_db_close(db);
    printf("%s %s\n", l1, l2);
    show_message(L, l1, l2, 4000);
}

static int fail_exit(const char *what, hd_status st)
{
    fprintf(stderr, "heeldrop live: %s%s\n", what, hd_last_error());
    if (st == HD_ERR_DEVICE)
        return HD_LIVE_EXIT_CAMERA;
    return hd_status_exit_code(st);
}

int hd_cmd_live(int argc, char **argv)
{
    live *L = calloc(1, sizeof(*L));
    const char *pos[4];
    int npos = 0, code, quit = 0;
    hd_status st;

    if (!L) {
        fprintf(stderr, "heeldrop live: out of memory\n");
        return 70;
    }
    code = hd_cli_settings("live", HD_CMD_LIVE, argc, argv, usage, &L->s, pos, 4, &npos);
    if (code >= 0) {
        free(L);
        return code;
    }
    code = 0;
    st = npos > 0 ? hd_fail(HD_ERR_INVALID, "unexpected argument '%s' (a saved video is given "
                                            "with --source FILE)", pos[0])
                  : hd_tracker_cfg_from_settings(&L->s, &L->tc);
    if (st < 0) {
        fprintf(stderr, "heeldrop live: %s\n", hd_last_error());
        free(L);
        return 2;
    }
    hd_log_set_level(L->s.quiet ? HD_LOG_ERROR : L->s.verbose ? HD_LOG_DEBUG : HD_LOG_WARN);
    hd_reps_cfg_from_settings(&L->s, &L->rc);
    L->near_leg = !strcmp(L->s.near_leg, "left")    ? HD_NEAR_LEFT
                  : !strcmp(L->s.near_leg, "right") ? HD_NEAR_RIGHT
                                                    : HD_NEAR_UNKNOWN;
    L->first_pts_us = -1;
    L->locked_s = -1;
    L->keys_next = getenv("HEELDROP_KEYS");

    hd_source_opts so;
    st = prepare_source(L, &so);
    if (st < 0) {
        if (st == HD_ERR_INVALID) {
            fprintf(stderr, "heeldrop live: %s\n", hd_last_error());
            free(L);
            return 2;
        }
        code = fail_exit("", st);
        free(L);
        return code;
    }
    st = hd_tracker_create(&L->tc, &L->trk);
    if (st == HD_OK)
        st = hd_reps_create(&L->rc, &L->reps);
    if (st == HD_OK) {
        hd_coach_cfg cc;
        hd_coach_cfg_default(&cc);
        cc.reps = L->rc;
        st = hd_coach_create(&cc, &L->coach);
    }
    if (st < 0) {
        code = fail_exit("", st);
        goto done;
    }
    {
        hd_ui_cfg uc;
        hd_ui_cfg_default(&uc);
        uc.fullscreen = L->s.fullscreen;
        uc.mute = L->s.mute;
        uc.software = getenv("HEELDROP_SOFTWARE_RENDER") != NULL;
        st = hd_ui_create(&uc, &L->ui);
        if (st < 0) {
            code = fail_exit("cannot open the window: ", st);
            goto done;
        }
        if (L->s.record_overlay)
            hd_ui_set_capture(L->ui, 1);
    }
    st = open_camera(L, &so);
    if (st < 0) {
        code = fail_exit("", st);
        goto done;
    }
    st = hd_live_store_open(&L->store, &L->s, L->is_camera ? HD_SOURCE_CAMERA : HD_SOURCE_FILE,
                            L->where);
    if (st < 0) {
        code = fail_exit("cannot keep the session: ", st);
        goto done;
    }
    L->store_open = 1;
    load_target(L);
    if (!L->s.quiet) {
        if (!L->target.valid)
            printf("No programme chosen: 'heeldrop plan --preset starter --leg right' sets one "
                   "(the window then shows today's target).\n");
        else
            printf("Today: %d x %d per leg%s%s. Pain up to 5/10 during the exercise is "
                   "acceptable; if it gets worse, stop ('heeldrop plan' shows the safety "
                   "notes).\n",
                   L->plan.sets, L->plan.reps_per_set,
                   L->plan.knee_straight ? ", knee straight" : "",
                   L->plan.knee_bent ? (L->plan.knee_straight ? ", then the same knee bent"
                                                              : ", knee bent")
                                     : "");
        if (L->s.load_kg > 0)
            printf("Added load %.1f kg. %s\n", L->s.load_kg, hd_programme_load_caution());
        fflush(stdout);
    }
    if (getenv("HEELDROP_LATENCY_LOG")) {
        L->latency_log = fopen(getenv("HEELDROP_LATENCY_LOG"), "w");
        if (L->latency_log)
            fprintf(L->latency_log, "seq,pts_us,capture_us,present_us,age_ms,cpu_s\n");
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int64_t last_lost_draw = 0;
    int was_lost = 0;
    for (;;) {
        hd_frame fr;
        hd_v4l2_stats vs;
        if (stop_signal || quit)
            break;
        st = hd_source_acquire(L->src, &fr);
        hd_source_v4l2_stats(L->src, &vs);
        if (vs.lost != was_lost) {
            was_lost = vs.lost;
            if (was_lost)
                HD_LOG(HD_LOG_WARN, "camera lost (%s): the reps so far are kept; waiting for "
                                    "it to come back", L->where);
            else
                HD_LOG(HD_LOG_WARN, "the camera is back (%s)", L->where);
        }
        if (st == HD_AGAIN) {
            quit = handle_input(L);
            if (vs.lost && mono_us() - last_lost_draw > 100000) {
                last_lost_draw = mono_us();
                present(L, NULL, 1, vs.dropped + vs.skipped + L->late_dropped);
            }
            continue;
        }
        if (st == HD_EOF)
            break;
        if (st < 0) {
            fprintf(stderr, "heeldrop live: %s (the session so far is kept)\n",
                    hd_last_error());
            code = hd_status_exit_code(st);
            break;
        }
        int64_t now = mono_us();
        if (L->first_pts_us < 0) {
            L->first_pts_us = fr.pts_us;
            L->file_t0_mono_us = now;
            hd_reps_set_t0(L->reps, fr.pts_us);
        }
        int64_t cap = capture_mono_us(L, &fr, &vs);
        if (!L->is_camera && L->frames_in > 0 && fr.seq > L->last_seq + 1)
            L->late_dropped += fr.seq - L->last_seq - 1; /* the file source dropped late frames */
        L->last_seq = fr.seq;
        L->frames_in++;
        if (!L->paused) {
            st = hd_tracker_process(L->trk, &fr);
            if (st == HD_OK)
                st = drain(L);
            if (st < 0) {
                hd_source_release(L->src, &fr);
                code = fail_exit("", st);
                break;
            }
            L->frames++;
            if (L->locked_s < 0) {
                hd_tracker_scene(L->trk, &L->scene);
                if (L->scene.valid) {
                    L->locked_s = (fr.pts_us - L->first_pts_us) / 1e6;
                    HD_LOG(HD_LOG_INFO, "tracker locked on at %.1f s", L->locked_s);
                }
            }
            if (!L->store.overlay)
                record_frame(L, &fr);
        }
        script_keys(L, (fr.pts_us - L->first_pts_us) / 1e6, 0);
        quit = handle_input(L);
        int64_t before = mono_us();
        /* shown only if it will still be fresh once drawn (drawing time is tracked) */
        if (before - cap + L->present_us <= HD_LIVE_MAX_AGE_US) {
            present(L, &fr, 0, vs.dropped + vs.skipped + L->late_dropped);
            int64_t shown = mono_us();
            L->present_us = (7 * L->present_us + (shown - before)) / 8;
            if (L->store.overlay && !L->paused)
                record_frame(L, &fr);
            if (L->latency_log) {
                struct timespec cpu;
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
                fprintf(L->latency_log, "%lld,%lld,%lld,%lld,%.2f,%.3f\n", (long long)fr.seq,
                        (long long)fr.pts_us, (long long)cap, (long long)shown,
                        (shown - cap) / 1000.0, cpu.tv_sec + cpu.tv_nsec / 1e9);
            }
        } else {
            L->stale++;
        }
        hd_source_release(L->src, &fr);
    }

    /* The end: whatever ended it, keep everything. */
    {
        hd_v4l2_stats vs;
        hd_source_v4l2_stats(L->src, &vs);
        hd_tracker_finish(L->trk);
        drain(L);
        hd_reps_events ev;
        while (hd_reps_finish(L->reps, &ev) == HD_AGAIN)
            ;
        hd_summary *sum = &L->store.out.sum;
        int n = 0;
        const hd_rep *list = hd_reps_list(L->reps, &n);
        if (n > 0) {
            sum->reps = malloc((size_t)n * sizeof(hd_rep));
            if (sum->reps) {
                memcpy(sum->reps, list, (size_t)n * sizeof(hd_rep));
                sum->nreps = n;
            }
        }
        hd_tracker_scene(L->trk, &L->scene);
        const hd_source_info *info = hd_source_get_info(L->src);
        sum->frames = L->frames;
        sum->duration_s = L->last_t + (info->fps > 0 ? 1.0 / info->fps : 0);
        sum->fps = info->fps;
        sum->has_step_edge = L->scene.valid;
        memcpy(sum->step_edge, L->scene.step_edge, sizeof(sum->step_edge));
        sum->mm_per_px = L->scene.valid ? L->scene.mm_per_px : 0;
        sum->near_leg = L->near_leg == HD_NEAR_LEFT    ? 'L'
                        : L->near_leg == HD_NEAR_RIGHT ? 'R'
                                                       : 0;
        sum->lost_share = L->frames ? (double)L->lost_frames / L->frames : 0;
        sum->locked_s = L->locked_s;
        for (int64_t i = 0; i < L->store.out.nrows; i++) {
            hd_trace_row *r = &L->store.out.rows[i];
            r->phase = (int8_t)hd_reps_classify(sum->reps, sum->nreps, &L->rc, r->t,
                                                r->heel_mm, r->conf <= 0);
        }
        int64_t dropped = vs.dropped + vs.skipped + L->late_dropped;
        if (!L->s.quiet)
            hd_summary_print_table(sum, stdout);
        /* Q, the end of a file, SIGINT and SIGTERM end a session cleanly; an error does not */
        int nreps_final = sum->nreps; /* the store frees the summary when it closes */
        st = hd_live_store_close(&L->store, sum->duration_s, L->frames, dropped, code != 0);
        L->store_open = 0;
        if (st < 0) {
            fprintf(stderr, "heeldrop live: the session was not completely saved: %s\n",
                    hd_last_error());
            if (!code)
                code = hd_status_exit_code(st);
        }
        if (!L->s.quiet) {
            printf("dropped frames: %lld (lost by the camera %lld, skipped because processing "
                   "fell behind %lld); frames not shown (too old): %lld\n",
                   (long long)dropped, (long long)vs.dropped,
                   (long long)(vs.skipped + L->late_dropped), (long long)L->stale);
        }
        printf("session saved in %s\n", L->store.dir);
        fflush(stdout);
        /* the user ended it at the window: ask how it felt (not after a signal or an error,
         * nor at the end of a file) */
        if (quit && !stop_signal && code == 0 && nreps_final > 0 && L->store.session_id > 0)
            ask_pain(L);
    }

done:
    if (L->store_open)
        hd_live_store_close(&L->store, 0, L->frames, 0, 1);
    if (L->latency_log)
        fclose(L->latency_log);
    hd_ui_destroy(L->ui);
    hd_coach_destroy(L->coach);
    hd_reps_destroy(L->reps);
    hd_tracker_destroy(L->trk);
    hd_source_close(L->src);
    free(L->rgb);
    free(L);
    return code;
}
