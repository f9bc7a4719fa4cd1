/* global cytoscape, document, window, EventSource, fetch */
// The graph page in the browser: draws the twins with cytoscape (dagre layout, one colour per model),
// shows a twin's properties on click, the counters and the dead letters, and in a live run applies the
// server's updates (server-sent events) and offers "try a message". As an explorer (data.explorer) it
// adds a query box, the models, and edits of twins and relationships through the server's /adt proxy.
// A twin's states (connection, conditions, staleness: twin.status, decided by twinStatus.ts) are node
// classes (border, outline, halo) and a text badge line; twins appearing and going away fade in and
// out, and the server's events fill the "Changes" list.
// Every value from ADT reaches the page as text (textContent), never as HTML.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('graph-data').textContent);
  var twins = new Map();
  var selected = null;
  /** Every class a twin's status can give its node (twinStatus.ts). */
  var stateClasses = [
    'connected',
    'disconnected',
    'connection-unknown',
    'condition-raised',
    'condition-pending',
    'stale',
    'decommissioned',
  ];
  var events = [];
  var eventLimit = 100;
  /** Nodes going away: removed after their cue unless the twin comes back first. */
  var leaving = new Map();

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
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  function label(twin) {
    var lines = [twin.id + ' (' + twin.modelName + ')'];
    if (twin.status && twin.status.badges.length > 0) lines.push(twin.status.badges.join('  '));
    twin.properties.forEach(function (p) {
      lines.push((p.derived ? 'ƒ ' : '') + p.name + ': ' + show(p.value));
    });
    return lines;
  }

  function nodeData(twin) {
    var lines = label(twin);
    var widest = lines.reduce(function (n, line) {
      return Math.max(n, line.length);
    }, 0);
    return {
      id: twin.id,
      label: lines.join('\n'),
      colour: twin.colour,
      model: twin.model,
      values: Object.fromEntries(
        twin.properties.map(function (p) {
          return [p.name, p.value];
        }),
      ),
      w: Math.max(80, widest * 6.2 + 16),
      h: lines.length * 13 + 12,
    };
  }

  function statusClasses(twin) {
    return twin.status ? twin.status.classes : [];
  }

  function removeOpacity(node) {
    return function () {
      node.removeStyle('opacity');
    };
  }

  function applyStatus(node, twin) {
    var now = statusClasses(twin);
    stateClasses.forEach(function (c) {
      node.toggleClass(c, now.indexOf(c) >= 0);
    });
  }

  function edgeData(r) {
    // r.id is "<source>/<relationshipId>"; the relationship id alone is what ADT's paths take.
    return { id: 'rel:' + r.id, source: r.source, target: r.target, label: r.name, relationshipId: r.id.slice(r.source.length + 1) };
  }

  function elements(graph) {
    var ids = new Set(
      graph.twins.map(function (t) {
        return t.id;
      }),
    );
    return graph.twins
      .map(function (t) {
        return { group: 'nodes', data: nodeData(t), classes: statusClasses(t) };
      })
      .concat(
        graph.relationships
          .filter(function (r) {
            return ids.has(r.source) && ids.has(r.target);
          })
          .map(function (r) {
            return { group: 'edges', data: edgeData(r) };
          }),
      );
  }

  data.graph.twins.forEach(function (t) {
    twins.set(t.id, t);
  });

  // Left to right: a containment tree is wide at the leaves, and a screen is wider than it is tall.
  var layout = { name: 'dagre', rankDir: 'LR', nodeSep: 8, rankSep: 90, edgeSep: 6, animate: false, fit: true, padding: 20 };
  var cy = cytoscape({
    container: document.getElementById('graph'),
    elements: elements(data.graph),
    style: [
      {
        selector: 'node',
        style: {
          shape: 'round-rectangle',
          'background-color': 'data(colour)',
          label: 'data(label)',
          color: '#fff',
          'font-size': 10,
          'font-family': 'ui-monospace, monospace',
          'text-wrap': 'wrap',
          'text-valign': 'center',
          'text-halign': 'center',
          'text-justification': 'left',
          width: 'data(w)',
          height: 'data(h)',
          'border-width': 1,
          'border-color': '#333',
        },
      },
      // States (legend "States"): connection on the border, a condition as an outline, staleness as a
      // grey halo with italic text. Each also has its badge in the label: never colour alone.
      { selector: 'node.connected', style: { 'border-width': 3, 'border-color': '#1a7f37', 'border-style': 'solid' } },
      { selector: 'node.disconnected', style: { 'border-width': 3, 'border-color': '#57606a', 'border-style': 'dashed' } },
      { selector: 'node.connection-unknown', style: { 'border-width': 3, 'border-color': '#57606a', 'border-style': 'dotted' } },
      {
        selector: 'node.condition-raised',
        style: { 'outline-width': 4, 'outline-color': '#cf222e', 'outline-offset': 2, 'outline-style': 'solid', 'outline-opacity': 1 },
      },
      {
        selector: 'node.condition-pending',
        style: { 'outline-width': 3, 'outline-color': '#bf8700', 'outline-offset': 2, 'outline-style': 'dashed', 'outline-opacity': 1 },
      },
      {
        selector: 'node.stale',
        style: {
          'underlay-color': '#6e7781',
          'underlay-opacity': 0.45,
          'underlay-padding': 7,
          'underlay-shape': 'round-rectangle',
          'font-style': 'italic',
        },
      },
      { selector: 'node.decommissioned', style: { 'background-blacken': 0.45, 'border-style': 'double', 'border-width': 4 } },
      {
        selector: 'node.appeared',
        style: { 'underlay-color': '#1f6feb', 'underlay-opacity': 0.5, 'underlay-padding': 9, 'underlay-shape': 'round-rectangle' },
      },
      {
        selector: 'node.removed',
        style: { 'border-width': 3, 'border-color': '#cf222e', 'border-style': 'dashed', 'background-color': '#8c959f' },
      },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#111' } },
      { selector: 'node.changed', style: { 'border-width': 4, 'border-color': '#ffcc00' } },
      { selector: 'node.hit', style: { 'border-width': 4, 'border-color': '#1f6feb' } },
      { selector: 'edge.hit', style: { width: 3, 'line-color': '#1f6feb', 'target-arrow-color': '#1f6feb' } },
      { selector: '.faded', style: { opacity: 0.25 } },
      {
        selector: 'edge',
        style: {
          width: 1.5,
          'line-color': '#999',
          'target-arrow-color': '#999',
          'target-arrow-shape': 'triangle',
          'curve-style': 'bezier',
          label: 'data(label)',
          'font-size': 9,
          color: '#444',
          'text-background-color': '#fafafa',
          'text-background-opacity': 1,
          'text-background-padding': 1,
        },
      },
    ],
    layout: layout,
  });

  function renderLegend() {
    var list = document.querySelector('#legend ul');
    list.replaceChildren.apply(
      list,
      data.graph.models.map(function (m) {
        var swatch = el('span', {});
        swatch.style.background = m.colour;
        return el('li', { title: m.id }, [swatch, document.createTextNode(m.name)]);
      }),
    );
  }

  /** The "States" legend: each state some twin shows, or the scenario's rules can give. */
  function renderStateLegend() {
    var shown = new Set();
    twins.forEach(function (t) {
      statusClasses(t).forEach(function (c) {
        shown.add(c === 'connection-unknown' ? 'disconnected' : c);
      });
    });
    (data.rules || []).forEach(function (r) {
      if (r.kind === 'condition') {
        shown.add('condition-raised');
        shown.add('condition-pending');
      }
      if (r.kind === 'staleness') shown.add('stale');
    });
    if (shown.has('connected') || shown.has('disconnected')) {
      shown.add('connected');
      shown.add('disconnected');
    }
    if (data.mode === 'live') {
      shown.add('appeared');
      shown.add('removed');
    }
    var list = document.getElementById('state-legend');
    var any = false;
    list.querySelectorAll('li').forEach(function (li) {
      li.hidden = !shown.has(li.getAttribute('data-state'));
      any = any || !li.hidden;
    });
    list.hidden = !any;
  }

  function renderRules() {
    var rules = data.rules || [];
    var section = document.getElementById('rules');
    section.hidden = rules.length === 0;
    var list = section.querySelector('ul');
    list.replaceChildren.apply(
      list,
      rules.map(function (r) {
        return el('li', { 'data-kind': r.kind, 'data-rule': r.name }, [
          el('span', { class: 'kind', text: r.kind === 'rollup' ? 'roll-up' : r.kind }),
          el('strong', { text: ' ' + r.name }),
          document.createTextNode(' on ' + r.model + ': '),
          el('span', { class: 'how', text: r.how }),
        ]);
      }),
    );
  }

  function renderChanges() {
    var section = document.getElementById('changes');
    section.querySelector('.count').textContent = '(' + events.length + ')';
    var list = section.querySelector('ol');
    list.replaceChildren.apply(
      list,
      events
        .slice()
        .reverse()
        .map(function (e) {
          return el('li', { 'data-kind': e.kind, 'data-twin': e.twinId }, [
            el('span', { class: 'time', text: e.at.slice(11, 19) + ' ' }),
            document.createTextNode(e.text),
          ]);
        }),
    );
  }

  /** The twin's states in words, above its properties. */
  function statusLines(twin) {
    var s = twin.status;
    if (!s) return [];
    var lines = [];
    if (s.connection) lines.push('connection: ' + s.connection.text + (s.connection.since ? ' since ' + s.connection.since : ''));
    (s.conditions || []).forEach(function (c) {
      var words = { raised: 'raised', cleared: 'cleared', raising: 'pending (raising)', clearing: 'raised, clearing' }[c.state];
      lines.push(
        'condition ' +
          c.name +
          ': ' +
          words +
          (typeof c.value === 'string' ? ' (' + c.value + ')' : '') +
          (c.since ? ' since ' + c.since : '') +
          (c.pendingSince ? '; holding since ' + c.pendingSince : ''),
      );
    });
    if (s.stale) lines.push('stale: nothing written for ' + s.stale.maxAgeSeconds + ' s (' + s.stale.property + ' = true)');
    if (s.decommissioned) lines.push('decommissioned: its device was deleted, the twin kept');
    return lines.map(function (line) {
      return el('li', { text: line });
    });
  }

  function renderInspector() {
    var body = document.querySelector('#inspector .body');
    var twin = selected && twins.get(selected);
    if (!twin) {
      body.replaceChildren(el('p', { class: 'hint', text: 'Click a twin to see its properties.' }));
      return;
    }
    var rows = [
      el(
        'tr',
        {},
        ['property', 'value', 'sourceTime', 'last change'].map(function (h) {
          return el('th', { text: h });
        }),
      ),
    ];
    twin.properties.forEach(function (p) {
      var name = el('td', { class: 'name' }, [document.createTextNode((p.derived ? 'ƒ ' : '') + p.name)]);
      if (p.derived) name.appendChild(el('div', { class: 'rule', text: p.derived.rule + ': ' + p.derived.how }));
      var row = el('tr', { class: p.derived ? 'derived' : 'reported', 'data-property': p.name }, [
        name,
        el('td', { class: 'value', text: show(p.value) }),
        el('td', { class: 'time', text: p.sourceTime || '' }),
        el('td', { class: 'time', text: p.lastUpdateTime || '' }),
      ]);
      if (data.explorer && data.explorer.writable)
        row.addEventListener('click', function () {
          startPatch(p);
        });
      rows.push(row);
    });
    body.replaceChildren(
      el('p', {}, [el('strong', { text: twin.id }), document.createTextNode(' ' + twin.model)]),
      el('p', { class: 'hint', text: 'last change: ' + (twin.lastUpdateTime || 'unknown') }),
      el('ul', { id: 'twin-states' }, statusLines(twin)),
      el('table', { id: 'properties' }, rows),
    );
  }

  function renderCounters() {
    var grid = document.querySelector('#counters .grid');
    var items = [];
    function add(prefix, value) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        Object.keys(value).forEach(function (key) {
          add(prefix ? prefix + '.' + key : key, value[key]);
        });
      } else {
        var shown = Array.isArray(value) ? String(value.length) : show(value);
        // The title holds the whole name: a long one is cut with an ellipsis on the page.
        items.push(
          el('div', { class: 'counter', 'data-counter': prefix, title: prefix + ': ' + shown }, [
            el('span', { class: 'name', text: prefix.replace(/^(stats|accounting)\./, '') }),
            el('span', { class: 'value', text: shown }),
          ]),
        );
      }
    }
    add('', data.counters);
    grid.replaceChildren.apply(grid, items);
  }

  function renderDeadLetters() {
    document.querySelector('#dead-letters .count').textContent = '(' + data.deadLetters.length + ')';
    var list = document.querySelector('#dead-letters ol');
    var items = data.deadLetters.map(function (d) {
      var children = [
        el('span', { class: 'reason', text: d.reason }),
        document.createTextNode(' ' + (d.deviceId || '') + ' ' + (d.messageId ? '(' + d.messageId + ')' : '') + ': ' + d.detail),
      ];
      d.rejectedParts.forEach(function (p) {
        children.push(el('div', { class: 'hint', text: p.twinId + ' ' + p.path + ' ' + p.reason + ': ' + p.detail }));
      });
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
    select(event.target.id());
  });

  function select(id) {
    var changed = id !== selected;
    selected = id;
    renderInspector();
    if (changed) renderEditor();
  }

  // While a replay fills the twins, sizes change on every update: one layout per burst is enough.
  var layoutTimer = null;
  var userMoved = false;
  cy.on('scrollzoom dragpan pinchzoom', function () {
    userMoved = true;
  });
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
      var listed = new Set(
        (update.twins || []).map(function (t) {
          return t.id;
        }),
      );
      update.removed = Array.from(twins.keys()).filter(function (id) {
        return !listed.has(id);
      });
    }
    (update.twins || []).forEach(function (twin) {
      twins.set(twin.id, twin);
      var node = cy.getElementById(twin.id);
      if (leaving.has(twin.id)) {
        // Back before its cue ended (deleted and created again): it stays.
        window.clearTimeout(leaving.get(twin.id));
        leaving.delete(twin.id);
        node.stop(true).removeStyle('opacity').removeClass('removed');
      }
      if (node.empty()) {
        // A new twin fades in with a halo for a few seconds.
        node = cy.add({ group: 'nodes', data: nodeData(twin), classes: statusClasses(twin).concat(['appeared']) });
        // The fade's inline opacity is dropped at its end, so classes (a query's .faded) apply again.
        node.style('opacity', 0).animate({ style: { opacity: 1 } }, { duration: 600, complete: removeOpacity(node) });
        window.setTimeout(function () {
          node.removeClass('appeared');
        }, 4000);
        relayout = true;
      } else {
        var next = nodeData(twin);
        // A twin that gained a property is taller: lay out again so it does not cover its neighbours.
        if (next.h !== node.data('h') || next.w !== node.data('w')) relayout = true;
        node.data(next);
        applyStatus(node, twin);
        node.flashClass('changed', 800);
      }
    });
    (update.removed || []).forEach(function (id) {
      twins.delete(id);
      var node = cy.getElementById(id);
      if (node.empty() || leaving.has(id)) return;
      // A twin going away is marked, its edges dropped at once, and it fades out before it is removed.
      node.connectedEdges().remove();
      node.addClass('removed');
      node.data('label', '✕ removed\n' + node.data('label'));
      node.data('h', node.data('h') + 13);
      node.animate({ style: { opacity: 0.15 } }, { duration: 1500 });
      leaving.set(
        id,
        window.setTimeout(function () {
          leaving.delete(id);
          if (!twins.has(id)) cy.getElementById(id).remove();
        }, 1800),
      );
    });
    if (update.events) {
      events = (update.full ? update.events : events.concat(update.events)).slice(-eventLimit);
      renderChanges();
    }
    if (update.twins || update.removed) renderStateLegend();
    if (update.relationships) {
      cy.edges().remove();
      cy.add(
        update.relationships
          .filter(function (r) {
            return twins.has(r.source) && twins.has(r.target);
          })
          .map(function (r) {
            return { group: 'edges', data: edgeData(r) };
          }),
      );
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
    if (update.relationships) renderRelationshipList();
    if (
      selected &&
      ((update.twins || []).some(function (t) {
        return t.id === selected;
      }) ||
        (update.removed || []).indexOf(selected) >= 0)
    )
      renderInspector();
  }

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body }).then(function (res) {
      return res.text().then(function (text) {
        var parsed;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
        return { ok: res.ok, status: res.status, body: parsed };
      });
    });
  }

  // The preview as `npm run map` prints it: what was decoded, the rules, the patch per twin, refusals.
  function describePreview(answer) {
    var p = answer.preview;
    var d = p.decoded;
    var lines = (answer.problems || []).map(function (problem) {
      return 'configuration: ' + problem;
    });
    lines.push(
      d.ok
        ? 'device ' + d.deviceId + ', enqueued ' + d.enqueuedTime + (d.component ? ', component ' + d.component : '')
        : 'not decoded (' + d.reason + '): ' + d.detail,
    );
    var matched = p.matched || [];
    if (d.ok && matched.length === 0)
      lines.push('rules: none matched' + (p.rules.length > 0 ? ' (mapped by ' + p.rules.join(', ') + ')' : ''));
    matched.forEach(function (m) {
      var applied = m.applied.length > 0 ? 'applied ' + m.applied.join(', ') : 'applied nothing';
      var refused = m.refused.length === 0 ? '' : m.applied.length === 0 ? ' — every mapping refused or missing:' : '; not applied:';
      lines.push('rule "' + m.rule + '" matched, ' + applied + refused);
      m.refused.forEach(function (r) {
        lines.push('  ' + r.mapping + ': ' + r.outcome + ' (' + r.reason + '): ' + r.detail);
      });
    });
    // A refusal already listed under its rule is not repeated (as npm run map prints it).
    var ofMatchedRule = function (where, detail) {
      return matched.some(function (m) {
        return (
          (where !== undefined && (where === m.where || where.indexOf(m.where + '.') === 0)) ||
          detail.indexOf(m.where + '.') === 0 ||
          detail.indexOf(m.where + ':') === 0
        );
      });
    };
    p.twins.forEach(function (t) {
      lines.push('twin ' + t.twinId + (t.model ? ' (' + t.model + ')' : '') + ': PATCH');
      t.patch.forEach(function (op) {
        lines.push('  ' + op.op + ' ' + op.path + ' ' + JSON.stringify(op.value));
      });
      t.stale.forEach(function (x) {
        lines.push('  stale ' + x.path + ': ' + x.sourceTime + ' is older than the stored ' + x.stored);
      });
    });
    p.telemetry.forEach(function (t) {
      lines.push('telemetry to ' + t.twinId + (t.component ? '/' + t.component : '') + ': ' + JSON.stringify(t.payload));
    });
    p.filtered.forEach(function (f) {
      if (!ofMatchedRule(undefined, f.detail)) lines.push('filtered (' + f.reason + '): ' + f.detail);
    });
    p.deadLettered.forEach(function (r) {
      if (!ofMatchedRule(r.where, r.detail)) lines.push('dead-lettered (' + r.reason + '): ' + (r.where ? r.where + ': ' : '') + r.detail);
    });
    lines.push('', 'Nothing was written: "Send into the loop" does that.');
    return lines.join('\n');
  }

  function showResult(result, kind) {
    var out = document.getElementById('try-result');
    out.className = result.ok ? '' : 'error';
    if (!result.ok || typeof result.body === 'string') {
      out.textContent =
        typeof result.body === 'string' ? result.body : (result.body && result.body.error) || JSON.stringify(result.body, null, 2);
    } else if (kind === 'preview') {
      out.textContent = describePreview(result.body);
    } else {
      out.textContent = 'accepted ' + result.body.accepted + ' message(s) into the running loop: watch the graph.';
    }
  }

  function startLive() {
    document.getElementById('changes').hidden = false;
    if (data.withoutLoop) {
      document.getElementById('counters').hidden = true;
      document.getElementById('dead-letters').hidden = true;
    } else {
      document.getElementById('try').hidden = false;
    }
    var textarea = document.getElementById('envelope');
    if (data.sampleEnvelope) textarea.value = JSON.stringify(data.sampleEnvelope, null, 2);
    document.getElementById('preview-button').addEventListener('click', function () {
      post('/preview', textarea.value).then(
        function (r) {
          showResult(r, 'preview');
        },
        function (e) {
          showResult({ ok: false, body: String(e) });
        },
      );
    });
    document.getElementById('send-button').addEventListener('click', function () {
      post('/send', textarea.value).then(
        function (r) {
          showResult(r, 'send');
        },
        function (e) {
          showResult({ ok: false, body: String(e) });
        },
      );
    });
    var events = new EventSource('/events');
    events.addEventListener('open', function () {
      setStatus(data.withoutLoop ? 'live: the graph follows the instance' : 'live: updates as messages flow', 'live');
    });
    events.addEventListener('update', function (event) {
      applyUpdate(JSON.parse(event.data));
    });
    events.addEventListener('end', function () {
      events.close();
      setStatus('the run has ended; this is its final state', 'down');
    });
    events.addEventListener('error', function () {
      setStatus('not connected to the run (reconnecting…)', 'down');
    });
  }

  // ---- The explorer (live pages with data.explorer): query box, edits, models ----

  /** One call to the server's ADT proxy; the answer as ADT gave it (status and parsed body). */
  function adt(method, path, body) {
    var init = { method: method, headers: {} };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = body;
    }
    return fetch('/adt' + path, init).then(
      function (res) {
        return res.text().then(function (text) {
          var parsed = null;
          if (text !== '') {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          return { ok: res.ok, status: res.status, body: parsed };
        });
      },
      function (error) {
        return { ok: false, status: 0, body: { error: { code: 'NetworkError', message: String(error) } } };
      },
    );
  }

  /** An ADT error as ADT returned it: status, code and message, then any details. */
  function describeError(result) {
    var e = result.body && result.body.error;
    if (!e || typeof e !== 'object')
      return 'HTTP ' + result.status + ': ' + (typeof result.body === 'string' ? result.body : JSON.stringify(result.body));
    var text = 'HTTP ' + result.status + ' ' + e.code + ': ' + e.message;
    if (e.details) text += '\n' + JSON.stringify(e.details, null, 2);
    return text;
  }

  function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }
  function isTwinDocument(v) {
    return isObject(v) && typeof v.$dtId === 'string';
  }
  function isRelationshipDocument(v) {
    return isObject(v) && typeof v.$relationshipId === 'string' && typeof v.$sourceId === 'string';
  }

  /** A row's cell: a twin by its id, a relationship as source -name-> target, anything else as shown elsewhere. */
  function cellText(v) {
    if (isTwinDocument(v)) return v.$dtId;
    if (isRelationshipDocument(v)) return v.$sourceId + ' -' + v.$relationshipName + '-> ' + v.$targetId;
    if (v === undefined) return '';
    return typeof v === 'string' || typeof v === 'number' ? show(v) : JSON.stringify(v);
  }

  /** The twins and relationships a query answer names: rows themselves (SELECT *) or a projection's values (SELECT T, R …). */
  function resultElements(rows) {
    var found = { twins: new Set(), relationships: new Set() };
    rows.forEach(function (row) {
      var values = [row].concat(
        isObject(row) && !isTwinDocument(row) && !isRelationshipDocument(row)
          ? Object.keys(row).map(function (k) {
              return row[k];
            })
          : [],
      );
      values.forEach(function (v) {
        if (isTwinDocument(v)) found.twins.add(v.$dtId);
        else if (isRelationshipDocument(v)) found.relationships.add('rel:' + v.$sourceId + '/' + v.$relationshipId);
      });
    });
    return found;
  }

  function highlight(found) {
    cy.elements().removeClass('hit faded');
    if (!found || (found.twins.size === 0 && found.relationships.size === 0)) return;
    var hits = cy.collection();
    found.twins.forEach(function (id) {
      hits = hits.union(cy.getElementById(id));
    });
    found.relationships.forEach(function (id) {
      hits = hits.union(cy.getElementById(id));
    });
    hits.addClass('hit');
    cy.elements().difference(hits).addClass('faded');
    if (hits.nonempty()) cy.fit(hits, 40);
  }

  /** The twin a row is about: the row itself, or a projection's first twin (SELECT R, D … → R). */
  function rowTwin(row) {
    if (isTwinDocument(row)) return row.$dtId;
    if (!isObject(row)) return null;
    var key = Object.keys(row).find(function (k) {
      return isTwinDocument(row[k]);
    });
    return key === undefined ? null : row[key].$dtId;
  }

  /** Columns: every key a row has, in the order they first appear ($etag left out; a twin's model shown as $model). */
  function renderQueryTable(rows) {
    var columns = [];
    var seen = new Set();
    function column(name) {
      if (!seen.has(name)) {
        seen.add(name);
        columns.push(name);
      }
    }
    rows.forEach(function (row) {
      if (!isObject(row)) return column('value');
      if (isTwinDocument(row)) column('$model');
      Object.keys(row).forEach(function (k) {
        if (k !== '$etag' && k !== '$metadata') column(k);
      });
    });
    var table = document.getElementById('query-table');
    var head = el(
      'tr',
      {},
      columns.map(function (c) {
        return el('th', { text: c });
      }),
    );
    var body = rows.map(function (row) {
      var cells = columns.map(function (c) {
        var v;
        if (!isObject(row)) v = c === 'value' ? row : undefined;
        else if (c === '$model') v = isObject(row.$metadata) ? row.$metadata.$model : undefined;
        else v = Object.prototype.hasOwnProperty.call(row, c) ? row[c] : undefined;
        return el('td', { text: cellText(v) });
      });
      var tr = el('tr', {}, cells);
      var twinId = rowTwin(row);
      if (twinId !== null && twins.has(twinId)) {
        tr.className = 'twin-row';
        tr.addEventListener('click', function () {
          select(twinId);
        });
      }
      return tr;
    });
    table.replaceChildren.apply(table, [head].concat(body));
  }

  function runQuery() {
    var text = document.getElementById('query-text').value;
    var status = document.getElementById('query-status');
    var error = document.getElementById('query-error');
    status.textContent = 'running…';
    return adt('POST', '/query', JSON.stringify({ query: text })).then(function (result) {
      if (!result.ok) {
        status.textContent = 'the query failed';
        error.hidden = false;
        error.textContent = describeError(result);
        document.getElementById('query-table').replaceChildren();
        highlight(null);
        return;
      }
      error.hidden = true;
      error.textContent = '';
      var rows = result.body.rows;
      var found = resultElements(rows);
      status.textContent =
        rows.length +
        ' row(s)' +
        (result.body.truncated ? ' (the first ' + rows.length + '; narrow the query for the rest)' : '') +
        ', ' +
        found.twins.size +
        ' twin(s), ' +
        found.relationships.size +
        ' relationship(s); query charge ' +
        show(result.body.queryCharge);
      renderQueryTable(rows);
      highlight(found);
    });
  }

  function editResult(result, success) {
    var out = document.getElementById('edit-result');
    out.className = result.ok ? '' : 'error';
    out.textContent = result.ok ? success : describeError(result);
  }

  /** ADT's path for a twin (or one of its relationships): each id percent-encoded, as the SDK sends it. */
  function twinPath(id, relationshipId) {
    return (
      '/digitaltwins/' +
      encodeURIComponent(id) +
      (relationshipId === undefined ? '' : '/relationships/' + encodeURIComponent(relationshipId))
    );
  }

  /** JSON Pointer of a top-level property: ~ and / escaped (RFC 6901). */
  function pointer(name) {
    return '/' + name.replace(/~/g, '~0').replace(/\//g, '~1');
  }

  function startPatch(property) {
    var textarea = document.getElementById('patch-text');
    textarea.value = JSON.stringify([{ op: 'replace', path: pointer(property.name), value: property.value }], null, 1);
    textarea.focus();
  }

  function renderRelationshipList() {
    var list = document.querySelector('#edit .relationships');
    if (!selected || !data.explorer) return;
    var writable = data.explorer.writable;
    var items = cy
      .getElementById(selected)
      .outgoers('edge')
      .map(function (edge) {
        var relationshipId = edge.data('relationshipId');
        var children = [document.createTextNode(edge.data('label') + ' → ' + edge.data('target') + ' (' + relationshipId + ')')];
        if (writable) {
          var remove = el('button', { type: 'button', class: 'rel-delete', 'data-relationship': relationshipId, text: 'Delete' });
          remove.addEventListener('click', function () {
            var source = selected;
            adt('DELETE', twinPath(source, relationshipId)).then(function (result) {
              editResult(result, 'deleted relationship ' + relationshipId + ' of ' + source + '.');
            });
          });
          children.push(remove);
        }
        return el('li', { 'data-relationship': relationshipId }, children);
      });
    list.replaceChildren.apply(list, items);
  }

  function renderEditor() {
    var section = document.getElementById('edit');
    if (!data.explorer || !selected) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    section.querySelector('.twin-id').textContent = selected;
    var writable = data.explorer.writable;
    // Read-only: the relationships are listed, and the page offers no control the server would refuse.
    section.querySelector('.read-only').hidden = writable;
    ['patch-hint', 'patch-text', 'patch-button', 'rel-name', 'rel-target', 'rel-id', 'rel-add'].forEach(function (id) {
      document.getElementById(id).hidden = !writable;
    });
    document.getElementById('patch-text').value = '';
    document.getElementById('edit-result').textContent = '';
    renderRelationshipList();
  }

  function startEditor() {
    document.getElementById('patch-button').addEventListener('click', function () {
      var id = selected;
      adt('PATCH', twinPath(id), document.getElementById('patch-text').value).then(function (result) {
        editResult(result, 'patched ' + id + ': watch the graph (roll-ups follow through the pipeline).');
      });
    });
    document.getElementById('rel-add').addEventListener('click', function () {
      var source = selected;
      var name = document.getElementById('rel-name').value.trim();
      var target = document.getElementById('rel-target').value.trim();
      var relationshipId = document.getElementById('rel-id').value.trim() || name + '-' + target;
      var body = JSON.stringify({ $targetId: target, $relationshipName: name });
      adt('PUT', twinPath(source, relationshipId), body).then(function (result) {
        editResult(result, 'added relationship ' + relationshipId + ': ' + source + ' -' + name + '-> ' + target + '.');
      });
    });
  }

  // ---- Models ----
  var models = [];

  function modelName(model) {
    var names = isObject(model.displayName) ? model.displayName : {};
    return (
      names.en ||
      Object.keys(names).map(function (k) {
        return names[k];
      })[0] ||
      ''
    );
  }

  function renderModelList() {
    var list = document.getElementById('model-list');
    list.replaceChildren.apply(
      list,
      models.map(function (model, index) {
        var item = el('li', { 'data-model': model.id, class: model.decommissioned ? 'decommissioned' : '', title: model.id }, [
          document.createTextNode(model.id + (modelName(model) ? '  ' + modelName(model) : '')),
        ]);
        item.addEventListener('click', function () {
          showModel(index);
        });
        return item;
      }),
    );
  }

  function schemaText(schema) {
    return typeof schema === 'string' ? schema : JSON.stringify(schema);
  }

  function showModel(index) {
    var model = models[index];
    document.querySelectorAll('#model-list li').forEach(function (li, i) {
      li.classList.toggle('selected', i === index);
    });
    var definition = isObject(model.model) ? model.model : {};
    var contents = Array.isArray(definition.contents) ? definition.contents : [];
    var rows = [
      el(
        'tr',
        {},
        ['kind', 'name', 'schema / target'].map(function (h) {
          return el('th', { text: h });
        }),
      ),
    ];
    contents.forEach(function (c) {
      if (!isObject(c)) return;
      var kind = Array.isArray(c['@type']) ? c['@type'].join(', ') : String(c['@type']);
      rows.push(
        el('tr', { 'data-content': String(c.name) }, [
          el('td', { text: kind }),
          el('td', { text: String(c.name) }),
          el('td', { text: c.schema !== undefined ? schemaText(c.schema) : c.target !== undefined ? String(c.target) : '' }),
        ]),
      );
    });
    var extendsText = definition.extends === undefined ? 'nothing' : [].concat(definition.extends).map(schemaText).join(', ');
    var detail = document.getElementById('model-detail');
    detail.replaceChildren(
      el('p', {}, [el('strong', { text: model.id }), document.createTextNode(' ' + modelName(model))]),
      el('p', {
        class: 'hint',
        text: 'extends ' + extendsText + '; uploaded ' + String(model.uploadTime || '?') + (model.decommissioned ? '; decommissioned' : ''),
      }),
      el('table', { id: 'model-contents' }, rows),
      el('pre', { text: JSON.stringify(model.model, null, 1) }),
    );
  }

  function loadModels() {
    return adt('GET', '/models').then(function (result) {
      if (!result.ok) {
        document.getElementById('model-detail').replaceChildren(el('pre', { class: 'error', text: describeError(result) }));
        return;
      }
      models = result.body.models.slice().sort(function (a, b) {
        return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      });
      renderModelList();
    });
  }

  function startExplorer() {
    document.getElementById('query').hidden = false;
    document.getElementById('models-panel').hidden = false;
    document.getElementById('explorer-target').textContent =
      'ADT: ' + data.explorer.target + (data.explorer.writable ? ' (writes allowed)' : ' (read-only)');
    document.getElementById('query-button').addEventListener('click', runQuery);
    document.getElementById('query-text').addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) runQuery();
    });
    document.getElementById('query-clear').addEventListener('click', function () {
      document.getElementById('query-table').replaceChildren();
      document.getElementById('query-status').textContent = '';
      document.getElementById('query-error').hidden = true;
      highlight(null);
    });
    document.getElementById('models-refresh').addEventListener('click', loadModels);
    startEditor();
    loadModels();
  }

  renderLegend();
  renderStateLegend();
  renderRules();
  renderCounters();
  renderDeadLetters();
  renderInspector();
  if (data.mode === 'live') startLive();
  if (data.mode === 'live' && data.explorer) startExplorer();
  else setStatus('final state of the run, ' + data.generatedAt);

  window.twinGraph = {
    cy: cy,
    twin: function (id) {
      return twins.get(id);
    },
    applyUpdate: applyUpdate,
    select: select,
    /** No layout waiting to run (the positions on screen are final for now). */
    settled: function () {
      return layoutTimer === null;
    },
    /** Twins whose nodes are fading out (removed, their cue still showing). */
    leaving: function () {
      return Array.from(leaving.keys());
    },
  };
})();
