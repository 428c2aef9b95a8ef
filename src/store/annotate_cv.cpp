/* annotate_cv.cpp - draws an analysis onto its video with OpenCV (analyze --annotate). */
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

extern "C" {
#include "heeldrop/annotate.h"
#include "heeldrop/cues.h"
#include "heeldrop/source.h"
#include "heeldrop/video_writer.h"
}

namespace {

const cv::Scalar kGreen(80, 200, 60), kRed(60, 60, 230), kYellow(40, 210, 240),
    kWhite(255, 255, 255), kCyan(230, 200, 40), kGray(150, 150, 150), kBlack(0, 0, 0);

void text(cv::Mat &img, const std::string &s, cv::Point at, double scale, cv::Scalar col)
{
    int th = std::max(1, (int)std::lround(scale * 2));
    cv::putText(img, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, kBlack, th + 2, cv::LINE_AA);
    cv::putText(img, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, col, th, cv::LINE_AA);
}

/* The rep whose time span contains t, or the last finished one before t (-1 if none). */
int rep_at(const hd_summary *s, double t, bool *inside)
{
    int last = -1;
    *inside = false;
    for (int i = 0; i < s->nreps; i++) {
        const hd_rep &r = s->reps[i];
        if (t >= r.t_descent_start && t <= r.t_top) {
            *inside = true;
            return i;
        }
        if (r.t_top < t)
            last = i;
    }
    return last;
}

void draw_trace(cv::Mat &img, const hd_annotate_input *in, int64_t k, double scale)
{
    /* a panel in the top-left: the last 10 s of heel height, step level and reps */
    int W = std::min(img.cols - 20, (int)(360 * scale)), H = (int)(110 * scale);
    cv::Rect box(10, (int)(10 * scale) + (int)(60 * scale), W, H);
    if (box.y + box.height >= img.rows)
        return;
    cv::Mat roi = img(box);
    roi.convertTo(roi, -1, 0.45, 0);
    const double span = 10.0, mm_lo = -100, mm_hi = 120;
    double t_now = in->trace[k].t;
    auto X = [&](double t) { return box.x + (int)((t - (t_now - span)) / span * W); };
    auto Y = [&](double mm) {
        mm = std::max(mm_lo, std::min(mm_hi, mm));
        return box.y + (int)((mm_hi - mm) / (mm_hi - mm_lo) * H);
    };
    /* target depth band below step level, and the step level */
    cv::rectangle(img, cv::Point(box.x, Y(0)), cv::Point(box.x + W, Y(-60)),
                  cv::Scalar(60, 90, 40), cv::FILLED);
    cv::line(img, cv::Point(box.x, Y(0)), cv::Point(box.x + W, Y(0)), kWhite, 1);
    for (int i = 0; i < in->summary->nreps; i++) {
        const hd_rep &r = in->summary->reps[i];
        if (r.t_top < t_now - span || r.t_descent_start > t_now)
            continue;
        cv::Scalar c = r.warnings ? kRed : kGreen;
        cv::line(img, cv::Point(X(r.t_bottom), box.y), cv::Point(X(r.t_bottom), box.y + H), c,
                 1);
    }
    cv::Point prev(-1, -1);
    for (int64_t j = k; j >= 0 && in->trace[j].t >= t_now - span; j--) {
        const hd_trace_row &r = in->trace[j];
        if (!(r.conf > 0) || !std::isfinite(r.heel_mm)) {
            prev = cv::Point(-1, -1);
            continue;
        }
        cv::Point p(X(r.t), Y(r.heel_mm));
        if (prev.x >= 0)
            cv::line(img, prev, p, kYellow, std::max(1, (int)scale), cv::LINE_AA);
        prev = p;
    }
    cv::rectangle(img, box, kGray, 1);
}

void draw_frame(cv::Mat &img, const hd_annotate_input *in, int64_t k)
{
    const hd_trace_row &r = in->trace[k];
    const hd_summary *s = in->summary;
    double scale = std::max(0.5, img.cols / 1280.0 * 1.6);
    if (in->scene && in->scene->valid) {
        const double *e = in->scene->step_edge;
        cv::line(img, cv::Point2d(e[0], e[1]), cv::Point2d(e[2], e[3]), kCyan,
                 std::max(1, (int)scale), cv::LINE_AA);
        cv::circle(img, cv::Point2d(in->scene->pivot_x, in->scene->pivot_y),
                   (int)(4 * scale), kCyan, 1, cv::LINE_AA);
    }
    if (r.conf > 0 && std::isfinite(r.heel_x)) {
        cv::Point2d heel(r.heel_x, r.heel_y), ank(r.ankle_x, r.ankle_y);
        if (in->scene && in->scene->valid)
            cv::line(img, cv::Point2d(in->scene->pivot_x, in->scene->pivot_y), heel, kYellow,
                     1, cv::LINE_AA);
        cv::circle(img, heel, (int)(6 * scale), kYellow, std::max(1, (int)scale), cv::LINE_AA);
        cv::drawMarker(img, ank, kGreen, cv::MARKER_CROSS, (int)(12 * scale),
                       std::max(1, (int)scale), cv::LINE_AA);
    }
    char line[160];
    const char *phase = hd_phase_name((hd_phase)r.phase);
    if (r.conf > 0)
        snprintf(line, sizeof(line), "%s  heel %+.0f mm  %+.0f deg", phase, r.heel_mm,
                 r.foot_deg);
    else
        snprintf(line, sizeof(line), "%s", phase);
    text(img, line, cv::Point(10, (int)(28 * scale)), 0.6 * scale, kWhite);

    int done = 0;
    for (int i = 0; i < s->nreps; i++)
        if (s->reps[i].t_top <= r.t)
            done++;
    bool inside;
    int ri = rep_at(s, r.t, &inside);
    if (ri >= 0)
        snprintf(line, sizeof(line), "Set %d - reps %d", s->reps[ri].set, done);
    else
        snprintf(line, sizeof(line), "reps %d", done);
    text(img, line, cv::Point(10, (int)(58 * scale)), 0.6 * scale, kWhite);

    draw_trace(img, in, k, scale);

    /* the last finished rep's verdict, shown until the next one starts */
    if (ri >= 0 && !inside && r.t - s->reps[ri].t_top < 6.0) {
        const hd_rep &rep = s->reps[ri];
        hd_reps_cfg cfg;
        hd_reps_cfg_default(&cfg);
        cfg.target_lo_s = in->target_lo_s;
        cfg.target_hi_s = in->target_hi_s;
        char v[160];
        hd_cue_verdict(&rep, &cfg, v, sizeof(v));
        int y = img.rows - (int)(20 * scale);
        text(img, v, cv::Point(10, y), 0.6 * scale, rep.warnings ? kRed : kGreen);
        if (rep.warnings) {
            std::string names;
            for (int w = 0; w < HD_WARN_COUNT; w++)
                if (rep.warnings & (1u << w))
                    names += std::string(names.empty() ? "" : ", ") + hd_warn_name(w);
            text(img, names, cv::Point(10, y - (int)(28 * scale)), 0.5 * scale, kRed);
        }
    } else if (ri >= 0 && inside && r.conf > 0) {
        const hd_rep &rep = s->reps[ri];
        char v[80];
        if (r.t < rep.t_bottom)
            snprintf(v, sizeof(v), "down %.1f s", r.t - rep.t_descent_start);
        else if (r.t < rep.t_hold_end)
            snprintf(v, sizeof(v), "hold %.1f s", r.t - rep.t_bottom);
        else
            v[0] = '\0';
        if (v[0])
            text(img, v, cv::Point(10, img.rows - (int)(20 * scale)), 0.7 * scale, kYellow);
    }
}

} // namespace

extern "C" hd_status hd_annotate_video(const hd_annotate_input *in, const char *out_path,
                                       int progress)
{
    hd_source *src = nullptr;
    hd_video_writer *w = nullptr;
    hd_status st;
    try {
        hd_source_opts so;
        memset(&so, 0, sizeof(so));
        so.want_format = HD_PIX_YUV420P;
        st = hd_source_open(&hd_source_file_ops, in->video, &so, &src);
        if (st < 0)
            return st;
        const hd_source_info *info = hd_source_get_info(src);
        int W = info->width & ~1, H = info->height & ~1;
        hd_video_writer_opts wo;
        memset(&wo, 0, sizeof(wo));
        wo.width = W;
        wo.height = H;
        wo.fps = info->fps > 0 ? info->fps : 30;
        wo.codec = "h264";
        wo.crf = 23;
        st = hd_video_writer_open(out_path, &wo, &w);
        if (st < 0) {
            hd_source_close(src);
            return st;
        }
        cv::Mat i420(H * 3 / 2, W, CV_8U), bgr;
        int64_t k = 0;
        hd_frame fr;
        while ((st = hd_source_acquire(src, &fr)) == HD_OK || st == HD_AGAIN) {
            if (st == HD_AGAIN)
                continue;
            /* pack the planes as I420 for the colour conversion */
            for (int y = 0; y < H; y++)
                memcpy(i420.ptr(y), fr.plane[0] + (size_t)y * fr.stride[0], W);
            for (int y = 0; y < H / 2; y++) {
                memcpy(i420.ptr(H) + (size_t)y * (W / 2), fr.plane[1] + (size_t)y * fr.stride[1],
                       W / 2);
                memcpy(i420.ptr(H) + (size_t)(H / 2) * (W / 2) + (size_t)y * (W / 2),
                       fr.plane[2] + (size_t)y * fr.stride[2], W / 2);
            }
            int64_t pts = fr.pts_us;
            hd_source_release(src, &fr);
            cv::cvtColor(i420, bgr, cv::COLOR_YUV2BGR_I420);
            int64_t idx = std::min(k, in->ntrace - 1);
            if (idx >= 0)
                draw_frame(bgr, in, idx);
            hd_frame out;
            memset(&out, 0, sizeof(out));
            out.plane[0] = bgr.data;
            out.stride[0] = (int)bgr.step[0];
            out.width = W;
            out.height = H;
            out.format = HD_PIX_BGR24;
            out.pts_us = pts;
            out.seq = k;
            st = hd_video_writer_write(w, &out);
            if (st < 0)
                goto fail;
            k++;
            if (progress && k % 30 == 0) {
                fprintf(stderr, "\rannotating %5.1f%%",
                        in->ntrace ? 100.0 * k / in->ntrace : 0.0);
                fflush(stderr);
            }
        }
        if (progress)
            fprintf(stderr, "\rannotating done   \n");
        if (st < 0)
            goto fail;
        hd_source_close(src);
        src = nullptr;
        st = hd_video_writer_close(w);
        w = nullptr;
        return st;
    } catch (const std::bad_alloc &) {
        st = hd_fail(HD_ERR_NOMEM, "out of memory while annotating");
    } catch (const std::exception &e) {
        st = hd_fail(HD_ERR_INTERNAL, "annotate: %s", e.what());
    }
fail:
    hd_video_writer_abort(w);
    hd_source_close(src);
    return st;
}
