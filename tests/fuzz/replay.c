/*
 * replay.c - run a fuzz target over every file of a corpus directory, once.
 *
 * This is how "make check" keeps the corpus as regression inputs without
 * needing libFuzzer: a crash (or a sanitizer report) fails the suite; the
 * summary line counts the inputs replayed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	dir = opendir(argv[1]);
	if (!dir) {
		perror(argv[1]);
		return 2;
	}
	while ((de = readdir(dir))) {
		struct sh_error err = { 0 };
		char path[4096];
		char *buf;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		if (read_file_limited(path, 1 << 20, &buf, &len, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			closedir(dir);
			return 2;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		free(buf);
		n++;
	}
	closedir(dir);
	printf("%d passed, 0 failed\n", n);
	return 0;
}
