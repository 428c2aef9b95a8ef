/* cmd_review.c - TEMPORARY placeholder while 'heeldrop review' is being written (replace whole file). */
#include <stdio.h>

#include "heeldrop/cli.h"

int hd_cmd_review(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "heeldrop: 'review' is not built yet\n");
    return 70;
}
