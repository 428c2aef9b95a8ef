/* status.c - status names, exit codes and the per-thread last error message. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "heeldrop/status.h"

static _Thread_local char last_error[1024];

hd_status hd_fail(hd_status st, const char *fmt, ...)
{
    int saved = errno;
    char buf[sizeof(last_error)];
    va_list ap;
    /* format into a copy first: the arguments may include hd_last_error() itself */
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    memcpy(last_error, buf, sizeof(buf));
    errno = saved;
    return st;
}

const char *hd_last_error(void)
{
    return last_error;
}

void hd_clear_error(void)
{
    last_error[0] = '\0';
}

const char *hd_status_str(hd_status st)
{
    switch (st) {
    case HD_OK: return "ok";
    case HD_AGAIN: return "again";
    case HD_EOF: return "end of stream";
    case HD_ERR_INVALID: return "invalid argument";
    case HD_ERR_NOMEM: return "out of memory";
    case HD_ERR_IO: return "i/o error";
    case HD_ERR_NOTFOUND: return "not found";
    case HD_ERR_FORMAT: return "unusable video";
    case HD_ERR_DEVICE: return "camera failure";
    case HD_ERR_MODEL: return "model file problem";
    case HD_ERR_NOSCENE: return "no step or person found";
    case HD_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

int hd_status_exit_code(hd_status st)
{
    switch (st) {
    case HD_OK:
    case HD_AGAIN:
    case HD_EOF: return 0;
    case HD_ERR_INVALID: return 2;
    case HD_ERR_NOTFOUND: return 3;
    case HD_ERR_FORMAT: return 4;
    case HD_ERR_NOSCENE: return 5;
    case HD_ERR_IO: return 6;
    case HD_ERR_DEVICE: return 7;
    case HD_ERR_MODEL: return 8;
    case HD_ERR_NOMEM:
    case HD_ERR_INTERNAL: return 70;
    }
    return 70;
}
