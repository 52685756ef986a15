/**
 * `npm start` entry. The function code reads its logging and metrics settings when it is loaded,
 * so the local defaults are set before anything else is imported: no JSON log stream (the summary
 * names each destination's last error, and `--verbose` prints every log line in a readable form:
 * local/function-logs.ts), no EMF output, no SDK Node-version banner.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await import('./run.js');
