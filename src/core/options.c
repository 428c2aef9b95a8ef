/* options.c - the one table of settings: --help, parsing, config file, summaries. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heeldrop/options.h"
#include "heeldrop/paths.h"

#define OFF(f) offsetof(hd_settings, f)
#define A HD_CMD_ANALYZE
#define L HD_CMD_LIVE
#define H HD_CMD_HISTORY
#define RP HD_CMD_REPORT
#define PL HD_CMD_PLAN
#define PN HD_CMD_PAIN

/* Thresholds carry in_summary so every summary says which numbers judged its reps. */
const hd_option hd_options[] = {
    {"json", HD_OPT_STRING, "FILE", "", NULL, OFF(json), A | H, 0, 0,
     "write the summary as JSON (analyze: a folder when several videos are given)"},
    {"csv", HD_OPT_STRING, "FILE", "", NULL, OFF(csv), A | H, 0, 0,
     "write one row per rep (history: per session) as CSV"},
    {"trace", HD_OPT_STRING, "FILE", "", NULL, OFF(trace), A, 0, 0,
     "write one row per frame (t, heel_px, heel_mm, foot_deg, phase, confidence)"},
    {"annotate", HD_OPT_STRING, "FILE.mp4", "", NULL, OFF(annotate), A, 0, 0,
     "write the video with step line, heel and ankle, trace, phase, count and warnings"},
    {"near-leg", HD_OPT_CHOICE, "left|right", "", "left|right", OFF(near_leg), A | L, 1, 1,
     "which leg is nearer the camera, so reps say left/right instead of near/far"},
    {"step-edge", HD_OPT_STRING, "x0,y0,x1,y1", "", NULL, OFF(step_edge), A | L, 1, 0,
     "the step's top edge in pixels, instead of finding it automatically"},
    {"shoe-mm", HD_OPT_DOUBLE, "MM", "270", NULL, OFF(shoe_mm), A | L, 1, 1,
     "length of the working shoe, the scale reference"},
    {"insertional", HD_OPT_FLAG, NULL, "0", NULL, OFF(insertional), A | L, 1, 1,
     "insertional variant: the drop stops at step level (no 'no_hold' for depth)"},
    {"model", HD_OPT_STRING, "FILE", "", NULL, OFF(model), A | L, 0, 1,
     "tracker parameter file (default: models/tracker.json)"},
    {"too-fast-s", HD_OPT_DOUBLE, "S", "2.0", NULL, OFF(too_fast_s), A | L, 1, 1,
     "a descent shorter than this is 'too_fast'"},
    {"target-lo-s", HD_OPT_DOUBLE, "S", "3.0", NULL, OFF(target_lo_s), A | L, 1, 1,
     "start of the descent target window shown to the user"},
    {"target-hi-s", HD_OPT_DOUBLE, "S", "6.0", NULL, OFF(target_hi_s), A | L, 1, 1,
     "end of the descent target window shown to the user"},
    {"min-hold-s", HD_OPT_DOUBLE, "S", "0.3", NULL, OFF(min_hold_s), A | L, 1, 1,
     "a hold shorter than this is 'no_hold'"},
    {"long-hold-s", HD_OPT_DOUBLE, "S", "3.0", NULL, OFF(long_hold_s), A | L, 1, 1,
     "a hold longer than this is 'long_hold'"},
    {"top-mm", HD_OPT_DOUBLE, "MM", "20", NULL, OFF(top_mm), A | L, 1, 1,
     "a top is at least this high above step level"},
    {"bounce-mm", HD_OPT_DOUBLE, "MM", "8", NULL, OFF(bounce_mm), A | L, 1, 1,
     "a rise and fall of this much at the bottom within 0.5 s is a 'bounce'"},
    {"partial-frac", HD_OPT_DOUBLE, "F", "0.8", NULL, OFF(partial_frac), A | L, 1, 1,
     "a top below this share of the set's median top is 'partial'"},
    {"uncertain-s", HD_OPT_DOUBLE, "S", "0.3", NULL, OFF(uncertain_s), A | L, 1, 1,
     "heel lost longer than this within a rep makes it 'uncertain'"},
    {"set-gap-s", HD_OPT_DOUBLE, "S", "8.0", NULL, OFF(set_gap_s), A | L, 1, 1,
     "a rest this long between reps starts a new set"},
    {"quiet", HD_OPT_FLAG, NULL, "0", NULL, OFF(quiet), A | L, 0, 0,
     "print nothing but errors"},
    {"verbose", HD_OPT_FLAG, NULL, "0", NULL, OFF(verbose), A | L, 0, 0,
     "print what the tracker decided"},
    {"device", HD_OPT_STRING, "/dev/videoN", "", NULL, OFF(device), L, 0, 1,
     "the camera (default: the first one found)"},
    {"size", HD_OPT_STRING, "WxH", "1280x720", NULL, OFF(size), L, 0, 1,
     "the frame size to ask the camera for"},
    {"fps", HD_OPT_DOUBLE, "N", "30", NULL, OFF(fps), L, 0, 1,
     "the frame rate to ask the camera for"},
    {"source", HD_OPT_STRING, "FILE", "", NULL, OFF(source), L, 0, 0,
     "run live mode on a saved video, at its own pace, instead of a camera"},
    {"no-record", HD_OPT_FLAG, NULL, "0", NULL, OFF(no_record), L, 0, 1,
     "do not keep the session's video"},
    {"record-overlay", HD_OPT_FLAG, NULL, "0", NULL, OFF(record_overlay), L, 0, 1,
     "record the video with the overlay drawn on it"},
    {"fullscreen", HD_OPT_FLAG, NULL, "0", NULL, OFF(fullscreen), L | HD_CMD_REVIEW, 0, 1,
     "start in full screen (F or F11 toggles)"},
    {"mute", HD_OPT_FLAG, NULL, "0", NULL, OFF(mute), L, 0, 1,
     "start with sound off (M toggles)"},
    {"load-kg", HD_OPT_DOUBLE, "KG", "0", NULL, OFF(load_kg), L, 1, 0,
     "added load for this session (a backpack), logged with the session"},
    {"knee", HD_OPT_CHOICE, "straight|bent", "", "straight|bent", OFF(knee), L, 1, 0,
     "the variant trained this session (default: the plan's)"},
    {"out", HD_OPT_STRING, "FILE.html", "", NULL, OFF(out), RP, 0, 0,
     "the report file to write (default: report.html in the session's folder)"},
    {"week", HD_OPT_FLAG, NULL, "0", NULL, OFF(week), RP, 0, 0,
     "report on the last 7 days instead of one session"},
    {"weeks", HD_OPT_INT, "N", "0", NULL, OFF(weeks), H, 0, 0,
     "show only the last N weeks (0 = all)"},
    {"preset", HD_OPT_STRING, "NAME", "", NULL, OFF(preset), PL, 0, 0,
     "the programme preset (starter, alfredson, guided: files in models/programmes/)"},
    {"leg", HD_OPT_CHOICE, "left|right|both", "", "left|right|both", OFF(leg), PL, 0, 0,
     "the leg or legs to train"},
    {"morning", HD_OPT_FLAG, NULL, "0", NULL, OFF(morning), PN, 0, 0,
     "this is the next-morning pain rating"},
    {"note", HD_OPT_STRING, "TEXT", "", NULL, OFF(note), PN | L, 0, 0,
     "a note kept with the entry"},
    {NULL, 0, NULL, NULL, NULL, 0, 0, 0, 0, NULL},
};

static hd_status set_value(hd_settings *s, const hd_option *o, const char *v, const char *where)
{
    char *p = (char *)s + o->offset;
    char *end;
    switch (o->type) {
    case HD_OPT_FLAG:
        if (!v || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes")) {
            *(int *)p = 1;
        } else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no")) {
            *(int *)p = 0;
        } else {
            return hd_fail(HD_ERR_INVALID, "%s--%s takes no value (or true/false), not '%s'",
                           where, o->name, v);
        }
        return HD_OK;
    case HD_OPT_INT: {
        errno = 0;
        long x = strtol(v, &end, 10);
        if (errno || end == v || *end || x < INT_MIN || x > INT_MAX)
            return hd_fail(HD_ERR_INVALID, "%s--%s needs a whole number, not '%s'", where,
                           o->name, v);
        *(int *)p = (int)x;
        return HD_OK;
    }
    case HD_OPT_DOUBLE: {
        errno = 0;
        double x = strtod(v, &end);
        if (errno || end == v || *end || !isfinite(x))
            return hd_fail(HD_ERR_INVALID, "%s--%s needs a number, not '%s'", where, o->name, v);
        if (x < 0)
            return hd_fail(HD_ERR_INVALID, "%s--%s cannot be negative (%s)", where, o->name, v);
        *(double *)p = x;
        return HD_OK;
    }
    case HD_OPT_STRING:
        *(const char **)p = v;
        return HD_OK;
    case HD_OPT_CHOICE: {
        const char *c = o->choices;
        if (*v == '\0' && o->defval && *o->defval == '\0') {
            *(const char **)p = v; /* unset: the empty default */
            return HD_OK;
        }
        size_t n = strlen(v);
        while (c && *c) {
            const char *bar = strchr(c, '|');
            size_t len = bar ? (size_t)(bar - c) : strlen(c);
            if (len == n && !strncmp(c, v, n)) {
                *(const char **)p = v;
                return HD_OK;
            }
            c = bar ? bar + 1 : NULL;
        }
        return hd_fail(HD_ERR_INVALID, "%s--%s must be one of %s, not '%s'", where, o->name,
                       o->choices, v);
    }
    }
    return hd_fail(HD_ERR_INTERNAL, "bad option type");
}

void hd_settings_default(hd_settings *s)
{
    memset(s, 0, sizeof(*s));
    for (const hd_option *o = hd_options; o->name; o++)
        (void)set_value(s, o, o->defval, "");
}

static const hd_option *find(const char *name, size_t len, unsigned command)
{
    for (const hd_option *o = hd_options; o->name; o++)
        if (strlen(o->name) == len && !strncmp(o->name, name, len) && (o->commands & command))
            return o;
    return NULL;
}

/* Values read from the config file must outlive it: keep them in one arena. */
static char *config_text;

hd_status hd_settings_load_config(hd_settings *s, unsigned command)
{
    char path[PATH_MAX];
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");

    if (xdg && *xdg)
        snprintf(path, sizeof(path), "%s/heeldrop/config", xdg);
    else if (home && *home)
        snprintf(path, sizeof(path), "%s/.config/heeldrop/config", home);
    else
        return HD_OK;
    int e = 0;
    char *text = hd_read_text(path, 1 << 20, NULL, &e);
    if (e == ENOENT || e == ENOTDIR || e == EACCES)
        return HD_OK; /* no (readable) config file is the usual case */
    if (e == ENOMEM)
        return hd_fail(HD_ERR_NOMEM, "out of memory");
    if (e)
        return hd_fail(HD_ERR_INVALID, "cannot read config %s", path);
    free(config_text);
    config_text = text;

    int lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(config_text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        while (isspace((unsigned char)*line))
            line++;
        if (*line == '#' || *line == '\0')
            continue;
        char *eq = strchr(line, '=');
        if (!eq)
            return hd_fail(HD_ERR_INVALID, "%s:%d: expected 'name = value'", path, lineno);
        char *kend = eq;
        while (kend > line && isspace((unsigned char)kend[-1]))
            kend--;
        char *v = eq + 1;
        while (isspace((unsigned char)*v))
            v++;
        char *vend = v + strlen(v);
        while (vend > v && isspace((unsigned char)vend[-1]))
            *--vend = '\0';
        const hd_option *o = find(line, (size_t)(kend - line), ~0u);
        if (!o || !o->in_config)
            return hd_fail(HD_ERR_INVALID, "%s:%d: unknown setting '%.*s'", path, lineno,
                           (int)(kend - line), line);
        if (!(o->commands & command))
            continue;
        char where[PATH_MAX + 32];
        snprintf(where, sizeof(where), "%s:%d: ", path, lineno);
        hd_status st = set_value(s, o, v, where);
        if (st < 0)
            return st;
    }
    return HD_OK;
}

hd_status hd_settings_parse(hd_settings *s, unsigned command, int argc, char **argv, int first,
                            const char **pos, int max_pos, int *npos, int *help)
{
    int only_pos = 0;
    *npos = 0;
    *help = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*npos >= max_pos)
                return hd_fail(HD_ERR_INVALID, "too many arguments (at most %d)", max_pos);
            pos[(*npos)++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            *help = 1;
            continue;
        }
        if (!strcmp(a, "-q")) {
            s->quiet = 1;
            continue;
        }
        if (a[1] != '-')
            return hd_fail(HD_ERR_INVALID, "unknown option '%s' (see --help)", a);
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const hd_option *o = find(name, len, command);
        if (!o)
            return hd_fail(HD_ERR_INVALID, "unknown option '--%.*s' (see --help)", (int)len, name);
        const char *v = NULL;
        if (o->type == HD_OPT_FLAG) {
            if (eq)
                v = eq + 1;
        } else if (eq) {
            v = eq + 1;
        } else if (i + 1 < argc) {
            v = argv[++i];
        } else {
            return hd_fail(HD_ERR_INVALID, "--%s needs a value (%s)", o->name, o->arg);
        }
        if (v && o->type != HD_OPT_FLAG && *v == '\0')
            return hd_fail(HD_ERR_INVALID, "--%s needs a value (%s)", o->name, o->arg);
        hd_status st = set_value(s, o, v, "");
        if (st < 0)
            return st;
    }
    return HD_OK;
}

void hd_settings_print_help(unsigned command, void *file)
{
    FILE *f = file;
    for (const hd_option *o = hd_options; o->name; o++) {
        if (!(o->commands & command))
            continue;
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-26s %s", left, o->help);
        if (o->defval && *o->defval && o->type != HD_OPT_FLAG)
            fprintf(f, " (default %s)", o->defval);
        fputc('\n', f);
    }
}

void hd_settings_format(const hd_settings *s, const hd_option *o, char *buf, size_t size)
{
    const char *p = (const char *)s + o->offset;
    switch (o->type) {
    case HD_OPT_FLAG:
        snprintf(buf, size, "%s", *(const int *)p ? "true" : "false");
        break;
    case HD_OPT_INT:
        snprintf(buf, size, "%d", *(const int *)p);
        break;
    case HD_OPT_DOUBLE:
        snprintf(buf, size, "%g", *(const double *)p);
        break;
    case HD_OPT_STRING:
    case HD_OPT_CHOICE:
        snprintf(buf, size, "%s", *(const char *const *)p ? *(const char *const *)p : "");
        break;
    }
}
