import { inParallel } from './in-parallel';

export interface SeedSizes {
  tracers: number;
  customers: number;
}

/** The reference data the command mix works on, as the api created it. */
export interface SeededCatalog {
  isotopeIds: string[];
  tracerIds: string[];
  customerIds: string[];
  endpointIds: string[];
  productionRunIds: string[];
  commands: number;
  seconds: number;
}

interface CommandAnswer {
  id: string;
  position: string | null;
}

const SEED_CONCURRENCY = 16;

const ISOTOPES = [
  { name: 'F-18', atomicNumber: 9, atomicMass: 18, halfLifeSeconds: 6586.2, metastable: false },
  { name: 'C-11', atomicNumber: 6, atomicMass: 11, halfLifeSeconds: 1221.8, metastable: false },
  { name: 'Ga-68', atomicNumber: 31, atomicMass: 68, halfLifeSeconds: 4057.7, metastable: false },
];

/** Sends one command and returns its answer; anything but 2xx is an error (seeding must not half-work). */
export async function sendCommand(
  apiUrl: string,
  headers: Record<string, string>,
  method: 'POST' | 'PUT' | 'PATCH',
  path: string,
  body: unknown,
): Promise<CommandAnswer> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as CommandAnswer;
}

/** Isotopes, tracers, customers with one delivery endpoint each, and a production run per tracer, over HTTP. */
export async function seedCatalog(
  apiUrl: string,
  headers: Record<string, string>,
  sizes: SeedSizes,
): Promise<SeededCatalog> {
  const started = performance.now();
  const send = (method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown) =>
    sendCommand(apiUrl, headers, method, path, body);
  const number = (index: number) => String(index + 1).padStart(4, '0');

  const isotopeIds = (
    await inParallel(ISOTOPES, SEED_CONCURRENCY, (isotope) => send('POST', '/catalog/isotopes', isotope))
  ).map((answer) => answer.id);

  const tracerIds = (
    await inParallel(range(sizes.tracers), SEED_CONCURRENCY, (index) =>
      send('POST', '/catalog/tracers', {
        shortName: `BT${number(index)}`,
        clinicalName: `Bench tracer ${number(index)}`,
        isotopeId: isotopeIds[index % isotopeIds.length],
        kind: tracerKind(index),
        vialTag: `BT${number(index)}`,
        inUse: true,
      }),
    )
  ).map((answer) => answer.id);

  const customerIds = (
    await inParallel(range(sizes.customers), SEED_CONCURRENCY, (index) =>
      send('POST', '/catalog/customers', {
        shortName: `bench-${number(index)}`,
        longName: `Bench Hospital ${number(index)}`,
        dispenserNumber: index + 1,
        overheadPercent: 10,
        contactPerson: 'Anne Jensen',
        emails: [`pet-${number(index)}@hospital.example`],
        phone: '+45 38 68 00 00',
        billingAddress: 'Borgmester Ib Juuls Vej 1',
        billingCity: 'Herlev',
        billingZip: '2730',
      }),
    )
  ).map((answer) => answer.id);

  const endpointIds = (
    await inParallel(customerIds, SEED_CONCURRENCY, (customerId, index) =>
      send('POST', '/catalog/delivery-endpoints', {
        customerId,
        name: `PET-center ${number(index)}`,
        address: 'Borgmester Ib Juuls Vej 1',
        city: 'Herlev',
        zip: '2730',
      }),
    )
  ).map((answer) => answer.id);

  // Production runs make activity: only activity tracers (every fourth tracer is an injection tracer) have them.
  const activityTracerIds = tracerIds.filter((_, index) => tracerKind(index) === 'activity');
  const productionRunIds = (
    await inParallel(activityTracerIds, SEED_CONCURRENCY, (tracerId, index) =>
      send('POST', '/catalog/production-runs', {
        tracerId,
        weekday: (index % 5) + 1,
        productionTime: '06:00',
        runNumber: 1,
        maxActivityMBq: 100_000,
      }),
    )
  ).map((answer) => answer.id);

  const commands =
    isotopeIds.length + tracerIds.length + customerIds.length + endpointIds.length + productionRunIds.length;
  return {
    isotopeIds,
    tracerIds,
    customerIds,
    endpointIds,
    productionRunIds,
    commands,
    seconds: (performance.now() - started) / 1000,
  };
}

function tracerKind(index: number): 'activity' | 'injection' {
  return index % 4 === 3 ? 'injection' : 'activity';
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
