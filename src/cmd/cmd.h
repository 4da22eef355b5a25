/*
 * cmd.h - the subcommands and what they share.
 *
 * Each cmd_*() owns its options and prints its own errors, once, in git's
 * style ("error: ..."); it returns the process exit status: 0 success,
 * 1 failure, 2 bad input (arguments, inventory, catalog, settings).
 */
#ifndef STACKHOP_CMD_H
#define STACKHOP_CMD_H

#include <stdio.h>

#include <jansson.h>

#include "error.h"
#include "settings.h"
#include "transport.h"

int cmd_plan(int argc, char **argv);
int cmd_releases(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_upgrade(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_galera(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rabbitmq(int argc, char **argv);
int cmd_haproxy(int argc, char **argv);
int cmd_step(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_keystone(int argc, char **argv);
int cmd_docker(int argc, char **argv);

struct journal;
/* The prober's totals per target in journal j: a table on stdout (nothing
 * when the run had no prober), or a JSON array. */
int probe_targets_print(struct journal *j);
json_t *probe_targets_json(struct journal *j);

/*
 * The catalog directory: --catalog, else $STACKHOP_CATALOG, else the
 * catalog/ beside the executable (a build tree), else the installed one.
 */
const char *catalog_dir(const char *option);
/* The lab's scripts: lab/ beside the executable, else the installed one. */
const char *lab_dir(void);

/*
 * ssh options from the settings, with ControlPath sockets in cdir (a
 * private per-user directory, created if needed).
 */
int ssh_options_init(const struct settings *st, struct ssh_options *o, char *cdir,
		     size_t size, struct sh_error *err);

struct infra;
/*
 * Inventory (default: "inventory" beside the settings), settings and
 * secrets for an infrastructure procedure (the settings and a secrets
 * file are required: procedures need credentials); infra_close() (infra.h)
 * releases them.
 */
int infra_open(struct infra *x, const char *inv_path, const char *set_path,
	       struct sh_error *err);

/* Where journals and probe results go by default. */
#define STATE_DIR "/var/lib/stackhop"

/*
 * A new file name in STATE_DIR, "NAME-STAMP.EXT" (UTC stamp), creating
 * the directory (mode 0700) if needed.
 */
int state_file_name(char *buf, size_t size, const char *name, const char *ext,
		    struct sh_error *err);

/* Print err as "error: ..." and return its exit status. */
int report_error(const struct sh_error *err);

/*
 * Has the reader of standard output gone away (a pipe or socket closed at
 * the other end, "stackhop plan | head -1")?  stackhop ignores SIGPIPE,
 * so writes then fail with EPIPE: not an error of the command, which ends
 * (or, for a run, goes on to its end) with its own status.
 */
bool stdout_reader_gone(void);

/*
 * Flush standard output at the end of a command that returned status r:
 * r, or 1 and "error: cannot write to standard output: ..." when a write
 * failed for any reason but a reader that went away.
 */
int stdout_finish(int r);
/* Print a usage error naming the command's --help; returns 2. */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
