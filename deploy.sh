#!/usr/bin/env bash
# Builds and deploys Orchestrator to AWS, then registers the Discord slash commands.
#
#   ./deploy.sh [dev|prod] [--guided] [--guild ID] [--no-commands]
#
# Needs the .NET 10 SDK, the AWS SAM CLI and the AWS CLI with credentials for the target account. The first time,
# run with --guided (or copy deploy/samconfig.toml.example to deploy/samconfig.toml) and put the secrets in
# Parameter Store first: deploy/README.md, "Provision the secrets".
set -euo pipefail

stage=dev
guided=false
guild=""
commands=true
while [ $# -gt 0 ]; do
  case "$1" in
    dev|prod) stage=$1 ;;
    --guided) guided=true ;;
    --guild) guild=${2:?--guild needs a guild id}; shift ;;
    --no-commands) commands=false ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "$0")" && pwd)
publish="$root/artifacts/publish"
stack="orchestrator-$stage"

fail() { echo "deploy.sh: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

step "Checking prerequisites"
command -v dotnet >/dev/null || fail "the .NET SDK is not installed (https://dot.net); version 10 is needed"
dotnet --list-sdks | grep -q '^10\.' || fail "a .NET 10 SDK is needed (dotnet --list-sdks shows none)"
command -v sam >/dev/null || fail "the AWS SAM CLI is not installed (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html)"
command -v aws >/dev/null || fail "the AWS CLI is not installed (https://aws.amazon.com/cli/)"
account=$(aws sts get-caller-identity --query Account --output text) || fail "no AWS credentials: run 'aws configure' or 'aws sso login'"
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}
[ -n "$region" ] || fail "no AWS region: set AWS_REGION or run 'aws configure set region <region>'"
export AWS_REGION=$region
echo "account $account, region $region, stack $stack"
if [ "$guided" = false ] && [ ! -f "$root/deploy/samconfig.toml" ]; then
  echo "deploy/samconfig.toml is missing: running the guided deploy (copy deploy/samconfig.toml.example to skip it)"
  guided=true
fi

step "Publishing the app for Lambda (linux-x64, ReadyToRun)"
rm -rf "$publish"
dotnet publish "$root/src/Orchestrator" -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$publish"
chmod +x "$publish/run.sh"

step "Validating, building and deploying the SAM template"
cd "$root/deploy"
sam validate --lint --template-file template.yaml
sam build --template-file template.yaml
if [ "$guided" = true ]; then
  sam deploy --guided --stack-name "$stack" --capabilities CAPABILITY_IAM \
    --parameter-overrides "Stage=$stage"
else
  sam deploy --config-env "$stage"
fi

step "Outputs"
aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].Outputs' --output table

if [ "$commands" = true ]; then
  step "Registering the slash commands${guild:+ in guild $guild}"
  # The CLI reads Discord's application id and bot token from the same Parameter Store path as the functions.
  prefix=$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Parameters[?ParameterKey=='SecretsPathPrefix'].ParameterValue" --output text)
  Orchestrator__Secrets__ParameterStorePath="${prefix:-/orchestrator}/$stage/" \
    dotnet "$publish/Orchestrator.dll" commands sync ${guild:+--guild "$guild"}
fi

step "Done. Paste DiscordWebhookUrl and GitHubWebhookUrl above into Discord and GitHub (deploy/README.md)."
