/* history.c - sessions, weekly totals against the plan, adherence and missed sessions.
 *
 * Everything shown is computed from the database and HEELDROP_NOW, with dates in local
 * time, so the output is deterministic for a fixed TZ (the golden tests use TZ=UTC).
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "heeldrop/paths.h"
#include "store/db_internal.h"
#include "store/history.h"

/* t moved by n local days (keeps midnight across daylight-saving changes). */
static int64_t add_days(int64_t t, int n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_mday += n;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static int weekday(int64_t t) /* 0 = Monday */
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return (tm.tm_wday + 6) % 7;
}

/* The start of the week holding t, weeks starting on anchor's weekday. */
static int64_t week_start(int64_t t, int64_t anchor)
{
    int64_t day = hd_local_day_start(t);
    int back = (weekday(day) - weekday(anchor) + 7) % 7;
    return add_days(day, -back);
}

static void fmt_date(int64_t t, char *buf, size_t n, const char *fmt)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, n, fmt, &tm);
}

void hd_history_free(hd_history *h)
{
    if (!h)
        return;
    free(h->sessions);
    free(h->weeks);
    memset(h, 0, sizeof(*h));
}

hd_status hd_history_build(hd_db *db, time_t now_t, int weeks, hd_history *h)
{
    hd_status res;
    int64_t now = (int64_t)now_t;
    hd_db_session_row *all = NULL;
    int nall = 0;

    memset(h, 0, sizeof(*h));
    h->now = now;
    h->target_total = h->counted_total = h->missed_total = 0;
    res = hd_plan_get(db, &h->plan);
    if (res < 0)
        return res;
    if (res == HD_OK) {
        h->has_plan = 1;
        if ((res = hd_preset_load(h->plan.preset, &h->preset)) < 0)
            return res;
        if ((res = hd_programme_refresh(db, &h->plan, &h->preset, now_t)) < 0)
            return res;
        if ((res = hd_programme_advice(db, &h->plan, &h->preset, now_t, &h->advice)) < 0)
            return res;
    }
    if ((res = hd_db_sessions_list(db, 0, now + 1, &all, &nall)) < 0)
        return res;

    /* Week anchor and the window. */
    int64_t anchor = h->has_plan ? h->plan.start_time : hd_local_day_start(now);
    if (!h->has_plan)
        anchor = add_days(anchor, -weekday(anchor)); /* a Monday */
    int64_t cur = week_start(now, anchor);
    int64_t first = cur;
    if (weeks > 0) {
        first = add_days(cur, -7 * (weeks - 1));
    } else {
        if (nall > 0 && all[0].start_time < first)
            first = week_start(all[0].start_time, anchor);
        if (h->has_plan && h->plan.start_time < first)
            first = week_start(h->plan.start_time, anchor);
    }
    h->from = first;

    /* Sessions in the window. */
    int k0 = 0;
    while (k0 < nall && all[k0].start_time < first)
        k0++;
    h->nsessions = nall - k0;
    if (h->nsessions > 0) {
        h->sessions = malloc((size_t)h->nsessions * sizeof(*h->sessions));
        if (!h->sessions) {
            free(all);
            return hd_fail(HD_ERR_NOMEM, "out of memory");
        }
        memcpy(h->sessions, all + k0, (size_t)h->nsessions * sizeof(*h->sessions));
    }
    free(all);
    for (int i = 0; i < h->nsessions; i++)
        if (h->sessions[i].load_kg > 0)
            h->any_load = 1;

    /* Week rows. */
    int cap = 0;
    for (int64_t w = first; w <= now; w = add_days(w, 7))
        cap++;
    h->weeks = calloc((size_t)(cap > 0 ? cap : 1), sizeof(*h->weeks));
    if (!h->weeks)
        return hd_fail(HD_ERR_NOMEM, "out of memory");
    int nprog = 0, *doses = NULL;
    if (h->has_plan) {
        nprog = (int)((now - h->plan.start_time) / (7 * 86400)) + 2;
        doses = calloc((size_t)nprog, sizeof(*doses));
        if (!doses)
            return hd_fail(HD_ERR_NOMEM, "out of memory");
        if ((res = hd_programme_week_doses(db, &h->plan, &h->preset, now, doses, nprog)) < 0) {
            free(doses);
            return res;
        }
    }
    int64_t w = first;
    int si = 0;
    for (int k = 0; k < cap; k++, w = add_days(w, 7)) {
        hd_history_week *wk = &h->weeks[h->nweeks++];
        int64_t end = add_days(w, 7);
        int per_day = h->has_plan ? h->preset.sessions_per_day : 0;
        int day_count[7] = {0};
        wk->start = w;
        wk->in_progress = now < end;
        wk->adherence_pct = -1;
        for (; si < h->nsessions && h->sessions[si].start_time < end; si++) {
            const hd_db_session_row *s = &h->sessions[si];
            if (s->reps == 0)
                continue;
            wk->sessions++;
            wk->reps_left += s->reps_left;
            wk->reps_right += s->reps_right;
            wk->reps_other += s->reps_other;
            wk->valid_reps += s->valid_reps;
            int d = 0;
            while (d < 6 && s->start_time >= add_days(w, d + 1))
                d++;
            day_count[d]++;
        }
        if (!h->has_plan || w < h->plan.start_time)
            continue;
        if (h->preset.weeks > 0 &&
            (w - h->plan.start_time) >= (int64_t)h->preset.weeks * 7 * 86400 - 3600)
            continue; /* the programme is over */
        wk->prog_week = (int)((w - h->plan.start_time + 3600) / (7 * 86400)) + 1;
        wk->target_sessions = h->preset.sessions_per_week;
        wk->target_reps_per_leg =
            wk->prog_week - 1 < nprog ? doses[wk->prog_week - 1] : doses[nprog - 1];
        /* Count toward the target: per-day programmes at most per_day a day, others at
         * most one a day; days still to come (today included) could still be trained. */
        int cap_day = per_day > 0 ? per_day : 1;
        int days_left = 0;
        for (int d = 0; d < 7; d++) {
            wk->counted += day_count[d] < cap_day ? day_count[d] : cap_day;
            if (add_days(w, d + 1) > now)
                days_left++;
        }
        if (wk->counted > wk->target_sessions)
            wk->counted = wk->target_sessions;
        int possible = days_left * cap_day;
        if (h->preset.non_consecutive)
            possible = (days_left + 1) / 2;
        int missed = wk->target_sessions - wk->counted - possible;
        wk->missed = missed > 0 ? missed : 0;
        if (!wk->in_progress) {
            wk->adherence_pct = (int)lround(100.0 * wk->counted / wk->target_sessions);
            h->target_total += wk->target_sessions;
            h->counted_total += wk->counted;
        } else {
            /* the week so far: what could have been done by now */
            int due = wk->target_sessions - possible;
            if (due > 0) {
                wk->adherence_pct =
                    (int)lround(100.0 * (wk->counted < due ? wk->counted : due) / due);
                h->target_total += due;
                h->counted_total += wk->counted < due ? wk->counted : due;
            }
        }
        h->missed_total += wk->missed;
    }
    free(doses);
    h->adherence_pct =
        h->target_total > 0 ? (int)lround(100.0 * h->counted_total / h->target_total) : -1;
    return HD_OK;
}

/* ---- the table --------------------------------------------------------------------- */

static void fmt_duration(double s, char *buf, size_t n)
{
    if (!(s >= 0)) {
        snprintf(buf, n, "-");
        return;
    }
    long v = lround(s < 359999 ? s : 359999);
    snprintf(buf, n, "%d:%02d", (int)(v / 60), (int)(v % 60));
}

void hd_history_print(const hd_history *h, FILE *f)
{
    char d1[32], d2[32];
    if (h->nsessions == 0 && !h->has_plan) {
        fprintf(f, "No sessions yet. Start one with 'heeldrop live', or choose a programme "
                   "first with\n'heeldrop plan --preset starter --leg left'.\n");
        return;
    }
    fmt_date(h->from, d1, sizeof(d1), "%Y-%m-%d");
    fmt_date(h->now, d2, sizeof(d2), "%Y-%m-%d");
    fprintf(f, "HeelDrop history %s to %s\n", d1, d2);
    if (h->has_plan) {
        fmt_date(h->plan.start_time, d1, sizeof(d1), "%Y-%m-%d");
        fprintf(f, "Plan: %s, %s leg%s, since %s\n", h->plan.preset, h->plan.legs,
                strcmp(h->plan.legs, "both") ? "" : "s", d1);
    }
    fprintf(f, "\n");
    if (h->nsessions == 0) {
        fprintf(f, "No sessions in this period.\n");
    } else {
        fprintf(f, "%-10s %-5s %-6s %6s %5s %5s %5s %5s %7s %4s %4s %5s  %s\n", "date", "time",
                "source", "dur", "left", "right", "other", "valid", "descent", "warn", "pain",
                "load", "status");
        for (int i = 0; i < h->nsessions; i++) {
            const hd_db_session_row *s = &h->sessions[i];
            char dur[16], desc[16], pain[16], load[16];
            fmt_date(s->start_time, d1, sizeof(d1), "%Y-%m-%d");
            fmt_date(s->start_time, d2, sizeof(d2), "%H:%M");
            fmt_duration(s->duration_s, dur, sizeof(dur));
            if (isnan(s->mean_descent_s))
                snprintf(desc, sizeof(desc), "-");
            else
                snprintf(desc, sizeof(desc), "%.1f s", s->mean_descent_s);
            if (s->pain >= 0)
                snprintf(pain, sizeof(pain), "%d", s->pain);
            else
                snprintf(pain, sizeof(pain), "-");
            if (s->load_kg > 0)
                snprintf(load, sizeof(load), "%.1f", s->load_kg);
            else
                snprintf(load, sizeof(load), "-");
            fprintf(f, "%-10s %-5s %-6s %6s %5d %5d %5d %5d %7s %4d %4s %5s  %s\n", d1, d2,
                    s->source_kind == HD_SOURCE_FILE ? "video" : "camera", dur, s->reps_left,
                    s->reps_right, s->reps_other, s->valid_reps, desc, s->warnings_total, pain,
                    load, hd_session_status_name(s->status));
        }
        int files = 0;
        for (int i = 0; i < h->nsessions; i++)
            files += h->sessions[i].source_kind == HD_SOURCE_FILE;
        if (files)
            fprintf(f, "(source \"video\": run on a saved video with 'heeldrop live --source', "
                       "not the camera)\n");
    }

    fprintf(f, "\nWeekly totals\n");
    fprintf(f, "%-10s %-4s %8s %6s %5s %5s %5s %5s %10s %9s %6s\n", "week", "plan", "sessions",
            "target", "left", "right", "other", "valid", "reps/leg", "adherence", "missed");
    for (int i = 0; i < h->nweeks; i++) {
        const hd_history_week *w = &h->weeks[i];
        char pw[16], tgt[16], rpl[16], adh[16], mis[16];
        fmt_date(w->start, d1, sizeof(d1), "%Y-%m-%d");
        snprintf(pw, sizeof(pw), w->prog_week ? "W%d" : "-", w->prog_week);
        if (w->target_sessions) {
            snprintf(tgt, sizeof(tgt), "%d", w->target_sessions);
            snprintf(rpl, sizeof(rpl), "%d", w->target_reps_per_leg * w->target_sessions);
            snprintf(mis, sizeof(mis), "%d", w->missed);
        } else {
            snprintf(tgt, sizeof(tgt), "-");
            snprintf(rpl, sizeof(rpl), "-");
            snprintf(mis, sizeof(mis), "-");
        }
        if (w->adherence_pct >= 0)
            snprintf(adh, sizeof(adh), "%d%%", w->adherence_pct);
        else
            snprintf(adh, sizeof(adh), "-");
        fprintf(f, "%-10s %-4s %8d %6s %5d %5d %5d %5d %10s %9s %6s%s\n", d1, pw, w->sessions, tgt,
                w->reps_left, w->reps_right, w->reps_other, w->valid_reps, rpl, adh, mis,
                w->in_progress ? "  (this week)" : "");
    }
    if (h->adherence_pct >= 0)
        fprintf(f, "\nAdherence: %d%% (%d of %d planned sessions so far), missed: %d\n",
                h->adherence_pct, h->counted_total, h->target_total, h->missed_total);
    if (h->has_plan)
        hd_history_print_advice(f, &h->advice);
    if (h->any_load)
        fprintf(f, "\n%s\n", hd_programme_load_caution());
}

void hd_history_print_advice(FILE *f, const hd_advice *a)
{
    const char *p = a->reason;
    fprintf(f, "Next session: %s\n", hd_advice_name(a->kind));
    while (*p) {
        size_t n = strlen(p);
        if (n > 86) {
            n = 86;
            while (n > 20 && p[n] != ' ')
                n--;
        }
        fprintf(f, "  %.*s\n", (int)n, p);
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* ---- exports ----------------------------------------------------------------------- */

static double round3(double v)
{
    return round(v * 1000.0) / 1000.0;
}

/* Health data: an export is private (0600) like the database it comes from. */
static hd_status commit_private(void *fv, const char *tmp, const char *path)
{
    if (fchmod(fileno((FILE *)fv), 0600) != 0) {
        hd_atomic_abort(fv, tmp);
        return hd_fail(HD_ERR_IO, "cannot make %s private: %s", path, strerror(errno));
    }
    return hd_atomic_commit(fv, tmp, path);
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
    char buf[40];
    if (t <= 0) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    fmt_date(t, buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z");
    cJSON_AddStringToObject(o, key, buf);
}

hd_status hd_history_write_json(const hd_history *h, const char *path)
{
    cJSON *root = cJSON_CreateObject();
    char tmp[PATH_MAX + 32], d[32];
    void *fv = NULL;
    hd_status st;

    if (!root)
        return hd_fail(HD_ERR_NOMEM, "out of memory");
    cJSON_AddStringToObject(root, "kind", "history");
    add_time(root, "now", h->now);
    add_time(root, "from", h->from);
    if (h->has_plan) {
        cJSON *p = cJSON_AddObjectToObject(root, "plan");
        cJSON_AddStringToObject(p, "preset", h->plan.preset);
        cJSON_AddStringToObject(p, "legs", h->plan.legs);
        fmt_date(h->plan.start_time, d, sizeof(d), "%Y-%m-%d");
        cJSON_AddStringToObject(p, "start", d);
        cJSON_AddNumberToObject(p, "stage", h->plan.stage);
        cJSON_AddNumberToObject(p, "load_kg", h->preset.loads[h->plan.load_step]);
        cJSON_AddStringToObject(p, "advice", hd_advice_name(h->advice.kind));
        cJSON_AddNumberToObject(p, "advice_rule", h->advice.rule);
        cJSON_AddStringToObject(p, "advice_reason", h->advice.reason);
    } else {
        cJSON_AddNullToObject(root, "plan");
    }
    cJSON *arr = cJSON_AddArrayToObject(root, "sessions");
    for (int i = 0; i < h->nsessions; i++) {
        const hd_db_session_row *s = &h->sessions[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "id", s->uid);
        add_time(o, "start", s->start_time);
        add_time(o, "end", s->end_time);
        cJSON_AddNumberToObject(o, "duration_s", round3(s->duration_s));
        cJSON_AddStringToObject(o, "source_kind", hd_source_kind_name(s->source_kind));
        cJSON_AddStringToObject(o, "source", s->source);
        cJSON_AddStringToObject(o, "near_leg", s->near_leg);
        cJSON_AddStringToObject(o, "knee", s->knee);
        cJSON_AddNumberToObject(o, "load_kg", round3(s->load_kg));
        cJSON_AddStringToObject(o, "status", hd_session_status_name(s->status));
        cJSON_AddNumberToObject(o, "frames", (double)s->frames);
        cJSON_AddNumberToObject(o, "dropped", (double)s->dropped);
        cJSON_AddNumberToObject(o, "sets", s->sets);
        cJSON_AddNumberToObject(o, "reps", s->reps);
        cJSON_AddNumberToObject(o, "valid_reps", s->valid_reps);
        cJSON *legs = cJSON_AddObjectToObject(o, "reps_by_leg");
        cJSON_AddNumberToObject(legs, "left", s->reps_left);
        cJSON_AddNumberToObject(legs, "right", s->reps_right);
        cJSON_AddNumberToObject(legs, "other", s->reps_other);
        if (isnan(s->mean_descent_s))
            cJSON_AddNullToObject(o, "mean_descent_s");
        else
            cJSON_AddNumberToObject(o, "mean_descent_s", round3(s->mean_descent_s));
        cJSON *w = cJSON_AddObjectToObject(o, "warnings");
        for (int k = 0; k < HD_WARN_COUNT; k++)
            cJSON_AddNumberToObject(w, hd_warn_name(k), s->warnings[k]);
        if (s->pain >= 0)
            cJSON_AddNumberToObject(o, "pain", s->pain);
        else
            cJSON_AddNullToObject(o, "pain");
        cJSON_AddStringToObject(o, "note", s->note);
    }
    arr = cJSON_AddArrayToObject(root, "weeks");
    for (int i = 0; i < h->nweeks; i++) {
        const hd_history_week *wk = &h->weeks[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        fmt_date(wk->start, d, sizeof(d), "%Y-%m-%d");
        cJSON_AddStringToObject(o, "start", d);
        cJSON_AddNumberToObject(o, "programme_week", wk->prog_week);
        cJSON_AddNumberToObject(o, "sessions", wk->sessions);
        cJSON_AddNumberToObject(o, "reps_left", wk->reps_left);
        cJSON_AddNumberToObject(o, "reps_right", wk->reps_right);
        cJSON_AddNumberToObject(o, "reps_other", wk->reps_other);
        cJSON_AddNumberToObject(o, "valid_reps", wk->valid_reps);
        cJSON_AddNumberToObject(o, "target_sessions", wk->target_sessions);
        cJSON_AddNumberToObject(o, "target_reps_per_leg",
                                wk->target_reps_per_leg * wk->target_sessions);
        cJSON_AddNumberToObject(o, "missed", wk->missed);
        if (wk->adherence_pct >= 0)
            cJSON_AddNumberToObject(o, "adherence_pct", wk->adherence_pct);
        else
            cJSON_AddNullToObject(o, "adherence_pct");
        cJSON_AddBoolToObject(o, "in_progress", wk->in_progress);
    }
    cJSON *tot = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(tot, "sessions", h->nsessions);
    cJSON_AddNumberToObject(tot, "planned_so_far", h->target_total);
    cJSON_AddNumberToObject(tot, "done_toward_plan", h->counted_total);
    cJSON_AddNumberToObject(tot, "missed", h->missed_total);
    if (h->adherence_pct >= 0)
        cJSON_AddNumberToObject(tot, "adherence_pct", h->adherence_pct);
    else
        cJSON_AddNullToObject(tot, "adherence_pct");

    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return hd_fail(HD_ERR_NOMEM, "out of memory");
    st = hd_atomic_open(path, tmp, sizeof(tmp), &fv);
    if (st < 0) {
        free(text);
        return st;
    }
    fputs(text, (FILE *)fv);
    fputc('\n', (FILE *)fv);
    free(text);
    return commit_private(fv, tmp, path);
}

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void csv_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

hd_status hd_history_write_csv(const hd_history *h, const char *path)
{
    char tmp[PATH_MAX + 32], d[40];
    void *fv = NULL;
    hd_status st = hd_atomic_open(path, tmp, sizeof(tmp), &fv);
    if (st < 0)
        return st;
    FILE *f = fv;
    fputs("id,start,duration_s,source_kind,status,reps,reps_left,reps_right,reps_other,"
          "valid_reps,sets,mean_descent_s,warnings",
          f);
    for (int k = 0; k < HD_WARN_COUNT; k++)
        fprintf(f, ",%s", hd_warn_name(k));
    fputs(",pain,load_kg,knee,near_leg,source,note\n", f);
    for (int i = 0; i < h->nsessions; i++) {
        const hd_db_session_row *s = &h->sessions[i];
        csv_str(f, s->uid);
        fmt_date(s->start_time, d, sizeof(d), "%Y-%m-%dT%H:%M:%S%z");
        fprintf(f, ",%s,%.3f,%s,%s,%d,%d,%d,%d,%d,%d,", d, s->duration_s,
                hd_source_kind_name(s->source_kind), hd_session_status_name(s->status), s->reps,
                s->reps_left, s->reps_right, s->reps_other, s->valid_reps, s->sets);
        if (!isnan(s->mean_descent_s))
            fprintf(f, "%.3f", s->mean_descent_s);
        fprintf(f, ",%d", s->warnings_total);
        for (int k = 0; k < HD_WARN_COUNT; k++)
            fprintf(f, ",%d", s->warnings[k]);
        fputc(',', f);
        if (s->pain >= 0)
            fprintf(f, "%d", s->pain);
        fprintf(f, ",%.1f,", s->load_kg);
        csv_str(f, s->knee);
        fputc(',', f);
        csv_str(f, s->near_leg);
        fputc(',', f);
        csv_str(f, s->source);
        fputc(',', f);
        csv_str(f, s->note);
        fputc('\n', f);
    }
    return commit_private(fv, tmp, path);
}
