#!/bin/sh
# The Lambda functions' Handler. With AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap, the Lambda Web Adapter layer's wrapper
# runs "${LAMBDA_TASK_ROOT}/${_HANDLER}" (this file) instead of the dotnet runtime's own start-up; the adapter
# extension waits for AWS_LWA_READINESS_CHECK_PATH to answer, then forwards every invocation to this process over
# HTTP on AWS_LWA_PORT. The managed dotnet runtime has dotnet on PATH. exec keeps the app as the process that
# receives SIGTERM at shutdown. The folder is the content root (appsettings.json), whatever the caller's directory.
cd "$(dirname "$0")" || exit 1
exec dotnet Orchestrator.dll "$@"
