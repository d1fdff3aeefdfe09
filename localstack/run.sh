#!/usr/bin/env bash
# The LocalStack flow, step by step (needs Docker and LOCALSTACK_AUTH_TOKEN):
#   localstack/run.sh up        start LocalStack, PostgreSQL and Redis (init hook: secret + bucket)
#   localstack/run.sh deploy    cdklocal deploy of the Lambda variant (API Gateway REST in front)
#   localstack/run.sh upload    build the web app and upload it to the bucket
#   localstack/run.sh smoke     run the smoke test against the deployed API
#   localstack/run.sh test      run the integration suite against LocalStack
#   localstack/run.sh down      stop everything and delete its data
#   localstack/run.sh all       up, deploy, upload, smoke
set -euo pipefail
cd "$(dirname "$0")/.."

export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://localhost:4566}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export CDK_DISABLE_CLI_TELEMETRY=true
OUTPUTS=cdk.out/localstack-outputs.json
compose() { docker compose -f localstack/docker-compose.yml "$@"; }

api_url() {
  node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))["Contactfolio-LocalStack"].ApiUrl)' "$OUTPUTS"
}

step() {
  case "$1" in
    up)
      compose up -d --wait
      echo "LocalStack ready on $AWS_ENDPOINT_URL"
      ;;
    deploy)
      (cd infra && npx cdklocal bootstrap aws://000000000000/us-east-1 -c localstack=true)
      (cd infra && npx cdklocal deploy Contactfolio-LocalStack -c localstack=true --require-approval never --outputs-file "../$OUTPUTS")
      echo "API: $(api_url)"
      ;;
    upload)
      npm run build:web --if-present
      node scripts/upload-web.mjs --dir web/dist --bucket contactfolio-web
      echo "Web app: http://contactfolio-web.s3-website.localhost.localstack.cloud:4566"
      ;;
    smoke)
      node scripts/smoke.mjs --base-url "$(api_url)"
      ;;
    test)
      npm run test:integration
      ;;
    down)
      compose down -v
      ;;
    all)
      for s in up deploy upload smoke; do step "$s"; done
      ;;
    *)
      sed -n '2,10p' "$0"
      exit 2
      ;;
  esac
}

step "${1:-}"
