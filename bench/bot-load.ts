/**
 * The Feishu side of bench/bot.ts, in a worker thread so its event loop (fake Open API, event
 * encryption/signing, HTTP client) does not delay the app's: starts the fake, then on "run"
 * pushes signed 出库 events at the given concurrency and reports ack latencies and when every
 * reply reached the fake.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startFakeFeishu } from '../test/fake-feishu/index.js';

interface RunMsg {
  type: 'run';
  eventsUrl: string;
  seconds: number;
  concurrency: number;
  products: number;
  openId: string;
  tag: string;
}

const port = parentPort!;
const fake = await startFakeFeishu(workerData as { encryptKey: string; verificationToken: string });
port.postMessage({ type: 'ready', baseUrl: fake.baseUrl, appId: fake.appId, appSecret: fake.appSecret });

port.on('message', async (m: RunMsg | { type: 'close' }) => {
  if (m.type === 'close') {
    await fake.close();
    port.postMessage({ type: 'closed' });
    return;
  }
  const acks: number[] = [];
  const ids: string[] = [];
  let errors = 0;
  const t0 = performance.now();
  const until = t0 + m.seconds * 1000;
  const worker = async (w: number) => {
    let i = 0;
    while (performance.now() < until) {
      const sku = `BENCH${(w * 7 + i++) % m.products}`;
      const text = (process.env.BENCH_TEXT ?? '出库 {sku} 1').replace('{sku}', sku);
      const r = await fake.sendText(m.eventsUrl, { openId: m.openId, text }, { timeoutMs: 10_000 });
      if (r.status === 200) {
        acks.push(r.ms);
        ids.push(r.messageId!);
      } else errors++;
    }
  };
  await Promise.all(Array.from({ length: m.concurrency }, (_, w) => worker(w)));
  const ackedAt = performance.now();
  let delivered = true;
  try {
    await fake.waitFor(() => ids.every((id) => fake.repliesTo(id).length > 0), 120_000);
  } catch {
    delivered = false;
  }
  const deliveredAt = performance.now();
  port.postMessage({ type: 'result', tag: m.tag, acks, events: ids.length, errors, ackMs: ackedAt - t0, e2eMs: deliveredAt - t0, delivered });
});
