/* global cytoscape, document, window, EventSource, fetch */
// The graph page in the browser: draws the twins with cytoscape (dagre layout, one colour per model),
// shows a twin's properties on click, the counters and the dead letters, and in a live run applies the
// server's updates (server-sent events) and offers "try a message".
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('graph-data').textContent);
  var twins = new Map();
  var selected = null;

  function show(value) {
    if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
    if (typeof value === 'string') return value;
    return JSON.stringify(value);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function label(twin) {
    var lines = [twin.id + ' (' + twin.modelName + ')'];
    twin.properties.forEach(function (p) {
      lines.push((p.derived ? 'ƒ ' : '') + p.name + ': ' + show(p.value));
    });
    return lines;
  }

  function nodeData(twin) {
    var lines = label(twin);
    var widest = lines.reduce(function (n, line) { return Math.max(n, line.length); }, 0);
    return {
      id: twin.id,
      label: lines.join('\n'),
      colour: twin.colour,
      model: twin.model,
      values: Object.fromEntries(twin.properties.map(function (p) { return [p.name, p.value]; })),
      w: Math.max(80, widest * 6.2 + 16),
      h: lines.length * 13 + 12,
    };
  }

  function edgeData(r) {
    return { id: 'rel:' + r.id, source: r.source, target: r.target, label: r.name };
  }

  function elements(graph) {
    var ids = new Set(graph.twins.map(function (t) { return t.id; }));
    return graph.twins
      .map(function (t) { return { group: 'nodes', data: nodeData(t) }; })
      .concat(graph.relationships.filter(function (r) { return ids.has(r.source) && ids.has(r.target); }).map(function (r) { return { group: 'edges', data: edgeData(r) }; }));
  }

  data.graph.twins.forEach(function (t) { twins.set(t.id, t); });

  // Left to right: a containment tree is wide at the leaves, and a screen is wider than it is tall.
  var layout = { name: 'dagre', rankDir: 'LR', nodeSep: 8, rankSep: 90, edgeSep: 6, animate: false, fit: true, padding: 20 };
  var cy = cytoscape({
    container: document.getElementById('graph'),
    elements: elements(data.graph),
    style: [
      { selector: 'node', style: {
        shape: 'round-rectangle', 'background-color': 'data(colour)', label: 'data(label)', color: '#fff',
        'font-size': 10, 'font-family': 'ui-monospace, monospace', 'text-wrap': 'wrap', 'text-valign': 'center', 'text-halign': 'center',
        'text-justification': 'left', width: 'data(w)', height: 'data(h)', 'border-width': 1, 'border-color': '#333',
      } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#111' } },
      { selector: 'node.changed', style: { 'border-width': 4, 'border-color': '#ffcc00' } },
      { selector: 'edge', style: {
        width: 1.5, 'line-color': '#999', 'target-arrow-color': '#999', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier',
        label: 'data(label)', 'font-size': 9, color: '#444', 'text-background-color': '#fafafa', 'text-background-opacity': 1, 'text-background-padding': 1,
      } },
    ],
    layout: layout,
  });

  function renderLegend() {
    var list = document.querySelector('#legend ul');
    list.replaceChildren.apply(list, data.graph.models.map(function (m) {
      var swatch = el('span', {});
      swatch.style.background = m.colour;
      return el('li', { title: m.id }, [swatch, document.createTextNode(m.name)]);
    }));
  }

  function renderInspector() {
    var body = document.querySelector('#inspector .body');
    var twin = selected && twins.get(selected);
    if (!twin) {
      body.replaceChildren(el('p', { class: 'hint', text: 'Click a twin to see its properties.' }));
      return;
    }
    var rows = [el('tr', {}, ['property', 'value', 'sourceTime', 'last change'].map(function (h) { return el('th', { text: h }); }))];
    twin.properties.forEach(function (p) {
      var name = el('td', { class: 'name' }, [document.createTextNode((p.derived ? 'ƒ ' : '') + p.name)]);
      if (p.derived) name.appendChild(el('div', { class: 'rule', text: p.derived.rule + ': ' + p.derived.how }));
      rows.push(el('tr', { class: p.derived ? 'derived' : 'reported', 'data-property': p.name }, [
        name,
        el('td', { class: 'value', text: show(p.value) }),
        el('td', { class: 'time', text: p.sourceTime || '' }),
        el('td', { class: 'time', text: p.lastUpdateTime || '' }),
      ]));
    });
    body.replaceChildren(
      el('p', {}, [el('strong', { text: twin.id }), document.createTextNode(' ' + twin.model)]),
      el('p', { class: 'hint', text: 'last change: ' + (twin.lastUpdateTime || 'unknown') }),
      el('table', { id: 'properties' }, rows));
  }

  function renderCounters() {
    var grid = document.querySelector('#counters .grid');
    var items = [];
    function add(prefix, value) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        Object.keys(value).forEach(function (key) { add(prefix ? prefix + '.' + key : key, value[key]); });
      } else {
        var shown = Array.isArray(value) ? String(value.length) : show(value);
        // The title holds the whole name: a long one is cut with an ellipsis on the page.
        items.push(el('div', { class: 'counter', 'data-counter': prefix, title: prefix + ': ' + shown }, [
          el('span', { class: 'name', text: prefix.replace(/^(stats|accounting)\./, '') }),
          el('span', { class: 'value', text: shown }),
        ]));
      }
    }
    add('', data.counters);
    grid.replaceChildren.apply(grid, items);
  }

  function renderDeadLetters() {
    document.querySelector('#dead-letters .count').textContent = '(' + data.deadLetters.length + ')';
    var list = document.querySelector('#dead-letters ol');
    var items = data.deadLetters.map(function (d) {
      var children = [el('span', { class: 'reason', text: d.reason }), document.createTextNode(' ' + (d.deviceId || '') + ' ' + (d.messageId ? '(' + d.messageId + ')' : '') + ': ' + d.detail)];
      d.rejectedParts.forEach(function (p) { children.push(el('div', { class: 'hint', text: p.twinId + ' ' + p.path + ' ' + p.reason + ': ' + p.detail })); });
      return el('li', {}, children);
    });
    if (data.deadLetterNote) items.unshift(el('li', { class: 'hint', text: data.deadLetterNote }));
    list.replaceChildren.apply(list, items);
  }

  function setStatus(text, kind) {
    var status = document.getElementById('status');
    status.textContent = text;
    status.className = kind || '';
  }

  cy.on('tap', 'node', function (event) {
    selected = event.target.id();
    renderInspector();
  });

  // While a replay fills the twins, sizes change on every update: one layout per burst is enough.
  var layoutTimer = null;
  var userMoved = false;
  cy.on('scrollzoom dragpan pinchzoom', function () { userMoved = true; });
  function scheduleLayout() {
    if (layoutTimer !== null) return;
    layoutTimer = window.setTimeout(function () {
      layoutTimer = null;
      // Once the user has zoomed or panned, a new layout keeps their viewport.
      cy.layout(Object.assign({}, layout, { fit: !userMoved })).run();
    }, 300);
  }

  function applyUpdate(update) {
    var relayout = false;
    if (update.full) {
      // A (re)connection's snapshot: twins it does not list are gone.
      var listed = new Set((update.twins || []).map(function (t) { return t.id; }));
      update.removed = Array.from(twins.keys()).filter(function (id) { return !listed.has(id); });
    }
    (update.twins || []).forEach(function (twin) {
      twins.set(twin.id, twin);
      var node = cy.getElementById(twin.id);
      if (node.empty()) {
        cy.add({ group: 'nodes', data: nodeData(twin) });
        relayout = true;
      } else {
        var next = nodeData(twin);
        // A twin that gained a property is taller: lay out again so it does not cover its neighbours.
        if (next.h !== node.data('h') || next.w !== node.data('w')) relayout = true;
        node.data(next);
        node.flashClass('changed', 800);
      }
    });
    (update.removed || []).forEach(function (id) {
      twins.delete(id);
      cy.getElementById(id).remove();
    });
    if (update.relationships) {
      cy.edges().remove();
      cy.add(update.relationships.filter(function (r) { return twins.has(r.source) && twins.has(r.target); }).map(function (r) { return { group: 'edges', data: edgeData(r) }; }));
      relayout = true;
    }
    if (update.models) {
      data.graph.models = update.models;
      renderLegend();
    }
    if (update.counters) {
      data.counters = update.counters;
      renderCounters();
    }
    if (update.deadLetters) {
      data.deadLetters = update.deadLetters;
      data.deadLetterNote = update.deadLetterNote;
      renderDeadLetters();
    }
    if (relayout) scheduleLayout();
    if (selected && ((update.twins || []).some(function (t) { return t.id === selected; }) || (update.removed || []).indexOf(selected) >= 0)) renderInspector();
  }

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body }).then(function (res) {
      return res.text().then(function (text) {
        var parsed;
        try { parsed = JSON.parse(text); } catch { parsed = text; }
        return { ok: res.ok, status: res.status, body: parsed };
      });
    });
  }

  // The preview as `npm run map` prints it: what was decoded, the rules, the patch per twin, refusals.
  function describePreview(answer) {
    var p = answer.preview;
    var d = p.decoded;
    var lines = (answer.problems || []).map(function (problem) { return 'configuration: ' + problem; });
    lines.push(d.ok ? 'device ' + d.deviceId + ', enqueued ' + d.enqueuedTime + (d.component ? ', component ' + d.component : '') : 'not decoded (' + d.reason + '): ' + d.detail);
    var matched = p.matched || [];
    if (d.ok && matched.length === 0) lines.push('rules: none matched' + (p.rules.length > 0 ? ' (mapped by ' + p.rules.join(', ') + ')' : ''));
    matched.forEach(function (m) {
      var applied = m.applied.length > 0 ? 'applied ' + m.applied.join(', ') : 'applied nothing';
      var refused = m.refused.length === 0 ? '' : m.applied.length === 0 ? ' — every mapping refused or missing:' : '; not applied:';
      lines.push('rule "' + m.rule + '" matched, ' + applied + refused);
      m.refused.forEach(function (r) { lines.push('  ' + r.mapping + ': ' + r.outcome + ' (' + r.reason + '): ' + r.detail); });
    });
    var ofMatchedRule = function (detail) { return matched.some(function (m) { return detail.indexOf(m.where + '.') === 0 || detail.indexOf(m.where + ':') === 0; }); };
    p.twins.forEach(function (t) {
      lines.push('twin ' + t.twinId + (t.model ? ' (' + t.model + ')' : '') + ': PATCH');
      t.patch.forEach(function (op) { lines.push('  ' + op.op + ' ' + op.path + ' ' + JSON.stringify(op.value)); });
      t.stale.forEach(function (x) { lines.push('  stale ' + x.path + ': ' + x.sourceTime + ' is older than the stored ' + x.stored); });
      t.refused.forEach(function (x) { lines.push('  refused ' + x.path + ' (' + x.reason + '): ' + x.detail); });
    });
    p.telemetry.forEach(function (t) { lines.push('telemetry to ' + t.twinId + (t.component ? '/' + t.component : '') + ': ' + JSON.stringify(t.payload)); });
    p.filtered.forEach(function (f) { if (!ofMatchedRule(f.detail)) lines.push('filtered (' + f.reason + '): ' + f.detail); });
    p.deadLettered.forEach(function (r) { if (!ofMatchedRule(r.detail)) lines.push('dead-lettered (' + r.reason + '): ' + r.detail); });
    lines.push('', 'Nothing was written: "Send into the loop" does that.');
    return lines.join('\n');
  }

  function showResult(result, kind) {
    var out = document.getElementById('try-result');
    out.className = result.ok ? '' : 'error';
    if (!result.ok || typeof result.body === 'string') {
      out.textContent = typeof result.body === 'string' ? result.body : (result.body && result.body.error) || JSON.stringify(result.body, null, 2);
    } else if (kind === 'preview') {
      out.textContent = describePreview(result.body);
    } else {
      out.textContent = 'accepted ' + result.body.accepted + ' message(s) into the running loop: watch the graph.';
    }
  }

  function startLive() {
    document.getElementById('try').hidden = false;
    var textarea = document.getElementById('envelope');
    if (data.sampleEnvelope) textarea.value = JSON.stringify(data.sampleEnvelope, null, 2);
    document.getElementById('preview-button').addEventListener('click', function () {
      post('/preview', textarea.value).then(function (r) { showResult(r, 'preview'); }, function (e) { showResult({ ok: false, body: String(e) }); });
    });
    document.getElementById('send-button').addEventListener('click', function () {
      post('/send', textarea.value).then(function (r) { showResult(r, 'send'); }, function (e) { showResult({ ok: false, body: String(e) }); });
    });
    var events = new EventSource('/events');
    events.addEventListener('open', function () { setStatus('live: updates as messages flow', 'live'); });
    events.addEventListener('update', function (event) { applyUpdate(JSON.parse(event.data)); });
    events.addEventListener('end', function () {
      events.close();
      setStatus('the run has ended; this is its final state', 'down');
    });
    events.addEventListener('error', function () { setStatus('not connected to the run (reconnecting…)', 'down'); });
  }

  renderLegend();
  renderCounters();
  renderDeadLetters();
  renderInspector();
  if (data.mode === 'live') startLive();
  else setStatus('final state of the run, ' + data.generatedAt);

  window.twinGraph = {
    cy: cy,
    twin: function (id) { return twins.get(id); },
    applyUpdate: applyUpdate,
    /** No layout waiting to run (the positions on screen are final for now). */
    settled: function () { return layoutTimer === null; },
  };
})();
