/*
 * fuzz_ini_config.c - the INI files cpwarden reads, through libinih: the wrapper itself, the AWS
 * shared config and credentials files, and the protections file. None may crash, leak or read
 * out of bounds; a refused file always comes with a CONFIG error; the wrapper's events come in
 * line order, within the text, with whole strings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/config.h"
#include "cpw/error.h"
#include "cpw/ini.h"
#include "cpw/protect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct order {
    unsigned last_line;
    unsigned lines;
};

static int s_check(void *user, const struct cpw_ini_item *item)
{
    struct order *o = user;
    if (!item->section || item->line < o->last_line || item->line > o->lines ||
        (item->key && !item->value) || (!item->key && item->continuation)) {
        abort();
    }
    o->last_line = item->line;
    return 0;
}

static char s_path[64];

static void s_remove(void)
{
    unlink(s_path);
}

static void s_write(const uint8_t *data, size_t size)
{
    if (!s_path[0]) {
        snprintf(s_path, sizeof(s_path), "/tmp/cpw-fuzz-ini-XXXXXX");
        int fd = mkstemp(s_path);
        if (fd < 0) {
            abort();
        }
        close(fd);
        atexit(s_remove);
    }
    FILE *f = fopen(s_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size) {
        abort();
    }
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct order o = { .lines = 1 };
    for (size_t i = 0; i < size; i++) {
        o.lines += data[i] == '\n';
    }
    if (cpw_ini_parse((struct cpw_span){ .ptr = data, .len = size }, "fuzz", s_check, &o) &&
        cpw_last_error() != CPW_ERR_CONFIG) {
        abort();
    }
    s_write(data, size);
    struct cpw_config_load_options opts = { .config_path = s_path,
                                            .credentials_path = s_path,
                                            .profile = "default" };
    struct cpw_config *cfg = cpw_config_load(&opts);
    if (!cfg && cpw_last_error() != CPW_ERR_CONFIG) {
        abort();
    }
    if (cfg) {
        (void)cpw_config_get(cfg, NULL, "region");
        (void)cpw_config_get_section(cfg, "services", "x", "s3.endpoint_url");
    }
    cpw_config_destroy(cfg);
    struct cpw_protect *protect = cpw_protect_load(s_path);
    if (!protect && cpw_last_error() != CPW_ERR_CONFIG) {
        abort();
    }
    cpw_protect_destroy(protect);
    return 0;
}
