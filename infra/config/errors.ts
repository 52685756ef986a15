/** A deployment config that cannot be deployed: every issue names the field (`config.a.b[1].c: …`). */
class ConfigValidationError extends Error {
  readonly file: string;
  readonly issues: readonly string[];

  constructor(file: string, issues: readonly string[], options?: ErrorOptions) {
    super(`invalid deployment config ${file}:\n${issues.map((i) => `  - ${i}`).join('\n')}`, options);
    this.name = 'ConfigValidationError';
    this.file = file;
    this.issues = issues;
  }
}

export { ConfigValidationError };
