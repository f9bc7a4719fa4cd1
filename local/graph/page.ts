// The graph page's HTML. The same page serves the live view (scripts by path from the local server,
// updates over server-sent events) and the export (every script and the data inlined: one file that
// needs no network to be viewed).
import type { GraphView } from './graphView';
import { pageScripts, pageStyle } from './libraries';
import type { RuleView } from './scenarioRules';

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
  /** Live only: the query box, the models and (when writable) edits, through the server's /adt proxy. */
  explorer?: { writable: boolean; target: string };
  /** An instance explored as it is: no loop, so no counters, dead letters or "try a message". */
  withoutLoop?: boolean;
  /** The scenario's roll-ups, conditions and staleness entries (the "Rules" section). */
  rules?: RuleView[];
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
<body class="${data.mode}${data.explorer ? ' explorer' : ''}">
<main id="graph" aria-label="twin graph"></main>
<aside id="panel">
  <header><h1>${escapeHtml(data.title)}</h1><p id="status"></p></header>
  <section id="legend"><h2>Models</h2><ul></ul><p class="hint"><span class="derived-mark">ƒ</span> derived by a roll-up rule, or written by a condition or staleness rule</p>
    <ul id="state-legend" aria-label="twin states" hidden>
      <li data-state="connected"><span class="mark connected"></span>● Connected</li>
      <li data-state="disconnected"><span class="mark disconnected"></span>○ Disconnected</li>
      <li data-state="condition-raised"><span class="mark condition-raised"></span>▲ condition raised</li>
      <li data-state="condition-pending"><span class="mark condition-pending"></span>△ condition pending</li>
      <li data-state="stale"><span class="mark stale"></span>◌ stale</li>
      <li data-state="decommissioned"><span class="mark decommissioned"></span>✕ decommissioned</li>
      <li data-state="appeared"><span class="mark appeared"></span>new twin</li>
      <li data-state="removed"><span class="mark removed"></span>twin going away</li>
    </ul></section>
  <section id="changes" hidden><h2>Changes <span class="count"></span></h2><p class="hint">Twins appearing and going away, connection, condition and staleness changes; newest first.</p><ol></ol></section>
  <section id="query" hidden><h2>Query</h2>
    <p class="hint" id="explorer-target"></p>
    <textarea id="query-text" spellcheck="false" rows="3" aria-label="ADT query">SELECT * FROM digitaltwins</textarea>
    <div class="buttons"><button id="query-button" type="button">Run query</button><button id="query-clear" type="button">Clear</button></div>
    <p id="query-status" class="hint"></p>
    <pre id="query-error" class="error" hidden></pre>
    <div class="results"><table id="query-table"></table></div>
  </section>
  <section id="inspector"><h2>Twin</h2><div class="body"><p class="hint">Click a twin to see its properties.</p></div></section>
  <section id="edit" hidden><h2>Edit <span class="twin-id"></span></h2>
    <p class="read-only" hidden>Read-only: start the explorer with --allow-writes to edit twins and relationships.</p>
    <div class="editor">
      <p class="hint" id="patch-hint">JSON Patch for this twin (click a property above to start from it; add sets a property whether or not it is set).</p>
      <textarea id="patch-text" spellcheck="false" rows="4" aria-label="JSON Patch"></textarea>
      <div class="buttons"><button id="patch-button" type="button">Apply patch</button></div>
      <p class="hint">Outgoing relationships</p>
      <ul class="relationships"></ul>
      <div class="row"><input id="rel-name" placeholder="relationship name" aria-label="relationship name"><input id="rel-target" placeholder="target twin id" aria-label="target twin id"></div>
      <div class="row"><input id="rel-id" placeholder="relationship id (default name-target)" aria-label="relationship id"><button id="rel-add" type="button">Add relationship</button></div>
      <pre id="edit-result"></pre>
    </div>
  </section>
  <section id="models-panel" hidden><h2>Models <button id="models-refresh" type="button">Refresh</button></h2>
    <ul id="model-list"></ul>
    <div id="model-detail"></div>
  </section>
  <section id="rules" hidden><h2>Rules</h2><ul></ul></section>
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
