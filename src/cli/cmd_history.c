/* cmd_history.c - `heeldrop history [--weeks N] [--json FILE] [--csv FILE]`: the sessions,
 * weekly totals against the plan, adherence and missed sessions (src/store/history.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>

#include "cli/analysis.h"
#include "heeldrop/cli.h"
#include "heeldrop/db.h"
#include "heeldrop/options.h"
#include "heeldrop/paths.h"
#include "store/history.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop history [--weeks N] [--json FILE] [--csv FILE]\n"
               "\n"
               "Shows every session (date, duration, reps per leg, valid reps, mean descent\n"
               "time, warnings, pain, added load), then weekly totals against the plan's target\n"
               "with adherence and missed sessions. Sessions run on a saved video are marked\n"
               "\"video\". --json writes everything; --csv one row per session.\n"
               "\n"
               "options:\n");
    hd_settings_print_help(HD_CMD_HISTORY, f);
    fprintf(f, "\nexit codes: 0 ok (also with no sessions), 2 bad option, 4 the database is\n"
               "damaged or from a newer HeelDrop, 6 the database or an export could not be\n"
               "written, 8 the plan's preset file is missing or broken.\n");
}

int hd_cmd_history(int argc, char **argv)
{
    hd_settings s;
    const char *pos[4];
    int npos = 0;
    hd_status st;
    hd_db *db = NULL;
    hd_history h = {0};

    int code = hd_cli_settings("history", HD_CMD_HISTORY, argc, argv, usage, &s, pos, 4, &npos);
    if (code >= 0)
        return code;
    if (npos > 0) {
        fprintf(stderr,
                "heeldrop history: unexpected argument '%s' (see 'heeldrop history "
                "--help')\n",
                pos[0]);
        return 2;
    }
    if (s.weeks < 0) {
        fprintf(stderr, "heeldrop history: --weeks must be 0 (all) or more\n");
        return 2;
    }
    if ((s.json && *s.json && (st = hd_check_writable(s.json)) < 0) ||
        (s.csv && *s.csv && (st = hd_check_writable(s.csv)) < 0))
        goto fail;
    if ((st = hd_db_open(NULL, &db)) < 0)
        goto fail;
    if ((st = hd_history_build(db, hd_now(), s.weeks, &h)) < 0)
        goto fail;
    hd_history_print(&h, stdout);
    if (s.json && *s.json && (st = hd_history_write_json(&h, s.json)) < 0)
        goto fail;
    if (s.csv && *s.csv && (st = hd_history_write_csv(&h, s.csv)) < 0)
        goto fail;
    hd_history_free(&h);
    hd_db_close(db);
    return 0;
fail:
    fprintf(stderr, "heeldrop history: %s\n", hd_last_error());
    hd_history_free(&h);
    hd_db_close(db);
    return hd_status_exit_code(st);
}
