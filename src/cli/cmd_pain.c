/* cmd_pain.c - `heeldrop pain N [--morning] [--note TEXT]`: logs a pain rating 0-10 and
 * shows the advice for the next session that the pain-monitoring rules give.
 *
 * A rating without --morning belongs to today's latest session (it is the pain during or
 * after it); with no session today, or with --morning, it is logged on its own.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/analysis.h"
#include "heeldrop/cli.h"
#include "heeldrop/db.h"
#include "heeldrop/options.h"
#include "heeldrop/programme.h"
#include "store/db_internal.h"
#include "store/history.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop pain N [--morning] [--note TEXT]\n"
               "\n"
               "Logs pain on a 0-10 scale (0 none, 10 worst): after a session (it is kept with\n"
               "today's latest session) or, with --morning, the next-morning pain and stiffness.\n"
               "Then shows the advice for the next session (progress, keep or reduce) and why.\n"
               "\n"
               "options:\n");
    hd_settings_print_help(HD_CMD_PAIN, f);
    fprintf(f, "\nexit codes: 0 logged, 2 bad value or option, 6 the database could not be\n"
               "written, 8 the plan's preset file is missing or broken.\n");
}

/* A whole number 0..10 written with digits only. */
static int parse_pain(const char *s, int *out)
{
    if (!s || !*s || strlen(s) > 2 || strspn(s, "0123456789") != strlen(s))
        return 0;
    int v = atoi(s);
    if (v > 10)
        return 0;
    *out = v;
    return 1;
}

int hd_cmd_pain(int argc, char **argv)
{
    hd_settings s;
    const char *pos[4];
    int npos = 0, value = 0;
    hd_status st;
    hd_db *db = NULL;

    int code = hd_cli_settings("pain", HD_CMD_PAIN, argc, argv, usage, &s, pos, 4, &npos);
    if (code >= 0)
        return code;
    if (npos != 1) {
        fprintf(stderr, "heeldrop pain: give one rating from 0 to 10 (usage: heeldrop pain N "
                        "[--morning] [--note TEXT])\n");
        return 2;
    }
    if (!parse_pain(pos[0], &value)) {
        fprintf(stderr,
                "heeldrop pain: '%s' is not a pain rating: give a whole number from 0 "
                "(none) to 10 (worst)\n",
                pos[0]);
        return 2;
    }
    time_t now = hd_now();
    st = hd_db_open(NULL, &db);
    if (st < 0)
        goto fail;

    int64_t session_id = 0;
    hd_db_session_row last;
    if (!s.morning) {
        /* Today's latest session with reps (a session stopped before any rep is only
         * taken when there is no other today). */
        hd_db_session_row *today = NULL;
        int n = 0;
        st =
            hd_db_sessions_list(db, hd_local_day_start((int64_t)now), (int64_t)now + 1, &today, &n);
        if (st < 0)
            goto fail;
        int pick = n - 1; /* the latest, unless an earlier one has reps and it has none */
        for (int i = n - 1; i >= 0; i--) {
            if (today[i].reps > 0) {
                pick = i;
                break;
            }
        }
        if (pick >= 0) {
            last = today[pick];
            session_id = last.id;
        }
        free(today);
    }
    st = hd_db_pain_add(db, (int64_t)now, value, s.morning, session_id, s.note, NULL);
    if (st < 0)
        goto fail;
    if (session_id) {
        char when[32];
        time_t t = (time_t)last.start_time;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
        printf("Logged pain %d/10 for the session of %s (%s).\n", value, when, last.uid);
    } else {
        printf("Logged %spain %d/10.\n", s.morning ? "next-morning " : "", value);
    }

    hd_plan plan;
    hd_preset preset;
    hd_advice adv;
    st = hd_plan_get(db, &plan);
    if (st < 0)
        goto fail;
    if (st == HD_OK) {
        if ((st = hd_preset_load(plan.preset, &preset)) < 0)
            goto fail;
        if ((st = hd_programme_refresh(db, &plan, &preset, now)) < 0)
            goto fail;
        st = hd_programme_advice(db, &plan, &preset, now, &adv);
    } else {
        st = hd_programme_advice(db, NULL, NULL, now, &adv);
    }
    if (st < 0)
        goto fail;
    hd_history_print_advice(stdout, &adv);
    if (value > 5)
        printf("Pain above 5/10 is more than the acceptable level during the exercise. If you "
               "are in pain\nor concerned, see a professional (HeelDrop is a training aid, not a "
               "diagnosis).\n");
    hd_db_close(db);
    return 0;
fail:
    fprintf(stderr, "heeldrop pain: %s\n", hd_last_error());
    hd_db_close(db);
    return hd_status_exit_code(st);
}
