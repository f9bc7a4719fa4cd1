// `npm run explore` flags: the local loop by default, an instance with --adt-url (https only; a
// loopback URL is an emulator whose certificate --ca names), read-only unless --allow-writes.
import { HELP, isEmulatorUrl, parseExploreArgs } from '../../../local/explore/cliArgs';

it('explores the local loop by default, read-only, on a free port', () => {
  expect(parseExploreArgs([])).toEqual({ help: false, allowWrites: false, port: 0 });
  expect(parseExploreArgs(['--scenario', 'local/scenarios/rec-building', '--allow-writes', '--port', '7400'])).toEqual({
    help: false,
    allowWrites: true,
    port: 7400,
    scenario: 'local/scenarios/rec-building',
  });
});

it('takes an instance URL (https only, trailing slash dropped) and a CA for an emulator', () => {
  expect(parseExploreArgs(['--adt-url', 'https://x.api.weu.digitaltwins.azure.net/'])).toEqual({
    help: false,
    allowWrites: false,
    port: 0,
    adtUrl: 'https://x.api.weu.digitaltwins.azure.net',
  });
  expect(parseExploreArgs(['--adt-url', 'https://127.0.0.1:4443', '--ca', 'cert.pem', '--allow-writes'])).toMatchObject({
    adtUrl: 'https://127.0.0.1:4443',
    ca: 'cert.pem',
    allowWrites: true,
  });
  expect(() => parseExploreArgs(['--adt-url', 'http://127.0.0.1:4443'])).toThrow(
    '--adt-url must be an https URL (got "http://127.0.0.1:4443")',
  );
  expect(() => parseExploreArgs(['--adt-url', 'not a url'])).toThrow('--adt-url must be the instance URL');
});

it('refuses flags that do not fit together, bad ports and unknown flags', () => {
  expect(() => parseExploreArgs(['--ca', 'cert.pem'])).toThrow('--ca is the certificate of an emulator');
  expect(() => parseExploreArgs(['--adt-url', 'https://x.api.weu.digitaltwins.azure.net', '--ca', 'cert.pem'])).toThrow(
    '--ca is the certificate of an emulator',
  );
  expect(() => parseExploreArgs(['--adt-url', 'https://127.0.0.1:4443', '--scenario', 'x'])).toThrow("--scenario is the local loop's");
  expect(() => parseExploreArgs(['--port', '70000'])).toThrow('--port must be a port number, 0..65535 (got "70000")');
  expect(() => parseExploreArgs(['--port', 'x'])).toThrow('--port must be a port number');
  expect(() => parseExploreArgs(['--writes'])).toThrow("Unknown option '--writes'");
  expect(() => parseExploreArgs(['extra'])).toThrow('Unexpected argument "extra"');
});

it('a loopback URL is an emulator, anything else a real instance', () => {
  expect(isEmulatorUrl('https://127.0.0.1:4443')).toBe(true);
  expect(isEmulatorUrl('https://LOCALHOST:9000')).toBe(true);
  expect(isEmulatorUrl('https://[::1]:4443')).toBe(true);
  expect(isEmulatorUrl('https://x.api.weu.digitaltwins.azure.net')).toBe(false);
});

it('documents every flag, the default certificate and the docs page in --help', () => {
  for (const flag of ['--adt-url <https://…>', '--ca <file.pem>', '--allow-writes', '--port <n>', '--scenario <dir>', '--help'])
    expect(HELP).toContain(flag);
  expect(HELP).toContain('.local/emulator-cert/cert.pem');
  expect(HELP).toContain('DefaultAzureCredential');
  expect(HELP).toContain('docs/EXPLORER.md');
  expect(parseExploreArgs(['--help']).help).toBe(true);
});
