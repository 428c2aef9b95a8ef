/* coach.c - the cue scheduler: rep-engine events in, sounds and overlay words out.
 *
 * Pure C on purpose (no SDL): the live loop, the review window and the unit tests all run
 * it on frame timestamps. See coach.h for the contract. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "heeldrop/coach.h"
#include "heeldrop/cues.h"

struct hd_coach {
    hd_coach_cfg cfg;
    double last_t; /* previous frame's now_s */
    hd_coach_mode mode;
    double mode_start_t;
    int ticks;         /* ticks sounded in this descent */
    int below_sounded; /* the below-step tone played in this descent */
    int sounded_index; /* index of the last rep that got its chime or low tone */
    hd_cue_kind cue;
    double cue_t; /* when the verdict appeared */
    unsigned cue_warnings;
    int cue_lines;
    char cue_text[HD_COACH_MAX_LINES][HD_COACH_TEXT];
    int has_rep;
    hd_rep rep;
};

void hd_coach_cfg_default(hd_coach_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    hd_reps_cfg_default(&cfg->reps);
    cfg->verdict_s = 4.0;
    cfg->tick_s = 1.0;
    cfg->max_ticks = 10;
}

hd_status hd_coach_create(const hd_coach_cfg *cfg, hd_coach **out)
{
    if (!out)
        return hd_fail(HD_ERR_INVALID, "coach: no output pointer");
    *out = NULL;
    if (!cfg)
        return hd_fail(HD_ERR_INVALID, "coach: no configuration");
    if (!(cfg->verdict_s > 0.0) || !(cfg->tick_s > 0.0) || cfg->max_ticks < 0)
        return hd_fail(HD_ERR_INVALID, "coach: verdict_s and tick_s must be > 0");
    hd_coach *c = calloc(1, sizeof(*c));
    if (!c)
        return hd_fail(HD_ERR_NOMEM, "coach: out of memory");
    c->cfg = *cfg;
    c->last_t = -INFINITY;
    c->sounded_index = 0;
    hd_coach_reset(c);
    *out = c;
    return HD_OK;
}

void hd_coach_reset(hd_coach *c)
{
    if (!c)
        return;
    c->mode = HD_COACH_IDLE;
    c->mode_start_t = 0.0;
    c->ticks = 0;
    c->below_sounded = 0;
    c->cue = HD_CUE_NONE;
    c->cue_lines = 0;
    c->has_rep = 0;
}

void hd_coach_destroy(hd_coach *c)
{
    free(c);
}

const char *hd_sound_name(int i)
{
    static const char *const names[HD_SOUND_COUNT] = {"tick", "below", "good", "warn"};
    return i >= 0 && i < HD_SOUND_COUNT ? names[i] : "?";
}

static void set_mode(hd_coach *c, hd_coach_mode m, double t)
{
    c->mode = m;
    c->mode_start_t = t;
}

/* The verdict's words: a good rep's numbers on one line, or one line per warning. */
static void set_verdict(hd_coach *c, const hd_rep *r, double now)
{
    c->has_rep = 1;
    c->rep = *r;
    c->cue_t = now;
    c->cue_warnings = r->warnings;
    c->cue_lines = 0;
    if (!r->warnings) {
        c->cue = HD_CUE_GOOD;
        hd_cue_verdict(r, &c->cfg.reps, c->cue_text[0], HD_COACH_TEXT);
        c->cue_lines = 1;
        return;
    }
    c->cue = HD_CUE_WARN;
    for (int i = 0; i < HD_WARN_COUNT && c->cue_lines < HD_COACH_MAX_LINES; i++) {
        if (r->warnings & (1u << i))
            hd_cue_warning(i, &c->cfg.reps, c->cue_text[c->cue_lines++], HD_COACH_TEXT);
    }
}

/* A provisional or final rep: the verdict, and its sound once per rep. A final rep that
 * only confirms the provisional one changes nothing; one whose warnings changed (partial
 * is decided at t_top) updates the words silently. */
static unsigned on_rep(hd_coach *c, const hd_rep *r, double now, int provisional)
{
    unsigned snd = 0;
    if (r->index != c->sounded_index) {
        c->sounded_index = r->index;
        snd = r->warnings ? HD_SOUND_WARN : HD_SOUND_GOOD;
        set_verdict(c, r, now);
    } else if (c->has_rep && c->rep.index == r->index && r->warnings != c->cue_warnings) {
        double shown = c->cue_t;
        set_verdict(c, r, now);
        c->cue_t = shown;
    }
    if (provisional || c->mode == HD_COACH_DESCENT || c->mode == HD_COACH_HOLD ||
        c->mode == HD_COACH_RISE)
        set_mode(c, HD_COACH_TOP, now);
    return snd;
}

void hd_coach_update(hd_coach *c, double now, const hd_reps_state *st, const hd_reps_events *ev,
                     hd_coach_out *out)
{
    unsigned snd = 0;
    if (now < c->last_t)
        now = c->last_t;
    c->last_t = now;

    for (int i = 0; ev && i < ev->count; i++) {
        const hd_event *e = &ev->ev[i];
        switch (e->kind) {
        case HD_EV_DESCENT_START:
            set_mode(c, HD_COACH_DESCENT, e->t);
            /* The engine knows a drop only once it is certain, often a second or more
             * after it began: seconds already past get no late tick. */
            c->ticks = now > e->t ? (int)floor((now - e->t) / c->cfg.tick_s + 1e-9) : 0;
            c->below_sounded = 0;
            break;
        case HD_EV_BELOW_STEP:
            if (!c->below_sounded) {
                c->below_sounded = 1;
                snd |= HD_SOUND_BELOW;
            }
            break;
        case HD_EV_BOTTOM:
            /* Again when it sank further: the hold starts at the new bottom. */
            set_mode(c, HD_COACH_HOLD, e->t);
            break;
        case HD_EV_REP_PROVISIONAL:
            snd |= on_rep(c, &e->rep, now, 1);
            break;
        case HD_EV_REP:
            snd |= on_rep(c, &e->rep, now, 0);
            break;
        case HD_EV_SET_END:
            set_mode(c, HD_COACH_REST, st && st->rest_since_t >= 0.0 ? st->rest_since_t : e->t);
            break;
        }
    }

    /* Between events the engine's phase says what is going on. */
    if (st) {
        switch (c->mode) {
        case HD_COACH_IDLE:
            if (st->phase == HD_PHASE_TOP)
                set_mode(c, HD_COACH_TOP, st->phase_start_t);
            break;
        case HD_COACH_TOP:
            if (st->phase == HD_PHASE_REST)
                set_mode(c, HD_COACH_IDLE, st->phase_start_t);
            break;
        case HD_COACH_DESCENT:
        case HD_COACH_HOLD:
        case HD_COACH_RISE:
            /* A drop that came to nothing (stepping down, a long dwell): no rep. */
            if (st->phase == HD_PHASE_REST && st->phase_start_t >= c->mode_start_t)
                set_mode(c, HD_COACH_IDLE, st->phase_start_t);
            else if (c->mode == HD_COACH_HOLD && st->phase == HD_PHASE_RISE &&
                     st->phase_start_t >= c->mode_start_t)
                set_mode(c, HD_COACH_RISE, st->phase_start_t);
            break;
        case HD_COACH_REST:
            break;
        }
    }

    /* A tick on each whole second of the descent, at the first frame past it. */
    if (c->mode == HD_COACH_DESCENT) {
        int n = (int)floor((now - c->mode_start_t) / c->cfg.tick_s + 1e-9);
        if (n > c->ticks && c->ticks < c->cfg.max_ticks) {
            c->ticks = n < c->cfg.max_ticks ? n : c->cfg.max_ticks;
            snd |= HD_SOUND_TICK;
        }
    }

    if (c->cue != HD_CUE_NONE && now - c->cue_t >= c->cfg.verdict_s) {
        c->cue = HD_CUE_NONE;
        c->cue_lines = 0;
    }

    memset(out, 0, sizeof(*out));
    out->t = now;
    out->sounds = snd;
    out->mode = c->mode;
    out->mode_start_t = c->mode_start_t;
    out->elapsed_s = now - c->mode_start_t > 0.0 ? now - c->mode_start_t : 0.0;
    out->ticks = c->mode == HD_COACH_DESCENT ? c->ticks : 0;
    out->cue = c->cue;
    out->cue_lines = c->cue_lines;
    memcpy(out->cue_text, c->cue_text, sizeof(out->cue_text));
    out->cue_age_s = c->cue != HD_CUE_NONE ? now - c->cue_t : 0.0;
    out->has_rep = c->has_rep;
    if (c->has_rep)
        out->rep = c->rep;
}
