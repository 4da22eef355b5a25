/*
 * health.h - health checks of the infrastructure in the oslo.upgradecheck
 * convention: each check gives Success, Warning or Failure with details;
 * the overall result is the worst one, and the exit status its code
 * (0, 1, 2).  Used by "stackhop check", before an upgrade, and as the
 * gate between rolling batches.
 */
#ifndef STACKHOP_HEALTH_H
#define STACKHOP_HEALTH_H

#include "infra.h"
#include "upgradecheck.h"		/* struct check_result */

/* Component names: galera, haproxy, rabbitmq, keystone. */
extern const char *const health_components[];

/* Run the check of component (one of health_components) into r. */
void health_check(struct infra *x, const char *component, struct check_result *r);

#endif
