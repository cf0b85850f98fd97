#!/usr/bin/env bash
# Builds and deploys Orchestrator to AWS, then registers the Discord slash commands.
#
#   ./deploy.sh [dev|prod] [--guided] [--guild ID] [--no-commands]
#
# Needs the .NET 10 SDK, the AWS SAM CLI 1.151.0 or later (the first with the dotnet10 runtime) and the AWS CLI with
# credentials for the target account. Put the secrets in Parameter Store first (deploy/README.md, "Provision the
# secrets"): the script checks that each one exists before deploying. It writes the stage's section of
# deploy/samconfig.toml ([dev] or [prod]) when it is missing and deploys with exactly that section; --guided asks the
# questions and saves the answers in the same section.
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
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
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
sam_version=$(sam --version | sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p')
[ -n "$sam_version" ] || fail "cannot read the SAM CLI version from '$(sam --version)'"
if [ "$(printf '%s\n1.151.0\n' "$sam_version" | sort -V | head -n1)" != 1.151.0 ]; then
  fail "SAM CLI $sam_version is too old: 1.151.0 or later is needed for the dotnet10 runtime (upgrade: see the install link above)"
fi
command -v aws >/dev/null || fail "the AWS CLI is not installed (https://aws.amazon.com/cli/)"
account=$(aws sts get-caller-identity --query Account --output text) || fail "no AWS credentials: run 'aws configure' or 'aws sso login'"
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}
[ -n "$region" ] || fail "no AWS region: set AWS_REGION or run 'aws configure set region <region>'"
export AWS_REGION=$region
echo "account $account, region $region, stack $stack"
prefix=${SECRETS_PATH_PREFIX:-/orchestrator}
config="$root/deploy/samconfig.toml"

step "Checking the secrets in Parameter Store under $prefix/$stage/"
# The functions read these (deploy/README.md, step 1); a missing one would leave an endpoint answering 503.
has() { aws ssm get-parameter --name "$prefix/$stage/$1" --query Parameter.Name --output text >/dev/null 2>&1; }
missing=()
for name in Discord/PublicKey Discord/ApplicationId Discord/BotToken GitHub/WebhookSecrets; do
  has "$name" || missing+=("$prefix/$stage/$name")
done
has GitHub/Token || has GitHub/AppPrivateKey || missing+=("$prefix/$stage/GitHub/Token (or GitHub/AppId and GitHub/AppPrivateKey)")
# With the operator dashboard turned on in the stage's section of samconfig.toml, its OAuth app's client secret too.
if sed -n "/^\[$stage\.deploy\.parameters\]/,/^\[/p" "$config" 2>/dev/null | grep -q 'DashboardEnabled=\\"true\\"'; then
  has Dashboard/ClientSecret || missing+=("$prefix/$stage/Dashboard/ClientSecret")
fi
if [ ${#missing[@]} -gt 0 ]; then
  printf 'missing parameter: %s\n' "${missing[@]}" >&2
  fail "put the parameters above first (deploy/README.md, \"Provision the secrets\"), or set SECRETS_PATH_PREFIX"
fi
echo "all present"

# The stage's section of samconfig.toml: written once, then always the one used (sam deploy --guided saves under the
# --config-env given to it, so the guided answers land in the same section).
if [ "$guided" = false ] && ! grep -q "^\[$stage\.deploy\.parameters\]" "$config" 2>/dev/null; then
  step "Writing the [$stage] section of deploy/samconfig.toml"
  confirm=false
  [ "$stage" = prod ] && confirm=true
  [ -f "$config" ] || echo 'version = 0.1' > "$config"
  {
    printf '\n[%s.global.parameters]\nregion = "%s"\n' "$stage" "$region"
    printf '\n[%s.deploy.parameters]\nstack_name = "%s"\nresolve_s3 = true\ns3_prefix = "%s"\n' "$stage" "$stack" "$stack"
    printf 'capabilities = "CAPABILITY_IAM"\nconfirm_changeset = %s\nfail_on_empty_changeset = false\n' "$confirm"
    printf 'parameter_overrides = "Stage=\\"%s\\" SecretsPathPrefix=\\"%s\\""\n' "$stage" "$prefix"
    printf 'tags = "project=\\"orchestrator\\" stage=\\"%s\\""\n' "$stage"
  } >> "$config"
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
  sam deploy --guided --config-file samconfig.toml --config-env "$stage" --stack-name "$stack" \
    --capabilities CAPABILITY_IAM --parameter-overrides "Stage=$stage SecretsPathPrefix=$prefix"
else
  sam deploy --config-file samconfig.toml --config-env "$stage"
fi

step "Outputs"
aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].Outputs' --output table

if [ "$commands" = true ]; then
  step "Registering the slash commands${guild:+ in guild $guild}"
  # The CLI reads Discord's application id and bot token from the same Parameter Store path as the functions.
  Orchestrator__Secrets__ParameterStorePath="$prefix/$stage/" \
    dotnet "$publish/Orchestrator.dll" commands sync ${guild:+--guild "$guild"}
fi

step "Done. Paste DiscordWebhookUrl and GitHubWebhookUrl above into Discord and GitHub (deploy/README.md)."
