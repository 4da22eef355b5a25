#!/bin/sh
# t0150-config.sh - stackhop config migrate on the sample Liberty files.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

export D=tests/data/liberty

test_expect_success 'nova liberty -> ocata: written atomically with the mode of the input, report without values' '
	cp $D/nova.conf "$TRASH/nova.conf"
	chmod 640 "$TRASH/nova.conf"
	$STACKHOP config migrate --service nova --from liberty --to ocata "$TRASH/nova.conf" \
		-o "$TRASH/nova.ocata.conf" >"$TRASH/out"
	grep -q "^$TRASH/nova.conf: nova liberty -> ocata: 12 changes$" "$TRASH/out"
	grep -q "^  folded .*rabbit_password, .* into \[DEFAULT\] transport_url" "$TRASH/out"
	grep -q "^transport_url = rabbit://openstack:s3cret%2Fwith%3Achars%40@192.0.2.11:5672," "$TRASH/nova.ocata.conf"
	test_lacks "s3cret\|neutronpass\|dbpass" "$TRASH/out"
	[ "$(stat -c %a "$TRASH/nova.ocata.conf")" = 640 ]
	test_path_missing "$TRASH"/nova.ocata.conf.*
	# Ocata to Pike changes nothing more in what came out.
	$STACKHOP config migrate --service nova --from ocata --to pike "$TRASH/nova.ocata.conf" \
		-o "$TRASH/again.conf" >"$TRASH/out2"
	grep -q ": 0 changes$" "$TRASH/out2"
	grep -q "(identical to the input)" "$TRASH/out2"
	cmp "$TRASH/nova.ocata.conf" "$TRASH/again.conf"
'

test_expect_success 'without -o only the report; every sample service migrates' '
	for s in neutron keystone cinder; do
		$STACKHOP config migrate --service $s --from liberty --to ocata $D/$s.conf >"$TRASH/o.$s"
		grep -q "removed \[DEFAULT\] verbose" "$TRASH/o.$s"
	done
	$STACKHOP config migrate --service glance --from liberty --to ocata $D/glance-api.conf >"$TRASH/o.g"
	grep -q "renamed \[DEFAULT\] notification_driver -> \[oslo_messaging_notifications\] driver" "$TRASH/o.g"
	test_lacks "^written" "$TRASH/o.g"
'

test_expect_success 'bad input: clear errors, nothing written' '
	expect_fail 2 $STACKHOP config migrate --service nova --from ocata --to liberty $D/nova.conf -o "$TRASH/x"
	grep_err "does not come after"
	expect_fail 2 $STACKHOP config migrate --service nvoa --from liberty --to ocata $D/nova.conf
	grep_err "unknown service .nvoa."
	expect_fail 2 $STACKHOP config migrate --service nova --from liberty --to ocata "$TRASH/none.conf"
	grep_err "cannot read"
	printf "[DEFAULT]\nverbose = True\nthis is not an option\n" >"$TRASH/bad.conf"
	expect_fail 2 $STACKHOP config migrate --service nova --from liberty --to ocata "$TRASH/bad.conf" -o "$TRASH/x"
	grep_err "bad.conf:3: expected .key = value., .\[section\]. or a comment"
	expect_fail 2 $STACKHOP config frobnicate
	grep_err "unknown subcommand .frobnicate."
	test ! -e "$TRASH/x"
'

test_done
