/* test_ui_audio.c - the cue sounds really sound: under SDL_AUDIODRIVER=disk, SDL writes the
 * samples it plays to SDL_DISKAUDIOFILE (in real time). The test plays the four cues at
 * known moments, then mutes and plays one more, and reads the file back: four sounds, at
 * the right spacing, each recognised by its pitch, and silence while muted. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>

#include "heeldrop/ui.h"
#include "test.h"

#define RATE 48000 /* what audio.c asks for: mono signed 16-bit */

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

typedef struct seg {
    long start, end; /* samples */
} seg;

/* Power of frequency hz in x[0..n) (Goertzel). */
static double tone_power(const int16_t *x, long n, double hz)
{
    double w = 2.0 * M_PI * hz / RATE, k = 2.0 * cos(w), s1 = 0, s2 = 0;
    for (long i = 0; i < n; i++) {
        double s = x[i] + k * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    return s1 * s1 + s2 * s2 - k * s1 * s2;
}

static void sleep_until(Uint32 t0, Uint32 ms)
{
    while (SDL_GetTicks() - t0 < ms)
        SDL_Delay(2);
}

int main(void)
{
    const char *path = getenv("SDL_DISKAUDIOFILE");
    const char *drv = getenv("SDL_AUDIODRIVER");
    if (!path || !drv || strcmp(drv, "disk") != 0) {
        fprintf(stderr, "skip: run with SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=path\n");
        return 77;
    }
    remove(path);
    hd_ui_cfg cfg;
    hd_ui_cfg_default(&cfg);
    cfg.width = 320;
    cfg.height = 180;
    cfg.software = 1;
    hd_ui *ui = NULL;
    if (hd_ui_create(&cfg, &ui) != HD_OK) {
        fprintf(stderr, "ui: %s\n", hd_last_error());
        return 1;
    }
    if (!hd_ui_audio_ok(ui)) {
        fprintf(stderr, "skip: SDL's disk audio driver did not open\n");
        hd_ui_destroy(ui);
        return 77;
    }
    /* When each cue is started (ms after the device opened). */
    static const unsigned snd[4] = {HD_SOUND_TICK, HD_SOUND_BELOW, HD_SOUND_GOOD, HD_SOUND_WARN};
    static const Uint32 at[4] = {300, 900, 1700, 2900};
    Uint32 t0 = SDL_GetTicks();
    for (int i = 0; i < 4; i++) {
        sleep_until(t0, at[i]);
        hd_ui_play(ui, snd[i]);
    }
    sleep_until(t0, 3700);
    hd_ui_set_muted(ui, 1);
    hd_ui_play(ui, HD_SOUND_GOOD | HD_SOUND_WARN | HD_SOUND_TICK);
    sleep_until(t0, 4600);
    Uint32 t_end = SDL_GetTicks();
    hd_ui_destroy(ui);

    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return TEST_EXIT();
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    long n = bytes / 2;
    int16_t *x = malloc((size_t)(n > 0 ? n : 1) * sizeof(int16_t));
    CHECK(x && fread(x, 2, (size_t)n, f) == (size_t)n);
    fclose(f);
    fprintf(stderr, "%ld samples (%.2f s) written\n", n, (double)n / RATE);
    CHECK(n > RATE * 3); /* at least the 3 s before muting */
    /* SDL's disk driver paces itself with sleeps, so on a loaded machine it writes a little
     * less than real time: scale the wanted moments by the rate it actually achieved. */
    double scale = ((double)n / RATE) / ((t_end - t0) / 1000.0);
    fprintf(stderr, "disk driver: %.3f s of samples per second\n", scale);
    CHECK(scale > 0.7 && scale < 1.1);

    /* Sounds: runs of samples above 1% of full scale, joined across gaps under 60 ms. */
    seg segs[16];
    int ns = 0;
    long gap = RATE * 60 / 1000;
    for (long i = 0; i < n; i++) {
        if (abs(x[i]) < 330)
            continue;
        if (ns > 0 && i - segs[ns - 1].end <= gap) {
            segs[ns - 1].end = i;
        } else if (ns < 16) {
            segs[ns].start = segs[ns].end = i;
            ns++;
        }
    }
    for (int i = 0; i < ns; i++)
        fprintf(stderr, "sound %d: %.3f s .. %.3f s\n", i, (double)segs[i].start / RATE,
                (double)segs[i].end / RATE);
    CHECK(ns == 4);
    if (ns == 4) {
        /* The spacing matches the moments they were started (the device's own start is
         * not known exactly; its buffers are 10 ms). */
        for (int i = 1; i < 4; i++) {
            double got = (double)(segs[i].start - segs[0].start) / RATE * 1000.0;
            double want = (double)(at[i] - at[0]) * scale;
            fprintf(stderr, "onset %d: %.0f ms after the first (wanted %.0f)\n", i, got, want);
            CHECK(fabs(got - want) < 80.0);
        }
        /* Each recognised by its main pitch in its first 40 ms. */
        static const double pitch[4] = {1800.0, 660.0, 1046.5, 196.0};
        for (int i = 0; i < 4; i++) {
            long len = RATE * 40 / 1000;
            int best = -1;
            double bp = -1;
            for (int k = 0; k < 4; k++) {
                double p = tone_power(x + segs[i].start, len, pitch[k]);
                if (p > bp) {
                    bp = p;
                    best = k;
                }
            }
            fprintf(stderr, "sound %d: loudest at %.0f Hz\n", i, best >= 0 ? pitch[best] : 0);
            CHECK(best == i);
        }
        /* The tick is short and soft, the chime long. */
        CHECK((segs[0].end - segs[0].start) < RATE / 10);
        CHECK((segs[2].end - segs[2].start) > RATE * 3 / 10);
        /* Nothing after muting (3.7 s after start, i.e. 3.4 s after the first onset). */
        CHECK(segs[3].end < segs[0].start + (long)(RATE * 3.3 * scale));
    }
    free(x);
    return TEST_EXIT();
}
