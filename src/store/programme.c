/* programme.c - presets, the plan, the advice from the pain log and today's target.
 *
 * The plan's stage is a pure function of the plan's start, the preset and the pain log:
 * it is replayed week by week from the start (state_at), so history can show the target
 * in force in any past week and the result never depends on when a command was run. The
 * programme row keeps the latest result as a cache (hd_programme_refresh).
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heeldrop/paths.h"
#include "heeldrop/programme.h"
#include "store/db_internal.h"
#include "store/history.h"

#define WEEK_S (7 * 86400)
#define DAY_S 86400
#define PAIN_LIMIT 5 /* acceptable pain during exercise (Silbernagel et al. 2007) */

/* ---- presets ----------------------------------------------------------------------- */

static hd_status bad(const char *path, const char *what)
{
    return hd_fail(HD_ERR_MODEL, "programme preset %s: %s", path, what);
}

static int get_int(const cJSON *o, const char *key, int lo, int hi, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return lo <= *out && *out <= hi;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return 0;
    *out = (int)v->valuedouble;
    return 1;
}

static int get_str(const cJSON *o, const char *key, char *buf, size_t n, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v)) {
        buf[0] = '\0';
        return !required && !v;
    }
    snprintf(buf, n, "%s", v->valuestring);
    return 1;
}

static hd_status parse_preset(const char *path, const cJSON *root, hd_preset *p)
{
    char msg[160];
    const cJSON *arr, *it;

    memset(p, 0, sizeof(*p));
    if (!cJSON_IsObject(root))
        return bad(path, "not a JSON object");
    if (!get_str(root, "name", p->name, sizeof(p->name), 1) || !p->name[0])
        return bad(path, "field \"name\" missing");
    get_str(root, "title", p->title, sizeof(p->title), 0);
    get_str(root, "source", p->source, sizeof(p->source), 0);
    get_str(root, "progression", p->progression, sizeof(p->progression), 0);
    arr = cJSON_GetObjectItemCaseSensitive(root, "knee");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1)
        return bad(path, "field \"knee\" must list \"straight\" and/or \"bent\"");
    cJSON_ArrayForEach(it, arr)
    {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, "straight"))
            p->knee_straight = 1;
        else if (cJSON_IsString(it) && !strcmp(it->valuestring, "bent"))
            p->knee_bent = 1;
        else
            return bad(path, "field \"knee\": only \"straight\" and \"bent\" are known");
    }
    if (!get_int(root, "sessions_per_day", 0, 6, &p->sessions_per_day))
        return bad(path, "field \"sessions_per_day\" missing or not 0-6");
    if (!get_int(root, "sessions_per_week", 1, 42, &p->sessions_per_week))
        return bad(path, "field \"sessions_per_week\" missing or not 1-42");
    if (!get_int(root, "non_consecutive", 0, 1, &p->non_consecutive))
        return bad(path, "field \"non_consecutive\" missing or not true/false");
    if (!get_int(root, "weeks", 0, 520, &p->weeks))
        return bad(path, "field \"weeks\" missing or not 0-520");
    if (!get_int(root, "progress_max_pain", 0, PAIN_LIMIT, &p->progress_max_pain))
        return bad(path, "field \"progress_max_pain\" missing or not 0-5");
    arr = cJSON_GetObjectItemCaseSensitive(root, "stages");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > HD_PROG_MAX_STAGES) {
        snprintf(msg, sizeof(msg), "field \"stages\" must hold 1 to %d stages", HD_PROG_MAX_STAGES);
        return bad(path, msg);
    }
    cJSON_ArrayForEach(it, arr)
    {
        hd_prog_stage *s = &p->stages[p->nstages];
        if (!get_int(it, "sets", 1, 20, &s->sets) ||
            !get_int(it, "reps_per_set", 1, 100, &s->reps_per_set) ||
            !get_int(it, "min_weeks", 1, 52, &s->min_weeks)) {
            snprintf(msg, sizeof(msg),
                     "stage %d needs sets (1-20), reps_per_set (1-100), min_weeks (1-52)",
                     p->nstages + 1);
            return bad(path, msg);
        }
        get_str(it, "note", s->note, sizeof(s->note), 0);
        p->nstages++;
    }
    arr = cJSON_GetObjectItemCaseSensitive(root, "loads_kg");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > HD_PROG_MAX_LOADS)
        return bad(path, "field \"loads_kg\" must list the load steps, starting with 0");
    cJSON_ArrayForEach(it, arr)
    {
        double prev = p->nloads ? p->loads[p->nloads - 1] : -1;
        if (!cJSON_IsNumber(it) || it->valuedouble <= prev || it->valuedouble > 100 ||
            (p->nloads == 0 && it->valuedouble != 0))
            return bad(path, "field \"loads_kg\": steps must start at 0 and grow (<= 100)");
        p->loads[p->nloads++] = it->valuedouble;
    }
    return HD_OK;
}

hd_status hd_preset_load_file(const char *path, hd_preset *out)
{
    char *buf = NULL;
    hd_status st;

    int e = 0;
    buf = hd_read_text(path, 1 << 20, NULL, &e);
    if (!buf)
        return hd_fail(HD_ERR_MODEL, "cannot read programme preset %s: %s", path, strerror(e));
    cJSON *root = cJSON_Parse(buf);
    free(buf);
    if (!root)
        return bad(path, "not valid JSON");
    st = parse_preset(path, root, out);
    cJSON_Delete(root);
    return st;
}

hd_status hd_preset_load(const char *name, hd_preset *out)
{
    char rel[96], path[PATH_MAX];
    hd_status st;

    if (!name || !*name || strlen(name) > 31)
        return hd_fail(HD_ERR_INVALID, "no preset name given (starter, alfredson, guided)");
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
            return hd_fail(HD_ERR_INVALID, "bad preset name '%s'", name);
    snprintf(rel, sizeof(rel), "models/programmes/%s.json", name);
    st = hd_data_path(rel, path, sizeof(path));
    if (st < 0)
        return hd_fail(HD_ERR_MODEL, "programme presets: %s", hd_last_error());
    FILE *f = fopen(path, "rb");
    if (!f && errno == ENOENT)
        return hd_fail(HD_ERR_MODEL,
                       "unknown preset '%s': no %s (presets: starter, alfredson, guided)", name,
                       path);
    if (f)
        fclose(f);
    st = hd_preset_load_file(path, out);
    if (st == HD_OK && strcmp(out->name, name) != 0)
        return bad(path, "its \"name\" does not match the file name");
    return st;
}

/* ---- the plan ---------------------------------------------------------------------- */

hd_status hd_plan_choose(hd_db *db, const char *preset, const char *legs, time_t now, hd_plan *out)
{
    sqlite3_stmt *st = NULL;
    hd_status res;
    if (!legs || (strcmp(legs, "left") && strcmp(legs, "right") && strcmp(legs, "both")))
        return hd_fail(HD_ERR_INVALID, "--leg must be left, right or both");
    if (!preset || !*preset)
        return hd_fail(HD_ERR_INVALID, "no preset name given");
    int64_t start = hd_local_day_start((int64_t)now);
    if ((res = hd_db_exec(db, "BEGIN IMMEDIATE", "choose plan")) < 0)
        return res;
    if ((res = hd_db_exec(db, "UPDATE programme SET active = 0 WHERE active = 1", "choose plan")) <
        0)
        goto fail;
    res = hd_db_prepare(db,
                        "INSERT INTO programme(chosen_at, preset, legs, start_time, stage,"
                        " load_step, stage_since, active) VALUES(?1,?2,?3,?4,1,0,?4,1)",
                        &st);
    if (res < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, (int64_t)now);
    sqlite3_bind_text(st, 2, preset, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, legs, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, start);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        res = hd_db_fail(db, rc, "choose plan");
        goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((res = hd_db_exec(db, "COMMIT", "choose plan")) < 0)
        goto fail;
    if (out) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_last_insert_rowid(db->sql);
        snprintf(out->preset, sizeof(out->preset), "%s", preset);
        snprintf(out->legs, sizeof(out->legs), "%s", legs);
        out->start_time = start;
        out->stage = 1;
        out->stage_since = start;
    }
    return HD_OK;
fail:
    sqlite3_finalize(st);
    sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    return res;
}

hd_status hd_plan_get(hd_db *db, hd_plan *out)
{
    sqlite3_stmt *st;
    hd_status res = hd_db_prepare(db,
                                  "SELECT id, preset, legs, start_time, stage, load_step,"
                                  " stage_since FROM programme WHERE active = 1"
                                  " ORDER BY id DESC LIMIT 1",
                                  &st);
    if (res < 0)
        return res;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        hd_db_copy(out->preset, sizeof(out->preset), sqlite3_column_text(st, 1));
        hd_db_copy(out->legs, sizeof(out->legs), sqlite3_column_text(st, 2));
        out->start_time = sqlite3_column_int64(st, 3);
        out->stage = sqlite3_column_int(st, 4);
        out->load_step = sqlite3_column_int(st, 5);
        out->stage_since = sqlite3_column_int64(st, 6);
        res = HD_OK;
    } else if (rc == SQLITE_DONE) {
        res = HD_EOF;
    } else {
        res = hd_db_fail(db, rc, "read plan");
    }
    sqlite3_finalize(st);
    return res;
}

/* ---- advice ------------------------------------------------------------------------ */

const char *hd_advice_name(hd_advice_kind k)
{
    switch (k) {
    case HD_ADVICE_PROGRESS:
        return "progress";
    case HD_ADVICE_REDUCE:
        return "reduce";
    case HD_ADVICE_KEEP:
        return "keep";
    }
    return "?";
}

static void set_advice(hd_advice *a, hd_advice_kind k, int rule, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void set_advice(hd_advice *a, hd_advice_kind k, int rule, const char *fmt, ...)
{
    va_list ap;
    a->kind = k;
    a->rule = rule;
    va_start(ap, fmt);
    vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
    va_end(ap);
}

/* The plan's dose state. */
typedef struct prog_state {
    int stage;     /* 1-based */
    int load_step; /* 0-based */
    int64_t since; /* when this stage/load began */
} prog_state;

static void describe_next(const hd_preset *p, const prog_state *s, char *buf, size_t n)
{
    if (s->stage < p->nstages) {
        const hd_prog_stage *g = &p->stages[s->stage];
        snprintf(buf, n, "stage %d, %d x %d", s->stage + 1, g->sets, g->reps_per_set);
    } else if (s->load_step + 1 < p->nloads) {
        snprintf(buf, n, "%.1f kg added load", p->loads[s->load_step + 1]);
    } else {
        buf[0] = '\0';
    }
}

/* What the advice needs of the latest session. */
typedef struct last_session {
    int64_t id, start_time, end_time; /* end: recorded, else start + its last rep's end */
} last_session;

/* The latest session with at least one rep that started at or before now (one query:
 * the advice is evaluated once per programme week when a plan is replayed). */
static hd_status latest_session(hd_db *db, int64_t now, last_session *out, int *found)
{
    sqlite3_stmt *st;
    hd_status res =
        hd_db_prepare(db,
                      "SELECT s.id, s.start_time, COALESCE(s.end_time, s.start_time +"
                      " CAST(ROUND(COALESCE(s.duration_s, (SELECT MAX(r.t_top) FROM reps r"
                      " WHERE r.session_id = s.id), 0)) AS INTEGER))"
                      " FROM sessions s WHERE s.start_time <= ?1 AND EXISTS (SELECT 1 FROM reps r"
                      " WHERE r.session_id = s.id) ORDER BY s.start_time DESC, s.id DESC LIMIT 1",
                      &st);
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, now);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->start_time = sqlite3_column_int64(st, 1);
        out->end_time = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return hd_db_fail(db, rc, "read the latest session");
    return HD_OK;
}

/* The advice at time now with the dose state s (NULL: rules 5-7 judged without a plan). */
static hd_status advise(hd_db *db, const hd_preset *p, const prog_state *s, int64_t now,
                        hd_advice *out)
{
    hd_db_pain_row *pain = NULL;
    int npain = 0, have_last = 0;
    last_session lastbuf = {0, 0, 0};
    const last_session *last = &lastbuf;
    hd_status res;

    memset(out, 0, sizeof(*out));
    if ((res = latest_session(db, now, &lastbuf, &have_last)) < 0)
        return res;
    if ((res = hd_db_pain_list(db, 0, now + 1, &pain, &npain)) < 0)
        return res;

    /* Rule 1: next-morning pain worse than before. */
    const hd_db_pain_row *m1 = NULL, *m0 = NULL;
    for (int i = npain - 1; i >= 0; i--) {
        if (!pain[i].morning)
            continue;
        if (!m1)
            m1 = &pain[i];
        else {
            m0 = &pain[i];
            break;
        }
    }
    if (m1 && m0 && m1->value > m0->value) {
        set_advice(out, HD_ADVICE_REDUCE, 1,
                   "morning pain %d/10 is worse than the morning before (%d/10): reduce the "
                   "load (next-morning pain must not be worse than before)",
                   m1->value, m0->value);
        goto done;
    }

    /* The latest session (with reps) and the pain logged for it. */
    if (!have_last) {
        set_advice(out, HD_ADVICE_KEEP, 4, "no session yet: start with the plan's first dose");
        goto done;
    }
    int worst = -1, any_after = 0;
    for (int i = 0; i < npain; i++) {
        if (pain[i].t >= last->start_time)
            any_after = 1;
        if (pain[i].session_id == last->id && !pain[i].morning && pain[i].value > worst)
            worst = pain[i].value;
    }
    /* Rule 2: pain during the exercise above the acceptable 5. */
    if (worst > PAIN_LIMIT) {
        set_advice(out, HD_ADVICE_REDUCE, 2,
                   "pain during the last session was %d/10, above the acceptable %d/10: "
                   "reduce the load",
                   worst, PAIN_LIMIT);
        goto done;
    }
    /* Rule 3: soreness not settled within 24 h of the session. */
    int64_t end = last->end_time;
    int baseline = 0;
    const hd_db_pain_row *late = NULL;
    for (int i = 0; i < npain; i++) {
        if (pain[i].morning && pain[i].t < last->start_time)
            baseline = pain[i].value;
        if (pain[i].t >= end + DAY_S)
            late = &pain[i];
    }
    if (late && late->value > baseline) {
        set_advice(out, HD_ADVICE_KEEP, 3,
                   "soreness has not settled within 24 h of the last session (%d/10 a day "
                   "later, %d/10 before it): keep the dose until it settles",
                   late->value, baseline);
        goto done;
    }
    /* Rule 4: nothing to judge on. */
    if (!any_after) {
        set_advice(out, HD_ADVICE_KEEP, 4,
                   "no pain logged since the last session: log it with 'heeldrop pain N' "
                   "(and the next morning with --morning)");
        goto done;
    }
    int current = worst;
    if (m1 && m1->t >= last->start_time && m1->value > current)
        current = m1->value;
    if (current < 0)
        current = m1 && m1->t >= last->start_time ? m1->value : 0;
    if (!s || !p) {
        set_advice(out, HD_ADVICE_KEEP, 5, "pain is within limits (%d/10); no plan chosen",
                   current);
        goto done;
    }
    /* Rule 5: the stage's minimum weeks. */
    const hd_prog_stage *g = &p->stages[s->stage - 1];
    int64_t weeks_done = (now - s->since) / WEEK_S;
    if (weeks_done < g->min_weeks) {
        set_advice(out, HD_ADVICE_KEEP, 5,
                   "pain is within limits (%d/10); stay at this dose for at least %d week%s "
                   "(week %d of it now)",
                   current, g->min_weeks, g->min_weeks == 1 ? "" : "s", (int)weeks_done + 1);
        goto done;
    }
    /* Rule 6: the preset's progress limit. */
    if (current > p->progress_max_pain) {
        if (p->progress_max_pain == 0)
            set_advice(out, HD_ADVICE_KEEP, 6,
                       "pain %d/10 is acceptable (up to %d) but this programme adds load only "
                       "once the exercise is pain-free",
                       current, PAIN_LIMIT);
        else
            set_advice(out, HD_ADVICE_KEEP, 6,
                       "pain %d/10 is acceptable but above %d/10, this programme's limit for "
                       "progressing",
                       current, p->progress_max_pain);
        goto done;
    }
    /* Rule 7. */
    char next[64];
    describe_next(p, s, next, sizeof(next));
    if (next[0])
        set_advice(out, HD_ADVICE_PROGRESS, 7,
                   "pain %d/10 and the morning not worse than before: progress to %s", current,
                   next);
    else
        set_advice(out, HD_ADVICE_KEEP, 7,
                   "pain %d/10 and the morning not worse than before; the plan is at its "
                   "full dose",
                   current);
done:
    free(pain);
    return HD_OK;
}

/* Replays the plan's weeks up to t. per_week (may be NULL) gets the reps per leg per
 * session in force in each programme week 1..nweeks up to t. */
static int stage_reps(const hd_preset *p, const prog_state *s)
{
    return p->stages[s->stage - 1].sets * p->stages[s->stage - 1].reps_per_set *
           (p->knee_straight + p->knee_bent);
}

static hd_status replay(hd_db *db, const hd_plan *plan, const hd_preset *p, int64_t t,
                        prog_state *s, int *per_week, int nweeks)
{
    int week = 0;
    s->stage = 1;
    s->load_step = 0;
    s->since = plan->start_time;
    if (per_week && nweeks > 0)
        per_week[week] = stage_reps(p, s);
    for (int64_t b = plan->start_time + WEEK_S; b <= t; b += WEEK_S) {
        hd_advice a;
        hd_status res = advise(db, p, s, b, &a);
        if (res < 0)
            return res;
        if (a.kind == HD_ADVICE_PROGRESS) {
            if (s->stage < p->nstages)
                s->stage++;
            else if (s->load_step + 1 < p->nloads)
                s->load_step++;
            s->since = b;
        } else if (a.kind == HD_ADVICE_REDUCE && (s->load_step > 0 || s->stage > 1)) {
            if (s->load_step > 0)
                s->load_step--;
            else
                s->stage--;
            s->since = b;
        }
        if (per_week && ++week < nweeks)
            per_week[week] = stage_reps(p, s);
    }
    return HD_OK;
}

static hd_status state_at(hd_db *db, const hd_plan *plan, const hd_preset *p, int64_t t,
                          prog_state *s)
{
    return replay(db, plan, p, t, s, NULL, 0);
}

hd_status hd_programme_advice(hd_db *db, const hd_plan *plan, const hd_preset *preset, time_t now,
                              hd_advice *out)
{
    prog_state s;
    hd_status res;
    if (!plan || !preset)
        return advise(db, NULL, NULL, (int64_t)now, out);
    if ((res = state_at(db, plan, preset, (int64_t)now, &s)) < 0)
        return res;
    return advise(db, preset, &s, (int64_t)now, out);
}

hd_status hd_programme_refresh(hd_db *db, hd_plan *plan, const hd_preset *preset, time_t now)
{
    prog_state s;
    sqlite3_stmt *st;
    hd_status res = state_at(db, plan, preset, (int64_t)now, &s);
    if (res < 0)
        return res;
    if (s.stage == plan->stage && s.load_step == plan->load_step && s.since == plan->stage_since)
        return HD_OK;
    plan->stage = s.stage;
    plan->load_step = s.load_step;
    plan->stage_since = s.since;
    res = hd_db_prepare(db,
                        "UPDATE programme SET stage=?2, load_step=?3, stage_since=?4"
                        " WHERE id=?1",
                        &st);
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, plan->id);
    sqlite3_bind_int(st, 2, s.stage);
    sqlite3_bind_int(st, 3, s.load_step);
    sqlite3_bind_int64(st, 4, s.since);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_READONLY)
        return hd_db_fail(db, rc, "store plan");
    return HD_OK;
}

/* ---- today's target ---------------------------------------------------------------- */

/* The dose of state s, lowered when the advice is reduce. */
static void dose(const hd_preset *p, const prog_state *s, int reduce, int *sets, int *reps,
                 double *load, int *reduced)
{
    int stage = s->stage, step = s->load_step;
    *reduced = 0;
    if (reduce) {
        *reduced = 1;
        if (step > 0)
            step--;
        else if (stage > 1)
            stage--;
    }
    *sets = p->stages[stage - 1].sets;
    *reps = p->stages[stage - 1].reps_per_set;
    *load = p->loads[step];
    if (reduce && s->load_step == 0 && s->stage == 1)
        *reps = *reps - *reps / 3; /* a third fewer reps (HeelDrop's choice) */
}

int hd_target_reps_per_leg(const hd_target *t)
{
    return t->sets * t->reps_per_set * (t->knee_straight + t->knee_bent);
}

hd_status hd_programme_today(hd_db *db, time_t now, hd_target *out)
{
    hd_plan plan;
    hd_preset p;
    prog_state s;
    hd_db_session_row *ses = NULL;
    int nses = 0;
    hd_status res;

    memset(out, 0, sizeof(*out));
    res = hd_plan_get(db, &plan);
    if (res == HD_EOF)
        return HD_OK;
    if (res < 0)
        return res;
    if ((res = hd_preset_load(plan.preset, &p)) < 0)
        return res;
    if ((res = hd_programme_refresh(db, &plan, &p, now)) < 0)
        return res;
    s.stage = plan.stage;
    s.load_step = plan.load_step;
    s.since = plan.stage_since;
    if ((res = advise(db, &p, &s, (int64_t)now, &out->advice)) < 0)
        return res;
    out->has_plan = 1;
    snprintf(out->preset, sizeof(out->preset), "%s", plan.preset);
    snprintf(out->legs, sizeof(out->legs), "%s", plan.legs);
    int64_t day = hd_local_day_start((int64_t)now);
    out->week = (int)((day - plan.start_time) / WEEK_S) + 1;
    if (out->week < 1)
        out->week = 1;
    out->stage = plan.stage;
    dose(&p, &s, out->advice.kind == HD_ADVICE_REDUCE, &out->sets, &out->reps_per_set,
         &out->load_kg, &out->reduced);
    out->knee_straight = p.knee_straight;
    out->knee_bent = p.knee_bent;
    out->sessions_per_day = p.sessions_per_day;
    out->sessions_per_week = p.sessions_per_week;
    out->training_day = 1;

    int64_t yesterday = hd_local_day_start(day - DAY_S / 2);
    if ((res = hd_db_sessions_list(db, yesterday, 0, &ses, &nses)) < 0)
        return res;
    for (int i = 0; i < nses; i++) {
        const hd_db_session_row *r = &ses[i];
        if (r->reps == 0 || r->start_time > (int64_t)now)
            continue;
        if (r->start_time < day) {
            if (p.non_consecutive)
                out->training_day = 0;
            continue;
        }
        out->sessions_today++;
        out->reps_today_left += r->reps_left;
        out->reps_today_right += r->reps_right;
        out->reps_today_other += r->reps_other;
    }
    free(ses);
    /* valid reps per leg: from the reps themselves */
    sqlite3_stmt *st;
    res = hd_db_prepare(db,
                        "SELECT COALESCE(r.leg, ''), COUNT(*) FROM reps r JOIN sessions s"
                        " ON s.id = r.session_id WHERE s.start_time >= ?1 AND"
                        " s.start_time <= ?2 AND NOT EXISTS (SELECT 1 FROM warnings w WHERE"
                        " w.session_id = r.session_id AND w.rep_idx = r.idx)"
                        " GROUP BY COALESCE(r.leg, '')",
                        &st);
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, day);
    sqlite3_bind_int64(st, 2, (int64_t)now);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *leg = (const char *)sqlite3_column_text(st, 0);
        int c = sqlite3_column_int(st, 1);
        if (!strcmp(leg, "left"))
            out->valid_today_left += c;
        else if (!strcmp(leg, "right"))
            out->valid_today_right += c;
        else
            out->valid_today_other += c;
    }
    sqlite3_finalize(st);
    return HD_OK;
}

hd_status hd_programme_week_doses(hd_db *db, const hd_plan *plan, const hd_preset *p, int64_t t,
                                  int *per_week, int nweeks)
{
    prog_state s;
    for (int i = 0; i < nweeks; i++)
        per_week[i] = 0;
    return replay(db, plan, p, t, &s, per_week, nweeks);
}

/* ---- texts from the seeds ---------------------------------------------------------- */

const char *hd_programme_readiness_text(void)
{
    return "Readiness test (seed 000): stand on tip-toe on the affected foot and stay there "
           "for a second.\nIf that is too painful, you are not ready for heel drops yet: "
           "rest first.";
}

const char *hd_programme_safety_text(void)
{
    return "- Rise on two feet, lower on one slowly (3-5 s); hold briefly below the step, do "
           "not stretch hard.\n"
           "- Pain during the exercise up to 5/10 is acceptable; pain and stiffness the next "
           "morning\n  must not be worse than before; soreness should settle within 24 h "
           "(Silbernagel 2007;\n  seed 003).\n"
           "- It may get worse before it gets better (seed 001).\n"
           "- Don't do heel drops just before running (001); right after a run is fine, and "
           "leave rest days\n  between runs (002).\n"
           "- HeelDrop is a training aid, not a diagnosis: if you are in pain or concerned, "
           "see a\n  professional (001).";
}

const char *hd_programme_load_caution(void)
{
    return "Caution (seed 001): if you add weight, only do so on a flat floor, never off a "
           "step. Add load only\nonce the exercise is pain-free, and check with your physio "
           "if unsure (seed 002).";
}
