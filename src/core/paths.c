/* paths.c - data folder lookup and write-to-temporary-then-rename helpers. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heeldrop/paths.h"

#ifndef HD_SOURCE_DIR
#define HD_SOURCE_DIR ""
#endif
#ifndef HD_INSTALL_DATADIR
#define HD_INSTALL_DATADIR "/usr/local/share/heeldrop"
#endif

static int has_models(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    if (snprintf(p, sizeof(p), "%s/models", dir) >= (int)sizeof(p))
        return 0;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static hd_status put(char *buf, size_t size, const char *dir)
{
    if (strlen(dir) + 1 > size)
        return hd_fail(HD_ERR_INVALID, "data folder path too long");
    strcpy(buf, dir);
    return HD_OK;
}

hd_status hd_data_dir(char *buf, size_t size)
{
    const char *env = getenv("HEELDROP_DATA_DIR");
    char exe[PATH_MAX], cand[PATH_MAX];
    ssize_t n;

    if (env && *env) {
        if (!has_models(env))
            return hd_fail(HD_ERR_NOTFOUND, "HEELDROP_DATA_DIR=%s has no models/ folder", env);
        return put(buf, size, env);
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *dir = dirname(exe);
        /* build tree: <build>/heeldrop with models copied or linked beside it */
        if (has_models(dir))
            return put(buf, size, dir);
        /* installed: <prefix>/bin/heeldrop and <prefix>/share/heeldrop */
        snprintf(cand, sizeof(cand), "%s/../share/heeldrop", dir);
        if (has_models(cand)) {
            char real[PATH_MAX];
            return put(buf, size, realpath(cand, real) ? real : cand);
        }
    }
    if (HD_SOURCE_DIR[0] && has_models(HD_SOURCE_DIR))
        return put(buf, size, HD_SOURCE_DIR);
    if (has_models(HD_INSTALL_DATADIR))
        return put(buf, size, HD_INSTALL_DATADIR);
    return hd_fail(HD_ERR_NOTFOUND,
                   "cannot find HeelDrop's data (models/, assets/): set HEELDROP_DATA_DIR");
}

hd_status hd_data_path(const char *rel, char *buf, size_t size)
{
    char dir[PATH_MAX];
    hd_status st = hd_data_dir(dir, sizeof(dir));
    if (st < 0)
        return st;
    if (snprintf(buf, size, "%s/%s", dir, rel) >= (int)size)
        return hd_fail(HD_ERR_INVALID, "data path too long");
    return HD_OK;
}

hd_status hd_atomic_open(const char *path, char *tmp_path, size_t size, void **file)
{
    int fd;
    FILE *f;
    *file = NULL;
    if (snprintf(tmp_path, size, "%s.tmp.XXXXXX", path) >= (int)size)
        return hd_fail(HD_ERR_INVALID, "output path too long: %s", path);
    fd = mkstemp(tmp_path);
    if (fd < 0)
        return hd_fail(HD_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    /* mkstemp creates 0600; outputs are ordinary files: respect the umask */
    mode_t um = umask(0);
    umask(um);
    (void)fchmod(fd, 0666 & ~um);
    f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(tmp_path);
        return hd_fail(HD_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    *file = f;
    return HD_OK;
}

hd_status hd_atomic_commit(void *file, const char *tmp_path, const char *path)
{
    FILE *f = file;
    int bad = ferror(f);
    int e = errno;
    if (fflush(f) != 0) {
        bad = 1;
        e = errno;
    }
    if (!bad && fsync(fileno(f)) != 0 && errno != EINVAL) {
        bad = 1;
        e = errno;
    }
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        unlink(tmp_path);
        return hd_fail(HD_ERR_IO, "cannot write %s: %s", path, strerror(e ? e : EIO));
    }
    if (rename(tmp_path, path) != 0) {
        e = errno;
        unlink(tmp_path);
        return hd_fail(HD_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    return HD_OK;
}

void hd_atomic_abort(void *file, const char *tmp_path)
{
    if (file)
        fclose((FILE *)file);
    if (tmp_path && *tmp_path)
        unlink(tmp_path);
}

hd_status hd_check_writable(const char *path)
{
    char copy[PATH_MAX];
    struct stat st;
    if (strlen(path) >= sizeof(copy))
        return hd_fail(HD_ERR_INVALID, "output path too long: %s", path);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return hd_fail(HD_ERR_IO, "cannot write %s: it is a directory", path);
    strcpy(copy, path);
    const char *dir = dirname(copy);
    if (stat(dir, &st) != 0)
        return hd_fail(HD_ERR_IO, "cannot write %s: folder %s does not exist", path, dir);
    if (!S_ISDIR(st.st_mode))
        return hd_fail(HD_ERR_IO, "cannot write %s: %s is not a folder", path, dir);
    if (access(dir, W_OK) != 0)
        return hd_fail(HD_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return HD_OK;
}

static char *read_fail(int *err, int e)
{
    if (err)
        *err = e;
    return NULL;
}

char *hd_read_text(const char *path, size_t max_bytes, size_t *len, int *err)
{
    struct stat sb;
    size_t cap = 4096, n = 0;
    char *buf;
    int e = 0;

    FILE *f = fopen(path, "rb");
    if (!f)
        return read_fail(err, errno ? errno : EIO);
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return read_fail(err, EISDIR);
    }
    buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *g = realloc(buf, cap * 2);
            if (!g) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = g;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max_bytes) {
            e = EFBIG;
            break;
        }
        if (got == 0)
            break;
    }
    if (!e && ferror(f))
        e = EIO;
    fclose(f);
    if (!buf)
        return read_fail(err, ENOMEM);
    if (e) {
        free(buf);
        return read_fail(err, e);
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    if (err)
        *err = 0;
    return buf;
}
