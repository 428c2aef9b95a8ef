/* cmd_report.c - TEMPORARY placeholder while 'heeldrop report' is being written (replace whole file). */
#include <stdio.h>

#include "heeldrop/cli.h"

int hd_cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "heeldrop: 'report' is not built yet\n");
    return 70;
}
