/*
 * harness.h - a small in-tree unit test harness.
 *
 * TEST(name) defines a test; CHECK(cond) records a failed check with its
 * location and keeps going; RUN(name) runs a test and prints "ok" or
 * "FAIL"; HARNESS_END() prints "N passed, M failed" (counted in tests) for
 * tests/run.sh to add up, and returns the exit status.
 */
#ifndef STACKHOP_HARNESS_H
#define STACKHOP_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_checks_failed, harness_passed, harness_failed;

#define TEST(name) static void name(void)

#define CHECK(cond) do { \
	if (!(cond)) { \
		harness_checks_failed++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

/* CHECK that string s contains sub, showing s when it does not. */
#define CHECK_CONTAINS(s, sub) do { \
	const char *s_ = (s), *sub_ = (sub); \
	if (!s_ || !strstr(s_, sub_)) { \
		harness_checks_failed++; \
		fprintf(stderr, "%s:%d: expected \"%s\" in \"%s\"\n", __FILE__, \
			__LINE__, sub_, s_ ? s_ : "(null)"); \
	} \
} while (0)

#define RUN(name) do { \
	int before_ = harness_checks_failed; \
	name(); \
	if (harness_checks_failed == before_) { \
		harness_passed++; \
		printf("ok   %s\n", #name); \
	} else { \
		harness_failed++; \
		printf("FAIL %s\n", #name); \
	} \
} while (0)

/* A private temporary directory for a test program: template in, path out. */
static inline char *harness_tmpdir(char *tmpl)
{
	if (!mkdtemp(tmpl)) {
		perror(tmpl);
		exit(2);
	}
	return tmpl;
}

/* Remove the directory from harness_tmpdir() and all it holds. */
static inline void harness_rmtree(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

#define HARNESS_END() do { \
	printf("%d passed, %d failed\n", harness_passed, harness_failed); \
	return harness_failed ? 1 : 0; \
} while (0)

#endif
