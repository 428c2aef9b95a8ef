/* source.c - the generic frame source: allocation and dispatch over an hd_source_ops table.
 *
 * Backends only see a zeroed private block and fill src->info in open(). The contract for
 * backends: open() releases whatever it acquired before returning a failure (the core
 * frees the private block but does not call close() after a failed open), and close()
 * must cope with a frame that was never released.
 */
#include <stdlib.h>
#include <string.h>

#include "heeldrop/source.h"

hd_status hd_source_open(const hd_source_ops *ops, const char *uri, const hd_source_opts *opts,
                         hd_source **out)
{
    static const hd_source_opts defaults = {.want_format = HD_PIX_YUV420P};
    hd_source *src = NULL;
    hd_status st;

    if (!out)
        return hd_fail(HD_ERR_INVALID, "hd_source_open: out is NULL");
    *out = NULL;
    if (!ops || !ops->open || !ops->acquire || !uri)
        return hd_fail(HD_ERR_INVALID, "hd_source_open: missing backend or uri");

    src = calloc(1, sizeof(*src));
    if (!src)
        goto nomem;
    src->ops = ops;
    if (ops->priv_size) {
        src->priv = calloc(1, ops->priv_size);
        if (!src->priv)
            goto nomem;
    }

    st = ops->open(src, uri, opts ? opts : &defaults);
    if (st != HD_OK) {
        /* a soft status from open() would leave the caller with no source and no error */
        if (st > 0)
            st = hd_fail(HD_ERR_INTERNAL, "%s source: open returned %s", ops->name,
                         hd_status_str(st));
        goto fail;
    }
    *out = src;
    return HD_OK;

nomem:
    st = hd_fail(HD_ERR_NOMEM, "out of memory opening %s", uri ? uri : "source");
fail:
    if (src)
        free(src->priv);
    free(src);
    return st;
}

hd_status hd_source_acquire(hd_source *src, hd_frame *out)
{
    if (!src || !out)
        return hd_fail(HD_ERR_INVALID, "hd_source_acquire: NULL argument");
    /* a failed acquire leaves a frame with no planes rather than stale pointers */
    memset(out, 0, sizeof(*out));
    return src->ops->acquire(src, out);
}

void hd_source_release(hd_source *src, hd_frame *frame)
{
    if (!src || !frame)
        return;
    if (src->ops->release)
        src->ops->release(src, frame);
    /* the pixels are gone now: make a use after release fail loudly, not read stale data */
    memset(frame, 0, sizeof(*frame));
}

void hd_source_close(hd_source *src)
{
    if (!src)
        return;
    if (src->ops->close)
        src->ops->close(src);
    free(src->priv);
    free(src);
}

const hd_source_info *hd_source_get_info(const hd_source *src)
{
    return src ? &src->info : NULL;
}
