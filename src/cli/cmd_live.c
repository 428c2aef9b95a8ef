/* cmd_live.c - TEMPORARY placeholder while 'heeldrop live' is being written (replace whole file). */
#include <stdio.h>

#include "heeldrop/cli.h"

int hd_cmd_live(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "heeldrop: 'live' is not built yet\n");
    return 70;
}
