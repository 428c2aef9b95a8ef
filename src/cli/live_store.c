/* live_store.c - a live session's folder, database rows, recording and summaries. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "cli/live_store.h"
#include "heeldrop/log.h"
#include "heeldrop/summary.h"

static void notice(hd_live_store *ls, const char *what)
{
    snprintf(ls->notice, sizeof(ls->notice), "%s: %.250s", what, hd_last_error());
    HD_LOG(HD_LOG_WARN, "%s", ls->notice);
}

/* The settings block as JSON text, for the session row (malloc'ed, or NULL). */
static char *settings_json(const hd_summary *sum)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    for (int i = 0; i < sum->nsettings; i++) {
        const hd_setting *st = &sum->settings[i];
        if (st->is_number == 1)
            cJSON_AddNumberToObject(o, st->name, strtod(st->value, NULL));
        else if (st->is_number == 2)
            cJSON_AddBoolToObject(o, st->name, !strcmp(st->value, "true") ||
                                                   !strcmp(st->value, "1"));
        else
            cJSON_AddStringToObject(o, st->name, st->value);
    }
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return txt;
}

hd_status hd_live_store_open(hd_live_store *ls, const hd_settings *s, hd_source_kind kind,
                             const char *source)
{
    hd_status st = hd_session_dir_create(ls->dir, sizeof(ls->dir), ls->id, sizeof(ls->id));
    if (st < 0)
        return st;
    ls->record = !s->no_record;
    ls->overlay = s->record_overlay;
    hd_summary *sum = &ls->out.sum;
    snprintf(sum->source, sizeof(sum->source), "%s", source);
    snprintf(sum->kind, sizeof(sum->kind), "live");
    snprintf(sum->source_kind, sizeof(sum->source_kind), "%s", hd_source_kind_name(kind));
    hd_summary_add_settings(sum, s, HD_CMD_LIVE);

    st = hd_db_open(NULL, &ls->db);
    if (st < 0) {
        notice(ls, "Sessions database unavailable");
        return HD_OK; /* the folder still keeps the session */
    }
    char *sj = settings_json(sum);
    hd_db_session info = {
        .uid = ls->id,
        .start_time = (int64_t)hd_now(),
        .source_kind = kind,
        .source = source,
        .near_leg = s->near_leg,
        .knee = s->knee,
        .load_kg = s->load_kg,
        .settings_json = sj,
        .note = s->note,
    };
    st = hd_db_session_begin(ls->db, &info, &ls->session_id);
    free(sj);
    if (st < 0) {
        notice(ls, "Cannot save the session");
        hd_db_close(ls->db);
        ls->db = NULL;
    }
    return HD_OK;
}

/* Free space the recording leaves on the disk, so that the database, the summaries and
 * the rest of the system still have room when the video has filled it
 * (HEELDROP_MIN_FREE_MB overrides, for tests). */
static double min_free_bytes(void)
{
    const char *e = getenv("HEELDROP_MIN_FREE_MB");
    double mb = e && *e ? strtod(e, NULL) : 64;
    return (mb >= 0 ? mb : 64) * 1024 * 1024;
}

/* 1 when the recording must stop because the disk is (almost) full. */
static int disk_low(hd_live_store *ls)
{
    struct statvfs vf;
    if (statvfs(ls->dir, &vf) != 0)
        return 0;
    double avail = (double)vf.f_bavail * vf.f_frsize;
    if (avail >= min_free_bytes())
        return 0;
    snprintf(ls->notice, sizeof(ls->notice),
             "Recording stopped: disk almost full (%.0f MB left); reps are still saved",
             avail / (1024 * 1024));
    HD_LOG(HD_LOG_WARN, "%s", ls->notice);
    return 1;
}

void hd_live_store_frame(hd_live_store *ls, const hd_frame *f)
{
    if (!ls->record || ls->rec_stopped)
        return;
    if (ls->frames_seen++ % 15 == 0 && disk_low(ls)) {
        ls->rec_stopped = 1;
        if (ls->rec) {
            hd_recorder_close(ls->rec, NULL);
            ls->rec = NULL;
        }
        return;
    }
    if (!ls->rec) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof(path), "%s/video.mkv", ls->dir);
        hd_recorder_opts o = {
            .width = f->width & ~1,
            .height = f->height & ~1,
            .fps = 30,
            .format = f->format,
            .rgb_order = f->format == HD_PIX_BGR24,
        };
        if (hd_recorder_open(path, &o, &ls->rec) < 0) {
            notice(ls, "Not recording");
            ls->rec_stopped = 1;
            return;
        }
        ls->rec_w = f->width;
        ls->rec_h = f->height;
    }
    if (f->width != ls->rec_w || f->height != ls->rec_h)
        return; /* the window was resized: the recording keeps its first size */
    hd_frame g = *f;
    g.width &= ~1;
    g.height &= ~1;
    hd_status st = hd_recorder_write(ls->rec, &g);
    if (st == HD_ERR_IO) {
        hd_recorder_stats rs;
        hd_recorder_get_stats(ls->rec, &rs);
        snprintf(ls->notice, sizeof(ls->notice), "Recording stopped: %.280s",
                 rs.message[0] ? rs.message : hd_last_error());
        HD_LOG(HD_LOG_WARN, "%s", ls->notice);
        ls->rec_stopped = 1;
    }
}

void hd_live_store_rep(hd_live_store *ls, const hd_rep *rep, const char *leg)
{
    if (!ls->db)
        return;
    if (hd_db_rep_add(ls->db, ls->session_id, rep, leg) < 0 && !ls->db_failed) {
        ls->db_failed = 1;
        notice(ls, "Cannot save reps");
    }
}

hd_status hd_live_store_row(hd_live_store *ls, const hd_trace_row *r)
{
    return hd_analysis_push_row(&ls->out, r);
}

/* Health data: a session's files are the user's alone (the folder is 0700 as well). */
static void private_file(const char *path)
{
    (void)chmod(path, 0600);
}

hd_status hd_live_store_close(hd_live_store *ls, double duration_s, int64_t frames,
                              int64_t dropped, int interrupted)
{
    hd_status first = HD_OK, st;
    char path[PATH_MAX + 16];
    char msg[512] = "";

    if (ls->rec) {
        hd_recorder_stats rs;
        st = hd_recorder_close(ls->rec, &rs);
        ls->rec = NULL;
        if (st < 0 && !first) {
            first = st;
            snprintf(msg, sizeof(msg), "recording: %s", rs.message[0] ? rs.message
                                                                      : hd_last_error());
        }
    }
    snprintf(path, sizeof(path), "%s/summary.json", ls->dir);
    st = hd_summary_write_json(&ls->out.sum, path);
    private_file(path);
    if (st < 0 && !first) {
        first = st;
        snprintf(msg, sizeof(msg), "%s", hd_last_error());
    }
    snprintf(path, sizeof(path), "%s/reps.csv", ls->dir);
    st = hd_summary_write_csv(&ls->out.sum, path);
    private_file(path);
    if (st < 0 && !first) {
        first = st;
        snprintf(msg, sizeof(msg), "%s", hd_last_error());
    }
    snprintf(path, sizeof(path), "%s/trace.csv", ls->dir);
    st = hd_trace_write_csv(ls->out.rows, ls->out.nrows, 0, path);
    private_file(path);
    if (st < 0 && !first) {
        first = st;
        snprintf(msg, sizeof(msg), "%s", hd_last_error());
    }
    if (ls->db) {
        for (int i = 0; i < ls->out.sum.nreps; i++) {
            const hd_rep *r = &ls->out.sum.reps[i];
            st = hd_db_rep_add(ls->db, ls->session_id, r,
                               hd_summary_leg_label(&ls->out.sum, r->foot));
            if (st < 0 && !first) {
                first = st;
                snprintf(msg, sizeof(msg), "%s", hd_last_error());
            }
        }
        st = hd_db_session_end(ls->db, ls->session_id, (int64_t)hd_now(), duration_s, frames,
                               dropped, interrupted ? HD_SESSION_INTERRUPTED : HD_SESSION_DONE);
        if (st < 0 && !first) {
            first = st;
            snprintf(msg, sizeof(msg), "%s", hd_last_error());
        }
        hd_db_close(ls->db);
        ls->db = NULL;
    }
    hd_analysis_free(&ls->out);
    if (first < 0)
        return hd_fail(first, "%s", msg);
    return HD_OK;
}
