#!/usr/bin/env bash
# LocalStack init hook (runs inside the container when LocalStack is ready):
# the Secrets Manager secret with the six keys the app reads, pointing at the
# compose file's PostgreSQL and Redis, and the bucket for the web build.
# Safe to run twice.
set -euo pipefail

SECRET_ID=contactfolio/app
BUCKET=contactfolio-web
session_secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
secret=$(printf '{"PGHOST":"postgres","PGPORT":"5432","PGUSER":"postgres","PGPASSWORD":"localstack","SESSION_SECRET":"%s","REDIS_URL":"redis://redis:6379"}' "$session_secret")

if awslocal secretsmanager describe-secret --secret-id "$SECRET_ID" >/dev/null 2>&1; then
  echo "contactfolio: secret $SECRET_ID exists"
else
  awslocal secretsmanager create-secret --name "$SECRET_ID" --secret-string "$secret" >/dev/null
  echo "contactfolio: created secret $SECRET_ID"
fi

if awslocal s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1; then
  echo "contactfolio: bucket $BUCKET exists"
else
  awslocal s3 mb "s3://$BUCKET" >/dev/null
  awslocal s3 website "s3://$BUCKET" --index-document index.html --error-document index.html
  echo "contactfolio: created bucket $BUCKET"
fi
