#define _POSIX_C_SOURCE 200809L /* popen, access */
/* text.c - fonts (found on the system) and a cache of rendered text textures, so that a
 * text that did not change costs no rasterising and no allocation per frame. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ui/ui_priv.h"

/* Share of the output height for each font role's pixel size. The count (F_HUGE) is
 * 90 px at 720 lines: digits about 65 px tall, readable from 2 m on a 13" screen. */
static const double font_share[F_COUNT] = {0.030, 0.040, 0.056, 0.075, 0.125};
static const int font_bold[F_COUNT] = {0, 0, 1, 1, 1};

static int readable(const char *p)
{
    return p && *p && access(p, R_OK) == 0;
}

/* fc-match's answer for a pattern, if fontconfig is installed. */
static int fc_match(const char *pattern, char *out, size_t size)
{
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "fc-match -f '%%{file}' '%s' 2>/dev/null", pattern);
    FILE *p = popen(cmd, "r");
    if (!p)
        return 0;
    size_t n = fread(out, 1, size - 1, p);
    pclose(p);
    out[n] = '\0';
    return readable(out);
}

hd_status ui_fonts_find(hd_ui *ui)
{
    static const char *const regular[] = {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    };
    static const char *const bold[] = {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    };
    ui->font_path[0] = ui->bold_path[0] = '\0';
    if (ui->cfg.font_path) {
        if (!readable(ui->cfg.font_path))
            return hd_fail(HD_ERR_NOTFOUND, "font %s: cannot be read", ui->cfg.font_path);
        snprintf(ui->font_path, sizeof(ui->font_path), "%s", ui->cfg.font_path);
    } else {
        for (size_t i = 0; i < sizeof(regular) / sizeof(regular[0]) && !ui->font_path[0]; i++)
            if (readable(regular[i]))
                snprintf(ui->font_path, sizeof(ui->font_path), "%s", regular[i]);
        if (!ui->font_path[0] && !fc_match("sans", ui->font_path, sizeof(ui->font_path)))
            ui->font_path[0] = '\0';
    }
    if (!ui->font_path[0])
        return hd_fail(HD_ERR_NOTFOUND,
                       "no font found (tried DejaVuSans.ttf under /usr/share/fonts and "
                       "fc-match sans): install fonts-dejavu-core");
    if (ui->cfg.font_bold_path) {
        if (!readable(ui->cfg.font_bold_path))
            return hd_fail(HD_ERR_NOTFOUND, "font %s: cannot be read", ui->cfg.font_bold_path);
        snprintf(ui->bold_path, sizeof(ui->bold_path), "%s", ui->cfg.font_bold_path);
    } else if (!ui->cfg.font_path) {
        for (size_t i = 0; i < sizeof(bold) / sizeof(bold[0]) && !ui->bold_path[0]; i++)
            if (readable(bold[i]))
                snprintf(ui->bold_path, sizeof(ui->bold_path), "%s", bold[i]);
        if (!ui->bold_path[0] && !fc_match("sans:bold", ui->bold_path, sizeof(ui->bold_path)))
            ui->bold_path[0] = '\0';
    }
    if (!ui->bold_path[0])
        snprintf(ui->bold_path, sizeof(ui->bold_path), "%s", ui->font_path);
    return HD_OK;
}

void ui_fonts_close(hd_ui *ui)
{
    ui_text_cache_clear(ui);
    for (int i = 0; i < F_COUNT; i++) {
        if (ui->font[i])
            TTF_CloseFont(ui->font[i]);
        ui->font[i] = NULL;
    }
    ui->fonts_for_h = 0;
}

/* Opens the fonts at sizes for the current output height (again only when it changed). */
hd_status ui_fonts_update(hd_ui *ui)
{
    int h = ui->out_h > 0 ? ui->out_h : 720;
    if (h == ui->fonts_for_h && ui->font[0])
        return HD_OK;
    ui_fonts_close(ui);
    for (int i = 0; i < F_COUNT; i++) {
        int px = (int)(font_share[i] * h + 0.5);
        if (px < 9)
            px = 9;
        const char *path = font_bold[i] ? ui->bold_path : ui->font_path;
        ui->font[i] = TTF_OpenFont(path, px);
        if (!ui->font[i]) {
            hd_status st = hd_fail(HD_ERR_NOTFOUND, "font %s: %s", path, TTF_GetError());
            ui_fonts_close(ui);
            return st;
        }
        ui->font_px[i] = px;
    }
    ui->fonts_for_h = h;
    return HD_OK;
}

void ui_text_cache_clear(hd_ui *ui)
{
    for (int i = 0; i < TEXT_CACHE; i++) {
        if (ui->text[i].tex)
            SDL_DestroyTexture(ui->text[i].tex);
        memset(&ui->text[i], 0, sizeof(ui->text[i]));
    }
}

static uint32_t text_hash(int font, SDL_Color c, const char *s)
{
    uint32_t h = 2166136261u ^ (uint32_t)font;
    h = (h ^ c.r) * 16777619u;
    h = (h ^ c.g) * 16777619u;
    h = (h ^ c.b) * 16777619u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The cached texture for a text, rendered when missing (least recently used entry
 * replaced). NULL for an empty text or on failure. */
static text_entry *text_get(hd_ui *ui, int font, SDL_Color c, const char *s)
{
    if (!s || !*s || font < 0 || font >= F_COUNT || !ui->font[font])
        return NULL;
    uint32_t h = text_hash(font, c, s);
    int lru = 0;
    for (int i = 0; i < TEXT_CACHE; i++) {
        text_entry *e = &ui->text[i];
        if (e->tex && e->hash == h && e->font == font && e->color.r == c.r && e->color.g == c.g &&
            e->color.b == c.b && strcmp(e->str, s) == 0) {
            e->last_used = ui->frame_no;
            return e;
        }
        if (!e->tex || (ui->text[lru].tex && e->last_used < ui->text[lru].last_used))
            lru = i;
    }
    text_entry *e = &ui->text[lru];
    if (e->tex)
        SDL_DestroyTexture(e->tex);
    memset(e, 0, sizeof(*e));
    SDL_Color opaque = {c.r, c.g, c.b, 255};
    SDL_Surface *surf = TTF_RenderUTF8_Blended(ui->font[font], s, opaque);
    if (!surf)
        return NULL;
    e->tex = SDL_CreateTextureFromSurface(ui->ren, surf);
    e->w = surf->w;
    e->h = surf->h;
    SDL_FreeSurface(surf);
    if (!e->tex)
        return NULL;
    SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
    e->hash = h;
    e->font = font;
    e->color = c;
    e->last_used = ui->frame_no;
    snprintf(e->str, sizeof(e->str), "%s", s);
    return e;
}

int ui_text(hd_ui *ui, int font, SDL_Color c, float x, float y, int align, const char *s, int *w,
            int *h)
{
    if (w)
        *w = 0;
    if (h)
        *h = 0;
    text_entry *e = text_get(ui, font, c, s);
    if (!e)
        return s && *s ? -1 : 0;
    SDL_Rect d = {(int)(x + 0.5f), (int)(y + 0.5f), e->w, e->h};
    if (align == 1)
        d.x -= e->w / 2;
    else if (align == 2)
        d.x -= e->w;
    SDL_SetTextureAlphaMod(e->tex, c.a);
    SDL_RenderCopy(ui->ren, e->tex, NULL, &d);
    if (w)
        *w = e->w;
    if (h)
        *h = e->h;
    return 0;
}

void ui_text_size(hd_ui *ui, int font, const char *s, int *w, int *h)
{
    int tw = 0, th = 0;
    if (s && *s && font >= 0 && font < F_COUNT && ui->font[font])
        TTF_SizeUTF8(ui->font[font], s, &tw, &th);
    if (w)
        *w = tw;
    if (h)
        *h = th;
}
