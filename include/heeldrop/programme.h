/* programme.h - training programmes (presets), the chosen plan, today's target and the
 * advice for the next session from the pain log.
 *
 * Presets are JSON files in models/programmes/<name>.json (see its README for where each
 * number comes from: ../shared/PROTOCOL.md section 4). The plan (preset, legs, start
 * date, current stage) is stored in the session database (db.h).
 *
 * Stages: a preset has one or more stages (dose per session). The plan starts at stage 1;
 * at each full programme week since the stage began, once the stage's minimum weeks are
 * done, the advice at that moment moves it: "progress" one stage up (or one load step
 * up when there is no further stage), "reduce" one stage (or load step) down, "keep"
 * stays. hd_programme_refresh() applies the weeks passed and stores the result.
 *
 * Advice (pain monitoring, Silbernagel et al. 2007, and seed 003), first rule that
 * matches wins, evaluated over the pain log up to "now":
 *   1. reduce: the latest morning rating is worse (higher) than the morning before;
 *   2. reduce: pain logged for the latest session is above 5 (acceptable is up to 5);
 *   3. keep:   soreness after the latest session has not settled within 24 h (a rating
 *              24 h or more after it is still above the morning before the session);
 *   4. keep:   no pain logged since the latest session (nothing to judge on);
 *   5. keep:   the stage's minimum weeks are not done yet (pain within limits);
 *   6. keep:   pain is above the preset's progress limit (Alfredson: only when pain-free);
 *   7. progress otherwise (keep when the plan is already at its full dose).
 * When the advice is "reduce" the next session's target is one stage (or load step)
 * lower; at the first stage with no load, a third fewer reps per set.
 * Threading: as db.h (one thread per hd_db handle); presets are plain data.
 */
#ifndef HEELDROP_PROGRAMME_H
#define HEELDROP_PROGRAMME_H

#include <stdint.h>
#include <time.h>

#include "heeldrop/db.h"
#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HD_PROG_MAX_STAGES 12
#define HD_PROG_MAX_LOADS 12

typedef struct hd_prog_stage {
    int sets; /* per knee variant per leg */
    int reps_per_set;
    int min_weeks; /* weeks at this stage before it can progress */
    char note[160];
} hd_prog_stage;

typedef struct hd_preset {
    char name[32]; /* "starter", "alfredson", "guided" */
    char title[96];
    char source[200];             /* citation */
    int knee_straight, knee_bent; /* variants trained each session (1/0) */
    int sessions_per_day;         /* 0: the programme counts sessions per week */
    int sessions_per_week;        /* target per week (per_day * days when per day) */
    int non_consecutive;          /* 1: training days must not follow each other */
    int weeks;                    /* programme length, 0 = open */
    int progress_max_pain;        /* highest pain (0-10) at which the plan may progress */
    int nstages;
    hd_prog_stage stages[HD_PROG_MAX_STAGES];
    int nloads; /* added-load steps in kg, loads[0] = 0 */
    double loads[HD_PROG_MAX_LOADS];
    char progression[240]; /* text shown with the plan */
} hd_preset;

/* Loads models/programmes/<name>.json (name: letters, digits, '-' and '_' only).
 * HD_ERR_INVALID (bad name), HD_ERR_MODEL (missing, unreadable, not JSON, a field missing
 * or out of range; the message names the file and the field). */
hd_status hd_preset_load(const char *name, hd_preset *out);

/* Same, from a file path. */
hd_status hd_preset_load_file(const char *path, hd_preset *out);

/* The plan as stored. */
typedef struct hd_plan {
    int64_t id;
    char preset[32];
    char legs[8];        /* "left", "right", "both" */
    int64_t start_time;  /* local midnight of the start day */
    int stage;           /* 1-based index into the preset's stages */
    int load_step;       /* index into loads[] once the stages are done */
    int64_t stage_since; /* when the stage (or load step) began */
} hd_plan;

/* Chooses a plan: stores preset name, legs and start (local midnight of now) at stage 1.
 * Replaces the current plan (earlier ones stay in the table). HD_ERR_INVALID, HD_ERR_IO. */
hd_status hd_plan_choose(hd_db *db, const char *preset, const char *legs, time_t now, hd_plan *out);

/* The current plan: HD_OK, HD_EOF when none was chosen, HD_ERR_IO. */
hd_status hd_plan_get(hd_db *db, hd_plan *out);

typedef enum hd_advice_kind {
    HD_ADVICE_KEEP = 0,
    HD_ADVICE_PROGRESS = 1,
    HD_ADVICE_REDUCE = 2
} hd_advice_kind;

typedef struct hd_advice {
    hd_advice_kind kind;
    int rule;         /* 1..7 as in the list above */
    char reason[240]; /* one sentence, with the numbers that decided it */
} hd_advice;

/* "keep", "progress", "reduce". */
const char *hd_advice_name(hd_advice_kind k);

/* The advice for the next session from the pain log and sessions up to now, for plan
 * (may be NULL: rule 5/6 are then skipped) under preset. HD_ERR_IO. */
hd_status hd_programme_advice(hd_db *db, const hd_plan *plan, const hd_preset *preset, time_t now,
                              hd_advice *out);

/* Applies the programme weeks passed up to now (see above) to plan and stores it.
 * HD_ERR_IO. */
hd_status hd_programme_refresh(hd_db *db, hd_plan *plan, const hd_preset *preset, time_t now);

/* Today's target for the live overlay. */
typedef struct hd_target {
    int has_plan; /* 0: no plan chosen; the rest is zero */
    char preset[32];
    char legs[8]; /* "left", "right", "both" */
    int week;     /* programme week (1-based) */
    int stage;    /* 1-based */
    int sets;     /* sets per knee variant per leg */
    int reps_per_set;
    int knee_straight, knee_bent; /* variants to do (1/0); both: straight first */
    int sessions_per_day;         /* 0: counted per week (sessions_per_week) */
    int sessions_per_week;
    double load_kg;     /* the load step in force (0: bodyweight) */
    int training_day;   /* 0 when a non-consecutive programme trained yesterday */
    int reduced;        /* 1: sets/reps/load lowered because the advice is reduce */
    int sessions_today; /* sessions today with at least one rep */
    int reps_today_left, reps_today_right, reps_today_other; /* all reps today */
    int valid_today_left, valid_today_right, valid_today_other;
    hd_advice advice; /* for the next session */
} hd_target;

/* Fills out for the local day of now (refreshing the plan's stage first). It queries the
 * database (about 2 ms with 16 weeks of twice-daily sessions): call it when a session
 * starts and after each rep, not every frame. When no plan was chosen returns HD_OK with
 * has_plan 0. HD_ERR_MODEL (the plan's preset file is missing or broken), HD_ERR_IO. */
hd_status hd_programme_today(hd_db *db, time_t now, hd_target *out);

/* Reps per leg per session this target asks for (sets x reps x knee variants). */
int hd_target_reps_per_leg(const hd_target *t);

/* Safety texts from the seeds, shown at the right moments (static strings). */
const char *hd_programme_readiness_text(void); /* before starting a plan (seed 000) */
const char *hd_programme_safety_text(void);    /* with a plan (seeds 001, 002, 003) */
const char *hd_programme_load_caution(void);   /* when load is logged (seed 001) */

#ifdef __cplusplus
}
#endif
#endif
