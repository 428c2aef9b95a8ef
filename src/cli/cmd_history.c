/* cmd_history.c - TEMPORARY placeholder while 'heeldrop history' is being written (replace whole file). */
#include <stdio.h>

#include "heeldrop/cli.h"

int hd_cmd_history(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "heeldrop: 'history' is not built yet\n");
    return 70;
}
