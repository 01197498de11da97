/**
 * Credential leak detection for tests: realistic credential values (with the
 * characters escaping would change), and a scanner that looks for each value,
 * and each of its lines, as written raw or as JSON, XML or markdown would
 * spell it.
 */
import { readFileSync } from 'node:fs';

/** Values shaped like the action's credential inputs (all fake). */
export const FAKE_CREDENTIALS = {
  'github-token': 'ghs_Fak3GitHubT0kenVa1ue000111222333444',
  'aws-access-key-id': 'AKIAFAKE7EXAMPLE7KEY',
  'aws-secret-access-key': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYFAKEKEY/9a',
  'gcp-credentials': JSON.stringify({
    type: 'service_account',
    project_id: 'tungsten-e2e-fake',
    private_key_id: 'f4k3f4k3f4k3f4k3f4k3f4k3f4k3f4k3f4k3f4k3',
    private_key:
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQFAKE1\nq7d9Fake+Line/Two3xY\n-----END PRIVATE KEY-----\n',
    client_email: 'e2e@tungsten-e2e-fake.iam.gserviceaccount.com',
  }),
  'azure-credentials': JSON.stringify({
    clientId: '00000000-fake-4000-8000-000000000001',
    clientSecret: 'aZ8Q~x&y<z>"q\'|*_`s3cr3t',
    tenantId: '00000000-fake-4000-8000-000000000002',
    subscriptionId: '00000000-fake-4000-8000-000000000003',
  }),
  'registry-password': 'p@ss|w0rd`<b>&amp;#',
  'ssh-private-key':
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQFAKEFAKE\nAAAAC3NzaC1lZDI1NTE5AAAAIFakeSecondKeyLine0123456789\n-----END OPENSSH PRIVATE KEY-----\n',
} as const;

/** The strings that count as a leak of a value: the value and each line of it (8+ characters). */
export function leakNeedles(value: string): string[] {
  const parts = new Set([value, ...value.split(/\r?\n/).map((l) => l.trim())]);
  // JSON credentials: every string inside them can be printed on its own
  try {
    const walk = (v: unknown): void => {
      if (typeof v === 'string') {
        parts.add(v);
        for (const l of v.split(/\r?\n/)) parts.add(l.trim());
      } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(JSON.parse(value));
  } catch {
    // not JSON
  }
  const PUBLIC = new Set([
    'service_account',
    '-----BEGIN PRIVATE KEY-----',
    '-----END PRIVATE KEY-----',
  ]);
  return [...parts].filter((p) => p.length >= 8 && !PUBLIC.has(p));
}

/** A needle as each output format would spell it. */
function spellings(needle: string): string[] {
  const xml = needle.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    needle,
    JSON.stringify(needle).slice(1, -1),
    xml,
    xml.replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;'),
    needle.replace(/[\\`*_{}[\]<>|#!~]/g, (c) => `\\${c}`).replace(/&/g, '&amp;'),
    needle.replace(/\|/g, '\\|'),
    encodeURIComponent(needle),
  ];
}

export interface Leak {
  where: string;
  credential: string;
  spelling: string;
}

/** Every appearance of any credential in the given texts, in any spelling. */
export function findLeaks(
  texts: Record<string, string>,
  credentials: Record<string, string> = FAKE_CREDENTIALS,
): Leak[] {
  const leaks: Leak[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const [credential, value] of Object.entries(credentials)) {
      for (const needle of leakNeedles(value)) {
        const hit = [...new Set(spellings(needle))].find((s) => text.includes(s));
        if (hit) leaks.push({ where, credential, spelling: hit });
      }
    }
  }
  return leaks;
}

/** findLeaks over files, keyed by path. */
export function findLeaksInFiles(
  paths: readonly string[],
  credentials: Record<string, string> = FAKE_CREDENTIALS,
): Leak[] {
  return findLeaks(Object.fromEntries(paths.map((p) => [p, readFileSync(p, 'utf8')])), credentials);
}

/**
 * The runner's own masking commands (`::add-mask::VALUE`) necessarily carry
 * the value; drop them before scanning a step's stdout for leaks.
 */
export function withoutAddMask(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}
