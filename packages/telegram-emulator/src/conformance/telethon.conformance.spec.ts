import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TelegramEmulator } from '../emulator';
import { TelegramEmulatorServer } from '../server/emulator-server';
import { API_HASH, API_ID } from '../testing';

/**
 * Conformance: Telethon (Debian `python3-telethon`, unmodified, layer 144) against the emulator server over
 * TCP, driven by telethon_client.py under the Debian python (`/usr/bin/python3`; .ci/run installs the
 * package). Each line names the client and the step.
 */
const PYTHON = '/usr/bin/python3';

interface StepReport {
  readonly client: string;
  readonly layer: number;
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
}

function telethonVersion(): string | undefined {
  try {
    return execFileSync(PYTHON, ['-c', 'import telethon; print(telethon.__version__)'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

const version = telethonVersion();
// CI installs python3-telethon (.ci/run); elsewhere the suite is skipped when the package is missing.
const suite = version !== undefined || process.env.CI ? describe : describe.skip;

const STEPS = [
  'connect + help.getConfig',
  'transports: intermediate, abridged, obfuscated',
  'phone-code sign-in',
  'PHONE_MIGRATE',
  '2FA (SRP)',
  'QR login',
  'dialogs + sending a message',
  'reconnect with the saved session',
  'bot sign-in',
];

/** Runs telethon_client.py against the server; scans the QR login it prints in the world, as a user would. */
function runTelethon(server: TelegramEmulatorServer, world: TelegramEmulator): Promise<StepReport[]> {
  const [dc1] = server.endpoints;
  const { n, e } = server.network.rsa;
  const args = [dc1.host, String(dc1.port), n, String(e), String(API_ID), API_HASH];
  const child = spawn(PYTHON, [join(__dirname, 'telethon_client.py'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const steps: StepReport[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (!line.startsWith('{')) return;
    const parsed = JSON.parse(line) as StepReport | { qr_url: string; phone: string };
    if ('qr_url' in parsed) setTimeout(() => world.scanQrToken(parsed.qr_url, parsed.phone), 200);
    else steps.push(parsed);
  });
  const timer = setTimeout(() => child.kill(), 100_000);
  return new Promise((resolve) => {
    child.on('close', () => {
      clearTimeout(timer);
      resolve(steps);
    });
  });
}

suite(`conformance: Telethon ${version ?? '(python3-telethon not installed)'}`, () => {
  let server: TelegramEmulatorServer;
  let steps: StepReport[] = [];

  beforeAll(async () => {
    const world = new TelegramEmulator();
    server = new TelegramEmulatorServer(world);
    await server.start();
    steps = await runTelethon(server, world);
  }, 120_000);
  afterAll(async () => {
    await server.stop();
  });

  it.each(STEPS)(`telethon ${version ?? ''} (layer 144): %s`, (name) => {
    expect(steps.find((s) => s.step === name)).toMatchObject({ step: name, ok: true, layer: 144 });
  });
});
