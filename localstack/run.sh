#!/usr/bin/env bash
# The LocalStack flow, step by step (needs Docker and LOCALSTACK_AUTH_TOKEN):
#   localstack/run.sh up        start LocalStack, PostgreSQL and Redis (init hook: secret + bucket)
#   localstack/run.sh deploy    cdklocal deploy of the Lambda variant (API Gateway REST in front)
#   localstack/run.sh upload    build the web app and upload it to the bucket
#   localstack/run.sh smoke     run the smoke test against the deployed API
#   localstack/run.sh url       print the deployed API's URLs on LocalStack's port (smoke, web)
#   localstack/run.sh test      run the integration suite against LocalStack
#   localstack/run.sh down      stop everything and delete its data
#   localstack/run.sh all       up, deploy, upload, smoke
set -euo pipefail
cd "$(dirname "$0")/.."

export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://localhost:4566}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export CDK_DISABLE_CLI_TELEMETRY=true
OUTPUTS=${LOCALSTACK_OUTPUTS:-cdk.out/localstack-outputs.json}
[[ $OUTPUTS == /* ]] || OUTPUTS=$PWD/$OUTPUTS
compose() { docker compose -f localstack/docker-compose.yml "$@"; }

# The stack's ApiUrl output is the REST API's url, https://<id>.execute-api.<region>.<suffix>/<stage>/.
# LocalStack 4.14.0's CloudFormation rewrites such Fn::Join results to
# https://<id>.execute-api.localhost.localstack.cloud:4566/<stage>/ (REGEX_OUTPUT_APIGATEWAY in
# services/cloudformation/engine/template_deployer.py and v2/change_set_model_preproc.py),
# but without that rewrite there is no port, and nothing listens on 443 (compose publishes
# only 4566); https on 4566 also needs LocalStack's certificate. So run.sh takes only the
# API id and the stage from it, whichever form it has. LocalStack 4.14.0 serves a REST API
# on its own port in two forms (localstack-core/localstack/services/apigateway/next_gen/
# execute_api/router.py, register_routes), and strips the prefix and the stage before the
# Lambda sees the path (handlers/parse.py):
#   api_url      path-style  http://localhost:4566/_aws/execute-api/<id>/<stage>/
#                (no DNS needed; for the smoke test)
#   web_api_url  host-based  http://<id>.execute-api.localhost.localstack.cloud:4566/<stage>/
#                (LOCALHOST_HOSTNAME, constants.py; for the web build: the same site
#                as the bucket's website, so the
#                SameSite=Lax session cookie goes with the web app's requests)
api_output() {
  local out
  out=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))["Contactfolio-LocalStack"].ApiUrl)' "$OUTPUTS")
  if [[ ! $out =~ ^https?://([A-Za-z0-9]+)\.execute-api\.[^/]+/([^/]+)/?$ ]]; then
    echo "run.sh: unexpected ApiUrl in $OUTPUTS: $out" >&2
    return 1
  fi
  API_ID=${BASH_REMATCH[1]} API_STAGE=${BASH_REMATCH[2]}
}
api_url() {
  api_output || return 1
  echo "${AWS_ENDPOINT_URL%/}/_aws/execute-api/$API_ID/$API_STAGE/"
}
web_api_url() {
  api_output || return 1
  echo "http://$API_ID.execute-api.localhost.localstack.cloud:4566/$API_STAGE/"
}

step() {
  case "$1" in
    up)
      compose up -d --wait
      echo "LocalStack ready on $AWS_ENDPOINT_URL"
      ;;
    deploy)
      (cd infra && npx cdklocal bootstrap aws://000000000000/us-east-1 -c localstack=true)
      (cd infra && npx cdklocal deploy Contactfolio-LocalStack -c localstack=true --require-approval never --outputs-file "$OUTPUTS")
      echo "API: $(api_url)"
      ;;
    upload)
      # The web app calls the API at VITE_API_BASE_URL, fixed at build time.
      local web_api
      web_api=$(web_api_url)
      VITE_API_BASE_URL=$web_api npm run build:web --if-present
      node scripts/upload-web.mjs --dir web/dist --bucket contactfolio-web
      echo "Web app: http://contactfolio-web.s3-website.localhost.localstack.cloud:4566"
      ;;
    smoke)
      local api
      api=$(api_url)
      node scripts/smoke.mjs --base-url "$api"
      ;;
    url)
      api_url
      web_api_url
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
      sed -n '2,11p' "$0"
      exit 2
      ;;
  esac
}

step "${1:-}"
