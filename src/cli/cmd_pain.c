/* cmd_pain.c - TEMPORARY placeholder while 'heeldrop pain' is being written (replace whole file). */
#include <stdio.h>

#include "heeldrop/cli.h"

int hd_cmd_pain(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "heeldrop: 'pain' is not built yet\n");
    return 70;
}
