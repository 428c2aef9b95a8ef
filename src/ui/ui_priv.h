/* ui_priv.h - what the ui files share: the window state, text cache, drawing helpers.
 * Private to src/ui (includes SDL). */
#ifndef HD_UI_PRIV_H
#define HD_UI_PRIV_H

#include <SDL.h>
#include <SDL_ttf.h>

#include "heeldrop/ui.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Font roles; sizes follow the output height (see ui_fonts_update). */
enum { F_SMALL, F_NORMAL, F_CUE, F_BIG, F_HUGE, F_COUNT };

#define TEXT_CACHE 96

typedef struct text_entry {
    SDL_Texture *tex;
    int w, h;
    int font;
    SDL_Color color;
    uint32_t hash;
    unsigned last_used; /* frame counter */
    char str[HD_COACH_TEXT];
} text_entry;

typedef struct hd_audio hd_audio;

typedef struct ui_rect {
    float x, y, w, h;
} ui_rect;

struct hd_ui {
    hd_ui_cfg cfg;
    char font_path[1024], bold_path[1024];
    SDL_Window *win;
    SDL_Renderer *ren;
    int software;
    int out_w, out_h; /* renderer output size */
    int fullscreen;

    TTF_Font *font[F_COUNT];
    int font_px[F_COUNT];
    int fonts_for_h; /* output height the fonts were opened for */
    text_entry text[TEXT_CACHE];
    unsigned frame_no;

    SDL_Texture *video; /* IYUV streaming texture */
    int video_w, video_h;
    uint8_t *gray_uv; /* neutral chroma for GRAY8 frames */
    size_t gray_uv_size;

    /* The letterbox of the last presented frame: window px = box.x + frame px * scale. */
    ui_rect box;
    double scale;
    int frame_w, frame_h; /* 0: no frame drawn */

    /* Step line: the scene's (from the view) and the user's dragged one. */
    int has_line;
    double line[4]; /* frame px, what is drawn */
    int has_user_line;
    double user_line[4];
    int drag; /* 0 none, 1 first end, 2 second end, 3 whole line */
    double drag_off[4];
    int drag_mx, drag_my;
    int hint_line; /* the line shown is a default for dragging (no step found) */

    int muted;
    hd_audio *audio;
    char audio_notice[128];

    int capture;
    uint8_t *pixels; /* RGB24 copy of the last present (capture on) */
    int pix_w, pix_h;
    int presented;
    int pending_quit;

    /* Review hit areas (set by the review drawing, used by hd_ui_poll). */
    int review;
    ui_rect rv_list, rv_timeline;
    int rv_list_first, rv_list_rows, rv_nreps;
    float rv_row_h;
    double rv_t0, rv_t1;
};

/* text.c */
hd_status ui_fonts_find(hd_ui *ui);
hd_status ui_fonts_update(hd_ui *ui);
void ui_fonts_close(hd_ui *ui);
void ui_text_cache_clear(hd_ui *ui);
/* Draws text with its top-left at (x, y); returns its size in *w, *h (may be NULL).
 * align: 0 left, 1 centre on x, 2 right-aligned at x. Returns 0, or -1 on failure. */
int ui_text(hd_ui *ui, int font, SDL_Color c, float x, float y, int align, const char *s, int *w,
            int *h);
/* Size of a text without drawing it. */
void ui_text_size(hd_ui *ui, int font, const char *s, int *w, int *h);

/* draw.c */
void ui_fill(hd_ui *ui, SDL_Color c, float x, float y, float w, float h);
void ui_frame_rect(hd_ui *ui, SDL_Color c, float x, float y, float w, float h, int t);
void ui_line(hd_ui *ui, SDL_Color c, float x0, float y0, float x1, float y1, int thick);
void ui_disc(hd_ui *ui, SDL_Color c, float cx, float cy, float r);
void ui_ring(hd_ui *ui, SDL_Color c, float cx, float cy, float r, int thick);
/* The live overlay of v inside the rect r (the whole window for live mode). */
void ui_draw_overlay(hd_ui *ui, const hd_view *v, ui_rect r, int review);
/* The video picture of v letterboxed into r; sets ui->box/scale/frame_w/h. */
void ui_draw_video(hd_ui *ui, const hd_view *v, ui_rect r);
/* Frame px -> window px through the current letterbox. */
void ui_to_win(const hd_ui *ui, double fx, double fy, float *wx, float *wy);
void ui_rep_counts(const hd_view *v, int *near_n, int *far_n);

/* ui.c: review.c draws its own layout between begin and finish. */
hd_status ui_begin_present(hd_ui *ui);
hd_status ui_finish_present(hd_ui *ui);
void ui_choose_line(hd_ui *ui, const hd_view *v);

/* audio.c */
hd_status ui_audio_open(hd_audio **out, char *notice, size_t size);
void ui_audio_play(hd_audio *a, unsigned sounds);
void ui_audio_close(hd_audio *a);

/* Colours */
#define COL(r, g, b, a) ((SDL_Color){(r), (g), (b), (a)})
#define C_WHITE COL(255, 255, 255, 255)
#define C_PANEL COL(0, 0, 0, 165)
#define C_GOOD COL(70, 215, 110, 255)
#define C_WARN COL(255, 170, 40, 255)
#define C_BAD COL(240, 70, 60, 255)
#define C_STEP COL(255, 220, 0, 255)
#define C_MUTED COL(190, 190, 190, 255)
#define C_HEEL COL(255, 60, 160, 255)
#define C_ANKLE COL(60, 200, 255, 255)

#endif
