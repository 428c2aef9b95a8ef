/* reps.c - the rep engine: an excursion state machine on the smoothed heel signal, the
 * timings of PROTOCOL.md section 3, warnings and sets.
 *
 * A rep is an excursion of the smoothed heel: a top (heel >= top_mm), a stretch below
 * top_mm that reaches its lowest point, and a return to >= top_mm (the next top). The
 * machine runs on smoothed samples (reps_signal.c), smooth_s behind the input:
 *
 *   REST --heel >= top_mm for TOP_MIN_S--> TOP --heel < top_mm - LOW_MARGIN_MM--> EXC
 *   EXC --heel >= top_mm for TOP_MIN_S--> TOP (a provisional rep; the new top is its
 *        "next top")
 *   TOP --the drop out of it is confirmed--> the provisional rep is final (the next top's
 *        height, hence t_top, is known)
 *
 * Noise guards (hysteresis), on top of the smoothing:
 *  - a top must stay >= top_mm for TOP_MIN_S (0.1 s), so that the heel hovering at the
 *    threshold does not make tops of single frames;
 *  - a drop must reach LOW_MARGIN_MM (3 mm) below top_mm; a shallower dip belongs to the
 *    top it came from (its samples count for the top's height), so noise at the threshold
 *    cannot split one top into two and make a rep of nothing.
 *
 * Rest is not a rep: an excursion in which the heel stays put (within near_mm) or lost
 * for set_gap_s or more is abandoned. That is the user standing flat, or gone, between
 * sets: such a pause would end the set anyway, and "rising" out of it to start the next
 * set must not close a rep that began when the last set ended. (A real hold that long
 * would be far beyond long_hold_s: a stretch, not the exercise.)
 *
 * Timings are PROTOCOL's, on the smoothed signal, with every crossing interpolated
 * linearly between samples (sub-frame). When no moment near the lowest point is still
 * for still_s, and a still hold within 25 mm above it ended at most 1 s before it, that
 * lowest point was a transient at the end of the hold (see held_level) and the hold gives
 * t_bottom; otherwise (a sharp turnaround) t_bottom is the moment of the lowest sample, so
 * the rep gets a hold of about nothing and no_hold says so. Top and bottom heights are robust
 * estimates of the extremes (level_hist below).
 *
 * Memory: the smoothed history is kept only from the oldest moment a pending timing can
 * still need (the current top's last moment near its height, or the pending rep's
 * t_descent_start). Tops and excursions are bounded (TOP_MAX_S, EXC_MAX_S, the rest
 * rule above), so the history stays bounded however long the stream runs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "heeldrop/reps.h"
#include "reps_internal.h"

#define TOP_MIN_S 0.1     /* noise guard: a top lasts at least this long */
#define LOW_MARGIN_MM 3.0 /* noise guard: a drop reaches this far below top_mm */
#define TOP_MAX_S 30.0    /* memory guard: a top's height is measured over at most this */
#define EXC_MAX_S 60.0    /* memory guard: a longer excursion is rest, not a rep */
#define QUEUE_MAX 64      /* events waiting for the caller */
/* noise guard: a top's height is the median of its samples within this of its maximum
 * (see level_hist) */
#define TOP_BAND_MM 3.0
#define LEV_BIN_MM 0.1
#define LEV_NBINS 64 /* LEV_NBINS * LEV_BIN_MM must exceed TOP_BAND_MM */

enum { D_REST, D_TOP, D_EXC };

/* The height of a top (and, on negated heights, the rep's lowest point). PROTOCOL takes
 * "the highest point of the top"; on a noisy signal the highest sample sits about two
 * noise deviations above the level the heel actually held (+1-2 mm even after
 * smoothing), and since the heel leaves a top slowly that moves t_descent_start early by
 * ~0.1 s. So the height is the median of the (level-smoothed) heights that lie within
 * TOP_BAND_MM of the maximum: on a plateau that is the plateau's level, on a clean peak
 * it is within ~0.7 mm of the peak. A sliding histogram, so a long top needs no history.
 * The moment of the lowest point (the t_bottom fallback) is still the lowest sample. */
typedef struct level_hist {
    int n;
    long top_bin; /* highest bin seen; bins (top_bin - LEV_NBINS, top_bin] kept */
    double max;
    int cnt[LEV_NBINS]; /* bin b lives at slot b mod LEV_NBINS */
    double sum[LEV_NBINS];
} level_hist;

static int lev_slot(long b)
{
    long m = b % LEV_NBINS;
    return (int)(m < 0 ? m + LEV_NBINS : m);
}

static void lev_reset(level_hist *h)
{
    memset(h, 0, sizeof(*h));
}

static void lev_add(level_hist *h, double y)
{
    if (!isfinite(y))
        return;
    long b = (long)floor(y / LEV_BIN_MM);
    if (h->n == 0) {
        h->top_bin = b;
        h->max = y;
    } else if (b > h->top_bin) {
        /* the slots of the bins coming into range held bins now out of range */
        for (long k = h->top_bin + 1; k <= b && k <= h->top_bin + LEV_NBINS; k++) {
            h->cnt[lev_slot(k)] = 0;
            h->sum[lev_slot(k)] = 0.0;
        }
        h->top_bin = b;
    }
    if (y > h->max)
        h->max = y;
    if (b > h->top_bin - LEV_NBINS) {
        h->cnt[lev_slot(b)]++;
        h->sum[lev_slot(b)] += y;
    }
    h->n++;
}

static double lev_height(const level_hist *h)
{
    if (h->n == 0)
        return NAN;
    long lo = (long)floor((h->max - TOP_BAND_MM) / LEV_BIN_MM);
    if (lo <= h->top_bin - LEV_NBINS)
        lo = h->top_bin - LEV_NBINS + 1;
    int tot = 0;
    for (long b = h->top_bin; b >= lo; b--)
        tot += h->cnt[lev_slot(b)];
    int half = (tot + 1) / 2, acc = 0;
    for (long b = h->top_bin; b >= lo; b--) {
        int k = lev_slot(b);
        acc += h->cnt[k];
        if (acc >= half && h->cnt[k] > 0)
            return h->sum[k] / h->cnt[k];
    }
    return h->max;
}

/* The provisional rep: everything but t_top is known; t_top waits for the height of the
 * top the heel rose into, which is final when the heel leaves that top. */
typedef struct pend_rep {
    int active;
    hd_rep rep;
    unsigned early; /* warnings t_top cannot change */
    int64_t keep_i; /* the oldest history sample it still needs */
    int64_t he_i;   /* first history sample after t_hold_end */
    double y_he;    /* height at t_hold_end */
} pend_rep;

struct hd_reps {
    hd_reps_cfg cfg;
    hd_smoother sm;
    int have_t0;
    int64_t t0_us;
    int have_last;
    int64_t last_pts;
    double t_last; /* time of the newest input sample */
    int last_lost;
    double lost_since;
    int finished;

    hd_deque hist; /* hd_hsmp: the smoothed history */
    int64_t cur;   /* index of the newest smoothed sample */

    int st;
    /* REST: a candidate top */
    int cand;
    double cand_t;
    int64_t cand_i;
    /* TOP (and, frozen, during EXC: the top the drop left) */
    level_hist lev; /* the top's height (frozen during EXC: the top the drop left) */
    double hmax;    /* the top's highest level height */
    int64_t near_i; /* the top's last sample within near_mm of hmax: t_descent_start
                     * cannot come before it */
    int dip;        /* below top_mm but not (yet) a drop */
    int64_t dip_i;
    double dip_t;
    /* EXC */
    int64_t b_i; /* first sample below top_mm */
    double b_t;
    double tds;  /* t_descent_start as known when the drop was confirmed */
    double bmin; /* lowest height so far */
    int64_t bmin_i;
    level_hist blev; /* the lowest point's height, on negated level heights */
    int below_sent;
    int bot_found; /* live bottom (for the BOTTOM event and the phase) */
    double bot_c, bot_y;
    double dwell_t, dwell_y;
    int up; /* a candidate return to the top */
    double up_t;
    int64_t up_i;

    hd_phase dphase; /* the machine's phase, smooth_s behind the input */
    double dphase_t;
    pend_rep pend;

    hd_rep *reps; /* final reps */
    int nreps, capreps;
    int set_end_sent; /* SET_END sent for the latest rep's set */

    hd_reps_state state;
    hd_event q[QUEUE_MAX];
    int qhead, qlen;
};

static const char *const warn_names[HD_WARN_COUNT] = {
    "too_fast", "no_hold", "long_hold", "bounce", "bilateral", "partial", "uncertain",
};

const char *hd_warn_name(int i)
{
    return i >= 0 && i < HD_WARN_COUNT ? warn_names[i] : "?";
}

int hd_warn_index(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < HD_WARN_COUNT; i++)
        if (strcmp(name, warn_names[i]) == 0)
            return i;
    return -1;
}

const char *hd_phase_name(hd_phase p)
{
    switch (p) {
    case HD_PHASE_REST:
        return "rest";
    case HD_PHASE_TOP:
        return "top";
    case HD_PHASE_DESCENT:
        return "descent";
    case HD_PHASE_HOLD:
        return "hold";
    case HD_PHASE_RISE:
        return "rise";
    case HD_PHASE_LOST:
        return "lost";
    }
    return "?";
}

void hd_reps_cfg_default(hd_reps_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->top_mm = 20.0;
    cfg->near_mm = 5.0;
    cfg->still_mm_s = 10.0;
    cfg->still_s = 0.2;
    cfg->set_gap_s = 8.0;
    cfg->too_fast_s = 2.0;
    cfg->target_lo_s = 3.0;
    cfg->target_hi_s = 6.0;
    cfg->min_hold_s = 0.3;
    cfg->long_hold_s = 3.0;
    cfg->bounce_mm = 8.0;
    cfg->bounce_s = 0.5;
    cfg->partial_frac = 0.8;
    cfg->uncertain_s = 0.3;
    cfg->smooth_s = 0.3;
    cfg->insertional = 0;
}

/* ---- history helpers ---- */

static hd_hsmp *H_AT(const hd_reps *r, int64_t i)
{
    return hd_deque_at(&r->hist, i);
}

static double HT(const hd_reps *r, int64_t i)
{
    return H_AT(r, i)->t;
}

static double HY(const hd_reps *r, int64_t i)
{
    return H_AT(r, i)->y;
}

static double HL(const hd_reps *r, int64_t i)
{
    return H_AT(r, i)->yl;
}

/* Time at which the straight line from (t0, y0) to (t1, y1) meets level. */
static double cross_pts(double t0, double y0, double t1, double y1, double level)
{
    if (y1 == y0)
        return t1;
    double f = (level - y0) / (y1 - y0);
    if (f < 0.0)
        f = 0.0;
    if (f > 1.0)
        f = 1.0;
    return t0 + f * (t1 - t0);
}

static double cross(const hd_reps *r, int64_t a, int64_t b, double level)
{
    return cross_pts(HT(r, a), HY(r, a), HT(r, b), HY(r, b), level);
}

/* First history index with t >= x (cur + 1 when none). */
static int64_t first_at_or_after(const hd_reps *r, double x)
{
    int64_t lo = r->hist.base, hi = r->cur + 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (HT(r, mid) < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Heel height at time x, linear between samples. */
static double y_at(const hd_reps *r, double x)
{
    int64_t k = first_at_or_after(r, x);
    if (k > r->cur)
        return HY(r, r->cur);
    if (k == r->hist.base || HT(r, k) == x)
        return HY(r, k);
    double t0 = HT(r, k - 1), t1 = HT(r, k);
    return HY(r, k - 1) + (HY(r, k) - HY(r, k - 1)) * (x - t0) / (t1 - t0);
}

static double top_height(const hd_reps *r)
{
    return lev_height(&r->lev);
}

/* ---- events and state ---- */

static void push_event(hd_reps *r, hd_event_kind kind, double t, const hd_rep *rep)
{
    if (r->qlen == QUEUE_MAX)
        return; /* the caller stopped collecting; the rep list still has every rep */
    hd_event *e = &r->q[(r->qhead + r->qlen) % QUEUE_MAX];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->t = t;
    if (rep)
        e->rep = *rep;
    r->qlen++;
}

static void deliver(hd_reps *r, hd_reps_events *ev)
{
    if (!ev) {
        r->qhead = r->qlen = 0; /* the caller does not collect events */
        return;
    }
    ev->count = 0;
    while (r->qlen > 0 && ev->count < HD_REPS_MAX_EVENTS) {
        ev->ev[ev->count++] = r->q[r->qhead];
        r->qhead = (r->qhead + 1) % QUEUE_MAX;
        r->qlen--;
    }
}

static void set_dphase(hd_reps *r, hd_phase p, double t)
{
    if (r->dphase != p) {
        r->dphase = p;
        r->dphase_t = t;
    }
}

/* ---- the rep's measures ---- */

/* t_descent_start: the last moment before the lowest point (index li) at which the heel
 * is within near_mm of the top height h. */
static double scan_descent_start(const hd_reps *r, int64_t li, double h)
{
    double level = h - r->cfg.near_mm;
    int64_t k = li;
    while (k > r->hist.base && HY(r, k) < level)
        k--;
    if (k < li && HY(r, k) >= level)
        return cross(r, k, k + 1, level);
    return HT(r, k);
}

/* t_bottom: the first moment in [k0, k1) with the heel within near_mm of the lowest point
 * low, after which the speed stays under still_mm_s for still_s. NaN when no moment
 * qualifies (a sharp turnaround). Between samples, height and speed are taken as linear,
 * so the start of a still stretch lands between frames. */
static double find_bottom(const hd_reps *r, int64_t k0, int64_t k1, double low)
{
    const hd_reps_cfg *c = &r->cfg;
    double cand = NAN, lim = c->still_mm_s, band = low + c->near_mm;
    for (int64_t i = k0; i < k1; i++) {
        const hd_hsmp *h = H_AT(r, i);
        int slow = fabs(h->v) < lim;
        if (!slow) {
            if (!isnan(cand)) {
                const hd_hsmp *p = H_AT(r, i - 1);
                double tx = cross_pts(p->t, fabs(p->v), h->t, fabs(h->v), lim);
                if (tx - cand >= c->still_s - HD_REPS_T_EPS)
                    return cand;
                cand = NAN;
            }
            continue;
        }
        if (isnan(cand) && h->y <= band) {
            cand = h->t;
            if (i > k0) {
                const hd_hsmp *p = H_AT(r, i - 1);
                double tn = p->y <= band ? p->t : cross_pts(p->t, p->y, h->t, h->y, band);
                double ts =
                    fabs(p->v) < lim ? p->t : cross_pts(p->t, fabs(p->v), h->t, fabs(h->v), lim);
                cand = tn > ts ? tn : ts;
            }
        }
        if (!isnan(cand) && h->t - cand >= c->still_s - HD_REPS_T_EPS)
            return cand;
    }
    return NAN;
}

/* When no moment near the lowest point is still (find_bottom gives NaN), the lowest point
 * may be a transient at the end of a hold rather than a sharp turnaround: a tracker
 * disturbed for a few frames when the other foot is set down reads a brief dip just before
 * the rise, below a hold that was perfectly still. Then the hold is the bottom: the lowest
 * stretch that stayed still for still_s, ended at most HELD_GAP_S before the lowest sample
 * (at t_low) and lies within HELD_DIP_MM of it. Returns its height, or NaN when there is
 * none (a true sharp turnaround). */
#define HELD_GAP_S 1.0
#define HELD_DIP_MM 25.0
static double held_level(const hd_reps *r, int64_t k0, int64_t k1, double t_low, double low)
{
    const hd_reps_cfg *c = &r->cfg;
    double best = NAN;
    int64_t i = k0;
    while (i < k1) {
        if (fabs(H_AT(r, i)->v) >= c->still_mm_s) {
            i++;
            continue;
        }
        int64_t j = i;
        double lo = INFINITY;
        while (j < k1 && fabs(H_AT(r, j)->v) < c->still_mm_s) {
            if (H_AT(r, j)->y < lo)
                lo = H_AT(r, j)->y;
            j++;
        }
        double ts = H_AT(r, i)->t, te = H_AT(r, j - 1)->t;
        if (te - ts >= c->still_s - HD_REPS_T_EPS && te >= t_low - HELD_GAP_S &&
            lo <= low + HELD_DIP_MM && (isnan(best) || lo < best))
            best = lo;
        i = j;
    }
    return best;
}

/* Bounce: between a and b, the heel rises at least bounce_mm and falls at least bounce_mm
 * again within bounce_s. Points are the samples strictly inside plus both ends. */
static int find_bounce(const hd_reps *r, double a, double b)
{
    const hd_reps_cfg *c = &r->cfg;
    int64_t k0 = first_at_or_after(r, a);
    while (k0 <= r->cur && HT(r, k0) <= a)
        k0++;
    int64_t k1 = first_at_or_after(r, b); /* samples k0 .. k1-1 are inside */
    int n = (int)(k1 - k0) + 2;
    if (n < 3)
        return 0;
    for (int i = 0; i < n; i++) {
        double ti = i == 0 ? a : i == n - 1 ? b : HT(r, k0 + i - 1);
        double yi = i == 0 ? y_at(r, a) : i == n - 1 ? y_at(r, b) : HY(r, k0 + i - 1);
        double peak = -INFINITY;
        for (int j = i + 1; j < n; j++) {
            double tj = j == n - 1 ? b : HT(r, k0 + j - 1);
            double yj = j == n - 1 ? y_at(r, b) : HY(r, k0 + j - 1);
            if (tj - ti > c->bounce_s + HD_REPS_T_EPS)
                break;
            if (peak - yi >= c->bounce_mm && peak - yj >= c->bounce_mm)
                return 1;
            if (yj > peak)
                peak = yj;
        }
    }
    return 0;
}

/* Time within [a, b] with the heel below step level (linear between samples). */
static double time_below0(const hd_reps *r, double a, double b)
{
    double sum = 0.0;
    int64_t k = first_at_or_after(r, a);
    if (k > r->hist.base)
        k--;
    for (; k < r->cur && HT(r, k) < b; k++) {
        double t0 = HT(r, k), t1 = HT(r, k + 1), y0 = HY(r, k), y1 = HY(r, k + 1);
        double s0 = t0 > a ? t0 : a, s1 = t1 < b ? t1 : b;
        if (s1 <= s0)
            continue;
        double u0 = y0 + (y1 - y0) * (s0 - t0) / (t1 - t0);
        double u1 = y0 + (y1 - y0) * (s1 - t0) / (t1 - t0);
        if (u0 < 0 && u1 < 0)
            sum += s1 - s0;
        else if (u0 < 0)
            sum += cross_pts(s0, u0, s1, u1, 0.0) - s0;
        else if (u1 < 0)
            sum += s1 - cross_pts(s0, u0, s1, u1, 0.0);
    }
    return sum;
}

/* Time within [a, b] covered by lost samples (each lost sample lasts until the next). */
static double time_lost(const hd_reps *r, double a, double b)
{
    double sum = 0.0;
    int64_t k = first_at_or_after(r, a);
    if (k > r->hist.base)
        k--;
    for (; k <= r->cur && HT(r, k) < b; k++) {
        const hd_hsmp *h = H_AT(r, k);
        if (!h->lost)
            continue;
        double s0 = h->t > a ? h->t : a, s1 = h->t + h->dur < b ? h->t + h->dur : b;
        if (s1 > s0)
            sum += s1 - s0;
    }
    return sum;
}

/* The descent's foot (majority of known values) and the bilateral check (no foot seen
 * off the step, with at least one sample that could tell). */
static void descent_feet(const hd_reps *r, double a, double b, int *foot, int *bilateral)
{
    int nfoot[3] = {0, 0, 0}, off = 0, on = 0;
    int64_t k = first_at_or_after(r, a);
    int64_t kend = first_at_or_after(r, b);
    if (kend == k && k <= r->cur)
        kend = k + 1; /* a descent shorter than a frame: judge by the nearest sample */
    for (; k < kend && k <= r->cur; k++) {
        const hd_hsmp *h = H_AT(r, k);
        if (h->foot == 1 || h->foot == 2)
            nfoot[h->foot]++;
        if (h->off_step == 1)
            off++;
        else if (h->off_step == 0)
            on++;
    }
    *foot = nfoot[1] > nfoot[2] ? 1 : nfoot[2] > nfoot[1] ? 2 : 0;
    *bilateral = off == 0 && on > 0;
}

/* The measures t_top settles: t_top, rise_s, below_s, lost_s, uncertain, given the
 * height hc of the top the heel rose into. */
static void finish_times(const hd_reps *r, const pend_rep *p, double hc, hd_rep *rep)
{
    double level = hc - r->cfg.near_mm;
    double pt = rep->t_hold_end, py = p->y_he, t_top = NAN;
    if (py >= level)
        t_top = pt;
    for (int64_t k = p->he_i; isnan(t_top) && k <= r->cur; k++) {
        if (HY(r, k) >= level)
            t_top = cross_pts(pt, py, HT(r, k), HY(r, k), level);
        pt = HT(r, k);
        py = HY(r, k);
    }
    if (isnan(t_top))
        t_top = HT(r, r->cur);
    rep->t_top = t_top;
    rep->rise_s = t_top - rep->t_hold_end;
    rep->below_s = time_below0(r, rep->t_descent_start, t_top);
    rep->lost_s = time_lost(r, rep->t_descent_start, t_top);
    rep->warnings = p->early;
    if (rep->lost_s > r->cfg.uncertain_s)
        rep->warnings |= HD_WARN_UNCERTAIN;
}

static double median_of(double *a, int n)
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
    return n % 2 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}

/* partial, over the final reps of set s and (when extra is not NULL) one more rep: the
 * median changes as the set grows, so every rep of the set is judged again. */
static void apply_partial(hd_reps *r, int s, hd_rep *extra)
{
    int first = r->nreps;
    while (first > 0 && r->reps[first - 1].set == s)
        first--;
    int n = r->nreps - first + (extra ? 1 : 0);
    if (n == 0)
        return;
    double *tops = malloc((size_t)n * sizeof(double));
    if (!tops)
        return; /* keep the previous verdicts rather than fail the stream */
    for (int i = first; i < r->nreps; i++)
        tops[i - first] = r->reps[i].top_mm;
    if (extra)
        tops[n - 1] = extra->top_mm;
    double lim = r->cfg.partial_frac * median_of(tops, n);
    free(tops);
    for (int i = first; i < r->nreps; i++) {
        r->reps[i].warnings &= ~(unsigned)HD_WARN_PARTIAL;
        if (r->reps[i].top_mm < lim)
            r->reps[i].warnings |= HD_WARN_PARTIAL;
    }
    if (extra) {
        extra->warnings &= ~(unsigned)HD_WARN_PARTIAL;
        if (extra->top_mm < lim)
            extra->warnings |= HD_WARN_PARTIAL;
    }
}

static int reps_in_set(const hd_reps *r, int s)
{
    int n = 0;
    for (int i = r->nreps - 1; i >= 0 && r->reps[i].set == s; i--)
        n++;
    return n;
}

/* The pending rep becomes final: its next top's height is hc. */
static void finalize_pending(hd_reps *r, double hc)
{
    pend_rep *p = &r->pend;
    if (!p->active)
        return;
    hd_rep rep = p->rep;
    finish_times(r, p, hc, &rep);
    if (r->nreps == r->capreps) {
        int ncap = r->capreps ? r->capreps * 2 : 32;
        hd_rep *nr = realloc(r->reps, (size_t)ncap * sizeof(hd_rep));
        if (!nr)
            return; /* keep it pending: a later call may find memory */
        r->reps = nr;
        r->capreps = ncap;
    }
    p->active = 0;
    r->reps[r->nreps++] = rep;
    apply_partial(r, rep.set, NULL);
    const hd_rep *fin = &r->reps[r->nreps - 1];
    push_event(r, HD_EV_REP, fin->t_top, fin);
    r->state.last_rep = *fin;
    r->state.has_last = 1;
    r->state.rest_since_t = fin->t_top;
    r->state.reps_in_set = reps_in_set(r, fin->set);
}

/* t_top of the pending rep if its next top ended now. */
static double pending_t_top(const hd_reps *r)
{
    hd_rep rep = r->pend.rep;
    finish_times(r, &r->pend, top_height(r), &rep);
    return rep.t_top;
}

/* SET_END once the next drop cannot start within set_gap_s of the last rep's t_top:
 * lb is the earliest moment the next rep's t_descent_start can still take. */
static void check_set_end(hd_reps *r, double lb)
{
    if (r->set_end_sent || (!r->pend.active && r->nreps == 0))
        return;
    const hd_reps_cfg *c = &r->cfg;
    double t_top;
    if (r->pend.active) {
        if (lb < r->pend.rep.t_hold_end + c->set_gap_s)
            return; /* t_top >= t_hold_end: too early, skip the scan */
        t_top = pending_t_top(r);
    } else {
        t_top = r->reps[r->nreps - 1].t_top;
    }
    if (lb < t_top + c->set_gap_s)
        return;
    /* The heel has been at this top for set_gap_s: take its height as final now, so
     * that the set's last rep is final when its set ends. */
    finalize_pending(r, top_height(r));
    push_event(r, HD_EV_SET_END, t_top + c->set_gap_s, NULL);
    r->set_end_sent = 1;
}

/* ---- the state machine ---- */

static void start_top(hd_reps *r, int64_t from, double t_start)
{
    r->st = D_TOP;
    lev_reset(&r->lev);
    r->hmax = -INFINITY;
    for (int64_t k = from; k <= r->cur; k++) {
        lev_add(&r->lev, HL(r, k));
        if (HL(r, k) > r->hmax)
            r->hmax = HL(r, k);
    }
    r->near_i = from;
    for (int64_t k = from; k <= r->cur; k++)
        if (HY(r, k) >= r->hmax - r->cfg.near_mm)
            r->near_i = k;
    r->dip = 0;
    r->cand = 0;
    set_dphase(r, HD_PHASE_TOP, t_start);
}

static void abandon(hd_reps *r, double t)
{
    r->st = D_REST;
    r->cand = 0;
    r->up = 0;
    set_dphase(r, HD_PHASE_REST, t);
}

/* The rep the excursion just made, once the heel is back at a top: everything up to
 * t_hold_end is final; t_top waits for this top's height. */
static void provisional(hd_reps *r)
{
    const hd_reps_cfg *c = &r->cfg;
    pend_rep *p = &r->pend;
    hd_rep rep;
    memset(&rep, 0, sizeof(rep));
    double low = -lev_height(&r->blev), top = top_height(r);
    int64_t ci = r->up_i;

    double tds = scan_descent_start(r, r->bmin_i, top);
    int64_t k0 = first_at_or_after(r, tds);
    double tb = find_bottom(r, k0, ci, low);
    int held = 0;
    if (isnan(tb)) {
        double level = held_level(r, k0, ci, HT(r, r->bmin_i), low);
        if (!isnan(level)) {
            tb = find_bottom(r, k0, ci, level);
            held = !isnan(tb);
        }
    }
    if (isnan(tb))
        tb = HT(r, r->bmin_i); /* sharp turnaround: the moment of the lowest point */
    double yb = y_at(r, tb);

    /* t_hold_end: the last moment before the rise within near_mm of the height at
     * t_bottom. For a shallow rep that band reaches above top_mm, hence the extension.
     * After a held bottom, the transient below the hold (from where the heel first
     * drops out of that band) is no bounce: the bounce rule looks at the hold before it. */
    int64_t kb = first_at_or_after(r, tb);
    while (kb <= r->cur && HT(r, kb) <= tb)
        kb++;
    int64_t e = ci;
    while (e < r->cur && fabs(HY(r, e) - yb) <= c->near_mm)
        e++;
    double dip = INFINITY;
    if (held) {
        int64_t d = kb;
        while (d < ci && HY(r, d) >= yb - c->near_mm)
            d++;
        if (d < ci)
            dip = HT(r, d);
    }
    int64_t j = e - 1;
    while (j >= kb && fabs(HY(r, j) - yb) > c->near_mm)
        j--;
    double the;
    if (j >= kb) {
        if (j + 1 <= r->cur && fabs(HY(r, j + 1) - yb) > c->near_mm)
            the = cross(r, j, j + 1, HY(r, j + 1) > yb ? yb + c->near_mm : yb - c->near_mm);
        else
            the = HT(r, j);
    } else if (kb <= r->cur) {
        the = cross_pts(tb, yb, HT(r, kb), HY(r, kb),
                        HY(r, kb) > yb ? yb + c->near_mm : yb - c->near_mm);
    } else {
        the = tb;
    }

    int foot, bilateral;
    descent_feet(r, tds, tb, &foot, &bilateral);

    rep.index = r->nreps + 1;
    rep.foot = foot;
    rep.t_descent_start = tds;
    rep.t_bottom = tb;
    rep.t_hold_end = the;
    rep.descent_s = tb - tds;
    rep.hold_s = the - tb;
    rep.depth_mm = -low;
    rep.top_mm = top;

    unsigned w = 0;
    if (rep.descent_s < c->too_fast_s)
        w |= HD_WARN_TOO_FAST;
    if ((!c->insertional && rep.depth_mm <= 0.0) || rep.hold_s < c->min_hold_s)
        w |= HD_WARN_NO_HOLD;
    if (rep.hold_s > c->long_hold_s)
        w |= HD_WARN_LONG_HOLD;
    if (find_bounce(r, tb, the < dip ? the : dip))
        w |= HD_WARN_BOUNCE;
    if (bilateral)
        w |= HD_WARN_BILATERAL;

    if (r->nreps > 0) {
        const hd_rep *prev = &r->reps[r->nreps - 1];
        rep.set = tds - prev->t_top >= c->set_gap_s ? prev->set + 1 : prev->set;
    } else {
        rep.set = 1;
    }

    p->active = 1;
    p->early = w;
    p->he_i = first_at_or_after(r, the);
    while (p->he_i <= r->cur && HT(r, p->he_i) <= the)
        p->he_i++;
    p->y_he = y_at(r, the);
    int64_t kd = first_at_or_after(r, tds);
    p->keep_i = kd > r->hist.base ? kd - 1 : kd;

    /* The live copy: t_top from this top's height so far. */
    level_hist lh;
    lev_reset(&lh);
    for (int64_t k = ci; k <= r->cur; k++)
        lev_add(&lh, HL(r, k));
    p->rep = rep;
    finish_times(r, p, lev_height(&lh), &rep);
    apply_partial(r, rep.set, &rep);
    p->rep = rep;

    r->set_end_sent = 0;
    r->state.reps = r->nreps + 1;
    r->state.reps_by_foot[foot]++;
    r->state.set = rep.set;
    r->state.reps_in_set = reps_in_set(r, rep.set) + 1;
    r->state.last_rep = rep;
    r->state.has_last = 1;
    r->state.rest_since_t = rep.t_top;
    push_event(r, HD_EV_REP_PROVISIONAL, r->up_t, &rep);

    r->up = 0;
    start_top(r, ci, r->up_t);
}

/* The live phase inside an excursion (the final one comes from hd_reps_classify). */
static void live_phase(hd_reps *r, const hd_hsmp *h)
{
    const hd_reps_cfg *c = &r->cfg;
    int slow = fabs(h->v) < c->still_mm_s;
    if (!r->bot_found) {
        if (slow && h->y <= r->bmin + c->near_mm) {
            if (isnan(r->bot_c)) {
                r->bot_c = h->t;
                r->bot_y = h->y;
            }
            if (h->t - r->bot_c >= c->still_s - HD_REPS_T_EPS) {
                r->bot_found = 1;
                push_event(r, HD_EV_BOTTOM, r->bot_c, NULL);
                set_dphase(r, HD_PHASE_HOLD, r->bot_c);
                return;
            }
        } else {
            r->bot_c = NAN;
        }
        if (r->dphase == HD_PHASE_DESCENT && h->y > r->bmin + c->near_mm && h->v > 0)
            set_dphase(r, HD_PHASE_RISE, h->t); /* turned without settling */
        else if (r->dphase == HD_PHASE_RISE && h->y <= r->bmin + c->near_mm)
            set_dphase(r, HD_PHASE_DESCENT, h->t);
        return;
    }
    if (h->y < r->bot_y - c->near_mm) {
        /* Sinking further: that was not the bottom yet. */
        r->bot_found = 0;
        r->bot_c = NAN;
        set_dphase(r, HD_PHASE_DESCENT, h->t);
    } else if (h->y > r->bot_y + c->near_mm) {
        set_dphase(r, HD_PHASE_RISE, h->t);
    } else {
        set_dphase(r, HD_PHASE_HOLD, h->t);
    }
}

static void exc_step(hd_reps *r, int64_t i, const hd_hsmp *h, const hd_hsmp *p)
{
    const hd_reps_cfg *c = &r->cfg;
    if (h->y < r->bmin) {
        r->bmin = h->y;
        r->bmin_i = i;
    }
    if (h->y < c->top_mm)
        lev_add(&r->blev, -h->yl);
    if (!r->below_sent && h->y < 0.0) {
        r->below_sent = 1;
        double t = p && !p->gap && p->y >= 0.0 ? cross_pts(p->t, p->y, h->t, h->y, 0.0) : h->t;
        push_event(r, HD_EV_BELOW_STEP, t, NULL);
    }
    if (fabs(h->y - r->dwell_y) > c->near_mm) {
        r->dwell_t = h->t;
        r->dwell_y = h->y;
    }
    if (h->t - r->dwell_t >= c->set_gap_s || h->t - r->b_t >= EXC_MAX_S) {
        abandon(r, h->t); /* rest (see the top of the file) */
        return;
    }
    if (h->y >= c->top_mm) {
        if (!r->up) {
            r->up = 1;
            r->up_i = i;
            r->up_t = p && !p->gap ? cross_pts(p->t, p->y, h->t, h->y, c->top_mm) : h->t;
        }
        if (h->t - r->up_t >= TOP_MIN_S) {
            provisional(r);
            return;
        }
    } else {
        r->up = 0;
    }
    live_phase(r, h);
}

/* The dip out of the top reached LOW_MARGIN_MM below top_mm: a drop. */
static void begin_exc(hd_reps *r, int64_t i, const hd_hsmp *h, const hd_hsmp *p)
{
    finalize_pending(r, top_height(r));
    double tds = scan_descent_start(r, i, top_height(r));
    check_set_end(r, tds);
    r->st = D_EXC;
    r->tds = tds;
    r->b_i = r->dip_i;
    r->b_t = r->dip_t;
    r->bmin = INFINITY;
    r->bmin_i = i;
    lev_reset(&r->blev);
    for (int64_t k = r->dip_i; k < i; k++) {
        if (HY(r, k) < r->bmin) {
            r->bmin = HY(r, k);
            r->bmin_i = k;
        }
        lev_add(&r->blev, -HL(r, k));
    }
    r->below_sent = 0;
    r->bot_found = 0;
    r->bot_c = NAN;
    r->dwell_t = h->t;
    r->dwell_y = h->y;
    r->up = 0;
    push_event(r, HD_EV_DESCENT_START, tds, NULL);
    set_dphase(r, HD_PHASE_DESCENT, tds);
    exc_step(r, i, h, p);
}

static void top_step(hd_reps *r, int64_t i, const hd_hsmp *h, const hd_hsmp *p)
{
    const hd_reps_cfg *c = &r->cfg;
    if (!r->dip && h->t - HT(r, r->near_i) > TOP_MAX_S) {
        /* A top this long is no longer "the top before the drop": measure afresh. */
        finalize_pending(r, top_height(r));
        lev_reset(&r->lev);
        r->hmax = h->yl;
        r->near_i = i;
    }
    lev_add(&r->lev, h->yl);
    if (h->yl > r->hmax) {
        r->hmax = h->yl;
        r->near_i = i;
    } else if (h->y >= r->hmax - c->near_mm) {
        r->near_i = i;
    }
    if (h->y >= c->top_mm) {
        r->dip = 0;
        set_dphase(r, HD_PHASE_TOP, h->t);
        return;
    }
    if (!r->dip) {
        r->dip = 1;
        r->dip_i = i;
        r->dip_t = p && !p->gap ? cross_pts(p->t, p->y, h->t, h->y, c->top_mm) : h->t;
        set_dphase(r, HD_PHASE_DESCENT, scan_descent_start(r, i, top_height(r)));
    }
    if (h->y < c->top_mm - LOW_MARGIN_MM)
        begin_exc(r, i, h, p);
}

/* A long gap (not bridged): whatever was going on is over. */
static void on_gap(hd_reps *r, const hd_hsmp *h)
{
    if (r->st == D_TOP)
        finalize_pending(r, top_height(r));
    abandon(r, h->t);
}

static void trim_hist(hd_reps *r)
{
    int64_t keep = r->cur - 1;
    if (r->st == D_REST && r->cand && r->cand_i - 1 < keep)
        keep = r->cand_i - 1;
    if (r->st == D_TOP || r->st == D_EXC) {
        if (r->near_i - 1 < keep)
            keep = r->near_i - 1;
        if ((r->dip || r->st == D_EXC) && r->dip_i - 1 < keep)
            keep = r->dip_i - 1;
    }
    if (r->pend.active && r->pend.keep_i < keep)
        keep = r->pend.keep_i;
    hd_deque_drop_before(&r->hist, keep);
}

static void det_step(hd_reps *r)
{
    const hd_reps_cfg *c = &r->cfg;
    int64_t i = r->cur;
    const hd_hsmp *h = H_AT(r, i);
    const hd_hsmp *p = i > r->hist.base ? H_AT(r, i - 1) : NULL;
    double lb = h->t;

    if (!h->gap && p && !p->gap && h->t - p->t >= c->set_gap_s) {
        /* No samples at all for that long (not even lost ones): the same as a long gap. */
        on_gap(r, p);
        p = NULL;
    }
    if (h->gap) {
        on_gap(r, h);
    } else if (r->st == D_REST) {
        if (h->y >= c->top_mm) {
            if (!r->cand) {
                r->cand = 1;
                r->cand_i = i;
                r->cand_t = p && !p->gap ? cross_pts(p->t, p->y, h->t, h->y, c->top_mm) : h->t;
            }
            if (h->t - r->cand_t >= TOP_MIN_S)
                start_top(r, r->cand_i, r->cand_t);
        } else {
            r->cand = 0;
            set_dphase(r, HD_PHASE_REST, h->t);
        }
    } else if (r->st == D_TOP) {
        top_step(r, i, h, p);
    } else {
        exc_step(r, i, h, p);
    }

    if (r->st == D_TOP)
        lb = HT(r, r->near_i);
    else if (r->st == D_EXC)
        lb = r->tds;
    check_set_end(r, lb);
    trim_hist(r);
}

/* Moves every smoothed sample that is ready through the machine. */
static hd_status pump(hd_reps *r, int finishing)
{
    hd_hsmp h;
    while (hd_smoother_pull(&r->sm, finishing, &h)) {
        hd_status st = hd_deque_push(&r->hist, &h);
        if (st != HD_OK)
            return hd_fail(st, "reps: out of memory for the heel history");
        r->cur = hd_deque_end(&r->hist) - 1;
        det_step(r);
    }
    return HD_OK;
}

static void update_state(hd_reps *r)
{
    hd_reps_state *s = &r->state;
    hd_phase ph = r->last_lost ? HD_PHASE_LOST : r->dphase;
    if (ph != s->phase)
        s->phase_start_t = ph == HD_PHASE_LOST ? r->lost_since : r->dphase_t;
    s->phase = ph;
    s->t = r->t_last;
    s->heel_mm = r->last_lost ? NAN : hd_smoother_edge(&r->sm);
    if (r->pend.active) {
        s->reps = r->nreps + 1;
    } else {
        s->reps = r->nreps;
    }
}

/* ---- public API ---- */

hd_status hd_reps_create(const hd_reps_cfg *cfg, hd_reps **out)
{
    if (!out)
        return hd_fail(HD_ERR_INVALID, "reps: no output pointer");
    *out = NULL;
    if (!cfg)
        return hd_fail(HD_ERR_INVALID, "reps: no configuration");
    if (!(cfg->smooth_s > 0.0 && cfg->smooth_s <= 5.0) || !(cfg->still_s > 0.0) ||
        !(cfg->set_gap_s > 0.0) || !(cfg->near_mm >= 0.0) || !(cfg->still_mm_s > 0.0) ||
        !(cfg->bounce_s > 0.0) || !(cfg->uncertain_s >= 0.0) || !isfinite(cfg->top_mm))
        return hd_fail(HD_ERR_INVALID, "reps: configuration out of range");
    hd_reps *r = calloc(1, sizeof(*r));
    if (!r)
        return hd_fail(HD_ERR_NOMEM, "reps: out of memory");
    r->cfg = *cfg;
    hd_smoother_init(&r->sm, cfg->smooth_s, cfg->set_gap_s);
    hd_deque_init(&r->hist, sizeof(hd_hsmp));
    r->st = D_REST;
    r->cur = -1;
    r->dphase = HD_PHASE_REST;
    r->bot_c = NAN;
    r->state.phase = HD_PHASE_REST;
    r->state.heel_mm = NAN;
    r->state.rest_since_t = -1.0;
    *out = r;
    return HD_OK;
}

void hd_reps_set_t0(hd_reps *r, int64_t t0_us)
{
    if (!r)
        return;
    r->have_t0 = 1;
    r->t0_us = t0_us;
}

hd_status hd_reps_update(hd_reps *r, const hd_reps_sample *s, hd_reps_events *ev)
{
    if (ev)
        ev->count = 0;
    if (!r || !s)
        return hd_fail(HD_ERR_INVALID, "reps: null argument");
    if (r->finished)
        return hd_fail(HD_ERR_INVALID, "reps: sample after finish");
    if (r->have_last && s->pts_us <= r->last_pts) {
        deliver(r, ev);
        return hd_fail(HD_ERR_INVALID, "reps: sample at %lld us is not after %lld us",
                       (long long)s->pts_us, (long long)r->last_pts);
    }
    if (!r->have_t0) {
        r->have_t0 = 1;
        r->t0_us = s->pts_us;
    }
    r->have_last = 1;
    r->last_pts = s->pts_us;
    double t = (double)(s->pts_us - r->t0_us) / 1e6;
    int valid = s->conf > 0.0 && isfinite(s->heel_mm);
    int foot = s->foot >= 0 && s->foot <= 2 ? s->foot : 0;
    int off = s->off_step == 1 ? 1 : s->off_step == 0 ? 0 : -1;
    hd_status st = hd_smoother_push(&r->sm, t, s->heel_mm, valid, off, foot);
    if (st != HD_OK)
        return hd_fail(st, "reps: out of memory for the heel samples");
    if (!valid && !r->last_lost)
        r->lost_since = t;
    r->last_lost = !valid;
    r->t_last = t;
    st = pump(r, 0);
    update_state(r);
    deliver(r, ev);
    return st;
}

hd_status hd_reps_finish(hd_reps *r, hd_reps_events *ev)
{
    if (ev)
        ev->count = 0;
    if (!r)
        return hd_fail(HD_ERR_INVALID, "reps: null argument");
    if (!r->finished) {
        r->finished = 1;
        hd_status st = pump(r, 1);
        if (st != HD_OK)
            return st;
        if (r->st == D_EXC && r->up)
            provisional(r); /* back above top_mm when the stream ended: the top counts */
        if (r->pend.active)
            finalize_pending(r, top_height(r));
        if (r->nreps > 0 && !r->set_end_sent) {
            push_event(r, HD_EV_SET_END, r->t_last, NULL);
            r->set_end_sent = 1;
        }
        update_state(r);
    }
    deliver(r, ev);
    return r->qlen > 0 ? HD_AGAIN : HD_OK;
}

const hd_reps_state *hd_reps_state_get(const hd_reps *r)
{
    return r ? &r->state : NULL;
}

hd_phase hd_reps_phase(const hd_reps *r)
{
    return r ? r->state.phase : HD_PHASE_REST;
}

void hd_reps_destroy(hd_reps *r)
{
    if (!r)
        return;
    hd_smoother_free(&r->sm);
    hd_deque_free(&r->hist);
    free(r->reps);
    free(r);
}

const hd_rep *hd_reps_list(const hd_reps *r, int *n)
{
    if (n)
        *n = r ? r->nreps : 0;
    return r ? r->reps : NULL;
}

size_t hd_reps_held_samples(const hd_reps *r)
{
    return hd_smoother_held(&r->sm) + r->hist.len;
}

hd_phase hd_reps_classify(const hd_rep *reps, int n, const hd_reps_cfg *cfg, double t,
                          double heel_mm, int lost)
{
    if (lost)
        return HD_PHASE_LOST;
    /* The last rep starting at or before t. */
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (reps[mid].t_descent_start <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0) {
        const hd_rep *p = &reps[lo - 1];
        if (t < p->t_bottom)
            return HD_PHASE_DESCENT;
        if (t < p->t_hold_end)
            return HD_PHASE_HOLD;
        if (t <= p->t_top)
            return HD_PHASE_RISE;
    }
    double top = cfg ? cfg->top_mm : 20.0;
    return heel_mm >= top ? HD_PHASE_TOP : HD_PHASE_REST;
}
