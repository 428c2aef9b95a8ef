/* synth_clip.c - the public generator API: a clip from its options, per-frame truth,
 * frames, and the files (video, truth trace, truth summary). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "heeldrop/video_writer.h"
#include "synth/synth_priv.h"

void hd_synth_opts_default(hd_synth_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->kind = HD_SYNTH_MIXED;
    o->rotation_deg = -1;
    o->vfr = -1;
}

hd_synth_kind hd_synth_kind_for_seed(uint64_t seed)
{
    /* exactly one seed in six among consecutive seeds */
    return seed % 6 == 3 ? HD_SYNTH_NOEXERCISE : HD_SYNTH_EXERCISE;
}

static const char *dupstr(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void choose_format(hd_synth *s, sy_rng *r)
{
    const hd_synth_opts *o = &s->opts;
    hd_synth_info *in = &s->info;
    static const int sizes[][2] = {{320, 240}, {640, 360},  {640, 480},
                                   {960, 540}, {1280, 720}, {1920, 1080}};
    const double sw[] = {1.2, 2, 2, 1.5, 2.5, 0.8};
    int si = sy_pick(r, sw, 6);
    static const double rates[] = {15, 24, 25, 30, 50, 60};
    const double rw[] = {1, 1, 1.5, 4.5, 0.8, 1.2};
    double fps = rates[sy_pick(r, rw, 6)];
    int vfr = sy_chance(r, 0.15);
    double ru = sy_uni(r);
    int rot = ru < 0.06 ? 90 : (ru < 0.11 ? 270 : (ru < 0.13 ? 180 : 0));
    static const char *const codecs[] = {"h264", "h264", "h264", "mpeg4", "vp9"};
    static const char *const conts[] = {"mp4", "mkv", "mov", "avi", "webm"};
    const double cw[] = {6, 1, 0.8, 1, 0.8};
    int ci = sy_pick(r, cw, 5);
    int crf = 18 + sy_int(r, 17);
    /* libvpx is slow: VP9 clips stay at moderate sizes */
    if (!strcmp(codecs[ci], "vp9") && si > 3)
        si = 1 + sy_int(r, 3);
    /* stored size from the list; a phone on its side stores it turned */
    int sw_ = sizes[si][0], sh_ = sizes[si][1];
    if (o->width > 0 && o->height > 0) {
        in->width = o->width;
        in->height = o->height;
    } else if (rot == 90 || rot == 270) {
        in->width = sh_;
        in->height = sw_;
    } else {
        in->width = sw_;
        in->height = sh_;
    }
    in->rotation_deg = o->rotation_deg >= 0 ? o->rotation_deg : rot;
    if (in->rotation_deg == 90 || in->rotation_deg == 270) {
        in->stored_width = in->height;
        in->stored_height = in->width;
    } else {
        in->stored_width = in->width;
        in->stored_height = in->height;
    }
    in->fps = o->fps > 0 ? o->fps : fps;
    in->vfr = o->vfr >= 0 ? o->vfr : vfr;
    const char *codec = o->codec ? o->codec : codecs[ci];
    const char *cont = o->container ? o->container : NULL;
    if (!cont) {
        if (!o->codec)
            cont = conts[ci];
        else if (!strcmp(codec, "vp9"))
            cont = "webm";
        else if (!strcmp(codec, "mpeg4"))
            cont = "avi";
        else if (!strcmp(codec, "mjpeg"))
            cont = "avi";
        else
            cont = "mp4";
    }
    snprintf(in->codec, sizeof(in->codec), "%s", codec);
    snprintf(in->container, sizeof(in->container), "%s", cont);
    in->crf = o->crf > 0 ? o->crf : crf;
}

static void make_pts(hd_synth *s, sy_rng *r)
{
    double dur = s->script.duration;
    double per = 1e6 / s->info.fps;
    int64_t cap = (int64_t)(dur * s->info.fps * 1.5) + 16;
    s->pts = malloc((size_t)cap * sizeof(int64_t));
    if (!s->pts)
        return;
    int64_t n = 0;
    double t = 0;
    while (t < dur * 1e6 && n < cap) {
        s->pts[n++] = (int64_t)llround(t);
        if (s->info.vfr) {
            double j = sy_range(r, -0.3, 0.3);
            t += per * (1.0 + j);
            if (sy_chance(r, 0.02))
                t += per; /* a dropped frame */
        } else {
            t = per * (double)n;
        }
    }
    s->nframes = n;
    s->info.frames = n;
    s->info.duration_s = n > 0 ? (s->pts[n - 1] + per) / 1e6 : 0;
}

static void step_edge_info(hd_synth *s)
{
    int wk = s->script.nsets > 0 ? (s->script.set_foot[0] == 1) : 0;
    if (s->script.work.n)
        wk = (int)lround(sy_track_eval(&s->script.work, 0)) & 1;
    s->info.first_foot = wk + 1;
    double z = s->script.me.z[wk];
    double u0, v0, u1, v1, ua, va, ub, vb;
    sy_project(&s->cam, sy_v3_make(0, 0, z), &u0, &v0);
    sy_project(&s->cam, sy_v3_make(s->scene.tread, 0, z), &u1, &v1);
    s->info.step_edge[0] = u0;
    s->info.step_edge[1] = v0;
    s->info.step_edge[2] = u1;
    s->info.step_edge[3] = v1;
    sy_project(&s->cam, sy_v3_make(-100, 0, z), &ua, &va);
    sy_project(&s->cam, sy_v3_make(100, 0, z), &ub, &vb);
    double d = hypot(ub - ua, vb - va);
    s->info.mm_per_px = d > 0 ? 200.0 / d : 0;
}

hd_status hd_synth_create(const hd_synth_opts *o, hd_synth **out)
{
    *out = NULL;
    if (!o)
        return hd_fail(HD_ERR_INVALID, "synth: no options");
    if ((o->width > 0) != (o->height > 0) || o->width < 0 || o->height < 0 ||
        (o->width > 0 && (o->width < 64 || o->height < 64 || o->width > 4096 || o->height > 4096 ||
                          (o->width & 1) || (o->height & 1))))
        return hd_fail(HD_ERR_INVALID, "synth: size must be even, 64..4096 pixels a side");
    if (o->fps < 0 || o->fps > 240)
        return hd_fail(HD_ERR_INVALID, "synth: fps must be between 1 and 240");
    if (o->duration_s < 0 || o->duration_s > 3600)
        return hd_fail(HD_ERR_INVALID, "synth: duration must be between 1 and 3600 s");
    if (o->rotation_deg > 0 && o->rotation_deg != 90 && o->rotation_deg != 180 &&
        o->rotation_deg != 270)
        return hd_fail(HD_ERR_INVALID, "synth: rotation must be 0, 90, 180 or 270");
    if (o->codec && strcmp(o->codec, "h264") && strcmp(o->codec, "mpeg4") &&
        strcmp(o->codec, "vp9") && strcmp(o->codec, "mjpeg"))
        return hd_fail(HD_ERR_INVALID, "synth: unknown codec '%s' (h264, mpeg4, vp9, mjpeg)",
                       o->codec);
    if (o->scenario && o->scenario[0]) {
        static const char *const names[] = {"exercise", "good3", "sample", "stand",
                                            "stepoff",  "walk",  "stretch"};
        int ok = 0;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            ok |= !strcmp(o->scenario, names[i]);
        if (!ok)
            return hd_fail(HD_ERR_INVALID, "synth: unknown scenario '%s'", o->scenario);
    }
    hd_synth *s = calloc(1, sizeof(*s));
    if (!s)
        return hd_fail(HD_ERR_NOMEM, "synth: out of memory");
    s->opts = *o;
    s->opts.scenario = dupstr(o->scenario);
    s->opts.codec = dupstr(o->codec);
    s->opts.container = dupstr(o->container);
    s->seed = o->seed;
    s->info.kind = o->kind == HD_SYNTH_MIXED ? hd_synth_kind_for_seed(o->seed) : o->kind;
    if (o->scenario && !strcmp(o->scenario, "exercise"))
        s->info.kind = HD_SYNTH_EXERCISE;
    /* independent streams: forcing one choice does not change the others */
    sy_rng r_fmt, r_scene, r_script, r_cam, r_look, r_pts;
    sy_rng_seed(&r_fmt, s->seed ^ 0x666d74ULL);
    sy_rng_seed(&r_scene, s->seed ^ 0x7363656e65ULL);
    sy_rng_seed(&r_script, s->seed ^ 0x736372697074ULL);
    sy_rng_seed(&r_cam, s->seed ^ 0x63616dULL);
    sy_rng_seed(&r_look, s->seed ^ 0x6c6f6f6bULL);
    sy_rng_seed(&r_pts, s->seed ^ 0x707473ULL);
    choose_format(s, &r_fmt);
    sy_scene_generate(s, &r_scene);
    sy_person_generate(&s->scene.person, &r_scene, &s->scene, 0);
    sy_person_generate(&s->scene.walker, &r_scene, &s->scene, 1);
    if (sy_script_generate(s, &r_script)) {
        hd_synth_destroy(s);
        return hd_fail(HD_ERR_INVALID, "synth: unknown scenario '%s'", o->scenario);
    }
    snprintf(s->info.scenario, sizeof(s->info.scenario), "%s", s->script.name);
    make_pts(s, &r_pts);
    if (!s->pts) {
        hd_synth_destroy(s);
        return hd_fail(HD_ERR_NOMEM, "synth: out of memory");
    }
    sy_camera_choose(s, &r_cam);
    sy_script_place_occluders(s, &r_cam);
    sy_look_choose(s, &r_look);
    step_edge_info(s);
    s->noise = malloc(sizeof(*s->noise));
    size_t ysz = (size_t)s->info.width * s->info.height;
    size_t csz = (size_t)((s->info.width + 1) / 2) * ((s->info.height + 1) / 2);
    s->yuv = malloc(ysz + 2 * csz);
    s->yuv_rot = malloc(ysz + 2 * csz);
    if (!s->noise || !s->yuv || !s->yuv_rot) {
        hd_synth_destroy(s);
        return hd_fail(HD_ERR_NOMEM, "synth: out of memory");
    }
    sy_noise_build(s->noise, s->seed ^ 0x74696c65ULL);
    *out = s;
    return HD_OK;
}

const hd_synth_info *hd_synth_get_info(const hd_synth *s)
{
    return &s->info;
}

void hd_synth_destroy(hd_synth *s)
{
    if (!s)
        return;
    sy_script_free(&s->script);
    sy_canvas_destroy(s->cv);
    free(s->pts);
    free(s->noise);
    free(s->yuv);
    free(s->yuv_rot);
    free((void *)s->opts.scenario);
    free((void *)s->opts.codec);
    free((void *)s->opts.container);
    free(s);
}

/* ---- truth ----------------------------------------------------------------------- */

/* Signed distance (px) of image point p above the projected line Y = 0 at depth z near x. */
static double px_above_tread(const sy_cam *c, double x, double z, double pu, double pv)
{
    double u0, v0, u1, v1, uu, vu;
    sy_project(c, sy_v3_make(x - 100, 0, z), &u0, &v0);
    sy_project(c, sy_v3_make(x + 100, 0, z), &u1, &v1);
    sy_project(c, sy_v3_make(x, 50, z), &uu, &vu);
    double dx = u1 - u0, dy = v1 - v0, l = hypot(dx, dy);
    if (!(l > 0))
        return NAN;
    double nx = -dy / l, ny = dx / l;
    /* orient the normal towards the world's up */
    double mx = 0.5 * (u0 + u1), my = 0.5 * (v0 + v1);
    if ((uu - mx) * nx + (vu - my) * ny < 0) {
        nx = -nx;
        ny = -ny;
    }
    return (pu - u0) * nx + (pv - v0) * ny;
}

static int in_frame(const hd_synth *s, double u, double v)
{
    return u == u && v == v && u >= 1.0 && v >= 1.0 && u <= s->info.width - 1.0 &&
           v <= s->info.height - 1.0;
}

int sy_truth_frame(hd_synth *s, int64_t i, hd_synth_truth *t)
{
    memset(t, 0, sizeof(*t));
    t->pts_us = s->pts[i];
    t->t = (s->pts[i] - s->pts[0]) / 1e6;
    sy_state st;
    sy_state_eval(s, s->pts[i] / 1e6, &st);
    const sy_cam *c = &s->cam;
    const sy_person *P;
    const sy_foot_pose *fp;
    double z;
    int w = st.work;
    if (s->script.me.present) {
        P = &s->scene.person;
        fp = &st.foot[w];
        z = s->script.me.z[w];
        t->foot = w + 1;
        t->off_step = !st.foot[0].on_step || !st.foot[1].on_step;
    } else if (s->script.walker.present) {
        P = &s->scene.walker;
        fp = &st.wfoot[0];
        z = s->script.walker.z[0];
        w = 0;
        t->foot = 1;
        double u, v;
        int seen = sy_project(c, sy_v3_make(fp->bx, fp->by, z), &u, &v) &&
                   u > -0.2 * s->info.width && u < 1.2 * s->info.width;
        t->off_step = seen;
        if (fabs(st.whip[0].x) > 2500) {
            t->present = 0;
            t->visible = 0;
            t->heel_mm = t->heel_px = t->foot_deg = NAN;
            return 0;
        }
    } else {
        t->heel_mm = t->heel_px = t->foot_deg = NAN;
        return 0;
    }
    t->present = 1;
    double hx, hy, th, bxw, byw;
    sy_heel_point(P, fp, &hx, &hy, &th);
    sy_foot_point(P, fp, P->ball_frac * P->L, 0.0, &bxw, &byw);
    t->heel_mm = hy;
    t->foot_deg = th * 180.0 / SY_PI;
    sy_project(c, sy_v3_make(hx, hy, z), &t->heel_x, &t->heel_y);
    sy_project(c, sy_v3_make(bxw, byw, z), &t->ball_x, &t->ball_y);
    t->heel_px = px_above_tread(c, hx, z, t->heel_x, t->heel_y);
    t->r_heel_mm = P->r_heel;
    t->ball_in_mm = s->script.me.spot[w];
    t->pivot = fp->on_step ? (hy > 1e-9 ? 1 : (hy < -1e-9 ? -1 : 1)) : 0;
    /* visibility: in the picture and not covered */
    double mm = s->info.mm_per_px > 0 ? s->info.mm_per_px : 1.0;
    double margin = 6.0 / mm;
    if (margin < 2.0)
        margin = 2.0;
    int vis = in_frame(s, t->heel_x, t->heel_y);
    if (vis && s->script.me.present)
        vis = !sy_cover_test(s, &st, t->heel_x, t->heel_y, w, margin);
    else if (vis)
        vis = !sy_cover_test(s, &st, t->heel_x, t->heel_y, 0, margin);
    if (!vis && s->script.me.present && st.foot[0].on_step && st.foot[1].on_step) {
        /* both feet on the step at the same height: the other heel shows the same value */
        int o = 1 - w;
        double ox, oy, ou, ov;
        sy_heel_point(P, &st.foot[o], &ox, &oy, NULL);
        if (fabs(oy - hy) < 3.0) {
            sy_project(c, sy_v3_make(ox, oy, s->script.me.z[o]), &ou, &ov);
            if (in_frame(s, ou, ov) && !sy_cover_test(s, &st, ou, ov, o, margin))
                vis = 1;
        }
    }
    t->visible = vis;
    return 0;
}

hd_status hd_synth_truth_at(hd_synth *s, int64_t i, hd_synth_truth *t)
{
    if (!s || i < 0 || i >= s->nframes)
        return hd_fail(HD_ERR_INVALID, "synth: no frame %lld", (long long)i);
    sy_truth_frame(s, i, t);
    return HD_OK;
}

/* ---- frames ---------------------------------------------------------------------- */

static void fill_frame(hd_frame *f, uint8_t *buf, int w, int h, int64_t pts, int64_t seq)
{
    memset(f, 0, sizeof(*f));
    int cw = (w + 1) / 2, ch = (h + 1) / 2;
    f->plane[0] = buf;
    f->plane[1] = buf + (size_t)w * h;
    f->plane[2] = buf + (size_t)w * h + (size_t)cw * ch;
    f->stride[0] = w;
    f->stride[1] = cw;
    f->stride[2] = cw;
    f->width = w;
    f->height = h;
    f->format = HD_PIX_YUV420P;
    f->pts_us = pts;
    f->seq = seq;
}

hd_status hd_synth_render(hd_synth *s, int64_t i, hd_frame *out)
{
    if (!s || i < 0 || i >= s->nframes)
        return hd_fail(HD_ERR_INVALID, "synth: no frame %lld", (long long)i);
    if (sy_render_frame(s, i))
        return hd_fail(HD_ERR_NOMEM, "synth: out of memory");
    fill_frame(out, s->yuv, s->info.width, s->info.height, s->pts[i], i);
    return HD_OK;
}

/* Turns a plane: cw = 1 clockwise by 90, -1 counter-clockwise, 2 by 180. */
static void rotate_plane(const uint8_t *src, int w, int h, uint8_t *dst, int cw)
{
    if (cw == 2) {
        size_t n = (size_t)w * h;
        for (size_t k = 0; k < n; k++)
            dst[n - 1 - k] = src[k];
        return;
    }
    /* dst is h wide, w tall */
    for (int y = 0; y < h; y++) {
        const uint8_t *row = src + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            int dx, dy;
            if (cw > 0) {
                dx = h - 1 - y;
                dy = x;
            } else {
                dx = y;
                dy = w - 1 - x;
            }
            dst[(size_t)dy * h + dx] = row[x];
        }
    }
}

/* The direction the stored picture is turned so that a player applying the display
 * rotation shows it upright (checked against ffmpeg's autorotate in the tests). */
#define SY_STORE_TURN(rot) ((rot) == 90 ? -1 : ((rot) == 270 ? 1 : 2))

hd_status hd_synth_render_stored(hd_synth *s, int64_t i, hd_frame *out)
{
    hd_status st = hd_synth_render(s, i, out);
    if (st != HD_OK || s->info.rotation_deg == 0)
        return st;
    int w = s->info.width, h = s->info.height;
    int cw = (w + 1) / 2, ch = (h + 1) / 2;
    int turn = SY_STORE_TURN(s->info.rotation_deg);
    uint8_t *y = s->yuv, *u = y + (size_t)w * h, *v = u + (size_t)cw * ch;
    uint8_t *Y = s->yuv_rot, *U = Y + (size_t)w * h, *V = U + (size_t)cw * ch;
    rotate_plane(y, w, h, Y, turn);
    rotate_plane(u, cw, ch, U, turn);
    rotate_plane(v, cw, ch, V, turn);
    fill_frame(out, s->yuv_rot, s->info.stored_width, s->info.stored_height, s->pts[i], i);
    return HD_OK;
}

/* ---- truth summary ---------------------------------------------------------------- */

static void set_num(hd_summary *sum, const char *name, double v)
{
    char b[64];
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(b, sizeof(b), "%.0f", v);
    else
        snprintf(b, sizeof(b), "%.4g", v);
    hd_summary_add_setting(sum, name, b, 1);
}

static void set_str(hd_summary *sum, const char *name, const char *v)
{
    hd_summary_add_setting(sum, name, v, 0);
}

static void add_settings(hd_synth *s, hd_summary *sum)
{
    const hd_synth_info *in = &s->info;
    const sy_scene *sc = &s->scene;
    const sy_person *P = &sc->person;
    char b[256];
    snprintf(b, sizeof(b), "%llu", (unsigned long long)s->seed);
    hd_summary_add_setting(sum, "seed", b, 1);
    set_str(sum, "scenario", in->scenario);
    set_str(sum, "kind", in->kind == HD_SYNTH_NOEXERCISE ? "noexercise" : "exercise");
    snprintf(b, sizeof(b), "%dx%d", in->width, in->height);
    set_str(sum, "resolution", b);
    snprintf(b, sizeof(b), "%dx%d", in->stored_width, in->stored_height);
    set_str(sum, "stored_resolution", b);
    set_num(sum, "rotation_deg", in->rotation_deg);
    set_num(sum, "fps", in->fps);
    hd_summary_add_setting(sum, "vfr", in->vfr ? "true" : "false", 2);
    set_str(sum, "codec", in->codec);
    set_str(sum, "container", in->container);
    set_num(sum, "crf", in->crf);
    set_num(sum, "camera_mm", round(in->camera_mm));
    set_num(sum, "camera_height_mm", round(s->cam.pos.y));
    set_num(sum, "hfov_deg", round(in->hfov_deg * 10) / 10);
    set_str(sum, "heel_side", s->script.mirror ? "right" : "left");
    b[0] = 0;
    for (int i = 0; i < s->script.nsets; i++) {
        static const char *const fn[] = {"near", "far", "alternating"};
        size_t l = strlen(b);
        snprintf(b + l, sizeof(b) - l, "%s%s", i ? "," : "", fn[s->script.set_foot[i] % 3]);
    }
    set_str(sum, "working_foot_by_set", b);
    set_num(sum, "planned_reps", s->script.planned_reps);
    b[0] = 0;
    for (int k = 0; k < HD_WARN_COUNT; k++) {
        size_t l = strlen(b);
        snprintf(b + l, sizeof(b) - l, "%s%s=%d", k ? "," : "", hd_warn_name(k),
                 s->script.planned_faults[k]);
    }
    set_str(sum, "planned_faults", b);
    set_str(sum, "step", sc->desc_step);
    set_num(sum, "tread_mm", round(sc->tread));
    set_num(sum, "riser_mm", round(sc->riser));
    set_str(sum, "wall", sc->desc_wall);
    set_str(sum, "floor", sc->desc_floor);
    set_str(sum, "light", sc->desc_light);
    static const char *const feet[] = {"shoe", "sock", "bare"};
    static const char *const wear[] = {"long", "three-quarter", "shorts", "leggings"};
    set_str(sum, "foot", feet[P->foot_kind % 3]);
    set_str(sum, "legwear", wear[P->legwear % 4]);
    hd_summary_add_setting(sum, "low_contrast", P->low_contrast ? "true" : "false", 2);
    set_num(sum, "shoe_mm", round(P->L));
    set_num(sum, "render_scale", s->look.render_scale);
    set_num(sum, "blur", round(s->look.blur * 100) / 100);
    set_num(sum, "noise", round(s->look.noise_y * 10) / 10);
    hd_summary_add_setting(sum, "light_change", s->script.gain.n ? "true" : "false", 2);
    set_num(sum, "flicker", round(s->look.flicker * 1000) / 1000);
    hd_summary_add_setting(sum, "edge_cut", s->script.edge_cut_y > -1e8 ? "true" : "false", 2);
    int nocc = 0;
    for (int i = 0; i < s->script.nocc; i++)
        nocc += s->script.occ[i].cover;
    set_num(sum, "occluders", nocc);
    set_num(sum, "step_edge_depth_mm", s->script.me.z[in->first_foot == 2]);
}

hd_status hd_synth_truth_build(hd_synth *s, const char *source, hd_summary *sum,
                               hd_trace_row **rows_out)
{
    *rows_out = NULL;
    memset(sum, 0, sizeof(*sum));
    int64_t n = s->nframes;
    hd_trace_row *rows = calloc((size_t)(n > 0 ? n : 1), sizeof(*rows));
    hd_reps_sample *smp = calloc((size_t)(n > 0 ? n : 1), sizeof(*smp));
    if (!rows || !smp) {
        free(rows);
        free(smp);
        return hd_fail(HD_ERR_NOMEM, "synth: out of memory");
    }
    int64_t lost = 0;
    for (int64_t i = 0; i < n; i++) {
        hd_synth_truth t;
        sy_truth_frame(s, i, &t);
        hd_trace_row *r = &rows[i];
        r->t = t.t;
        r->heel_px = t.present ? (float)t.heel_px : NAN;
        r->heel_mm = t.present ? (float)t.heel_mm : NAN;
        r->foot_deg = t.present ? (float)t.foot_deg : NAN;
        r->conf = t.present && t.visible ? 1.0f : 0.0f;
        r->off_step = (int8_t)t.off_step;
        r->visible = (int8_t)(t.present && t.visible);
        smp[i].pts_us = t.pts_us;
        smp[i].heel_mm = t.present ? t.heel_mm : 0.0;
        smp[i].conf = r->conf;
        smp[i].off_step = t.off_step;
        smp[i].foot = t.foot;
        lost += !r->visible;
    }
    /* the reps, exactly as an analysis would find them */
    hd_reps_cfg cfg;
    hd_reps_cfg_default(&cfg);
    /* exact samples need no smoothing: the engine's smallest window (it fits at least
     * five samples) keeps bounces and turnarounds as they are */
    cfg.smooth_s = 0.05;
    hd_reps *eng = NULL;
    hd_status st = hd_reps_create(&cfg, &eng);
    if (st != HD_OK) {
        free(rows);
        free(smp);
        return st;
    }
    if (n > 0)
        hd_reps_set_t0(eng, s->pts[0]);
    for (int64_t i = 0; i < n && st == HD_OK; i++)
        st = hd_reps_update(eng, &smp[i], NULL);
    if (st == HD_OK)
        st = hd_reps_finish(eng, NULL);
    if (st != HD_OK) {
        hd_reps_destroy(eng);
        free(rows);
        free(smp);
        return st;
    }
    int nr = 0;
    const hd_rep *reps = hd_reps_list(eng, &nr);
    s->info.truth_reps = nr;
    memset(s->info.truth_warnings, 0, sizeof(s->info.truth_warnings));
    for (int i = 0; i < nr; i++)
        for (int k = 0; k < HD_WARN_COUNT; k++)
            s->info.truth_warnings[k] += (reps[i].warnings >> k) & 1;
    for (int64_t i = 0; i < n; i++)
        rows[i].phase =
            (int8_t)hd_reps_classify(reps, nr, &cfg, rows[i].t, smp[i].heel_mm, !rows[i].visible);
    snprintf(sum->source, sizeof(sum->source), "%s", source ? source : "");
    snprintf(sum->kind, sizeof(sum->kind), "truth");
    sum->fps = s->info.fps;
    sum->frames = n;
    sum->duration_s = s->info.duration_s;
    sum->has_step_edge = 1;
    memcpy(sum->step_edge, s->info.step_edge, sizeof(sum->step_edge));
    sum->mm_per_px = s->info.mm_per_px;
    sum->near_leg = 0;
    sum->lost_share = n > 0 ? (double)lost / (double)n : 0.0;
    if (nr > 0) {
        sum->reps = malloc((size_t)nr * sizeof(hd_rep));
        if (!sum->reps) {
            hd_reps_destroy(eng);
            free(rows);
            free(smp);
            return hd_fail(HD_ERR_NOMEM, "synth: out of memory");
        }
        memcpy(sum->reps, reps, (size_t)nr * sizeof(hd_rep));
        sum->nreps = nr;
    }
    hd_reps_destroy(eng);
    free(smp);
    add_settings(s, sum);
    *rows_out = rows;
    return HD_OK;
}

/* ---- files ---------------------------------------------------------------------- */

static hd_status ensure_dir(const char *dir)
{
    char buf[4096];
    if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
        return hd_fail(HD_ERR_IO, "output folder name too long");
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) && errno != EEXIST)
            return hd_fail(HD_ERR_IO, "cannot create %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) && errno != EEXIST)
        return hd_fail(HD_ERR_IO, "cannot create %s: %s", buf, strerror(errno));
    struct stat sb;
    if (stat(buf, &sb) || !S_ISDIR(sb.st_mode))
        return hd_fail(HD_ERR_IO, "%s is not a folder", buf);
    return HD_OK;
}

static hd_status write_video(hd_synth *s, const char *path)
{
    hd_video_writer_opts vo;
    memset(&vo, 0, sizeof(vo));
    vo.width = s->info.stored_width;
    vo.height = s->info.stored_height;
    vo.fps = s->info.fps;
    vo.codec = s->info.codec;
    vo.container = NULL; /* from the file name */
    vo.crf = s->info.crf;
    /* codecs without a quality scale: a bitrate from the size and the crf */
    double px = (double)vo.width * vo.height * vo.fps;
    vo.bitrate_kbps = (int)(px * 0.00012 * pow(0.88, vo.crf - 18));
    if (vo.bitrate_kbps < 150)
        vo.bitrate_kbps = 150;
    vo.gop = (int)lround(s->info.fps * 2);
    vo.rotation_deg = s->info.rotation_deg;
    vo.threads = 0;
    hd_video_writer *w = NULL;
    hd_status st = hd_video_writer_open(path, &vo, &w);
    if (st != HD_OK)
        return st;
    for (int64_t i = 0; i < s->nframes; i++) {
        hd_frame f;
        st = hd_synth_render_stored(s, i, &f);
        if (st == HD_OK)
            st = hd_video_writer_write(w, &f);
        if (st != HD_OK) {
            hd_video_writer_abort(w);
            return st;
        }
    }
    return hd_video_writer_close(w);
}

hd_status hd_synth_write(hd_synth *s, const char *dir, const char *name, int video)
{
    char path[4096], vname[1024];
    hd_status st = ensure_dir(dir);
    if (st != HD_OK)
        return st;
    snprintf(vname, sizeof(vname), "%s.%s", name, s->info.container);
    if (video) {
        if (snprintf(path, sizeof(path), "%s/%s", dir, vname) >= (int)sizeof(path))
            return hd_fail(HD_ERR_IO, "output path too long");
        st = write_video(s, path);
        if (st != HD_OK)
            return st;
    }
    hd_summary sum;
    hd_trace_row *rows = NULL;
    st = hd_synth_truth_build(s, vname, &sum, &rows);
    if (st != HD_OK)
        return st;
    snprintf(path, sizeof(path), "%s/%s.truth.csv", dir, name);
    st = hd_trace_write_csv(rows, s->nframes, 1, path);
    if (st == HD_OK) {
        snprintf(path, sizeof(path), "%s/%s.truth.json", dir, name);
        st = hd_summary_write_json(&sum, path);
    }
    free(rows);
    hd_summary_clear(&sum);
    return st;
}
