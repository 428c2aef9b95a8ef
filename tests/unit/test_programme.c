/* test_programme.c - presets, the plan's stages and the advice from sequences of pain
 * entries: each pain-monitoring rule of PROTOCOL.md section 4 (see programme.h), today's
 * target, non-consecutive days, bad preset files.
 *
 * Needs HEELDROP_DATA_DIR (set by CTest) to find models/programmes/. TZ=UTC.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heeldrop/db.h"
#include "heeldrop/programme.h"
#include "store/history.h"
#include "test.h"

#define T0 1740960000LL /* Monday 2025-03-03 00:00 UTC */
#define H 3600LL
#define D 86400LL

static char tmpdir[PATH_MAX];
static int dbn;

static hd_db *fresh_db(const char *preset, const char *legs)
{
    char path[PATH_MAX + 32];
    hd_db *db = NULL;
    snprintf(path, sizeof(path), "%s/p%d.db", tmpdir, ++dbn);
    if (hd_db_open(path, &db) < 0) {
        fprintf(stderr, "open: %s\n", hd_last_error());
        return NULL;
    }
    if (preset && hd_plan_choose(db, preset, legs, (time_t)(T0 + 8 * H), NULL) < 0)
        fprintf(stderr, "plan: %s\n", hd_last_error());
    return db;
}

/* A finished session at t with n reps on leg (the first `warned` of them too fast). */
static int64_t session(hd_db *db, int64_t t, int n, const char *leg, int warned)
{
    char uid[32];
    int64_t sid = 0;
    snprintf(uid, sizeof(uid), "s%lld", (long long)t);
    hd_db_session info = {.uid = uid, .start_time = t, .near_leg = "left"};
    CHECK(hd_db_session_begin(db, &info, &sid) == HD_OK);
    for (int i = 1; i <= n; i++) {
        hd_rep r = {.index = i,
                    .set = 1,
                    .foot = 1,
                    .descent_s = 3.5,
                    .hold_s = 0.5,
                    .t_descent_start = i * 10.0,
                    .t_top = i * 10.0 + 5};
        r.warnings = i <= warned ? HD_WARN_TOO_FAST : 0;
        CHECK(hd_db_rep_add(db, sid, &r, leg) == HD_OK);
    }
    CHECK(hd_db_session_end(db, sid, t + 300, 300, 9000, 0, HD_SESSION_DONE) == HD_OK);
    return sid;
}

static void pain(hd_db *db, int64_t t, int v, int morning, int64_t sid)
{
    CHECK(hd_db_pain_add(db, t, v, morning, sid, NULL, NULL) == HD_OK);
}

static hd_advice advice(hd_db *db, int64_t now)
{
    hd_plan plan;
    hd_preset p;
    hd_advice a = {0};
    a.rule = -1;
    if (hd_plan_get(db, &plan) == HD_OK && hd_preset_load(plan.preset, &p) == HD_OK)
        CHECK(hd_programme_advice(db, &plan, &p, (time_t)now, &a) == HD_OK);
    else
        CHECK(hd_programme_advice(db, NULL, NULL, (time_t)now, &a) == HD_OK);
    fprintf(stderr, "    %s/%d: %s\n", hd_advice_name(a.kind), a.rule, a.reason);
    return a;
}

static void test_presets(void)
{
    hd_preset p;
    CHECK(hd_preset_load("starter", &p) == HD_OK);
    CHECK(p.sessions_per_week == 4 && p.sessions_per_day == 0 && p.stages[0].sets == 1 &&
          p.stages[0].reps_per_set == 10 && p.stages[1].reps_per_set == 15);
    CHECK(hd_preset_load("alfredson", &p) == HD_OK);
    CHECK(p.nstages == 1 && p.stages[0].sets == 3 && p.stages[0].reps_per_set == 15);
    CHECK(p.knee_straight && p.knee_bent && p.sessions_per_day == 2 && p.weeks == 12);
    CHECK(p.sessions_per_week == 14 && p.progress_max_pain == 0 && p.nloads > 1);
    CHECK(hd_preset_load("guided", &p) == HD_OK);
    CHECK(p.sessions_per_week == 3 && p.non_consecutive && p.stages[0].sets == 2 &&
          p.stages[0].reps_per_set == 8 && p.stages[p.nstages - 1].sets == 3 &&
          p.stages[p.nstages - 1].reps_per_set == 12);

    CHECK(hd_preset_load("nope", &p) == HD_ERR_MODEL);
    CHECK(strstr(hd_last_error(), "unknown preset 'nope'") != NULL);
    CHECK(hd_preset_load("../etc/passwd", &p) == HD_ERR_INVALID);
    CHECK(hd_preset_load("", &p) == HD_ERR_INVALID);

    const char *broken[] = {
        "{ not json",
        "[1,2]",
        "{\"name\":\"x\"}",
        "{\"name\":\"x\",\"knee\":[\"sideways\"]}",
        "{\"name\":\"x\",\"knee\":[\"straight\"],\"sessions_per_day\":0,\"sessions_per_week\":3,"
        "\"non_consecutive\":false,\"weeks\":0,\"progress_max_pain\":5,\"stages\":[{\"sets\":0,"
        "\"reps_per_set\":10,\"min_weeks\":1}],\"loads_kg\":[0]}",
        "{\"name\":\"x\",\"knee\":[\"straight\"],\"sessions_per_day\":0,\"sessions_per_week\":3,"
        "\"non_consecutive\":false,\"weeks\":0,\"progress_max_pain\":5,\"stages\":[{\"sets\":2,"
        "\"reps_per_set\":10,\"min_weeks\":1}],\"loads_kg\":[5]}",
    };
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/broken.json", tmpdir);
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        FILE *f = fopen(path, "w");
        fputs(broken[i], f);
        fclose(f);
        CHECK(hd_preset_load_file(path, &p) == HD_ERR_MODEL);
        CHECK(strstr(hd_last_error(), "broken.json") != NULL);
    }
    /* the same with valid numbers loads */
    FILE *f = fopen(path, "w");
    fputs("{\"name\":\"x\",\"knee\":[\"bent\"],\"sessions_per_day\":0,\"sessions_per_week\":3,"
          "\"non_consecutive\":false,\"weeks\":0,\"progress_max_pain\":5,\"stages\":[{\"sets\":2,"
          "\"reps_per_set\":10,\"min_weeks\":1}],\"loads_kg\":[0]}",
          f);
    fclose(f);
    CHECK(hd_preset_load_file(path, &p) == HD_OK && p.knee_bent && !p.knee_straight);
    snprintf(path, sizeof(path), "%s/missing.json", tmpdir);
    CHECK(hd_preset_load_file(path, &p) == HD_ERR_MODEL);
}

/* Rule 4: nothing to judge on. */
static void test_rule4_no_data(void)
{
    hd_db *db = fresh_db("starter", "left");
    hd_advice a = advice(db, T0 + 9 * H);
    CHECK(a.kind == HD_ADVICE_KEEP && a.rule == 4 && strstr(a.reason, "no session"));
    session(db, T0 + 9 * H, 10, "left", 0);
    a = advice(db, T0 + 10 * H);
    CHECK(a.kind == HD_ADVICE_KEEP && a.rule == 4 && strstr(a.reason, "no pain logged"));
    hd_db_close(db);
}

/* Rule 2: pain during the session above 5 -> reduce; exactly 5 is acceptable. */
static void test_rule2_session_pain(void)
{
    hd_db *db = fresh_db("starter", "left");
    int64_t s = session(db, T0 + 9 * H, 10, "left", 0);
    pain(db, T0 + 9 * H + 400, 5, 0, s);
    hd_advice a = advice(db, T0 + 10 * H);
    CHECK(a.kind == HD_ADVICE_KEEP && a.rule == 5); /* 5 is within limits, week 1 */
    pain(db, T0 + 9 * H + 500, 6, 0, s);
    a = advice(db, T0 + 10 * H);
    CHECK(a.kind == HD_ADVICE_REDUCE && a.rule == 2 && strstr(a.reason, "6/10"));
    /* and today's target is lowered: stage 1 of starter, a third fewer reps */
    hd_target t;
    CHECK(hd_programme_today(db, (time_t)(T0 + 10 * H), &t) == HD_OK);
    CHECK(t.has_plan && t.reduced && t.sets == 1 && t.reps_per_set == 7);
    CHECK(t.advice.kind == HD_ADVICE_REDUCE);
    hd_db_close(db);
}

/* Rule 1: next-morning pain worse than the morning before -> reduce. */
static void test_rule1_morning_worse(void)
{
    hd_db *db = fresh_db("starter", "left");
    pain(db, T0 + 7 * H, 2, 1, 0);
    int64_t s = session(db, T0 + 9 * H, 10, "left", 0);
    pain(db, T0 + 9 * H + 400, 3, 0, s);
    pain(db, T0 + D + 7 * H, 2, 1, 0); /* same as before: fine */
    hd_advice a = advice(db, T0 + D + 8 * H);
    CHECK(a.kind == HD_ADVICE_KEEP && a.rule == 5);
    pain(db, T0 + 2 * D + 7 * H, 4, 1, 0); /* worse than the morning before */
    a = advice(db, T0 + 2 * D + 8 * H);
    CHECK(a.kind == HD_ADVICE_REDUCE && a.rule == 1 && strstr(a.reason, "4/10") &&
          strstr(a.reason, "2/10"));
    /* a better morning after that lifts it */
    pain(db, T0 + 3 * D + 7 * H, 1, 1, 0);
    a = advice(db, T0 + 3 * D + 8 * H);
    CHECK(a.kind != HD_ADVICE_REDUCE);
    hd_db_close(db);
}

/* Rule 3: soreness not settled within 24 h -> keep (no progress). */
static void test_rule3_not_settled(void)
{
    hd_db *db = fresh_db("starter", "left");
    pain(db, T0 + 7 * D + 7 * H, 1, 1, 0); /* baseline morning */
    int64_t s = session(db, T0 + 8 * D + 9 * H, 10, "left", 0);
    pain(db, T0 + 8 * D + 9 * H + 400, 3, 0, s);
    hd_advice a = advice(db, T0 + 8 * D + 12 * H);
    CHECK(a.kind == HD_ADVICE_PROGRESS && a.rule == 7); /* week 2: could progress */
    pain(db, T0 + 9 * D + 12 * H, 3, 0, 0);             /* 27 h later, still 3 > 1 */
    a = advice(db, T0 + 9 * D + 13 * H);
    CHECK(a.kind == HD_ADVICE_KEEP && a.rule == 3 && strstr(a.reason, "24 h"));
    pain(db, T0 + 9 * D + 20 * H, 1, 0, 0); /* settled back to the baseline */
    a = advice(db, T0 + 9 * D + 21 * H);
    CHECK(a.kind == HD_ADVICE_PROGRESS);
    hd_db_close(db);
}

/* Rules 5 and 7 and the stages: progress only after the stage's weeks; replayed weekly. */
static void test_stages_progress_and_reduce(void)
{
    hd_db *db = fresh_db("starter", "left");
    /* weeks 1 and 2: sessions with mild pain, mornings steady */
    for (int w = 0; w < 2; w++)
        for (int d = 0; d < 4; d++) {
            int64_t t = T0 + (w * 7 + d) * D;
            pain(db, t + 7 * H, 1, 1, 0);
            int64_t s = session(db, t + 9 * H, 10, "left", 0);
            pain(db, t + 9 * H + 400, 2, 0, s);
        }
    hd_target t;
    CHECK(hd_programme_today(db, (time_t)(T0 + 3 * D + 12 * H), &t) == HD_OK);
    CHECK(t.stage == 1 && t.sets == 1 && t.reps_per_set == 10 && t.week == 1);
    CHECK(t.advice.rule == 5);
    CHECK(t.sessions_today == 1 && t.reps_today_left == 10 && t.valid_today_left == 10);
    /* the second week's start: week 1 done with pain in limits -> stage 2 (15 reps) */
    CHECK(hd_programme_today(db, (time_t)(T0 + 7 * D + 12 * H), &t) == HD_OK);
    CHECK(t.stage == 2 && t.reps_per_set == 15 && t.week == 2);
    /* week 3 -> stage 3 (2 x 10) */
    CHECK(hd_programme_today(db, (time_t)(T0 + 14 * D + 12 * H), &t) == HD_OK);
    CHECK(t.stage == 3 && t.sets == 2 && t.reps_per_set == 10 && t.week == 3);
    hd_plan plan;
    CHECK(hd_plan_get(db, &plan) == HD_OK && plan.stage == 3);
    /* a worse morning in week 3 -> at the week-4 boundary the plan steps back to stage 2 */
    pain(db, T0 + 16 * D + 7 * H, 5, 1, 0);
    CHECK(hd_programme_today(db, (time_t)(T0 + 16 * D + 12 * H), &t) == HD_OK);
    CHECK(t.advice.kind == HD_ADVICE_REDUCE && t.reduced && t.stage == 3 && t.sets == 1 &&
          t.reps_per_set == 15); /* the next session: one stage lower */
    CHECK(hd_programme_today(db, (time_t)(T0 + 21 * D + 12 * H), &t) == HD_OK);
    CHECK(t.stage == 2);
    hd_db_close(db);
}

/* Rule 6: Alfredson progresses (adds load) only when pain-free. */
static void test_rule6_alfredson_pain_free(void)
{
    hd_db *db = fresh_db("alfredson", "both");
    int64_t s = session(db, T0 + 8 * D + 7 * H, 90, "left", 0);
    pain(db, T0 + 8 * D + 8 * H, 2, 0, s);
    hd_advice a = advice(db, T0 + 8 * D + 9 * H);
    CHECK(a.kind == HD_ADVICE_KEEP && a.rule == 6 && strstr(a.reason, "pain-free"));
    int64_t s2 = session(db, T0 + 8 * D + 18 * H, 90, "left", 0);
    pain(db, T0 + 8 * D + 19 * H, 0, 0, s2);
    a = advice(db, T0 + 8 * D + 20 * H);
    CHECK(a.kind == HD_ADVICE_PROGRESS && a.rule == 7 && strstr(a.reason, "5.0 kg"));
    hd_target t;
    CHECK(hd_programme_today(db, (time_t)(T0 + 8 * D + 20 * H), &t) == HD_OK);
    CHECK(t.knee_straight && t.knee_bent && t.sets == 3 && t.reps_per_set == 15);
    CHECK(hd_target_reps_per_leg(&t) == 90 && t.sessions_per_day == 2);
    CHECK(t.sessions_today == 2 && t.load_kg == 0);
    /* at the next week boundary the load step is taken */
    CHECK(hd_programme_today(db, (time_t)(T0 + 14 * D + 9 * H), &t) == HD_OK);
    CHECK(t.load_kg == 5.0 && t.sessions_today == 0);
    hd_db_close(db);
}

/* Guided: non-consecutive days, first stage lasts two weeks. */
static void test_guided_days(void)
{
    hd_db *db = fresh_db("guided", "right");
    hd_target t;
    session(db, T0 + 9 * H, 16, "right", 3);
    CHECK(hd_programme_today(db, (time_t)(T0 + 12 * H), &t) == HD_OK);
    CHECK(t.training_day && t.sessions_today == 1 && t.reps_today_right == 16 &&
          t.valid_today_right == 13);
    CHECK(hd_programme_today(db, (time_t)(T0 + D + 9 * H), &t) == HD_OK);
    CHECK(!t.training_day && t.sessions_today == 0);
    CHECK(hd_programme_today(db, (time_t)(T0 + 2 * D + 9 * H), &t) == HD_OK);
    CHECK(t.training_day);
    CHECK(t.sets == 2 && t.reps_per_set == 8 && t.sessions_per_week == 3);
    hd_db_close(db);
}

/* Without a plan: advice still judges pain; today has no plan. */
static void test_no_plan(void)
{
    hd_db *db = fresh_db(NULL, NULL);
    hd_target t;
    CHECK(hd_programme_today(db, (time_t)T0, &t) == HD_OK && !t.has_plan);
    int64_t s = session(db, T0 + 9 * H, 10, "left", 0);
    pain(db, T0 + 9 * H + 100, 7, 0, s);
    hd_advice a = advice(db, T0 + 10 * H);
    CHECK(a.kind == HD_ADVICE_REDUCE && a.rule == 2);
    CHECK(hd_plan_choose(db, "starter", "sideways", (time_t)T0, NULL) == HD_ERR_INVALID);
    hd_db_close(db);
}

/* History's weekly counting: per-day cap, missed sessions, the current week, the end of a
 * 12-week programme. */
static void test_history_weeks(void)
{
    hd_db *db = fresh_db("alfredson", "both");
    hd_history h;
    /* week 1: 3 sessions on day 1 (only 2 count), 2 on days 2-6, none on day 7 */
    for (int k = 0; k < 3; k++)
        session(db, T0 + 7 * H + k * 4 * H, 30, "left", 0);
    for (int d = 1; d < 6; d++)
        for (int k = 0; k < 2; k++)
            session(db, T0 + d * D + 7 * H + k * 10 * H, 30, k ? "right" : "left", 1);
    /* week 2: one session on its first day, now = day 3 of week 2 at noon */
    session(db, T0 + 7 * D + 7 * H, 30, "left", 0);
    CHECK(hd_history_build(db, (time_t)(T0 + 9 * D + 12 * H), 0, &h) == HD_OK);
    CHECK(h.nweeks == 2 && h.nsessions == 14);
    if (h.nweeks == 2) {
        hd_history_week *a = &h.weeks[0], *b = &h.weeks[1];
        CHECK(a->prog_week == 1 && a->sessions == 13 && a->counted == 12);
        CHECK(a->target_sessions == 14 && a->missed == 2 && a->adherence_pct == 86);
        CHECK(a->reps_left == 30 * 3 + 30 * 5 && a->reps_right == 30 * 5);
        CHECK(a->valid_reps == 13 * 30 - 10);
        CHECK(a->target_reps_per_leg == 90 && !a->in_progress);
        /* week 2: days 1-2 past (4 due, 1 done), today and 4 more days still possible */
        CHECK(b->in_progress && b->sessions == 1 && b->counted == 1);
        CHECK(b->missed == 3 && b->adherence_pct == 25);
    }
    CHECK(h.target_total == 14 + 4 && h.counted_total == 12 + 1 && h.missed_total == 5);
    hd_history_free(&h);
    /* week 13 and later: the 12-week programme is over, no target */
    CHECK(hd_history_build(db, (time_t)(T0 + 12 * 7 * D + H), 2, &h) == HD_OK);
    CHECK(h.nweeks == 2 && h.weeks[0].prog_week == 12 && h.weeks[0].target_sessions == 14);
    CHECK(h.weeks[1].target_sessions == 0 && h.weeks[1].adherence_pct == -1);
    CHECK(h.weeks[0].missed == 14);
    hd_history_free(&h);
    hd_db_close(db);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/hd-test-programme-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    setenv("TZ", "UTC", 1);
    setenv("XDG_DATA_HOME", tmpdir, 1);
    RUN(test_presets);
    RUN(test_rule4_no_data);
    RUN(test_rule2_session_pain);
    RUN(test_rule1_morning_worse);
    RUN(test_rule3_not_settled);
    RUN(test_stages_progress_and_reduce);
    RUN(test_rule6_alfredson_pain_free);
    RUN(test_guided_days);
    RUN(test_no_plan);
    RUN(test_history_weeks);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (!hd_test_failures && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return TEST_EXIT();
}
