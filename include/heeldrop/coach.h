/* coach.h - the cue scheduler: which sound plays at which frame, which words the overlay
 * shows.
 *
 * Pure C (no SDL, no clock): fed once per frame with the frame's time and what the rep
 * engine said about that frame (hd_reps_state and hd_reps_events from reps.h). It turns
 * the engine's events into
 *   - sounds to start at this frame: a soft tick each whole second of a descent, one
 *     distinct tone when the heel passes below step level, one chime for a good rep or
 *     one low tone for a rep with warnings;
 *   - what the overlay shows: the mode (descent with its tempo gauge, hold with its timer,
 *     rest between sets), and the latest rep's verdict, kept on screen for verdict_s.
 * The numbers in the words come from hd_reps_cfg through cues.h.
 *
 * Times: `now_s` is the frame's time in seconds on the rep engine's clock (the same t = 0
 * as hd_reps_state.t). The engine reports events about moments a little in the past (its
 * smoothing delay); the coach starts a sound at the frame that brings the event, never
 * earlier, and counts the descent's ticks from the event's own t, so the ticks fall on
 * whole seconds of the real descent.
 *
 * One coach per session, used from one thread.
 */
#ifndef HEELDROP_COACH_H
#define HEELDROP_COACH_H

#include "heeldrop/reps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sounds (bits of hd_coach_out.sounds). */
enum {
    HD_SOUND_TICK = 1 << 0,  /* soft tick: one more second of the descent */
    HD_SOUND_BELOW = 1 << 1, /* the heel went below step level */
    HD_SOUND_GOOD = 1 << 2,  /* chime: a rep with no warning */
    HD_SOUND_WARN = 1 << 3   /* low tone: a rep with warnings */
};
#define HD_SOUND_COUNT 4

/* What the overlay is coaching right now. */
typedef enum hd_coach_mode {
    HD_COACH_IDLE = 0,    /* nothing going on (before the first rep, or lost) */
    HD_COACH_TOP = 1,     /* up on the toes, ready to lower */
    HD_COACH_DESCENT = 2, /* lowering: the tempo gauge runs (elapsed_s since the start) */
    HD_COACH_HOLD = 3,    /* at the bottom: the hold timer runs */
    HD_COACH_RISE = 4,    /* coming back up */
    HD_COACH_REST = 5     /* between sets: the rest timer runs */
} hd_coach_mode;

/* Kind of the text cue on screen. */
typedef enum hd_cue_kind {
    HD_CUE_NONE = 0,
    HD_CUE_GOOD = 1, /* a good rep's verdict (shown in green) */
    HD_CUE_WARN = 2  /* a rep's warnings in plain words */
} hd_cue_kind;

#define HD_COACH_TEXT 160
#define HD_COACH_MAX_LINES 4

typedef struct hd_coach_cfg {
    hd_reps_cfg reps; /* thresholds: target window, warnings (copied) */
    double verdict_s; /* how long a rep's verdict stays on screen (default 4.0) */
    double tick_s;    /* seconds between ticks in a descent (default 1.0) */
    int max_ticks;    /* no more ticks after this many in one descent (default 10) */
} hd_coach_cfg;

/* The coach's decision for one frame. */
typedef struct hd_coach_out {
    double t;        /* the frame's time (now_s) */
    unsigned sounds; /* HD_SOUND_* bits to start at this frame (0 = silence) */
    hd_coach_mode mode;
    double mode_start_t; /* when the mode began (descent: the drop's t_descent_start) */
    double elapsed_s;    /* now_s - mode_start_t (the gauge, hold and rest timers) */
    int ticks;           /* ticks sounded in this descent so far */
    hd_cue_kind cue;     /* the verdict on screen, or HD_CUE_NONE */
    int cue_lines;       /* lines of text in cue_text (1 for a good rep) */
    char cue_text[HD_COACH_MAX_LINES][HD_COACH_TEXT]; /* a verdict, or one warning per line */
    double cue_age_s;                                 /* how long the verdict has been shown */
    int has_rep;                                      /* rep below is the verdict's rep */
    hd_rep rep;
} hd_coach_out;

typedef struct hd_coach hd_coach;

/* Fills cfg with defaults (reps thresholds from hd_reps_cfg_default()). */
void hd_coach_cfg_default(hd_coach_cfg *cfg);

/* Creates a coach. cfg is copied. Returns HD_OK, HD_ERR_INVALID for a NULL argument or
 * nonsense values (verdict_s or tick_s <= 0), HD_ERR_NOMEM. On failure *out is NULL. */
hd_status hd_coach_create(const hd_coach_cfg *cfg, hd_coach **out);

/* One frame: now_s is the frame's time, st the engine's state after this frame's sample
 * (may be NULL: nothing known, e.g. the camera is lost), ev the events this frame's sample
 * caused (may be NULL). Fills *out (never NULL). Frames must come in time order; a frame
 * whose now_s is before the previous one is treated as the same moment. All borrowed. */
void hd_coach_update(hd_coach *c, double now_s, const hd_reps_state *st, const hd_reps_events *ev,
                     hd_coach_out *out);

/* Forgets the descent in progress and the verdict on screen (recalibration, pause).
 * Counts live in the rep engine, not here. */
void hd_coach_reset(hd_coach *c);

/* Frees the coach. NULL is fine. */
void hd_coach_destroy(hd_coach *c);

/* "tick", "below", "good", "warn" for bit index i (0..HD_SOUND_COUNT-1); "?" otherwise. */
const char *hd_sound_name(int i);

#ifdef __cplusplus
}
#endif
#endif
