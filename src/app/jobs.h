/* jobs.h: the periodic background jobs of the application, and the route that
 * shows them (GET /api/v1/admin/jobs). */
#ifndef TEND_APP_JOBS_H
#define TEND_APP_JOBS_H

#include "platform/http/api.h"
#include "platform/jobs/scheduler.h"

extern const struct sched_job app_jobs[];
extern const int app_jobs_count;

void jobs_api_list(struct api_req *r);

#endif
