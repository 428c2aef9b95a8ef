/* review_model.c - the overlay's state at any moment of a finished session, computed from
 * its reps (so seeking anywhere shows what live mode showed there). Pure C, no SDL. */
#include <math.h>
#include <string.h>

#include "heeldrop/cues.h"
#include "heeldrop/ui.h"

void hd_review_state_at(const hd_rep *reps, int nreps, const hd_reps_cfg *cfg, double t,
                        double verdict_s, hd_reps_state *st, hd_coach_out *co, int *current_rep)
{
    memset(st, 0, sizeof(*st));
    memset(co, 0, sizeof(*co));
    st->t = t;
    st->heel_mm = NAN;
    st->rest_since_t = -1;
    st->phase = HD_PHASE_REST;
    co->t = t;
    co->mode = HD_COACH_IDLE;
    int cur = -1, last_done = -1;
    for (int i = 0; i < nreps; i++) {
        const hd_rep *r = &reps[i];
        if (r->t_descent_start <= t)
            cur = i;
        if (r->t_top <= t) {
            last_done = i;
            st->reps++;
            if (r->foot >= 0 && r->foot <= 2)
                st->reps_by_foot[r->foot]++;
        }
    }
    if (current_rep)
        *current_rep = cur;
    if (last_done >= 0) {
        const hd_rep *l = &reps[last_done];
        st->set = l->set;
        st->rest_since_t = l->t_top;
        st->has_last = 1;
        st->last_rep = *l;
        for (int i = last_done; i >= 0 && reps[i].set == l->set; i--)
            st->reps_in_set++;
    }
    if (cur >= 0 && cur != last_done) {
        /* Inside a rep: descent, hold or rise. */
        const hd_rep *r = &reps[cur];
        if (last_done < 0 || reps[last_done].set != r->set) {
            st->set = r->set;
            st->reps_in_set = 0;
        }
        if (t < r->t_bottom) {
            co->mode = HD_COACH_DESCENT;
            co->mode_start_t = r->t_descent_start;
            st->phase = HD_PHASE_DESCENT;
        } else if (t < r->t_hold_end) {
            co->mode = HD_COACH_HOLD;
            co->mode_start_t = r->t_bottom;
            st->phase = HD_PHASE_HOLD;
        } else {
            co->mode = HD_COACH_RISE;
            co->mode_start_t = r->t_hold_end;
            st->phase = HD_PHASE_RISE;
        }
        co->ticks = co->mode == HD_COACH_DESCENT ? (int)floor(t - r->t_descent_start) : 0;
    } else if (last_done >= 0) {
        const hd_rep *l = &reps[last_done];
        int next_new_set = last_done + 1 >= nreps || reps[last_done + 1].set != l->set;
        if (next_new_set && t - l->t_top >= cfg->set_gap_s) {
            co->mode = HD_COACH_REST;
            co->mode_start_t = l->t_top;
        } else {
            co->mode = HD_COACH_TOP;
            co->mode_start_t = l->t_top;
            st->phase = HD_PHASE_TOP;
        }
    }
    /* The last rep's verdict stays for verdict_s, into the next descent too (as live). */
    if (last_done >= 0 && t - reps[last_done].t_top < verdict_s) {
        const hd_rep *l = &reps[last_done];
        co->has_rep = 1;
        co->rep = *l;
        co->cue_age_s = t - l->t_top;
        if (!l->warnings) {
            co->cue = HD_CUE_GOOD;
            hd_cue_verdict(l, cfg, co->cue_text[0], HD_COACH_TEXT);
            co->cue_lines = 1;
        } else {
            co->cue = HD_CUE_WARN;
            for (int i = 0; i < HD_WARN_COUNT && co->cue_lines < HD_COACH_MAX_LINES; i++)
                if (l->warnings & (1u << i))
                    hd_cue_warning(i, cfg, co->cue_text[co->cue_lines++], HD_COACH_TEXT);
        }
    }
    st->phase_start_t = co->mode_start_t;
    co->elapsed_s = t - co->mode_start_t > 0 ? t - co->mode_start_t : 0;
}
