/* cmd_plan.c - `heeldrop plan`: choose a programme preset, or show the current plan,
 * today's target and the advice for the next session.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/analysis.h"
#include "heeldrop/cli.h"
#include "heeldrop/db.h"
#include "heeldrop/options.h"
#include "heeldrop/programme.h"
#include "store/history.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop plan [--preset NAME --leg left|right|both]\n"
               "\n"
               "With --preset: chooses a programme (starter, alfredson or guided: files in\n"
               "models/programmes/) for one leg or both, starting today. Without: shows the\n"
               "current plan, today's target and the advice for the next session.\n"
               "\n"
               "options:\n");
    hd_settings_print_help(HD_CMD_PLAN, f);
    fprintf(f, "\nexit codes: 0 ok, 2 bad option, 6 the database could not be written,\n"
               "8 the preset is unknown, missing or broken.\n");
}

static void fmt_day(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%d", &tm);
}

static void print_preset(const hd_preset *p)
{
    printf("%s\n", p->title);
    printf("Source: %s\n", p->source);
    printf("Progression: %s\n", p->progression);
    printf("Stages:");
    for (int i = 0; i < p->nstages; i++)
        printf("%s %d x %d", i ? "," : "", p->stages[i].sets, p->stages[i].reps_per_set);
    printf(" (sets x reps per leg%s)\n", p->knee_straight && p->knee_bent
                                             ? ", knee straight and again knee bent"
                                         : p->knee_bent ? ", knee bent"
                                                        : ", knee straight");
    if (p->nloads > 1) {
        printf("Added load steps:");
        for (int i = 1; i < p->nloads; i++)
            printf(" %.1f kg", p->loads[i]);
        printf("\n");
    }
}

static void print_target(const hd_target *t)
{
    const char *knee = t->knee_straight && t->knee_bent ? "knee straight, then the same knee bent"
                       : t->knee_bent                   ? "knee bent"
                                                        : "knee straight";
    printf("Today's target (week %d, stage %d): %d x %d per leg, %s", t->week, t->stage, t->sets,
           t->reps_per_set, knee);
    if (strcmp(t->legs, "both") == 0)
        printf(", both legs");
    else
        printf(", %s leg", t->legs);
    if (t->load_kg > 0)
        printf(", %.1f kg added load", t->load_kg);
    printf("%s\n", t->reduced ? " (reduced, see the advice)" : "");
    if (t->sessions_per_day > 0)
        printf("Sessions: %d a day; done today: %d\n", t->sessions_per_day, t->sessions_today);
    else
        printf("Sessions: %d a week; done today: %d\n", t->sessions_per_week, t->sessions_today);
    if (!t->training_day)
        printf("Today is a rest day: this programme trains on non-consecutive days.\n");
    printf("Reps today: left %d (valid %d), right %d (valid %d)", t->reps_today_left,
           t->valid_today_left, t->reps_today_right, t->valid_today_right);
    if (t->reps_today_other)
        printf(", leg not known %d (valid %d)", t->reps_today_other, t->valid_today_other);
    printf("; target per session %d per leg\n", hd_target_reps_per_leg(t));
    hd_history_print_advice(stdout, &t->advice);
}

int hd_cmd_plan(int argc, char **argv)
{
    hd_settings s;
    const char *pos[4];
    int npos = 0;
    hd_status st;
    hd_db *db = NULL;
    hd_preset p;

    int code = hd_cli_settings("plan", HD_CMD_PLAN, argc, argv, usage, &s, pos, 4, &npos);
    if (code >= 0)
        return code;
    if (npos > 0) {
        fprintf(stderr,
                "heeldrop plan: unexpected argument '%s' (usage: heeldrop plan "
                "[--preset NAME --leg left|right|both])\n",
                pos[0]);
        return 2;
    }
    int choosing = s.preset && *s.preset;
    if (!choosing && s.leg && *s.leg) {
        fprintf(stderr, "heeldrop plan: --leg needs --preset NAME (starter, alfredson, "
                        "guided)\n");
        return 2;
    }
    if (choosing && !(s.leg && *s.leg)) {
        fprintf(stderr, "heeldrop plan: --preset needs --leg left, right or both\n");
        return 2;
    }
    time_t now = hd_now();
    if (choosing) {
        st = hd_preset_load(s.preset, &p);
        if (st < 0)
            goto fail;
    }
    st = hd_db_open(NULL, &db);
    if (st < 0)
        goto fail;

    if (choosing) {
        hd_plan plan;
        char day[16];
        printf("%s\n\n", hd_programme_readiness_text());
        st = hd_plan_choose(db, p.name, s.leg, now, &plan);
        if (st < 0)
            goto fail;
        fmt_day(plan.start_time, day, sizeof(day));
        printf("Plan chosen: %s, %s leg%s, starting %s.\n", p.name, s.leg,
               strcmp(s.leg, "both") ? "" : "s", day);
        print_preset(&p);
        printf("\n%s\n", hd_programme_safety_text());
        if (p.nloads > 1)
            printf("\n%s\n", hd_programme_load_caution());
        hd_db_close(db);
        return 0;
    }

    hd_target t;
    st = hd_programme_today(db, now, &t);
    if (st < 0)
        goto fail;
    if (!t.has_plan) {
        printf("No plan chosen yet. Choose one with 'heeldrop plan --preset NAME --leg "
               "left|right|both':\n"
               "  starter    10 per leg, 4 times a week, then gradually more (seed 000)\n"
               "  alfredson  3 x 15 knee straight + 3 x 15 knee bent, twice a day, 12 weeks\n"
               "  guided     2-3 sets of 8-12 on 3 non-consecutive days a week (seed 003)\n");
        hd_db_close(db);
        return 0;
    }
    hd_plan plan;
    char day[16];
    if ((st = hd_plan_get(db, &plan)) < 0 || (st = hd_preset_load(plan.preset, &p)) < 0)
        goto fail;
    fmt_day(plan.start_time, day, sizeof(day));
    printf("Plan: %s, %s leg%s, since %s\n", plan.preset, plan.legs,
           strcmp(plan.legs, "both") ? "" : "s", day);
    print_preset(&p);
    printf("\n");
    print_target(&t);
    if (t.load_kg > 0)
        printf("\n%s\n", hd_programme_load_caution());
    printf("\n%s\n", hd_programme_safety_text());
    hd_db_close(db);
    return 0;
fail:
    fprintf(stderr, "heeldrop plan: %s\n", hd_last_error());
    hd_db_close(db);
    return hd_status_exit_code(st);
}
