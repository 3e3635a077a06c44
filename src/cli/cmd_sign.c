/*
 * cmd_sign.c - `cpwarden sign` (placeholder until SigV4 lands).
 */
#include "cli/cli.h"

#include <stdio.h>

static int s_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("cpwarden sign: not available yet\n", stderr);
    return CPW_EXIT_OTHER;
}

const struct cpw_cli_command cpw_cli_cmd_sign = {
    .name = "sign",
    .summary = "sign a raw HTTP request with SigV4 (debugging signatures)",
    .help = "usage: cpwarden sign --context CONTEXT.json REQUEST.txt\n",
    .run = s_run,
};
