/* ui.h - the SDL2 window: video, overlay, input, screenshots and audio cues.
 *
 * The live loop fills a plain hd_view each frame and hands it to hd_ui_present(); the UI
 * draws it and never calls the tracker or the rep engine, so every state can be drawn
 * from a hand-made view (the screenshot tests do). Sounds are chosen by the cue
 * scheduler (coach.h) and played with hd_ui_play().
 *
 * Environment: SDL_VIDEODRIVER=dummy with cfg.software = 1 draws with no display
 * (tests, benchmark); SDL_AUDIODRIVER=disk writes the samples played to SDL_DISKAUDIOFILE.
 *
 * Threading: one hd_ui per process, created, used and destroyed on the main thread (SDL's
 * rule for video and events). hd_ui_trace_* are plain functions usable anywhere.
 */
#ifndef HEELDROP_UI_H
#define HEELDROP_UI_H

#include <stdint.h>

#include "heeldrop/coach.h"
#include "heeldrop/frame.h"
#include "heeldrop/reps.h"
#include "heeldrop/status.h"
#include "heeldrop/tracker.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hd_ui hd_ui;

typedef struct hd_ui_cfg {
    int width, height;          /* window size in pixels (default 1280 x 720) */
    int fullscreen;             /* 1: start full screen (desktop resolution) */
    int software;               /* 1: SDL_RENDERER_SOFTWARE (tests, benchmark); 0: accelerated
                                 * when available, software otherwise */
    int vsync;                  /* 1: present with vsync (default 0: never wait for the screen) */
    int mute;                   /* 1: start muted */
    int audio;                  /* 1: open an audio device (default); 0: no sound at all and no
                                 * notice (screenshot tests) */
    const char *font_path;      /* TrueType font; NULL = a system sans font (fc-match, then
                                 * DejaVuSans): none found is HD_ERR_NOTFOUND */
    const char *font_bold_path; /* bold font for the count and the cue; NULL = found like
                                 * font_path (DejaVuSans-Bold, else font_path) */
    const char *title;          /* window title (NULL = "HeelDrop") */
} hd_ui_cfg;

/* --- The heel-height trace: a small ring the loop fills, the overlay scrolls. --------- */

#define HD_UI_TRACE_CAP 1024 /* about 34 s at 30 fps; the overlay shows the last 10 s */

typedef struct hd_ui_trace_pt {
    double t;           /* seconds, the rep engine's clock */
    float heel_mm;      /* smoothed or raw heel height; ignored when lost */
    unsigned char lost; /* 1: no heel at this frame */
} hd_ui_trace_pt;

typedef struct hd_ui_trace {
    hd_ui_trace_pt pt[HD_UI_TRACE_CAP];
    int start, count; /* oldest point and number of points */
} hd_ui_trace;

/* Empties the ring. */
void hd_ui_trace_clear(hd_ui_trace *tr);
/* Adds a point (the oldest one falls out when full). Points come in time order. */
void hd_ui_trace_push(hd_ui_trace *tr, double t, double heel_mm, int lost);
/* The i-th point from the oldest (0 <= i < count). */
const hd_ui_trace_pt *hd_ui_trace_at(const hd_ui_trace *tr, int i);

/* --- What to draw ---------------------------------------------------------------------- */

typedef enum hd_near_leg {
    HD_NEAR_UNKNOWN = 0, /* reps named "near" and "far" */
    HD_NEAR_LEFT = 1,    /* the near foot is the left one */
    HD_NEAR_RIGHT = 2
} hd_near_leg;

/* Today's target from the programme (issue 4 item 6). */
typedef struct hd_ui_target {
    int valid;        /* 0: no programme chosen; nothing drawn */
    int sets;         /* sets ... */
    int reps;         /* ... of this many reps per leg */
    const char *knee; /* "straight", "bent" or NULL */
    int done;         /* reps done today towards it (all legs), the progress */
    int total;        /* reps planned today (all legs) */
} hd_ui_target;

#define HD_UI_MAX_NOTICES 4

/* Everything one frame of the overlay shows. All pointers are borrowed for the call of
 * hd_ui_present() only; any may be NULL where said. */
typedef struct hd_view {
    const hd_frame *frame;       /* YUV420P or GRAY8 picture; NULL = none (camera lost) */
    const hd_marks *marks;       /* this frame's landmarks; NULL = none yet */
    const hd_scene *scene;       /* step edge etc.; NULL or !valid = not calibrated */
    const hd_reps_state *reps;   /* counts, phase; NULL = no engine yet */
    const hd_reps_cfg *reps_cfg; /* thresholds (target window, depth band); NULL = defaults */
    const hd_coach_out *coach;   /* mode, timers, verdict; NULL = nothing to coach */
    const hd_ui_trace *trace;    /* recent heel heights; NULL = no trace drawn */
    hd_near_leg near_leg;
    hd_ui_target target;
    int camera_lost;                        /* 1: the camera is gone; reps so far are kept */
    int paused;                             /* 1: paused by the user */
    int64_t dropped;                        /* frames dropped so far (shown when > 0) */
    int setup_hint;                         /* HD_HINT_* from the tracker; NONE = locked on */
    int recording;                          /* 1: video is being recorded (a small red dot) */
    const char *notices[HD_UI_MAX_NOTICES]; /* short lines shown at the top; NULL ends */
} hd_view;

/* The words the overlay uses for a setup hint (HD_HINT_*); "" for HD_HINT_NONE. */
const char *hd_ui_hint_text(int hint);

/* --- Window ------------------------------------------------------------------------------ */

/* Fills cfg with defaults. */
void hd_ui_cfg_default(hd_ui_cfg *cfg);

/* Opens the window (title "HeelDrop", resizable) and, when cfg->audio, the audio device.
 * Returns HD_OK; HD_ERR_DEVICE when SDL's video cannot start (no display: the message
 * names SDL's reason); HD_ERR_NOTFOUND when no font is found (the message names the
 * paths tried). No audio device is not an error: the UI shows the notice "No audio
 * device: visual cues only" (see hd_ui_audio_ok()). cfg is copied. On failure *out is
 * NULL. */
hd_status hd_ui_create(const hd_ui_cfg *cfg, hd_ui **out);

/* Closes the window and the audio device. NULL is fine. */
void hd_ui_destroy(hd_ui *ui);

/* Draws one frame of the view and shows it. Text textures that did not change are
 * reused; the video texture is reallocated only when the frame size changes. Returns
 * HD_OK, or HD_ERR_INTERNAL when SDL fails (message set). v is borrowed for the call. */
hd_status hd_ui_present(hd_ui *ui, const hd_view *v);

/* --- Input -------------------------------------------------------------------------------- */

typedef enum hd_ui_event_kind {
    HD_UI_NONE = 0,
    HD_UI_QUIT,        /* Q, Esc or the window closed */
    HD_UI_PAUSE,       /* Space: toggle pause */
    HD_UI_RECALIBRATE, /* C */
    HD_UI_NEAR_LEFT,   /* L: the near foot is the left one */
    HD_UI_NEAR_RIGHT,  /* R */
    HD_UI_MUTE,        /* M: the UI has toggled its mute; ev.muted is the new state */
    HD_UI_SCREENSHOT,  /* S: the loop saves one with hd_ui_screenshot() */
    HD_UI_STEP_EDGE,   /* the step line was dragged: ev.step_edge, FRAME coordinates */
    HD_UI_FULLSCREEN,  /* F or F11: the UI has toggled full screen (informational) */
    HD_UI_KEY,         /* another key: ev.key is its SDL keycode (review window) */
    HD_UI_CLICK,       /* a left click not on the step line: ev.x, ev.y window px */
    HD_UI_SEEK,        /* review: the timeline was clicked: ev.t seconds */
    HD_UI_PICK_REP     /* review: a rep in the list was clicked: ev.rep (0-based) */
} hd_ui_event_kind;

typedef struct hd_ui_event {
    hd_ui_event_kind kind;
    double step_edge[4]; /* HD_UI_STEP_EDGE: x0, y0, x1, y1 in frame pixels */
    int muted;           /* HD_UI_MUTE: 1 now muted */
    int key;             /* HD_UI_KEY: SDL keycode (letters are lower case ASCII) */
    int x, y;            /* HD_UI_CLICK: window (renderer output) pixels */
    double t;            /* HD_UI_SEEK: seconds */
    int rep;             /* HD_UI_PICK_REP: index into hd_review_view.reps */
} hd_ui_event;

/* Takes the next input event without waiting. Returns 1 with *ev filled, 0 when none is
 * waiting. Window resizes, F/F11 (full screen) and M (mute) are also handled inside
 * the UI. Dragging the step line (grab it within a few pixels, while a scene or a dragged
 * line exists) reports HD_UI_STEP_EDGE when the button is released; the window-to-frame
 * mapping accounts for the letterbox of the last presented frame. */
int hd_ui_poll(hd_ui *ui, hd_ui_event *ev);

/* Queues a key press as if it came from the keyboard (key: an SDL keycode; letters and
 * digits are their lower-case ASCII). For scripted runs and tests. HD_OK, or
 * HD_ERR_INTERNAL when SDL's event queue refuses it. */
hd_status hd_ui_push_key(hd_ui *ui, int key);

/* --- Output ------------------------------------------------------------------------------- */

/* Writes the last presented picture as a PNG (written to a temporary name, then
 * renamed). Returns HD_OK, HD_ERR_INVALID before the first present, HD_ERR_IO when the
 * file cannot be written (message names the path). */
hd_status hd_ui_screenshot(hd_ui *ui, const char *path);

/* Asks hd_ui_present() to keep a copy of every presented picture (for recording the
 * overlay). Off by default: reading pixels back costs time. */
void hd_ui_set_capture(hd_ui *ui, int on);

/* Size of the rendered picture (renderer output) in pixels. */
void hd_ui_output_size(const hd_ui *ui, int *w, int *h);

/* Copies the last presented picture as packed RGB24 rows of `stride` bytes into buf
 * (at least stride * h bytes, w and h from hd_ui_output_size() at that present).
 * Returns HD_OK, or HD_ERR_INVALID when capture is off or nothing was presented yet. */
hd_status hd_ui_read_rgb(const hd_ui *ui, uint8_t *buf, int stride);

/* --- Sound -------------------------------------------------------------------------------- */

/* Starts the sounds in `sounds` (HD_SOUND_* bits, from hd_coach_out) now, mixed over
 * whatever is still playing. Does nothing when muted or without an audio device. */
void hd_ui_play(hd_ui *ui, unsigned sounds);

/* Mute state (M toggles it; the overlay shows a muted symbol). */
void hd_ui_set_muted(hd_ui *ui, int muted);
int hd_ui_muted(const hd_ui *ui);

/* 1 when an audio device is open and cues can sound. */
int hd_ui_audio_ok(const hd_ui *ui);

/* --- Review window (heeldrop review) -------------------------------------------------- */

/* One frame of the review window: the video with its overlay on the left, the rep list
 * on the right, the session's heel-height timeline across the bottom. Borrowed for the
 * call of hd_ui_present_review() only. */
typedef struct hd_review_view {
    hd_view live;       /* the picture and overlay at the current moment */
    const hd_rep *reps; /* all reps of the session, in time order */
    int nreps;
    int current_rep;         /* index of the rep at or before t (-1 none): highlighted */
    const double *tl_t;      /* the whole session's heel trace for the timeline: times */
    const float *tl_heel_mm; /* ... heights (NaN = lost) */
    int tl_n;
    double t;                 /* the current moment, seconds */
    double duration_s;        /* the session's length (timeline span) */
    int playing;              /* 1 playing, 0 paused */
    double speed;             /* 1, 0.5, 0.25 */
    const char *title;        /* session id or video name, shown above the list */
    const char *leg_names[3]; /* labels for hd_foot 0..2 ("?", "left", "right" ...) */
} hd_review_view;

/* What the overlay shows at moment t (seconds) of a finished session, from its final reps
 * (time order) and thresholds: counts as of t (a rep counts once its t_top is past), the
 * set, the mode (descent with its gauge, hold, rise, rest once a set's gap has passed), and
 * the verdict for verdict_s after each rep's t_top. *current_rep: the index of the rep in
 * progress or last begun (-1 none). Pure (no SDL); all pointers borrowed. */
void hd_review_state_at(const hd_rep *reps, int nreps, const hd_reps_cfg *cfg, double t,
                        double verdict_s, hd_reps_state *st, hd_coach_out *co, int *current_rep);

/* Draws the review window. Clicks on the timeline come back from hd_ui_poll() as
 * HD_UI_SEEK, clicks on a rep in the list as HD_UI_PICK_REP. Returns like
 * hd_ui_present(). */
hd_status hd_ui_present_review(hd_ui *ui, const hd_review_view *rv);

#ifdef __cplusplus
}
#endif
#endif
