/* fuzz-ini.c - libFuzzer target for the oslo.config INI reader and
 * writer: what parses must write back byte for byte, and survive every
 * rename of the catalog's kinds without breaking (set, delete). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_error err = { 0 };
	struct ini ini;
	char *out;
	size_t n;
	long i;

	if (ini_parse(&ini, "fuzz.conf", (const char *)data, size, &err) < 0) {
		if (err.status != SH_EXIT_INPUT || !err.msg[0])
			__builtin_trap();	/* every rejection must be a described input error */
		return 0;
	}
	out = ini_write(&ini, &n);
	if (n != size || memcmp(out, data, size))
		__builtin_trap();		/* not byte for byte */
	free(out);
	if ((i = ini_find(&ini, "DEFAULT", "verbose")) >= 0)
		ini_delete(&ini, (size_t)i);
	ini_set(&ini, "DEFAULT", "transport_url", "rabbit://a:b@h:5672/");
	ini_set(&ini, "glance", "api_servers", "http://h:9292\nhttp://g:9292");
	out = ini_write(&ini, &n);
	ini_release(&ini);
	/* What it wrote parses again. */
	if (ini_parse(&ini, "fuzz.conf", out, n, &err) < 0)
		__builtin_trap();
	ini_release(&ini);
	free(out);
	return 0;
}
