/* summary.c - the analysis summary as JSON and CSV, and the per-frame trace CSV.
 *
 * The JSON layout is a contract (summary.h, PROTOCOL.md section 3). The reader is the
 * writer's mirror and also accepts the generator's truth files, which use the same
 * schema with extra fields: unknown keys are ignored, missing rep fields read as NaN.
 *
 * Legs: a rep's foot (near/far) is written as "near"/"far", or "left"/"right" when the
 * summary knows which side the near foot is (near_leg). near_leg itself is written at the
 * top level so the reader can map a label back to a foot. An unknown foot is written (and
 * so read back) as "near", the same rule totals.by_leg uses.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "heeldrop/paths.h"
#include "heeldrop/summary.h"
#include "heeldrop/tracker.h"

/* ---- small helpers ------------------------------------------------------------------ */

/* Rounds to a multiple of 1/scale; adding 0.0 turns -0 into 0 so "-0" is never written. */
static double round_to(double x, double scale)
{
    if (!isfinite(x))
        return x;
    return round(x * scale) / scale + 0.0;
}

/* Adds a number, or null for NaN/inf (JSON has no NaN). Returns 0 on allocation failure. */
static int add_num(cJSON *obj, const char *key, double v)
{
    if (!isfinite(v))
        return cJSON_AddNullToObject(obj, key) != NULL;
    return cJSON_AddNumberToObject(obj, key, v) != NULL;
}

static double get_num(const cJSON *obj, const char *key, double def)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsNumber(it))
        return it->valuedouble;
    if (cJSON_IsNull(it))
        return NAN;
    return def;
}

static const char *get_str(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* ---- legs --------------------------------------------------------------------------- */

const char *hd_summary_leg_label(const hd_summary *s, int foot)
{
    int far = foot == HD_FOOT_FAR; /* unknown counts as near */
    int side = s ? s->near_leg : 0;
    if (side == 'L')
        return far ? "right" : "left";
    if (side == 'R')
        return far ? "left" : "right";
    return far ? "far" : "near";
}

static int leg_to_foot(int near_leg, const char *label)
{
    if (!label)
        return HD_FOOT_UNKNOWN;
    if (strcmp(label, "near") == 0)
        return HD_FOOT_NEAR;
    if (strcmp(label, "far") == 0)
        return HD_FOOT_FAR;
    if (strcmp(label, "left") == 0)
        return near_leg == 'L' ? HD_FOOT_NEAR : near_leg == 'R' ? HD_FOOT_FAR : HD_FOOT_UNKNOWN;
    if (strcmp(label, "right") == 0)
        return near_leg == 'R' ? HD_FOOT_NEAR : near_leg == 'L' ? HD_FOOT_FAR : HD_FOOT_UNKNOWN;
    return HD_FOOT_UNKNOWN;
}

/* ---- ownership ---------------------------------------------------------------------- */

void hd_summary_clear(hd_summary *s)
{
    if (!s)
        return;
    free(s->settings);
    free(s->reps);
    memset(s, 0, sizeof(*s));
}

hd_status hd_summary_add_setting(hd_summary *s, const char *name, const char *value, int is_number)
{
    hd_setting *grown;
    if (!s || !name || !value)
        return hd_fail(HD_ERR_INVALID, "summary setting: missing name or value");
    if (strlen(name) >= sizeof(grown->name) || strlen(value) >= sizeof(grown->value))
        return hd_fail(HD_ERR_INVALID, "summary setting %.40s: name or value too long", name);
    grown = realloc(s->settings, (size_t)(s->nsettings + 1) * sizeof(*grown));
    if (!grown)
        return hd_fail(HD_ERR_NOMEM, "out of memory adding setting %s", name);
    s->settings = grown;
    hd_setting *e = &grown[s->nsettings++];
    memset(e, 0, sizeof(*e));
    strcpy(e->name, name);
    strcpy(e->value, value);
    e->is_number = is_number;
    return HD_OK;
}

/* ---- JSON writer -------------------------------------------------------------------- */

static int add_setting_json(cJSON *obj, const hd_setting *e)
{
    if (e->is_number == 1) {
        char *end;
        errno = 0;
        double v = strtod(e->value, &end);
        /* a value that is not a number after all is kept as text rather than lost */
        if (end != e->value && *end == '\0' && errno == 0 && isfinite(v))
            return cJSON_AddNumberToObject(obj, e->name, v) != NULL;
    } else if (e->is_number == 2) {
        int on = strcmp(e->value, "true") == 0 || strcmp(e->value, "1") == 0 ||
                 strcmp(e->value, "yes") == 0 || strcmp(e->value, "on") == 0;
        return cJSON_AddBoolToObject(obj, e->name, on) != NULL;
    }
    return cJSON_AddStringToObject(obj, e->name, e->value) != NULL;
}

static int add_warnings_array(cJSON *obj, const char *key, unsigned bits)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, key);
    if (!arr)
        return 0;
    for (int i = 0; i < HD_WARN_COUNT; i++) {
        if (!(bits & (1u << i)))
            continue;
        const char *name = hd_warn_name(i);
        cJSON *str = cJSON_CreateString(name ? name : "unknown");
        if (!str)
            return 0;
        cJSON_AddItemToArray(arr, str);
    }
    return 1;
}

static int add_rep_json(cJSON *arr, const hd_summary *s, const hd_rep *r)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    if (!ok)
        return 0;
    cJSON_AddItemToArray(arr, o);
    ok &= add_num(o, "index", r->index);
    ok &= cJSON_AddStringToObject(o, "leg", hd_summary_leg_label(s, r->foot)) != NULL;
    ok &= add_num(o, "t_descent_start", round_to(r->t_descent_start, 100));
    ok &= add_num(o, "t_bottom", round_to(r->t_bottom, 100));
    ok &= add_num(o, "t_hold_end", round_to(r->t_hold_end, 100));
    ok &= add_num(o, "t_top", round_to(r->t_top, 100));
    ok &= add_num(o, "descent_s", round_to(r->descent_s, 100));
    ok &= add_num(o, "hold_s", round_to(r->hold_s, 100));
    ok &= add_num(o, "rise_s", round_to(r->rise_s, 100));
    ok &= add_num(o, "below_s", round_to(r->below_s, 100));
    ok &= add_num(o, "depth_mm", round_to(r->depth_mm, 10));
    ok &= add_num(o, "top_mm", round_to(r->top_mm, 10));
    ok &= add_num(o, "set", r->set);
    ok &= add_warnings_array(o, "warnings", r->warnings);
    ok &= cJSON_AddBoolToObject(o, "valid", r->warnings == 0) != NULL;
    ok &= add_num(o, "lost_s", round_to(r->lost_s, 100)); /* extra: time lost in the rep */
    return ok;
}

static int add_totals_json(cJSON *root, const hd_summary *s)
{
    int valid = 0, sets = 0, nfar = 0, warn[HD_WARN_COUNT] = {0};
    for (int i = 0; i < s->nreps; i++) {
        const hd_rep *r = &s->reps[i];
        valid += r->warnings == 0;
        if (r->set > sets)
            sets = r->set;
        nfar += r->foot == HD_FOOT_FAR;
        for (int w = 0; w < HD_WARN_COUNT; w++)
            warn[w] += (r->warnings >> w) & 1u;
    }
    cJSON *t = cJSON_AddObjectToObject(root, "totals");
    if (!t)
        return 0;
    int ok = add_num(t, "reps", s->nreps);
    ok &= add_num(t, "valid_reps", valid);
    ok &= add_num(t, "sets", sets);
    cJSON *legs = cJSON_AddObjectToObject(t, "by_leg");
    if (!legs)
        return 0;
    /* both labels always present, near first, so scripts can rely on the keys */
    ok &= add_num(legs, hd_summary_leg_label(s, HD_FOOT_NEAR), s->nreps - nfar);
    ok &= add_num(legs, hd_summary_leg_label(s, HD_FOOT_FAR), nfar);
    cJSON *w = cJSON_AddObjectToObject(t, "warnings");
    if (!w)
        return 0;
    for (int i = 0; i < HD_WARN_COUNT; i++) {
        const char *name = hd_warn_name(i);
        ok &= add_num(w, name ? name : "unknown", warn[i]);
    }
    return ok;
}

static cJSON *summary_to_cjson(const hd_summary *s)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    int ok = cJSON_AddStringToObject(root, "source", s->source) != NULL;
    ok &= cJSON_AddStringToObject(root, "kind", s->kind[0] ? s->kind : "analysis") != NULL;
    if (s->source_kind[0])
        ok &= cJSON_AddStringToObject(root, "source_kind", s->source_kind) != NULL;
    ok &= add_num(root, "fps", s->fps);
    ok &= add_num(root, "frames", (double)s->frames);
    ok &= add_num(root, "duration_s", round_to(s->duration_s, 1000));
    if (s->has_step_edge) {
        cJSON *edge = cJSON_AddArrayToObject(root, "step_edge_px");
        ok &= edge != NULL;
        for (int p = 0; edge && p < 2; p++) {
            cJSON *pt = cJSON_CreateArray();
            ok &= pt != NULL;
            if (!pt)
                break;
            cJSON_AddItemToArray(edge, pt);
            for (int c = 0; c < 2; c++) {
                cJSON *n = cJSON_CreateNumber(round_to(s->step_edge[2 * p + c], 10));
                ok &= n != NULL;
                if (n)
                    cJSON_AddItemToArray(pt, n);
            }
        }
    } else {
        ok &= cJSON_AddNullToObject(root, "step_edge_px") != NULL;
    }
    ok &= add_num(root, "mm_per_px", round_to(s->mm_per_px, 10000));
    if (s->near_leg == 'L' || s->near_leg == 'R')
        ok &= cJSON_AddStringToObject(root, "near_leg", s->near_leg == 'L' ? "left" : "right") !=
              NULL;
    else
        ok &= cJSON_AddNullToObject(root, "near_leg") != NULL;

    cJSON *set = cJSON_AddObjectToObject(root, "settings");
    ok &= set != NULL;
    for (int i = 0; set && i < s->nsettings; i++)
        ok &= add_setting_json(set, &s->settings[i]);

    cJSON *reps = cJSON_AddArrayToObject(root, "reps");
    ok &= reps != NULL;
    for (int i = 0; reps && i < s->nreps; i++)
        ok &= add_rep_json(reps, s, &s->reps[i]);

    ok &= add_totals_json(root, s);
    cJSON *trk = cJSON_AddObjectToObject(root, "tracking");
    ok &= trk != NULL && add_num(trk, "lost_share", round_to(s->lost_share, 10000));
    if (trk && s->locked_s > 0)
        ok &= add_num(trk, "locked_s", round_to(s->locked_s, 100));
    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

char *hd_summary_to_json(const hd_summary *s)
{
    if (!s) {
        hd_fail(HD_ERR_INVALID, "no summary");
        return NULL;
    }
    cJSON *root = summary_to_cjson(s);
    if (!root) {
        hd_fail(HD_ERR_NOMEM, "out of memory building the summary JSON");
        return NULL;
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        hd_fail(HD_ERR_NOMEM, "out of memory printing the summary JSON");
    return text;
}

/* Writes text to path through a temporary file and a rename. */
static hd_status write_text_atomic(const char *path, const char *text)
{
    char tmp[4096];
    void *f;
    hd_status st = hd_atomic_open(path, tmp, sizeof(tmp), &f);
    if (st < 0)
        return st;
    fputs(text, f);
    fputc('\n', f);
    return hd_atomic_commit(f, tmp, path);
}

hd_status hd_summary_write_json(const hd_summary *s, const char *path)
{
    if (!path)
        return hd_fail(HD_ERR_INVALID, "no output path for the summary");
    char *text = hd_summary_to_json(s);
    if (!text)
        return HD_ERR_NOMEM;
    hd_status st = write_text_atomic(path, text);
    free(text);
    return st;
}

/* ---- CSV writers -------------------------------------------------------------------- */

/* Prints a number with the given decimals, or nothing for NaN (an empty CSV cell). */
static void put_num(FILE *f, double v, int decimals)
{
    if (isfinite(v))
        fprintf(f, "%.*f", decimals, round_to(v, pow(10, decimals)));
}

hd_status hd_summary_write_csv(const hd_summary *s, const char *path)
{
    char tmp[4096];
    void *vf;
    if (!s || !path)
        return hd_fail(HD_ERR_INVALID, "no summary or output path");
    hd_status st = hd_atomic_open(path, tmp, sizeof(tmp), &vf);
    if (st < 0)
        return st;
    FILE *f = vf;
    fputs("index,leg,t_descent_start,t_bottom,t_hold_end,t_top,descent_s,hold_s,rise_s,"
          "below_s,depth_mm,top_mm,set,warnings,valid,lost_s\n",
          f);
    for (int i = 0; i < s->nreps; i++) {
        const hd_rep *r = &s->reps[i];
        const double times[] = {r->t_descent_start, r->t_bottom, r->t_hold_end, r->t_top,
                                r->descent_s,       r->hold_s,   r->rise_s,     r->below_s};
        fprintf(f, "%d,%s", r->index, hd_summary_leg_label(s, r->foot));
        for (size_t k = 0; k < sizeof(times) / sizeof(times[0]); k++) {
            fputc(',', f);
            put_num(f, times[k], 2);
        }
        fputc(',', f);
        put_num(f, r->depth_mm, 1);
        fputc(',', f);
        put_num(f, r->top_mm, 1);
        fprintf(f, ",%d,", r->set);
        int first = 1;
        for (int w = 0; w < HD_WARN_COUNT; w++) {
            if (!(r->warnings & (1u << w)))
                continue;
            const char *name = hd_warn_name(w);
            fprintf(f, "%s%s", first ? "" : ";", name ? name : "unknown");
            first = 0;
        }
        fprintf(f, ",%s,", r->warnings == 0 ? "true" : "false");
        put_num(f, r->lost_s, 2);
        fputc('\n', f);
    }
    return hd_atomic_commit(f, tmp, path);
}

hd_status hd_trace_write_csv(const hd_trace_row *rows, int64_t n, int with_visible,
                             const char *path)
{
    char tmp[4096];
    void *vf;
    if (!path || (n > 0 && !rows))
        return hd_fail(HD_ERR_INVALID, "no trace rows or output path");
    hd_status st = hd_atomic_open(path, tmp, sizeof(tmp), &vf);
    if (st < 0)
        return st;
    FILE *f = vf;
    fprintf(f, "t,heel_px,heel_mm,foot_deg,phase,confidence,off_step%s\n",
            with_visible ? ",visible" : "");
    for (int64_t i = 0; i < n; i++) {
        const hd_trace_row *r = &rows[i];
        put_num(f, r->t, 6); /* timestamps are microseconds: keep them exact */
        fputc(',', f);
        put_num(f, r->heel_px, 2);
        fputc(',', f);
        put_num(f, r->heel_mm, 2);
        fputc(',', f);
        put_num(f, r->foot_deg, 2);
        if (r->phase >= HD_PHASE_REST && r->phase <= HD_PHASE_LOST)
            fprintf(f, ",%s,", hd_phase_name((hd_phase)r->phase));
        else
            fprintf(f, ",%d,", r->phase);
        put_num(f, r->conf, 3);
        fprintf(f, ",%d", r->off_step);
        if (with_visible)
            fprintf(f, ",%d", r->visible);
        fputc('\n', f);
        /* stop early on a full disk; the commit reports it */
        if (ferror(f))
            break;
    }
    return hd_atomic_commit(f, tmp, path);
}

/* ---- reading files ------------------------------------------------------------------ */

static void read_setting(hd_summary *s, const cJSON *it, int *ok)
{
    char value[256];
    int kind = 0;
    if (!it->string)
        return;
    if (cJSON_IsNumber(it)) {
        /* the shortest text that reads back as the same double */
        snprintf(value, sizeof(value), "%.15g", it->valuedouble);
        if (strtod(value, NULL) != it->valuedouble)
            snprintf(value, sizeof(value), "%.17g", it->valuedouble);
        kind = 1;
    } else if (cJSON_IsBool(it)) {
        snprintf(value, sizeof(value), "%s", cJSON_IsTrue(it) ? "true" : "false");
        kind = 2;
    } else if (cJSON_IsString(it)) {
        snprintf(value, sizeof(value), "%s", it->valuestring);
    } else if (cJSON_IsNull(it)) {
        value[0] = '\0';
    } else {
        /* nested values are kept as their JSON text (truncated to fit) */
        char *text = cJSON_PrintUnformatted(it);
        snprintf(value, sizeof(value), "%s", text ? text : "");
        free(text);
    }
    char name[40];
    snprintf(name, sizeof(name), "%s", it->string);
    if (hd_summary_add_setting(s, name, value, kind) == HD_ERR_NOMEM)
        *ok = 0;
}

static unsigned read_warnings(const cJSON *arr)
{
    unsigned bits = 0;
    const cJSON *w;
    cJSON_ArrayForEach(w, arr)
    {
        if (!cJSON_IsString(w))
            continue;
        int i = hd_warn_index(w->valuestring);
        /* names from a newer version are ignored rather than failing the file */
        if (i >= 0 && i < HD_WARN_COUNT)
            bits |= 1u << i;
    }
    return bits;
}

static void read_rep(const hd_summary *s, const cJSON *o, int pos, hd_rep *r)
{
    memset(r, 0, sizeof(*r));
    double idx = get_num(o, "index", pos + 1);
    r->index = isfinite(idx) ? (int)idx : pos + 1;
    r->foot = leg_to_foot(s->near_leg, get_str(o, "leg"));
    r->t_descent_start = get_num(o, "t_descent_start", NAN);
    r->t_bottom = get_num(o, "t_bottom", NAN);
    r->t_hold_end = get_num(o, "t_hold_end", NAN);
    r->t_top = get_num(o, "t_top", NAN);
    r->descent_s = get_num(o, "descent_s", NAN);
    r->hold_s = get_num(o, "hold_s", NAN);
    r->rise_s = get_num(o, "rise_s", NAN);
    r->below_s = get_num(o, "below_s", NAN);
    r->depth_mm = get_num(o, "depth_mm", NAN);
    r->top_mm = get_num(o, "top_mm", NAN);
    r->lost_s = get_num(o, "lost_s", 0.0);
    double set = get_num(o, "set", 1);
    r->set = isfinite(set) ? (int)set : 1;
    r->warnings = read_warnings(cJSON_GetObjectItemCaseSensitive(o, "warnings"));
}

/* Line number of a position in text, for parse error messages. */
static int line_of(const char *text, const char *pos)
{
    int line = 1;
    for (const char *p = text; p && pos && p < pos && *p; p++)
        line += *p == '\n';
    return line;
}

hd_status hd_summary_read_json(const char *path, hd_summary *s)
{
    char *text = NULL;
    size_t len = 0;
    const char *end = NULL;
    cJSON *root = NULL;
    hd_status st;

    if (!path || !s)
        return hd_fail(HD_ERR_INVALID, "no summary path");
    /* the struct is filled from scratch: whatever it held is not freed here */
    memset(s, 0, sizeof(*s));
    int e = 0;
    text = hd_read_text(path, SIZE_MAX - 1, &len, &e);
    if (e == ENOMEM)
        return hd_fail(HD_ERR_NOMEM, "out of memory reading %s", path);
    if (e)
        return hd_fail(HD_ERR_NOTFOUND, "cannot read %s: %s", path,
                       e == EISDIR ? "it is a directory" : e == EIO ? "read error" : strerror(e));
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        st = hd_fail(HD_ERR_FORMAT, "%s: not valid JSON (line %d)", path, line_of(text, end));
        goto fail;
    }
    if (!cJSON_IsObject(root)) {
        st = hd_fail(HD_ERR_FORMAT, "%s: not a HeelDrop summary (no JSON object)", path);
        goto fail;
    }
    const cJSON *reps = cJSON_GetObjectItemCaseSensitive(root, "reps");
    if (!cJSON_IsArray(reps)) {
        st = hd_fail(HD_ERR_FORMAT, "%s: not a HeelDrop summary (no \"reps\" array)", path);
        goto fail;
    }

    copy_str(s->source, sizeof(s->source), get_str(root, "source"));
    copy_str(s->kind, sizeof(s->kind), get_str(root, "kind"));
    copy_str(s->source_kind, sizeof(s->source_kind), get_str(root, "source_kind"));
    s->fps = get_num(root, "fps", 0.0);
    double frames = get_num(root, "frames", 0.0);
    s->frames = isfinite(frames) ? (int64_t)frames : 0;
    s->duration_s = get_num(root, "duration_s", 0.0);
    s->mm_per_px = get_num(root, "mm_per_px", NAN);
    const char *side = get_str(root, "near_leg");
    s->near_leg = side && strcmp(side, "left") == 0    ? 'L'
                  : side && strcmp(side, "right") == 0 ? 'R'
                                                       : 0;

    const cJSON *edge = cJSON_GetObjectItemCaseSensitive(root, "step_edge_px");
    if (cJSON_IsArray(edge) && cJSON_GetArraySize(edge) == 2) {
        int good = 1;
        for (int p = 0; p < 2; p++) {
            const cJSON *pt = cJSON_GetArrayItem(edge, p);
            for (int c = 0; c < 2; c++) {
                const cJSON *v = cJSON_IsArray(pt) ? cJSON_GetArrayItem(pt, c) : NULL;
                good &= cJSON_IsNumber(v);
                s->step_edge[2 * p + c] = cJSON_IsNumber(v) ? v->valuedouble : 0.0;
            }
        }
        s->has_step_edge = good;
    }

    const cJSON *trk = cJSON_GetObjectItemCaseSensitive(root, "tracking");
    s->lost_share = cJSON_IsObject(trk) ? get_num(trk, "lost_share", 0.0) : 0.0;
    s->locked_s = cJSON_IsObject(trk) ? get_num(trk, "locked_s", -1.0) : -1.0;

    int ok = 1;
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(root, "settings");
    const cJSON *it;
    if (cJSON_IsObject(set)) {
        cJSON_ArrayForEach(it, set) read_setting(s, it, &ok);
    }

    int n = cJSON_GetArraySize(reps);
    if (n > 0) {
        s->reps = calloc((size_t)n, sizeof(*s->reps));
        ok &= s->reps != NULL;
    }
    for (int i = 0; ok && i < n; i++) {
        it = cJSON_GetArrayItem(reps, i);
        if (!cJSON_IsObject(it)) {
            st = hd_fail(HD_ERR_FORMAT, "%s: rep %d is not an object", path, i + 1);
            goto fail;
        }
        read_rep(s, it, i, &s->reps[s->nreps++]);
    }
    if (!ok) {
        st = hd_fail(HD_ERR_NOMEM, "out of memory reading %s", path);
        goto fail;
    }
    cJSON_Delete(root);
    free(text);
    return HD_OK;

fail:
    cJSON_Delete(root);
    free(text);
    hd_summary_clear(s);
    return st;
}

/* ---- trace reader ------------------------------------------------------------------- */

enum { COL_T, COL_PX, COL_MM, COL_DEG, COL_PHASE, COL_CONF, COL_OFF, COL_VIS, NCOLS };

static const char *const col_names[NCOLS] = {"t",     "heel_px",    "heel_mm",  "foot_deg",
                                             "phase", "confidence", "off_step", "visible"};

static char *trim(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    char *e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return p;
}

/* Splits a line at commas in place. Returns the number of fields (at most max). */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        fields[n++] = trim(p);
        if (!comma)
            break;
        p = comma + 1;
    }
    return n;
}

/* Parses a number cell: empty is NaN. Returns 0 when the cell is not a number. */
static int parse_cell(const char *cell, double *out)
{
    char *end;
    if (!*cell) {
        *out = NAN;
        return 1;
    }
    errno = 0;
    *out = strtod(cell, &end);
    return end != cell && *end == '\0';
}

static int parse_phase(const char *cell, int8_t *out)
{
    double v;
    for (int p = HD_PHASE_REST; p <= HD_PHASE_LOST; p++) {
        const char *name = hd_phase_name((hd_phase)p);
        if (name && strcmp(cell, name) == 0) {
            *out = (int8_t)p;
            return 1;
        }
    }
    if (!*cell) {
        *out = HD_PHASE_REST;
        return 1;
    }
    if (!parse_cell(cell, &v) || v != floor(v) || v < -128 || v > 127)
        return 0;
    *out = (int8_t)v;
    return 1;
}

static int parse_flag(const char *cell, int8_t *out)
{
    double v;
    if (!*cell) {
        *out = -1;
        return 1;
    }
    if (!parse_cell(cell, &v) || v != floor(v) || v < -1 || v > 1)
        return 0;
    *out = (int8_t)v;
    return 1;
}

#define MAX_FIELDS 64

hd_status hd_trace_read_csv(const char *path, hd_trace_row **rows, int64_t *n)
{
    FILE *f;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int col[NCOLS];
    char *fields[MAX_FIELDS];
    hd_trace_row *out = NULL;
    int64_t count = 0, room = 0;
    long lineno = 0;
    int nheader = 0;
    hd_status st = HD_OK;

    if (!path || !rows || !n)
        return hd_fail(HD_ERR_INVALID, "no trace path");
    *rows = NULL;
    *n = 0;
    f = fopen(path, "r");
    if (!f)
        return hd_fail(HD_ERR_NOTFOUND, "cannot read %s: %s", path, strerror(errno));

    for (int c = 0; c < NCOLS; c++)
        col[c] = -1;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *l = trim(line);
        if (!*l)
            continue;
        if (!nheader) {
            nheader = split_csv(l, fields, MAX_FIELDS);
            for (int i = 0; i < nheader; i++) {
                for (int c = 0; c < NCOLS; c++) {
                    if (strcmp(fields[i], col_names[c]) == 0 ||
                        (c == COL_CONF && strcmp(fields[i], "conf") == 0))
                        col[c] = i;
                }
            }
            if (col[COL_T] < 0 || col[COL_MM] < 0) {
                st = hd_fail(HD_ERR_FORMAT,
                             "%s: not a HeelDrop trace (no t and heel_mm "
                             "columns in the header)",
                             path);
                goto done;
            }
            continue;
        }
        int nf = split_csv(l, fields, MAX_FIELDS);
        if (nf != nheader) {
            st = hd_fail(HD_ERR_FORMAT, "%s:%ld: %d fields, the header has %d", path, lineno, nf,
                         nheader);
            goto done;
        }
        if (count == room) {
            int64_t grow = room ? room * 2 : 1024;
            hd_trace_row *g = realloc(out, (size_t)grow * sizeof(*g));
            if (!g) {
                st = hd_fail(HD_ERR_NOMEM, "out of memory reading %s", path);
                goto done;
            }
            out = g;
            room = grow;
        }
        hd_trace_row *r = &out[count];
        double v[NCOLS];
        int bad = -1;
        for (int c = 0; c < NCOLS; c++) {
            v[c] = NAN;
            if (col[c] < 0 || c == COL_PHASE || c == COL_OFF || c == COL_VIS)
                continue;
            if (!parse_cell(fields[col[c]], &v[c]))
                bad = c;
        }
        memset(r, 0, sizeof(*r));
        r->phase = HD_PHASE_REST;
        r->off_step = -1;
        r->visible = -1;
        if (col[COL_PHASE] >= 0 && !parse_phase(fields[col[COL_PHASE]], &r->phase))
            bad = COL_PHASE;
        if (col[COL_OFF] >= 0 && !parse_flag(fields[col[COL_OFF]], &r->off_step))
            bad = COL_OFF;
        if (col[COL_VIS] >= 0 && !parse_flag(fields[col[COL_VIS]], &r->visible))
            bad = COL_VIS;
        if (bad < 0 && !isfinite(v[COL_T]))
            bad = COL_T;
        if (bad >= 0) {
            st = hd_fail(HD_ERR_FORMAT, "%s:%ld: bad value \"%s\" in column %s", path, lineno,
                         fields[col[bad]], col_names[bad]);
            goto done;
        }
        r->t = v[COL_T];
        r->heel_px = (float)v[COL_PX];
        r->heel_mm = (float)v[COL_MM];
        r->foot_deg = (float)v[COL_DEG];
        /* without a confidence column, a row is lost exactly when it has no height */
        r->conf = col[COL_CONF] >= 0 ? (isfinite(v[COL_CONF]) ? (float)v[COL_CONF] : 0.0f)
                                     : (isfinite(v[COL_MM]) ? 1.0f : 0.0f);
        count++;
    }
    if (ferror(f))
        st = hd_fail(HD_ERR_NOTFOUND, "cannot read %s: read error", path);
    else if (!nheader)
        st = hd_fail(HD_ERR_FORMAT, "%s: empty trace (no header)", path);

done:
    free(line);
    fclose(f);
    if (st < 0) {
        free(out);
        return st;
    }
    *rows = out;
    *n = count;
    return HD_OK;
}

/* ---- table for a terminal ----------------------------------------------------------- */

/* "too_fast,no_hold" as "too fast, no hold" into buf. */
static void warnings_words(unsigned bits, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int w = 0; w < HD_WARN_COUNT && used < size; w++) {
        if (!(bits & (1u << w)))
            continue;
        const char *name = hd_warn_name(w);
        int k =
            snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name ? name : "unknown");
        if (k < 0)
            break;
        for (size_t i = used; i < size - 1 && i < used + (size_t)k; i++)
            if (buf[i] == '_')
                buf[i] = ' ';
        used += (size_t)k;
    }
    if (!used)
        snprintf(buf, size, "ok");
}

static void print_time(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %6.2f s", v);
    else
        fprintf(f, " %8s", "-");
}

void hd_summary_print_table(const hd_summary *s, void *file)
{
    FILE *f = file ? file : stdout;
    char words[256];
    int valid = 0, sets = 0, nfar = 0, warn[HD_WARN_COUNT] = {0};

    if (!s)
        return;
    fprintf(f, "%s\n", s->source[0] ? s->source : "(no source)");
    if (s->nreps == 0) {
        fprintf(f, "no reps found\n");
    } else {
        fprintf(f, "%4s  %-5s  %3s  %8s  %8s  %8s  %s\n", "rep", "leg", "set", "descent", "hold",
                "depth", "warnings");
    }
    for (int i = 0; i < s->nreps; i++) {
        const hd_rep *r = &s->reps[i];
        fprintf(f, "%4d  %-5s  %3d ", r->index, hd_summary_leg_label(s, r->foot), r->set);
        print_time(f, r->descent_s);
        fputc(' ', f);
        print_time(f, r->hold_s);
        if (isfinite(r->depth_mm))
            fprintf(f, "  %5.1f mm", r->depth_mm);
        else
            fprintf(f, "  %8s", "-");
        warnings_words(r->warnings, words, sizeof(words));
        fprintf(f, "  %s\n", words);
        valid += r->warnings == 0;
        if (r->set > sets)
            sets = r->set;
        nfar += r->foot == HD_FOOT_FAR;
        for (int w = 0; w < HD_WARN_COUNT; w++)
            warn[w] += (r->warnings >> w) & 1u;
    }
    fprintf(f, "total: %d rep%s, %d valid, %d set%s; %s %d, %s %d\n", s->nreps,
            s->nreps == 1 ? "" : "s", valid, sets, sets == 1 ? "" : "s",
            hd_summary_leg_label(s, HD_FOOT_NEAR), s->nreps - nfar,
            hd_summary_leg_label(s, HD_FOOT_FAR), nfar);
    int any = 0;
    for (int w = 0; w < HD_WARN_COUNT; w++) {
        if (!warn[w])
            continue;
        warnings_words(1u << w, words, sizeof(words));
        fprintf(f, "%s%s %d", any ? ", " : "warnings: ", words, warn[w]);
        any = 1;
    }
    if (any)
        fputc('\n', f);
    if (s->lost_share > 0)
        fprintf(f, "heel lost in %.1f%% of frames\n", 100.0 * s->lost_share);
}
