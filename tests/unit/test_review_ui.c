/* test_review_ui.c - the review window under SDL's dummy driver: the overlay state at any
 * moment of a session (hd_review_state_at), screenshots after seeking in the sample video
 * compared with tests/ui_ref/review_*.png, and clicks on the timeline and the rep list.
 *
 *   test_review_ui                 compare
 *   test_review_ui --write DIR     write the pictures (scripts/update-ui-refs.sh only)
 *
 * The session is the sample's ground truth (assets/sample.truth.json and .csv), so the reps
 * shown are exactly known. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#include "heeldrop/source.h"
#include "heeldrop/summary.h"
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
static hd_summary sum;
static hd_trace_row *rows;
static int64_t nrows;
static double *tl_t;
static float *tl_mm;
static hd_reps_cfg rcfg;
static hd_source *src;

static void compare(const char *name)
{
    hd_ui_shot_compare(ui, W, H, name, HD_SRC_DIR "/tests/ui_ref", write_dir);
}

/* Seeks the video to t, draws the review window there and returns the frame's time. */
static double show_at(double t, const char *name)
{
    hd_frame f;
    CHECK(hd_source_file_seek(src, (int64_t)llround(t * 1e6)) == HD_OK);
    CHECK(hd_source_acquire(src, &f) == HD_OK);
    double ft = f.pts_us / 1e6;
    CHECK(fabs(ft - t) <= 1.0 / 60 + 1e-6);
    hd_reps_state st;
    hd_coach_out co;
    int cur;
    hd_review_state_at(sum.reps, sum.nreps, &rcfg, ft, 4.0, &st, &co, &cur);
    hd_scene scene;
    memset(&scene, 0, sizeof(scene));
    scene.valid = sum.has_step_edge;
    memcpy(scene.step_edge, sum.step_edge, sizeof(scene.step_edge));
    hd_review_view v;
    memset(&v, 0, sizeof(v));
    v.live.frame = &f;
    v.live.scene = &scene;
    v.live.reps = &st;
    v.live.reps_cfg = &rcfg;
    v.live.coach = &co;
    v.live.near_leg = HD_NEAR_LEFT;
    v.reps = sum.reps;
    v.nreps = sum.nreps;
    v.current_rep = cur;
    v.tl_t = tl_t;
    v.tl_heel_mm = tl_mm;
    v.tl_n = (int)nrows;
    v.t = ft;
    v.duration_s = sum.duration_s;
    v.speed = 0.5;
    v.title = "Session 20250101-073000";
    v.leg_names[0] = "?";
    v.leg_names[1] = "left";
    v.leg_names[2] = "right";
    CHECK(hd_ui_present_review(ui, &v) == HD_OK);
    hd_source_release(src, &f);
    compare(name);
    return ft;
}

/* The overlay's state at chosen moments of the truth session (pure). */
static void test_state_at(void)
{
    hd_reps_state st;
    hd_coach_out co;
    int cur;
    const hd_rep *r = &sum.reps[0];
    CHECK(sum.nreps == 6);
    hd_review_state_at(sum.reps, sum.nreps, &rcfg, 0.5, 4.0, &st, &co, &cur);
    CHECK(st.reps == 0 && cur == -1 && co.mode == HD_COACH_IDLE && co.cue == HD_CUE_NONE);
    hd_review_state_at(sum.reps, sum.nreps, &rcfg, r->t_descent_start + 1.5, 4.0, &st, &co, &cur);
    CHECK(cur == 0 && co.mode == HD_COACH_DESCENT);
    CHECK_NEAR(co.elapsed_s, 1.5, 1e-9);
    CHECK(st.reps == 0 && st.set == 1 && st.reps_in_set == 0);
    hd_review_state_at(sum.reps, sum.nreps, &rcfg, r->t_bottom + 0.2, 4.0, &st, &co, &cur);
    CHECK(co.mode == HD_COACH_HOLD);
    CHECK_NEAR(co.elapsed_s, 0.2, 1e-9);
    hd_review_state_at(sum.reps, sum.nreps, &rcfg, r->t_top + 1.0, 4.0, &st, &co, &cur);
    CHECK(st.reps == 1 && st.reps_in_set == 1 && st.reps_by_foot[r->foot] == 1);
    CHECK(co.cue == (r->warnings ? HD_CUE_WARN : HD_CUE_GOOD) && co.cue_lines >= 1);
    hd_review_state_at(sum.reps, sum.nreps, &rcfg, r->t_top + 4.01, 4.0, &st, &co, &cur);
    CHECK(co.cue == HD_CUE_NONE || cur > 0);
    /* After the last rep and the set gap: rest, counted from its t_top. */
    const hd_rep *l = &sum.reps[sum.nreps - 1];
    hd_review_state_at(sum.reps, sum.nreps, &rcfg, l->t_top + rcfg.set_gap_s + 1, 4.0, &st, &co,
                       &cur);
    CHECK(st.reps == 6 && co.mode == HD_COACH_REST);
    CHECK_NEAR(co.elapsed_s, rcfg.set_gap_s + 1, 1e-9);
    /* A rep with warnings: each in plain words. */
    for (int i = 0; i < sum.nreps; i++) {
        if (!sum.reps[i].warnings)
            continue;
        hd_review_state_at(sum.reps, sum.nreps, &rcfg, sum.reps[i].t_top + 0.1, 4.0, &st, &co,
                           &cur);
        CHECK(co.cue == HD_CUE_WARN);
    }
}

static void test_screens(void)
{
    const hd_rep *r = sum.reps;
    show_at(r[0].t_descent_start + 2.0, "review_descent");
    show_at(r[1].t_top + 1.0, "review_verdict");
    /* A rep with warnings (the sample has a too-fast and a no-hold rep). */
    for (int i = 0; i < sum.nreps; i++) {
        if (r[i].warnings) {
            show_at(r[i].t_top + 0.5, "review_warning");
            break;
        }
    }
    /* Backwards again: seeking works both ways. */
    show_at(r[0].t_bottom + 0.3, "review_hold");
}

static void push_click(int x, int y, int down)
{
    SDL_Event e;
    memset(&e, 0, sizeof(e));
    e.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = x;
    e.button.y = y;
    e.button.state = down ? SDL_PRESSED : SDL_RELEASED;
    SDL_PushEvent(&e);
}

/* Clicks: the timeline seeks to the time under the mouse, a row of the list picks a rep. */
static void test_clicks(void)
{
    hd_ui_event ev;
    while (hd_ui_poll(ui, &ev))
        ;
    /* The timeline spans the bottom 22%: its plot starts at 56*u from the left and ends
     * 14*u from the right (u = H / 720). */
    double u = H / 720.0;
    double px = 56 * u, pw = W - 56 * u - 14 * u;
    int y = (int)(H - 0.11 * H);
    for (int k = 1; k <= 3; k++) {
        int x = (int)(px + pw * k / 4.0);
        push_click(x, y, 1);
        CHECK(hd_ui_poll(ui, &ev) == 1);
        CHECK(ev.kind == HD_UI_SEEK);
        CHECK_NEAR(ev.t, sum.duration_s * (x - px) / pw, sum.duration_s / pw + 1e-6);
        push_click(x, y, 0);
        CHECK(hd_ui_poll(ui, &ev) == 0);
    }
    /* The list: find the row of rep 3 by scanning down the list column. */
    int x = (int)(W - 0.24 * W * 0.5);
    int found = 0;
    for (int yy = 0; yy < (int)(H * 0.78) && !found; yy++) {
        push_click(x, yy, 1);
        if (hd_ui_poll(ui, &ev) == 1 && ev.kind == HD_UI_PICK_REP && ev.rep == 2)
            found = 1;
        push_click(x, yy, 0);
        while (hd_ui_poll(ui, &ev))
            ;
    }
    CHECK(found);
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
    if (hd_summary_read_json(HD_SRC_DIR "/assets/sample.truth.json", &sum) != HD_OK ||
        hd_trace_read_csv(HD_SRC_DIR "/assets/sample.truth.csv", &rows, &nrows) != HD_OK ||
        hd_source_open(&hd_source_file_ops, HD_SRC_DIR "/assets/sample.mp4", NULL, &src) != HD_OK) {
        fprintf(stderr, "sample: %s\n", hd_last_error());
        return 1;
    }
    tl_t = malloc((size_t)nrows * sizeof(double));
    tl_mm = malloc((size_t)nrows * sizeof(float));
    for (int64_t i = 0; i < nrows; i++) {
        tl_t[i] = rows[i].t;
        tl_mm[i] = rows[i].conf > 0 ? rows[i].heel_mm : NAN;
    }
    hd_reps_cfg_default(&rcfg);
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
    if (!write_dir)
        RUN(test_state_at);
    RUN(test_screens);
    if (!write_dir)
        RUN(test_clicks);
    hd_ui_destroy(ui);
    hd_source_close(src);
    hd_summary_clear(&sum);
    free(rows);
    free(tl_t);
    free(tl_mm);
    return TEST_EXIT();
}
