/* cues.h - the words HeelDrop says about a rep, built from the configured thresholds.
 *
 * Every number in a cue comes from hd_reps_cfg, never written separately, so changing a
 * threshold changes what the user is told (PROTOCOL.md section 3). */
#ifndef HEELDROP_CUES_H
#define HEELDROP_CUES_H

#include <stddef.h>

#include "heeldrop/reps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The plain-words cue for warning bit index i (0..HD_WARN_COUNT-1), e.g.
 * "Too fast: lower over 3-6 s". Writes into buf and returns it. */
const char *hd_cue_warning(int i, const hd_reps_cfg *cfg, char *buf, size_t size);

/* A one-line verdict for a rep: "Good rep: down 3.4 s, hold 1.1 s, 42 mm below step" or the
 * first warning's cue followed by the others' names. */
const char *hd_cue_verdict(const hd_rep *r, const hd_reps_cfg *cfg, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
