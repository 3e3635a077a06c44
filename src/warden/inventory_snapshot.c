/*
 * inventory_snapshot.c - inventories in and out of the state store's snapshots: the store keeps
 * JSON documents, this module writes and reads them (so the store needs no inventory code).
 */
#include "cpw/inventory.h"
#include "cpw/store.h"

#define DOCUMENT_MAX_BYTES (64u * 1024u * 1024u)

int cpw_inventory_snapshot_save(struct cpw_store *store,
                                const struct cpw_inventory *inv,
                                const char *identity,
                                const char *scope,
                                int64_t *id_out)
{
    struct cpw_buf doc;
    cpw_buf_init(&doc, DOCUMENT_MAX_BYTES);
    int rc = cpw_inventory_write(inv, CPW_INV_FORMAT_JSON, NULL, &doc);
    if (rc == 0) {
        struct cpw_store_snapshot_doc snap = {
            .document = cpw_buf_span(&doc),
            .scanned_at_s = cpw_inventory_scanned_at(inv),
            .schema = CPW_INVENTORY_SCHEMA,
            .identity = identity,
            .scope = scope,
        };
        rc = cpw_store_snapshot_save_document(store, &snap, id_out);
    }
    cpw_buf_clean_up(&doc);
    return rc;
}

struct cpw_inventory *cpw_inventory_snapshot_load(struct cpw_store *store, int64_t id)
{
    struct cpw_buf doc;
    cpw_buf_init(&doc, DOCUMENT_MAX_BYTES);
    struct cpw_inventory *inv = NULL;
    if (cpw_store_snapshot_document(store, id, &doc) == 0) {
        inv = cpw_inventory_load_json(cpw_buf_span(&doc));
    }
    cpw_buf_clean_up(&doc);
    return inv;
}
