/* report_fixture.c - builds a fixed data folder for the report tests (not a test itself):
 *
 *   report_fixture INPUT_DIR NOW
 *
 * With XDG_DATA_HOME set by the caller, creates <data>/heeldrop.db and session folders:
 * four weeks of sessions before NOW (unix seconds), each a copy of INPUT_DIR's
 * summary.json (made "live" from a camera) and trace.csv with its reps in the database,
 * one session killed before it wrote its summary (reps only in the database), pain
 * entries (one with a note full of HTML), a session note with quotes and added load, and
 * the "starter" programme chosen 27 days before NOW for the left leg.
 * Run with TZ=UTC so that the session ids are the same everywhere.
 */
#define _GNU_SOURCE /* timegm */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "heeldrop/db.h"
#include "heeldrop/programme.h"
#include "heeldrop/summary.h"

#define DAY 86400

static int copy_file(const char *from, const char *to)
{
    char buf[65536];
    size_t n;
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok;
}

static int die(const char *what)
{
    fprintf(stderr, "report_fixture: %s: %s\n", what, hd_last_error());
    return 1;
}

typedef struct plan {
    int days_ago;        /* before NOW */
    int hour, min;
    int nreps;           /* reps of the input to keep (from the start) */
    int folder;          /* 0: killed before the summary (db only) */
    double load_kg;
    const char *knee;
    const char *note;
    int pain;            /* -1 none */
    int morning_pain;    /* next morning; -1 none */
    const char *pain_note;
} plan;

int main(int argc, char **argv)
{
    static const plan plans[] = {
        {26, 7, 30, 6, 1, 0, "straight", "", 4, -1, NULL},
        {24, 18, 5, 4, 1, 0, "bent", "", 5, 4, "stiff in the morning"},
        {19, 7, 45, 6, 1, 0, "straight", "", 3, 3, NULL},
        {17, 19, 0, 5, 1, 0, "straight", "", -1, -1, NULL},
        {12, 7, 15, 6, 1, 0, "bent", "", 3, 2, NULL},
        {9, 18, 40, 3, 0, 0, "straight", "", -1, -1, NULL},
        {5, 7, 20, 6, 1, 0, "straight", "", 2, 2, NULL},
        {3, 18, 30, 6, 1, 5.0, "straight", "Backpack 5 kg, felt \"fine\" & steady", 2, 1,
         "after the run <b>tight</b>"},
        {1, 7, 10, 6, 1, 5.0, "bent",
         "<script>alert('x')</script> \"quoted\" & 'single' <i>note</i>", 3, -1,
         "<script>document.title='pwned'</script>"},
    };
    char data[1024], folder[1200], path[1400], src[1400];
    hd_summary sum;
    hd_db *db = NULL;
    time_t now;

    if (argc != 3) {
        fprintf(stderr, "usage: report_fixture INPUT_DIR NOW\n");
        return 2;
    }
    now = (time_t)strtoll(argv[2], NULL, 10);
    memset(&sum, 0, sizeof(sum));
    snprintf(src, sizeof(src), "%s/summary.json", argv[1]);
    if (hd_summary_read_json(src, &sum) != HD_OK)
        return die(src);
    snprintf(sum.kind, sizeof(sum.kind), "live");
    snprintf(sum.source_kind, sizeof(sum.source_kind), "camera");
    snprintf(sum.source, sizeof(sum.source), "/dev/video0");
    sum.near_leg = 'L';
    if (hd_user_data_dir(data, sizeof(data)) != HD_OK || hd_db_open(NULL, &db) != HD_OK)
        return die("database");
    {
        /* the plan began with the first session: the report shows its week and advice */
        hd_plan plan;
        if (hd_plan_choose(db, "starter", "left", now - 27 * DAY, &plan) != HD_OK)
            return die("plan");
    }

    for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
        const plan *p = &plans[i];
        time_t start = now - (time_t)p->days_ago * DAY;
        struct tm tm;
        char uid[32];
        int64_t id;
        hd_db_session info;

        gmtime_r(&start, &tm);
        tm.tm_hour = p->hour;
        tm.tm_min = p->min;
        tm.tm_sec = 0;
        start = timegm(&tm);
        strftime(uid, sizeof(uid), "%Y%m%d-%H%M%S", &tm);
        memset(&info, 0, sizeof(info));
        info.uid = uid;
        info.start_time = start;
        info.source_kind = HD_SOURCE_CAMERA;
        info.source = "/dev/video0";
        info.near_leg = "left";
        info.knee = p->knee;
        info.load_kg = p->load_kg;
        info.settings_json = "{}";
        info.note = p->note;
        if (hd_db_session_begin(db, &info, &id) != HD_OK)
            return die("session");
        int nreps = p->nreps < sum.nreps ? p->nreps : sum.nreps;
        for (int k = 0; k < nreps; k++) {
            if (hd_db_rep_add(db, id, &sum.reps[k], "left") != HD_OK)
                return die("rep");
        }
        if (p->folder) {
            int keep = sum.nreps;
            snprintf(folder, sizeof(folder), "%s/sessions/%s", data, uid);
            snprintf(path, sizeof(path), "%s/sessions", data);
            mkdir(path, 0700);
            if (mkdir(folder, 0700) != 0 && errno != EEXIST)
                return die(folder);
            sum.nreps = nreps;
            snprintf(path, sizeof(path), "%s/summary.json", folder);
            if (hd_summary_write_json(&sum, path) != HD_OK)
                return die(path);
            sum.nreps = keep;
            snprintf(path, sizeof(path), "%s/trace.csv", folder);
            snprintf(src, sizeof(src), "%s/trace.csv", argv[1]);
            if (!copy_file(src, path)) {
                fprintf(stderr, "report_fixture: cannot copy %s\n", src);
                return 1;
            }
            if (hd_db_session_end(db, id, start + 300, 300.0, 9000, 0, HD_SESSION_DONE) !=
                HD_OK)
                return die("end");
        } else {
            if (hd_db_session_end(db, id, 0, 0, 0, 0, HD_SESSION_INTERRUPTED) != HD_OK)
                return die("end");
        }
        if (p->pain >= 0 &&
            hd_db_pain_add(db, start + 600, p->pain, 0, id, p->pain_note, NULL) != HD_OK)
            return die("pain");
        if (p->morning_pain >= 0 &&
            hd_db_pain_add(db, start + DAY - 3600 * (p->hour - 7) + 600, p->morning_pain, 1, 0,
                           NULL, NULL) != HD_OK)
            return die("morning pain");
    }
    hd_db_close(db);
    hd_summary_clear(&sum);
    return 0;
}
