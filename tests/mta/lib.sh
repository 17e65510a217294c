# tests/mta/lib.sh - shared by tests/e2e/mta_postfix and tests/e2e/mta_exim.
# Sourced (POSIX sh).  Needs TOP, AUTHDELIVER, T_TMP (tests/run sets them).
#
# Every MTA runs privately: own config and spool under $T_TMP, listening on
# 127.0.0.1 high ports only, started and stopped by the test.  authdeliver
# listens on a UNIX socket and 127.0.0.1; DNS answers come from a zone file.

MTA_PY="${PY:-/usr/bin/python3} $TOP/tests/mta/mta.py"
# wall-clock bound for the whole test program (CI must not hang here)
MTA_TIME_LIMIT=${MTA_TIME_LIMIT:-240}
T_TMP=${T_TMP:?run me from tests/run}
FAILS=0
PIDS=

# skip_all WHY: the MTA part cannot run.  A skip on a developer's machine;
# under CI=true a failure, so that a green CI run means both MTAs ran.
skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "not ok - $TEST_NAME cannot run (CI=true: no skipping): $*"
		exit 1
	fi
	echo "ok - $TEST_NAME # SKIP $*"
	exit 0
}

# ok COND_STATUS NAME [GOT WANT]: print one TAP line
tap() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2: got ${3:-?}, want ${4:-?}"
		FAILS=$((FAILS + 1))
	fi
}

# wait_until SECONDS CMD...: poll CMD every 0.2 s
wait_until() {
	_n=$(($1 * 5)); shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}

# mta_prereq PART: skip unless root, authdeliver has lmtp and deliver, and
# tests/mta/setup can provide PART.  Bounded: setup may install packages.
mta_prereq() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (private $1 instance)"
	"$AUTHDELIVER" --help 2>&1 | grep -q 'authdeliver lmtp' ||
		skip_all "this authdeliver has no lmtp command yet"
	"$AUTHDELIVER" --help 2>&1 | grep -q 'authdeliver deliver' ||
		skip_all "this authdeliver has no deliver command yet"
	command -v timeout >/dev/null || skip_all "no timeout(1)"
	if ! timeout 900 "$TOP/tests/mta/setup" "$1" >"$T_TMP/setup.log" 2>&1; then
		skip_all "tests/mta/setup $1 failed: $(tail -1 "$T_TMP/setup.log")"
	fi
	# daemons running as other users (postfix, nobody, Debian-exim) must
	# reach the files below
	chmod 755 "$T_TMP"
	mkdir -p "$T_TMP/bin" "$T_TMP/run" "$T_TMP/mail"
	chmod 755 "$T_TMP/bin" "$T_TMP/run" "$T_TMP/mail"
	# a copy the pipe user can execute wherever the checkout lives
	cp "$AUTHDELIVER" "$T_TMP/bin/authdeliver"
	chmod 755 "$T_TMP/bin/authdeliver"
	ADBIN=$T_TMP/bin/authdeliver
	_me=$$
	( sleep "$MTA_TIME_LIMIT"; echo "not ok - $TEST_NAME: over ${MTA_TIME_LIMIT}s, stopped"
	  kill -TERM "$_me" ) &
	WATCHDOG=$!
}

# add_pid PID: killed at exit
add_pid() { PIDS="$PIDS $1"; }

stop_pids() {
	[ -z "${WATCHDOG:-}" ] || kill "$WATCHDOG" 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do
		_n=25
		while kill -0 "$p" 2>/dev/null && [ "$_n" -gt 0 ]; do sleep 0.2; _n=$((_n - 1)); done
		kill -9 "$p" 2>/dev/null
	done
	PIDS=
}

# ad_config NAME_OF_MTA_HOST LMTP_TCP_PORT POSTFIX_QUEUE_DIR SOCKET_GROUP:
# write $T_TMP/ad.conf from examples/authdeliver.conf
ad_config() {
	$MTA_PY tpl "$TOP/examples/authdeliver.conf" "$T_TMP/ad.conf" \
		"authserv_id = mx.example.org" "authserv_id = mx.authdeliver.test" \
		"hostname = mx.example.org" "hostname = $1" \
		"lmtp_listen = unix:/var/spool/postfix/private/authdeliver-lmtp unix:/run/authdeliver/lmtp.sock" \
		"lmtp_listen = unix:$3/private/authdeliver-lmtp unix:$T_TMP/run/lmtp.sock 127.0.0.1:$2" \
		"/etc/authdeliver/vmailbox" "$T_TMP/vmailbox" \
		"trusted_mtas = mx.example.org" "trusted_mtas = mx.authdeliver.test mx2.authdeliver.test" \
		"arc_trusted_sealers = lists.example.org" "arc_trusted_sealers = lists.test" \
		"lmtp_socket_group = postfix" "lmtp_socket_group = ${4:-postfix}" \
		"log = syslog" "log = stderr" || return 1
	cat >>"$T_TMP/ad.conf" <<-EOF
	# test only: DNS from the zone file; 127.0.0.77 plays an outside client;
	# the tcp.test transport (lmtp:inet:127.0.0.1) sends XFORWARD too
	dns_zone_file = $T_TMP/msgs/zone
	internal_networks = 127.0.0.1/32 ::1/128
	xforward_trusted = unix 127.0.0.1/32
	EOF
	chmod 644 "$T_TMP/ad.conf"
}

# ad_start: run the LMTP server in the background until the sockets answer
ad_start() {
	"$AUTHDELIVER" lmtp -c "$T_TMP/ad.conf" --dns-zone "$T_TMP/msgs/zone" \
		>>"$T_TMP/authdeliver.log" 2>&1 &
	AD_PID=$!
	add_pid $AD_PID
	wait_until 20 test -S "$T_TMP/run/lmtp.sock"
}

# maildir_files DIR: the files in DIR/new and DIR/cur
maildir_files() { find "$1/new" "$1/cur" -type f 2>/dev/null | sort; }
maildir_count() { maildir_files "$1" | wc -l | tr -d ' '; }
has_mail() { [ "$(maildir_count "$1")" -ge "${2:-1}" ]; }

# check_msg NAME MAILDIR ORIG SENDER RCPT [key=value...]: the delivered
# message is there exactly once and passes the checks of mta.py
check_msg() {
	_name=$1 _md=$2 _orig=$3 _snd=$4 _rcpt=$5
	shift 5
	if ! wait_until 30 has_mail "$_md"; then
		tap 1 "$_name: delivered" "nothing in $_md" "one message"
		return
	fi
	sleep 0.3
	_n=$(maildir_count "$_md")
	tap $((_n != 1)) "$_name: delivered once" "$_n files" 1
	_f=$(maildir_files "$_md" | head -1)
	$MTA_PY check "$_name" "$_f" orig="$_orig" sender="$_snd" rcpt="$_rcpt" \
		verdicts=yes "$@" >"$T_TMP/check.out"
	cat "$T_TMP/check.out"
	FAILS=$((FAILS + $(grep -c '^not ok' "$T_TMP/check.out")))
}

# make_mailboxes PIPE_DOMAIN DOMAIN...: $T_TMP/vmailbox (authdeliver's map)
# and the Maildirs under $M.  Users: pass quar list forged bouncebox, and
# broken, whose Maildir's parent is a regular file: mkdir fails with
# ENOTDIR even for root, until the test removes the file.
make_mailboxes() {
	_pipe=$1; shift
	: >"$T_TMP/vmailbox"
	for _d in "$@"; do
		_dd=${_d%.test}
		mkdir -p "$M/$_dd"
		for _u in pass quar list forged bouncebox; do
			echo "$_u@$_d $M/$_dd/$_u/" >>"$T_TMP/vmailbox"
		done
		echo "broken@$_d $M/$_dd/brokenfile/Maildir/" >>"$T_TMP/vmailbox"
		: >"$M/$_dd/brokenfile"
	done
	chmod 644 "$T_TMP/vmailbox"
	# the pipe runs authdeliver as the example's user (vmail, here nobody)
	chown -R nobody "$M/${_pipe%.test}"
}

# fix_mailboxes PIPE_DOMAIN DOMAIN...: remove the fault
fix_mailboxes() {
	_pipe=$1; shift
	for _d in "$@"; do
		_dd=${_d%.test}
		rm -f "$M/$_dd/brokenfile"
		mkdir -p "$M/$_dd/brokenfile"
		[ "$_d" = "$_pipe" ] && chown nobody "$M/$_dd/brokenfile"
	done
}

# check_world DOMAIN IP: the four delivered test messages of DOMAIN
check_world() {
	_d=$1 _dd=${1%.test}
	check_msg "$_dd pass" "$M/$_dd/pass" "$S/pass.eml" alice@pass.test "pass@$_d" \
		spf=pass dkim=pass dmarc=pass ip="$2" helo=mail.pass.test
	check_msg "$_dd quarantine" "$M/$_dd/quar/.Junk" "$S/quar.eml" bob@quar.test \
		"quar@$_d" spf=fail dmarc=fail has="dis=quarantine"
	tap "$(maildir_count "$M/$_dd/quar")" "$_dd quarantine: nothing in INBOX" \
		"$(maildir_count "$M/$_dd/quar")" 0
	check_msg "$_dd list" "$M/$_dd/list" "$S/list.eml" devel-bounces@lists.test "list@$_d" \
		spf=pass dkim=fail arc=pass dmarc=fail override=yes
	tap "$(maildir_count "$M/$_dd/list/.Junk")" "$_dd list: nothing in Junk" \
		"$(maildir_count "$M/$_dd/list/.Junk")" 0
	check_msg "$_dd forged A-R" "$M/$_dd/forged" "$S/forged.eml" alice@pass.test \
		"forged@$_d" drop_ours=yes dkim=pass dmarc=pass
}
