// The runner's graph flags: --graph <file> [--graph-format html|mermaid|dot], --graph-port with --follow.
import { graphFormatOf } from '../../../local/graph';
import { HELP, parseCliArgs } from '../../../local/runner/cliArgs';

it('takes --graph with a format, html by default', () => {
  expect(parseCliArgs(['--graph', 'out.html']).run).toMatchObject({ graph: 'out.html' });
  expect(parseCliArgs(['--graph', 'out.html']).run.graphFormat).toBeUndefined();
  expect(parseCliArgs(['--graph', 'g.mmd', '--graph-format', 'mermaid']).run).toMatchObject({ graph: 'g.mmd', graphFormat: 'mermaid' });
  expect(parseCliArgs(['--graph', 'g.dot', '--graph-format', 'dot']).run).toMatchObject({ graphFormat: 'dot' });
});

it('refuses an unknown format, and a format without a file', () => {
  expect(() => parseCliArgs(['--graph', 'g.svg', '--graph-format', 'svg'])).toThrow(
    '--graph-format must be html, mermaid, dot (got "svg").',
  );
  expect(() => parseCliArgs(['--graph-format', 'dot'])).toThrow('--graph-format needs --graph <file> to write to.');
});

it('takes --graph-port with --follow only, and a port number only', () => {
  expect(parseCliArgs(['--follow', '--graph-port', '7400']).run).toMatchObject({ follow: true, graphPort: 7400 });
  expect(() => parseCliArgs(['--graph-port', '7400'])).toThrow('--graph-port is the live graph page of --follow; add --follow');
  expect(() => parseCliArgs(['--follow', '--graph-port', 'x'])).toThrow('--graph-port must be a port number (got "x").');
});

it('documents the flags in --help', () => {
  for (const flag of ['--graph <file.html>', '--graph-format <f>', '--graph-port <n>']) expect(HELP).toContain(flag);
});

it('without --graph-format the file name picks the format', () => {
  expect(graphFormatOf('out/graph.html')).toBe('html');
  expect(graphFormatOf('graph.mmd')).toBe('mermaid');
  expect(graphFormatOf('graph.MERMAID')).toBe('mermaid');
  expect(graphFormatOf('graph.dot')).toBe('dot');
  expect(graphFormatOf('graph.gv')).toBe('dot');
  expect(graphFormatOf('graph.txt')).toBe('html');
  expect(graphFormatOf('graph.mmd', 'dot')).toBe('dot');
});
