/* test_db_fill.c - fills a session database through the db.h API from a small script, so
 * integration tests get sessions without the live loop (not a test itself).
 *
 * usage: test_db_fill DB.sqlite < script      (DB "-" = the default <data>/heeldrop.db)
 * Script lines (times are unix seconds; '#' starts a comment):
 *   session UID START camera|file NEAR_LEG|- KNEE|- LOAD_KG SOURCE
 *   rep INDEX SET LEG DESCENT_S HOLD_S DEPTH_MM WARNINGS|-     (comma-separated names)
 *   end END_TIME DURATION_S FRAMES DROPPED done|interrupted
 *   pain T VALUE morning|after SESSION_UID|- [NOTE...]
 *   plan PRESET LEGS T
 * "rep" and "end" apply to the latest "session". A session without "end" stays as if its
 * process had been killed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heeldrop/db.h"
#include "heeldrop/programme.h"

static int fail(int line, const char *what)
{
    fprintf(stderr, "test_db_fill: line %d: %s: %s\n", line, what, hd_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    hd_db *db = NULL;
    char buf[1024];
    int64_t sid = 0;
    int line = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: test_db_fill DB < script\n");
        return 2;
    }
    if (hd_db_open(strcmp(argv[1], "-") ? argv[1] : NULL, &db) < 0) {
        fprintf(stderr, "test_db_fill: %s\n", hd_last_error());
        return 1;
    }
    while (fgets(buf, sizeof(buf), stdin)) {
        char a[8][256];
        long long t = 0;
        line++;
        buf[strcspn(buf, "\r\n#")] = '\0';
        int n = sscanf(buf, "%255s %255s %255s %255s %255s %255s %255s %255s", a[0], a[1], a[2],
                       a[3], a[4], a[5], a[6], a[7]);
        if (n <= 0)
            continue;
        if (!strcmp(a[0], "session") && n == 8) {
            hd_db_session info = {0};
            info.uid = a[1];
            info.start_time = atoll(a[2]);
            info.source_kind = strcmp(a[3], "file") ? HD_SOURCE_CAMERA : HD_SOURCE_FILE;
            info.near_leg = strcmp(a[4], "-") ? a[4] : NULL;
            info.knee = strcmp(a[5], "-") ? a[5] : NULL;
            info.load_kg = atof(a[6]);
            info.source = a[7];
            info.settings_json = "{\"fill\":true}";
            if (hd_db_session_begin(db, &info, &sid) < 0)
                return fail(line, "session");
        } else if (!strcmp(a[0], "rep") && n == 8) {
            hd_rep r = {0};
            r.index = atoi(a[1]);
            r.set = atoi(a[2]);
            r.descent_s = atof(a[4]);
            r.hold_s = atof(a[5]);
            r.depth_mm = atof(a[6]);
            r.t_descent_start = (r.index - 1) * 9.0 + (r.set - 1) * 30.0;
            r.t_bottom = r.t_descent_start + r.descent_s;
            r.t_hold_end = r.t_bottom + r.hold_s;
            r.rise_s = 1.0;
            r.t_top = r.t_hold_end + r.rise_s;
            r.below_s = r.hold_s + 0.5;
            r.top_mm = 60.0;
            r.foot = !strcmp(a[3], "far") ? 2 : 1;
            if (strcmp(a[7], "-"))
                for (char *w = strtok(a[7], ","); w; w = strtok(NULL, ",")) {
                    int i = hd_warn_index(w);
                    if (i < 0) {
                        fprintf(stderr, "test_db_fill: line %d: unknown warning %s\n", line, w);
                        return 1;
                    }
                    r.warnings |= 1u << i;
                }
            if (hd_db_rep_add(db, sid, &r, a[3]) < 0)
                return fail(line, "rep");
        } else if (!strcmp(a[0], "end") && n == 6) {
            hd_session_status s = strcmp(a[5], "done") ? HD_SESSION_INTERRUPTED : HD_SESSION_DONE;
            if (hd_db_session_end(db, sid, atoll(a[1]), atof(a[2]), atoll(a[3]), atoll(a[4]), s) <
                0)
                return fail(line, "end");
        } else if (!strcmp(a[0], "pain") && n >= 5) {
            int64_t ps = 0;
            hd_db_session_row row;
            t = atoll(a[1]);
            if (strcmp(a[4], "-")) {
                if (hd_db_session_get(db, a[4], &row) < 0)
                    return fail(line, "pain session");
                ps = row.id;
            }
            const char *note = NULL;
            char *p = strstr(buf, a[4]);
            if (p && n > 5) {
                p += strlen(a[4]);
                note = p + strspn(p, " \t");
            }
            if (hd_db_pain_add(db, t, atoi(a[2]), !strcmp(a[3], "morning"), ps, note, NULL) < 0)
                return fail(line, "pain");
        } else if (!strcmp(a[0], "plan") && n == 4) {
            if (hd_plan_choose(db, a[1], a[2], (time_t)atoll(a[3]), NULL) < 0)
                return fail(line, "plan");
        } else {
            fprintf(stderr, "test_db_fill: line %d: cannot read '%s'\n", line, buf);
            return 1;
        }
    }
    hd_db_close(db);
    return 0;
}
