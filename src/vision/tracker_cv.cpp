/* tracker_cv.cpp - the rigid-foot pivot tracker, OpenCV behind a C API.
 *
 * The model (see docs/architecture.md, "The tracker"):
 *   - The step's top edge is a straight, static line. The working foot's forefoot rests on
 *     it and the rear foot is close to a rigid body that rotates about a pivot on that line
 *     (the ball of the foot on the nosing). Heel height is therefore a function of one angle.
 *   - Around the pivot P we resample the image on a polar grid (radius r along the foot,
 *     angle phi from the step line). A line through P is a column of constant phi, so the
 *     sole's lower boundary, background below and foot above, is the angle at which the
 *     angular gradient is strong at every radius. Static edges that do not pass through P
 *     spread over many angles and score low.
 *   - Per frame we search that angle near the previous one, refine it per radius to
 *     sub-sample precision, fit the sole line in step coordinates, and read the heel height
 *     at the heel's distance from the pivot. The scale comes from that distance and the
 *     anatomical ball-to-heel share of the shoe length, so heel_mm depends on the angle and
 *     the configured shoe length, not on a pixel measurement of the whole shoe.
 *   - Calibration looks at the first seconds: the mean image gives static near-horizontal
 *     line candidates; motion energy says where the foot moves; the pivot, heel side and
 *     heel distance are chosen where a rotating sole edge is seen most consistently.
 * Only the luma plane is read, and after calibration only a region around the foot.
 */
#include <algorithm>
#include <cerrno>
#include <memory>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <new>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h> /* rigid_zncc's sampling, two cells at a time (x86-64 baseline) */
#endif

#include <cjson/cJSON.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

extern "C" {
#include "heeldrop/log.h"
#include "heeldrop/paths.h"
#include "heeldrop/tracker.h"
}

namespace {

const double kPi = 3.14159265358979323846;
inline double deg2rad(double d) { return d * kPi / 180.0; }
inline double rad2deg(double r) { return r * 180.0 / kPi; }

struct Params {
    double work_width = 640;
    double calib_min_s = 1.5;
    double calib_every_s = 0.5;
    double motion_gap_s = 0.25;
    double min_motion = 2.5;
    double line_max_deg = 15;
    double phi_min_deg = -60, phi_max_deg = 70, phi_step_deg = 0.5;
    int radii = 20;
    double r_lo = 0.3, r_hi = 0.95;
    double search_deg = 9;
    double min_score = 1.9;
    double min_appearance = 0.35;
    double ball_ratio = 0.72;
    double lift_zone[4] = {1.05, 2.3, 0.25, 1.6};
    double lift_frac = 0.10;
    /* the lift zone's background is learnt only while the foot is within this of step
     * level (standing on both feet, no foot lifted) */
    double lift_learn_deg = 3.0;
    double lost_reacquire_s = 0.5;
    double recalibrate_s = 2.5;
    double min_template_px = 300;
    double min_appearance_keep = 0.4;
    double foot_band = 0.55;
    int rigid_refine = 1;     /* search the foot's shift with its turn */
    double shift_max = 0.2;   /* largest shift, in heel distances */
    double shift_cost = 0.3;  /* ZNCC given up per heel distance of shift */
    /* A model locked on something that never moves (the floor where the person stood
     * before stepping up, a shoe left on the step) while the legs move elsewhere: */
    double static_lock_s = 8;     /* this long with the turn inside static_lock_deg, */
    double static_lock_deg = 3;
    double static_motion = 0.6;   /* while this share of 0.5 s samples saw motion, */
    double lock_comeback_z = 0.9; /* starts a new calibration; the model comes back only
                                   * when it matches at least this well, seen turned
                                   * (Saved::need_turn) */
};

/* A rigid template's own sums (over its values, in cell order) and its column range on
 * the polar grid: what both matches need of the template alone (tmpl_sums). */
struct TmplSums {
    double sa = 0, saa = 0;
    int jlo = 0, jhi = -1;
};

struct Buffered {
    cv::Mat img; /* work-scale luma, CV_8U */
    int64_t pts;
    int64_t seq;
};

/* The foot geometry in work-scale pixels. */
struct Scene {
    bool valid = false;
    cv::Point2d P;  /* pivot */
    cv::Point2d u;  /* unit vector along the step line, towards the heel */
    cv::Point2d n;  /* unit normal, up in the image (towards smaller y) */
    double rh = 0;  /* distance from the pivot to the heel's back-bottom point */
    double toe = 0; /* distance from the pivot to the toe tip along the step (0: not seen) */
    double line[4] = {0, 0, 0, 0};
};

/* Per-angle sole scores of one polar image. */
struct PolarScore {
    std::vector<float> score; /* per angle index */
    cv::Mat D;                /* |angular gradient|, radii x angles, CV_32F */
    cv::Mat N;                /* D normalised per radius by its mean (contrast-free) */
};

} // namespace

struct hd_tracker {
    hd_tracker_cfg cfg;
    std::string model_path;
    Params p;

    bool calibrated = false;
    int fw = 0, fh = 0;     /* full frame size */
    double scale = 1;       /* full pixels per work pixel */
    int ww = 0, wh = 0;     /* work frame size */
    int64_t t_first = 0;
    bool have_first = false;
    int64_t last_pts = 0;

    std::deque<Buffered> buf;
    std::deque<hd_marks> out;

    cv::Mat sum;            /* CV_32F sum of work frames */
    int nsum = 0;
    cv::Mat msum;           /* CV_32F sum of |F_t - F_t-k| */
    int nmot = 0;
    cv::Mat diff8;              /* scratch for the motion energy */
    int lag_k = 1;
    double next_try_s = 0;
    int calib_failures = 0;     /* attempts since the last success, for the back-off */
    int hint = HD_HINT_CALIBRATING;

    Scene sc;
    Scene last_sc;              /* the last calibrated scene, kept while recalibrating */
    int nang = 0;
    std::vector<double> radius; /* polar radii */
    std::vector<double> phi;    /* polar angles (rad) */
    cv::Mat mapx, mapy;         /* polar maps relative to P */

    double theta_n = 0;         /* previous sole slope angle (rad) */
    bool finishing = false;     /* end of stream: decide with what there is */
    std::vector<int> calib_frames; /* buffer indices used to choose the scene */
    /* calibration frames with the foot's rotation from the usual pose (image radians) */
    std::vector<std::pair<int, double>> calib_turns;
    /* Sole lines need not pass exactly through the pivot (the sole rests a little off the
     * line found, and the foot turns about the ball above the heel and about the nosing
     * below it): a line at distance delta from the pivot is at angle theta + asin(delta/r)
     * at radius r. shift[k][i] is that offset in angle steps for the k-th delta. */
    std::vector<double> delta;
    std::vector<std::vector<int>> shift;

    /* Rigid-template tracking, used when calibration saw the foot turn: the polar pixels
     * that turned with the foot form a template; each frame is matched to it by the angle
     * that best aligns them (ZNCC), and the heel point of the reference turns with it. */
    bool tmpl_ok = false;
    std::vector<double> tr_radius, tr_phi;
    std::vector<int> tmpl_i, tmpl_j;
    std::vector<float> tmpl_val;
    std::vector<int> tmpl_off;       /* tmpl_i * columns + tmpl_j, for tmpl_zncc */
    double heel_u = 0, heel_n = 0;   /* heel bottom in the reference, step coordinates */
    double theta_ref = 0;            /* sole angle in the reference */
    double shift_prev = 0;           /* last match, in angle steps from the reference */
    /* The foot's shift (work px) on top of its turn about P: the pivot found at calibration
     * is only near the true one, and the foot turns about the ball when the heel is up but
     * about the nosing when it is below the step. A turn about another point is a turn
     * about P plus a shift, so matching turn and shift together measures the turn itself,
     * free of the pivot's error, and the heel where it really is. */
    cv::Point2d tshift;
    std::vector<float> tmpl_cu, tmpl_cn; /* template cells in step coordinates from P */
    /* made with tmpl_cu: the template's own sums, and the cells' extent for rigid_zncc */
    TmplSums tsums;
    float rig_cu_lo = 0, rig_cu_hi = 0, rig_cn_lo = 0, rig_cn_hi = 0;
    cv::Mat tmpl_relx, tmpl_rely;    /* template grid offsets from the pivot */
    int jump_frames = 0, jump_to = 0; /* a far match seen this many frames in a row */
    double last_z = 0;               /* the last accepted match (0 when lost) */
    /* Step level across calibrations: a calibration made mid-set may take a raised or
     * dropped pose as its reference. The standing pose's sole angle of the first
     * calibration (std_theta, about std_P) is kept, and a later model of the same foot
     * measures its turns from it: level_off = its reference sole angle - std_theta. */
    double level_off = 0;
    bool have_std = false;
    double std_theta = 0;
    cv::Point2d std_P, std_u;
    double std_rh = 0;
    int64_t frame_no = 0;            /* frames measured with the template */
    std::vector<float> ref_strip;  /* the foot just above its sole, per radius */
    double ref_level = 0;          /* median of the polar image when ref_strip was taken */
    bool tracking = false;
    double lost_since = -1;
    double heel_ema = 0;

    /* The last good rigid template, kept while calibrating again after a long loss: an
     * occlusion or a step away ends with the same foot in the same place, and then the old
     * model is taken back as soon as it matches again (a new calibration may take longer
     * or settle on something worse). */
    struct Saved {
        bool valid = false;
        Scene sc;
        std::vector<int> ti, tj, toff;
        std::vector<float> tv;
        std::vector<double> rad, phi;
        double heel_u = 0, heel_n = 0, theta_ref = 0, level_off = 0;
        int hits = 0;
        double min_z = 0; /* the match it needs to come back */
        /* A model thrown out by the static-lock check comes back only turned away from
         * the turn it sat at (lock_shift, in template steps) by more than
         * static_lock_deg: a thing that never turns matches itself there perfectly. */
        bool need_turn = false;
        double lock_shift = 0;
    } saved;

    /* The static-lock check: a coarse sample of the whole frame every 0.5 s, and per
     * sample whether anything moved and the range of the measured turn. */
    struct LockSample {
        double t = 0;
        bool motion = false;
        float dmin = 1e9f, dmax = -1e9f;
        int n = 0, frames = 0;
    };
    std::vector<uint8_t> thumb_prev;
    double thumb_t = -1;
    std::deque<LockSample> lock_hist;
    LockSample lock_cur;
    bool midset = false;        /* the next calibration is made mid-set (midset_level) */
    bool level_pending = false; /* marks held back until midset_level has decided */

    cv::Mat lift_bg;            /* background of the lift zone, CV_32F */
    cv::Mat lift_cur;
    std::vector<float> lift_ratio; /* scratch for the zone's gain */

    cv::Mat work, roi;          /* scratch, reused */

    /* Debugging switches, read once from the environment (docs/architecture.md):
     * HD_TRACKER_TRACE prints each frame's match, HD_TRACKER_POLAR=T and HD_TRACKER_AT=T
     * write the polar image / the matched template cells of the frame at T s into the
     * folder HD_TRACKER_DEBUG names. */
    bool dbg_trace = false;
    double dbg_polar_s = -1, dbg_at_s = -1;
};

/* ---------------------------------------------------------------- parameters ---------- */

static bool json_num(const cJSON *o, const char *k, double *v)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!it)
        return true; /* optional: default stays */
    if (!cJSON_IsNumber(it) || !std::isfinite(it->valuedouble))
        return false;
    *v = it->valuedouble;
    return true;
}

static hd_status load_params(const char *path, Params *p)
{
    int e = 0;
    char *text = hd_read_text(path, 1 << 20, nullptr, &e);
    if (!text)
        return hd_fail(HD_ERR_MODEL, "tracker model %s: %s", path, strerror(e));
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root)
        return hd_fail(HD_ERR_MODEL, "tracker model %s is corrupt (not valid JSON)", path);
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    bool ok = cJSON_IsString(fmt) && strcmp(fmt->valuestring, "heeldrop-tracker") == 0;
    double radii = p->radii;
    ok = ok && json_num(root, "work_width", &p->work_width) &&
         json_num(root, "calib_min_s", &p->calib_min_s) &&
         json_num(root, "calib_every_s", &p->calib_every_s) &&
         json_num(root, "motion_gap_s", &p->motion_gap_s) &&
         json_num(root, "min_motion", &p->min_motion) &&
         json_num(root, "line_max_deg", &p->line_max_deg) &&
         json_num(root, "phi_min_deg", &p->phi_min_deg) &&
         json_num(root, "phi_max_deg", &p->phi_max_deg) &&
         json_num(root, "phi_step_deg", &p->phi_step_deg) && json_num(root, "radii", &radii) &&
         json_num(root, "r_lo", &p->r_lo) && json_num(root, "r_hi", &p->r_hi) &&
         json_num(root, "search_deg", &p->search_deg) &&
         json_num(root, "min_score", &p->min_score) &&
         json_num(root, "min_appearance", &p->min_appearance) &&
         json_num(root, "ball_ratio", &p->ball_ratio) &&
         json_num(root, "lift_frac", &p->lift_frac) &&
         json_num(root, "lift_learn_deg", &p->lift_learn_deg) &&
         json_num(root, "lost_reacquire_s", &p->lost_reacquire_s) &&
         json_num(root, "recalibrate_s", &p->recalibrate_s) &&
         json_num(root, "min_template_px", &p->min_template_px) &&
         json_num(root, "min_appearance_keep", &p->min_appearance_keep) &&
         json_num(root, "foot_band", &p->foot_band);
    double rr = p->rigid_refine;
    ok = ok && json_num(root, "rigid_refine", &rr) && json_num(root, "shift_max", &p->shift_max) &&
         json_num(root, "shift_cost", &p->shift_cost) &&
         json_num(root, "static_lock_s", &p->static_lock_s) &&
         json_num(root, "static_lock_deg", &p->static_lock_deg) &&
         json_num(root, "static_motion", &p->static_motion) &&
         json_num(root, "lock_comeback_z", &p->lock_comeback_z);
    p->rigid_refine = rr != 0;
    const cJSON *lz = cJSON_GetObjectItemCaseSensitive(root, "lift_zone");
    if (ok && lz) {
        ok = cJSON_IsArray(lz) && cJSON_GetArraySize(lz) == 4;
        for (int i = 0; ok && i < 4; i++) {
            const cJSON *e = cJSON_GetArrayItem(lz, i);
            ok = cJSON_IsNumber(e);
            if (ok)
                p->lift_zone[i] = e->valuedouble;
        }
    }
    cJSON_Delete(root);
    p->radii = (int)radii;
    ok = ok && p->work_width >= 160 && p->work_width <= 4096 && p->radii >= 6 &&
         p->radii <= 200 && p->phi_step_deg > 0.05 && p->phi_min_deg < p->phi_max_deg &&
         p->r_lo > 0 && p->r_lo < p->r_hi && p->ball_ratio > 0.3 && p->ball_ratio < 1 &&
         p->calib_min_s > 0 && p->shift_max >= 0 && p->shift_max < 1 && p->shift_cost >= 0 &&
         p->static_lock_s >= 0 && p->static_lock_deg > 0 && p->static_motion > 0 &&
         p->static_motion <= 1 && p->lock_comeback_z <= 1;
    if (!ok)
        return hd_fail(HD_ERR_MODEL,
                       "tracker model %s is corrupt (wrong format or a value out of range)",
                       path);
    return HD_OK;
}

/* ---------------------------------------------------------------- geometry ----------- */

static void build_polar(hd_tracker *t)
{
    const Params &p = t->p;
    t->nang = (int)std::floor((p.phi_max_deg - p.phi_min_deg) / p.phi_step_deg) + 1;
    t->phi.resize(t->nang);
    for (int j = 0; j < t->nang; j++)
        t->phi[j] = deg2rad(p.phi_min_deg + j * p.phi_step_deg);
    t->radius.resize(p.radii);
    for (int i = 0; i < p.radii; i++)
        t->radius[i] = t->sc.rh * (p.r_lo + (p.r_hi - p.r_lo) * i / (p.radii - 1));
    t->mapx.create(p.radii, t->nang, CV_32F);
    t->mapy.create(p.radii, t->nang, CV_32F);
    double dmax = std::max(2.0, 0.25 * t->sc.rh);
    int nd = (int)std::ceil(dmax / 0.75);
    t->delta.clear();
    t->shift.clear();
    for (int k = -nd; k <= nd; k++) {
        double dl = k * dmax / nd;
        std::vector<int> sh(p.radii);
        for (int i = 0; i < p.radii; i++)
            sh[i] = (int)std::lround(std::asin(std::max(-0.9, std::min(0.9, dl / t->radius[i]))) /
                                     deg2rad(p.phi_step_deg));
        t->delta.push_back(dl);
        t->shift.push_back(sh);
    }
}

/* Fills the polar maps for an image whose top-left corner is origin (work coordinates). */
static void polar_maps(const Scene &sc, const std::vector<double> &radius,
                       const std::vector<double> &phi, cv::Point2d origin, cv::Mat &mx,
                       cv::Mat &my)
{
    int nr = (int)radius.size(), na = (int)phi.size();
    mx.create(nr, na, CV_32F);
    my.create(nr, na, CV_32F);
    for (int i = 0; i < nr; i++) {
        float *px = mx.ptr<float>(i), *py = my.ptr<float>(i);
        for (int j = 0; j < na; j++) {
            double c = std::cos(phi[j]) * radius[i], s = std::sin(phi[j]) * radius[i];
            px[j] = (float)(sc.P.x + c * sc.u.x + s * sc.n.x - origin.x);
            py[j] = (float)(sc.P.y + c * sc.u.y + s * sc.n.y - origin.y);
        }
    }
}

/* Resamples img through the maps into S (float); points outside img become -1, since
 * the border value of an 8-bit remap cannot say "outside". */
static void remap_polar(const cv::Mat &img, const cv::Mat &mx, const cv::Mat &my, cv::Mat &S)
{
    cv::Mat S8;
    cv::remap(img, S8, mx, my, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    S8.convertTo(S, CV_32F);
    for (int i = 0; i < S.rows; i++) {
        const float *xr = mx.ptr<float>(i), *yr = my.ptr<float>(i);
        float *v = S.ptr<float>(i);
        for (int j = 0; j < S.cols; j++)
            if (xr[j] < 0 || yr[j] < 0 || xr[j] > img.cols - 1 || yr[j] > img.rows - 1)
                v[j] = -1;
    }
}

/* Least-squares line n = a + b u through the points whose keep flag is set (all when
 * keep is NULL). False with fewer than min_points or a degenerate spread. */
static bool fit_line(const std::vector<double> &us, const std::vector<double> &ns,
                     const std::vector<char> *keep, int min_points, double *a, double *b,
                     int *used)
{
    double su = 0, sn = 0, suu = 0, sun = 0;
    int m = 0;
    for (size_t k = 0; k < us.size(); k++) {
        if (keep && !(*keep)[k])
            continue;
        su += us[k];
        sn += ns[k];
        suu += us[k] * us[k];
        sun += us[k] * ns[k];
        m++;
    }
    double den = m * suu - su * su;
    if (used)
        *used = m;
    if (m < min_points || std::fabs(den) < 1e-9)
        return false;
    *b = (m * sun - su * sn) / den;
    *a = (sn - *b * su) / m;
    return true;
}

/* Sole score per angle: mean over radii of the contrast-normalised angular gradient. */
static void sole_score(const cv::Mat &S, PolarScore &ps)
{
    int nr = S.rows, na = S.cols;
    ps.D.create(nr, na, CV_32F);
    ps.D.setTo(0);
    ps.N.create(nr, na, CV_32F);
    ps.N.setTo(0);
    ps.score.assign(na, 0.f);
    std::vector<int> valid(na, 0);
    for (int i = 0; i < nr; i++) {
        const float *s = S.ptr<float>(i);
        float *d = ps.D.ptr<float>(i);
        double acc = 0;
        int cnt = 0;
        for (int j = 2; j < na - 2; j++) {
            if (s[j - 2] < 0 || s[j + 2] < 0)
                continue; /* outside the image */
            d[j] = std::fabs(s[j + 2] + 0.5f * s[j + 1] - 0.5f * s[j - 1] - s[j - 2]);
            acc += d[j];
            cnt++;
        }
        if (cnt < 8)
            continue;
        float norm = (float)(acc / cnt + 1.5);
        float *nn = ps.N.ptr<float>(i);
        for (int j = 2; j < na - 2; j++) {
            if (d[j] > 0) {
                nn[j] = d[j] / norm;
                ps.score[j] += nn[j];
                valid[j]++;
            }
        }
    }
    for (int j = 0; j < na; j++)
        ps.score[j] = valid[j] >= nr / 2 ? ps.score[j] / valid[j] : 0.f;
}

/* The sole's lowest strong angle index within [j0, j1], or -1. */
static int pick_sole(const std::vector<float> &sc, int j0, int j1, double min_score)
{
    j0 = std::max(j0, 1);
    j1 = std::min(j1, (int)sc.size() - 2);
    float best = 0;
    for (int j = j0; j <= j1; j++)
        best = std::max(best, sc[j]);
    if (best < min_score)
        return -1;
    for (int j = j0; j <= j1; j++)
        if (sc[j] >= 0.75f * best && sc[j] >= sc[j - 1] && sc[j] >= sc[j + 1])
            return j;
    return -1;
}

struct SoleFit {
    bool ok = false;
    double a = 0, b = 0;   /* n = a + b*u in step coordinates (work px) */
    double score = 0;
    int j = -1;
    int used = 0;
};

/* Refines the sole boundary per radius around angle index j (shifted per radius by sh
 * when given) and fits a line. */
static SoleFit fit_sole(const hd_tracker *t, const PolarScore &ps, int j,
                        const std::vector<int> *sh = nullptr)
{
    SoleFit f;
    f.j = j;
    f.score = ps.score[j];
    int nr = ps.D.rows, na = ps.D.cols;
    std::vector<double> us, ns;
    for (int i = 0; i < nr; i++) {
        const float *d = ps.D.ptr<float>(i);
        int bj = -1;
        float bv = 0;
        int jc = j + (sh ? (*sh)[i] : 0);
        for (int k = std::max(1, jc - 3); k <= std::min(na - 2, jc + 3); k++)
            if (d[k] > bv) {
                bv = d[k];
                bj = k;
            }
        if (bj < 0 || bv <= 0)
            continue;
        double den = d[bj - 1] - 2 * d[bj] + d[bj + 1];
        double off = den < 0 ? 0.5 * (d[bj - 1] - d[bj + 1]) / den : 0;
        off = std::max(-0.5, std::min(0.5, off));
        double ph = t->phi[0] + (bj + off) * deg2rad(t->p.phi_step_deg);
        us.push_back(t->radius[i] * std::cos(ph));
        ns.push_back(t->radius[i] * std::sin(ph));
    }
    if (us.size() < 5)
        return f;
    /* least squares, then once more without points further than 1.5 px */
    std::vector<char> keep(us.size(), 1);
    for (int pass = 0; pass < 2; pass++) {
        if (!fit_line(us, ns, &keep, 5, &f.a, &f.b, &f.used))
            return f;
        if (pass == 0)
            for (size_t k = 0; k < us.size(); k++)
                keep[k] = std::fabs(ns[k] - (f.a + f.b * us[k])) <= 1.5;
    }
    f.ok = true;
    return f;
}

/* ---------------------------------------------------------------- calibration -------- */

struct LineCand {
    cv::Point2d a, b; /* endpoints, work px */
    double len;
    bool free_pivot = false; /* the pivot may be anywhere along it (no nosing end) */
};

/* A line where the lowest moving thing touches down: on a flat floor there is no step edge,
 * and the foot's own contact line is the reference. Horizontal, across the lowest motion. */
static bool motion_floor_line(const cv::Mat &M, double mmax, LineCand *out)
{
    float thr = (float)(0.25 * mmax);
    int ybest = -1, xbest = -1;
    for (int y = M.rows - 1; y >= 0 && ybest < 0; y--) {
        const float *r = M.ptr<float>(y);
        int run = 0;
        for (int x = 0; x < M.cols; x++) {
            run = r[x] > thr ? run + 1 : 0;
            if (run >= 3) {
                ybest = y;
                xbest = x - 1;
                break;
            }
        }
    }
    if (ybest < 0)
        return false;
    /* the extent of motion on that level, a few rows up */
    int yl = std::max(0, ybest - 3);
    const float *r = M.ptr<float>(yl);
    int x0 = xbest, x1 = xbest;
    while (x0 > 0 && r[x0 - 1] > 0.5 * thr)
        x0--;
    while (x1 < M.cols - 1 && r[x1 + 1] > 0.5 * thr)
        x1++;
    int pad = std::max(4, (x1 - x0) / 2);
    out->a = cv::Point2d(std::max(0, x0 - pad), ybest);
    out->b = cv::Point2d(std::min(M.cols - 1, x1 + pad), ybest);
    out->len = out->b.x - out->a.x;
    out->free_pivot = true;
    return out->len > 8;
}

/* Near-horizontal static line candidates from the mean image. */
static std::vector<LineCand> find_lines(const hd_tracker *t, const cv::Mat &mean8)
{
    cv::Mat blur, edges;
    cv::GaussianBlur(mean8, blur, cv::Size(5, 5), 1.2);
    cv::Mat gx, gy, mag;
    cv::Sobel(blur, gx, CV_32F, 1, 0);
    cv::Sobel(blur, gy, CV_32F, 0, 1);
    cv::magnitude(gx, gy, mag);
    double med = cv::mean(mag)[0];
    double lo = std::max(8.0, 1.0 * med), hi = std::max(20.0, 2.5 * med);
    cv::Canny(blur, edges, lo, hi);
    std::vector<cv::Vec4i> segs;
    int minlen = std::max(12, t->ww / 14);
    cv::HoughLinesP(edges, segs, 1, CV_PI / 720, std::max(10, minlen / 2), minlen, 4);
    std::vector<LineCand> out;
    double maxang = deg2rad(t->p.line_max_deg);
    for (const cv::Vec4i &s : segs) {
        cv::Point2d a(s[0], s[1]), b(s[2], s[3]);
        if (a.x > b.x)
            std::swap(a, b);
        double ang = std::atan2(b.y - a.y, b.x - a.x);
        if (std::fabs(ang) > maxang)
            continue;
        out.push_back({a, b, cv::norm(b - a)});
    }
    /* merge collinear pieces: same angle within 2 deg, same offset within 3 px */
    std::sort(out.begin(), out.end(),
              [](const LineCand &x, const LineCand &y) { return x.len > y.len; });
    std::vector<LineCand> merged;
    for (const LineCand &c : out) {
        bool joined = false;
        for (LineCand &m : merged) {
            cv::Point2d d = (m.b - m.a) * (1.0 / m.len);
            cv::Point2d nn(-d.y, d.x);
            double oa = (c.a - m.a).dot(nn), ob = (c.b - m.a).dot(nn);
            double ang = std::fabs(std::atan2(c.b.y - c.a.y, c.b.x - c.a.x) -
                                   std::atan2(m.b.y - m.a.y, m.b.x - m.a.x));
            if (std::fabs(oa) < 3 && std::fabs(ob) < 3 && ang < deg2rad(2)) {
                double ta = (c.a - m.a).dot(d), tb = (c.b - m.a).dot(d);
                double lo2 = std::min(0.0, std::min(ta, tb));
                double hi2 = std::max(m.len, std::max(ta, tb));
                /* keep the union only when the pieces nearly touch */
                if (std::min(ta, tb) > m.len + 0.08 * t->ww || std::max(ta, tb) < -0.08 * t->ww)
                    continue;
                cv::Point2d a0 = m.a;
                m.a = a0 + d * lo2;
                m.b = a0 + d * hi2;
                m.len = hi2 - lo2;
                joined = true;
                break;
            }
        }
        if (!joined)
            merged.push_back(c);
    }
    std::sort(merged.begin(), merged.end(),
              [](const LineCand &x, const LineCand &y) { return x.len > y.len; });
    if (merged.size() > 12)
        merged.resize(12);
    return merged;
}

/* Mean motion in a box given in step coordinates around point o (u along, n up). */
static double box_motion(const cv::Mat &M, cv::Point2d o, cv::Point2d u, cv::Point2d n,
                         double u0, double u1, double n0, double n1)
{
    double acc = 0;
    int cnt = 0;
    double su = (u1 - u0) / 12, sn = (n1 - n0) / 8;
    for (int a = 0; a <= 12; a++)
        for (int b = 0; b <= 8; b++) {
            cv::Point2d q = o + u * (u0 + a * su) + n * (n0 + b * sn);
            int x = (int)std::lround(q.x), y = (int)std::lround(q.y);
            if (x < 0 || y < 0 || x >= M.cols || y >= M.rows)
                continue;
            acc += M.at<float>(y, x);
            cnt++;
        }
    return cnt ? acc / cnt : 0;
}

/* Scores how well a foot rotating about P with heel distance rh explains the buffered
 * frames: mean sole score, and the spread of the angle over time (a static edge has none). */
static double rotation_score(hd_tracker *t, const Scene &sc, const std::vector<int> &frames,
                             double *spread, double *mean_theta, double *min_theta)
{
    std::vector<double> radius(10), phi;
    for (int i = 0; i < 10; i++)
        radius[i] = sc.rh * (t->p.r_lo + (t->p.r_hi - t->p.r_lo) * i / 9.0);
    for (double d = t->p.phi_min_deg; d <= t->p.phi_max_deg; d += 1.0)
        phi.push_back(deg2rad(d));
    cv::Mat mx, my, S;
    polar_maps(sc, radius, phi, cv::Point2d(0, 0), mx, my);
    PolarScore ps;
    double acc = 0, sth = 0, sth2 = 0, mn = 1e9;
    int cnt = 0;
    for (int fi : frames) {
        remap_polar(t->buf[fi].img, mx, my, S);
        sole_score(S, ps);
        int j = pick_sole(ps.score, 0, (int)phi.size() - 1, 0.0);
        if (j < 0)
            continue;
        /* The pivot does not move: the sole line passes through it in every frame. A point
         * on the moving foot sees the sole pass beside it once the foot turns. */
        std::vector<double> us, ns;
        for (int i = 0; i < ps.D.rows; i++) {
            const float *d = ps.D.ptr<float>(i);
            int bj = -1;
            float bv = 0;
            for (int k = std::max(1, j - 3); k <= std::min(ps.D.cols - 2, j + 3); k++)
                if (d[k] > bv) {
                    bv = d[k];
                    bj = k;
                }
            if (bj < 0)
                continue;
            us.push_back(radius[i] * std::cos(phi[bj]));
            ns.push_back(radius[i] * std::sin(phi[bj]));
        }
        double icpt = 0, slope = 0;
        if (!fit_line(us, ns, nullptr, 4, &icpt, &slope, nullptr))
            icpt = 0;
        double through = std::max(0.0, 1.0 - std::fabs(icpt) / (0.06 * sc.rh));
        acc += ps.score[j] * through;
        mn = std::min(mn, phi[j]);
        sth += phi[j];
        sth2 += phi[j] * phi[j];
        cnt++;
    }
    if (cnt == 0) {
        *spread = 0;
        *mean_theta = 0;
        *min_theta = 0;
        return 0;
    }
    double m = sth / cnt;
    *min_theta = mn;
    *mean_theta = m;
    *spread = std::sqrt(std::max(0.0, sth2 / cnt - m * m));
    return acc / cnt;
}

/* The pivot from the motion along a line: a rigid foot turning about its ball moves more
 * the further a point is from the ball, and the toes in front of it do not move at all.
 * So along the line the motion is low on the toe side, starts to rise at the pivot and
 * falls off past the heel. Returns false when there is no such profile. */
static bool hinge_pivot(const cv::Mat &M, const LineCand &lc, int side, double W,
                        cv::Point2d *pivot, double *rh, double *ramp)
{
    cv::Point2d d = (lc.b - lc.a) * (1.0 / std::max(1e-6, lc.len));
    cv::Point2d n(d.y, -d.x);
    if (n.y > 0)
        n = -n;
    double t0 = -0.15 * W, t1 = lc.len + 0.15 * W;
    int np = (int)(t1 - t0) + 1;
    if (np < 10)
        return false;
    std::vector<double> m(np, 0.0);
    double band0 = -0.05 * W, band1 = 0.04 * W;
    for (int k = 0; k < np; k++) {
        cv::Point2d q = lc.a + d * (t0 + k);
        double acc = 0;
        int cnt = 0;
        for (double h = band0; h <= band1; h += 1.0) {
            cv::Point2d r = q + n * h;
            int x = (int)std::lround(r.x), y = (int)std::lround(r.y);
            if (x < 0 || y < 0 || x >= M.cols || y >= M.rows)
                continue;
            acc += M.at<float>(y, x);
            cnt++;
        }
        m[k] = cnt ? acc / cnt : 0;
    }
    std::vector<double> sm(np, 0.0);
    for (int k = 0; k < np; k++) {
        double acc = 0;
        int cnt = 0;
        for (int q = std::max(0, k - 3); q <= std::min(np - 1, k + 3); q++) {
            acc += m[q];
            cnt++;
        }
        sm[k] = acc / cnt;
    }
    int kp = (int)(std::max_element(sm.begin(), sm.end()) - sm.begin());
    std::vector<double> sorted = sm;
    std::sort(sorted.begin(), sorted.end());
    double base = sorted[sorted.size() / 5], peak = sm[kp];
    if (peak - base < 1.0)
        return false;
    double thr = base + 0.2 * (peak - base);
    int kb = kp, kh = kp;
    while (kb - side >= 0 && kb - side < np && sm[kb - side] > thr)
        kb -= side;
    while (kh + side >= 0 && kh + side < np && sm[kh + side] > thr)
        kh += side;
    *pivot = lc.a + d * (t0 + kb);
    *rh = std::fabs((double)(kh - kb));
    /* correlation of the motion with the distance from the pivot over the moving part:
     * positive when the motion grows towards the heel, as a turning foot's does */
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    int cnt = 0;
    for (int k = std::min(kb, kh); k <= std::max(kb, kh); k++) {
        double x = (k - kb) * side, y = sm[k];
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
        cnt++;
    }
    double cov = sxy / cnt - sx / cnt * sy / cnt;
    double vx = sxx / cnt - sx / cnt * sx / cnt, vy = syy / cnt - sy / cnt * sy / cnt;
    *ramp = vx > 0 && vy > 0 ? cov / std::sqrt(vx * vy) : 0;
    return *rh > 0.02 * W;
}

/* The pivot from feature motion: points on the rear foot move as one rigid body turning
 * about the pivot (the ball of the foot when the heel is up, the nosing when it is below
 * the step). Corners found in a frame in the usual pose are followed (pyramidal
 * Lucas-Kanade) into frames far from it; a rotation fitted by RANSAC to the largest rigid
 * group gives the centre. The median centre over frames is the pivot; the group's reach
 * from it is the heel distance; where the group lies is the heel side.
 * Returns the support (inliers summed over the frames that turned), 0 when it fails. */
struct PivotCand {
    cv::Point2d P;
    double rh = 0;
    int side = 1;
    double support = 0;
    std::vector<std::pair<int, double>> turns; /* (buffer index, turn in image radians) */
};

static double rigid_pivot(hd_tracker *t, cv::Point2d o, cv::Point2d d, double len, int rest,
                          const std::vector<int> &dev, std::vector<PivotCand> *out)
{
    const cv::Mat &R0 = t->buf[rest].img;
    cv::Point2d n(d.y, -d.x);
    if (n.y > 0)
        n = -n;
    /* the foot: along the moving stretch of the line, a little below to half a foot above */
    std::vector<cv::Point> poly;
    double h0 = -0.25 * len, h1 = 0.45 * len;
    double a0 = -0.15 * len, a1 = 1.15 * len;
    for (auto pr : {std::make_pair(a0, h0), std::make_pair(a1, h0), std::make_pair(a1, h1),
                    std::make_pair(a0, h1)}) {
        cv::Point2d q = o + d * pr.first + n * pr.second;
        poly.push_back(cv::Point((int)std::lround(q.x), (int)std::lround(q.y)));
    }
    cv::Mat mask = cv::Mat::zeros(R0.size(), CV_8U);
    cv::fillConvexPoly(mask, poly, cv::Scalar(255));
    std::vector<cv::Point2f> p0;
    cv::goodFeaturesToTrack(R0, p0, 300, 0.001, std::max(2.0, 0.02 * len), mask, 3);
    if (p0.size() < 8)
        return 0;
    /* Follow the points frame by frame outwards from the usual pose: a foot turns a few
     * degrees per frame, which Lucas-Kanade follows; a jump of 30 degrees it does not. */
    int nb = (int)t->buf.size();
    std::vector<std::vector<cv::Point2f>> pos(nb);
    std::vector<std::vector<uchar>> alive(nb);
    pos[rest] = p0;
    alive[rest].assign(p0.size(), 1);
    /* Each frame's pyramid is built once, as calcOpticalFlowPyrLK builds it from an image,
     * and serves as the next frame's previous one (instead of being built twice). A fresh
     * vector each time: building into an old one would write over pyramids still shared. */
    const cv::Size lk_win(11, 11);
    std::vector<cv::Mat> pyr_rest;
    cv::buildOpticalFlowPyramid(R0, pyr_rest, lk_win, 2, false);
    for (int dir = -1; dir <= 1; dir += 2) {
        std::vector<cv::Point2f> cur = p0, next;
        std::vector<uchar> al(p0.size(), 1), ok;
        std::vector<float> err;
        std::vector<cv::Mat> pyr_prev = pyr_rest;
        for (int f = rest + dir; f >= 0 && f < nb; f += dir) {
            std::vector<cv::Mat> pyr_next;
            cv::buildOpticalFlowPyramid(t->buf[f].img, pyr_next, lk_win, 2, false);
            cv::calcOpticalFlowPyrLK(pyr_prev, pyr_next, cur, next, ok, err, lk_win, 2);
            for (size_t k = 0; k < al.size(); k++)
                al[k] = al[k] && ok[k];
            pos[f] = next;
            alive[f] = al;
            cur.swap(next);
            pyr_prev = std::move(pyr_next);
        }
    }
    /* Per frame, several rotating rigid groups (the working foot, the lifted one, a leg);
     * then a vote across frames: the pivot is the centre most frames agree on. */
    struct Hyp {
        int frame;
        cv::Point2d ctr;
        double alpha, far, along;
        int n;
    };
    std::vector<Hyp> hyps;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    for (int fi : dev) {
        if (fi == rest || fi < 0 || fi >= nb || pos[fi].empty())
            continue;
        std::vector<cv::Point2d> a, b;
        /* only points that moved: the step and the wall form a large rigid group too */
        for (size_t k = 0; k < p0.size(); k++)
            if (alive[fi][k] && cv::norm(pos[fi][k] - p0[k]) > 1.5) {
                a.push_back(p0[k]);
                b.push_back(pos[fi][k]);
            }
        if (a.size() < 5)
            continue;
        std::vector<char> used(a.size(), 0);
        for (int group = 0; group < 3; group++) {
            std::vector<char> bestin;
            int bestn = 0;
            for (int it = 0; it < 250; it++) {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                size_t i = rng % a.size(), j = (rng >> 20) % a.size();
                if (i == j || used[i] || used[j] || cv::norm(a[i] - a[j]) < 0.08 * len)
                    continue;
                double alpha = std::remainder(std::atan2((b[j] - b[i]).y, (b[j] - b[i]).x) -
                                                  std::atan2((a[j] - a[i]).y, (a[j] - a[i]).x),
                                              2 * kPi);
                /* a leg lifting with the heel translates as one body too: only turning */
                if (std::fabs(rad2deg(alpha)) < 3.0)
                    continue;
                double c = std::cos(alpha), sn = std::sin(alpha);
                cv::Point2d tr =
                    b[i] - cv::Point2d(c * a[i].x - sn * a[i].y, sn * a[i].x + c * a[i].y);
                std::vector<char> in(a.size(), 0);
                int cnt = 0;
                for (size_t k = 0; k < a.size(); k++) {
                    if (used[k])
                        continue;
                    cv::Point2d q(c * a[k].x - sn * a[k].y + tr.x, sn * a[k].x + c * a[k].y + tr.y);
                    if (cv::norm(q - b[k]) < 2.0) {
                        in[k] = 1;
                        cnt++;
                    }
                }
                if (cnt > bestn) {
                    bestn = cnt;
                    bestin = in;
                }
            }
            if (bestn < 4)
                break;
            /* least-squares rotation of the inliers, then its centre: (I - R) c = t */
            cv::Point2d ma(0, 0), mb(0, 0);
            for (size_t k = 0; k < a.size(); k++)
                if (bestin[k]) {
                    ma += a[k];
                    mb += b[k];
                    used[k] = 1;
                }
            ma *= 1.0 / bestn;
            mb *= 1.0 / bestn;
            double sdot = 0, scross = 0;
            for (size_t k = 0; k < a.size(); k++)
                if (bestin[k]) {
                    cv::Point2d pa = a[k] - ma, pb = b[k] - mb;
                    sdot += pa.x * pb.x + pa.y * pb.y;
                    scross += pa.x * pb.y - pa.y * pb.x;
                }
            double alpha = std::atan2(scross, sdot);
            if (std::fabs(rad2deg(alpha)) < 3.0)
                continue;
            double c = std::cos(alpha), sn = std::sin(alpha);
            cv::Point2d tr = mb - cv::Point2d(c * ma.x - sn * ma.y, sn * ma.x + c * ma.y);
            /* (1-c) cx + s cy = tx ; -s cx + (1-c) cy = ty */
            double det = (1 - c) * (1 - c) + sn * sn;
            cv::Point2d ctr(((1 - c) * tr.x - sn * tr.y) / det, (sn * tr.x + (1 - c) * tr.y) / det);
            double far = 0, along = 0;
            for (size_t k = 0; k < a.size(); k++)
                if (bestin[k]) {
                    double uu = (a[k] - ctr).dot(d);
                    along += uu;
                    far = std::max(far, std::fabs(uu));
                }
            hyps.push_back({fi, ctr, alpha, far, along, bestn});
            if (getenv("HD_TRACKER_DEBUG"))
                HD_LOG(HD_LOG_DEBUG, "rigid: frame %d group %d: %d points turn %.1f deg about "
                       "(%.1f, %.1f)", fi, group, bestn, rad2deg(alpha), ctr.x, ctr.y);
        }
    }
    /* The vote: for each centre, the frames with a group turning about a centre near it.
     * The best few distinct centres become candidates; which of them is the foot is
     * decided later by how rigidly the image turns about each (see pick_rigid). */
    double radius = std::max(3.0, 0.08 * len);
    std::vector<char> taken(hyps.size(), 0);
    double first_support = 0;
    for (int round = 0; round < 3; round++) {
        int bestc = -1;
        double bestscore = 0;
        for (size_t h = 0; h < hyps.size(); h++) {
            if (taken[h])
                continue;
            std::vector<int> seen;
            double score = 0;
            for (size_t g = 0; g < hyps.size(); g++) {
                if (taken[g] || cv::norm(hyps[g].ctr - hyps[h].ctr) > radius)
                    continue;
                if (std::find(seen.begin(), seen.end(), hyps[g].frame) != seen.end())
                    continue;
                seen.push_back(hyps[g].frame);
                score += hyps[g].n;
            }
            if (score > bestscore) {
                bestscore = score;
                bestc = (int)h;
            }
        }
        if (bestc < 0)
            break;
        PivotCand pc;
        std::vector<double> cx, cy, reach, sidev;
        std::vector<int> seen;
        cv::Point2d c0 = hyps[bestc].ctr;
        for (size_t g = 0; g < hyps.size(); g++) {
            if (taken[g] || cv::norm(hyps[g].ctr - c0) > radius)
                continue;
            taken[g] = 1;
            if (std::find(seen.begin(), seen.end(), hyps[g].frame) != seen.end())
                continue;
            seen.push_back(hyps[g].frame);
            cx.push_back(hyps[g].ctr.x);
            cy.push_back(hyps[g].ctr.y);
            pc.turns.push_back({hyps[g].frame, hyps[g].alpha});
            reach.push_back(hyps[g].far);
            sidev.push_back(hyps[g].along);
        }
        /* enough turned frames, over a range of angles, to trust the centre */
        double amin = 1e9, amax = -1e9;
        for (auto &tr : pc.turns) {
            amin = std::min(amin, tr.second);
            amax = std::max(amax, tr.second);
        }
        if (cx.size() < 4 || (rad2deg(amax - amin) < 8.0 &&
                              rad2deg(std::max(std::fabs(amin), std::fabs(amax))) < 12))
            continue;
        auto med = [](std::vector<double> v) {
            std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
            return v[v.size() / 2];
        };
        pc.P = cv::Point2d(med(cx), med(cy));
        pc.rh = med(reach) * 1.05;
        pc.side = med(sidev) >= 0 ? 1 : -1;
        pc.support = bestscore;
        /* the centre must lie near the line it turns on */
        double off = std::fabs((pc.P - o).dot(n));
        if (off > 0.35 * len || pc.rh < 0.2 * len)
            continue;
        if (getenv("HD_TRACKER_DEBUG"))
            HD_LOG(HD_LOG_DEBUG, "rigid candidate (%.1f, %.1f) rh %.1f side %d support %.0f "
                   "over %zu frames", pc.P.x, pc.P.y, pc.rh, pc.side, pc.support, cx.size());
        first_support = std::max(first_support, pc.support);
        out->push_back(pc);
    }
    return first_support;
}

/* Writes an 8-bit image as PGM when HD_TRACKER_DEBUG names a folder (development aid). */
static void debug_pgm(const char *name, const cv::Mat &img8)
{
    const char *dir = getenv("HD_TRACKER_DEBUG");
    if (!dir || !*dir)
        return;
    std::string path = std::string(dir) + "/" + name + ".pgm";
    FILE *f = fopen(path.c_str(), "wb");
    if (!f)
        return;
    fprintf(f, "P5\n%d %d\n255\n", img8.cols, img8.rows);
    for (int y = 0; y < img8.rows; y++)
        fwrite(img8.ptr(y), 1, (size_t)img8.cols, f);
    fclose(f);
}

static void refine_heel_distance(hd_tracker *t);
static bool build_template(hd_tracker *t);
static bool template_plausible(const hd_tracker *t);

static bool try_calibrate(hd_tracker *t)
{
    if (t->nsum < 3 || t->nmot < 2)
        return false;
    cv::Mat mean32 = t->sum / t->nsum, mean8;
    mean32.convertTo(mean8, CV_8U);
    cv::Scalar mu, sd;
    cv::meanStdDev(mean8, mu, sd);
    if (mu[0] < 18 || sd[0] < 5) {
        t->hint = HD_HINT_TOO_DARK;
        HD_LOG(HD_LOG_DEBUG, "tracker: too dark or flat (mean %.0f, sd %.0f)", mu[0], sd[0]);
        return false;
    }
    cv::Mat M = t->msum / t->nmot;
    cv::GaussianBlur(M, M, cv::Size(0, 0), 2.0);
    double mmax;
    cv::minMaxLoc(M, nullptr, &mmax);
    if (mmax < t->p.min_motion) {
        t->hint = HD_HINT_NO_FOOT;
        HD_LOG(HD_LOG_DEBUG, "tracker: too little motion (%.1f)", mmax);
        return false;
    }
    if (getenv("HD_TRACKER_DEBUG")) {
        cv::Mat m8;
        M.convertTo(m8, CV_8U, 255.0 / mmax);
        debug_pgm("mean", mean8);
        debug_pgm("motion", m8);
    }

    std::vector<LineCand> lines;
    std::vector<std::pair<int, double>> best_turns;
    if (t->cfg.has_step_edge) {
        LineCand c;
        c.a = cv::Point2d(t->cfg.step_edge[0], t->cfg.step_edge[1]) / t->scale;
        c.b = cv::Point2d(t->cfg.step_edge[2], t->cfg.step_edge[3]) / t->scale;
        if (c.a.x > c.b.x)
            std::swap(c.a, c.b);
        c.len = cv::norm(c.b - c.a);
        lines.push_back(c);
    } else {
        lines = find_lines(t, mean8);
        LineCand fl;
        if (motion_floor_line(M, mmax, &fl))
            lines.push_back(fl);
        if (lines.empty()) {
            t->hint = HD_HINT_NO_STEP;
            return false;
        }
    }
    if (lines.empty()) {
        t->hint = HD_HINT_NO_STEP;
        return false;
    }

    /* Frames for the rotation test: the ones that differ most from the mean where things
     * move (the foot away from its usual pose), plus some spread over time. A window that
     * is mostly standing still would otherwise make every static line look like a sole. */
    std::vector<int> frames;
    int nb = (int)t->buf.size();
    int rest_idx = 0;
    {
        std::vector<std::pair<double, int>> dev;
        for (int k = 0; k < nb; k++) {
            const cv::Mat &img = t->buf[k].img;
            double acc = 0;
            int cnt = 0;
            for (int y = 0; y < img.rows; y += 4) {
                const uchar *a = img.ptr(y);
                const uchar *b = mean8.ptr(y);
                const float *mm = M.ptr<float>(y);
                for (int x = 0; x < img.cols; x += 4)
                    if (mm[x] > 0.25 * mmax) {
                        acc += std::abs((int)a[x] - (int)b[x]);
                        cnt++;
                    }
            }
            dev.push_back({cnt ? acc / cnt : 0, k});
        }
        std::sort(dev.begin(), dev.end(), std::greater<std::pair<double, int>>());
        /* the foot must have been seen well away from its usual pose */
        int top = std::min(nb, 14);
        if (nb < 14 || dev[top - 1].first < 6.0) {
            HD_LOG(HD_LOG_DEBUG, "tracker: the foot has not moved far enough yet (%.1f)",
                   nb >= 14 ? dev[top - 1].first : 0.0);
            t->hint = HD_HINT_CALIBRATING;
            return false;
        }
        for (int k = 0; k < top; k++)
            frames.push_back(dev[k].second);
        /* The reference pose: the stillest moment early in the window, where a person
         * stands on the step before the first rep. Heights are measured from it: it
         * defines step level (see docs/architecture.md, "Step level"). */
        double still = 1e18;
        for (int k = 1; k < std::max(2, nb * 2 / 5); k++) {
            const cv::Mat &a = t->buf[k].img, &b = t->buf[k - 1].img;
            double acc = 0;
            for (int y = 0; y < a.rows; y += 4) {
                const uchar *pa = a.ptr(y), *pb = b.ptr(y);
                const float *mm = M.ptr<float>(y);
                for (int x = 0; x < a.cols; x += 4)
                    if (mm[x] > 0.25 * mmax)
                        acc += std::abs((int)pa[x] - (int)pb[x]);
            }
            /* prefer the earliest of equally still frames */
            acc += 0.02 * k;
            if (acc < still) {
                still = acc;
                rest_idx = k;
            }
        }
        /* and a few ordinary frames, so a rotation is seen against the usual pose */
        for (int k = 0; k < 4; k++)
            frames.push_back(dev[(size_t)(nb / 2 + k * (nb / 2) / 4)].second);
    }
    /* The foot is the lowest moving thing: the step edge it pivots on lies a little above
     * the lowest motion (the heel drops below it by at most about half the heel length)
     * and never below it. Lines far from there (a skirting board, the lower step) are out. */
    LineCand floor;
    bool have_floor = motion_floor_line(M, mmax, &floor);
    double y_mb = have_floor ? floor.a.y : t->wh;
    double mx0 = have_floor ? floor.a.x : 0, mx1 = have_floor ? floor.b.x : t->ww;
    /* The lowest moving thing (the feet) cut by the picture's edge: a setup hint when no
     * foot is found (move the camera or step into the picture). */
    bool at_edge = false;
    if (have_floor) {
        int ya = std::max(0, (int)(y_mb - 0.1 * t->ww)), yb = std::min(t->wh - 1, (int)y_mb);
        int ex0 = t->ww, ex1 = -1;
        for (int y = ya; y <= yb; y++) {
            const float *r = M.ptr<float>(y);
            for (int x = 0; x < t->ww; x++)
                if (r[x] > 0.25 * mmax) {
                    ex0 = std::min(ex0, x);
                    ex1 = std::max(ex1, x);
                }
        }
        at_edge = y_mb >= t->wh - 3 || (ex1 >= 0 && (ex0 <= 1 || ex1 >= t->ww - 2));
    }

    double best = 0;
    Scene bestsc;
    /* A rigid candidate is judged by how much of the image turns rigidly about it: the
     * rigid template built from its turns (pixels that keep their value when followed
     * through the turns). The true pivot makes the whole rear foot such a template; a
     * centre fitted to a few points of a leg or a passing object does not. */
    size_t best_tmpl = 0;
    auto consider = [&](const PivotCand &pc, cv::Point2d dir, const double ln[4]) {
        Scene sc;
        sc.P = pc.P;
        sc.u = dir * (double)pc.side;
        sc.n = cv::Point2d(sc.u.y, -sc.u.x);
        if (sc.n.y > 0)
            sc.n = -sc.n;
        sc.rh = pc.rh;
        sc.valid = true;
        for (int k = 0; k < 4; k++)
            sc.line[k] = ln[k];
        t->sc = sc;
        t->calib_turns = pc.turns;
        t->calib_turns.push_back({rest_idx, 0.0});
        refine_heel_distance(t);
        size_t n = build_template(t) && template_plausible(t) ? t->tmpl_val.size() : 0;
        HD_LOG(HD_LOG_DEBUG, "tracker: candidate pivot (%.1f, %.1f) support %.0f: rigid "
               "template %zu", pc.P.x * t->scale, pc.P.y * t->scale, pc.support, n);
        if (n > best_tmpl) {
            best_tmpl = n;
            best = 1000 + pc.support;
            bestsc = sc;
            best_turns = t->calib_turns;
        }
        t->tmpl_ok = false;
        t->sc = Scene();
    };
    /* First the feet's own motion, whatever the lines: follow the corners of everything
     * that moves near the lowest motion and find the largest group turning as one body. */
    if (have_floor && !t->cfg.has_step_edge) {
        int y0 = std::max(0, (int)(y_mb - 0.25 * t->ww)), y1 = std::min(t->wh - 1, (int)y_mb + 2);
        int bx0 = t->ww, bx1 = -1;
        for (int y = y0; y <= y1; y++) {
            const float *r = M.ptr<float>(y);
            for (int x = 0; x < t->ww; x++)
                if (r[x] > 0.25 * mmax) {
                    bx0 = std::min(bx0, x);
                    bx1 = std::max(bx1, x);
                }
        }
        if (bx1 - bx0 > 0.03 * t->ww) {
            double len = bx1 - bx0;
            cv::Point2d o(bx0, y_mb), d(1, 0);
            std::vector<PivotCand> pcs;
            rigid_pivot(t, o, d, len, rest_idx, frames, &pcs);
            for (const PivotCand &pc : pcs) {
                /* the step line's direction from a static line through the pivot, if any */
                cv::Point2d dir(1, 0);
                double bestd = 0.03 * t->ww;
                for (const LineCand &lc : lines) {
                    if (lc.free_pivot)
                        continue;
                    cv::Point2d dd = (lc.b - lc.a) * (1.0 / std::max(1e-6, lc.len));
                    cv::Point2d nn(-dd.y, dd.x);
                    double off = std::fabs((pc.P - lc.a).dot(nn));
                    double along = (pc.P - lc.a).dot(dd);
                    if (off < bestd && along > -0.1 * t->ww && along < lc.len + 0.1 * t->ww) {
                        bestd = off;
                        dir = dd;
                    }
                }
                cv::Point2d a = pc.P - dir * (1.2 * pc.rh), b = pc.P + dir * (1.2 * pc.rh);
                double ln[4] = {a.x, a.y, b.x, b.y};
                consider(pc, dir, ln);
            }
        }
    }
    for (const LineCand &lc : lines) {
        if (best >= 1000)
            break;
        cv::Point2d d = (lc.b - lc.a) * (1.0 / std::max(1e-6, lc.len));
        if (!t->cfg.has_step_edge && have_floor) {
            double xm = 0.5 * (mx0 + mx1);
            double ym = lc.a.y + (xm - lc.a.x) * (d.x != 0 ? d.y / d.x : 0);
            if (ym < y_mb - 0.13 * t->ww || ym > y_mb + 0.02 * t->ww)
                continue;
            /* and it must reach the moving region */
            if (lc.b.x < mx0 - 0.05 * t->ww || lc.a.x > mx1 + 0.05 * t->ww)
                continue;
        }
        /* First choice: the rigid rotation of the foot's features (needs texture). */
        {
            cv::Point2d hp;
            double hr, hramp;
            int hs = 0;
            for (int sd = -1; sd <= 1 && !hs; sd += 2)
                if (hinge_pivot(M, lc, sd, t->ww, &hp, &hr, &hramp))
                    hs = sd;
            if (hs) {
                /* the moving stretch, from its toe end, whichever side the heel is */
                cv::Point2d o = hs > 0 ? hp : hp - d * hr;
                std::vector<PivotCand> pcs;
                rigid_pivot(t, o, d, hr, rest_idx, frames, &pcs);
                double ln[4] = {lc.a.x, lc.a.y, lc.b.x, lc.b.y};
                for (const PivotCand &pc : pcs)
                    consider(pc, d, ln);
            }
        }
        for (int side = -1; side <= 1; side += 2) {
            cv::Point2d u = d * (double)side;
            cv::Point2d n(u.y, -u.x);   /* rotate u by +90 deg in image coords... */
            if (n.y > 0)
                n = -n;                 /* ...and make it point up */
            cv::Point2d end = side > 0 ? lc.b : lc.a;
            /* Motion beyond the end (heel) against motion over the step's face (static). */
            double L = 0.12 * t->ww;
            double beyond = box_motion(M, end, u, n, 0, L, -0.5 * L, 0.6 * L);
            double inside = box_motion(M, end, u, n, -L, -0.2 * L, -0.6 * L, -0.1 * L);
            double pre = beyond - inside;
            if (!lc.free_pivot && pre < 0.5 * t->p.min_motion)
                continue;
            /* The pivot where the motion along the line starts to rise, the heel where it
             * falls off; then the rotation test judges this line and side. */
            cv::Point2d P;
            double rh0, ramp;
            if (!hinge_pivot(M, lc, side, t->ww, &P, &rh0, &ramp))
                continue;
            if (getenv("HD_TRACKER_DEBUG"))
                HD_LOG(HD_LOG_DEBUG, "hinge line y%.0f side %d P(%.0f,%.0f) rh %.0f ramp %.2f",
                       lc.a.y, side, P.x, P.y, rh0, ramp);
            if (ramp < 0.1)
                continue;
            for (double f : {0.8, 1.0, 1.2}) {
                Scene sc;
                sc.P = P;
                sc.u = u;
                sc.n = n;
                sc.rh = std::max(0.03 * t->ww, rh0 * f);
                double mh = box_motion(M, P, u, n, 0.3 * sc.rh, sc.rh, -0.4 * sc.rh,
                                       0.5 * sc.rh);
                double mt = box_motion(M, P, u, n, -0.45 * sc.rh, -0.05 * sc.rh, 0.02 * sc.rh,
                                       0.3 * sc.rh);
                double asym = mh > 1e-6 ? std::max(0.0, (mh - mt) / mh) : 0;
                if (asym <= 0.2)
                    continue;
                double spread, mth, mnth;
                double sc0 = rotation_score(t, sc, frames, &spread, &mth, &mnth);
                if (rad2deg(spread) < 3.0 || rad2deg(mnth) > 12 || rad2deg(mnth) < -45 ||
                    rad2deg(mth) > 35 || rad2deg(mth) < -30)
                    continue;
                double val = sc0 * std::min(1.0, rad2deg(spread) / 6.0) * (0.5 + 0.5 * asym) *
                             (0.5 + 0.5 * ramp);
                if (getenv("HD_TRACKER_DEBUG"))
                    HD_LOG(HD_LOG_DEBUG,
                           "cand line y%.0f side %d P(%.0f,%.0f) rh %.0f: score %.2f "
                           "spread %.1f asym %.2f mean %.1f -> %.2f",
                           lc.a.y, side, P.x, P.y, sc.rh, sc0, rad2deg(spread), asym,
                           rad2deg(mth), val);
                if (val > best) {
                    best = val;
                    bestsc = sc;
                    bestsc.line[0] = lc.a.x;
                    bestsc.line[1] = lc.a.y;
                    bestsc.line[2] = lc.b.x;
                    bestsc.line[3] = lc.b.y;
                }
            }
        }
    }

    bool rigid = best >= 1000;
    t->calib_turns = best_turns;
    if (!rigid && !t->buf.empty() && !t->finishing &&
        (t->buf.back().pts - t->buf.front().pts) / 1e6 < t->cfg.calib_max_s - 0.6) {
        /* no clear rigid turn yet: wait for more movement rather than guess */
        t->hint = at_edge ? HD_HINT_AT_EDGE : HD_HINT_CALIBRATING;
        return false;
    }
    if (getenv("HD_TRACKER_PROFILE") && best > 0) {
        for (double du = -0.08 * t->ww; du <= 0.08 * t->ww; du += 2.0) {
            Scene sc = bestsc;
            sc.P = bestsc.P + bestsc.u * du;
            std::vector<double> radius(10), phi;
            for (int i = 0; i < 10; i++)
                radius[i] = sc.rh * (t->p.r_lo + (t->p.r_hi - t->p.r_lo) * i / 9.0);
            for (double d = t->p.phi_min_deg; d <= t->p.phi_max_deg; d += 1.0)
                phi.push_back(deg2rad(d));
            cv::Mat mx, my, S;
            polar_maps(sc, radius, phi, cv::Point2d(0, 0), mx, my);
            PolarScore ps;
            double acc = 0;
            std::string angs;
            for (int q = 0; q < 8 && q < (int)frames.size(); q++) {
                cv::remap(t->buf[frames[q]].img, S, mx, my, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
                S.convertTo(S, CV_32F);
                sole_score(S, ps);
                int bj = (int)(std::max_element(ps.score.begin(), ps.score.end()) - ps.score.begin());
                acc += ps.score[bj];
                angs += " " + std::to_string((int)rad2deg(phi[bj]));
            }
            fprintf(stderr, "profile du %+5.0f P(%.0f) maxscore %.2f angles%s\n", du, sc.P.x, acc / 8, angs.c_str());
        }
    }
    /* Refine around the coarse best, one parameter at a time: the pivot along the line,
     * the pivot across it (the sole rests a few pixels off a line found from edges or
     * motion), the heel distance, and the pivot along the line once more. */
    if (best > 0 && !rigid) {
        auto eval = [&](const Scene &sc) {
            double spread, mth, mnth;
            double sc0 = rotation_score(t, sc, frames, &spread, &mth, &mnth);
            if (rad2deg(spread) < 3.0 || rad2deg(mnth) > 12 || rad2deg(mnth) < -45 ||
                rad2deg(mth) > 35 || rad2deg(mth) < -30)
                return 0.0;
            return sc0 * std::min(1.0, rad2deg(spread) / 6.0);
        };
        best = eval(bestsc);
        for (int stage = 0; stage < 4; stage++) {
            Scene c = bestsc;
            std::vector<Scene> tries;
            if (stage == 0 || stage == 3) {
                double span = stage == 0 ? 0.03 * t->ww : 4.0;
                for (double du = -span; du <= span + 1e-9; du += 1.0) {
                    Scene sc = c;
                    sc.P = c.P + c.u * du;
                    tries.push_back(sc);
                }
            } else if (stage == 1) {
                double span = std::max(3.0, 0.08 * c.rh);
                for (double dn = -span; dn <= span + 1e-9; dn += 0.5) {
                    Scene sc = c;
                    sc.P = c.P + c.n * dn;
                    tries.push_back(sc);
                }
            } else {
                for (double f : {0.7, 0.8, 0.9, 1.1, 1.25}) {
                    Scene sc = c;
                    sc.rh = c.rh * f;
                    tries.push_back(sc);
                }
            }
            for (const Scene &sc : tries) {
                double v = eval(sc);
                if (v > best) {
                    best = v;
                    bestsc = sc;
                }
            }
        }
    }
    if (best < t->p.min_score * 0.8) {
        t->hint = at_edge ? HD_HINT_AT_EDGE : HD_HINT_NO_FOOT;
        HD_LOG(HD_LOG_DEBUG, "tracker: no rotating foot found yet (best %.2f)", best);
        return false;
    }
    t->sc = bestsc;
    t->sc.valid = true;
    t->calib_frames = frames;
    if (getenv("HD_TRACKER_DEBUG")) {
        cv::Mat dbg;
        cv::cvtColor(mean8, dbg, cv::COLOR_GRAY2BGR);
        for (const LineCand &lc : lines)
            cv::line(dbg, lc.a, lc.b, lc.free_pivot ? cv::Scalar(255, 0, 255)
                                                    : cv::Scalar(255, 200, 0), 1);
        cv::circle(dbg, t->sc.P, 3, cv::Scalar(0, 0, 255), 1);
        cv::line(dbg, t->sc.P, t->sc.P + t->sc.u * t->sc.rh, cv::Scalar(0, 255, 0), 1);
        const char *dir = getenv("HD_TRACKER_DEBUG");
        std::string path = std::string(dir) + "/calib.ppm";
        FILE *f = fopen(path.c_str(), "wb");
        if (f) {
            fprintf(f, "P6\n%d %d\n255\n", dbg.cols, dbg.rows);
            cv::Mat rgb;
            cv::cvtColor(dbg, rgb, cv::COLOR_BGR2RGB);
            for (int y = 0; y < rgb.rows; y++)
                fwrite(rgb.ptr(y), 1, (size_t)rgb.cols * 3, f);
            fclose(f);
        }
    }
    HD_LOG(HD_LOG_DEBUG, "tracker: pivot (%.1f, %.1f) side %s heel %.1f px, score %.2f",
           t->sc.P.x * t->scale, t->sc.P.y * t->scale, t->sc.u.x > 0 ? "+x" : "-x",
           t->sc.rh * t->scale, best);
    return true;
}

/* Refines the heel distance: where the sole edge ends along the sole. */
static void refine_heel_distance(hd_tracker *t)
{
    Scene &sc = t->sc;
    std::vector<double> ests;
    int nb = (int)t->buf.size();
    for (int k = 0; k < std::min(nb, 12); k++) {
        const cv::Mat &img = t->buf[(size_t)((k + 0.5) * nb / std::min(nb, 12))].img;
        /* find the sole angle at this frame with the current geometry */
        std::vector<double> radius(24), phi;
        for (int i = 0; i < 24; i++)
            radius[i] = sc.rh * (0.2 + 1.4 * i / 23.0);
        for (double d = t->p.phi_min_deg; d <= t->p.phi_max_deg; d += 0.5)
            phi.push_back(deg2rad(d));
        cv::Mat mx, my, S;
        polar_maps(sc, radius, phi, cv::Point2d(0, 0), mx, my);
        cv::remap(img, S, mx, my, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        S.convertTo(S, CV_32F);
        /* score on the inner radii only (surely on the foot) */
        cv::Mat inner = S.rowRange(0, 10);
        PolarScore ps;
        sole_score(inner, ps);
        int j = pick_sole(ps.score, 0, (int)phi.size() - 1, 1.5);
        if (j < 2 || j > (int)phi.size() - 3)
            continue;
        /* edge strength along the sole at each radius */
        std::vector<double> e(24);
        for (int i = 0; i < 24; i++) {
            const float *s = S.ptr<float>(i);
            double best = 0;
            for (int k2 = std::max(2, j - 2); k2 <= std::min((int)phi.size() - 3, j + 2); k2++)
                best = std::max(best, (double)std::fabs(s[k2 + 2] - s[k2 - 2]));
            e[i] = best;
        }
        std::vector<double> ref(e.begin() + 2, e.begin() + 9);
        std::nth_element(ref.begin(), ref.begin() + ref.size() / 2, ref.end());
        double thr = 0.4 * ref[ref.size() / 2];
        if (thr < 3)
            continue;
        int last = -1;
        for (int i = 2; i < 24; i++) {
            if (e[i] >= thr)
                last = i;
            else if (i > last + 2)
                break;
        }
        if (last > 2)
            ests.push_back(radius[last]);
    }
    if (ests.size() >= 3) {
        std::sort(ests.begin(), ests.end());
        double r = ests[ests.size() / 2];
        sc.rh = std::max(0.6 * sc.rh, std::min(1.6 * sc.rh, r));
    }
}

/* Finds the toe tip on the step: the farthest strong edge along the step line on the toe
 * side, just above the line, in the mean image (the forefoot stays put). The shoe's length
 * in pixels, toe tip to heel back, is the scale against the configured shoe length. */
static void measure_toe(hd_tracker *t, const cv::Mat &mean8)
{
    Scene &sc = t->sc;
    const int nu = 64;
    std::vector<double> prof(nu, 0.0);
    double u0 = -0.9 * sc.rh, u1 = -0.1 * sc.rh;
    int rows = 0;
    for (double h : {0.06, 0.11, 0.16}) {
        std::vector<double> v(nu);
        bool inside = true;
        for (int k = 0; k < nu && inside; k++) {
            cv::Point2d q = sc.P + sc.u * (u0 + (u1 - u0) * k / (nu - 1)) + sc.n * (h * sc.rh);
            if (q.x < 0 || q.y < 0 || q.x > mean8.cols - 2 || q.y > mean8.rows - 2) {
                inside = false;
                break;
            }
            int x = (int)q.x, y = (int)q.y;
            double fx = q.x - x, fy = q.y - y;
            v[k] = (1 - fy) * ((1 - fx) * mean8.at<uchar>(y, x) + fx * mean8.at<uchar>(y, x + 1)) +
                   fy * ((1 - fx) * mean8.at<uchar>(y + 1, x) + fx * mean8.at<uchar>(y + 1, x + 1));
        }
        if (!inside)
            continue;
        for (int k = 1; k < nu - 1; k++)
            prof[k] += std::fabs(v[k + 1] - v[k - 1]);
        rows++;
    }
    sc.toe = 0;
    if (rows < 2)
        return;
    double best = 0, mean = 0;
    int bk = -1;
    for (int k = 1; k < nu - 1; k++) {
        mean += prof[k] / rows;
        if (prof[k] / rows > best) {
            best = prof[k] / rows;
            bk = k;
        }
    }
    mean /= nu - 2;
    /* a clear edge, and not at the search border */
    if (bk <= 1 || bk >= nu - 2 || best < 12 || best < 2.5 * mean)
        return;
    sc.toe = -(u0 + (u1 - u0) * bk / (nu - 1));
}

/* Millimetres per work pixel: the shoe's length when its toe was found, else the heel
 * distance as the anatomical ball-to-heel share of the shoe. */
static double mm_per_work_px(const hd_tracker *t)
{
    const Scene &sc = t->sc;
    if (sc.toe > 0)
        return t->cfg.shoe_mm / (sc.rh + sc.toe);
    return t->cfg.shoe_mm * t->p.ball_ratio / sc.rh;
}

/* ---------------------------------------------------------------- tracking ----------- */

static void lift_zone_sample(hd_tracker *t, const cv::Mat &img, cv::Point2d origin,
                             cv::Mat &out)
{
    const Scene &sc = t->sc;
    const int nu = 24, nn = 16;
    cv::Mat mx(nn, nu, CV_32F), my(nn, nu, CV_32F);
    for (int b = 0; b < nn; b++)
        for (int a = 0; a < nu; a++) {
            double uu = sc.rh * (t->p.lift_zone[0] +
                                 (t->p.lift_zone[1] - t->p.lift_zone[0]) * a / (nu - 1));
            double vv = sc.rh * (t->p.lift_zone[2] +
                                 (t->p.lift_zone[3] - t->p.lift_zone[2]) * b / (nn - 1));
            cv::Point2d q = sc.P + sc.u * uu + sc.n * vv - origin;
            mx.at<float>(b, a) = (float)q.x;
            my.at<float>(b, a) = (float)q.y;
        }
    cv::Mat s;
    cv::remap(img, s, mx, my, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    s.convertTo(out, CV_32F);
}

/* The foot just above its sole at each radius (dir +1; dir -1: just below it), for the
 * sole at angle index j: the rear
 * foot is rigid, so this strip looks the same at every angle (a static edge that happens
 * to pass through the pivot has background above it instead). */
static void foot_strip(const hd_tracker *t, const cv::Mat &S, int j, int dir,
                       std::vector<float> &out, const std::vector<int> *sh = nullptr)
{
    double step = deg2rad(t->p.phi_step_deg);
    double kpx = std::max(1.5, 0.05 * t->sc.rh);
    out.assign(S.rows, -1.f);
    for (int i = 0; i < S.rows; i++) {
        int o1 = dir * std::max(1, (int)std::lround(kpx / (t->radius[i] * step)));
        int jc = j + (sh ? (*sh)[i] : 0);
        int a = jc + o1, b = jc + 2 * o1;
        if (b >= S.cols || b < 0)
            continue;
        float va = S.at<float>(i, a), vb = S.at<float>(i, b);
        if (va < 0 || vb < 0)
            continue;
        out[i] = 0.5f * (va + vb);
    }
}

/* 1 for a strip like the reference, towards 0 for a different one (after matching the
 * overall light level with gain). */
static double strip_match(const std::vector<float> &a, const std::vector<float> &ref,
                          double gain)
{
    double acc = 0;
    int n = 0;
    for (size_t i = 0; i < a.size() && i < ref.size(); i++)
        if (a[i] >= 0 && ref[i] >= 0) {
            acc += std::fabs(a[i] * gain - ref[i]);
            n++;
        }
    if (n < (int)a.size() / 2)
        return 0;
    return std::exp(-(acc / n) / 22.0);
}

static double polar_level(const cv::Mat &S)
{
    std::vector<float> v;
    v.reserve((size_t)S.rows * S.cols / 4 + 1);
    for (int i = 0; i < S.rows; i += 2) {
        const float *s = S.ptr<float>(i);
        for (int j = 0; j < S.cols; j += 2)
            if (s[j] >= 0)
                v.push_back(s[j]);
    }
    if (v.empty())
        return 1;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return std::max(1.0f, v[v.size() / 2]);
}

/* Polar image of a work-scale image (outside points -1). */
static void polar_sample(hd_tracker *t, const cv::Mat &img, cv::Point2d origin, cv::Mat &S)
{
    polar_maps(t->sc, t->radius, t->phi, origin, t->mapx, t->mapy);
    remap_polar(img, t->mapx, t->mapy, S);
}

/* Score of every (angle, offset) line: the mean normalised edge along it. */
static void line_scores(const hd_tracker *t, const PolarScore &ps, cv::Mat &sc2)
{
    int na = (int)ps.score.size(), nr = ps.N.rows, nd = (int)t->delta.size();
    sc2.create(nd, na, CV_32F);
    sc2.setTo(0);
    for (int k = 0; k < nd; k++) {
        const std::vector<int> &sh = t->shift[k];
        float *o = sc2.ptr<float>(k);
        for (int a = 0; a < na; a++) {
            double acc = 0;
            int cnt = 0;
            for (int i = 0; i < nr; i++) {
                int c = a + sh[i];
                if (c < 2 || c >= na - 2)
                    continue;
                acc += ps.N.at<float>(i, c);
                cnt++;
            }
            o[a] = cnt >= nr / 2 ? (float)(acc / cnt) : 0.f;
        }
    }
}

/* The foot's appearance from the calibration frames: per radius, the median strip above
 * the sole chosen by edges alone. */
static void init_reference(hd_tracker *t)
{
    std::vector<std::vector<float>> strips;
    std::vector<double> levels;
    cv::Mat S;
    PolarScore ps;
    t->ref_strip.clear();
    double step = deg2rad(t->p.phi_step_deg);
    if (t->calib_turns.size() >= 3) {
        /* The sole is the edge that turns with the foot: in frame k it lies at the usual
         * angle plus that frame's rotation (static edges do not follow). */
        int side = t->sc.u.x >= 0 ? 1 : -1;
        std::vector<cv::Mat> scores;
        std::vector<cv::Mat> imgs;
        std::vector<int> shifts;
        for (auto &tr : t->calib_turns) {
            if (tr.first < 0 || tr.first >= (int)t->buf.size())
                continue;
            polar_sample(t, t->buf[tr.first].img, cv::Point2d(0, 0), S);
            sole_score(S, ps);
            cv::Mat sc2;
            line_scores(t, ps, sc2);
            scores.push_back(sc2);
            imgs.push_back(S.clone());
            shifts.push_back((int)std::lround(-side * tr.second / step));
        }
        int na = t->nang, nd = (int)t->delta.size(), bestj = -1, bestk = -1;
        double best = 0;
        /* edge strength of each line followed through the turns */
        cv::Mat comb(nd, na, CV_32F, cv::Scalar(0));
        for (int k = 0; k < nd; k++) {
            for (int a = 0; a < na; a++) {
                double acc = 0;
                int cnt = 0;
                for (size_t f = 0; f < scores.size(); f++) {
                    int c = a + shifts[f];
                    if (c < 0 || c >= na)
                        continue;
                    acc += scores[f].at<float>(k, c);
                    cnt++;
                }
                if (cnt * 2 >= (int)scores.size() + 1)
                    comb.at<float>(k, a) = (float)(acc / cnt);
            }
        }
        /* Among the strong ones, the sole is the line with the same foot above it in every
         * frame and changing background below it (a stripe on the shoe has foot on both
         * sides; a static edge has the same background on both sides in every frame). */
        auto consistency = [&](int a, int k, int dir) {
            std::vector<std::vector<float>> st;
            for (size_t f = 0; f < imgs.size(); f++) {
                int c = a + shifts[f];
                if (c < 0 || c >= na)
                    continue;
                std::vector<float> v;
                foot_strip(t, imgs[f], c, dir, v, &t->shift[k]);
                double g = polar_level(imgs[f]);
                for (float &x : v)
                    if (x >= 0)
                        x = (float)(x * 100.0 / g);
                st.push_back(v);
            }
            if (st.size() < 3)
                return 0.0;
            double dev = 0;
            int cnt = 0;
            for (size_t i = 0; i < st[0].size(); i++) {
                std::vector<float> v;
                for (auto &x : st)
                    if (x[i] >= 0)
                        v.push_back(x[i]);
                if (v.size() < 3)
                    continue;
                std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
                float m = v[v.size() / 2];
                for (float x : v) {
                    dev += std::fabs(x - m);
                    cnt++;
                }
            }
            return cnt ? std::exp(-(dev / cnt) / 12.0) : 0.0;
        };
        double cmax = 0;
        cv::minMaxLoc(comb, nullptr, &cmax);
        for (int k = 0; k < nd; k++) {
            for (int a = 1; a < na - 1; a++) {
                float v = comb.at<float>(k, a);
                if (v < 0.5 * cmax || v < comb.at<float>(k, a - 1) || v < comb.at<float>(k, a + 1) ||
                    (k > 0 && v < comb.at<float>(k - 1, a)) ||
                    (k + 1 < nd && v < comb.at<float>(k + 1, a)))
                    continue;
                double above = consistency(a, k, +1), below = consistency(a, k, -1);
                double val = v * above * (1.0 - below);
                if (getenv("HD_TRACKER_DEBUG"))
                    HD_LOG(HD_LOG_DEBUG, "sole cand %.1f deg off %.1f: edge %.2f above %.2f "
                           "below %.2f -> %.2f", rad2deg(t->phi[a]), t->delta[k], v, above,
                           below, val);
                if (val > best) {
                    best = val;
                    bestj = a;
                    bestk = k;
                }
            }
        }
        if (bestj >= 0) {
            for (size_t f = 0; f < imgs.size(); f++) {
                int c = bestj + shifts[f];
                if (c < 0 || c >= na)
                    continue;
                std::vector<float> st;
                foot_strip(t, imgs[f], c, +1, st, &t->shift[bestk]);
                strips.push_back(st);
                levels.push_back(polar_level(imgs[f]));
            }
            t->theta_n = t->phi[bestj];
            HD_LOG(HD_LOG_DEBUG,
                   "tracker: usual sole angle %.1f deg, %.1f px off the pivot (score %.2f over "
                   "%zu frames)",
                   rad2deg(t->phi[bestj]), t->delta[bestk], best, imgs.size());
        }
    }
    if (strips.empty()) {
        for (int fi : t->calib_frames) {
            if (fi < 0 || fi >= (int)t->buf.size())
                continue;
            polar_sample(t, t->buf[fi].img, cv::Point2d(0, 0), S);
            sole_score(S, ps);
            int j = pick_sole(ps.score, 0, (int)ps.score.size() - 1, t->p.min_score);
            if (j < 0)
                continue;
            std::vector<float> st;
            foot_strip(t, S, j, +1, st);
            strips.push_back(st);
            levels.push_back(polar_level(S));
        }
    }
    if (strips.size() < 3)
        return;
    std::sort(levels.begin(), levels.end());
    t->ref_level = levels[levels.size() / 2];
    t->ref_strip.assign(strips[0].size(), -1.f);
    for (size_t i = 0; i < t->ref_strip.size(); i++) {
        std::vector<float> v;
        for (const auto &st : strips)
            if (st[i] >= 0)
                v.push_back(st[i]);
        if (v.size() * 2 < strips.size())
            continue;
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        t->ref_strip[i] = v[v.size() / 2];
    }
}

/* Polar image on any grid (outside points -1). */
static void polar_grid(const Scene &sc, const std::vector<double> &radius,
                       const std::vector<double> &phi, const cv::Mat &img, cv::Point2d origin,
                       cv::Mat &mx, cv::Mat &my, cv::Mat &S)
{
    polar_maps(sc, radius, phi, origin, mx, my);
    remap_polar(img, mx, my, S);
}

/* Builds the rigid template from the calibration frames and their turns. */
static bool build_template(hd_tracker *t)
{
    t->tmpl_ok = false;
    t->tmpl_relx.release();
    t->tmpl_rely.release();
    t->tshift = cv::Point2d(0, 0);
    if (t->calib_turns.size() < 5)
        return false;
    const int nr = 24;
    t->tr_radius.resize(nr);
    for (int i = 0; i < nr; i++)
        t->tr_radius[i] = t->sc.rh * (0.15 + 1.0 * i / (nr - 1));
    t->tr_phi.clear();
    for (double d = -70; d <= 80 + 1e-9; d += t->p.phi_step_deg)
        t->tr_phi.push_back(deg2rad(d));
    int na = (int)t->tr_phi.size();
    double step = deg2rad(t->p.phi_step_deg);
    int side = t->sc.u.x >= 0 ? 1 : -1;
    std::vector<cv::Mat> imgs;
    std::vector<int> shifts;
    int ref = -1;
    cv::Mat mx, my, S;
    for (auto &tr : t->calib_turns) {
        if (tr.first < 0 || tr.first >= (int)t->buf.size())
            continue;
        polar_grid(t->sc, t->tr_radius, t->tr_phi, t->buf[tr.first].img, cv::Point2d(0, 0), mx, my,
                   S);
        double g = polar_level(S);
        for (int i = 0; i < S.rows; i++) {
            float *v = S.ptr<float>(i);
            for (int j = 0; j < S.cols; j++)
                if (v[j] >= 0)
                    v[j] = (float)(v[j] * 100.0 / g);
        }
        if (tr.second == 0.0)
            ref = (int)imgs.size();
        imgs.push_back(S.clone());
        shifts.push_back((int)std::lround(-side * tr.second / step));
    }
    if (ref < 0 || imgs.size() < 5)
        return false;
    /* a pixel of the foot keeps its value when followed through the turns, and its
     * position without following sees the foot leave (or the background) */
    cv::Mat mask(nr, na, CV_8U, cv::Scalar(0));
    std::vector<float> fol, sta;
    for (int i = 0; i < nr; i++) {
        for (int j = 0; j < na; j++) {
            float r0 = imgs[ref].at<float>(i, j);
            if (r0 < 0)
                continue;
            fol.clear();
            sta.clear();
            for (size_t f = 0; f < imgs.size(); f++) {
                int c = j + shifts[f];
                if (c >= 0 && c < na && imgs[f].at<float>(i, c) >= 0)
                    fol.push_back(std::fabs(imgs[f].at<float>(i, c) - r0));
                if (imgs[f].at<float>(i, j) >= 0)
                    sta.push_back(std::fabs(imgs[f].at<float>(i, j) - r0));
            }
            if (fol.size() * 3 < imgs.size() * 2)
                continue;
            std::nth_element(fol.begin(), fol.begin() + fol.size() / 2, fol.end());
            std::nth_element(sta.begin(), sta.begin() + (sta.size() * 3) / 4, sta.end());
            double mf = fol[fol.size() / 2], ms = sta[(sta.size() * 3) / 4];
            if (mf < 7 && ms > mf + 8)
                mask.at<uchar>(i, j) = 1;
        }
    }
    if (getenv("HD_TRACKER_DEBUG")) {
        cv::Mat vis(nr, na, CV_8U), big;
        for (int i = 0; i < nr; i++)
            for (int j = 0; j < na; j++) {
                float v = imgs[ref].at<float>(i, j);
                vis.at<uchar>(i, j) = mask.at<uchar>(i, j) ? 255 : (uchar)std::max(0.f, std::min(200.f, v));
            }
        cv::resize(vis, big, cv::Size(na * 2, nr * 8), 0, 0, cv::INTER_NEAREST);
        debug_pgm("mask", big);
    }
    /* the foot's lower boundary at each radius: the sole */
    std::vector<double> us, ns, rr;
    const Scene &sc = t->sc;
    t->tmpl_i.clear();
    t->tmpl_j.clear();
    t->tmpl_val.clear();
    int last_r = -1;
    for (int i = 0; i < nr; i++) {
        const uchar *m = mask.ptr(i);
        int cnt = 0;
        for (int j = 0; j < na; j++)
            if (m[j]) {
                cnt++;
                t->tmpl_i.push_back(i);
                t->tmpl_j.push_back(j);
                t->tmpl_val.push_back(imgs[ref].at<float>(i, j));
            }
        if (cnt >= 3)
            last_r = i;
        for (int j = 0; j + 4 < na; j++) {
            if (m[j] && (m[j + 1] + m[j + 2] + m[j + 3] + m[j + 4]) >= 3) {
                us.push_back(t->tr_radius[i] * std::cos(t->tr_phi[j]));
                ns.push_back(t->tr_radius[i] * std::sin(t->tr_phi[j]));
                rr.push_back(i);
                break;
            }
        }
    }
    if (t->tmpl_val.size() < 40 || us.size() < 6 || last_r < 6) {
        HD_LOG(HD_LOG_DEBUG, "tracker: no rigid template (%zu pixels, %zu sole points)",
               t->tmpl_val.size(), us.size());
        return false;
    }
    /* the sole as a line (robust: least squares, then without the worst third) */
    double a = 0, b = 0;
    std::vector<char> keep(us.size(), 1);
    for (int pass = 0; pass < 2; pass++) {
        if (!fit_line(us, ns, &keep, 4, &a, &b, nullptr))
            return false;
        std::vector<double> res;
        for (size_t k = 0; k < us.size(); k++)
            res.push_back(std::fabs(ns[k] - (a + b * us[k])));
        std::vector<double> sr = res;
        std::sort(sr.begin(), sr.end());
        double cut = sr[(sr.size() * 2) / 3];
        for (size_t k = 0; k < us.size(); k++)
            keep[k] = res[k] <= cut + 0.5;
    }
    t->theta_ref = std::atan(b);
    /* Only the rear foot below the ankle is rigid: above it the leg keeps nearly upright
     * while the foot turns, so pixels higher than a band over the sole would match at small
     * turns (all calibration may have seen) and fail at the top and bottom of a rep. */
    {
        double reach = t->tr_radius[last_r];
        double band = t->p.foot_band * reach;
        size_t w = 0;
        for (size_t k = 0; k < t->tmpl_val.size(); k++) {
            double r = t->tr_radius[t->tmpl_i[k]], ph = t->tr_phi[t->tmpl_j[k]];
            double h = r * std::sin(ph) - (a + b * r * std::cos(ph));
            if (h > band)
                continue;
            t->tmpl_i[w] = t->tmpl_i[k];
            t->tmpl_j[w] = t->tmpl_j[k];
            t->tmpl_val[w] = t->tmpl_val[k];
            w++;
        }
        t->tmpl_i.resize(w);
        t->tmpl_j.resize(w);
        t->tmpl_val.resize(w);
        t->tmpl_off.resize(w);
        for (size_t k = 0; k < w; k++)
            t->tmpl_off[k] = t->tmpl_i[k] * na + t->tmpl_j[k];
    }
    /* The foot turns about its contact with the step, so the sole passes through the
     * pivot: keep the fitted slope but not an offset, which a low-contrast sole (a shaded
     * sole over a floor of the same brightness) pushes up into the shoe. */
    if (std::fabs(a) < 0.12 * sc.rh)
        a = 0;
    /* The template reaches the heel's back: that is the heel distance, and the shoe's
     * length with the toe in front of the pivot (the scale). The heel's bottom point sits
     * a little in from its rounded back. */
    double rend = t->tr_radius[last_r] + 0.5 * (t->tr_radius[1] - t->tr_radius[0]);
    t->sc.rh = rend;
    double shoe = rend + t->sc.toe;
    double inset = 0.04 * shoe;
    t->heel_u = (rend - inset) * std::cos(t->theta_ref);
    t->heel_n = a + b * t->heel_u;
    t->shift_prev = 0;
    t->tmpl_ok = true;
    HD_LOG(HD_LOG_DEBUG,
           "tracker: rigid template of %zu pixels; sole at %.1f deg in the reference, heel "
           "%.1f px along, %.1f px up",
           t->tmpl_val.size(), rad2deg(t->theta_ref), t->heel_u, t->heel_n);
    return true;
}

/* A rigid template worth tracking with: enough pixels of the foot, and a sole that lies
 * near the step line in the reference pose (the person stands on the step there). */
static bool template_plausible(const hd_tracker *t)
{
    if (!t->tmpl_ok)
        return false;
    double deg = rad2deg(t->theta_ref);
    bool ok = (int)t->tmpl_val.size() >= t->p.min_template_px && std::fabs(deg) <= 35.0;
    if (!ok)
        HD_LOG(HD_LOG_DEBUG, "tracker: weak rigid template (%zu pixels, sole %.1f deg)",
               t->tmpl_val.size(), deg);
    return ok;
}

/* Zero-mean normalised cross-correlation from the sums over n paired samples; -1 when
 * fewer than min_n pairs or either side is flat. */
static double zncc_from_sums(int n, int min_n, double sa, double sb, double saa, double sbb,
                             double sab)
{
    if (n < min_n || n <= 0)
        return -1;
    double va = saa - sa * sa / n, vb = sbb - sb * sb / n;
    if (va <= 1e-6 || vb <= 1e-6)
        return -1;
    return (sab - sa * sb / n) / std::sqrt(va * vb);
}

static TmplSums tmpl_sums(const hd_tracker *t)
{
    TmplSums ts;
    size_t m = t->tmpl_val.size();
    if (m == 0 || t->tmpl_j.size() != m)
        return ts;
    ts.jlo = ts.jhi = t->tmpl_j[0];
    for (size_t k = 0; k < m; k++) {
        double x = t->tmpl_val[k];
        ts.sa += x;
        ts.saa += x * x;
        ts.jlo = std::min(ts.jlo, t->tmpl_j[k]);
        ts.jhi = std::max(ts.jhi, t->tmpl_j[k]);
    }
    return ts;
}

/* ZNCC of the template against polar image S shifted by s angle steps; ts from
 * tmpl_sums() of the same template (t->tsums for the current one, made when it is first
 * tracked with; best_match makes its own for the saved model swapped in). */
static double tmpl_zncc(const hd_tracker *t, const cv::Mat &S, int s, const TmplSums &ts)
{
    /* The template's pixels as offsets into the continuous polar image: one add and one
     * load per pixel (this is the tracker's inner loop). */
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    int n = 0;
    unsigned na = (unsigned)S.cols;
    size_t m = t->tmpl_val.size();
    if (!S.isContinuous() || t->tmpl_off.size() != m)
        return -1;
    const float *base = S.ptr<float>(0) + s;
    const int *off = t->tmpl_off.data(), *tj = t->tmpl_j.data();
    const float *tv = t->tmpl_val.data();
    /* The usual case: no template column leaves the grid at this shift. Then, when no
     * sample is invalid either, n = m and sa, saa are the template's own sums: only the
     * image side is summed, in two interleaved chains (faster; the last bits differ from
     * one chain). An invalid sample sends the shift to the general loop below. */
    if (m > 0 && ts.jhi >= ts.jlo && s + ts.jlo >= 0 && s + ts.jhi < (int)na) {
        double b0 = 0, b1 = 0, bb0 = 0, bb1 = 0, ab0 = 0, ab1 = 0;
        float lo = 0;
        size_t k = 0;
        for (; k + 2 <= m; k += 2) {
            float v0 = base[off[k]], v1 = base[off[k + 1]];
            lo = std::min(lo, std::min(v0, v1));
            b0 += v0;
            b1 += v1;
            bb0 += (double)v0 * v0;
            bb1 += (double)v1 * v1;
            ab0 += (double)tv[k] * v0;
            ab1 += (double)tv[k + 1] * v1;
        }
        for (; k < m; k++) {
            float v = base[off[k]];
            lo = std::min(lo, v);
            b0 += v;
            bb0 += (double)v * v;
            ab0 += (double)tv[k] * v;
        }
        if (lo >= 0)
            return zncc_from_sums((int)m, (int)m / 2, ts.sa, b0 + b1, ts.saa, bb0 + bb1,
                                  ab0 + ab1);
    }
    for (size_t k = 0; k < m; k++) {
        if ((unsigned)(tj[k] + s) >= na)
            continue;
        float v = base[off[k]];
        if (v < 0)
            continue;
        double x = tv[k];
        sa += x;
        sb += v;
        saa += x * x;
        sbb += (double)v * v;
        sab += x * v;
        n++;
    }
    return zncc_from_sums(n, (int)m / 2, sa, sb, saa, sbb, sab);
}

#if defined(__SSE2__)
/* Two floats at p as packed doubles (an 8-byte load through the may-alias vector type). */
static inline __m128d load2f(const float *p)
{
    return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)p)));
}
#endif

/* Bilinear sample between the pixel r0 points at, its right neighbour and the two below
 * (step bytes down), at fractions fx, fy. */
static inline double bilinear(const uchar *r0, size_t step, double fx, double fy)
{
    const uchar *r1 = r0 + step;
    return (1 - fy) * (r0[0] + fx * (r0[1] - r0[0])) + fy * (r1[0] + fx * (r1[1] - r1[0]));
}

/* ZNCC of the template against img (work scale, CV_8U, top-left corner at origin) with
 * the foot turned by d about P and then shifted by T (work px). Outside pixels are
 * skipped; -1 when fewer than half the template lands inside. */
static double rigid_zncc(const hd_tracker *t, const cv::Mat &img, cv::Point2d origin, double d,
                         cv::Point2d T)
{
    const Scene &sc = t->sc;
    size_t m = t->tmpl_val.size();
    if (t->tmpl_cu.size() != m || t->tmpl_cn.size() != m)
        return -1;
    double cd = std::cos(d), sd = std::sin(d);
    /* image position = base + cu' * u + cn' * n, with (cu', cn') the cell turned by d */
    double bx = sc.P.x + T.x - origin.x, by = sc.P.y + T.y - origin.y;
    double ax = cd * sc.u.x + sd * sc.n.x, ay = cd * sc.u.y + sd * sc.n.y; /* per cu */
    double cx = -sd * sc.u.x + cd * sc.n.x, cy = -sd * sc.u.y + cd * sc.n.y; /* per cn */
    double xmax = img.cols - 1.001, ymax = img.rows - 1.001;
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    int n = 0;
    const float *cu = t->tmpl_cu.data(), *cn = t->tmpl_cn.data(), *tv = t->tmpl_val.data();
    /* The usual case: the turned template's bounding box lies inside the image (with a
     * margin far above the rounding of x and y), so no cell is skipped, n = m, and sa, saa
     * are the template's own sums (made in this loop's order): only the image side is
     * summed, with no bounds test (the scalar loop gives the general loop's result bit for
     * bit; the SSE2 loop sums in two chains, so its last bits differ). */
    const double mg = 1e-6;
    double xl = bx + std::min(t->rig_cu_lo * ax, t->rig_cu_hi * ax) +
                std::min(t->rig_cn_lo * cx, t->rig_cn_hi * cx);
    double xh = bx + std::max(t->rig_cu_lo * ax, t->rig_cu_hi * ax) +
                std::max(t->rig_cn_lo * cx, t->rig_cn_hi * cx);
    double yl = by + std::min(t->rig_cu_lo * ay, t->rig_cu_hi * ay) +
                std::min(t->rig_cn_lo * cy, t->rig_cn_hi * cy);
    double yh = by + std::max(t->rig_cu_lo * ay, t->rig_cu_hi * ay) +
                std::max(t->rig_cn_lo * cy, t->rig_cn_hi * cy);
    if (m > 0 && xl >= mg && yl >= mg && xh < xmax - mg && yh < ymax - mg) {
        const uchar *data = img.data;
        size_t step = img.step[0];
        size_t k = 0;
#if defined(__SSE2__)
        /* Two cells per pass, in packed doubles, each lane summing every other cell (two
         * chains of additions instead of one: the sums' last bits differ from the scalar
         * loop's). */
        __m128d qb = _mm_setzero_pd(), qbb = _mm_setzero_pd(), qab = _mm_setzero_pd();
        const __m128d vbx = _mm_set1_pd(bx), vby = _mm_set1_pd(by), one = _mm_set1_pd(1.0);
        const __m128d vax = _mm_set1_pd(ax), vay = _mm_set1_pd(ay);
        const __m128d vcx = _mm_set1_pd(cx), vcy = _mm_set1_pd(cy);
        for (; k + 2 <= m; k += 2) {
            __m128d pu = load2f(cu + k);
            __m128d pn = load2f(cn + k);
            __m128d x = _mm_add_pd(_mm_add_pd(vbx, _mm_mul_pd(pu, vax)), _mm_mul_pd(pn, vcx));
            __m128d y = _mm_add_pd(_mm_add_pd(vby, _mm_mul_pd(pu, vay)), _mm_mul_pd(pn, vcy));
            __m128i xi = _mm_cvttpd_epi32(x), yi = _mm_cvttpd_epi32(y);
            __m128d fx = _mm_sub_pd(x, _mm_cvtepi32_pd(xi));
            __m128d fy = _mm_sub_pd(y, _mm_cvtepi32_pd(yi));
            int x0 = _mm_cvtsi128_si32(xi), x1 = _mm_cvtsi128_si32(_mm_shuffle_epi32(xi, 1));
            int y0 = _mm_cvtsi128_si32(yi), y1 = _mm_cvtsi128_si32(_mm_shuffle_epi32(yi, 1));
            const uchar *a0 = data + (size_t)y0 * step + x0, *b0 = a0 + step;
            const uchar *a1 = data + (size_t)y1 * step + x1, *b1 = a1 + step;
            __m128d p00 = _mm_cvtepi32_pd(_mm_setr_epi32(a0[0], a1[0], 0, 0));
            __m128d p10 = _mm_cvtepi32_pd(_mm_setr_epi32(b0[0], b1[0], 0, 0));
            __m128d d0 = _mm_cvtepi32_pd(_mm_setr_epi32(a0[1] - a0[0], a1[1] - a1[0], 0, 0));
            __m128d d1 = _mm_cvtepi32_pd(_mm_setr_epi32(b0[1] - b0[0], b1[1] - b1[0], 0, 0));
            __m128d top = _mm_add_pd(p00, _mm_mul_pd(fx, d0));
            __m128d bot = _mm_add_pd(p10, _mm_mul_pd(fx, d1));
            __m128d v = _mm_add_pd(_mm_mul_pd(_mm_sub_pd(one, fy), top), _mm_mul_pd(fy, bot));
            __m128d a = load2f(tv + k);
            qb = _mm_add_pd(qb, v);
            qbb = _mm_add_pd(qbb, _mm_mul_pd(v, v));
            qab = _mm_add_pd(qab, _mm_mul_pd(a, v));
        }
        double lane[2];
        _mm_storeu_pd(lane, qb);
        sb = lane[0] + lane[1];
        _mm_storeu_pd(lane, qbb);
        sbb = lane[0] + lane[1];
        _mm_storeu_pd(lane, qab);
        sab = lane[0] + lane[1];
#endif
        for (; k < m; k++) {
            double x = bx + cu[k] * ax + cn[k] * cx, y = by + cu[k] * ay + cn[k] * cy;
            int xi = (int)x, yi = (int)y;
            double fx = x - xi, fy = y - yi;
            double v = bilinear(data + (size_t)yi * step + xi, step, fx, fy);
            double a = tv[k];
            sb += v;
            sbb += v * v;
            sab += a * v;
        }
        return zncc_from_sums((int)m, (int)m / 2, t->tsums.sa, sb, t->tsums.saa, sbb, sab);
    }
    for (size_t k = 0; k < m; k++) {
        double x = bx + cu[k] * ax + cn[k] * cx, y = by + cu[k] * ay + cn[k] * cy;
        if (!(x >= 0 && y >= 0 && x < xmax && y < ymax))
            continue;
        int xi = (int)x, yi = (int)y;
        double fx = x - xi, fy = y - yi;
        double v = bilinear(img.ptr<uchar>(yi) + xi, img.step[0], fx, fy);
        double a = tv[k];
        sa += a;
        sb += v;
        saa += a * a;
        sbb += v * v;
        sab += a * v;
        n++;
    }
    return zncc_from_sums(n, (int)m / 2, sa, sb, saa, sbb, sab);
}

/* Refines a template match (turn d about P, shift T) by a local search over the turn and
 * both shift directions, halving the steps as it converges. A shift costs a little, so a
 * foot with nothing to pin a direction (a sole without a visible heel back) stays put. */
static double refine_rigid(const hd_tracker *t, const cv::Mat &img, cv::Point2d origin,
                           double *d, cv::Point2d *T)
{
    const Scene &sc = t->sc;
    double tmax = t->p.shift_max * sc.rh;
    double z = -1; /* the ZNCC of the point last costed */
    auto cost = [&](double dd, cv::Point2d tt) {
        double len = std::hypot(tt.x, tt.y);
        if (len > tmax)
            return -2.0;
        z = rigid_zncc(t, img, origin, dd, tt);
        return z < -0.5 ? -2.0 : z - t->p.shift_cost * len / sc.rh;
    };
    double best = cost(*d, *T), best_z = z;
    if (best < -1.5)
        return -1;
    double sd = deg2rad(t->p.phi_step_deg), st = std::max(0.6, 0.03 * sc.rh);
    /* The points costed so far, on the search's lattice (units of the smallest step: the
     * steps only halve, at most 12 times). A point met again is not costed again: it was
     * costed before the search last moved, and every move gains more than 1e-4, so it
     * cannot win now (a few per frame on the bench clip; it changes no result). */
    struct Pt {
        int d, a, b;
    };
    Pt seen[1 + 12 * 6];
    int nseen = 0, q = 1 << 12;
    Pt at = {0, 0, 0};
    seen[nseen++] = at;
    for (int it = 0; it < 12 && (sd > deg2rad(0.06) || st > 0.1); it++) {
        bool moved = false;
        const double cand[6][3] = {{sd, 0, 0}, {-sd, 0, 0}, {0, st, 0},
                                   {0, -st, 0}, {0, 0, st}, {0, 0, -st}};
        const int lat[6][3] = {{q, 0, 0}, {-q, 0, 0}, {0, q, 0},
                               {0, -q, 0}, {0, 0, q}, {0, 0, -q}};
        for (int c = 0; c < 6; c++) {
            Pt np = {at.d + lat[c][0], at.a + lat[c][1], at.b + lat[c][2]};
            bool again = false;
            for (int k = 0; k < nseen && !again; k++)
                again = seen[k].d == np.d && seen[k].a == np.a && seen[k].b == np.b;
            if (again)
                continue;
            seen[nseen++] = np;
            double nd = *d + cand[c][0];
            cv::Point2d nt = *T + sc.u * cand[c][1] + sc.n * cand[c][2];
            double v = cost(nd, nt);
            if (v > best + 1e-4) {
                best = v;
                best_z = z;
                *d = nd;
                *T = nt;
                at = np;
                moved = true;
            }
        }
        if (!moved) {
            sd *= 0.5;
            st *= 0.5;
            q /= 2;
        }
    }
    return best_z;
}

static void lift_zone_update(hd_tracker *t, const cv::Mat &img, cv::Point2d origin,
                             hd_marks *m);

/* Fills a found heel's marks (work-scale inputs, frame-scale outputs). */
static void fill_marks(const hd_tracker *t, double conf, double height, double theta,
                       cv::Point2d heel, cv::Point2d ank, double mmpp, hd_marks *m)
{
    const Scene &sc = t->sc;
    m->conf = (float)conf;
    m->heel_px = (float)(height * t->scale);
    m->heel_mm = (float)(height * mmpp);
    m->foot_deg = (float)rad2deg(theta);
    m->heel_x = (float)(heel.x * t->scale);
    m->heel_y = (float)(heel.y * t->scale);
    m->ankle_x = (float)(ank.x * t->scale);
    m->ankle_y = (float)(ank.y * t->scale);
    m->pivot_x = (float)(sc.P.x * t->scale);
    m->pivot_y = (float)(sc.P.y * t->scale);
    m->mm_per_px = (float)(mmpp / t->scale);
    m->foot = HD_FOOT_NEAR;
}

/* One frame with the rigid template: the best-aligning turn, then the heel point turned. */
static void track_template(hd_tracker *t, const cv::Mat &img, cv::Point2d origin, double tsec,
                           hd_marks *m)
{
    const Scene &sc = t->sc;
    /* the grid's offsets from the pivot are fixed: computed once, shifted per frame */
    if (t->tmpl_relx.empty()) {
        Scene at0 = sc;
        at0.P = cv::Point2d(0, 0);
        polar_maps(at0, t->tr_radius, t->tr_phi, cv::Point2d(0, 0), t->tmpl_relx, t->tmpl_rely);
        size_t m = t->tmpl_val.size();
        t->tmpl_cu.resize(m);
        t->tmpl_cn.resize(m);
        t->tsums = tmpl_sums(t);
        t->rig_cu_lo = t->rig_cn_lo = m ? HUGE_VALF : 0;
        t->rig_cu_hi = t->rig_cn_hi = m ? -HUGE_VALF : 0;
        for (size_t k = 0; k < m; k++) {
            double r = t->tr_radius[t->tmpl_i[k]], ph = t->tr_phi[t->tmpl_j[k]];
            t->tmpl_cu[k] = (float)(r * std::cos(ph));
            t->tmpl_cn[k] = (float)(r * std::sin(ph));
            t->rig_cu_lo = std::min(t->rig_cu_lo, t->tmpl_cu[k]);
            t->rig_cu_hi = std::max(t->rig_cu_hi, t->tmpl_cu[k]);
            t->rig_cn_lo = std::min(t->rig_cn_lo, t->tmpl_cn[k]);
            t->rig_cn_hi = std::max(t->rig_cn_hi, t->tmpl_cn[k]);
        }
    }
    bool recent = t->tracking && (t->lost_since < 0 || tsec - t->lost_since < 0.5);
    if (!recent)
        t->tshift = cv::Point2d(0, 0);
    cv::Mat mx, my, S;
    cv::add(t->tmpl_relx, cv::Scalar(sc.P.x + t->tshift.x - origin.x), mx);
    cv::add(t->tmpl_rely, cv::Scalar(sc.P.y + t->tshift.y - origin.y), my);
    remap_polar(img, mx, my, S);
    double step = deg2rad(t->p.phi_step_deg);
    int na = (int)t->tr_phi.size();
    int w = (int)std::lround(t->p.search_deg / t->p.phi_step_deg);
    /* The whole plausible range is searched every frame (the foot turns between about
     * -45 and +60 degrees from the step); near the last angle a match wins unless one
     * elsewhere is clearly better, so the tracker neither jumps on noise nor stays stuck
     * on a wrong alignment it fell into during an occlusion. */
    double lo = deg2rad(-50) - t->theta_ref, hi = deg2rad(65) - t->theta_ref;
    int s0 = std::max(-na / 2, (int)std::floor(lo / step));
    int s1 = std::min(na / 2, (int)std::ceil(hi / step));
    if (s1 < s0)
        s1 = s0;
    std::vector<double> z(s1 - s0 + 1, -1);
    int bs = 0, ls = 0;
    double bz = -2, lz = -2;
    int sp = (int)std::lround(t->shift_prev);
    /* coarse steps over the range, then every step near the coarse best and near the
     * last angle (the ZNCC peak of a foot is several steps wide) */
    auto eval = [&](int sh) {
        if (sh < s0 || sh > s1 || z[sh - s0] > -1.5)
            return;
        z[sh - s0] = tmpl_zncc(t, S, sh, t->tsums);
    };
    for (int sh = s0; sh <= s1; sh++)
        z[sh - s0] = -2;
    /* While the foot is followed with a strong match, the whole range is scanned only on
     * every fourth frame (a wrong lock still comes to light within a few frames). */
    t->frame_no++;
    bool scan = !recent || t->last_z < 0.8 || t->frame_no % 4 == 0;
    if (scan) {
        for (int sh = s0; sh <= s1; sh += 4)
            eval(sh);
        int cb = s0;
        for (int sh = s0; sh <= s1; sh++)
            if (z[sh - s0] > z[cb - s0])
                cb = sh;
        for (int sh = cb - 4; sh <= cb + 4; sh++)
            eval(sh);
    }
    if (recent)
        for (int sh = sp - w; sh <= sp + w; sh++)
            eval(sh);
    for (int sh = s0; sh <= s1; sh++) {
        double v = z[sh - s0];
        if (v < -1.5)
            continue;
        if (v > bz) {
            bz = v;
            bs = sh;
        }
        if (recent && std::abs(sh - sp) <= w && v > lz) {
            lz = v;
            ls = sh;
        }
    }
    /* Hysteresis: a foot followed from frame to frame keeps being believed at a weaker
     * match than a foot found afresh needs (the rear foot's look changes at large turns:
     * shading, the ankle folding), as long as it stays near its last angle. */
    double need = t->p.min_appearance;
    if (recent && lz > -2 && lz + 0.08 >= bz) {
        bz = lz;
        bs = ls;
        t->jump_frames = 0;
        need = std::min(need, t->p.min_appearance_keep);
    } else if (recent) {
        /* A far jump while tracking is believed only when it holds for a few frames
         * (a foot passing in front can match elsewhere for a frame or two); until then
         * the heel is reported lost rather than at a wrong height. */
        if (t->jump_frames > 0 && std::abs(bs - t->jump_to) <= w)
            t->jump_frames++;
        else
            t->jump_frames = 1;
        t->jump_to = bs;
        if (t->jump_frames < 3)
            bz = -1;
    }
    if (t->dbg_trace)
        fprintf(stderr, "t %.2f best shift %d zncc %.2f (near last: %d %.2f)\n", tsec, bs, bz,
                ls, lz);
    if (bz < need) {
        t->last_z = 0;
        if (t->lost_since < 0)
            t->lost_since = tsec;
        m->conf = 0;
        m->setup_hint = HD_HINT_OCCLUDED;
        m->heel_px = m->heel_mm = m->foot_deg = NAN;
        m->heel_x = m->heel_y = m->ankle_x = m->ankle_y = NAN;
        t->tracking = t->tracking && (tsec - t->lost_since) < 0.3;
        return;
    }
    double off = 0;
    eval(bs - 1);
    eval(bs + 1);
    if (bs > s0 && bs < s1) {
        double a = z[bs - 1 - s0], b = z[bs - s0], c = z[bs + 1 - s0];
        double den = a - 2 * b + c;
        if (den < 0)
            off = std::max(-0.5, std::min(0.5, 0.5 * (a - c) / den));
    }
    double shift = bs + off;
    double d = shift * step;
    cv::Point2d T = t->tshift;
    if (t->p.rigid_refine) {
        double zr = refine_rigid(t, img, origin, &d, &T);
        if (zr > bz)
            bz = zr;
        t->tshift = T;
        shift = d / step;
    }
    if (t->dbg_at_s >= 0 && std::fabs(tsec - t->dbg_at_s) < 0.02) {
        /* debugging: the template cells where this frame's match puts them */
        cv::Mat vis = img.clone();
        double c0 = std::cos(d), s0 = std::sin(d);
        for (size_t k = 0; k < t->tmpl_cu.size(); k++) {
            double cu = t->tmpl_cu[k] * c0 - t->tmpl_cn[k] * s0;
            double cn = t->tmpl_cu[k] * s0 + t->tmpl_cn[k] * c0;
            cv::Point2d q = sc.P + T + sc.u * cu + sc.n * cn - origin;
            if (q.x >= 0 && q.y >= 0 && q.x < vis.cols && q.y < vis.rows)
                vis.at<uchar>((int)q.y, (int)q.x) = 255;
        }
        debug_pgm("match", vis);
    }
    t->shift_prev = shift;
    t->last_z = bz;
    t->lost_since = -1;
    t->tracking = true;
    double cd = std::cos(d), sd = std::sin(d);
    double hu = t->heel_u * cd - t->heel_n * sd, hn = t->heel_u * sd + t->heel_n * cd;
    /* Step level is the sole at the reference pose (standing on the step): the heel's
     * height is its distance from the pivot times the sine of the turn since then, plus
     * the foot's shift across the step line. */
    double rheel = std::hypot(t->heel_u, t->heel_n);
    double theta = d + t->level_off;
    double mmpp = mm_per_work_px(t);
    double height = rheel * std::sin(theta) + T.dot(sc.n);
    cv::Point2d heel = sc.P + T + sc.u * hu + sc.n * hn;
    double au = 0.78 * t->heel_u, an = t->heel_n + 0.42 * sc.rh;
    cv::Point2d ank = sc.P + T + sc.u * (au * cd - an * sd) + sc.n * (au * sd + an * cd);
    fill_marks(t, std::min(1.0, std::max(0.05, bz)), height, theta, heel, ank, mmpp, m);
    if (t->dbg_trace)
        fprintf(stderr, "t %.2f shift %.1f zncc %.2f heel %.1f\n", tsec, shift, bz, m->heel_mm);
    lift_zone_update(t, img, origin, m);
}

/* Measures one work-scale image (the whole frame or a region whose top-left corner is at
 * origin in work coordinates). */
static void track_one(hd_tracker *t, const cv::Mat &img, cv::Point2d origin, int64_t pts,
                      int64_t seq, hd_marks *m)
{
    memset(m, 0, sizeof(*m));
    m->pts_us = pts;
    m->seq = seq;
    m->off_step = -1;
    m->calibrated = 1;
    m->setup_hint = HD_HINT_NONE;
    const Scene &sc = t->sc;
    double tsec = (pts - t->t_first) / 1e6;

    if (t->tmpl_ok) {
        track_template(t, img, origin, tsec, m);
        return;
    }

    cv::Mat S;
    polar_sample(t, img, origin, S);
    PolarScore ps;
    sole_score(S, ps);

    /* Every candidate sole angle is judged on its edge, on whether the foot is above it,
     * and on how far it is from the last angle (a foot turns at most ~100 deg/s). */
    double step = deg2rad(t->p.phi_step_deg);
    double level = polar_level(S);
    double gain = t->ref_level > 0 ? t->ref_level / level : 1.0;
    bool recent = t->tracking && (t->lost_since < 0 || tsec - t->lost_since < 0.5);
    int j = -1, jd = -1;
    double best = 0, best_app = 0;
    std::vector<float> strip, strip_below, best_strip;
    int na = (int)ps.score.size(), nd = (int)t->delta.size();
    cv::Mat sc2;
    line_scores(t, ps, sc2);
    for (int k = 0; k < nd; k++) {
        const float *o = sc2.ptr<float>(k);
        const float *up = k > 0 ? sc2.ptr<float>(k - 1) : nullptr;
        const float *dn = k + 1 < nd ? sc2.ptr<float>(k + 1) : nullptr;
        for (int a = 1; a < na - 1; a++) {
            float v = o[a];
            if (v < 0.8 * t->p.min_score || v < o[a - 1] || v < o[a + 1] ||
                (up && v < up[a]) || (dn && v < dn[a]))
                continue;
            const std::vector<int> *sh = &t->shift[k];
            foot_strip(t, S, a, +1, strip, sh);
            double app = t->ref_strip.empty() ? 1.0 : strip_match(strip, t->ref_strip, gain);
            /* below the sole is background, not more foot (that would be the shoe's top) */
            double below = 0;
            if (!t->ref_strip.empty()) {
                foot_strip(t, S, a, -1, strip_below, sh);
                below = strip_match(strip_below, t->ref_strip, gain);
            }
            double tf = 1.0;
            if (recent) {
                double d = (t->phi[a] - t->theta_n) / deg2rad(12.0);
                tf = std::exp(-0.5 * d * d);
            }
            double total = v * (0.2 + 0.8 * app) * (1.0 - 0.8 * below) * (0.35 + 0.65 * tf);
            if (total > best) {
                best = total;
                best_app = app;
                j = a;
                jd = k;
                best_strip = strip;
            }
        }
    }
    if (t->dbg_polar_s >= 0 && std::fabs(tsec - t->dbg_polar_s) < 0.02) {
        cv::Mat v8, big;
        S.convertTo(v8, CV_8U);
        cv::resize(v8, big, cv::Size(v8.cols * 2, v8.rows * 8), 0, 0, cv::INTER_NEAREST);
        if (j >= 0)
            cv::line(big, cv::Point(2 * j, 0), cv::Point(2 * j, big.rows - 1), cv::Scalar(255));
        debug_pgm("polar", big);
        cv::Mat roi8;
        img.convertTo(roi8, CV_8U);
        debug_pgm("roi", roi8);
    }
    if (t->dbg_trace)
        fprintf(stderr, "t %.2f j %d phi %.1f score %.2f app %.2f gain %.2f\n", tsec, j,
                j >= 0 ? rad2deg(t->phi[j]) : 0.0, j >= 0 ? sc2.at<float>(jd, j) : 0.f, best_app,
                gain);
    if (j >= 0 && (best_app < t->p.min_appearance || sc2.at<float>(jd, j) < t->p.min_score))
        j = -1;
    SoleFit f;
    if (j >= 0) {
        f = fit_sole(t, ps, j, &t->shift[jd]);
        f.score = sc2.at<float>(jd, j);
    }
    if (!f.ok) {
        if (t->lost_since < 0)
            t->lost_since = tsec;
        m->conf = 0;
        m->setup_hint = HD_HINT_OCCLUDED;
        m->heel_px = m->heel_mm = m->foot_deg = NAN;
        t->tracking = t->tracking && (tsec - t->lost_since) < 0.3;
        return;
    }
    t->lost_since = -1;
    t->tracking = true;
    if (!t->ref_strip.empty() && best_app > 0.6) {
        /* follow slow changes (light, shading as the foot turns) */
        for (size_t i = 0; i < t->ref_strip.size() && i < best_strip.size(); i++)
            if (best_strip[i] >= 0 && t->ref_strip[i] >= 0)
                t->ref_strip[i] += 0.03f * ((float)(best_strip[i] * gain) - t->ref_strip[i]);
    }
    double theta = std::atan(f.b);
    t->theta_n = t->phi[0] + f.j * step;

    /* heel back-bottom point: on the sole line at distance rh from the pivot */
    double uh = sc.rh * std::cos(theta);
    double nh = f.a + f.b * uh;
    double mmpp = mm_per_work_px(t);
    cv::Point2d heel = sc.P + sc.u * uh + sc.n * nh;
    /* ankle on the rigid foot: above the heel, a little towards the toes */
    double au = 0.78 * sc.rh, an = 0.42 * sc.rh;
    double ca = std::cos(theta), sa = std::sin(theta);
    cv::Point2d ank = sc.P + sc.u * (au * ca - an * sa) + sc.n * (f.a + au * sa + an * ca);

    fill_marks(t,
               std::min(1.0, std::max(0.05, (f.score - t->p.min_score) / 2.0 + 0.3) *
                                 std::min(1.0, best_app / 0.6)),
               nh, theta, heel, ank, mmpp, m);

    lift_zone_update(t, img, origin, m);
}

/* A foot off the step shows up behind and above the working heel. */
static void lift_zone_update(hd_tracker *t, const cv::Mat &img, cv::Point2d origin,
                             hd_marks *m)
{
    lift_zone_sample(t, img, origin, t->lift_cur);
    if (t->lift_bg.empty()) {
        t->lift_cur.copyTo(t->lift_bg);
        return;
    }
    /* Compare after matching the overall level, so a light change is not a foot: the
     * median ratio of background to current over the zone, so that a dark leg or shoe
     * over part of it does not rescale the rest. */
    int changed = 0, total = t->lift_cur.rows * t->lift_cur.cols;
    double gain = 1.0;
    {
        std::vector<float> &ratio = t->lift_ratio;
        ratio.clear();
        for (int b = 0; b < t->lift_cur.rows; b++) {
            const float *c = t->lift_cur.ptr<float>(b), *g = t->lift_bg.ptr<float>(b);
            for (int a = 0; a < t->lift_cur.cols; a++)
                if (c[a] > 4)
                    ratio.push_back(g[a] / c[a]);
        }
        if (!ratio.empty()) {
            std::nth_element(ratio.begin(), ratio.begin() + ratio.size() / 2, ratio.end());
            gain = ratio[ratio.size() / 2];
        }
    }
    /* The background is the zone with both feet on the step: learnt only while the foot
     * stands at step level (a lifted foot held behind the heel for a whole set, or the
     * leg's place at the bottom of every rep, must not become it). */
    bool learn = std::fabs(m->foot_deg) < t->p.lift_learn_deg;
    for (int b = 0; b < t->lift_cur.rows; b++) {
        float *c = t->lift_cur.ptr<float>(b);
        float *g = t->lift_bg.ptr<float>(b);
        for (int a = 0; a < t->lift_cur.cols; a++) {
            double v = c[a] * gain;
            if (std::fabs(v - g[a]) > 18)
                changed++;
            /* slow approximate-median background: a held foot does not become it */
            if (learn)
                g[a] += (float)(v > g[a] ? 0.15 : -0.15);
        }
    }
    m->off_step = (double)changed / total > t->p.lift_frac ? 1 : 0;
}

/* ---------------------------------------------------------------- frame intake ------- */

static void to_work(hd_tracker *t, const hd_frame *f, cv::Mat &dst)
{
    cv::Mat y(f->height, f->width, CV_8U, (void *)f->plane[0], (size_t)f->stride[0]);
    if (t->ww == f->width)
        y.copyTo(dst);
    else
        cv::resize(y, dst, cv::Size(t->ww, t->wh), 0, 0, cv::INTER_AREA);
}

static void emit_uncalibrated(hd_tracker *t, int64_t pts, int64_t seq)
{
    hd_marks m;
    memset(&m, 0, sizeof(m));
    m.pts_us = pts;
    m.seq = seq;
    m.conf = 0;
    m.heel_px = m.heel_mm = m.foot_deg = NAN;
    m.off_step = -1;
    m.setup_hint = t->hint;
    t->out.push_back(m);
}

static void flush_buffer_tracked(hd_tracker *t)
{
    for (Buffered &b : t->buf) {
        hd_marks m;
        track_one(t, b.img, cv::Point2d(0, 0), b.pts, b.seq, &m);
        t->out.push_back(m);
    }
    t->buf.clear();
    t->sum.release();
    t->msum.release();
    t->nsum = t->nmot = 0;
}

/* Step level for a calibration made mid-set, after the static-lock check threw away a model
 * that followed something else. Mid-set nobody stands flat (a rep runs from the hold
 * through the top on two feet straight into the next descent), so the reference pose,
 * the stillest frame early in the window, is a top or a hold, and a top taken as step
 * level reads every rep below the step: no rep is found at all. The lowest still pose in
 * the window (a hold, or standing) becomes step level instead, and the nframes frames
 * just measured are corrected: reps are then counted, with depths too shallow by the
 * hold's depth when the window holds no standing. The marks since the calibration are
 * held back (hd_tracker_next) until midset_s of them show what the still poses are. */
static const double midset_s = 10.0;

static void midset_level(hd_tracker *t, size_t nframes)
{
    size_t n = std::min(nframes, t->out.size()), first = t->out.size() - n;
    double low = 1e9;
    for (size_t i = first; i < t->out.size();) {
        if (!(t->out[i].conf > 0)) {
            i++;
            continue;
        }
        float lo = t->out[i].foot_deg, hi = lo;
        double sum = 0;
        size_t j = i;
        for (; j < t->out.size() && t->out[j].conf > 0; j++) {
            float v = t->out[j].foot_deg;
            if (std::max(hi, v) - std::min(lo, v) > 1.5f)
                break;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            sum += v;
        }
        if (j > i && (t->out[j - 1].pts_us - t->out[i].pts_us) / 1e6 >= 0.4)
            low = std::min(low, sum / (double)(j - i));
        i = std::max(j, i + 1);
    }
    t->level_pending = false;
    if (low > -0.5)
        return;
    double dl = deg2rad(-low), rheel = std::hypot(t->heel_u, t->heel_n);
    double mmpp = mm_per_work_px(t);
    for (size_t i = first; i < t->out.size(); i++) {
        hd_marks &m = t->out[i];
        if (!(m.conf > 0))
            continue;
        double th = deg2rad(m.foot_deg);
        double dh = rheel * (std::sin(th + dl) - std::sin(th));
        m.foot_deg = (float)rad2deg(th + dl);
        m.heel_px += (float)(dh * t->scale);
        m.heel_mm += (float)(dh * mmpp);
    }
    t->level_off += dl;
    t->std_theta = t->theta_ref - t->level_off;
    HD_LOG(HD_LOG_DEBUG, "tracker: calibrated mid-set; the lowest still pose (%.1f deg) is "
           "taken as step level", low);
}

/* The scene is chosen: measure the foot, then track every buffered frame. False when the
 * foot found is not convincing (a weak rigid template) and the window can still grow:
 * then calibration goes on, since tracking a wrong foot model invents heights. */
static bool finish_calibration(hd_tracker *t)
{
    refine_heel_distance(t);
    cv::Mat mean32 = t->sum / std::max(1, t->nsum), mean8;
    mean32.convertTo(mean8, CV_8U);
    measure_toe(t, mean8);
    HD_LOG(HD_LOG_DEBUG, "tracker: heel %.1f px, toe %.1f px (full-frame px)",
           t->sc.rh * t->scale, t->sc.toe * t->scale);
    build_polar(t);
    bool tm = build_template(t);
    if (!tm || !template_plausible(t)) {
        if (!t->finishing) {
            HD_LOG(HD_LOG_DEBUG, "tracker: foot model not convincing, still looking");
            t->tmpl_ok = false;
            t->sc = Scene();
            t->hint = HD_HINT_CALIBRATING;
            return false;
        }
        if (!tm)
            init_reference(t);
    }
    t->level_off = 0;
    if (t->tmpl_ok) {
        bool same = t->have_std && cv::norm(t->sc.P - t->std_P) < 0.2 * t->std_rh &&
                    t->sc.u.dot(t->std_u) > std::cos(deg2rad(8));
        if (same) {
            t->level_off = t->theta_ref - t->std_theta;
            HD_LOG(HD_LOG_DEBUG, "tracker: same foot as before; reference pose %.1f deg from "
                   "standing", rad2deg(t->level_off));
        } else {
            t->have_std = true;
            t->std_theta = t->theta_ref;
            t->std_P = t->sc.P;
            t->std_u = t->sc.u;
            t->std_rh = t->sc.rh;
        }
    }
    t->calibrated = true;
    t->hint = HD_HINT_NONE;
    t->saved.valid = false;
    /* the lift zone's first background: the reference pose, standing on the step */
    if (t->tmpl_ok)
        for (auto &tr : t->calib_turns)
            if (tr.second == 0.0 && tr.first >= 0 && tr.first < (int)t->buf.size()) {
                lift_zone_sample(t, t->buf[tr.first].img, cv::Point2d(0, 0), t->lift_bg);
                break;
            }
    flush_buffer_tracked(t);
    t->level_pending = t->midset && t->tmpl_ok;
    t->midset = false;
    return true;
}

/* Swaps the saved template model with the current one (both directions). */
static void swap_saved(hd_tracker *t)
{
    hd_tracker::Saved &sv = t->saved;
    std::swap(sv.sc, t->sc);
    std::swap(sv.ti, t->tmpl_i);
    std::swap(sv.tj, t->tmpl_j);
    std::swap(sv.toff, t->tmpl_off);
    std::swap(sv.tv, t->tmpl_val);
    std::swap(sv.rad, t->tr_radius);
    std::swap(sv.phi, t->tr_phi);
    std::swap(sv.heel_u, t->heel_u);
    std::swap(sv.heel_n, t->heel_n);
    std::swap(sv.theta_ref, t->theta_ref);
    std::swap(sv.level_off, t->level_off);
    t->tmpl_relx.release();
    t->tmpl_rely.release();
    t->tshift = cv::Point2d(0, 0);
}

/* Best match of the current rigid template anywhere in the plausible turn range of a
 * whole work-scale frame. */
static double best_match(hd_tracker *t, const cv::Mat &img, int *best_shift = nullptr,
                         int at_shift = 0, double *z_at = nullptr)
{
    Scene at0 = t->sc;
    at0.P = cv::Point2d(0, 0);
    cv::Mat mx, my, S;
    polar_maps(at0, t->tr_radius, t->tr_phi, cv::Point2d(0, 0), mx, my);
    cv::add(mx, cv::Scalar(t->sc.P.x), mx);
    cv::add(my, cv::Scalar(t->sc.P.y), my);
    remap_polar(img, mx, my, S);
    double step = deg2rad(t->p.phi_step_deg);
    int na = (int)t->tr_phi.size();
    int s0 = std::max(-na / 2, (int)std::floor((deg2rad(-50) - t->theta_ref) / step));
    int s1 = std::min(na / 2, (int)std::ceil((deg2rad(65) - t->theta_ref) / step));
    double best = -1;
    int bs = s0;
    const TmplSums ts = tmpl_sums(t);
    for (int sh = s0; sh <= s1; sh += 3) {
        double z = tmpl_zncc(t, S, sh, ts);
        if (z > best) {
            best = z;
            bs = sh;
        }
    }
    int around = bs;
    for (int sh = around - 2; sh <= around + 2; sh++)
        if (sh >= s0 && sh <= s1) {
            double z = tmpl_zncc(t, S, sh, ts);
            if (z > best) {
                best = z;
                bs = sh;
            }
        }
    if (best_shift)
        *best_shift = bs;
    if (z_at)
        *z_at = at_shift >= s0 && at_shift <= s1 ? tmpl_zncc(t, S, at_shift, ts) : -1;
    return best;
}

/* The same for the saved model (the current model is untouched). */
static double saved_match(hd_tracker *t, const cv::Mat &img)
{
    swap_saved(t);
    int bs = 0, at = (int)std::lround(t->saved.lock_shift);
    double z_lock = -1;
    double z = best_match(t, img, &bs, at, &z_lock);
    swap_saved(t);
    /* seen turned: matching clearly better away from where it sat than there */
    if (t->saved.need_turn &&
        (std::fabs(bs - at) * t->p.phi_step_deg <= t->p.static_lock_deg || z - z_lock < 0.1))
        return -1;
    return z;
}

/* Forgets the calibration. keep: remember the rigid template, to take it back if the same
 * foot shows up again while calibrating. */
static void reset_calibration(hd_tracker *t, bool keep)
{
    if (t->level_pending)
        midset_level(t, t->out.size());
    if (t->sc.valid)
        t->last_sc = t->sc;
    t->saved.valid = false;
    if (keep && t->tmpl_ok) {
        swap_saved(t);
        t->saved.valid = true;
        t->saved.hits = 0;
        t->saved.min_z = 0;
        t->saved.need_turn = false;
        t->saved.lock_shift = t->shift_prev;
    }
    t->thumb_prev.clear();
    t->thumb_t = -1;
    t->lock_hist.clear();
    t->lock_cur = hd_tracker::LockSample();
    t->calib_failures = 0;
    t->tmpl_ok = false;
    t->calib_turns.clear();
    t->ref_strip.clear();
    t->next_try_s = 0;
    t->calibrated = false;
    t->sc = Scene();
    t->sum.release();
    t->msum.release();
    t->nsum = t->nmot = 0;
    t->tracking = false;
    t->lost_since = -1;
    t->lift_bg.release();
    t->hint = HD_HINT_CALIBRATING;
}

/* Whether anything moved between two coarse samples of the frame: enough points changed
 * by more than 20 levels beyond the change of the whole picture (a light that dims or
 * flickers changes every point alike). */
static bool thumb_moved(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b)
{
    int hist[511] = {0};
    size_t n = a.size();
    for (size_t k = 0; k < n; k++)
        hist[(int)b[k] - (int)a[k] + 255]++;
    size_t acc = 0;
    int med = 0;
    for (int d = 0; d < 511; d++) {
        acc += (size_t)hist[d];
        if (acc * 2 >= n) {
            med = d - 255;
            break;
        }
    }
    size_t moved = 0;
    for (int d = 0; d < 511; d++)
        if (std::abs(d - 255 - med) > 20)
            moved += (size_t)hist[d];
    return moved >= std::max<size_t>(12, n * 3 / 1000);
}

/* The static-lock check, once per tracked frame: true when the model has measured
 * (nearly) the same turn for static_lock_s while the picture kept moving elsewhere, i.e.
 * it follows something that is not the working foot. A whole-frame sample of about 80
 * columns every 0.5 s is all it reads. */
static bool static_lock(hd_tracker *t, const hd_frame *f, double tsec, const hd_marks *m)
{
    if (t->p.static_lock_s <= 0)
        return false;
    hd_tracker::LockSample &c = t->lock_cur;
    c.frames++;
    if (m->conf > 0 && std::isfinite(m->foot_deg)) {
        c.dmin = std::min(c.dmin, m->foot_deg);
        c.dmax = std::max(c.dmax, m->foot_deg);
        c.n++;
    }
    if (t->thumb_t >= 0 && tsec - t->thumb_t < 0.5)
        return false;
    int st = std::max(2, f->width / 80);
    int nc = f->width / st, nr = f->height / st;
    std::vector<uint8_t> th((size_t)nc * nr);
    for (int r = 0; r < nr; r++) {
        const uint8_t *row = f->plane[0] + (size_t)(r * st + st / 2) * (size_t)f->stride[0];
        for (int k = 0; k < nc; k++)
            th[(size_t)r * nc + k] = row[k * st + st / 2];
    }
    if (t->thumb_prev.size() == th.size()) {
        c.motion = thumb_moved(t->thumb_prev, th);
        c.t = tsec;
        t->lock_hist.push_back(c);
    }
    t->thumb_prev.swap(th);
    t->thumb_t = tsec;
    c = hd_tracker::LockSample();
    while (!t->lock_hist.empty() && tsec - t->lock_hist.front().t > t->p.static_lock_s)
        t->lock_hist.pop_front();
    size_t need = std::max<size_t>(2, (size_t)(t->p.static_lock_s / 0.5) - 1);
    if (t->lock_hist.size() < need)
        return false;
    float lo = 1e9f, hi = -1e9f;
    int tracked = 0, frames = 0;
    size_t moving = 0;
    for (const auto &s : t->lock_hist) {
        if (s.n) {
            lo = std::min(lo, s.dmin);
            hi = std::max(hi, s.dmax);
        }
        tracked += s.n;
        frames += s.frames;
        moving += s.motion;
    }
    /* mostly tracked (a lost model has its own way back), always at the same turn */
    if (tracked * 4 < frames * 3 || hi - lo >= t->p.static_lock_deg ||
        (double)moving < t->p.static_motion * (double)t->lock_hist.size())
        return false;
    HD_LOG(HD_LOG_DEBUG,
           "tracker: the foot model has not turned (%.1f deg) in %.1f s while the picture "
           "moved in %zu of %zu samples: calibrating again", hi - lo, t->p.static_lock_s,
           moving, t->lock_hist.size());
    return true;
}

static hd_status process_frame(hd_tracker *t, const hd_frame *f)
{
    if (!f || !f->plane[0] || f->width < 16 || f->height < 16 ||
        (f->format != HD_PIX_GRAY8 && f->format != HD_PIX_YUV420P))
        return hd_fail(HD_ERR_INVALID, "tracker: unsupported frame");
    if (!t->have_first) {
        t->have_first = true;
        t->t_first = f->pts_us;
        t->fw = f->width;
        t->fh = f->height;
        t->scale = std::max(1.0, f->width / t->p.work_width);
        t->ww = (int)std::lround(f->width / t->scale);
        t->wh = (int)std::lround(f->height / t->scale);
    } else if (f->width != t->fw || f->height != t->fh) {
        return hd_fail(HD_ERR_FORMAT, "tracker: frame size changed mid-stream (%dx%d to %dx%d)",
                       t->fw, t->fh, f->width, f->height);
    }
    double tsec = (f->pts_us - t->t_first) / 1e6;
    t->last_pts = f->pts_us;

    if (t->calibrated) {
        /* Only the region around the foot is scaled and read. */
        const Scene &sc = t->sc;
        double R = std::max(t->p.lift_zone[1], 1.2) * sc.rh + 4;
        double x0 = std::max(0.0, sc.P.x - R), x1 = std::min((double)t->ww, sc.P.x + R);
        double y0 = std::max(0.0, sc.P.y - std::max(t->p.lift_zone[3], 1.0) * sc.rh - 4);
        double y1 = std::min((double)t->wh, sc.P.y + 1.0 * sc.rh + 4);
        int fx0 = (int)std::floor(x0 * t->scale), fy0 = (int)std::floor(y0 * t->scale);
        int fx1 = std::min(t->fw, (int)std::ceil(x1 * t->scale));
        int fy1 = std::min(t->fh, (int)std::ceil(y1 * t->scale));
        int is = (int)t->scale;
        if (is > 1 && is == t->scale) {
            /* a crop that is a whole multiple of the scale keeps INTER_AREA on its fast
             * integer path (see docs/performance.md) */
            fx0 -= fx0 % is;
            fy0 -= fy0 % is;
            fx1 -= (fx1 - fx0) % is;
            fy1 -= (fy1 - fy0) % is;
        }
        cv::Mat y(f->height, f->width, CV_8U, (void *)f->plane[0], (size_t)f->stride[0]);
        cv::Mat sub = y(cv::Rect(fx0, fy0, fx1 - fx0, fy1 - fy0));
        int rw = std::max(1, (int)std::lround((fx1 - fx0) / t->scale));
        int rhh = std::max(1, (int)std::lround((fy1 - fy0) / t->scale));
        if (t->scale > 1.0001)
            cv::resize(sub, t->roi, cv::Size(rw, rhh), 0, 0, cv::INTER_AREA);
        else
            sub.copyTo(t->roi);
        hd_marks m;
        track_one(t, t->roi, cv::Point2d(fx0 / t->scale, fy0 / t->scale), f->pts_us, f->seq,
                  &m);
        t->out.push_back(m);
        if (t->level_pending && (t->out.back().pts_us - t->out.front().pts_us) / 1e6 >= midset_s)
            midset_level(t, t->out.size());
        /* Lost for long (the camera moved, the scene changed, the person stepped away):
         * look for the step and the foot again. */
        if (m.conf <= 0 && t->lost_since >= 0 && tsec - t->lost_since > t->p.recalibrate_s) {
            HD_LOG(HD_LOG_DEBUG, "tracker: lost for %.1f s, calibrating again",
                   tsec - t->lost_since);
            reset_calibration(t, true);
        } else if (static_lock(t, f, tsec, &m)) {
            reset_calibration(t, true);
            t->saved.min_z = t->p.lock_comeback_z;
            t->saved.need_turn = true;
            t->midset = true;
            t->have_std = false; /* the standing pose was the wrong model's */
        }
        return HD_OK;
    }

    /* Calibrating: keep a work-scale copy, accumulate the mean and the motion. */
    Buffered b;
    to_work(t, f, b.img);
    b.pts = f->pts_us;
    b.seq = f->seq;
    if (t->sum.empty()) {
        t->sum = cv::Mat::zeros(t->wh, t->ww, CV_32F);
        t->msum = cv::Mat::zeros(t->wh, t->ww, CV_32F);
        double fps_guess = 30;
        t->lag_k = std::max(1, (int)std::lround(t->p.motion_gap_s * fps_guess));
        t->next_try_s = tsec + t->p.calib_min_s;
    }
    cv::accumulate(b.img, t->sum);
    t->nsum++;
    /* motion against the frame lag_k back, which the buffer already holds */
    if ((int)t->buf.size() >= t->lag_k) {
        cv::absdiff(b.img, t->buf[t->buf.size() - t->lag_k].img, t->diff8);
        cv::accumulate(t->diff8, t->msum);
        t->nmot++;
    }
    t->buf.push_back(std::move(b));

    if (t->buf.size() == 2) {
        /* now the frame interval is known: set the motion lag in frames */
        double dt = (t->buf[1].pts - t->buf[0].pts) / 1e6;
        if (dt > 0.001)
            t->lag_k = std::max(1, (int)std::lround(t->p.motion_gap_s / dt));
    }

    if (t->saved.valid) {
        /* the old foot model back when it matches clearly for a few frames in a row */
        double z = saved_match(t, t->buf.back().img);
        double need = std::max(t->p.min_appearance + 0.1, t->saved.min_z);
        t->saved.hits = z >= need ? t->saved.hits + 1 : 0;
        if (t->saved.hits >= 3) {
            HD_LOG(HD_LOG_DEBUG, "tracker: the last foot model matches again (%.2f)", z);
            swap_saved(t);
            t->saved.valid = false;
            t->sc.valid = true;
            t->tmpl_ok = true;
            t->shift_prev = 0;
            t->jump_frames = 0;
            t->calibrated = true;
            t->midset = false;
            t->hint = HD_HINT_NONE;
            flush_buffer_tracked(t);
            return HD_OK;
        }
    }
    if (tsec >= t->next_try_s) {
        /* Once the window is full, each failed attempt waits a little longer (up to 4 s),
         * so video where no foot is ever found does not cost a full calibration every
         * half second. */
        bool full = (t->buf.back().pts - t->buf.front().pts) / 1e6 > t->cfg.calib_max_s - 0.1 ||
                    t->buf.size() >= 240;
        t->next_try_s = tsec + std::min(4.0, t->p.calib_every_s * (1 + t->calib_failures));
        if (full)
            t->calib_failures++;
        if (try_calibrate(t) && finish_calibration(t)) {
            t->calib_failures = 0;
            return HD_OK;
        }
    }
    /* Give up on the oldest frames when the window is full: they are reported lost. */
    /* The window is calib_max_s long, and at most 240 frames (4 s at 60 fps), which
     * bounds its memory to 240 work-scale frames (55 MB at 640x360). */
    double span = (t->buf.back().pts - t->buf.front().pts) / 1e6;
    while ((span > t->cfg.calib_max_s || t->buf.size() > 240) && t->buf.size() > 1) {
        emit_uncalibrated(t, t->buf.front().pts, t->buf.front().seq);
        cv::Mat old;
        t->buf.front().img.convertTo(old, CV_32F);
        t->sum -= old;
        t->nsum--;
        t->buf.pop_front();
        span = (t->buf.back().pts - t->buf.front().pts) / 1e6;
    }
    return HD_OK;
}

/* ---------------------------------------------------------------- C API -------------- */

extern "C" {

void hd_tracker_cfg_default(hd_tracker_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->shoe_mm = 270;
    cfg->calib_max_s = 6;
}

hd_status hd_tracker_create(const hd_tracker_cfg *cfg, hd_tracker **out)
{
    *out = nullptr;
    try {
        if (!cfg || !(cfg->shoe_mm >= 100 && cfg->shoe_mm <= 400))
            return hd_fail(HD_ERR_INVALID, "shoe length must be between 100 and 400 mm");
        /* The decoder's threads already use every core; OpenCV's own worker threads on
         * the tracker's small images cost more in hand-offs than they save. */
        cv::setNumThreads(1);
        std::unique_ptr<hd_tracker> t(new hd_tracker());
        t->cfg = *cfg;
        if (t->cfg.calib_max_s <= 0)
            t->cfg.calib_max_s = 6;
        char path[4096];
        if (cfg->model_path && *cfg->model_path) {
            t->model_path = cfg->model_path;
        } else {
            hd_status st = hd_data_path("models/tracker.json", path, sizeof(path));
            if (st < 0) {
                std::string msg = hd_last_error(); /* hd_fail reuses that buffer */
                return hd_fail(HD_ERR_MODEL, "%s", msg.c_str());
            }
            t->model_path = path;
        }
        t->cfg.model_path = nullptr; /* not kept: the caller's string */
        t->dbg_trace = getenv("HD_TRACKER_TRACE") != nullptr;
        if (const char *e = getenv("HD_TRACKER_POLAR"))
            t->dbg_polar_s = atof(e);
        if (const char *e = getenv("HD_TRACKER_AT"))
            t->dbg_at_s = atof(e);
        hd_status st = load_params(t->model_path.c_str(), &t->p);
        if (st < 0)
            return st;
        t->cfg.calib_max_s = std::max(t->cfg.calib_max_s, t->p.calib_min_s + 0.5);
        *out = t.release();
        return HD_OK;
    } catch (const std::bad_alloc &) {
        return hd_fail(HD_ERR_NOMEM, "out of memory creating the tracker");
    } catch (const std::exception &e) {
        return hd_fail(HD_ERR_INTERNAL, "tracker: %s", e.what());
    }
}

hd_status hd_tracker_process(hd_tracker *t, const hd_frame *f)
{
    try {
        return process_frame(t, f);
    } catch (const std::bad_alloc &) {
        return hd_fail(HD_ERR_NOMEM, "out of memory in the tracker");
    } catch (const std::exception &e) {
        return hd_fail(HD_ERR_INTERNAL, "tracker: %s", e.what());
    }
}

hd_status hd_tracker_next(hd_tracker *t, hd_marks *out)
{
    if (t->out.empty() || t->level_pending)
        return HD_AGAIN;
    *out = t->out.front();
    t->out.pop_front();
    return HD_OK;
}

hd_status hd_tracker_finish(hd_tracker *t)
{
    try {
        if (!t->calibrated && !t->buf.empty()) {
            t->finishing = true;
            if (try_calibrate(t))
                finish_calibration(t);
        }
        if (t->level_pending)
            midset_level(t, t->out.size());
        for (Buffered &b : t->buf)
            emit_uncalibrated(t, b.pts, b.seq);
        t->buf.clear();
        return HD_OK;
    } catch (const std::bad_alloc &) {
        return hd_fail(HD_ERR_NOMEM, "out of memory in the tracker");
    } catch (const std::exception &e) {
        return hd_fail(HD_ERR_INTERNAL, "tracker: %s", e.what());
    }
}

void hd_tracker_recalibrate(hd_tracker *t)
{
    reset_calibration(t, false);
    t->have_std = false; /* the camera or the person may have moved: a new step level */
}

void hd_tracker_scene(const hd_tracker *t, hd_scene *scene)
{
    memset(scene, 0, sizeof(*scene));
    const Scene &sc = t->sc.valid ? t->sc : t->last_sc;
    if (!sc.valid)
        return;
    scene->valid = 1;
    /* the step line as far as it lies inside the picture */
    cv::Point2d a(sc.line[0], sc.line[1]), b(sc.line[2], sc.line[3]);
    double W = t->ww - 1.0, H = t->wh - 1.0;
    cv::Point2d d = b - a;
    double t0 = 0, t1 = 1;
    auto clip = [&](double p, double q) {
        /* Liang-Barsky: keep p*t <= q */
        if (std::fabs(p) < 1e-12)
            return q >= 0;
        double r = q / p;
        if (p < 0)
            t0 = std::max(t0, r);
        else
            t1 = std::min(t1, r);
        return t0 <= t1;
    };
    if (clip(-d.x, a.x) && clip(d.x, W - a.x) && clip(-d.y, a.y) && clip(d.y, H - a.y)) {
        b = a + d * t1;
        a = a + d * t0;
    }
    scene->step_edge[0] = a.x * t->scale;
    scene->step_edge[1] = a.y * t->scale;
    scene->step_edge[2] = b.x * t->scale;
    scene->step_edge[3] = b.y * t->scale;
    scene->pivot_x = sc.P.x * t->scale;
    scene->pivot_y = sc.P.y * t->scale;
    scene->heel_side = sc.u.x >= 0 ? 1 : -1;
    double mmpp = sc.toe > 0 ? t->cfg.shoe_mm / (sc.rh + sc.toe)
                             : t->cfg.shoe_mm * t->p.ball_ratio / sc.rh;
    scene->mm_per_px = mmpp / t->scale;
    scene->shoe_px = t->cfg.shoe_mm / scene->mm_per_px;
}

void hd_tracker_destroy(hd_tracker *t)
{
    delete t;
}

} /* extern "C" */
