#!/usr/bin/env bash
# Smoke test of a deployed stack (run by deploy.yml after each deploy, and usable by hand):
#   1. GET /healthz answers "ok";
#   2. an unsigned webhook delivery is refused with 401;
#   3. a GitHub "ping" signed with the webhook secret is accepted with 200 (stored, then processed by the worker);
#   4. /readyz answers 200, or the test fails listing every missing setting with the Parameter Store name to create.
#      /readyz has no public route: the script invokes the Discord function (its "live" alias) with an HTTP API
#      event, which needs lambda:InvokeFunction on it (deploy/README.md, "CI/CD").
#
#   WEBHOOK_SECRET=... deploy/smoke-test.sh STACK_NAME
#
# The URLs and the function come from the stack's outputs; HEALTH_URL, GITHUB_WEBHOOK_URL and READYZ_URL override
# them (tests run this script against a local process that way).
set -euo pipefail

stack=${1:-}
: "${WEBHOOK_SECRET:?set WEBHOOK_SECRET to one of the GitHub webhook secrets the stack accepts}"
here=$(cd "$(dirname "$0")" && pwd)
payload="$here/smoke/ping.json"

output() {
  aws cloudformation describe-stacks --stack-name "${stack:?usage: WEBHOOK_SECRET=... $0 STACK_NAME}" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
health=${HEALTH_URL:-$(output HealthUrl)}
webhook=${GITHUB_WEBHOOK_URL:-$(output GitHubWebhookUrl)}
body=$(mktemp)
trap 'rm -f "$body"' EXIT

fail() { echo "smoke test FAILED: $*" >&2; exit 1; }

# 1. Liveness; a few tries, since the first request after a deploy pays the cold start.
answer=""
for _ in 1 2 3 4 5; do
  answer=$(curl -sS --max-time 15 "$health" || true)
  [ "$answer" = ok ] && break
  sleep 2
done
[ "$answer" = ok ] || fail "GET $health answered '$answer', not 'ok'"
echo "ok   GET $health"

post() { # post SIGNATURE -> HTTP status; body in $body
  curl -sS --max-time 30 -o "$body" -w '%{http_code}' -X POST "$webhook" \
    -H 'Content-Type: application/json' \
    -H 'X-GitHub-Event: ping' \
    -H "X-GitHub-Delivery: smoke-$(date +%s)-$RANDOM" \
    -H 'X-GitHub-Hook-ID: 0' \
    -H "X-Hub-Signature-256: $1" \
    --data-binary @"$payload"
}

# 2. A delivery signed with another secret must be refused before anything is stored.
status=$(post "sha256=$(openssl dgst -sha256 -hmac "not-the-secret" -r "$payload" | cut -d' ' -f1)")
[ "$status" = 401 ] || fail "a wrongly signed delivery got $status, expected 401"
echo "ok   POST $webhook with a wrong signature: 401"

# 3. GitHub's HMAC-SHA256 of the exact body, as X-Hub-Signature-256.
status=$(post "sha256=$(openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" -r "$payload" | cut -d' ' -f1)")
[ "$status" = 200 ] || fail "a signed ping got $status: $(cat "$body")"
echo "ok   POST $webhook signed ping: 200 $(cat "$body")"

# 4. Readiness: every secret present and the store reachable; otherwise name what is missing.
if [ -n "${READYZ_URL:-}" ]; then
  ready_status=$(curl -sS --max-time 15 -o "$body" -w '%{http_code}' "$READYZ_URL")
  ready_body=$(cat "$body")
else
  function=$(output DiscordFunctionName)
  event='{"version":"2.0","routeKey":"GET /readyz","rawPath":"/readyz","rawQueryString":"","headers":{"host":"smoke-test"},"requestContext":{"http":{"method":"GET","path":"/readyz","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"smoke-test"},"requestId":"smoke-test","routeKey":"GET /readyz","stage":"$default"},"isBase64Encoded":false}'
  aws lambda invoke --function-name "$function:live" --cli-binary-format raw-in-base64-out --payload "$event" "$body" >/dev/null
  ready_status=$(jq -r .statusCode "$body")
  ready_body=$(jq -r .body "$body")
fi
if [ "$ready_status" != 200 ]; then
  echo "$ready_body" | jq -r '.problems[]? | "missing: " + .' >&2 2>/dev/null || true
  fail "/readyz answered $ready_status: $ready_body"
fi
echo "ok   /readyz: ready"
