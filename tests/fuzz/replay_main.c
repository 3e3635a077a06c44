/*
 * replay_main.c - runs a libFuzzer target over its saved corpus without libFuzzer, so that every
 * ordinary (and sanitizer) build checks that no saved input crashes, hangs or leaks.
 *
 * Usage: fuzz_x_replay DIR...  Prints "N passed, 0 failed" and exits 0 when every file ran.
 */
#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int s_run_file(const char *path)
{
    struct cpw_buf bytes;
    cpw_buf_init(&bytes, 16u << 20);
    if (cpw_buf_read_file(&bytes, path)) {
        fprintf(stderr, "%s: %s\n", path, cpw_last_error_detail());
        return -1;
    }
    /* Copy to an exact-size allocation so that ASan catches reads past the end. */
    uint8_t *exact = cpw_malloc(bytes.len ? bytes.len : 1);
    if (bytes.len) {
        memcpy(exact, bytes.data, bytes.len);
    }
    LLVMFuzzerTestOneInput(exact, bytes.len);
    cpw_free(exact);
    cpw_buf_clean_up(&bytes);
    return 0;
}

int main(int argc, char **argv)
{
    cpw_alloc_use_counting();
    cpw_alloc_install_library_hooks();
    xmlInitParser(); /* global tables made once, before any input's baseline */
    unsigned passed = 0;
    unsigned failed = 0;
    for (int i = 1; i < argc; i++) {
        DIR *dir = opendir(argv[i]);
        if (!dir) {
            fprintf(stderr, "cannot open corpus %s\n", argv[i]);
            failed++;
            continue;
        }
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (entry->d_name[0] == '.') {
                continue;
            }
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[i], entry->d_name);
            size_t live = cpw_alloc_live_count();
            int rc = s_run_file(path);
            xmlResetLastError();  /* libxml2 keeps a copy of its last error per thread */
            cpw_model_clean_up(); /* the endpoint and service models are caches, not leaks */
            if (rc == 0 && cpw_alloc_live_count() == live) {
                passed++;
            } else {
                fprintf(stderr, "FAILED (error or leak): %s\n", path);
                failed++;
            }
        }
        closedir(dir);
    }
    xmlCleanupParser();
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
