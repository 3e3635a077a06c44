/*
 * scenario_builtin.c - the sandbox's built-in scenarios, by name, as scenario documents for
 * cpw_sbx_load_scenario() (docs/sandbox-scenarios.md):
 *
 *   clean    nothing beyond the default account.
 *   orphans  the runbook's situation in the default account, over two regions: a live ACTIVE
 *            instance (us-east-1) integrated with its domain, both with their roles; a deleted
 *            instance (eu-west-2) whose domain, domain role and instance role stayed behind; and
 *            a legacy un-suffixed AWSServiceRoleForProfile.
 *   org:accounts=N,regions=R,leftover=P,seed=S
 *            an organization managed by the default account with N member accounts; in each
 *            member account and each of the first R Connect regions one instance and its domain,
 *            a share P of them left behind as orphans of a deleted instance. Every other member
 *            (the 1st, 3rd, ...) has also enabled the opt-in region af-south-1 and holds one
 *            instance and domain there; the others have not enabled it and hold nothing there.
 *            Identifiers come from a generator seeded by S, so the same spec always gives the
 *            same document. Audit knobs (each a share 0-1, drawn from a second generator so
 *            that a spec without them is unchanged): untagged=P (tags owner and environment on
 *            every domain and instance but a share P), trails_off=P (a multi-region trail in
 *            every account, stopped in a share P of the members), unencrypted=P (a KMS key and
 *            a dead-letter queue on every domain but a share P), stale_roles=P (the roles of a
 *            share P of the instances, live or deleted, and of their domains last used 400
 *            days ago).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/error.h"
#include "sbx_contact.h"

static const char *const s_regions[] = { "us-east-1",    "us-west-2",      "eu-west-2",
                                         "eu-central-1", "ap-southeast-2", "ap-northeast-1",
                                         "ca-central-1", "ap-southeast-1", "ap-northeast-2",
                                         "af-south-1" };
#define REGION_COUNT (sizeof(s_regions) / sizeof(s_regions[0]))

static json_t *s_orphans(void)
{
    /* A timeline, so that creation times can tie each domain to its role as on AWS: the
     * retired instance came first, then the live one, then one domain each, a day apart; the
     * legacy role dates from long before. */
    return json_pack(
      "{s:[{s:s,s:s,s:s,s:s,s:i},{s:s,s:s,s:s,s:s,s:b,s:i}],"
      " s:[{s:s,s:s,s:s,s:i,s:[{s:s}],s:[{s:s,s:s}],s:i},{s:s,s:s,s:s,s:i,s:[{s:s}],s:i}],"
      " s:[{s:s,s:b,s:i}]}",
      "connect_instances", "region", "us-east-1", "id", "0f7c4a5e-1a2b-4c3d-8e9f-000000000001",
      "alias", "live-contact-center", "role_suffix", "LiveInstanceRole0001", "age_days", 31,
      "region", "eu-west-2", "id", "5d2e8b1c-3f4a-4b5c-9d6e-000000000002", "alias",
      "retired-contact-center", "role_suffix", "DeletedInstance00002", "deleted", 1, "age_days", 32,
      "profile_domains", "region", "us-east-1", "name", "live-customers", "role_suffix",
      "LiveDomainRole000001", "profiles", 3, "integrations", "connect_instance",
      "live-contact-center", "object_types", "name", "CTR", "description", "Contact records",
      "age_days", 30, "region", "eu-west-2", "name", "retired-customers", "role_suffix",
      "OrphanDomainRole0002", "profiles", 2, "integrations", "connect_instance",
      "retired-contact-center", "age_days", 29, "service_linked_roles", "service",
      "profile.amazonaws.com", "legacy", 1, "age_days", 400);
}

/* splitmix64 */
static uint64_t s_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void s_suffix(uint64_t *rng, char out[21])
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 20; i++) {
        out[i] = alnum[s_next(rng) % 62];
    }
    out[20] = '\0';
}

static void s_uuid(uint64_t *rng, char out[37])
{
    uint64_t a = s_next(rng);
    uint64_t b = s_next(rng);
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)((a >> 16) & 0xffff), (unsigned)(a & 0xfff),
             (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffULL));
}

/* A share knob: absent (< 0) leaves the document as it was without the knob. */
struct org_params {
    uint64_t accounts;
    uint64_t regions;
    double leftover;
    uint64_t seed;
    double untagged;    /* tags on every domain and instance but a share without */
    double trails_off;  /* a logging multi-region trail in every account but a share stopped */
    double unencrypted; /* a KMS key and a DLQ on every domain but a share without */
    double stale_roles; /* a share of the instances whose (and whose domains') roles were last
                           used 400 days ago */
};

#define STALE_ROLE_DAYS 400

static int s_parse_org(const char *spec, struct org_params *p)
{
    *p = (struct org_params){ .accounts = 3,
                              .regions = 2,
                              .leftover = 0.3,
                              .seed = 1,
                              .untagged = -1,
                              .trails_off = -1,
                              .unencrypted = -1,
                              .stale_roles = -1 };
    char buf[256];
    if (strlen(spec) >= sizeof(buf)) {
        return cpw_raise(CPW_ERR_CONFIG, "scenario %s: too long", spec);
    }
    snprintf(buf, sizeof(buf), "%s", spec);
    char *save = NULL;
    for (char *kv = strtok_r(buf, ",", &save); kv != NULL; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (eq == NULL) {
            return cpw_raise(CPW_ERR_CONFIG, "scenario org: %s is not key=value", kv);
        }
        *eq = '\0';
        const char *value = eq + 1;
        uint64_t n = 0;
        static const char *const shares[] = { "leftover", "untagged", "trails_off", "unencrypted",
                                              "stale_roles" };
        double *const share_of[] = { &p->leftover, &p->untagged, &p->trails_off, &p->unencrypted,
                                     &p->stale_roles };
        bool share = false;
        for (size_t k = 0; k < sizeof(shares) / sizeof(shares[0]) && !share; k++) {
            if (strcmp(kv, shares[k]) != 0) {
                continue;
            }
            char *end = NULL;
            double v = strtod(value, &end);
            if (end == value || *end != '\0' || v < 0 || v > 1) {
                return cpw_raise(CPW_ERR_CONFIG, "scenario org: %s must be 0 to 1", kv);
            }
            *share_of[k] = v;
            share = true;
        }
        if (share) {
            continue;
        }
        if (cpw_span_to_u64(cpw_span_from_cstr(value), UINT64_MAX, &n) != 0) {
            return cpw_raise(CPW_ERR_CONFIG, "scenario org: %s must be a number", kv);
        }
        if (strcmp(kv, "accounts") == 0 && n >= 1 && n <= 1000) {
            p->accounts = n;
        } else if (strcmp(kv, "regions") == 0 && n >= 1 && n <= REGION_COUNT) {
            p->regions = n;
        } else if (strcmp(kv, "seed") == 0) {
            p->seed = n;
        } else {
            return cpw_raise(CPW_ERR_CONFIG,
                             "scenario org: %s is unknown or out of range (accounts 1-1000,"
                             " regions 1-%zu)",
                             kv, REGION_COUNT);
        }
    }
    return 0;
}

#define OPT_IN_REGION "af-south-1" /* the one opt-in region of s_regions */

/* One instance and its domain of account id in region; a share leftover of them deleted. */
static double s_draw(uint64_t *rng)
{
    return (double)(s_next(rng) >> 11) / 9007199254740992.0;
}

/* The audit knobs on one instance and its domain, drawn from their own generator (knobs, so a
 * spec without them gives the same document as before they existed). */
static void s_org_knobs(const struct org_params *p,
                        uint64_t *knobs,
                        const char *id,
                        const char *region,
                        json_t *instance,
                        json_t *domain)
{
    if (p->untagged >= 0 && s_draw(knobs) >= p->untagged) {
        char owner[64];
        snprintf(owner, sizeof(owner), "team-%s", id + 9);
        json_t *tags = json_pack("{s:s,s:s}", "owner", owner, "environment", "prod");
        json_object_set(domain, "tags", tags);
        json_object_set_new(instance, "tags", tags);
    }
    if (p->unencrypted >= 0 && s_draw(knobs) >= p->unencrypted) {
        char key[160];
        char queue[160];
        snprintf(key, sizeof(key), "arn:aws:kms:%s:%s:key/%08llx-0000-4000-8000-000000000000",
                 region, id, (unsigned long long)(s_next(knobs) & 0xffffffffULL));
        snprintf(queue, sizeof(queue), "https://sqs.%s.amazonaws.com/%s/customer-profiles-dlq",
                 region, id);
        json_object_set_new(domain, "encryption_key", json_string(key));
        json_object_set_new(domain, "dead_letter_queue", json_string(queue));
    }
    if (p->stale_roles >= 0 && s_draw(knobs) < p->stale_roles) {
        json_object_set_new(instance, "role_last_used_days", json_integer(STALE_ROLE_DAYS));
        json_object_set_new(domain, "role_last_used_days", json_integer(STALE_ROLE_DAYS));
    }
}

static void s_org_region(uint64_t *rng,
                         uint64_t *knobs,
                         const struct org_params *p,
                         const char *id,
                         const char *region,
                         json_t *instances,
                         json_t *domains)
{
    double leftover = p->leftover;
    char uuid[37];
    char irole[21];
    char drole[21];
    char alias[64];
    char domain[64];
    s_uuid(rng, uuid);
    s_suffix(rng, irole);
    s_suffix(rng, drole);
    bool orphan = s_draw(rng) < leftover;
    snprintf(alias, sizeof(alias), "cc-%s-%s", id, region);
    snprintf(domain, sizeof(domain), "customers-%s", region);
    json_t *instance = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "account", id, "region", region, "id",
                                 uuid, "alias", alias, "role_suffix", irole, "deleted", orphan);
    json_t *dom = json_pack("{s:s,s:s,s:s,s:s,s:i,s:[{s:s}]}", "account", id, "region", region,
                            "name", domain, "role_suffix", drole, "profiles",
                            (int)(s_next(rng) % 5), "integrations", "connect_instance", alias);
    s_org_knobs(p, knobs, id, region, instance, dom);
    json_array_append_new(instances, instance);
    json_array_append_new(domains, dom);
}

static json_t *s_org(const struct org_params *p)
{
    uint64_t rng = p->seed;
    uint64_t knobs = p->seed ^ 0x5bd1e9955bd1e995ULL;
    json_t *trails = json_array();
    json_t *accounts = json_array();
    json_t *members = json_array();
    json_t *instances = json_array();
    json_t *domains = json_array();
    for (uint64_t a = 0; a < p->accounts; a++) {
        char id[16];
        snprintf(id, sizeof(id), "%012llu", 200000000000ULL + (unsigned long long)a + 1);
        char name[32];
        snprintf(name, sizeof(name), "member-%03llu", (unsigned long long)a + 1);
        /* Every other member (the 1st, 3rd, ...) has enabled the opt-in region and holds an
         * instance and a domain there; the others have not, and hold nothing there. */
        bool opted_in = a % 2 == 0;
        char email[64]; /* distinct per member: AWS refuses a second account with one address */
        snprintf(email, sizeof(email), "%s@example.com", name);
        json_t *account = json_pack("{s:s,s:s,s:s}", "id", id, "name", name, "email", email);
        if (opted_in) {
            json_object_set_new(account, "enabled_regions", json_pack("[s]", OPT_IN_REGION));
        }
        json_array_append_new(accounts, account);
        json_array_append_new(members, json_string(id));
        bool opt_in_done = false;
        for (uint64_t r = 0; r < p->regions; r++) {
            bool opt_in = strcmp(s_regions[r], OPT_IN_REGION) == 0;
            if (opt_in && !opted_in) {
                continue;
            }
            opt_in_done = opt_in_done || opt_in;
            s_org_region(&rng, &knobs, p, id, s_regions[r], instances, domains);
        }
        if (opted_in && !opt_in_done) {
            s_org_region(&rng, &knobs, p, id, OPT_IN_REGION, instances, domains);
        }
        if (p->trails_off >= 0) {
            json_array_append_new(trails,
                                  json_pack("{s:s,s:s,s:b}", "account", id, "name", "org-trail",
                                            "logging", s_draw(&knobs) >= p->trails_off));
        }
    }
    json_t *doc = json_pack("{s:o,s:{s:s,s:o},s:o,s:o}", "accounts", accounts, "organization",
                            "account", CPW_SBX_DEFAULT_ACCOUNT, "members", members,
                            "connect_instances", instances, "profile_domains", domains);
    if (p->trails_off >= 0) { /* the management account's own trail always logs */
        json_array_append_new(
          trails, json_pack("{s:s,s:s}", "account", CPW_SBX_DEFAULT_ACCOUNT, "name", "org-trail"));
        json_object_set_new(doc, "trails", trails);
    } else {
        json_decref(trails);
    }
    return doc;
}

int cpw_sbx_builtin_scenario(const char *spec, json_t **doc)
{
    *doc = NULL;
    if (spec == NULL) {
        return cpw_raise(CPW_ERR_CONFIG, "no scenario name");
    }
    if (strcmp(spec, "clean") == 0) {
        *doc = json_object();
        return 0;
    }
    if (strcmp(spec, "orphans") == 0) {
        *doc = s_orphans();
        return 0;
    }
    if (strcmp(spec, "org") == 0 || strncmp(spec, "org:", 4) == 0) {
        struct org_params p;
        if (s_parse_org(spec[3] == ':' ? spec + 4 : "", &p) != 0) {
            return -1;
        }
        *doc = s_org(&p);
        return 0;
    }
    return cpw_raise(CPW_ERR_CONFIG,
                     "unknown scenario %s (built-in: clean, orphans, org:accounts=N,regions=R,"
                     "leftover=P,seed=S,untagged=P,trails_off=P,unencrypted=P,stale_roles=P)",
                     spec);
}

int cpw_sandbox_builtin_scenario(const char *spec, json_t **doc)
{
    return cpw_sbx_builtin_scenario(spec, doc);
}
