#!/usr/bin/env bash
# Smoke test of a deployed stack (run by deploy.yml after each deploy, and usable by hand):
#   1. GET /healthz answers "ok";
#   2. an unsigned webhook delivery is refused with 401;
#   3. a GitHub "ping" signed with the webhook secret is accepted with 200 (stored, then processed by the worker).
#
#   WEBHOOK_SECRET=... deploy/smoke-test.sh STACK_NAME
#
# The URLs come from the stack's outputs; HEALTH_URL and GITHUB_WEBHOOK_URL override them (tests run this script
# against a local process that way).
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
