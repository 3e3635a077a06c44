/*
 * console_doctor.c - GET /api/doctor: `cpwarden doctor` for the console's credentials and scope,
 * through the same library call (cpw_doctor_run), answered as `doctor --output json` prints it.
 * It uses the AWS client, so it waits for no scan, plan or apply: while one runs it answers 409.
 */
#include <pthread.h>

#include "console_internal.h"
#include "cpw/credentials.h"
#include "cpw/doctor.h"
#include "cpw/error.h"
#include "cpw/time.h"

void console_api_doctor(struct console_req *r)
{
    struct cpw_console *c = r->console;
    pthread_mutex_lock(&c->lock);
    bool mine = c->opts.client && !c->busy && !c->stopping;
    c->busy = c->busy || mine;
    pthread_mutex_unlock(&c->lock);
    if (!c->opts.client) {
        console_error(r, 503, "NoClient", "the console runs without AWS credentials");
        return;
    }
    if (!mine) {
        console_error(r, 409, "Busy", "a scan, plan or apply is running; ask again when it ends");
        return;
    }
    struct cpw_credentials creds;
    cpw_credentials_init(&creds);
    if (cpw_credentials_provider_get(cpw_aws_client_credentials(c->opts.client), &creds) != 0) {
        cpw_error_clear(); /* the run's own calls then say why */
    }
    struct cpw_doctor_options o = {
        .client = c->opts.client,
        .client_options = c->opts.client_options,
        .credentials_source = creds.source,
        .access_key_id = creds.access_key_id,
        .identity_local_s = cpw_time_now_s(),
        .identity_date = NULL, /* the console keeps no Date header: the clock row says so */
        .account = c->opts.account,
        .arn = c->opts.caller_arn,
        .org = c->opts.org,
        .role_name = c->opts.role_name,
        .regions = c->opts.regions,
        .region_count = c->opts.region_count,
        .store = c->store,
    };
    struct cpw_doctor_report report;
    cpw_doctor_report_init(&report);
    int rc = cpw_doctor_run(&o, &report);
    pthread_mutex_lock(&c->lock);
    c->busy = false;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
    if (rc != 0) {
        console_error(r, 502, "DoctorFailed", "%s", cpw_last_error_detail());
        cpw_error_clear();
    } else {
        console_reply(r, cpw_doctor_json(&report), "doctor");
    }
    cpw_doctor_report_clean_up(&report);
    cpw_credentials_clean_up(&creds);
}
