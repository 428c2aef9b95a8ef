/* db.h - the user's data folder, session folders and the SQLite session database.
 *
 * Data folder: $XDG_DATA_HOME/heeldrop (default ~/.local/share/heeldrop), created 0700.
 * Database: <data>/heeldrop.db, 0600, WAL journal, 5 s busy timeout, foreign keys on.
 * The schema is versioned (PRAGMA user_version) and migrated step by step (k -> k+1) when
 * the database is opened; a database newer than this program is refused (HD_ERR_FORMAT).
 *
 * Writing (the live loop): hd_db_session_begin() when a session starts, hd_db_rep_add()
 * as each rep ends (its own transaction, so SIGKILL loses at most the rep in progress),
 * hd_db_session_end() at the end. A session whose process died while it was "running" is
 * read back as "interrupted", with its reps, and is marked so in the database by the next
 * hd_db_open() that can write.
 *
 * Reading (history, report, review): sessions in a time range with per-session
 * aggregates, the reps of one session with their warnings, pain entries. Programme state
 * and advice are in programme.h.
 *
 * Threading: an hd_db handle is used by one thread at a time. Several handles (threads or
 * processes) may use the same database at once: WAL lets readers see the last committed
 * rep while a writer works, and writers wait up to the busy timeout for each other.
 * Times are unix seconds (UTC); "days" and "weeks" are local time (TZ).
 */
#ifndef HEELDROP_DB_H
#define HEELDROP_DB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "heeldrop/reps.h"
#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this program writes (PRAGMA user_version). */
#define HD_DB_SCHEMA_VERSION 3

/* ---- data folder and session folders ---------------------------------------------- */

/* Writes the user's data folder ($XDG_DATA_HOME/heeldrop, else $HOME/.local/share/heeldrop)
 * to buf and creates it (and missing parents) with mode 0700. Returns HD_OK,
 * HD_ERR_INVALID (buf too small, no HOME), HD_ERR_IO (cannot create: permissions, full
 * disk, a file in the way; the message names the folder and the reason).
 * (Not hd_data_dir(): that name is paths.h's folder of models/ and assets/.) */
hd_status hd_user_data_dir(char *buf, size_t n);

/* Creates <data>/sessions/<id>/ (0700, parents too) with id the local time now
 * ("YYYYMMDD-HHMMSS", "-2", "-3"... when taken; HEELDROP_NOW overrides now). dir gets the
 * folder's full path, id the id. Returns HD_OK, HD_ERR_INVALID (buffer too small),
 * HD_ERR_IO (cannot create). Safe against another process creating the same id (mkdir
 * is the test). */
hd_status hd_session_dir_create(char *dir, size_t n, char *id, size_t idn);

/* "now" for dates: HEELDROP_NOW (unix seconds) when set and valid, else time(NULL). */
time_t hd_now(void);

/* ---- the database ------------------------------------------------------------------ */

typedef struct hd_db hd_db;

typedef enum hd_source_kind { HD_SOURCE_CAMERA = 0, HD_SOURCE_FILE = 1 } hd_source_kind;

typedef enum hd_session_status {
    HD_SESSION_RUNNING = 0,
    HD_SESSION_DONE = 1,
    HD_SESSION_INTERRUPTED = 2
} hd_session_status;

/* "camera"/"file"; "running"/"done"/"interrupted". */
const char *hd_source_kind_name(hd_source_kind k);
const char *hd_session_status_name(hd_session_status s);

/* What hd_db_session_begin() records. All strings are borrowed for the call; NULL or ""
 * means none. */
typedef struct hd_db_session {
    const char *uid;    /* session folder id ("20250101-073000"); required, unique */
    int64_t start_time; /* unix seconds */
    hd_source_kind source_kind;
    const char *source;        /* device path or video file */
    const char *near_leg;      /* "left", "right" or "" (unknown) */
    const char *knee;          /* "straight", "bent" or "" */
    double load_kg;            /* added load (backpack); > 0 also adds a row to the load log */
    const char *settings_json; /* the settings block of the summary, as JSON text */
    const char *note;
} hd_db_session;

/* Opens (creating if needed) the database at path, or at <data>/heeldrop.db when path is
 * NULL; a new file is made 0600 (existing files are chmod'ed to 0600 too, the folder
 * of the default path 0700). Migrates an older schema to HD_DB_SCHEMA_VERSION inside one
 * transaction per step. On failure *out is NULL and the status is HD_ERR_IO (cannot
 * create/open/write), HD_ERR_FORMAT (not a HeelDrop database, corrupt, or newer schema).
 * Close with hd_db_close(). */
hd_status hd_db_open(const char *path, hd_db **out);

/* Closes the database. NULL is fine. */
void hd_db_close(hd_db *db);

/* The file the handle opened (owned by db). */
const char *hd_db_path(const hd_db *db);

/* Starts a session (status "running", this process's id kept to tell a dead run from a
 * live one). *session_id gets its row id. HD_ERR_INVALID (no uid, uid already used),
 * HD_ERR_IO (write failed, e.g. full disk). */
hd_status hd_db_session_begin(hd_db *db, const hd_db_session *info, int64_t *session_id);

/* Records one rep of a session in its own transaction: the rep, its set (created or
 * widened) and one row per warning. leg_label is "left", "right", "near" or "far" (NULL:
 * from rep->foot: "near"/"far"/""). A rep whose index is already stored for the session
 * replaces it (so the final list after hd_reps_finish() may be written again, with the
 * final set numbers and partial flags). rep is borrowed. HD_ERR_INVALID (no such
 * session), HD_ERR_IO (write failed; nothing of this rep is kept). */
hd_status hd_db_rep_add(hd_db *db, int64_t session_id, const hd_rep *rep, const char *leg_label);

/* Ends a session: end time, duration, frames seen and dropped, status (DONE or
 * INTERRUPTED). HD_ERR_INVALID (no such session), HD_ERR_IO. */
hd_status hd_db_session_end(hd_db *db, int64_t session_id, int64_t end_time, double duration_s,
                            int64_t frames, int64_t dropped, hd_session_status status);

/* Sets a session's note (NULL clears). HD_ERR_INVALID (no such session), HD_ERR_IO. */
hd_status hd_db_session_set_note(hd_db *db, int64_t session_id, const char *note);

/* Logs a pain rating 0..10 at time t. session_id is a session's id or 0 (standalone);
 * morning: 1 for the next-morning rating. note may be NULL. *pain_id (may be NULL) gets
 * the row id. HD_ERR_INVALID (value out of range, unknown session), HD_ERR_IO. */
hd_status hd_db_pain_add(hd_db *db, int64_t t, int value, int morning, int64_t session_id,
                         const char *note, int64_t *pain_id);

/* ---- reading ------------------------------------------------------------------------ */

/* One session with its aggregates. Strings are copies (truncated to fit). */
typedef struct hd_db_session_row {
    int64_t id;
    char uid[40];
    int64_t start_time, end_time; /* end_time 0 while running or when killed */
    double duration_s;            /* as recorded at the end; for an unfinished session the
                                   * time from start to its last rep's end */
    hd_source_kind source_kind;
    char source[512];
    char near_leg[8], knee[12];
    double load_kg;
    hd_session_status status; /* a dead "running" session reads as INTERRUPTED */
    int64_t frames, dropped;
    char note[512];
    /* aggregates over the session's reps */
    int reps;                              /* all reps found */
    int valid_reps;                        /* reps without warning */
    int reps_left, reps_right, reps_other; /* by leg label (other: near/far/unknown) */
    int sets;
    double mean_descent_s;       /* over all reps; NaN when none */
    int warnings[HD_WARN_COUNT]; /* count of reps with each warning */
    int warnings_total;
    int pain; /* the latest non-morning pain logged to it, -1 none */
} hd_db_session_row;

/* One stored rep. */
typedef struct hd_db_rep_row {
    hd_rep rep;  /* warnings rebuilt from the warnings rows */
    char leg[8]; /* "left", "right", "near", "far" or "" */
} hd_db_rep_row;

typedef struct hd_db_pain_row {
    int64_t id;
    int64_t t;
    int value;
    int morning;
    int64_t session_id; /* 0: standalone */
    char note[512];
} hd_db_pain_row;

/* Sessions started in [from, to) (unix seconds; to <= 0 means no upper bound), oldest
 * first. *rows is malloc'ed (free() it; NULL when *n is 0). HD_ERR_IO, HD_ERR_NOMEM. */
hd_status hd_db_sessions_list(hd_db *db, int64_t from, int64_t to, hd_db_session_row **rows,
                              int *n);

/* One session by uid (folder id) or, when uid is a number, by row id. HD_ERR_NOTFOUND. */
hd_status hd_db_session_get(hd_db *db, const char *uid, hd_db_session_row *out);

/* The most recent session (by start time). HD_ERR_NOTFOUND when there is none. */
hd_status hd_db_session_latest(hd_db *db, hd_db_session_row *out);

/* The reps of a session in index order, with their warnings. *rows is malloc'ed (free()).
 * HD_ERR_IO, HD_ERR_NOMEM. */
hd_status hd_db_reps_list(hd_db *db, int64_t session_id, hd_db_rep_row **rows, int *n);

/* Pain entries with time in [from, to) (to <= 0: no upper bound), oldest first (ties by
 * id). *rows is malloc'ed (free()). */
hd_status hd_db_pain_list(hd_db *db, int64_t from, int64_t to, hd_db_pain_row **rows, int *n);

#ifdef __cplusplus
}
#endif
#endif
