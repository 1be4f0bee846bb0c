import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/db.ts';
import { buildServer } from '../../entry/server.ts';
import type { Database } from '../../platform/db/client.ts';
import { createApiKey } from '../../platform/http/auth.ts';
import { createLogger } from '../../platform/logger.ts';

// The experiments API in-process (app.inject): import by upload, list, report, per-segment effects, uplift with its
// curves, sample size, roles and the OpenAPI document.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const HILLSTROM = path.resolve(repoRoot, '../shared/data/hillstrom/hillstrom.csv');
const haveFile = existsSync(HILLSTROM);

let database: Database;
let app: FastifyInstance;
const keys: Record<string, string> = {};

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildServer(database, { logger: createLogger('silent'), rateLimitPerMinute: 1000 });
  for (const role of ['admin', 'analyst', 'agent'] as const) keys[role] = (await createApiKey(database, role, `test ${role}`)).secret;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.close();
});

const call = (role: string, method: 'GET' | 'POST', url: string, payload?: string | object, contentType?: string) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${keys[role]}`, ...(contentType ? { 'content-type': contentType } : {}) },
    ...(payload !== undefined ? { payload } : {}),
  });

describe('experiments API', () => {
  it('is in the OpenAPI document, for analysts and admins only', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/experiments',
        '/api/v1/experiments/{name}/report',
        '/api/v1/experiments/{name}/uplift',
        '/api/v1/experiments/sample-size',
      ]),
    );
    expect((await call('agent', 'GET', '/api/v1/experiments')).statusCode).toBe(403);
    const list = await call('analyst', 'GET', '/api/v1/experiments');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ experiments: [] });
  });

  it('plans a sample size, and names a bad query', async () => {
    const ok = await call('analyst', 'GET', '/api/v1/experiments/sample-size?baseline=0.106&lift=0.01');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ design: 'proportions', perArm: expect.any(Number), total: ok.json().perArm * 2 });
    const mean = await call('analyst', 'GET', '/api/v1/experiments/sample-size?delta=0.5&sd=15&power=0.9');
    expect(mean.json()).toMatchObject({ design: 'means', power: 0.9 });
    const bad = await call('analyst', 'GET', '/api/v1/experiments/sample-size?baseline=0.106');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });

  it('refuses an upload with an arm missing, with a problem+json naming it', async () => {
    const csv =
      'recency,history_segment,history,mens,womens,zip_code,newbie,channel,segment,visit,conversion,spend\r\n10,2) $100 - $200,142.44,1,0,Urban,0,Phone,Mens E-Mail,0,0,0';
    const res = await call('admin', 'POST', '/api/v1/experiments?name=one-arm', csv, 'text/csv');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'EXPERIMENTS_EMPTY_ARM' });
    expect(res.json().message).toMatch(/'Womens E-Mail', 'No E-Mail' have no customers/);
  });

  describe.skipIf(!haveFile)(`on Hillstrom${haveFile ? '' : ` (skipped: ${HILLSTROM} is missing)`}`, () => {
    it('imports the uploaded file, then reports arms, effects and segments', async () => {
      const up = await call(
        'analyst',
        'POST',
        '/api/v1/experiments?name=hillstrom-api&source=hillstrom',
        readFileSync(HILLSTROM),
        'text/csv',
      );
      expect(up.statusCode, up.body).toBe(201);
      expect(up.json().arms).toEqual([
        { name: 'Mens E-Mail', n: 21_307 },
        { name: 'Womens E-Mail', n: 21_387 },
        { name: 'No E-Mail', n: 21_306 },
      ]);
      const again = await call('analyst', 'POST', '/api/v1/experiments?name=hillstrom-api', readFileSync(HILLSTROM), 'text/csv');
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('EXPERIMENTS_NAME_TAKEN');

      const report = await call('analyst', 'GET', '/api/v1/experiments/hillstrom-api/report?bootstrapReps=200');
      expect(report.statusCode, report.body).toBe(200);
      const r = report.json();
      expect(r.arms.map((a: { name: string; n: number; visitRate: number }) => [a.name, a.n, a.visitRate.toFixed(6)])).toEqual([
        ['Mens E-Mail', 21_307, '0.182757'],
        ['Womens E-Mail', 21_387, '0.151400'],
        ['No E-Mail', 21_306, '0.106167'],
      ]);
      expect(r.arms[0].spendPerCustomer.toFixed(6)).toBe('1.422617');
      expect(
        r.effects.find((e: { arm: string; outcome: string }) => e.arm === 'Womens E-Mail' && e.outcome === 'conversion').effect * 100,
      ).toBeCloseTo(0.311, 3);

      const seg = await call(
        'analyst',
        'GET',
        `/api/v1/experiments/hillstrom-api/report?by=channel&treatment=${encodeURIComponent('Womens E-Mail')}&outcome=visit`,
      );
      expect(seg.statusCode, seg.body).toBe(200);
      expect(seg.json().segments.map((s: { value: string }) => s.value)).toEqual(['Multichannel', 'Phone', 'Web']);
      const badBy = await call('analyst', 'GET', '/api/v1/experiments/hillstrom-api/report?by=colour');
      expect(badBy.statusCode).toBe(400);
      expect(badBy.json().message).toMatch(/^by: unknown attribute 'colour'; use one of/);
      expect((await call('analyst', 'GET', '/api/v1/experiments/nope/report')).statusCode).toBe(404);
    });

    it('evaluates an uplift model and returns the curves, downsampled to at most 200 points', async () => {
      const res = await call('analyst', 'POST', '/api/v1/experiments/hillstrom-api/uplift', {
        treatment: 'Womens E-Mail',
        outcome: 'visit',
        split: 0.5,
        seed: 0,
        model: 'class-transformation',
      });
      expect(res.statusCode, res.body).toBe(200);
      const u = res.json();
      expect(u).toMatchObject({
        model: 'class-transformation',
        qini: expect.any(Number),
        auuc: expect.any(Number),
        upliftAt30: expect.any(Number),
      });
      expect(u.upliftAt30).toBeGreaterThan(u.testUplift);
      expect(u.curves.qini.x).toHaveLength(200);
      expect(u.curves.uplift.y).toHaveLength(200);
      const bad = await call('analyst', 'POST', '/api/v1/experiments/hillstrom-api/uplift', { treatment: 'Kids E-Mail', outcome: 'visit' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/^treatment: unknown treatment arm 'Kids E-Mail'; use one of 'Mens E-Mail', 'Womens E-Mail'/);
    });
  });
});
