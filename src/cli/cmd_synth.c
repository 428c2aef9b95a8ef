/* cmd_synth.c - `heeldrop synth`: renders side-view heel-drop clips with exact truth.
 *
 * For each seed it writes DIR/NAME.<ext> (the video), DIR/NAME.truth.csv (the per-frame
 * truth trace) and DIR/NAME.truth.json (the truth summary, reps from the rep engine).
 * The options are the generator's own, so they are parsed here rather than in the shared
 * option table (like `score`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heeldrop/cli.h"
#include "heeldrop/synth.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: heeldrop synth --out DIR [--seed N] [--count K] [--kind KIND]\n"
               "                      [--duration S] [--size WxH] [--fps F] [--codec C]\n"
               "                      [--name NAME] [more options]\n"
               "\n"
               "Renders side-view heel-drop clips with exact ground truth: for each seed N..N+K-1\n"
               "writes DIR/NAME.<ext> (video), DIR/NAME.truth.csv (per-frame truth) and\n"
               "DIR/NAME.truth.json (truth summary; its reps come from the rep engine run on the\n"
               "rendered heel signal). The same options always give the same clips.\n"
               "\n"
               "options:\n"
               "  --out DIR          output folder (created if missing)\n"
               "  --seed N           first seed (default 1)\n"
               "  --count K          number of clips, seeds N..N+K-1 (default 1)\n"
               "  --kind KIND        exercise, noexercise or mixed (default mixed: one seed in\n"
               "                     six is a clip without exercise)\n"
               "  --duration S       clip length in seconds (default: the scenario's, 20-90 s)\n"
               "  --size WxH         picture size as shown, even numbers (default: random)\n"
               "  --fps F            frame rate (default: random among 15 24 25 30 50 60)\n"
               "  --codec C          h264, mpeg4, vp9 or mjpeg (default: random, mostly h264)\n"
               "  --container EXT    mp4, mkv, mov, avi or webm (default: fits the codec)\n"
               "  --crf N            quality 1-51 (default: random 18-34)\n"
               "  --rotation DEG     display rotation stored in the file: 0, 90, 180 or 270\n"
               "                     (default: random, mostly 0)\n"
               "  --cfr, --vfr       constant or jittered frame timestamps (default: random)\n"
               "  --scenario NAME    exercise, good3, sample, stand, stepoff, walk or stretch\n"
               "  --name NAME        file base name (default clip_<seed>; with --count,\n"
               "                     NAME_<seed>)\n"
               "  --no-video         write the truth files only\n"
               "  -q, --quiet        print nothing but errors\n"
               "  -h, --help         this help\n");
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "heeldrop synth: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'heeldrop synth --help')\n");
    return 2;
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int hd_cmd_synth(int argc, char **argv)
{
    hd_synth_opts o;
    hd_synth_opts_default(&o);
    const char *out = NULL, *name = NULL;
    unsigned long long seed = 1;
    long count = 1;
    int video = 1, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--no-video")) {
            video = 0;
            continue;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "--cfr") || !strcmp(a, "--vfr")) {
            o.vfr = !strcmp(a, "--vfr");
            continue;
        }
        if (a[0] != '-')
            return bad("unexpected argument '%s'", a);
        if (!v)
            return bad("option %s needs a value", a);
        i++;
        if (!strcmp(a, "--out")) {
            out = v;
        } else if (!strcmp(a, "--seed")) {
            char *end;
            errno = 0;
            seed = strtoull(v, &end, 10);
            if (errno || end == v || *end || v[0] == '-')
                return bad("--seed needs a whole number >= 0, not '%s'", v);
        } else if (!strcmp(a, "--count")) {
            if (parse_num(v, 1, 100000, &d) || d != (long)d)
                return bad("--count needs a whole number from 1 to 100000, not '%s'", v);
            count = (long)d;
        } else if (!strcmp(a, "--kind")) {
            if (!strcmp(v, "exercise"))
                o.kind = HD_SYNTH_EXERCISE;
            else if (!strcmp(v, "noexercise"))
                o.kind = HD_SYNTH_NOEXERCISE;
            else if (!strcmp(v, "mixed"))
                o.kind = HD_SYNTH_MIXED;
            else
                return bad("--kind is exercise, noexercise or mixed, not '%s'", v);
        } else if (!strcmp(a, "--duration")) {
            if (parse_num(v, 1, 3600, &d))
                return bad("--duration needs seconds from 1 to 3600, not '%s'", v);
            o.duration_s = d;
        } else if (!strcmp(a, "--size")) {
            int w, h;
            char c;
            if (sscanf(v, "%dx%d%c", &w, &h, &c) != 2 || w < 64 || h < 64 || w > 4096 || h > 4096 ||
                (w & 1) || (h & 1))
                return bad("--size needs WxH with even numbers from 64 to 4096, not '%s'", v);
            o.width = w;
            o.height = h;
        } else if (!strcmp(a, "--fps")) {
            if (parse_num(v, 1, 240, &d))
                return bad("--fps needs a rate from 1 to 240, not '%s'", v);
            o.fps = d;
        } else if (!strcmp(a, "--codec")) {
            if (strcmp(v, "h264") && strcmp(v, "mpeg4") && strcmp(v, "vp9") && strcmp(v, "mjpeg"))
                return bad("--codec is h264, mpeg4, vp9 or mjpeg, not '%s'", v);
            o.codec = v;
        } else if (!strcmp(a, "--container")) {
            if (strcmp(v, "mp4") && strcmp(v, "mkv") && strcmp(v, "mov") && strcmp(v, "avi") &&
                strcmp(v, "webm"))
                return bad("--container is mp4, mkv, mov, avi or webm, not '%s'", v);
            o.container = v;
        } else if (!strcmp(a, "--crf")) {
            if (parse_num(v, 1, 51, &d) || d != (int)d)
                return bad("--crf needs a whole number from 1 to 51, not '%s'", v);
            o.crf = (int)d;
        } else if (!strcmp(a, "--rotation")) {
            if (strcmp(v, "0") && strcmp(v, "90") && strcmp(v, "180") && strcmp(v, "270"))
                return bad("--rotation is 0, 90, 180 or 270, not '%s'", v);
            o.rotation_deg = atoi(v);
        } else if (!strcmp(a, "--scenario")) {
            static const char *const names[] = {"exercise", "good3", "sample", "stand",
                                                "stepoff",  "walk",  "stretch"};
            int ok = 0;
            for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
                ok |= !strcmp(v, names[k]);
            if (!ok)
                return bad("unknown --scenario '%s'", v);
            o.scenario = v;
        } else if (!strcmp(a, "--name")) {
            if (!v[0] || strchr(v, '/'))
                return bad("--name needs a file base name without '/', not '%s'", v);
            name = v;
        } else {
            return bad("unknown option '%s'", a);
        }
    }
    if (!out)
        return bad("%s", "--out DIR is required");
    if (o.codec && o.container &&
        ((!strcmp(o.codec, "vp9") && strcmp(o.container, "webm") && strcmp(o.container, "mkv")) ||
         (strcmp(o.codec, "vp9") && !strcmp(o.container, "webm"))))
        return bad("codec and container do not go together (%s)", o.container);
    for (long k = 0; k < count; k++) {
        o.seed = seed + (unsigned long long)k;
        char base[512];
        if (name && count == 1)
            snprintf(base, sizeof(base), "%s", name);
        else
            snprintf(base, sizeof(base), "%s_%llu", name ? name : "clip",
                     (unsigned long long)o.seed);
        hd_synth *s = NULL;
        hd_status st = hd_synth_create(&o, &s);
        if (st != HD_OK) {
            fprintf(stderr, "heeldrop synth: %s\n", hd_last_error());
            return hd_status_exit_code(st);
        }
        st = hd_synth_write(s, out, base, video);
        if (st != HD_OK) {
            fprintf(stderr, "heeldrop synth: %s\n", hd_last_error());
            hd_synth_destroy(s);
            return hd_status_exit_code(st);
        }
        if (!quiet) {
            const hd_synth_info *in = hd_synth_get_info(s);
            printf("%s/%s.%s: %s, %dx%d%s %.4g fps%s %s crf %d, %.1f s, %d truth reps\n", out, base,
                   video ? in->container : "(no video)", in->scenario, in->width, in->height,
                   in->rotation_deg ? " (stored turned)" : "", in->fps, in->vfr ? " vfr" : "",
                   in->codec, in->crf, in->duration_s, in->truth_reps);
            fflush(stdout);
        }
        hd_synth_destroy(s);
    }
    return 0;
}
