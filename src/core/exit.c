/*
 * exit.c - the exit status for a failed call's error code (exit.h).
 */
#include "cpw/exit.h"

#include "cpw/error.h"

enum cpw_exit cpw_exit_for_error(void)
{
    switch (cpw_last_error()) {
    case CPW_ERR_AWS:
        return CPW_EXIT_SERVICE;
    case CPW_ERR_CONFIG:
    case CPW_ERR_CREDENTIALS:
        return CPW_EXIT_CONFIG;
    case CPW_ERR_VALIDATION:
    case CPW_ERR_INVALID_ARGUMENT:
        return CPW_EXIT_USAGE;
    default:
        return CPW_EXIT_OTHER;
    }
}
