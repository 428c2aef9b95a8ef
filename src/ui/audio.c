/* audio.c - the cue sounds, synthesized once at start-up and mixed in SDL's audio
 * callback. Four sounds (coach.h): a soft tick, a rising two-tone beep for "below step",
 * a bright two-note chime for a good rep, a low buzz for a rep with warnings. They differ
 * in pitch, length and loudness so they can be told apart without looking. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_priv.h"

#define AUDIO_RATE 48000
#define VOICES 8

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

typedef struct voice {
    int sound; /* -1 idle */
    int pos;
} voice;

struct hd_audio {
    SDL_AudioDeviceID dev;
    int16_t *snd[HD_SOUND_COUNT];
    int len[HD_SOUND_COUNT];
    voice v[VOICES];
};

/* A decaying sine partial added into buf. */
static void add_tone(float *buf, int n, int from, double hz, double amp, double decay_s,
                     double attack_s)
{
    for (int i = from; i < n; i++) {
        double t = (double)(i - from) / AUDIO_RATE;
        double env = exp(-t / decay_s);
        if (t < attack_s)
            env *= t / attack_s;
        buf[i] += (float)(amp * env * sin(2.0 * M_PI * hz * t));
    }
}

static int16_t *make_sound(int which, int *len)
{
    double dur = which == 0 ? 0.06 : which == 1 ? 0.30 : which == 2 ? 0.90 : 0.55;
    int n = (int)(dur * AUDIO_RATE);
    float *f = calloc((size_t)n, sizeof(float));
    int16_t *out = malloc((size_t)n * sizeof(int16_t));
    if (!f || !out) {
        free(f);
        free(out);
        return NULL;
    }
    switch (which) {
    case 0: /* tick: short, soft wood-block click */
        add_tone(f, n, 0, 1800.0, 0.22, 0.012, 0.001);
        add_tone(f, n, 0, 3600.0, 0.06, 0.006, 0.001);
        break;
    case 1: /* below step: two quick rising notes */
        add_tone(f, n / 2, 0, 660.0, 0.35, 0.08, 0.004);
        add_tone(f, n, n / 2, 990.0, 0.35, 0.08, 0.004);
        break;
    case 2: /* good rep: chime, C6 then E6 + G6 with long ring */
        add_tone(f, n, 0, 1046.5, 0.28, 0.35, 0.003);
        add_tone(f, n, 0, 2093.0, 0.06, 0.20, 0.003);
        add_tone(f, n, n / 6, 1318.5, 0.25, 0.35, 0.003);
        add_tone(f, n, n / 6, 1568.0, 0.15, 0.35, 0.003);
        break;
    default: /* warnings: low, slightly rough tone */
        add_tone(f, n, 0, 196.0, 0.40, 0.30, 0.010);
        add_tone(f, n, 0, 392.0, 0.12, 0.25, 0.010);
        add_tone(f, n, 0, 207.0, 0.20, 0.30, 0.010);
        break;
    }
    /* Short fade-out so nothing clicks at the end. */
    int fade = AUDIO_RATE / 200;
    for (int i = 0; i < fade && i < n; i++)
        f[n - 1 - i] *= (float)i / (float)fade;
    for (int i = 0; i < n; i++) {
        double s = f[i] * 32767.0;
        out[i] = (int16_t)(s > 32767.0 ? 32767 : s < -32768.0 ? -32768 : s);
    }
    free(f);
    *len = n;
    return out;
}

static void SDLCALL mix(void *userdata, Uint8 *stream, int bytes)
{
    hd_audio *a = userdata;
    int16_t *out = (int16_t *)stream;
    int n = bytes / (int)sizeof(int16_t);
    for (int i = 0; i < n; i++) {
        int acc = 0;
        for (int k = 0; k < VOICES; k++) {
            voice *v = &a->v[k];
            if (v->sound < 0)
                continue;
            acc += a->snd[v->sound][v->pos++];
            if (v->pos >= a->len[v->sound])
                v->sound = -1;
        }
        out[i] = (int16_t)(acc > 32767 ? 32767 : acc < -32768 ? -32768 : acc);
    }
}

static void free_audio(hd_audio *a)
{
    for (int i = 0; i < HD_SOUND_COUNT; i++)
        free(a->snd[i]);
    free(a);
}

hd_status ui_audio_open(hd_audio **out, char *notice, size_t size)
{
    *out = NULL;
    hd_audio *a = calloc(1, sizeof(*a));
    if (!a)
        return hd_fail(HD_ERR_NOMEM, "audio: out of memory");
    for (int i = 0; i < HD_SOUND_COUNT; i++) {
        a->snd[i] = make_sound(i, &a->len[i]);
        if (!a->snd[i]) {
            free_audio(a);
            return hd_fail(HD_ERR_NOMEM, "audio: out of memory");
        }
    }
    for (int k = 0; k < VOICES; k++)
        a->v[k].sound = -1;
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        snprintf(notice, size, "No audio device: visual cues only");
        free_audio(a);
        return HD_OK;
    }
    SDL_AudioSpec want, have;
    SDL_zero(want);
    want.freq = AUDIO_RATE;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    /* 10 ms buffers: a tick sounds with the frame that caused it. A whole number of
     * milliseconds also keeps SDL's disk driver (tests) in step with the clock. */
    want.samples = AUDIO_RATE / 100;
    want.callback = mix;
    want.userdata = a;
    a->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!a->dev) {
        snprintf(notice, size, "No audio device: visual cues only");
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        free_audio(a);
        return HD_OK;
    }
    SDL_PauseAudioDevice(a->dev, 0);
    *out = a;
    return HD_OK;
}

void ui_audio_play(hd_audio *a, unsigned sounds)
{
    if (!a || !sounds)
        return;
    SDL_LockAudioDevice(a->dev);
    for (int s = 0; s < HD_SOUND_COUNT; s++) {
        if (!(sounds & (1u << s)))
            continue;
        int slot = -1;
        for (int k = 0; k < VOICES && slot < 0; k++)
            if (a->v[k].sound < 0)
                slot = k;
        if (slot < 0) { /* all busy: replace the voice nearest its end */
            slot = 0;
            for (int k = 1; k < VOICES; k++)
                if (a->len[a->v[k].sound] - a->v[k].pos < a->len[a->v[slot].sound] - a->v[slot].pos)
                    slot = k;
        }
        a->v[slot].sound = s;
        a->v[slot].pos = 0;
    }
    SDL_UnlockAudioDevice(a->dev);
}

void ui_audio_close(hd_audio *a)
{
    if (!a)
        return;
    SDL_CloseAudioDevice(a->dev);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    free_audio(a);
}
