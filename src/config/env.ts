/**
 * Environment parsing primitives. Each reader returns a value or records one human-readable
 * problem for its variable; `loadConfig` collects every problem before failing.
 */
export type Env = Record<string, string | undefined>;

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  private fail(name: string, message: string): undefined {
    this.problems.push(`${name}: ${message}`);
    return undefined;
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  /** A secret value: never echoed in a problem message. */
  secret(name: string, minLength = 1): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && value.length < minLength) {
      return this.fail(name, `must be at least ${minLength} characters long`);
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    this.fail(name, `must be true or false, got "${value}"`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number;
  integer(name: string, fallback: undefined, min: number, max: number): number | undefined;
  integer(name: string, fallback: number | undefined, min: number, max: number): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value)) {
      this.fail(name, `must be an integer, got "${value}"`);
      return fallback;
    }
    const parsed = Number(value);
    if (parsed < min || parsed > max) {
      this.fail(name, `must be between ${min} and ${max}, got ${parsed}`);
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.fail(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
    return fallback;
  }

  /** A URL with one of the given protocols; credentials inside it are never echoed. */
  url(name: string, protocols: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return this.fail(name, `must be a URL (${protocols.map((p) => `${p}//…`).join(' or ')})`);
    }
    if (!protocols.includes(parsed.protocol)) {
      return this.fail(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
    }
    return value;
  }

  problem(name: string, message: string): void {
    this.fail(name, message);
  }
}
