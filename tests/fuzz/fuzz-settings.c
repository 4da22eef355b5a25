/* fuzz-settings.c - libFuzzer target for the settings reader (and with it
 * the strict YAML access layer). */
#include <stddef.h>
#include <stdint.h>

#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_error err = { 0 };
	struct settings *s = NULL;

	if (settings_parse("fuzz.yaml", (const char *)data, size, &s, &err) == 0)
		settings_free(s);
	else if (err.status != SH_EXIT_INPUT || !err.msg[0])
		__builtin_trap();	/* every rejection must be a described input error */
	return 0;
}
