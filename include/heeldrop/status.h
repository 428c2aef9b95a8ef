/* status.h - status codes and the last error message.
 *
 * Every fallible HeelDrop call returns an hd_status: 0 is success, positive values are
 * soft outcomes (HD_AGAIN, HD_EOF), negative values are failures. A failing function
 * records a human-readable message with hd_fail(); the caller shows it with
 * hd_last_error(). The message is kept per thread.
 */
#ifndef HEELDROP_STATUS_H
#define HEELDROP_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hd_status {
    HD_OK = 0,
    HD_AGAIN = 1,         /* nothing yet: call again */
    HD_EOF = 2,           /* end of stream */
    HD_ERR_INVALID = -1,  /* bad argument or option */
    HD_ERR_NOMEM = -2,    /* out of memory */
    HD_ERR_IO = -3,       /* read/write failure, full disk, permissions */
    HD_ERR_NOTFOUND = -4, /* missing file or device */
    HD_ERR_FORMAT = -5,   /* not a video, corrupt or unsupported data */
    HD_ERR_DEVICE = -6,   /* camera failure (unplugged, stalled) */
    HD_ERR_MODEL = -7,    /* missing or corrupt model/preset file */
    HD_ERR_NOSCENE = -8,  /* no step or no person found in a video */
    HD_ERR_INTERNAL = -9  /* a bug or an unexpected library error */
} hd_status;

/* Records a printf-style message as this thread's last error and returns st, so that
 * `return hd_fail(HD_ERR_IO, "open %s: %s", path, strerror(errno));` works. errno is
 * preserved. */
hd_status hd_fail(hd_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* This thread's last error message (never NULL; "" when none). Valid until the next
 * hd_fail() on this thread. */
const char *hd_last_error(void);

/* Clears this thread's last error message. */
void hd_clear_error(void);

/* A short, constant name for a status ("ok", "io error", ...). */
const char *hd_status_str(hd_status st);

/* The process exit code documented for a failing status (see docs/user-guide.md):
 * 0 ok, 2 bad usage, 3 input not found or unreadable, 4 not a usable video,
 * 5 no step or person found, 6 output could not be written, 7 camera failure,
 * 8 model or preset file problem, 70 internal error. */
int hd_status_exit_code(hd_status st);

#ifdef __cplusplus
}
#endif
#endif
