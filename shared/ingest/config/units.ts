// The unit-conversion table for `transform.unit`. Names follow DTDL unit names (degreeCelsius,
// kilopascal, ...) with common short aliases. Every unit is linear: base = value × factor + offset.

interface UnitDef {
  dimension: string;
  factor: number;
  offset: number;
}

const unit = (dimension: string, factor: number, offset = 0): UnitDef => ({ dimension, factor, offset });

const units: Readonly<Record<string, UnitDef>> = {
  // temperature, base degreeCelsius
  degreeCelsius: unit('temperature', 1),
  degreeFahrenheit: unit('temperature', 5 / 9, (-32 * 5) / 9),
  kelvin: unit('temperature', 1, -273.15),
  // pressure, base pascal
  pascal: unit('pressure', 1),
  hectopascal: unit('pressure', 100),
  kilopascal: unit('pressure', 1000),
  bar: unit('pressure', 100000),
  millibar: unit('pressure', 100),
  poundPerSquareInch: unit('pressure', 6894.757293168),
  // length, base metre
  metre: unit('length', 1),
  centimetre: unit('length', 0.01),
  millimetre: unit('length', 0.001),
  kilometre: unit('length', 1000),
  foot: unit('length', 0.3048),
  inch: unit('length', 0.0254),
  mile: unit('length', 1609.344),
  // speed, base metrePerSecond
  metrePerSecond: unit('speed', 1),
  kilometrePerHour: unit('speed', 1000 / 3600),
  milePerHour: unit('speed', 1609.344 / 3600),
  // energy, base joule
  joule: unit('energy', 1),
  wattHour: unit('energy', 3600),
  kilowattHour: unit('energy', 3.6e6),
  // power, base watt
  watt: unit('power', 1),
  kilowatt: unit('power', 1000),
  // volume, base litre
  litre: unit('volume', 1),
  cubicMetre: unit('volume', 1000),
  gallon: unit('volume', 3.785411784),
  // mass, base kilogram
  kilogram: unit('mass', 1),
  gram: unit('mass', 0.001),
  pound: unit('mass', 0.45359237),
  // ratio, base fraction
  percent: unit('ratio', 0.01),
  ratio: unit('ratio', 1),
};

const aliases: Readonly<Record<string, string>> = {
  C: 'degreeCelsius',
  degC: 'degreeCelsius',
  '°C': 'degreeCelsius',
  celsius: 'degreeCelsius',
  F: 'degreeFahrenheit',
  degF: 'degreeFahrenheit',
  '°F': 'degreeFahrenheit',
  fahrenheit: 'degreeFahrenheit',
  K: 'kelvin',
  Pa: 'pascal',
  hPa: 'hectopascal',
  kPa: 'kilopascal',
  mbar: 'millibar',
  psi: 'poundPerSquareInch',
  m: 'metre',
  cm: 'centimetre',
  mm: 'millimetre',
  km: 'kilometre',
  ft: 'foot',
  in: 'inch',
  mi: 'mile',
  'm/s': 'metrePerSecond',
  'km/h': 'kilometrePerHour',
  mph: 'milePerHour',
  J: 'joule',
  Wh: 'wattHour',
  kWh: 'kilowattHour',
  W: 'watt',
  kW: 'kilowatt',
  L: 'litre',
  l: 'litre',
  m3: 'cubicMetre',
  gal: 'gallon',
  kg: 'kilogram',
  g: 'gram',
  lb: 'pound',
  '%': 'percent',
};

export const unitNames: readonly string[] = [...Object.keys(units), ...Object.keys(aliases)];

function lookup(name: string): UnitDef | undefined {
  return units[name] ?? units[aliases[name] ?? ''];
}

/** Returns a converter, or an error text naming the problem (unknown unit, different dimensions). */
export function unitConverter(from: string, to: string): ((value: number) => number) | string {
  const source = lookup(from);
  const target = lookup(to);
  if (!source) return `unknown unit "${from}"; see the unit table in CONFIGURATION.md`;
  if (!target) return `unknown unit "${to}"; see the unit table in CONFIGURATION.md`;
  if (source.dimension !== target.dimension) {
    return `cannot convert ${source.dimension} (${from}) to ${target.dimension} (${to})`;
  }
  return (value) => (value * source.factor + source.offset - target.offset) / target.factor;
}
