/* cmd_report.c - `heeldrop report [SESSION|--week] [--out FILE.html]`: one self-contained
 * HTML page for a physio (src/store/report*.c draws it).
 *
 * SESSION is a session id under <data>/sessions/, a folder holding summary.json (and
 * trace.csv), or a summary .json file; none means the latest session in the database.
 * The database is used when it exists (never created here): it adds session details,
 * pain entries and weekly trends. Without it the report says those are not available.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/analysis.h"
#include "heeldrop/cli.h"
#include "heeldrop/db.h"
#include "heeldrop/options.h"
#include "heeldrop/report.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop report [SESSION | --week] [--out FILE.html]\n"
               "\n"
               "Writes one self-contained HTML page for a physio or coach (no scripts, no\n"
               "links: it opens offline and prints): the reps as a table, the heel height\n"
               "over time, descent and hold time per rep against the target, warnings, pain\n"
               "entries and trends over weeks. Prints the file's path.\n"
               "\n"
               "SESSION is a session id (a folder under <data>/sessions/), a folder with\n"
               "summary.json and trace.csv (e.g. from 'heeldrop analyze --json\n"
               "DIR/summary.json --trace DIR/trace.csv'), or a summary .json file. Without\n"
               "SESSION: the latest session. --week covers the last 7 days.\n"
               "\n"
               "options:\n");
    hd_settings_print_help(HD_CMD_REPORT, f);
    fprintf(f, "\nDefault output: report.html in the session folder; for --week\n"
               "<data>/reports/week-YYYY-MM-DD.html. <data> is $XDG_DATA_HOME/heeldrop.\n"
               "\nexit codes: 0 ok, 2 bad options, 3 session or database not found or\n"
               "unreadable, 4 unreadable summary or trace, 6 the report could not be\n"
               "written, 70 internal error.\n");
}

static int fail(hd_status st)
{
    fprintf(stderr, "heeldrop report: %s\n", hd_last_error());
    return hd_status_exit_code(st);
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* The default output for a session: report.html in its folder (NAME.report.html beside
 * a summary file), else <data>/reports/session-<id>.html. */
static hd_status default_out(const hd_report *r, const char *what, const char *data,
                             char *out, size_t size)
{
    const hd_report_session *s = &r->sessions[0];
    struct stat sb;
    size_t n;

    if (r->week) {
        char day[32];
        time_t now = (time_t)r->now;
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(day, sizeof(day), "%Y-%m-%d", &tm);
        snprintf(out, size, "%s/reports", data);
        if (mkdir(out, 0700) != 0 && errno != EEXIST)
            return hd_fail(HD_ERR_IO, "cannot create %s: %s", out, strerror(errno));
        snprintf(out, size, "%s/reports/week-%s.html", data, day);
        return HD_OK;
    }
    if (what && stat(what, &sb) == 0 && S_ISREG(sb.st_mode)) {
        n = strlen(what);
        snprintf(out, size, "%.*s.report.html", (int)(n > 5 ? n - 5 : n), what);
        return HD_OK;
    }
    if (s->folder[0]) {
        snprintf(out, size, "%s/report.html", s->folder);
        return HD_OK;
    }
    if (!data)
        return hd_fail(HD_ERR_INVALID, "no folder for the report: give --out FILE.html");
    snprintf(out, size, "%s/reports", data);
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return hd_fail(HD_ERR_IO, "cannot create %s: %s", out, strerror(errno));
    snprintf(out, size, "%s/reports/session-%s.html", data, s->uid);
    return HD_OK;
}

int hd_cmd_report(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    char data[1024], dbpath[1100], out[2048];
    int npos = 0, have_data;
    hd_settings s;
    hd_report rep;
    hd_db *db = NULL;
    hd_status st;

    int code = hd_cli_settings("report", HD_CMD_REPORT, argc, argv, usage, &s, pos, 2, &npos);
    if (code >= 0)
        return code;
    if (npos > 1 || (npos == 1 && s.week)) {
        fprintf(stderr, "heeldrop report: give one SESSION or --week (see 'heeldrop report "
                        "--help')\n");
        return 2;
    }
    if (s.out && s.out[0] && strlen(s.out) >= sizeof(out)) {
        fprintf(stderr, "heeldrop report: --out path too long\n");
        return 2;
    }

    /* the data folder is only needed for ids, --week and the database; an analysis
     * folder given by path works without one */
    have_data = hd_user_data_dir(data, sizeof(data)) == HD_OK;
    snprintf(dbpath, sizeof(dbpath), "%s/heeldrop.db", data);
    if (have_data && file_exists(dbpath)) {
        st = hd_db_open(dbpath, &db);
        if (st != HD_OK)
            return fail(st);
    }
    if (s.week) {
        if (!db) {
            hd_fail(HD_ERR_NOTFOUND, "no session database at %s: record a session with "
                                     "'heeldrop live' first",
                    have_data ? dbpath : "~/.local/share/heeldrop/heeldrop.db");
            return fail(HD_ERR_NOTFOUND);
        }
        st = hd_report_load_week(db, data, (int64_t)hd_now(), &rep);
    } else {
        st = hd_report_load_session(npos ? pos[0] : NULL, have_data ? data : NULL, db,
                                    (int64_t)hd_now(), &rep);
    }
    if (st != HD_OK) {
        hd_db_close(db);
        return fail(st);
    }
    if (!db && !s.week)
        snprintf(rep.no_db_reason, sizeof(rep.no_db_reason),
                 "there is no session database (this report was made from the files in the "
                 "folder alone)");
    hd_db_close(db);

    if (s.out && s.out[0])
        snprintf(out, sizeof(out), "%s", s.out);
    else if ((st = default_out(&rep, npos ? pos[0] : NULL, have_data ? data : NULL, out,
                               sizeof(out))) != HD_OK) {
        hd_report_free(&rep);
        return fail(st);
    }
    st = hd_report_write(&rep, out);
    hd_report_free(&rep);
    if (st != HD_OK)
        return fail(st);
    printf("%s\n", out);
    return 0;
}
