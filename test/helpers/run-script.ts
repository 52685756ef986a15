/**
 * Run one of the project's TypeScript entry points as a user runs it: a child Node process with
 * tsx, from the repository root by default, stdout and stderr collected, and a bounded lifetime
 * (SIGKILL after `timeoutMs`). The CLI tests assert exit codes and stderr text through it.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  /** text written to stdin (default: empty, stdin closed at once) */
  readonly stdin?: string;
  /** a file streamed to stdin instead */
  readonly stdinFile?: string;
  /** @default the repository root */
  readonly cwd?: string;
  /** @default the test process's environment */
  readonly env?: NodeJS.ProcessEnv;
  /** @default 90_000 */
  readonly timeoutMs?: number;
}

/** `node --import tsx <script> ARGS`, e.g. `runScript('cli/entry.ts', ['catalog'])`. */
function runScript(script: string, args: readonly string[], o: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', TSX, join(ROOT, script), ...args], {
      cwd: o.cwd ?? ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(o.env ? { env: o.env } : {}),
    });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (c: string) => {
      stdout += c;
    });
    p.stderr.on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 90_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (o.stdinFile !== undefined) createReadStream(o.stdinFile).pipe(p.stdin);
    else p.stdin.end(o.stdin ?? '');
  });
}

export type { RunOptions, RunResult };
export { ROOT, runScript, TSX };
