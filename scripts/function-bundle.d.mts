/** Types of scripts/function-bundle.mjs (the esbuild options of every function bundle). */
interface FunctionBundleOptions {
  readonly bundle: true;
  readonly platform: 'node';
  readonly target: string;
  readonly format: 'esm';
  readonly minify: boolean;
  readonly sourcemap: boolean;
  readonly sourcesContent: boolean;
  readonly legalComments: 'none';
  readonly charset: 'utf8';
  readonly mainFields: readonly string[];
  readonly alias: Readonly<Record<string, string>>;
  readonly banner: { readonly js: string };
  readonly logLevel: 'warning';
}

declare const FUNCTION_ALIASES: Readonly<Record<string, string>>;
declare const REQUIRE_BANNER: string;
declare function functionBundleOptions(target: string): FunctionBundleOptions;

export type { FunctionBundleOptions };
export { FUNCTION_ALIASES, functionBundleOptions, REQUIRE_BANNER };
