/*
 * service.h - the per-node container flow of an OpenStack service, as
 * step functions (catalog/services.yaml, plan.c's service flow): stop the
 * old container, remove it, remove the old image, start the new one, check
 * its health.  They act only through the run's runtime (x->rt,
 * src/infra/runtime.h): with runtime "process" the settings' process
 * control command (the lab's svc.sh), where a container is the service's
 * process with its run record and an image an unpacked package tree; with
 * "docker" the node's Docker API.
 *
 * Where a load balancer has a backend named after the component with a
 * server named after the node, container-stop drains that server first
 * (drain, no session left, then maint) and the health check puts it back
 * (ready, UP on every HAProxy): the VIP never sends a request to a node
 * whose container is down.  Every function is idempotent.
 */
#ifndef STACKHOP_SERVICE_H
#define STACKHOP_SERVICE_H

#include <stdio.h>

#include "catalog.h"
#include "infra.h"

int service_container_stop(struct infra *x, const char *component, const struct inv_host *h,
			   struct sh_error *err);
int service_container_remove(struct infra *x, const char *component, const struct inv_host *h,
			     struct sh_error *err);
/* Remove the component's images on h other than keep (the new one). */
int service_image_remove(struct infra *x, const char *component, const struct inv_host *h,
			 const char *keep, struct sh_error *err);
int service_container_start(struct infra *x, const char *component, const struct inv_host *h,
			    const char *version, struct sh_error *err);
/*
 * The component answers on each of hosts (n of them), is back in HAProxy,
 * and, for keystone, a token issues through the VIP.
 */
int service_health_check(struct infra *x, const char *component,
			 const struct inv_host *const *hosts, size_t n, struct sh_error *err);

/*
 * The service's configuration on each of hosts translated to release to
 * (an index of cat->releases) with the catalog's renames (config.h): read
 * through the runtime (the process runtime's "config" action; docker:
 * every container directory's copy), written back atomically there only
 * when something changed.  Each
 * change is logged by option name, never with a value.
 */
int service_config_migrate(struct infra *x, const struct catalog *cat, const char *service,
			   int to, const struct inv_host *const *hosts, size_t n,
			   struct sh_error *err);

/*
 * The database db exists and user ('user'@'%') has every privilege on it,
 * through the VIP as the settings' database user.  A missing user is
 * created with the secret USER_db_password (its mysql_native_password hash
 * is sent, never the password).  Says what it found or did, one line
 * each, on out.
 */
int service_db_create(struct infra *x, const char *db, const char *user, FILE *out,
		      struct sh_error *err);

/*
 * The statement that creates 'user'@'%' with password, malloc'd; NULL
 * when user is not letters, digits and '_' (up to 64).  Wipe it before
 * freeing it.
 */
char *service_create_user_sql(const char *user, const char *password);

/*
 * A catalog command of service, the runtime's run_one_off (the docker
 * runtime; the process runtime has none): argv in a
 * one-off container on h from the image of the service's container there
 * (the first whose name is the service's or starts with it and '_', as
 * kolla names them) at version, or the image that container runs when
 * version is NULL; with that component's configuration directory, the
 * host's network, and the settings' run_prefix before argv (kolla's
 * kolla_set_configs).  Its output goes to stdout and stderr; returns its
 * exit status, or -1 (err set) when it could not run.
 */
int service_container_run(struct infra *x, const char *service, const struct inv_host *h,
			  const char *version, const char *const *argv, struct sh_error *err);

#endif
