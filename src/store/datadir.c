/* datadir.c - the user's data folder, session folders and the clock override.
 *
 * Health data: every folder made here is 0700 (mkdir's mode is filtered by the umask, so
 * the mode is set again with chmod after creating).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "heeldrop/db.h"

time_t hd_now(void)
{
    const char *env = getenv("HEELDROP_NOW");
    if (env && *env) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(env, &end, 10);
        if (!errno && end && *end == '\0' && v >= 0)
            return (time_t)v;
    }
    return time(NULL);
}

/* mkdir -p with mode 0700 for every folder it creates; the last one is chmod'ed to 0700
 * even when it existed (it is ours: the data folder or a session folder). */
static hd_status make_private_dir(const char *path, int fix_last)
{
    char tmp[PATH_MAX];
    struct stat st;
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof(tmp))
        return hd_fail(HD_ERR_INVALID, "folder path too long: %s", path);
    memcpy(tmp, path, len + 1);
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(tmp, 0700) == 0) {
            if (chmod(tmp, 0700) != 0)
                return hd_fail(HD_ERR_IO, "cannot set permissions of %s: %s", tmp, strerror(errno));
        } else if (errno == EEXIST) {
            if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode))
                return hd_fail(HD_ERR_IO, "cannot create folder %s: a file is in the way", tmp);
        } else {
            return hd_fail(HD_ERR_IO, "cannot create folder %s: %s", tmp, strerror(errno));
        }
        *p = c;
        if (c == '\0')
            break;
    }
    if (fix_last) {
        if (stat(path, &st) != 0)
            return hd_fail(HD_ERR_IO, "cannot read folder %s: %s", path, strerror(errno));
        if ((st.st_mode & 0777) != 0700 && chmod(path, 0700) != 0)
            return hd_fail(HD_ERR_IO, "cannot make folder %s private (0700): %s", path,
                           strerror(errno));
        if (access(path, W_OK | X_OK) != 0)
            return hd_fail(HD_ERR_IO, "cannot write to folder %s: %s", path, strerror(errno));
    }
    return HD_OK;
}

hd_status hd_user_data_dir(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int w;

    /* The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored. */
    if (xdg && xdg[0] == '/')
        w = snprintf(buf, n, "%s/heeldrop", xdg);
    else if (home && home[0] == '/')
        w = snprintf(buf, n, "%s/.local/share/heeldrop", home);
    else
        return hd_fail(HD_ERR_INVALID, "no data folder: set XDG_DATA_HOME or HOME");
    if (w < 0 || (size_t)w >= n)
        return hd_fail(HD_ERR_INVALID, "data folder path too long");
    hd_status st = make_private_dir(buf, 1);
    if (st < 0)
        return hd_fail(st, "data folder: %s", hd_last_error());
    return HD_OK;
}

hd_status hd_session_dir_create(char *dir, size_t n, char *id, size_t idn)
{
    char data[PATH_MAX], base[32], cand[48], sessions[PATH_MAX + 16];
    time_t now = hd_now();
    struct tm tm;
    hd_status st;

    st = hd_user_data_dir(data, sizeof(data));
    if (st < 0)
        return st;
    snprintf(sessions, sizeof(sessions), "%s/sessions", data);
    st = make_private_dir(sessions, 1);
    if (st < 0)
        return st;
    if (!localtime_r(&now, &tm) || strftime(base, sizeof(base), "%Y%m%d-%H%M%S", &tm) == 0)
        return hd_fail(HD_ERR_INTERNAL, "cannot format the session time");
    for (int k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(cand, sizeof(cand), "%s", base);
        else
            snprintf(cand, sizeof(cand), "%s-%d", base, k);
        int w = snprintf(dir, n, "%s/%s", sessions, cand);
        if (w < 0 || (size_t)w >= n || strlen(cand) + 1 > idn)
            return hd_fail(HD_ERR_INVALID, "session folder path too long");
        if (mkdir(dir, 0700) == 0) {
            if (chmod(dir, 0700) != 0)
                return hd_fail(HD_ERR_IO, "cannot set permissions of %s: %s", dir, strerror(errno));
            strcpy(id, cand);
            return HD_OK;
        }
        if (errno != EEXIST)
            return hd_fail(HD_ERR_IO, "cannot create session folder %s: %s", dir, strerror(errno));
    }
    return hd_fail(HD_ERR_IO, "cannot create a session folder for %s: 999 taken", base);
}
