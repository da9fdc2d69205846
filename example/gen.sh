#!/bin/sh
# gen.sh regenerates generated.go from Tribe's published schema; go
# generate ./... runs it. The schema is not committed: name it with
# TRIBEKIT_PUBLISHED_SCHEMA (npm pack @tribeplatform/gql-client@2.4.0 ships
# it as package/schema.generated.gql), or pull your own into schema.graphql.
set -eu
cd "$(dirname "$0")"
if [ -n "${TRIBEKIT_PUBLISHED_SCHEMA:-}" ]; then
  cp "$TRIBEKIT_PUBLISHED_SCHEMA" schema.graphql
elif [ ! -f schema.graphql ]; then
  if [ -n "${TRIBEKIT_REQUIRE_PUBLISHED_SCHEMA:-}" ]; then
    echo "example: TRIBEKIT_PUBLISHED_SCHEMA is not set; cannot regenerate" >&2
    exit 1
  fi
  echo "example: skipped: no schema.graphql; set TRIBEKIT_PUBLISHED_SCHEMA to Tribe's published schema, or run: tribe-token schema pull --file example/schema.graphql" >&2
  exit 0
fi
exec go -C ../.ci/tools tool genqlient ../../example/genqlient.yaml
