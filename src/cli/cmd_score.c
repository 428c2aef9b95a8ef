/* cmd_score.c - `heeldrop score`: compares analyses with the generator's truth.
 *
 * The metrics are in src/store/score.c (score.h); this file finds the files, pairs them,
 * prints and checks. Its options are its own (inputs, not settings of an analysis), so
 * they are parsed here rather than in the shared option table.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "heeldrop/cli.h"
#include "heeldrop/score.h"
#include "heeldrop/summary.h"

#define TRUTH_JSON ".truth.json"
#define TRUTH_CSV ".truth.csv"
#define ANALYSIS_JSON ".json"
#define ANALYSIS_CSV ".trace.csv"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: heeldrop score --truth T.json --analysis A.json\n"
            "                      [--truth-trace T.csv --trace A.csv] [--json OUT] [--targets]\n"
            "       heeldrop score --truth-dir D1 --analysis-dir D2 [--json OUT] [--targets]\n"
            "\n"
            "Compares analyses with the ground truth written by 'heeldrop synth'.\n"
            "\n"
            "options:\n"
            "  --truth FILE         truth summary of one clip (NAME.truth.json)\n"
            "  --analysis FILE      analysis summary of the same clip (heeldrop analyze --json)\n"
            "  --truth-trace FILE   truth per-frame trace with its 'visible' column\n"
            "  --trace FILE         analysis per-frame trace (heeldrop analyze --trace);\n"
            "                       give both traces or neither\n"
            "  --truth-dir DIR      score every clip of a folder of truth files ...\n"
            "  --analysis-dir DIR   ... against the analyses in this folder\n"
            "  --json FILE          also write every number (per clip and aggregate) as JSON\n"
            "  --targets            check the aggregate against the accuracy targets; exit 1\n"
            "                       when one fails\n"
            "  --match-tol S        largest t_bottom difference for a true and a found rep to\n"
            "                       match (default 1.0 s)\n"
            "  -h, --help           this help\n"
            "\n"
            "Folder mode pairs files by base name NAME:\n"
            "  D1/NAME.truth.json  with  D2/NAME.json        (summaries; the analysis must exist)\n"
            "  D1/NAME.truth.csv   with  D2/NAME.trace.csv   (traces; scored when both exist)\n"
            "Every D1/*.truth.json is a clip; other files are ignored.\n"
            "\n"
            "Reps match one to one when their t_bottom differ by at most the tolerance; the\n"
            "matching is optimal (most pairs, then least total time difference). Per-frame\n"
            "heel errors pair each truth frame with the nearest analysis frame within half a\n"
            "frame, over frames where the truth says the heel is visible.\n"
            "\n"
            "targets: exact count on >= 95%% of clips; descent and hold mean abs error <= 0.25 s;\n"
            "depth <= 8 mm; median heel_mm error <= 4 mm; lost share <= 2%%; precision and\n"
            "recall >= 0.9 per warning; no reps on no-exercise clips. A target without data is\n"
            "n/a; one whose number is undefined although data exists fails.\n"
            "\n"
            "exit: 0 done (and targets met), 1 a target failed, 2 bad usage, 3 an input is\n"
            "missing or unreadable, 6 the --json file could not be written.\n");
}

typedef struct args {
    const char *truth, *analysis, *truth_trace, *trace;
    const char *truth_dir, *analysis_dir, *json;
    int targets, help;
    double tol;
} args;

static int bad_usage(const char *fmt, const char *what)
{
    fputs("heeldrop score: ", stderr);
    fprintf(stderr, fmt, what);
    fputs(" (see 'heeldrop score --help')\n", stderr);
    return 2;
}

/* Returns 0 or the exit code 2 after printing the reason. */
static int parse_args(int argc, char **argv, args *a)
{
    static const struct {
        const char *name;
        size_t off;
    } valued[] = {
        {"--truth", offsetof(args, truth)},
        {"--analysis", offsetof(args, analysis)},
        {"--truth-trace", offsetof(args, truth_trace)},
        {"--trace", offsetof(args, trace)},
        {"--truth-dir", offsetof(args, truth_dir)},
        {"--analysis-dir", offsetof(args, analysis_dir)},
        {"--json", offsetof(args, json)},
        {"--match-tol", 0},
    };
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            a->help = 1;
            continue;
        }
        if (!strcmp(arg, "--targets")) {
            a->targets = 1;
            continue;
        }
        size_t k, n = sizeof(valued) / sizeof(valued[0]);
        const char *value = NULL;
        for (k = 0; k < n; k++) {
            size_t len = strlen(valued[k].name);
            if (!strncmp(arg, valued[k].name, len) && (arg[len] == '\0' || arg[len] == '='))
                break;
        }
        if (k == n)
            return bad_usage(arg[0] == '-' ? "unknown option %s" : "unexpected argument %s", arg);
        value = strchr(arg, '=');
        if (value) {
            value++;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return bad_usage("%s needs a value", valued[k].name);
        }
        if (!*value)
            return bad_usage("%s needs a value", valued[k].name);
        if (!strcmp(valued[k].name, "--match-tol")) {
            char *end;
            a->tol = strtod(value, &end);
            if (end == value || *end || !(a->tol > 0 && a->tol < 60))
                return bad_usage("--match-tol wants seconds above 0, not %s", value);
            continue;
        }
        *(const char **)((char *)a + valued[k].off) = value;
    }
    if (a->help)
        return 0;
    int single = a->truth || a->analysis || a->truth_trace || a->trace;
    int dirs = a->truth_dir || a->analysis_dir;
    if (single && dirs)
        return bad_usage("%s", "give files (--truth/--analysis) or folders "
                               "(--truth-dir/--analysis-dir), not both");
    if (!single && !dirs)
        return bad_usage("%s", "nothing to score: give --truth and --analysis, or --truth-dir "
                               "and --analysis-dir");
    if (single && (!a->truth || !a->analysis))
        return bad_usage("%s needs its pair", a->truth ? "--truth" : "--analysis");
    if (single && !a->truth_trace != !a->trace)
        return bad_usage("%s needs its pair (give both traces or neither)",
                         a->trace ? "--trace" : "--truth-trace");
    if (dirs && (!a->truth_dir || !a->analysis_dir))
        return bad_usage("%s needs its pair", a->truth_dir ? "--truth-dir" : "--analysis-dir");
    return 0;
}

/* Exit code for a failed read: 3 for anything about the input, 70 out of memory. */
static int input_error(hd_status st)
{
    fprintf(stderr, "heeldrop score: %s\n", hd_last_error());
    return st == HD_ERR_NOMEM ? 70 : 3;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && !strcmp(s + n - k, suffix);
}

/* Reads one clip's files and adds it to the scorer. Returns 0 or an exit code. */
static int score_one(hd_score *sc, const char *name, const char *truth_path, const char *ana_path,
                     const char *truth_trace_path, const char *trace_path)
{
    hd_summary truth = {0}, ana = {0};
    hd_trace_row *tt = NULL, *ft = NULL;
    int64_t nt = 0, nf = 0;
    int rc = 0;

    hd_status st = hd_summary_read_json(truth_path, &truth);
    if (st == HD_OK)
        st = hd_summary_read_json(ana_path, &ana);
    if (st == HD_OK && truth_trace_path) {
        st = hd_trace_read_csv(truth_trace_path, &tt, &nt);
        if (st == HD_OK)
            st = hd_trace_read_csv(trace_path, &ft, &nf);
    }
    if (st < 0) {
        rc = input_error(st);
        goto done;
    }
    if (hd_score_add(sc, name, &truth, &ana, tt, nt, ft, nf) < 0) {
        fprintf(stderr, "heeldrop score: %s\n", hd_last_error());
        rc = 70;
    }
done:
    free(tt);
    free(ft);
    hd_summary_clear(&truth);
    hd_summary_clear(&ana);
    return rc;
}

/* Clip name from a truth path: its base name without .truth.json (or .json). */
static void clip_name(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(buf, size, "%s", base);
    size_t n = strlen(buf);
    if (ends_with(buf, TRUTH_JSON))
        buf[n - strlen(TRUTH_JSON)] = '\0';
    else if (ends_with(buf, ANALYSIS_JSON))
        buf[n - strlen(ANALYSIS_JSON)] = '\0';
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the NAMEs of dir/NAME.truth.json, sorted. Returns 0 or an exit code. */
static int list_clips(const char *dir, char ***names, int *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    int n = 0, cap = 0;

    *names = NULL;
    *count = 0;
    if (!d) {
        fprintf(stderr, "heeldrop score: cannot read folder %s: %s\n", dir, strerror(errno));
        return 3;
    }
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, TRUTH_JSON))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **g = realloc(v, (size_t)cap * sizeof(*g));
            if (!g)
                break;
            v = g;
        }
        v[n] = strdup(e->d_name);
        if (!v[n])
            break;
        v[n][strlen(v[n]) - strlen(TRUTH_JSON)] = '\0';
        n++;
    }
    int oom = e != NULL;
    closedir(d);
    if (oom) {
        for (int i = 0; i < n; i++)
            free(v[i]);
        free(v);
        fprintf(stderr, "heeldrop score: out of memory listing %s\n", dir);
        return 70;
    }
    if (n == 0) {
        free(v);
        fprintf(stderr, "heeldrop score: no clips: %s has no NAME%s files\n", dir, TRUTH_JSON);
        return 3;
    }
    qsort(v, (size_t)n, sizeof(*v), cmp_str);
    *names = v;
    *count = n;
    return 0;
}

static int path_join(char *buf, const char *dir, const char *name, const char *suffix)
{
    int k = snprintf(buf, PATH_MAX, "%s/%s%s", dir, name, suffix);
    return k > 0 && k < PATH_MAX;
}

static int score_dirs(hd_score *sc, const args *a)
{
    char **names;
    int n, rc = list_clips(a->truth_dir, &names, &n);
    if (rc)
        return rc;
    for (int i = 0; i < n && !rc; i++) {
        char tj[PATH_MAX], tc[PATH_MAX], aj[PATH_MAX], ac[PATH_MAX];
        if (!path_join(tj, a->truth_dir, names[i], TRUTH_JSON) ||
            !path_join(tc, a->truth_dir, names[i], TRUTH_CSV) ||
            !path_join(aj, a->analysis_dir, names[i], ANALYSIS_JSON) ||
            !path_join(ac, a->analysis_dir, names[i], ANALYSIS_CSV)) {
            fprintf(stderr, "heeldrop score: path too long for clip %s\n", names[i]);
            rc = 3;
            break;
        }
        if (!is_file(aj)) {
            fprintf(stderr, "heeldrop score: no analysis for clip %s: %s not found\n", names[i],
                    aj);
            rc = 3;
            break;
        }
        int have_tc = is_file(tc), have_ac = is_file(ac);
        if (have_tc != have_ac)
            fprintf(stderr, "heeldrop score: note: clip %s has no %s: its trace is not scored\n",
                    names[i], have_tc ? ac : tc);
        rc = score_one(sc, names[i], tj, aj, have_tc && have_ac ? tc : NULL,
                       have_tc && have_ac ? ac : NULL);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int hd_cmd_score(int argc, char **argv)
{
    args a;
    hd_score *sc = NULL;
    hd_score_targets targets;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    if (a.help) {
        usage(stdout);
        return 0;
    }
    hd_score_targets_default(&targets);
    if (hd_score_create(a.tol, &sc) < 0) {
        fprintf(stderr, "heeldrop score: %s\n", hd_last_error());
        return 70;
    }
    if (a.truth_dir) {
        rc = score_dirs(sc, &a);
    } else {
        char name[256];
        clip_name(a.truth, name, sizeof(name));
        rc = score_one(sc, name, a.truth, a.analysis, a.truth_trace, a.trace);
    }
    if (rc)
        goto done;

    hd_score_print(sc, stdout);
    if (a.json) {
        hd_status st = hd_score_write_json(sc, a.targets ? &targets : NULL, a.json);
        if (st < 0) {
            fprintf(stderr, "heeldrop score: %s\n", hd_last_error());
            rc = hd_status_exit_code(st);
            goto done;
        }
    }
    if (a.targets) {
        hd_score_result total;
        if (hd_score_total(sc, &total) < 0) {
            fprintf(stderr, "heeldrop score: %s\n", hd_last_error());
            rc = 70;
            goto done;
        }
        printf("\ntargets:\n");
        int failed = hd_score_check(&total, &targets, stdout);
        fflush(stdout);
        if (failed) {
            fprintf(stderr, "heeldrop score: %d target%s failed (the FAIL lines above)\n", failed,
                    failed == 1 ? "" : "s");
            rc = 1;
        }
    }
done:
    hd_score_destroy(sc);
    return rc;
}
