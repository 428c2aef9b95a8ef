/* score.c - the accuracy scorer: analyses against the generator's truth (score.h).
 *
 * The metric definitions live in score.h; this file follows them literally. Anything
 * that cannot be measured is NaN rather than a flattering zero.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "heeldrop/paths.h"
#include "heeldrop/score.h"
#include "heeldrop/tracker.h"

enum { E_TBOT, E_DESC, E_HOLD, E_BELOW, E_DEPTH, NERR };

typedef struct clip {
    hd_score_result res;
    double sum[NERR]; /* sums of absolute errors over matched reps */
    int nsum[NERR];
    double *errs; /* per-frame |heel_mm error|, sorted */
    int64_t nerrs;
    double *missed; /* t_bottom of unmatched true reps */
    int nmissed;
    double *extra; /* t_bottom of unmatched found reps */
    int nextra;
} clip;

struct hd_score {
    double tol;
    clip *clips;
    int n, cap;
};

/* ---- small numeric helpers ---------------------------------------------------------- */

static double ratio(double num, double den)
{
    return den > 0 ? num / den : NAN;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hd_score_quantile(double *v, int64_t n, double q)
{
    if (!v || n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    if (q <= 0)
        return v[0];
    if (q >= 1)
        return v[n - 1];
    double pos = q * (double)(n - 1);
    int64_t lo = (int64_t)floor(pos);
    double frac = pos - (double)lo;
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + frac * (v[lo + 1] - v[lo]);
}

static void finish_warn(hd_score_warn *w)
{
    w->precision = ratio(w->tp, w->tp + w->fp);
    w->recall = ratio(w->tp, w->tp + w->fn);
}

/* ---- matching ----------------------------------------------------------------------- */

typedef struct order {
    double t;
    int i;
} order;

static int cmp_order(const void *a, const void *b)
{
    const order *x = a, *y = b;
    /* NaN times (unknown t_bottom) sort last; they never match */
    int xn = isnan(x->t), yn = isnan(y->t);
    if (xn || yn)
        return xn - yn;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return x->i - y->i;
}

static order *sorted_by_bottom(const hd_rep *reps, int n)
{
    order *o = malloc((size_t)(n ? n : 1) * sizeof(*o));
    if (!o)
        return NULL;
    for (int i = 0; i < n; i++) {
        o[i].t = reps[i].t_bottom;
        o[i].i = i;
    }
    qsort(o, (size_t)n, sizeof(*o), cmp_order);
    return o;
}

/* DP over the two time-ordered lists: best[i][j] is the best matching of the first i
 * true and first j found reps (more pairs first, then less total |dt|). A non-crossing
 * matching is enough: in one dimension, uncrossing two pairs never lengthens either's
 * bound nor the total. */
int hd_score_match(const hd_rep *truth, int nt, const hd_rep *found, int nf, double tol_s, int *t2f,
                   int *f2t)
{
    if (nt < 0 || nf < 0 || (nt && !truth) || (nf && !found))
        return -1;
    if (tol_s <= 0)
        tol_s = HD_SCORE_MATCH_TOL_S;
    for (int i = 0; t2f && i < nt; i++)
        t2f[i] = -1;
    for (int j = 0; f2t && j < nf; j++)
        f2t[j] = -1;

    size_t w = (size_t)nf + 1, cells = ((size_t)nt + 1) * w;
    order *ot = sorted_by_bottom(truth, nt);
    order *of = sorted_by_bottom(found, nf);
    int *cnt = malloc(cells * sizeof(*cnt));
    double *cost = malloc(cells * sizeof(*cost));
    unsigned char *how = malloc(cells);
    int pairs = -1;
    if (!ot || !of || !cnt || !cost || !how)
        goto done;

    for (size_t i = 0; i <= (size_t)nt; i++) {
        for (size_t j = 0; j <= (size_t)nf; j++) {
            size_t c = i * w + j;
            if (i == 0 || j == 0) {
                cnt[c] = 0;
                cost[c] = 0;
                how[c] = i == 0 ? 1 : 0; /* 0: skip a true rep, 1: skip a found rep */
                continue;
            }
            /* skip the true rep, or skip the found rep, or pair them */
            int bc = cnt[c - w];
            double bk = cost[c - w];
            unsigned char bh = 0;
            if (cnt[c - 1] > bc || (cnt[c - 1] == bc && cost[c - 1] < bk)) {
                bc = cnt[c - 1];
                bk = cost[c - 1];
                bh = 1;
            }
            double dt = fabs(ot[i - 1].t - of[j - 1].t);
            if (dt <= tol_s + 1e-9) { /* false for NaN */
                int pc = cnt[c - w - 1] + 1;
                double pk = cost[c - w - 1] + dt;
                if (pc > bc || (pc == bc && pk < bk)) {
                    bc = pc;
                    bk = pk;
                    bh = 2;
                }
            }
            cnt[c] = bc;
            cost[c] = bk;
            how[c] = bh;
        }
    }
    pairs = cnt[cells - 1];
    for (size_t i = (size_t)nt, j = (size_t)nf; i > 0 || j > 0;) {
        unsigned char h = how[i * w + j];
        if (h == 2) {
            if (t2f)
                t2f[ot[i - 1].i] = of[j - 1].i;
            if (f2t)
                f2t[of[j - 1].i] = ot[i - 1].i;
            i--;
            j--;
        } else if (h == 1) {
            j--;
        } else {
            i--;
        }
    }

done:
    free(ot);
    free(of);
    free(cnt);
    free(cost);
    free(how);
    return pairs;
}

/* ---- one clip ----------------------------------------------------------------------- */

hd_status hd_score_create(double match_tol_s, hd_score **out)
{
    if (!out)
        return hd_fail(HD_ERR_INVALID, "hd_score_create: no output");
    *out = calloc(1, sizeof(**out));
    if (!*out)
        return hd_fail(HD_ERR_NOMEM, "out of memory creating the scorer");
    (*out)->tol = match_tol_s > 0 ? match_tol_s : HD_SCORE_MATCH_TOL_S;
    return HD_OK;
}

static void clip_free(clip *c)
{
    free(c->errs);
    free(c->missed);
    free(c->extra);
}

void hd_score_destroy(hd_score *sc)
{
    if (!sc)
        return;
    for (int i = 0; i < sc->n; i++)
        clip_free(&sc->clips[i]);
    free(sc->clips);
    free(sc);
}

static void add_err(clip *c, int k, double found, double truth)
{
    if (!isfinite(found) || !isfinite(truth))
        return;
    c->sum[k] += fabs(found - truth);
    c->nsum[k]++;
}

static void rep_errors(clip *c, const hd_rep *t, const hd_rep *f)
{
    add_err(c, E_TBOT, f->t_bottom, t->t_bottom);
    add_err(c, E_DESC, f->descent_s, t->descent_s);
    add_err(c, E_HOLD, f->hold_s, t->hold_s);
    add_err(c, E_BELOW, f->below_s, t->below_s);
    add_err(c, E_DEPTH, f->depth_mm, t->depth_mm);
    if (t->foot != HD_FOOT_UNKNOWN && f->foot != HD_FOOT_UNKNOWN && t->foot != f->foot)
        c->res.leg_mismatch++;
}

static void count_warnings(hd_score_result *r, unsigned truth, unsigned found)
{
    for (int w = 0; w < HD_WARN_COUNT; w++) {
        int a = (truth >> w) & 1u, b = (found >> w) & 1u;
        r->warn[w].tp += a && b;
        r->warn[w].fn += a && !b;
        r->warn[w].fp += !a && b;
    }
}

/* Fills the MAE fields and ratios of r from the sums. */
static void finish_result(hd_score_result *r, const double *sum, const int *nsum)
{
    r->exact_share = ratio(r->exact_clips, r->clips);
    r->rep_precision = ratio(r->matched, r->found_reps);
    r->rep_recall = ratio(r->matched, r->true_reps);
    r->t_bottom_mae_s = ratio(sum[E_TBOT], nsum[E_TBOT]);
    r->descent_mae_s = ratio(sum[E_DESC], nsum[E_DESC]);
    r->hold_mae_s = ratio(sum[E_HOLD], nsum[E_HOLD]);
    r->below_mae_s = ratio(sum[E_BELOW], nsum[E_BELOW]);
    r->depth_mae_mm = ratio(sum[E_DEPTH], nsum[E_DEPTH]);
    r->n_descent = nsum[E_DESC];
    r->n_hold = nsum[E_HOLD];
    r->n_below = nsum[E_BELOW];
    r->n_depth = nsum[E_DEPTH];
    for (int w = 0; w < HD_WARN_COUNT; w++)
        finish_warn(&r->warn[w]);
    r->lost_share = r->trace_clips ? ratio((double)r->lost_frames, (double)r->visible_frames) : NAN;
}

static int cmp_row_t(const void *a, const void *b)
{
    const hd_trace_row *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* Returns rows sorted by t: rows itself when already sorted, else a sorted copy in *copy
 * (NULL copy with n > 0 means out of memory). */
static const hd_trace_row *sorted_rows(const hd_trace_row *rows, int64_t n, hd_trace_row **copy)
{
    *copy = NULL;
    int sorted = 1;
    for (int64_t i = 1; i < n && sorted; i++)
        sorted = !(rows[i].t < rows[i - 1].t);
    if (sorted)
        return rows;
    *copy = malloc((size_t)n * sizeof(**copy));
    if (!*copy)
        return NULL;
    memcpy(*copy, rows, (size_t)n * sizeof(**copy));
    qsort(*copy, (size_t)n, sizeof(**copy), cmp_row_t);
    return *copy;
}

/* Frame rate for the pairing window: the truth's, else the analysis', else the truth
 * trace's median frame interval, else 30. */
static double pairing_fps(const hd_summary *truth, const hd_summary *ana, const hd_trace_row *tt,
                          int64_t nt)
{
    if (truth->fps > 0 && isfinite(truth->fps))
        return truth->fps;
    if (ana->fps > 0 && isfinite(ana->fps))
        return ana->fps;
    if (nt >= 2) {
        double *d = malloc((size_t)(nt - 1) * sizeof(*d));
        if (d) {
            for (int64_t i = 1; i < nt; i++)
                d[i - 1] = tt[i].t - tt[i - 1].t;
            double med = hd_score_quantile(d, nt - 1, 0.5);
            free(d);
            if (med > 0)
                return 1.0 / med;
        }
    }
    return 30.0;
}

static hd_status score_traces(clip *c, const hd_summary *truth, const hd_summary *ana,
                              const hd_trace_row *tt0, int64_t nt, const hd_trace_row *ft0,
                              int64_t nf)
{
    hd_trace_row *tcopy = NULL, *fcopy = NULL;
    const hd_trace_row *tt = sorted_rows(tt0, nt, &tcopy);
    const hd_trace_row *ft = sorted_rows(ft0, nf, &fcopy);
    hd_score_result *r = &c->res;
    hd_status st = HD_OK;

    if ((nt > 0 && !tt) || (nf > 0 && !ft)) {
        st = hd_fail(HD_ERR_NOMEM, "out of memory scoring traces");
        goto done;
    }
    c->errs = malloc((size_t)(nt > 0 ? nt : 1) * sizeof(*c->errs));
    if (!c->errs) {
        st = hd_fail(HD_ERR_NOMEM, "out of memory scoring traces");
        goto done;
    }
    double half = 0.5 / pairing_fps(truth, ana, tt, nt);
    int64_t j = 0;
    for (int64_t i = 0; i < nt; i++) {
        const hd_trace_row *a = &tt[i];
        int visible = a->visible == 1 || (a->visible < 0 && isfinite(a->heel_mm));
        /* nearest analysis frame: ft[j] is the last one at or before a->t, or the first */
        while (j + 1 < nf && ft[j + 1].t <= a->t)
            j++;
        const hd_trace_row *b = NULL;
        if (nf > 0) {
            b = &ft[j];
            if (j + 1 < nf && fabs(ft[j + 1].t - a->t) < fabs(b->t - a->t))
                b = &ft[j + 1];
            if (!(fabs(b->t - a->t) <= half + 1e-9))
                b = NULL;
        }
        int tracked = b && b->conf > 0 && isfinite(b->heel_mm);
        if (!visible) {
            r->hidden_frames++;
            r->hidden_tracked += tracked;
            continue;
        }
        r->visible_frames++;
        if (!b)
            r->missing_frames++;
        if (!tracked) {
            r->lost_frames++;
            continue;
        }
        if (isfinite(a->heel_mm))
            c->errs[c->nerrs++] = fabs((double)b->heel_mm - (double)a->heel_mm);
    }
    r->heel_frames = c->nerrs;
    r->trace_clips = 1;
    r->heel_median_mm = hd_score_quantile(c->errs, c->nerrs, 0.5);
    r->heel_p90_mm = hd_score_quantile(c->errs, c->nerrs, 0.9);

done:
    free(tcopy);
    free(fcopy);
    return st;
}

hd_status hd_score_add(hd_score *sc, const char *name, const hd_summary *truth,
                       const hd_summary *analysis, const hd_trace_row *truth_trace, int64_t n_truth,
                       const hd_trace_row *trace, int64_t n_trace)
{
    int *t2f = NULL, *f2t = NULL;
    hd_status st = HD_OK;

    if (!sc || !truth || !analysis)
        return hd_fail(HD_ERR_INVALID, "hd_score_add: missing scorer or summary");
    if ((truth->nreps && !truth->reps) || (analysis->nreps && !analysis->reps))
        return hd_fail(HD_ERR_INVALID, "hd_score_add: summary without its reps");
    if (!truth_trace != !trace || n_truth < 0 || n_trace < 0)
        return hd_fail(HD_ERR_INVALID, "hd_score_add: give both traces or neither");
    if (sc->n == sc->cap) {
        int cap = sc->cap ? sc->cap * 2 : 16;
        clip *g = realloc(sc->clips, (size_t)cap * sizeof(*g));
        if (!g)
            return hd_fail(HD_ERR_NOMEM, "out of memory adding a clip");
        sc->clips = g;
        sc->cap = cap;
    }
    clip *c = &sc->clips[sc->n];
    memset(c, 0, sizeof(*c));
    hd_score_result *r = &c->res;
    snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
    r->clips = 1;
    r->true_reps = truth->nreps;
    r->found_reps = analysis->nreps;
    r->exact_clips = r->found_reps == r->true_reps;
    r->no_exercise_clips = r->true_reps == 0;
    r->no_exercise_reps = r->true_reps == 0 ? r->found_reps : 0;
    r->heel_median_mm = r->heel_p90_mm = NAN;

    int nt = truth->nreps, nf = analysis->nreps;
    t2f = malloc((size_t)(nt ? nt : 1) * sizeof(*t2f));
    f2t = malloc((size_t)(nf ? nf : 1) * sizeof(*f2t));
    c->missed = malloc((size_t)(nt ? nt : 1) * sizeof(*c->missed));
    c->extra = malloc((size_t)(nf ? nf : 1) * sizeof(*c->extra));
    if (!t2f || !f2t || !c->missed || !c->extra) {
        st = hd_fail(HD_ERR_NOMEM, "out of memory scoring %s", r->name);
        goto fail;
    }
    r->matched = hd_score_match(truth->reps, nt, analysis->reps, nf, sc->tol, t2f, f2t);
    if (r->matched < 0) {
        st = hd_fail(HD_ERR_NOMEM, "out of memory matching the reps of %s", r->name);
        goto fail;
    }
    for (int i = 0; i < nt; i++) {
        const hd_rep *t = &truth->reps[i];
        if (t2f[i] >= 0) {
            const hd_rep *f = &analysis->reps[t2f[i]];
            rep_errors(c, t, f);
            count_warnings(r, t->warnings, f->warnings);
        } else {
            count_warnings(r, t->warnings, 0);
            c->missed[c->nmissed++] = t->t_bottom;
        }
    }
    for (int j = 0; j < nf; j++) {
        if (f2t[j] >= 0)
            continue;
        count_warnings(r, 0, analysis->reps[j].warnings);
        c->extra[c->nextra++] = analysis->reps[j].t_bottom;
    }
    if (trace) {
        st = score_traces(c, truth, analysis, truth_trace, n_truth, trace, n_trace);
        if (st < 0)
            goto fail;
    }
    finish_result(r, c->sum, c->nsum);
    free(t2f);
    free(f2t);
    sc->n++;
    return HD_OK;

fail:
    free(t2f);
    free(f2t);
    clip_free(c);
    return st;
}

int hd_score_count(const hd_score *sc)
{
    return sc ? sc->n : 0;
}

const hd_score_result *hd_score_clip(const hd_score *sc, int i)
{
    if (!sc || i < 0 || i >= sc->n)
        return NULL;
    return &sc->clips[i].res;
}

hd_status hd_score_total(const hd_score *sc, hd_score_result *out)
{
    double sum[NERR] = {0};
    int nsum[NERR] = {0};
    int64_t nerrs = 0;

    if (!sc || !out)
        return hd_fail(HD_ERR_INVALID, "hd_score_total: missing scorer or output");
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "all");
    for (int i = 0; i < sc->n; i++) {
        const clip *c = &sc->clips[i];
        const hd_score_result *r = &c->res;
        out->clips += r->clips;
        out->exact_clips += r->exact_clips;
        out->true_reps += r->true_reps;
        out->found_reps += r->found_reps;
        out->matched += r->matched;
        out->no_exercise_clips += r->no_exercise_clips;
        out->no_exercise_reps += r->no_exercise_reps;
        out->leg_mismatch += r->leg_mismatch;
        for (int k = 0; k < NERR; k++) {
            sum[k] += c->sum[k];
            nsum[k] += c->nsum[k];
        }
        for (int w = 0; w < HD_WARN_COUNT; w++) {
            out->warn[w].tp += r->warn[w].tp;
            out->warn[w].fp += r->warn[w].fp;
            out->warn[w].fn += r->warn[w].fn;
        }
        out->trace_clips += r->trace_clips;
        out->visible_frames += r->visible_frames;
        out->lost_frames += r->lost_frames;
        out->missing_frames += r->missing_frames;
        out->heel_frames += r->heel_frames;
        out->hidden_frames += r->hidden_frames;
        out->hidden_tracked += r->hidden_tracked;
        nerrs += c->nerrs;
    }
    finish_result(out, sum, nsum);
    out->heel_median_mm = out->heel_p90_mm = NAN;
    if (nerrs > 0) {
        /* quantiles of the pooled frames, not a mean of the clips' medians */
        double *all = malloc((size_t)nerrs * sizeof(*all));
        if (!all)
            return hd_fail(HD_ERR_NOMEM, "out of memory pooling the trace errors");
        int64_t k = 0;
        for (int i = 0; i < sc->n; i++) {
            if (!sc->clips[i].nerrs)
                continue;
            memcpy(all + k, sc->clips[i].errs, (size_t)sc->clips[i].nerrs * sizeof(*all));
            k += sc->clips[i].nerrs;
        }
        out->heel_median_mm = hd_score_quantile(all, nerrs, 0.5);
        out->heel_p90_mm = hd_score_quantile(all, nerrs, 0.9);
        free(all);
    }
    return HD_OK;
}

/* ---- targets ------------------------------------------------------------------------ */

void hd_score_targets_default(hd_score_targets *t)
{
    t->exact_share_min = 0.95;
    t->descent_mae_max_s = 0.25;
    t->hold_mae_max_s = 0.25;
    t->depth_mae_max_mm = 8.0;
    t->heel_median_max_mm = 4.0;
    t->lost_share_max = 0.02;
    t->warn_precision_min = 0.9;
    t->warn_recall_min = 0.9;
    t->no_exercise_reps_max = 0;
}

enum { CHK_PASS, CHK_FAIL, CHK_NA };

typedef struct check {
    char key[48];   /* "descent_mae_s", "precision.too_fast" */
    char label[64]; /* for people */
    double value, limit;
    int at_least; /* 1: value >= limit passes; 0: value <= limit */
    double scale; /* display: value * scale */
    const char *unit;
    int status;
    char reason[96]; /* why n/a or why an undefined value fails */
} check;

#define MAX_CHECKS (8 + 2 * HD_WARN_COUNT)

static void add_check(check *c, int *n, const char *key, const char *label, double value,
                      double limit, int at_least, double scale, const char *unit, int has_data,
                      const char *no_data, const char *undefined)
{
    check *k = &c[(*n)++];
    memset(k, 0, sizeof(*k));
    snprintf(k->key, sizeof(k->key), "%s", key);
    snprintf(k->label, sizeof(k->label), "%s", label);
    k->value = value;
    k->limit = limit;
    k->at_least = at_least;
    k->scale = scale;
    k->unit = unit;
    if (!has_data) {
        k->status = CHK_NA;
        snprintf(k->reason, sizeof(k->reason), "%s", no_data);
    } else if (isnan(value)) {
        k->status = CHK_FAIL;
        snprintf(k->reason, sizeof(k->reason), "%s", undefined);
    } else {
        int ok = at_least ? value >= limit - 1e-12 : value <= limit + 1e-12;
        k->status = ok ? CHK_PASS : CHK_FAIL;
    }
}

static int eval_checks(const hd_score_result *r, const hd_score_targets *t, check *c)
{
    int n = 0;
    int reps = r->true_reps > 0;
    const char *nomatch = "no matched rep to measure";
    add_check(c, &n, "exact_share", "exact count, share of clips", r->exact_share,
              t->exact_share_min, 1, 100, "%", r->clips > 0, "no clips", "");
    add_check(c, &n, "descent_mae_s", "descent_s mean abs error", r->descent_mae_s,
              t->descent_mae_max_s, 0, 1, " s", reps, "no true reps", nomatch);
    add_check(c, &n, "hold_mae_s", "hold_s mean abs error", r->hold_mae_s, t->hold_mae_max_s, 0, 1,
              " s", reps, "no true reps", nomatch);
    add_check(c, &n, "depth_mae_mm", "depth_mm mean abs error", r->depth_mae_mm,
              t->depth_mae_max_mm, 0, 1, " mm", reps, "no true reps", nomatch);
    add_check(c, &n, "heel_median_mm", "heel_mm median abs error", r->heel_median_mm,
              t->heel_median_max_mm, 0, 1, " mm", r->trace_clips > 0 && r->visible_frames > 0,
              r->trace_clips ? "no visible frames" : "no traces given",
              "every visible frame was lost");
    add_check(c, &n, "lost_share", "lost share of visible frames", r->lost_share, t->lost_share_max,
              0, 100, "%", r->trace_clips > 0 && r->visible_frames > 0,
              r->trace_clips ? "no visible frames" : "no traces given", "");
    for (int w = 0; w < HD_WARN_COUNT; w++) {
        const char *name = hd_warn_name(w);
        char key[48], label[64], why[96];
        name = name ? name : "unknown";
        const hd_score_warn *s = &r->warn[w];
        snprintf(key, sizeof(key), "precision.%s", name);
        snprintf(label, sizeof(label), "%s precision", name);
        snprintf(why, sizeof(why), "the analysis raised no %s", name);
        add_check(c, &n, key, label, s->precision, t->warn_precision_min, 1, 1, "",
                  s->tp + s->fp > 0, why, "");
        snprintf(key, sizeof(key), "recall.%s", name);
        snprintf(label, sizeof(label), "%s recall", name);
        snprintf(why, sizeof(why), "the truth has no %s", name);
        add_check(c, &n, key, label, s->recall, t->warn_recall_min, 1, 1, "", s->tp + s->fn > 0,
                  why, "");
    }
    add_check(c, &n, "no_exercise_reps", "reps found on no-exercise clips", r->no_exercise_reps,
              t->no_exercise_reps_max, 0, 1, "", r->no_exercise_clips > 0, "no no-exercise clips",
              "");
    return n;
}

static const char *status_word(int st)
{
    return st == CHK_PASS ? "PASS" : st == CHK_FAIL ? "FAIL" : "n/a";
}

int hd_score_check(const hd_score_result *total, const hd_score_targets *t, void *file)
{
    check c[MAX_CHECKS];
    FILE *f = file;
    if (!total || !t)
        return 0;
    int n = eval_checks(total, t, c), failed = 0;
    for (int i = 0; i < n; i++) {
        const check *k = &c[i];
        failed += k->status == CHK_FAIL;
        if (!f)
            continue;
        char value[32], limit[32];
        if (isnan(k->value) || k->status == CHK_NA)
            snprintf(value, sizeof(value), "n/a");
        else
            snprintf(value, sizeof(value), "%.3g%s", k->value * k->scale, k->unit);
        snprintf(limit, sizeof(limit), "%s %g%s", k->at_least ? ">=" : "<=", k->limit * k->scale,
                 k->unit);
        fprintf(f, "%-4s  %-32s %10s  (target %s)", status_word(k->status), k->label, value, limit);
        if (k->reason[0] && k->status != CHK_PASS)
            fprintf(f, ": %s", k->reason);
        fputc('\n', f);
    }
    return failed;
}

/* ---- table -------------------------------------------------------------------------- */

/* A number with decimals and a unit, or "n/a". buf must hold 32 bytes. */
static const char *fmt(char *buf, double v, int decimals, const char *unit)
{
    if (isnan(v))
        snprintf(buf, 32, "n/a");
    else
        snprintf(buf, 32, "%.*f%s", decimals, v, unit);
    return buf;
}

static void print_clip_line(FILE *f, const hd_score_result *r)
{
    char a[32], b[32], c[32], d[32], e[32], g[32], h[32], k[32];
    fprintf(f, "%-24.24s %4d %5d %5d %5s %8s %8s %8s %8s %8s %8s %8s %7s\n", r->name, r->true_reps,
            r->found_reps, r->matched, r->exact_clips ? "yes" : "NO",
            fmt(a, r->t_bottom_mae_s, 2, ""), fmt(b, r->descent_mae_s, 2, ""),
            fmt(c, r->hold_mae_s, 2, ""), fmt(d, r->below_mae_s, 2, ""),
            fmt(e, r->depth_mae_mm, 1, ""), fmt(g, r->heel_median_mm, 1, ""),
            fmt(h, r->trace_clips ? r->heel_p90_mm : NAN, 1, ""),
            r->trace_clips ? fmt(k, 100 * r->lost_share, 1, "%") : "-");
}

static void print_total(FILE *f, const hd_score_result *r)
{
    char a[32], b[32], c[32], d[32], e[32];
    fprintf(f, "all %d clip%s\n", r->clips, r->clips == 1 ? "" : "s");
    fprintf(f, "  reps: true %d, found %d, matched %d (precision %s, recall %s)\n", r->true_reps,
            r->found_reps, r->matched, fmt(a, r->rep_precision, 3, ""),
            fmt(b, r->rep_recall, 3, ""));
    fprintf(f, "  exact count: %d of %d clips (%s)\n", r->exact_clips, r->clips,
            fmt(a, 100 * r->exact_share, 1, "%"));
    fprintf(f,
            "  mean abs error over matched reps: t_bottom %s, descent %s, hold %s,\n"
            "    below %s, depth %s\n",
            fmt(a, r->t_bottom_mae_s, 3, " s"), fmt(b, r->descent_mae_s, 3, " s"),
            fmt(c, r->hold_mae_s, 3, " s"), fmt(d, r->below_mae_s, 3, " s"),
            fmt(e, r->depth_mae_mm, 2, " mm"));
    if (r->leg_mismatch)
        fprintf(f, "  matched reps on the wrong leg: %d\n", r->leg_mismatch);
    if (r->trace_clips) {
        fprintf(f,
                "  heel_mm error over %lld frames (%d clip%s with traces): median %s, "
                "p90 %s\n",
                (long long)r->heel_frames, r->trace_clips, r->trace_clips == 1 ? "" : "s",
                fmt(a, r->heel_median_mm, 2, " mm"), fmt(b, r->heel_p90_mm, 2, " mm"));
        fprintf(f,
                "  lost: %s of %lld visible frames (%lld with no analysis frame); "
                "heel reported while hidden: %lld of %lld frames\n",
                fmt(a, 100 * r->lost_share, 2, "%"), (long long)r->visible_frames,
                (long long)r->missing_frames, (long long)r->hidden_tracked,
                (long long)r->hidden_frames);
    } else {
        fprintf(f, "  traces: none given\n");
    }
    fprintf(f, "  no-exercise clips: %d, reps found on them: %d\n", r->no_exercise_clips,
            r->no_exercise_reps);
    fprintf(f, "  %-10s %5s %5s %5s %9s %7s\n", "warning", "TP", "FP", "FN", "precision", "recall");
    for (int w = 0; w < HD_WARN_COUNT; w++) {
        const hd_score_warn *s = &r->warn[w];
        const char *name = hd_warn_name(w);
        fprintf(f, "  %-10s %5d %5d %5d %9s %7s\n", name ? name : "unknown", s->tp, s->fp, s->fn,
                fmt(a, s->precision, 3, ""), fmt(b, s->recall, 3, ""));
    }
}

void hd_score_print(const hd_score *sc, void *file)
{
    FILE *f = file ? file : stdout;
    hd_score_result total;
    if (!sc)
        return;
    fprintf(f, "%-24s %4s %5s %5s %5s %8s %8s %8s %8s %8s %8s %8s %7s\n", "clip", "true", "found",
            "match", "exact", "t_bottom", "descent", "hold", "below", "depth", "heel", "heel",
            "lost");
    fprintf(f, "%-24s %4s %5s %5s %5s %8s %8s %8s %8s %8s %8s %8s %7s\n", "", "", "", "", "",
            "MAE s", "MAE s", "MAE s", "MAE s", "MAE mm", "med mm", "p90 mm", "");
    for (int i = 0; i < sc->n; i++)
        print_clip_line(f, &sc->clips[i].res);
    if (hd_score_total(sc, &total) == HD_OK) {
        fputc('\n', f);
        print_total(f, &total);
    }
}

/* ---- JSON --------------------------------------------------------------------------- */

static double rnd(double x, double scale)
{
    return isfinite(x) ? round(x * scale) / scale + 0.0 : x;
}

static int jnum(cJSON *o, const char *key, double v)
{
    if (!isfinite(v))
        return cJSON_AddNullToObject(o, key) != NULL;
    return cJSON_AddNumberToObject(o, key, v) != NULL;
}

static int jtimes(cJSON *o, const char *key, const double *t, int n)
{
    cJSON *arr = cJSON_AddArrayToObject(o, key);
    if (!arr)
        return 0;
    for (int i = 0; i < n; i++) {
        cJSON *v = isfinite(t[i]) ? cJSON_CreateNumber(rnd(t[i], 100)) : cJSON_CreateNull();
        if (!v)
            return 0;
        cJSON_AddItemToArray(arr, v);
    }
    return 1;
}

static cJSON *result_json(const hd_score_result *r, int is_clip)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int ok = cJSON_AddStringToObject(o, "name", r->name) != NULL;
    ok &= jnum(o, "clips", r->clips);
    if (is_clip)
        ok &= cJSON_AddBoolToObject(o, "exact", r->exact_clips == 1) != NULL;
    ok &= jnum(o, "exact_clips", r->exact_clips);
    ok &= jnum(o, "exact_share", rnd(r->exact_share, 10000));
    ok &= jnum(o, "true_reps", r->true_reps);
    ok &= jnum(o, "found_reps", r->found_reps);
    ok &= jnum(o, "matched", r->matched);
    ok &= jnum(o, "rep_precision", rnd(r->rep_precision, 10000));
    ok &= jnum(o, "rep_recall", rnd(r->rep_recall, 10000));
    ok &= jnum(o, "no_exercise_clips", r->no_exercise_clips);
    ok &= jnum(o, "no_exercise_reps", r->no_exercise_reps);
    ok &= jnum(o, "t_bottom_mae_s", rnd(r->t_bottom_mae_s, 1000));
    ok &= jnum(o, "descent_mae_s", rnd(r->descent_mae_s, 1000));
    ok &= jnum(o, "hold_mae_s", rnd(r->hold_mae_s, 1000));
    ok &= jnum(o, "below_mae_s", rnd(r->below_mae_s, 1000));
    ok &= jnum(o, "depth_mae_mm", rnd(r->depth_mae_mm, 100));
    ok &= jnum(o, "leg_mismatch", r->leg_mismatch);
    cJSON *ws = cJSON_AddObjectToObject(o, "warnings");
    ok &= ws != NULL;
    for (int w = 0; ws && w < HD_WARN_COUNT; w++) {
        const char *name = hd_warn_name(w);
        cJSON *e = cJSON_AddObjectToObject(ws, name ? name : "unknown");
        ok &= e != NULL;
        if (!e)
            break;
        ok &= jnum(e, "tp", r->warn[w].tp);
        ok &= jnum(e, "fp", r->warn[w].fp);
        ok &= jnum(e, "fn", r->warn[w].fn);
        ok &= jnum(e, "precision", rnd(r->warn[w].precision, 10000));
        ok &= jnum(e, "recall", rnd(r->warn[w].recall, 10000));
    }
    if (r->trace_clips) {
        cJSON *t = cJSON_AddObjectToObject(o, "trace");
        ok &= t != NULL;
        if (t) {
            ok &= jnum(t, "clips", r->trace_clips);
            ok &= jnum(t, "visible_frames", (double)r->visible_frames);
            ok &= jnum(t, "lost_frames", (double)r->lost_frames);
            ok &= jnum(t, "missing_frames", (double)r->missing_frames);
            ok &= jnum(t, "heel_frames", (double)r->heel_frames);
            ok &= jnum(t, "hidden_frames", (double)r->hidden_frames);
            ok &= jnum(t, "hidden_tracked", (double)r->hidden_tracked);
            ok &= jnum(t, "lost_share", rnd(r->lost_share, 100000));
            ok &= jnum(t, "heel_median_mm", rnd(r->heel_median_mm, 1000));
            ok &= jnum(t, "heel_p90_mm", rnd(r->heel_p90_mm, 1000));
        }
    } else {
        ok &= cJSON_AddNullToObject(o, "trace") != NULL;
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int targets_json(cJSON *root, const hd_score_result *total, const hd_score_targets *t)
{
    check c[MAX_CHECKS];
    int n = eval_checks(total, t, c), failed = 0;
    cJSON *o = cJSON_AddObjectToObject(root, "targets");
    if (!o)
        return 0;
    cJSON *arr = cJSON_AddArrayToObject(o, "checks");
    int ok = arr != NULL;
    for (int i = 0; ok && i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        if (!e)
            return 0;
        cJSON_AddItemToArray(arr, e);
        failed += c[i].status == CHK_FAIL;
        ok &= cJSON_AddStringToObject(e, "name", c[i].key) != NULL;
        ok &= jnum(e, "value", rnd(c[i].value, 10000));
        ok &= cJSON_AddStringToObject(e, "op", c[i].at_least ? ">=" : "<=") != NULL;
        ok &= jnum(e, "limit", c[i].limit);
        ok &= cJSON_AddStringToObject(e, "status",
                                      c[i].status == CHK_PASS   ? "pass"
                                      : c[i].status == CHK_FAIL ? "fail"
                                                                : "n/a") != NULL;
        if (c[i].reason[0] && c[i].status != CHK_PASS)
            ok &= cJSON_AddStringToObject(e, "reason", c[i].reason) != NULL;
    }
    ok &= jnum(o, "failed", failed);
    ok &= cJSON_AddBoolToObject(o, "pass", failed == 0) != NULL;
    return ok;
}

char *hd_score_to_json(const hd_score *sc, const hd_score_targets *targets)
{
    hd_score_result total;
    cJSON *root = NULL;
    char *text = NULL;

    if (!sc || hd_score_total(sc, &total) != HD_OK)
        return NULL;
    root = cJSON_CreateObject();
    if (!root)
        goto done;
    int ok = jnum(root, "match_tol_s", sc->tol);
    cJSON *clips = cJSON_AddArrayToObject(root, "clips");
    ok &= clips != NULL;
    for (int i = 0; ok && i < sc->n; i++) {
        const clip *c = &sc->clips[i];
        cJSON *o = result_json(&c->res, 1);
        if (!o) {
            ok = 0;
            break;
        }
        cJSON_AddItemToArray(clips, o);
        ok &= jtimes(o, "missed_t_bottom", c->missed, c->nmissed);
        ok &= jtimes(o, "extra_t_bottom", c->extra, c->nextra);
    }
    cJSON *agg = ok ? result_json(&total, 0) : NULL;
    ok &= agg != NULL;
    if (agg)
        cJSON_AddItemToObject(root, "aggregate", agg);
    if (ok && targets)
        ok &= targets_json(root, &total, targets);
    if (ok)
        text = cJSON_Print(root);
done:
    cJSON_Delete(root);
    if (!text)
        hd_fail(HD_ERR_NOMEM, "out of memory building the score JSON");
    return text;
}

hd_status hd_score_write_json(const hd_score *sc, const hd_score_targets *targets, const char *path)
{
    char tmp[4096];
    void *f;
    if (!sc || !path)
        return hd_fail(HD_ERR_INVALID, "hd_score_write_json: missing scorer or path");
    char *text = hd_score_to_json(sc, targets);
    if (!text)
        return HD_ERR_NOMEM;
    hd_status st = hd_atomic_open(path, tmp, sizeof(tmp), &f);
    if (st == HD_OK) {
        fputs(text, f);
        fputc('\n', f);
        st = hd_atomic_commit(f, tmp, path);
    }
    free(text);
    return st;
}
