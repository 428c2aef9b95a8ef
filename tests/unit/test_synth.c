/* test_synth.c - the clip generator: determinism, the foot kinematics behind the truth,
 * truth reps from the rep engine, the heel drawn where the truth puts it, no reps without
 * exercise, stored rotation, and the command's exit codes. Small clips (320x240, 15 fps)
 * so that the whole file runs in seconds. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heeldrop/cli.h"
#include "heeldrop/source.h"
#include "heeldrop/synth.h"
#include "synth/synth_priv.h"
#include "test.h"

static hd_synth *make(uint64_t seed, const char *scenario, double dur)
{
    hd_synth_opts o;
    hd_synth_opts_default(&o);
    o.seed = seed;
    o.scenario = scenario;
    o.duration_s = dur;
    o.width = 320;
    o.height = 240;
    o.fps = 15;
    o.rotation_deg = 0;
    hd_synth *s = NULL;
    hd_status st = hd_synth_create(&o, &s);
    if (st != HD_OK)
        fprintf(stderr, "create: %s\n", hd_last_error());
    return s;
}

/* Same options, same clip: truth and pixels. */
static void test_determinism(void)
{
    hd_synth *a = make(11, NULL, 12), *b = make(11, NULL, 12);
    CHECK(a && b);
    if (!a || !b)
        return;
    const hd_synth_info *ia = hd_synth_get_info(a), *ib = hd_synth_get_info(b);
    CHECK(ia->frames == ib->frames);
    CHECK(!strcmp(ia->codec, ib->codec) && ia->crf == ib->crf);
    int same = 1;
    for (int64_t i = 0; i < ia->frames && i < ib->frames; i++) {
        hd_synth_truth ta, tb;
        hd_synth_truth_at(a, i, &ta);
        hd_synth_truth_at(b, i, &tb);
        same &= ta.pts_us == tb.pts_us && ta.heel_mm == tb.heel_mm && ta.visible == tb.visible &&
                ta.off_step == tb.off_step && ta.foot == tb.foot;
    }
    CHECK(same);
    hd_frame fa, fb;
    int64_t k = ia->frames / 2;
    CHECK(hd_synth_render(a, k, &fa) == HD_OK);
    CHECK(hd_synth_render(b, k, &fb) == HD_OK);
    CHECK(fa.width == fb.width && fa.height == fb.height);
    int eq = 1;
    for (int y = 0; y < fa.height; y++)
        eq &= !memcmp(fa.plane[0] + (size_t)y * fa.stride[0],
                      fb.plane[0] + (size_t)y * fb.stride[0], (size_t)fa.width);
    CHECK(eq);
    /* a different seed is a different clip */
    hd_synth *c = make(12, NULL, 12);
    hd_frame fc;
    CHECK(c && hd_synth_render(c, 0, &fc) == HD_OK);
    hd_synth_render(a, 0, &fa);
    CHECK(c && memcmp(fa.plane[0], fc.plane[0], (size_t)fa.width * 8) != 0);
    hd_synth_destroy(a);
    hd_synth_destroy(b);
    hd_synth_destroy(c);
}

/* The rigid rear foot: flat means heel 0; heel up turns about the ball, heel down about
 * the nosing corner. */
static void test_kinematics(void)
{
    sy_rng r;
    sy_rng_seed(&r, 5);
    sy_scene sc;
    memset(&sc, 0, sizeof(sc));
    sy_person p;
    sy_person_generate(&p, &r, &sc, 0);
    double spot = 12.0, th;
    sy_foot_pose fp;
    double hx, hy, bx, by;
    sy_step_pose(&p, spot, 0.0, &fp, &th);
    sy_heel_point(&p, &fp, &hx, &hy, NULL);
    CHECK_NEAR(th, 0.0, 1e-12);
    CHECK_NEAR(hy, 0.0, 1e-9);
    CHECK_NEAR(hx, spot - p.r_heel, 1e-9);
    for (double h = -80; h <= 100; h += 7.5) {
        sy_step_pose(&p, spot, h, &fp, &th);
        sy_heel_point(&p, &fp, &hx, &hy, NULL);
        sy_foot_point(&p, &fp, p.ball_frac * p.L, 0.0, &bx, &by);
        CHECK_NEAR(hy, h, 1e-9);
        if (h > 0) {
            /* about the ball: the ball stays put, heel_mm = r_h sin(theta) */
            CHECK_NEAR(hy, p.r_heel * sin(th), 1e-9);
            CHECK_NEAR(bx, spot, 1e-9);
            CHECK_NEAR(by, 0.0, 1e-9);
            CHECK_NEAR(hypot(hx - bx, hy - by), p.r_heel, 1e-9);
        } else if (h < 0) {
            /* about the nosing corner: the sole line passes through (0, 0) */
            CHECK_NEAR(hy, (p.r_heel - spot) * sin(th), 1e-9);
            CHECK_NEAR(hx * by - hy * bx, 0.0, 1e-6);
            CHECK_NEAR(hypot(hx, hy), p.r_heel - spot, 1e-9);
            CHECK(by > 0);
        }
    }
    /* the truth stream agrees with the same relations frame by frame */
    hd_synth *s = make(3, "good3", 0);
    CHECK(s != NULL);
    if (!s)
        return;
    const hd_synth_info *in = hd_synth_get_info(s);
    int up = 0, down = 0, bad = 0;
    for (int64_t i = 0; i < in->frames; i++) {
        hd_synth_truth t;
        hd_synth_truth_at(s, i, &t);
        double a = t.foot_deg * SY_PI / 180.0;
        if (t.pivot == 1) {
            bad += fabs(t.heel_mm - t.r_heel_mm * sin(a)) > 1e-6;
            up += t.heel_mm > 20;
        } else if (t.pivot == -1) {
            bad += fabs(t.heel_mm - (t.r_heel_mm - t.ball_in_mm) * sin(a)) > 1e-6;
            down += t.heel_mm < -10;
        }
        /* the heel hangs over the nosing, on the side the clip shows it */
        if (t.pivot != 0 && t.visible)
            bad += fabs(t.heel_px) > 1e-6 && (t.heel_px > 0) != (t.heel_mm > 0);
    }
    CHECK(bad == 0);
    CHECK(up > 10 && down > 10);
    hd_synth_destroy(s);
}

/* Three good reps in the script give three truth reps from the rep engine. */
static void test_truth_reps(void)
{
    hd_synth *s = make(2, "good3", 0);
    CHECK(s != NULL);
    if (!s)
        return;
    hd_summary sum;
    hd_trace_row *rows = NULL;
    CHECK(hd_synth_truth_build(s, "clip.mp4", &sum, &rows) == HD_OK);
    CHECK(!strcmp(sum.kind, "truth"));
    CHECK(sum.nreps == 3);
    CHECK(sum.frames == hd_synth_get_info(s)->frames);
    CHECK(sum.has_step_edge && sum.mm_per_px > 0.1 && sum.mm_per_px < 10);
    double last = -1;
    for (int i = 0; i < sum.nreps; i++) {
        const hd_rep *r = &sum.reps[i];
        CHECK(r->t_descent_start > last);
        CHECK(r->t_descent_start < r->t_bottom && r->t_bottom <= r->t_hold_end &&
              r->t_hold_end < r->t_top);
        CHECK(r->descent_s > 2.5 && r->descent_s < 6.0);
        CHECK(r->hold_s > 0.3 && r->hold_s < 3.0);
        CHECK(r->depth_mm > 10 && r->top_mm > 40);
        CHECK(r->warnings == 0);
        CHECK(r->set == 1);
        last = r->t_top;
    }
    /* the trace: one row per frame, the phases of the reps */
    int desc = 0, hold = 0;
    for (int64_t i = 0; i < sum.frames; i++) {
        desc += rows[i].phase == HD_PHASE_DESCENT;
        hold += rows[i].phase == HD_PHASE_HOLD;
    }
    CHECK(desc > 3 * 15 * 2 && hold > 3 * 5);
    int found = 0;
    for (int i = 0; i < sum.nsettings; i++)
        found += !strcmp(sum.settings[i].name, "seed") && !strcmp(sum.settings[i].value, "2");
    CHECK(found == 1);
    free(rows);
    hd_summary_clear(&sum);
    hd_synth_destroy(s);
}

static double patch_mean(const hd_frame *f, double cx, double cy)
{
    double sum = 0;
    int n = 0;
    for (int y = (int)cy - 2; y <= (int)cy + 2; y++)
        for (int x = (int)cx - 2; x <= (int)cx + 2; x++)
            if (x >= 0 && y >= 0 && x < f->width && y < f->height) {
                sum += f->plane[0][(size_t)y * f->stride[0] + x];
                n++;
            }
    return n ? sum / n : 0;
}

/* The heel is drawn where the truth projects it: just above the heel's bottom point the
 * picture changes when the heel is there and when it is not. */
static void test_render_heel(void)
{
    hd_synth *s = make(4, "good3", 0);
    CHECK(s != NULL);
    if (!s)
        return;
    const hd_synth_info *in = hd_synth_get_info(s);
    int64_t hi = -1, lo = -1;
    double best_hi = 0, best_lo = 0;
    for (int64_t i = 0; i < in->frames; i++) {
        hd_synth_truth t;
        hd_synth_truth_at(s, i, &t);
        if (!t.visible)
            continue;
        if (t.heel_mm > best_hi) {
            best_hi = t.heel_mm;
            hi = i;
        }
        if (t.heel_mm < best_lo) {
            best_lo = t.heel_mm;
            lo = i;
        }
    }
    CHECK(hi >= 0 && lo >= 0 && best_hi > 40 && best_lo < -15);
    if (hi < 0 || lo < 0) {
        hd_synth_destroy(s);
        return;
    }
    hd_synth_truth th, tl;
    hd_synth_truth_at(s, hi, &th);
    hd_synth_truth_at(s, lo, &tl);
    CHECK(th.heel_y < tl.heel_y - 10); /* image y grows downwards */
    CHECK(fabs(th.heel_px - (tl.heel_y - th.heel_y) - tl.heel_px) < 3.0);
    /* a point inside the raised heel, 4 px above its bottom, towards the ball */
    double dx = th.ball_x - th.heel_x, dy = th.ball_y - th.heel_y, l = hypot(dx, dy);
    double px = th.heel_x + dx / l * 5.0, py = th.heel_y - 4.0;
    hd_frame f;
    CHECK(hd_synth_render(s, hi, &f) == HD_OK);
    double a = patch_mean(&f, px, py);
    CHECK(hd_synth_render(s, lo, &f) == HD_OK);
    double b = patch_mean(&f, px, py);
    CHECK(fabs(a - b) > 10.0);
    /* and the frame as a whole is a picture, not a flat field */
    double mn = 255, mx = 0;
    for (int y = 0; y < f.height; y += 4)
        for (int x = 0; x < f.width; x += 4) {
            double v = f.plane[0][(size_t)y * f.stride[0] + x];
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
    CHECK(mx - mn > 40);
    hd_synth_destroy(s);
}

/* No exercise, no reps: standing, stepping off and on, walking past, a long stretch. */
static void test_noexercise(void)
{
    static const char *const names[] = {"stand", "stepoff", "walk", "stretch"};
    for (int k = 0; k < 4; k++) {
        hd_synth *s = make(21 + k, names[k], 40);
        CHECK(s != NULL);
        if (!s)
            continue;
        CHECK(hd_synth_get_info(s)->kind == HD_SYNTH_NOEXERCISE);
        hd_summary sum;
        hd_trace_row *rows = NULL;
        CHECK(hd_synth_truth_build(s, "x.mp4", &sum, &rows) == HD_OK);
        if (sum.nreps != 0)
            fprintf(stderr, "%s: %d reps\n", names[k], sum.nreps);
        CHECK(sum.nreps == 0);
        /* the stretch goes well below the step and never near a top */
        if (!strcmp(names[k], "stretch")) {
            double mn = 1e9, mx = -1e9;
            for (int64_t i = 0; i < sum.frames; i++) {
                if (rows[i].heel_mm < mn)
                    mn = rows[i].heel_mm;
                if (rows[i].heel_mm > mx)
                    mx = rows[i].heel_mm;
            }
            CHECK(mn < -25 && mx < 20);
        }
        free(rows);
        hd_summary_clear(&sum);
        hd_synth_destroy(s);
    }
    /* mixed batches: one seed in six is a clip without exercise */
    int no = 0;
    for (uint64_t sd = 100; sd < 112; sd++)
        no += hd_synth_kind_for_seed(sd) == HD_SYNTH_NOEXERCISE;
    CHECK(no == 2);
}

/* A stored-turned clip holds the upright picture turned, so that a reader applying the
 * display rotation shows it upright: check with the project's own file reader. */
static void test_rotation_roundtrip(void)
{
    char dir[] = "/tmp/test_synth_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    hd_synth_opts o;
    hd_synth_opts_default(&o);
    o.seed = 9;
    o.scenario = "good3";
    o.duration_s = 1.0;
    o.width = 240;
    o.height = 320;
    o.fps = 15;
    o.rotation_deg = 90;
    o.codec = "h264";
    o.crf = 16;
    o.vfr = 0;
    hd_synth *s = NULL;
    CHECK(hd_synth_create(&o, &s) == HD_OK);
    if (!s)
        return;
    const hd_synth_info *in = hd_synth_get_info(s);
    CHECK(in->stored_width == 320 && in->stored_height == 240 && in->rotation_deg == 90);
    hd_frame f;
    CHECK(hd_synth_render_stored(s, 0, &f) == HD_OK);
    CHECK(f.width == 320 && f.height == 240);
    hd_status st = hd_synth_write(s, dir, "rot", 1);
    CHECK(st == HD_OK);
    if (st != HD_OK)
        fprintf(stderr, "write: %s\n", hd_last_error());
    char path[512];
    snprintf(path, sizeof(path), "%s/rot.mp4", dir);
    hd_source *src = NULL;
    st = hd_source_open(&hd_source_file_ops, path, NULL, &src);
    CHECK(st == HD_OK);
    if (st == HD_OK) {
        hd_frame g;
        CHECK(hd_source_acquire(src, &g) == HD_OK);
        CHECK(g.width == 240 && g.height == 320);
        hd_frame up;
        hd_synth_render(s, 0, &up);
        double err = 0;
        int n = 0;
        for (int y = 0; y < 320 && g.width == 240; y += 2)
            for (int x = 0; x < 240; x += 2) {
                err += fabs((double)g.plane[0][(size_t)y * g.stride[0] + x] -
                            up.plane[0][(size_t)y * up.stride[0] + x]);
                n++;
            }
        CHECK(n > 0 && err / n < 6.0);
        hd_source_release(src, &g);
        hd_source_close(src);
    }
    hd_synth_destroy(s);
    /* the truth files are there and readable */
    hd_summary sum;
    snprintf(path, sizeof(path), "%s/rot.truth.json", dir);
    CHECK(hd_summary_read_json(path, &sum) == HD_OK);
    CHECK(!strcmp(sum.kind, "truth"));
    hd_summary_clear(&sum);
    const char *files[] = {"rot.mp4", "rot.truth.json", "rot.truth.csv"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        CHECK(unlink(path) == 0);
    }
    rmdir(dir);
}

/* The command: bad options exit 2 with one line, an unwritable folder exits 6. */
static void test_cli(void)
{
    char *a1[] = {"synth", "--seed", "x", "--out", "/tmp"};
    CHECK(hd_cmd_synth(5, a1) == 2);
    char *a2[] = {"synth", "--size", "333x200", "--out", "/tmp"};
    CHECK(hd_cmd_synth(5, a2) == 2);
    char *a3[] = {"synth", "--seed", "1"};
    CHECK(hd_cmd_synth(3, a3) == 2);
    char *a4[] = {"synth", "--kind", "sometimes", "--out", "/tmp"};
    CHECK(hd_cmd_synth(5, a4) == 2);
    char *a5[] = {"synth", "--bogus", "--out", "/tmp"};
    CHECK(hd_cmd_synth(4, a5) == 2);
    if (geteuid() != 0) {
        char *a6[] = {"synth", "--seed", "1", "--out", "/proc/heeldrop-no", "--no-video", "-q"};
        CHECK(hd_cmd_synth(7, a6) == 6);
    } else {
        /* root can write almost anywhere; a path under a regular file cannot be made */
        char *a6[] = {"synth", "--seed", "1", "--out", "/dev/null/x", "--no-video", "-q"};
        CHECK(hd_cmd_synth(7, a6) == 6);
    }
    char dir[] = "/tmp/test_synth_cli_XXXXXX";
    if (mkdtemp(dir)) {
        char *a7[] = {"synth", "--seed",     "5",  "--count",    "2", "--out",
                      dir,     "--duration", "20", "--no-video", "-q"};
        CHECK(hd_cmd_synth(11, a7) == 0);
        char path[512];
        struct stat sb;
        for (int sd = 5; sd <= 6; sd++) {
            snprintf(path, sizeof(path), "%s/clip_%d.truth.json", dir, sd);
            CHECK(stat(path, &sb) == 0);
            unlink(path);
            snprintf(path, sizeof(path), "%s/clip_%d.truth.csv", dir, sd);
            CHECK(stat(path, &sb) == 0);
            unlink(path);
        }
        rmdir(dir);
    }
}

int main(void)
{
    RUN(test_determinism);
    RUN(test_kinematics);
    RUN(test_truth_reps);
    RUN(test_render_heel);
    RUN(test_noexercise);
    RUN(test_rotation_roundtrip);
    RUN(test_cli);
    return TEST_EXIT();
}
