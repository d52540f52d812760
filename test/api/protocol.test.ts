/**
 * HTTP details of /api: trailing slashes, Idempotency-Key and Authorization formats, malformed
 * JSON in Chinese, raw UTF-8 in the request line (Node's parser; answered by client-error.ts),
 * `replayed` in a replayed body, and one request log line per call.
 */
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { answerClientError } from '../../src/api/client-error.js';
import { createProduct } from '../../src/inventory/index.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

const lines: Record<string, unknown>[] = [];
const capture: Logger = {
  ...silentLogger,
  info(obj: object | string, msg?: string) {
    if (typeof obj === 'object') lines.push({ ...obj, msg });
  },
  child: () => capture,
};

describeDb('REST protocol', (t) => {
  const api = useApi(t, { logger: capture });

  async function setup() {
    await createProduct(t.db, await api.admin(), { name: '螺丝', sku: 'A001' });
    return api.token('erp', ['inventory:write']);
  }

  it('a trailing slash routes like without it', async () => {
    const token = (await setup()).secret!;
    const r = await api.call('GET', '/api/v1/products/', { token });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    expect((await api.call('GET', '/api/v1/products/A001/', { token })).body.sku).toBe('A001');
  });

  it('Idempotency-Key with a space or non-ASCII: 400 invalid_idempotency_key saying what is allowed', async () => {
    const token = (await setup()).secret!;
    const body = { lines: [{ product: 'A001', qty: '1', unitPrice: '1' }] };
    for (const key of ['order 17', 'clé-1']) {
      const r = await api.call('POST', '/api/v1/receipts', { token, key, body });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('invalid_idempotency_key');
      expect(r.body.detail).toContain('可见 ASCII');
    }
    expect((await api.call('POST', '/api/v1/receipts', { token, body })).body.code).toBe('missing_idempotency_key');
  });

  it('Authorization without "Bearer ": 401 naming the format', async () => {
    const secret = (await setup()).secret!;
    const r = await api.call('GET', '/api/v1/products', { headers: { Authorization: secret } });
    expect(r.status).toBe(401);
    expect(r.body.detail).toContain('Authorization: Bearer jxc_');
    expect(r.body.detail).toContain('少了「Bearer 」');
    expect(r.headers.get('www-authenticate')).toContain('invalid_request');
  });

  it('malformed JSON: a Chinese message with the place, no English parser text', async () => {
    const token = (await setup()).secret!;
    const r = await api.call('POST', '/api/v1/receipts', { token, key: 'j', raw: '{"lines": [\n{"product": "A001", "qty": 1,}]}' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('malformed_json');
    expect(r.body.detail).toMatch(/第 2 行第 \d+ 个字符附近/);
    expect(r.body.detail).not.toMatch(/[A-Za-z]{4,} (token|JSON|position)/);
    const cut = await api.call('POST', '/api/v1/receipts', { token, key: 'j', raw: '{"lines": [' });
    expect(cut.body.detail).toContain('不完整');
  });

  it('a replayed posting says replayed: true in its body as in its header', async () => {
    const token = (await setup()).secret!;
    const body = { lines: [{ product: 'A001', qty: '1', unitPrice: '1' }] };
    const first = await api.call('POST', '/api/v1/receipts', { token, key: 'same', body });
    expect(first.body.replayed).toBe(false);
    const again = await api.call('POST', '/api/v1/receipts', { token, key: 'same', body });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.replayed).toBe(true);
    expect(again.body.docNo).toBe(first.body.docNo);
  });

  it('one log line per call: method, path, status, ms, token id — never the token', async () => {
    const created = await setup();
    const token = created.secret!;
    const id = created.token.id;
    lines.length = 0;
    await api.call('GET', '/api/v1/products?limit=1', { token });
    await api.call('GET', '/api/v1/nothing-here', { token });
    const requests = lines.filter((l) => l.msg === 'api request');
    expect(requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/api/v1/products', status: 200, tokenId: id, ms: expect.any(Number) }),
      expect.objectContaining({ method: 'GET', path: '/api/v1/nothing-here', status: 404, tokenId: null }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('anything under /api answers problem+json, also outside /v1', async () => {
    const r = await api.call('GET', '/api/v2/products');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('raw UTF-8 in the request line: Node refuses it before the app; the clientError answer is problem+json', async () => {
    const server = createServer((_req, res) => res.end('app reached'));
    server.on('clientError', answerClientError);
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as { port: number }).port;
    try {
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.from('GET /api/v1/products?q=笔 HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8')));
        let data = '';
        socket.on('data', (d) => (data += d.toString('utf8')));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400/);
      expect(raw).toContain('application/problem+json');
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
      expect(body.code).toBe('malformed_request');
      expect(body.detail).toContain('%E7%AC%94');
    } finally {
      await new Promise<void>((res) => server.close(() => res()));
    }
  });
});
