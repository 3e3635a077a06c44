/*
 * regions.h - AWS region names, their partitions, and where each service is offered.
 *
 * Everything here comes from the embedded partitions table (cpw_model_partitions(), extracted
 * from botocore's endpoints.json and partitions.json), never from a hand-typed list.
 *
 * A region is accepted when it is listed in a partition (or is a partition endpoint such as
 * "aws-global"), or when it is well-formed: lower-case words joined by '-' ending in a number
 * ("eu-west-9") and matched by some partition's regionRegex. Unknown but well-formed names are
 * allowed so that a region newer than the embedded data still works.
 *
 * Thread-safety: all functions are thread-safe (the model is shared read-only).
 */
#ifndef CPW_REGIONS_H
#define CPW_REGIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/**
 * Checks a region name. Returns 0, or -1 with CPW_ERR_CONFIG and a detail that names the value
 * and says what a region looks like ("'euwest1' is not a valid region name ..."). A well-formed
 * name that is not listed and whose words match no listed region ("eu-wset-1") is accepted with
 * a warning on the log naming the closest listed region; "eu-west-9" is accepted silently.
 */
int cpw_region_check(const char *region);

/**
 * The partition of region: by the partitions' region lists (and partition endpoints) first, then
 * by their regionRegex. Returns the partition object of the model table ({partition, dnsSuffix,
 * dualStackDnsSuffix, supportsFIPS, supportsDualStack, regions, services}), borrowed, or NULL
 * with CPW_ERR_CONFIG when no partition claims the name.
 */
const json_t *cpw_region_partition(const char *region);

/** The partition's name ("aws", "aws-cn", ...) for region, borrowed, or NULL (CPW_ERR_CONFIG). */
const char *cpw_region_partition_name(const char *region);

/** The partition object named partition ("aws-us-gov"), borrowed, or NULL (CPW_ERR_NOT_FOUND). */
const json_t *cpw_partition_get(const char *partition);

/**
 * True when region is an opt-in region of the aws partition (af-south-1, ap-east-1, ...: every
 * region launched after 20 March 2019), which holds nothing and answers no regional call until
 * the account enables it (AWS Account Management EnableRegion). False for every other name,
 * including the regions of the other partitions and names the table does not know.
 */
bool cpw_region_is_opt_in(const char *region);

/** The number of opt-in regions, and the i-th (sorted by name; NULL past the end). Static. */
size_t cpw_region_opt_in_count(void);
const char *cpw_region_opt_in(size_t i);

/**
 * True when service (model name: "connect", "customer-profiles", ...) is offered in region by
 * the partitions table: region is listed for the service in its partition, or the service is
 * global there. False for an unknown service or region (no error is left raised).
 */
bool cpw_region_offers(const char *service, const char *region);

/** An owned list of region names. Zero-initialise it; release with cpw_region_list_clean_up. */
struct cpw_region_list {
    char **names; /* owned strings */
    size_t count;
    size_t cap;
};

/** Frees the names and leaves the list empty. NULL is a no-op. */
void cpw_region_list_clean_up(struct cpw_region_list *list);

/** Appends a copy of region unless the list holds it already. */
void cpw_region_list_add(struct cpw_region_list *list, const char *region);

/** True when the list holds region. */
int cpw_region_list_contains(const struct cpw_region_list *list, const char *region);

/**
 * Appends (without duplicates, in the model's sorted order) the regions of partition where
 * service ("customer-profiles", "connect", ...) is offered. A service the partition does not
 * offer adds nothing. Returns 0, or -1 with CPW_ERR_MODEL for an unknown service or
 * CPW_ERR_NOT_FOUND for an unknown partition.
 */
int cpw_regions_for_service(const char *service,
                            const char *partition,
                            struct cpw_region_list *out);

struct cpw_regions_parse_options {
    const char *spec;            /* the option's value: "all" or "R1,R2,..." */
    const char *const *services; /* for "all": regions where any of these is offered */
    size_t service_count;
    const char *current_region; /* for "all": its partition is the one swept; may be NULL */
};

/**
 * Parses the value of a `--regions` option into out (which must be empty):
 *  - "all": every region where any of opts->services is offered in the partition of
 *    opts->current_region, sorted by name, without duplicates (no current region: an error);
 *  - "R1,R2,...": the named regions in the order given, duplicates removed, spaces around names
 *    ignored. Every name must be a region the partitions table knows; otherwise -1 with
 *    CPW_ERR_CONFIG and a detail naming every bad entry.
 * Returns 0 or -1 (out left empty).
 */
int cpw_regions_parse(const struct cpw_regions_parse_options *opts, struct cpw_region_list *out);

#endif
