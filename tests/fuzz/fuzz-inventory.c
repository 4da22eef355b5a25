/* fuzz-inventory.c - libFuzzer target for the Ansible INI inventory reader. */
#include <stddef.h>
#include <stdint.h>

#include "inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_error err = { 0 };
	struct inventory *inv = NULL;

	if (inventory_parse("fuzz", (const char *)data, size, &inv, &err) == 0) {
		inv_host_vec v = { 0 };

		/* Exercise selection and variable lookup on what parsed. */
		inventory_select(inv, "all:ungrouped", &v, NULL);
		if (v.n)
			(void)inventory_host_var(inv, v.v[0], "ansible_user");
		vec_free(v);
		inventory_free(inv);
	} else if (err.status != SH_EXIT_INPUT || !err.msg[0]) {
		__builtin_trap();	/* every rejection must be a described input error */
	}
	return 0;
}
