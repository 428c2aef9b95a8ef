/* review.c - the review window's layout: the video with its overlay on the left, the rep
 * list on the right, the whole session's heel-height timeline across the bottom with every
 * rep and warning marked. Clicks on the list and the timeline are hit-tested in ui.c
 * against the rectangles recorded here. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui/ui_priv.h"

static float U(const hd_ui *ui)
{
    return (float)ui->out_h / 720.0f;
}

/* Short names for the warning marks on the timeline. */
static const char *warn_short(int i)
{
    static const char *const s[HD_WARN_COUNT] = {"fast",   "no hold", "long",  "bounce",
                                                 "2 feet", "partial", "unsure"};
    return i >= 0 && i < HD_WARN_COUNT ? s[i] : "?";
}

static void rep_list(hd_ui *ui, const hd_review_view *rv, ui_rect r)
{
    float u = U(ui);
    ui_fill(ui, COL(16, 16, 20, 255), r.x, r.y, r.w, r.h);
    float pad = 10 * u, y = r.y + pad;
    int h;
    char buf[160];
    const char *title = rv->title ? rv->title : "";
    int tw;
    ui_text_size(ui, F_NORMAL, title, &tw, NULL);
    ui_text(ui, (float)tw <= r.w - 2 * pad ? F_NORMAL : F_SMALL, C_WHITE, r.x + pad, y, 0, title,
            NULL, &h);
    y += (float)(h ? h : 0) + 2 * u;
    snprintf(buf, sizeof(buf), "%s   %gx", rv->playing ? "Playing" : "Paused", rv->speed);
    ui_text(ui, F_SMALL, rv->playing ? C_GOOD : C_MUTED, r.x + pad, y, 0, buf, NULL, &h);
    y += (float)h;
    double d = rv->duration_s;
    snprintf(buf, sizeof(buf), "%d:%04.1f / %d:%04.1f", (int)(rv->t / 60), fmod(rv->t, 60.0),
             (int)(d / 60), fmod(d, 60.0));
    ui_text(ui, F_SMALL, C_WHITE, r.x + pad, y, 0, buf, NULL, &h);
    y += (float)h + 8 * u;

    int lh = TTF_FontLineSkip(ui->font[F_SMALL]) + (int)(6 * u);
    float cols[5] = {r.x + pad, r.x + 0.14f * r.w, r.x + 0.40f * r.w, r.x + 0.62f * r.w,
                     r.x + 0.84f * r.w};
    ui->rv_list.x = r.x;
    ui->rv_list.y = y;
    ui->rv_list.w = r.w;
    ui->rv_row_h = (float)lh;
    const char *hdr[5] = {"#", "leg", "down", "hold", "mm"};
    for (int c = 0; c < 5; c++)
        ui_text(ui, F_SMALL, C_MUTED, cols[c], y + 3 * u, 0, hdr[c], NULL, NULL);
    y += (float)lh;
    float help_h = 4.0f * (float)TTF_FontLineSkip(ui->font[F_SMALL]) + 10 * u;
    int rows = (int)((r.y + r.h - help_h - y) / (float)lh) - 1; /* - the units line */
    if (rows < 1)
        rows = 1;
    /* Scroll so the current rep stays in view. */
    int first = 0;
    if (rv->current_rep >= rows - 1)
        first = rv->current_rep - rows + 2;
    if (first > rv->nreps - rows)
        first = rv->nreps - rows;
    if (first < 0)
        first = 0;
    ui->rv_list_first = first;
    ui->rv_list_rows = rows;
    ui->rv_nreps = rv->nreps;
    ui->rv_list.h = (float)(rows + 1) * (float)lh;
    if (rv->nreps == 0)
        ui_text(ui, F_SMALL, C_MUTED, r.x + pad, y + 3 * u, 0, "No reps found", NULL, NULL);
    for (int k = 0; k < rows && first + k < rv->nreps; k++) {
        int i = first + k;
        const hd_rep *rep = &rv->reps[i];
        float ry = y + (float)(k * lh);
        if (i == rv->current_rep)
            ui_fill(ui, COL(60, 90, 140, 255), r.x + 2 * u, ry, r.w - 4 * u, (float)lh);
        SDL_Color c = rep->warnings ? C_WARN : C_GOOD;
        const char *leg = rep->foot >= 0 && rep->foot <= 2 && rv->leg_names[rep->foot]
                              ? rv->leg_names[rep->foot]
                              : "?";
        snprintf(buf, sizeof(buf), "%d", rep->index);
        ui_text(ui, F_SMALL, c, cols[0], ry + 3 * u, 0, buf, NULL, NULL);
        ui_text(ui, F_SMALL, C_WHITE, cols[1], ry + 3 * u, 0, leg, NULL, NULL);
        snprintf(buf, sizeof(buf), "%.1f", rep->descent_s);
        ui_text(ui, F_SMALL, C_WHITE, cols[2], ry + 3 * u, 0, buf, NULL, NULL);
        snprintf(buf, sizeof(buf), "%.1f", rep->hold_s);
        ui_text(ui, F_SMALL, C_WHITE, cols[3], ry + 3 * u, 0, buf, NULL, NULL);
        snprintf(buf, sizeof(buf), "%.0f", rep->depth_mm);
        ui_text(ui, F_SMALL, C_WHITE, cols[4], ry + 3 * u, 0, buf, NULL, NULL);
    }
    ui_text(ui, F_SMALL, C_MUTED, r.x + pad, r.y + r.h - help_h - (float)lh, 0,
            "times in s, depth in mm", NULL, NULL);
    static const char *const help[4] = {"Space play  \xe2\x86\x90 \xe2\x86\x92 frame",
                                        "\xe2\x86\x91 \xe2\x86\x93 speed  Q quit",
                                        "1-9, click: go to rep", "Click timeline: seek"};
    float hy = r.y + r.h - help_h + 6 * u;
    for (int i = 0; i < 4; i++) {
        ui_text(ui, F_SMALL, C_MUTED, r.x + pad, hy, 0, help[i], NULL, &h);
        hy += (float)TTF_FontLineSkip(ui->font[F_SMALL]);
    }
}

static void timeline(hd_ui *ui, const hd_review_view *rv, const hd_reps_cfg *rc, ui_rect r)
{
    float u = U(ui);
    ui_fill(ui, COL(16, 16, 20, 255), r.x, r.y, r.w, r.h);
    float lw = 56 * u;
    float px = r.x + lw, pw = r.w - lw - 14 * u;
    int lab_h = TTF_FontLineSkip(ui->font[F_SMALL]);
    float py = r.y + 8 * u + (float)lab_h, ph = r.h - 16 * u - 2.0f * (float)lab_h;
    double t1 = rv->duration_s > 0 ? rv->duration_s : 1.0;
    ui->rv_timeline.x = px;
    ui->rv_timeline.y = r.y;
    ui->rv_timeline.w = pw;
    ui->rv_timeline.h = r.h;
    ui->rv_t0 = 0;
    ui->rv_t1 = t1;
    double lo = -50, hi = 80;
    for (int i = 0; i < rv->tl_n; i++) {
        float v = rv->tl_heel_mm[i];
        if (isnan(v))
            continue;
        lo = fmin(lo, v - 5);
        hi = fmax(hi, v + 5);
    }
#define TX(t) (px + pw * (float)((t) / t1))
#define TY(mm) (py + ph * (float)((hi - (mm)) / (hi - lo)))
    /* Reps: shaded spans, numbered; warnings as marks under them. */
    for (int i = 0; i < rv->nreps; i++) {
        const hd_rep *rep = &rv->reps[i];
        float x0 = TX(rep->t_descent_start), x1 = TX(rep->t_top);
        SDL_Color c = rep->warnings ? COL(255, 170, 40, 60) : COL(70, 215, 110, 55);
        if (i == rv->current_rep)
            c.a = 120;
        ui_fill(ui, c, x0, py, x1 - x0 > 1 ? x1 - x0 : 1, ph);
        char num[16];
        snprintf(num, sizeof(num), "%d", rep->index);
        ui_text(ui, F_SMALL, rep->warnings ? C_WARN : C_GOOD, (x0 + x1) / 2, r.y + 4 * u, 1, num,
                NULL, NULL);
        int k = 0;
        for (int w = 0; w < HD_WARN_COUNT; w++) {
            if (!(rep->warnings & (1u << w)))
                continue;
            /* The first warning's short name inside the span, at its foot. */
            float mx = TX(rep->t_bottom);
            ui_fill(ui, C_WARN, mx - 4 * u, py + ph - 6 * u, 8 * u, 6 * u);
            if (k == 0)
                ui_text(ui, F_SMALL, C_WARN, (x0 + x1) / 2, py + ph - (float)lab_h - 6 * u, 1,
                        warn_short(w), NULL, NULL);
            k++;
        }
    }
    float y0 = TY(0.0);
    ui_line(ui, C_STEP, px, y0, px + pw, y0, (int)(2 * u + 0.5f));
    ui_text(ui, F_SMALL, C_STEP, px - 6 * u, y0 - (float)lab_h / 2, 2, "step", NULL, NULL);
    for (float x = px; x < px + pw; x += 12 * u)
        ui_fill(ui, COL(255, 255, 255, 90), x, TY(rc->top_mm), 6 * u, 1);
    /* The heel, one line per pixel column (min..max), fast for long sessions. */
    int cols = (int)pw;
    float lastx = -1, lasty = 0;
    int have_last = 0;
    int j = 0;
    for (int c = 0; c < cols; c++) {
        double ta = t1 * c / cols, tb = t1 * (c + 1) / cols;
        float mn = INFINITY, mxv = -INFINITY;
        while (j < rv->tl_n && rv->tl_t[j] < ta)
            j++;
        int k = j;
        while (k < rv->tl_n && rv->tl_t[k] < tb) {
            float v = rv->tl_heel_mm[k];
            if (!isnan(v)) {
                mn = fminf(mn, v);
                mxv = fmaxf(mxv, v);
            }
            k++;
        }
        if (mn > mxv) {
            have_last = 0;
            continue;
        }
        float x = px + (float)c;
        float ya = TY(mxv), yb = TY(mn);
        if (have_last)
            ui_line(ui, C_WHITE, lastx, lasty, x, (ya + yb) / 2, 1);
        ui_fill(ui, C_WHITE, x, ya, 1.5f * u, yb - ya + 1.5f * u);
        lastx = x;
        lasty = (ya + yb) / 2;
        have_last = 1;
    }
    /* Now. */
    float cx = TX(rv->t);
    ui_fill(ui, COL(255, 60, 160, 255), cx - 1.5f * u, r.y, 3 * u, r.h);
    /* Time labels every 10 s (or 60 s for long sessions). */
    double step = t1 > 300 ? 60 : t1 > 60 ? 10 : 5;
    for (double t = 0; t <= t1; t += step) {
        char lab[16];
        snprintf(lab, sizeof(lab), "%d:%02d", (int)t / 60, (int)t % 60);
        ui_text(ui, F_SMALL, C_MUTED, TX(t), r.y + r.h - (float)lab_h - 2 * u, 1, lab, NULL, NULL);
    }
#undef TX
#undef TY
}

hd_status hd_ui_present_review(hd_ui *ui, const hd_review_view *rv)
{
    if (!ui || !rv)
        return hd_fail(HD_ERR_INVALID, "ui: no review view");
    hd_status st = ui_begin_present(ui);
    if (st != HD_OK)
        return st;
    ui->review = 1;
    float W = (float)ui->out_w, H = (float)ui->out_h;
    float list_w = fmaxf(0.24f * W, 200.0f * U(ui));
    float tl_h = 0.22f * H;
    ui_rect video = {0, 0, W - list_w, H - tl_h};
    ui_rect list = {W - list_w, 0, list_w, H - tl_h};
    ui_rect tl = {0, H - tl_h, W, tl_h};
    hd_reps_cfg def;
    const hd_reps_cfg *rc = rv->live.reps_cfg;
    if (!rc) {
        hd_reps_cfg_default(&def);
        rc = &def;
    }
    ui_choose_line(ui, &rv->live);
    ui_draw_video(ui, &rv->live, video);
    ui_draw_overlay(ui, &rv->live, video, 1);
    rep_list(ui, rv, list);
    timeline(ui, rv, rc, tl);
    return ui_finish_present(ui);
}
