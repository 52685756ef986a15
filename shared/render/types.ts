import type { SecurityEvent } from '../model/security-event.js';

/** Output formats the relay renders. */
const FORMATS = ['cef', 'rfc5424', 'leef', 'ecs'] as const;
type Format = (typeof FORMATS)[number];

/** A rendered event; `truncated` is true when the size budget shortened the free text. */
interface Rendered {
  readonly text: string;
  readonly truncated: boolean;
}

/** A configured renderer: pure, precomputed constant parts, no I/O. */
interface Renderer {
  readonly format: Format;
  /** render one event (throws RenderError when it cannot fit the budget) */
  render(e: SecurityEvent): string;
  /** same, and say whether the budget shortened it */
  renderWithInfo(e: SecurityEvent): Rendered;
}

export type { Format, Rendered, Renderer };
export { FORMATS };
