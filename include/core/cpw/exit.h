/*
 * exit.h - the process exit statuses of cpwarden and the mapping from a failed call's error code
 * to them. They follow the AWS CLI v2 where they overlap (252 usage, 253 configuration, 254 an
 * AWS error, 255 other) and are documented in docs/cpwarden.1 (EXIT STATUS). The library states
 * outcomes in these terms where a command's status is its result (apply's report).
 */
#ifndef CPW_EXIT_H
#define CPW_EXIT_H

enum cpw_exit {
    CPW_EXIT_OK = 0,
    CPW_EXIT_FAILED = 1,     /* the command ran and failed (details on stderr) */
    CPW_EXIT_PARTIAL = 3,    /* results printed, but part of the work failed */
    CPW_EXIT_REFUSED = 4,    /* apply refused: bad or stale plan, protected, not confirmed */
    CPW_EXIT_VIOLATIONS = 5, /* audit: a violation at or above --fail-on */
    CPW_EXIT_PROBLEMS = 6,   /* doctor: a check found a problem (each printed with its fix) */
    CPW_EXIT_USAGE = 252,    /* invalid syntax or unknown option */
    CPW_EXIT_CONFIG = 253,   /* invalid environment, configuration or credentials */
    CPW_EXIT_SERVICE = 254,  /* an AWS service answered with an error */
    CPW_EXIT_OTHER = 255,    /* any other failure */
    CPW_EXIT_INTERRUPTED = 130,
};

/**
 * The exit status for the calling thread's last error (error.h): CPW_EXIT_SERVICE for an AWS
 * error, CPW_EXIT_CONFIG for configuration and credentials, CPW_EXIT_USAGE for an invalid
 * argument or input the service model rejects, CPW_EXIT_OTHER otherwise.
 */
enum cpw_exit cpw_exit_for_error(void);

#endif
