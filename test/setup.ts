// Pinned environment for every test file (Powertools setupEnv style).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'SeguraRelayTest';
process.env.POWERTOOLS_SERVICE_NAME ??= 'segura-relay-test';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
