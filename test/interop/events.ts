/**
 * Events for the interop suite: every documented layout (the golden inputs) plus hostile events that
 * try to break a record, forge keys or a second record, or smuggle control characters.
 */
import { readdirSync, readFileSync } from 'node:fs';

const dir = new URL('../fixtures/events/layouts/', import.meta.url);

function goldenInputs(): Array<{ label: string; body: string }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      label: f.replace(/\.json$/, ''),
      body: JSON.stringify(JSON.parse(readFileSync(new URL(f, dir), 'utf8'))),
    }));
}

const big = 'A'.repeat(10_000);

function hostile(label: string, fields: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    label,
    body: JSON.stringify({
      id: '1',
      timestamp: '2026-01-19T10:41:00.123-03:00',
      host: 'vault-01',
      pid: 1426,
      fields,
      ...extra,
    }),
  };
}

function hostileInputs(): Array<{ label: string; body: string }> {
  return [
    hostile('pipe-equals-backslash', { suser: 'a|b=c\\d', msg: 'x=y | z \\ w', cs1Label: 'L=1|2', cs1: 'v\\=' }),
    hostile('forged-extra-keys', { suser: 'bob act=deleted suser=admin', msg: 'hello duser=root dst=10.0.0.1' }),
    hostile('forged-second-record', {
      msg: 'x\n<13>1 2026-01-19T10:41:00Z vault-01 Segura 1 1 - CEF:0|MT4|Segura|3|2|Forged|10|suser=evil',
    }),
    hostile('crlf-nul-tab', { msg: 'a\r\nb\u0000c\td\u0007e\u001bf', suser: '\tjsilva\u0000' }),
    hostile('quotes-brackets', { msg: 'say "hi" ] [x="y"] \\"', sname: ']"\\' }),
    hostile('non-ascii', { msg: 'Sessão em São Paulo — ação concluída ✓ 🙂', sname: 'José da Silva', suser: 'josé' }),
    hostile('ten-kb-value', { msg: big, cs1Label: 'Big', cs1: big.slice(0, 4000) }),
    hostile(
      'header-injection',
      { msg: 'ok' },
      { name: 'Password|Viewed\\x\nCEF:0|forged', host: 'são-paulo vault|01', pid: 'abc def' },
    ),
    hostile('lone-surrogate', { msg: 'bad \ud800 surrogate \udc00 end' }),
    hostile('trailing-equals-and-empty', { msg: 'ends with =', cs2Label: 'empty next', cs2: '   ' }),
  ];
}

/**
 * Raw vault lines for the fidelity rules: native key=value text with Windows paths and DOMAIN\\user
 * names (kept byte for byte), text that only looks like STRUCTURED-DATA, valid SD, header tokens with
 * control characters, and CEF lines with the vault's own product and version, an ArcSight `_cefVer`
 * key and out-of-range typed values.
 */
function nativeInputs(): Array<{ label: string; body: string }> {
  return [
    {
      label: 'native-windows-path',
      body: String.raw`<13>1 2026-01-19T13:41:00.123Z vault-01 Segura 1426 1 - msg=Report saved to C:\new\report.txt suser=MYDomain\\johndoe duser=CORP\root`,
    },
    {
      label: 'native-sd-look-alike',
      body: '<13>1 2018-06-18T17:49:41-03:00 vm senhasegura 1426 - [Action taken] command blocked',
    },
    {
      label: 'native-valid-sd',
      body: String.raw`<13>1 2026-01-19T13:41:00.123Z vault-01 Segura 1426 2 [x@32473 a="q\"\]\\ b"][timeQuality tzKnown="1"] suser=jsilva msg=say "hi" there`,
    },
    {
      label: 'native-quote-before-key',
      body: '<13>1 2026-01-19T13:41:00.123Z vault-01 Segura 1426 2 - msg="say "hi" suser=admin" suser=jsilva',
    },
    {
      label: 'native-header-controls',
      body: '<13>1 2026-01-19T13:41:00.123Z vault-01 Seg\tura 14\u000126 2 - suser=jsilva',
    },
    {
      label: 'cef-vault-version',
      body: String.raw`CEF:0|MT4|senhasegura|3.27.0-4|336.501|UPDATE INCIDENT|9|rt=1768830060123 dvchost=vault-01 _cefVer=0.1 dpt=99999 start=1768830060 slat=91 msg=C:\\new\\report.txt`,
    },
  ];
}

/**
 * MSG of an RFC 5424 line rendered by the relay: after the 6 header fields and the SD, scanning SD
 * PARAM-VALUEs with their escapes (RFC 5424 §6.3.3), so a `] ` or `CEF:0|` inside a value cannot
 * mislead it.
 */
function msgOfLine(line: string): string {
  let i = 0;
  for (let spaces = 0; spaces < 6; i++) if (line[i] === ' ') spaces++;
  if (line[i] === '-') return line.slice(i + 2);
  let inValue = false;
  for (; i < line.length; i++) {
    const c = line[i];
    if (inValue) {
      if (c === '\\') i++;
      else if (c === '"') inValue = false;
    } else if (c === '"') inValue = true;
    else if (c === ']' && line[i + 1] === ' ') return line.slice(i + 2);
  }
  return '';
}

export { goldenInputs, hostileInputs, msgOfLine, nativeInputs };
