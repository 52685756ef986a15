// Pinned environment for every test file (Powertools setupEnv style).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'SeguraRelayTest';
process.env.POWERTOOLS_SERVICE_NAME ??= 'segura-relay-test';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

// EMF metric documents (Powertools prints one JSON line per metric on stdout) are for CloudWatch, not
// for a person reading test output: drop them here. Tests that assert metrics capture stdout with
// test/helpers/capture.ts, whose spy replaces this filter while it is active, so they still see them.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  if (
    typeof chunk === 'string'
      ? chunk.startsWith('{"_aws":')
      : Buffer.from(chunk.subarray(0, 8)).toString() === '{"_aws":'
  )
    return true;
  return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;
