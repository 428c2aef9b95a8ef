#define _POSIX_C_SOURCE 200809L /* popen, access */
/* ui.c - the SDL2 window: creation, presenting a view, input, screenshots, capture.
 * The drawing itself is in draw.c (live overlay) and review.c (review window). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_image.h>

#include "ui/ui_priv.h"

/* ---- the trace ring (no SDL) -------------------------------------------------------- */

void hd_ui_trace_clear(hd_ui_trace *tr)
{
    tr->start = 0;
    tr->count = 0;
}

void hd_ui_trace_push(hd_ui_trace *tr, double t, double heel_mm, int lost)
{
    int i;
    if (tr->count < HD_UI_TRACE_CAP) {
        i = (tr->start + tr->count) % HD_UI_TRACE_CAP;
        tr->count++;
    } else {
        i = tr->start;
        tr->start = (tr->start + 1) % HD_UI_TRACE_CAP;
    }
    tr->pt[i].t = t;
    tr->pt[i].lost = lost || isnan(heel_mm) ? 1 : 0;
    tr->pt[i].heel_mm = tr->pt[i].lost ? 0.0f : (float)heel_mm;
}

const hd_ui_trace_pt *hd_ui_trace_at(const hd_ui_trace *tr, int i)
{
    return &tr->pt[(tr->start + i) % HD_UI_TRACE_CAP];
}

const char *hd_ui_hint_text(int hint)
{
    switch (hint) {
    case HD_HINT_NONE:
        return "";
    case HD_HINT_CALIBRATING:
        return "Finding the step and your feet: start your heel drops";
    case HD_HINT_NO_STEP:
        return "Step edge not found: drag the line onto it";
    case HD_HINT_NO_FOOT:
        return "Put the camera level with the step, looking at your feet from the side";
    case HD_HINT_TOO_DARK:
        return "Too dark";
    case HD_HINT_AT_EDGE:
        return "Move the camera back: your feet are at the edge of the picture";
    case HD_HINT_OCCLUDED:
        return "Heel hidden: keep your working foot in view";
    default:
        return "Setting up";
    }
}

/* ---- window ---------------------------------------------------------------------------- */

void hd_ui_cfg_default(hd_ui_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->width = 1280;
    cfg->height = 720;
    cfg->audio = 1;
}

static void update_output_size(hd_ui *ui)
{
    int w = 0, h = 0;
    if (SDL_GetRendererOutputSize(ui->ren, &w, &h) == 0 && w > 0 && h > 0) {
        ui->out_w = w;
        ui->out_h = h;
    }
}

hd_status hd_ui_create(const hd_ui_cfg *cfg, hd_ui **out)
{
    if (!out)
        return hd_fail(HD_ERR_INVALID, "ui: no output pointer");
    *out = NULL;
    hd_ui_cfg def;
    if (!cfg) {
        hd_ui_cfg_default(&def);
        cfg = &def;
    }
    if (cfg->width < 0 || cfg->height < 0 || cfg->width > 16384 || cfg->height > 16384)
        return hd_fail(HD_ERR_INVALID, "ui: window size %dx%d", cfg->width, cfg->height);
    hd_ui *ui = calloc(1, sizeof(*ui));
    if (!ui)
        return hd_fail(HD_ERR_NOMEM, "ui: out of memory");
    ui->cfg = *cfg;
    hd_status st = ui_fonts_find(ui); /* copies the paths: the caller's strings are not kept */
    ui->cfg.font_path = ui->cfg.font_bold_path = ui->cfg.title = NULL;
    if (st != HD_OK) {
        free(ui);
        return st;
    }
    int w = cfg->width > 0 ? cfg->width : 1280;
    int h = cfg->height > 0 ? cfg->height : 720;

    if (SDL_InitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        st = hd_fail(HD_ERR_DEVICE,
                     "cannot open a window: %s (no display? set DISPLAY, or "
                     "use 'heeldrop analyze')",
                     SDL_GetError());
        free(ui);
        return st;
    }
    if (TTF_Init() != 0) {
        st = hd_fail(HD_ERR_INTERNAL, "SDL_ttf: %s", TTF_GetError());
        SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
        free(ui);
        return st;
    }
    Uint32 wflags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    if (cfg->fullscreen)
        wflags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    ui->fullscreen = cfg->fullscreen ? 1 : 0;
    ui->win = SDL_CreateWindow(cfg->title ? cfg->title : "HeelDrop", SDL_WINDOWPOS_CENTERED,
                               SDL_WINDOWPOS_CENTERED, w, h, wflags);
    if (!ui->win) {
        st = hd_fail(HD_ERR_DEVICE, "cannot open a window: %s", SDL_GetError());
        goto fail;
    }
    Uint32 rflags = cfg->software ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED;
    if (cfg->vsync && !cfg->software)
        rflags |= SDL_RENDERER_PRESENTVSYNC;
    ui->ren = SDL_CreateRenderer(ui->win, -1, rflags);
    if (!ui->ren && !cfg->software)
        ui->ren = SDL_CreateRenderer(ui->win, -1, SDL_RENDERER_SOFTWARE);
    if (!ui->ren) {
        st = hd_fail(HD_ERR_DEVICE, "cannot create a renderer: %s", SDL_GetError());
        goto fail;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(ui->ren, &info) == 0)
        ui->software = (info.flags & SDL_RENDERER_SOFTWARE) != 0;
    SDL_SetRenderDrawBlendMode(ui->ren, SDL_BLENDMODE_BLEND);
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    update_output_size(ui);
    st = ui_fonts_update(ui);
    if (st != HD_OK)
        goto fail;
    ui->muted = cfg->mute ? 1 : 0;
    if (cfg->audio) {
        st = ui_audio_open(&ui->audio, ui->audio_notice, sizeof(ui->audio_notice));
        if (st != HD_OK)
            goto fail;
    }
    *out = ui;
    return HD_OK;
fail:
    hd_ui_destroy(ui);
    return st;
}

void hd_ui_destroy(hd_ui *ui)
{
    if (!ui)
        return;
    ui_audio_close(ui->audio);
    ui_fonts_close(ui);
    if (ui->video)
        SDL_DestroyTexture(ui->video);
    if (ui->ren)
        SDL_DestroyRenderer(ui->ren);
    if (ui->win)
        SDL_DestroyWindow(ui->win);
    free(ui->gray_uv);
    free(ui->pixels);
    TTF_Quit();
    SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
    free(ui);
}

/* The step line to draw: the scene's, the user's while the scene has not caught up with
 * it, or a default one to drag when the tracker found no step edge. */
static void choose_line(hd_ui *ui, const hd_view *v)
{
    if (ui->drag)
        return;
    const hd_scene *sc = v->scene && v->scene->valid ? v->scene : NULL;
    if (ui->has_user_line && sc) {
        double d = 0.0;
        for (int i = 0; i < 4; i++)
            d = fmax(d, fabs(sc->step_edge[i] - ui->user_line[i]));
        if (d <= 2.0)
            ui->has_user_line = 0; /* the tracker now uses it */
    }
    ui->hint_line = 0;
    if (ui->has_user_line) {
        memcpy(ui->line, ui->user_line, sizeof(ui->line));
        ui->has_line = 1;
    } else if (sc) {
        memcpy(ui->line, sc->step_edge, sizeof(ui->line));
        ui->has_line = 1;
    } else if (v->frame && !v->camera_lost && v->setup_hint == HD_HINT_NO_STEP) {
        double fw = v->frame->width, fh = v->frame->height;
        double l[4] = {0.15 * fw, 0.62 * fh, 0.85 * fw, 0.62 * fh};
        memcpy(ui->line, l, sizeof(l));
        ui->has_line = 1;
        ui->hint_line = 1;
    } else {
        ui->has_line = 0;
    }
}

static hd_status finish_present(hd_ui *ui)
{
    hd_status st = HD_OK;
    if (ui->capture) {
        size_t need = (size_t)ui->out_w * (size_t)ui->out_h * 3;
        if (ui->pix_w != ui->out_w || ui->pix_h != ui->out_h || !ui->pixels) {
            free(ui->pixels);
            ui->pixels = malloc(need);
            ui->pix_w = ui->pixels ? ui->out_w : 0;
            ui->pix_h = ui->pixels ? ui->out_h : 0;
        }
        if (!ui->pixels)
            st = hd_fail(HD_ERR_NOMEM, "ui: out of memory for the captured picture");
        else if (SDL_RenderReadPixels(ui->ren, NULL, SDL_PIXELFORMAT_RGB24, ui->pixels,
                                      ui->out_w * 3) != 0)
            st = hd_fail(HD_ERR_INTERNAL, "ui: reading the picture back: %s", SDL_GetError());
    }
    SDL_RenderPresent(ui->ren);
    ui->presented = 1;
    return st;
}

static hd_status begin_present(hd_ui *ui)
{
    ui->frame_no++;
    update_output_size(ui);
    hd_status st = ui_fonts_update(ui);
    if (st != HD_OK)
        return st;
    SDL_SetRenderDrawBlendMode(ui->ren, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(ui->ren, 24, 24, 28, 255);
    SDL_RenderClear(ui->ren);
    return HD_OK;
}

hd_status hd_ui_present(hd_ui *ui, const hd_view *v)
{
    if (!ui || !v)
        return hd_fail(HD_ERR_INVALID, "ui: no view");
    hd_status st = begin_present(ui);
    if (st != HD_OK)
        return st;
    ui->review = 0;
    choose_line(ui, v);
    ui_rect all = {0, 0, (float)ui->out_w, (float)ui->out_h};
    ui_draw_video(ui, v, all);
    ui_draw_overlay(ui, v, all, 0);
    return finish_present(ui);
}

/* Used by review.c, which draws its own layout between begin and finish. */
hd_status ui_begin_present(hd_ui *ui)
{
    return begin_present(ui);
}
hd_status ui_finish_present(hd_ui *ui)
{
    return finish_present(ui);
}
void ui_choose_line(hd_ui *ui, const hd_view *v)
{
    choose_line(ui, v);
}

/* ---- input ----------------------------------------------------------------------------- */

/* Window coordinates of a mouse event -> renderer output pixels (high-DPI screens). */
static void mouse_to_out(hd_ui *ui, int mx, int my, float *x, float *y)
{
    int ww = 0, wh = 0;
    SDL_GetWindowSize(ui->win, &ww, &wh);
    *x = ww > 0 ? (float)mx * (float)ui->out_w / (float)ww : (float)mx;
    *y = wh > 0 ? (float)my * (float)ui->out_h / (float)wh : (float)my;
}

static void to_frame(const hd_ui *ui, float wx, float wy, double *fx, double *fy)
{
    *fx = (wx - ui->box.x) / ui->scale;
    *fy = (wy - ui->box.y) / ui->scale;
}

static float seg_dist(float px, float py, float x0, float y0, float x1, float y1)
{
    float dx = x1 - x0, dy = y1 - y0;
    float l2 = dx * dx + dy * dy;
    float u = l2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / l2 : 0.0f;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    float ex = x0 + u * dx - px, ey = y0 + u * dy - py;
    return sqrtf(ex * ex + ey * ey);
}

static int in_rect(ui_rect r, float x, float y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

static void toggle_fullscreen(hd_ui *ui)
{
    ui->fullscreen = !ui->fullscreen;
    SDL_SetWindowFullscreen(ui->win, ui->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
}

static double timeline_t(const hd_ui *ui, float x)
{
    double u = (x - ui->rv_timeline.x) / ui->rv_timeline.w;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    return ui->rv_t0 + u * (ui->rv_t1 - ui->rv_t0);
}

static int translate(hd_ui *ui, const SDL_Event *e, hd_ui_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    switch (e->type) {
    case SDL_QUIT:
        ev->kind = HD_UI_QUIT;
        return 1;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_CLOSE) {
            ev->kind = HD_UI_QUIT;
            return 1;
        }
        return 0;
    case SDL_KEYDOWN: {
        SDL_Keycode k = e->key.keysym.sym;
        int rep = e->key.repeat;
        if (k == SDLK_q || k == SDLK_ESCAPE)
            ev->kind = HD_UI_QUIT;
        else if (rep && k != SDLK_LEFT && k != SDLK_RIGHT && k != SDLK_COMMA && k != SDLK_PERIOD)
            return 0; /* held keys repeat only for frame stepping */
        else if (k == SDLK_SPACE)
            ev->kind = HD_UI_PAUSE;
        else if (k == SDLK_c) {
            ev->kind = HD_UI_RECALIBRATE;
            ui->has_user_line = 0;
        } else if (k == SDLK_l)
            ev->kind = HD_UI_NEAR_LEFT;
        else if (k == SDLK_r)
            ev->kind = HD_UI_NEAR_RIGHT;
        else if (k == SDLK_m) {
            ui->muted = !ui->muted;
            ev->kind = HD_UI_MUTE;
            ev->muted = ui->muted;
        } else if (k == SDLK_s)
            ev->kind = HD_UI_SCREENSHOT;
        else if (k == SDLK_f || k == SDLK_F11) {
            toggle_fullscreen(ui);
            ev->kind = HD_UI_FULLSCREEN;
        } else {
            ev->kind = HD_UI_KEY;
            ev->key = (int)k;
        }
        return 1;
    }
    case SDL_MOUSEBUTTONDOWN: {
        if (e->button.button != SDL_BUTTON_LEFT)
            return 0;
        float x, y;
        mouse_to_out(ui, e->button.x, e->button.y, &x, &y);
        if (ui->has_line && ui->frame_w > 0) {
            float ax, ay, bx, by;
            ui_to_win(ui, ui->line[0], ui->line[1], &ax, &ay);
            ui_to_win(ui, ui->line[2], ui->line[3], &bx, &by);
            float grab = 0.02f * (float)ui->out_h + 6.0f;
            if (seg_dist(x, y, ax, ay, bx, by) <= grab) {
                float da = hypotf(x - ax, y - ay), db = hypotf(x - bx, y - by);
                ui->drag = da <= 2.0f * grab ? 1 : db <= 2.0f * grab ? 2 : 3;
                double fx, fy;
                to_frame(ui, x, y, &fx, &fy);
                for (int i = 0; i < 4; i += 2) {
                    ui->drag_off[i] = ui->line[i] - fx;
                    ui->drag_off[i + 1] = ui->line[i + 1] - fy;
                }
                return 0;
            }
        }
        if (ui->review && in_rect(ui->rv_timeline, x, y) && ui->rv_t1 > ui->rv_t0) {
            ev->kind = HD_UI_SEEK;
            ev->t = timeline_t(ui, x);
            ui->drag = 4; /* scrubbing */
            return 1;
        }
        if (ui->review && in_rect(ui->rv_list, x, y) && ui->rv_row_h > 0) {
            int row = (int)((y - ui->rv_list.y) / ui->rv_row_h) - 1; /* row 0: header */
            int idx = ui->rv_list_first + row;
            if (row >= 0 && row < ui->rv_list_rows && idx < ui->rv_nreps) {
                ev->kind = HD_UI_PICK_REP;
                ev->rep = idx;
                return 1;
            }
            return 0;
        }
        ev->kind = HD_UI_CLICK;
        ev->x = (int)x;
        ev->y = (int)y;
        return 1;
    }
    case SDL_MOUSEMOTION: {
        if (!ui->drag)
            return 0;
        float x, y;
        mouse_to_out(ui, e->motion.x, e->motion.y, &x, &y);
        if (ui->drag == 4) {
            ev->kind = HD_UI_SEEK;
            ev->t = timeline_t(ui, x);
            return 1;
        }
        double fx, fy;
        to_frame(ui, x, y, &fx, &fy);
        if (ui->drag == 1 || ui->drag == 3) {
            ui->line[0] = fx + ui->drag_off[0];
            ui->line[1] = fy + ui->drag_off[1];
        }
        if (ui->drag == 2 || ui->drag == 3) {
            ui->line[2] = fx + ui->drag_off[2];
            ui->line[3] = fy + ui->drag_off[3];
        }
        return 0;
    }
    case SDL_MOUSEBUTTONUP: {
        if (e->button.button != SDL_BUTTON_LEFT || !ui->drag)
            return 0;
        int was = ui->drag;
        ui->drag = 0;
        if (was == 4)
            return 0;
        /* Keep the line inside the frame. */
        for (int i = 0; i < 4; i++) {
            double lim = (i % 2 ? ui->frame_h : ui->frame_w) - 1;
            ui->line[i] = ui->line[i] < 0 ? 0 : ui->line[i] > lim ? lim : ui->line[i];
        }
        memcpy(ui->user_line, ui->line, sizeof(ui->line));
        ui->has_user_line = 1;
        ui->hint_line = 0;
        ev->kind = HD_UI_STEP_EDGE;
        memcpy(ev->step_edge, ui->line, sizeof(ev->step_edge));
        return 1;
    }
    default:
        return 0;
    }
}

int hd_ui_poll(hd_ui *ui, hd_ui_event *ev)
{
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        if (translate(ui, &e, ev))
            return 1;
    }
    memset(ev, 0, sizeof(*ev));
    return 0;
}

/* ---- output ---------------------------------------------------------------------------- */

hd_status hd_ui_push_key(hd_ui *ui, int key)
{
    SDL_Event e;
    (void)ui;
    memset(&e, 0, sizeof(e));
    e.type = SDL_KEYDOWN;
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = (SDL_Keycode)key;
    if (SDL_PushEvent(&e) != 1)
        return hd_fail(HD_ERR_INTERNAL, "SDL_PushEvent: %s", SDL_GetError());
    return HD_OK;
}

hd_status hd_ui_screenshot(hd_ui *ui, const char *path)
{
    if (!ui || !path || !*path)
        return hd_fail(HD_ERR_INVALID, "screenshot: no path");
    if (!ui->presented)
        return hd_fail(HD_ERR_INVALID, "screenshot: nothing shown yet");
    SDL_Surface *s = NULL;
    if (ui->capture && ui->pixels) {
        s = SDL_CreateRGBSurfaceWithFormatFrom(ui->pixels, ui->pix_w, ui->pix_h, 24, ui->pix_w * 3,
                                               SDL_PIXELFORMAT_RGB24);
    } else {
        /* The software renderer keeps the presented picture in the window surface. */
        s = SDL_CreateRGBSurfaceWithFormat(0, ui->out_w, ui->out_h, 24, SDL_PIXELFORMAT_RGB24);
        if (s &&
            SDL_RenderReadPixels(ui->ren, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0) {
            SDL_FreeSurface(s);
            return hd_fail(HD_ERR_INTERNAL, "screenshot: %s", SDL_GetError());
        }
    }
    if (!s)
        return hd_fail(HD_ERR_NOMEM, "screenshot: %s", SDL_GetError());
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int rc = IMG_SavePNG(s, tmp);
    SDL_FreeSurface(s);
    if (rc != 0 || rename(tmp, path) != 0) {
        int err = errno;
        remove(tmp);
        return hd_fail(HD_ERR_IO, "screenshot %s: %s", path,
                       rc != 0 ? IMG_GetError() : strerror(err));
    }
    return HD_OK;
}

void hd_ui_set_capture(hd_ui *ui, int on)
{
    ui->capture = on ? 1 : 0;
}

void hd_ui_output_size(const hd_ui *ui, int *w, int *h)
{
    if (w)
        *w = ui->out_w;
    if (h)
        *h = ui->out_h;
}

hd_status hd_ui_read_rgb(const hd_ui *ui, uint8_t *buf, int stride)
{
    if (!ui->capture || !ui->pixels || !ui->presented)
        return hd_fail(HD_ERR_INVALID, "ui: no captured picture (capture off?)");
    if (stride < ui->pix_w * 3)
        return hd_fail(HD_ERR_INVALID, "ui: stride %d too small for width %d", stride, ui->pix_w);
    for (int y = 0; y < ui->pix_h; y++)
        memcpy(buf + (size_t)y * (size_t)stride, ui->pixels + (size_t)y * ui->pix_w * 3,
               (size_t)ui->pix_w * 3);
    return HD_OK;
}

/* ---- sound ----------------------------------------------------------------------------- */

void hd_ui_play(hd_ui *ui, unsigned sounds)
{
    if (ui && !ui->muted)
        ui_audio_play(ui->audio, sounds);
}

void hd_ui_set_muted(hd_ui *ui, int muted)
{
    ui->muted = muted ? 1 : 0;
}

int hd_ui_muted(const hd_ui *ui)
{
    return ui->muted;
}

int hd_ui_audio_ok(const hd_ui *ui)
{
    return ui->audio != NULL;
}
