// The scaled-out deployment file describes what docs/operating.md#scaling-out-with-postgresql promises:
// PostgreSQL, two replicas on it, a load balancer in front of both.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parse } from 'yaml';

const compose = parse(readFileSync(new URL('../docker-compose.postgres.yml', import.meta.url), 'utf8'));
const nginx = readFileSync(new URL('../deploy/nginx.conf', import.meta.url), 'utf8');

test('docker-compose.postgres.yml runs two replicas on one PostgreSQL behind nginx', () => {
  const services = compose.services as Record<
    string,
    { image?: string; build?: string; environment?: Record<string, string> }
  >;
  const replicas = Object.entries(services).filter(([, service]) => service.build === '.');
  expect(replicas.map(([name]) => name)).toEqual(['threadstore-1', 'threadstore-2']);
  for (const [, replica] of replicas) {
    expect(replica.environment!.DATABASE_URL).toMatch(/^postgres:\/\/threadstore:.+@postgres:5432\/threadstore$/);
  }
  expect(services.postgres!.image).toMatch(/^postgres:/);
  expect(services.lb!.image).toMatch(/^nginx:/);
  for (const [name] of replicas) expect(nginx).toContain(`server ${name}:8080;`);
  expect(nginx).toContain('client_max_body_size 0;');
});
