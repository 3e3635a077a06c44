/*
 * embedded.h - the table of service models embedded by cmake/models.cmake (internal).
 */
#ifndef CPW_MODELS_EMBEDDED_H
#define CPW_MODELS_EMBEDDED_H

#include <stddef.h>

struct cpw_model_blob {
    const char *name;           /* file name without .json: "customer-profiles", "endpoints" */
    const unsigned char *start; /* the JSON text */
    const unsigned char *end;   /* one past its last byte (a NUL follows) */
    /* metadata.signingName and metadata.endpointPrefix, read at build time; NULL if absent */
    const char *signing_name;
    const char *endpoint_prefix;
};

extern const struct cpw_model_blob cpw_model_blobs[];
extern const size_t cpw_model_blob_count;

#endif
