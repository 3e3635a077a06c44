/*
 * fuzz_credentials_split.c - the credential_process command-line splitter (shlex rules) on
 * arbitrary bytes: it must either fail cleanly or return at least one word, and never read past
 * the input or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/credentials.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = cpw_strndup((const char *)data, size); /* stops at an embedded NUL, like C */
    char **argv = cpw_credentials_split_command(line);
    if (argv) {
        if (!argv[0]) {
            abort(); /* success promises at least one word */
        }
        size_t total = 0;
        for (char **a = argv; *a; a++) {
            total += strlen(*a);
        }
        if (total > size) {
            abort(); /* words are made of input bytes only */
        }
    }
    cpw_credentials_argv_free(argv);
    cpw_free(line);
    return 0;
}
