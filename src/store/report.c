/* report.c - gathers what a report shows (see report.h): a session folder's summary and
 * trace, the database's view of the session, pain entries and weekly trends. The HTML is
 * drawn by report_html.c from the hd_report filled here.
 */
#define _DEFAULT_SOURCE /* realpath, PATH_MAX */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "heeldrop/options.h"
#include "heeldrop/report.h"

#define DAY_S 86400

/* Copies src into dst, cut to fit (names and notes are shown, never parsed). */
static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (!size)
        return;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static int is_dir(const char *p)
{
    struct stat sb;
    return p && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_file(const char *p)
{
    struct stat sb;
    return p && stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static void rp_defaults(hd_report *r, int64_t now)
{
    hd_settings s;
    hd_settings_default(&s);
    memset(r, 0, sizeof(*r));
    r->now = now;
    r->too_fast_s = s.too_fast_s;
    r->target_lo_s = s.target_lo_s;
    r->target_hi_s = s.target_hi_s;
    r->min_hold_s = s.min_hold_s;
    r->long_hold_s = s.long_hold_s;
    r->insertional = s.insertional;
    copy_str(r->no_db_reason, sizeof(r->no_db_reason), "no session database was used");
}

/* The thresholds the session was analysed with (its summary's settings block). */
static void rp_thresholds(hd_report *r, const hd_summary *s)
{
    for (int i = 0; i < s->nsettings; i++) {
        const hd_setting *e = &s->settings[i];
        double v = strtod(e->value, NULL);
        if (strcmp(e->name, "too-fast-s") == 0 && v > 0)
            r->too_fast_s = v;
        else if (strcmp(e->name, "target-lo-s") == 0 && v > 0)
            r->target_lo_s = v;
        else if (strcmp(e->name, "target-hi-s") == 0 && v > 0)
            r->target_hi_s = v;
        else if (strcmp(e->name, "min-hold-s") == 0 && v >= 0)
            r->min_hold_s = v;
        else if (strcmp(e->name, "long-hold-s") == 0 && v > 0)
            r->long_hold_s = v;
        else if (strcmp(e->name, "insertional") == 0)
            r->insertional = strcmp(e->value, "true") == 0 || strcmp(e->value, "1") == 0;
    }
}

/* A folder named like a session id tells the local start time. */
static int64_t time_from_uid(const char *uid)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (sscanf(uid, "%4d%2d%2d-%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6 || strlen(uid) < 15)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static hd_status rp_alloc_legs(hd_report_session *s)
{
    free(s->legs);
    s->legs = calloc(s->summary.nreps > 0 ? (size_t)s->summary.nreps : 1, sizeof(*s->legs));
    if (!s->legs)
        return hd_fail(HD_ERR_NOMEM, "out of memory reading a session");
    for (int i = 0; i < s->summary.nreps; i++)
        copy_str(s->legs[i], sizeof(s->legs[i]),
                 hd_summary_leg_label(&s->summary, s->summary.reps[i].foot));
    return HD_OK;
}

/* summary.json (may be absent when trace_path is given) and trace.csv (optional). */
static hd_status rp_load_files(hd_report_session *s, const char *summary_path,
                               const char *trace_path)
{
    hd_status st;

    if (summary_path && is_file(summary_path)) {
        st = hd_summary_read_json(summary_path, &s->summary);
        if (st != HD_OK)
            return st;
        s->has_summary = 1;
        s->duration_s = s->summary.duration_s;
        copy_str(s->kind, sizeof(s->kind), s->summary.kind);
        copy_str(s->source_kind, sizeof(s->source_kind), s->summary.source_kind);
        copy_str(s->source, sizeof(s->source), s->summary.source);
        if (s->summary.near_leg)
            copy_str(s->near_leg, sizeof(s->near_leg),
                     s->summary.near_leg == 'L' ? "left" : "right");
        st = rp_alloc_legs(s);
        if (st != HD_OK)
            return st;
    }
    if (trace_path && is_file(trace_path)) {
        st = hd_trace_read_csv(trace_path, &s->trace, &s->ntrace);
        if (st != HD_OK)
            return st;
        if (!s->has_summary && s->ntrace > 0)
            s->duration_s = s->trace[s->ntrace - 1].t;
    }
    return HD_OK;
}

static void rp_from_row(hd_report_session *s, const hd_db_session_row *row)
{
    s->in_db = 1;
    copy_str(s->uid, sizeof(s->uid), row->uid);
    s->start_time = row->start_time;
    if (!s->has_summary || s->duration_s <= 0)
        s->duration_s = row->duration_s;
    copy_str(s->source_kind, sizeof(s->source_kind), hd_source_kind_name(row->source_kind));
    if (!s->source[0])
        copy_str(s->source, sizeof(s->source), row->source);
    if (!s->kind[0])
        copy_str(s->kind, sizeof(s->kind), "live");
    copy_str(s->status, sizeof(s->status), hd_session_status_name(row->status));
    if (row->near_leg[0])
        copy_str(s->near_leg, sizeof(s->near_leg), row->near_leg);
    copy_str(s->knee, sizeof(s->knee), row->knee);
    s->load_kg = row->load_kg;
    copy_str(s->note, sizeof(s->note), row->note);
    s->pain = row->pain;
}

/* A session the database knows but whose summary.json is missing (killed before the
 * end): its reps as each was committed. */
static hd_status rp_reps_from_db(hd_report_session *s, hd_db *db, int64_t id)
{
    hd_db_rep_row *rows = NULL;
    int n = 0;
    hd_status st = hd_db_reps_list(db, id, &rows, &n);
    if (st != HD_OK)
        return st;
    s->summary.reps = calloc(n > 0 ? (size_t)n : 1, sizeof(hd_rep));
    s->legs = calloc(n > 0 ? (size_t)n : 1, sizeof(*s->legs));
    if (!s->summary.reps || !s->legs) {
        free(rows);
        return hd_fail(HD_ERR_NOMEM, "out of memory reading a session");
    }
    for (int i = 0; i < n; i++) {
        s->summary.reps[i] = rows[i].rep;
        copy_str(s->legs[i], sizeof(s->legs[i]), rows[i].leg);
    }
    s->summary.nreps = n;
    free(rows);
    return HD_OK;
}

static void rp_session_free(hd_report_session *s)
{
    hd_summary_clear(&s->summary);
    free(s->legs);
    free(s->trace);
    memset(s, 0, sizeof(*s));
}

void hd_report_free(hd_report *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nsessions; i++)
        rp_session_free(&r->sessions[i]);
    free(r->sessions);
    free(r->pain);
    memset(r, 0, sizeof(*r));
}

/* Weekly trends over the HD_REPORT_WEEKS 7-day windows ending at now, and the pain
 * entries of [pain_from, pain_to). */
static hd_status rp_db_extras(hd_report *r, hd_db *db, int64_t pain_from, int64_t pain_to)
{
    int64_t start = r->now - (int64_t)HD_REPORT_WEEKS * 7 * DAY_S;
    hd_db_session_row *rows = NULL;
    hd_db_pain_row *pain = NULL;
    int n = 0, np = 0;
    hd_status st;

    r->has_db = 1;
    /* the programme: today's dose and the advice for the next session (this applies the
     * programme weeks passed, as any command that shows the plan does) */
    if (hd_programme_today(db, (time_t)r->now, &r->target) == HD_OK)
        r->has_target = 1;
    else
        copy_str(r->target_error, sizeof(r->target_error), hd_last_error());
    st = hd_db_sessions_list(db, start, r->now + 1, &rows, &n);
    if (st == HD_OK)
        st = hd_db_pain_list(db, start, r->now + 1, &pain, &np);
    if (st != HD_OK) {
        free(rows);
        return st;
    }
    for (int w = 0; w < HD_REPORT_WEEKS; w++) {
        hd_report_week *wk = &r->weeks[w];
        double desc_sum = 0, pain_sum = 0;
        int desc_n = 0, pain_n = 0;
        wk->from = start + (int64_t)w * 7 * DAY_S;
        wk->to = wk->from + 7 * DAY_S;
        wk->max_pain = -1;
        for (int i = 0; i < n; i++) {
            if (rows[i].start_time < wk->from || rows[i].start_time >= wk->to)
                continue;
            wk->sessions++;
            wk->reps += rows[i].reps;
            wk->valid_reps += rows[i].valid_reps;
            if (rows[i].reps > 0 && isfinite(rows[i].mean_descent_s)) {
                desc_sum += rows[i].mean_descent_s * rows[i].reps;
                desc_n += rows[i].reps;
            }
        }
        for (int i = 0; i < np; i++) {
            if (pain[i].t < wk->from || pain[i].t >= wk->to)
                continue;
            pain_sum += pain[i].value;
            pain_n++;
            if (pain[i].value > wk->max_pain)
                wk->max_pain = pain[i].value;
        }
        wk->mean_descent_s = desc_n ? desc_sum / desc_n : NAN;
        wk->mean_pain = pain_n ? pain_sum / pain_n : NAN;
    }
    free(rows);

    /* the entries of the report's own period, for the pain table */
    r->pain = calloc(np > 0 ? (size_t)np : 1, sizeof(*r->pain));
    if (!r->pain) {
        free(pain);
        return hd_fail(HD_ERR_NOMEM, "out of memory reading pain entries");
    }
    for (int i = 0; i < np; i++) {
        if (pain[i].t >= pain_from && pain[i].t < pain_to)
            r->pain[r->npain++] = pain[i];
    }
    free(pain);
    /* entries older than the trend window but inside the period are not possible: the
     * period is at most a week and ends at now */
    return HD_OK;
}

static hd_status rp_add_session(hd_report *r, hd_report_session **out)
{
    hd_report_session *s = realloc(r->sessions, (size_t)(r->nsessions + 1) * sizeof(*s));
    if (!s)
        return hd_fail(HD_ERR_NOMEM, "out of memory");
    r->sessions = s;
    *out = &s[r->nsessions++];
    memset(*out, 0, sizeof(**out));
    (*out)->pain = -1;
    return HD_OK;
}

/* Finds summary.json and trace.csv for what (folder or .json file). */
static void rp_paths_for(const char *what, char *sum, char *trace, char *folder, size_t size)
{
    sum[0] = trace[0] = folder[0] = '\0';
    if (!what)
        return;
    if (is_dir(what)) {
        snprintf(folder, size, "%s", what);
        snprintf(sum, size, "%s/summary.json", what);
        snprintf(trace, size, "%s/trace.csv", what);
        return;
    }
    /* a summary file: its trace is NAME.trace.csv (analyze's folder mode), or
     * trace.csv beside it */
    snprintf(sum, size, "%s", what);
    {
        const char *slash = strrchr(what, '/');
        int dlen = slash ? (int)(slash - what) : 1;
        snprintf(folder, size, "%.*s", dlen, slash ? what : ".");
    }
    snprintf(trace, size, "%.*s.trace.csv", (int)(strlen(what) - 5), what);
    if (!is_file(trace))
        snprintf(trace, size, "%s.trace.csv", what);
    if (!is_file(trace))
        snprintf(trace, size, "%s/trace.csv", folder);
}

hd_status hd_report_load_session(const char *what, const char *data_dir, hd_db *db,
                                 int64_t now, hd_report *out)
{
    char sum[1200], trace[1200], folder[1100], cand[1100];
    hd_db_session_row row;
    hd_report_session *s = NULL;
    int have_row = 0;
    hd_status st;

    if (!out)
        return hd_fail(HD_ERR_INVALID, "hd_report_load_session: out is NULL");
    rp_defaults(out, now);
    if (!db)
        copy_str(out->no_db_reason, sizeof(out->no_db_reason),
                 "this report was made from an analysis folder without the session database");
    st = rp_add_session(out, &s);
    if (st != HD_OK)
        return st;
    sum[0] = trace[0] = folder[0] = '\0';

    if (!what) {
        if (!db) {
            hd_report_free(out);
            return hd_fail(HD_ERR_NOTFOUND, "no session given and no sessions recorded "
                                            "yet (give a session folder or id)");
        }
        st = hd_db_session_latest(db, &row);
        if (st != HD_OK) {
            hd_report_free(out);
            return hd_fail(HD_ERR_NOTFOUND, "no sessions recorded yet");
        }
        have_row = 1;
        if (data_dir)
            snprintf(cand, sizeof(cand), "%s/sessions/%s", data_dir, row.uid);
        if (data_dir && is_dir(cand))
            rp_paths_for(cand, sum, trace, folder, sizeof(folder));
    } else if (is_dir(what) || (ends_with(what, ".json") && is_file(what))) {
        rp_paths_for(what, sum, trace, folder, sizeof(folder));
        if (is_dir(what) && !is_file(sum) && !is_file(trace)) {
            hd_report_free(out);
            return hd_fail(HD_ERR_NOTFOUND, "%s has no summary.json or trace.csv", what);
        }
    } else {
        if (data_dir && !strchr(what, '/')) {
            snprintf(cand, sizeof(cand), "%s/sessions/%s", data_dir, what);
            if (is_dir(cand))
                rp_paths_for(cand, sum, trace, folder, sizeof(folder));
        }
        if (!folder[0] && !(db && hd_db_session_get(db, what, &row) == HD_OK)) {
            hd_report_free(out);
            return hd_fail(HD_ERR_NOTFOUND, "no session '%s' (neither a folder with "
                           "summary.json nor a session id under %s/sessions)", what,
                           data_dir ? data_dir : "the data folder");
        }
        have_row = !folder[0];
    }

    copy_str(s->folder, sizeof(s->folder), folder);
    if (folder[0]) {
        char *end;
        char real[PATH_MAX];
        /* the folder's last part names the session ("sessions/x/" and "." too) */
        if (realpath(folder, real))
            copy_str(s->folder, sizeof(s->folder), real);
        while ((end = strrchr(s->folder, '/')) && end[1] == '\0' && end != s->folder)
            *end = '\0';
        copy_str(s->uid, sizeof(s->uid), base_name(s->folder));
        if (what && !is_dir(what)) {
            /* a summary file: its name without ".json" names the session */
            copy_str(s->uid, sizeof(s->uid), base_name(what));
            if (ends_with(s->uid, ".json"))
                s->uid[strlen(s->uid) - 5] = '\0';
        }
        st = rp_load_files(s, sum, trace);
        if (st != HD_OK) {
            hd_report_free(out);
            return st;
        }
        if (db && !have_row && hd_db_session_get(db, s->uid, &row) == HD_OK)
            have_row = 1;
    }
    if (have_row)
        rp_from_row(s, &row);
    if (have_row && !s->has_summary) {
        st = rp_reps_from_db(s, db, row.id);
        if (st != HD_OK) {
            hd_report_free(out);
            return st;
        }
    }
    if (!s->start_time)
        s->start_time = time_from_uid(s->uid);
    if (s->duration_s <= 0 && s->summary.nreps > 0)
        s->duration_s = s->summary.reps[s->summary.nreps - 1].t_top; /* at least this long */
    if (s->has_summary)
        rp_thresholds(out, &s->summary);

    if (db) {
        /* pain around the session: the day before to the second morning after */
        int64_t t0 = s->start_time ? s->start_time - DAY_S : now - 7 * DAY_S;
        int64_t t1 = s->start_time ? s->start_time + 2 * DAY_S : now + 1;
        st = rp_db_extras(out, db, t0, t1);
        if (st != HD_OK) {
            hd_report_free(out);
            return st;
        }
    }
    return HD_OK;
}

hd_status hd_report_load_week(hd_db *db, const char *data_dir, int64_t now, hd_report *out)
{
    hd_db_session_row *rows = NULL;
    int n = 0;
    hd_status st;

    if (!out || !db)
        return hd_fail(HD_ERR_INVALID, "hd_report_load_week: no database");
    rp_defaults(out, now);
    out->week = 1;
    out->from = now - 7 * DAY_S;
    out->to = now;
    st = hd_db_sessions_list(db, out->from, now + 1, &rows, &n);
    if (st != HD_OK)
        return st;
    for (int i = 0; i < n; i++) {
        char cand[1100], folder[1100], sum[1200], trace[1200];
        hd_report_session *s = NULL;
        st = rp_add_session(out, &s);
        if (st != HD_OK)
            goto fail;
        cand[0] = '\0';
        if (data_dir)
            snprintf(cand, sizeof(cand), "%s/sessions/%s", data_dir, rows[i].uid);
        if (cand[0] && is_dir(cand)) {
            rp_paths_for(cand, sum, trace, folder, sizeof(folder));
            copy_str(s->folder, sizeof(s->folder), folder);
            st = rp_load_files(s, sum, trace);
            if (st != HD_OK) {
                /* one damaged folder does not hide the week: its reps come from the db */
                rp_session_free(s);
                s->pain = -1;
            }
        }
        rp_from_row(s, &rows[i]);
        if (!s->has_summary) {
            st = rp_reps_from_db(s, db, rows[i].id);
            if (st != HD_OK)
                goto fail;
        } else if (out->nsessions == 1) {
            rp_thresholds(out, &s->summary);
        }
    }
    free(rows);
    rows = NULL;
    st = rp_db_extras(out, db, out->from, now + 1);
    if (st != HD_OK)
        goto fail;
    return HD_OK;

fail:
    free(rows);
    hd_report_free(out);
    return st;
}
