// The exported page is one file that needs no network: every script inlined, no external reference,
// and no value in the data can end the script element it is carried in.
import { buildGraphView, renderPage } from '../../../local/graph';

const hostile = '</script><script>window.owned = true</script>';
const data = {
  title: 'Twin graph: test',
  generatedAt: '2024-05-01T10:00:00.000Z',
  graph: buildGraphView([{ $dtId: 'room-1', $metadata: { $model: 'dtmi:x:Room;1' }, name: hostile }], [], {}),
  counters: { applied: 1 },
  deadLetters: [{ name: '0/1.json', reason: 'invalid-json', detail: hostile, rejectedParts: [] }],
};

it('export: scripts inlined, nothing referenced by URL', () => {
  const html = renderPage({ ...data, mode: 'export' });
  expect(html).not.toMatch(/<script[^>]+src=/i);
  expect(html).not.toMatch(/<link[^>]+href="(?!data:)/i);
  expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
  // cytoscape and the dagre layout are in it.
  expect(html).toContain('cytoscapeDagre');
  expect(html.length).toBeGreaterThan(400_000);
});

it('a value that contains </script> stays data', () => {
  for (const mode of ['export', 'live'] as const) {
    const html = renderPage({ ...data, mode });
    expect(html).not.toContain(hostile);
    const json = /<script type="application\/json" id="graph-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const parsed = JSON.parse(json) as { graph: { twins: Array<{ properties: Array<{ value: unknown }> }> } };
    expect(parsed.graph.twins[0]?.properties[0]?.value).toBe(hostile);
  }
});

it('live: the page takes its scripts from the server it came from', () => {
  const html = renderPage({ ...data, mode: 'live' });
  expect([...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1])).toEqual([
    '/lib/cytoscape.min.js',
    '/lib/cytoscape-dagre.min.js',
    '/graph-page.js',
  ]);
  expect(html).not.toContain('cytoscapeDagre');
});

it('the title is escaped', () => {
  expect(renderPage({ ...data, title: 'a <b> & "c"', mode: 'live' })).toContain('<title>a &#60;b&#62; &#38; &#34;c&#34;</title>');
});
