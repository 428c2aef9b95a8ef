/* live_store.h - what a live session keeps: its folder, database rows, recording and
 * summaries. Private to src/cli (the live loop).
 *
 * Every live session, camera or file, gets <data>/sessions/<id>/ with video.mkv (unless
 * --no-record), summary.json, reps.csv and trace.csv, and rows in <data>/heeldrop.db: the
 * session when it starts, each rep as it ends (committed at once), the final list and the
 * end when it stops. A failure to write (full disk, permissions) is reported once as a
 * notice and the session goes on: what was stored stays stored.
 */
#ifndef HD_CLI_LIVE_STORE_H
#define HD_CLI_LIVE_STORE_H

#include <limits.h>
#include <stdint.h>

#include "cli/analysis.h"
#include "heeldrop/db.h"
#include "heeldrop/frame.h"
#include "heeldrop/options.h"
#include "heeldrop/recorder.h"
#include "heeldrop/reps.h"
#include "heeldrop/status.h"

typedef struct hd_live_store {
    char dir[PATH_MAX];      /* the session's folder */
    char id[64];             /* its id (folder name) */
    hd_db *db;               /* NULL when the database could not be opened */
    int64_t session_id;
    int record;              /* 1: keep the video */
    int overlay;             /* 1: the recording carries the overlay */
    hd_recorder *rec;        /* opened at the first frame */
    int rec_w, rec_h;
    int rec_stopped;         /* recording ended early (disk full, error) */
    int64_t frames_seen;     /* frames offered for recording (free space checked every 15) */
    hd_analysis out;         /* the final summary and the per-frame trace */
    char notice[320];        /* the latest storage problem, for the overlay ("" none) */
    int db_failed;           /* a database write failed (reported once) */
} hd_live_store;

/* Creates the session folder, opens the database and records the session's start.
 * source_kind is HD_SOURCE_CAMERA or HD_SOURCE_FILE, source the device or file. Fails
 * with HD_ERR_IO when the folder cannot be made (nothing to keep the session in); a
 * database that cannot be opened is a notice, not a failure. */
hd_status hd_live_store_open(hd_live_store *ls, const hd_settings *s, hd_source_kind kind,
                             const char *source);

/* Records one frame (the camera picture, or with overlay the rendered RGB picture when
 * rgb is not NULL). Opens the recorder at the first frame. Never fails the session: a
 * full disk stops the recording with a notice. */
void hd_live_store_frame(hd_live_store *ls, const hd_frame *f);

/* Commits one final rep to the database as it ends. */
void hd_live_store_rep(hd_live_store *ls, const hd_rep *rep, const char *leg);

/* Adds one per-frame trace row. HD_ERR_NOMEM. */
hd_status hd_live_store_row(hd_live_store *ls, const hd_trace_row *r);

/* Ends the session: closes the recording, writes summary.json, reps.csv and trace.csv
 * (the summary ls->out.sum must be filled by the caller: reps, geometry, settings),
 * rewrites the final reps (set numbers and partial flags are final only now) and marks
 * the session done or interrupted. Returns the first failure (HD_ERR_IO) after trying
 * everything. */
hd_status hd_live_store_close(hd_live_store *ls, double duration_s, int64_t frames,
                              int64_t dropped, int interrupted);

#endif
