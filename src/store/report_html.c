/* report_html.c - draws an hd_report as one self-contained HTML page (see report.h).
 *
 * Everything is inline: a <style> block, SVG plots drawn here, no script, no font or
 * link to fetch. Numbers are printed with fixed formats so that the same input gives the
 * same bytes (the golden test). Classes the browser test counts: .heel-plot .rep-mark
 * (one per rep), .tempo-plot .bar (one per rep or session).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "heeldrop/paths.h"
#include "heeldrop/report.h"

/* ---- a growing string --------------------------------------------------------------- */

typedef struct sb {
    char *p;
    size_t n, cap;
    int oom;
} sb;

static void sb_grow(sb *b, size_t more)
{
    size_t cap;
    char *p;
    if (b->oom || b->n + more + 1 <= b->cap)
        return;
    cap = b->cap ? b->cap : 16384;
    while (cap < b->n + more + 1)
        cap *= 2;
    p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void sb_printf(sb *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void sb_printf(sb *b, const char *fmt, ...)
{
    va_list ap;
    int len;
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return;
    sb_grow(b, (size_t)len);
    if (b->oom)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
}

static void sb_puts(sb *b, const char *s)
{
    size_t len = strlen(s);
    sb_grow(b, len);
    if (b->oom)
        return;
    memcpy(b->p + b->n, s, len + 1);
    b->n += len;
}

size_t hd_html_escape(char *buf, size_t size, const char *s)
{
    size_t n = 0;
    for (; s && *s; s++) {
        const char *rep = NULL;
        char one[2] = {*s, '\0'};
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            /* control characters other than tab and newline have no place in a page */
            rep = ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n') ? " " : one;
        }
        for (const char *r = rep; *r; r++, n++) {
            if (n + 1 < size)
                buf[n] = *r;
        }
    }
    if (size)
        buf[n < size ? n : size - 1] = '\0';
    return n;
}

/* Appends user text, escaped. */
static void sb_esc(sb *b, const char *s)
{
    size_t len = hd_html_escape(NULL, 0, s);
    sb_grow(b, len);
    if (b->oom)
        return;
    hd_html_escape(b->p + b->n, len + 1, s);
    b->n += len;
}

/* ---- words and numbers ---------------------------------------------------------------- */

static const struct {
    unsigned bit;
    const char *label;
} warn_labels[] = {
    {HD_WARN_TOO_FAST, "too fast"},   {HD_WARN_NO_HOLD, "no hold"},
    {HD_WARN_LONG_HOLD, "long hold"}, {HD_WARN_BOUNCE, "bounce"},
    {HD_WARN_BILATERAL, "two feet"},  {HD_WARN_PARTIAL, "partial"},
    {HD_WARN_UNCERTAIN, "uncertain"},
};
#define NWARN ((int)(sizeof(warn_labels) / sizeof(warn_labels[0])))

static void warn_explain(const hd_report *r, int i, char *buf, size_t size)
{
    switch (warn_labels[i].bit) {
    case HD_WARN_TOO_FAST:
        snprintf(buf, size, "lowering took under %.1f s (the target is %g&ndash;%g s)",
                 r->too_fast_s, r->target_lo_s, r->target_hi_s);
        break;
    case HD_WARN_NO_HOLD:
        if (r->insertional)
            snprintf(buf, size, "no pause at the bottom (hold under %.1f s)", r->min_hold_s);
        else
            snprintf(buf, size, "no pause below step level (hold under %.1f s, or the heel "
                                "did not go below the step)", r->min_hold_s);
        break;
    case HD_WARN_LONG_HOLD:
        snprintf(buf, size, "held longer than %.1f s at the bottom: the drop should not "
                            "become a hard stretch", r->long_hold_s);
        break;
    case HD_WARN_BOUNCE:
        snprintf(buf, size, "bounced at the bottom: a ballistic stretch instead of a "
                            "controlled hold");
        break;
    case HD_WARN_BILATERAL:
        snprintf(buf, size, "no foot was seen off the step while lowering: the drop was "
                            "probably on two feet");
        break;
    case HD_WARN_PARTIAL:
        snprintf(buf, size, "started from a clearly lower top than the rest of its set");
        break;
    default:
        snprintf(buf, size, "the heel was not seen clearly for part of the rep: check the "
                            "video before trusting its numbers");
        break;
    }
}

static void warn_list(const hd_rep *rep, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < NWARN; i++) {
        if (rep->warnings & warn_labels[i].bit)
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? ", " : "",
                                  warn_labels[i].label);
    }
}

static void fmt_time(char *buf, size_t size, int64_t t, const char *fmt)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!t || !localtime_r(&tt, &tm) || !strftime(buf, size, fmt, &tm))
        snprintf(buf, size, "unknown date");
}

static void fmt_clock(char *buf, size_t size, double s)
{
    if (!isfinite(s) || s < 0)
        s = 0;
    snprintf(buf, size, "%d:%04.1f", (int)(s / 60), fmod(s, 60.0));
}

static void fmt_duration(char *buf, size_t size, double s)
{
    if (!isfinite(s) || s <= 0)
        snprintf(buf, size, "&ndash;");
    else if (s < 60)
        snprintf(buf, size, "%.0f s", s);
    else
        snprintf(buf, size, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60.0));
}

/* A step for about `want` ticks over span: 1, 2 or 5 times a power of ten. */
static double nice_step(double span, int want)
{
    double raw = span / (want > 0 ? want : 1), p = pow(10, floor(log10(raw)));
    double m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* ---- plot frame ------------------------------------------------------------------------ */

typedef struct axes {
    double x0, x1, y0, y1;   /* data range */
    double l, r, t, b;       /* pixel box */
} axes;

static double ax_x(const axes *a, double x)
{
    return a->l + (x - a->x0) / (a->x1 - a->x0) * (a->r - a->l);
}

static double ax_y(const axes *a, double y)
{
    return a->b - (y - a->y0) / (a->y1 - a->y0) * (a->b - a->t);
}

/* Horizontal grid lines with labels on the left, and the y axis title. */
static void draw_y_grid(sb *b, const axes *a, int want, const char *unit, const char *title)
{
    double step = nice_step(a->y1 - a->y0, want);
    for (double v = ceil(a->y0 / step) * step; v <= a->y1 + 1e-9; v += step) {
        double y = ax_y(a, v);
        sb_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                  a->l, y, a->r, y);
        sb_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g%s</text>",
                  a->l - 6, y + 4, fabs(v) < 1e-9 ? 0.0 : v, unit);
    }
    if (title)
        sb_printf(b, "<text class=\"axis-title\" transform=\"translate(12 %.1f) rotate(-90)\" "
                     "text-anchor=\"middle\">%s</text>", (a->t + a->b) / 2, title);
}

/* ---- heel height over time ------------------------------------------------------------ */

static void draw_heel_path(sb *b, const axes *a, const hd_trace_row *tr, int64_t n)
{
    int cols = (int)(a->r - a->l);
    int pen = 0;

    sb_puts(b, "<path class=\"heel\" d=\"");
    if (n <= 2 * cols) {
        for (int64_t i = 0; i < n; i++) {
            if (!isfinite(tr[i].heel_mm) || tr[i].conf <= 0) {
                pen = 0;
                continue;
            }
            sb_printf(b, "%c%.1f %.1f", pen ? 'L' : 'M', ax_x(a, tr[i].t),
                      ax_y(a, tr[i].heel_mm));
            pen = 1;
        }
    } else {
        /* long sessions: the lowest and highest value of each pixel column keep the shape
         * (every drop still reaches its depth) at a fixed size */
        int64_t i = 0;
        for (int c = 0; c < cols; c++) {
            double tc = a->x0 + (c + 1.0) / cols * (a->x1 - a->x0);
            float lo = INFINITY, hi = -INFINITY;
            int lo_first = 1;
            for (; i < n && tr[i].t <= tc; i++) {
                if (!isfinite(tr[i].heel_mm) || tr[i].conf <= 0)
                    continue;
                if (tr[i].heel_mm < lo) {
                    lo = tr[i].heel_mm;
                    lo_first = hi == -INFINITY;
                }
                if (tr[i].heel_mm > hi)
                    hi = tr[i].heel_mm;
            }
            if (lo == INFINITY) {
                pen = 0;
                continue;
            }
            double x = a->l + c + 0.5;
            double ya = ax_y(a, lo_first ? lo : hi), yb = ax_y(a, lo_first ? hi : lo);
            sb_printf(b, "%c%.1f %.1fL%.1f %.1f", pen ? 'L' : 'M', x, ya, x, yb);
            pen = 1;
        }
    }
    sb_puts(b, "\"/>");
}

/* One heel plot over [t0, t1] with the reps of one set (set 0: all reps). */
static void heel_plot_span(sb *b, const hd_report_session *s, int w, int h, double t0,
                           double t1, int set)
{
    const hd_summary *sum = &s->summary;
    double ymin = -10, ymax = 30, last_label = -1e9;
    int64_t i0 = 0, i1;
    axes a;
    char buf[64];

    while (i0 < s->ntrace && s->trace[i0].t < t0)
        i0++;
    for (i1 = i0; i1 < s->ntrace && s->trace[i1].t <= t1; i1++) {
        float v = s->trace[i1].heel_mm;
        if (!isfinite(v) || s->trace[i1].conf <= 0)
            continue;
        ymin = v < ymin ? v : ymin;
        ymax = v > ymax ? v : ymax;
    }
    if (t1 <= t0)
        t1 = t0 + 1;
    a.x0 = t0;
    a.x1 = t1;
    a.y0 = floor((ymin - 5) / 10) * 10;
    a.y1 = ceil((ymax + 8) / 10) * 10;
    a.l = 54;
    a.r = w - 14;
    a.t = 22;
    a.b = h - 34;

    sb_printf(b, "<svg class=\"plot heel-plot\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                 "role=\"img\" aria-label=\"Heel height over time\">", w, h, w, h);
    sb_printf(b, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
              a.l, a.t, a.r - a.l, a.b - a.t);
    /* below the step: the zone the drop should reach */
    sb_printf(b, "<rect class=\"below\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
              a.l, ax_y(&a, 0), a.r - a.l, a.b - ax_y(&a, 0));
    for (int i = 0; i < sum->nreps; i++) {
        const hd_rep *rep = &sum->reps[i];
        double x0 = ax_x(&a, rep->t_descent_start), x1 = ax_x(&a, rep->t_top);
        double xb = ax_x(&a, rep->t_bottom), xh = ax_x(&a, rep->t_hold_end);
        char wl[160];
        if (set && rep->set != set)
            continue;
        warn_list(rep, wl, sizeof(wl));
        sb_printf(b, "<g class=\"rep-mark %s\" data-rep=\"%d\"><title>Rep %d: descent %.1f s, "
                     "hold %.1f s, depth %.0f mm%s%s</title>",
                  rep->warnings ? "warn" : "ok", rep->index, rep->index, rep->descent_s,
                  rep->hold_s, rep->depth_mm, rep->warnings ? " &ndash; " : "", wl);
        sb_printf(b, "<rect class=\"rep-span\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                     "height=\"%.1f\"/>", x0, a.t, x1 - x0 > 1 ? x1 - x0 : 1, a.b - a.t);
        if (xh > xb)
            sb_printf(b, "<rect class=\"rep-hold\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                         "height=\"%.1f\"/>", xb, a.t, xh - xb, a.b - a.t);
        /* numbers only where they do not run into each other */
        if ((x0 + x1) / 2 - last_label >= 16) {
            last_label = (x0 + x1) / 2;
            sb_printf(b, "<text class=\"rep-num\" x=\"%.1f\" y=\"%.1f\" "
                         "text-anchor=\"middle\">%d</text>", last_label, a.t - 7, rep->index);
        }
        sb_puts(b, "</g>");
    }
    draw_y_grid(b, &a, 6, "", "heel height (mm)");
    {
        double step = nice_step(t1 - t0, 10);
        for (double t = ceil(t0 / step) * step; t <= t1 + 1e-9; t += step) {
            double x = ax_x(&a, t);
            if (t1 >= 120)
                snprintf(buf, sizeof(buf), "%d:%02d", (int)(t / 60), (int)fmod(t, 60));
            else
                snprintf(buf, sizeof(buf), "%g s", t);
            sb_printf(b, "<line class=\"xtick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                         "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
                         "</text>", x, a.b, x, a.b + 4, x, a.b + 18, buf);
        }
    }
    draw_heel_path(b, &a, s->trace + i0, i1 - i0);
    sb_printf(b, "<line class=\"step\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", a.l,
              ax_y(&a, 0), a.r, ax_y(&a, 0));
    sb_printf(b, "<text class=\"step-label lab\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">step "
                 "level</text>", a.r - 4, ax_y(&a, 0) - 5);
    sb_puts(b, "</svg>");
}

#define HEEL_SPLIT_S 150.0 /* longer sessions get one plot per set */

/* The heel height over the whole session, or one plot per set when the session is long
 * enough for one plot to turn into a blur. Returns 1 when a plot was drawn, 0 when the
 * session has no trace. */
static int heel_plot(sb *b, const hd_report *r, const hd_report_session *s, int w, int h)
{
    const hd_summary *sum = &s->summary;
    double tmax;
    int sets = 0;
    char clk[32];

    (void)r;
    if (!s->trace || s->ntrace < 2) {
        sb_puts(b, "<p class=\"muted\">No heel trace was saved for this session, so the "
                   "height plot is missing; the rep figures below are complete.</p>");
        return 0;
    }
    tmax = s->trace[s->ntrace - 1].t;
    for (int i = 0; i < sum->nreps; i++) {
        tmax = sum->reps[i].t_top > tmax ? sum->reps[i].t_top : tmax;
        sets = sum->reps[i].set > sets ? sum->reps[i].set : sets;
    }
    if (tmax <= 0)
        tmax = 1;
    if (tmax <= HEEL_SPLIT_S || sets < 2) {
        heel_plot_span(b, s, w, h, 0, tmax, 0);
        return 1;
    }
    for (int k = 1; k <= sets; k++) {
        double t0 = 1e300, t1 = -1e300;
        int n = 0;
        for (int i = 0; i < sum->nreps; i++) {
            if (sum->reps[i].set != k)
                continue;
            t0 = sum->reps[i].t_descent_start < t0 ? sum->reps[i].t_descent_start : t0;
            t1 = sum->reps[i].t_top > t1 ? sum->reps[i].t_top : t1;
            n++;
        }
        if (!n)
            continue;
        t0 = t0 - 3 > 0 ? t0 - 3 : 0;
        t1 = t1 + 3 < tmax ? t1 + 3 : tmax;
        fmt_clock(clk, sizeof(clk), t0);
        sb_printf(b, "<h3>Set %d &middot; %d rep%s &middot; from %s</h3>", k, n,
                  n == 1 ? "" : "s", clk);
        heel_plot_span(b, s, w, h * 3 / 4, t0, t1, k);
    }
    return 1;
}

/* ---- bar charts against a target band -------------------------------------------------- */

typedef struct bars {
    const char *cls;          /* extra class of the svg */
    const char *y_title, *unit;
    const double *v;          /* NaN: no bar */
    const double *lo, *hi;    /* optional whiskers (min..max) */
    const char (*labels)[24]; /* x labels; NULL: 1..n */
    const char (*tips)[96];   /* tooltips; NULL: none */
    int n;
    double band_lo, band_hi;  /* the target band; hi <= lo: none */
    const char *band_label;
    double warn;              /* a dashed line (<= 0: none) */
    const char *warn_label;
    double goal;              /* a target line (<= 0: none), e.g. the programme's reps */
    const char *goal_label;
    double y_top;             /* the axis reaches at least this */
    int w, h;
    int colour;               /* 1: colour bars by band (below warn bad, in band good) */
    const char *vfmt;         /* value label format */
} bars;

static void bar_chart(sb *b, const bars *c)
{
    double top = c->y_top, slot, bw;
    int label_every;
    axes a;

    for (int i = 0; i < c->n; i++) {
        double v = c->hi ? c->hi[i] : c->v[i];
        if (isfinite(v) && v > top)
            top = v;
    }
    if (c->goal > top)
        top = c->goal;
    a.x0 = 0;
    a.x1 = c->n > 0 ? c->n : 1;
    a.y0 = 0;
    a.y1 = top * 1.12;
    a.l = 44;
    a.r = c->w - 10;
    a.t = 14;
    a.b = c->h - 30;
    slot = (a.r - a.l) / a.x1;
    bw = slot * 0.62 > 46 ? 46 : slot * 0.62;
    /* x labels at least ~30 px apart */
    label_every = slot >= 30 ? 1 : (int)ceil(30 / slot);

    sb_printf(b, "<svg class=\"plot %s\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                 "role=\"img\">", c->cls, c->w, c->h, c->w, c->h);
    sb_printf(b, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
              a.l, a.t, a.r - a.l, a.b - a.t);
    if (c->band_hi > c->band_lo) {
        double y1 = ax_y(&a, c->band_hi > a.y1 ? a.y1 : c->band_hi), y0 = ax_y(&a, c->band_lo);
        sb_printf(b, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                     "<title>%s</title></rect>", a.l, y1, a.r - a.l, y0 - y1,
                  c->band_label ? c->band_label : "target");
    }
    draw_y_grid(b, &a, 5, c->unit, c->y_title);
    if (c->warn > 0)
        sb_printf(b, "<line class=\"warn-line\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                  a.l, ax_y(&a, c->warn), a.r, ax_y(&a, c->warn));
    for (int i = 0; i < c->n; i++) {
        double v = c->v[i], xc = a.l + (i + 0.5) * slot;
        const char *zone = c->colour ? "mid" : "plain";
        char lab[24];
        if (c->labels)
            snprintf(lab, sizeof(lab), "%s", c->labels[i]);
        else
            snprintf(lab, sizeof(lab), "%d", i + 1);
        if (i % label_every == 0) {
            /* "a|b" is a label on two lines (a date under narrow bars) */
            char *bar = strchr(lab, '|');
            if (bar) {
                *bar = '\0';
                sb_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
                             "text-anchor=\"middle\">%s<tspan x=\"%.1f\" dy=\"12\">%s</tspan>"
                             "</text>", xc, a.b + 13, lab, xc, bar + 1);
            } else {
                sb_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
                             "text-anchor=\"middle\">%s</text>", xc, a.b + 16, lab);
            }
        }
        if (!isfinite(v))
            continue;
        if (c->colour) {
            if (c->warn > 0 && v < c->warn)
                zone = "bad";
            else if (v >= c->band_lo && v <= c->band_hi)
                zone = "good";
        }
        sb_printf(b, "<g class=\"bar %s\" data-i=\"%d\">", zone, i + 1);
        if (c->tips)
            sb_printf(b, "<title>%s</title>", c->tips[i]);
        sb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"2\"/>",
                  xc - bw / 2, ax_y(&a, v), bw, a.b - ax_y(&a, v) > 0.5 ? a.b - ax_y(&a, v)
                                                                        : 0.5);
        if (c->lo && c->hi && isfinite(c->lo[i]) && isfinite(c->hi[i]))
            sb_printf(b, "<line class=\"whisker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                         "y2=\"%.1f\"/>", xc, ax_y(&a, c->lo[i]), xc, ax_y(&a, c->hi[i]));
        if (c->vfmt && c->n <= 30) {
            char val[32];
            snprintf(val, sizeof(val), c->vfmt, v);
            sb_printf(b, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
                         "</text>", xc, ax_y(&a, c->hi && isfinite(c->hi[i]) ? c->hi[i] : v) - 4,
                      val);
        }
        sb_puts(b, "</g>");
    }
    /* labels last, with a white halo, so that bars never hide them */
    if (c->band_hi > c->band_lo && c->band_label)
        sb_printf(b, "<text class=\"band-label lab\" x=\"%.1f\" y=\"%.1f\" "
                     "text-anchor=\"end\">%s</text>", a.r - 4,
                  ax_y(&a, c->band_hi > a.y1 ? a.y1 : c->band_hi) - 4, c->band_label);
    if (c->warn > 0 && c->warn_label)
        sb_printf(b, "<text class=\"warn-label lab\" x=\"%.1f\" y=\"%.1f\" "
                     "text-anchor=\"end\">%s</text>", a.r - 4, ax_y(&a, c->warn) + 13,
                  c->warn_label);
    if (c->goal > 0) {
        sb_printf(b, "<line class=\"goal-line\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                     "y2=\"%.1f\"/>", a.l, ax_y(&a, c->goal), a.r, ax_y(&a, c->goal));
        if (c->goal_label)
            sb_printf(b, "<text class=\"goal-label lab\" x=\"%.1f\" y=\"%.1f\">%s</text>",
                      a.l + 4, ax_y(&a, c->goal) - 4, c->goal_label);
    }
    sb_puts(b, "</svg>");
}

/* ---- page parts ----------------------------------------------------------------------- */

static const char *css =
    ":root{--ink:#1f2d3a;--muted:#5f6f7c;--line:#d9e1e7;--bg:#f3f6f8;--card:#fff;"
    "--accent:#0f766e;--good:#2a9d8f;--mid:#e3a33b;--bad:#cf4a5c;}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'DejaVu Sans','Helvetica Neue',Arial,sans-serif}"
    "main{max-width:980px;margin:0 auto;padding:28px 24px 40px}"
    "header.top{border-bottom:3px solid var(--accent);padding-bottom:14px;margin-bottom:18px}"
    ".brand{color:var(--accent);font-weight:700;letter-spacing:.06em;text-transform:uppercase;"
    "font-size:12px}"
    "h1{font-size:26px;margin:4px 0 2px}h2{font-size:18px;margin:0 0 10px;color:var(--accent)}"
    "h3{font-size:15px;margin:14px 0 6px}"
    ".sub{color:var(--muted);margin:0}"
    "section{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:16px 18px;margin:0 0 16px;break-inside:avoid}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px;"
    "background:none;border:0;padding:0}"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:10px 14px}"
    ".card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}"
    ".card .v{font-size:24px;font-weight:700}.card .s{color:var(--muted);font-size:12px}"
    ".card.good .v{color:var(--good)}.card.bad .v{color:var(--bad)}.card.mid .v{color:#b7791f}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}"
    "dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}"
    "table{border-collapse:collapse;width:100%;font-size:14px}"
    "th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:right;"
    "vertical-align:top}"
    "th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;"
    "letter-spacing:.03em}"
    "td.l,th.l{text-align:left}tr.warn td.w{color:#a0522d}tr.ok td.w{color:var(--good)}"
    ".muted{color:var(--muted)}.note{white-space:pre-wrap}"
    ".caution{background:#fff6e5;border-left:4px solid var(--mid);padding:8px 12px;"
    "margin:10px 0 0}"
    ".pill{display:inline-block;border-radius:9px;padding:0 8px;font-size:12px;"
    "background:#e8eef2;margin:1px 2px}"
    ".pill.warn{background:#fdebd3}.pill.ok{background:#dff3ef}"
    ".plot{display:block;width:100%;height:auto;max-width:100%}"
    ".plots1{display:grid;grid-template-columns:1fr;gap:14px}"
    ".plots2{display:grid;grid-template-columns:1fr 1fr;gap:14px}"
    ".plots3{display:grid;grid-template-columns:1fr 1fr 1fr;gap:12px}"
    "@media (max-width:700px){.plots2,.plots3{grid-template-columns:1fr}}"
    ".plot .frame{fill:#fbfcfd;stroke:var(--line)}.plot .grid{stroke:#e7ecf0}"
    ".plot .tick{fill:var(--muted);font-size:11px}.plot .axis-title{fill:var(--muted);"
    "font-size:11px}"
    ".plot .xtick{stroke:#9aa9b5}.plot .below{fill:#eef3f7}"
    ".plot .step{stroke:#34495e;stroke-width:1.5;stroke-dasharray:6 4}"
    ".plot .lab{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}"
    ".plot .step-label{fill:#34495e;font-size:11px;font-weight:600}"
    ".plot .heel{fill:none;stroke:#1d4e89;stroke-width:1.6;stroke-linejoin:round}"
    ".plot .rep-mark.ok .rep-span{fill:#2a9d8f;fill-opacity:.13}"
    ".plot .rep-mark.warn .rep-span{fill:#e3a33b;fill-opacity:.18}"
    ".plot .rep-hold{fill:#1f2d3a;fill-opacity:.07}"
    ".plot .rep-num{fill:var(--muted);font-size:10px}"
    ".plot .band{fill:#2a9d8f;fill-opacity:.16}.plot .band-label{fill:#1f7a6f;font-size:11px}"
    ".plot .warn-line{stroke:var(--bad);stroke-dasharray:4 3}"
    ".plot .warn-label{fill:var(--bad);font-size:11px}"
    ".plot .goal-line{stroke:var(--accent);stroke-width:1.5;stroke-dasharray:7 4}"
    ".plot .goal-label{fill:var(--accent);font-size:11px;font-weight:600}"
    ".plot .bar rect{fill:#8aa4b8}.plot .bar.plain rect{fill:#4f7cac}"
    ".plot .bar.good rect{fill:var(--good)}"
    ".plot .bar.mid rect{fill:var(--mid)}.plot .bar.bad rect{fill:var(--bad)}"
    ".plot .whisker{stroke:#1f2d3a;stroke-width:1.2}.plot .val{fill:var(--ink);font-size:10px}"
    ".legend{color:var(--muted);font-size:12px;margin:6px 0 0}"
    ".sw{display:inline-block;width:11px;height:11px;border-radius:2px;vertical-align:-1px;"
    "margin:0 4px 0 10px}"
    "details{margin:6px 0}summary{cursor:pointer;font-weight:600}"
    "footer{color:var(--muted);font-size:12px;margin-top:18px}"
    "@media print{body{background:#fff}main{padding:0}section{border-color:#bbb}"
    "details{display:block}}";

static double mean_of(const hd_summary *s, int field, int *count)
{
    double sum = 0;
    int n = 0;
    for (int i = 0; i < s->nreps; i++) {
        const hd_rep *r = &s->reps[i];
        double v = field == 0 ? r->descent_s : field == 1 ? r->hold_s : r->depth_mm;
        if (isfinite(v)) {
            sum += v;
            n++;
        }
    }
    if (count)
        *count = n;
    return n ? sum / n : NAN;
}

typedef struct totals {
    int reps, valid, sets, warned, warn_counts[NWARN];
    int legs_left, legs_right, legs_other;
    double descent_sum, hold_sum, depth_sum;
    int nd, nh, ndp;
} totals;

static void add_totals(totals *t, const hd_report_session *s)
{
    int max_set = 0;
    for (int i = 0; i < s->summary.nreps; i++) {
        const hd_rep *r = &s->summary.reps[i];
        const char *leg = s->legs ? s->legs[i] : "";
        t->reps++;
        t->valid += r->warnings == 0;
        t->warned += r->warnings != 0;
        max_set = r->set > max_set ? r->set : max_set;
        for (int k = 0; k < NWARN; k++)
            t->warn_counts[k] += (r->warnings & warn_labels[k].bit) != 0;
        if (strcmp(leg, "left") == 0)
            t->legs_left++;
        else if (strcmp(leg, "right") == 0)
            t->legs_right++;
        else
            t->legs_other++;
        if (isfinite(r->descent_s)) {
            t->descent_sum += r->descent_s;
            t->nd++;
        }
        if (isfinite(r->hold_s)) {
            t->hold_sum += r->hold_s;
            t->nh++;
        }
        if (isfinite(r->depth_mm)) {
            t->depth_sum += r->depth_mm;
            t->ndp++;
        }
    }
    t->sets += max_set;
}

static void card(sb *b, const char *cls, const char *k, const char *v, const char *s)
{
    sb_printf(b, "<div class=\"card %s\"><div class=\"k\">%s</div><div class=\"v\">%s</div>"
                 "<div class=\"s\">%s</div></div>", cls, k, v, s);
}

static void cards(sb *b, const hd_report *r, const totals *t, int pain)
{
    char v[64], s[160];
    double md = t->nd ? t->descent_sum / t->nd : NAN;
    double mh = t->nh ? t->hold_sum / t->nh : NAN;
    double mdp = t->ndp ? t->depth_sum / t->ndp : NAN;
    int nw = 0;

    sb_puts(b, "<section class=\"cards\">");
    snprintf(v, sizeof(v), "%d", t->reps);
    if (t->legs_left || t->legs_right)
        snprintf(s, sizeof(s), "%d valid &middot; left %d, right %d", t->valid, t->legs_left,
                 t->legs_right);
    else
        snprintf(s, sizeof(s), "%d valid &middot; %d set%s", t->valid, t->sets,
                 t->sets == 1 ? "" : "s");
    card(b, "", "Reps", v, s);
    if (isfinite(md))
        snprintf(v, sizeof(v), "%.1f s", md);
    else
        snprintf(v, sizeof(v), "&ndash;");
    snprintf(s, sizeof(s), "mean lowering time; target %g&ndash;%g s", r->target_lo_s,
             r->target_hi_s);
    card(b, !isfinite(md) ? "" : md < r->too_fast_s ? "bad" : md < r->target_lo_s ? "mid" : "good",
         "Descent", v, s);
    if (isfinite(mh))
        snprintf(v, sizeof(v), "%.1f s", mh);
    else
        snprintf(v, sizeof(v), "&ndash;");
    snprintf(s, sizeof(s), "mean pause at the bottom; %g&ndash;%g s", r->min_hold_s,
             r->long_hold_s);
    card(b, "", "Hold", v, s);
    if (isfinite(mdp))
        snprintf(v, sizeof(v), "%.0f mm", mdp);
    else
        snprintf(v, sizeof(v), "&ndash;");
    card(b, "", "Depth", v, "mean drop below step level");
    for (int k = 0; k < NWARN; k++)
        nw += t->warn_counts[k];
    snprintf(v, sizeof(v), "%d", nw);
    snprintf(s, sizeof(s), "on %d of %d reps", t->warned, t->reps);
    card(b, nw ? "mid" : "good", "Warnings", v, s);
    if (r->week && r->npain > 0) {
        int worst = 0;
        double sum = 0;
        for (int i = 0; i < r->npain; i++) {
            worst = r->pain[i].value > worst ? r->pain[i].value : worst;
            sum += r->pain[i].value;
        }
        snprintf(v, sizeof(v), "%d/10", worst);
        snprintf(s, sizeof(s), "worst of %d entr%s; mean %.1f", r->npain,
                 r->npain == 1 ? "y" : "ies", sum / r->npain);
        card(b, worst > 5 ? "bad" : "", "Pain", v, s);
    } else if (pain >= 0) {
        snprintf(v, sizeof(v), "%d/10", pain);
        card(b, pain > 5 ? "bad" : "", "Pain", v, "logged after the session");
    } else if (!r->has_db) {
        card(b, "", "Pain", "&ndash;", "not available without the database");
    } else {
        card(b, "", "Pain", "&ndash;", "not logged");
    }
    sb_puts(b, "</section>");
}

static void session_facts(sb *b, const hd_report_session *s)
{
    char buf[128];

    sb_puts(b, "<section><h2>Session</h2><dl class=\"facts\">");
    fmt_time(buf, sizeof(buf), s->start_time, "%A %d %B %Y, %H:%M");
    sb_printf(b, "<dt>Date</dt><dd>%s</dd>", s->start_time ? buf : "not recorded (analysis "
                                                                   "of a saved video)");
    fmt_duration(buf, sizeof(buf), s->duration_s);
    sb_printf(b, "<dt>Duration</dt><dd>%s</dd>", buf);
    sb_puts(b, "<dt>Recorded from</dt><dd>");
    if (strcmp(s->source_kind, "camera") == 0)
        sb_puts(b, "live camera");
    else if (strcmp(s->source_kind, "file") == 0 || strcmp(s->kind, "analysis") == 0)
        sb_puts(b, "a saved video");
    else
        sb_puts(b, "&ndash;");
    if (s->source[0]) {
        sb_puts(b, " <span class=\"muted\">(");
        sb_esc(b, s->source);
        sb_puts(b, ")</span>");
    }
    sb_puts(b, "</dd><dt>Session</dt><dd>");
    if (s->uid[0])
        sb_esc(b, s->uid);
    else
        sb_puts(b, "&ndash;");
    if (s->status[0] && strcmp(s->status, "done") != 0) {
        sb_puts(b, " <span class=\"pill warn\">");
        sb_esc(b, s->status);
        sb_puts(b, "</span>");
    }
    sb_puts(b, "</dd>");
    if (s->near_leg[0]) {
        sb_puts(b, "<dt>Camera side</dt><dd>");
        sb_esc(b, s->near_leg);
        sb_puts(b, " leg nearest the camera</dd>");
    }
    if (s->knee[0]) {
        sb_puts(b, "<dt>Knee</dt><dd>");
        sb_esc(b, s->knee);
        sb_puts(b, strcmp(s->knee, "bent") == 0 ? " (soleus)</dd>" : " (gastrocnemius)</dd>");
    }
    if (s->load_kg > 0)
        sb_printf(b, "<dt>Added load</dt><dd>%.1f kg</dd>", s->load_kg);
    if (s->note[0]) {
        sb_puts(b, "<dt>Note</dt><dd class=\"note\">");
        sb_esc(b, s->note);
        sb_puts(b, "</dd>");
    }
    sb_puts(b, "</dl>");
    if (s->load_kg > 0) {
        sb_puts(b, "<p class=\"caution\">");
        sb_esc(b, hd_programme_load_caution());
        sb_puts(b, "</p>");
    }
    sb_puts(b, "</section>");
}

static void rep_table(sb *b, const hd_report_session *s)
{
    char t0[32], wl[200];

    if (s->summary.nreps == 0) {
        sb_puts(b, "<p class=\"muted\">No reps were found.</p>");
        return;
    }
    sb_puts(b, "<table class=\"reps\"><thead><tr><th>#</th><th>Set</th><th class=\"l\">Leg</th>"
               "<th>Starts at</th><th>Descent</th><th>Hold</th><th>Rise</th><th>Depth</th>"
               "<th class=\"l\">Warnings</th></tr></thead><tbody>");
    for (int i = 0; i < s->summary.nreps; i++) {
        const hd_rep *r = &s->summary.reps[i];
        fmt_clock(t0, sizeof(t0), r->t_descent_start);
        warn_list(r, wl, sizeof(wl));
        sb_printf(b, "<tr class=\"%s\"><td>%d</td><td>%d</td><td class=\"l\">", r->warnings
                                                                                  ? "warn"
                                                                                  : "ok",
                  r->index, r->set);
        sb_esc(b, s->legs ? s->legs[i] : "");
        sb_printf(b, "</td><td>%s</td><td>%.1f s</td><td>%.1f s</td><td>%.1f s</td>"
                     "<td>%.0f mm</td><td class=\"l w\">%s</td></tr>",
                  t0, r->descent_s, r->hold_s, r->rise_s, r->depth_mm, r->warnings ? wl : "ok");
    }
    sb_puts(b, "</tbody></table>");
}

static void tempo_plots(sb *b, const hd_report *r, const hd_report_session *s)
{
    int n = s->summary.nreps;
    double *d = calloc(n > 0 ? (size_t)n : 1, sizeof(double) * 2);
    char(*tips)[96] = calloc(n > 0 ? (size_t)n : 1, sizeof(*tips));
    char band[64], warn[64], hband[64];
    bars c;

    if (!d || !tips) {
        free(d);
        free(tips);
        b->oom = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        d[i] = s->summary.reps[i].descent_s;
        d[n + i] = s->summary.reps[i].hold_s;
        snprintf(tips[i], sizeof(tips[i]), "Rep %d: descent %.1f s, hold %.1f s",
                 s->summary.reps[i].index, d[i], d[n + i]);
    }
    snprintf(band, sizeof(band), "target %g&ndash;%g s", r->target_lo_s, r->target_hi_s);
    snprintf(warn, sizeof(warn), "too fast &lt; %g s", r->too_fast_s);
    snprintf(hband, sizeof(hband), "%g&ndash;%g s", r->min_hold_s, r->long_hold_s);
    sb_printf(b, "<div class=\"%s\"><div><h3>Descent (lowering) time per rep</h3>"
                 "<p class=\"legend\">green band: %s; dashed line: %s</p>",
              n > 24 ? "plots1" : "plots2", band, warn);
    memset(&c, 0, sizeof(c));
    c.cls = "tempo-plot descent-plot";
    c.y_title = "seconds";
    c.unit = "";
    c.v = d;
    c.tips = (const char(*)[96])tips;
    c.n = n;
    c.band_lo = r->target_lo_s;
    c.band_hi = r->target_hi_s;
    c.band_label = NULL;
    c.warn = r->too_fast_s;
    c.warn_label = NULL;
    c.y_top = r->target_hi_s + 0.5;
    c.w = n > 24 ? 920 : 460; /* many reps: one chart per row */
    c.h = 230;
    c.colour = 1;
    c.vfmt = "%.1f";
    bar_chart(b, &c);
    sb_printf(b, "</div><div><h3>Hold at the bottom per rep</h3><p class=\"legend\">green band: "
                 "%s; dashed line: the shortest hold that counts</p>", hband);
    c.cls = "tempo-plot hold-plot";
    c.v = d + n;
    c.band_lo = r->min_hold_s;
    c.band_hi = r->long_hold_s;
    c.band_label = NULL;
    c.warn = r->min_hold_s;
    c.warn_label = NULL;
    c.y_top = r->long_hold_s + 0.5;
    bar_chart(b, &c);
    sb_puts(b, "</div></div>");
    sb_printf(b, "<p class=\"legend\">Bars:<span class=\"sw\" style=\"background:#2a9d8f\">"
                 "</span>inside the target<span class=\"sw\" style=\"background:#e3a33b\">"
                 "</span>outside it<span class=\"sw\" style=\"background:#cf4a5c\"></span>"
                 "too fast / no hold.</p>");
    free(d);
    free(tips);
}

static void warnings_section(sb *b, const hd_report *r, const totals *t)
{
    char ex[256];
    int any = 0;

    sb_puts(b, "<section><h2>Warnings</h2>");
    for (int k = 0; k < NWARN; k++)
        any |= t->warn_counts[k] != 0;
    if (!any) {
        sb_printf(b, "<p>No warnings: every rep met the form rules.</p></section>");
        return;
    }
    sb_puts(b, "<table><thead><tr><th class=\"l\">Warning</th><th>Reps</th>"
               "<th class=\"l\">What it means</th></tr></thead><tbody>");
    for (int k = 0; k < NWARN; k++) {
        if (!t->warn_counts[k])
            continue;
        warn_explain(r, k, ex, sizeof(ex));
        sb_printf(b, "<tr><td class=\"l\"><span class=\"pill warn\">%s</span></td><td>%d</td>"
                     "<td class=\"l\">%s</td></tr>", warn_labels[k].label, t->warn_counts[k],
                  ex);
    }
    sb_puts(b, "</tbody></table></section>");
}

static void pain_section(sb *b, const hd_report *r)
{
    char when[64];

    sb_puts(b, "<section><h2>Pain</h2>");
    if (!r->has_db) {
        sb_puts(b, "<p class=\"muted\">Pain entries are not available: ");
        sb_esc(b, r->no_db_reason);
        sb_puts(b, ".</p></section>");
        return;
    }
    if (r->npain == 0) {
        sb_printf(b, "<p class=\"muted\">No pain entries were logged %s.</p>",
                  r->week ? "in these 7 days" : "around this session");
    } else {
        sb_puts(b, "<table><thead><tr><th class=\"l\">When</th><th>Pain</th>"
                   "<th class=\"l\">Rating</th><th class=\"l\">Note</th></tr></thead><tbody>");
        for (int i = 0; i < r->npain; i++) {
            const hd_db_pain_row *p = &r->pain[i];
            fmt_time(when, sizeof(when), p->t, "%a %d %b, %H:%M");
            sb_printf(b, "<tr%s><td class=\"l\">%s</td><td><b>%d</b>/10</td><td class=\"l\">%s"
                         "</td><td class=\"l note\">", p->value > 5 ? " class=\"warn\"" : "",
                      when, p->value, p->morning ? "next morning" : "during / after exercise");
            sb_esc(b, p->note);
            sb_puts(b, "</td></tr>");
        }
        sb_puts(b, "</tbody></table>");
    }
    sb_puts(b, "<p class=\"legend\">Pain-monitoring model (Silbernagel et al. 2007): pain up to "
               "5/10 during the exercise is acceptable; pain and stiffness the next morning "
               "should not be worse than before, and soreness should settle within 24 h.</p>");
    sb_puts(b, "</section>");
}

/* Reps a week the plan asks for: per leg per session x legs x sessions a week. */
static double weekly_goal(const hd_target *t)
{
    int legs = strcmp(t->legs, "both") == 0 ? 2 : 1;
    return (double)hd_target_reps_per_leg(t) * legs * t->sessions_per_week;
}

static void programme_section(sb *b, const hd_report *r)
{
    const hd_target *t = &r->target;
    const char *advice;

    if (!r->has_db)
        return; /* the trends section says why there is no database */
    sb_puts(b, "<section><h2>Programme</h2>");
    if (!r->has_target) {
        sb_puts(b, "<p class=\"muted\">The programme could not be read: ");
        sb_esc(b, r->target_error);
        sb_puts(b, "</p></section>");
        return;
    }
    if (!t->has_plan) {
        sb_puts(b, "<p class=\"muted\">No programme has been chosen (heeldrop plan --preset "
                   "starter|alfredson|guided).</p></section>");
        return;
    }
    sb_puts(b, "<dl class=\"facts\"><dt>Plan</dt><dd>");
    sb_esc(b, t->preset);
    sb_puts(b, ", ");
    sb_esc(b, strcmp(t->legs, "both") == 0 ? "both legs" : t->legs);
    if (strcmp(t->legs, "both") != 0)
        sb_puts(b, " leg");
    sb_printf(b, "; week %d, stage %d</dd><dt>Dose now</dt><dd>%d &times; %d reps per leg%s%s",
              t->week, t->stage, t->sets, t->reps_per_set,
              t->knee_straight && t->knee_bent ? ", knee straight and knee bent"
              : t->knee_bent                  ? ", knee bent"
                                              : ", knee straight",
              t->reduced ? " (reduced)" : "");
    if (t->sessions_per_day > 0)
        sb_printf(b, "; %d session%s a day", t->sessions_per_day,
                  t->sessions_per_day == 1 ? "" : "s");
    else
        sb_printf(b, "; %d session%s a week", t->sessions_per_week,
                  t->sessions_per_week == 1 ? "" : "s");
    if (t->load_kg > 0)
        sb_printf(b, "; %.1f kg added", t->load_kg);
    sb_printf(b, " (%.0f reps a week)</dd>", weekly_goal(t));
    advice = t->advice.kind == HD_ADVICE_PROGRESS ? "progress"
             : t->advice.kind == HD_ADVICE_REDUCE ? "reduce"
                                                  : "keep";
    sb_printf(b, "<dt>Next session</dt><dd><span class=\"pill %s\">%s</span> ",
              t->advice.kind == HD_ADVICE_REDUCE ? "warn" : "ok", advice);
    sb_esc(b, t->advice.reason);
    sb_puts(b, "</dd></dl></section>");
}

static void trends_section(sb *b, const hd_report *r)
{
    double reps[HD_REPORT_WEEKS], desc[HD_REPORT_WEEKS], pain[HD_REPORT_WEEKS];
    char labels[HD_REPORT_WEEKS][24];
    char buf[32], buf2[32];
    bars c;

    sb_printf(b, "<section><h2>Trends over %d weeks</h2>", HD_REPORT_WEEKS);
    if (!r->has_db) {
        sb_puts(b, "<p class=\"muted\">Trends are not available: ");
        sb_esc(b, r->no_db_reason);
        sb_puts(b, ".</p></section>");
        return;
    }
    for (int w = 0; w < HD_REPORT_WEEKS; w++) {
        reps[w] = r->weeks[w].reps;
        desc[w] = r->weeks[w].mean_descent_s;
        pain[w] = r->weeks[w].mean_pain;
        fmt_time(labels[w], sizeof(labels[w]), r->weeks[w].from, "%d|%b");
    }
    memset(&c, 0, sizeof(c));
    c.labels = (const char(*)[24])labels;
    c.n = HD_REPORT_WEEKS;
    c.w = 300;
    c.h = 190;
    c.unit = "";
    sb_puts(b, "<div class=\"plots3\"><div><h3>Reps per week</h3>");
    c.cls = "trend-plot trend-reps";
    c.v = reps;
    c.y_top = 10;
    c.vfmt = "%.0f";
    if (r->has_target && r->target.has_plan) {
        c.goal = weekly_goal(&r->target);
        c.goal_label = "plan now";
    }
    bar_chart(b, &c);
    c.goal = 0;
    c.goal_label = NULL;
    sb_puts(b, "</div><div><h3>Mean descent (s)</h3>");
    c.cls = "trend-plot trend-descent";
    c.v = desc;
    c.colour = 1;
    c.band_lo = r->target_lo_s;
    c.band_hi = r->target_hi_s;
    c.band_label = "target";
    c.y_top = r->target_hi_s + 0.5;
    c.vfmt = "%.1f";
    bar_chart(b, &c);
    sb_puts(b, "</div><div><h3>Mean pain (0&ndash;10)</h3>");
    c.cls = "trend-plot trend-pain";
    c.v = pain;
    c.band_lo = 0;
    c.band_hi = 5;
    c.band_label = "acceptable";
    c.y_top = 10;
    c.vfmt = "%.1f";
    bar_chart(b, &c);
    sb_puts(b, "</div></div>");
    sb_puts(b, "<table><thead><tr><th class=\"l\">Week from</th><th>Sessions</th><th>Reps</th>"
               "<th>Valid</th><th>Mean descent</th><th>Mean pain</th><th>Worst pain</th>"
               "</tr></thead><tbody>");
    for (int w = 0; w < HD_REPORT_WEEKS; w++) {
        const hd_report_week *k = &r->weeks[w];
        fmt_time(buf, sizeof(buf), k->from, "%a %d %b %Y");
        if (isfinite(k->mean_descent_s))
            snprintf(buf2, sizeof(buf2), "%.1f s", k->mean_descent_s);
        else
            snprintf(buf2, sizeof(buf2), "&ndash;");
        sb_printf(b, "<tr><td class=\"l\">%s</td><td>%d</td><td>%d</td><td>%d</td><td>%s</td>",
                  buf, k->sessions, k->reps, k->valid_reps, buf2);
        if (isfinite(k->mean_pain))
            sb_printf(b, "<td>%.1f</td><td>%d</td></tr>", k->mean_pain, k->max_pain);
        else
            sb_puts(b, "<td>&ndash;</td><td>&ndash;</td></tr>");
    }
    sb_puts(b, "</tbody></table></section>");
}

/* The week: one row per session, then per session its heel plot and reps (foldable). */
static void week_sessions(sb *b, const hd_report *r)
{
    int n = r->nsessions;
    double *v = calloc(n > 0 ? (size_t)n * 3 : 1, sizeof(double));
    char(*labels)[24] = calloc(n > 0 ? (size_t)n : 1, sizeof(*labels));
    char(*tips)[96] = calloc(n > 0 ? (size_t)n : 1, sizeof(*tips));
    char buf[64], dur[32], band[64], warn[64];
    bars c;

    if (!v || !labels || !tips) {
        free(v);
        free(labels);
        free(tips);
        b->oom = 1;
        return;
    }
    sb_puts(b, "<section><h2>Sessions</h2>");
    if (n == 0) {
        sb_puts(b, "<p class=\"muted\">No sessions in these 7 days.</p></section>");
        free(v);
        free(labels);
        free(tips);
        return;
    }
    sb_puts(b, "<table><thead><tr><th class=\"l\">Date</th><th>Duration</th><th>Reps</th>"
               "<th>Valid</th><th>Mean descent</th><th>Warnings</th><th>Pain</th>"
               "<th class=\"l\">Note</th></tr></thead><tbody>");
    for (int i = 0; i < n; i++) {
        const hd_report_session *s = &r->sessions[i];
        totals t;
        int dn = 0;
        double md = mean_of(&s->summary, 0, &dn), lo = NAN, hi = NAN;
        memset(&t, 0, sizeof(t));
        add_totals(&t, s);
        for (int k = 0; k < s->summary.nreps; k++) {
            double d = s->summary.reps[k].descent_s;
            if (!isfinite(d))
                continue;
            lo = isfinite(lo) && lo < d ? lo : d;
            hi = isfinite(hi) && hi > d ? hi : d;
        }
        v[i] = md;
        v[n + i] = lo;
        v[2 * n + i] = hi;
        fmt_time(labels[i], sizeof(labels[i]), s->start_time, "%a %H:%M");
        snprintf(tips[i], sizeof(tips[i]), "%s: mean %.1f s, range %.1f-%.1f s", labels[i], md,
                 lo, hi);
        fmt_time(buf, sizeof(buf), s->start_time, "%a %d %b, %H:%M");
        fmt_duration(dur, sizeof(dur), s->duration_s);
        sb_printf(b, "<tr><td class=\"l\">%s", buf);
        if (strcmp(s->source_kind, "file") == 0)
            sb_puts(b, " <span class=\"pill\">saved video</span>");
        if (s->status[0] && strcmp(s->status, "done") != 0) {
            sb_puts(b, " <span class=\"pill warn\">");
            sb_esc(b, s->status);
            sb_puts(b, "</span>");
        }
        sb_printf(b, "</td><td>%s</td><td>%d</td><td>%d</td><td>", dur, t.reps, t.valid);
        if (dn)
            sb_printf(b, "%.1f s", md);
        else
            sb_puts(b, "&ndash;");
        sb_printf(b, "</td><td>%d</td><td>", t.warned);
        if (s->pain >= 0)
            sb_printf(b, "%d/10", s->pain);
        else
            sb_puts(b, "&ndash;");
        sb_puts(b, "</td><td class=\"l note\">");
        sb_esc(b, s->note);
        sb_puts(b, "</td></tr>");
    }
    sb_puts(b, "</tbody></table>");

    snprintf(band, sizeof(band), "target %g&ndash;%g s", r->target_lo_s, r->target_hi_s);
    snprintf(warn, sizeof(warn), "too fast &lt; %g s", r->too_fast_s);
    memset(&c, 0, sizeof(c));
    c.cls = "tempo-plot descent-plot";
    c.y_title = "seconds";
    c.unit = "";
    c.v = v;
    c.lo = v + n;
    c.hi = v + 2 * n;
    c.labels = (const char(*)[24])labels;
    c.tips = (const char(*)[96])tips;
    c.n = n;
    c.band_lo = r->target_lo_s;
    c.band_hi = r->target_hi_s;
    c.warn = r->too_fast_s;
    c.y_top = r->target_hi_s + 0.5;
    c.w = 920;
    c.h = 240;
    c.colour = 1;
    c.vfmt = "%.1f";
    sb_printf(b, "<h3>Descent time per session (mean, with the fastest and slowest rep)</h3>"
                 "<p class=\"legend\">green band: %s; dashed line: %s</p>", band, warn);
    bar_chart(b, &c);
    sb_puts(b, "</section>");

    for (int i = 0; i < n; i++) {
        const hd_report_session *s = &r->sessions[i];
        fmt_time(buf, sizeof(buf), s->start_time, "%A %d %B, %H:%M");
        sb_printf(b, "<section><details%s><summary>%s &middot; %d rep%s</summary>",
                  n <= 3 ? " open" : "", buf, s->summary.nreps,
                  s->summary.nreps == 1 ? "" : "s");
        heel_plot(b, r, s, 920, 220);
        rep_table(b, s);
        sb_puts(b, "</details></section>");
    }
    free(v);
    free(labels);
    free(tips);
}

char *hd_report_html(const hd_report *r)
{
    sb b = {0};
    totals t;
    char now[64], title[160], from[64], to[64];

    memset(&t, 0, sizeof(t));
    for (int i = 0; i < r->nsessions; i++)
        add_totals(&t, &r->sessions[i]);
    fmt_time(now, sizeof(now), r->now, "%d %B %Y, %H:%M");
    if (r->week) {
        fmt_time(from, sizeof(from), r->from, "%a %d %b");
        fmt_time(to, sizeof(to), r->to, "%a %d %b %Y");
        snprintf(title, sizeof(title), "Heel drops, 7 days to %s", to);
    } else {
        const hd_report_session *s = &r->sessions[0];
        fmt_time(to, sizeof(to), s->start_time, "%a %d %b %Y, %H:%M");
        snprintf(title, sizeof(title), "Heel drops %s%s", s->start_time ? "on " : "",
                 s->start_time ? to : "from a saved video");
    }

    sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    sb_printf(&b, "<title>HeelDrop &ndash; %s</title>\n<style>%s</style>\n</head>\n<body>\n"
                  "<main>\n", title, css);
    sb_printf(&b, "<header class=\"top\"><div class=\"brand\">HeelDrop &middot; exercise "
                  "report</div><h1>%s</h1><p class=\"sub\">Eccentric heel drops (Alfredson "
                  "protocol) measured from video%s</p></header>\n", title,
              r->week ? "; every session of the last 7 days" : "");
    if (r->week) {
        if (r->nsessions == 0 && r->npain == 0)
            sb_printf(&b, "<section><p>No sessions were recorded from %s to %s.</p></section>",
                      from, to);
        cards(&b, r, &t, -1);
        week_sessions(&b, r);
    } else {
        const hd_report_session *s = &r->sessions[0];
        cards(&b, r, &t, s->pain);
        session_facts(&b, s);
        sb_puts(&b, "<section><h2>Heel height over time</h2>");
        if (heel_plot(&b, r, s, 920, 300))
            sb_puts(&b, "<p class=\"legend\">Heel height above the step edge; below zero the heel "
                    "is below step level.<span class=\"sw\" style=\"background:#2a9d8f;"
                    "opacity:.35\"></span>rep without warning<span class=\"sw\" "
                    "style=\"background:#e3a33b;opacity:.45\"></span>rep with a warning"
                    "<span class=\"sw\" style=\"background:#1f2d3a;opacity:.15\"></span>hold "
                    "at the bottom. Numbers are rep numbers.</p>");
        sb_puts(&b, "</section>\n");
        sb_puts(&b, "<section><h2>Tempo</h2>");
        tempo_plots(&b, r, s);
        sb_puts(&b, "</section>\n<section><h2>Reps</h2>");
        rep_table(&b, s);
        sb_puts(&b, "</section>\n");
    }
    warnings_section(&b, r, &t);
    pain_section(&b, r);
    programme_section(&b, r);
    trends_section(&b, r);
    sb_printf(&b, "<footer><p>Rules used: lowering target %g&ndash;%g s (too fast under %g s); "
                  "hold at least %g s and at most %g s%s. Times come from the video's frame "
                  "timestamps.</p><p>HeelDrop is a training aid, not a diagnosis: see a "
                  "physiotherapist or doctor if in pain or concerned. Made by HeelDrop on %s; "
                  "the data stays on this computer.</p></footer>\n",
              r->target_lo_s, r->target_hi_s, r->too_fast_s, r->min_hold_s, r->long_hold_s,
              r->insertional ? "; insertional variant (drop to step level only)" : "", now);
    sb_puts(&b, "</main>\n</body>\n</html>\n");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

hd_status hd_report_write(const hd_report *r, const char *path)
{
    char tmp[4096];
    void *fp = NULL;
    char *html;
    hd_status st;

    html = hd_report_html(r);
    if (!html)
        return hd_fail(HD_ERR_NOMEM, "out of memory writing %s", path);
    st = hd_atomic_open(path, tmp, sizeof(tmp), &fp);
    if (st != HD_OK) {
        free(html);
        return st;
    }
    /* health data: private like the rest of the user's folder */
    if (fchmod(fileno((FILE *)fp), 0600) != 0 || fputs(html, (FILE *)fp) == EOF) {
        hd_atomic_abort(fp, tmp);
        free(html);
        return hd_fail(HD_ERR_IO, "cannot write %s", path);
    }
    free(html);
    return hd_atomic_commit(fp, tmp, path);
}
