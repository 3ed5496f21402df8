// The error that means "the configuration is wrong" (exit code 2). In a file of its own so that the
// CLI can recognise it without loading the environment schema (and zod) for commands that need none.

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`config: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}
