/** Read a deployment config file: JSON, or YAML by extension (`.yaml`, `.yml`). */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../../shared/errors.js';
import { ConfigValidationError } from './errors.js';

/** @throws ConfigValidationError when the file cannot be read or parsed */
function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigValidationError(file, [`config: cannot read ${file}: ${errorMessage(e)}`]);
  }
  const ext = extname(file).toLowerCase();
  try {
    return ext === '.yaml' || ext === '.yml' ? parseYaml(text, { prettyErrors: true }) : JSON.parse(text);
  } catch (e) {
    throw new ConfigValidationError(file, [`config: cannot parse ${file}: ${errorMessage(e).split('\n')[0]}`]);
  }
}

export { readDocument };
