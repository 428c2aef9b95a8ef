/* cmd_plan.c - TEMPORARY placeholder while 'heeldrop plan' is being written (replace whole file). */
#include <stdio.h>

#include "heeldrop/cli.h"

int hd_cmd_plan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "heeldrop: 'plan' is not built yet\n");
    return 70;
}
