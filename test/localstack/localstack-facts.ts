/**
 * What localstack/ relies on in LocalStack, read from LocalStack's own source
 * (github.com/localstack/localstack) at the tag the compose file pins. LocalStack
 * cannot run on our machines, so these are recorded, not measured: when the pin
 * moves, re-read each file at the new tag and update this record with it.
 */
export const LOCALSTACK = {
  version: '4.14.0',

  /**
   * The Lambda runtimes CreateFunction accepts with the default
   * LAMBDA_RUNTIME_VALIDATION=0: `_validate_runtime` (services/lambda_/provider.py)
   * checks ALL_RUNTIMES, the keys of IMAGE_MAPPING in
   * localstack-core/localstack/services/lambda_/runtimes.py (v4.14.0).
   * (v4.9.2's IMAGE_MAPPING stopped at nodejs22.x; nodejs24.x came in v4.11.0.)
   */
  lambdaRuntimes: [
    'nodejs24.x',
    'nodejs22.x',
    'nodejs20.x',
    'nodejs18.x',
    'nodejs16.x',
    'nodejs14.x',
    'nodejs12.x',
    'python3.14',
    'python3.13',
    'python3.12',
    'python3.11',
    'python3.10',
    'python3.9',
    'python3.8',
    'python3.7',
    'java25',
    'java21',
    'java17',
    'java11',
    'java8.al2',
    'java8',
    'dotnet10',
    'dotnet8',
    'dotnet6',
    'dotnetcore3.1',
    'go1.x',
    'ruby3.4',
    'ruby3.3',
    'ruby3.2',
    'ruby2.7',
    'provided.al2023',
    'provided.al2',
    'provided',
  ],

  /**
   * Environment variables of localstack-core/localstack/config.py (v4.14.0) the
   * compose file sets. Booleans go through is_env_true: "1", "true" or "True"
   * (TRUE_STRINGS, localstack-core/localstack/constants.py).
   */
  config: {
    /** "run cross-platform compatible lambda functions natively (i.e., Docker selects architecture) and ignore the AWS architectures (i.e., x86_64, arm64) configured for the lambda function" */
    LAMBDA_IGNORE_ARCHITECTURE: { kind: 'boolean' },
    /** the Docker network Lambda containers join */
    LAMBDA_DOCKER_NETWORK: { kind: 'string' },
  },
  trueStrings: ['1', 'true', 'True'],

  /**
   * GET /_localstack/init/<stage> (InitScriptsStageResource in
   * localstack-core/localstack/services/internal.py, v4.14.0): `completed` is
   * the stage's flag and each script has a state of runtime/init.py's State
   * (UNKNOWN, RUNNING, SUCCESSFUL, ERROR). run_stage sets `completed` in a
   * `finally`, so a stage whose script failed is completed too. The bodies are
   * JSON; the exact whitespace is the HTTP layer's (rolo), so the shapes are
   * recorded both with and without spaces.
   */
  initReady: {
    path: '/_localstack/init/ready',
    running: { completed: false, scripts: [{ stage: 'READY', name: '10-contactfolio.sh', state: 'RUNNING' }] },
    notStarted: { completed: false, scripts: [{ stage: 'READY', name: '10-contactfolio.sh', state: 'UNKNOWN' }] },
    done: { completed: true, scripts: [{ stage: 'READY', name: '10-contactfolio.sh', state: 'SUCCESSFUL' }] },
    failed: { completed: true, scripts: [{ stage: 'READY', name: '10-contactfolio.sh', state: 'ERROR' }] },
  },

  /**
   * How a REST API is reached on LocalStack's port (ApiGatewayRouter.register_routes in
   * localstack-core/localstack/services/apigateway/next_gen/execute_api/router.py,
   * v4.14.0): host-based `<api_id>.execute-api.<anything>` + `/<stage>/<path>`, and
   * path-style `/_aws/execute-api/<api_id>/<stage>/<path>`; handlers/parse.py
   * (_enrich_with_raw_path) strips `/_aws/execute-api/<api_id>` and the stage.
   * The `/restapis/<id>/<stage>/_user_request_/` form is deprecated since 3.8.0.
   */
  apiGateway: {
    edgePort: 4566,
    /** LOCALHOST_HOSTNAME, localstack-core/localstack/constants.py (v4.14.0) */
    localhostHostname: 'localhost.localstack.cloud',
    /**
     * What the stack's ApiUrl output can look like: the REST API's url as CDK
     * joins it (https://<id>.execute-api.<region>.<URLSuffix>/<stage>/, URLSuffix
     * being localstack_host().host), and LocalStack's CloudFormation rewrite of
     * such joined strings to <id>.execute-api.<host>:<port>/ (REGEX_OUTPUT_APIGATEWAY,
     * services/cloudformation/engine/template_deployer.py and
     * engine/v2/change_set_model_preproc.py _perform_static_replacements, v4.14.0),
     * plus the portless form the review saw.
     */
    outputForms: (apiId: string, stage: string) => [
      `https://${apiId}.execute-api.us-east-1.localhost.localstack.cloud/${stage}/`,
      `https://${apiId}.execute-api.localhost.localstack.cloud:4566/${stage}/`,
      `https://${apiId}.execute-api.localhost.localstack.cloud/${stage}/`,
    ],
    pathStyle: (endpoint: string, apiId: string, stage: string) => `${endpoint}/_aws/execute-api/${apiId}/${stage}/`,
    hostBased: (apiId: string, domain: string, stage: string) => `http://${apiId}.execute-api.${domain}:4566/${stage}/`,
  },
} as const;
