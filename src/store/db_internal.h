/* db_internal.h - shared between the session database's source files and its tests. */
#ifndef HEELDROP_DB_INTERNAL_H
#define HEELDROP_DB_INTERNAL_H

#include <sqlite3.h>

#include "heeldrop/db.h"

struct hd_db {
    sqlite3 *sql;
    char *path;
};

/* Runs the migrations of sql from its user_version up to version (<=
 * HD_DB_SCHEMA_VERSION), one transaction per step. Tests use it to build every earlier
 * schema. HD_ERR_FORMAT (newer than version or not ours), HD_ERR_IO. */
hd_status hd_db_migrate(sqlite3 *sql, int version);

/* Executes SQL text (several statements) and turns an error into HD_ERR_IO naming what. */
hd_status hd_db_exec(hd_db *db, const char *sql, const char *what);

/* Prepares a statement; on failure records HD_ERR_IO naming the SQLite error. */
hd_status hd_db_prepare(hd_db *db, const char *sql, sqlite3_stmt **st);

/* The failure status for a SQLite result code (full disk, read-only, busy: HD_ERR_IO;
 * corrupt or not a database: HD_ERR_FORMAT), with a message naming what failed. */
hd_status hd_db_fail(hd_db *db, int rc, const char *what);

/* 1 when the process that ran a session (its runner token) is still alive. */
int hd_db_runner_alive(const char *runner);

/* Local midnight of the day holding t. */
int64_t hd_local_day_start(int64_t t);

/* Copies text (may be NULL) into buf of size n, truncating. */
void hd_db_copy(char *buf, size_t n, const unsigned char *text);

#endif
