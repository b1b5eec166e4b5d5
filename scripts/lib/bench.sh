# Shared by scripts/dev-bench and scripts/run-tests (source it; it defines functions only).
#
# BENCH must be set to the bench directory (with apps/frappe, apps/erpnext, env/, sites/).

# The closed proxy: ERPNext reaches for the internet by itself (exchange rates, geo data, update
# checks). Every Frappe command, server and test runs with this; package installs do not.
closed_proxy_env() {
	export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
	export http_proxy=$HTTP_PROXY https_proxy=$HTTPS_PROXY
	export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
}

# frappe_cmd ARGS...: a Frappe command in the bench's sites directory (what `bench <cmd>` runs),
# behind the closed proxy, in a subshell so the caller's environment stays as it was.
frappe_cmd() {
	(closed_proxy_env && cd "$BENCH/sites" && "$BENCH/env/bin/python" -m frappe.utils.bench_helper frappe "$@")
}

# bench_root_password: MariaDB root password for new sites (env, else the bench's common config).
bench_root_password() {
	if [ -n "${FUNNEL_SUITE_DB_ROOT_PASSWORD:-}" ]; then
		echo "$FUNNEL_SUITE_DB_ROOT_PASSWORD"
		return
	fi
	"$BENCH/env/bin/python" -c "import json;print(json.load(open('$BENCH/sites/common_site_config.json')).get('root_password',''))" 2>/dev/null
}

# start_services: MariaDB and the bench's two Redis servers (127.0.0.1 only), if not running.
# Appends what it started to the array STARTED (mariadb, redis:<port>).
start_services() {
	if ! mariadb-admin ping -h 127.0.0.1 --silent >/dev/null 2>&1; then
		echo "starting MariaDB"
		{ service mariadb start || (mysqld_safe --bind-address=127.0.0.1 &); } >/dev/null 2>&1
		for _ in $(seq 60); do mariadb-admin ping -h 127.0.0.1 --silent >/dev/null 2>&1 && break; sleep 1; done
		mariadb-admin ping -h 127.0.0.1 --silent >/dev/null 2>&1 || { echo "MariaDB did not start"; return 2; }
		STARTED+=(mariadb)
	fi
	local conf port
	for conf in redis_cache redis_queue; do
		port=$(grep -E '^port ' "$BENCH/config/$conf.conf" | awk '{print $2}')
		if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
			echo "starting Redis ($conf on 127.0.0.1:$port)"
			(cd "$BENCH/config" && redis-server "$conf.conf" --bind 127.0.0.1 --daemonize yes >/dev/null)
			for _ in $(seq 20); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.5; done
			STARTED+=("redis:$port")
		fi
	done
}

# stop_services NAME...: stop what start_services started (the names it appended to STARTED).
stop_services() {
	local what
	for what in "$@"; do
		case "$what" in
		redis:*) redis-cli -p "${what#redis:}" shutdown nosave >/dev/null 2>&1 ;;
		mariadb) { service mariadb stop || mariadb-admin -uroot -p"$(bench_root_password)" shutdown; } >/dev/null 2>&1 ;;
		esac
	done
}

# link_app CHECKOUT: the bench imports funnel_suite from CHECKOUT through apps/funnel_suite.
# Package installs reach the registries directly: call it BEFORE closed_proxy_env is exported.
# Installs into the bench env: the checkout, editable, without dependencies (the app has none
# beyond Frappe and ERPNext).
link_app() {
	local checkout="$1" site_packages
	ln -sfn "$checkout" "$BENCH/apps/funnel_suite"
	# the app's public/ files under /assets/funnel_suite/ (what `bench build` links for an app):
	# app_include_js and the scripts it loads are fetched by URL
	mkdir -p "$BENCH/sites/assets"
	ln -sfn "$BENCH/apps/funnel_suite/funnel_suite/public" "$BENCH/sites/assets/funnel_suite"
	site_packages="$("$BENCH/env/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')"
	if ! ls "$site_packages"/funnel_suite-*.dist-info >/dev/null 2>&1; then
		"$BENCH/env/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e "$checkout" >/dev/null 2>&1 ||
			{ echo "cannot install funnel_suite into the bench env"; return 2; }
	fi
	# import the app through the bench's stable path, whatever checkout it points at
	rm -f "$site_packages"/__editable__*funnel_suite*
	echo "$BENCH/apps/funnel_suite" >"$site_packages/funnel_suite.pth"
	if ! grep -qx funnel_suite "$BENCH/sites/apps.txt"; then
		[ -n "$(tail -c1 "$BENCH/sites/apps.txt")" ] && echo >>"$BENCH/sites/apps.txt"
		echo funnel_suite >>"$BENCH/sites/apps.txt"
	fi
}

# The bench that scripts/dev-bench built last (so that run-tests finds it).
bench_pointer_file() { echo "${XDG_DATA_HOME:-$HOME/.local/share}/funnel-suite/bench-path"; }
