/*
 * cmd_demo.c - `cpwarden demo`. The full story (sandbox, inventory, plan, apply) arrives with the
 * sandbox and the clean-up commands; until then the demo says so plainly and shows the one piece
 * that works end to end today: signing a request with SigV4 and verifying it like a server.
 */
#include "cli/cli.h"

#include <stdio.h>

#include "cpw/error.h"

static int s_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    puts("cpwarden demo\n"
         "\n"
         "The full demo (a local sandbox with an orphaned Customer Profiles domain and its\n"
         "service-linked roles, found, planned, backed up, cleaned up and verified) arrives with\n"
         "`cpwarden sandbox` and the clean-up commands; they are not in this version yet.\n"
         "\n"
         "What works today: AWS Signature Version 4, signing and server-side verification,\n"
         "checked against the official AWS signing test suite. Try:\n"
         "\n"
         "  cpwarden sign --context ../shared/test-vectors/sigv4/get-vanilla/context.json \\\n"
         "                ../shared/test-vectors/sigv4/get-vanilla/request.txt\n");
    return CPW_EXIT_OK;
}

const struct cpw_cli_command cpw_cli_cmd_demo = {
    .name = "demo",
    .summary = "tell the whole story on a local sandbox (arrives with the sandbox)",
    .help = "usage: cpwarden demo\n"
            "\n"
            "Runs cpwarden's story end to end on an in-process sandbox. In this version the\n"
            "sandbox has not landed yet: the demo says so and points at what works today.\n",
    .run = s_run,
};
