/* test_ui.c - overlay screenshots against reference PNGs, and input through injected SDL
 * events. Runs under SDL_VIDEODRIVER=dummy with the software renderer at 640x360, on one
 * decoded frame of assets/sample.mp4, with DejaVu fonts named explicitly.
 *
 *   test_ui                 compare every state with tests/ui_ref/<state>.png
 *   test_ui --write DIR     write the pictures to DIR (scripts/update-ui-refs.sh only)
 *
 * Failing pictures are written next to the test binary as ui_actual_<state>.png. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#include "heeldrop/coach.h"
#include "heeldrop/cues.h"
#include "heeldrop/source.h"
#include "heeldrop/ui.h"
#include "test.h"
#include "fakes/ui_shot.h"

#ifndef HD_SRC_DIR
#define HD_SRC_DIR "."
#endif

#define W 640
#define H 360

static hd_ui *ui;
static const char *write_dir;
static uint8_t *ybuf, *ubuf, *vbuf;
static hd_frame frame;
static hd_reps_cfg rcfg;
static hd_scene scene;
static hd_marks marks;
static hd_ui_trace trace;

/* Frame 120 of the sample (t = 4 s: the far heel lowering towards the step edge). */
static int load_frame(void)
{
    hd_source *src = NULL;
    if (hd_source_open(&hd_source_file_ops, HD_SRC_DIR "/assets/sample.mp4", NULL, &src) != HD_OK) {
        fprintf(stderr, "cannot open the sample: %s\n", hd_last_error());
        return -1;
    }
    hd_frame f;
    int ok = 0;
    while (hd_source_acquire(src, &f) == HD_OK) {
        if (f.seq == 120 && f.format == HD_PIX_YUV420P) {
            int cw = (f.width + 1) / 2, ch = (f.height + 1) / 2;
            ybuf = malloc((size_t)f.width * f.height);
            ubuf = malloc((size_t)cw * ch);
            vbuf = malloc((size_t)cw * ch);
            for (int y = 0; y < f.height; y++)
                memcpy(ybuf + (size_t)y * f.width, f.plane[0] + (size_t)y * f.stride[0],
                       (size_t)f.width);
            for (int y = 0; y < ch; y++) {
                memcpy(ubuf + (size_t)y * cw, f.plane[1] + (size_t)y * f.stride[1], (size_t)cw);
                memcpy(vbuf + (size_t)y * cw, f.plane[2] + (size_t)y * f.stride[2], (size_t)cw);
            }
            frame = f;
            frame.plane[0] = ybuf;
            frame.plane[1] = ubuf;
            frame.plane[2] = vbuf;
            frame.stride[0] = f.width;
            frame.stride[1] = frame.stride[2] = cw;
            frame.opaque = NULL;
            ok = 1;
        }
        hd_source_release(src, &f);
        if (ok)
            break;
    }
    hd_source_close(src);
    return ok ? 0 : -1;
}

/* Presents v and compares (or writes) the picture `name`. */
static void shot(const char *name, const hd_view *v)
{
    CHECK(hd_ui_present(ui, v) == HD_OK);
    int w = 0, h = 0;
    hd_ui_output_size(ui, &w, &h);
    CHECK(w == W && h == H);
    if (w != W || h != H)
        return;
    hd_ui_shot_compare(ui, W, H, name, HD_SRC_DIR "/tests/ui_ref", write_dir);
}

/* A view of the calibrated scene at frame 120, the rep engine's state as given. */
static void base_view(hd_view *v, hd_reps_state *st)
{
    memset(v, 0, sizeof(*v));
    v->frame = &frame;
    v->marks = &marks;
    v->scene = &scene;
    v->reps = st;
    v->reps_cfg = &rcfg;
    v->trace = &trace;
    v->near_leg = HD_NEAR_LEFT;
    v->recording = 1;
    v->target.valid = 1;
    v->target.sets = 3;
    v->target.reps = 15;
    v->target.knee = "straight";
    v->target.done = st->reps;
    v->target.total = 90;
}

static void base_state(hd_reps_state *st, double t, hd_phase ph)
{
    memset(st, 0, sizeof(*st));
    st->phase = ph;
    st->t = t;
    st->phase_start_t = t - 1.0;
    st->reps = 9;
    st->reps_by_foot[HD_FOOT_NEAR] = 4;
    st->reps_by_foot[HD_FOOT_FAR] = 5;
    st->set = 2;
    st->reps_in_set = 7;
    st->rest_since_t = -1;
}

/* A heel trace: tops of 60 mm, drops to -40 mm, one rep every 9 s, ending at t. */
static void fill_trace(double t_end)
{
    hd_ui_trace_clear(&trace);
    for (int i = 0; i <= (int)(t_end * 30); i++) {
        double t = i / 30.0;
        double ph = fmod(t, 9.0);
        double mm;
        if (ph < 2.0)
            mm = 60;
        else if (ph < 5.5)
            mm = 60 - 100 * (ph - 2.0) / 3.5;
        else if (ph < 6.5)
            mm = -40;
        else if (ph < 7.5)
            mm = -40 + 100 * (ph - 6.5);
        else
            mm = 60;
        hd_ui_trace_push(&trace, t, mm, i % 97 == 50);
    }
}

static hd_rep make_rep(unsigned warnings)
{
    hd_rep r;
    memset(&r, 0, sizeof(r));
    r.index = 9;
    r.foot = HD_FOOT_FAR;
    r.t_descent_start = 20.0;
    r.descent_s = warnings & HD_WARN_TOO_FAST ? 1.2 : 3.6;
    r.t_bottom = r.t_descent_start + r.descent_s;
    r.hold_s = warnings & HD_WARN_LONG_HOLD ? 4.2 : warnings & HD_WARN_NO_HOLD ? 0.1 : 1.1;
    r.depth_mm = warnings & HD_WARN_NO_HOLD ? -5.0 : 42.0;
    r.t_hold_end = r.t_bottom + r.hold_s;
    r.t_top = r.t_hold_end + 0.8;
    r.set = 2;
    r.warnings = warnings;
    return r;
}

/* The coach's output after the events given (run through the real scheduler). */
static void coach_after(hd_coach_out *out, double now, const hd_reps_state *st, const hd_event *evs,
                        int n)
{
    hd_coach_cfg cc;
    hd_coach_cfg_default(&cc);
    cc.reps = rcfg;
    hd_coach *c = NULL;
    CHECK(hd_coach_create(&cc, &c) == HD_OK);
    hd_reps_events ev;
    memset(&ev, 0, sizeof(ev));
    for (int i = 0; i < n; i++)
        ev.ev[ev.count++] = evs[i];
    hd_coach_update(c, evs[0].t, st, &ev, out);
    hd_coach_update(c, now, st, NULL, out);
    hd_coach_destroy(c);
}

static void test_setup_states(void)
{
    static const struct {
        int hint;
        const char *name;
    } hints[] = {
        {HD_HINT_CALIBRATING, "setup_calibrating"}, {HD_HINT_NO_STEP, "setup_no_step"},
        {HD_HINT_NO_FOOT, "setup_no_foot"},         {HD_HINT_TOO_DARK, "setup_too_dark"},
        {HD_HINT_AT_EDGE, "setup_at_edge"},
    };
    for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
        hd_reps_state st;
        memset(&st, 0, sizeof(st));
        st.rest_since_t = -1;
        hd_view v;
        base_view(&v, &st);
        v.marks = NULL;
        v.scene = NULL;
        v.trace = NULL;
        v.target.done = 0;
        v.setup_hint = hints[i].hint;
        shot(hints[i].name, &v);
    }
}

static void test_exercise_states(void)
{
    hd_reps_state st;
    hd_view v;
    hd_coach_out co;
    hd_event e[2];
    memset(e, 0, sizeof(e));

    /* Top: up on the toes before a drop. */
    fill_trace(19.5);
    base_state(&st, 19.5, HD_PHASE_TOP);
    base_view(&v, &st);
    e[0].kind = HD_EV_REP;
    e[0].t = 19.0;
    e[0].rep = make_rep(0);
    coach_after(&co, 19.5 + 10.0, &st, e, 1); /* verdict long gone */
    co.mode = HD_COACH_TOP;
    v.coach = &co;
    shot("top", &v);

    /* Descent, 2.4 s in: the gauge. */
    fill_trace(22.4);
    base_state(&st, 22.4, HD_PHASE_DESCENT);
    base_view(&v, &st);
    e[0].kind = HD_EV_DESCENT_START;
    e[0].t = 20.0;
    coach_after(&co, 22.4, &st, e, 1);
    CHECK(co.mode == HD_COACH_DESCENT);
    v.coach = &co;
    shot("descent", &v);

    /* Hold, 0.8 s in. */
    fill_trace(24.6);
    base_state(&st, 24.6, HD_PHASE_HOLD);
    base_view(&v, &st);
    e[0].kind = HD_EV_BOTTOM;
    e[0].t = 23.8;
    coach_after(&co, 24.6, &st, e, 1);
    CHECK(co.mode == HD_COACH_HOLD);
    v.coach = &co;
    shot("hold", &v);

    /* A good rep's verdict. */
    fill_trace(26.5);
    base_state(&st, 26.5, HD_PHASE_TOP);
    base_view(&v, &st);
    e[0].kind = HD_EV_REP_PROVISIONAL;
    e[0].t = 26.0;
    e[0].rep = make_rep(0);
    coach_after(&co, 26.5, &st, e, 1);
    CHECK(co.cue == HD_CUE_GOOD);
    v.coach = &co;
    shot("good_rep", &v);

    /* A rep with each warning, and one with two. */
    for (int i = 0; i <= HD_WARN_COUNT; i++) {
        unsigned w = i < HD_WARN_COUNT ? 1u << i : HD_WARN_TOO_FAST | HD_WARN_BILATERAL;
        e[0].rep = make_rep(w);
        coach_after(&co, 26.5, &st, e, 1);
        CHECK(co.cue == HD_CUE_WARN);
        v.coach = &co;
        char name[64];
        snprintf(name, sizeof(name), "warn_%s", i < HD_WARN_COUNT ? hd_warn_name(i) : "two");
        shot(name, &v);
    }

    /* Rest between sets, 1:15 in. */
    fill_trace(40.0);
    base_state(&st, 40.0, HD_PHASE_REST);
    st.reps_in_set = 15;
    st.rest_since_t = 25.0;
    base_view(&v, &st);
    e[0].kind = HD_EV_SET_END;
    e[0].t = 33.0;
    coach_after(&co, 100.0, &st, e, 1);
    CHECK(co.mode == HD_COACH_REST);
    v.coach = &co;
    shot("rest", &v);

    /* Camera lost. */
    base_state(&st, 40.0, HD_PHASE_LOST);
    base_view(&v, &st);
    v.camera_lost = 1;
    v.frame = NULL;
    shot("camera_lost", &v);

    /* Paused, muted, near leg unknown, dropped frames, notices, no programme. */
    fill_trace(22.4);
    base_state(&st, 22.4, HD_PHASE_TOP);
    base_view(&v, &st);
    v.paused = 1;
    v.near_leg = HD_NEAR_UNKNOWN;
    v.target.valid = 0;
    v.dropped = 12;
    v.notices[0] = "No audio device: visual cues only";
    hd_ui_set_muted(ui, 1);
    shot("paused_status", &v);
    hd_ui_set_muted(ui, 0);
}

static void push_key(SDL_Keycode k)
{
    SDL_Event e;
    memset(&e, 0, sizeof(e));
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    e.key.state = SDL_PRESSED;
    SDL_PushEvent(&e);
}

static void push_mouse(Uint32 type, int x, int y)
{
    SDL_Event e;
    memset(&e, 0, sizeof(e));
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.x = x;
        e.motion.y = y;
        e.motion.state = SDL_BUTTON_LMASK;
    } else {
        e.button.button = SDL_BUTTON_LEFT;
        e.button.x = x;
        e.button.y = y;
        e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
        e.button.clicks = 1;
    }
    SDL_PushEvent(&e);
}

static void test_keys(void)
{
    hd_ui_event ev;
    while (hd_ui_poll(ui, &ev))
        ; /* drain */
    static const struct {
        SDL_Keycode key;
        hd_ui_event_kind kind;
    } keys[] = {
        {SDLK_SPACE, HD_UI_PAUSE},  {SDLK_c, HD_UI_RECALIBRATE}, {SDLK_l, HD_UI_NEAR_LEFT},
        {SDLK_r, HD_UI_NEAR_RIGHT}, {SDLK_m, HD_UI_MUTE},        {SDLK_s, HD_UI_SCREENSHOT},
        {SDLK_q, HD_UI_QUIT},       {SDLK_ESCAPE, HD_UI_QUIT},   {SDLK_PERIOD, HD_UI_KEY},
    };
    int n = (int)(sizeof(keys) / sizeof(keys[0]));
    for (int i = 0; i < n; i++)
        push_key(keys[i].key);
    for (int i = 0; i < n; i++) {
        CHECK(hd_ui_poll(ui, &ev) == 1);
        CHECK(ev.kind == keys[i].kind);
        if (ev.kind == HD_UI_MUTE)
            CHECK(ev.muted == 1 && hd_ui_muted(ui) == 1);
        if (ev.kind == HD_UI_KEY)
            CHECK(ev.key == SDLK_PERIOD);
    }
    CHECK(hd_ui_poll(ui, &ev) == 0);
    push_key(SDLK_m);
    CHECK(hd_ui_poll(ui, &ev) == 1 && ev.kind == HD_UI_MUTE && ev.muted == 0);
}

/* Drag the step line's right end down by 20 window px: the new edge comes back in frame
 * coordinates (the window and the frame are both 640x360, so 1:1 here). Then a second
 * drag in a wider window, where the letterbox shifts and scales the mapping. */
static void test_drag(void)
{
    hd_reps_state st;
    hd_view v;
    base_state(&st, 10, HD_PHASE_TOP);
    base_view(&v, &st);
    CHECK(hd_ui_present(ui, &v) == HD_OK);
    hd_ui_event ev;
    while (hd_ui_poll(ui, &ev))
        ;
    push_mouse(SDL_MOUSEBUTTONDOWN, 476, 210);
    push_mouse(SDL_MOUSEMOTION, 470, 220);
    push_mouse(SDL_MOUSEMOTION, 476, 230);
    push_mouse(SDL_MOUSEBUTTONUP, 476, 230);
    CHECK(hd_ui_poll(ui, &ev) == 1);
    CHECK(ev.kind == HD_UI_STEP_EDGE);
    CHECK_NEAR(ev.step_edge[0], scene.step_edge[0], 0.01);
    CHECK_NEAR(ev.step_edge[1], scene.step_edge[1], 0.01);
    CHECK_NEAR(ev.step_edge[2], scene.step_edge[2], 0.6);
    CHECK_NEAR(ev.step_edge[3], scene.step_edge[3] + 20, 0.6);
    CHECK(hd_ui_poll(ui, &ev) == 0);

    /* A click away from the line is a plain click. */
    push_mouse(SDL_MOUSEBUTTONDOWN, 100, 50);
    CHECK(hd_ui_poll(ui, &ev) == 1 && ev.kind == HD_UI_CLICK && ev.x == 100 && ev.y == 50);
    push_mouse(SDL_MOUSEBUTTONUP, 100, 50);
    CHECK(hd_ui_poll(ui, &ev) == 0);
}

/* Readable from 2 m on a 13" laptop: at 1280x720 the rep count's digits are at least 60 px
 * tall. Measured as the height of what changes when the count goes from 1 to 8 (DejaVu's
 * digits all have the same width, so nothing else moves). */
static void test_count_size(void)
{
    hd_ui_destroy(ui);
    ui = NULL;
    hd_ui_cfg cfg;
    hd_ui_cfg_default(&cfg);
    cfg.width = 1280;
    cfg.height = 720;
    cfg.software = 1;
    cfg.audio = 0;
    cfg.font_path = HD_SHOT_FONT;
    cfg.font_bold_path = HD_SHOT_FONT_BOLD;
    CHECK(hd_ui_create(&cfg, &ui) == HD_OK);
    if (!ui)
        return;
    hd_ui_set_capture(ui, 1);
    static uint8_t a[1280 * 720 * 3], b[1280 * 720 * 3];
    hd_reps_state st;
    base_state(&st, 10, HD_PHASE_TOP);
    hd_view v;
    base_view(&v, &st);
    v.frame = NULL;
    v.trace = NULL;
    v.target.valid = 0;
    st.reps_in_set = 1;
    CHECK(hd_ui_present(ui, &v) == HD_OK);
    CHECK(hd_ui_read_rgb(ui, a, 1280 * 3) == HD_OK);
    st.reps_in_set = 8;
    CHECK(hd_ui_present(ui, &v) == HD_OK);
    CHECK(hd_ui_read_rgb(ui, b, 1280 * 3) == HD_OK);
    int top = 720, bottom = -1;
    for (int y = 0; y < 720; y++)
        for (int x = 0; x < 1280 * 3; x++)
            if (abs(a[(size_t)y * 1280 * 3 + x] - b[(size_t)y * 1280 * 3 + x]) > 64) {
                top = y < top ? y : top;
                bottom = y > bottom ? y : bottom;
            }
    int h = bottom - top + 1;
    fprintf(stderr, "count digits at 1280x720: %d px tall\n", h);
    CHECK(h >= 60 && h < 200);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0)
        write_dir = argv[2];
    if (access(HD_SHOT_FONT, R_OK) != 0 || access(HD_SHOT_FONT_BOLD, R_OK) != 0) {
        fprintf(stderr, "skip: DejaVu fonts not installed\n");
        return 77;
    }
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    if (load_frame() != 0)
        return 1;
    hd_ui_cfg cfg;
    hd_ui_cfg_default(&cfg);
    cfg.width = W;
    cfg.height = H;
    cfg.software = 1;
    cfg.audio = 0;
    cfg.font_path = HD_SHOT_FONT;
    cfg.font_bold_path = HD_SHOT_FONT_BOLD;
    if (hd_ui_create(&cfg, &ui) != HD_OK) {
        fprintf(stderr, "ui: %s\n", hd_last_error());
        return 1;
    }
    hd_ui_set_capture(ui, 1);
    hd_reps_cfg_default(&rcfg);
    memset(&scene, 0, sizeof(scene));
    scene.valid = 1;
    scene.step_edge[0] = 372.5;
    scene.step_edge[1] = 208.2;
    scene.step_edge[2] = 476.1;
    scene.step_edge[3] = 210.2;
    memset(&marks, 0, sizeof(marks));
    marks.conf = 0.9f;
    marks.heel_x = 309;
    marks.heel_y = 201;
    marks.ankle_x = 333;
    marks.ankle_y = 172;
    marks.pivot_x = 372;
    marks.pivot_y = 207;
    marks.calibrated = 1;

    RUN(test_setup_states);
    RUN(test_exercise_states);
    if (!write_dir) {
        RUN(test_keys);
        RUN(test_drag);
        RUN(test_count_size); /* last: it reopens the window at another size */
    }
    hd_ui_destroy(ui);
    free(ybuf);
    free(ubuf);
    free(vbuf);
    return TEST_EXIT();
}
