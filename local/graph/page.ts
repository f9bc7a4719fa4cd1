// The graph page's HTML. The same page serves the live view (scripts by path from the local server,
// updates over server-sent events) and the export (every script and the data inlined: one file that
// needs no network to be viewed).
import type { GraphView } from './graphView';
import { pageScripts, pageStyle } from './libraries';

export interface DeadLetterView {
  name: string;
  reason: string;
  detail: string;
  deviceId?: string;
  messageId?: string;
  deadLetteredAt?: string;
  rejectedParts: Array<{ twinId: string; path: string; reason: string; detail: string }>;
}

export interface PageData {
  title: string;
  /** live: updates from /events, "try a message" on; export: the final state, read only. */
  mode: 'live' | 'export';
  generatedAt: string;
  graph: GraphView;
  counters: Record<string, unknown>;
  deadLetters: DeadLetterView[];
  /** Where the dead letters are, when they could not be listed here (e.g. Azurite). */
  deadLetterNote?: string;
  /** A message to start "try a message" with (live only). */
  sampleEnvelope?: unknown;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside <script>: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function inlineScript(text: string): string {
  return `<script>${text.replace(/<\/(script)/gi, '<\\/$1')}</script>`;
}

export function renderPage(data: PageData): string {
  const scripts = pageScripts()
    .map((s) => (data.mode === 'export' ? inlineScript(s.text) : `<script src="${s.path}"></script>`))
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(data.title)}</title>
<style>${pageStyle()}</style>
</head>
<body class="${data.mode}">
<main id="graph" aria-label="twin graph"></main>
<aside id="panel">
  <header><h1>${escapeHtml(data.title)}</h1><p id="status"></p></header>
  <section id="legend"><h2>Models</h2><ul></ul><p class="hint"><span class="derived-mark">ƒ</span> derived by a roll-up rule</p></section>
  <section id="inspector"><h2>Twin</h2><div class="body"><p class="hint">Click a twin to see its properties.</p></div></section>
  <section id="counters"><h2>Counters</h2><div class="grid"></div></section>
  <section id="dead-letters"><h2>Dead letters <span class="count"></span></h2><ol></ol></section>
  <section id="try" hidden><h2>Try a message</h2>
    <p class="hint">One envelope (as in telemetry.ndjson); without enqueuedTime it is stamped now.</p>
    <textarea id="envelope" spellcheck="false" rows="9" aria-label="envelope JSON"></textarea>
    <div class="buttons"><button id="preview-button" type="button">Preview mapping</button><button id="send-button" type="button">Send into the loop</button></div>
    <pre id="try-result"></pre>
  </section>
</aside>
<script type="application/json" id="graph-data">${scriptJson(data)}</script>
${scripts}
</body>
</html>
`;
}
