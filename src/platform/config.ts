import { z } from 'zod';
import { AppError } from './errors.ts';

/** The only place that reads the environment. Validated once, at start. */
const EnvSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PATRON_DATA_DIR: z.string().min(1).default('./.data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PATRON_RATE_LIMIT: z.coerce.number().int().positive().default(600),
  PATRON_PHONE_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, 'a two-letter ISO 3166 country code')
    .default('GB'),
  PATRON_DEFAULT_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code')
    .default('GBP'),
  PATRON_SESSION_IDLE_HOURS: z.coerce.number().positive().default(12),
  PATRON_SESSION_MAX_DAYS: z.coerce.number().positive().default(7),
  PATRON_CAMPAIGN_WEBHOOK_URL: z.string().url().optional(),
  PATRON_CAMPAIGN_WEBHOOK_SECRET: z.string().min(16).optional(),
  PATRON_GLOBAL_CONTROL_SHARE: z.coerce.number().min(0).max(0.5).default(0.05),
  PATRON_QUOTE_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  PATRON_SECRET_KEY: z
    .string()
    .trim()
    .regex(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, '32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)')
    .optional(),
});

export type Config = {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  rateLimitPerMinute: number;
  defaultCurrency: string;
  /** The country whose numbering plan applies to phone numbers written without a leading + */
  phoneCountry: string;
  /** A console session ends after this long without a request, and in any case this long after login. */
  session: { idleMs: number; absoluteMs: number };
  /** Where campaigns without a webhook of their own deliver their outbox, and the HMAC-SHA256 secret that signs it. */
  campaignWebhook: { url: string; secret: string } | undefined;
  /** The share of customers in the global control group, which receives no campaign (drawn anew on each redraw). */
  globalControlShare: number;
  /** The key that seals stored secrets (secrets.ts); unset: a key file in dataDir, made on first use. */
  secretKey: string | undefined;
  /** How long a till's quote can be committed by its token (minutes). */
  quoteTtlMinutes: number;
};

let cached: Config | undefined;

/** Reads and validates the environment; throws CONFIG_INVALID naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? 'environment';
    throw new AppError('CONFIG_INVALID', `Environment variable ${field}: ${issue?.message ?? 'invalid'}`, {
      field,
    });
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.PATRON_DATA_DIR,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    rateLimitPerMinute: e.PATRON_RATE_LIMIT,
    defaultCurrency: e.PATRON_DEFAULT_CURRENCY,
    phoneCountry: e.PATRON_PHONE_COUNTRY,
    session: { idleMs: e.PATRON_SESSION_IDLE_HOURS * 3_600_000, absoluteMs: e.PATRON_SESSION_MAX_DAYS * 86_400_000 },
    campaignWebhook:
      e.PATRON_CAMPAIGN_WEBHOOK_URL && e.PATRON_CAMPAIGN_WEBHOOK_SECRET ? { url: e.PATRON_CAMPAIGN_WEBHOOK_URL, secret: e.PATRON_CAMPAIGN_WEBHOOK_SECRET } : undefined,
    globalControlShare: e.PATRON_GLOBAL_CONTROL_SHARE,
    secretKey: e.PATRON_SECRET_KEY,
    quoteTtlMinutes: e.PATRON_QUOTE_TTL_MINUTES,
  };
}

/** The process-wide config, read on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
