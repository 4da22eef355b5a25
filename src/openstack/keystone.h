/*
 * keystone.h - a small Keystone v3 client (libcurl + jansson) for what an
 * upgrade registers: projects, users, role assignments, services and
 * endpoints, each found first and created only when missing, so that a
 * registration run twice creates nothing new.
 *
 * The token comes from a password login (user and project in the
 * "Default" domain); it and every password are wiped from memory when
 * freed and never appear in messages.
 */
#ifndef STACKHOP_KEYSTONE_H
#define STACKHOP_KEYSTONE_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "error.h"

struct keystone {
	char *url;		/* the v3 endpoint, no trailing '/' */
	char *token;		/* X-Subject-Token */
	void *curl;
};

/* What an ensure call found: it was there, or it made it. */
enum ks_outcome { KS_EXISTS, KS_CREATED, KS_UPDATED };
const char *ks_outcome_name(enum ks_outcome o);

int keystone_login(struct keystone *k, const char *url, const char *user,
		   const char *password, const char *project, struct sh_error *err);
void keystone_release(struct keystone *k);

/*
 * Method on path (below the v3 URL, e.g. "/users?name=x"), with body
 * (may be NULL); *ret (may be NULL) gets the JSON answer.  Returns the
 * HTTP status, or -1 with err set when there was none.
 */
long keystone_call(struct keystone *k, const char *method, const char *path, json_t *body,
		   json_t **ret, struct sh_error *err);

/* Each returns 0 with *ret_id (malloc'd, may be NULL) and *ret_outcome set. */
int keystone_ensure_project(struct keystone *k, const char *name, char **ret_id,
			    enum ks_outcome *ret_outcome, struct sh_error *err);
int keystone_ensure_user(struct keystone *k, const char *name, const char *password,
			 char **ret_id, enum ks_outcome *ret_outcome, struct sh_error *err);
int keystone_ensure_role(struct keystone *k, const char *project_id, const char *user_id,
			 const char *role, enum ks_outcome *ret_outcome, struct sh_error *err);
int keystone_ensure_service(struct keystone *k, const char *name, const char *type,
			    char **ret_id, enum ks_outcome *ret_outcome, struct sh_error *err);
/* An endpoint of that interface and region whose URL differs is updated. */
int keystone_ensure_endpoint(struct keystone *k, const char *service_id, const char *interface,
			     const char *url, const char *region, enum ks_outcome *ret_outcome,
			     struct sh_error *err);

/* What a service needs in Keystone (user NULL: the service and endpoints only). */
struct ks_registration {
	const char *service, *type;
	const char *url[3];		/* public, internal, admin */
	const char *region;		/* RegionOne */
	const char *user, *password;	/* the service user (password borrowed) */
	const char *project, *role;	/* service, admin */
};

/*
 * Find or create all of r: project, user and role on it, service, three
 * endpoints; one line per object on out ("user placement: created").
 */
int keystone_register(struct keystone *k, const struct ks_registration *r, FILE *out,
		      struct sh_error *err);

#endif
