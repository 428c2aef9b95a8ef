/* draw.c - the live overlay: video, step line, markers, count, tempo gauge, hold and rest
 * timers, verdicts, setup guidance, heel-height trace. Everything is sized from the
 * output height (u = height / 720) so it reads the same at any window size. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heeldrop/cues.h"
#include "ui/ui_priv.h"

/* ---- primitives ------------------------------------------------------------------------ */

static void set_color(hd_ui *ui, SDL_Color c)
{
    SDL_SetRenderDrawColor(ui->ren, c.r, c.g, c.b, c.a);
}

void ui_fill(hd_ui *ui, SDL_Color c, float x, float y, float w, float h)
{
    SDL_FRect r = {x, y, w, h};
    set_color(ui, c);
    SDL_RenderFillRectF(ui->ren, &r);
}

void ui_frame_rect(hd_ui *ui, SDL_Color c, float x, float y, float w, float h, int t)
{
    ui_fill(ui, c, x, y, w, (float)t);
    ui_fill(ui, c, x, y + h - (float)t, w, (float)t);
    ui_fill(ui, c, x, y + (float)t, (float)t, h - 2.0f * (float)t);
    ui_fill(ui, c, x + w - (float)t, y + (float)t, (float)t, h - 2.0f * (float)t);
}

/* A line `thick` pixels wide, as two triangles. */
void ui_line(hd_ui *ui, SDL_Color c, float x0, float y0, float x1, float y1, int thick)
{
    if (thick <= 1) {
        set_color(ui, c);
        SDL_RenderDrawLineF(ui->ren, x0, y0, x1, y1);
        return;
    }
    float dx = x1 - x0, dy = y1 - y0;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 1e-3f)
        return;
    float nx = -dy / len * (float)thick * 0.5f, ny = dx / len * (float)thick * 0.5f;
    SDL_Vertex v[4];
    const float px[4] = {x0 + nx, x0 - nx, x1 - nx, x1 + nx};
    const float py[4] = {y0 + ny, y0 - ny, y1 - ny, y1 + ny};
    for (int i = 0; i < 4; i++) {
        v[i].position.x = px[i];
        v[i].position.y = py[i];
        v[i].color = c;
        v[i].tex_coord.x = v[i].tex_coord.y = 0;
    }
    static const int idx[6] = {0, 1, 2, 0, 2, 3};
    SDL_RenderGeometry(ui->ren, NULL, v, 4, idx, 6);
}

void ui_disc(hd_ui *ui, SDL_Color c, float cx, float cy, float r)
{
    set_color(ui, c);
    int n = (int)ceilf(r);
    for (int dy = -n; dy <= n; dy++) {
        float h = r * r - (float)(dy * dy);
        if (h < 0)
            continue;
        float hw = sqrtf(h);
        SDL_FRect s = {cx - hw, cy + (float)dy - 0.5f, 2.0f * hw, 1.0f};
        SDL_RenderFillRectF(ui->ren, &s);
    }
}

void ui_ring(hd_ui *ui, SDL_Color c, float cx, float cy, float r, int thick)
{
    int seg = 40;
    for (int i = 0; i < seg; i++) {
        double a0 = 2.0 * M_PI * i / seg, a1 = 2.0 * M_PI * (i + 1) / seg;
        ui_line(ui, c, cx + r * (float)cos(a0), cy + r * (float)sin(a0), cx + r * (float)cos(a1),
                cy + r * (float)sin(a1), thick);
    }
}

static void dashed(hd_ui *ui, SDL_Color c, float x0, float y0, float x1, float y1, int thick,
                   float dash)
{
    float dx = x1 - x0, dy = y1 - y0;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 1)
        return;
    for (float s = 0; s < len; s += 2 * dash) {
        float e = s + dash < len ? s + dash : len;
        ui_line(ui, c, x0 + dx * s / len, y0 + dy * s / len, x0 + dx * e / len, y0 + dy * e / len,
                thick);
    }
}

/* ---- video ----------------------------------------------------------------------------- */

void ui_to_win(const hd_ui *ui, double fx, double fy, float *wx, float *wy)
{
    *wx = (float)(ui->box.x + fx * ui->scale);
    *wy = (float)(ui->box.y + fy * ui->scale);
}

static int upload(hd_ui *ui, const hd_frame *f)
{
    if (f->format != HD_PIX_YUV420P && f->format != HD_PIX_GRAY8)
        return -1;
    if (!ui->video || ui->video_w != f->width || ui->video_h != f->height) {
        if (ui->video)
            SDL_DestroyTexture(ui->video);
        ui->video = SDL_CreateTexture(ui->ren, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING,
                                      f->width, f->height);
        if (!ui->video)
            return -1;
        ui->video_w = f->width;
        ui->video_h = f->height;
    }
    int cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
    if (f->format == HD_PIX_YUV420P)
        return SDL_UpdateYUVTexture(ui->video, NULL, f->plane[0], f->stride[0], f->plane[1],
                                    f->stride[1], f->plane[2], f->stride[2]);
    size_t need = (size_t)cw * (size_t)ch;
    if (ui->gray_uv_size < need) {
        free(ui->gray_uv);
        ui->gray_uv = malloc(need);
        if (!ui->gray_uv) {
            ui->gray_uv_size = 0;
            return -1;
        }
        memset(ui->gray_uv, 128, need);
        ui->gray_uv_size = need;
    }
    return SDL_UpdateYUVTexture(ui->video, NULL, f->plane[0], f->stride[0], ui->gray_uv, cw,
                                ui->gray_uv, cw);
}

void ui_draw_video(hd_ui *ui, const hd_view *v, ui_rect r)
{
    const hd_frame *f = v->frame;
    if (!f || f->width <= 0 || f->height <= 0) {
        /* Keep the last letterbox so a dragged line still maps; nothing to show. */
        ui->frame_w = ui->frame_w ? ui->frame_w : 0;
        return;
    }
    double s = fmin(r.w / f->width, r.h / f->height);
    ui->scale = s;
    ui->box.w = (float)(f->width * s);
    ui->box.h = (float)(f->height * s);
    ui->box.x = r.x + (r.w - ui->box.w) / 2.0f;
    ui->box.y = r.y + (r.h - ui->box.h) / 2.0f;
    ui->frame_w = f->width;
    ui->frame_h = f->height;
    if (v->camera_lost)
        return;
    if (upload(ui, f) != 0)
        return;
    SDL_FRect d = {ui->box.x, ui->box.y, ui->box.w, ui->box.h};
    SDL_RenderCopyF(ui->ren, ui->video, NULL, &d);
}

/* ---- pieces of the overlay ------------------------------------------------------------- */

static float U(const hd_ui *ui)
{
    return (float)ui->out_h / 720.0f;
}

static void step_line(hd_ui *ui)
{
    if (!ui->has_line || ui->frame_w <= 0)
        return;
    float u = U(ui);
    float ax, ay, bx, by;
    ui_to_win(ui, ui->line[0], ui->line[1], &ax, &ay);
    ui_to_win(ui, ui->line[2], ui->line[3], &bx, &by);
    int th = (int)(3 * u + 0.5f);
    if (ui->hint_line || ui->drag) {
        dashed(ui, COL(0, 0, 0, 160), ax, ay + 1, bx, by + 1, th + 2, 14 * u);
        dashed(ui, C_STEP, ax, ay, bx, by, th, 14 * u);
    } else {
        ui_line(ui, COL(0, 0, 0, 140), ax, ay + 1.5f * u, bx, by + 1.5f * u, th + 1);
        ui_line(ui, C_STEP, ax, ay, bx, by, th);
    }
    /* Handles at the ends: where to grab it. */
    float hr = 7 * u;
    ui_disc(ui, COL(0, 0, 0, 170), ax, ay, hr + 2 * u);
    ui_disc(ui, C_STEP, ax, ay, hr);
    ui_disc(ui, COL(0, 0, 0, 170), bx, by, hr + 2 * u);
    ui_disc(ui, C_STEP, bx, by, hr);
    if (ui->hint_line) {
        const char *msg = "Drag this line onto the step edge";
        int w, h;
        ui_text_size(ui, F_NORMAL, msg, &w, &h);
        float mx = (ax + bx) / 2, my = (ay + by) / 2 + 12 * u;
        ui_fill(ui, COL(0, 0, 0, 180), mx - (float)w / 2 - 8 * u, my, (float)w + 16 * u,
                (float)h + 4 * u);
        ui_text(ui, F_NORMAL, C_STEP, mx, my + 2 * u, 1, msg, NULL, NULL);
    }
}

static void markers(hd_ui *ui, const hd_view *v)
{
    const hd_marks *m = v->marks;
    if (!m || m->conf <= 0 || v->camera_lost || ui->frame_w <= 0)
        return;
    float u = U(ui);
    float hx, hy, ax, ay;
    ui_to_win(ui, m->heel_x, m->heel_y, &hx, &hy);
    ui_to_win(ui, m->ankle_x, m->ankle_y, &ax, &ay);
    ui_line(ui, COL(255, 255, 255, 200), ax, ay, hx, hy, (int)(2 * u + 0.5f));
    if (m->pivot_x > 0 || m->pivot_y > 0) {
        float px, py;
        ui_to_win(ui, m->pivot_x, m->pivot_y, &px, &py);
        ui_line(ui, COL(255, 255, 255, 200), hx, hy, px, py, (int)(2 * u + 0.5f));
    }
    ui_ring(ui, COL(0, 0, 0, 180), ax, ay, 10 * u, (int)(4 * u + 0.5f));
    ui_ring(ui, C_ANKLE, ax, ay, 10 * u, (int)(2.5f * u + 0.5f));
    ui_disc(ui, COL(0, 0, 0, 180), hx, hy, 10 * u);
    ui_disc(ui, C_HEEL, hx, hy, 8 * u);
}

static const char *leg_word(hd_near_leg near_leg, int foot)
{
    if (near_leg == HD_NEAR_LEFT)
        return foot == HD_FOOT_NEAR ? "Left" : "Right";
    if (near_leg == HD_NEAR_RIGHT)
        return foot == HD_FOOT_NEAR ? "Right" : "Left";
    return foot == HD_FOOT_NEAR ? "Near" : "Far";
}

void ui_rep_counts(const hd_view *v, int *near_n, int *far_n)
{
    *near_n = v->reps ? v->reps->reps_by_foot[HD_FOOT_NEAR] : 0;
    *far_n = v->reps ? v->reps->reps_by_foot[HD_FOOT_FAR] : 0;
}

/* Top left: "Set 2 - rep 7/15", the reps per leg, today's target. */
static void count_panel(hd_ui *ui, const hd_view *v, ui_rect r)
{
    float u = U(ui);
    const hd_reps_state *st = v->reps;
    int set = st && st->set > 0 ? st->set : 1;
    int in_set = st && st->set > 0 ? st->reps_in_set : 0;
    char a[64], b[16], c[32], legs[96], tgt[160];
    snprintf(a, sizeof(a), "Set %d - rep ", set);
    snprintf(b, sizeof(b), "%d", in_set);
    c[0] = '\0';
    if (v->target.valid && v->target.reps > 0)
        snprintf(c, sizeof(c), "/%d", v->target.reps);
    int nn, fn;
    ui_rep_counts(v, &nn, &fn);
    int unknown = st ? st->reps_by_foot[HD_FOOT_UNKNOWN] : 0;
    /* Left before right whatever side the camera is on. */
    if (v->near_leg == HD_NEAR_RIGHT)
        snprintf(legs, sizeof(legs), "%s %d    %s %d", leg_word(v->near_leg, HD_FOOT_FAR), fn,
                 leg_word(v->near_leg, HD_FOOT_NEAR), nn);
    else
        snprintf(legs, sizeof(legs), "%s %d    %s %d", leg_word(v->near_leg, HD_FOOT_NEAR), nn,
                 leg_word(v->near_leg, HD_FOOT_FAR), fn);
    if (unknown > 0) {
        size_t l = strlen(legs);
        snprintf(legs + l, sizeof(legs) - l, "    ? %d", unknown);
    }
    tgt[0] = '\0';
    if (v->target.valid)
        snprintf(tgt, sizeof(tgt), "Today %d x %d per leg%s%s: %d/%d done", v->target.sets,
                 v->target.reps, v->target.knee ? ", knee " : "",
                 v->target.knee ? v->target.knee : "", v->target.done, v->target.total);

    int wa, ha, wb, hb, wc, hc, wl, hl, wt, ht;
    ui_text_size(ui, F_CUE, a, &wa, &ha);
    ui_text_size(ui, F_HUGE, b, &wb, &hb);
    ui_text_size(ui, F_CUE, c, &wc, &hc);
    ui_text_size(ui, F_NORMAL, legs, &wl, &hl);
    ui_text_size(ui, F_SMALL, tgt, &wt, &ht);
    float pad = 12 * u;
    float w1 = (float)(wa + wb + wc);
    float pw = fmaxf(w1, fmaxf((float)wl, (float)wt)) + 2 * pad;
    float ph = (float)hb + (float)hl + (float)ht + 2 * pad - 6 * u;
    float x = r.x + 12 * u, y = r.y + 12 * u;
    ui_fill(ui, C_PANEL, x, y, pw, ph);
    /* One baseline for the mixed sizes. */
    int asc_h = TTF_FontAscent(ui->font[F_HUGE]), asc_c = TTF_FontAscent(ui->font[F_CUE]);
    float base = y + pad - 6 * u + (float)asc_h;
    float cx = x + pad;
    ui_text(ui, F_CUE, C_WHITE, cx, base - (float)asc_c, 0, a, NULL, NULL);
    cx += (float)wa;
    ui_text(ui, F_HUGE, C_WHITE, cx, base - (float)asc_h, 0, b, NULL, NULL);
    cx += (float)wb;
    ui_text(ui, F_CUE, C_MUTED, cx, base - (float)asc_c, 0, c, NULL, NULL);
    float ly = y + pad - 6 * u + (float)hb;
    ui_text(ui, F_NORMAL, C_WHITE, x + pad, ly, 0, legs, NULL, NULL);
    if (tgt[0])
        ui_text(ui, F_SMALL, C_MUTED, x + pad, ly + (float)hl, 0, tgt, NULL, NULL);
}

/* Top right: recording, muted, dropped frames; below them the notices. */
static void status_panel(hd_ui *ui, const hd_view *v, ui_rect r)
{
    float u = U(ui);
    float x = r.x + r.w - 12 * u, y = r.y + 12 * u;
    char buf[64];
    int w, h;
    if (v->recording) {
        ui_text_size(ui, F_NORMAL, "REC", &w, &h);
        ui_fill(ui, C_PANEL, x - (float)w - 34 * u, y, (float)w + 34 * u, (float)h + 8 * u);
        ui_disc(ui, C_BAD, x - (float)w - 18 * u, y + ((float)h + 8 * u) / 2, 7 * u);
        ui_text(ui, F_NORMAL, C_WHITE, x - 6 * u, y + 4 * u, 2, "REC", NULL, NULL);
        y += (float)h + 14 * u;
    }
    if (ui->muted) {
        ui_text_size(ui, F_NORMAL, "Sound off (M)", &w, &h);
        ui_fill(ui, C_PANEL, x - (float)w - 12 * u, y, (float)w + 12 * u, (float)h + 8 * u);
        ui_text(ui, F_NORMAL, C_MUTED, x - 6 * u, y + 4 * u, 2, "Sound off (M)", NULL, NULL);
        y += (float)h + 14 * u;
    }
    if (v->dropped > 0) {
        snprintf(buf, sizeof(buf), "%lld frame%s dropped", (long long)v->dropped,
                 v->dropped == 1 ? "" : "s");
        ui_text_size(ui, F_SMALL, buf, &w, &h);
        ui_fill(ui, C_PANEL, x - (float)w - 12 * u, y, (float)w + 12 * u, (float)h + 8 * u);
        ui_text(ui, F_SMALL, C_WARN, x - 6 * u, y + 4 * u, 2, buf, NULL, NULL);
        y += (float)h + 14 * u;
    }
    const char *notes[HD_UI_MAX_NOTICES + 1];
    int n = 0;
    if (ui->audio_notice[0] && ui->cfg.audio)
        notes[n++] = ui->audio_notice;
    /* The audio notice once, even if the loop adds it too. */
    for (int i = 0; i < HD_UI_MAX_NOTICES && v->notices[i]; i++)
        if (!(ui->audio_notice[0] && ui->cfg.audio && strcmp(v->notices[i], ui->audio_notice) == 0))
            notes[n++] = v->notices[i];
    for (int i = 0; i < n; i++) {
        ui_text_size(ui, F_SMALL, notes[i], &w, &h);
        ui_fill(ui, C_PANEL, x - (float)w - 12 * u, y, (float)w + 12 * u, (float)h + 8 * u);
        ui_text(ui, F_SMALL, C_STEP, x - 6 * u, y + 4 * u, 2, notes[i], NULL, NULL);
        y += (float)h + 10 * u;
    }
}

/* Splits s into at most 3 lines that fit max_w in font f. Returns the line count. */
static int wrap(hd_ui *ui, int f, const char *s, float max_w, char out[3][HD_COACH_TEXT])
{
    int n = 0;
    const char *p = s;
    while (*p && n < 3) {
        while (*p == ' ')
            p++;
        const char *best = NULL;
        const char *q = p;
        char tmp[HD_COACH_TEXT];
        for (;;) {
            const char *sp = strchr(q, ' ');
            const char *end = sp ? sp : q + strlen(q);
            size_t len = (size_t)(end - p) < sizeof(tmp) - 1 ? (size_t)(end - p) : sizeof(tmp) - 1;
            memcpy(tmp, p, len);
            tmp[len] = '\0';
            int w;
            ui_text_size(ui, f, tmp, &w, NULL);
            if ((float)w > max_w && best)
                break;
            best = end;
            if (!sp)
                break;
            q = sp + 1;
        }
        size_t len =
            (size_t)(best - p) < HD_COACH_TEXT - 1 ? (size_t)(best - p) : HD_COACH_TEXT - 1;
        memcpy(out[n], p, len);
        out[n][len] = '\0';
        n++;
        p = best;
    }
    return n;
}

/* A centred panel of text lines with a coloured border. Returns its height. */
static float message_box(hd_ui *ui, int f, SDL_Color fg, SDL_Color border, float cx, float y,
                         float max_w, const char *const *lines, int nlines)
{
    float u = U(ui);
    char wrapped[12][HD_COACH_TEXT];
    int nw = 0;
    for (int i = 0; i < nlines && nw < 10; i++) {
        char part[3][HD_COACH_TEXT];
        int k = wrap(ui, f, lines[i], max_w - 40 * u, part);
        for (int j = 0; j < k && nw < 12; j++)
            memcpy(wrapped[nw++], part[j], HD_COACH_TEXT);
    }
    int wmax = 0, lh = TTF_FontLineSkip(ui->font[f]);
    for (int i = 0; i < nw; i++) {
        int w;
        ui_text_size(ui, f, wrapped[i], &w, NULL);
        wmax = w > wmax ? w : wmax;
    }
    float pw = (float)wmax + 40 * u, ph = (float)(nw * lh) + 24 * u;
    float x = cx - pw / 2;
    ui_fill(ui, COL(0, 0, 0, 150), x, y, pw, ph);
    ui_frame_rect(ui, border, x, y, pw, ph, (int)(3 * u + 0.5f));
    for (int i = 0; i < nw; i++)
        ui_text(ui, f, fg, cx, y + 12 * u + (float)(i * lh), 1, wrapped[i], NULL, NULL);
    return ph;
}

/* The tempo gauge: a bar filling with the descent's time, the target window marked. */
static float gauge(hd_ui *ui, const hd_view *v, const hd_reps_cfg *rc, float cx, float y, float w)
{
    float u = U(ui);
    double t = v->coach->elapsed_s;
    double lo = rc->target_lo_s, hi = rc->target_hi_s;
    double span = hi + 2.0;
    char buf[64];
    SDL_Color fc = t < lo ? COL(90, 170, 255, 255) : t <= hi ? C_GOOD : C_WARN;
    snprintf(buf, sizeof(buf), "Lower slowly  %.1f s", t);
    int th;
    ui_text_size(ui, F_CUE, buf, NULL, &th);
    float bh = 30 * u;
    float ph = (float)th + bh + 40 * u;
    float x = cx - w / 2;
    ui_fill(ui, COL(0, 0, 0, 150), x - 16 * u, y, w + 32 * u, ph);
    ui_text(ui, F_CUE, fc, cx, y + 6 * u, 1, buf, NULL, NULL);
    float by = y + (float)th + 10 * u;
    ui_fill(ui, COL(255, 255, 255, 40), x, by, w, bh);
    float wx0 = x + (float)(lo / span) * w, wx1 = x + (float)(hi / span) * w;
    ui_fill(ui, COL(70, 215, 110, 70), wx0, by, wx1 - wx0, bh);
    double tf = t < span ? t : span;
    ui_fill(ui, fc, x, by + 5 * u, (float)(tf / span) * w, bh - 10 * u);
    ui_frame_rect(ui, C_GOOD, wx0, by, wx1 - wx0, bh, (int)(2 * u + 0.5f));
    for (int s = 0; s <= (int)span; s++) {
        float sx = x + (float)(s / span) * w;
        ui_fill(ui, COL(255, 255, 255, 150), sx - u, by + bh, 2 * u, 6 * u);
        snprintf(buf, sizeof(buf), "%d", s);
        ui_text(ui, F_SMALL, C_MUTED, sx, by + bh + 6 * u, 1, buf, NULL, NULL);
    }
    return ph + 16 * u;
}

static float hold_timer(hd_ui *ui, const hd_view *v, const hd_reps_cfg *rc, float cx, float y,
                        float w)
{
    float u = U(ui);
    double t = v->coach->elapsed_s;
    char buf[64];
    SDL_Color fc = t < rc->min_hold_s ? C_WHITE : t <= rc->long_hold_s ? C_GOOD : C_WARN;
    if (t > rc->long_hold_s)
        snprintf(buf, sizeof(buf), "Hold %.1f s: come up now", t);
    else
        snprintf(buf, sizeof(buf), "Hold  %.1f s", t);
    int th;
    ui_text_size(ui, F_BIG, buf, NULL, &th);
    float bh = 16 * u;
    float ph = (float)th + bh + 24 * u;
    float x = cx - w / 2;
    ui_fill(ui, COL(0, 0, 0, 150), x - 16 * u, y, w + 32 * u, ph);
    ui_text(ui, F_BIG, fc, cx, y + 4 * u, 1, buf, NULL, NULL);
    float by = y + (float)th + 8 * u;
    double span = rc->long_hold_s > 0 ? rc->long_hold_s : 3.0;
    double tf = t < span ? t : span;
    ui_fill(ui, COL(255, 255, 255, 40), x, by, w, bh);
    ui_fill(ui, fc, x, by, (float)(tf / span) * w, bh);
    float mx = x + (float)(rc->min_hold_s / span) * w;
    ui_fill(ui, C_WHITE, mx - u, by - 4 * u, 2 * u, bh + 8 * u);
    return ph + 16 * u;
}

static float rest_timer(hd_ui *ui, const hd_view *v, float cx, float y)
{
    float u = U(ui);
    double t = v->coach->elapsed_s;
    int s = (int)t;
    char buf[64], sub[96];
    snprintf(buf, sizeof(buf), "Rest  %d:%02d", s / 60, s % 60);
    int set = v->reps ? v->reps->set : 0;
    if (v->target.valid && set >= v->target.sets)
        snprintf(sub, sizeof(sub), "Set %d done", set);
    else
        snprintf(sub, sizeof(sub), "Set %d done: next set when you are ready", set);
    int w1, h1, w2, h2;
    ui_text_size(ui, F_HUGE, buf, &w1, &h1);
    ui_text_size(ui, F_NORMAL, sub, &w2, &h2);
    float pw = (float)(w1 > w2 ? w1 : w2) + 48 * u, ph = (float)(h1 + h2) + 24 * u;
    ui_fill(ui, COL(0, 0, 0, 150), cx - pw / 2, y, pw, ph);
    ui_text(ui, F_HUGE, COL(120, 190, 255, 255), cx, y + 8 * u, 1, buf, NULL, NULL);
    ui_text(ui, F_NORMAL, C_WHITE, cx, y + 8 * u + (float)h1, 1, sub, NULL, NULL);
    return ph + 16 * u;
}

/* The scrolling heel-height trace across the bottom. */
static void trace_strip(hd_ui *ui, const hd_view *v, const hd_reps_cfg *rc, ui_rect r)
{
    const hd_ui_trace *tr = v->trace;
    float u = U(ui);
    float h = 0.2f * r.h, x = r.x + 12 * u, w = r.w - 24 * u, y = r.y + r.h - h - 10 * u;
    float lw = 64 * u; /* left column for the scale labels */
    ui_fill(ui, COL(0, 0, 0, 165), x, y, w, h);
    float px = x + lw, pw = w - lw - 10 * u, py = y + 8 * u, ph = h - 16 * u;
    const double span = 10.0;
    double t1 = v->reps ? v->reps->t : 0.0;
    if (tr && tr->count > 0)
        t1 = fmax(t1, hd_ui_trace_at(tr, tr->count - 1)->t);
    double t0 = t1 - span;
    double lo = -60.0, hi = 120.0; /* fixed unless the heel goes beyond: a steady scale */
    if (tr) {
        for (int i = 0; i < tr->count; i++) {
            const hd_ui_trace_pt *p = hd_ui_trace_at(tr, i);
            if (p->lost || p->t < t0)
                continue;
            lo = fmin(lo, p->heel_mm - 5.0);
            hi = fmax(hi, p->heel_mm + 5.0);
        }
    }
#define TY(mm) (py + ph * (float)((hi - (mm)) / (hi - lo)))
    /* The target: below step level (at step level for the insertional variant). */
    float y0 = TY(0.0);
    if (rc->insertional)
        ui_fill(ui, COL(70, 215, 110, 60), px, TY(rc->near_mm), pw,
                TY(-rc->near_mm) - TY(rc->near_mm));
    else
        ui_fill(ui, COL(70, 215, 110, 55), px, y0, pw, py + ph - y0);
    ui_line(ui, C_STEP, px, y0, px + pw, y0, (int)(2 * u + 0.5f));
    dashed(ui, COL(255, 255, 255, 120), px, TY(rc->top_mm), px + pw, TY(rc->top_mm), 1, 6 * u);
    int lh;
    ui_text_size(ui, F_SMALL, "step", NULL, &lh);
    ui_text(ui, F_SMALL, C_STEP, px - 6 * u, y0 - (float)lh / 2, 2, "step", NULL, NULL);
    if (y0 - TY(rc->top_mm) >= (float)lh) /* room for both labels */
        ui_text(ui, F_SMALL, C_MUTED, px - 6 * u, TY(rc->top_mm) - (float)lh / 2, 2, "top", NULL,
                NULL);
    if (!rc->insertional && py + ph - y0 > (float)lh + 4 * u)
        ui_text(ui, F_SMALL, C_GOOD, px + pw - 6 * u, py + ph - (float)lh - 2 * u, 2,
                "target: below the step", NULL, NULL);
    if (!tr)
        return;
    SDL_FPoint pts[HD_UI_TRACE_CAP];
    int n = 0;
    float lx = 0, ly = 0;
    int have = 0;
    for (int i = 0; i <= tr->count; i++) {
        const hd_ui_trace_pt *p = i < tr->count ? hd_ui_trace_at(tr, i) : NULL;
        int brk = !p || p->lost;
        if (p && !p->lost && p->t >= t0) {
            pts[n].x = px + pw * (float)((p->t - t0) / span);
            pts[n].y = TY(p->heel_mm);
            lx = pts[n].x;
            ly = pts[n].y;
            have = 1;
            n++;
        }
        if (brk && n > 0) {
            for (int k = 1; k < n; k++)
                ui_line(ui, C_WHITE, pts[k - 1].x, pts[k - 1].y, pts[k].x, pts[k].y,
                        (int)(2.5f * u + 0.5f));
            n = 0;
        }
    }
    if (have)
        ui_disc(ui, C_HEEL, lx, ly, 5 * u);
#undef TY
}

static void centre_big(hd_ui *ui, ui_rect r, SDL_Color c, const char *big, const char *small)
{
    float u = U(ui);
    int w1, h1, w2, h2;
    ui_text_size(ui, F_HUGE, big, &w1, &h1);
    ui_text_size(ui, F_NORMAL, small, &w2, &h2);
    float pw = (float)(w1 > w2 ? w1 : w2) + 60 * u, ph = (float)(h1 + h2) + 30 * u;
    float x = r.x + (r.w - pw) / 2, y = r.y + r.h * 0.36f - ph / 2;
    ui_fill(ui, COL(0, 0, 0, 200), x, y, pw, ph);
    ui_frame_rect(ui, c, x, y, pw, ph, (int)(3 * u + 0.5f));
    ui_text(ui, F_HUGE, c, r.x + r.w / 2, y + 10 * u, 1, big, NULL, NULL);
    ui_text(ui, F_NORMAL, C_WHITE, r.x + r.w / 2, y + 12 * u + (float)h1, 1, small, NULL, NULL);
}

void ui_draw_overlay(hd_ui *ui, const hd_view *v, ui_rect r, int review)
{
    float u = U(ui);
    hd_reps_cfg def;
    const hd_reps_cfg *rc = v->reps_cfg;
    if (!rc) {
        hd_reps_cfg_default(&def);
        rc = &def;
    }
    if (v->camera_lost) {
        char buf[128];
        int n = v->reps ? v->reps->reps : 0;
        snprintf(buf, sizeof(buf), "Plug it back in: the session goes on (%d rep%s kept)", n,
                 n == 1 ? "" : "s");
        ui_fill(ui, COL(40, 12, 12, 255), r.x, r.y, r.w, r.h);
        centre_big(ui, r, C_BAD, "Camera lost", buf);
    } else {
        step_line(ui);
        markers(ui, v);
    }
    count_panel(ui, v, r);
    status_panel(ui, v, r);

    float cx = r.x + r.w / 2;
    float trace_top = review ? r.y + r.h : r.y + r.h - 0.2f * r.h - 10 * u;
    /* The coaching stack grows upwards from just above the trace. */
    float gw = fminf(0.55f * r.w, 720 * u);
    if (!v->camera_lost && !v->paused && v->coach) {
        const hd_coach_out *co = v->coach;
        /* Measure first, then draw from the top so panels do not overlap. */
        float y = trace_top - 12 * u;
        if (co->mode == HD_COACH_DESCENT) {
            int th;
            ui_text_size(ui, F_CUE, "0", NULL, &th);
            float gh = (float)th + 30 * u + 40 * u + 16 * u;
            y -= gh;
            gauge(ui, v, rc, cx, y, gw);
        } else if (co->mode == HD_COACH_HOLD) {
            int th;
            ui_text_size(ui, F_BIG, "0", NULL, &th);
            float hh = (float)th + 16 * u + 24 * u + 16 * u;
            y -= hh;
            hold_timer(ui, v, rc, cx, y, gw * 0.7f);
        } else if (co->mode == HD_COACH_REST && co->cue == HD_CUE_NONE) {
            int h1, h2;
            ui_text_size(ui, F_HUGE, "0", NULL, &h1);
            ui_text_size(ui, F_NORMAL, "0", NULL, &h2);
            float rh = (float)(h1 + h2) + 24 * u + 16 * u;
            y -= rh;
            rest_timer(ui, v, cx, y);
        }
        if (co->cue != HD_CUE_NONE && co->cue_lines > 0) {
            const char *lines[HD_COACH_MAX_LINES];
            for (int i = 0; i < co->cue_lines; i++)
                lines[i] = co->cue_text[i];
            int lh = TTF_FontLineSkip(ui->font[F_CUE]);
            /* Estimate its height (lines may wrap: allow one extra per line). */
            char part[3][HD_COACH_TEXT];
            int nl = 0;
            for (int i = 0; i < co->cue_lines; i++)
                nl += wrap(ui, F_CUE, lines[i], fminf(0.9f * r.w, 1100 * u) - 40 * u, part);
            float bh = (float)(nl * lh) + 24 * u;
            y -= bh + 10 * u;
            SDL_Color col = co->cue == HD_CUE_GOOD ? C_GOOD : C_WARN;
            message_box(ui, F_CUE, col, col, cx, y, fminf(0.9f * r.w, 1100 * u), lines,
                        co->cue_lines);
        } else if (co->mode == HD_COACH_TOP && !review) {
            char buf[128];
            snprintf(buf, sizeof(buf), "Take one foot off, then lower over %g-%g s",
                     rc->target_lo_s, rc->target_hi_s);
            int w, h;
            ui_text_size(ui, F_NORMAL, buf, &w, &h);
            y -= (float)h + 16 * u;
            ui_fill(ui, COL(0, 0, 0, 160), cx - (float)w / 2 - 12 * u, y, (float)w + 24 * u,
                    (float)h + 8 * u);
            ui_text(ui, F_NORMAL, C_WHITE, cx, y + 4 * u, 1, buf, NULL, NULL);
        }
    }
    if (!v->camera_lost && !review && v->setup_hint != HD_HINT_NONE) {
        const char *line = hd_ui_hint_text(v->setup_hint);
        SDL_Color col = v->setup_hint == HD_HINT_CALIBRATING ? C_WHITE : C_STEP;
        message_box(ui, v->setup_hint == HD_HINT_TOO_DARK ? F_BIG : F_CUE, col, C_STEP, cx,
                    r.y + r.h * 0.30f, fminf(0.8f * r.w, 1000 * u), &line, 1);
    }
    if (v->paused && !v->camera_lost)
        centre_big(ui, r, C_WHITE, "Paused", "Space to go on");
    if (!review)
        trace_strip(ui, v, rc, r);
}
