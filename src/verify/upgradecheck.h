/*
 * upgradecheck.h - the oslo.upgradecheck form: the table that every
 * "*-status upgrade check" prints (one box per check: "Check: NAME",
 * "Result: Success|Warning|Failure", "Details: ..." wrapped over lines),
 * read into check results, and the same table written for stackhop's own
 * checks.
 */
#ifndef STACKHOP_UPGRADECHECK_H
#define STACKHOP_UPGRADECHECK_H

#include <stdio.h>

/* A check's result, as oslo.upgradecheck gives it (exit codes 0, 1, 2). */
enum check_code { CHECK_SUCCESS = 0, CHECK_WARNING = 1, CHECK_FAILURE = 2 };

struct check_result {
	char name[64];
	enum check_code code;
	char details[1024];
};

const char *check_code_name(enum check_code c);

/*
 * The checks of the table in text (other lines, such as log noise around
 * it, are ignored) into *ret (malloc'd, *n of them).  Returns the worst
 * result's code, or -1 when text holds no check.  A result other than
 * Success, Warning or Failure counts as a Failure, named in its details.
 */
int upgradecheck_parse(const char *text, struct check_result **ret, size_t *n);

/* "Success (7 checks)" or "Warning (7 checks: 1 Warning, 6 Success)". */
void upgradecheck_summary(const struct check_result *r, size_t n, char *buf, size_t size);

/* The table, titled, details wrapped to the box. */
void upgradecheck_print(FILE *f, const char *title, const struct check_result *r, size_t n);

#endif
