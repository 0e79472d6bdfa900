import { ConfigValidationError, loadConfig } from '../../src/config/app-config';

/** The problems loadConfig reports for `env` (none: an empty list). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv');
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}
