#!/usr/bin/env bash
# Starts Keycloak (from Maven Central) on 127.0.0.1 with the example realm "corp" imported: the identity
# provider of the README's "Sign in with your company account". Admin console: http://127.0.0.1:8180/admin
# (admin / admin). Data lives in memory: every start begins from this file. Needs Java 17+ and Maven.
#   manifests/examples/keycloak/start-keycloak.sh [PORT]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${1:-8180}"
version=26.4.7
work="${KEYCLOAK_WORK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/registry-auth/keycloak}"
home="$work/keycloak-$version"
if [ ! -x "$home/bin/kc.sh" ]; then
  mvn -B -q dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip" -DoutputDirectory="$work"
  (cd "$work" && unzip -q -o "keycloak-quarkus-dist-$version.zip" && rm "keycloak-quarkus-dist-$version.zip")
fi
rm -rf "$home/data/import"
mkdir -p "$home/data/import"
cp "$here/corp-realm.json" "$home/data/import/"
export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"
echo "Keycloak $version on http://127.0.0.1:$port (realm corp: alice / alice-password, bob / bob-password)"
exec "$home/bin/kc.sh" start-dev --db=dev-mem --http-host 127.0.0.1 --http-port "$port" --import-realm
