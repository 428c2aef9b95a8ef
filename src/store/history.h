/* history.h - the sessions, weekly totals and adherence that `heeldrop history` shows and
 * exports (private to src/store and src/cli; the data come from db.h and programme.h). */
#ifndef HEELDROP_HISTORY_H
#define HEELDROP_HISTORY_H

#include <stdio.h>
#include <time.h>

#include "heeldrop/db.h"
#include "heeldrop/programme.h"

typedef struct hd_history_week {
    int64_t start; /* local midnight of the week's first day */
    int prog_week; /* 1-based programme week; 0 before the plan began */
    int sessions;  /* sessions with at least one rep */
    int counted;   /* sessions that count toward the target (per day capped) */
    int reps_left, reps_right, reps_other, valid_reps;
    int target_sessions;     /* 0: no target (no plan, or before it) */
    int target_reps_per_leg; /* per session, in force at the week's start */
    int missed;              /* planned sessions that can no longer be done */
    int adherence_pct;       /* counted / target, -1 without target */
    int in_progress;         /* the week holding now */
} hd_history_week;

typedef struct hd_history {
    int64_t now, from; /* the window shown: [from, now] */
    int has_plan;
    hd_plan plan;
    hd_preset preset;
    hd_db_session_row *sessions; /* in the window, oldest first */
    int nsessions;
    hd_history_week *weeks;
    int nweeks;
    int target_total, counted_total, missed_total, adherence_pct; /* -1 without target */
    int any_load;                                                 /* a session logged added load */
    hd_advice advice; /* for the next session (valid when has_plan) */
} hd_history;

/* Builds the history up to now over the last `weeks` weeks (0 = everything). Week rows
 * start on the plan's start weekday (Monday without a plan). HD_ERR_MODEL (the plan's
 * preset is broken), HD_ERR_IO, HD_ERR_NOMEM. Free with hd_history_free(). */
hd_status hd_history_build(hd_db *db, time_t now, int weeks, hd_history *out);
void hd_history_free(hd_history *h);

/* The table for a terminal. */
void hd_history_print(const hd_history *h, FILE *f);

/* Exports (written to a temporary file and renamed): JSON of everything, CSV one row per
 * session. HD_ERR_IO naming the file. */
hd_status hd_history_write_json(const hd_history *h, const char *path);
hd_status hd_history_write_csv(const hd_history *h, const char *path);

/* Prints "Next session: KIND" and the reason wrapped under it (indented, <= 90 columns). */
void hd_history_print_advice(FILE *f, const hd_advice *a);

/* Reps per leg per session of the plan's dose in force in programme weeks 1..nweeks (up
 * to t; later weeks 0), replaying the plan once. HD_ERR_IO. */
hd_status hd_programme_week_doses(hd_db *db, const hd_plan *plan, const hd_preset *p, int64_t t,
                                  int *per_week, int nweeks);

#endif
