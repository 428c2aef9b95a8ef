/* ui_shot.h - compares the window's last presented picture with a reference PNG, for the
 * screenshot tests (test_ui, test_review_ui). Header-only; include it after test.h, whose
 * failure counter it uses.
 *
 * A pixel differs when a channel is off by more than HD_SHOT_TOL; a picture fails when more
 * than HD_SHOT_MAX_BAD of its pixels differ (font hinting or scaling may move a few edge
 * pixels). A failing picture is saved as ui_actual_NAME.png in the working folder. With
 * write_dir set the picture is written there as NAME.png instead (the update script's mode).
 */
#ifndef HD_TEST_UI_SHOT_H
#define HD_TEST_UI_SHOT_H

#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>

#include "heeldrop/ui.h"

/* The fonts the reference screenshots were made with (tests skip when they are absent). */
#define HD_SHOT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define HD_SHOT_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

#define HD_SHOT_TOL 40
#define HD_SHOT_MAX_BAD 0.003

/* ref_dir holds NAME.png references; w x h is the picture's expected size. */
static void hd_ui_shot_compare(hd_ui *ui, int w, int h, const char *name, const char *ref_dir,
                               const char *write_dir)
{
    char path[1024];
    uint8_t *rgb = malloc((size_t)w * h * 3);
    CHECK(rgb != NULL);
    if (!rgb)
        return;
    CHECK(hd_ui_read_rgb(ui, rgb, w * 3) == HD_OK);
    if (write_dir) {
        snprintf(path, sizeof(path), "%s/%s.png", write_dir, name);
        CHECK(hd_ui_screenshot(ui, path) == HD_OK);
        free(rgb);
        return;
    }
    snprintf(path, sizeof(path), "%s/%s.png", ref_dir, name);
    SDL_Surface *ref = IMG_Load(path);
    if (!ref) {
        fprintf(stderr, "%s: no reference picture (run scripts/update-ui-refs.sh)\n", path);
        hd_test_failures++;
        free(rgb);
        return;
    }
    SDL_Surface *r = SDL_ConvertSurfaceFormat(ref, SDL_PIXELFORMAT_RGB24, 0);
    SDL_FreeSurface(ref);
    CHECK(r && r->w == w && r->h == h);
    if (!r || r->w != w || r->h != h) {
        SDL_FreeSurface(r);
        free(rgb);
        return;
    }
    long bad = 0;
    double sum = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *a = rgb + (size_t)y * w * 3;
        const uint8_t *b = (const uint8_t *)r->pixels + (size_t)y * r->pitch;
        for (int x = 0; x < w * 3; x += 3) {
            int d = 0;
            for (int c = 0; c < 3; c++) {
                int e = abs(a[x + c] - b[x + c]);
                d = e > d ? e : d;
                sum += e;
            }
            bad += d > HD_SHOT_TOL;
        }
    }
    SDL_FreeSurface(r);
    free(rgb);
    double share = (double)bad / ((double)w * h);
    if (share > HD_SHOT_MAX_BAD) {
        fprintf(stderr, "%s: %.2f%% of pixels differ (mean %.2f per channel)\n", name,
                100 * share, sum / ((double)w * h * 3));
        snprintf(path, sizeof(path), "ui_actual_%s.png", name);
        hd_ui_screenshot(ui, path);
        hd_test_failures++;
    }
}

#endif
