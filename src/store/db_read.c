/* db_read.c - reading sessions, reps and pain back for history, report and review.
 *
 * Each list is read inside one read transaction, so a writer committing reps meanwhile
 * (WAL) never makes a list inconsistent: a session's aggregates and its warning counts
 * come from the same snapshot.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_internal.h"

#define SESSION_COLUMNS                                                                            \
    "SELECT s.id, s.uid, s.start_time, COALESCE(s.end_time, 0), s.duration_s,"                     \
    " s.source_kind, s.source, s.near_leg, s.knee, s.load_kg, s.status, s.frames,"                 \
    " s.dropped, s.note, s.runner,"                                                                \
    " (SELECT COUNT(*) FROM reps r WHERE r.session_id = s.id),"                                    \
    " (SELECT COUNT(*) FROM reps r WHERE r.session_id = s.id AND NOT EXISTS"                       \
    "   (SELECT 1 FROM warnings w WHERE w.session_id = r.session_id AND w.rep_idx = r.idx)),"      \
    " (SELECT COUNT(*) FROM reps r WHERE r.session_id = s.id AND r.leg = 'left'),"                 \
    " (SELECT COUNT(*) FROM reps r WHERE r.session_id = s.id AND r.leg = 'right'),"                \
    " (SELECT COUNT(*) FROM sets t WHERE t.session_id = s.id),"                                    \
    " (SELECT AVG(r.descent_s) FROM reps r WHERE r.session_id = s.id),"                            \
    " (SELECT MAX(r.t_top) FROM reps r WHERE r.session_id = s.id),"                                \
    " (SELECT p.value FROM pain p WHERE p.session_id = s.id AND p.morning = 0"                     \
    "   ORDER BY p.t DESC, p.id DESC LIMIT 1)"                                                     \
    " FROM sessions s "

static hd_status read_session(hd_db *db, sqlite3_stmt *st, hd_db_session_row *r)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(st, 0);
    hd_db_copy(r->uid, sizeof(r->uid), sqlite3_column_text(st, 1));
    r->start_time = sqlite3_column_int64(st, 2);
    r->end_time = sqlite3_column_int64(st, 3);
    r->source_kind = strcmp((const char *)sqlite3_column_text(st, 5), "file") == 0
                         ? HD_SOURCE_FILE
                         : HD_SOURCE_CAMERA;
    hd_db_copy(r->source, sizeof(r->source), sqlite3_column_text(st, 6));
    hd_db_copy(r->near_leg, sizeof(r->near_leg), sqlite3_column_text(st, 7));
    hd_db_copy(r->knee, sizeof(r->knee), sqlite3_column_text(st, 8));
    r->load_kg = sqlite3_column_double(st, 9);
    const char *status = (const char *)sqlite3_column_text(st, 10);
    if (status && !strcmp(status, "done"))
        r->status = HD_SESSION_DONE;
    else if (status && !strcmp(status, "running") &&
             hd_db_runner_alive((const char *)sqlite3_column_text(st, 14)))
        r->status = HD_SESSION_RUNNING;
    else
        r->status = HD_SESSION_INTERRUPTED;
    r->frames = sqlite3_column_int64(st, 11);
    r->dropped = sqlite3_column_int64(st, 12);
    hd_db_copy(r->note, sizeof(r->note), sqlite3_column_text(st, 13));
    r->reps = sqlite3_column_int(st, 15);
    r->valid_reps = sqlite3_column_int(st, 16);
    r->reps_left = sqlite3_column_int(st, 17);
    r->reps_right = sqlite3_column_int(st, 18);
    r->reps_other = r->reps - r->reps_left - r->reps_right;
    r->sets = sqlite3_column_int(st, 19);
    r->mean_descent_s =
        sqlite3_column_type(st, 20) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 20);
    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        r->duration_s = sqlite3_column_double(st, 4);
    else
        r->duration_s = sqlite3_column_double(st, 21); /* killed: up to its last rep */
    r->pain = sqlite3_column_type(st, 22) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 22);

    sqlite3_stmt *w;
    hd_status res = hd_db_prepare(
        db, "SELECT name, COUNT(*) FROM warnings WHERE session_id=?1 GROUP BY name", &w);
    if (res < 0)
        return res;
    sqlite3_bind_int64(w, 1, r->id);
    int rc;
    while ((rc = sqlite3_step(w)) == SQLITE_ROW) {
        int i = hd_warn_index((const char *)sqlite3_column_text(w, 0));
        int c = sqlite3_column_int(w, 1);
        if (i >= 0)
            r->warnings[i] = c;
        r->warnings_total += c;
    }
    sqlite3_finalize(w);
    if (rc != SQLITE_DONE)
        return hd_db_fail(db, rc, "read warnings");
    return HD_OK;
}

static hd_status begin_read(hd_db *db)
{
    return hd_db_exec(db, "BEGIN", "read");
}

static void end_read(hd_db *db)
{
    sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
}

hd_status hd_db_sessions_list(hd_db *db, int64_t from, int64_t to, hd_db_session_row **rows, int *n)
{
    sqlite3_stmt *st = NULL;
    hd_db_session_row *arr = NULL;
    int count = 0, cap = 0, rc;
    hd_status res;

    *rows = NULL;
    *n = 0;
    if ((res = begin_read(db)) < 0)
        return res;
    res = hd_db_prepare(db,
                        SESSION_COLUMNS "WHERE s.start_time >= ?1 AND (?2 <= 0 OR"
                                        " s.start_time < ?2) ORDER BY s.start_time, s.id",
                        &st);
    if (res < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            int ncap = cap ? cap * 2 : 16;
            hd_db_session_row *na = realloc(arr, (size_t)ncap * sizeof(*arr));
            if (!na) {
                res = hd_fail(HD_ERR_NOMEM, "out of memory");
                goto fail;
            }
            arr = na;
            cap = ncap;
        }
        if ((res = read_session(db, st, &arr[count])) < 0)
            goto fail;
        count++;
    }
    if (rc != SQLITE_DONE) {
        res = hd_db_fail(db, rc, "list sessions");
        goto fail;
    }
    sqlite3_finalize(st);
    end_read(db);
    *rows = arr;
    *n = count;
    return HD_OK;
fail:
    sqlite3_finalize(st);
    end_read(db);
    free(arr);
    return res;
}

static hd_status get_one(hd_db *db, const char *where, const char *uid, int64_t id,
                         hd_db_session_row *out)
{
    sqlite3_stmt *st = NULL;
    char sql[2048];
    hd_status res;
    snprintf(sql, sizeof(sql), "%s%s", SESSION_COLUMNS, where);
    if ((res = begin_read(db)) < 0)
        return res;
    if ((res = hd_db_prepare(db, sql, &st)) < 0)
        goto done;
    if (uid)
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        res = read_session(db, st, out);
    else if (rc == SQLITE_DONE)
        res = hd_fail(HD_ERR_NOTFOUND, "no such session: %s", uid ? uid : "(latest)");
    else
        res = hd_db_fail(db, rc, "read session");
done:
    sqlite3_finalize(st);
    end_read(db);
    return res;
}

hd_status hd_db_session_get(hd_db *db, const char *uid, hd_db_session_row *out)
{
    hd_status res = get_one(db, "WHERE s.uid = ?1", uid, 0, out);
    if (res == HD_ERR_NOTFOUND && uid && *uid && strspn(uid, "0123456789") == strlen(uid)) {
        res = get_one(db, "WHERE s.id = ?1", NULL, strtoll(uid, NULL, 10), out);
        if (res == HD_ERR_NOTFOUND)
            res = hd_fail(HD_ERR_NOTFOUND, "no such session: %s", uid);
    }
    return res;
}

hd_status hd_db_session_latest(hd_db *db, hd_db_session_row *out)
{
    /* get_one binds ?1 (unused here: binding an absent parameter is a no-op). */
    hd_status res = get_one(db,
                            "WHERE s.id = (SELECT id FROM sessions ORDER BY start_time"
                            " DESC, id DESC LIMIT 1)",
                            NULL, 0, out);
    if (res == HD_ERR_NOTFOUND)
        res = hd_fail(HD_ERR_NOTFOUND, "no sessions yet");
    return res;
}

hd_status hd_db_reps_list(hd_db *db, int64_t session_id, hd_db_rep_row **rows, int *n)
{
    sqlite3_stmt *st = NULL, *w = NULL;
    hd_db_rep_row *arr = NULL;
    int count = 0, cap = 0, rc;
    hd_status res;

    *rows = NULL;
    *n = 0;
    if ((res = begin_read(db)) < 0)
        return res;
    res = hd_db_prepare(db,
                        "SELECT idx, set_no, foot, leg, t_descent_start, t_bottom, t_hold_end,"
                        " t_top, descent_s, hold_s, rise_s, below_s, depth_mm, top_mm, lost_s"
                        " FROM reps WHERE session_id=?1 ORDER BY idx",
                        &st);
    if (res < 0)
        goto fail;
    res = hd_db_prepare(db, "SELECT name FROM warnings WHERE session_id=?1 AND rep_idx=?2", &w);
    if (res < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, session_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            int ncap = cap ? cap * 2 : 32;
            hd_db_rep_row *na = realloc(arr, (size_t)ncap * sizeof(*arr));
            if (!na) {
                res = hd_fail(HD_ERR_NOMEM, "out of memory");
                goto fail;
            }
            arr = na;
            cap = ncap;
        }
        hd_db_rep_row *r = &arr[count];
        memset(r, 0, sizeof(*r));
        r->rep.index = sqlite3_column_int(st, 0);
        r->rep.set = sqlite3_column_int(st, 1);
        r->rep.foot = sqlite3_column_int(st, 2);
        hd_db_copy(r->leg, sizeof(r->leg), sqlite3_column_text(st, 3));
        double *f[] = {&r->rep.t_descent_start, &r->rep.t_bottom,  &r->rep.t_hold_end,
                       &r->rep.t_top,           &r->rep.descent_s, &r->rep.hold_s,
                       &r->rep.rise_s,          &r->rep.below_s,   &r->rep.depth_mm,
                       &r->rep.top_mm,          &r->rep.lost_s};
        for (int i = 0; i < 11; i++)
            *f[i] = sqlite3_column_type(st, 4 + i) == SQLITE_NULL
                        ? NAN
                        : sqlite3_column_double(st, 4 + i);
        sqlite3_bind_int64(w, 1, session_id);
        sqlite3_bind_int(w, 2, r->rep.index);
        int wrc;
        while ((wrc = sqlite3_step(w)) == SQLITE_ROW) {
            int i = hd_warn_index((const char *)sqlite3_column_text(w, 0));
            if (i >= 0)
                r->rep.warnings |= 1u << i;
        }
        sqlite3_reset(w);
        if (wrc != SQLITE_DONE) {
            res = hd_db_fail(db, wrc, "read warnings");
            goto fail;
        }
        count++;
    }
    if (rc != SQLITE_DONE) {
        res = hd_db_fail(db, rc, "list reps");
        goto fail;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(w);
    end_read(db);
    *rows = arr;
    *n = count;
    return HD_OK;
fail:
    sqlite3_finalize(st);
    sqlite3_finalize(w);
    end_read(db);
    free(arr);
    return res;
}

hd_status hd_db_pain_list(hd_db *db, int64_t from, int64_t to, hd_db_pain_row **rows, int *n)
{
    sqlite3_stmt *st = NULL;
    hd_db_pain_row *arr = NULL;
    int count = 0, cap = 0, rc;
    hd_status res;

    *rows = NULL;
    *n = 0;
    res = hd_db_prepare(db,
                        "SELECT id, t, value, morning, COALESCE(session_id, 0), note FROM pain"
                        " WHERE t >= ?1 AND (?2 <= 0 OR t < ?2) ORDER BY t, id",
                        &st);
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            int ncap = cap ? cap * 2 : 32;
            hd_db_pain_row *na = realloc(arr, (size_t)ncap * sizeof(*arr));
            if (!na) {
                res = hd_fail(HD_ERR_NOMEM, "out of memory");
                goto fail;
            }
            arr = na;
            cap = ncap;
        }
        hd_db_pain_row *p = &arr[count++];
        p->id = sqlite3_column_int64(st, 0);
        p->t = sqlite3_column_int64(st, 1);
        p->value = sqlite3_column_int(st, 2);
        p->morning = sqlite3_column_int(st, 3);
        p->session_id = sqlite3_column_int64(st, 4);
        hd_db_copy(p->note, sizeof(p->note), sqlite3_column_text(st, 5));
    }
    if (rc != SQLITE_DONE) {
        res = hd_db_fail(db, rc, "list pain");
        goto fail;
    }
    sqlite3_finalize(st);
    *rows = arr;
    *n = count;
    return HD_OK;
fail:
    sqlite3_finalize(st);
    free(arr);
    return res;
}
