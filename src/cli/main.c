/* main.c - the heeldrop program: dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "heeldrop/cli.h"

#ifndef HD_VERSION
#define HD_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: heeldrop COMMAND [options]\n"
            "\n"
            "HeelDrop watches eccentric heel drops (Alfredson protocol) filmed from the side\n"
            "and measures every rep: descent time, hold, depth, leg and form warnings.\n"
            "\n"
            "commands:\n"
            "  analyze VIDEO...   measure the heel drops in saved videos\n"
            "  synth              render test clips with exact ground truth\n"
            "  score              compare analyses with generated ground truth\n"
            "  version            print the version\n"
            "\n"
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
    if (!strcmp(cmd, "analyze"))
        return hd_cmd_analyze(argc - 1, argv + 1);
    if (!strcmp(cmd, "synth"))
        return hd_cmd_synth(argc - 1, argv + 1);
    if (!strcmp(cmd, "score"))
        return hd_cmd_score(argc - 1, argv + 1);
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
