/* reps_signal.c - the heel signal the rep engine reasons on.
 *
 * The tracker's heel_mm has 1-3 mm of noise per frame and the odd outlier, while the
 * timing rules compare the speed against 10 mm/s: a frame-to-frame difference at 30 fps
 * turns 1.5 mm of noise into ~60 mm/s of speed noise. So each sample is:
 *
 *  1. checked against its neighbours (a Hampel filter: three valid samples on each side;
 *     a value further than 3 robust deviations, and at least 5 mm, from their median is
 *     replaced by the median), so that one wild frame cannot make a top or a bounce;
 *  2. smoothed by a local quadratic regression over a centred window of smooth_s (at
 *     least 5 samples), which keeps the depth of a turnaround that a plain average would
 *     shave off;
 *  3. given a speed from the slope of a local linear regression over 2 * smooth_s
 *     (widened up to twice that to hold SPEED_MIN_PTS samples at low frame rates): the
 *     slope of a least-squares line is exact on a locally quadratic curve, and the wide
 *     window brings the speed noise down to ~2-3 mm/s for 1.5 mm of noise, well under the
 *     10 mm/s stillness threshold. The price: where the curve bends sharply into a hold
 *     (a drop of under ~2 s) the speed reaches 10 mm/s late, ~0.07 s at 30 fps and up to
 *     ~0.17 s at 15 fps;
 *  4. given a "level" height from a local quadratic over +-smooth_s. The rules take
 *     extremes (the highest point of a top, the lowest of a rep), and the extreme of a
 *     noisy signal is biased outwards by about two of its standard deviations, which
 *     matters because the heel leaves a top slowly (18 mm/s at 5 mm below it in a 4 s
 *     cosine drop): each mm of bias in the top height moves t_descent_start by ~0.06 s.
 *     reps.c takes a robust extreme of this steadier height. Crossing times use the
 *     narrower height of step 2.
 *
 * Regressions work on the samples' own timestamps, so uneven frame gaps need no
 * resampling. The window is centred, so a sample comes out smooth_s (plus three frames for
 * the outlier filter) after it went in; events carry their own signal time.
 *
 * Lost samples (conf 0) are bridged by a straight line between the smoothed heights on
 * either side of the gap, for timing purposes; they keep their lost flag, so the engine
 * still counts the lost time. A gap of max_bridge_s or more (or one still open at the end)
 * is not bridged: those samples come out as a "gap" with no height.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reps_internal.h"

/* Window edges are compared with this slack: a frame that sits exactly on an edge (0.2 s
 * is 6 frames at 30 fps) is then always inside, whether its timestamp came from a file
 * (33333.33 us steps) or a camera (whole microseconds). Without it the same video gave
 * slightly different reps live and offline. Frames are at least 4 ms apart (240 fps). */
#define T_EPS HD_REPS_T_EPS

#define MIN_FIT_PTS 5     /* a quadratic through fewer points would not smooth */
#define SPEED_MIN_PTS 13  /* the speed window widens (up to twice) to hold this many */
#define HAMPEL_K 3        /* neighbours on each side */
#define HAMPEL_SPAN_S 1.0 /* ... no further away than this */
#define HAMPEL_NSIG 3.0
#define HAMPEL_MIN_MM 5.0 /* never call a value within 5 mm of its neighbours an outlier */

/* ---- deque ---- */

void hd_deque_init(hd_deque *d, size_t esz)
{
    memset(d, 0, sizeof(*d));
    d->esz = esz;
}

void hd_deque_free(hd_deque *d)
{
    free(d->buf);
    d->buf = NULL;
    d->head = d->len = d->cap = 0;
}

void *hd_deque_at(const hd_deque *d, int64_t i)
{
    return d->buf + (d->head + (size_t)(i - d->base)) * d->esz;
}

int64_t hd_deque_end(const hd_deque *d)
{
    return d->base + (int64_t)d->len;
}

hd_status hd_deque_push(hd_deque *d, const void *e)
{
    if (d->head + d->len == d->cap) {
        if (d->head > 0 && d->head >= d->cap / 2) {
            /* Mostly dropped already: slide down rather than grow. */
            memmove(d->buf, d->buf + d->head * d->esz, d->len * d->esz);
            d->head = 0;
        } else {
            size_t ncap = d->cap ? d->cap * 2 : 256;
            unsigned char *nb = realloc(d->buf, ncap * d->esz);
            if (!nb)
                return HD_ERR_NOMEM;
            d->buf = nb;
            d->cap = ncap;
        }
    }
    memcpy(d->buf + (d->head + d->len) * d->esz, e, d->esz);
    d->len++;
    return HD_OK;
}

void hd_deque_drop_before(hd_deque *d, int64_t i)
{
    if (i <= d->base)
        return;
    size_t n = (size_t)(i - d->base);
    if (n > d->len)
        n = d->len;
    d->head += n;
    d->len -= n;
    d->base += (int64_t)n;
    if (d->len == 0)
        d->head = 0;
}

/* ---- small numerics ---- */

static void sort_small(double *a, int n)
{
    for (int i = 1; i < n; i++) {
        double x = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > x) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = x;
    }
}

static double median_small(double *a, int n)
{
    sort_small(a, n);
    return n % 2 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}

/* Least-squares polynomial of degree deg (0..3) through (s[k], y[k]), s relative to the
 * evaluation time: the value and slope at s = 0. Falls back to a lower degree when the
 * points cannot support the requested one. */
static void fit_poly(const double *s, const double *y, int n, int deg, double *val, double *slope)
{
    double sc = 0.0;
    for (int k = 0; k < n; k++)
        if (fabs(s[k]) > sc)
            sc = fabs(s[k]);
    if (sc <= 0.0)
        sc = 1.0; /* scaled to [-1, 1] so that the normal equations stay well conditioned */
    if (deg > n - 1)
        deg = n - 1;
    for (; deg >= 0; deg--) {
        int m = deg + 1;
        double a[4][5] = {{0}};
        for (int k = 0; k < n; k++) {
            double u = s[k] / sc, p[7];
            p[0] = 1.0;
            for (int e = 1; e < 2 * m - 1; e++)
                p[e] = p[e - 1] * u;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++)
                    a[i][j] += p[i + j];
                a[i][m] += p[i] * y[k];
            }
        }
        /* Gaussian elimination with partial pivoting; a tiny pivot means the points do
         * not pin down this degree (too few distinct times). */
        double scale = a[0][0], c[4] = {0.0, 0.0, 0.0, 0.0};
        int ok = 1;
        for (int col = 0; col < m && ok; col++) {
            int piv = col;
            for (int i = col + 1; i < m; i++)
                if (fabs(a[i][col]) > fabs(a[piv][col]))
                    piv = i;
            if (fabs(a[piv][col]) <= 1e-9 * scale) {
                ok = 0;
                break;
            }
            if (piv != col)
                for (int j = 0; j <= m; j++) {
                    double t = a[col][j];
                    a[col][j] = a[piv][j];
                    a[piv][j] = t;
                }
            for (int i = col + 1; i < m; i++) {
                double f = a[i][col] / a[col][col];
                for (int j = col; j <= m; j++)
                    a[i][j] -= f * a[col][j];
            }
        }
        if (!ok)
            continue;
        for (int i = m - 1; i >= 0; i--) {
            double acc = a[i][m];
            for (int j = i + 1; j < m; j++)
                acc -= a[i][j] * c[j];
            c[i] = acc / a[i][i];
        }
        *val = c[0];
        *slope = m > 1 ? c[1] / sc : 0.0;
        return;
    }
    *val = NAN;
    *slope = 0.0;
}

/* ---- smoother ---- */

static hd_raw *raw_at(const hd_smoother *sm, int64_t i)
{
    return hd_deque_at(&sm->raw, i);
}

hd_status hd_smoother_init(hd_smoother *sm, double smooth_s, double max_bridge_s)
{
    memset(sm, 0, sizeof(*sm));
    hd_deque_init(&sm->raw, sizeof(hd_raw));
    sm->hp = smooth_s / 2.0;
    sm->hs = smooth_s;
    sm->max_bridge_s = max_bridge_s;
    sm->bridge_to = -1;
    return HD_OK;
}

void hd_smoother_free(hd_smoother *sm)
{
    hd_deque_free(&sm->raw);
    free(sm->fs);
    free(sm->fy);
    sm->fs = sm->fy = NULL;
}

hd_status hd_smoother_push(hd_smoother *sm, double t, double y, int valid, int off_step, int foot)
{
    hd_raw s = {t, y, y, valid, 0, off_step, foot};
    return hd_deque_push(&sm->raw, &s);
}

size_t hd_smoother_held(const hd_smoother *sm)
{
    return sm->raw.len;
}

static double latest_t(const hd_smoother *sm)
{
    return raw_at(sm, hd_deque_end(&sm->raw) - 1)->t;
}

static void hampel(hd_smoother *sm, int64_t i)
{
    hd_raw *s = raw_at(sm, i);
    double v[2 * HAMPEL_K + 1], d[2 * HAMPEL_K + 1];
    int n = 0, nb = 0, na = 0;
    v[n++] = s->y;
    for (int64_t k = i - 1; k >= sm->raw.base && nb < HAMPEL_K; k--) {
        hd_raw *q = raw_at(sm, k);
        if (s->t - q->t > HAMPEL_SPAN_S + T_EPS)
            break;
        if (q->valid) {
            v[n++] = q->y;
            nb++;
        }
    }
    for (int64_t k = i + 1; k < hd_deque_end(&sm->raw) && na < HAMPEL_K; k++) {
        hd_raw *q = raw_at(sm, k);
        if (q->t - s->t > HAMPEL_SPAN_S + T_EPS)
            break;
        if (q->valid) {
            v[n++] = q->y;
            na++;
        }
    }
    s->yc = s->y;
    if (n >= 3) {
        double med = median_small(v, n);
        for (int k = 0; k < n; k++)
            d[k] = fabs(v[k] - med);
        double mad = median_small(d, n);
        double thr = HAMPEL_NSIG * 1.4826 * mad;
        if (thr < HAMPEL_MIN_MM)
            thr = HAMPEL_MIN_MM;
        if (fabs(s->y - med) > thr)
            s->yc = med;
    }
    s->cleaned = 1;
}

/* Runs the outlier filter over every sample whose neighbours are known. */
static void clean(hd_smoother *sm, int finishing)
{
    int64_t end = hd_deque_end(&sm->raw);
    while (sm->next_clean < end) {
        hd_raw *s = raw_at(sm, sm->next_clean);
        if (!s->valid) {
            s->cleaned = 1;
            sm->next_clean++;
            continue;
        }
        int after = 0;
        for (int64_t k = sm->next_clean + 1; k < end && after < HAMPEL_K; k++) {
            hd_raw *q = raw_at(sm, k);
            if (q->t - s->t > HAMPEL_SPAN_S + T_EPS)
                break;
            after += q->valid;
        }
        if (after < HAMPEL_K && !finishing && latest_t(sm) - s->t <= HAMPEL_SPAN_S + T_EPS)
            break;
        hampel(sm, sm->next_clean);
        sm->next_clean++;
    }
}

/* Half-width of the speed window at raw sample j: hs, widened up to 2 * hs until it holds
 * SPEED_MIN_PTS valid samples, so that 15 fps gets a steadier speed. It counts the samples
 * pushed so far; ready() waits until every sample within the answer is there, after which
 * the answer no longer changes. */
static double speed_half(const hd_smoother *sm, int64_t j)
{
    double tj = raw_at(sm, j)->t, h = sm->hs;
    int64_t end = hd_deque_end(&sm->raw);
    for (;;) {
        int n = 0;
        for (int64_t k = j; k >= sm->raw.base && raw_at(sm, k)->t >= tj - h - T_EPS; k--)
            n += raw_at(sm, k)->valid;
        for (int64_t k = j + 1; k < end && raw_at(sm, k)->t <= tj + h + T_EPS; k++)
            n += raw_at(sm, k)->valid;
        if (n >= SPEED_MIN_PTS || h >= 2.0 * sm->hs)
            return h;
        h = h * 1.25 < 2.0 * sm->hs ? h * 1.25 : 2.0 * sm->hs;
    }
}

/* The window around raw sample j is complete: a later sample lies past it and every
 * sample in it went through the outlier filter. */
static int ready(const hd_smoother *sm, int64_t j, int finishing)
{
    if (finishing)
        return 1;
    double tj = raw_at(sm, j)->t, h = speed_half(sm, j);
    int64_t end = hd_deque_end(&sm->raw), e = j + 1;
    while (e < end && raw_at(sm, e)->t <= tj + h + T_EPS)
        e++;
    return e < end && sm->next_clean >= e;
}

static int grow_scratch(hd_smoother *sm, int n)
{
    if (n <= sm->fcap)
        return 1;
    int ncap = sm->fcap ? sm->fcap * 2 : 64;
    while (ncap < n)
        ncap *= 2;
    double *a = realloc(sm->fs, (size_t)ncap * sizeof(double));
    if (!a)
        return 0;
    sm->fs = a;
    double *b = realloc(sm->fy, (size_t)ncap * sizeof(double));
    if (!b)
        return 0;
    sm->fy = b;
    sm->fcap = ncap;
    return 1;
}

/* Smoothed height and speed at raw sample j, from the valid samples around it. */
static void fit_at(hd_smoother *sm, int64_t j, double *y, double *yl, double *v)
{
    double tj = raw_at(sm, j)->t, hw = speed_half(sm, j);
    int64_t lo = j, hi = j, end = hd_deque_end(&sm->raw);
    while (lo > sm->raw.base && raw_at(sm, lo - 1)->t >= tj - hw - T_EPS)
        lo--;
    while (hi + 1 < end && raw_at(sm, hi + 1)->t <= tj + hw + T_EPS)
        hi++;
    int n = 0, a = 0, b = 0;
    if (!grow_scratch(sm, (int)(hi - lo + 1))) {
        /* Out of memory for the scratch: use the sample as it is rather than fail. */
        *y = *yl = raw_at(sm, j)->yc;
        *v = 0.0;
        return;
    }
    for (int64_t k = lo; k <= hi; k++) {
        hd_raw *q = raw_at(sm, k);
        if (!q->valid)
            continue;
        sm->fs[n] = q->t - tj;
        sm->fy[n] = q->cleaned ? q->yc : q->y;
        n++;
    }
    double dummy;
    fit_poly(sm->fs, sm->fy, n, 1, &dummy, v);

    /* Level height: a quadratic over +-hs, not widened (a quadratic over a longer span
     * overshoots where a drop bends into a hold). The samples are in time order, so the
     * ones within a half-width form one contiguous run. */
    while (a < n && sm->fs[a] < -sm->hs - T_EPS)
        a++;
    b = a;
    while (b < n && sm->fs[b] <= sm->hs + T_EPS)
        b++;
    fit_poly(sm->fs + a, sm->fy + a, b - a, b - a >= MIN_FIT_PTS ? 2 : 1, yl, &dummy);

    /* Height: the samples within hp, widened (up to hw) until there are enough for a
     * quadratic, so that a low frame rate still gets smoothed. */
    double h = sm->hp;
    for (;;) {
        a = 0;
        while (a < n && sm->fs[a] < -h - T_EPS)
            a++;
        b = a;
        while (b < n && sm->fs[b] <= h + T_EPS)
            b++;
        if (b - a >= MIN_FIT_PTS || h >= hw)
            break;
        h = h * 1.25 < hw ? h * 1.25 : hw;
    }
    fit_poly(sm->fs + a, sm->fy + a, b - a, b - a >= MIN_FIT_PTS ? 2 : 1, y, &dummy);
}

static void out_sample(hd_smoother *sm, int64_t j, double y, double yl, double v, int lost, int gap,
                       hd_hsmp *out)
{
    hd_raw *s = raw_at(sm, j);
    out->t = s->t;
    out->y = y;
    out->yl = yl;
    out->v = v;
    if (j + 1 < hd_deque_end(&sm->raw)) {
        out->dur = raw_at(sm, j + 1)->t - s->t;
        sm->last_dur = out->dur;
    } else {
        out->dur = sm->last_dur; /* the last sample lasts as long as the one before */
    }
    out->lost = (signed char)lost;
    out->gap = (signed char)gap;
    out->off_step = (signed char)s->off_step;
    out->foot = (signed char)s->foot;
}

/* Drops raw samples that no window or filter can reach any more. */
static void trim(hd_smoother *sm)
{
    int64_t end = hd_deque_end(&sm->raw);
    if (end == sm->raw.base)
        return;
    double tref = sm->next_out < end ? raw_at(sm, sm->next_out)->t : latest_t(sm);
    double keep = 2.0 * sm->hs + HAMPEL_SPAN_S;
    int64_t k = sm->raw.base;
    while (k < sm->next_out && k < end - 1 && raw_at(sm, k)->t < tref - keep)
        k++;
    hd_deque_drop_before(&sm->raw, k);
}

int hd_smoother_pull(hd_smoother *sm, int finishing, hd_hsmp *out)
{
    clean(sm, finishing);
    int64_t end = hd_deque_end(&sm->raw);
    if (sm->next_out >= end)
        return 0;
    int64_t j = sm->next_out;
    hd_raw *s = raw_at(sm, j);
    double y, yl, v;

    if (s->valid) {
        if (!ready(sm, j, finishing))
            return 0;
        fit_at(sm, j, &y, &yl, &v);
        out_sample(sm, j, y, yl, v, 0, 0, out);
        sm->have_valid = 1;
        sm->lv_t = s->t;
        sm->lv_y = y;
        sm->lv_yl = yl;
        sm->bridge_to = -1;
        sm->next_out++;
        trim(sm);
        return 1;
    }

    if (sm->bridge_to <= j) {
        int64_t k = j + 1;
        while (k < end && !raw_at(sm, k)->valid)
            k++;
        int open = k >= end;
        double gap_s;
        if (!sm->have_valid)
            gap_s = INFINITY;
        else if (open)
            gap_s = latest_t(sm) - sm->lv_t;
        else
            gap_s = raw_at(sm, k)->t - sm->lv_t;
        if (gap_s >= sm->max_bridge_s || (open && finishing)) {
            out_sample(sm, j, NAN, NAN, NAN, 1, 1, out);
            sm->next_out++;
            trim(sm);
            return 1;
        }
        if (open || !ready(sm, k, finishing))
            return 0; /* the gap may still be bridged: wait for its end */
        fit_at(sm, k, &sm->bt_y, &sm->bt_yl, &v);
        sm->bt_t = raw_at(sm, k)->t;
        sm->bridge_to = k;
    }
    double dt = sm->bt_t - sm->lv_t, f = (s->t - sm->lv_t) / dt;
    double slope = (sm->bt_y - sm->lv_y) / dt;
    out_sample(sm, j, sm->lv_y + f * (sm->bt_y - sm->lv_y), sm->lv_yl + f * (sm->bt_yl - sm->lv_yl),
               slope, 1, 0, out);
    sm->next_out++;
    trim(sm);
    return 1;
}

double hd_smoother_edge(hd_smoother *sm)
{
    int64_t end = hd_deque_end(&sm->raw);
    if (end == sm->raw.base || !raw_at(sm, end - 1)->valid)
        return NAN;
    double tl = latest_t(sm);
    int n = 0;
    for (int64_t k = end - 1; k >= sm->raw.base; k--) {
        hd_raw *q = raw_at(sm, k);
        if (tl - q->t > sm->hs && n >= 2)
            break;
        if (tl - q->t > 2.0 * sm->hs)
            break;
        if (!q->valid)
            continue;
        if (!grow_scratch(sm, n + 1))
            break;
        sm->fs[n] = q->t - tl;
        sm->fy[n] = q->cleaned ? q->yc : q->y;
        n++;
    }
    double y, v;
    fit_poly(sm->fs, sm->fy, n, 1, &y, &v);
    return y;
}
