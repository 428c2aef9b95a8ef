/* cmd_devices.c - TEMPORARY placeholder while 'heeldrop devices' is being written (replace whole file). */
#include <stdio.h>

#include "heeldrop/cli.h"

int hd_cmd_devices(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "heeldrop: 'devices' is not built yet\n");
    return 70;
}
