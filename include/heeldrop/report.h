/* report.h - the HTML report for a physio (`heeldrop report`).
 *
 * A report is built in two steps: load (one session, or the last 7 days) into an
 * hd_report, then render it as one self-contained HTML file: inline CSS and SVG, no
 * scripts, fonts or links, so it opens offline and prints. Every text that comes from
 * the user or the file system (notes, file and folder names) is HTML-escaped.
 *
 * Sources: a session folder (summary.json and trace.csv, as `heeldrop analyze --json
 * --trace` or the live loop write them) and, when there is one, the session database
 * (db.h) for session details, pain entries and weekly trends. A report made without a
 * database says so in its pain and trend sections.
 *
 * Dates: "now" is passed in (hd_now(): HEELDROP_NOW in tests); days are local time (TZ).
 * Threading: the functions keep no global state; an hd_report is used by one thread.
 */
#ifndef HEELDROP_REPORT_H
#define HEELDROP_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "heeldrop/db.h"
#include "heeldrop/programme.h"
#include "heeldrop/status.h"
#include "heeldrop/summary.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HD_REPORT_WEEKS 8   /* weeks shown in the trends */

/* One session as the report shows it. */
typedef struct hd_report_session {
    char uid[64];             /* session id ("20250101-073000") or the folder's name */
    char folder[1024];        /* the session folder; "" for a session known only to the db */
    int64_t start_time;       /* unix seconds; 0 when unknown (a plain analysis folder) */
    double duration_s;
    char kind[16];            /* "live", "analysis", ... (the summary's kind) */
    char source_kind[16];     /* "camera", "file" or "" */
    char source[1024];        /* the video file or camera */
    char status[16];          /* "done", "interrupted", "running" or "" (no db) */
    char near_leg[8], knee[12];
    double load_kg;
    char note[512];
    int pain;                 /* pain logged to the session, -1 none */
    int in_db;                /* 1: the database knows this session */
    int has_summary;          /* 1: reps and settings came from summary.json */
    hd_summary summary;       /* reps (also when they came from the db) and settings */
    char (*legs)[8];          /* per rep: "left", "right", "near" or "far" (owned) */
    hd_trace_row *trace;      /* heel height over time, NULL when no trace.csv (owned) */
    int64_t ntrace;
} hd_report_session;

/* One 7-day window of the trends, oldest first; the last one ends at "now". */
typedef struct hd_report_week {
    int64_t from, to;         /* [from, to) unix seconds */
    int sessions, reps, valid_reps;
    double mean_descent_s;    /* NaN without reps */
    double mean_pain;         /* NaN without pain entries */
    int max_pain;             /* -1 without pain entries */
} hd_report_week;

typedef struct hd_report {
    int week;                 /* 0: one session, 1: the last 7 days */
    int64_t now, from, to;    /* the period covered (week) */
    hd_report_session *sessions;   /* owned; one for a session report */
    int nsessions;
    /* thresholds (from the first session's settings, else the defaults) */
    double too_fast_s, target_lo_s, target_hi_s, min_hold_s, long_hold_s;
    int insertional;
    int has_db;               /* 0: pain and trends are not available */
    char no_db_reason[256];   /* why, shown in those sections */
    hd_db_pain_row *pain;     /* pain entries of the period (owned) */
    int npain;
    hd_report_week weeks[HD_REPORT_WEEKS];
    int has_target;           /* 1: target below is the programme's (db only) */
    hd_target target;         /* the plan, today's dose and the advice (programme.h) */
    char target_error[256];   /* why the programme could not be read, or "" */
} hd_report;

/* Loads one session. what is a folder path holding summary.json (and trace.csv), a
 * summary .json file (its trace: <name>.trace.csv, <name without .json>.trace.csv or
 * trace.csv beside it), or a session id under <data_dir>/sessions/ (data_dir may be
 * NULL), or NULL for the latest session in the database. db may be NULL (no database).
 * Returns HD_OK with *out filled (free with hd_report_free), HD_ERR_NOTFOUND (no such
 * session or folder), HD_ERR_FORMAT (unreadable summary or trace), HD_ERR_IO. */
hd_status hd_report_load_session(const char *what, const char *data_dir, hd_db *db,
                                 int64_t now, hd_report *out);

/* Loads the sessions started in the 7 days before now, with their folders' traces
 * where they exist. db is required. HD_OK (also when the week is empty), HD_ERR_IO. */
hd_status hd_report_load_week(hd_db *db, const char *data_dir, int64_t now, hd_report *out);

/* Renders the report; returns malloc'ed HTML (free()) or NULL when out of memory. */
char *hd_report_html(const hd_report *r);

/* Renders and writes the report to path (mode 0600, through a temporary file renamed
 * into place). HD_ERR_IO naming the path on failure; HD_ERR_NOMEM. */
hd_status hd_report_write(const hd_report *r, const char *path);

/* Frees what the report owns and zeroes it. NULL is fine. */
void hd_report_free(hd_report *r);

/* Appends s to buf with &, <, >, " and ' escaped (used for every user text). Returns
 * the length the escaped text needs (like snprintf); buf may be NULL when size is 0. */
size_t hd_html_escape(char *buf, size_t size, const char *s);

#ifdef __cplusplus
}
#endif
#endif
