/* cmd_devices.c - `heeldrop devices`: the cameras with their formats, sizes and rates.
 *
 * Every /dev/video0 .. /dev/video63 is opened through libv4l2 (so the formats libv4l2
 * converts to are listed too, marked as such) and each video capture device is described.
 * Its only option, --device, is parsed here: it is not a setting of an analysis.
 */
#include <stdio.h>
#include <string.h>

#include "heeldrop/cli.h"
#include "heeldrop/source_v4l2.h"

/* Every camera problem exits 7 (docs/user-guide.md), "no camera" included. */
#define DEVICES_EXIT_CAMERA 7

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop devices [--device /dev/videoN]\n"
               "\n"
               "Lists every camera (video capture device /dev/video0 to /dev/video63) with its\n"
               "driver, name, pixel formats, frame sizes and frame rates, as seen through\n"
               "libv4l2: formats marked 'converted by libv4l2' are made from the camera's own.\n"
               "\n"
               "options:\n"
               "  --device PATH   describe only this device\n"
               "  -h, --help      this help\n"
               "\n"
               "exit: 0 at least one camera listed, 2 bad usage, 7 no camera (or the one\n"
               "given cannot be opened).\n");
}

int hd_cmd_devices(int argc, char **argv)
{
    const char *device = NULL;
    int found = 0;
    char path[32];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--device") && i + 1 < argc) {
            device = argv[++i];
        } else if (!strncmp(a, "--device=", 9)) {
            device = a + 9;
        } else {
            fprintf(stderr,
                    "heeldrop devices: unexpected argument '%s' (see 'heeldrop "
                    "devices --help')\n",
                    a);
            return 2;
        }
    }
    if (device) {
        if (!*device) {
            fprintf(stderr, "heeldrop devices: --device needs a path such as /dev/video0\n");
            return 2;
        }
        if (hd_v4l2_describe(NULL, device, stdout) != HD_OK) {
            fprintf(stderr, "heeldrop devices: %s\n", hd_last_error());
            return DEVICES_EXIT_CAMERA;
        }
        return 0;
    }
    for (int i = 0; i < 64; i++) {
        snprintf(path, sizeof(path), "/dev/video%d", i);
        /* one quiet probe per node: only capture devices are described */
        if (hd_v4l2_describe(NULL, path, stdout) == HD_OK)
            found++;
    }
    if (!found) {
        hd_v4l2_find_camera(path, sizeof(path)); /* for its message: what was looked for */
        fprintf(stderr, "heeldrop devices: %s\n", hd_last_error());
        return DEVICES_EXIT_CAMERA;
    }
    return 0;
}
