/* paths.h - where HeelDrop finds its data (models/, assets/) and file helpers. */
#ifndef HEELDROP_PATHS_H
#define HEELDROP_PATHS_H

#include <stddef.h>

#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Finds the data folder holding models/ and assets/: $HEELDROP_DATA_DIR if set, else
 * next to the executable in the build tree (<exe dir>/.. or the source tree recorded at
 * build time), else <prefix>/share/heeldrop. Writes it to buf. HD_ERR_NOTFOUND when
 * none has a models/ folder. */
hd_status hd_data_dir(char *buf, size_t size);

/* Joins the data folder and a relative path ("models/tracker.json"). */
hd_status hd_data_path(const char *rel, char *buf, size_t size);

/* Opens path.tmp.XXXXXX in the same folder for writing; *tmp_path gets its name. */
hd_status hd_atomic_open(const char *path, char *tmp_path, size_t size, void **file /* FILE** */);

/* Closes the temporary file (checking every write and fsync) and renames it to path;
 * on any failure removes it and returns HD_ERR_IO naming path. */
hd_status hd_atomic_commit(void *file /* FILE* */, const char *tmp_path, const char *path);

/* Closes and removes a temporary file after a failure. */
void hd_atomic_abort(void *file /* FILE* */, const char *tmp_path);

/* Checks that the folder of path exists and is writable (HD_ERR_IO otherwise), so an
 * unwritable output is reported before a long analysis rather than after. */
hd_status hd_check_writable(const char *path);

/* Reads a whole file into a NUL-terminated buffer the caller frees (*len: its length
 * without the NUL; len may be NULL). NULL on failure, with *err (err may be NULL) set to
 * an errno value: the one fopen gave (ENOENT, EACCES, ...), EISDIR for a folder, EFBIG
 * when the file is larger than max_bytes, ENOMEM, or EIO for a read error. Says nothing
 * on stderr: the caller words the message. */
char *hd_read_text(const char *path, size_t max_bytes, size_t *len, int *err);

#ifdef __cplusplus
}
#endif
#endif
