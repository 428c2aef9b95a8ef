/* main.c - the heeldrop program: dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "heeldrop/cli.h"

#ifndef HD_VERSION
#define HD_VERSION "0.1.0"
#endif

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *args;
    const char *help;
} command;

static const command commands[] = {
    {"live", hd_cmd_live, "", "coach heel drops from the camera (or --source FILE)"},
    {"devices", hd_cmd_devices, "", "list the cameras with their formats, sizes and rates"},
    {"analyze", hd_cmd_analyze, "VIDEO...", "measure the heel drops in saved videos"},
    {"review", hd_cmd_review, "[SESSION|VIDEO]", "replay a session or a video with its reps"},
    {"history", hd_cmd_history, "", "sessions, weekly totals and adherence"},
    {"report", hd_cmd_report, "[SESSION|--week]", "an HTML report for a physio or coach"},
    {"plan", hd_cmd_plan, "", "choose a programme (--preset NAME --leg left|right|both)"},
    {"pain", hd_cmd_pain, "N", "log pain 0-10 after a session (--morning: next morning)"},
    {"synth", hd_cmd_synth, "", "render test clips with exact ground truth"},
    {"score", hd_cmd_score, "", "compare analyses with generated ground truth"},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop COMMAND [options]\n"
               "\n"
               "HeelDrop watches eccentric heel drops (Alfredson protocol) filmed from the side\n"
               "and measures every rep: descent time, hold, depth, leg and form warnings.\n"
               "\n"
               "commands:\n");
    for (const command *c = commands; c->name; c++) {
        char left[40];
        snprintf(left, sizeof(left), "%s %s", c->name, c->args);
        fprintf(f, "  %-26s %s\n", left, c->help);
    }
    fprintf(f, "  %-26s %s\n", "version", "print the version");
    fprintf(f, "\n"
               "'heeldrop COMMAND --help' lists a command's options.\n"
               "HeelDrop is a training aid, not a diagnosis: if you are in pain or concerned,\n"
               "see a professional.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    for (const command *c = commands; c->name; c++)
        if (!strcmp(cmd, c->name))
            return c->run(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("heeldrop %s\n", HD_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "heeldrop: unknown command '%s' (see 'heeldrop --help')\n", cmd);
    return 2;
}
