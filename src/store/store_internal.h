/*
 * store_internal.h - what the store's files share: the handle's layout and SQLite error helpers.
 */
#ifndef CPW_STORE_INTERNAL_H
#define CPW_STORE_INTERNAL_H

#include <sqlite3.h>

#include "cpw/store.h"

struct cpw_store {
    sqlite3 *db;
    char *path;
    int schema_version;
};

/** Raises CPW_ERR_STORE with what was being done and SQLite's message; returns -1. */
int cpw_store_raise(struct cpw_store *store, const char *doing);

#endif
