/* cues.c - plain-words cues built from the configured thresholds. */
#include <stdio.h>
#include <string.h>

#include "heeldrop/cues.h"

const char *hd_cue_warning(int i, const hd_reps_cfg *c, char *buf, size_t size)
{
    switch (i) {
    case 0:
        snprintf(buf, size, "Too fast: lower over %g-%g s", c->target_lo_s, c->target_hi_s);
        break;
    case 1:
        if (c->insertional)
            snprintf(buf, size, "Hold at step level for at least %g s", c->min_hold_s);
        else
            snprintf(buf, size, "Go below step level and hold %g s", c->min_hold_s);
        break;
    case 2:
        snprintf(buf, size, "Don't stretch hard: come up within %g s", c->long_hold_s);
        break;
    case 3:
        snprintf(buf, size, "Hold still at the bottom: no bouncing");
        break;
    case 4:
        snprintf(buf, size, "Lower on one foot only");
        break;
    case 5:
        snprintf(buf, size, "Rise fully on two feet before lowering");
        break;
    case 6:
        snprintf(buf, size, "Heel not seen clearly: keep your feet in view");
        break;
    default:
        snprintf(buf, size, "?");
    }
    return buf;
}

const char *hd_cue_verdict(const hd_rep *r, const hd_reps_cfg *c, char *buf, size_t size)
{
    if (!r->warnings) {
        if (r->depth_mm > 0)
            snprintf(buf, size, "Good rep: down %.1f s, hold %.1f s, %.0f mm below step",
                     r->descent_s, r->hold_s, r->depth_mm);
        else
            snprintf(buf, size, "Good rep: down %.1f s, hold %.1f s", r->descent_s, r->hold_s);
        return buf;
    }
    for (int i = 0; i < HD_WARN_COUNT; i++) {
        if (r->warnings & (1u << i)) {
            hd_cue_warning(i, c, buf, size);
            break;
        }
    }
    return buf;
}
