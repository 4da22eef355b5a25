#!/bin/sh
# t0020-layers.sh - the layers of docs/ARCHITECTURE.md ("Layers") are
# the build's: each directory compiles with its own and the lower layers'
# include paths only.  A core file that includes an infra header does not
# compile through the build's own rule (the same file without that
# include does), an infra file does include it, and "make check-layers"
# (which make check runs) notices an include path that reaches above a
# layer.  The inner make is a clean one of its own (its own build
# directory, none of an outer make's flags).
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

B=$TRASH/build
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s BUILD="$B" "$@"
}
mkdir -p "$TRASH/src/core" "$TRASH/src/infra"
printf '#include "plan.h"\n#include "infra.h"\n' >"$TRASH/src/core/up.c"
printf '#include "plan.h"\n' >"$TRASH/src/core/down.c"
printf '#include "plan.h"\n#include "infra.h"\n' >"$TRASH/src/infra/same.c"

test_expect_success 'a core file that includes an infra header does not compile' '
	test_must_fail mk "$B/$TRASH/src/core/up.o" 2>"$TRASH/err"
	grep -E "infra\.h.*(No such file|not found)" "$TRASH/err"
	test_path_missing "$B/$TRASH/src/core/up.o"
'

test_expect_success 'without that include it compiles with the same rule' '
	mk "$B/$TRASH/src/core/down.o"
	test -s "$B/$TRASH/src/core/down.o"
'

test_expect_success 'an infra file may include infra.h' '
	mk "$B/$TRASH/src/infra/same.o"
	test -s "$B/$TRASH/src/infra/same.o"
'

test_expect_success 'check-layers passes on the tree' '
	mk check-layers >"$TRASH/out.txt"
	grep "no upward include" "$TRASH/out.txt"
'

test_expect_success 'check-layers fails when an include path reaches above a layer' '
	test_must_fail mk check-layers CFLAGS="-O2 -Isrc/infra" 2>"$TRASH/err"
	grep "layer basic can include src/infra/" "$TRASH/err"
'

test_done
